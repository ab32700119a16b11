//! The built-in function table: name → arity, kind (scalar or aggregate) and, for scalars,
//! the implementation. Names are case-insensitive. Aggregates are only described here; their
//! accumulators live in `exec::aggregate`. Functions taking expressions rather than values
//! (`exists(n.prop)`, list predicates) are evaluated by the engine.

mod conversion;
mod graph;
mod list;
mod numeric;
mod string;
mod temporal;

pub(crate) use temporal::StatementClock;

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::error::{ErrorCode, ErrorKind, QueryError, Result};
use crate::graph::Graph;
use crate::value::Value;

/// Whether a function maps a row to a value or folds many rows into one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FunctionKind {
    /// Evaluated per row, e.g. `toUpper(s)`.
    Scalar,
    /// Folds a group of rows, e.g. `count(x)`.
    Aggregate,
}

/// A built-in function's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionSpec {
    /// Canonical spelling, e.g. `toUpper`.
    pub name: &'static str,
    pub min_args: usize,
    /// `None` means variadic (`coalesce`).
    pub max_args: Option<usize>,
    pub kind: FunctionKind,
}

const fn scalar(name: &'static str, min_args: usize, max_args: usize) -> FunctionSpec {
    FunctionSpec {
        name,
        min_args,
        max_args: Some(max_args),
        kind: FunctionKind::Scalar,
    }
}

const fn aggregate(name: &'static str, args: usize) -> FunctionSpec {
    FunctionSpec {
        name,
        min_args: args,
        max_args: Some(args),
        kind: FunctionKind::Aggregate,
    }
}

/// Every built-in function kg knows.
static FUNCTIONS: &[FunctionSpec] = &[
    // graph
    scalar("id", 1, 1),
    scalar("labels", 1, 1),
    scalar("type", 1, 1),
    scalar("properties", 1, 1),
    scalar("keys", 1, 1),
    scalar("startNode", 1, 1),
    scalar("endNode", 1, 1),
    scalar("nodes", 1, 1),
    scalar("relationships", 1, 1),
    scalar("length", 1, 1),
    scalar("exists", 1, 1),
    // lists
    scalar("size", 1, 1),
    scalar("head", 1, 1),
    scalar("last", 1, 1),
    scalar("tail", 1, 1),
    scalar("range", 2, 3),
    scalar("reverse", 1, 1),
    // strings
    scalar("toLower", 1, 1),
    scalar("toUpper", 1, 1),
    scalar("lower", 1, 1),
    scalar("upper", 1, 1),
    scalar("trim", 1, 1),
    scalar("ltrim", 1, 1),
    scalar("rtrim", 1, 1),
    scalar("replace", 3, 3),
    scalar("substring", 2, 3),
    scalar("left", 2, 2),
    scalar("right", 2, 2),
    scalar("split", 2, 2),
    // numbers
    scalar("abs", 1, 1),
    scalar("ceil", 1, 1),
    scalar("floor", 1, 1),
    scalar("round", 1, 3),
    scalar("sign", 1, 1),
    scalar("sqrt", 1, 1),
    scalar("exp", 1, 1),
    scalar("log", 1, 1),
    scalar("log10", 1, 1),
    scalar("sin", 1, 1),
    scalar("cos", 1, 1),
    scalar("tan", 1, 1),
    scalar("cot", 1, 1),
    scalar("asin", 1, 1),
    scalar("acos", 1, 1),
    scalar("atan", 1, 1),
    scalar("atan2", 2, 2),
    scalar("haversin", 1, 1),
    scalar("degrees", 1, 1),
    scalar("radians", 1, 1),
    scalar("pi", 0, 0),
    scalar("e", 0, 0),
    scalar("rand", 0, 0),
    // conversion
    scalar("toString", 1, 1),
    scalar("toStringOrNull", 1, 1),
    scalar("toInteger", 1, 1),
    scalar("toIntegerOrNull", 1, 1),
    scalar("toFloat", 1, 1),
    scalar("toFloatOrNull", 1, 1),
    scalar("toBoolean", 1, 1),
    scalar("toBooleanOrNull", 1, 1),
    scalar("toStringList", 1, 1),
    scalar("toIntegerList", 1, 1),
    scalar("toFloatList", 1, 1),
    scalar("toBooleanList", 1, 1),
    FunctionSpec {
        name: "coalesce",
        min_args: 1,
        max_args: None,
        kind: FunctionKind::Scalar,
    },
    scalar("nullIf", 2, 2),
    // LOAD CSV: the current record's line and file (see `plan::expr`)
    scalar("linenumber", 0, 0),
    scalar("file", 0, 0),
    // aggregates
    aggregate("count", 1),
    aggregate("sum", 1),
    aggregate("avg", 1),
    aggregate("min", 1),
    aggregate("max", 1),
    aggregate("collect", 1),
    aggregate("percentileDisc", 2),
    aggregate("percentileCont", 2),
    aggregate("stDev", 1),
    aggregate("stDevP", 1),
];

/// The temporal functions' specs, built once from `temporal::SIGNATURES`.
fn temporal_specs() -> &'static [FunctionSpec] {
    static SPECS: OnceLock<Vec<FunctionSpec>> = OnceLock::new();
    SPECS.get_or_init(|| {
        temporal::SIGNATURES
            .iter()
            .map(|&(name, min, max)| scalar(name, min, max))
            .collect()
    })
}

/// Every built-in function, temporal ones included.
fn all_functions() -> impl Iterator<Item = &'static FunctionSpec> {
    FUNCTIONS.iter().chain(temporal_specs())
}

/// The function named `name`, case-insensitively.
pub fn lookup(name: &str) -> Option<&'static FunctionSpec> {
    // Executors may call by name once per row, so the table is hashed by lowercase name
    // and short names are lowercased on the stack instead of allocating.
    static BY_NAME: OnceLock<HashMap<String, &'static FunctionSpec>> = OnceLock::new();
    let table = BY_NAME.get_or_init(|| {
        all_functions()
            .map(|f| (f.name.to_ascii_lowercase(), f))
            .collect()
    });
    let mut buffer = [0u8; 32];
    let lower = buffer.get_mut(..name.len()).and_then(|buf| {
        buf.copy_from_slice(name.as_bytes());
        buf.make_ascii_lowercase();
        std::str::from_utf8(buf).ok()
    });
    // A name longer than the buffer is longer than any built-in name.
    lower.and_then(|lower| table.get(lower).copied())
}

/// The known function whose name is closest to `name`, for "did you mean" hints in
/// UnknownFunction errors.
pub fn suggest(name: &str) -> Option<&'static str> {
    let lower = name.to_lowercase();
    all_functions()
        .map(|f| (strsim::jaro_winkler(&lower, &f.name.to_lowercase()), f.name))
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, name)| name)
}

/// Whether argument `index` of function `name` can ever accept a value of type `type_name`
/// (as [`Value::type_name`] spells it). The semantic pass uses it on literals and on
/// variables of known kind to raise InvalidArgumentType at compile time, as the TCK wants
/// for `labels(p)` on a path or `properties('Cypher')` (Graph3 [8], Graph9 [6]). Answers
/// `true` whenever unsure; the runtime checks remain.
pub fn accepts_argument(name: &str, index: usize, type_name: &str) -> bool {
    const NUMBER: &[&str] = &["INTEGER", "FLOAT"];
    const TEXT: &[&str] = &["STRING"];
    let Some(spec) = lookup(name) else {
        return true;
    };
    if type_name == "NULL" {
        return true;
    }
    let accepted: &[&str] = match (spec.name, index) {
        ("id", 0) => &["NODE", "RELATIONSHIP"],
        ("labels", 0) => &["NODE"],
        ("type" | "startNode" | "endNode", 0) => &["RELATIONSHIP"],
        ("properties" | "keys", 0) => &["NODE", "RELATIONSHIP", "MAP"],
        ("nodes" | "relationships" | "length", 0) => &["PATH"],
        ("size" | "reverse", 0) => &["LIST", "STRING"],
        ("head" | "last" | "tail", 0) => &["LIST"],
        ("range", _) | ("left" | "right" | "substring", 1..) => &["INTEGER"],
        (
            "toLower" | "toUpper" | "lower" | "upper" | "trim" | "ltrim" | "rtrim" | "replace"
            | "substring" | "left" | "right" | "split",
            0,
        ) => TEXT,
        ("replace", _) => TEXT,
        (
            "abs" | "ceil" | "floor" | "round" | "sign" | "sqrt" | "exp" | "log" | "log10" | "sin"
            | "cos" | "tan" | "cot" | "asin" | "acos" | "atan" | "atan2" | "haversin" | "degrees"
            | "radians" | "sum" | "avg" | "stDev" | "stDevP" | "percentileDisc" | "percentileCont",
            0,
        ) => NUMBER,
        ("atan2" | "percentileDisc" | "percentileCont", 1) => NUMBER,
        ("round", 1) => &["INTEGER"],
        ("round", 2) => TEXT,
        _ => return true,
    };
    accepted.contains(&type_name)
}

/// Functions of Cypher that kg deliberately lacks (spatial types), so the
/// semantic pass can raise `QueryError::not_supported` instead of UnknownFunction.
pub fn is_unsupported(name: &str) -> bool {
    const UNSUPPORTED: [&str; 2] = ["point", "distance"];
    let base = name.split('.').next().unwrap_or(name);
    UNSUPPORTED.iter().any(|u| u.eq_ignore_ascii_case(base))
}

/// Calls the scalar function `name` on already evaluated arguments. The caller has checked
/// the arity through [`lookup`] at compile time; it is checked again here so a direct call
/// cannot index out of bounds.
pub fn call_scalar(name: &str, args: &[Value], graph: &Graph) -> Result<Value> {
    let spec = lookup(name).ok_or_else(|| unknown_function(name))?;
    call(spec, args, graph)
}

/// Like [`call_scalar`] for a function already resolved with [`lookup`] (saves the name
/// lookup per row).
pub fn call(spec: &'static FunctionSpec, args: &[Value], graph: &Graph) -> Result<Value> {
    check_arity(spec, args.len())?;
    let name = spec.name;
    match name {
        "id" | "labels" | "type" | "properties" | "keys" | "startNode" | "endNode" | "nodes"
        | "relationships" | "length" | "exists" => graph::call(name, args, graph),
        "size" | "head" | "last" | "tail" | "range" | "reverse" => list::call(name, args),
        "toLower" | "toUpper" | "lower" | "upper" | "trim" | "ltrim" | "rtrim" | "replace"
        | "substring" | "left" | "right" | "split" => string::call(name, args),
        "toString" | "toStringOrNull" | "toInteger" | "toIntegerOrNull" | "toFloat"
        | "toFloatOrNull" | "toBoolean" | "toBooleanOrNull" | "toStringList" | "toIntegerList"
        | "toFloatList" | "toBooleanList" => conversion::call(name, args),
        // Temporal specs live in their own table: one range check instead of name matching.
        _ if temporal_specs()
            .as_ptr_range()
            .contains(&std::ptr::from_ref(spec)) =>
        {
            temporal::call(name, args)
        }
        "coalesce" => Ok(args
            .iter()
            .find(|v| !v.is_null())
            .cloned()
            .unwrap_or_default()),
        // Within LOAD CSV the planner reads the clause's slots instead; anywhere else there is
        // no current file, and Neo4j answers null.
        "linenumber" | "file" => Ok(Value::Null),
        "nullIf" => Ok(
            if crate::value::ops::equals(&args[0], &args[1]) == Some(true) {
                Value::Null
            } else {
                args[0].clone()
            },
        ),
        _ if spec.kind == FunctionKind::Aggregate => Err(QueryError::runtime(
            ErrorKind::SemanticError,
            ErrorCode::InvalidAggregation,
            format!("aggregating function {name}() cannot be called per row"),
        )),
        _ => numeric::call(name, args),
    }
}

/// `t.key` on a temporal value (`d.year`, `dur.minutesOfHour`, ...).
pub(crate) fn temporal_property(t: &crate::value::temporal::Temporal, key: &str) -> Result<Value> {
    temporal::property(t, key)
}

fn unknown_function(name: &str) -> QueryError {
    let hint = suggest(name).map_or(String::new(), |s| format!("; did you mean `{s}`?"));
    QueryError::compile(
        ErrorKind::SyntaxError,
        ErrorCode::UnknownFunction,
        format!("unknown function `{name}`{hint}"),
    )
}

fn check_arity(spec: &FunctionSpec, given: usize) -> Result<()> {
    let too_few = given < spec.min_args;
    let too_many = spec.max_args.is_some_and(|max| given > max);
    if too_few || too_many {
        return Err(QueryError::compile(
            ErrorKind::SyntaxError,
            ErrorCode::InvalidNumberOfArguments,
            format!("{}() given {given} arguments", spec.name),
        ));
    }
    Ok(())
}

/// `fun` got an argument of a type it never accepts (TypeError InvalidArgumentType).
pub(crate) fn wrong_type(fun: &str, expected: &str, found: &Value) -> QueryError {
    QueryError::runtime(
        ErrorKind::TypeError,
        ErrorCode::InvalidArgumentType,
        format!("{fun}() expects {expected}, got {}", found.type_name()),
    )
}

/// `fun` got a value it cannot convert or inspect; the TCK files these as
/// TypeError InvalidArgumentValue (e.g. `toInteger([])`, `labels(1)`).
pub(crate) fn invalid_value(fun: &str, found: &Value) -> QueryError {
    QueryError::runtime(
        ErrorKind::TypeError,
        ErrorCode::InvalidArgumentValue,
        format!("{fun}() cannot take a {}", found.type_name()),
    )
}

/// An argument of the right type with an unacceptable value, e.g. `left('a', -1)`.
pub(crate) fn out_of_range(fun: &str, message: &str) -> QueryError {
    QueryError::runtime(
        ErrorKind::ArgumentError,
        ErrorCode::NumberOutOfRange,
        format!("{fun}(): {message}"),
    )
}

/// An integer argument, or `Ok(None)` for null.
pub(crate) fn int_arg(fun: &str, v: &Value) -> Result<Option<i64>> {
    match v {
        Value::Null => Ok(None),
        Value::Int(i) => Ok(Some(*i)),
        other => Err(wrong_type(fun, "an integer", other)),
    }
}

#[cfg(test)]
mod tests;
