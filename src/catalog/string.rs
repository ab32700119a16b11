//! String functions: toLower, toUpper, trim, ltrim, rtrim, replace, substring, left, right,
//! split. Positions and lengths count characters (Unicode scalar values), not bytes.

use super::{int_arg, out_of_range, wrong_type};
use crate::error::Result;
use crate::value::Value;

pub(super) fn call(name: &str, args: &[Value]) -> Result<Value> {
    // openCypher: a null string gives null whatever the other arguments are.
    let text = match &args[0] {
        Value::Null => return Ok(Value::Null),
        Value::String(s) => s,
        other => return Err(wrong_type(name, "a string", other)),
    };
    let out = match name {
        "toLower" | "lower" => text.to_lowercase(),
        "toUpper" | "upper" => text.to_uppercase(),
        "trim" => text.trim().to_string(),
        "ltrim" => text.trim_start().to_string(),
        "rtrim" => text.trim_end().to_string(),
        "replace" => match (&args[1], &args[2]) {
            (Value::String(from), Value::String(to)) => text.replace(&**from, to),
            (Value::Null, _) | (_, Value::Null) => return Ok(Value::Null),
            (Value::String(_), other) | (other, _) => {
                return Err(wrong_type(name, "a string", other));
            }
        },
        "substring" => {
            let start = count_arg(name, &args[1], "start")?;
            let len = match args.get(2) {
                Some(v) => count_arg(name, v, "length")?,
                None => usize::MAX,
            };
            text.chars().skip(start).take(len).collect()
        }
        "left" => {
            let len = count_arg(name, &args[1], "length")?;
            text.chars().take(len).collect()
        }
        "right" => {
            let len = count_arg(name, &args[1], "length")?;
            let total = text.chars().count();
            text.chars().skip(total.saturating_sub(len)).collect()
        }
        "split" => return split(text, &args[1]),
        _ => unreachable!("string::call dispatched with {name}"),
    };
    Ok(Value::from(out))
}

/// A non-negative count or position; null is rejected because the result would be undefined.
fn count_arg(fun: &str, v: &Value, what: &str) -> Result<usize> {
    match int_arg(fun, v)? {
        Some(n) if n >= 0 => Ok(usize::try_from(n).unwrap_or(usize::MAX)),
        Some(_) => Err(out_of_range(fun, &format!("{what} must not be negative"))),
        None => Err(wrong_type(fun, "an integer", v)),
    }
}

/// `split(s, delimiter)`; the delimiter may also be a list of delimiters. An empty delimiter
/// splits into characters.
fn split(text: &str, delimiter: &Value) -> Result<Value> {
    let delimiters: Vec<&str> = match delimiter {
        Value::Null => return Ok(Value::Null),
        Value::String(d) => vec![d],
        Value::List(items) => {
            let mut ds = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::String(d) => ds.push(&**d),
                    Value::Null => return Ok(Value::Null),
                    other => return Err(wrong_type("split", "a string delimiter", other)),
                }
            }
            ds
        }
        other => return Err(wrong_type("split", "a string delimiter", other)),
    };
    if delimiters.iter().all(|d| d.is_empty()) {
        return Ok(Value::List(
            text.chars().map(|c| Value::from(c.to_string())).collect(),
        ));
    }
    let mut parts = Vec::new();
    let mut rest = text;
    'outer: loop {
        // The earliest match of any non-empty delimiter ends the next part.
        let next = delimiters
            .iter()
            .filter(|d| !d.is_empty())
            .filter_map(|d| rest.find(*d).map(|at| (at, d.len())))
            .min();
        match next {
            Some((at, len)) => {
                parts.push(Value::from(&rest[..at]));
                rest = &rest[at + len..];
            }
            None => {
                parts.push(Value::from(rest));
                break 'outer;
            }
        }
    }
    Ok(Value::List(parts))
}
