//! openCypher TCK runner: one libtest-mimic trial per scenario (and per Examples row of an
//! outline), named after the feature's path, e.g. `clauses/match/Match1 [2] Matching all nodes`.
//!
//! Features come from `$KG_TCK_DIR` (the `features` directory, or the TCK root holding it),
//! else `../shared/tck/features` beside the crate. Each scenario runs in-process on a fresh
//! `kg::Session`, on its own thread with a time limit.
//!
//! The ratchet `tests/tck/passing.txt` lists the scenarios known to pass: one of those failing
//! fails the run; any other failing scenario is reported as ignored, so coverage can grow
//! without breaking `cargo test`. `KG_TCK_UPDATE=1 cargo test --test tck` rewrites the list;
//! `KG_TCK_STRICT=1` fails every failing scenario, with its reason (filter by name to read one).
//! `KG_TCK_CLI=1` runs every scenario through the `kg` binary and its JSON Lines output, as the
//! outside conformance check does, instead of in process (slower: one process per query);
//! scenarios that define test procedures are skipped there (the binary cannot define them).
//! After the run a summary per feature directory is printed and written to
//! `target/tck-summary.txt`.

#[path = "tck/cli.rs"]
mod cli;
#[path = "tck/gherkin.rs"]
mod gherkin;
#[path = "tck/scenario.rs"]
mod scenario;
#[path = "tck/values.rs"]
mod values;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use libtest_mimic::{Arguments, Completion, Failed, Trial};

use gherkin::Step;

/// Feature directories counted apart from the total: kg does not aim at them yet.
const OUT_OF_SCOPE: [&str; 0] = [];

/// A scenario taking longer than this is cancelled and fails.
const TIME_LIMIT: Duration = Duration::from_secs(10);

/// Name of the threads that run scenarios; their panics are reported by the trial, not printed.
const SCENARIO_THREAD: &str = "tck-scenario";

/// One runnable scenario.
struct Case {
    name: String,
    /// Feature directory, e.g. `clauses/match`.
    dir: String,
    steps: Vec<Step>,
    /// Tagged `@ignore` in the TCK itself.
    ignored: bool,
}

/// Pass/fail per scenario name, filled in by the trials.
type Results = Arc<Mutex<HashMap<String, bool>>>;

/// The first line of each failing scenario's message, for the ratchet's comments.
type Reasons = Arc<Mutex<HashMap<String, String>>>;

/// The slowest scenario so far: (time, name).
type Slowest = Arc<Mutex<(Duration, String)>>;

fn main() -> ExitCode {
    let args = Arguments::from_args();
    install_quiet_panic_hook();

    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let features_dir = features_dir(manifest);
    let graphs_dir = features_dir
        .parent()
        .map_or_else(|| PathBuf::from("graphs"), |p| p.join("graphs"));
    let ratchet_path = manifest.join("tests/tck/passing.txt");
    let ratchet = read_ratchet(&ratchet_path);

    let mut trials = self_test_trials();
    let (cases, broken) = discover(&features_dir);
    trials.extend(broken);
    trials.push(tables_parse_trial(&cases));

    // KG_TCK_STRICT=1 fails every failing scenario, to read why it fails.
    let strict = std::env::var_os("KG_TCK_STRICT").is_some();
    let results: Results = Arc::default();
    let reasons: Reasons = Arc::default();
    let slowest: Slowest = Arc::default();
    let graphs_dir = Arc::new(graphs_dir);
    let through_cli = std::env::var_os("KG_TCK_CLI").is_some();
    for case in &cases {
        // The binary has no way to define the TCK's test procedures: such scenarios only
        // run in process.
        if through_cli && defines_procedure(&case.steps) {
            let trial = Trial::test(case.name.clone(), || Ok(()))
                .with_ignored_flag(true)
                .with_kind("needs test procedures (in-process only)");
            trials.push(trial);
            continue;
        }
        let on_ratchet = ratchet.contains(&case.name);
        let must_pass = on_ratchet || strict;
        let steps = case.steps.clone();
        let name = case.name.clone();
        let results = results.clone();
        let reasons = reasons.clone();
        let slowest = slowest.clone();
        let graphs_dir = graphs_dir.clone();
        let trial = Trial::ignorable_test(case.name.clone(), move || {
            let started = Instant::now();
            // In process, a scenario runs a second time with the optimizer off: the
            // optimizer may change how rows are found, never which.
            let outcome = run_isolated(steps.clone(), &graphs_dir, true).and_then(|()| {
                if std::env::var_os("KG_TCK_CLI").is_some() {
                    return Ok(());
                }
                run_isolated(steps, &graphs_dir, false)
                    .map_err(|e| format!("with the optimizer off: {e}"))
            });
            let elapsed = started.elapsed();
            if let Ok(mut slow) = slowest.lock()
                && elapsed > slow.0
            {
                *slow = (elapsed, name.clone());
            }
            if let Ok(mut map) = results.lock() {
                map.insert(name.clone(), outcome.is_ok());
            }
            if let (Err(message), Ok(mut map)) = (&outcome, reasons.lock()) {
                map.insert(name, first_line(message, 160));
            }
            match outcome {
                Ok(()) => Ok(Completion::Completed),
                Err(message) if on_ratchet => Err(Failed::from(format!(
                    "{message}\n(this scenario is in tests/tck/passing.txt: it used to pass)"
                ))),
                Err(message) if must_pass => Err(Failed::from(message)),
                Err(message) => Ok(Completion::ignored_with(format!(
                    "not passing yet: {}",
                    first_line(&message, 120)
                ))),
            }
        });
        trials.push(trial.with_ignored_flag(case.ignored));
    }

    let unfiltered = args.filter.is_none() && args.skip.is_empty() && !args.list;
    let conclusion = libtest_mimic::run(&args, trials);
    if args.list {
        return conclusion.exit_code();
    }

    let results = results.lock().map(|m| m.clone()).unwrap_or_default();
    let mut summary = summarize(&cases, &results, &ratchet, unfiltered);
    if std::env::var_os("KG_TCK_CLI").is_some() {
        summary.insert_str(0, "tck: through the kg binary (KG_TCK_CLI)\n");
    }
    if let Ok(slow) = slowest.lock()
        && !slow.1.is_empty()
    {
        let _ = writeln!(summary, "tck: slowest scenario {:?}: {}", slow.0, slow.1);
    }
    print!("{summary}");
    if unfiltered {
        write_summary_file(&summary);
    }
    if std::env::var_os("KG_TCK_UPDATE").is_some() {
        let reasons = reasons.lock().map(|m| m.clone()).unwrap_or_default();
        update_ratchet(&ratchet_path, &ratchet, &cases, &results, &reasons);
    }
    conclusion.exit_code()
}

/// Whether a scenario defines a test procedure (`And there exists a procedure ...`).
fn defines_procedure(steps: &[Step]) -> bool {
    steps
        .iter()
        .any(|step| step.text.starts_with("there exists a procedure "))
}

/// `$KG_TCK_DIR` (features dir or TCK root), else `../shared/tck/features`.
fn features_dir(manifest: &Path) -> PathBuf {
    let dir = std::env::var_os("KG_TCK_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../shared/tck/features"));
    if dir.join("features").is_dir() {
        dir.join("features")
    } else {
        dir
    }
}

/// Reads every feature file; files that do not parse become failing trials.
fn discover(features_dir: &Path) -> (Vec<Case>, Vec<Trial>) {
    let mut files = Vec::new();
    if let Err(e) = collect_features(features_dir, &mut files) {
        let message = format!(
            "cannot read TCK features at {}: {e}",
            features_dir.display()
        );
        return (
            Vec::new(),
            vec![Trial::test("tck features", move || Err(message.into()))],
        );
    }
    files.sort();
    let mut cases = Vec::new();
    let mut broken = Vec::new();
    let mut seen = HashSet::new();
    for file in files {
        let rel = file
            .strip_prefix(features_dir)
            .unwrap_or(&file)
            .with_extension("");
        let rel = rel.to_string_lossy().replace('\\', "/");
        let dir = rel.rsplit_once('/').map_or("", |(d, _)| d).to_string();
        let feature = std::fs::read_to_string(&file)
            .map_err(|e| e.to_string())
            .and_then(|text| gherkin::parse_feature(&text).map_err(|e| e.to_string()));
        let feature = match feature {
            Ok(f) => f,
            Err(e) => {
                let message = format!("{}: {e}", file.display());
                broken.push(Trial::test(format!("{rel} (feature file)"), move || {
                    Err(message.into())
                }));
                continue;
            }
        };
        let scenarios = feature.concrete_scenarios();
        let mut rows_per_outline: HashMap<usize, usize> = HashMap::new();
        for s in &scenarios {
            *rows_per_outline.entry(s.line).or_default() += 1;
        }
        for s in scenarios {
            // One line per name in passing.txt, whatever an outline substitutes into it.
            let mut name = format!("{rel} {}", s.name.replace(char::is_control, " "));
            if let Some(row) = s.example.filter(|_| rows_per_outline[&s.line] > 1) {
                let _ = write!(name, " #{row}");
            }
            if !seen.insert(name.clone()) {
                let _ = write!(name, " (line {})", s.line);
                seen.insert(name.clone());
            }
            cases.push(Case {
                name,
                dir: dir.clone(),
                ignored: s.tags.iter().any(|t| t == "@ignore"),
                steps: s.steps,
            });
        }
    }
    (cases, broken)
}

fn collect_features(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_features(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "feature") {
            out.push(path);
        }
    }
    Ok(())
}

thread_local! {
    /// The last panic on this thread, with its location, for the trial's failure message.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn install_quiet_panic_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name() == Some(SCENARIO_THREAD) {
            LAST_PANIC.with(|p| *p.borrow_mut() = Some(info.to_string()));
        } else {
            default(info);
        }
    }));
}

/// Runs a scenario on its own thread (a big stack, panics caught) and gives up after
/// `TIME_LIMIT`, cancelling the session so the thread can finish.
fn run_isolated(steps: Vec<Step>, graphs_dir: &Arc<PathBuf>, optimize: bool) -> Result<(), String> {
    let (cancel_tx, cancel_rx) = mpsc::channel::<Arc<AtomicBool>>();
    let (done_tx, done_rx) = mpsc::channel::<Result<(), String>>();
    let graphs_dir = graphs_dir.clone();
    let spawned = std::thread::Builder::new()
        .name(SCENARIO_THREAD.into())
        .stack_size(64 << 20)
        .spawn(move || {
            let outcome = std::panic::catch_unwind(move || {
                if std::env::var_os("KG_TCK_CLI").is_some() {
                    let exe = PathBuf::from(env!("CARGO_BIN_EXE_kg"));
                    // Leave time to report a hung process before the thread's own limit.
                    let mut backend = cli::Cli::new(exe, TIME_LIMIT.mul_f32(0.8));
                    scenario::run_scenario(&mut backend, &steps, &graphs_dir)
                } else {
                    let mut backend = if optimize {
                        scenario::InProcess::default()
                    } else {
                        scenario::InProcess::unoptimized()
                    };
                    let _ = cancel_tx.send(backend.cancel_handle());
                    scenario::run_scenario(&mut backend, &steps, &graphs_dir)
                }
            });
            let outcome = outcome.unwrap_or_else(|_| {
                let panic = LAST_PANIC.with(|p| p.borrow_mut().take());
                Err(format!("panicked: {}", panic.unwrap_or_default()))
            });
            let _ = done_tx.send(outcome);
        });
    if let Err(e) = spawned {
        return Err(format!("cannot start a thread: {e}"));
    }
    match done_rx.recv_timeout(TIME_LIMIT) {
        Ok(outcome) => outcome,
        Err(mpsc::RecvTimeoutError::Disconnected) => Err("the scenario thread died".into()),
        Err(mpsc::RecvTimeoutError::Timeout) => {
            // `Session::run` clears the flag per statement, so keep setting it for a while.
            let cancel = cancel_rx.try_recv().ok();
            for _ in 0..200 {
                if let Some(flag) = &cancel {
                    flag.store(true, Ordering::SeqCst);
                }
                if done_rx.recv_timeout(Duration::from_millis(10)).is_ok() {
                    return Err(format!("timed out after {TIME_LIMIT:?} (cancelled)"));
                }
            }
            Err(format!(
                "timed out after {TIME_LIMIT:?}; cancelling did not stop it, the thread was abandoned"
            ))
        }
    }
}

fn first_line(text: &str, max_chars: usize) -> String {
    let line = text.lines().next().unwrap_or("");
    if line.chars().count() > max_chars {
        let cut: String = line.chars().take(max_chars).collect();
        format!("{cut}…")
    } else {
        line.to_string()
    }
}

fn read_ratchet(path: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// Rewrites the ratchet file with `next_ratchet`, then, as comments, every scenario that
/// is not on it and why (the TCK's own `@ignore` tag, or the first line of its failure).
fn update_ratchet(
    path: &Path,
    old: &BTreeSet<String>,
    cases: &[Case],
    results: &HashMap<String, bool>,
    reasons: &HashMap<String, String>,
) {
    let known: HashSet<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    let passing = next_ratchet(old, &known, results);
    let mut text = String::from(
        "# openCypher TCK scenarios that pass; failing one of these fails `cargo test`.\n\
         # Regenerate with: KG_TCK_UPDATE=1 cargo test --test tck\n",
    );
    for name in &passing {
        text.push_str(name);
        text.push('\n');
    }
    let mut not_passing: Vec<(&str, &str)> = cases
        .iter()
        .filter(|c| !passing.contains(c.name.as_str()))
        .map(|c| {
            let why = if c.ignored {
                "tagged @ignore in the TCK itself"
            } else {
                reasons.get(&c.name).map_or("did not run", String::as_str)
            };
            (c.name.as_str(), why)
        })
        .collect();
    not_passing.sort_unstable();
    not_passing.dedup();
    if !not_passing.is_empty() {
        text.push_str("#\n# Not passing, and why:\n");
        for (name, why) in not_passing {
            let _ = writeln!(text, "# {name}: {why}");
        }
    }
    match std::fs::write(path, text) {
        Ok(()) => println!(
            "tck: wrote {} scenarios to {}",
            passing.len(),
            path.display()
        ),
        Err(e) => eprintln!("tck: cannot write {}: {e}", path.display()),
    }
}

/// The new ratchet: scenarios that ran keep their result; those that did not run (a filtered
/// run) keep their old entry; names of scenarios that no longer exist are dropped.
fn next_ratchet<'a>(
    old: &'a BTreeSet<String>,
    known: &HashSet<&str>,
    results: &'a HashMap<String, bool>,
) -> BTreeSet<&'a str> {
    let mut passing: BTreeSet<&str> = old
        .iter()
        .map(String::as_str)
        .filter(|n| known.contains(n) && !results.contains_key(*n))
        .collect();
    passing.extend(
        results
            .iter()
            .filter(|(_, ok)| **ok)
            .map(|(n, _)| n.as_str()),
    );
    passing
}

fn summarize(
    cases: &[Case],
    results: &HashMap<String, bool>,
    ratchet: &BTreeSet<String>,
    unfiltered: bool,
) -> String {
    let mut per_dir: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for case in cases {
        if let Some(ok) = results.get(&case.name) {
            let entry = per_dir.entry(case.dir.as_str()).or_default();
            entry.0 += usize::from(*ok);
            entry.1 += 1;
        }
    }
    let mut out = String::new();
    let (mut passed, mut total) = (0, 0);
    let mut out_of_scope = Vec::new();
    for (dir, (p, t)) in &per_dir {
        if OUT_OF_SCOPE.contains(dir) {
            out_of_scope.push(format!("{dir} {p}/{t}"));
            continue;
        }
        let _ = writeln!(out, "tck: {dir} {p}/{t}");
        passed += p;
        total += t;
    }
    let _ = writeln!(out, "tck: total {passed}/{total}");
    if !out_of_scope.is_empty() {
        let _ = writeln!(
            out,
            "tck: out of scope for now (not in the total): {}",
            out_of_scope.join(", ")
        );
    }
    let regressions: Vec<&String> = results
        .iter()
        .filter(|(n, ok)| !**ok && ratchet.contains(*n))
        .map(|(n, _)| n)
        .collect();
    let new_passes = results
        .iter()
        .filter(|(n, ok)| **ok && !ratchet.contains(*n))
        .count();
    let _ = write!(
        out,
        "tck: ratchet tests/tck/passing.txt lists {}; {} of them failed",
        ratchet.len(),
        regressions.len()
    );
    if new_passes > 0 {
        let _ = write!(
            out,
            "; {new_passes} more pass (add them: KG_TCK_UPDATE=1 cargo test --test tck)"
        );
    }
    out.push('\n');
    if unfiltered {
        let known: HashSet<&str> = cases.iter().map(|c| c.name.as_str()).collect();
        let stale: Vec<&String> = ratchet
            .iter()
            .filter(|n| !known.contains(n.as_str()))
            .collect();
        if !stale.is_empty() {
            let _ = writeln!(
                out,
                "tck: {} ratchet entries name no scenario (renamed?), e.g. `{}`",
                stale.len(),
                stale[0]
            );
        }
    }
    out
}

/// `target/tck-summary.txt`, found from the test binary's own path (target/<profile>/deps/).
fn write_summary_file(summary: &str) {
    let target = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.ancestors().nth(3).map(Path::to_path_buf))
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let path = target.join("tck-summary.txt");
    if let Err(e) = std::fs::write(&path, summary) {
        eprintln!("tck: cannot write {}: {e}", path.display());
    }
}

/// Every expected cell and parameter value in the TCK must parse, or scenarios would fail for
/// the harness's sake rather than kg's.
fn tables_parse_trial(cases: &[Case]) -> Trial {
    let mut bad = Vec::new();
    for case in cases {
        for step in &case.steps {
            let is_values_table = step.text.starts_with("the result should be")
                || step.text.starts_with("parameters are");
            let Some(table) = step.table.as_ref().filter(|_| is_values_table) else {
                continue;
            };
            // Result tables start with column names; parameter tables have names in column 0.
            let skip_rows = usize::from(step.text.starts_with("the result"));
            let skip_cols = usize::from(step.text.starts_with("parameters"));
            for row in table.iter().skip(skip_rows) {
                for cell in row.iter().skip(skip_cols) {
                    if let Err(e) = values::parse_value(cell) {
                        bad.push(format!("{}: {e}", case.name));
                    }
                }
            }
        }
    }
    Trial::test("harness/tck_tables_parse", move || {
        if bad.is_empty() {
            Ok(())
        } else {
            Err(bad.join("\n").into())
        }
    })
}

/// A module's (name, test) pairs.
type SelfTests = &'static [(&'static str, fn())];

/// The harness's own unit tests, as trials under `harness/`.
fn self_test_trials() -> Vec<Trial> {
    const RUNNER: SelfTests = &[("ratchet_keeps_unrun_entries", ratchet_keeps_unrun_entries)];
    let modules: [(&str, SelfTests); 5] = [
        ("runner", RUNNER),
        ("cli", cli::self_tests::ALL),
        ("gherkin", gherkin::self_tests::ALL),
        ("values", values::self_tests::ALL),
        ("scenario", scenario::self_tests::ALL),
    ];
    modules
        .iter()
        .flat_map(|(module, tests)| {
            tests.iter().map(move |(name, test)| {
                let test = *test;
                Trial::test(format!("harness/{module}/{name}"), move || {
                    test();
                    Ok(())
                })
            })
        })
        .collect()
}

fn ratchet_keeps_unrun_entries() {
    let old: BTreeSet<String> = ["a", "b", "gone", "c"].map(String::from).into();
    let known: HashSet<&str> = ["a", "b", "c", "d"].into();
    let results: HashMap<String, bool> = [("a".to_string(), false), ("d".to_string(), true)].into();
    let next: Vec<&str> = next_ratchet(&old, &known, &results).into_iter().collect();
    // a failed, b and c did not run, d newly passes, gone no longer exists.
    assert_eq!(next, vec!["b", "c", "d"]);
}
