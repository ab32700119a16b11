//! Runtime values: what expressions evaluate to and what result rows hold.
//! Nodes and relationships are held by id; their data lives in the `Graph`
//! (and in `ResultSet` snapshots once a statement has finished).
//! Cypher's equality, ordering and arithmetic rules live in `ops`.

pub mod ops;
pub mod temporal;
#[cfg(test)]
pub(crate) mod test_support;

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Arc;

use crate::ids::{NodeId, RelId};

/// Query parameters: `$name` → value.
pub type Params = BTreeMap<String, Value>;

/// A Cypher value.
#[derive(Debug, Clone, Default)]
pub enum Value {
    /// `null`: missing or unknown.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A 64-bit integer.
    Int(i64),
    /// A 64-bit float.
    Float(f64),
    /// Strings are shared: reading a property into many rows does not copy the text.
    String(Arc<str>),
    /// A list of any values.
    List(Vec<Value>),
    /// A map, keys in sorted order.
    Map(BTreeMap<String, Value>),
    /// A node, by id.
    Node(NodeId),
    /// A relationship, by id.
    Rel(RelId),
    /// A path (boxed to keep `Value` small).
    Path(Box<Path>),
    /// Dates, times, date-times and durations (boxed: they are larger than the other variants).
    Temporal(Box<temporal::Temporal>),
}

/// A path: `nodes.len() == rels.len() + 1`, alternating node, rel, node, ...
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Path {
    pub nodes: Vec<NodeId>,
    pub rels: Vec<RelId>,
}

impl Path {
    /// The path of one node and no relationships.
    pub fn single(node: NodeId) -> Self {
        Path {
            nodes: vec![node],
            rels: Vec::new(),
        }
    }

    /// Number of relationships.
    pub fn len(&self) -> usize {
        self.rels.len()
    }

    /// Whether the path has no relationships.
    pub fn is_empty(&self) -> bool {
        self.rels.is_empty()
    }
}

impl Value {
    /// A string value.
    pub fn string(s: impl AsRef<str>) -> Value {
        Value::String(Arc::from(s.as_ref()))
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The Cypher type name used in error messages and `valueType`-like output.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Bool(_) => "BOOLEAN",
            Value::Int(_) => "INTEGER",
            Value::Float(_) => "FLOAT",
            Value::String(_) => "STRING",
            Value::List(_) => "LIST",
            Value::Map(_) => "MAP",
            Value::Node(_) => "NODE",
            Value::Rel(_) => "RELATIONSHIP",
            Value::Path(_) => "PATH",
            Value::Temporal(t) => t.type_name(),
        }
    }

    /// The text of a string value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The integer of an integer value.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The boolean of a boolean value.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

/// Writes `s` as a single-quoted Cypher string literal: `\\`, `'`, `\n`, `\r` and `\t` are
/// escaped, and with `escape_controls` every other control character becomes `\uXXXX`.
pub fn write_quoted(out: &mut String, s: &str, escape_controls: bool) {
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if escape_controls && c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('\'');
}

impl From<temporal::Temporal> for Value {
    fn from(v: temporal::Temporal) -> Self {
        Value::Temporal(Box::new(v))
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Float(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::string(v)
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::String(Arc::from(v))
    }
}
impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Self {
        Value::List(v)
    }
}
