//! Values in Cypher notation, as the table and Markdown formats show them:
//! `'Uisee'`, `[1, 2.0]`, `{a: null}`, `(:Company {name: 'Uisee'})`,
//! `(:Person {name: 'Wu Gansha'})-[:FOUNDED]->(:Company {name: 'Uisee'})`.
//! Strings are quoted so that null and the string "null" look different.

use std::fmt::Write;

use unicode_width::UnicodeWidthStr;

use crate::graph::{NodeId, Properties, RelId};
use crate::result::ResultSet;
use crate::value::{Path, Value};

/// A value in Cypher notation, with entity data taken from `result`'s snapshots.
pub fn cypher(value: &Value, result: &ResultSet) -> String {
    let mut out = String::new();
    write_value(&mut out, value, result);
    out
}

fn write_value(out: &mut String, value: &Value, result: &ResultSet) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => out.push_str(&float(*f)),
        Value::String(s) => quote(out, s),
        Value::Temporal(t) => {
            let _ = write!(out, "{t}");
        }
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
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                key(out, k);
                out.push_str(": ");
                write_value(out, v, result);
            }
            out.push('}');
        }
        Value::Node(id) => write_node(out, *id, result),
        Value::Rel(id) => write_rel(out, *id, result, None),
        Value::Path(path) => write_path(out, path, result),
    }
}

/// A float that always reads as a float: `1.0`, `1e300`, `NaN`, `Infinity`.
pub fn float(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else {
        let s = format!("{f:?}");
        if s.contains(['.', 'e', 'E']) {
            s
        } else {
            format!("{s}.0")
        }
    }
}

fn quote(out: &mut String, s: &str) {
    out.push('\'');
    for c in s.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('\'');
}

/// A name as Cypher accepts it: bare when it is a plain identifier, backticked otherwise.
pub fn key(out: &mut String, name: &str) {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_alphanumeric() || c == '_');
    if plain {
        out.push_str(name);
    } else {
        let _ = write!(out, "`{}`", name.replace('`', "``"));
    }
}

fn properties(out: &mut String, props: &Properties, result: &ResultSet) {
    if props.is_empty() {
        return;
    }
    out.push_str(" {");
    // `name` first and the long `evidence` last, so a cut cell still says which entity it is.
    let mut entries: Vec<_> = props.iter().collect();
    entries.sort_by_key(|(k, _)| match *k {
        "name" => 0,
        "evidence" => 2,
        _ => 1,
    });
    for (i, (k, v)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        key(out, k);
        out.push_str(": ");
        write_value(out, v, result);
    }
    out.push('}');
}

fn write_node(out: &mut String, id: NodeId, result: &ResultSet) {
    out.push('(');
    match result.nodes.get(&id) {
        Some(node) => {
            for label in &node.labels {
                out.push(':');
                key(out, label);
            }
            properties(out, &node.properties, result);
        }
        // Deleted by the statement itself: only the id is left.
        None => {
            let _ = write!(out, "#{}", id.0);
        }
    }
    out.push(')');
}

/// Writes `-[:T {..}]->`, pointing away from `from` when given (paths walk both ways).
fn write_rel(out: &mut String, id: RelId, result: &ResultSet, from: Option<NodeId>) {
    let snapshot = result.rels.get(&id);
    let backwards = match (snapshot, from) {
        (Some(r), Some(from)) => r.start != from,
        _ => false,
    };
    out.push_str(if backwards { "<-[" } else { "-[" });
    match snapshot {
        Some(r) => {
            out.push(':');
            key(out, &r.rel_type);
            properties(out, &r.properties, result);
        }
        None => {
            let _ = write!(out, "#{}", id.0);
        }
    }
    out.push_str(if backwards { "]-" } else { "]->" });
}

fn write_path(out: &mut String, path: &Path, result: &ResultSet) {
    for (i, node) in path.nodes.iter().enumerate() {
        write_node(out, *node, result);
        if let Some(rel) = path.rels.get(i) {
            write_rel(out, *rel, result, Some(*node));
        }
    }
}

/// `text` broken into lines of at most `max` columns, at spaces where possible.
pub fn wrap(text: &str, max: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    for source_line in text.lines() {
        let mut line = String::new();
        let mut used = 0;
        for word in source_line.split_inclusive(' ') {
            let w = UnicodeWidthStr::width(word.trim_end());
            if used > 0 && used + w > max {
                lines.push(std::mem::take(&mut line).trim_end().to_string());
                used = 0;
            }
            for c in word.chars() {
                let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
                // A word longer than the column is broken wherever it reaches the edge.
                if used + cw > max && c != ' ' {
                    lines.push(std::mem::take(&mut line));
                    used = 0;
                }
                line.push(c);
                used += cw;
            }
        }
        lines.push(line.trim_end().to_string());
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::test_support::sample;

    #[test]
    fn entities_and_paths_in_cypher_notation() {
        let rs = sample();
        assert_eq!(
            cypher(&rs.rows[0][0], &rs),
            "(:Person {name: 'Wu Gansha'})-[:FOUNDED {year: 2016}]->(:Company {name: 'Uisee'})"
        );
        assert_eq!(cypher(&rs.rows[1][0], &rs), "(:Person {name: 'Wu Gansha'})");
        assert_eq!(cypher(&rs.rows[2][0], &rs), "-[:FOUNDED {year: 2016}]->");
    }

    #[test]
    fn name_comes_first_and_evidence_last() {
        let mut graph = crate::graph::Graph::new();
        let node = graph.create_node(
            ["Person"],
            [
                ("evidence".to_string(), Value::from("a long sentence")),
                ("age".to_string(), Value::Int(60)),
                ("name".to_string(), Value::from("Wu")),
            ],
        );
        let rs = ResultSet::new(
            vec!["n".into()],
            vec![vec![Value::Node(node)]],
            crate::result::Stats::default(),
            &graph,
        );
        assert_eq!(
            cypher(&rs.rows[0][0], &rs),
            "(:Person {name: 'Wu', age: 60, evidence: 'a long sentence'})"
        );
    }

    #[test]
    fn null_and_the_string_null_differ() {
        let rs = sample();
        assert_eq!(cypher(&rs.rows[0][1], &rs), "null");
        assert_eq!(cypher(&rs.rows[1][1], &rs), "'null'");
    }

    #[test]
    fn floats_always_look_like_floats() {
        assert_eq!(float(1.0), "1.0");
        assert_eq!(float(1e300), "1e300");
        assert_eq!(float(-0.5), "-0.5");
        assert_eq!(float(f64::NEG_INFINITY), "-Infinity");
    }
}
