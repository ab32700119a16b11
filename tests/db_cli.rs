//! `kg --db` from the command line: a database survives the process, transactions in
//! scripts, one writer at a time, read-only opening, refusals with clear errors, a disk
//! that fills up (RLIMIT_FSIZE), and the REPL's transaction prompt.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use expectrl::Expect;
use expectrl::process::unix::{PtyStream, UnixProcess};

type Repl = expectrl::Session<UnixProcess, PtyStream>;

fn kg() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kg"));
    cmd.env("NO_COLOR", "1").env_remove("COLUMNS");
    cmd
}

fn run(db: &Path, args: &[&str], script: &str) -> Output {
    kg().arg("--db")
        .arg(db)
        .args(args)
        .args(["-c", script])
        .output()
        .expect("kg runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The CSV rows (after the header) of a one-statement query.
fn rows(db: &Path, query: &str) -> Vec<String> {
    let out = run(db, &["--format", "csv"], query);
    assert!(out.status.success(), "{query}: {}", stderr(&out));
    stdout(&out).lines().skip(1).map(String::from).collect()
}

#[test]
fn a_database_keeps_commits_and_ids_across_processes() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("db");
    let out = run(
        &db,
        &[],
        "CREATE (:P {name: 'a'});\n:begin\nCREATE (:P {name: 'b'});\n:rollback\n\
         :begin\nCREATE (:P {name: 'c'})-[:K]->(:P {name: 'd'});\n:commit\n\
         MATCH (p {name: 'a'}) SET p.t = date('2024-02-29')",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        rows(&db, "MATCH (p:P) RETURN id(p), p.name, p.t ORDER BY id(p)"),
        ["0,a,2024-02-29", "2,c,", "3,d,"]
    );
    // Ids taken by the rolled-back node stay taken.
    assert_eq!(rows(&db, "CREATE (n) RETURN id(n)"), ["4"]);
    assert_eq!(rows(&db, "MATCH ()-[r:K]->() RETURN id(r)"), ["0"]);
}

#[test]
fn a_script_that_leaves_a_transaction_open_rolls_it_back() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("db");
    let out = run(&db, &[], ":begin\nCREATE (:Lost)");
    assert!(out.status.success());
    assert!(
        stderr(&out).contains("rolled back (1 statement"),
        "{}",
        stderr(&out)
    );
    assert_eq!(rows(&db, "MATCH (n) RETURN count(n)"), ["0"]);
    // The same without a database: in-memory transactions.
    let out = kg()
        .args(["--empty", "--format", "csv", "-c"])
        .arg(":begin\nCREATE (:T);\n:rollback\nMATCH (n) RETURN count(n)")
        .output()
        .expect("kg runs");
    assert_eq!(stdout(&out).lines().last(), Some("0"));
    let out = kg()
        .args(["--empty", "-c", ":checkpoint"])
        .output()
        .expect("kg runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no database is open"));
}

#[test]
fn a_second_writer_is_refused_naming_the_first() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("db");
    // A REPL holds the database while it waits at its prompt.
    let mut repl = repl(&db);
    let second = run(&db, &[], "RETURN 1");
    assert_eq!(second.status.code(), Some(2));
    let message = stderr(&second);
    let holder = format!("pid {}", repl.get_process().pid());
    assert!(
        message.contains(&holder) && message.contains("in use"),
        "{message}"
    );
    repl.send("CREATE (:First);\r").expect("send");
    repl.expect("kg> ").expect("prompt");
    repl.send(":quit\r").expect("send");
    repl.expect(expectrl::Eof).expect("leaves");
    assert_eq!(rows(&db, "MATCH (n:First) RETURN count(n)"), ["1"]);
}

#[test]
fn read_only_opening_reads_and_refuses_writes() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("db");
    let out = run(&db, &["--read-only"], "RETURN 1");
    assert_eq!(out.status.code(), Some(2), "no database to read");
    assert!(!db.exists());
    assert!(run(&db, &[], "CREATE (:A)").status.success());
    let out = run(
        &db,
        &["--read-only", "--format", "csv"],
        "MATCH (n) RETURN count(n)",
    );
    assert_eq!(stdout(&out).lines().last(), Some("1"));
    let out = run(&db, &["--read-only"], "CREATE (:B)");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("read-only"), "{}", stderr(&out));
    assert_eq!(rows(&db, "MATCH (n) RETURN count(n)"), ["1"]);
}

#[test]
fn bad_directories_and_save_targets_are_refused() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let foreign = dir.path().join("foreign");
    std::fs::create_dir(&foreign).expect("dir");
    std::fs::write(foreign.join("x.txt"), "mine").expect("file");
    let out = run(&foreign, &[], "RETURN 1");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not a kg database"),
        "{}",
        stderr(&out)
    );

    let db = dir.path().join("db");
    assert!(run(&db, &[], "CREATE (:A)").status.success());
    let out = run(&db, &[], &format!(":save {}", db.display()));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("database directory"),
        "{}",
        stderr(&out)
    );

    let snapshot = db.join("snapshot");
    let mut bytes = std::fs::read(&snapshot).expect("snapshot");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    std::fs::write(&snapshot, &bytes).expect("damaged");
    let out = run(&db, &[], "RETURN 1");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("damaged"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(&snapshot).expect("snapshot"),
        bytes,
        "left as it was"
    );

    std::fs::write(db.join("KG_DATABASE"), "kg database\nformat 7\n").expect("marker");
    let out = run(&db, &[], "RETURN 1");
    assert!(stderr(&out).contains("newer"), "{}", stderr(&out));
}

#[test]
fn data_is_imported_into_a_new_database_only() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("db");
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample");
    let data = sample.to_str().expect("utf-8 path");
    let count = |out: &Output| stdout(out).lines().last().map(String::from);
    let first = run(
        &db,
        &["--data", data, "--format", "csv"],
        "MATCH (n) RETURN count(n)",
    );
    assert!(first.status.success(), "{}", stderr(&first));
    let again = run(
        &db,
        &["--data", data, "--format", "csv"],
        "MATCH (n) RETURN count(n)",
    );
    assert!(stderr(&again).contains("--data ignored"));
    assert_eq!(count(&again), count(&first));
    assert_ne!(count(&first).as_deref(), Some("0"));
}

/// A file-size limit makes the log's append fail as a full disk would (EFBIG for ENOSPC).
#[test]
fn a_failed_append_rolls_the_statement_back() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("db");
    assert!(run(&db, &[], "CREATE (:Kept)").status.success());
    let mut cmd = kg();
    cmd.arg("--db").arg(&db).args([
        "--continue-on-error",
        "--format",
        "csv",
        "-c",
        "UNWIND range(1, 2000) AS i CREATE (:Big {s: 'a string to fill the log'});\n\
         MATCH (n) RETURN count(n);\nCREATE (:Small);\nMATCH (n) RETURN count(n)",
    ]);
    // SAFETY: setrlimit and signal are async-signal-safe; run in the child before exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let limit = libc::rlimit {
                rlim_cur: 8192,
                rlim_max: 8192,
            };
            libc::setrlimit(libc::RLIMIT_FSIZE, &limit);
            Ok(())
        });
    }
    let out = cmd.output().expect("kg runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("could not be made durable"),
        "{}",
        stderr(&out)
    );
    let counts: Vec<String> = stdout(&out)
        .lines()
        .filter(|l| l.parse::<u32>().is_ok())
        .map(String::from)
        .collect();
    // The failed statement left nothing in memory either; the next one commits.
    assert_eq!(counts, ["1", "2"]);
    assert_eq!(
        rows(&db, "MATCH (n) RETURN labels(n)[0] ORDER BY id(n)"),
        ["Kept", "Small"]
    );
}

/// The REPL over `db` in a pty, at its first prompt.
fn repl(db: &Path) -> Repl {
    let mut cmd = kg();
    cmd.arg("--db")
        .arg(db)
        .args(["--history", "off"])
        .env("TERM", "xterm");
    let mut repl = expectrl::Session::spawn(cmd).expect("spawn kg in a pty");
    repl.set_expect_timeout(Some(Duration::from_secs(10)));
    repl.expect("kg> ").expect("prompt");
    repl
}

#[test]
fn the_prompt_shows_an_open_transaction_and_leaving_asks() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("db");
    let mut repl = repl(&db);
    repl.send(":begin\r").expect("send");
    repl.expect("kg# ").expect("transaction prompt");
    repl.send("CREATE (:InTx);\r").expect("send");
    repl.expect("kg# ").expect("still in the transaction");
    repl.send(":quit\r").expect("send");
    repl.expect("Leave again to roll it back").expect("asked");
    repl.send(":commit\r").expect("send");
    repl.expect("committed").expect("committed");
    repl.expect("kg> ").expect("plain prompt again");
    repl.send(":quit\r").expect("send");
    repl.expect(expectrl::Eof)
        .expect("leaves without asking: the commit is on disk");
    assert_eq!(rows(&db, "MATCH (n:InTx) RETURN count(n)"), ["1"]);
}

#[test]
fn indexes_and_constraints_survive_reopening_from_the_log_and_from_a_checkpoint() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("db");
    let out = run(
        &db,
        &[],
        "CREATE (:C {k: 1}), (:C {k: 2});\n\
         CREATE INDEX byk FOR (c:C) ON (c.k);\n\
         CREATE CONSTRAINT uniq FOR (c:C) REQUIRE c.v IS UNIQUE",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let show = |db: &Path| rows(db, "SHOW INDEXES");
    // Replayed from the log.
    assert_eq!(show(&db).len(), 2, "{:?}", show(&db));
    let explain = stdout(&run(&db, &[], "EXPLAIN MATCH (c:C) WHERE c.k > 1 RETURN c"));
    assert!(explain.contains("NodeIndexSeekByRange"), "{explain}");
    assert_eq!(rows(&db, "MATCH (c:C) WHERE c.k > 1 RETURN c.k"), ["2"]);
    // The constraint still holds after reopening.
    let out = run(&db, &[], "CREATE (:C {v: 1}), (:C {v: 1})");
    assert!(!out.status.success());
    let report = format!("{}{}", stdout(&out), stderr(&out));
    assert!(report.contains("ConstraintVerificationFailed"), "{report}");
    // Read back from a checkpoint (snapshot), after a drop.
    let out = run(&db, &[], "DROP INDEX byk;\n:checkpoint");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(show(&db).len(), 1, "{:?}", show(&db));
    let out = run(&db, &[], "CREATE (:C {v: 3}), (:C {v: 3})");
    assert!(!out.status.success());
}
