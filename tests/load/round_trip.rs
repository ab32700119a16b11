//! Round trips: what `save_native` and `export` write loads back with nothing lost; and
//! the load time of a benchmark data set. Part of tests/load.rs.

use std::path::PathBuf;

use kg::Value;
use kg::graph::Graph;
use kg::load::{ExportFormat, export, load_paths, save_native};

use crate::common::canonical;

use super::{COMPANIES, PEOPLE, SOURCE, TempDir, load};

fn props(pairs: Vec<(&str, Value)>) -> Vec<(String, Value)> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// A graph with every kind of property value the formats must keep.
fn every_kind_of_value() -> Graph {
    let mut g = Graph::new();
    let a = g.create_node(
        ["Person", "Founder"],
        props(vec![
            ("name", "Wu Gansha".into()),
            ("aliases", Value::List(vec!["Wu".into(), "吴甘沙".into()])),
            ("evidence", "Wu Gansha won the little giants title".into()),
            ("born", Value::Int(-42)),
            ("big", Value::Int(i64::MAX)),
            ("score", Value::Float(0.1)),
            ("huge", Value::Float(1e300)),
            ("whole", Value::Float(3.0)),
            ("not_a_number", Value::Float(f64::NAN)),
            ("minus_infinity", Value::Float(f64::NEG_INFINITY)),
            ("active", Value::Bool(false)),
            ("quote", "He said \"hi\",\nthen left\\; OK".into()),
            ("tags", Value::List(vec!["a".into(), "b c".into()])),
            (
                "years",
                Value::List(vec![Value::Int(2019), Value::Int(2021)]),
            ),
            (
                "ratios",
                Value::List(vec![Value::Float(0.5), Value::Float(2.0)]),
            ),
            ("flags", Value::List(vec![Value::Bool(true)])),
            ("id", "P-1".into()),
            ("labels", "not the labels".into()),
        ]),
    );
    let b = g.create_node(
        ["Company"],
        props(vec![
            ("name", "Uisee".into()),
            ("aliases", Value::List(vec![])),
            ("valuation usd", Value::Int(1_000_000_000)),
        ]),
    );
    g.create_rel(
        a,
        b,
        "FOUNDED",
        props(vec![
            ("evidence", "his autonomous driving startup".into()),
            ("year", Value::Int(2016)),
            ("from", "a property named like a key".into()),
            ("stake", Value::Float(0.25)),
        ]),
    )
    .expect("endpoints exist");
    g.create_rel(b, b, "SELF", Vec::new())
        .expect("endpoints exist");
    g
}

#[test]
fn save_native_round_trip_keeps_everything() {
    let graph = every_kind_of_value();
    let dir = TempDir::new("save");
    let path = dir.path().join("saved.toml");
    save_native(&graph, &path).expect("save");
    let loaded = load(&[path]);
    assert_eq!(canonical(&loaded), canonical(&graph));
}

#[test]
fn save_native_round_trip_of_a_loaded_directory() {
    let dir = TempDir::new("save-dir");
    dir.write("source.txt", SOURCE);
    dir.write("people.toml", PEOPLE);
    dir.write("companies.toml", COMPANIES);
    let graph = load(&[dir.path().to_path_buf()]);
    // Saved next to source.txt, so the evidence is checked again on the way back in.
    let saved = dir.path().join("all.toml");
    save_native(&graph, &saved).expect("save");
    let again = load(&[saved]);
    assert_eq!(canonical(&again), canonical(&graph));
}

#[test]
fn save_is_atomic_and_leaves_no_temp_files() {
    let dir = TempDir::new("atomic");
    let path = dir.write("graph.toml", "# the old file\n");
    // A node without a name cannot be saved: the old file must stay as it was.
    let mut unsaveable = Graph::new();
    unsaveable.create_node(["Note"], Vec::new());
    let err = save_native(&unsaveable, &path).expect_err("nameless node");
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    assert!(err.to_string().contains("no string `name`"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        "# the old file\n"
    );
    assert_eq!(dir.files(), vec!["graph.toml"]);

    save_native(&every_kind_of_value(), &path).expect("save");
    assert_eq!(dir.files(), vec!["graph.toml"], "temp file renamed away");
    assert!(
        std::fs::read_to_string(&path)
            .expect("read")
            .contains("[[node]]")
    );
}

#[test]
fn csv_export_round_trip_keeps_counts_and_properties() {
    let graph = load(&[PathBuf::from("data/sample")]);
    let dir = TempDir::new("export-csv");
    let out = dir.path().join("out");
    export(&graph, ExportFormat::Csv, &out).expect("export");
    let again = load(std::slice::from_ref(&out));
    assert_eq!(again.node_count(), graph.node_count());
    assert_eq!(again.rel_count(), graph.rel_count());
    assert_eq!(canonical(&again), canonical(&graph));
    // A second export into the same directory would mix files: refused.
    let err = export(&graph, ExportFormat::Csv, &out).expect_err("directory has CSV files");
    assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
}

#[test]
fn csv_export_round_trip_of_every_kind_of_value() {
    let mut graph = every_kind_of_value();
    // CSV cannot tell an empty list from a missing value (see `export`).
    let uisee = graph.nodes_named("Uisee").next().expect("Uisee");
    graph.set_node_property(uisee, "aliases", Value::Null);
    let dir = TempDir::new("export-csv-values");
    export(&graph, ExportFormat::Csv, dir.path()).expect("export");
    assert_eq!(
        canonical(&load(&[dir.path().to_path_buf()])),
        canonical(&graph)
    );
}

#[test]
fn export_formats_parse_from_their_names() {
    assert_eq!("GraphML".parse(), Ok(ExportFormat::GraphMl));
    assert_eq!("csv".parse(), Ok(ExportFormat::Csv));
    assert!("xml".parse::<ExportFormat>().is_err());
}

#[test]
fn cypher_graphml_and_dot_exports() {
    let graph = every_kind_of_value();
    let dir = TempDir::new("export-text");
    let read = |name: &str, format| {
        let path = dir.path().join(name);
        export(&graph, format, &path).expect("export");
        std::fs::read_to_string(path).expect("read export")
    };
    let cypher = read("g.cypher", ExportFormat::Cypher);
    assert!(
        cypher.contains("(n0:Person:Founder {active: false, aliases: ['Wu', '吴甘沙'],"),
        "{cypher}"
    );
    assert!(cypher.contains("`valuation usd`: 1000000000"), "{cypher}");
    assert!(
        cypher.contains("(n0)-[:FOUNDED {evidence: 'his autonomous driving startup', from: "),
        "{cypher}"
    );
    assert!(
        cypher.trim_end().ends_with("(n1)-[:SELF]->(n1);"),
        "{cypher}"
    );

    let graphml = read("g.graphml", ExportFormat::GraphMl);
    assert!(
        graphml.contains(r#"attr.name="born" attr.type="long""#),
        "{graphml}"
    );
    assert!(
        graphml.contains(r#"<edge id="e0" source="n0" target="n1" label="FOUNDED">"#),
        "{graphml}"
    );
    assert!(graphml.contains("He said &quot;hi&quot;"), "{graphml}");

    let dot = read("g.dot", ExportFormat::Dot);
    assert!(
        dot.contains(r#"n0 [label="Wu Gansha\n:Person:Founder"];"#),
        "{dot}"
    );
    assert!(dot.contains(r#"n0 -> n1 [label="FOUNDED"];"#), "{dot}");
}

/// Load time of a benchmark data set, e.g.
/// `KG_BENCH_DATA=/tmp/bench-data/100000 cargo test --release --test load -- --ignored --nocapture`.
#[test]
#[ignore = "needs a generated benchmark data set in $KG_BENCH_DATA"]
fn bench_data_load_time() {
    let dir =
        std::env::var("KG_BENCH_DATA").expect("set KG_BENCH_DATA to a gen.py output directory");
    let start = std::time::Instant::now();
    let (graph, stats) = load_paths(&[PathBuf::from(&dir)]).expect("bench data loads");
    println!(
        "loaded {} nodes, {} relationships from {} files in {:.0} ms",
        stats.nodes,
        stats.rels,
        stats.files,
        start.elapsed().as_secs_f64() * 1000.0
    );
    // gen.py's manifest.json records the totals it wrote.
    let manifest = std::fs::read_to_string(PathBuf::from(&dir).join("manifest.json"))
        .expect("manifest.json next to the CSV files");
    let manifest: serde_json::Value = serde_json::from_str(&manifest).expect("manifest is JSON");
    assert_eq!(
        Some(stats.nodes as u64),
        manifest["totals"]["nodes"].as_u64()
    );
    assert_eq!(
        Some(stats.rels as u64),
        manifest["totals"]["relationships"].as_u64()
    );
    assert_eq!(graph.node_count(), stats.nodes);
}

#[test]
fn save_native_round_trip_keeps_toml_temporals() {
    let mut graph = Graph::new();
    let temporal = |kind: &str, text: &str| {
        Value::from(kg::value::temporal::parse::typed(kind, text).expect("valid temporal"))
    };
    graph.create_node(
        ["Event"],
        props(vec![
            ("name", "launch".into()),
            ("on", temporal("date", "2021-05-01")),
            ("at", temporal("localtime", "10:00:00.5")),
            ("local", temporal("localdatetime", "2021-05-01T10:00")),
            ("instant", temporal("datetime", "2021-05-01T10:00-01:30")),
            (
                "days",
                Value::List(vec![
                    temporal("date", "2021-01-01"),
                    temporal("date", "2021-01-02"),
                ]),
            ),
        ]),
    );
    let dir = TempDir::new("save-temporal");
    let path = dir.path().join("saved.toml");
    save_native(&graph, &path).expect("save");
    let loaded = load(&[path]);
    assert_eq!(canonical(&loaded), canonical(&graph));

    // Named zones and durations have no TOML form: saving says so instead of losing them.
    let mut durations = Graph::new();
    durations.create_node(
        ["Event"],
        props(vec![
            ("name", "review".into()),
            ("span", temporal("duration", "P1D")),
        ]),
    );
    let err =
        save_native(&durations, &dir.path().join("durations.toml")).expect_err("no TOML form");
    assert!(err.to_string().contains("`span`"), "{err}");
}
