//! Unit tests for the built-in functions, citing the TCK scenarios they follow.

use super::*;
use crate::error::{ErrorCode, ErrorKind};
use crate::value::Path;
use crate::value::test_support::{NULL, float, int, ints, s, strs};

fn call(name: &str, args: &[Value]) -> Result<Value> {
    call_by_name(name, args, &Graph::new())
}

fn ok(name: &str, args: &[Value]) -> Value {
    call(name, args).unwrap_or_else(|e| panic!("{name}({args:?}) failed: {e}"))
}

fn err(name: &str, args: &[Value]) -> (ErrorKind, Option<ErrorCode>) {
    let e = call(name, args).expect_err("call should fail");
    (e.kind, e.code)
}

const TYPE_ERROR: (ErrorKind, Option<ErrorCode>) =
    (ErrorKind::TypeError, Some(ErrorCode::InvalidArgumentType));
const BAD_VALUE: (ErrorKind, Option<ErrorCode>) =
    (ErrorKind::TypeError, Some(ErrorCode::InvalidArgumentValue));
const OUT_OF_RANGE: (ErrorKind, Option<ErrorCode>) =
    (ErrorKind::ArgumentError, Some(ErrorCode::NumberOutOfRange));

#[test]
fn lookup_is_case_insensitive_and_knows_arity() {
    let spec = lookup("TOUPPER").expect("toUpper exists");
    assert_eq!(spec.name, "toUpper");
    assert_eq!((spec.min_args, spec.max_args), (1, Some(1)));
    assert_eq!(
        lookup("coUnt").map(|f| f.kind),
        Some(FunctionKind::Aggregate)
    );
    assert_eq!(lookup("coalesce").and_then(|f| f.max_args), None);
    assert_eq!(
        lookup("RANGE").map(|f| (f.min_args, f.max_args)),
        Some((2, Some(3)))
    );
    assert!(lookup("foo").is_none());
    assert!(lookup("").is_none());
    assert!(lookup("tOiNtEgErOrNuLl").is_some());
    assert!(lookup("ÄbS").is_none());
    assert!(lookup(&"x".repeat(100)).is_none());
    for spec in FUNCTIONS {
        assert_eq!(lookup(&spec.name.to_uppercase()), Some(spec));
    }
    assert!(is_unsupported("point"));
    assert!(!is_unsupported("date"));
    assert!(lookup("DURATION.between").is_some());
    assert!(lookup("localdatetime.transaction").is_some());
    assert!(!is_unsupported("toUpper"));
    assert_eq!(suggest("toUppper"), Some("toUpper"));
    assert_eq!(suggest("SUBSTR"), Some("substring"));
    assert_eq!(suggest("xyzzy"), None);
    assert_eq!(
        err("foo", &[]),
        (ErrorKind::SyntaxError, Some(ErrorCode::UnknownFunction))
    );
    assert_eq!(
        err("toUpper", &[]),
        (
            ErrorKind::SyntaxError,
            Some(ErrorCode::InvalidNumberOfArguments)
        )
    );
}

#[test]
fn every_scalar_function_returns_null_for_null() {
    for spec in FUNCTIONS {
        let skip = ["coalesce", "exists", "pi", "e", "rand", "nullIf"];
        if spec.kind == FunctionKind::Aggregate || skip.contains(&spec.name) {
            continue;
        }
        let args = vec![NULL; spec.min_args];
        assert_eq!(call(spec.name, &args), Ok(NULL), "{}(null)", spec.name);
    }
}

#[test]
fn list_functions() {
    assert_eq!(ok("size", &[ints(&[1, 2, 3])]), int(3)); // List6 [1]
    assert_eq!(ok("size", &[s("héllo")]), int(5));
    assert_eq!(ok("head", &[ints(&[1, 2])]), int(1));
    assert_eq!(ok("head", &[ints(&[])]), NULL);
    assert_eq!(ok("last", &[ints(&[1, 2])]), int(2));
    assert_eq!(ok("tail", &[ints(&[1, 2, 3])]), ints(&[2, 3]));
    assert_eq!(ok("tail", &[ints(&[])]), ints(&[]));
    assert_eq!(ok("reverse", &[ints(&[1, 2, 3])]), ints(&[3, 2, 1]));
    assert_eq!(ok("reverse", &[s("raksO")]), s("Oskar")); // String3 [1]
    let path = Value::Path(Box::new(Path::single(crate::graph::NodeId(0))));
    assert_eq!(err("size", &[path]), TYPE_ERROR); // List6 [5]
    assert_eq!(err("head", &[s("abc")]), TYPE_ERROR);
}

#[test]
fn range_follows_list11() {
    assert_eq!(ok("range", &[int(0), int(3)]), ints(&[0, 1, 2, 3]));
    assert_eq!(
        ok("range", &[int(-10), int(0), int(3)]),
        ints(&[-10, -7, -4, -1])
    );
    assert_eq!(
        ok("range", &[int(-2000), int(0), int(1298)]),
        ints(&[-2000, -702])
    );
    assert_eq!(ok("range", &[int(5), int(1), int(-2)]), ints(&[5, 3, 1]));
    assert_eq!(ok("range", &[int(0), int(-1)]), ints(&[]));
    assert_eq!(ok("range", &[int(0), int(5), int(-1)]), ints(&[]));
    assert_eq!(ok("range", &[int(3), int(3)]), ints(&[3]));
    assert_eq!(
        ok("range", &[int(i64::MAX - 1), int(i64::MAX)]),
        ints(&[i64::MAX - 1, i64::MAX])
    );
    assert_eq!(err("range", &[int(2), int(8), int(0)]), OUT_OF_RANGE); // List11 [4]
    assert_eq!(err("range", &[int(0), int(i64::MAX)]), OUT_OF_RANGE);
    assert_eq!(err("range", &[float(0.5), int(2)]), TYPE_ERROR);
}

#[test]
fn string_functions() {
    assert_eq!(ok("toUpper", &[s("abc")]), s("ABC"));
    assert_eq!(ok("toLower", &[s("ÀB")]), s("àb"));
    assert_eq!(ok("trim", &[s("  a b \n")]), s("a b"));
    assert_eq!(ok("ltrim", &[s("  a ")]), s("a "));
    assert_eq!(ok("rtrim", &[s("  a ")]), s("  a"));
    assert_eq!(ok("replace", &[s("hello"), s("l"), s("L")]), s("heLLo"));
    assert_eq!(ok("replace", &[s("hello"), NULL, s("L")]), NULL);
    assert_eq!(ok("substring", &[s("0123456789"), int(1)]), s("123456789")); // String1 [1]
    assert_eq!(
        ok("substring", &[s("0123456789"), int(1), int(3)]),
        s("123")
    );
    assert_eq!(ok("substring", &[s("abc"), int(10)]), s(""));
    assert_eq!(ok("left", &[s("héllo"), int(2)]), s("hé"));
    assert_eq!(ok("left", &[s("abc"), int(10)]), s("abc"));
    assert_eq!(ok("right", &[s("hello"), int(3)]), s("llo"));
    assert_eq!(ok("right", &[s("hi"), int(5)]), s("hi"));
    assert_eq!(err("left", &[s("abc"), int(-1)]), OUT_OF_RANGE);
    assert_eq!(err("substring", &[s("abc"), int(-1)]), OUT_OF_RANGE);
    assert_eq!(err("substring", &[s("abc"), int(0), int(-1)]), OUT_OF_RANGE);
    assert_eq!(err("toUpper", &[int(1)]), TYPE_ERROR);
    assert_eq!(err("left", &[s("abc"), s("1")]), TYPE_ERROR);
}

#[test]
fn split_handles_delimiters() {
    assert_eq!(ok("split", &[s("one1two"), s("1")]), strs(&["one", "two"])); // String4 [1]
    assert_eq!(
        ok("split", &[s("a,b,,c"), s(",")]),
        strs(&["a", "b", "", "c"])
    );
    assert_eq!(ok("split", &[s("abc"), s("")]), strs(&["a", "b", "c"]));
    assert_eq!(
        ok("split", &[s("a-b_c"), strs(&["-", "_"])]),
        strs(&["a", "b", "c"])
    );
    assert_eq!(ok("split", &[s("abc"), NULL]), NULL);
    assert_eq!(err("split", &[s("abc"), int(1)]), TYPE_ERROR);
}

#[test]
fn numeric_functions() {
    assert_eq!(ok("abs", &[int(-3)]), int(3)); // Mathematical2 [1]
    assert_eq!(ok("abs", &[float(-3.5)]), float(3.5));
    assert_eq!(
        err("abs", &[int(i64::MIN)]),
        (ErrorKind::ArithmeticError, Some(ErrorCode::IntegerOverflow))
    );
    assert_eq!(ok("sqrt", &[int(16)]), float(4.0)); // Mathematical3 [1]
    assert_eq!(ok("sqrt", &[int(-1)]), float(f64::NAN));
    assert_eq!(ok("ceil", &[float(1.2)]), float(2.0));
    assert_eq!(ok("ceil", &[int(1)]), float(1.0));
    assert_eq!(ok("floor", &[float(-1.2)]), float(-2.0));
    assert_eq!(ok("sign", &[int(-7)]), int(-1));
    assert_eq!(ok("sign", &[float(0.0)]), int(0));
    assert_eq!(ok("sign", &[float(2.5)]), int(1));
    assert_eq!(ok("log", &[float(0.0)]), float(f64::NEG_INFINITY));
    assert_eq!(ok("log10", &[int(100)]), float(2.0));
    assert_eq!(ok("exp", &[int(0)]), float(1.0));
    assert_eq!(ok("degrees", &[ok("pi", &[])]), float(180.0));
    assert_eq!(ok("radians", &[int(180)]), float(std::f64::consts::PI));
    assert_eq!(ok("atan2", &[int(0), int(1)]), float(0.0));
    assert_eq!(ok("atan2", &[int(0), NULL]), NULL);
    assert_eq!(ok("haversin", &[int(0)]), float(0.0));
    assert_eq!(ok("e", &[]), float(std::f64::consts::E));
    assert_eq!(err("sqrt", &[s("4")]), TYPE_ERROR);
    for _ in 0..100 {
        match ok("rand", &[]) {
            Value::Float(f) => assert!((0.0..1.0).contains(&f)),
            other => panic!("rand() gave {other:?}"),
        }
    }
    assert_ne!(ok("rand", &[]), ok("rand", &[]));
}

#[test]
fn round_with_precision_and_modes() {
    assert_eq!(ok("round", &[float(2.5)]), float(3.0));
    assert_eq!(ok("round", &[float(-2.5)]), float(-3.0));
    assert_eq!(ok("round", &[float(-2.4)]), float(-2.0));
    assert_eq!(ok("round", &[int(3)]), float(3.0));
    assert_eq!(ok("round", &[float(1.23456), int(2)]), float(1.23));
    assert_eq!(ok("round", &[float(1249.0), int(-2)]), float(1200.0));
    assert_eq!(ok("round", &[float(1.005), int(2)]), float(1.01));
    assert_eq!(ok("round", &[float(-1.005), int(2)]), float(-1.01));
    assert_eq!(ok("round", &[float(0.001), int(1)]), float(0.0));
    assert_eq!(ok("round", &[float(0.001), int(1), s("UP")]), float(0.1));
    assert_eq!(
        ok("round", &[float(-0.001), int(1), s("FLOOR")]),
        float(-0.1)
    );
    assert_eq!(ok("round", &[float(123.456), int(5)]), float(123.456));
    assert_eq!(ok("round", &[float(0.5)]), float(1.0));
    assert_eq!(ok("round", &[float(2.5), int(i64::MIN)]), float(0.0));
    assert_eq!(ok("round", &[float(2.5), int(i64::MAX)]), float(2.5));
    assert_eq!(ok("round", &[float(1e300), int(2)]), float(1e300));
    assert_eq!(ok("round", &[float(f64::INFINITY)]), float(f64::INFINITY));
    assert_eq!(ok("round", &[int(12345), int(-2)]), float(12300.0));
    let modes = [
        ("UP", [3.0, -3.0, 3.0]),
        ("DOWN", [2.0, -2.0, 2.0]),
        ("CEILING", [3.0, -2.0, 3.0]),
        ("FLOOR", [2.0, -3.0, 2.0]),
        ("HALF_UP", [3.0, -3.0, 3.0]),
        ("HALF_DOWN", [2.0, -2.0, 3.0]),
        ("HALF_EVEN", [2.0, -2.0, 3.0]),
    ];
    for (mode, expected) in modes {
        for (x, want) in [2.5, -2.5, 2.7].into_iter().zip(expected) {
            assert_eq!(
                ok("round", &[float(x), int(0), s(mode)]),
                float(want),
                "round({x}, 0, {mode})"
            );
        }
    }
    assert_eq!(
        ok("round", &[float(3.5), int(0), s("half_even")]),
        float(4.0)
    );
    assert_eq!(
        err("round", &[float(1.0), int(0), s("SIDEWAYS")]),
        OUT_OF_RANGE
    );
}

#[test]
fn conversions_follow_type_conversion_features() {
    assert_eq!(ok("toBoolean", &[s("true")]), Value::Bool(true)); // TypeConversion1 [2]
    assert_eq!(ok("toBoolean", &[s(" FALSE ")]), Value::Bool(false));
    for invalid in ["", " tru ", "f alse"] {
        assert_eq!(ok("toBoolean", &[s(invalid)]), NULL); // TypeConversion1 [4]
    }
    assert_eq!(ok("toBoolean", &[int(0)]), Value::Bool(false));
    assert_eq!(err("toBoolean", &[float(1.0)]), BAD_VALUE); // TypeConversion1 [5]
    assert_eq!(err("toBoolean", &[ints(&[])]), BAD_VALUE);

    assert_eq!(ok("toInteger", &[float(82.9)]), int(82)); // TypeConversion2 [1]
    assert_eq!(ok("toInteger", &[float(-2.9)]), int(-2));
    assert_eq!(ok("toInteger", &[s("1.7")]), int(1)); // TypeConversion2 [4]
    assert_eq!(ok("toInteger", &[s("42")]), int(42));
    assert_eq!(ok("toInteger", &[s("9223372036854775807")]), int(i64::MAX));
    assert_eq!(ok("toInteger", &[s("foo")]), NULL);
    assert_eq!(ok("toInteger", &[Value::Bool(true)]), int(1));
    assert_eq!(
        err("toInteger", &[Value::Map(Default::default())]),
        BAD_VALUE
    );
    assert_eq!(err("toInteger", &[float(1e30)]), OUT_OF_RANGE);

    assert_eq!(ok("toFloat", &[int(3)]), float(3.0)); // TypeConversion3 [1]
    assert_eq!(ok("toFloat", &[s("5")]), float(5.0));
    assert_eq!(ok("toFloat", &[s("foo")]), NULL); // TypeConversion3 [2]
    assert_eq!(ok("toFloat", &[s("")]), NULL);
    assert_eq!(ok("toFloat", &[s("inf")]), NULL);
    assert_eq!(ok("toFloat", &[s("-Infinity")]), float(f64::NEG_INFINITY));
    assert_eq!(err("toFloat", &[Value::Bool(true)]), BAD_VALUE);

    assert_eq!(ok("toString", &[Value::Bool(true)]), s("true")); // TypeConversion4 [2]
    assert_eq!(ok("toString", &[float(2.3)]), s("2.3"));
    assert_eq!(ok("toString", &[float(2.0)]), s("2.0"));
    assert_eq!(ok("toString", &[int(1)]), s("1"));
    assert_eq!(err("toString", &[ints(&[1])]), BAD_VALUE);

    assert_eq!(ok("toStringOrNull", &[ints(&[1])]), NULL);
    assert_eq!(ok("toIntegerOrNull", &[float(1e30)]), NULL);
    assert_eq!(ok("toFloatOrNull", &[Value::Bool(true)]), NULL);
    assert_eq!(ok("toBooleanOrNull", &[float(1.0)]), NULL);
    assert_eq!(
        ok(
            "toIntegerList",
            &[Value::List(vec![s("1"), s("x"), float(2.5)])]
        ),
        Value::List(vec![int(1), NULL, int(2)])
    );
    assert_eq!(err("toFloatList", &[s("1")]), BAD_VALUE);
}

#[test]
fn coalesce_and_null_if() {
    assert_eq!(ok("coalesce", &[NULL, NULL, int(2), int(3)]), int(2));
    assert_eq!(ok("coalesce", &[NULL]), NULL);
    assert_eq!(ok("nullIf", &[int(1), float(1.0)]), NULL);
    assert_eq!(ok("nullIf", &[int(1), int(2)]), int(1));
}

#[test]
fn graph_functions() {
    let mut graph = Graph::new();
    let a = graph.create_node(["A", "B"], [("name".to_string(), s("a"))]);
    let b = graph.create_node(Vec::<&str>::new(), []);
    let r = graph
        .create_rel(a, b, "T", [("w".to_string(), int(2))])
        .expect("both endpoints exist");
    let g = |name: &str, arg: Value| call_by_name(name, &[arg], &graph);
    let node = Value::Node(a);
    let rel = Value::Rel(r);
    assert_eq!(g("id", node.clone()), Ok(int(i64::from(a.0))));
    assert_eq!(g("labels", node.clone()), Ok(strs(&["A", "B"])));
    assert_eq!(g("labels", Value::Node(b)), Ok(strs(&[])));
    assert_eq!(g("type", rel.clone()), Ok(s("T")));
    assert_eq!(g("keys", node.clone()), Ok(strs(&["name"])));
    assert_eq!(
        g("properties", rel.clone()),
        Ok(Value::Map(
            [("w".to_string(), int(2))].into_iter().collect()
        ))
    );
    assert_eq!(g("startNode", rel.clone()), Ok(node.clone()));
    assert_eq!(g("endNode", rel.clone()), Ok(Value::Node(b)));
    let path = Value::Path(Box::new(Path {
        nodes: vec![a, b],
        rels: vec![r],
    }));
    assert_eq!(g("length", path.clone()), Ok(int(1)));
    assert_eq!(
        g("nodes", path.clone()),
        Ok(Value::List(vec![node.clone(), Value::Node(b)]))
    );
    assert_eq!(g("relationships", path), Ok(Value::List(vec![rel.clone()])));
    assert_eq!(g("exists", NULL), Ok(Value::Bool(false)));
    assert_eq!(g("exists", int(1)), Ok(Value::Bool(true)));
    // Graph3 [9], Graph4 [6]
    let bad = |name: &str, arg: Value| g(name, arg).map_err(|e| (e.kind, e.code));
    assert_eq!(bad("labels", int(1)), Err(BAD_VALUE));
    assert_eq!(bad("type", node.clone()), Err(BAD_VALUE));
    assert_eq!(bad("startNode", node), Err(TYPE_ERROR));
    assert_eq!(bad("id", s("x")), Err(TYPE_ERROR));
    let keys = g(
        "keys",
        Value::Map([("k".to_string(), NULL)].into_iter().collect()),
    );
    assert_eq!(keys, Ok(strs(&["k"])));
}

#[test]
fn first_argument_types_flag_impossible_static_types() {
    let first = |name: &str| lookup(name).expect("a function").first_arg;
    assert!(!first("labels").contains(Types::PATH)); // Graph3 [8]
    assert!(!first("properties").contains(Types::STRING)); // Graph9 [6]
    assert!(!first("properties").contains(Types::LIST)); // Graph9 [7]
    assert!(!first("size").contains(Types::PATH)); // List6 [5]
    assert!(first("labels").contains(Types::NODE));
    assert!(first("toString").contains(Types::LIST)); // unsure: left to runtime
    assert!(first("length").contains(Types::PATH.or(Types::STRING)));
}

#[test]
fn every_spec_calls_its_own_implementation() {
    // Each family answers for every name the table routes to it: no name falls through.
    let graph = Graph::new();
    for spec in all().filter(|s| s.kind == FunctionKind::Scalar) {
        let args = vec![Value::Null; spec.min_args];
        if let Err(e) = spec.call(&args, &graph) {
            assert_ne!(e.code, Some(ErrorCode::UnknownFunction), "{}", spec.name);
        }
    }
}
