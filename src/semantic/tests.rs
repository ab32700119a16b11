//! Binder tests: each compile-time error code, from parsed statements, with its position.

use crate::error::{ErrorCode, ErrorKind, Phase};
use crate::parser;
use crate::value::Params;

/// Binds `query`; returns the error's (kind, code, 1-based column).
fn bind_error(query: &str) -> (ErrorKind, Option<ErrorCode>, usize) {
    let statements = parser::parse(query).expect("parses");
    let err = super::bind(&statements[0], &Params::new(), &Default::default()).expect_err(query);
    assert_eq!(err.phase, Phase::Compile, "{query}");
    let column = err.line_col(query).map_or(0, |(_, c)| c);
    (err.kind, err.code, column)
}

fn binds(query: &str) {
    let statements = parser::parse(query).expect("parses");
    // Every parameter the tests use has a value.
    let params: Params = ["props", "p", "x"]
        .into_iter()
        .map(|name| (name.to_string(), crate::value::Value::Null))
        .collect();
    if let Err(e) = super::bind(&statements[0], &params, &Default::default()) {
        panic!("{query}: {e}");
    }
}

#[test]
fn undefined_variable_points_at_the_use() {
    assert_eq!(
        bind_error("MATCH (a) RETURN b"),
        (
            ErrorKind::SyntaxError,
            Some(ErrorCode::UndefinedVariable),
            18
        )
    );
    assert_eq!(
        bind_error("WITH 1 AS x RETURN y").1,
        Some(ErrorCode::UndefinedVariable)
    );
    // Pattern predicates cannot introduce variables.
    assert_eq!(
        bind_error("MATCH (a) WHERE (a)-->(b) RETURN a").1,
        Some(ErrorCode::UndefinedVariable)
    );
}

#[test]
fn variable_reuse_is_checked() {
    let cases = [
        ("MATCH (a) CREATE (a:L)", ErrorCode::VariableAlreadyBound),
        (
            "MATCH ()-[r]->() CREATE ()-[r:T]->()",
            ErrorCode::VariableAlreadyBound,
        ),
        (
            "MATCH p = ()-->(), p = ()-->() RETURN p",
            ErrorCode::VariableAlreadyBound,
        ),
        (
            "UNWIND [1] AS x UNWIND [2] AS x RETURN x",
            ErrorCode::VariableAlreadyBound,
        ),
        (
            "MATCH (r)-->() MATCH ()-[r]->() RETURN r",
            ErrorCode::VariableTypeConflict,
        ),
        (
            "WITH 1 AS r MATCH ()-[r]->() RETURN r",
            ErrorCode::VariableTypeConflict,
        ),
    ];
    for (query, code) in cases {
        assert_eq!(bind_error(query).1, Some(code), "{query}");
    }
}

#[test]
fn aggregation_placement() {
    let cases = [
        (
            "MATCH (n) WHERE count(n) > 0 RETURN n",
            ErrorCode::InvalidAggregation,
        ),
        ("RETURN count(count(*))", ErrorCode::NestedAggregation),
        (
            "MATCH (n) RETURN n.x + count(*)",
            ErrorCode::AmbiguousAggregationExpression,
        ),
        (
            "MATCH (a)--(b) RETURN a.x + b.x, count(*) AS c ORDER BY a.x + b.x + count(*)",
            ErrorCode::AmbiguousAggregationExpression,
        ),
        (
            "MATCH (n) RETURN count(n) AS c ORDER BY n.x + count(n)",
            ErrorCode::UndefinedVariable,
        ),
        (
            "MATCH (n) RETURN n.x ORDER BY max(n.y)",
            ErrorCode::InvalidAggregation,
        ),
    ];
    for (query, code) in cases {
        assert_eq!(bind_error(query).1, Some(code), "{query}");
    }
    // Every other place an aggregate could stand is rejected here, at the call: the
    // planner raises no compile-time errors of its own.
    let misplaced = [
        ("UNWIND [count(*)] AS x RETURN x", 9),
        ("MATCH (n) SET n.x = count(*)", 21),
        ("CREATE ({x: collect(1)})", 13),
        ("MATCH (n) DELETE head(collect(n))", 23),
        ("RETURN [x IN [1] WHERE count(*) > 0] AS l", 24),
        ("RETURN [x IN [1] | collect(x)] AS l", 20),
        ("MATCH (n) RETURN any(x IN [1] WHERE count(*) = 0)", 37),
        ("RETURN reduce(s = 0, x IN [1] | s + sum(x)) AS r", 37),
    ];
    for (query, column) in misplaced {
        let (_, code, at) = bind_error(query);
        assert_eq!(
            (code, at),
            (Some(ErrorCode::InvalidAggregation), column),
            "{query}"
        );
    }
    binds("MATCH (n) RETURN n.x, n.x + count(*) AS c ORDER BY c");
    binds("MATCH (n) WITH n.x AS x, count(*) AS c ORDER BY x, x + count(*) RETURN x");
}

#[test]
fn projections_and_composition() {
    let cases = [
        ("MATCH (a) WITH a.x RETURN 1", ErrorCode::NoExpressionAlias),
        ("RETURN 1 AS a, 2 AS a", ErrorCode::ColumnNameConflict),
        ("RETURN *", ErrorCode::NoVariablesInScope),
        (
            "RETURN 1 AS a UNION RETURN 1 AS b",
            ErrorCode::DifferentColumnsInUnion,
        ),
        (
            "RETURN 1 AS a UNION RETURN 1 AS a UNION ALL RETURN 1 AS a",
            ErrorCode::InvalidClauseComposition,
        ),
        ("MATCH (n)", ErrorCode::InvalidClauseComposition),
        (
            "MATCH (n) RETURN n SKIP n.x",
            ErrorCode::NonConstantExpression,
        ),
        ("RETURN 1 LIMIT -1", ErrorCode::NegativeIntegerArgument),
        ("RETURN 1 LIMIT 1.5", ErrorCode::InvalidArgumentType),
    ];
    for (query, code) in cases {
        assert_eq!(bind_error(query).1, Some(code), "{query}");
    }
    // WITH * over nothing, and update queries without RETURN, are fine.
    binds("MATCH () CREATE () WITH * CREATE ()");
    binds("MATCH (a) WITH a.x AS x WHERE a.y = 1 RETURN x");
}

#[test]
fn create_patterns() {
    let cases = [
        ("CREATE ()-[:A|B]->()", ErrorCode::NoSingleRelationshipType),
        ("CREATE ()-[]->()", ErrorCode::NoSingleRelationshipType),
        ("CREATE ()-[:A]-()", ErrorCode::RequiresDirectedRelationship),
        ("CREATE ()-[:A*2]->()", ErrorCode::CreatingVarLength),
        ("MATCH (n) DELETE n:L", ErrorCode::InvalidDelete),
        ("MATCH (n $p) RETURN n", ErrorCode::InvalidParameterUse),
    ];
    for (query, code) in cases {
        assert_eq!(bind_error(query).1, Some(code), "{query}");
    }
    binds("MERGE (a)-[:A]-(b)");
    binds("CREATE (n $props)");
}

#[test]
fn static_types() {
    let cases = [
        ("RETURN NOT 'a'", ErrorCode::InvalidArgumentType),
        ("RETURN 1 IN 2", ErrorCode::InvalidArgumentType),
        (
            "RETURN any(x IN ['a'] WHERE x % 2 = 0)",
            ErrorCode::InvalidArgumentType,
        ),
        (
            "MATCH p = ()-->() RETURN labels(p)",
            ErrorCode::InvalidArgumentType,
        ),
        (
            "MATCH (n) WHERE (n) RETURN n",
            ErrorCode::InvalidArgumentType,
        ),
        ("MATCH () DELETE 1 + 1", ErrorCode::InvalidArgumentType),
        ("RETURN nope(1)", ErrorCode::UnknownFunction),
        ("RETURN abs(1, 2)", ErrorCode::InvalidNumberOfArguments),
    ];
    for (query, code) in cases {
        assert_eq!(bind_error(query).1, Some(code), "{query}");
    }
    assert_eq!(bind_error("WITH 1 AS n RETURN n.x").0, ErrorKind::TypeError);
}

#[test]
fn missing_parameters_are_found_everywhere() {
    let cases = [
        ("RETURN $x", 8),
        (
            "MATCH (n) WHERE EXISTS { MATCH (n)-->(m) WHERE m.x = $p } RETURN n",
            54,
        ),
        ("CREATE (n {a: [i IN range(1, 2) | $q]})", 35),
        ("MATCH (n) RETURN n SKIP $s", 25),
        ("UNWIND [1] AS i CALL { WITH i SET i.x = $v } RETURN i", 41),
    ];
    for (query, column) in cases {
        assert_eq!(
            bind_error(query),
            (
                ErrorKind::ParameterMissing,
                Some(ErrorCode::MissingParameter),
                column
            ),
            "{query}"
        );
    }
    binds("CREATE (n $props)");
    binds("MATCH (n) WHERE n.x = $x RETURN n");
}

/// Binds `query` (no parameters, no procedures), which must be valid.
fn bound(query: &str) -> super::BoundQuery {
    let statements = parser::parse(query).expect("parses");
    super::bind(&statements[0], &Params::new(), &Default::default()).expect(query)
}

#[test]
fn every_function_call_is_resolved_at_its_span() {
    let query = "UNWIND [1] AS x WITH x ORDER BY abs(x) LIMIT toInteger(1) RETURN count(x), [y IN [x] | toUpper('a')] AS z";
    let resolved = bound(query).resolved.functions;
    let mut found: Vec<(&str, &str)> = resolved
        .iter()
        .map(|(span, spec)| (&query[span.start..span.end], spec.name))
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            ("abs(x)", "abs"),
            ("count(x)", "count"),
            ("toInteger(1)", "toInteger"),
            ("toUpper('a')", "toUpper"),
        ]
    );
}

/// The variable each occurrence of `name` in `query` resolves to, in text order: the
/// occurrences that introduce a variable and those that refer to one.
fn occurrences(query: &str, name: &str) -> Vec<(usize, super::VarId, bool)> {
    let resolved = bound(query).resolved;
    let mut found: Vec<(usize, super::VarId, bool)> = resolved
        .introduced
        .iter()
        .filter(|((span, n), _)| n == name && &query[span.start..span.end] == name)
        .map(|((span, _), id)| (span.start, *id, true))
        .chain(
            resolved
                .uses
                .iter()
                .filter(|(span, _)| &query[span.start..span.end] == name)
                .map(|(span, id)| (span.start, *id, false)),
        )
        .collect();
    found.sort();
    found
}

#[test]
fn a_pattern_variable_named_twice_is_one_variable() {
    let found = occurrences("MATCH (a)-->(a) RETURN a.x", "a");
    let [(_, first, true), (_, second, false), (_, read, false)] = found[..] else {
        panic!("{found:?}");
    };
    assert_eq!((first, read), (second, second));
}

#[test]
fn with_introduces_a_new_variable_that_later_clauses_read() {
    // `WITH a` reads the old `a` and introduces a new one at the same text; so does the
    // RETURN item.
    let found = occurrences("MATCH (a) WITH a RETURN a", "a");
    let [
        (7, matched, true),
        (15, with_old, false),
        (15, with_new, true),
        (24, ret, false),
        (24, ret_new, true),
    ] = found[..]
    else {
        panic!("{found:?}");
    };
    assert_eq!((with_old, ret), (matched, with_new));
    assert_ne!(with_new, matched);
    assert_ne!(ret_new, with_new);
}

#[test]
fn a_comprehension_variable_shadows_only_inside() {
    let found = occurrences("WITH 1 AS x RETURN [x IN [2] | x] AS l, x", "x");
    let [
        (10, outer, true),
        (20, local, true),
        (31, inner_use, false),
        (40, outer_use, false),
        (40, _, true),
    ] = found[..]
    else {
        panic!("{found:?}");
    };
    assert_ne!(outer, local);
    assert_eq!((inner_use, outer_use), (local, outer));
}

#[test]
fn star_projections_and_call_outputs_are_recorded() {
    let query = "MATCH (a), (b) WITH * CALL { WITH a RETURN a AS c } RETURN c";
    let resolved = bound(query).resolved;
    let star: Vec<&str> = resolved
        .stars
        .values()
        .flatten()
        .map(|item| item.name.as_str())
        .collect();
    assert_eq!(star, ["a", "b"]);
    let call_at = query.find("CALL").unwrap_or(0);
    let introduced_at_call = resolved
        .introduced
        .keys()
        .filter(|(span, _)| span.start == call_at)
        .map(|(_, name)| name.as_str())
        .collect::<Vec<_>>();
    assert_eq!(introduced_at_call, ["c"]);
}

#[test]
fn after_distinct_order_by_and_where_see_only_what_is_projected() {
    let cases = [
        ("MATCH (n) RETURN DISTINCT n.x AS x ORDER BY n.y", 45),
        ("MATCH (n) WITH DISTINCT n.x AS x ORDER BY n.y RETURN x", 43),
        ("MATCH (n) RETURN DISTINCT n.x + 1 AS x ORDER BY n.x", 49),
        (
            "MATCH (n) WITH DISTINCT n.x AS x WHERE n.y > 0 RETURN x",
            40,
        ),
    ];
    for (query, column) in cases {
        let (_, code, at) = bind_error(query);
        assert_eq!(
            (code, at),
            (Some(ErrorCode::UndefinedVariable), column),
            "{query}"
        );
    }
    // Projected names, projected expressions repeated, and their parts.
    binds("MATCH (n) RETURN DISTINCT n.x AS x ORDER BY x");
    binds("MATCH (n) RETURN DISTINCT n.x ORDER BY n.x DESC");
    binds("MATCH (n) RETURN DISTINCT n.x AS x ORDER BY toString(n.x), [y IN [x] | y]");
    binds("MATCH (n) RETURN DISTINCT n ORDER BY n.name");
    binds("MATCH (n) WITH DISTINCT n WHERE n.x > 0 RETURN n");
    // TCK WithWhere1 [2]: WHERE may repeat a projected expression.
    binds("MATCH (a) WITH DISTINCT a.name2 AS name WHERE a.name2 = 'B' RETURN *");
    // Without DISTINCT the variables before the projection stay visible.
    binds("MATCH (n) RETURN n.x AS x ORDER BY n.y");
}
