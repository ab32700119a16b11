//! The graph-browsing meta-commands — `:schema`, `:stats`, `:find`, `:show`, `:why` — each
//! building a `ResultSet`, so they print in any output format like a query result.

use std::collections::BTreeMap;
use std::io::{self, Write};

use kg::Graph;
use kg::graph::{Direction, NodeId, RelId};
use kg::result::{ResultSet, Stats};
use kg::search::{self, NameMatch, names_of};
use kg::value::Value;

use super::schema::Schema;
use super::suggest::closest;

/// How many matches `:find` lists.
const FIND_LIMIT: usize = 10;

fn result(columns: &[&str], rows: Vec<Vec<Value>>, graph: &Graph) -> ResultSet {
    ResultSet::new(
        columns.iter().map(|c| c.to_string()).collect(),
        rows,
        Stats::default(),
        graph,
    )
}

fn typed_keys(keys: Option<&BTreeMap<String, std::collections::BTreeSet<&'static str>>>) -> Value {
    let text = keys
        .into_iter()
        .flatten()
        .map(|(k, types)| {
            let types: Vec<&str> = types.iter().copied().collect();
            format!("{k}: {}", types.join("|"))
        })
        .collect::<Vec<_>>()
        .join(", ");
    Value::from(text)
}

/// `:schema`: one row per label and per `(:A)-[:T]->(:B)` pattern, with counts and keys.
pub fn schema(schema: &Schema) -> ResultSet {
    let mut rows = Vec::new();
    for (label, count) in &schema.labels {
        rows.push(vec![
            Value::from(format!("(:{label})")),
            Value::Int(*count as i64),
            typed_keys(schema.label_keys.get(label)),
        ]);
    }
    for ((start, rel_type, end), count) in &schema.patterns {
        let node = |l: &str| {
            if l.is_empty() {
                "()".to_string()
            } else {
                format!("(:{l})")
            }
        };
        rows.push(vec![
            Value::from(format!("{}-[:{rel_type}]->{}", node(start), node(end))),
            Value::Int(*count as i64),
            typed_keys(schema.rel_keys.get(rel_type)),
        ]);
    }
    result(&["pattern", "count", "properties"], rows, &Graph::new())
}

/// `:stats`: sizes of the graph.
pub fn stats(graph: &Graph, params: usize) -> ResultSet {
    let rows = [
        ("nodes", graph.node_count()),
        ("relationships", graph.rel_count()),
        ("labels", graph.labels().len()),
        ("relationship types", graph.rel_types().len()),
        ("parameters", params),
    ]
    .into_iter()
    .map(|(what, n)| vec![Value::from(what), Value::Int(n as i64)])
    .collect();
    result(&["what", "count"], rows, graph)
}

/// `:find TEXT`: the nodes whose name or an alias is most like TEXT, best first.
pub fn find(graph: &Graph, text: &str) -> ResultSet {
    let rows = search::find_nodes(graph, text)
        .into_iter()
        .take(FIND_LIMIT)
        .map(
            |NameMatch {
                 node,
                 matched,
                 score,
             }| {
                let name = graph
                    .node_property(node, "name")
                    .cloned()
                    .unwrap_or_default();
                let labels = graph
                    .node_labels(node)
                    .iter()
                    .map(|l| Value::from(&**l))
                    .collect();
                vec![
                    Value::Int(i64::from(node.0)),
                    name,
                    Value::List(labels),
                    Value::from(matched),
                    Value::Float((score * 100.0).round() / 100.0),
                ]
            },
        )
        .collect();
    result(&["id", "name", "labels", "matched", "score"], rows, graph)
}

/// Resolves `:show`'s argument: an id, an exact name, a name or alias in any case.
fn resolve_node(graph: &Graph, what: &str) -> Result<NodeId, String> {
    if let Ok(id) = what.parse::<u32>()
        && graph.contains_node(NodeId(id))
    {
        return Ok(NodeId(id));
    }
    if let Some(node) = graph.nodes_named(what).next() {
        return Ok(node);
    }
    let lower = what.to_lowercase();
    if let Some(node) = graph.nodes().find(|n| {
        names_of(graph, *n)
            .iter()
            .any(|name| name.to_lowercase() == lower)
    }) {
        return Ok(node);
    }
    if let Ok(id) = what.parse::<u32>() {
        return Err(format!("no node with id {id} (:find NAME finds ids)"));
    }
    let all: Vec<String> = graph.nodes().flat_map(|n| names_of(graph, n)).collect();
    let hint = closest(what, all.iter().map(String::as_str))
        .map(|c| format!(" — did you mean '{c}'?"))
        .unwrap_or_else(|| " (try :find)".to_string());
    Err(format!("no node named '{what}'{hint}"))
}

/// `:show NAME|ID`: a node card — id, labels, properties, evidence, neighbours per type.
pub fn show(graph: &Graph, what: &str) -> Result<ResultSet, String> {
    let node = resolve_node(graph, what)?;
    let data = graph
        .node(node)
        .ok_or_else(|| format!("node {} is gone", node.0))?;
    let mut rows = vec![
        vec![Value::from("id"), Value::Int(i64::from(node.0))],
        vec![
            Value::from("labels"),
            Value::List(data.labels.iter().map(|l| Value::from(&**l)).collect()),
        ],
    ];
    let mut evidence = None;
    for (k, v) in data.properties.iter() {
        if k == "evidence" {
            evidence = Some(v.clone());
        } else {
            rows.push(vec![Value::from(format!(".{k}")), v.clone()]);
        }
    }
    // Neighbours grouped by direction and type, named rather than shown whole.
    let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (direction, arrow) in [
        (Direction::Outgoing, ("-[:", "]->")),
        (Direction::Incoming, ("<-[:", "]-")),
    ] {
        for (rel, other) in graph.relationships_of(node, direction, &[]) {
            let rel_type = graph.rel_type(rel).unwrap_or("?");
            let name = graph
                .node_property(other, "name")
                .cloned()
                .unwrap_or_else(|| Value::from(format!("#{}", other.0)));
            groups
                .entry(format!("{}{rel_type}{}", arrow.0, arrow.1))
                .or_default()
                .push(name);
        }
    }
    for (group, names) in groups {
        rows.push(vec![
            Value::from(format!("{group} ({})", names.len())),
            Value::List(names),
        ]);
    }
    if let Some(evidence) = evidence {
        rows.push(vec![Value::from("evidence"), evidence]);
    }
    Ok(result(&["field", "value"], rows, graph))
}

/// `:why`: the `evidence` of every node and relationship in the last result.
pub fn why(last: &ResultSet, graph: &Graph) -> ResultSet {
    // Endpoints of a returned relationship may not be in the result; the graph names them.
    let name_of = |id: &NodeId| {
        last.nodes
            .get(id)
            .and_then(|n| n.properties.get("name"))
            .or_else(|| graph.node_property(*id, "name"))
            .and_then(Value::as_str)
            .map_or_else(|| format!("#{}", id.0), str::to_string)
    };
    let mut rows = Vec::new();
    // In the order the result shows them, so the evidence reads along its rows (and along
    // a path from its start).
    let mut seen = Seen::default();
    for value in last.rows.iter().flatten() {
        seen.visit(value);
    }
    for entity in seen.order {
        match entity {
            Entity::Node(id) => {
                let Some(node) = last.nodes.get(&id) else {
                    continue;
                };
                if let Some(evidence) = node.properties.get("evidence") {
                    let labels: String = node.labels.iter().map(|l| format!(":{l}")).collect();
                    rows.push(vec![
                        Value::from(format!("({labels} {})", name_of(&id))),
                        evidence.clone(),
                    ]);
                }
            }
            Entity::Rel(id) => {
                let Some(rel) = last.rels.get(&id) else {
                    continue;
                };
                if let Some(evidence) = rel.properties.get("evidence") {
                    rows.push(vec![
                        Value::from(format!(
                            "({})-[:{}]->({})",
                            name_of(&rel.start),
                            rel.rel_type,
                            name_of(&rel.end)
                        )),
                        evidence.clone(),
                    ]);
                }
            }
        }
    }
    ResultSet {
        columns: vec!["about".into(), "evidence".into()],
        rows,
        ..Default::default()
    }
}

/// A node or relationship of a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Entity {
    Node(NodeId),
    Rel(RelId),
}

/// The entities of a result's values, each once, in the order they first appear.
#[derive(Default)]
struct Seen {
    order: Vec<Entity>,
    set: std::collections::HashSet<Entity>,
}

impl Seen {
    fn add(&mut self, entity: Entity) {
        if self.set.insert(entity) {
            self.order.push(entity);
        }
    }

    fn visit(&mut self, value: &Value) {
        match value {
            Value::Node(id) => self.add(Entity::Node(*id)),
            Value::Rel(id) => self.add(Entity::Rel(*id)),
            Value::Path(path) => {
                // Alternating from the start: node, relationship, node, ...
                let mut rels = path.rels.iter();
                for node in &path.nodes {
                    self.add(Entity::Node(*node));
                    if let Some(rel) = rels.next() {
                        self.add(Entity::Rel(*rel));
                    }
                }
            }
            Value::List(items) => items.iter().for_each(|v| self.visit(v)),
            Value::Map(entries) => entries.values().for_each(|v| self.visit(v)),
            _ => {}
        }
    }
}

/// `:why` for people: each entity, then its evidence quoted and indented in full, wrapped
/// at word boundaries to `width` when given.
pub fn write_why(why: &ResultSet, width: Option<usize>, out: &mut impl Write) -> io::Result<()> {
    if why.rows.is_empty() {
        return writeln!(
            out,
            "no evidence: the last result holds no nodes or relationships with an `evidence` \
             property (return them, e.g. `RETURN c` rather than `RETURN c.name`)"
        );
    }
    for row in &why.rows {
        let (Some(about), Some(evidence)) = (row.first(), row.get(1)) else {
            continue;
        };
        writeln!(out, "{}", about.as_str().unwrap_or_default())?;
        let quotes = match evidence {
            Value::List(items) => items.clone(),
            other => vec![other.clone()],
        };
        for quote in quotes {
            let text = match quote.as_str() {
                Some(text) => format!("“{}”", text.trim()),
                None => kg::format::text::cypher(&quote, why),
            };
            let text = match width {
                Some(width) => kg::format::text::wrap(&text, width.saturating_sub(2).max(20)),
                None => text,
            };
            for line in text.lines() {
                writeln!(out, "  {line}")?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph() -> Graph {
        let mut graph = Graph::new();
        let wu = graph.create_node(
            ["Person"],
            [
                ("name".to_string(), Value::from("Wu Gansha")),
                (
                    "evidence".to_string(),
                    Value::from("Wu Gansha founded Uisee."),
                ),
            ],
        );
        let uisee = graph.create_node(
            ["Company"],
            [
                ("name".to_string(), Value::from("Uisee")),
                (
                    "aliases".to_string(),
                    Value::List(vec![Value::from("UISEE Technology")]),
                ),
            ],
        );
        graph
            .create_rel(
                wu,
                uisee,
                "FOUNDED",
                [("evidence".to_string(), Value::from("founded"))],
            )
            .expect("nodes exist");
        graph
    }

    #[test]
    fn find_ranks_names_and_aliases() {
        let found = find(&graph(), "gansha");
        assert_eq!(found.rows[0][1], Value::from("Wu Gansha"));
        let found = find(&graph(), "uisee tech");
        assert_eq!(found.rows[0][3], Value::from("UISEE Technology"));
        // Words of the query may be apart in the name.
        let found = find(&graph(), "wu gnsha");
        assert_eq!(found.rows[0][1], Value::from("Wu Gansha"));
        assert!(find(&graph(), "zzzz").rows.is_empty());
    }

    #[test]
    fn show_gives_a_card_with_neighbours() {
        let card = show(&graph(), "wu gansha").expect("found in any case");
        let fields: Vec<String> = card
            .rows
            .iter()
            .map(|r| r[0].as_str().unwrap_or("").to_string())
            .collect();
        assert_eq!(
            fields,
            vec!["id", "labels", ".name", "-[:FOUNDED]-> (1)", "evidence"]
        );
        let err = show(&graph(), "Uise").expect_err("not exact");
        assert!(err.contains("did you mean 'Uisee'?"), "{err}");
    }

    /// What `:why` prints after a one-column result of `rows`.
    fn why_text(graph: &Graph, rows: Vec<Vec<Value>>) -> String {
        let last = ResultSet::new(vec!["x".into()], rows, Stats::default(), graph);
        let mut out = Vec::new();
        write_why(&why(&last, graph), None, &mut out).expect("writing to a Vec");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn why_lists_evidence_of_nodes_and_rels() {
        let graph = graph();
        let rels: Vec<_> = graph.rels().collect();
        assert_eq!(
            why_text(&graph, vec![vec![Value::Rel(rels[0])]]),
            "(Wu Gansha)-[:FOUNDED]->(Uisee)\n  “founded”\n"
        );
    }

    #[test]
    fn why_follows_the_result_not_the_ids() {
        let graph = graph();
        let rel = graph.rels().next().expect("one relationship");
        let wu = graph.nodes().next().expect("a node");
        // The relationship in the first row, inside a list; the node in a map after it,
        // and again later: each is told once, where it first appears.
        let rows = vec![
            vec![Value::List(vec![Value::Rel(rel)])],
            vec![Value::Map([("who".to_string(), Value::Node(wu))].into())],
            vec![Value::Node(wu)],
        ];
        assert_eq!(
            why_text(&graph, rows),
            "(Wu Gansha)-[:FOUNDED]->(Uisee)\n  “founded”\n(:Person Wu Gansha)\n  “Wu Gansha founded Uisee.”\n"
        );
    }

    #[test]
    fn why_wraps_long_evidence_under_its_entity() {
        let why = ResultSet {
            columns: vec!["about".into(), "evidence".into()],
            rows: vec![vec![
                Value::from("(:Person Lee Kai-Fu)"),
                Value::from("Its a subsidy. Its a grant. Its an honor.\n"),
            ]],
            ..Default::default()
        };
        let mut out = Vec::new();
        write_why(&why, Some(24), &mut out).expect("writing to a Vec");
        assert_eq!(
            String::from_utf8(out).expect("utf-8"),
            "(:Person Lee Kai-Fu)\n  “Its a subsidy. Its a\n  grant. Its an honor.”\n"
        );
    }

    #[test]
    fn schema_rows_for_labels_and_patterns() {
        let rs = schema(&Schema::of(&graph()));
        let patterns: Vec<&str> = rs.rows.iter().filter_map(|r| r[0].as_str()).collect();
        assert_eq!(
            patterns,
            vec![
                "(:Company)",
                "(:Person)",
                "(:Person)-[:FOUNDED]->(:Company)"
            ]
        );
        assert_eq!(rs.rows[0][2], Value::from("aliases: LIST, name: STRING"));
    }
}
