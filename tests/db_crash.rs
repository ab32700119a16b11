//! Crash test: a writer streams small committed statements and explicit transactions into
//! `kg --db`, printing an acknowledgement after each commit, and is killed with SIGKILL at
//! a random moment; reopening must show every acknowledged commit, at most the one in
//! flight beyond it, no gaps, and no part of an uncommitted transaction.
//!
//! `cargo test` runs 20 trials; `.ci/crash-test [TRIALS]` runs the full campaign on a
//! release build. `KG_CRASH_TRIALS`, `KG_CRASH_SEED` and `KG_CRASH_MAX_DELAY_MS` steer it;
//! the seed is printed so that a failing campaign can be rerun.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Statements of one explicit transaction (all or none must survive).
const TX_SIZE: u64 = 3;
/// Units (auto-commit statements or transactions) in one writer's script.
const UNITS: u64 = 4000;

fn kg() -> Command {
    let bin = std::env::var("KG_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_kg").to_string());
    let mut cmd = Command::new(bin);
    cmd.env("NO_COLOR", "1");
    cmd
}

/// xorshift64*: enough randomness for kill times, with a seed to replay a campaign.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// The script for units `first..first + UNITS`: odd units are one CREATE, even units a
/// transaction of `TX_SIZE` CREATEs; each ends with a `RETURN n AS acked` that runs (and
/// prints) only once the unit is committed.
fn script(first: u64) -> String {
    let mut text = String::new();
    for n in first..first + UNITS {
        if n % 2 == 1 {
            text.push_str(&format!("CREATE (:T {{unit: {n}, at: timestamp()}});\n"));
        } else {
            text.push_str(":begin\n");
            for j in 0..TX_SIZE {
                text.push_str(&format!("CREATE (:U {{unit: {n}, j: {j}}});\n"));
            }
            text.push_str(":commit\n");
        }
        text.push_str(&format!("RETURN {n} AS acked;\n"));
    }
    text
}

/// Units found in the database, with how many nodes each has.
fn units_in(db: &Path) -> BTreeMap<u64, u64> {
    let out = kg()
        .args(["--db"])
        .arg(db)
        .args(["--format", "json", "-c"])
        .arg("MATCH (n) RETURN n.unit AS unit, count(*) AS nodes")
        .output()
        .expect("kg runs");
    assert!(
        out.status.success(),
        "reopening failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("one JSON line from the check");
    line["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| {
            let unit = row[0].as_u64().expect("unit");
            (unit, row[1].as_u64().expect("count"))
        })
        .collect()
}

/// What one trial saw.
#[derive(Debug, Default)]
struct Outcome {
    acked: u64,
    /// Units committed but killed before their acknowledgement was printed.
    in_flight: u64,
    torn_tails: u64,
}

/// Runs a writer from unit `first`, kills it after `delay`, and checks the reopened database.
fn trial(db: &Path, first: u64, delay: Duration, checkpoint_bytes: u64) -> (u64, Outcome) {
    let dir = db.parent().expect("database has a parent directory");
    let script_path = dir.join("writer.cypher");
    std::fs::write(&script_path, script(first)).expect("script written");
    let mut child = kg()
        .arg("--db")
        .arg(db)
        .args(["--format", "json", "--checkpoint-bytes"])
        .arg(checkpoint_bytes.to_string())
        .arg("-f")
        .arg(&script_path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("writer starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let reader = std::thread::spawn(move || {
        let mut acked = first - 1;
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let Ok(value) = serde_json::from_str::<serde_json::Value>(&line) else {
                continue;
            };
            if value["columns"][0] == "acked" {
                acked = value["rows"][0][0].as_u64().expect("acked unit");
            }
        }
        acked
    });
    std::thread::sleep(delay);
    // SIGKILL: no destructor, no clean-exit checkpoint.
    let _ = child.kill();
    let _ = child.wait();
    let acked = reader.join().expect("reader thread");

    // The check reopens the database; its warnings (a torn tail) go to stderr.
    let probe = kg()
        .arg("--db")
        .arg(db)
        .args(["-c", "RETURN 1"])
        .output()
        .expect("kg runs");
    assert!(
        probe.status.success(),
        "reopen failed after a kill: {}",
        String::from_utf8_lossy(&probe.stderr)
    );
    let torn = String::from_utf8_lossy(&probe.stderr).contains("dropped");
    let units = units_in(db);
    let last = units.keys().next_back().copied().unwrap_or(0);
    for n in 1..=last {
        let expected = if n % 2 == 1 { 1 } else { TX_SIZE };
        assert_eq!(
            units.get(&n).copied(),
            Some(expected),
            "unit {n}: a gap or a partial transaction (acknowledged up to {acked}, found up to {last})"
        );
    }
    assert!(
        last >= acked,
        "acknowledged unit {acked} is missing (found up to {last})"
    );
    assert!(
        last <= acked + 1,
        "units beyond the one in flight survived ({acked} acknowledged, {last} found)"
    );
    (
        last,
        Outcome {
            acked: acked - (first - 1),
            in_flight: last - acked,
            torn_tails: u64::from(torn),
        },
    )
}

#[test]
fn killed_writers_lose_no_acknowledged_commit() {
    let trials: u64 = std::env::var("KG_CRASH_TRIALS")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(20);
    let max_delay: u64 = std::env::var("KG_CRASH_MAX_DELAY_MS")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(300);
    let seed = std::env::var("KG_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
                | 1
        });
    println!("crash test: {trials} trials, seed {seed}, kills within {max_delay} ms");
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("db");
    let mut total = Outcome::default();
    let mut last = 0;
    for t in 0..trials {
        let delay = Duration::from_micros(rng.below(max_delay * 1000));
        // Small logs now and then, so that kills also land inside checkpoints.
        let checkpoint_bytes = if rng.below(2) == 0 { 4096 } else { 1 << 20 };
        let (found, outcome) = trial(&db, last + 1, delay, checkpoint_bytes);
        last = found;
        total.acked += outcome.acked;
        total.in_flight += outcome.in_flight;
        total.torn_tails += outcome.torn_tails;
        if (t + 1) % 100 == 0 {
            println!("  {} trials, {last} units committed", t + 1);
        }
    }
    let report = format!(
        "crash test: {trials} trials passed (seed {seed}): {last} units committed, {} acknowledged; {} committed in flight (killed before the acknowledgement); {} reopenings cut a torn tail",
        total.acked, total.in_flight, total.torn_tails
    );
    println!("{report}");
    if let Ok(path) = std::env::var("KG_CRASH_REPORT") {
        let mut file = std::fs::File::create(path).expect("report file");
        writeln!(file, "{report}").expect("report written");
    }
    assert!(
        last > 0,
        "no trial committed anything: kills came too early"
    );
}
