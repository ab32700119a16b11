//! A result as a picture: the nodes and relationships of a `ResultSet` (also those inside
//! paths, lists and maps) as JSON for the page's graph library, and `:view`'s page, one
//! self-contained HTML file that works offline from `file://`.
//!
//! The page's script and style (`view.js`, `view.css`) and the vendored cytoscape.js (MIT,
//! licence in `vendor/cytoscape-LICENSE`) are compiled in; nothing is fetched from the
//! network. The browser workspace of `kg serve --http` (see `crate::http`) draws its results
//! with the same script, from the same JSON. Drawing is the browser's job; this module only
//! chooses what to draw.

use std::collections::{BTreeMap, HashSet};

use serde_json::{Map, Value as Json, json};

use crate::graph::{Graph, NodeId, Properties, RelId};
use crate::result::ResultSet;
use crate::value::Value;

/// cytoscape.js, minified, as published on npm (version in its header).
pub const CYTOSCAPE_JS: &str = include_str!("vendor/cytoscape.min.js");
/// cytoscape.js's licence, shipped beside it.
pub const CYTOSCAPE_LICENSE: &str = include_str!("vendor/cytoscape-LICENSE");
/// The page script shared by `:view` and the workspace: graph, legend, search, side panel, table.
pub const VIEW_JS: &str = include_str!("view.js");
/// The page style shared by `:view` and the workspace.
pub const VIEW_CSS: &str = include_str!("view.css");
const PAGE_HTML: &str = include_str!("page.html");

/// More graph elements than this are not drawn (the layout would take minutes and the
/// picture be a blot): the first ones are, with a notice, and the table keeps every row.
pub const MAX_ELEMENTS: usize = 5_000;

/// The JSON the page draws: `{nodes, edges, total, truncated, table}`.
///
/// `nodes` are `{id, labels, caption, properties}`, `edges` `{id, type, source, target,
/// properties}` (ids are `n<NodeId>` and `r<RelId>`); property values are shown as text, in
/// Cypher notation except strings. Endpoints of a returned relationship that the result does
/// not hold are read from `graph`, so every edge has its two nodes.
pub fn result_json(result: &ResultSet, graph: &Graph) -> Json {
    let mut seen = Entities::default();
    for value in result.rows.iter().flatten() {
        seen.visit(value);
    }
    // Endpoints after everything the result itself names, so they are the first left out.
    let mut endpoints = Vec::new();
    for rel in &seen.rels {
        if let Some((start, end)) = rel_ends(*rel, result, graph) {
            endpoints.extend([start, end]);
        }
    }
    for node in endpoints {
        seen.add_node(node);
    }
    let total_nodes = seen.nodes.len();
    let total_rels = seen.rels.len();

    let mut nodes = Vec::new();
    let mut drawn: HashSet<NodeId> = HashSet::new();
    for &id in seen.nodes.iter().take(MAX_ELEMENTS) {
        let (labels, properties) = match result.nodes.get(&id) {
            Some(n) => (&n.labels[..], Some(&n.properties)),
            None => match graph.node(id) {
                Some(n) => (&n.labels[..], Some(&n.properties)),
                None => (&[][..], None),
            },
        };
        drawn.insert(id);
        nodes.push(json!({
            "id": format!("n{}", id.0),
            "key": id.0,
            "labels": labels.iter().map(|l| &**l).collect::<Vec<_>>(),
            "caption": caption(id, properties),
            "properties": properties_json(properties, result),
        }));
    }
    let mut edges = Vec::new();
    for &id in &seen.rels {
        if nodes.len() + edges.len() >= MAX_ELEMENTS {
            break;
        }
        let Some((start, end)) = rel_ends(id, result, graph) else {
            continue;
        };
        if !drawn.contains(&start) || !drawn.contains(&end) {
            continue;
        }
        let owned: Properties;
        let (rel_type, properties) = match result.rels.get(&id) {
            Some(r) => (r.rel_type.to_string(), Some(&r.properties)),
            None => match graph.rel(id) {
                Some(r) => {
                    owned = r.properties().to_properties();
                    (r.rel_type().to_string(), Some(&owned))
                }
                None => (String::new(), None),
            },
        };
        edges.push(json!({
            "id": format!("r{}", id.0),
            "key": id.0,
            "type": rel_type,
            "source": format!("n{}", start.0),
            "target": format!("n{}", end.0),
            "properties": properties_json(properties, result),
        }));
    }
    let truncated = nodes.len() < total_nodes || edges.len() < total_rels;
    json!({
        "nodes": nodes,
        "edges": edges,
        "total": {"nodes": total_nodes, "edges": total_rels},
        "truncated": truncated,
        "table": table_json(result),
    })
}

/// `:view`'s page: `result` drawn, with `title` (the statement) above it.
pub fn page(result: &ResultSet, graph: &Graph, title: &str) -> String {
    let data = json!({"title": title, "result": result_json(result, graph)});
    PAGE_HTML
        .replace("/*KG-CSS*/", VIEW_CSS)
        .replace(
            "KG-TITLE",
            &html_escape(if title.is_empty() { "kg" } else { title }),
        )
        .replace("/*KG-DATA*/", &script_json(&data))
        .replace("/*KG-CYTOSCAPE*/", &script_text(CYTOSCAPE_JS))
        .replace("/*KG-VIEW-JS*/", VIEW_JS)
}

/// JSON inside a `<script>` element: `</` would end the element early, so it is written
/// `<\/`, which JSON reads back as the same text.
pub fn script_json(data: &Json) -> String {
    data.to_string().replace("</", "<\\/")
}

/// Script text inside a `<script>` element (the same guard as `script_json`).
pub fn script_text(text: &str) -> String {
    text.replace("</script", "<\\/script")
}

/// Text escaped for HTML element content and attribute values.
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Whether any row holds a node, relationship or path (anywhere inside it).
pub fn has_graph_elements(result: &ResultSet) -> bool {
    let mut seen = Entities::default();
    result.rows.iter().flatten().for_each(|v| seen.visit(v));
    !seen.nodes.is_empty() || !seen.rels.is_empty()
}

/// The rows as text cells, every row (the table is never cut).
fn table_json(result: &ResultSet) -> Json {
    let rows: Vec<Vec<String>> = result
        .rows
        .iter()
        .map(|row| row.iter().map(|v| cell(v, result)).collect())
        .collect();
    json!({"columns": result.columns, "rows": rows})
}

fn cell(value: &Value, result: &ResultSet) -> String {
    match value {
        Value::String(s) => s.to_string(),
        other => crate::format::text::cypher(other, result),
    }
}

fn properties_json(properties: Option<&Properties>, result: &ResultSet) -> Json {
    let mut map = Map::new();
    if let Some(props) = properties {
        for (k, v) in props.iter() {
            map.insert(k.to_string(), Json::String(cell(v, result)));
        }
    }
    Json::Object(map)
}

/// What a node is called on the picture: its name, title or first string property.
fn caption(id: NodeId, properties: Option<&Properties>) -> String {
    let props = properties.map(|p| {
        p.iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<BTreeMap<_, _>>()
    });
    let named = props.as_ref().and_then(|p| {
        ["name", "title", "text", "id"]
            .iter()
            .find_map(|k| p.get(*k).and_then(|v| v.as_str()))
            .or_else(|| p.values().find_map(|v| v.as_str()))
    });
    match named {
        Some(text) if text.chars().count() > 40 => {
            let short: String = text.chars().take(38).collect();
            format!("{short}…")
        }
        Some(text) => text.to_string(),
        None => format!("#{}", id.0),
    }
}

fn rel_ends(id: RelId, result: &ResultSet, graph: &Graph) -> Option<(NodeId, NodeId)> {
    result
        .rels
        .get(&id)
        .map(|r| (r.start, r.end))
        .or_else(|| graph.rel_endpoints(id))
}

/// Nodes and relationships in the order the rows show them, each once.
#[derive(Default)]
struct Entities {
    nodes: Vec<NodeId>,
    rels: Vec<RelId>,
    seen_nodes: HashSet<NodeId>,
    seen_rels: HashSet<RelId>,
}

impl Entities {
    fn add_node(&mut self, id: NodeId) {
        if self.seen_nodes.insert(id) {
            self.nodes.push(id);
        }
    }

    fn add_rel(&mut self, id: RelId) {
        if self.seen_rels.insert(id) {
            self.rels.push(id);
        }
    }

    fn visit(&mut self, value: &Value) {
        match value {
            Value::Node(n) => self.add_node(*n),
            Value::Rel(r) => self.add_rel(*r),
            Value::Path(p) => {
                p.nodes.iter().for_each(|n| self.add_node(*n));
                p.rels.iter().for_each(|r| self.add_rel(*r));
            }
            Value::List(items) => items.iter().for_each(|v| self.visit(v)),
            Value::Map(m) => m.values().for_each(|v| self.visit(v)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Session;

    fn run(session: &mut Session, query: &str) -> ResultSet {
        session
            .run(query)
            .expect("query runs")
            .pop()
            .expect("one result")
    }

    #[test]
    fn paths_lists_and_missing_endpoints_are_drawn() {
        let mut session = Session::new();
        run(
            &mut session,
            "CREATE (:Person {name: 'Ann', evidence: 'Ann is here.'})-[:KNOWS {evidence: 'They met.'}]->(:Person {name: 'Bob'})-[:KNOWS]->(:Person {name: 'Cy'})",
        );
        // A relationship alone: its endpoints come from the graph.
        let result = run(&mut session, "MATCH ()-[r:KNOWS]->({name: 'Cy'}) RETURN r");
        let data = result_json(&result, session.graph());
        assert_eq!(data["nodes"].as_array().map(Vec::len), Some(2));
        assert_eq!(data["edges"][0]["type"], "KNOWS");
        // A path inside a list, and a scalar beside it.
        let result = run(
            &mut session,
            "MATCH p = ({name: 'Ann'})-[*2]->() RETURN [p] AS ps, length(p) AS n",
        );
        let data = result_json(&result, session.graph());
        assert_eq!(data["nodes"].as_array().map(Vec::len), Some(3));
        assert_eq!(data["edges"].as_array().map(Vec::len), Some(2));
        assert_eq!(data["truncated"], false);
        assert_eq!(data["table"]["rows"][0][1], "2");
        let ann = &data["nodes"][0];
        assert_eq!(ann["caption"], "Ann");
        assert_eq!(ann["properties"]["evidence"], "Ann is here.");
        assert_eq!(data["edges"][0]["properties"]["evidence"], "They met.");
    }

    #[test]
    fn a_large_result_is_drawn_in_part_and_tabled_whole() {
        let mut session = Session::new();
        run(
            &mut session,
            "UNWIND range(1, 6000) AS i CREATE (:N {i: i})",
        );
        let result = run(&mut session, "MATCH (n:N) RETURN n");
        let data = result_json(&result, session.graph());
        assert_eq!(data["nodes"].as_array().map(Vec::len), Some(MAX_ELEMENTS));
        assert_eq!(data["total"]["nodes"], 6000);
        assert_eq!(data["truncated"], true);
        assert_eq!(data["table"]["rows"].as_array().map(Vec::len), Some(6000));
        assert!(!has_graph_elements(&run(&mut session, "RETURN 1")));
    }

    #[test]
    fn the_page_is_self_contained_and_script_safe() {
        let mut session = Session::new();
        let result = run(&mut session, "CREATE (n:X {name: '</script><b>'}) RETURN n");
        let html = page(&result, session.graph(), "CREATE (n:X) RETURN n");
        assert!(!html.contains("</script><b>"));
        assert!(html.contains("Cytoscape Consortium"));
        // Nothing loaded from elsewhere: no src or href that leaves the file.
        for attr in [
            "src=\"http",
            "href=\"http",
            "src='http",
            "href='http",
            "@import",
        ] {
            assert!(!html.contains(attr), "{attr}");
        }
    }
}
