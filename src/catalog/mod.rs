//! The function catalog: one table of every built-in function, each row a [`FunctionSpec`]
//! (name, arity, the argument types it can ever take, kind and implementation). It sits below
//! both `semantic` (which resolves calls against it and checks arity and argument types at
//! compile time) and `exec` (which calls the resolved spec's implementation per row), so
//! neither compile stage imports the runtime. Names are case-insensitive. Aggregates are
//! only described here; their accumulators live in `exec::aggregate`. Functions taking
//! expressions rather than values (`exists(n.prop)`, list predicates) are evaluated by the
//! engine.

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

/// A scalar implementation: the spec's canonical name (one implementation serves a family
/// of functions, e.g. every string function), the evaluated arguments, the graph.
pub type ScalarFn = fn(&'static str, &[Value], &Graph) -> Result<Value>;

/// A set of value types, as a bit set; what a function's argument can ever be. Used by the
/// binder on arguments whose type is known before running (literals, bound variables).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Types(u16);

impl Types {
    pub const NODE: Types = Types(1);
    pub const RELATIONSHIP: Types = Types(1 << 1);
    pub const PATH: Types = Types(1 << 2);
    pub const MAP: Types = Types(1 << 3);
    pub const LIST: Types = Types(1 << 4);
    pub const STRING: Types = Types(1 << 5);
    pub const NUMBER: Types = Types(1 << 6);
    pub const BOOLEAN: Types = Types(1 << 7);
    /// The empty set: a type not known before running.
    pub const NONE: Types = Types(0);
    /// No compile-time restriction: the implementation checks at run time.
    pub const ANY: Types = Types(u16::MAX);

    /// The union of two sets.
    pub const fn or(self, other: Types) -> Types {
        Types(self.0 | other.0)
    }

    /// Whether every type in `other` is in `self`.
    pub const fn contains(self, other: Types) -> bool {
        self.0 & other.0 == other.0
    }
}

/// A built-in function's signature and implementation.
#[derive(Debug, Clone)]
pub struct FunctionSpec {
    /// Canonical spelling, e.g. `toUpper`.
    pub name: &'static str,
    pub min_args: usize,
    /// `None` means variadic (`coalesce`).
    pub max_args: Option<usize>,
    pub kind: FunctionKind,
    /// What the first argument can ever be; a literal or bound variable of another type is
    /// a compile-time TypeError (Graph3 [8] `labels(p)` on a path, Graph9 [6]
    /// `properties('Cypher')`). Other arguments are checked by the implementation.
    pub first_arg: Types,
    implementation: ScalarFn,
}

/// Names are unique in the catalog, so they identify a spec.
impl PartialEq for FunctionSpec {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for FunctionSpec {}

impl FunctionSpec {
    /// Calls the function on already evaluated arguments. Arity was checked when the call
    /// was bound; it is checked again so a direct call cannot index out of bounds.
    pub fn call(&'static self, args: &[Value], graph: &Graph) -> Result<Value> {
        check_arity(self, args.len())?;
        (self.implementation)(self.name, args, graph)
    }

    /// Whether `given` arguments fit the arity.
    pub fn takes(&self, given: usize) -> bool {
        given >= self.min_args && self.max_args.is_none_or(|max| given <= max)
    }
}

/// Adapts a family implementation that does not read the graph.
macro_rules! pure {
    ($family:path) => {
        |name, args, _graph| $family(name, args)
    };
}

const fn scalar(
    name: &'static str,
    min_args: usize,
    max_args: usize,
    implementation: ScalarFn,
) -> FunctionSpec {
    FunctionSpec {
        name,
        min_args,
        max_args: Some(max_args),
        kind: FunctionKind::Scalar,
        first_arg: Types::ANY,
        implementation,
    }
}

/// A scalar whose first argument can only be of the `first_arg` types.
const fn typed(
    name: &'static str,
    min_args: usize,
    max_args: usize,
    first_arg: Types,
    implementation: ScalarFn,
) -> FunctionSpec {
    FunctionSpec {
        first_arg,
        ..scalar(name, min_args, max_args, implementation)
    }
}

const fn aggregate(name: &'static str, args: usize) -> FunctionSpec {
    FunctionSpec {
        name,
        min_args: args,
        max_args: Some(args),
        kind: FunctionKind::Aggregate,
        first_arg: Types::ANY,
        implementation: per_row_aggregate,
    }
}

const GRAPH: ScalarFn = graph::call;
const LIST: ScalarFn = pure!(list::call);
const STRING: ScalarFn = pure!(string::call);
const NUMERIC: ScalarFn = pure!(numeric::call);
const CONVERSION: ScalarFn = pure!(conversion::call);
const TEMPORAL: ScalarFn = pure!(temporal::call);

/// The static argument types the binder rejects, kept as the TCK places them: only types
/// that can never work are refused before running.
const ENTITY: Types = Types::NODE.or(Types::RELATIONSHIP);
const NOT_SCALAR: Types = ENTITY.or(Types::PATH).or(Types::MAP);
const LENGTH: Types = Types::PATH.or(Types::LIST).or(Types::STRING);
const SIZE: Types = Types::LIST.or(Types::STRING).or(Types::MAP);

/// Every built-in function kg knows, but the temporal ones (see [`temporal_specs`]).
static FUNCTIONS: &[FunctionSpec] = &[
    // graph
    scalar("id", 1, 1, GRAPH),
    typed("labels", 1, 1, Types::NODE, GRAPH),
    typed("type", 1, 1, Types::RELATIONSHIP, GRAPH),
    typed("properties", 1, 1, NOT_SCALAR, GRAPH),
    scalar("keys", 1, 1, GRAPH),
    scalar("startNode", 1, 1, GRAPH),
    scalar("endNode", 1, 1, GRAPH),
    scalar("nodes", 1, 1, GRAPH),
    scalar("relationships", 1, 1, GRAPH),
    typed("length", 1, 1, LENGTH, GRAPH),
    scalar("exists", 1, 1, GRAPH),
    // lists
    typed("size", 1, 1, SIZE, LIST),
    scalar("head", 1, 1, LIST),
    scalar("last", 1, 1, LIST),
    scalar("tail", 1, 1, LIST),
    scalar("range", 2, 3, LIST),
    scalar("reverse", 1, 1, LIST),
    // strings
    scalar("toLower", 1, 1, STRING),
    scalar("toUpper", 1, 1, STRING),
    scalar("lower", 1, 1, STRING),
    scalar("upper", 1, 1, STRING),
    scalar("trim", 1, 1, STRING),
    scalar("ltrim", 1, 1, STRING),
    scalar("rtrim", 1, 1, STRING),
    scalar("replace", 3, 3, STRING),
    scalar("substring", 2, 3, STRING),
    scalar("left", 2, 2, STRING),
    scalar("right", 2, 2, STRING),
    scalar("split", 2, 2, STRING),
    // numbers
    scalar("abs", 1, 1, NUMERIC),
    scalar("ceil", 1, 1, NUMERIC),
    scalar("floor", 1, 1, NUMERIC),
    scalar("round", 1, 3, NUMERIC),
    scalar("sign", 1, 1, NUMERIC),
    scalar("sqrt", 1, 1, NUMERIC),
    scalar("exp", 1, 1, NUMERIC),
    scalar("log", 1, 1, NUMERIC),
    scalar("log10", 1, 1, NUMERIC),
    scalar("sin", 1, 1, NUMERIC),
    scalar("cos", 1, 1, NUMERIC),
    scalar("tan", 1, 1, NUMERIC),
    scalar("cot", 1, 1, NUMERIC),
    scalar("asin", 1, 1, NUMERIC),
    scalar("acos", 1, 1, NUMERIC),
    scalar("atan", 1, 1, NUMERIC),
    scalar("atan2", 2, 2, NUMERIC),
    scalar("haversin", 1, 1, NUMERIC),
    scalar("degrees", 1, 1, NUMERIC),
    scalar("radians", 1, 1, NUMERIC),
    scalar("pi", 0, 0, NUMERIC),
    scalar("e", 0, 0, NUMERIC),
    scalar("rand", 0, 0, NUMERIC),
    // conversion
    scalar("toString", 1, 1, CONVERSION),
    scalar("toStringOrNull", 1, 1, CONVERSION),
    scalar("toInteger", 1, 1, CONVERSION),
    scalar("toIntegerOrNull", 1, 1, CONVERSION),
    scalar("toFloat", 1, 1, CONVERSION),
    scalar("toFloatOrNull", 1, 1, CONVERSION),
    scalar("toBoolean", 1, 1, CONVERSION),
    scalar("toBooleanOrNull", 1, 1, CONVERSION),
    scalar("toStringList", 1, 1, CONVERSION),
    scalar("toIntegerList", 1, 1, CONVERSION),
    scalar("toFloatList", 1, 1, CONVERSION),
    scalar("toBooleanList", 1, 1, CONVERSION),
    FunctionSpec {
        max_args: None,
        ..scalar("coalesce", 1, 1, coalesce)
    },
    scalar("nullIf", 2, 2, null_if),
    // LOAD CSV: the current record's line and file. Within LOAD CSV the planner reads the
    // clause's slots instead; anywhere else there is no current file, and Neo4j answers null.
    scalar("linenumber", 0, 0, no_file),
    scalar("file", 0, 0, no_file),
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

fn coalesce(_: &str, args: &[Value], _: &Graph) -> Result<Value> {
    Ok(args
        .iter()
        .find(|v| !v.is_null())
        .cloned()
        .unwrap_or_default())
}

fn null_if(_: &str, args: &[Value], _: &Graph) -> Result<Value> {
    Ok(
        if crate::value::ops::equals(&args[0], &args[1]) == Some(true) {
            Value::Null
        } else {
            args[0].clone()
        },
    )
}

fn no_file(_: &str, _: &[Value], _: &Graph) -> Result<Value> {
    Ok(Value::Null)
}

fn per_row_aggregate(name: &str, _: &[Value], _: &Graph) -> Result<Value> {
    Err(QueryError::runtime(
        ErrorKind::SemanticError,
        ErrorCode::InvalidAggregation,
        format!("aggregating function {name}() cannot be called per row"),
    ))
}

/// The temporal functions' specs, built once from `temporal::SIGNATURES`.
fn temporal_specs() -> &'static [FunctionSpec] {
    static SPECS: OnceLock<Vec<FunctionSpec>> = OnceLock::new();
    SPECS.get_or_init(|| {
        temporal::SIGNATURES
            .iter()
            .map(|&(name, min, max)| scalar(name, min, max, TEMPORAL))
            .collect()
    })
}

/// Every built-in function, temporal ones included.
pub fn all() -> impl Iterator<Item = &'static FunctionSpec> {
    FUNCTIONS.iter().chain(temporal_specs())
}

/// The function named `name`, case-insensitively.
pub fn lookup(name: &str) -> Option<&'static FunctionSpec> {
    static BY_NAME: OnceLock<HashMap<String, &'static FunctionSpec>> = OnceLock::new();
    let table = BY_NAME.get_or_init(|| all().map(|f| (f.name.to_ascii_lowercase(), f)).collect());
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
    all()
        .map(|f| (strsim::jaro_winkler(&lower, &f.name.to_lowercase()), f.name))
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, name)| name)
}

/// Functions of Cypher that kg deliberately lacks (spatial types), so the
/// binder can raise `QueryError::not_supported` instead of UnknownFunction.
pub fn is_unsupported(name: &str) -> bool {
    const UNSUPPORTED: [&str; 2] = ["point", "distance"];
    let base = name.split('.').next().unwrap_or(name);
    UNSUPPORTED.iter().any(|u| u.eq_ignore_ascii_case(base))
}

/// The UnknownFunction error for `name`, with a "did you mean" hint when one is close.
pub fn unknown_function(name: &str) -> QueryError {
    let hint = suggest(name).map_or(String::new(), |s| format!("; did you mean `{s}`?"));
    QueryError::compile(
        ErrorKind::SyntaxError,
        ErrorCode::UnknownFunction,
        format!("unknown function `{name}`{hint}"),
    )
}

/// Looks `name` up and calls it (for callers holding only a name; the engine calls the
/// spec resolved when the query was bound).
pub fn call_by_name(name: &str, args: &[Value], graph: &Graph) -> Result<Value> {
    lookup(name)
        .ok_or_else(|| unknown_function(name))?
        .call(args, graph)
}

/// `t.key` on a temporal value (`d.year`, `dur.minutesOfHour`, ...).
pub(crate) fn temporal_property(t: &crate::value::temporal::Temporal, key: &str) -> Result<Value> {
    temporal::property(t, key)
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
