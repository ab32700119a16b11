//! List functions: size, head, last, tail, range, reverse (which also reverses strings).

use super::{int_arg, out_of_range, wrong_type};
use crate::error::Result;
use crate::value::Value;

/// Longest list `range()` may build in a statement without a memory budget (a library
/// user's `Limits::unlimited()`), so a typo like `range(0, 10^12)` fails cleanly instead of
/// aborting on a failed allocation. With a budget, the budget decides.
const MAX_RANGE_LEN: i128 = 100_000_000;

pub(super) fn call(name: &str, args: &[Value]) -> Result<Value> {
    if name == "range" {
        return range(args);
    }
    match (name, &args[0]) {
        (_, Value::Null) => Ok(Value::Null),
        ("size", Value::List(items)) => Ok(Value::Int(items.len() as i64)),
        ("size", Value::String(s)) => Ok(Value::Int(s.chars().count() as i64)),
        ("head", Value::List(items)) => Ok(items.first().cloned().unwrap_or_default()),
        ("last", Value::List(items)) => Ok(items.last().cloned().unwrap_or_default()),
        ("tail", Value::List(items)) => Ok(Value::List(items.iter().skip(1).cloned().collect())),
        ("reverse", Value::List(items)) => Ok(Value::List(items.iter().rev().cloned().collect())),
        ("reverse", Value::String(s)) => Ok(Value::from(s.chars().rev().collect::<String>())),
        ("size" | "reverse", other) => Err(wrong_type(name, "a list or string", other)),
        (_, other) => Err(wrong_type(name, "a list", other)),
    }
}

/// `range(start, end[, step])`: inclusive of `end` when the step lands on it; empty when
/// the step points away from `end`; a zero step is an error (TCK List11).
fn range(args: &[Value]) -> Result<Value> {
    let start = int_arg("range", &args[0])?;
    let end = int_arg("range", &args[1])?;
    let step = match args.get(2) {
        Some(v) => int_arg("range", v)?,
        None => Some(1),
    };
    let (Some(start), Some(end), Some(step)) = (start, end, step) else {
        return Ok(Value::Null);
    };
    if step == 0 {
        return Err(out_of_range("range", "step must not be zero"));
    }
    let (start, end, step) = (i128::from(start), i128::from(end), i128::from(step));
    let count = if (step > 0 && start > end) || (step < 0 && start < end) {
        0
    } else {
        (end - start) / step + 1
    };
    // One allocation of the whole list: ask the statement's memory budget first, so that
    // running past it is a `MemoryLimitExceeded` like any other; without a budget, a cap.
    crate::limits::reserve((count as u64).saturating_mul(std::mem::size_of::<Value>() as u64))?;
    if count > MAX_RANGE_LEN && !crate::limits::memory_budget_active() {
        return Err(out_of_range(
            "range",
            "the list would be too long (more than 100,000,000 values without a memory budget)",
        ));
    }
    // Filled in chunks so that a statement's time limit can stop a long fill.
    const CHUNK: i128 = 1 << 16;
    let mut items = Vec::with_capacity(count as usize);
    let mut k = 0;
    while k < count {
        crate::limits::check()?;
        let stop = (k + CHUNK).min(count);
        // Every element lies between start and end, so it fits in i64.
        items.extend((k..stop).map(|k| Value::Int((start + k * step) as i64)));
        k = stop;
    }
    Ok(Value::List(items))
}
