//! Cypher's rules for values: equality with null (three-valued `=`), comparison (`<` ...),
//! orderability (ORDER BY, min/max), equivalence (DISTINCT, grouping, UNION), arithmetic and
//! boolean logic. Errors carry no span: the evaluator attaches the expression's span.
//! Property access, graph lookups and function calls live in `exec`, not here.

use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

use super::Value;
use crate::error::{ErrorCode, ErrorKind, Phase, QueryError, Result};

/// Structural equality, as tests and result comparison need it: `Int(1) != Float(1.0)`,
/// `Null == Null`, NaN equals NaN. Cypher's three-valued `=` is [`equals`].
impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b || (a.is_nan() && b.is_nan()),
            (Value::String(a), Value::String(b)) => a == b,
            (Value::List(a), Value::List(b)) => a == b,
            (Value::Map(a), Value::Map(b)) => a == b,
            (Value::Node(a), Value::Node(b)) => a == b,
            (Value::Rel(a), Value::Rel(b)) => a == b,
            (Value::Path(a), Value::Path(b)) => a == b,
            (Value::Temporal(a), Value::Temporal(b)) => a == b,
            _ => false,
        }
    }
}

// ---- equality and comparison ----

/// Cypher `=`: `None` is null. Null anywhere on top gives null; inside lists and maps a null
/// element makes the result null only when no other element already decides `false`
/// (openCypher: `[1, null] = [2, null]` is false, `[1, null] = [1, null]` is null).
pub fn equals(a: &Value, b: &Value) -> Option<bool> {
    match (a, b) {
        (Value::Null, _) | (_, Value::Null) => None,
        (Value::Bool(x), Value::Bool(y)) => Some(x == y),
        (Value::Int(x), Value::Int(y)) => Some(x == y),
        (Value::Float(x), Value::Float(y)) => Some(x == y),
        (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => {
            Some(int_float_cmp(*x, *y) == Some(Ordering::Equal))
        }
        (Value::String(x), Value::String(y)) => Some(x == y),
        (Value::List(x), Value::List(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            all_equal(x.iter().zip(y))
        }
        (Value::Map(x), Value::Map(y)) => {
            if x.len() != y.len() || x.keys().ne(y.keys()) {
                return Some(false);
            }
            all_equal(x.values().zip(y.values()))
        }
        (Value::Node(x), Value::Node(y)) => Some(x == y),
        (Value::Rel(x), Value::Rel(y)) => Some(x == y),
        (Value::Path(x), Value::Path(y)) => Some(x == y),
        (Value::Temporal(x), Value::Temporal(y)) => Some(x.equals(y)),
        _ => Some(false),
    }
}

/// Conjunction of element equalities: any `false` wins, then any null.
fn all_equal<'a>(pairs: impl Iterator<Item = (&'a Value, &'a Value)>) -> Option<bool> {
    let mut result = Some(true);
    for (x, y) in pairs {
        match equals(x, y) {
            Some(false) => return Some(false),
            None => result = None,
            Some(true) => {}
        }
    }
    result
}

/// Exact comparison of an integer with a float (no rounding of large integers).
fn int_float_cmp(i: i64, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    // i64 → f64 can round; compare in i128 when the float is integral and in range.
    if f.fract() == 0.0 && f.abs() < 1e19 {
        return Some((i as i128).cmp(&(f as i128)));
    }
    (i as f64).partial_cmp(&f)
}

/// Cypher comparison for `<`, `<=`, `>`, `>=`: `None` when the values are not comparable
/// (different types, null, or NaN involved). Use [`less_than`] etc. for the operators:
/// they turn NaN against a number into `false` instead of null.
pub fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y),
        (Value::Int(x), Value::Float(y)) => int_float_cmp(*x, *y),
        (Value::Float(x), Value::Int(y)) => int_float_cmp(*y, *x).map(Ordering::reverse),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::List(x), Value::List(y)) => {
            for (ex, ey) in x.iter().zip(y) {
                match compare(ex, ey)? {
                    Ordering::Equal => {}
                    other => return Some(other),
                }
            }
            Some(x.len().cmp(&y.len()))
        }
        (Value::Temporal(x), Value::Temporal(y)) => x.compare(y),
        _ => None,
    }
}

fn is_number(v: &Value) -> bool {
    matches!(v, Value::Int(_) | Value::Float(_))
}

/// Applies `accept` to the comparison; NaN against a number is `false`, not null
/// (TCK Comparison2 [5]).
fn compare_with(a: &Value, b: &Value, accept: fn(Ordering) -> bool) -> Option<bool> {
    match compare(a, b) {
        Some(ordering) => Some(accept(ordering)),
        None if is_number(a) && is_number(b) => Some(false),
        None => None,
    }
}

/// Cypher `a < b`.
pub fn less_than(a: &Value, b: &Value) -> Option<bool> {
    compare_with(a, b, Ordering::is_lt)
}

/// Cypher `a <= b`.
pub fn less_equal(a: &Value, b: &Value) -> Option<bool> {
    compare_with(a, b, Ordering::is_le)
}

/// Cypher `a > b`.
pub fn greater_than(a: &Value, b: &Value) -> Option<bool> {
    compare_with(a, b, Ordering::is_gt)
}

/// Cypher `a >= b`.
pub fn greater_equal(a: &Value, b: &Value) -> Option<bool> {
    compare_with(a, b, Ordering::is_ge)
}

// ---- orderability ----

/// Rank of a value's type in ascending ORDER BY (openCypher CIP2016-06-14):
/// MAP < NODE < RELATIONSHIP < LIST < PATH < temporal types < STRING < BOOLEAN < NUMBER < NULL.
fn order_rank(v: &Value) -> u8 {
    match v {
        Value::Map(_) => 0,
        Value::Node(_) => 1,
        Value::Rel(_) => 2,
        Value::List(_) => 3,
        Value::Path(_) => 4,
        Value::Temporal(_) => 5,
        Value::String(_) => 6,
        Value::Bool(_) => 7,
        Value::Int(_) | Value::Float(_) => 8,
        Value::Null => 9,
    }
}

/// Total orderability used by ORDER BY, min and max: every pair of values is ordered.
/// Numbers compare by value with NaN above all other numbers; lists lexicographically.
pub fn order(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x.cmp(y),
        (Value::Float(x), Value::Float(y)) => order_floats(*x, *y),
        (Value::Int(x), Value::Float(y)) => {
            if y.is_nan() {
                Ordering::Less
            } else {
                int_float_cmp(*x, *y).unwrap_or(Ordering::Equal)
            }
        }
        (Value::Float(_), Value::Int(_)) => order(b, a).reverse(),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::List(x), Value::List(y)) => order_lists(x, y),
        (Value::Map(x), Value::Map(y)) => {
            // Maps order by their sorted (key, value) entries.
            for ((kx, vx), (ky, vy)) in x.iter().zip(y) {
                let o = kx.cmp(ky).then_with(|| order(vx, vy));
                if o.is_ne() {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
        (Value::Node(x), Value::Node(y)) => x.cmp(y),
        (Value::Rel(x), Value::Rel(y)) => x.cmp(y),
        (Value::Path(x), Value::Path(y)) => x.cmp(y),
        (Value::Temporal(x), Value::Temporal(y)) => x.order(y),
        _ => order_rank(a).cmp(&order_rank(b)),
    }
}

fn order_floats(x: f64, y: f64) -> Ordering {
    match (x.is_nan(), y.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
    }
}

fn order_lists(x: &[Value], y: &[Value]) -> Ordering {
    for (ex, ey) in x.iter().zip(y) {
        let o = order(ex, ey);
        if o.is_ne() {
            return o;
        }
    }
    x.len().cmp(&y.len())
}

// ---- equivalence ----

/// A value compared by Cypher *equivalence*, the relation behind DISTINCT, grouping keys and
/// UNION: like `=` but null is equivalent to null and NaN to NaN, and `1` to `1.0`
/// (openCypher CIP2016-06-14). Lists and maps compare element-wise by equivalence.
#[derive(Clone, Debug)]
pub struct GroupKey(pub Value);

/// Equivalence of two values (see [`GroupKey`]).
pub fn equivalent(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Float(x), Value::Float(y)) => x == y || (x.is_nan() && y.is_nan()),
        (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => {
            int_float_cmp(*x, *y) == Some(Ordering::Equal)
        }
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| equivalent(a, b))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((kx, vx), (ky, vy))| kx == ky && equivalent(vx, vy))
        }
        _ => a == b,
    }
}

impl PartialEq for GroupKey {
    fn eq(&self, other: &Self) -> bool {
        equivalent(&self.0, &other.0)
    }
}

impl Eq for GroupKey {}

impl Hash for GroupKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_value(&self.0, state);
    }
}

/// Hash consistent with [`equivalent`]: integral floats hash like the integer they equal.
fn hash_value<H: Hasher>(v: &Value, state: &mut H) {
    match v {
        Value::Null => 0u8.hash(state),
        Value::Bool(b) => {
            1u8.hash(state);
            b.hash(state);
        }
        Value::Int(i) => {
            2u8.hash(state);
            i.hash(state);
        }
        Value::Float(f) => {
            if f.fract() == 0.0 && *f >= i64::MIN as f64 && *f < i64::MAX as f64 {
                2u8.hash(state);
                (*f as i64).hash(state);
            } else if f.is_nan() {
                3u8.hash(state);
            } else {
                3u8.hash(state);
                f.to_bits().hash(state);
            }
        }
        Value::String(s) => {
            4u8.hash(state);
            s.hash(state);
        }
        Value::List(items) => {
            5u8.hash(state);
            items.len().hash(state);
            for item in items {
                hash_value(item, state);
            }
        }
        Value::Map(map) => {
            6u8.hash(state);
            map.len().hash(state);
            for (k, item) in map {
                k.hash(state);
                hash_value(item, state);
            }
        }
        Value::Node(id) => {
            7u8.hash(state);
            id.hash(state);
        }
        Value::Rel(id) => {
            8u8.hash(state);
            id.hash(state);
        }
        Value::Path(p) => {
            9u8.hash(state);
            p.hash(state);
        }
        Value::Temporal(t) => {
            10u8.hash(state);
            t.to_string().hash(state);
        }
    }
}

// ---- arithmetic ----

fn overflow(op: &str) -> QueryError {
    QueryError::runtime(
        ErrorKind::ArithmeticError,
        ErrorCode::IntegerOverflow,
        format!("integer overflow in {op}"),
    )
}

/// The TCK has no code for this; Neo4j reports `/ by zero` as an arithmetic error.
fn division_by_zero() -> QueryError {
    QueryError::new(
        ErrorKind::ArithmeticError,
        None,
        Phase::Runtime,
        "division by zero",
    )
}

/// `op` does not apply to these operand types, e.g. `1 + true`.
pub(crate) fn operand_error(op: &str, a: &Value, b: &Value) -> QueryError {
    QueryError::runtime(
        ErrorKind::TypeError,
        ErrorCode::InvalidArgumentType,
        format!(
            "cannot apply `{op}` to {} and {}",
            a.type_name(),
            b.type_name()
        ),
    )
}

/// Numeric binary operation with int/float promotion; `int_op` reports overflow and
/// division by zero as errors.
fn numeric(
    op: &str,
    a: &Value,
    b: &Value,
    int_op: fn(i64, i64) -> Result<i64>,
    float_op: fn(f64, f64) -> f64,
) -> Result<Value> {
    match (a, b) {
        (Value::Null, _) | (_, Value::Null) => Ok(Value::Null),
        (Value::Int(x), Value::Int(y)) => int_op(*x, *y).map(Value::Int),
        (Value::Int(x), Value::Float(y)) => Ok(Value::Float(float_op(*x as f64, *y))),
        (Value::Float(x), Value::Int(y)) => Ok(Value::Float(float_op(*x, *y as f64))),
        (Value::Float(x), Value::Float(y)) => Ok(Value::Float(float_op(*x, *y))),
        _ => Err(operand_error(op, a, b)),
    }
}

/// Cypher `+`: numbers, string concatenation (a string with a number or boolean is
/// concatenated too, as Neo4j does), list concatenation and list append/prepend.
pub fn add(a: &Value, b: &Value) -> Result<Value> {
    match (a, b) {
        // Neo4j checks null before anything else, so `[1] + null` is null, not `[1, null]`.
        (Value::Null, _) | (_, Value::Null) => Ok(Value::Null),
        (Value::List(x), Value::List(y)) => {
            let mut out = Vec::with_capacity(x.len() + y.len());
            out.extend(x.iter().cloned());
            out.extend(y.iter().cloned());
            Ok(Value::List(out))
        }
        (Value::List(x), elem) => {
            let mut out = x.clone();
            out.push(elem.clone());
            Ok(Value::List(out))
        }
        (elem, Value::List(y)) => {
            let mut out = Vec::with_capacity(y.len() + 1);
            out.push(elem.clone());
            out.extend(y.iter().cloned());
            Ok(Value::List(out))
        }
        (Value::Temporal(_), _) | (_, Value::Temporal(_)) => {
            super::temporal::binary('+', a, b).unwrap_or_else(|| Err(operand_error("+", a, b)))
        }
        (Value::String(x), Value::String(y)) => Ok(Value::from(format!("{x}{y}"))),
        (Value::String(x), other @ (Value::Int(_) | Value::Float(_) | Value::Bool(_))) => {
            Ok(Value::from(format!("{x}{}", scalar_text(other))))
        }
        (other @ (Value::Int(_) | Value::Float(_) | Value::Bool(_)), Value::String(y)) => {
            Ok(Value::from(format!("{}{y}", scalar_text(other))))
        }
        _ => numeric(
            "+",
            a,
            b,
            |x, y| x.checked_add(y).ok_or_else(|| overflow("+")),
            |x, y| x + y,
        ),
    }
}

/// Cypher `-`.
pub fn sub(a: &Value, b: &Value) -> Result<Value> {
    if let Some(result) = super::temporal::binary('-', a, b) {
        return result;
    }
    numeric(
        "-",
        a,
        b,
        |x, y| x.checked_sub(y).ok_or_else(|| overflow("-")),
        |x, y| x - y,
    )
}

/// Cypher `*`.
pub fn mul(a: &Value, b: &Value) -> Result<Value> {
    if let Some(result) = super::temporal::binary('*', a, b) {
        return result;
    }
    numeric(
        "*",
        a,
        b,
        |x, y| x.checked_mul(y).ok_or_else(|| overflow("*")),
        |x, y| x * y,
    )
}

/// Cypher `/`: integer division truncates toward zero; integer division by zero is an
/// error, float division by zero gives ±infinity or NaN.
pub fn div(a: &Value, b: &Value) -> Result<Value> {
    if let Some(result) = super::temporal::binary('/', a, b) {
        return result;
    }
    numeric(
        "/",
        a,
        b,
        |x, y| {
            if y == 0 {
                Err(division_by_zero())
            } else {
                x.checked_div(y).ok_or_else(|| overflow("/"))
            }
        },
        |x, y| x / y,
    )
}

/// Cypher `%`: the remainder has the sign of the dividend, as in Java and Rust.
pub fn rem(a: &Value, b: &Value) -> Result<Value> {
    numeric(
        "%",
        a,
        b,
        |x, y| {
            if y == 0 {
                Err(division_by_zero())
            } else {
                // i64::MIN % -1 overflows in Rust but is mathematically 0.
                Ok(x.checked_rem(y).unwrap_or(0))
            }
        },
        |x, y| x % y,
    )
}

/// Cypher `^`: always a float, as in openCypher.
pub fn pow(a: &Value, b: &Value) -> Result<Value> {
    match (a, b) {
        (Value::Null, _) | (_, Value::Null) => Ok(Value::Null),
        _ => match (to_f64(a), to_f64(b)) {
            (Some(x), Some(y)) => Ok(Value::Float(x.powf(y))),
            _ => Err(operand_error("^", a, b)),
        },
    }
}

/// A number as a float; `None` for anything else.
pub fn to_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// Cypher unary `-`.
pub fn negate(a: &Value) -> Result<Value> {
    match a {
        Value::Null => Ok(Value::Null),
        Value::Int(x) => x.checked_neg().map(Value::Int).ok_or_else(|| overflow("-")),
        Value::Float(x) => Ok(Value::Float(-x)),
        other => Err(QueryError::type_mismatch("a number", other.type_name())),
    }
}

/// Text of a number or boolean as `toString` and string concatenation show it.
pub fn scalar_text(v: &Value) -> String {
    match v {
        Value::Int(i) => i.to_string(),
        Value::Float(f) => float_text(*f),
        Value::Bool(b) => b.to_string(),
        Value::String(s) => s.to_string(),
        other => other.type_name().to_string(),
    }
}

/// A float as Cypher (Java's `Double.toString`) prints it: always with a decimal point
/// (`1.0`), scientific outside [1e-3, 1e7) (`1.0E7`), `NaN`, `Infinity`.
pub fn float_text(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    let magnitude = f.abs();
    if magnitude == 0.0 || (1e-3..1e7).contains(&magnitude) {
        let text = format!("{f}");
        if text.contains('.') {
            text
        } else {
            format!("{text}.0")
        }
    } else {
        let text = format!("{f:e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        if mantissa.contains('.') {
            format!("{mantissa}E{exponent}")
        } else {
            format!("{mantissa}.0E{exponent}")
        }
    }
}

// ---- boolean logic ----

/// Three-valued AND: false wins over null.
pub fn and(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

/// Three-valued OR: true wins over null.
pub fn or(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

/// Three-valued XOR: null if either side is null.
pub fn xor(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    Some(a? != b?)
}

/// Three-valued NOT.
pub fn not(a: Option<bool>) -> Option<bool> {
    a.map(|b| !b)
}

/// A value as a boolean operand: booleans and null only (TCK Boolean1-5 raise
/// InvalidArgumentType for anything else).
pub fn truth(v: &Value) -> Result<Option<bool>> {
    match v {
        Value::Bool(b) => Ok(Some(*b)),
        Value::Null => Ok(None),
        other => Err(QueryError::type_mismatch("a boolean", other.type_name())),
    }
}

/// Bool or null back into a value.
pub fn from_truth(b: Option<bool>) -> Value {
    b.map_or(Value::Null, Value::Bool)
}

// ---- string predicates ----

/// Shared null/type rule of STARTS WITH, ENDS WITH and CONTAINS: both sides must be strings,
/// anything else (null included) gives null.
fn string_predicate(a: &Value, b: &Value, test: fn(&str, &str) -> bool) -> Option<bool> {
    match (a, b) {
        (Value::String(x), Value::String(y)) => Some(test(x, y)),
        _ => None,
    }
}

/// Cypher `a STARTS WITH b`.
pub fn starts_with(a: &Value, b: &Value) -> Option<bool> {
    string_predicate(a, b, |x, y| x.starts_with(y))
}

/// Cypher `a ENDS WITH b`.
pub fn ends_with(a: &Value, b: &Value) -> Option<bool> {
    string_predicate(a, b, |x, y| x.ends_with(y))
}

/// Cypher `a CONTAINS b`.
pub fn contains(a: &Value, b: &Value) -> Option<bool> {
    string_predicate(a, b, |x, y| x.contains(y))
}

/// Cypher `x IN list`: null if the list is null, or if no element equals `x` but some
/// comparison was null (TCK List5).
pub fn in_list(x: &Value, list: &Value) -> Result<Option<bool>> {
    match list {
        Value::Null => Ok(None),
        Value::List(items) => {
            let mut result = Some(false);
            for item in items {
                match equals(x, item) {
                    Some(true) => return Ok(Some(true)),
                    None => result = None,
                    Some(false) => {}
                }
            }
            Ok(result)
        }
        other => Err(QueryError::type_mismatch("a list", other.type_name())),
    }
}

/// Compiles the pattern of Cypher's `text =~ pattern`, anchored so the whole string must
/// match (Java `String.matches`). An invalid pattern is an ArgumentError with a one-line reason.
pub fn compile_regex(pattern: &str) -> Result<regex::Regex> {
    regex::Regex::new(&format!("^(?:{pattern})$")).map_err(|e| {
        // The regex crate's message spans several lines (pattern, caret, reason); the last
        // line is the reason, and kg shows its own caret.
        let reason = e.to_string();
        let reason = reason
            .lines()
            .last()
            .unwrap_or_default()
            .trim_start_matches("error: ");
        QueryError::runtime(
            ErrorKind::ArgumentError,
            ErrorCode::InvalidArgumentValue,
            format!("invalid regular expression {pattern:?}: {reason}"),
        )
    })
}

#[cfg(test)]
mod tests;
