//! Replay and recovery: random write sequences through a session over a database, then
//! the reopened graph compared with the live one (ids included); damaged files.

use std::fmt::Write as _;

use proptest::prelude::*;

use super::*;
use crate::Session;
use crate::value::Value;

/// Everything observable about a graph, ids and the next ids included.
fn dump(graph: &Graph) -> String {
    let mut out = format!("next {:?}\n", graph.next_ids());
    for id in graph.nodes() {
        let data = graph.node(id).expect("listed node exists");
        let props: Vec<_> = data.properties.iter().collect();
        let _ = writeln!(out, "n{} {:?} {props:?}", id.0, data.labels);
    }
    for id in graph.rels() {
        let data = graph.rel(id).expect("listed relationship exists");
        let props: Vec<_> = data.properties().iter().collect();
        let ends = graph.rel_endpoints(id);
        let _ = writeln!(out, "r{} {ends:?} {} {props:?}", id.0, data.rel_type());
    }
    for label in graph.labels() {
        let _ = writeln!(out, "label {label} {}", graph.label_count(label));
    }
    for name in ["n1", "n2", "n3"] {
        let _ = writeln!(
            out,
            "named {name} {:?}",
            graph.nodes_named(name).collect::<Vec<_>>()
        );
    }
    out
}

fn open(dir: &Path) -> Opened {
    Database::open(dir, Options::default()).expect("database opens")
}

fn session_over(dir: &Path) -> Session {
    let opened = open(dir);
    let mut session = Session::with_graph(opened.graph);
    session.set_durability(Box::new(opened.database));
    session
}

/// One step of a random workload.
#[derive(Debug, Clone)]
enum Step {
    Run(&'static str, i64, i64),
    Begin,
    Commit,
    Rollback,
}

const STATEMENTS: &[&str] = &[
    "CREATE (:A {k: $i, name: 'n' + toString($j)})",
    "CREATE (:B:A {t: date('2020-01-01') + duration({days: $i}), f: 1.5, l: [1, $j], s: 'x'})",
    "UNWIND range(1, $i % 4) AS x CREATE (:C {x: x, r: rand() < 2})",
    "MATCH (n) WHERE id(n) % 3 = $i % 3 SET n.x = $j, n:Seen",
    "MATCH (n:Seen) WHERE id(n) % 2 = $j % 2 REMOVE n:Seen, n.k SET n.k = $i",
    "MATCH (a), (b) WHERE id(a) = $i % 12 AND id(b) = $j % 12 CREATE (a)-[:R {w: $i}]->(b)",
    "MATCH ()-[r]->() WHERE id(r) % 3 = $i % 3 DELETE r",
    "MATCH (n) WHERE id(n) = $i % 12 DETACH DELETE n",
    "MATCH ()-[r]->() SET r.w = $j, r.v = timestamp() > 0",
    "MATCH (n {name: 'n' + toString($i % 4)}) SET n.name = 'n' + toString($j % 4)",
    "CREATE (:F) WITH 1 AS one RETURN 1 / ($i - $i)",
    "MATCH (n) WHERE id(n) = $i % 12 DELETE n",
];

fn arb_step() -> impl Strategy<Value = Step> {
    prop_oneof![
        8 => (0..STATEMENTS.len(), 0i64..20, 0i64..20)
            .prop_map(|(s, i, j)| Step::Run(STATEMENTS[s], i, j)),
        1 => Just(Step::Begin),
        1 => Just(Step::Commit),
        1 => Just(Step::Rollback),
    ]
}

fn run(session: &mut Session, steps: &[Step]) {
    for step in steps {
        match step {
            Step::Run(text, i, j) => {
                session.set_param("i", Value::Int(*i));
                session.set_param("j", Value::Int(*j));
                // Failures (a connected node's DELETE, 1/0) are part of the workload.
                let _ = session.run(text);
            }
            Step::Begin => {
                let _ = session.begin();
            }
            Step::Commit => {
                let _ = session.commit();
            }
            Step::Rollback => {
                let _ = session.rollback();
            }
        }
    }
    if session.in_transaction() {
        session.rollback().expect("open transaction rolls back");
    }
    // A last commit, so that the ids taken by what was rolled back are logged as taken.
    session.run("CREATE (:End)").expect("create runs");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn reopening_replays_the_same_graph(steps in prop::collection::vec(arb_step(), 1..40), checkpoint_at in 0usize..40) {
        let dir = tempfile::tempdir().expect("temporary directory");
        let mut session = session_over(dir.path());
        let (before, after) = steps.split_at(checkpoint_at.min(steps.len()));
        run(&mut session, before);
        session.checkpoint().expect("checkpoint");
        run(&mut session, after);
        let live = dump(session.graph());
        drop(session);
        let reopened = open(dir.path());
        prop_assert!(reopened.warnings.is_empty());
        prop_assert_eq!(dump(&reopened.graph), live.clone());
        // And again from a snapshot alone.
        let mut database = reopened.database;
        database.write_checkpoint(&reopened.graph).expect("checkpoint");
        drop(database);
        prop_assert_eq!(dump(&open(dir.path()).graph), live);
    }
}

/// A database with a few committed transactions; returns its directory and the dump after
/// each commit.
fn small_database() -> (tempfile::TempDir, Vec<String>) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut session = session_over(dir.path());
    let mut dumps = vec![dump(session.graph())];
    session
        .run("CREATE (:P {name: 'n1', d: datetime('2021-03-04T05:06:07[Europe/Stockholm]')})")
        .expect("runs");
    dumps.push(dump(session.graph()));
    session.checkpoint().expect("checkpoint");
    session
        .run("CREATE (:P {name: 'n2'})-[:K {w: 1.5}]->(:Q)")
        .expect("runs");
    dumps.push(dump(session.graph()));
    session.run("MATCH (p:P) SET p.seen = true").expect("runs");
    dumps.push(dump(session.graph()));
    (dir, dumps)
}

#[test]
fn every_cut_of_the_last_record_is_dropped_with_a_warning() {
    let (dir, dumps) = small_database();
    let wal_path = dir.path().join(WAL);
    let log = fs::read(&wal_path).expect("log");
    let last = wal::scan(&log)
        .records
        .last()
        .map(|(offset, _)| *offset)
        .expect("records");
    for cut in last..log.len() {
        fs::write(&wal_path, &log[..cut]).expect("write");
        let opened = open(dir.path());
        assert_eq!(dump(&opened.graph), dumps[2], "cut at {cut}");
        let dropped = cut - last;
        assert_eq!(
            opened.warnings.len(),
            usize::from(dropped > 0),
            "cut at {cut}"
        );
        if dropped > 0 {
            assert!(opened.warnings[0].contains(&format!("dropped {dropped} bytes")));
        }
        drop(opened);
        assert_eq!(fs::metadata(&wal_path).expect("log").len(), last as u64);
    }
}

#[test]
fn a_flipped_byte_is_an_error_or_a_dropped_tail_never_a_panic() {
    let (dir, dumps) = small_database();
    for name in [WAL, SNAPSHOT] {
        let path = dir.path().join(name);
        let original = fs::read(&path).expect("file");
        let last_record = wal::scan(&original).records.last().map_or(0, |(o, _)| *o);
        for at in 0..original.len() {
            let mut bad = original.clone();
            bad[at] ^= 0x10;
            fs::write(&path, &bad).expect("write");
            match Database::open(dir.path(), Options::default()) {
                Ok(opened) => {
                    // Only damage inside the log's last record can pass as a torn tail.
                    assert!(name == WAL && at >= last_record, "{name} byte {at}");
                    assert_eq!(dump(&opened.graph), dumps[2]);
                    assert_eq!(opened.warnings.len(), 1);
                }
                Err(DbError::Corrupt { .. }) => {
                    assert_eq!(fs::read(&path).expect("file"), bad, "unchanged on error");
                }
                Err(DbError::NewerFormat { .. }) if name == SNAPSHOT => {}
                Err(other) => panic!("{name} byte {at}: unexpected {other}"),
            }
            fs::write(&path, &original).expect("restore");
        }
    }
    assert_eq!(dump(&open(dir.path()).graph), dumps[3]);
}

#[test]
fn a_second_writer_is_refused_with_the_holders_pid() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let first = open(dir.path());
    let second = Database::open(dir.path(), Options::default()).expect_err("locked");
    assert!(
        matches!(second, DbError::Locked { holder: Some(pid), .. } if pid == std::process::id())
    );
    let reader = Options {
        read_only: true,
        ..Options::default()
    };
    assert!(matches!(
        Database::open(dir.path(), reader.clone()),
        Err(DbError::Locked { .. })
    ));
    drop(first);
    let a = Database::open(dir.path(), reader.clone()).expect("reader");
    let b = Database::open(dir.path(), reader).expect("second reader");
    assert!(a.database.is_read_only() && b.database.is_read_only());
    assert!(matches!(
        Database::open(dir.path(), Options::default()),
        Err(DbError::Locked { .. })
    ));
}

#[test]
fn foreign_and_newer_directories_are_refused() {
    let dir = tempfile::tempdir().expect("temporary directory");
    fs::write(dir.path().join("notes.txt"), "mine").expect("write");
    assert!(matches!(
        Database::open(dir.path(), Options::default()),
        Err(DbError::NotADatabase { .. })
    ));
    let db = dir.path().join("db");
    drop(open(&db));
    fs::write(db.join(MARKER), "kg database\nformat 99\n").expect("write");
    assert!(matches!(
        Database::open(&db, Options::default()),
        Err(DbError::NewerFormat { found: 99, .. })
    ));
}

#[test]
fn a_read_only_database_refuses_writes_and_keeps_the_graph() {
    let (dir, dumps) = small_database();
    let opened = Database::open(
        dir.path(),
        Options {
            read_only: true,
            ..Options::default()
        },
    )
    .expect("opens");
    let mut session = Session::with_graph(opened.graph);
    session.set_durability(Box::new(opened.database));
    let err = session.run("CREATE (:New)").expect_err("read-only");
    assert_eq!(err.kind, crate::ErrorKind::TransactionError);
    // The same graph; only the refused node's id stays taken, in memory.
    let entities = |dump: &str| dump.lines().skip(1).collect::<Vec<_>>().join("\n");
    assert_eq!(entities(&dump(session.graph())), entities(&dumps[3]));
}

/// A sink whose disk is always full.
#[derive(Debug)]
struct FullDisk;

impl crate::Durability for FullDisk {
    fn commit(&mut self, _: &Graph, _: &UndoLog) -> QueryResult<()> {
        Err(QueryError::transaction("no space left on device"))
    }

    fn checkpoint(&mut self, _: &Graph) -> QueryResult<()> {
        Err(QueryError::transaction("no space left on device"))
    }
}

#[test]
fn a_commit_that_cannot_be_kept_undoes_the_whole_transaction() {
    let mut session = Session::new();
    session.run("CREATE (:Before {v: 1})").expect("runs");
    let before = dump(session.graph());
    session.set_durability(Box::new(FullDisk));
    session.begin().expect("begins");
    session
        .run("MATCH (b:Before) SET b.v = 2 CREATE (:In)")
        .expect("runs");
    session
        .run("MATCH (b:Before) DETACH DELETE b")
        .expect("runs");
    assert!(session.commit().is_err());
    assert!(!session.in_transaction());
    let entities = |dump: &str| dump.lines().skip(1).collect::<Vec<_>>().join("\n");
    assert_eq!(entities(&dump(session.graph())), entities(&before));
    assert!(session.run("CREATE (:Auto)").is_err());
    assert_eq!(entities(&dump(session.graph())), entities(&before));
}
