//! Short value builders shared by the unit tests of `value`, `exec::functions` and
//! `exec::aggregate`, so a test reads `int(1)` rather than `Value::Int(1)`. Test-only.

use std::collections::BTreeMap;

use super::Value;

/// Cypher `null`.
pub const NULL: Value = Value::Null;

/// An integer value.
pub fn int(i: i64) -> Value {
    Value::Int(i)
}

/// A float value.
pub fn float(f: f64) -> Value {
    Value::Float(f)
}

/// A string value.
pub fn s(text: &str) -> Value {
    Value::from(text)
}

/// A list value.
pub fn list(items: Vec<Value>) -> Value {
    Value::List(items)
}

/// A list of integers.
pub fn ints(items: &[i64]) -> Value {
    Value::List(items.iter().map(|i| Value::Int(*i)).collect())
}

/// A list of strings.
pub fn strs(items: &[&str]) -> Value {
    Value::List(items.iter().map(|t| Value::from(*t)).collect())
}

/// A map value.
pub fn map(entries: &[(&str, Value)]) -> Value {
    Value::Map(
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect::<BTreeMap<_, _>>(),
    )
}
