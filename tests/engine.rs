//! End-to-end tests of the query engine through `Session::run`: clauses, patterns,
//! aggregation, writes with their statistics, and compile-time error codes.

use kg::{ErrorCode, ErrorKind, Phase, Session, Value};

fn session(setup: &str) -> Session {
    let mut s = Session::new();
    if !setup.is_empty() {
        s.run(setup).expect("setup runs");
    }
    s
}

fn rows(s: &mut Session, query: &str) -> Vec<Vec<Value>> {
    let mut results = s.run(query).unwrap_or_else(|e| panic!("{query}: {e}"));
    results.pop().expect("one result").rows
}

fn int(i: i64) -> Value {
    Value::Int(i)
}

fn text(t: &str) -> Value {
    Value::from(t)
}

fn error(s: &mut Session, query: &str) -> (ErrorKind, Option<ErrorCode>, Phase) {
    let e = s.run(query).expect_err(query);
    (e.kind, e.code, e.phase)
}

const PEOPLE: &str = "CREATE (a:Person {name: 'Ann', age: 30}), (b:Person {name: 'Bob', age: 40}), \
     (c:Person {name: 'Cy', age: 50}), (a)-[:KNOWS {since: 2000}]->(b), (b)-[:KNOWS]->(c), \
     (a)-[:WORKS_AT]->(:Company {name: 'Acme'})";

#[test]
fn match_return_with_columns_as_written() {
    let mut s = session(PEOPLE);
    let result = s
        .run("MATCH (p:Person) WHERE p.age > 35 RETURN p.name, p.age AS age ORDER BY age")
        .expect("runs")
        .remove(0);
    assert_eq!(result.columns, vec!["p.name", "age"]);
    assert_eq!(
        result.rows,
        vec![vec![text("Bob"), int(40)], vec![text("Cy"), int(50)]]
    );
}

#[test]
fn expands_in_both_directions_from_the_indexed_node() {
    let mut s = session(PEOPLE);
    let got = rows(
        &mut s,
        "MATCH (x)-[:KNOWS]->(b:Person {name: 'Bob'})-[:KNOWS]->(y) RETURN x.name, y.name",
    );
    assert_eq!(got, vec![vec![text("Ann"), text("Cy")]]);
}

#[test]
fn optional_match_fills_nulls() {
    let mut s = session(PEOPLE);
    let got = rows(
        &mut s,
        "MATCH (p:Person) OPTIONAL MATCH (p)-[:KNOWS]->(f) RETURN p.name, f.name ORDER BY p.name",
    );
    assert_eq!(
        got,
        vec![
            vec![text("Ann"), text("Bob")],
            vec![text("Bob"), text("Cy")],
            vec![text("Cy"), Value::Null],
        ]
    );
}

#[test]
fn aggregation_groups_and_nests() {
    let mut s = session(PEOPLE);
    let got = rows(
        &mut s,
        "MATCH (p:Person) OPTIONAL MATCH (p)-[:KNOWS]->(f) \
         RETURN p.name AS name, count(f) + 1 AS n ORDER BY n DESC, name",
    );
    assert_eq!(
        got,
        vec![
            vec![text("Ann"), int(2)],
            vec![text("Bob"), int(2)],
            vec![text("Cy"), int(1)],
        ]
    );
    assert_eq!(
        rows(&mut s, "MATCH (n:Nothing) RETURN count(*)"),
        vec![vec![int(0)]]
    );
    assert_eq!(
        rows(&mut s, "MATCH (n:Nothing) RETURN n.x, count(*)"),
        Vec::<Vec<Value>>::new()
    );
}

#[test]
fn with_order_skip_limit_and_distinct() {
    let mut s = session(PEOPLE);
    let got = rows(
        &mut s,
        "MATCH (p:Person) WITH p ORDER BY p.age DESC SKIP 1 LIMIT 1 RETURN p.name",
    );
    assert_eq!(got, vec![vec![text("Bob")]]);
    let got = rows(
        &mut s,
        "UNWIND [1, 1, 2, null, null] AS x RETURN DISTINCT x ORDER BY x",
    );
    assert_eq!(got, vec![vec![int(1)], vec![int(2)], vec![Value::Null]]);
}

#[test]
fn variable_length_uses_each_relationship_once() {
    let mut s = session("CREATE (a:N {name: 'a'})-[:R]->(b:N {name: 'b'})-[:R]->(a)");
    let got = rows(
        &mut s,
        "MATCH (a:N {name: 'a'})-[:R*]-(x) RETURN x.name ORDER BY x.name",
    );
    // a-b by either relationship, and back to a through both.
    assert_eq!(
        got,
        vec![
            vec![text("a")],
            vec![text("a")],
            vec![text("b")],
            vec![text("b")]
        ]
    );
}

#[test]
fn shortest_path_length() {
    let mut s = session(PEOPLE);
    let got = rows(
        &mut s,
        "MATCH p = shortestPath((a:Person {name: 'Ann'})-[*..5]-(c:Person {name: 'Cy'})) RETURN length(p)",
    );
    assert_eq!(got, vec![vec![int(2)]]);
}

#[test]
fn union_and_union_all() {
    let mut s = Session::new();
    assert_eq!(
        rows(&mut s, "RETURN 1 AS x UNION RETURN 1 AS x"),
        vec![vec![int(1)]]
    );
    assert_eq!(
        rows(&mut s, "RETURN 1 AS x UNION ALL RETURN 1 AS x").len(),
        2
    );
}

#[test]
fn merge_creates_once_then_matches() {
    let mut s = Session::new();
    let first = s
        .run("MERGE (n:City {name: 'Oslo'}) ON CREATE SET n.new = true RETURN n.new")
        .expect("runs");
    assert_eq!(first[0].stats.nodes_created, 1);
    assert_eq!(first[0].stats.properties_set, 2);
    let second = s
        .run("UNWIND [1, 2] AS i MERGE (n:City {name: 'Oslo'}) ON MATCH SET n.seen = i RETURN count(*)")
        .expect("runs");
    assert_eq!(second[0].stats.nodes_created, 0);
    assert_eq!(second[0].rows, vec![vec![int(2)]]);
}

#[test]
fn writes_count_their_changes() {
    let mut s = session(PEOPLE);
    let r = s
        .run("MATCH (p:Person {name: 'Cy'}) SET p:Old, p.age = 51 REMOVE p.name")
        .expect("runs");
    assert_eq!((r[0].stats.labels_added, r[0].stats.properties_set), (1, 2));
    let r = s
        .run("MATCH (p:Person {name: 'Ann'}) DETACH DELETE p")
        .expect("runs");
    assert_eq!(
        (r[0].stats.nodes_deleted, r[0].stats.relationships_deleted),
        (1, 2)
    );
}

#[test]
fn failed_delete_rolls_back() {
    let mut s = session(PEOPLE);
    let e = error(&mut s, "MATCH (p:Person) DELETE p");
    assert_eq!(e.0, ErrorKind::ConstraintVerificationFailed);
    assert_eq!(
        rows(&mut s, "MATCH (p:Person) RETURN count(p)"),
        vec![vec![int(3)]]
    );
}

#[test]
fn pattern_predicates_and_comprehensions() {
    let mut s = session(PEOPLE);
    let got = rows(
        &mut s,
        "MATCH (p:Person) WHERE NOT (p)-[:KNOWS]->() RETURN p.name",
    );
    assert_eq!(got, vec![vec![text("Cy")]]);
    let got = rows(
        &mut s,
        "MATCH (p:Person {name: 'Ann'}) RETURN [(p)-[:KNOWS]->(f) | f.name] AS friends",
    );
    assert_eq!(got, vec![vec![Value::List(vec![text("Bob")])]]);
}

#[test]
fn expressions_over_lists_and_maps() {
    let mut s = Session::new();
    let got = rows(
        &mut s,
        "WITH [1, 2, 3, 4] AS l RETURN l[-1], l[1..3], [x IN l WHERE x > 2 | x * 10], \
         reduce(acc = 0, x IN l | acc + x), any(x IN l WHERE x = 2), {a: {b: 5}}.a.b, 'abc' =~ 'a.c'",
    );
    assert_eq!(
        got,
        vec![vec![
            int(4),
            Value::List(vec![int(2), int(3)]),
            Value::List(vec![int(30), int(40)]),
            int(10),
            Value::Bool(true),
            int(5),
            Value::Bool(true),
        ]]
    );
}

#[test]
fn missing_parameter_is_reported() {
    let mut s = Session::new();
    assert_eq!(error(&mut s, "RETURN $nope").0, ErrorKind::ParameterMissing);
    // Found before anything runs (TCK: at compile time), even where no row would reach it:
    // in a subquery, or after a write.
    for query in [
        "CREATE (a) CREATE (b {v: $nope})",
        "MATCH (n) WHERE EXISTS { MATCH (n)--(m) WHERE m.v = $nope } RETURN n",
        "UNWIND [] AS i CALL { WITH i RETURN $nope AS z } RETURN z",
    ] {
        assert_eq!(
            error(&mut s, query),
            (
                ErrorKind::ParameterMissing,
                Some(ErrorCode::MissingParameter),
                Phase::Compile
            ),
            "{query}"
        );
    }
    assert_eq!(
        rows(&mut s, "MATCH (n) RETURN count(n)"),
        vec![vec![int(0)]]
    );
    s.set_param("x", int(2));
    assert_eq!(rows(&mut s, "RETURN $x * 2 AS y"), vec![vec![int(4)]]);
}

#[test]
fn compile_time_errors_carry_tck_codes() {
    let mut s = Session::new();
    let cases = [
        ("MATCH (a) RETURN b", ErrorCode::UndefinedVariable),
        ("MATCH (a) CREATE (a:Foo)", ErrorCode::VariableAlreadyBound),
        (
            "MATCH (r)-[]-(), ()-[r]-() RETURN r",
            ErrorCode::VariableTypeConflict,
        ),
        ("MATCH (a) WITH a.x RETURN 1", ErrorCode::NoExpressionAlias),
        ("RETURN 1 AS a, 2 AS a", ErrorCode::ColumnNameConflict),
        (
            "RETURN 1 AS a UNION RETURN 2 AS b",
            ErrorCode::DifferentColumnsInUnion,
        ),
        (
            "RETURN 1 AS a UNION ALL RETURN 2 AS a UNION RETURN 3 AS a",
            ErrorCode::InvalidClauseComposition,
        ),
        (
            "MATCH (n) WHERE count(n) > 1 RETURN n",
            ErrorCode::InvalidAggregation,
        ),
        ("RETURN count(count(*))", ErrorCode::NestedAggregation),
        (
            "MATCH (a) RETURN a.x + count(*)",
            ErrorCode::AmbiguousAggregationExpression,
        ),
        (
            "MATCH (n) RETURN n LIMIT n.x",
            ErrorCode::NonConstantExpression,
        ),
        ("RETURN nope(1)", ErrorCode::UnknownFunction),
        ("CREATE ()-[:A|B]->()", ErrorCode::NoSingleRelationshipType),
        ("CREATE ()-[:A]-()", ErrorCode::RequiresDirectedRelationship),
        ("CREATE ()-[:A*2]->()", ErrorCode::CreatingVarLength),
        ("RETURN *", ErrorCode::NoVariablesInScope),
        ("MATCH (n) DELETE n:Person", ErrorCode::InvalidDelete),
    ];
    for (query, code) in cases {
        let (kind, got, phase) = error(&mut s, query);
        assert_eq!((got, phase), (Some(code), Phase::Compile), "{query}");
        assert_eq!(kind, ErrorKind::SyntaxError, "{query}");
    }
}

#[test]
fn explain_and_profile_show_the_plan() {
    let mut s = session(PEOPLE);
    let plan = s
        .run("EXPLAIN MATCH (p:Person) RETURN p.name")
        .expect("runs")
        .remove(0);
    let text = plan.plan.expect("a plan");
    assert!(text.contains("NodeByLabelScan"), "{text}");
    let profile = s
        .run("PROFILE MATCH (p:Person) RETURN p.name")
        .expect("runs")
        .remove(0);
    assert_eq!(profile.rows.len(), 3);
    assert!(profile.plan.expect("a plan").contains("rows: 3"));
}

#[test]
fn failed_create_and_set_roll_back() {
    let mut s = session(PEOPLE);
    assert!(s.run("UNWIND [1, 0] AS x CREATE (:X {v: 10 / x})").is_err());
    assert!(
        s.run("MATCH (p:Person {name: 'Ann'}) SET p.age = 99, p:Old REMOVE p:Person WITH p RETURN 1 / 0")
            .is_err()
    );
    assert_eq!(
        rows(&mut s, "MATCH (x:X) RETURN count(x)"),
        vec![vec![int(0)]]
    );
    assert_eq!(
        rows(
            &mut s,
            "MATCH (p:Person {name: 'Ann'}) RETURN p.age, labels(p)"
        ),
        vec![vec![int(30), Value::List(vec![text("Person")])]]
    );
}

#[test]
fn failed_detach_delete_is_undone_in_place() {
    let mut s = session(PEOPLE);
    let before = rows(
        &mut s,
        "MATCH (c:Company {name: 'Acme'})<-[r:WORKS_AT]-(p) RETURN id(c), id(r), p.name",
    );
    let e = error(
        &mut s,
        "MATCH (n:Company) DETACH DELETE n WITH count(*) AS c RETURN 1 / 0",
    );
    assert_eq!(e.0, ErrorKind::ArithmeticError);
    // Same ids, found again through the label and name indexes and the adjacency lists.
    let after = rows(
        &mut s,
        "MATCH (c:Company {name: 'Acme'})<-[r:WORKS_AT]-(p) RETURN id(c), id(r), p.name",
    );
    assert_eq!(after, before);
    assert_eq!(
        rows(&mut s, "MATCH (a {name: 'Ann'})-[r]->() RETURN type(r)"),
        vec![vec![text("WORKS_AT")], vec![text("KNOWS")]]
    );
}

#[test]
fn create_properties_come_in_key_order_and_the_last_repeat_wins() {
    let mut s = Session::new();
    let got = rows(
        &mut s,
        "CREATE (n {b: 1, a: 2, c: null, b: 3}) RETURN keys(n) AS k, n.b AS b",
    );
    let keys = Value::List(vec![text("a"), text("b")]);
    assert_eq!(got, vec![vec![keys, int(3)]]);
    let r = s.run("CREATE (n) RETURN 1").expect("creates").remove(0);
    assert_eq!(r.stats.properties_set, 0);
}

#[test]
fn subquery_and_foreach_errors_say_where() {
    let mut s = session(PEOPLE);
    let cases = [
        // A read clause inside FOREACH: the caret is on the clause.
        (
            "FOREACH (x IN [1] | MATCH (n) SET n.x = x)",
            ErrorCode::InvalidClauseComposition,
            20,
        ),
        // A CALL subquery may not return a name the outer query already has.
        (
            "UNWIND [1] AS x CALL { RETURN 2 AS x } RETURN x",
            ErrorCode::VariableAlreadyBound,
            35,
        ),
        // Without an importing WITH the body does not see outer variables.
        (
            "UNWIND [1] AS x CALL { RETURN x AS y } RETURN y",
            ErrorCode::UndefinedVariable,
            30,
        ),
        (
            "UNWIND [1] AS x CALL (nope) { RETURN 1 AS y } RETURN y",
            ErrorCode::UndefinedVariable,
            22,
        ),
        (
            "MATCH (p) RETURN COUNT { MATCH (p) DELETE p } AS c",
            ErrorCode::InvalidClauseComposition,
            35,
        ),
        (
            "RETURN COLLECT { UNWIND [1] AS x RETURN x, 1 AS y } AS l",
            ErrorCode::InvalidClauseComposition,
            7,
        ),
        (
            "FOREACH (x IN [1] | CREATE (n)) RETURN n",
            ErrorCode::UndefinedVariable,
            39,
        ),
        (
            "MATCH (p) RETURN p {.name, q} AS m",
            ErrorCode::UndefinedVariable,
            27,
        ),
    ];
    for (query, code, at) in cases {
        let e = s.run(query).expect_err(query);
        assert_eq!(
            (e.kind, e.code, e.phase),
            (ErrorKind::SyntaxError, Some(code), Phase::Compile),
            "{query}"
        );
        assert_eq!(e.span.map(|span| span.start), Some(at), "{query}");
    }
}

#[test]
fn foreach_and_call_subqueries_write_and_count() {
    let mut s = session(PEOPLE);
    let result = s
        .run("MATCH (p:Person) FOREACH (i IN range(1, 2) | CREATE (p)-[:HAS]->(:Item {i: i}))")
        .expect("runs")
        .remove(0);
    assert_eq!(result.stats.nodes_created, 6);
    assert_eq!(result.stats.relationships_created, 6);
    assert_eq!(
        rows(
            &mut s,
            "MATCH (p:Person) CALL { WITH p MATCH (p)-[:HAS]->(i) RETURN sum(i.i) AS total } \
             RETURN p.name, total ORDER BY p.name"
        ),
        vec![
            vec![text("Ann"), int(3)],
            vec![text("Bob"), int(3)],
            vec![text("Cy"), int(3)],
        ]
    );
    let plan = s
        .run("EXPLAIN MATCH (p:Person) CALL { WITH p SET p.seen = true } FOREACH (x IN [1] | SET p.x = x)")
        .expect("runs")
        .remove(0)
        .plan
        .expect("a plan");
    assert!(plan.contains("SubqueryForeach"), "{plan}");
    assert!(plan.contains("Foreach (x)"), "{plan}");
}

#[test]
fn subquery_expressions_appear_in_explain() {
    let mut s = session(PEOPLE);
    let plan = s
        .run(
            "EXPLAIN MATCH (p:Person) WHERE COUNT { (p)-->() } > 0 \
             RETURN p {.name, knows: COLLECT { MATCH (p)-[:KNOWS]->(f) RETURN f.name }} AS m",
        )
        .expect("runs")
        .remove(0)
        .plan
        .expect("a plan");
    assert!(plan.contains("Subquery (COUNT)"), "{plan}");
    assert!(plan.contains("Subquery (COLLECT)"), "{plan}");
    // Subqueries take no operator numbers, so PROFILE figures still line up.
    let profile = s
        .run("PROFILE MATCH (p:Person) WHERE EXISTS { (p)-[:KNOWS]->() } RETURN p.name")
        .expect("runs")
        .remove(0);
    assert_eq!(profile.rows.len(), 2);
    let text = profile.plan.expect("a plan");
    assert!(text.contains("Produce (p.name)  [rows: 2"), "{text}");
    assert!(text.contains("Subquery (EXISTS)"), "{text}");
}

/// A CSV file in the temporary directory, removed when dropped.
struct TempCsv(std::path::PathBuf);

impl TempCsv {
    fn new(name: &str, contents: &str) -> Self {
        let path = std::env::temp_dir().join(format!("kg-{}-{name}", std::process::id()));
        std::fs::write(&path, contents).expect("writing a temporary CSV file");
        TempCsv(path)
    }

    fn path(&self) -> String {
        self.0.to_string_lossy().into_owned()
    }
}

impl Drop for TempCsv {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn load_csv_takes_a_parameter_or_a_file_url() {
    let file = TempCsv::new("people list.csv", "name,age\nAnn,30\nBob,\n");
    let mut s = session("");
    s.set_param("file", text(&file.path()));
    assert_eq!(
        rows(
            &mut s,
            "LOAD CSV WITH HEADERS FROM $file AS row RETURN row.name, row.age, file() = $file"
        ),
        vec![
            vec![text("Ann"), text("30"), Value::Bool(true)],
            vec![text("Bob"), Value::Null, Value::Bool(true)],
        ]
    );
    // A file URL is percent-encoded: the space is %20.
    let url = format!("file://{}", file.path().replace(' ', "%20"));
    s.set_param("url", text(&url));
    assert_eq!(
        rows(
            &mut s,
            "LOAD CSV FROM $url AS row WITH row WHERE linenumber() > 1 \
             MERGE (p:Person {name: row[0]}) SET p.age = toInteger(row[1]) RETURN p.name, p.age"
        ),
        vec![vec![text("Ann"), int(30)], vec![text("Bob"), Value::Null]]
    );
    s.set_param("file", int(42));
    assert_eq!(
        error(&mut s, "LOAD CSV FROM $file AS row RETURN row"),
        (
            ErrorKind::TypeError,
            Some(ErrorCode::InvalidArgumentType),
            Phase::Runtime
        )
    );
}

#[test]
fn load_csv_errors_name_the_file_and_line() {
    let bad = TempCsv::new("bad.csv", "name,note\nAnn,ok\nBob,\"quoted\"tail\n");
    let mut s = session("");
    let e = s
        .run(&format!(
            "LOAD CSV WITH HEADERS FROM '{}' AS row CREATE (:N {{name: row.name}})",
            bad.path()
        ))
        .expect_err("a malformed quote");
    assert_eq!(
        (e.kind, e.code, e.phase),
        (
            ErrorKind::ArgumentError,
            Some(ErrorCode::InvalidArgumentValue),
            Phase::Runtime
        )
    );
    assert!(
        e.message.starts_with(&format!("{}:3: ", bad.path())),
        "{}",
        e.message
    );
    assert_eq!(
        rows(&mut s, "MATCH (n) RETURN count(n)"),
        vec![vec![int(0)]]
    );
    let e = s
        .run("LOAD CSV FROM 'no/such/dir/people.csv' AS row RETURN row")
        .expect_err("a missing file");
    let resolved = std::env::current_dir()
        .expect("a current directory")
        .join("no/such/dir/people.csv");
    assert!(
        e.message.contains(&resolved.to_string_lossy().into_owned()),
        "{}",
        e.message
    );
    assert_eq!(
        error(
            &mut s,
            "LOAD CSV FROM 'http://example.com/a.csv' AS row RETURN row"
        )
        .0,
        ErrorKind::NotSupported
    );
}

#[test]
fn load_csv_streams_and_can_be_cancelled() {
    let big = TempCsv::new("big.csv", &"x,y\n".repeat(2_000_000));
    let mut s = session("");
    let query = format!("FROM '{}' AS row", big.path());
    let explain = s
        .run(&format!("EXPLAIN LOAD CSV {query} RETURN row"))
        .expect("runs")
        .remove(0);
    assert!(explain.plan.expect("a plan").contains("LoadCsv row"));
    // Rows are read one at a time: LIMIT 1 reads one record.
    let profile = s
        .run(&format!("PROFILE LOAD CSV {query} RETURN row LIMIT 1"))
        .expect("runs")
        .remove(0);
    let plan = profile.plan.expect("a plan");
    let line = plan
        .lines()
        .find(|l| l.contains("LoadCsv"))
        .expect("a LoadCsv operator");
    assert!(line.contains("rows: 1"), "{plan}");
    let flag = s.cancel_handle();
    let handle = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(100));
        flag.store(true, std::sync::atomic::Ordering::SeqCst);
    });
    let result = s.run(&format!("LOAD CSV {query} CREATE (:Row {{x: row[0]}})"));
    handle.join().expect("thread");
    assert_eq!(result.expect_err("cancelled").kind, ErrorKind::Cancelled);
    assert_eq!(s.graph().node_count(), 0);
}
