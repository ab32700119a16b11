//! The binary encoding of values, names and ids shared by the log and the snapshot.
//!
//! Hand-written rather than serde + postcard/bincode: `Value` and the `jiff` types it holds
//! have no serde impls (adding them would touch the value module and jiff's features for
//! the sake of one file format), and the format is a dozen tagged cases. Integers are
//! fixed-width little-endian; strings and lists carry a `u32` length. Decoding never
//! trusts a length further than the bytes that are there, so a corrupt file gives an
//! error, never a panic or a huge allocation.

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::civil::{Date, DateTime, Time};

use crate::graph::{NodeId, RelId};
use crate::value::temporal::{Duration, Temporal, ZonedDateTime};
use crate::value::{Path, Value};

/// Bytes being written.
#[derive(Debug, Default)]
pub(crate) struct Writer {
    pub bytes: Vec<u8>,
}

impl Writer {
    pub fn u8(&mut self, v: u8) {
        self.bytes.push(v);
    }

    pub fn u32(&mut self, v: u32) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }

    pub fn u64(&mut self, v: u64) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }

    pub fn i64(&mut self, v: i64) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }

    pub fn len(&mut self, n: usize) {
        // Graphs are indexed by u32 ids, so no list or string of a stored value gets longer.
        self.u32(u32::try_from(n).unwrap_or(u32::MAX));
    }

    pub fn str(&mut self, s: &str) {
        self.len(s.len());
        self.bytes.extend_from_slice(s.as_bytes());
    }

    pub fn value(&mut self, value: &Value) {
        match value {
            Value::Null => self.u8(0),
            Value::Bool(false) => self.u8(1),
            Value::Bool(true) => self.u8(2),
            Value::Int(i) => {
                self.u8(3);
                self.i64(*i);
            }
            Value::Float(f) => {
                self.u8(4);
                self.u64(f.to_bits());
            }
            Value::String(s) => {
                self.u8(5);
                self.str(s);
            }
            Value::List(items) => {
                self.u8(6);
                self.len(items.len());
                items.iter().for_each(|item| self.value(item));
            }
            Value::Map(entries) => {
                self.u8(7);
                self.len(entries.len());
                for (k, v) in entries {
                    self.str(k);
                    self.value(v);
                }
            }
            Value::Node(id) => {
                self.u8(8);
                self.u32(id.0);
            }
            Value::Rel(id) => {
                self.u8(9);
                self.u32(id.0);
            }
            Value::Path(path) => {
                self.u8(10);
                self.len(path.nodes.len());
                path.nodes.iter().for_each(|n| self.u32(n.0));
                self.len(path.rels.len());
                path.rels.iter().for_each(|r| self.u32(r.0));
            }
            Value::Temporal(t) => {
                self.u8(11);
                self.temporal(t);
            }
        }
    }

    fn date(&mut self, d: Date) {
        self.bytes.extend_from_slice(&d.year().to_le_bytes());
        self.bytes.push(d.month() as u8);
        self.bytes.push(d.day() as u8);
    }

    fn time(&mut self, t: Time) {
        self.bytes
            .extend_from_slice(&[t.hour() as u8, t.minute() as u8, t.second() as u8]);
        self.bytes
            .extend_from_slice(&t.subsec_nanosecond().to_le_bytes());
    }

    fn temporal(&mut self, t: &Temporal) {
        match t {
            Temporal::Date(d) => {
                self.u8(0);
                self.date(*d);
            }
            Temporal::LocalTime(t) => {
                self.u8(1);
                self.time(*t);
            }
            Temporal::Time(t, offset) => {
                self.u8(2);
                self.time(*t);
                self.bytes.extend_from_slice(&offset.to_le_bytes());
            }
            Temporal::LocalDateTime(dt) => {
                self.u8(3);
                self.date(dt.date());
                self.time(dt.time());
            }
            Temporal::DateTime(z) => {
                self.u8(4);
                self.date(z.local.date());
                self.time(z.local.time());
                self.bytes.extend_from_slice(&z.offset.to_le_bytes());
                match &z.zone {
                    Some(name) => {
                        self.u8(1);
                        self.str(name);
                    }
                    None => self.u8(0),
                }
            }
            Temporal::Duration(d) => {
                self.u8(5);
                for part in [d.months, d.days, d.seconds, d.nanos] {
                    self.i64(part);
                }
            }
        }
    }
}

/// Why bytes did not decode, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Malformed {
    pub offset: usize,
    pub reason: String,
}

pub(crate) type Decoded<T> = Result<T, Malformed>;

/// Bytes being read.
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pub pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, pos: 0 }
    }

    pub fn is_empty(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    pub fn fail<T>(&self, reason: impl Into<String>) -> Decoded<T> {
        Err(Malformed {
            offset: self.pos,
            reason: reason.into(),
        })
    }

    pub fn take(&mut self, n: usize) -> Decoded<&'a [u8]> {
        match self.bytes.get(self.pos..self.pos.saturating_add(n)) {
            Some(slice) if self.pos.checked_add(n).is_some() => {
                self.pos += n;
                Ok(slice)
            }
            _ => self.fail(format!("{n} bytes expected, the data ends first")),
        }
    }

    fn array<const N: usize>(&mut self) -> Decoded<[u8; N]> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    pub fn u8(&mut self) -> Decoded<u8> {
        Ok(self.array::<1>()?[0])
    }

    pub fn u32(&mut self) -> Decoded<u32> {
        self.array().map(u32::from_le_bytes)
    }

    pub fn u64(&mut self) -> Decoded<u64> {
        self.array().map(u64::from_le_bytes)
    }

    pub fn i64(&mut self) -> Decoded<i64> {
        self.array().map(i64::from_le_bytes)
    }

    fn i32(&mut self) -> Decoded<i32> {
        self.array().map(i32::from_le_bytes)
    }

    /// A length of items each at least `min_size` bytes long, checked against what is left.
    pub fn len(&mut self, min_size: usize) -> Decoded<usize> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min_size.max(1)) > self.bytes.len() - self.pos {
            return self.fail(format!("a count of {n} is more than the data holds"));
        }
        Ok(n)
    }

    pub fn str(&mut self) -> Decoded<&'a str> {
        let n = self.len(1)?;
        let at = self.pos;
        std::str::from_utf8(self.take(n)?).map_err(|_| Malformed {
            offset: at,
            reason: "a string is not UTF-8".into(),
        })
    }

    pub fn value(&mut self) -> Decoded<Value> {
        let at = self.pos;
        Ok(match self.u8()? {
            0 => Value::Null,
            1 => Value::Bool(false),
            2 => Value::Bool(true),
            3 => Value::Int(self.i64()?),
            4 => Value::Float(f64::from_bits(self.u64()?)),
            5 => Value::String(Arc::from(self.str()?)),
            6 => {
                let n = self.len(1)?;
                Value::List((0..n).map(|_| self.value()).collect::<Decoded<_>>()?)
            }
            7 => {
                let n = self.len(5)?;
                let mut map = BTreeMap::new();
                for _ in 0..n {
                    let k = self.str()?.to_string();
                    map.insert(k, self.value()?);
                }
                Value::Map(map)
            }
            8 => Value::Node(NodeId(self.u32()?)),
            9 => Value::Rel(RelId(self.u32()?)),
            10 => {
                let n = self.len(4)?;
                let nodes = (0..n)
                    .map(|_| self.u32().map(NodeId))
                    .collect::<Decoded<_>>()?;
                let n = self.len(4)?;
                let rels = (0..n)
                    .map(|_| self.u32().map(RelId))
                    .collect::<Decoded<_>>()?;
                Value::Path(Box::new(Path { nodes, rels }))
            }
            11 => Value::Temporal(Box::new(self.temporal()?)),
            tag => {
                return Err(Malformed {
                    offset: at,
                    reason: format!("unknown value tag {tag}"),
                });
            }
        })
    }

    fn date(&mut self) -> Decoded<Date> {
        let at = self.pos;
        let year = i16::from_le_bytes(self.array()?);
        let [month, day] = self.array()?;
        Date::new(year, month as i8, day as i8).map_err(|e| Malformed {
            offset: at,
            reason: format!("bad date: {e}"),
        })
    }

    fn time(&mut self) -> Decoded<Time> {
        let at = self.pos;
        let [h, m, s] = self.array()?;
        let nanos = self.i32()?;
        Time::new(h as i8, m as i8, s as i8, nanos).map_err(|e| Malformed {
            offset: at,
            reason: format!("bad time: {e}"),
        })
    }

    fn temporal(&mut self) -> Decoded<Temporal> {
        let at = self.pos;
        Ok(match self.u8()? {
            0 => Temporal::Date(self.date()?),
            1 => Temporal::LocalTime(self.time()?),
            2 => {
                let t = self.time()?;
                Temporal::Time(t, self.i32()?)
            }
            3 => {
                let d = self.date()?;
                Temporal::LocalDateTime(DateTime::from_parts(d, self.time()?))
            }
            4 => {
                let d = self.date()?;
                let local = DateTime::from_parts(d, self.time()?);
                let offset = self.i32()?;
                let zone = match self.u8()? {
                    0 => None,
                    _ => Some(Arc::from(self.str()?)),
                };
                Temporal::DateTime(ZonedDateTime {
                    local,
                    offset,
                    zone,
                })
            }
            5 => Temporal::Duration(Duration {
                months: self.i64()?,
                days: self.i64()?,
                seconds: self.i64()?,
                nanos: self.i64()?,
            }),
            tag => {
                return Err(Malformed {
                    offset: at,
                    reason: format!("unknown temporal tag {tag}"),
                });
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn arb_temporal() -> impl Strategy<Value = Temporal> {
        let date = (-9999i16..=9999, 1i8..=12, 1i8..=28)
            .prop_map(|(y, m, d)| Date::new(y, m, d).expect("valid date"));
        let time = (0i8..24, 0i8..60, 0i8..60, 0i32..1_000_000_000)
            .prop_map(|(h, m, s, n)| Time::new(h, m, s, n).expect("valid time"));
        let zone = prop_oneof![
            Just(None),
            Just(Some(Arc::from("Europe/Stockholm"))),
            Just(Some(Arc::from("America/New_York"))),
        ];
        prop_oneof![
            date.clone().prop_map(Temporal::Date),
            time.clone().prop_map(Temporal::LocalTime),
            (time.clone(), -64800i32..=64800).prop_map(|(t, o)| Temporal::Time(t, o)),
            (date.clone(), time.clone())
                .prop_map(|(d, t)| Temporal::LocalDateTime(DateTime::from_parts(d, t))),
            (date, time, -64800i32..=64800, zone).prop_map(|(d, t, offset, zone)| {
                Temporal::DateTime(ZonedDateTime {
                    local: DateTime::from_parts(d, t),
                    offset,
                    zone,
                })
            }),
            (
                any::<i64>(),
                any::<i64>(),
                any::<i64>(),
                0i64..1_000_000_000
            )
                .prop_map(|(months, days, seconds, nanos)| Temporal::Duration(
                    Duration {
                        months,
                        days,
                        seconds,
                        nanos,
                    }
                )),
        ]
    }

    /// Every kind of value, nested.
    pub(crate) fn arb_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::Int),
            any::<f64>().prop_map(Value::Float),
            ".{0,12}".prop_map(|s| Value::String(Arc::from(s.as_str()))),
            any::<u32>().prop_map(|i| Value::Node(NodeId(i))),
            any::<u32>().prop_map(|i| Value::Rel(RelId(i))),
            (prop::collection::vec(any::<u32>(), 1..4), any::<u32>()).prop_map(|(n, r)| {
                Value::Path(Box::new(Path {
                    rels: vec![RelId(r); n.len() - 1],
                    nodes: n.into_iter().map(NodeId).collect(),
                }))
            }),
            arb_temporal().prop_map(|t| Value::Temporal(Box::new(t))),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::List),
                prop::collection::btree_map("[a-z]{0,4}", inner, 0..4).prop_map(Value::Map),
            ]
        })
    }

    proptest! {
        #[test]
        fn every_value_round_trips(value in arb_value()) {
            let mut w = Writer::default();
            w.value(&value);
            let mut r = Reader::new(&w.bytes);
            let back = r.value().expect("decodes");
            // Debug shows float bits apart (NaN, -0.0) where Cypher equality would not.
            prop_assert_eq!(format!("{back:?}"), format!("{value:?}"));
            prop_assert!(r.is_empty());
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
            let mut r = Reader::new(&bytes);
            let _ = r.value();
        }
    }
}
