//! The write-ahead log's framing: each record is a 12-byte header — payload length,
//! CRC-32 of the payload, CRC-32 of those 8 bytes — then the payload (`redo`). The header
//! has its own checksum so that a damaged length is caught instead of being followed.
//!
//! Scanning tells a torn tail (what a crash in the middle of an append leaves: a short
//! header, a payload cut short, a last record whose payload does not match, or zeros) from
//! damage further up (a bad record followed by more data), which is an error: cutting
//! there would drop commits that were acknowledged.

use crc32fast::hash;

/// Header bytes before each payload.
pub(crate) const HEADER: usize = 12;

/// `payload` framed for the log.
pub(crate) fn frame(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + payload.len());
    // A payload over 4 GiB cannot be framed; the caller checks (`Database::commit`).
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(&hash(payload).to_le_bytes());
    let header_crc = hash(&out[..8]);
    out.extend_from_slice(&header_crc.to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// The payload length a header announces, if the header passes its checksum.
pub(crate) fn payload_len(header: &[u8; HEADER]) -> Option<usize> {
    let word =
        |i: usize| u32::from_le_bytes([header[i], header[i + 1], header[i + 2], header[i + 3]]);
    (hash(&header[..8]) == word(8)).then(|| word(0) as usize)
}

/// Whether `payload` matches the checksum in `header`.
pub(crate) fn payload_matches(header: &[u8; HEADER], payload: &[u8]) -> bool {
    hash(payload).to_le_bytes() == header[4..8]
}

/// What a scan of the log found.
#[derive(Debug)]
pub(crate) struct Scan<'a> {
    /// Each intact record's payload, with its offset in the log.
    pub records: Vec<(usize, &'a [u8])>,
    /// Where the intact records end.
    pub valid_len: usize,
    /// Damage that is not a torn tail: the offset of the bad record and why.
    pub damage: Option<(usize, String)>,
}

/// Splits `log` into records.
pub(crate) fn scan(log: &[u8]) -> Scan<'_> {
    let mut records = Vec::new();
    let mut pos = 0;
    let damage = loop {
        let rest = &log[pos..];
        if rest.is_empty() || rest.len() < HEADER {
            break None;
        }
        let header: &[u8; HEADER] = rest[..HEADER].try_into().unwrap_or(&[0; HEADER]);
        let Some(len) = payload_len(header) else {
            // Zeros are what a crash leaves when the file grew but its data never landed.
            if rest.iter().all(|b| *b == 0) {
                break None;
            }
            break Some((pos, "a record header fails its checksum".to_string()));
        };
        let Some(payload) = rest.get(HEADER..HEADER + len) else {
            break None;
        };
        if !payload_matches(header, payload) {
            let after = &rest[HEADER + len..];
            if after.iter().all(|b| *b == 0) {
                break None;
            }
            break Some((pos, "a record fails its checksum".to_string()));
        }
        records.push((pos, payload));
        pos += HEADER + len;
    };
    Scan {
        records,
        valid_len: pos,
        damage,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log_of(payloads: &[&[u8]]) -> Vec<u8> {
        payloads.iter().flat_map(|p| frame(p)).collect()
    }

    #[test]
    fn every_cut_of_the_last_record_is_a_torn_tail() {
        let log = log_of(&[b"first", b"second record"]);
        let first = HEADER + 5;
        for cut in first..log.len() {
            let scan = scan(&log[..cut]);
            assert_eq!(scan.records.len(), 1, "cut at {cut}");
            assert_eq!((scan.valid_len, scan.damage.is_none()), (first, true));
        }
        let whole = scan(&log);
        assert_eq!((whole.records.len(), whole.valid_len), (2, log.len()));
    }

    #[test]
    fn damage_before_the_last_record_is_reported() {
        let log = log_of(&[b"first", b"second", b"third"]);
        for at in 0..HEADER + 5 {
            let mut bad = log.clone();
            bad[at] ^= 0x40;
            let scan = scan(&bad);
            assert_eq!(
                scan.damage.map(|(offset, _)| offset),
                Some(0),
                "flip at {at}"
            );
            assert!(scan.records.is_empty());
        }
        let mut zeroed = log.clone();
        let tail = log.len() - 3;
        zeroed[tail..].fill(0);
        assert_eq!(scan(&zeroed).records.len(), 2);
    }
}
