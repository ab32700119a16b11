//! kg values to PackStream and back. Nodes and relationships are sent with the data of the
//! result's snapshots; received ones (the client's side) become snapshots of a `ResultSet`,
//! so the same formatters print local and remote results.

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::Timestamp;
use jiff::tz::Offset;

use super::packstream::PackValue;
use crate::graph::{Graph, NodeId, RelId};
use crate::result::{NodeSnapshot, RelSnapshot, ResultSet};
use crate::value::temporal::{self, Duration, Temporal, Zone, ZonedDateTime};
use crate::value::{Path, Value};

/// Structure tags of Bolt's value types.
mod tag {
    pub const NODE: u8 = 0x4E;
    pub const REL: u8 = 0x52;
    pub const UNBOUND_REL: u8 = 0x72;
    pub const PATH: u8 = 0x50;
    pub const DATE: u8 = 0x44;
    pub const TIME: u8 = 0x54;
    pub const LOCAL_TIME: u8 = 0x74;
    pub const LOCAL_DATE_TIME: u8 = 0x64;
    /// Bolt 5 (and 4.4 with the `utc` patch): seconds are UTC.
    pub const DATE_TIME: u8 = 0x49;
    pub const DATE_TIME_ZONE_ID: u8 = 0x69;
    /// Bolt 4: seconds are local.
    pub const LEGACY_DATE_TIME: u8 = 0x46;
    pub const LEGACY_DATE_TIME_ZONE_ID: u8 = 0x66;
    pub const DURATION: u8 = 0x45;
}

/// What the negotiated protocol version changes in value encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect {
    /// Bolt 5: nodes and relationships carry element ids.
    pub element_ids: bool,
    /// Date-times count UTC seconds (Bolt 5, or 4.4 with the `utc` patch).
    pub utc: bool,
}

impl Dialect {
    /// Bolt 5.x.
    pub const V5: Dialect = Dialect {
        element_ids: true,
        utc: true,
    };
}

/// Encodes result values for the wire; entities take their data from `result`'s snapshots.
pub struct Encoder<'a> {
    pub result: &'a ResultSet,
    pub dialect: Dialect,
}

fn element_id(id: u32) -> PackValue {
    PackValue::String(id.to_string())
}

impl Encoder<'_> {
    fn properties(&self, props: Option<&crate::graph::Properties>) -> PackValue {
        PackValue::Map(
            props
                .into_iter()
                .flat_map(|p| p.iter())
                .map(|(k, v)| (k.to_string(), self.value(v)))
                .collect(),
        )
    }

    pub fn value(&self, value: &Value) -> PackValue {
        match value {
            Value::Null => PackValue::Null,
            Value::Bool(b) => PackValue::Bool(*b),
            Value::Int(i) => PackValue::Int(*i),
            Value::Float(f) => PackValue::Float(*f),
            Value::String(s) => PackValue::String(s.to_string()),
            Value::List(items) => PackValue::List(items.iter().map(|v| self.value(v)).collect()),
            Value::Map(map) => PackValue::Map(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.value(v)))
                    .collect(),
            ),
            Value::Node(id) => self.node(*id),
            Value::Rel(id) => self.rel(*id),
            Value::Path(path) => self.path(path),
            Value::Temporal(t) => self.temporal(t),
        }
    }

    fn node(&self, id: NodeId) -> PackValue {
        let snapshot = self.result.nodes.get(&id);
        let labels = snapshot.map_or_else(Vec::new, |n| {
            n.labels
                .iter()
                .map(|l| PackValue::String(l.to_string()))
                .collect()
        });
        let mut fields = vec![
            PackValue::Int(i64::from(id.0)),
            PackValue::List(labels),
            self.properties(snapshot.map(|n| &n.properties)),
        ];
        if self.dialect.element_ids {
            fields.push(element_id(id.0));
        }
        PackValue::Struct(tag::NODE, fields)
    }

    fn rel(&self, id: RelId) -> PackValue {
        let snapshot = self.result.rels.get(&id);
        let (start, end) = snapshot.map_or((0, 0), |r| (r.start.0, r.end.0));
        let rel_type = snapshot.map_or(String::new(), |r| r.rel_type.to_string());
        let mut fields = vec![
            PackValue::Int(i64::from(id.0)),
            PackValue::Int(i64::from(start)),
            PackValue::Int(i64::from(end)),
            PackValue::String(rel_type),
            self.properties(snapshot.map(|r| &r.properties)),
        ];
        if self.dialect.element_ids {
            fields.extend([element_id(id.0), element_id(start), element_id(end)]);
        }
        PackValue::Struct(tag::REL, fields)
    }

    /// Bolt's path: distinct nodes, distinct unbound relationships, and the hops as index
    /// pairs (relationship index from 1, negative when walked against its direction).
    fn path(&self, path: &Path) -> PackValue {
        let mut nodes: Vec<NodeId> = Vec::new();
        let mut rels: Vec<RelId> = Vec::new();
        index_of(&mut nodes, path.nodes[0]);
        let mut indices = Vec::new();
        for (i, rel) in path.rels.iter().enumerate() {
            let from = path.nodes[i];
            let forward = self.result.rels.get(rel).is_none_or(|r| r.start == from);
            let r = index_of(&mut rels, *rel) as i64 + 1;
            indices.push(PackValue::Int(if forward { r } else { -r }));
            let n = index_of(&mut nodes, path.nodes[i + 1]);
            indices.push(PackValue::Int(n as i64));
        }
        let unbound = rels
            .iter()
            .map(|id| {
                let snapshot = self.result.rels.get(id);
                let mut fields = vec![
                    PackValue::Int(i64::from(id.0)),
                    PackValue::String(snapshot.map_or(String::new(), |r| r.rel_type.to_string())),
                    self.properties(snapshot.map(|r| &r.properties)),
                ];
                if self.dialect.element_ids {
                    fields.push(element_id(id.0));
                }
                PackValue::Struct(tag::UNBOUND_REL, fields)
            })
            .collect();
        PackValue::Struct(
            tag::PATH,
            vec![
                PackValue::List(nodes.into_iter().map(|n| self.node(n)).collect()),
                PackValue::List(unbound),
                PackValue::List(indices),
            ],
        )
    }

    fn temporal(&self, t: &Temporal) -> PackValue {
        let int = PackValue::Int;
        match t {
            Temporal::Date(d) => PackValue::Struct(tag::DATE, vec![int(temporal::epoch_day(*d))]),
            Temporal::LocalTime(t) => {
                PackValue::Struct(tag::LOCAL_TIME, vec![int(temporal::nano_of_day(*t))])
            }
            Temporal::Time(t, offset) => PackValue::Struct(
                tag::TIME,
                vec![int(temporal::nano_of_day(*t)), int(i64::from(*offset))],
            ),
            Temporal::LocalDateTime(dt) => {
                let (s, n) = split_nanos(temporal::local_epoch_nanos(*dt));
                PackValue::Struct(tag::LOCAL_DATE_TIME, vec![int(s), int(n)])
            }
            Temporal::DateTime(z) => {
                let nanos = if self.dialect.utc {
                    z.epoch_nanos()
                } else {
                    temporal::local_epoch_nanos(z.local)
                };
                let (s, n) = split_nanos(nanos);
                let (tag_offset, tag_zone) = if self.dialect.utc {
                    (tag::DATE_TIME, tag::DATE_TIME_ZONE_ID)
                } else {
                    (tag::LEGACY_DATE_TIME, tag::LEGACY_DATE_TIME_ZONE_ID)
                };
                match &z.zone {
                    Some(name) => PackValue::Struct(
                        tag_zone,
                        vec![int(s), int(n), PackValue::String(name.to_string())],
                    ),
                    None => PackValue::Struct(
                        tag_offset,
                        vec![int(s), int(n), int(i64::from(z.offset))],
                    ),
                }
            }
            Temporal::Duration(d) => PackValue::Struct(
                tag::DURATION,
                vec![int(d.months), int(d.days), int(d.seconds), int(d.nanos)],
            ),
        }
    }
}

/// The position of `item` in `list`, appended if new.
fn index_of<T: PartialEq>(list: &mut Vec<T>, item: T) -> usize {
    match list.iter().position(|x| *x == item) {
        Some(i) => i,
        None => {
            list.push(item);
            list.len() - 1
        }
    }
}

/// Seconds (floored) and nanoseconds past them.
fn split_nanos(nanos: i128) -> (i64, i64) {
    let s = nanos.div_euclid(1_000_000_000);
    let n = nanos.rem_euclid(1_000_000_000);
    (i64::try_from(s).unwrap_or(i64::MAX), n as i64)
}

/// Why a received value has no kg counterpart.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ValueError(pub String);

fn bad(what: impl Into<String>) -> ValueError {
    ValueError(what.into())
}

/// A received parameter value. Entities cannot be parameters (Neo4j refuses them too).
pub fn to_param(value: &PackValue) -> Result<Value, ValueError> {
    Ok(match value {
        PackValue::Null => Value::Null,
        PackValue::Bool(b) => Value::Bool(*b),
        PackValue::Int(i) => Value::Int(*i),
        PackValue::Float(f) => Value::Float(*f),
        PackValue::String(s) => Value::string(s),
        PackValue::Bytes(_) => {
            return Err(bad(
                "kg has no byte arrays; send bytes as a list of integers or a string",
            ));
        }
        PackValue::List(items) => {
            Value::List(items.iter().map(to_param).collect::<Result<_, _>>()?)
        }
        PackValue::Map(entries) => Value::Map(
            entries
                .iter()
                .map(|(k, v)| Ok((k.clone(), to_param(v)?)))
                .collect::<Result<BTreeMap<_, _>, ValueError>>()?,
        ),
        PackValue::Struct(t, fields) => Value::from(to_temporal(*t, fields)?),
    })
}

fn ints<const N: usize>(fields: &[PackValue], what: &str) -> Result<[i64; N], ValueError> {
    let mut out = [0; N];
    if fields.len() < N {
        return Err(bad(format!("a {what} needs {N} integer fields")));
    }
    for (slot, field) in out.iter_mut().zip(fields) {
        *slot = field
            .as_int()
            .ok_or_else(|| bad(format!("a {what} has a field that is not an integer")))?;
    }
    Ok(out)
}

fn timestamp(seconds: i64, nanos: i64) -> Result<Timestamp, ValueError> {
    i32::try_from(nanos)
        .ok()
        .and_then(|n| Timestamp::new(seconds, n).ok())
        .ok_or_else(|| bad("a date-time is out of range"))
}

/// A Bolt temporal structure as a kg temporal value.
fn to_temporal(t: u8, fields: &[PackValue]) -> Result<Temporal, ValueError> {
    let out_of_range = || bad("a temporal value is out of range");
    Ok(match t {
        tag::DATE => {
            let [days] = ints(fields, "date")?;
            let ts = timestamp(days.checked_mul(86_400).ok_or_else(out_of_range)?, 0)?;
            Temporal::Date(Offset::UTC.to_datetime(ts).date())
        }
        tag::LOCAL_TIME => {
            let [nanos] = ints(fields, "local time")?;
            Temporal::LocalTime(temporal::time_from_nanos(nanos))
        }
        tag::TIME => {
            let [nanos, offset] = ints(fields, "time")?;
            let offset = i32::try_from(offset).map_err(|_| out_of_range())?;
            Temporal::Time(temporal::time_from_nanos(nanos), offset)
        }
        tag::LOCAL_DATE_TIME => {
            let [s, n] = ints(fields, "local date-time")?;
            Temporal::LocalDateTime(Offset::UTC.to_datetime(timestamp(s, n)?))
        }
        tag::DATE_TIME | tag::LEGACY_DATE_TIME => {
            let [s, n, offset] = ints(fields, "date-time")?;
            let offset = i32::try_from(offset).map_err(|_| out_of_range())?;
            let utc = if t == tag::DATE_TIME {
                s
            } else {
                s - i64::from(offset)
            };
            let zdt = ZonedDateTime::from_timestamp(timestamp(utc, n)?, &Zone::Offset(offset))
                .ok_or_else(out_of_range)?;
            Temporal::DateTime(zdt)
        }
        tag::DATE_TIME_ZONE_ID | tag::LEGACY_DATE_TIME_ZONE_ID => {
            let [s, n] = ints(fields, "date-time")?;
            let name = fields
                .get(2)
                .and_then(PackValue::as_str)
                .ok_or_else(|| bad("a date-time needs a zone name"))?;
            let zone =
                Zone::parse(name).ok_or_else(|| bad(format!("unknown time zone `{name}`")))?;
            let zdt = if t == tag::DATE_TIME_ZONE_ID {
                ZonedDateTime::from_timestamp(timestamp(s, n)?, &zone)
            } else {
                ZonedDateTime::new(Offset::UTC.to_datetime(timestamp(s, n)?), &zone)
            };
            Temporal::DateTime(zdt.ok_or_else(out_of_range)?)
        }
        tag::DURATION => {
            let [months, days, seconds, nanos] = ints(fields, "duration")?;
            Temporal::Duration(
                Duration::new(months, days, seconds, nanos).ok_or_else(out_of_range)?,
            )
        }
        tag::NODE | tag::REL | tag::UNBOUND_REL | tag::PATH => {
            return Err(bad("nodes, relationships and paths cannot be parameters"));
        }
        other => {
            return Err(bad(format!(
                "structure 0x{other:02X} (e.g. a point) has no kg counterpart"
            )));
        }
    })
}

/// Builds the rows of a remote result: entities become snapshots under their remote ids.
#[derive(Default)]
pub struct Decoder {
    /// Holds received properties: a `Properties` value is made by a graph.
    scratch: Graph,
    pub result: ResultSet,
}

fn id_of(value: Option<&PackValue>) -> Result<u32, ValueError> {
    let id = value
        .and_then(PackValue::as_int)
        .ok_or_else(|| bad("an entity without an integer id"))?;
    // kg's ids are 32-bit; a server with larger ids shows them folded.
    Ok(id as u32)
}

fn str_of(value: Option<&PackValue>) -> String {
    value
        .and_then(PackValue::as_str)
        .unwrap_or_default()
        .to_string()
}

impl Decoder {
    /// A received result value.
    pub fn value(&mut self, value: &PackValue) -> Result<Value, ValueError> {
        Ok(match value {
            PackValue::List(items) => Value::List(
                items
                    .iter()
                    .map(|v| self.value(v))
                    .collect::<Result<_, _>>()?,
            ),
            PackValue::Map(entries) => Value::Map(
                entries
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), self.value(v)?)))
                    .collect::<Result<BTreeMap<_, _>, ValueError>>()?,
            ),
            // Remote byte arrays print as lists of integers.
            PackValue::Bytes(b) => {
                Value::List(b.iter().map(|x| Value::Int(i64::from(*x))).collect())
            }
            PackValue::Struct(tag::NODE, fields) => Value::Node(self.node(fields)?),
            PackValue::Struct(tag::REL, fields) => {
                let start = NodeId(id_of(fields.get(1))?);
                let end = NodeId(id_of(fields.get(2))?);
                Value::Rel(self.rel(fields, start, end, 3)?)
            }
            PackValue::Struct(tag::PATH, fields) => Value::Path(Box::new(self.path(fields)?)),
            other => to_param(other)?,
        })
    }

    fn properties(
        &mut self,
        value: Option<&PackValue>,
    ) -> Result<crate::graph::Properties, ValueError> {
        let Some(PackValue::Map(entries)) = value else {
            return Ok(Default::default());
        };
        let props = entries
            .iter()
            .map(|(k, v)| Ok((k.clone(), self.value(v)?)))
            .collect::<Result<Vec<_>, ValueError>>()?;
        let id = self.scratch.create_node(std::iter::empty::<&str>(), props);
        Ok(self
            .scratch
            .node(id)
            .map(|n| n.properties.clone())
            .unwrap_or_default())
    }

    fn node(&mut self, fields: &[PackValue]) -> Result<NodeId, ValueError> {
        let id = NodeId(id_of(fields.first())?);
        let labels = match fields.get(1) {
            Some(PackValue::List(labels)) => labels
                .iter()
                .filter_map(PackValue::as_str)
                .map(Arc::from)
                .collect(),
            _ => Vec::new(),
        };
        let properties = self.properties(fields.get(2))?;
        self.result
            .nodes
            .insert(id, NodeSnapshot { labels, properties });
        Ok(id)
    }

    /// A relationship whose type sits at `type_at` (bound: 3, unbound: 1).
    fn rel(
        &mut self,
        fields: &[PackValue],
        start: NodeId,
        end: NodeId,
        type_at: usize,
    ) -> Result<RelId, ValueError> {
        let id = RelId(id_of(fields.first())?);
        let properties = self.properties(fields.get(type_at + 1))?;
        let rel_type = Arc::from(str_of(fields.get(type_at)));
        self.result.rels.insert(
            id,
            RelSnapshot {
                rel_type,
                start,
                end,
                properties,
            },
        );
        Ok(id)
    }

    fn path(&mut self, fields: &[PackValue]) -> Result<Path, ValueError> {
        let (
            Some(PackValue::List(nodes)),
            Some(PackValue::List(rels)),
            Some(PackValue::List(hops)),
        ) = (fields.first(), fields.get(1), fields.get(2))
        else {
            return Err(bad("a path needs nodes, relationships and indices"));
        };
        let mut node_ids = Vec::with_capacity(nodes.len());
        for node in nodes {
            let PackValue::Struct(tag::NODE, fields) = node else {
                return Err(bad("a path holds a non-node"));
            };
            node_ids.push(self.node(fields)?);
        }
        let first = *node_ids
            .first()
            .ok_or_else(|| bad("a path without nodes"))?;
        let mut path = Path::single(first);
        for hop in hops.chunks(2) {
            let (Some(r), Some(n)) = (
                hop.first().and_then(PackValue::as_int),
                hop.get(1).and_then(PackValue::as_int),
            ) else {
                return Err(bad("a path's indices are not integer pairs"));
            };
            let next = *usize::try_from(n)
                .ok()
                .and_then(|n| node_ids.get(n))
                .ok_or_else(|| bad("a path index points past its nodes"))?;
            let Some(PackValue::Struct(_, rel_fields)) = usize::try_from(r.unsigned_abs())
                .ok()
                .and_then(|r| r.checked_sub(1))
                .and_then(|r| rels.get(r))
            else {
                return Err(bad("a path index points past its relationships"));
            };
            let prev = *path.nodes.last().unwrap_or(&first);
            let (start, end) = if r > 0 { (prev, next) } else { (next, prev) };
            path.rels.push(self.rel(rel_fields, start, end, 1)?);
            path.nodes.push(next);
        }
        Ok(path)
    }
}
