//! Loading, saving and exporting graphs: every kind of bad input is reported with its
//! file:line:column, and (in load/round_trip.rs) what is saved or exported loads back with
//! nothing lost.

mod common;
#[path = "load/round_trip.rs"]
mod round_trip;

use std::path::PathBuf;

use kg::Value;
use kg::graph::Graph;
use kg::load::{LoadError, load_paths};

use common::TempDir;

fn load(paths: &[PathBuf]) -> Graph {
    match load_paths(paths) {
        Ok((graph, _)) => graph,
        Err(errors) => panic!("load failed:\n{errors}"),
    }
}

fn load_errors(paths: &[PathBuf]) -> Vec<LoadError> {
    match load_paths(paths) {
        Ok(_) => panic!("load of {paths:?} succeeded, expected errors"),
        Err(errors) => errors.0,
    }
}

/// Asserts that exactly one error is at `file:line:column` and mentions every fragment.
#[track_caller]
fn assert_error(errors: &[LoadError], file: &str, line: usize, column: usize, fragments: &[&str]) {
    let all = errors
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    let at: Vec<&LoadError> = errors
        .iter()
        .filter(|e| e.path.ends_with(file) && e.line == Some(line) && e.column == Some(column))
        .collect();
    assert_eq!(
        at.len(),
        1,
        "expected one error at {file}:{line}:{column}, got:\n{all}"
    );
    for fragment in fragments {
        assert!(
            at[0].message.contains(fragment),
            "error at {file}:{line}:{column} lacks `{fragment}`:\n{}",
            at[0]
        );
    }
}

const SOURCE: &str = "Wu Gansha won the little giants title for his autonomous driving startup. \
That gave the Beijing company, Uisee, an extra dose of credibility.\n";

const PEOPLE: &str = r#"[[node]]
id = "wu_gansha"
labels = ["Person"]
name = "Wu Gansha"
aliases = ["Wu"]
evidence = "Wu Gansha won the little giants title"
"#;

const COMPANIES: &str = r#"[[node]]
id = "uisee"
labels = ["Company"]
name = "Uisee"
aliases = []
evidence = "the Beijing company, Uisee"
valuation_usd = 1000000000

[[rel]]
from = "wu_gansha"
type = "FOUNDED"
to = "uisee"
evidence = "his autonomous driving startup"
"#;

// ---- kg TOML: good input ----

#[test]
fn native_directory_loads_nodes_rels_and_properties() {
    let dir = TempDir::new("native-ok");
    dir.write("source.txt", SOURCE);
    dir.write("article/people.toml", PEOPLE);
    dir.write("article/companies.toml", COMPANIES);
    let (graph, stats) = load_paths(&[dir.path().to_path_buf()]).expect("loads");
    assert_eq!(
        (stats.nodes, stats.rels, stats.files),
        (2, 1, 2),
        "two nodes, one rel, two files"
    );
    let uisee = graph.nodes_named("Uisee").next().expect("Uisee loaded");
    assert!(graph.has_label(uisee, "Company"));
    assert_eq!(
        graph.node_property(uisee, "valuation_usd"),
        Some(&Value::Int(1_000_000_000))
    );
    assert_eq!(
        graph.node_property(uisee, "aliases"),
        Some(&Value::List(vec![]))
    );
    assert_eq!(
        graph.node_property(uisee, "id"),
        None,
        "the id is not a property"
    );
    let rel = graph
        .rels_with_type("FOUNDED")
        .next()
        .expect("FOUNDED loaded");
    assert_eq!(
        graph.rel_property(rel, "evidence"),
        Some(Value::from("his autonomous driving startup"))
    );
}

#[test]
fn a_file_named_twice_is_read_once() {
    let dir = TempDir::new("twice");
    let file = dir.write("people.toml", PEOPLE);
    let (graph, stats) = load_paths(&[dir.path().to_path_buf(), file]).expect("loads");
    assert_eq!((graph.node_count(), stats.files), (1, 1));
}

#[test]
fn a_missing_path_is_reported() {
    let errors = load_errors(&[PathBuf::from("no/such/dir")]);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(
        errors[0].to_string(),
        "no/such/dir: no such file or directory — check the path"
    );
}

#[test]
fn reserved_names_go_in_a_properties_table() {
    let dir = TempDir::new("native-escaped");
    let file = dir.write(
        "g.toml",
        r#"[[node]]
id = "a"
labels = ["A"]
name = "A"
properties = { id = "A-1", labels = "x" }
"#,
    );
    let graph = load(&[file]);
    let a = graph.nodes_named("A").next().expect("node A");
    assert_eq!(graph.node_property(a, "id"), Some(&Value::from("A-1")));
    assert_eq!(graph.node_property(a, "labels"), Some(&Value::from("x")));
}

// ---- kg TOML: one test per kind of error ----

#[test]
fn toml_syntax_error_points_at_the_mistake() {
    let dir = TempDir::new("syntax");
    let file = dir.write("bad.toml", "[[node]]\nid = \"a\"\nname = Uisee\n");
    let errors = load_errors(&[file]);
    assert_error(
        &errors,
        "bad.toml",
        3,
        8,
        &["invalid TOML", "string values must be quoted"],
    );
}

#[test]
fn missing_id_name_and_labels_are_all_reported() {
    let dir = TempDir::new("missing");
    let file = dir.write(
        "g.toml",
        "[[node]]\nid = \"a\"\nlabels = [\"A\"]\n\n[[node]]\naliases = []\n",
    );
    let errors = load_errors(&[file]);
    assert_eq!(errors.len(), 4, "{errors:#?}");
    assert_error(&errors, "g.toml", 1, 1, &["missing `name`", "name = "]);
    let second: Vec<&LoadError> = errors.iter().filter(|e| e.line == Some(5)).collect();
    for key in ["`id`", "`labels`", "`name`"] {
        assert!(
            second
                .iter()
                .any(|e| e.message.contains(&format!("missing {key}"))),
            "no error about missing {key}: {second:#?}"
        );
    }
}

#[test]
fn labels_must_be_a_non_empty_list() {
    let dir = TempDir::new("labels");
    let file = dir.write(
        "g.toml",
        "[[node]]\nid = \"a\"\nlabels = []\nname = \"A\"\n",
    );
    let errors = load_errors(&[file]);
    assert_error(
        &errors,
        "g.toml",
        3,
        10,
        &["`labels` must be a non-empty list"],
    );
}

#[test]
fn duplicate_id_names_both_places() {
    let dir = TempDir::new("dup-id");
    let a = dir.write(
        "a.toml",
        "[[node]]\nid = \"x\"\nlabels = [\"A\"]\nname = \"One\"\n",
    );
    let b = dir.write(
        "b.toml",
        "# second file\n[[node]]\nid = \"x\"\nlabels = [\"A\"]\nname = \"Two\"\n",
    );
    let errors = load_errors(&[a, b]);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_error(
        &errors,
        "b.toml",
        3,
        6,
        &["duplicate node id `x`", "a.toml:2:6"],
    );
}

#[test]
fn duplicate_name_names_both_places() {
    let dir = TempDir::new("dup-name");
    let file = dir.write(
        "g.toml",
        "[[node]]\nid = \"a\"\nlabels = [\"A\"]\nname = \"Same\"\n\n[[node]]\nid = \"b\"\nlabels = [\"A\"]\nname = \"Same\"\n",
    );
    let errors = load_errors(&[file]);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_error(
        &errors,
        "g.toml",
        9,
        8,
        &["duplicate name `Same`", "g.toml:4:8", "aliases"],
    );
}

#[test]
fn unknown_node_id_in_a_relationship_suggests_the_closest() {
    let dir = TempDir::new("unknown-id");
    dir.write("people.toml", PEOPLE);
    let file = dir.write(
        "rels.toml",
        "[[node]]\nid = \"uisee\"\nlabels = [\"Company\"]\nname = \"Uisee\"\n\n[[rel]]\nfrom = \"wu_gnsha\"\ntype = \"FOUNDED\"\nto = \"uisee\"\n",
    );
    let errors = load_errors(&[dir.path().join("people.toml"), file]);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_error(
        &errors,
        "rels.toml",
        7,
        8,
        &["unknown node id `wu_gnsha`", "did you mean `wu_gansha`?"],
    );
}

#[test]
fn evidence_must_be_quoted_verbatim_from_source() {
    let dir = TempDir::new("evidence");
    dir.write("source.txt", SOURCE);
    dir.write(
        "g.toml",
        "[[node]]\nid = \"u\"\nlabels = [\"Company\"]\nname = \"Uisee\"\nevidence = \"the Beijing company Uisee\"\n",
    );
    let errors = load_errors(&[dir.path().to_path_buf()]);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_error(
        &errors,
        "g.toml",
        5,
        12,
        &[
            "not a verbatim substring",
            "source.txt",
            "…the Beijing company` and then differs",
        ],
    );
}

#[test]
fn evidence_is_not_checked_without_a_source() {
    let dir = TempDir::new("no-source");
    let file = dir.write(
        "g.toml",
        "[[node]]\nid = \"u\"\nlabels = [\"C\"]\nname = \"U\"\nevidence = \"anything\"\n",
    );
    assert_eq!(load(&[file]).node_count(), 1);
}

#[test]
fn unsupported_property_values_are_reported() {
    let dir = TempDir::new("values");
    let file = dir.write(
        "g.toml",
        r#"[[node]]
id = "u"
labels = ["C"]
name = "U"
hq = { city = "Beijing" }
mixed = [1, "two"]
"#,
    );
    let errors = load_errors(&[file]);
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert_error(&errors, "g.toml", 5, 6, &["property `hq`", "nested table"]);
    assert_error(
        &errors,
        "g.toml",
        6,
        9,
        &["property `mixed`", "mixes types"],
    );
}

#[test]
fn unknown_top_level_keys_are_reported() {
    let dir = TempDir::new("top-level");
    let file = dir.write("g.toml", "title = \"x\"\n");
    let errors = load_errors(&[file]);
    assert_error(&errors, "g.toml", 1, 1, &["unknown top-level key `title`"]);
}

#[test]
fn errors_from_several_files_come_together_and_yield_no_graph() {
    let dir = TempDir::new("several");
    let a = dir.write("a.toml", "[[node]]\nid = \"a\"\nlabels = [\"A\"]\n");
    let b = dir.write("b.csv", "id:ID,n:int\nx,abc\n");
    let errors = load_errors(&[a, b]);
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(errors.iter().any(|e| e.path.ends_with("a.toml")));
    assert!(errors.iter().any(|e| e.path.ends_with("b.csv")));
}

// ---- CSV: one test per kind of error ----

#[test]
fn csv_wrong_field_count() {
    let dir = TempDir::new("csv-fields");
    let file = dir.write(
        "Company.csv",
        "id:ID,name,:LABEL\nc1,Uisee,Company\nc2,Acme, Inc.,Company\n",
    );
    let errors = load_errors(&[file]);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_error(
        &errors,
        "Company.csv",
        3,
        15,
        &["expected 3 fields", "found 4", "quote"],
    );
}

#[test]
fn csv_unparsable_typed_value() {
    let dir = TempDir::new("csv-typed");
    let file = dir.write(
        "Company.csv",
        "id:ID,name,year:int,listed:boolean\nc1,\"Acme, Inc.\",abc,true\nc2,B,2020,maybe\n",
    );
    let errors = load_errors(&[file]);
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert_error(
        &errors,
        "Company.csv",
        2,
        17,
        &["`year:int` value `abc` is not an integer"],
    );
    assert_error(
        &errors,
        "Company.csv",
        3,
        11,
        &["`listed:boolean` value `maybe`", "true or false"],
    );
}

#[test]
fn csv_unknown_start_and_end_ids() {
    let dir = TempDir::new("csv-unknown");
    dir.write("Person.csv", "id:ID,name\np1,Wu Gansha\n");
    dir.write("Company.csv", "id:ID,name\nc1,Uisee\n");
    dir.write(
        "FOUNDED.csv",
        ":START_ID,:END_ID,:TYPE\np1,c1,FOUNDED\np2,c1,FOUNDED\np1,c9,FOUNDED\n",
    );
    let errors = load_errors(&[dir.path().to_path_buf()]);
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert_error(
        &errors,
        "FOUNDED.csv",
        3,
        1,
        &["unknown node id `p2` in :START_ID", "did you mean `p1`?"],
    );
    assert_error(
        &errors,
        "FOUNDED.csv",
        4,
        4,
        &["unknown node id `c9` in :END_ID"],
    );
}

#[test]
fn error_flood_is_cut_short() {
    let dir = TempDir::new("csv-flood");
    let rows: String = (0..150).map(|i| format!("c{i},x\n")).collect();
    let file = dir.write("Company.csv", &format!("id:ID,year:int\n{rows}"));
    let errors = load_errors(&[file]);
    assert_eq!(errors.len(), 101, "100 errors and a summary");
    assert_error(&errors, "Company.csv", 2, 4, &["`year:int` value `x`"]);
    let last = errors.last().expect("summary");
    assert!(
        last.message.contains("only the first 100 are shown"),
        "{last}"
    );
}

#[test]
fn csv_missing_id_column() {
    let dir = TempDir::new("csv-noid");
    let file = dir.write("Company.csv", "name,:LABEL\nUisee,Company\n");
    let errors = load_errors(&[file]);
    assert_error(
        &errors,
        "Company.csv",
        1,
        1,
        &["missing id column", "id:ID"],
    );
}

#[test]
fn csv_duplicate_id() {
    let dir = TempDir::new("csv-dup");
    dir.write("Company.csv", "id:ID,name\nc1,Uisee\n");
    dir.write("Person.csv", "name,id:ID\nWu,p1\nWu Gansha,c1\n");
    let errors = load_errors(&[dir.path().to_path_buf()]);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_error(
        &errors,
        "Person.csv",
        3,
        11,
        &["duplicate node id `c1`", "Company.csv:2"],
    );
}

#[test]
fn csv_header_may_start_with_a_byte_order_mark_and_pad_names() {
    let dir = TempDir::new("csv-bom");
    let file = dir.write(
        "Company.csv",
        "\u{feff}id:ID, name ,:LABEL\nc1,Uisee,Company\n",
    );
    let graph = load(&[file]);
    let uisee = graph
        .nodes_named("Uisee")
        .next()
        .expect("name column found");
    assert_eq!(graph.node_property(uisee, "id"), Some(&Value::from("c1")));
}

#[test]
fn csv_id_groups_are_separate_spaces() {
    let dir = TempDir::new("csv-groups");
    dir.write("Company.csv", "id:ID(Company),name\n1,Uisee\n");
    dir.write("Person.csv", "id:ID(Person),name\n1,Wu Gansha\n");
    dir.write(
        "FOUNDED.csv",
        ":START_ID(Person),:END_ID(Company),:TYPE\n1,1,FOUNDED\n",
    );
    let graph = load(&[dir.path().to_path_buf()]);
    let rel = graph.rels_with_type("FOUNDED").next().expect("rel");
    let (start, end) = graph.rel_endpoints(rel).expect("endpoints");
    assert_eq!(
        graph.node_property(start, "name"),
        Some(&Value::from("Wu Gansha"))
    );
    assert_eq!(
        graph.node_property(end, "name"),
        Some(&Value::from("Uisee"))
    );
}

#[test]
fn csv_unsupported_column_type() {
    let dir = TempDir::new("csv-type");
    let file = dir.write("Event.csv", "id:ID,where:point\ne1,1;2\n");
    let errors = load_errors(&[file]);
    assert_error(
        &errors,
        "Event.csv",
        1,
        7,
        &["unsupported column type `point`"],
    );
}

#[test]
fn csv_and_toml_in_one_directory_is_refused() {
    let dir = TempDir::new("mixed");
    dir.write("a.csv", "id:ID\n1\n");
    dir.write("b.toml", "");
    let errors = load_errors(&[dir.path().to_path_buf()]);
    assert!(
        errors[0].message.contains("both .csv and .toml"),
        "{errors:#?}"
    );
}

#[test]
fn sample_csv_set_loads_with_types() {
    let graph = load(&[PathBuf::from("data/sample")]);
    assert_eq!(graph.label_count("Company"), 4);
    assert_eq!(graph.label_count("Person"), 3);
    assert_eq!(
        graph.label_count("Organization"),
        2,
        "second label of investors"
    );
    assert_eq!(graph.rel_count(), 5);
    let forwardx = graph
        .nodes_named("ForwardX Robotics")
        .next()
        .expect("ForwardX");
    assert_eq!(
        graph.node_property(forwardx, "id"),
        Some(&Value::from("forwardx"))
    );
    assert_eq!(
        graph.node_property(forwardx, "patents"),
        Some(&Value::Int(121))
    );
    assert_eq!(
        graph.node_property(forwardx, "little_giant"),
        Some(&Value::Bool(true))
    );
    assert_eq!(
        graph.node_property(forwardx, "makes"),
        Some(&Value::List(vec![
            "mobile robots".into(),
            "logistics robots".into()
        ]))
    );
    assert_eq!(
        graph.node_property(forwardx, "valuation_usd"),
        None,
        "empty field"
    );
    let uisee = graph.nodes_named("Uisee").next().expect("Uisee");
    assert_eq!(
        graph.node_property(uisee, "valuation_usd"),
        Some(&Value::Float(1e9))
    );
}

#[test]
fn csv_temporal_columns() {
    let dir = TempDir::new("csv-temporal");
    let file = dir.write(
        "Person.csv",
        "id:ID,name,born:date,seen:datetime,span:duration\np1,Ann,1984-10-11,2021-05-01T10:00+02:00[Europe/Berlin],P1Y2M\n",
    );
    let graph = load(&[file]);
    let ann = graph.nodes_named("Ann").next().expect("Ann loaded");
    let text = |key: &str| {
        graph.node_property(ann, key).map(|v| match v {
            Value::Temporal(t) => t.to_string(),
            other => format!("not temporal: {other:?}"),
        })
    };
    assert_eq!(text("born").as_deref(), Some("1984-10-11"));
    assert_eq!(
        text("seen").as_deref(),
        Some("2021-05-01T10:00+02:00[Europe/Berlin]")
    );
    assert_eq!(text("span").as_deref(), Some("P1Y2M"));

    let bad = dir.write("Bad.csv", "id:ID,born:date\nb1,1984-13-11\n");
    let errors = load_errors(&[bad]);
    assert_error(
        &errors,
        "Bad.csv",
        2,
        4,
        &["`born:date` value `1984-13-11`"],
    );
}
