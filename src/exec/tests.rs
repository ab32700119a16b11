//! Operator behaviour through `Session`: laziness, top-k, cancellation, undo, null rules.

use crate::error::ErrorKind;
use crate::session::Session;
use crate::value::Value;

fn chain(n: usize) -> Session {
    let mut s = Session::new();
    s.run(&format!(
        "UNWIND range(1, {n}) AS i CREATE (:N {{i: i, name: 'n' + toString(i)}})"
    ))
    .expect("setup");
    s
}

fn rows(s: &mut Session, q: &str) -> Vec<Vec<Value>> {
    s.run(q)
        .unwrap_or_else(|e| panic!("{q}: {e}"))
        .remove(0)
        .rows
}

#[test]
fn limit_stops_the_scan_early() {
    let mut s = chain(500);
    let result = s
        .run("PROFILE MATCH (n:N) RETURN n.i LIMIT 2")
        .expect("runs")
        .remove(0);
    assert_eq!(result.rows.len(), 2);
    let plan = result.plan.expect("profile");
    let scan = plan
        .lines()
        .find(|l| l.contains("NodeByLabelScan"))
        .expect("scan line");
    assert!(scan.contains("rows: 2,"), "{plan}");
}

#[test]
fn top_k_matches_a_full_sort() {
    let mut s = chain(300);
    let all = rows(
        &mut s,
        "MATCH (n:N) RETURN n.i % 7 AS k, n.i AS i ORDER BY k DESC, i",
    );
    let top = rows(
        &mut s,
        "MATCH (n:N) RETURN n.i % 7 AS k, n.i AS i ORDER BY k DESC, i SKIP 5 LIMIT 10",
    );
    assert_eq!(top, all[5..15].to_vec());
}

#[test]
fn index_seek_finds_names() {
    let mut s = chain(50);
    let result = s
        .run("PROFILE MATCH (n:N) WHERE n.name = 'n7' RETURN n.i")
        .expect("runs")
        .remove(0);
    assert_eq!(result.rows, vec![vec![Value::Int(7)]]);
    assert!(result.plan.expect("profile").contains("NodeIndexSeek"));
}

#[test]
fn cancel_flag_stops_a_query() {
    let mut s = chain(10);
    let flag = s.cancel_handle();
    // `run` clears the flag on entry, so set it from inside: a long cross product checks it.
    let handle = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(50));
        flag.store(true, std::sync::atomic::Ordering::SeqCst);
    });
    let result = s.run("MATCH (a), (b), (c), (d), (e), (f), (g), (h) RETURN count(*)");
    handle.join().expect("thread");
    assert_eq!(result.expect_err("cancelled").kind, ErrorKind::Cancelled);
}

#[test]
fn cancel_during_a_write_leaves_the_graph_unchanged() {
    let mut s = Session::new();
    let flag = s.cancel_handle();
    // Producing the rows is quick; creating a million nodes and relationships is not, so the
    // flag arrives while the write is being applied.
    let handle = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(150));
        flag.store(true, std::sync::atomic::Ordering::SeqCst);
    });
    let result = s.run("UNWIND range(1, 500000) AS x CREATE (:T {x: x})-[:R]->(:U)");
    handle.join().expect("thread");
    assert_eq!(result.expect_err("cancelled").kind, ErrorKind::Cancelled);
    assert_eq!(s.graph().node_count(), 0);
    assert_eq!(s.graph().rel_count(), 0);
}

#[test]
fn null_rules_in_predicates() {
    let mut s = Session::new();
    let got = rows(
        &mut s,
        "RETURN null = null, null IN [1], 2 IN [1, null], [1, 2][5], {a: 1}.b, \
         all(x IN [] WHERE false), single(x IN [1, null] WHERE x = 1)",
    );
    assert_eq!(
        got,
        vec![vec![
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Bool(true),
            Value::Null,
        ]]
    );
}

#[test]
fn deleted_entities_cannot_be_read() {
    let mut s = chain(1);
    let err = s
        .run("MATCH (n:N) DELETE n RETURN n.i")
        .expect_err("reads a deleted node");
    assert_eq!(err.kind, ErrorKind::EntityNotFound);
    assert_eq!(
        rows(&mut s, "MATCH (n:N) RETURN count(n)"),
        vec![vec![Value::Int(1)]]
    );
}

#[test]
fn property_predicates_read_in_place_agree_with_general_evaluation() {
    let mut s = chain(200);
    s.run("MATCH (n:N) WHERE n.i % 3 = 0 SET n.tag = 'x' + toString(n.i % 10)")
        .expect("setup");
    s.run("MATCH (a:N), (b:N) WHERE b.i = a.i + 1 CREATE (a)-[:NEXT {w: a.i % 4}]->(b)")
        .expect("setup");
    s.set_param("lo", Value::Int(20));
    s.set_param("p", Value::from("x3"));
    // Each fast-path form next to one `eval` has to walk (`+ 0`, `+ ''`).
    let pairs = [
        (
            "MATCH (n:N) WHERE n.i >= $lo AND n.i < 60 AND n.tag STARTS WITH 'x' RETURN n.i ORDER BY n.i",
            "MATCH (n:N) WHERE n.i + 0 >= $lo AND n.i + 0 < 60 AND n.tag + '' STARTS WITH 'x' RETURN n.i ORDER BY n.i",
        ),
        (
            "MATCH (n:N) WHERE n.tag = $p OR n.i = 1 RETURN n.i ORDER BY n.i",
            "MATCH (n:N) WHERE n.tag + '' = $p OR n.i + 0 = 1 RETURN n.i ORDER BY n.i",
        ),
        (
            "MATCH (n:N) WHERE n.tag <> 'x0' RETURN count(n)",
            "MATCH (n:N) WHERE n.tag + '' <> 'x0' RETURN count(n)",
        ),
        (
            "MATCH (a:N)-[r:NEXT]->(b:N) WHERE r.w = 2 AND b.tag ENDS WITH '5' RETURN a.i ORDER BY a.i",
            "MATCH (a:N)-[r:NEXT]->(b:N) WHERE r.w + 0 = 2 AND b.tag + '' ENDS WITH '5' RETURN a.i ORDER BY a.i",
        ),
    ];
    for (fast, general) in pairs {
        let expected = rows(&mut s, general);
        assert!(!expected.is_empty(), "{general}");
        assert_eq!(rows(&mut s, fast), expected, "{fast}");
    }
    let err = s
        .run("MATCH (n:N) WHERE n.i = $missing RETURN n")
        .expect_err("missing parameter");
    assert_eq!(err.kind, ErrorKind::ParameterMissing);
}

#[test]
fn a_transaction_keeps_its_statements_until_commit_or_undoes_them_all() {
    let mut s = Session::new();
    s.run("CREATE (:Kept {v: 0})").expect("create");
    s.begin().expect("begin");
    assert!(s.in_transaction());
    s.run("CREATE (:T {v: 1})").expect("create");
    s.run("MATCH (k:Kept) SET k.v = 5 REMOVE k:Kept SET k:Changed")
        .expect("set");
    s.run("MATCH (n) DETACH DELETE n").expect("delete");
    let summary = s.rollback().expect("rollback");
    assert_eq!(summary.statements, 3);
    assert!(summary.changed);
    assert!(!s.in_transaction());
    assert_eq!(
        rows(&mut s, "MATCH (n) RETURN labels(n), n.v"),
        vec![vec![Value::List(vec![Value::from("Kept")]), Value::Int(0)]]
    );

    s.begin().expect("begin");
    s.run("CREATE (:T {v: 2})").expect("create");
    // A failing statement is undone by itself; the transaction's earlier work stays.
    let failed = s.run("CREATE (:T {v: 3}) WITH 1 AS one RETURN 1 / 0");
    assert_eq!(
        failed.expect_err("division").kind,
        ErrorKind::ArithmeticError
    );
    let summary = s.commit().expect("commit");
    assert_eq!(summary.statements, 2);
    assert_eq!(
        rows(&mut s, "MATCH (t:T) RETURN t.v"),
        vec![vec![Value::Int(2)]]
    );
}

#[test]
fn transaction_commands_out_of_place_are_errors() {
    let mut s = Session::new();
    assert_eq!(
        s.commit().expect_err("none open").kind,
        ErrorKind::TransactionError
    );
    assert_eq!(
        s.rollback().expect_err("none open").kind,
        ErrorKind::TransactionError
    );
    s.begin().expect("begin");
    assert_eq!(
        s.begin().expect_err("nested").kind,
        ErrorKind::TransactionError
    );
    assert!(s.in_transaction());
}
