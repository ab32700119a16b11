//! Resource governance: statements that nest too deeply, run too long or need too much
//! memory end with a typed error (never a crash) and leave the graph unchanged. The
//! reproducers are the ones a fuzzing campaign found (issue 13).

use std::sync::atomic::Ordering;
use std::time::Duration;

use kg::{ErrorKind, Limits, Phase, Session};

// The memory budget reads the counting allocator's per-thread totals, as in the binary.
#[global_allocator]
static GLOBAL: kg::limits::CountingAlloc<std::alloc::System> =
    kg::limits::CountingAlloc(std::alloc::System);

/// A small dense graph: 40 nodes, each linked to the next six. Unbounded var-length
/// patterns over it enumerate more paths than any machine holds.
fn dense() -> Session {
    let mut s = Session::new();
    s.run(
        "UNWIND range(1, 40) AS i CREATE (:N {i: i});
         MATCH (a:N), (b:N) WHERE a.i < b.i AND b.i <= a.i + 6 CREATE (a)-[:R]->(b)",
    )
    .expect("fixture");
    s
}

fn counts(s: &Session) -> (usize, usize) {
    (s.graph().node_count(), s.graph().rel_count())
}

fn error_of(s: &mut Session, query: &str) -> kg::QueryError {
    match s.run(query) {
        Ok(results) => panic!(
            "{query:.80}: expected an error, got {} results",
            results.len()
        ),
        Err(error) => error,
    }
}

fn assert_syntax_error_at(query: &str) {
    let error = error_of(&mut Session::new(), query);
    assert_eq!(error.kind, ErrorKind::SyntaxError, "{query:.60}: {error}");
    assert_eq!(error.phase, Phase::Compile);
    let span = error.span.expect("positioned");
    assert!(span.start < query.len(), "{span:?}");
}

#[test]
fn ten_thousand_clauses_or_hops_are_refused_with_a_position() {
    assert_syntax_error_at(&format!("{}RETURN x", "WITH 1 AS x ".repeat(10_000)));
    assert_syntax_error_at(&format!("MATCH (){} RETURN 1", "-->()".repeat(10_000)));
    let parts: Vec<String> = (0..10_000).map(|i| format!("(a{i})")).collect();
    assert_syntax_error_at(&format!("MATCH {} RETURN 1", parts.join(",")));
    let error = error_of(
        &mut Session::new(),
        &format!("{}RETURN x", "WITH 1 AS x ".repeat(10_000)),
    );
    assert!(error.message.contains("limit 2000"), "{error}");
}

#[test]
fn deep_expressions_are_refused() {
    let n = 100_000;
    assert_syntax_error_at(&format!("RETURN {}{}", "[".repeat(n), "]".repeat(n)));
    assert_syntax_error_at(&format!("RETURN {}1{}", "(".repeat(n), ")".repeat(n)));
    assert_syntax_error_at(&format!("RETURN {}", vec!["1"; n].join("+")));
    assert_syntax_error_at(&format!("RETURN {}true", "NOT ".repeat(n)));
}

#[test]
fn a_chain_just_under_the_limit_runs_even_on_a_test_thread() {
    // A test thread has a 2 MB stack; statements run on their own big stack.
    let mut s = Session::new();
    let query = format!(
        "{}RETURN x",
        "WITH 1 AS x ".repeat(kg::parser::MAX_CHAIN - 1)
    );
    let results = s.run(&query).expect("runs");
    assert_eq!(results[0].rows, vec![vec![kg::Value::Int(1)]]);
    let query = format!(
        "CREATE ()-[:R]->(); MATCH (){} RETURN count(*) AS n",
        "-->()".repeat(kg::parser::MAX_CHAIN - 3)
    );
    assert_eq!(
        s.run(&query).expect("runs")[1].rows[0][0],
        kg::Value::Int(0)
    );
    // CREATE patterns are applied in a loop, so they do not count towards the limit.
    let query = format!("CREATE (){}", "-[:R]->()".repeat(5_000));
    s.run(&query).expect("a long CREATE chain runs");
    assert_eq!(s.graph().rel_count(), 5_001);
}

#[test]
fn unbounded_var_length_ends_with_a_timeout() {
    let mut s = dense();
    s.set_limits(Limits {
        max_memory: None,
        timeout: Some(Duration::from_secs(1)),
    });
    let error = error_of(&mut s, "MATCH ()-[*]-() RETURN count(*)");
    assert_eq!(error.kind, ErrorKind::Timeout, "{error}");
    assert_eq!(error.phase, Phase::Runtime);
}

#[test]
fn long_expression_loops_end_with_a_timeout() {
    let mut s = Session::new();
    let limits = Limits {
        max_memory: None,
        timeout: Some(Duration::from_millis(300)),
    };
    let query = "RETURN size(reduce(s = '', x IN range(1, 1000000) | s + 'abcdefghij')) AS n";
    let error = s.run_with_limits(query, limits).expect_err("too slow");
    assert_eq!(error.kind, ErrorKind::Timeout, "{error}");
    // The override was for that run only.
    assert_eq!(s.limits(), Limits::default());
}

/// Rows a filter rejects, or a DISTINCT drops, never reach the result: those loops check
/// the limits themselves (here 10^8 rows would run for tens of seconds).
#[test]
fn loops_that_discard_rows_end_with_a_timeout() {
    let limits = Limits {
        max_memory: None,
        timeout: Some(Duration::from_millis(200)),
    };
    for query in [
        "UNWIND range(1, 10000) AS x UNWIND range(1, 10000) AS y WITH x WHERE x < 0 RETURN x",
        "UNWIND range(1, 10000) AS x UNWIND range(1, 10000) AS y RETURN DISTINCT x % 2 AS k",
    ] {
        let error = Session::new()
            .run_with_limits(query, limits)
            .expect_err("too slow");
        assert_eq!(error.kind, ErrorKind::Timeout, "{query}: {error}");
    }
}

#[test]
fn a_timed_out_write_is_rolled_back() {
    let mut s = dense();
    let before = counts(&s);
    s.set_limits(Limits {
        max_memory: None,
        timeout: Some(Duration::from_millis(500)),
    });
    let error = error_of(&mut s, "MATCH (a)-[*]-(b) DETACH DELETE a, b");
    assert!(
        matches!(error.kind, ErrorKind::Timeout),
        "{error} (DETACH DELETE over every path)"
    );
    assert_eq!(counts(&s), before);
}

#[test]
fn cancel_stops_var_length_expansion() {
    let mut s = dense();
    s.set_limits(Limits::unlimited());
    let flag = s.cancel_handle();
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        flag.store(true, Ordering::SeqCst);
    });
    let error = error_of(&mut s, "MATCH p = (a)-[*0..]-() RETURN count(p)");
    canceller.join().expect("thread");
    assert_eq!(error.kind, ErrorKind::Cancelled, "{error}");
}

/// `query` over the dense graph under a small memory budget fails with
/// `MemoryLimitExceeded` and changes nothing.
fn assert_over_budget(query: &str) {
    let mut s = dense();
    let before = counts(&s);
    s.set_limits(Limits {
        max_memory: Some(32_000_000),
        timeout: None,
    });
    let error = error_of(&mut s, query);
    assert_eq!(
        error.kind,
        ErrorKind::MemoryLimitExceeded,
        "{query}: {error}"
    );
    assert_eq!(error.phase, Phase::Runtime);
    assert!(error.message.contains("--max-memory"), "{error}");
    assert_eq!(counts(&s), before, "{query}");
    // The session still works afterwards.
    assert_eq!(s.run("RETURN 1 AS x").expect("runs")[0].rows.len(), 1);
}

#[test]
fn collecting_a_huge_range_exceeds_the_budget() {
    assert_over_budget("RETURN size(range(1, 10000000)) AS n");
    assert_over_budget("UNWIND range(1, 5000000) AS x RETURN size(collect(x)) AS n");
    assert_over_budget("UNWIND range(1, 100) AS i RETURN size(collect(range(1, 100000))) AS n");
    // Past the cap that applies without a budget: the budget, not the cap, decides.
    assert_over_budget("UNWIND range(1, 1000000000) AS x RETURN size(collect(x)) AS n");
}

#[test]
fn without_a_budget_a_huge_range_is_capped_not_aborted() {
    let mut s = dense();
    s.set_limits(Limits::unlimited());
    let error = error_of(&mut s, "RETURN size(range(1, 1000000000)) AS n");
    assert_eq!(error.kind, ErrorKind::ArgumentError, "{error}");
    assert!(error.message.contains("without a memory budget"), "{error}");
}

#[test]
fn cartesian_products_exceed_the_budget() {
    assert_over_budget("UNWIND range(1, 3000) AS a UNWIND range(1, 3000) AS b RETURN a, b");
    assert_over_budget("MATCH (a), (b), (c), (d) RETURN a, b, c, d");
}

#[test]
fn var_length_path_enumeration_exceeds_the_budget() {
    assert_over_budget("MATCH p = (a)-[*0..]-() RETURN count(p)");
    assert_over_budget("MATCH ()-[*]-() RETURN count(*)");
}

#[test]
fn deletes_over_unbounded_paths_exceed_the_budget_and_change_nothing() {
    assert_over_budget("OPTIONAL MATCH (a)-[*1..]-() DETACH DELETE a, a");
    assert_over_budget("MATCH (a)-[*]-(b) DETACH DELETE a, b");
}

#[test]
fn a_write_past_the_budget_is_rolled_back() {
    assert_over_budget("UNWIND range(1, 1000000) AS i CREATE (:X {i: i, name: 'node ' + i})");
}

#[test]
fn statements_within_the_budget_still_run() {
    let mut s = dense();
    s.set_limits(Limits {
        max_memory: Some(32_000_000),
        timeout: Some(Duration::from_secs(60)),
    });
    let results = s
        .run("MATCH p = (a)-[*1..3]->() RETURN count(p) AS n")
        .expect("bounded");
    assert!(matches!(results[0].rows[0][0], kg::Value::Int(n) if n > 0));
}

/// A server's total budget: what other statements hold counts against this one, and what
/// they release is available again.
#[test]
fn statements_sharing_a_budget_count_each_others_memory() {
    let shared = kg::limits::SharedBudget::new(48_000_000);
    let (held, release) = (std::sync::mpsc::channel(), std::sync::mpsc::channel::<()>());
    let other = {
        let shared = shared.clone();
        let (held, release) = (held.0, release.1);
        std::thread::spawn(move || {
            // Another connection's statement, holding 32 MB at its latest check.
            let _statement = kg::limits::enter_shared(Limits::unlimited(), Some(shared));
            let block = std::hint::black_box(vec![1u8; 32_000_000]);
            kg::limits::check().expect("within the shared budget");
            held.send(()).expect("main thread waits");
            release.recv().expect("main thread says when");
            drop(block);
        })
    };
    held.1.recv().expect("the other statement holds its memory");
    assert!(shared.held() >= 32_000_000);

    let mut s = dense();
    s.set_limits(Limits {
        max_memory: Some(1 << 30),
        timeout: None,
    });
    s.set_shared_budget(Some(shared.clone()));
    let before = counts(&s);
    let query = "UNWIND range(1, 100000) AS i CREATE (:X {i: i, name: 'node ' + i})";
    let error = error_of(&mut s, query);
    assert_eq!(error.kind, ErrorKind::MemoryLimitExceeded, "{error}");
    assert!(error.message.contains("--max-memory-total"), "{error}");
    assert_eq!(counts(&s), before);

    release.0.send(()).expect("other thread waits");
    other.join().expect("other statement");
    assert_eq!(shared.held(), 0, "an ended statement gives its share back");
    s.run(query)
        .expect("fits once the other statement has ended");
    assert_eq!(counts(&s).0, before.0 + 100_000);
}
