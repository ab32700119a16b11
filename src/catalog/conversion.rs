//! Conversion functions: toString, toInteger, toFloat, toBoolean, their `OrNull` variants
//! and the `to*List` forms. Unparsable strings give null; values of a type that can never
//! convert raise TypeError InvalidArgumentValue (TCK TypeConversion1-4), except in the
//! `OrNull` variants, which give null.

use super::{invalid_value, out_of_range};
use crate::error::Result;
use crate::value::Value;
use crate::value::ops::scalar_text;

pub(super) fn call(name: &str, args: &[Value]) -> Result<Value> {
    let arg = &args[0];
    match name {
        "toString" => to_string(arg).ok_or_else(|| invalid_value(name, arg)),
        "toInteger" => to_integer(arg)?.ok_or_else(|| invalid_value(name, arg)),
        "toFloat" => to_float(arg).ok_or_else(|| invalid_value(name, arg)),
        "toBoolean" => to_boolean(arg).ok_or_else(|| invalid_value(name, arg)),
        "toStringOrNull" => Ok(to_string(arg).unwrap_or_default()),
        "toIntegerOrNull" => Ok(to_integer(arg).ok().flatten().unwrap_or_default()),
        "toFloatOrNull" => Ok(to_float(arg).unwrap_or_default()),
        "toBooleanOrNull" => Ok(to_boolean(arg).unwrap_or_default()),
        "toStringList" => map_list(name, arg, |v| to_string(v).unwrap_or_default()),
        "toIntegerList" => map_list(name, arg, |v| {
            to_integer(v).ok().flatten().unwrap_or_default()
        }),
        "toFloatList" => map_list(name, arg, |v| to_float(v).unwrap_or_default()),
        "toBooleanList" => map_list(name, arg, |v| to_boolean(v).unwrap_or_default()),
        _ => unreachable!("conversion::call dispatched with {name}"),
    }
}

fn map_list(name: &str, arg: &Value, convert: fn(&Value) -> Value) -> Result<Value> {
    match arg {
        Value::Null => Ok(Value::Null),
        Value::List(items) => Ok(Value::List(items.iter().map(convert).collect())),
        other => Err(invalid_value(name, other)),
    }
}

/// `None` when the type cannot convert; `Some(Null)` for null or an unparsable string.
fn to_string(v: &Value) -> Option<Value> {
    match v {
        Value::Null => Some(Value::Null),
        Value::String(_) => Some(v.clone()),
        Value::Int(_) | Value::Float(_) | Value::Bool(_) => Some(Value::from(scalar_text(v))),
        Value::Temporal(t) => Some(Value::from(t.to_string())),
        _ => None,
    }
}

fn to_integer(v: &Value) -> Result<Option<Value>> {
    Ok(match v {
        Value::Null => Some(Value::Null),
        Value::Int(_) => Some(v.clone()),
        Value::Bool(b) => Some(Value::Int(i64::from(*b))),
        Value::Float(f) => Some(Value::Int(float_to_int(*f).ok_or_else(|| {
            out_of_range("toInteger", "the float does not fit in an integer")
        })?)),
        Value::String(s) => {
            let s = s.trim();
            let parsed = s.parse::<i64>().ok().or_else(|| {
                s.parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite())
                    .and_then(float_to_int)
            });
            Some(parsed.map_or(Value::Null, Value::Int))
        }
        _ => None,
    })
}

/// Truncates toward zero; `None` when the float is NaN or outside the i64 range.
fn float_to_int(f: f64) -> Option<i64> {
    // -2^63 is exact in f64; 2^63 is the first value too large.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    let t = f.trunc();
    (-LIMIT..LIMIT).contains(&t).then_some(t as i64)
}

fn to_float(v: &Value) -> Option<Value> {
    match v {
        Value::Null => Some(Value::Null),
        Value::Float(_) => Some(v.clone()),
        Value::Int(i) => Some(Value::Float(*i as f64)),
        Value::String(s) => Some(parse_float(s.trim()).map_or(Value::Null, Value::Float)),
        _ => None,
    }
}

/// Java-style float syntax: Rust's parser also accepts "inf" and "infinity" in any case,
/// which Cypher does not.
fn parse_float(s: &str) -> Option<f64> {
    let body = s.trim_start_matches(['+', '-']);
    if body.eq_ignore_ascii_case("inf") || body.eq_ignore_ascii_case("infinity") {
        return match body {
            "Infinity" => s.parse().ok(),
            _ => None,
        };
    }
    if body.eq_ignore_ascii_case("nan") && body != "NaN" {
        return None;
    }
    s.parse().ok()
}

fn to_boolean(v: &Value) -> Option<Value> {
    match v {
        Value::Null => Some(Value::Null),
        Value::Bool(_) => Some(v.clone()),
        // Neo4j 5: 0 is false, any other integer true.
        Value::Int(i) => Some(Value::Bool(*i != 0)),
        Value::String(s) => Some(match s.trim().to_ascii_lowercase().as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::Null,
        }),
        _ => None,
    }
}
