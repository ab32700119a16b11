//! PackStream, Bolt's value encoding, and Bolt's message chunking.
//!
//! Hand-written because no maintained crate fits: `packs` was last released in 2020 and
//! predates Bolt 5's structures, and `boltr` is a whole async server framework rather than a
//! codec. The codec is small and defensive: every length prefix is checked against the bytes
//! that remain before anything is allocated, nesting is bounded, and any input decodes to a
//! value or an error, never a panic (`tests/bolt_props.rs` checks both properties).

use std::io::{self, Read, Write};

/// A PackStream value, as it travels on the wire.
#[derive(Debug, Clone, PartialEq)]
pub enum PackValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Bytes(Vec<u8>),
    String(String),
    List(Vec<PackValue>),
    /// A dictionary, in wire order (keys are strings).
    Map(Vec<(String, PackValue)>),
    /// A tagged structure: a node, a temporal value, or a Bolt message.
    Struct(u8, Vec<PackValue>),
}

impl PackValue {
    /// The value under `key` of a map.
    pub fn get(&self, key: &str) -> Option<&PackValue> {
        match self {
            PackValue::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The text of a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            PackValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// The integer of an integer.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            PackValue::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// A map from `(key, value)` pairs.
    pub fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, PackValue)>) -> PackValue {
        PackValue::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }
}

impl From<&str> for PackValue {
    fn from(s: &str) -> Self {
        PackValue::String(s.to_string())
    }
}

impl From<String> for PackValue {
    fn from(s: String) -> Self {
        PackValue::String(s)
    }
}

impl From<i64> for PackValue {
    fn from(i: i64) -> Self {
        PackValue::Int(i)
    }
}

/// Why bytes did not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("the message ends inside a value (at byte {0})")]
    Truncated(usize),
    #[error("unknown PackStream marker 0x{marker:02X} at byte {at}")]
    UnknownMarker { marker: u8, at: usize },
    #[error("a string at byte {0} is not UTF-8")]
    InvalidUtf8(usize),
    #[error("a map key at byte {0} is not a string")]
    NonStringKey(usize),
    #[error("values are nested deeper than {0} levels")]
    TooDeep(usize),
    #[error("{0} bytes follow the value")]
    TrailingBytes(usize),
}

/// Nesting allowed by default: ample for query parameters, small enough for any stack.
pub const DEFAULT_MAX_DEPTH: usize = 64;

/// Decodes exactly one value from `bytes`, nested at most `max_depth` levels.
pub fn decode(bytes: &[u8], max_depth: usize) -> Result<PackValue, DecodeError> {
    let mut decoder = Decoder {
        bytes,
        at: 0,
        max_depth,
    };
    let value = decoder.value(0)?;
    match bytes.len() - decoder.at {
        0 => Ok(value),
        n => Err(DecodeError::TrailingBytes(n)),
    }
}

struct Decoder<'a> {
    bytes: &'a [u8],
    at: usize,
    max_depth: usize,
}

impl Decoder<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], DecodeError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|end| *end <= self.bytes.len())
            .ok_or(DecodeError::Truncated(self.at))?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.array::<1>()?[0])
    }

    /// A size prefix of `width` bytes.
    fn size(&mut self, width: usize) -> Result<usize, DecodeError> {
        Ok(match width {
            1 => usize::from(self.u8()?),
            2 => usize::from(u16::from_be_bytes(self.array()?)),
            _ => u32::from_be_bytes(self.array()?) as usize,
        })
    }

    /// Every element takes at least one byte, so a count beyond the remaining bytes is a
    /// lie: refuse it before allocating for it.
    fn count(&self, n: usize) -> Result<usize, DecodeError> {
        if n > self.bytes.len() - self.at {
            return Err(DecodeError::Truncated(self.at));
        }
        Ok(n)
    }

    fn string(&mut self, len: usize) -> Result<String, DecodeError> {
        let start = self.at;
        let raw = self.take(len)?;
        String::from_utf8(raw.to_vec()).map_err(|_| DecodeError::InvalidUtf8(start))
    }

    fn values(&mut self, n: usize, depth: usize) -> Result<Vec<PackValue>, DecodeError> {
        let n = self.count(n)?;
        (0..n).map(|_| self.value(depth + 1)).collect()
    }

    fn entries(&mut self, n: usize, depth: usize) -> Result<PackValue, DecodeError> {
        let n = self.count(n)?;
        let mut entries = Vec::with_capacity(n);
        for _ in 0..n {
            let at = self.at;
            let PackValue::String(key) = self.value(depth + 1)? else {
                return Err(DecodeError::NonStringKey(at));
            };
            entries.push((key, self.value(depth + 1)?));
        }
        Ok(PackValue::Map(entries))
    }

    fn value(&mut self, depth: usize) -> Result<PackValue, DecodeError> {
        if depth > self.max_depth {
            return Err(DecodeError::TooDeep(self.max_depth));
        }
        let at = self.at;
        let marker = self.u8()?;
        Ok(match marker {
            0x00..=0x7F => PackValue::Int(i64::from(marker)),
            0xF0..=0xFF => PackValue::Int(i64::from(marker as i8)),
            0x80..=0x8F => PackValue::String(self.string(usize::from(marker & 0x0F))?),
            0x90..=0x9F => PackValue::List(self.values(usize::from(marker & 0x0F), depth)?),
            0xA0..=0xAF => self.entries(usize::from(marker & 0x0F), depth)?,
            0xB0..=0xBF => {
                let tag = self.u8()?;
                PackValue::Struct(tag, self.values(usize::from(marker & 0x0F), depth)?)
            }
            0xC0 => PackValue::Null,
            0xC1 => PackValue::Float(f64::from_be_bytes(self.array()?)),
            0xC2 => PackValue::Bool(false),
            0xC3 => PackValue::Bool(true),
            0xC8 => PackValue::Int(i64::from(i8::from_be_bytes(self.array()?))),
            0xC9 => PackValue::Int(i64::from(i16::from_be_bytes(self.array()?))),
            0xCA => PackValue::Int(i64::from(i32::from_be_bytes(self.array()?))),
            0xCB => PackValue::Int(i64::from_be_bytes(self.array()?)),
            0xCC..=0xCE => {
                let len = self.size(1 << (marker - 0xCC))?;
                PackValue::Bytes(self.take(len)?.to_vec())
            }
            0xD0..=0xD2 => {
                let len = self.size(1 << (marker - 0xD0))?;
                PackValue::String(self.string(len)?)
            }
            0xD4..=0xD6 => {
                let n = self.size(1 << (marker - 0xD4))?;
                PackValue::List(self.values(n, depth)?)
            }
            0xD8..=0xDA => {
                let n = self.size(1 << (marker - 0xD8))?;
                self.entries(n, depth)?
            }
            _ => return Err(DecodeError::UnknownMarker { marker, at }),
        })
    }
}

/// Appends the encoding of `value` to `out`.
pub fn encode(value: &PackValue, out: &mut Vec<u8>) {
    match value {
        PackValue::Null => out.push(0xC0),
        PackValue::Bool(b) => out.push(if *b { 0xC3 } else { 0xC2 }),
        PackValue::Int(i) => encode_int(*i, out),
        PackValue::Float(f) => {
            out.push(0xC1);
            out.extend_from_slice(&f.to_be_bytes());
        }
        PackValue::Bytes(b) => {
            header(out, b.len(), None, [0xCC, 0xCD, 0xCE]);
            out.extend_from_slice(b);
        }
        PackValue::String(s) => encode_str(s, out),
        PackValue::List(items) => {
            header(out, items.len(), Some(0x90), [0xD4, 0xD5, 0xD6]);
            items.iter().for_each(|item| encode(item, out));
        }
        PackValue::Map(entries) => {
            header(out, entries.len(), Some(0xA0), [0xD8, 0xD9, 0xDA]);
            for (k, v) in entries {
                encode_str(k, out);
                encode(v, out);
            }
        }
        PackValue::Struct(tag, fields) => {
            // Structures have at most 15 fields; ours always fit.
            out.push(0xB0 | (fields.len().min(15) as u8));
            out.push(*tag);
            fields.iter().take(15).for_each(|f| encode(f, out));
        }
    }
}

fn encode_str(s: &str, out: &mut Vec<u8>) {
    header(out, s.len(), Some(0x80), [0xD0, 0xD1, 0xD2]);
    out.extend_from_slice(s.as_bytes());
}

fn encode_int(i: i64, out: &mut Vec<u8>) {
    if (-16..=127).contains(&i) {
        out.push(i as u8);
    } else if let Ok(v) = i8::try_from(i) {
        out.push(0xC8);
        out.extend_from_slice(&v.to_be_bytes());
    } else if let Ok(v) = i16::try_from(i) {
        out.push(0xC9);
        out.extend_from_slice(&v.to_be_bytes());
    } else if let Ok(v) = i32::try_from(i) {
        out.push(0xCA);
        out.extend_from_slice(&v.to_be_bytes());
    } else {
        out.push(0xCB);
        out.extend_from_slice(&i.to_be_bytes());
    }
}

/// A size marker: the tiny form (`tiny | len` for len < 16) when there is one, else the
/// 8-, 16- or 32-bit form.
fn header(out: &mut Vec<u8>, len: usize, tiny: Option<u8>, sized: [u8; 3]) {
    match (tiny, len) {
        (Some(tiny), 0..=15) => out.push(tiny | len as u8),
        (_, 0..=0xFF) => out.extend_from_slice(&[sized[0], len as u8]),
        (_, 0x100..=0xFFFF) => {
            out.push(sized[1]);
            out.extend_from_slice(&(len as u16).to_be_bytes());
        }
        _ => {
            out.push(sized[2]);
            out.extend_from_slice(&(len as u32).to_be_bytes());
        }
    }
}

/// Writes one message as Bolt chunks (at most 65535 bytes each) and the `00 00` end marker.
pub fn write_message(w: &mut impl Write, message: &[u8]) -> io::Result<()> {
    let mut framed = Vec::with_capacity(message.len() + 4 + message.len() / 0xFFFF * 2);
    for chunk in message.chunks(0xFFFF) {
        framed.extend_from_slice(&(chunk.len() as u16).to_be_bytes());
        framed.extend_from_slice(chunk);
    }
    framed.extend_from_slice(&[0, 0]);
    w.write_all(&framed)
}

/// Reads one chunked message; `Ok(None)` at a clean end of stream. Empty chunks between
/// messages (keep-alive NOOPs) are skipped. A message over `max_len` bytes is an
/// `InvalidData` error, raised before the excess is buffered.
pub fn read_message(r: &mut impl Read, max_len: usize) -> io::Result<Option<Vec<u8>>> {
    let mut message = Vec::new();
    loop {
        let mut size = [0u8; 2];
        match r.read_exact(&mut size) {
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof && message.is_empty() => {
                return Ok(None);
            }
            other => other?,
        }
        let len = usize::from(u16::from_be_bytes(size));
        if len == 0 {
            if message.is_empty() {
                continue;
            }
            return Ok(Some(message));
        }
        if message.len() + len > max_len {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("a message is larger than the limit of {max_len} bytes"),
            ));
        }
        let start = message.len();
        message.resize(start + len, 0);
        r.read_exact(&mut message[start..])?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(v: PackValue) {
        let mut out = Vec::new();
        encode(&v, &mut out);
        assert_eq!(decode(&out, DEFAULT_MAX_DEPTH), Ok(v));
    }

    #[test]
    fn integers_use_the_smallest_form() {
        let sizes = [
            (1, 1),
            (-16, 1),
            (-17, 2),
            (200, 3),
            (40_000, 5),
            (1 << 40, 9),
        ];
        for (i, len) in sizes {
            let mut out = Vec::new();
            encode(&PackValue::Int(i), &mut out);
            assert_eq!(out.len(), len, "{i}");
            round_trip(PackValue::Int(i));
        }
    }

    #[test]
    fn spec_examples_decode() {
        // From the PackStream spec: "a" is 81 61, [1,2,3] is 93 01 02 03, {"one": "eins"}.
        assert_eq!(decode(&[0x81, 0x61], 8), Ok(PackValue::from("a")));
        assert_eq!(
            decode(&[0x93, 1, 2, 3], 8),
            Ok(PackValue::List(vec![1.into(), 2.into(), 3.into()]))
        );
        let map = [0xA1, 0x83, b'o', b'n', b'e', 0x84, b'e', b'i', b'n', b's'];
        assert_eq!(
            decode(&map, 8),
            Ok(PackValue::map([("one", PackValue::from("eins"))]))
        );
    }

    #[test]
    fn a_lying_length_is_refused_before_allocating() {
        // A list claiming 2^32-1 elements in a 5-byte message.
        assert_eq!(
            decode(&[0xD6, 0xFF, 0xFF, 0xFF, 0xFF], 8),
            Err(DecodeError::Truncated(5))
        );
        assert!(decode(&[0xD2, 0xFF, 0xFF, 0xFF, 0xFF, b'a'], 8).is_err());
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = vec![0x91; 100];
        assert_eq!(decode(&deep, 10), Err(DecodeError::TooDeep(10)));
    }

    #[test]
    fn chunks_split_and_join() {
        let message = vec![7u8; 70_000];
        let mut wire = Vec::new();
        write_message(&mut wire, &message).expect("in memory");
        // Two chunks: 65535 + 4465, and the end marker.
        assert_eq!(wire.len(), 70_000 + 2 + 2 + 2);
        let mut reader = &[&[0u8, 0][..], &wire].concat()[..];
        assert_eq!(
            read_message(&mut reader, 1 << 20).expect("reads"),
            Some(message)
        );
        assert_eq!(read_message(&mut reader, 1 << 20).expect("eof"), None);
        let mut reader = &wire[..];
        assert!(read_message(&mut reader, 1000).is_err());
    }
}
