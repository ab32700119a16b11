//! The `kg` binary's contract (protocol.md): exit codes, -c/-f/stdin scripts,
//! --continue-on-error, JSON Lines, error positions, --check, and golden output for each
//! format and meta-command. Runs the real binary with NO_COLOR=1; `time_ms` is stripped.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::{TempDir, assert_contains, assert_ends_with};

/// A tiny CSV graph: two people, two companies, three relationships.
fn fixture() -> TempDir {
    let dir = TempDir::new("cli");
    dir.write(
        "Person.csv",
        "id:ID,name,aliases:string[],evidence,:LABEL\n\
         wu,Wu Gansha,Gansha Wu,Wu Gansha founded Uisee.,Person\n\
         guan,Guan Yaxin,,,Person\n",
    );
    dir.write(
        "Company.csv",
        "id:ID,name,employees:int,:LABEL\nuisee,Uisee,,Company\nforwardx,ForwardX Robotics,300,Company\n",
    );
    dir.write(
        "FOUNDED.csv",
        ":START_ID,:END_ID,evidence,:TYPE\nwu,uisee,the founder of Uisee,FOUNDED\n",
    );
    dir.write(
        "WORKS_FOR.csv",
        ":START_ID,:END_ID,role,:TYPE\nguan,forwardx,COO,WORKS_FOR\nwu,uisee,CEO,WORKS_FOR\n",
    );
    dir
}

fn kg() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kg"));
    cmd.env("NO_COLOR", "1").env_remove("COLUMNS").env(
        "XDG_DATA_HOME",
        std::env::temp_dir().join("kg-cli-test-xdg"),
    );
    cmd
}

fn run(args: &[&str]) -> Output {
    kg().args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run kg")
}

fn run_with_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = kg()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kg");
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("kg output")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("utf-8 stdout")
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("utf-8 stderr")
}

/// JSON lines with `time_ms` removed.
fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    stdout(out)
        .lines()
        .map(|line| {
            let mut v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            if let Some(obj) = v.as_object_mut()
                && obj.contains_key("columns")
            {
                let t = obj.remove("time_ms").expect("time_ms present");
                assert!(t.is_f64(), "time_ms is a float: {t}");
            }
            v
        })
        .collect()
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exit code")
}

const NO_STATS: &str = r#"{"nodes_created":0,"nodes_deleted":0,"relationships_created":0,"relationships_deleted":0,"properties_set":0,"labels_added":0,"labels_removed":0}"#;

fn result_line(columns: &str, rows: &str) -> serde_json::Value {
    serde_json::from_str(&format!(
        r#"{{"columns":{columns},"rows":{rows},"stats":{NO_STATS}}}"#
    ))
    .expect("valid expected JSON")
}

// ---- exit codes and inputs ----

#[test]
fn command_with_several_statements_prints_one_json_line_each() {
    let out = run(&[
        "--empty",
        "--format",
        "json",
        "-c",
        "CREATE (:Person {name: 'Ann'}); MATCH (p:Person) RETURN p.name AS name",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["stats"]["nodes_created"], 1);
    assert_eq!(lines[0]["stats"]["labels_added"], 1);
    assert_eq!(lines[0]["stats"]["properties_set"], 1);
    assert_eq!(lines[0]["stats"].as_object().map(|o| o.len()), Some(7));
    assert_eq!(lines[1], result_line(r#"["name"]"#, r#"[["Ann"]]"#));
}

#[test]
fn json_values_are_tagged() {
    let out = run(&[
        "--empty",
        "--format",
        "json",
        "-c",
        "CREATE p = (:Person {name: 'Wu'})-[:FOUNDED]->(:Company {name: 'Uisee'}) \
         RETURN 1 AS i, 1.0 AS f, 0.0/0.0 AS nan, null AS z, [1, 'a'] AS l, {k: true} AS m, p",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert_contains(
        &text,
        r#""rows":[[1,1.0,{"$float":"NaN"},null,[1,"a"],{"k":true},{"$path":[{"$node":{"id":"#,
    );
    assert_contains(&text, r#"{"$rel":{"id":0,"type":"FOUNDED","start":"#);
    assert_contains(
        &text,
        r#""labels":["Company"],"properties":{"name":"Uisee"}}}]}]]"#,
    );
}

#[test]
fn json_temporal_values_are_tagged_iso_text() {
    let out = run(&[
        "--empty",
        "--format",
        "json",
        "-c",
        "RETURN date('2021-05-01') AS d, localtime('10:00') AS lt, time('10:00+01:00') AS t, \
         localdatetime('2021-05-01T10:00') AS ldt, datetime('2021-05-01T10:00[Europe/Paris]') AS dt, \
         duration('P1Y2M') AS du",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let lines = json_lines(&out);
    assert_eq!(
        lines[0],
        result_line(
            r#"["d","lt","t","ldt","dt","du"]"#,
            r#"[[{"$date":"2021-05-01"},{"$localtime":"10:00"},{"$time":"10:00+01:00"},{"$localdatetime":"2021-05-01T10:00"},{"$datetime":"2021-05-01T10:00+02:00[Europe/Paris]"},{"$duration":"P1Y2M"}]]"#,
        )
    );
}

#[test]
fn failing_statement_stops_the_script_with_status_1() {
    let out = run(&[
        "--empty",
        "--format",
        "json",
        "-c",
        "RETURN 1 AS a; RETURN q; RETURN 2 AS b",
    ]);
    assert_eq!(code(&out), 1);
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 2);
    assert_eq!(
        lines[1],
        serde_json::json!({"error": {
            "type": "SyntaxError", "code": "UndefinedVariable", "phase": "compile",
            "message": lines[1]["error"]["message"], "line": 1, "column": 23
        }})
    );
    // Stopping says what was left out and how to run it anyway.
    assert_ends_with(
        &stderr(&out),
        "stopped at the first failure: 1 statement not run (--continue-on-error runs the rest)\n",
    );
}

#[test]
fn continue_on_error_runs_everything_and_sums_up() {
    let out = run(&[
        "--empty",
        "--continue-on-error",
        "--format",
        "json",
        "-c",
        "RETURN 1 AS a; RETURN q; RETURN 2 AS b",
    ]);
    assert_eq!(code(&out), 1);
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[2], result_line(r#"["b"]"#, "[[2]]"));
    let err = stderr(&out);
    assert_contains(&err, "1 statement failed:");
    assert_contains(&err, "<command>:1:23: SyntaxError (UndefinedVariable)");
    // Meta-commands are counted as such.
    let mixed = run_with_stdin(
        &["--empty", "--continue-on-error"],
        "RETURN q;\n:shcema\nRETURN 1 AS one;\n",
    );
    assert_eq!(code(&mixed), 1);
    let err = stderr(&mixed);
    assert_contains(
        &err,
        "1 statement and 1 meta-command failed:\n  \
             <stdin>:1:8: SyntaxError (UndefinedVariable): variable `q` is not defined\n  \
             <stdin>:2:1: unknown meta-command :shcema — did you mean :schema? (:help lists them)\n",
    );
    assert!(stdout(&mixed).contains("one"), "the rest ran");
}

#[test]
fn script_file_and_stdin_and_dash() {
    let dir = TempDir::new("cli");
    let script = dir.write(
        "s.cypher",
        "// a script\nRETURN 1 AS one;\nRETURN 'two' AS two\n",
    );
    let expected = vec![
        result_line(r#"["one"]"#, "[[1]]"),
        result_line(r#"["two"]"#, r#"[["two"]]"#),
    ];
    let path = script.to_str().expect("utf-8 path");
    let from_file = run(&["--empty", "--format", "json", "-f", path]);
    assert_eq!(code(&from_file), 0, "{}", stderr(&from_file));
    assert_eq!(json_lines(&from_file), expected);
    let text = std::fs::read_to_string(&script).expect("read script");
    let dash = run_with_stdin(&["--empty", "--format", "json", "-f", "-"], &text);
    assert_eq!(json_lines(&dash), expected);
    let piped = run_with_stdin(&["--empty", "--format", "json"], &text);
    assert_eq!(code(&piped), 0);
    assert_eq!(json_lines(&piped), expected);
}

#[test]
fn script_errors_are_positioned_from_the_start_of_the_file() {
    let dir = TempDir::new("cli");
    let script = dir.write(
        "bad.cypher",
        "RETURN 1 AS a;\n\n// next one fails\nMATCH (p) RETURN q;\n",
    );
    let path = script.to_str().expect("utf-8 path");
    let table = run(&["--empty", "-f", path]);
    assert_eq!(code(&table), 1);
    let err = stderr(&table);
    assert_contains(
        &err,
        &format!("{path}:4:18: SyntaxError (UndefinedVariable)"),
    );
    assert_contains(&err, "  MATCH (p) RETURN q;\n                   ^\n");
    assert_contains(&err, "hint: did you mean p?");
    let json = run(&["--empty", "--format", "json", "-f", path]);
    let lines = json_lines(&json);
    assert_eq!(lines[1]["error"]["line"], 4);
    assert_eq!(lines[1]["error"]["column"], 18);
}

#[test]
fn undefined_variable_hints_name_a_variable() {
    let out = run(&[
        "--empty",
        "-c",
        "MATCH (p)-[:FOUNDED]->(c) RETURN p.name AS founder ORDER BY found;\nMATCH (c) RETURN d.name;",
        "--continue-on-error",
    ]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    // Not the relationship type FOUNDED, nor the property key after `d.`.
    assert_contains(&err, "  hint: did you mean founder?\n");
    assert_contains(&err, "  hint: did you mean c?\n");
}

#[test]
fn a_failing_source_stops_the_script_that_sourced_it() {
    let dir = TempDir::new("cli");
    dir.write(
        "inner.cypher",
        "RETURN 1 AS a;\nRETURN nope;\nRETURN 3 AS c;\n",
    );
    let outer = dir.write(
        "outer.cypher",
        "RETURN 0 AS z;\n:source inner.cypher\nRETURN 4 AS d;\n",
    );
    let out = run(&["--empty", "-f", outer.to_str().expect("utf-8 path")]);
    assert_eq!(code(&out), 1);
    assert_ends_with(
        &stderr(&out),
        "stopped at the first failure: 2 statements not run (--continue-on-error runs the rest)\n",
    );
    // Neither the rest of inner.cypher nor of outer.cypher ran.
    assert_eq!(stdout(&out), "z\n-\n0\n1 row\na\n-\n1\n1 row\n");
}

#[test]
fn a_source_that_cannot_be_read_counts_as_a_meta_command() {
    let out = run_with_stdin(
        &["--empty", "--continue-on-error"],
        ":source no-such-file.cypher\nRETURN nope;\n",
    );
    assert_eq!(code(&out), 1);
    assert_contains(
        &stderr(&out),
        "1 statement and 1 meta-command failed:\n  <stdin>:1:1: cannot read",
    );
}

#[test]
fn params_in_scripts_print_nothing_in_json() {
    let script = ":param name => 'Uisee'\n:param {n: 2, xs: [1, 2]}\nRETURN $name AS name, $n * 2 AS n, size($xs) AS s;\n";
    let out = run_with_stdin(&["--empty", "--format", "json"], script);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        json_lines(&out),
        vec![result_line(r#"["name","n","s"]"#, r#"[["Uisee",4,2]]"#)]
    );
}

#[test]
fn param_expression_errors_point_into_the_script() {
    let out = run_with_stdin(&["--empty"], "RETURN 1 AS x;\n:param bad => nope + 1\n");
    assert_eq!(code(&out), 1);
    assert_contains(
        &stderr(&out),
        "<stdin>:2:15: SyntaxError (UndefinedVariable)",
    );
    // In JSON mode too: stdout keeps one line per statement.
    let json = run_with_stdin(
        &["--empty", "--format", "json"],
        "RETURN 1 AS x;\n:param bad => nope + 1\n",
    );
    assert_eq!(code(&json), 1);
    assert_eq!(json_lines(&json), vec![result_line(r#"["x"]"#, "[[1]]")]);
    assert_contains(
        &stderr(&json),
        "<stdin>:2:15: SyntaxError (UndefinedVariable)",
    );
}

#[test]
fn a_lost_semicolon_gets_a_hint() {
    let out = run_with_stdin(
        &["--empty"],
        "MATCH (c:Company) RETURN c.name\nMATCH (n) RETURN n.name LIMIT 1;\n",
    );
    assert_eq!(code(&out), 1);
    assert_ends_with(
        &stderr(&out),
        "  hint: is a `;` missing before `MATCH (n) RETURN n.name LIMIT 1`? Each statement ends with `;`\n",
    );
}

#[test]
fn param_takes_one_expression() {
    let out = run_with_stdin(
        &["--empty", "--continue-on-error"],
        ":param x => 1 +\n:param y => 1; CREATE (n)\n:param z => 1, 2\nMATCH (n) RETURN count(n) AS n;\n",
    );
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    // The error names the end of the expression, not text kg put after it.
    assert_contains(
        &err,
        "<stdin>:1:16: SyntaxError (UnexpectedSyntax): expected ",
    );
    assert_contains(&err, " after `+`, found the end of the input\n");
    assert_contains(
        &err,
        "<stdin>:2:13: error: a parameter's value is one expression, not several statements\n",
    );
    assert_contains(
        &err,
        "<stdin>:3:13: error: a parameter's value is one expression",
    );
    // Nothing was created on the way.
    assert_eq!(stdout(&out), "n\n-\n0\n1 row\n");
}

#[test]
fn check_parses_without_running() {
    let ok = run_with_stdin(
        &["--empty", "--check", "--format", "json"],
        "CREATE (:X);\nMATCH (n) RETURN n;\n",
    );
    assert_eq!(code(&ok), 0, "{}", stderr(&ok));
    assert_eq!(stdout(&ok), "", "nothing runs");
    assert_eq!(stderr(&ok), "<stdin>: 2 statements checked, no errors\n");
    let bad = run_with_stdin(&["--empty", "--check"], "RETURN 1;\nMATCH (n) RETURN m;\n");
    assert_eq!(code(&bad), 1);
    assert_contains(
        &stderr(&bad),
        "<stdin>:2:18: SyntaxError (UndefinedVariable)",
    );
    assert_ends_with(&stderr(&bad), "<stdin>: 2 statements checked, 1 error\n");
    // A missing parameter is a compile-time error too: --check finds it without running,
    // and a `:param` line before the statement satisfies it.
    let missing = run_with_stdin(&["--empty", "--check"], "RETURN $x;\n");
    assert_eq!(code(&missing), 1);
    assert_contains(&stderr(&missing), "ParameterMissing (MissingParameter)");
    let given = run_with_stdin(&["--empty", "--check"], ":param x => 1\nRETURN $x;\n");
    assert_eq!(code(&given), 0, "{}", stderr(&given));
}

#[test]
fn bad_usage_exits_2() {
    assert_eq!(code(&run(&["--no-such-flag"])), 2);
    assert_eq!(code(&run(&["--format", "xml", "-c", "RETURN 1"])), 2);
    assert_eq!(code(&run(&["-f", "/no/such/script.cypher"])), 2);
}

#[test]
fn bad_data_exits_2_with_the_loaders_message() {
    let dir = TempDir::new("cli");
    let bad = dir.write("broken.toml", "[[node]]\nid = \n");
    let out = run(&[
        "--data",
        bad.to_str().expect("utf-8 path"),
        "-c",
        "RETURN 1",
    ]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert_contains(&err, &format!("{}:2:", bad.display()));
    let missing = run(&["--data", "/no/such/dir", "-c", "RETURN 1"]);
    assert_eq!(code(&missing), 2);
    assert!(stderr(&missing).contains("/no/such/dir"));
}

#[test]
fn broken_pipe_ends_quietly() {
    let mut child = kg()
        .args([
            "--empty",
            "--format",
            "csv",
            "-c",
            "UNWIND range(1, 200000) AS x RETURN x",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kg");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("kg output");
    assert_eq!(code(&out), 0);
    assert_eq!(stderr(&out), "");
}

#[test]
fn echo_prints_each_statement_first() {
    let out = run(&["--empty", "--echo", "-c", "RETURN 1 AS one"]);
    assert_eq!(stdout(&out), "RETURN 1 AS one;\none\n---\n1\n1 row\n");
    // A commented script reads as a walk-through: each step's own comment lines first.
    let script =
        "// Two steps.\n\n// 1. One\nRETURN 1 AS one; // trailing\n\n\n// 2. Two\n:param x => 2\n";
    let out = run_with_stdin(&["--empty", "--echo"], script);
    assert_eq!(
        stdout(&out),
        "// Two steps.\n\n// 1. One\nRETURN 1 AS one;\none\n---\n1\n1 row\n\n// 2. Two\n:param x => 2\n"
    );
}

// ---- output formats ----

const VALUES: &str =
    "RETURN 1 AS i, 'a, \"b\"' AS s, null AS z, 'null' AS t, 2.5 AS f, [1, 'x'] AS l";

#[test]
fn table_format() {
    let out = run(&["--empty", "-c", VALUES]);
    assert_eq!(
        stdout(&out),
        "i | s        | z    | t      | f   | l\n\
         --+----------+------+--------+-----+---------\n\
         1 | 'a, \"b\"' | null | 'null' | 2.5 | [1, 'x']\n\
         1 row\n"
    );
}

#[test]
fn table_shows_writes_and_entities() {
    let out = run(&[
        "--empty",
        "-c",
        "CREATE p = (:Person {name: 'Wu Gansha'})-[:FOUNDED]->(:Company {name: 'Uisee'}) RETURN p",
    ]);
    assert_eq!(
        stdout(&out),
        "p\n\
         --------------------------------------------------------------------\n\
         (:Person {name: 'Wu Gansha'})-[:FOUNDED]->(:Company {name: 'Uisee'})\n\
         1 row · +2 nodes, +1 relationship, 2 properties set, +2 labels\n"
    );
}

#[test]
fn csv_tsv_markdown_formats() {
    let csv = run(&["--empty", "--format", "csv", "-c", VALUES]);
    assert_eq!(
        stdout(&csv),
        "i,s,z,t,f,l\n1,\"a, \"\"b\"\"\",,null,2.5,\"[1, 'x']\"\n"
    );
    let tsv = run(&["--empty", "--format", "tsv", "-c", VALUES]);
    assert_eq!(
        stdout(&tsv),
        "i\ts\tz\tt\tf\tl\n1\ta, \"b\"\t\tnull\t2.5\t[1, 'x']\n"
    );
    let md = run(&["--empty", "--format", "markdown", "-c", VALUES]);
    assert_eq!(
        stdout(&md),
        "| i | s | z | t | f | l |\n\
         | --- | --- | --- | --- | --- | --- |\n\
         | 1 | 'a, \"b\"' | null | 'null' | 2.5 | [1, 'x'] |\n"
    );
    // Two results make two tables, not one.
    let two = run(&[
        "--empty",
        "--format",
        "markdown",
        "-c",
        "RETURN 1 AS a; RETURN 2 AS b",
    ]);
    assert_eq!(
        stdout(&two),
        "| a |\n| --- |\n| 1 |\n\n| b |\n| --- |\n| 2 |\n"
    );
}

#[test]
fn max_rows_shows_head_and_tail() {
    let out = run(&[
        "--empty",
        "--max-rows",
        "4",
        "-c",
        "UNWIND range(1, 10) AS n RETURN n",
    ]);
    assert_eq!(
        stdout(&out),
        "n\n--\n1\n2\n…\n9\n10\n10 rows (first 2 and last 2 shown; :last shows all)\n"
    );
}

#[test]
fn empty_result_warns_about_unknown_labels() {
    let data = fixture();
    let out = run(&[
        "--data",
        data.0.to_str().expect("utf-8"),
        "-c",
        "MATCH (c:Compnay) RETURN c",
    ]);
    assert_eq!(code(&out), 0);
    assert_eq!(stdout(&out), "c\n-\n0 rows\n");
    assert_eq!(
        stderr(&out),
        "warning: Unknown label :Compnay — did you mean :Company (2 nodes)?\n"
    );
    // A column of nulls from a misspelled key gets the hint too; a write that removes
    // what it names does not.
    let out = run(&[
        "--data",
        data.0.to_str().expect("utf-8"),
        "-c",
        "MATCH (c:Company) RETURN c.nmae; MATCH (p:Person) SET p.x = 1 REMOVE p:Person; \
         MATCH (c:Compny) DELETE c",
    ]);
    assert_eq!(code(&out), 0);
    assert_eq!(
        stderr(&out),
        "warning: Unknown property key .nmae — did you mean .name (on :Company, :Person)?\n\
         warning: Unknown label :Compny — did you mean :Company (2 nodes)?\n"
    );
}

#[test]
fn a_misspelled_key_is_warned_about_even_when_rows_come_back() {
    let data = fixture();
    let out = run(&[
        "--data",
        data.0.to_str().expect("utf-8"),
        "-c",
        "MATCH (c:Company) RETURN c.name AS name, sum(c.employes) AS staff ORDER BY name",
    ]);
    assert_eq!(code(&out), 0);
    // The sum is 0, not null: without the warning nothing would look wrong.
    assert_contains(&stdout(&out), "'Uisee'             | 0\n");
    assert_eq!(
        stderr(&out),
        "warning: Unknown property key .employes — did you mean .employees (on :Company)?\n"
    );
}

#[test]
fn empty_result_suggests_the_node_an_alias_or_typo_meant() {
    // The built-in article graph: EcoFlow's name is "EcoFlow Inc.", with "EcoFlow" as alias.
    let out = run(&[
        "-c",
        "MATCH (c:Company {name: 'EcoFlow'}) RETURN c.name; \
         MATCH (i) WHERE i.name = 'Sequia' RETURN i.name",
    ]);
    assert_eq!(code(&out), 0);
    assert_eq!(
        stderr(&out),
        "warning: No node is named 'EcoFlow' — did you mean 'EcoFlow Inc.' (also called 'EcoFlow')?\n\
         warning: No node is named 'Sequia' — did you mean 'Sequoia'?\n"
    );
    // A name that does exist, or a result with rows, gets no warning.
    let out = run(&["-c", "MATCH (c {name: 'EcoFlow Inc.'}) RETURN c.name"]);
    assert_eq!(stderr(&out), "");
}

// ---- meta-commands ----

fn meta(script: &str) -> Output {
    let data = fixture();
    run_with_stdin(&["--data", data.0.to_str().expect("utf-8")], script)
}

#[test]
fn meta_stats() {
    let out = meta(":stats\n");
    assert_eq!(
        stdout(&out),
        "what               | count\n\
         -------------------+------\n\
         nodes              | 4\n\
         relationships      | 3\n\
         labels             | 2\n\
         relationship types | 2\n\
         parameters         | 0\n\
         5 rows\n"
    );
}

#[test]
fn meta_schema() {
    let out = meta(":schema\n");
    assert_eq!(
        stdout(&out),
        "pattern                            | count | properties\n\
         -----------------------------------+-------+----------------------------------------------------------\n\
         (:Company)                         | 2     | employees: INTEGER, id: STRING, name: STRING\n\
         (:Person)                          | 2     | aliases: LIST, evidence: STRING, id: STRING, name: STRING\n\
         (:Person)-[:FOUNDED]->(:Company)   | 1     | evidence: STRING\n\
         (:Person)-[:WORKS_FOR]->(:Company) | 2     | role: STRING\n\
         4 rows\n"
    );
}

#[test]
fn meta_find_and_show() {
    let found = meta(":find gansha\n");
    let text = stdout(&found);
    assert!(
        text.lines().nth(2).is_some_and(|l| l.contains("Wu Gansha")),
        "{text}"
    );
    let card = meta(":show Wu Gansha\n");
    let text = stdout(&card);
    assert_contains(&text, "labels              | ['Person']");
    assert_contains(&text, "-[:FOUNDED]-> (1)   | ['Uisee']");
    assert_contains(&text, "evidence            | Wu Gansha founded Uisee.");
    let missing = meta(":show Wu Gansa\n");
    assert_eq!(code(&missing), 1);
    assert_contains(&stderr(&missing), "did you mean 'Wu Gansha'?");
    let empty = run_with_stdin(&["--empty"], ":schema\n");
    assert_eq!(
        stdout(&empty),
        "the graph is empty (CREATE some nodes, or :load PATH)\n"
    );
    let nothing = meta(":find qqqzzz\n:show 999\n:last\n:why\n");
    assert_eq!(stdout(&nothing), "no node name or alias is like 'qqqzzz'\n");
    assert_eq!(
        stderr(&nothing),
        "<stdin>:2:1: error: no node with id 999 (:find NAME finds ids)\n\
         stopped at the first failure: 2 statements not run (--continue-on-error runs the rest)\n"
    );
}

#[test]
fn meta_why_after_a_query() {
    let out = meta("MATCH (p:Person)-[f:FOUNDED]->(c) RETURN p, f;\n:why\n");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert_ends_with(
        &text,
        "(:Person Wu Gansha)\n  “Wu Gansha founded Uisee.”\n(Wu Gansha)-[:FOUNDED]->(Uisee)\n  “the founder of Uisee”\n",
    );
}

#[test]
fn meta_command_after_a_statement_on_one_line() {
    // As typed at the prompt: the question, then where the article says so.
    let out = meta("MATCH (:Person)-[f:FOUNDED]->(c) RETURN c.name AS company, f; :why\n");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_ends_with(
        &stdout(&out),
        "1 row\n(Wu Gansha)-[:FOUNDED]->(Uisee)\n  “the founder of Uisee”\n",
    );
}

#[test]
fn meta_params_format_and_help() {
    let out = meta(
        ":param x => 1 + 1\n:param {`my s`: 'null', n: null}\n:params\n:format csv\nRETURN $x AS x;\n:help why\n",
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // Listed as the lines that would set them again; quiet in a script.
    assert_eq!(
        stdout(&out),
        ":param `my s` => 'null'\n:param n => null\n:param x => 2\nx\n2\n:why\n    the evidence behind the nodes and relationships of the last result\n"
    );
    assert_eq!(stderr(&out), "");
    let cleared = meta(":param x => 1\n:param clear\n:params\n");
    assert_eq!(
        stdout(&cleared),
        "no parameters (set one with :param NAME => EXPR)\n"
    );
    let json = meta(":format json\n:param x => 1\n:params\n");
    assert_eq!(json_lines(&json)[0]["rows"], serde_json::json!([["x", 1]]));
}

#[test]
fn meta_save_load_and_export() {
    let dir = TempDir::new("cli");
    let saved = dir.0.join("saved.toml");
    let exported = dir.0.join("graph.dot");
    let script = format!(
        "CREATE (:Extra {{name: 'Extra node'}});\n:save {}\n:export dot {}\n",
        saved.display(),
        exported.display()
    );
    let out = meta(&script);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(exported.exists());
    let reloaded = run_with_stdin(
        &["--empty"],
        &format!(
            ":load {}\nMATCH (n:Extra) RETURN n.name AS name;\n",
            saved.display()
        ),
    );
    assert_eq!(code(&reloaded), 0, "{}", stderr(&reloaded));
    assert_contains(&stdout(&reloaded), "'Extra node'");
    // A Cypher export loads back by running it on an empty graph.
    let cypher = dir.0.join("graph.cypher");
    let round_trip = run_with_stdin(
        &["--empty"],
        &format!(
            "CREATE (:A {{name: 'a'}})-[:R {{w: 1}}]->(:B {{name: 'b'}});\n\
             :export cypher {path}\nMATCH (n) DETACH DELETE n;\n:load {path}\n\
             MATCH (a)-[r]->(b) RETURN a.name, r.w, b.name;\n",
            path = cypher.display()
        ),
    );
    assert_eq!(code(&round_trip), 0, "{}", stderr(&round_trip));
    assert_ends_with(&stdout(&round_trip), "'a'    | 1   | 'b'\n1 row\n");
    assert_contains(
        &stderr(&round_trip),
        "loaded 2 nodes and 1 relationship from",
    );
}

#[test]
fn meta_max_rows_last_timing_source_and_quit() {
    let dir = TempDir::new("cli");
    let inner = dir.0.join("inner.cypher");
    std::fs::write(&inner, "RETURN 'from inner' AS origin;\n").expect("write inner script");
    let script = format!(
        ":max_rows 2\nUNWIND range(1, 5) AS n RETURN n;\n:last\n:timing on\nRETURN 1 AS one;\n\
         :timing off\n:source {}\n:quit\nRETURN 'not reached' AS x;\n",
        inner.display()
    );
    let out = meta(&script);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    let timed = text
        .lines()
        .find(|l| l.starts_with("1 row · "))
        .expect("a timed footer");
    assert_ends_with(timed, " ms");
    let untimed = text.replace(timed, "1 row · <time>");
    assert_eq!(
        untimed,
        "n\n-\n1\n…\n5\n5 rows (first 1 and last 1 shown; :last shows all)\n\
         n\n-\n1\n2\n3\n4\n5\n5 rows\n\
         one\n---\n1\n1 row · <time>\n\
         origin\n------------\n'from inner'\n1 row\n"
    );
}

#[test]
fn unknown_meta_command_fails_with_a_suggestion() {
    let out = meta(":shcema\n");
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out)
            .contains("<stdin>:1:1: error: unknown meta-command :shcema — did you mean :schema?")
    );
}

#[test]
fn tour_runs() {
    let tour = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/tour.cypher");
    let out = run(&["-f", tour.to_str().expect("utf-8")]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}
