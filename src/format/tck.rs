//! Values in openCypher TCK notation, e.g. `(:Person {name: 'Ann'})`; used by the TCK runner
//! and the golden tests. Rendering only: parsing the notation back is the test harness's job.
//!
//! The notation (TCK README, "Format of the expected results"): `null`, `true`, `1`, `1.5`
//! (floats always show a dot or an exponent; `NaN`, `Inf`, `-Inf`), `'text'`, `[1, 2]`,
//! `{k: 1}`, nodes `(:L1:L2 {k: 'v'})`, relationships `[:T {k: 1}]`, and paths
//! `<(:A)-[:T]->(:B)<-[:U]-(:C)>`. Node and relationship data come from the `ResultSet`
//! snapshots, so no graph is needed.

use std::fmt::Write;

use crate::graph::{NodeId, Properties, RelId};
use crate::result::ResultSet;
use crate::value::{Path, Value};

/// Renders one value in TCK notation. Map keys and property keys come out sorted, and node
/// labels sorted, so the text is stable whatever order the engine stored them in.
pub fn render_value(value: &Value, result: &ResultSet) -> String {
    let mut out = String::new();
    write_value(&mut out, value, result);
    out
}

/// Renders each cell of a row in TCK notation.
pub fn render_row(row: &[Value], result: &ResultSet) -> Vec<String> {
    row.iter().map(|v| render_value(v, result)).collect()
}

/// A float in TCK notation: always with a dot or an exponent, and `NaN`, `Inf`, `-Inf`.
pub fn render_float(f: f64) -> String {
    if f.is_nan() {
        "NaN".to_string()
    } else if f.is_infinite() {
        if f > 0.0 { "Inf" } else { "-Inf" }.to_string()
    } else {
        // Debug keeps ".0" on whole numbers and switches to an exponent for very large or
        // small magnitudes, and it prints the shortest text that reads back to the same f64.
        format!("{f:?}")
    }
}

/// A string in TCK notation: single quotes, with `\`, `'` and control characters escaped.
pub fn render_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    write_string(&mut out, s);
    out
}

fn write_string(out: &mut String, s: &str) {
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('\'');
}

/// Map and property keys are written bare when they are plain identifiers, else in backticks.
fn write_key(out: &mut String, key: &str) {
    let mut chars = key.chars();
    let plain = chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_');
    if plain {
        out.push_str(key);
    } else {
        out.push('`');
        out.push_str(&key.replace('`', "``"));
        out.push('`');
    }
}

fn write_value(out: &mut String, value: &Value, result: &ResultSet) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => out.push_str(&render_float(*f)),
        Value::String(s) => write_string(out, s),
        // The TCK writes temporal values as their ISO text in quotes.
        Value::Temporal(t) => write_string(out, &t.to_string()),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, item, result);
            }
            out.push(']');
        }
        Value::Map(map) => {
            // BTreeMap iterates in key order already.
            write_entries(out, map.iter().map(|(k, v)| (k.as_str(), v)), result);
        }
        Value::Node(id) => write_node(out, *id, result),
        Value::Rel(id) => write_rel(out, *id, result),
        Value::Path(path) => write_path(out, path, result),
    }
}

fn write_entries<'a>(
    out: &mut String,
    entries: impl Iterator<Item = (&'a str, &'a Value)>,
    result: &ResultSet,
) {
    out.push('{');
    for (i, (key, value)) in entries.enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_key(out, key);
        out.push_str(": ");
        write_value(out, value, result);
    }
    out.push('}');
}

/// ` {k: v, ...}` with keys sorted, or nothing for an empty property map.
fn write_properties(out: &mut String, properties: &Properties, result: &ResultSet) {
    if properties.is_empty() {
        return;
    }
    let mut entries: Vec<(&str, &Value)> = properties.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    out.push(' ');
    write_entries(out, entries.into_iter(), result);
}

fn write_node(out: &mut String, id: NodeId, result: &ResultSet) {
    let Some(node) = result.nodes.get(&id) else {
        // No snapshot: the statement deleted it. Not valid TCK notation on purpose, so it
        // never compares equal to an expected node.
        let _ = write!(out, "(#{})", id.0);
        return;
    };
    out.push('(');
    let mut labels: Vec<&str> = node.labels.iter().map(|l| &**l).collect();
    labels.sort_unstable();
    for label in labels {
        out.push(':');
        write_key(out, label);
    }
    let mut props = String::new();
    write_properties(&mut props, &node.properties, result);
    if out.ends_with('(') {
        // `({k: 1})`, not `( {k: 1})`.
        out.push_str(props.trim_start());
    } else {
        out.push_str(&props);
    }
    out.push(')');
}

fn write_rel(out: &mut String, id: RelId, result: &ResultSet) {
    let Some(rel) = result.rels.get(&id) else {
        let _ = write!(out, "[#{}]", id.0);
        return;
    };
    out.push_str("[:");
    write_key(out, &rel.rel_type);
    write_properties(out, &rel.properties, result);
    out.push(']');
}

/// `<(a)-[r]->(b)<-[s]-(c)>`: each relationship's arrow points the way it was created,
/// whichever way the path walks it.
fn write_path(out: &mut String, path: &Path, result: &ResultSet) {
    out.push('<');
    let Some(first) = path.nodes.first() else {
        out.push('>');
        return;
    };
    write_node(out, *first, result);
    for (i, rel) in path.rels.iter().enumerate() {
        let from = path.nodes[i];
        let backwards = result
            .rels
            .get(rel)
            .is_some_and(|r| r.start != from && r.end == from);
        out.push_str(if backwards { "<-" } else { "-" });
        write_rel(out, *rel, result);
        out.push_str(if backwards { "-" } else { "->" });
        if let Some(next) = path.nodes.get(i + 1) {
            write_node(out, *next, result);
        }
    }
    out.push('>');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::Graph;
    use crate::result::Stats;
    use std::collections::BTreeMap;

    fn plain(value: &Value) -> String {
        render_value(value, &ResultSet::default())
    }

    #[test]
    fn scalars() {
        assert_eq!(plain(&Value::Null), "null");
        assert_eq!(plain(&Value::Bool(true)), "true");
        assert_eq!(plain(&Value::Int(-3)), "-3");
        assert_eq!(plain(&Value::Float(1.0)), "1.0");
        assert_eq!(plain(&Value::Float(1.5)), "1.5");
        assert_eq!(plain(&Value::Float(1e300)), "1e300");
        assert_eq!(plain(&Value::Float(f64::NAN)), "NaN");
        assert_eq!(plain(&Value::Float(f64::NEG_INFINITY)), "-Inf");
        assert_eq!(plain(&Value::from("it's\n")), r"'it\'s\n'");
    }

    #[test]
    fn containers_sort_map_keys() {
        let mut map = BTreeMap::new();
        map.insert("b".to_string(), Value::Int(2));
        map.insert(
            "a b".to_string(),
            Value::List(vec![Value::Int(1), Value::Null]),
        );
        assert_eq!(plain(&Value::Map(map)), "{`a b`: [1, null], b: 2}");
        assert_eq!(plain(&Value::List(vec![])), "[]");
    }

    #[test]
    fn graph_elements_and_paths() {
        let mut graph = Graph::new();
        let a = graph.create_node(["B", "A"], [("name".to_string(), Value::from("a"))]);
        let b = graph.create_node(Vec::<&str>::new(), Vec::new());
        let c = graph.create_node(["C"], Vec::new());
        let ab = graph
            .create_rel(a, b, "T", [("w".to_string(), Value::Int(1))])
            .expect("endpoints exist");
        let cb = graph
            .create_rel(c, b, "U", Vec::new())
            .expect("endpoints exist");
        let path = Value::Path(Box::new(Path {
            nodes: vec![a, b, c],
            rels: vec![ab, cb],
        }));
        let rows = vec![vec![Value::Node(a), Value::Node(b), Value::Rel(ab), path]];
        let result = ResultSet::new(vec![], rows, Stats::default(), &graph);
        assert_eq!(
            render_row(&result.rows[0], &result),
            vec![
                "(:A:B {name: 'a'})",
                "()",
                "[:T {w: 1}]",
                "<(:A:B {name: 'a'})-[:T {w: 1}]->()<-[:U]-(:C)>",
            ]
        );
    }
}
