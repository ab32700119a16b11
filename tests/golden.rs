//! Golden query files: every `tests/queries/**/*.test` is one libtest-mimic trial (named by its
//! path, e.g. `match/optional_match`). The format (STYLE.md §5, after sqllogictest):
//!
//! ```text
//! # graph: empty                      fixture: empty | default | a path under data/
//!
//! statement ok                        must succeed
//! CREATE (:Person {name: 'Ann'})
//!
//! statement error SyntaxError         must fail with this kind [and code]
//! MATCH (n RETURN n
//!
//! query rowsort                       `query` compares rows in order, `rowsort` sorted
//! MATCH (p:Person) RETURN p.name, p
//! ----
//! 'Ann' | (:Person {name: 'Ann'})     cells in TCK notation, separated by ` | `
//!
//! query error SyntaxError UndefinedVariable at 1:18
//! MATCH (p) RETURN q
//! ```
//!
//! A blank line ends a block; `#` lines are comments. Errors match kind, code and position,
//! never message text. `KG_BLESS=1 cargo test --test golden` rewrites the expected rows (and
//! the codes and positions of expected errors) in place; review the diff before committing.
//! Results are rendered with `kg::format::tck`, the renderer the TCK runner uses.

#[allow(dead_code)]
#[path = "tck/values.rs"]
mod values;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use kg::format::tck::render_row;
use kg::{QueryError, ResultSet, Session};
use libtest_mimic::{Arguments, Failed, Trial};

fn main() -> ExitCode {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/queries");
    let bless = std::env::var_os("KG_BLESS").is_some();
    let mut files = Vec::new();
    if let Err(e) = collect_tests(&root, &mut files) {
        eprintln!("golden: cannot read {}: {e}", root.display());
    }
    files.sort();
    let mut trials = self_test_trials();
    for file in files {
        let name = file
            .strip_prefix(&root)
            .unwrap_or(&file)
            .with_extension("")
            .to_string_lossy()
            .replace('\\', "/");
        // Each file runs again with the optimizer off: the same rows, only found another way.
        trials.push(Trial::test(name, move || {
            run_file(&file, bless, true)?;
            run_file(&file, false, false).map_err(|e| {
                format!(
                    "with the optimizer off: {}",
                    e.message().unwrap_or_default()
                )
                .into()
            })
        }));
    }
    libtest_mimic::run(&args, trials).exit_code()
}

fn collect_tests(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_tests(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "test") {
            out.push(path);
        }
    }
    Ok(())
}

/// Which graph a file starts from.
#[derive(Debug, Clone, PartialEq)]
enum Fixture {
    Empty,
    Default,
    /// A path under `data/`.
    Data(String),
}

/// `error <Kind> [<Code>] [at LINE:COL]`.
#[derive(Debug, Clone, PartialEq)]
struct ExpectedError {
    kind: String,
    code: Option<String>,
    at: Option<(usize, usize)>,
}

#[derive(Debug, Clone, PartialEq)]
enum Expect {
    Ok,
    Rows {
        rowsort: bool,
        rows: Vec<Vec<String>>,
    },
    Error(ExpectedError),
}

/// One block of a test file.
#[derive(Debug, Clone, PartialEq)]
struct Record {
    /// 0-based index of the header line (`query ...`).
    header: usize,
    /// `statement` or `query`.
    keyword: &'static str,
    text: String,
    expect: Expect,
    /// 0-based line range of the expected rows (after `----`), for blessing.
    rows_range: Option<(usize, usize)>,
}

#[derive(Debug, Clone, PartialEq)]
struct TestFile {
    fixture: Fixture,
    records: Vec<Record>,
}

fn parse_file(text: &str) -> Result<TestFile, String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut fixture = Fixture::Empty;
    let mut records = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        let at_line = |msg: String| format!("line {}: {msg}", i + 1);
        if line.is_empty() {
            i += 1;
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            if let Some(name) = comment.trim().strip_prefix("graph:") {
                fixture = match name.trim() {
                    "empty" => Fixture::Empty,
                    "default" => Fixture::Default,
                    "" => return Err(at_line("`# graph:` needs a fixture name".into())),
                    path => Fixture::Data(path.to_string()),
                };
            }
            i += 1;
            continue;
        }
        let header = i;
        let words: Vec<&str> = line.split_whitespace().collect();
        let (keyword, mut expect) = match words.as_slice() {
            ["statement", "ok"] => ("statement", Expect::Ok),
            ["statement", "error", rest @ ..] => (
                "statement",
                Expect::Error(parse_expected_error(rest).map_err(at_line)?),
            ),
            ["query"] => (
                "query",
                Expect::Rows {
                    rowsort: false,
                    rows: Vec::new(),
                },
            ),
            ["query", "rowsort"] => (
                "query",
                Expect::Rows {
                    rowsort: true,
                    rows: Vec::new(),
                },
            ),
            ["query", "error", rest @ ..] => (
                "query",
                Expect::Error(parse_expected_error(rest).map_err(at_line)?),
            ),
            _ => return Err(at_line(format!("unknown record `{line}`"))),
        };
        i += 1;
        let mut text = Vec::new();
        let mut saw_separator = false;
        while i < lines.len() && !lines[i].trim().is_empty() {
            let l = lines[i];
            i += 1;
            if l.trim() == "----" {
                saw_separator = true;
                break;
            }
            if !l.trim_start().starts_with('#') {
                text.push(l);
            }
        }
        if text.is_empty() {
            return Err(format!("line {}: the record has no statement", header + 1));
        }
        let mut rows_range = None;
        if let Expect::Rows { rows, .. } = &mut expect {
            if !saw_separator {
                return Err(format!(
                    "line {}: a query needs `----` before its rows",
                    header + 1
                ));
            }
            let start = i;
            while i < lines.len() && !lines[i].trim().is_empty() {
                rows.push(values::split_cells(lines[i]));
                i += 1;
            }
            rows_range = Some((start, i));
        } else if saw_separator {
            return Err(format!(
                "line {}: only `query` records have `----`",
                header + 1
            ));
        }
        records.push(Record {
            header,
            keyword,
            text: text.join("\n"),
            expect,
            rows_range,
        });
    }
    Ok(TestFile { fixture, records })
}

fn parse_expected_error(words: &[&str]) -> Result<ExpectedError, String> {
    let (kind, rest) = words
        .split_first()
        .ok_or_else(|| "`error` needs an error type, e.g. `error SyntaxError`".to_string())?;
    let (code, rest) = match rest {
        [code, rest @ ..] if *code != "at" => (Some(code.to_string()), rest),
        _ => (None, rest),
    };
    let at = match rest {
        [] => None,
        ["at", position] => {
            let parsed = position
                .split_once(':')
                .and_then(|(l, c)| Some((l.parse().ok()?, c.parse().ok()?)));
            Some(parsed.ok_or_else(|| format!("bad position `{position}`, want LINE:COL"))?)
        }
        _ => return Err(format!("unexpected `{}` after the error", rest.join(" "))),
    };
    Ok(ExpectedError {
        kind: kind.to_string(),
        code,
        at,
    })
}

fn session_for(fixture: &Fixture) -> Result<Session, String> {
    match fixture {
        Fixture::Empty => Ok(Session::new()),
        Fixture::Default => kg::load::default_graph()
            .map(Session::with_graph)
            .map_err(|e| format!("loading the default graph failed:\n{e}")),
        Fixture::Data(path) => {
            let full = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("data")
                .join(path);
            kg::load::load_paths(&[full])
                .map(|(graph, _)| Session::with_graph(graph))
                .map_err(|e| format!("loading data/{path} failed:\n{e}"))
        }
    }
}

/// Runs a text; the last statement's result is the one compared.
fn run_text(session: &mut Session, text: &str) -> Result<ResultSet, QueryError> {
    let mut results = session.run(text)?;
    Ok(results.pop().unwrap_or_default())
}

fn describe_error(e: &QueryError, text: &str) -> String {
    let code = e.code.map_or(String::new(), |c| format!(" {c}"));
    let at = e
        .line_col(text)
        .map_or(String::new(), |(l, c)| format!(" at {l}:{c}"));
    format!("{}{code}{at} ({})", e.kind, e.message)
}

/// What a record produced, as far as the file can say it.
enum Actual {
    Rows(Vec<Vec<String>>),
    Error(ExpectedError),
}

fn run_file(path: &Path, bless: bool, optimize: bool) -> Result<(), Failed> {
    let source = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let file = parse_file(&source).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut session = session_for(&file.fixture)?;
    session.set_optimizer(optimize);
    let mut failures = Vec::new();
    let mut blessed: Vec<Blessing> = Vec::new();
    for record in &file.records {
        let outcome = run_text(&mut session, &record.text);
        let actual = match &outcome {
            Ok(result) => Actual::Rows(
                result
                    .rows
                    .iter()
                    .map(|row| render_row(row, result))
                    .collect(),
            ),
            Err(e) => Actual::Error(ExpectedError {
                kind: e.kind.to_string(),
                code: e.code.map(|c| c.to_string()),
                at: e.line_col(&record.text),
            }),
        };
        let problem = check(record, &actual, &outcome);
        if let Some(problem) = problem {
            if bless && let Some(replacement) = bless_record(record, &actual) {
                blessed.push(replacement);
                continue;
            }
            failures.push(format!(
                "line {}: {problem}\n{}:\n{}",
                record.header + 1,
                record.keyword,
                indent(&record.text)
            ));
        }
    }
    if bless && !blessed.is_empty() {
        let updated = apply_blessings(&source, blessed);
        std::fs::write(path, updated).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!("{}\n\n{}", path.display(), failures.join("\n")).into())
    }
}

/// Why `actual` does not satisfy the record, if it does not.
fn check(
    record: &Record,
    actual: &Actual,
    outcome: &Result<ResultSet, QueryError>,
) -> Option<String> {
    match (&record.expect, actual, outcome) {
        (Expect::Ok, Actual::Rows(_), _) => None,
        (Expect::Ok | Expect::Rows { .. }, Actual::Error(_), Err(e)) => Some(format!(
            "expected success, got {}",
            describe_error(e, &record.text)
        )),
        (Expect::Rows { rowsort, rows }, Actual::Rows(got), _) => {
            let (mut want, mut got) = (rows.clone(), got.clone());
            if *rowsort {
                want.sort();
                got.sort();
            }
            (want != got).then(|| {
                format!(
                    "rows differ{}\nexpected:\n{}actual:\n{}",
                    if *rowsort { " (rowsort)" } else { "" },
                    indent(&format_rows(&want)),
                    indent(&format_rows(&got))
                )
            })
        }
        (Expect::Error(want), Actual::Rows(got), _) => Some(format!(
            "expected {}, but it succeeded with:\n{}",
            format_error(want),
            indent(&format_rows(got))
        )),
        (Expect::Error(want), Actual::Error(got), Err(e)) => {
            let matches = want.kind == got.kind
                && (want.code.is_none() || want.code == got.code)
                && (want.at.is_none() || want.at == got.at);
            (!matches).then(|| {
                format!(
                    "expected {}, got {}",
                    format_error(want),
                    describe_error(e, &record.text)
                )
            })
        }
        (_, Actual::Error(_), Ok(_)) => Some("internal: error without an error".into()),
    }
}

/// New text for part of a file under `KG_BLESS`: the expected rows of a query (`rows_range`),
/// or else the header line.
struct Blessing {
    header: usize,
    rows_range: Option<(usize, usize)>,
    lines: Vec<String>,
}

/// The replacement lines for a record under `KG_BLESS`, or `None` if blessing cannot fix it
/// (success where an error was expected, or the other way round).
fn bless_record(record: &Record, actual: &Actual) -> Option<Blessing> {
    match (&record.expect, actual) {
        (Expect::Rows { .. }, Actual::Rows(got)) => {
            let lines = format_rows(got).lines().map(str::to_string).collect();
            Some(Blessing {
                header: record.header,
                rows_range: record.rows_range,
                lines,
            })
        }
        (Expect::Error(want), Actual::Error(got)) => {
            let mut new = got.clone();
            if want.at.is_none() {
                new.at = None;
            }
            let header = format!("{} {}", record.keyword, format_error(&new));
            Some(Blessing {
                header: record.header,
                rows_range: None,
                lines: vec![header],
            })
        }
        _ => None,
    }
}

/// Replaces expected-row blocks (or header lines, when there is no row range) from the bottom
/// up so earlier line numbers stay valid.
fn apply_blessings(source: &str, mut blessed: Vec<Blessing>) -> String {
    let mut lines: Vec<String> = source.lines().map(str::to_string).collect();
    blessed.sort_by_key(|b| std::cmp::Reverse(b.header));
    for b in blessed {
        match b.rows_range {
            Some((start, end)) => {
                lines.splice(start..end, b.lines);
            }
            None => {
                lines.splice(b.header..=b.header, b.lines);
            }
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

fn format_error(e: &ExpectedError) -> String {
    let mut out = format!("error {}", e.kind);
    if let Some(code) = &e.code {
        let _ = write!(out, " {code}");
    }
    if let Some((l, c)) = e.at {
        let _ = write!(out, " at {l}:{c}");
    }
    out
}

/// Rows as ` | `-separated cells, padded so columns line up (trailing cell unpadded).
fn format_rows(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            if c > 0 {
                line.push_str(" | ");
            }
            line.push_str(cell);
            if c + 1 < row.len() {
                let pad = widths[c].saturating_sub(cell.chars().count());
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}

/// The harness's own tests, as trials under `harness/`.
fn self_test_trials() -> Vec<Trial> {
    let tests: [(&str, fn()); 4] = [
        ("parses_records", parses_records),
        ("parses_error_expectations", parses_error_expectations),
        ("rejects_malformed_files", rejects_malformed_files),
        ("blesses_rows_and_errors", blesses_rows_and_errors),
    ];
    tests
        .into_iter()
        .map(|(name, test)| {
            Trial::test(format!("harness/{name}"), move || {
                test();
                Ok(())
            })
        })
        .collect()
}

const SAMPLE: &str = "# graph: empty

statement ok
CREATE (:A {k: 'a | b'})

# a comment between records
query rowsort
MATCH (a)
RETURN a.k, a
----
'a | b' | (:A {k: 'a | b'})

query
RETURN 1 AS x
----

query error SyntaxError UndefinedVariable at 1:18
MATCH (p) RETURN q
";

fn parses_records() {
    let file = parse_file(SAMPLE).expect("sample parses");
    assert_eq!(file.fixture, Fixture::Empty);
    assert_eq!(file.records.len(), 4);
    assert_eq!(file.records[0].expect, Expect::Ok);
    assert_eq!(file.records[1].text, "MATCH (a)\nRETURN a.k, a");
    assert_eq!(
        file.records[1].expect,
        Expect::Rows {
            rowsort: true,
            rows: vec![vec!["'a | b'".into(), "(:A {k: 'a | b'})".into()]],
        }
    );
    assert_eq!(file.records[1].rows_range, Some((10, 11)));
    assert_eq!(
        file.records[2].expect,
        Expect::Rows {
            rowsort: false,
            rows: vec![]
        }
    );
    assert_eq!(
        file.records[3].expect,
        Expect::Error(ExpectedError {
            kind: "SyntaxError".into(),
            code: Some("UndefinedVariable".into()),
            at: Some((1, 18)),
        })
    );
}

fn parses_error_expectations() {
    assert_eq!(
        parse_expected_error(&["TypeError"]),
        Ok(ExpectedError {
            kind: "TypeError".into(),
            code: None,
            at: None
        })
    );
    assert_eq!(
        parse_expected_error(&["SyntaxError", "at", "2:3"]),
        Ok(ExpectedError {
            kind: "SyntaxError".into(),
            code: None,
            at: Some((2, 3))
        })
    );
    assert!(parse_expected_error(&[]).is_err());
    assert!(parse_expected_error(&["SyntaxError", "X", "at", "two"]).is_err());
}

fn rejects_malformed_files() {
    assert!(
        parse_file("query\nRETURN 1\n").is_err(),
        "query without ----"
    );
    assert!(parse_file("statement ok\n\n").is_err(), "no statement");
    assert!(parse_file("statement maybe\nRETURN 1\n").is_err());
    assert!(parse_file("statement ok\nRETURN 1\n----\n1\n").is_err());
}

fn blesses_rows_and_errors() {
    let file = parse_file(SAMPLE).expect("sample parses");
    let rows = Actual::Rows(vec![
        vec!["'x'".into(), "1".into()],
        vec!["'long'".into(), "2".into()],
    ]);
    let row_fix = bless_record(&file.records[1], &rows).expect("rows bless");
    let error = Actual::Error(ExpectedError {
        kind: "SyntaxError".into(),
        code: Some("UndefinedVariable".into()),
        at: Some((1, 20)),
    });
    let error_fix = bless_record(&file.records[3], &error).expect("errors bless");
    assert!(bless_record(&file.records[3], &rows).is_none());
    let updated = apply_blessings(SAMPLE, vec![row_fix, error_fix]);
    assert!(
        updated.contains("----\n'x'    | 1\n'long' | 2\n\nquery\n"),
        "{updated}"
    );
    assert!(updated.contains("query error SyntaxError UndefinedVariable at 1:20\n"));
    let reparsed = parse_file(&updated).expect("blessed file parses");
    assert_eq!(reparsed.records.len(), 4);
}
