//! The REPL in a real terminal: expectrl drives `kg` in a pty and reads what it draws.
//! Multi-line statements, Tab completion, errors with a caret, :save/:load, Ctrl-R after a
//! restart, and Ctrl-C cancelling a running query.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use expectrl::process::unix::{PtyStream, UnixProcess};
use expectrl::{Expect, Session};

use common::{TempDir, assert_contains};

type Repl = Session<UnixProcess, PtyStream>;

const PROMPT: &str = "kg> ";
const CTRL_C: &str = "\x03";
const CTRL_D: &str = "\x04";
const CTRL_R: &str = "\x12";

fn sample_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample")
}

/// Starts the REPL over `args` with its history in `history`, and waits for the prompt.
fn start(args: &[&str], history: &Path) -> Repl {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kg"));
    cmd.args(args)
        .arg("--history")
        .arg(history)
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .env_remove("PAGER");
    let mut repl = Session::spawn(cmd).expect("spawn kg in a pty");
    repl.set_expect_timeout(Some(Duration::from_secs(10)));
    repl.expect(PROMPT).expect("first prompt");
    repl
}

/// Types `text` and Enter (a carriage return, as a terminal sends it).
fn enter(repl: &mut Repl, text: &str) {
    repl.send(format!("{text}\r")).expect("send input");
}

fn quit(mut repl: Repl) {
    enter(&mut repl, ":quit");
    // Leaving with unsaved changes asks once; a second :quit leaves.
    if repl.expect(PROMPT).is_ok() {
        enter(&mut repl, ":quit");
    }
}

#[test]
fn multi_line_statement_runs_when_complete() {
    let dir = TempDir::new("repl");
    let mut repl = start(&["--empty"], &dir.0.join("history"));
    enter(&mut repl, "RETURN 40 + 2");
    repl.expect(" ->").expect("continuation prompt");
    enter(&mut repl, "  AS answer;");
    repl.expect("42").expect("the result");
    repl.expect("1 row").expect("the footer");
    repl.expect(PROMPT).expect("prompt again");
    quit(repl);
}

#[test]
fn backspace_at_a_continuation_joins_the_lines_whole() {
    let dir = TempDir::new("repl");
    let mut repl = start(&["--empty"], &dir.0.join("history"));
    // Enter continues, Backspace takes the whole ` -> ` and the line break back, Home
    // stops after a prompt: what runs is what is shown, with no stray `->`.
    repl.send("RETURN 1 AS\r").expect("send");
    repl.expect(" ->").expect("continuation prompt");
    repl.send("\r\x7f\x7f").expect("continue, then join twice");
    repl.send(" one,\r2 AS two\x011 + \x05;\r").expect("finish");
    repl.expect("1   | 3").expect("ran as one statement");
    repl.expect(PROMPT).expect("prompt");
    quit(repl);
}

const UP: &str = "\x1b[A";
const DOWN: &str = "\x1b[B";
const END: &str = "\x1b[F";
const HOME: &str = "\x1b[H";

#[test]
fn up_and_down_in_a_recalled_statement_stay_out_of_the_prompt() {
    let dir = TempDir::new("repl");
    let mut repl = start(&["--empty"], &dir.0.join("history"));
    repl.send("RETURN 1 AS a,\r").expect("send");
    repl.expect(" ->").expect("continuation prompt");
    enter(&mut repl, "2 AS b;");
    repl.expect("1 row").expect("ran");
    repl.expect(PROMPT).expect("prompt");
    // Up recalls the statement; Up, Home and Down then reach the start of the second
    // line's text (where Down used to land inside its ` -> `), and typing goes there.
    repl.send(format!("{UP}{UP}{HOME}{DOWN}")).expect("move");
    repl.send(format!("3 AS c, {END}\x0b\r"))
        .expect("edit and run");
    repl.expect("1 | 3 | 2")
        .expect("the text went after the prompt");
    repl.expect(PROMPT).expect("prompt");
    quit(repl);
}

#[test]
fn kill_keys_leave_the_prompt_whole() {
    let dir = TempDir::new("repl");
    let mut repl = start(&["--empty"], &dir.0.join("history"));
    // Ctrl-U on a continuation line kills its text, not its ` -> `; Ctrl-W where only the
    // prompt is left joins the line to the one before, as Backspace does.
    repl.send("RETURN 1 AS\rwrong\x15\x17 one,\r2 AS two;\r")
        .expect("send");
    repl.expect("1   | 2").expect("ran as typed");
    repl.expect(PROMPT).expect("prompt");
    quit(repl);
}

#[test]
fn tab_completes_labels_keys_and_names() {
    let dir = TempDir::new("repl");
    let data = sample_data();
    let mut repl = start(
        &["--data", data.to_str().expect("utf-8")],
        &dir.0.join("history"),
    );
    repl.send("MATCH (c:Compa\t").expect("send");
    repl.expect("Company").expect("label completed");
    repl.send(") RETURN c.valuation_\t").expect("send");
    repl.expect("valuation_usd").expect("key completed");
    repl.send(" AS v ORDER BY v LIMIT 1;\r").expect("send");
    repl.expect("1 row").expect("the query ran");
    repl.expect(PROMPT).expect("prompt");
    repl.send("MATCH (p {name: 'Wu G\t").expect("send");
    repl.expect("Wu Gansha'")
        .expect("node name completed and quoted");
    repl.send("}) RETURN p.name AS name;\r").expect("send");
    repl.expect("'Wu Gansha'").expect("the node was found");
    repl.expect(PROMPT).expect("prompt");
    quit(repl);
}

#[test]
fn errors_show_a_caret_under_the_position() {
    let dir = TempDir::new("repl");
    let mut repl = start(&["--empty"], &dir.0.join("history"));
    enter(&mut repl, "MATCH (p) RETURN q;");
    repl.expect("1:18: SyntaxError (UndefinedVariable)")
        .expect("positioned error");
    repl.expect("  MATCH (p) RETURN q;\r\n                   ^")
        .expect("caret under q");
    repl.expect("did you mean p?").expect("hint");
    repl.expect(PROMPT).expect("prompt");
    quit(repl);
}

#[test]
fn save_then_load_round_trip() {
    let dir = TempDir::new("repl");
    let saved = dir.0.join("saved.toml");
    let mut repl = start(&["--empty"], &dir.0.join("history"));
    enter(&mut repl, "CREATE (:Note {name: 'round trip'});");
    repl.expect("+1 node").expect("created");
    enter(&mut repl, &format!(":save {}", saved.display()));
    repl.expect("saved to").expect("saved");
    enter(&mut repl, "MATCH (n) DETACH DELETE n;");
    repl.expect("-1 node").expect("deleted");
    enter(&mut repl, &format!(":load {}", saved.display()));
    repl.expect("loaded").expect("loaded");
    enter(&mut repl, "MATCH (n:Note) RETURN n.name AS name;");
    repl.expect("'round trip'").expect("the node came back");
    repl.expect(PROMPT).expect("prompt");
    quit(repl);
}

#[test]
fn a_failing_source_returns_to_the_prompt() {
    let dir = TempDir::new("repl");
    let script = dir.write(
        "bad.cypher",
        "RETURN 1 AS a;\nRETURN nope;\nRETURN 3 AS c;\n",
    );
    let mut repl = start(&["--empty"], &dir.0.join("history"));
    enter(&mut repl, &format!(":source {}", script.display()));
    repl.expect("variable `nope` is not defined")
        .expect("the error");
    repl.expect("stopped at the first failure: 1 statement not run")
        .expect("the rest is told");
    // The session goes on (it used to end here).
    repl.expect(PROMPT).expect("prompt");
    enter(&mut repl, "RETURN 2 AS still_here;");
    repl.expect("1 row").expect("still running");
    quit(repl);
}

#[test]
fn history_search_after_restart() {
    let dir = TempDir::new("repl");
    let history = dir.0.join("history");
    let mut first = start(&["--empty"], &history);
    enter(&mut first, "RETURN 'remember me' AS memo;");
    first.expect("1 row").expect("ran");
    first.expect(PROMPT).expect("prompt");
    first.send(CTRL_D).expect("leave");
    first.expect(expectrl::Eof).expect("kg exits on Ctrl-D");

    let mut second = start(&["--empty"], &history);
    second.send(CTRL_R).expect("reverse search");
    second.send("remember").expect("search text");
    second
        .expect("RETURN 'remember me' AS memo;")
        .expect("found in history");
    second.send("\r").expect("accept");
    second.expect("1 row").expect("recalled statement ran");
    second.expect(PROMPT).expect("prompt");
    quit(second);
}

#[test]
fn ctrl_c_cancels_a_running_query() {
    let dir = TempDir::new("repl");
    let mut repl = start(&["--empty"], &dir.0.join("history"));
    enter(
        &mut repl,
        "UNWIND range(1, 100000) AS x UNWIND range(1, 100000) AS y RETURN count(*) AS n;",
    );
    std::thread::sleep(Duration::from_millis(300));
    let pressed = Instant::now();
    repl.send(CTRL_C).expect("interrupt");
    repl.expect("cancelled")
        .expect("the query reports cancellation");
    repl.expect(PROMPT).expect("prompt is back");
    let waited = pressed.elapsed();
    assert!(
        waited < Duration::from_millis(500),
        "prompt came back after {waited:?}"
    );
    // The session still works afterwards.
    enter(&mut repl, "RETURN 1 AS one;");
    repl.expect("1 row").expect("works after cancel");
    quit(repl);
}

#[test]
fn ctrl_c_clears_input_and_twice_tells_how_to_leave() {
    let dir = TempDir::new("repl");
    let mut repl = start(&["--empty"], &dir.0.join("history"));
    repl.send("RETURN 1").expect("type");
    repl.send(CTRL_C).expect("clear");
    repl.expect(PROMPT).expect("fresh prompt");
    repl.send(CTRL_C).expect("again");
    repl.expect("Ctrl-D or type :quit").expect("how to leave");
    quit(repl);
}

#[test]
fn leaving_with_unsaved_changes_warns_once() {
    let dir = TempDir::new("repl");
    let mut repl = start(&["--empty"], &dir.0.join("history"));
    enter(&mut repl, "CREATE (:Scratch);");
    repl.expect("+1 node").expect("created");
    enter(&mut repl, ":quit");
    repl.expect("unsaved changes").expect("warned");
    repl.expect(PROMPT).expect("still here");
    enter(&mut repl, ":quit");
    repl.expect(expectrl::Eof)
        .expect("left on the second :quit");
}

#[test]
fn tables_fit_the_terminal_after_a_resize() {
    let dir = TempDir::new("repl");
    let mut repl = start(&["--empty"], &dir.0.join("history"));
    repl.get_process_mut()
        .set_window_size(40, 24)
        .expect("resize the pty");
    let long = "x".repeat(80);
    enter(&mut repl, &format!("RETURN '{long}' AS long, 1 AS n;"));
    // Cut to the new width, not the 80 columns the pty started with.
    let shown = repl.expect("1 row").expect("the result");
    let table = String::from_utf8_lossy(shown.before()).to_string();
    let rows: Vec<&str> = table.lines().filter(|l| l.contains(" | ")).collect();
    assert!(
        rows.len() == 2 && rows.iter().all(|l| l.trim_end().chars().count() <= 40),
        "{table}"
    );
    assert_contains(&table, "… | 1");
    // :last shows the cell whole, wrapped to the width.
    enter(&mut repl, ":last");
    let shown = repl.expect("1 row").expect("the whole result");
    let table = String::from_utf8_lossy(shown.before()).to_string();
    assert_eq!(table.matches('x').count(), 80, "{table}");
    assert!(
        table
            .lines()
            .filter(|l| l.contains('x'))
            .all(|l| l.trim_end().chars().count() <= 40),
        "{table}"
    );
    quit(repl);
}

#[test]
fn state_changes_are_confirmed() {
    let dir = TempDir::new("repl");
    let mut repl = start(&["--empty"], &dir.0.join("history"));
    enter(&mut repl, ":param who => 'Wu ' + 'Gansha'");
    repl.expect("$who = 'Wu Gansha'").expect("confirmed");
    enter(&mut repl, ":params");
    repl.expect(":param who => 'Wu Gansha'")
        .expect("listed as a :param line");
    enter(&mut repl, ":shcema");
    repl.expect("unknown meta-command :shcema — did you mean :schema?")
        .expect("no position for a one-line meta-command");
    quit(repl);
}
