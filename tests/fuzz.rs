//! Fuzzing through the library: grammar-aware random queries, byte-level mutations of the
//! golden and TCK queries and of the corpus under `tests/fuzz/corpus`, and mutated TOML
//! and CSV data files. The property is the one issue 13 asks for: every input ends in
//! `Ok` or a typed error; nothing panics, overflows the stack or exhausts memory (each
//! statement runs under a small memory budget and time limit).
//!
//! `cargo test` runs a short campaign from a fixed seed (`PROPTEST_RNG_SEED`, set by
//! `.ci/run`); `.ci/fuzz` runs a long one (`KG_FUZZ_CASES`). Failures proptest finds are
//! kept in `tests/fuzz.proptest-regressions` and replayed first on every run; crashes
//! found earlier are also in the corpus as plain reproducers.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use kg::{Limits, Session};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestRunner};

mod common;

// The memory budget needs the counting allocator, as in the binary.
#[global_allocator]
static GLOBAL: kg::limits::CountingAlloc<std::alloc::System> =
    kg::limits::CountingAlloc(std::alloc::System);

/// Statements run, across every case of this process (reported at the end).
static STATEMENTS: AtomicU64 = AtomicU64::new(0);

/// Cases per target: `KG_FUZZ_CASES`, or a short default for `cargo test`.
fn cases(default: u32) -> u32 {
    std::env::var("KG_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        source_file: Some(file!()),
        ..Config::default()
    })
}

/// Small enough that a runaway statement fails fast, large enough for honest queries.
fn fuzz_limits() -> Limits {
    Limits {
        max_memory: Some(64_000_000),
        timeout: Some(Duration::from_millis(250)),
    }
}

/// A few nodes and relationships, dense enough that var-length patterns explode.
fn seeded_session() -> Session {
    let mut s = Session::new();
    s.run(
        "UNWIND range(1, 12) AS i CREATE (:N:Person {i: i, name: 'n' + i, tags: ['a', 'b']});
         MATCH (a:N), (b:N) WHERE a.i < b.i AND b.i <= a.i + 4 CREATE (a)-[:R {w: a.i}]->(b)",
    )
    .expect("seed graph");
    s.set_limits(fuzz_limits());
    s
}

/// Runs `text` statement by statement (a failing one does not stop the rest); any
/// `Err` is fine, a panic fails the case.
fn run_script(session: &mut Session, text: &str) {
    let statements = match kg::parser::parse(text) {
        Ok(statements) => statements,
        Err(_) => {
            STATEMENTS.fetch_add(1, Ordering::Relaxed);
            return;
        }
    };
    for statement in &statements {
        STATEMENTS.fetch_add(1, Ordering::Relaxed);
        let _ = session.run_statement(statement);
    }
}

// ---- grammar-aware generation ------------------------------------------------------

fn arb_var() -> impl Strategy<Value = String> {
    prop_oneof![Just("a"), Just("b"), Just("c"), Just("p"), Just("x")].prop_map(String::from)
}

fn arb_literal() -> impl Strategy<Value = String> {
    prop_oneof![
        (-3i64..1_000_000_000).prop_map(|i| i.to_string()),
        Just("9223372036854775807".to_string()),
        Just("null".to_string()),
        Just("true".to_string()),
        Just("1.5e308".to_string()),
        "[a-z ]{0,6}".prop_map(|s| format!("'{s}'")),
        Just("$param".to_string()),
    ]
}

fn arb_expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        arb_literal(),
        arb_var(),
        arb_var().prop_map(|v| format!("{v}.i")),
    ];
    leaf.prop_recursive(6, 48, 4, |inner| {
        prop_oneof![
            (
                inner.clone(),
                "[-+*/%^]|=|<>|<|>=| AND | OR | XOR | IN | STARTS WITH ",
                inner.clone()
            )
                .prop_map(|(l, op, r)| format!("({l} {op} {r})")),
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
            (inner.clone(), inner.clone()).prop_map(|(k, v)| format!("{{k: {k}, v: {v}}}")),
            (
                prop_oneof![
                    Just("range"),
                    Just("size"),
                    Just("collect"),
                    Just("count"),
                    Just("toString"),
                    Just("reverse"),
                    Just("head"),
                    Just("keys"),
                    Just("labels"),
                    Just("nodes"),
                    Just("coalesce"),
                ],
                prop::collection::vec(inner.clone(), 1..3)
            )
                .prop_map(|(f, args)| format!("{f}({})", args.join(", "))),
            (arb_var(), inner.clone(), inner.clone())
                .prop_map(|(v, l, e)| format!("[{v} IN {l} | {e}]")),
            (arb_var(), inner.clone(), inner.clone())
                .prop_map(|(v, l, e)| format!("reduce(s = '', {v} IN {l} | s + {e})")),
            (inner.clone(), inner.clone()).prop_map(|(l, i)| format!("{l}[{i}]")),
            inner.clone().prop_map(|e| format!("NOT {e}")),
            (inner.clone(), inner)
                .prop_map(|(c, e)| format!("CASE WHEN {c} THEN {e} ELSE null END")),
            arb_pattern().prop_map(|p| format!("exists({p})")),
        ]
    })
}

fn arb_range() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("*".to_string()),
        Just("*0..".to_string()),
        Just("*1..".to_string()),
        (0u32..4, 0u32..6).prop_map(|(a, b)| format!("*{a}..{b}")),
        (0u32..5).prop_map(|a| format!("*{a}")),
    ]
}

fn arb_pattern() -> impl Strategy<Value = String> {
    let node = || {
        (prop::option::of(arb_var()), prop::option::of(Just(":N")))
            .prop_map(|(v, l)| format!("({}{})", v.unwrap_or_default(), l.unwrap_or_default()))
    };
    let rel = (
        prop_oneof![Just(("-", "->")), Just(("<-", "-")), Just(("-", "-"))],
        prop::option::of(Just(":R")),
        arb_range(),
    )
        .prop_map(|((l, r), t, range)| format!("{l}[{}{range}]{r}", t.unwrap_or_default()));
    (node(), prop::collection::vec((rel, node()), 0..4)).prop_map(|(first, rest)| {
        let mut out = first;
        for (r, n) in rest {
            out.push_str(&r);
            out.push_str(&n);
        }
        out
    })
}

fn arb_clause() -> impl Strategy<Value = String> {
    prop_oneof![
        (arb_pattern(), prop::option::of(arb_expr())).prop_map(|(p, w)| match w {
            Some(w) => format!("MATCH {p} WHERE {w}"),
            None => format!("MATCH {p}"),
        }),
        arb_pattern().prop_map(|p| format!("OPTIONAL MATCH {p}")),
        (arb_pattern(), arb_var()).prop_map(|(p, v)| format!("MATCH p = {p} WITH p AS {v}")),
        (arb_expr(), arb_var()).prop_map(|(e, v)| format!("WITH {e} AS {v}")),
        (arb_expr(), arb_var()).prop_map(|(e, v)| format!("UNWIND {e} AS {v}")),
        arb_pattern().prop_map(|p| format!("CREATE {p}")),
        arb_pattern().prop_map(|p| format!("MERGE {p}")),
        (arb_var(), arb_expr()).prop_map(|(v, e)| format!("SET {v}.q = {e}")),
        arb_var().prop_map(|v| format!("DETACH DELETE {v}")),
        Just("WITH * ORDER BY 1 SKIP 1 LIMIT 10".to_string()),
        arb_expr().prop_map(|e| format!("CALL {{ RETURN {e} AS inner }}")),
    ]
}

fn arb_query() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(arb_clause(), 0..5),
        prop::collection::vec(arb_expr(), 1..3),
        prop::option::of(Just(" UNION ALL RETURN 1 AS c0")),
    )
        .prop_map(|(clauses, items, union)| {
            let items: Vec<String> = items
                .iter()
                .enumerate()
                .map(|(i, e)| format!("{e} AS c{i}"))
                .collect();
            let union = if items.len() == 1 {
                union.unwrap_or_default()
            } else {
                ""
            };
            format!("{} RETURN {}{union}", clauses.join(" "), items.join(", "))
        })
}

// ---- mutation of known queries -----------------------------------------------------

/// Queries to mutate: the corpus, the golden files' statements, the TCK's (when present).
fn seeds() -> &'static [String] {
    static SEEDS: OnceLock<Vec<String>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut out = Vec::new();
        for path in files_under(&root.join("tests/fuzz/corpus"), "cypher") {
            out.extend(std::fs::read_to_string(path).ok());
        }
        for path in files_under(&root.join("tests/queries"), "test") {
            out.extend(golden_statements(
                &std::fs::read_to_string(path).unwrap_or_default(),
            ));
        }
        let tck = std::env::var_os("KG_TCK_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("../shared/tck/features"));
        for path in files_under(&tck, "feature") {
            out.extend(tck_queries(
                &std::fs::read_to_string(path).unwrap_or_default(),
            ));
        }
        assert!(!out.is_empty(), "no seed queries found");
        out
    })
}

fn files_under(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == ext) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The statements of a golden `.test` file: the lines after `statement`/`query` headers.
fn golden_statements(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if line.starts_with("statement") || line.starts_with("query") {
            current = Some(String::new());
        } else if line.trim().is_empty() || line.starts_with("----") {
            out.extend(current.take().filter(|s| !s.is_empty()));
        } else if let Some(q) = &mut current {
            q.push_str(line);
            q.push('\n');
        }
    }
    out.extend(current.filter(|s| !s.is_empty()));
    out
}

/// The `"""`-quoted query blocks of a TCK feature file.
fn tck_queries(text: &str) -> Vec<String> {
    text.split("\"\"\"")
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// One edit of a text, chosen and placed by the strategy's numbers.
#[derive(Debug, Clone)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, &'static str),
    Repeat(usize, usize, usize),
    Flip(usize, u8),
}

const TOKENS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "-->",
    "<--",
    "-[*]-",
    "*",
    "..",
    ",",
    ";",
    "'",
    "\"",
    "`",
    "$x",
    "MATCH ",
    " RETURN ",
    " WITH 1 AS x ",
    "collect(",
    "range(1, 1000000000)",
    "\\u",
    "/*",
    "//",
    "\n",
    "\u{0}",
    "é",
    "9999999999999999999999",
    "-",
    ".",
    ":",
    "|",
    " UNION ",
];

fn arb_edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 1usize..8).prop_map(|(at, n)| Edit::Delete(at, n)),
        (any::<usize>(), prop::sample::select(TOKENS)).prop_map(|(at, t)| Edit::Insert(at, t)),
        (any::<usize>(), 1usize..12, 2usize..3000).prop_map(|(at, n, k)| Edit::Repeat(at, n, k)),
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Edit::Flip(at, b)),
    ]
}

fn apply(text: &str, edit: &Edit) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let at = |i: usize, len: usize| if len == 0 { 0 } else { i % (len + 1) };
    match *edit {
        Edit::Delete(i, n) => {
            let i = at(i, bytes.len());
            let end = (i + n).min(bytes.len());
            bytes.drain(i..end);
        }
        Edit::Insert(i, token) => {
            let i = at(i, bytes.len());
            bytes.splice(i..i, token.bytes());
        }
        Edit::Repeat(i, n, k) => {
            let i = at(i, bytes.len());
            let end = (i + n).min(bytes.len());
            let piece = bytes[i..end].to_vec();
            let repeated: Vec<u8> = piece
                .iter()
                .copied()
                .cycle()
                .take(piece.len() * k)
                .collect();
            bytes.splice(i..end, repeated);
        }
        Edit::Flip(i, b) => {
            if !bytes.is_empty() {
                let i = i % bytes.len();
                bytes[i] = b;
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn arb_mutant() -> impl Strategy<Value = String> {
    (
        prop::sample::select(seeds()),
        prop::collection::vec(arb_edit(), 1..4),
    )
        .prop_map(|(seed, edits)| edits.iter().fold(seed.clone(), |t, e| apply(&t, e)))
}

// ---- the targets -------------------------------------------------------------------

#[test]
fn generated_queries_end_in_a_result_or_an_error() {
    let mut runner = runner(cases(96));
    let session = RefCell::new(seeded_session());
    runner
        .run(&arb_query(), |query| {
            let mut session = session.borrow_mut();
            run_script(&mut session, &query);
            // Writes accumulate; start over now and then so the graph stays small.
            if session.graph().node_count() > 500 {
                *session = seeded_session();
            }
            Ok(())
        })
        .expect("no generated query crashes");
    eprintln!(
        "fuzz: {} statements so far",
        STATEMENTS.load(Ordering::Relaxed)
    );
}

#[test]
fn mutated_queries_end_in_a_result_or_an_error() {
    let mut runner = runner(cases(160));
    let session = RefCell::new(seeded_session());
    runner
        .run(&arb_mutant(), |query| {
            let mut session = session.borrow_mut();
            run_script(&mut session, &query);
            if session.graph().node_count() > 500 {
                *session = seeded_session();
            }
            Ok(())
        })
        .expect("no mutated query crashes");
    eprintln!(
        "fuzz: {} statements so far",
        STATEMENTS.load(Ordering::Relaxed)
    );
}

#[test]
fn the_corpus_replays_without_a_crash() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/corpus");
    let files = files_under(&root, "cypher");
    assert!(files.len() >= 5, "corpus missing under {}", root.display());
    for path in files {
        let text = std::fs::read_to_string(&path).expect("corpus file");
        let mut session = seeded_session();
        run_script(&mut session, &text);
    }
    eprintln!(
        "fuzz: {} statements so far",
        STATEMENTS.load(Ordering::Relaxed)
    );
}

/// A data file from `data/article`, mutated, loads or fails with a `LoadError`.
#[test]
fn mutated_data_files_load_or_fail_cleanly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tomls: Vec<String> = files_under(&root.join("data/article"), "toml")
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    assert!(!tomls.is_empty(), "no TOML seeds in data/article");
    let csv_nodes =
        "id:ID,name,age:int,tags:string[],:LABEL\n1,Ann,30,a;b,Person\n2,Bob,x,,Person;Admin\n";
    let csv_rels = ":START_ID,:END_ID,:TYPE,since:int\n1,2,KNOWS,2001\n2,1,KNOWS,\n";
    let dir = common::TempDir::new("fuzz-load");
    let mut runner = runner(cases(48));
    let strategy = (
        prop::sample::select(tomls),
        prop::collection::vec(arb_edit(), 1..4),
        any::<bool>(),
    );
    runner
        .run(&strategy, |(toml, edits, csv)| {
            let mutate = |t: &str| edits.iter().fold(t.to_string(), |t, e| apply(&t, e));
            let path = if csv {
                let sub = dir.path().join("csv");
                let _ = std::fs::remove_dir_all(&sub);
                dir.write("csv/nodes.csv", &mutate(csv_nodes));
                dir.write("csv/rels.csv", &mutate(csv_rels));
                sub
            } else {
                dir.write("graph.toml", &mutate(&toml))
            };
            STATEMENTS.fetch_add(1, Ordering::Relaxed);
            let _ = kg::load::load_paths(&[path]);
            Ok(())
        })
        .expect("no data file crashes the loader");
    eprintln!(
        "fuzz: {} statements so far",
        STATEMENTS.load(Ordering::Relaxed)
    );
}

/// An HTTP request body, mutated: parsing it as JSON and turning its `parameters` into
/// Cypher values (`kg::http::json_to_value`, as the Query API does) ends in a value or a
/// JSON error, and a statement reading the parameter ends in a result or a typed error.
/// Deep nesting is refused by serde_json's recursion limit before it reaches kg.
#[test]
fn mutated_json_parameters_parse_or_fail_cleanly() {
    const BODIES: &[&str] = &[
        r#"{"statement": "RETURN $p AS p", "parameters": {"p": 1}}"#,
        r#"{"statement": "RETURN $p AS p", "parameters": {"p": [1, 2.5, "x", null, true]}}"#,
        r#"{"statement": "RETURN $p.a AS p", "parameters": {"p": {"a": {"b": [{"c": -9223372036854775808}]}}}}"#,
        r#"{"statement": "UNWIND $p AS x RETURN x", "parameters": {"p": [[], [[]], [{}], 1e308, -0.0]}}"#,
        r#"{"statement": "MATCH (n:N) WHERE n.i IN $p RETURN n.name", "parameters": {"p": [1, 3, 18446744073709551615]}}"#,
        r#"{"statement": "RETURN $p + $p AS p", "parameters": {"p": "\u00e9\ud83d\ude00"}}"#,
    ];
    let mut runner = runner(cases(256));
    let strategy = (
        prop::sample::select(BODIES),
        prop::collection::vec(arb_edit(), 0..4),
    );
    let session = RefCell::new(seeded_session());
    runner
        .run(&strategy, |(body, edits)| {
            let text = edits.iter().fold(body.to_string(), |t, e| apply(&t, e));
            STATEMENTS.fetch_add(1, Ordering::Relaxed);
            let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
                return Ok(());
            };
            let statement = json
                .get("statement")
                .and_then(|s| s.as_str())
                .unwrap_or("RETURN $p AS p");
            let mut session = session.borrow_mut();
            if let Some(serde_json::Value::Object(params)) = json.get("parameters") {
                for (name, value) in params {
                    session.set_param(name, kg::http::json_to_value(value));
                }
            }
            run_script(&mut session, statement);
            Ok(())
        })
        .expect("no JSON body crashes parameter handling");
    eprintln!(
        "fuzz: {} statements so far",
        STATEMENTS.load(Ordering::Relaxed)
    );
}
