//! Unit tests for expression parsing: precedence, chained comparisons and every
//! compound form, each checked through its canonical printing.

use crate::error::{ErrorCode, Span};
use crate::parser::test_support::*;

/// The expression of `RETURN <text>`, printed canonically.
fn expr(text: &str) -> String {
    let printed = canonical(&format!("RETURN {text}"));
    printed.trim_start_matches("RETURN ").to_string()
}

#[test]
fn precedence() {
    assert_eq!(expr("1 + 2 * 3"), "1 + 2 * 3");
    assert_eq!(expr("(1 + 2) * 3"), "(1 + 2) * 3");
    assert_eq!(expr("1 - (2 - 3)"), "1 - (2 - 3)");
    assert_eq!(expr("2 ^ 3 ^ 2"), "2 ^ 3 ^ 2");
    assert_eq!(expr("2 ^ (3 ^ 2)"), "2 ^ (3 ^ 2)");
    assert_eq!(expr("-x ^ 2"), "-x ^ 2");
    assert_eq!(expr("-(x ^ 2)"), "-(x ^ 2)");
    assert_eq!(
        expr("NOT a = b AND c OR d XOR e"),
        "NOT a = b AND c OR d XOR e"
    );
    assert_eq!(expr("(NOT a) = b"), "(NOT a) = b");
    assert_eq!(expr("a + b IS NULL"), "a + b IS NULL");
    assert_eq!(expr("NOT a IS NOT NULL"), "NOT a IS NOT NULL");
    assert_eq!(expr("a IN [1, 2] = true"), "a IN [1, 2] = true");
    assert_eq!(expr("(a OR b) AND c"), "(a OR b) AND c");
    assert_eq!(
        expr("n.name STARTS WITH 'A' OR n.name ENDS WITH 'z' OR n.name CONTAINS 'q'"),
        "n.name STARTS WITH 'A' OR n.name ENDS WITH 'z' OR n.name CONTAINS 'q'"
    );
    assert_eq!(expr("n.name =~ 'A.*'"), "n.name =~ 'A.*'");
    assert_eq!(expr("a % b / c"), "a % b / c");
    assert_eq!(expr("+a"), "+a");
}

#[test]
fn chained_comparisons_become_conjunctions() {
    assert_eq!(expr("1 < x <= 3"), "1 < x AND x <= 3");
    assert_eq!(expr("a = b <> c > d"), "a = b AND b <> c AND c > d");
    assert_eq!(expr("(a < b) < c"), "(a < b) < c");
}

#[test]
fn postfix_forms() {
    assert_eq!(expr("n.a.b"), "n.a.b");
    assert_eq!(expr("l[0][1..2][..3][4..]"), "l[0][1..2][..3][4..]");
    assert_eq!(expr("(n).name"), "n.name");
    assert_eq!(expr("n:A:B"), "n:A:B");
    assert_eq!(expr("(-1).x"), "(-1).x");
    assert_eq!(expr("[1, 2, 3][-1]"), "[1, 2, 3][-1]");
    assert_eq!(expr("{a: 1}.a"), "{a: 1}.a");
}

#[test]
fn compound_forms() {
    assert_eq!(expr("$name + $0 + $`odd name`"), "$name + $0 + $`odd name`");
    assert_eq!(
        expr("[x IN l WHERE x > 1 | x * 2]"),
        "[x IN l WHERE x > 1 | x * 2]"
    );
    assert_eq!(expr("[x IN l | x]"), "[x IN l | x]");
    assert_eq!(expr("[x IN l]"), "[x IN l]");
    assert_eq!(
        expr("[(a)-->(b) WHERE b.x | b.name]"),
        "[(a)-->(b) WHERE b.x | b.name]"
    );
    assert_eq!(expr("[p = (a)-[:T]->() | p]"), "[p = (a)-[:T]->() | p]");
    assert_eq!(
        expr("CASE x WHEN 1 THEN 'a' WHEN 2 THEN 'b' ELSE 'c' END"),
        "CASE x WHEN 1 THEN 'a' WHEN 2 THEN 'b' ELSE 'c' END"
    );
    assert_eq!(expr("case when x then 1 end"), "CASE WHEN x THEN 1 END");
    assert_eq!(expr("all(x IN l WHERE x > 0)"), "all(x IN l WHERE x > 0)");
    assert_eq!(expr("ANY(x IN l WHERE x)"), "any(x IN l WHERE x)");
    assert_eq!(expr("none(x IN l WHERE x)"), "none(x IN l WHERE x)");
    assert_eq!(expr("single(x IN l WHERE x)"), "single(x IN l WHERE x)");
    assert_eq!(
        expr("reduce(acc = 0, x IN l | acc + x)"),
        "reduce(acc = 0, x IN l | acc + x)"
    );
    assert_eq!(expr("count(*)"), "count(*)");
    assert_eq!(expr("COUNT( * )"), "count(*)");
    assert_eq!(expr("count(DISTINCT n.x)"), "count(DISTINCT n.x)");
    assert_eq!(expr("db.ns.fn(1, 2)"), "db.ns.fn(1, 2)");
    assert_eq!(expr("toLower('A')"), "toLower('A')");
    assert_eq!(expr("exists(n.x)"), "exists(n.x)");
    assert_eq!(expr("{}"), "{}");
    assert_eq!(expr("[]"), "[]");
    assert_eq!(
        expr("{a: 1, `b c`: [true, false, null]}"),
        "{a: 1, `b c`: [true, false, null]}"
    );
}

#[test]
fn pattern_predicates_and_exists() {
    assert_round_trip("MATCH (a) WHERE (a)-->(:B) AND NOT (a)<-[:T]-() RETURN a");
    assert_round_trip("MATCH (a) WHERE EXISTS { MATCH (a)-->(b) WHERE b.x = 1 } RETURN a");
    assert_parses_to(
        "MATCH (a) WHERE exists { (a)-->(b) } RETURN a",
        "MATCH (a) WHERE EXISTS { MATCH (a)-->(b) } RETURN a",
    );
    assert_round_trip("MATCH (a) WHERE ((a)-->() OR (a)<--()) XOR NOT (a)--() RETURN a");
    assert_round_trip("RETURN [x IN [1] WHERE (x)-->()] AS l");
    // openCypher 9's `exists(pattern)`, anywhere; `exists(n.prop)` stays a function.
    assert_round_trip("MATCH (a), (b) WHERE exists((b)-->()) RETURN exists((a)<-[:T]-()) AS e");
    assert_round_trip("MATCH (a) WHERE exists(a.x) RETURN a");
    // `(a)` alone is a parenthesized variable, `(a) - (b)` a subtraction.
    assert_eq!(expr("(a) - (b)"), "a - b");
}

#[test]
fn subquery_expressions_and_map_projections() {
    assert_parses_to(
        "MATCH (a) RETURN count { (a)-->() } AS c",
        "MATCH (a) RETURN COUNT { MATCH (a)-->() } AS c",
    );
    assert_round_trip("MATCH (a) RETURN COLLECT { MATCH (a)-->(b) RETURN b.name } AS names");
    assert_round_trip("RETURN EXISTS { RETURN 1 AS x UNION RETURN 2 AS x } AS e");
    // `count(x)`, `count(*)` and a variable named count are unaffected.
    assert_eq!(expr("count(x) + count(*)"), "count(x) + count(*)");
    assert_eq!(
        expr("n {.name, .*, k: 1 + 2, v}"),
        "n{.name, .*, k: 1 + 2, v}"
    );
    assert_eq!(expr("n{}.a"), "n{}.a");
    assert_eq!(expr("`count` {.a}"), "`count`{.a}");
}

#[test]
fn patterns_only_as_where_predicates() {
    // TCK Pattern1 [23], [24] and List6 [6].
    for text in [
        "MATCH (n) WITH (n)-[]->() AS x RETURN x",
        "MATCH (n) SET n.prop = head(nodes(head((n)-[:REL]->()))).foo",
        "MATCH (a) RETURN size((a)-->())",
        "MATCH (a) WHERE (a)-->() = true RETURN a",
        "MATCH (a) RETURN NOT (a)-->() AS x",
        "MATCH (a) RETURN exists((a)-->() OR (a)<--()) AS x",
        "MATCH (a) RETURN coalesce((a)-->()) AS x",
    ] {
        assert_syntax_error(text, Some(ErrorCode::UnexpectedSyntax));
    }
}

#[test]
fn malformed_expressions() {
    use ErrorCode::UnexpectedSyntax;
    for text in [
        "RETURN {k1#k: 1}",
        "RETURN {k1.k: 1}",
        "RETURN {, }",
        "RETURN {1}",
        "RETURN {[]}",
        "RETURN {{}}",
        "RETURN [, ]",
        "RETURN [[[]] AS literal",
        "RETURN [[','[]',']] AS literal",
        "MATCH (n) WHERE RETURN n",
        "RETURN 1 +",
    ] {
        assert_syntax_error(text, Some(UnexpectedSyntax));
    }
    let error = assert_syntax_error("RETURN 42 — 41", Some(ErrorCode::InvalidUnicodeCharacter));
    assert_eq!(error.span, Some(Span::new(10, 13)));
}

#[test]
fn friendly_messages() {
    let error = assert_syntax_error(
        "MATCH (n) WHERE RETURN n",
        Some(ErrorCode::UnexpectedSyntax),
    );
    assert_eq!(error.span, Some(Span::new(16, 17)));
    assert!(
        error
            .message
            .starts_with("expected an expression after `WHERE`"),
        "{}",
        error.message
    );
    assert!(!error.message.contains("op_"), "{}", error.message);
}

#[test]
fn nested_forms_are_not_parsed_exponentially() {
    // Each form once tried two grammar alternatives that both parse the nested part.
    for (open, middle, close) in [
        ("({a: ", "1", "})"),
        ("[x IN ", "[1]", "]"),
        ("all(x IN ", "[1]", ")"),
        ("reduce(a = 0, x IN ", "[1]", " | a)"),
        ("x[", "1", "]"),
    ] {
        let full = format!("RETURN {}{middle}{}", open.repeat(24), close.repeat(24));
        // Complete, and cut short so every level fails late.
        for text in [full.as_str(), &full[..full.len() - 15]] {
            let started = std::time::Instant::now();
            let _ = crate::parser::parse(text);
            let took = started.elapsed();
            assert!(
                took < std::time::Duration::from_secs(2),
                "{took:?} for {text}"
            );
        }
    }
    assert_eq!(expr("({a: ({a: 1})})"), "{a: {a: 1}}");
    assert_eq!(
        expr("[x IN [y IN [1] | y] | x]"),
        "[x IN [y IN [1] | y] | x]"
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    // Run on a small stack, like a test or REPL thread, to prove the guards hold.
    let run = |text: String| {
        std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(move || crate::parser::parse(&text).map(|_| ()))
            .expect("spawn")
            .join()
            .expect("no stack overflow")
    };
    let brackets = format!("RETURN {}1{}", "(".repeat(20_000), ")".repeat(20_000));
    assert!(run(brackets).is_err());
    let lists = format!("RETURN {}1{}", "[".repeat(5_000), "]".repeat(5_000));
    assert!(run(lists).is_err());
    let negations = format!("RETURN {}1", "- ".repeat(20_000));
    assert!(run(negations).is_err());
    let nots = format!("RETURN {}true", "NOT ".repeat(20_000));
    assert!(run(nots).is_err());
    let sum = format!("RETURN 1{}", " + 1".repeat(20_000));
    assert!(run(sum).is_err());
    let lookups = format!("RETURN n{}", ".a".repeat(20_000));
    assert!(run(lookups).is_err());
    // Nested subscripts that fail late are parsed once, not once per alternative.
    let started = std::time::Instant::now();
    let subscripts = format!("RETURN {}1 ..", "x[".repeat(40));
    assert!(run(subscripts).is_err());
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    // Moderate nesting is fine.
    let moderate = format!("RETURN {}1{}", "(".repeat(60), ")".repeat(60));
    assert!(run(moderate).is_ok());
}
