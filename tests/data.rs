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
    assert_eq!(graph.node_count(), 279);
    assert_eq!(graph.rel_count(), 408);
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
        ("Company", 22),
        ("Continent", 2),
        ("Country", 3),
        ("Event", 12),
        ("FundingRound", 3),
        ("Headline", 81),
        ("Investor", 10),
        ("Media", 60),
        ("Organization", 68),
        ("Person", 15),
        ("Place", 16),
        ("Product", 4),
        ("Program", 8),
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
        ("ALLOCATED", 1),
        ("APPLIED_TO", 1),
        ("BARRED_FROM_BUYING", 4),
        ("BENEFITED_FROM", 1),
        ("BLACKLISTED", 2),
        ("BRANCH_OF", 2),
        ("COMPETES_WITH", 1),
        ("CRACKED_DOWN_ON", 2),
        ("CREATED", 1),
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
        ("HAPPENED_DESPITE", 1),
        ("HAS_MEMBERS_IN", 3),
        ("INFLUENCED", 3),
        ("INSTITUTED", 1),
        ("INVESTED_IN", 3),
        ("INVESTS_IN_MEMBERS_OF", 3),
        ("INVOLVES", 4),
        ("IN_SECTOR", 7),
        ("KEY_TO", 1),
        ("LAUNCHED", 1),
        ("LEADS", 4),
        ("LOCATED_IN", 27),
        ("LOST_MONEY_IN", 1),
        ("MADE_IN", 2),
        ("MAKES", 1),
        ("MEMBER_OF", 4),
        ("MENTIONS", 125),
        ("MODEL_FOR", 1),
        ("MOST_POWERFUL_LEADER_SINCE", 1),
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
        ("RAISED", 3),
        ("REGULATED", 4),
        ("REPORTED", 1),
        ("ROUND_OF", 1),
        ("RUNS", 3),
        ("SAID", 18),
        ("SERVES", 1),
        ("SET_TARGET", 1),
        ("SIGNALS", 2),
        ("SPEAKER_AT", 1),
        ("SUPPORTS", 1),
        ("TARGETS", 7),
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
    let rel_evidence: Vec<Value> = graph
        .rels()
        .filter_map(|r| graph.rel_property(r, "evidence"))
        .collect();
    let not_found: Vec<&str> = node_evidence
        .chain(&rel_evidence)
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

/// Text of a node's or relationship's `note`, if it has a non-blank one.
fn note_of(value: Option<&Value>) -> Option<&str> {
    value
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

fn describe_rel(graph: &Graph, rel: kg::graph::RelId) -> String {
    let (s, e) = graph.rel_endpoints(rel).expect("endpoints");
    format!(
        "({})-[:{}]->({})",
        name_of(graph, s),
        graph.rel_type(rel).unwrap_or("?"),
        name_of(graph, e)
    )
}

#[test]
fn every_implied_fact_says_why_in_a_note() {
    // SCHEMA.md: a fact that goes beyond the words of its evidence is `implied = true` with a
    // `note`; a node property read rather than stated is named in `implied_keys`, with a note.
    let graph = graph();
    let mut problems = Vec::new();
    for rel in graph.rels() {
        let implied = graph.rel_property(rel, "implied");
        let note_value = graph.rel_property(rel, "note");
        let note = note_of(note_value.as_ref());
        match (implied, note) {
            (Some(Value::Bool(true)), None) => problems.push(format!(
                "{}: implied without a note",
                describe_rel(&graph, rel)
            )),
            (Some(Value::Bool(true)), Some(_)) => {}
            (_, Some(_)) => problems.push(format!(
                "{}: a note on a stated fact (notes say why a fact is implied)",
                describe_rel(&graph, rel)
            )),
            (Some(Value::Bool(false)) | None, None) => {}
            (Some(other), None) => problems.push(format!(
                "{}: implied is {other:?}, not a boolean",
                describe_rel(&graph, rel)
            )),
        }
    }
    for node in graph.nodes() {
        let name = name_of(&graph, node);
        if graph.node_property(node, "implied").is_some() {
            problems.push(format!(
                "{name}: `implied` is for relationships; name the keys in implied_keys"
            ));
        }
        let note = note_of(graph.node_property(node, "note"));
        match graph.node_property(node, "implied_keys") {
            Some(Value::List(keys)) => {
                if note.is_none() {
                    problems.push(format!("{name}: implied_keys without a note"));
                }
                for key in keys.iter() {
                    match key.as_str() {
                        Some(k) if graph.node_property(node, k).is_some() => {}
                        _ => {
                            problems.push(format!("{name}: implied key {key:?} is not a property"))
                        }
                    }
                }
            }
            Some(other) => problems.push(format!("{name}: implied_keys is {other:?}")),
            None if note.is_some() => problems.push(format!("{name}: a note without implied_keys")),
            None => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The label sets one side of a relationship may have: any one alternative, all its labels.
type Endpoint = Vec<Vec<String>>;

/// One side of a relationship type's documented direction: the node must carry every label
/// of one alternative (`Place:Country` is both labels); `anything` accepts any node.
fn endpoint_alternatives(side: &str) -> Endpoint {
    side.replace(", or ", ", ")
        .split(", ")
        .flat_map(|part| part.split(" or "))
        .map(|alt| alt.trim().split(':').map(str::to_string).collect())
        .collect()
}

/// The direction column of every relationship-type table in SCHEMA.md:
/// `| TYPE | (From or From2)->(To, To2 or To3) | meaning | properties |`.
fn documented_directions(schema: &str) -> BTreeMap<String, (Endpoint, Endpoint)> {
    let section = schema
        .split("\n## Relationship types")
        .nth(1)
        .expect("SCHEMA.md has a `## Relationship types` section");
    let section = section.split("\n## ").next().unwrap_or(section);
    let mut directions = BTreeMap::new();
    for line in section.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (Some(rel_type), Some(direction)) = (cells.get(1), cells.get(2)) else {
            continue;
        };
        let Some((from, to)) = direction
            .strip_prefix('(')
            .and_then(|d| d.strip_suffix(')'))
            .and_then(|d| d.split_once(")->("))
        else {
            continue;
        };
        let previous = directions.insert(
            rel_type.to_string(),
            (endpoint_alternatives(from), endpoint_alternatives(to)),
        );
        assert!(previous.is_none(), "SCHEMA.md documents {rel_type} twice");
    }
    directions
}

fn fits(graph: &Graph, node: kg::graph::NodeId, alternatives: &[Vec<String>]) -> bool {
    alternatives
        .iter()
        .any(|labels| labels == &["anything"] || labels.iter().all(|l| graph.has_label(node, l)))
}

#[test]
fn every_relationship_type_joins_the_labels_schema_md_gives_it() {
    let graph = graph();
    let directions = documented_directions(include_str!("../data/SCHEMA.md"));
    let mut problems = Vec::new();
    for rel in graph.rels() {
        let rel_type = graph.rel_type(rel).unwrap_or("?");
        let (start, end) = graph.rel_endpoints(rel).expect("endpoints");
        match directions.get(rel_type) {
            None => problems.push(format!("{rel_type} is not documented in SCHEMA.md")),
            Some((from, to)) => {
                if !fits(&graph, start, from) || !fits(&graph, end, to) {
                    problems.push(format!(
                        "{}: endpoints {:?} -> {:?} are not the documented {from:?} -> {to:?}",
                        describe_rel(&graph, rel),
                        graph.node_labels(start),
                        graph.node_labels(end)
                    ));
                }
            }
        }
    }
    // A documented type nothing uses is a stale line of the schema.
    for rel_type in directions.keys() {
        if graph.type_count(rel_type) == 0 {
            problems.push(format!(
                "SCHEMA.md documents {rel_type}, which no relationship has"
            ));
        }
    }
    problems.sort();
    problems.dedup();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_metonym_is_a_name_another_node_bears_literally() {
    // "Beijing" is the city's name and the article's word for the central government:
    // not an alias of the government (aliases are unique), but searchable as its metonym.
    let graph = graph();
    let mut problems = Vec::new();
    let mut seen = 0;
    for node in graph.nodes() {
        for metonym in kg::search::metonyms_of(&graph, node) {
            seen += 1;
            let own = kg::search::names_of(&graph, node);
            let bearers: Vec<String> = graph
                .nodes()
                .filter(|&other| other != node)
                .filter(|&other| kg::search::names_of(&graph, other).contains(&metonym))
                .map(|other| name_of(&graph, other))
                .collect();
            if own.contains(&metonym) || bearers.is_empty() {
                problems.push(format!(
                    "{}: metonym `{metonym}` should be an alias (no other node is named so)",
                    name_of(&graph, node)
                ));
            }
        }
    }
    assert!(seen > 0, "the article graph records the metonym Beijing");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn finding_beijing_gives_the_city_and_the_central_government() {
    let graph = graph();
    let hits: Vec<String> = kg::search::find_nodes(&graph, "Beijing")
        .into_iter()
        .take(2)
        .map(|hit| name_of(&graph, hit.node))
        .collect();
    assert_eq!(hits, ["Beijing", "Chinese central government"]);
}

#[test]
fn every_example_query_in_schema_md_answers() {
    // The examples document the model: one that errors or finds nothing has gone stale.
    let schema = include_str!("../data/SCHEMA.md");
    let mut session = kg::Session::with_graph(graph());
    let mut problems = Vec::new();
    let mut examples = 0;
    for block in schema.split("```cypher\n").skip(1) {
        let block = block.split("```").next().unwrap_or_default();
        for query in block.lines().filter(|l| !l.trim().is_empty()) {
            examples += 1;
            match session.run(query) {
                Ok(results) if results.iter().any(|r| !r.rows.is_empty()) => {}
                Ok(_) => problems.push(format!("no rows: {query}")),
                Err(e) => problems.push(format!("{e}: {query}")),
            }
        }
    }
    assert!(examples > 50, "found only {examples} examples in SCHEMA.md");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_relationship_property_is_documented_for_its_type() {
    // A property SCHEMA.md does not list for the type is a meaning the schema does not give.
    let section = include_str!("../data/SCHEMA.md")
        .split("\n## Relationship types")
        .nth(1)
        .expect("SCHEMA.md has a `## Relationship types` section");
    let mut documented: HashMap<&str, Vec<&str>> = HashMap::new();
    for line in section.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() > 4 && cells[2].starts_with('(') {
            // Backticked names in the meaning and properties cells.
            let named = cells[3..5]
                .iter()
                .flat_map(|cell| cell.split('`').skip(1).step_by(2))
                .collect();
            documented.insert(cells[1], named);
        }
    }
    let graph = graph();
    let mut problems = Vec::new();
    for rel in graph.rels() {
        let rel_type = graph.rel_type(rel).unwrap_or("?");
        let listed = documented.get(rel_type).cloned().unwrap_or_default();
        for (key, _) in graph.rel(rel).expect("rel").properties().iter() {
            // Conventions that apply to every relationship.
            if ["evidence", "implied", "note"].contains(&key) || listed.contains(&key) {
                continue;
            }
            problems.push(format!("{rel_type}.{key} is not in its SCHEMA.md row"));
        }
    }
    problems.sort();
    problems.dedup();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
