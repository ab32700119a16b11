//! The curated article graph built into the binary (`load::default_graph`): its size, and
//! the curation rules of data/SCHEMA.md that every node and relationship must follow.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use kg::Value;
use kg::graph::Graph;
use kg::load::default_graph;

use common::canonical;

const SOURCE: &str = include_str!("../data/source.txt");

fn graph() -> Graph {
    match default_graph() {
        Ok(graph) => graph,
        Err(errors) => panic!("the default graph does not load:\n{errors}"),
    }
}

fn name_of(graph: &Graph, node: kg::graph::NodeId) -> String {
    match graph.node_property(node, "name") {
        Some(Value::String(s)) => s.to_string(),
        _ => format!("node #{}", node.0),
    }
}

#[test]
fn default_graph_loads_quickly() {
    let start = Instant::now();
    let graph = graph();
    // Not a timed assertion (shared CI machines vary); the figure is for the test log.
    println!(
        "default graph: {} nodes, {} relationships in {:.2} ms",
        graph.node_count(),
        graph.rel_count(),
        start.elapsed().as_secs_f64() * 1000.0
    );
    assert!(graph.node_count() > 0);
}

#[test]
fn node_and_relationship_totals() {
    let graph = graph();
    assert_eq!(graph.node_count(), 271);
    assert_eq!(graph.rel_count(), 397);
}

#[test]
fn counts_per_label() {
    let graph = graph();
    let actual: BTreeMap<&str, usize> = graph
        .labels()
        .into_iter()
        .map(|l| (l, graph.label_count(l)))
        .collect();
    // The "total" column of data/SCHEMA.md; a node with two labels counts under each.
    let expected: BTreeMap<&str, usize> = [
        ("Agency", 8),
        ("City", 7),
        ("Company", 23),
        ("Continent", 2),
        ("Country", 3),
        ("Event", 7),
        ("Headline", 81),
        ("Investor", 9),
        ("Media", 60),
        ("Organization", 68),
        ("Person", 14),
        ("Place", 16),
        ("Product", 4),
        ("Program", 7),
        ("Province", 3),
        ("Quote", 18),
        ("Region", 1),
        ("Sector", 19),
    ]
    .into_iter()
    .collect();
    assert_eq!(actual, expected);
}

#[test]
fn counts_per_relationship_type() {
    let graph = graph();
    let actual: BTreeMap<&str, usize> = graph
        .rel_types()
        .into_iter()
        .map(|t| (t, graph.type_count(t)))
        .collect();
    // The "total" column of data/SCHEMA.md.
    let expected: BTreeMap<&str, usize> = [
        ("ABOUT", 28),
        ("APPLIED_TO", 1),
        ("BARRED_FROM_BUYING", 4),
        ("BLACKLISTED", 2),
        ("BRANCH_OF", 2),
        ("COMPETES_WITH", 1),
        ("CRACKED_DOWN_ON", 2),
        ("CREATED", 1),
        ("DESIGNATED", 1),
        ("DISFAVORS", 1),
        ("DWARFS", 1),
        ("ENDORSED", 2),
        ("ESTABLISHED", 1),
        ("EXPANDED", 1),
        ("FOLLOWED_MODEL_OF", 1),
        ("FOSTERS", 1),
        ("FOUNDED", 6),
        ("FUNDS", 4),
        ("HAD_QUOTA_IN", 3),
        ("INFLUENCED", 3),
        ("INSTITUTED", 1),
        ("INVESTED_IN", 3),
        ("INVESTS_IN_MEMBERS_OF", 3),
        ("INVOLVES", 2),
        ("IN_SECTOR", 7),
        ("KEY_TO", 1),
        ("LAUNCHED", 1),
        ("LEADS", 4),
        ("LOCATED_IN", 25),
        ("LOST_MONEY_IN", 1),
        ("MADE_IN", 2),
        ("MAKES", 1),
        ("MEMBER_OF", 4),
        ("MENTIONS", 125),
        ("MODEL_FOR", 1),
        ("OFFERED_CAPITAL_TO", 1),
        ("PART_OF", 8),
        ("PHOTO_BY", 3),
        ("PLANS", 1),
        ("PLANS_EXPANSION_TO", 2),
        ("PRECURSOR_OF", 1),
        ("PRESENT_AT", 2),
        ("PRIORITIZES", 2),
        ("PROMOTES", 1),
        ("PUBLISHED_BY", 76),
        ("PURSUES", 1),
        ("REGULATED", 4),
        ("REPORTED", 1),
        ("ROUND_OF", 1),
        ("RUNS", 4),
        ("SAID", 18),
        ("SERVES", 1),
        ("SET_TARGET", 2),
        ("SPEAKER_AT", 1),
        ("SUPPORTS", 1),
        ("TARGETS", 9),
        ("USED_IN", 2),
        ("WEAPON_IN", 1),
        ("WORKS_FOR", 7),
    ]
    .into_iter()
    .collect();
    assert_eq!(actual, expected);
}

#[test]
fn every_node_has_labels_name_aliases_and_evidence() {
    let graph = graph();
    let mut problems = Vec::new();
    for node in graph.nodes() {
        let name = name_of(&graph, node);
        if graph.node_labels(node).is_empty() {
            problems.push(format!("{name}: no labels"));
        }
        match graph.node_property(node, "name") {
            Some(Value::String(s)) if !s.trim().is_empty() => {}
            other => problems.push(format!("{name}: name is {other:?}")),
        }
        match graph.node_property(node, "aliases") {
            Some(Value::List(items))
                if items
                    .iter()
                    .all(|v| matches!(v, Value::String(s) if !s.trim().is_empty())) => {}
            other => problems.push(format!("{name}: aliases is {other:?}")),
        }
        match graph.node_property(node, "evidence") {
            Some(Value::String(s)) if !s.trim().is_empty() => {}
            other => problems.push(format!("{name}: evidence is {other:?}")),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_relationship_has_evidence() {
    let graph = graph();
    let missing: Vec<String> = graph
        .rels()
        .filter(|&r| !matches!(graph.rel_property(r, "evidence"), Some(Value::String(s)) if !s.trim().is_empty()))
        .map(|r| {
            let (s, e) = graph.rel_endpoints(r).expect("endpoints");
            format!(
                "({})-[:{}]->({})",
                name_of(&graph, s),
                graph.rel_type(r).unwrap_or("?"),
                name_of(&graph, e)
            )
        })
        .collect();
    assert!(
        missing.is_empty(),
        "without evidence:\n{}",
        missing.join("\n")
    );
}

#[test]
fn every_evidence_is_quoted_verbatim_from_the_source() {
    // The loader already refuses evidence not in source.txt; this guards the embedding
    // (that the source the loader checked against is the real data/source.txt).
    let graph = graph();
    let node_evidence = graph
        .nodes()
        .filter_map(|n| graph.node_property(n, "evidence"));
    let rel_evidence = graph
        .rels()
        .filter_map(|r| graph.rel_property(r, "evidence"));
    let not_found: Vec<&str> = node_evidence
        .chain(rel_evidence)
        .filter_map(Value::as_str)
        .filter(|e| !SOURCE.contains(e))
        .collect();
    assert!(
        not_found.is_empty(),
        "not in source.txt:\n{}",
        not_found.join("\n")
    );
}

#[test]
fn names_and_aliases_are_unique_across_the_graph() {
    let graph = graph();
    // Every name and alias, case-folded (SCHEMA.md: names are unique case-insensitively),
    // with the nodes that use it. One node may list a case variant of its own name
    // ("BLOOMBERG" in a photo credit); another node may not.
    let mut uses: HashMap<String, BTreeMap<String, Vec<&str>>> = HashMap::new();
    let mut problems = Vec::new();
    for node in graph.nodes() {
        let name = name_of(&graph, node);
        let mut add = |text: &str, role: &'static str| {
            uses.entry(text.to_lowercase())
                .or_default()
                .entry(name.clone())
                .or_default()
                .push(role);
        };
        add(&name, "name");
        if let Some(Value::List(aliases)) = graph.node_property(node, "aliases") {
            for alias in aliases.iter().filter_map(Value::as_str) {
                if alias == name {
                    problems.push(format!("{name}: its own name is listed as an alias"));
                }
                add(alias, "alias");
            }
        }
    }
    problems.extend(
        uses.into_iter()
            .filter(|(_, nodes)| nodes.len() > 1)
            .map(|(text, nodes)| format!("`{text}` is used by several nodes: {nodes:?}")),
    );
    problems.sort();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_relationship_endpoint_exists() {
    let graph = graph();
    for rel in graph.rels() {
        let (start, end) = graph
            .rel_endpoints(rel)
            .expect("a relationship has endpoints");
        assert!(graph.contains_node(start) && graph.contains_node(end));
    }
}

#[test]
fn loading_the_data_directory_gives_the_embedded_graph() {
    let (loaded, stats) = match kg::load::load_paths(&["data".into()]) {
        Ok(result) => result,
        Err(errors) => panic!("data/ does not load:\n{errors}"),
    };
    let embedded = graph();
    assert_eq!(stats.nodes, embedded.node_count());
    assert_eq!(stats.rels, embedded.rel_count());
    assert_eq!(loaded.labels(), embedded.labels());
    assert_eq!(loaded.rel_types(), embedded.rel_types());
}

/// Compares two graphs by `canonical`, showing only the entries that differ.
#[track_caller]
fn assert_same(actual: &Graph, expected: &Graph) {
    let (a, e) = (canonical(actual), canonical(expected));
    if a == e {
        return;
    }
    let only = |x: &[String], y: &[String]| -> Vec<String> {
        x.iter().filter(|s| !y.contains(s)).cloned().collect()
    };
    let missing = [only(&e.0, &a.0), only(&e.1, &a.1)].concat();
    let extra = [only(&a.0, &e.0), only(&a.1, &e.1)].concat();
    panic!(
        "graphs differ\nmissing:\n{}\nunexpected:\n{}",
        missing.join("\n"),
        extra.join("\n")
    );
}

#[test]
fn the_article_graph_survives_save_and_csv_export() {
    let graph = graph();
    let dir = std::env::temp_dir().join(format!("kg-data-roundtrip-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    // Saved next to the source, so every evidence is checked again on the way back in.
    std::fs::write(dir.join("source.txt"), SOURCE).expect("copy source");
    let saved = dir.join("article.toml");
    kg::load::save_native(&graph, &saved).expect(":save the article graph");
    let (from_toml, _) = kg::load::load_paths(&[saved]).expect("saved graph loads");
    assert_same(&from_toml, &graph);

    let csv_dir = dir.join("csv");
    kg::load::export(&graph, kg::load::ExportFormat::Csv, &csv_dir).expect("export csv");
    let (from_csv, _) = kg::load::load_paths(&[csv_dir]).expect("exported CSV loads");
    // CSV has no empty lists: `aliases = []` comes back as no `aliases` at all.
    let mut expected = graph.clone();
    let empty: Vec<_> = expected
        .nodes()
        .filter(|&n| matches!(expected.node_property(n, "aliases"), Some(Value::List(l)) if l.is_empty()))
        .collect();
    for node in empty {
        expected.set_node_property(node, "aliases", Value::Null);
    }
    assert_same(&from_csv, &expected);
    let _ = std::fs::remove_dir_all(&dir);
}
