//! `:export`: writes a graph for other tools. Cypher (a `CREATE` script), CSV (a directory
//! in neo4j-admin import format that `load_paths` reads back), GraphML and Graphviz DOT.
//! Single files are written atomically, like `:save`.

use std::collections::{BTreeMap, HashSet};
use std::io::{self, Write};
use std::path::Path;

use super::save::write_atomically;
use crate::graph::{Graph, NodeId, PropertyView};
use crate::value::Value;

/// An output format of `export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportFormat {
    /// One `CREATE` statement that rebuilds the graph in any openCypher database.
    Cypher,
    /// A directory of neo4j-admin import CSV files, one per label set and per relationship type.
    Csv,
    /// GraphML XML, for Gephi, yEd, NetworkX, ...
    GraphMl,
    /// Graphviz DOT, for drawing small graphs.
    Dot,
}

impl std::str::FromStr for ExportFormat {
    type Err = String;

    /// `cypher`, `csv`, `graphml` or `dot`, in any case (as typed after `:export`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "cypher" => Ok(ExportFormat::Cypher),
            "csv" => Ok(ExportFormat::Csv),
            "graphml" => Ok(ExportFormat::GraphMl),
            "dot" => Ok(ExportFormat::Dot),
            _ => Err(format!(
                "unknown export format `{s}` — use cypher, csv, graphml or dot"
            )),
        }
    }
}

/// Writes `graph` to `path` in `format`. For `Csv`, `path` is a directory: it is created
/// if needed and must not already hold CSV files. CSV cannot tell an empty string or an
/// empty list from a missing property, so those are not kept; every other property is.
pub fn export(graph: &Graph, format: ExportFormat, path: &Path) -> io::Result<()> {
    match format {
        ExportFormat::Cypher => write_atomically(path, |w| write_cypher(graph, w)),
        ExportFormat::Csv => write_csv_dir(graph, path),
        ExportFormat::GraphMl => write_atomically(path, |w| write_graphml(graph, w)),
        ExportFormat::Dot => write_atomically(path, |w| write_dot(graph, w)),
    }
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

// ---- Cypher ----

fn write_cypher(graph: &Graph, w: &mut impl Write) -> io::Result<()> {
    writeln!(
        w,
        "// Exported by kg: {} nodes, {} relationships.",
        graph.node_count(),
        graph.rel_count()
    )?;
    if graph.node_count() == 0 {
        return Ok(());
    }
    writeln!(w, "CREATE")?;
    let mut first = true;
    let mut separator = |w: &mut dyn Write| -> io::Result<()> {
        if !std::mem::take(&mut first) {
            writeln!(w, ",")?;
        }
        write!(w, "  ")
    };
    for node in graph.nodes() {
        separator(w)?;
        write!(w, "(n{}", node.0)?;
        for label in graph.node_labels(node) {
            write!(w, ":{}", cypher_name(label))?;
        }
        if let Some(data) = graph.node(node) {
            write_cypher_map(w, data.properties.view())?;
        }
        write!(w, ")")?;
    }
    for rel in graph.rels() {
        let (Some(data), Some((start, end))) = (graph.rel(rel), graph.rel_endpoints(rel)) else {
            continue;
        };
        separator(w)?;
        write!(w, "(n{})-[:{}", start.0, cypher_name(data.rel_type()))?;
        write_cypher_map(w, data.properties())?;
        write!(w, "]->(n{})", end.0)?;
    }
    writeln!(w, ";")
}

fn write_cypher_map(w: &mut impl Write, properties: PropertyView<'_>) -> io::Result<()> {
    if properties.is_empty() {
        return Ok(());
    }
    let mut entries: Vec<(&str, Value)> = properties.iter().collect();
    entries.sort_by_key(|(k, _)| *k);
    let items = entries
        .into_iter()
        .map(|(k, v)| Ok(format!("{}: {}", cypher_name(k), cypher_literal(&v)?)))
        .collect::<io::Result<Vec<_>>>()?;
    write!(w, " {{{}}}", items.join(", "))
}

/// A label, type or key, backquoted unless it is a plain identifier.
fn cypher_name(name: &str) -> String {
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = crate::ast::write_schema_name(&mut out, name);
    out
}

fn cypher_literal(value: &Value) -> io::Result<String> {
    Ok(match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        // openCypher has no literals for these; the divisions evaluate to them.
        Value::Float(f) if f.is_nan() => "(0.0 / 0.0)".to_string(),
        Value::Float(f) if f.is_infinite() => {
            format!("({}1.0 / 0.0)", if *f < 0.0 { "-" } else { "" })
        }
        // Debug prints the shortest text that reads back to the same float, with a `.` or `e`.
        Value::Float(f) => format!("{f:?}"),
        Value::Temporal(t) => t.cypher_literal(),
        Value::String(s) => {
            let mut out = String::with_capacity(s.len() + 2);
            crate::value::write_quoted(&mut out, s, false);
            out
        }
        Value::List(items) => {
            let items = items
                .iter()
                .map(cypher_literal)
                .collect::<io::Result<Vec<_>>>()?;
            format!("[{}]", items.join(", "))
        }
        Value::Map(map) => {
            let items = map
                .iter()
                .map(|(k, v)| Ok(format!("{}: {}", cypher_name(k), cypher_literal(v)?)))
                .collect::<io::Result<Vec<_>>>()?;
            format!("{{{}}}", items.join(", "))
        }
        Value::Node(_) | Value::Rel(_) | Value::Path(_) => {
            return Err(invalid(format!(
                "a property holds a {}, which has no Cypher literal",
                value.type_name()
            )));
        }
    })
}

// ---- CSV ----

/// A CSV column type, as written in the header (`year:long`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum ColumnType {
    String,
    Long,
    Double,
    Boolean,
    /// `date`, `datetime`, ... (ISO text, as the CSV loader reads it back).
    Temporal(&'static str),
}

impl ColumnType {
    fn of(value: &Value) -> Option<(ColumnType, bool)> {
        let scalar = |v: &Value| match v {
            Value::String(_) => Some(ColumnType::String),
            Value::Int(_) => Some(ColumnType::Long),
            Value::Float(_) => Some(ColumnType::Double),
            Value::Bool(_) => Some(ColumnType::Boolean),
            Value::Temporal(t) => Some(ColumnType::Temporal(t.function_name())),
            _ => None,
        };
        match value {
            Value::List(items) => {
                let first = scalar(items.first()?)?;
                items
                    .iter()
                    .all(|v| scalar(v) == Some(first))
                    .then_some((first, true))
            }
            other => scalar(other).map(|t| (t, false)),
        }
    }

    fn header(self, array: bool) -> String {
        let name = match self {
            ColumnType::String => "string",
            ColumnType::Long => "long",
            ColumnType::Double => "double",
            ColumnType::Boolean => "boolean",
            ColumnType::Temporal(name) => name,
        };
        if array {
            format!("{name}[]")
        } else {
            name.to_string()
        }
    }
}

/// Entities that share one CSV file: same labels (or type) and no key with two types.
struct Bucket<T> {
    columns: BTreeMap<String, (ColumnType, bool)>,
    members: Vec<T>,
}

/// Puts an entity into the first bucket whose columns agree with its property types.
fn place<T>(
    buckets: &mut Vec<Bucket<T>>,
    properties: PropertyView<'_>,
    member: T,
) -> io::Result<()> {
    let mut typed = Vec::new();
    for (key, value) in properties.iter() {
        let value = &value;
        match value {
            // CSV cannot tell these from a missing value; see `export`.
            Value::String(s) if s.is_empty() => continue,
            Value::List(items) if items.is_empty() => continue,
            _ => {}
        }
        let ty = ColumnType::of(value).ok_or_else(|| {
            invalid(format!(
                "property `{key}` holds a {} that CSV cannot hold (only strings, numbers, booleans, temporal values and lists of one of those)",
                value.type_name()
            ))
        })?;
        typed.push((key, ty));
    }
    let fits = |b: &Bucket<T>| {
        typed
            .iter()
            .all(|(k, t)| b.columns.get(*k).is_none_or(|c| c == t))
    };
    let index = match buckets.iter().position(fits) {
        Some(i) => i,
        None => {
            buckets.push(Bucket {
                columns: BTreeMap::new(),
                members: Vec::new(),
            });
            buckets.len() - 1
        }
    };
    let bucket = &mut buckets[index];
    for (k, t) in typed {
        bucket.columns.entry(k.to_string()).or_insert(t);
    }
    bucket.members.push(member);
    Ok(())
}

fn write_csv_dir(graph: &Graph, dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let has_csv = std::fs::read_dir(dir)?
        .flatten()
        .any(|e| e.path().extension().is_some_and(|x| x == "csv"));
    if has_csv {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!(
                "{} already holds CSV files, which a later load would mix in — export to a new or empty directory",
                dir.display()
            ),
        ));
    }

    let mut node_groups: BTreeMap<String, Vec<Bucket<NodeId>>> = BTreeMap::new();
    for node in graph.nodes() {
        let Some(data) = graph.node(node) else {
            continue;
        };
        let mut labels: Vec<&str> = data.labels.iter().map(|l| &**l).collect();
        labels.sort_unstable();
        let group = node_groups.entry(labels.join(";")).or_default();
        place(group, data.properties.view(), node)?;
    }
    let mut rel_groups: BTreeMap<String, Vec<Bucket<_>>> = BTreeMap::new();
    for rel in graph.rels() {
        let Some(data) = graph.rel(rel) else {
            continue;
        };
        let group = rel_groups.entry(data.rel_type().to_string()).or_default();
        place(group, data.properties(), rel)?;
    }

    let mut file_names = HashSet::new();
    for (labels, buckets) in &node_groups {
        for bucket in buckets {
            let base = if labels.is_empty() {
                "nodes".to_string()
            } else {
                format!("nodes_{}", file_part(labels))
            };
            let path = dir.join(unique_name(&mut file_names, &base));
            let mut header = vec![":ID".to_string(), ":LABEL".to_string()];
            header.extend(column_headers(&bucket.columns));
            write_atomically(&path, |w| {
                let mut csv = csv::Writer::from_writer(w);
                csv.write_record(&header)?;
                for &node in &bucket.members {
                    let mut row = vec![node.0.to_string(), labels.clone()];
                    let props = graph.node(node).map(|n| n.properties.view());
                    row.extend(property_fields(&bucket.columns, props)?);
                    csv.write_record(&row)?;
                }
                csv.flush()
            })?;
        }
    }
    for (rel_type, buckets) in &rel_groups {
        for bucket in buckets {
            let base = format!("rels_{}", file_part(rel_type));
            let path = dir.join(unique_name(&mut file_names, &base));
            let mut header = vec![
                ":START_ID".to_string(),
                ":END_ID".to_string(),
                ":TYPE".to_string(),
            ];
            header.extend(column_headers(&bucket.columns));
            write_atomically(&path, |w| {
                let mut csv = csv::Writer::from_writer(w);
                csv.write_record(&header)?;
                for &rel in &bucket.members {
                    let Some((start, end)) = graph.rel_endpoints(rel) else {
                        continue;
                    };
                    let mut row = vec![start.0.to_string(), end.0.to_string(), rel_type.clone()];
                    let props = graph.rel(rel).map(|r| r.properties());
                    row.extend(property_fields(&bucket.columns, props)?);
                    csv.write_record(&row)?;
                }
                csv.flush()
            })?;
        }
    }
    Ok(())
}

fn column_headers(columns: &BTreeMap<String, (ColumnType, bool)>) -> Vec<String> {
    columns
        .iter()
        // The reader splits at the last `:`, so keys containing `:` survive.
        .map(|(key, (ty, array))| format!("{key}:{}", ty.header(*array)))
        .collect()
}

fn property_fields(
    columns: &BTreeMap<String, (ColumnType, bool)>,
    properties: Option<PropertyView<'_>>,
) -> io::Result<Vec<String>> {
    columns
        .keys()
        .map(|key| match properties.and_then(|p| p.get(key)).as_ref() {
            None => Ok(String::new()),
            Some(Value::List(items)) => {
                let items = items.iter().map(csv_scalar).collect::<Vec<_>>();
                if items.iter().any(|s| s.contains(';') || s.is_empty()) {
                    return Err(invalid(format!(
                        "list property `{key}` has an empty element or one containing `;`, the CSV array separator"
                    )));
                }
                Ok(items.join(";"))
            }
            Some(v) => Ok(csv_scalar(v)),
        })
        .collect()
}

fn csv_scalar(value: &Value) -> String {
    match value {
        Value::Float(f) => format!("{f:?}"),
        Value::String(s) => s.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Temporal(t) => t.to_string(),
        other => other.type_name().to_string(),
    }
}

/// A label or type as part of a file name.
fn file_part(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn unique_name(used: &mut HashSet<String>, base: &str) -> String {
    let mut name = format!("{base}.csv");
    let mut n = 2;
    while !used.insert(name.clone()) {
        name = format!("{base}_{n}.csv");
        n += 1;
    }
    name
}

// ---- GraphML ----

fn write_graphml(graph: &Graph, w: &mut impl Write) -> io::Result<()> {
    // One <key> per (node|edge, property); a property with values of several types is
    // declared as a string.
    let mut node_keys: BTreeMap<&str, &'static str> = BTreeMap::new();
    let mut edge_keys: BTreeMap<&str, &'static str> = BTreeMap::new();
    for data in graph.nodes().filter_map(|n| graph.node(n)) {
        for (k, v) in data.properties.iter() {
            merge_key_type(&mut node_keys, k, v);
        }
    }
    for data in graph.rels().filter_map(|r| graph.rel(r)) {
        for (k, v) in data.properties().iter() {
            merge_key_type(&mut edge_keys, k, &v);
        }
    }
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        w,
        r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">"#
    )?;
    writeln!(
        w,
        r#"  <key id="labels" for="node" attr.name="labels" attr.type="string"/>"#
    )?;
    writeln!(
        w,
        r#"  <key id="label" for="edge" attr.name="label" attr.type="string"/>"#
    )?;
    let node_ids: BTreeMap<&str, String> = node_keys
        .keys()
        .enumerate()
        .map(|(i, k)| (*k, format!("n{i}")))
        .collect();
    let edge_ids: BTreeMap<&str, String> = edge_keys
        .keys()
        .enumerate()
        .map(|(i, k)| (*k, format!("e{i}")))
        .collect();
    for (kind, keys, ids) in [
        ("node", &node_keys, &node_ids),
        ("edge", &edge_keys, &edge_ids),
    ] {
        for (name, ty) in keys {
            writeln!(
                w,
                r#"  <key id="{}" for="{kind}" attr.name="{}" attr.type="{ty}"/>"#,
                ids[name],
                xml_escape(name)
            )?;
        }
    }
    writeln!(w, r#"  <graph id="G" edgedefault="directed">"#)?;
    for node in graph.nodes() {
        let Some(data) = graph.node(node) else {
            continue;
        };
        let labels: String = data.labels.iter().map(|l| format!(":{l}")).collect();
        write!(
            w,
            r#"    <node id="n{}" labels="{}"><data key="labels">{}</data>"#,
            node.0,
            xml_escape(&labels),
            xml_escape(&labels)
        )?;
        write_graphml_data(w, data.properties.view(), &node_ids)?;
        writeln!(w, "</node>")?;
    }
    for rel in graph.rels() {
        let (Some(data), Some((start, end))) = (graph.rel(rel), graph.rel_endpoints(rel)) else {
            continue;
        };
        let label = xml_escape(data.rel_type());
        write!(
            w,
            r#"    <edge id="e{}" source="n{}" target="n{}" label="{label}"><data key="label">{label}</data>"#,
            rel.0, start.0, end.0
        )?;
        write_graphml_data(w, data.properties(), &edge_ids)?;
        writeln!(w, "</edge>")?;
    }
    writeln!(w, "  </graph>")?;
    writeln!(w, "</graphml>")
}

fn merge_key_type<'a>(keys: &mut BTreeMap<&'a str, &'static str>, key: &'a str, value: &Value) {
    let ty = match value {
        Value::Bool(_) => "boolean",
        Value::Int(_) => "long",
        Value::Float(_) => "double",
        _ => "string",
    };
    keys.entry(key)
        .and_modify(|t| {
            if *t != ty {
                *t = "string";
            }
        })
        .or_insert(ty);
}

fn write_graphml_data(
    w: &mut impl Write,
    properties: PropertyView<'_>,
    ids: &BTreeMap<&str, String>,
) -> io::Result<()> {
    for (key, value) in properties.iter() {
        let value = &value;
        let text = match value {
            Value::String(s) => s.to_string(),
            // Lists become JSON text, as other GraphML writers (e.g. APOC) do.
            Value::List(_) | Value::Map(_) => json_text(value),
            Value::Float(f) => format!("{f:?}"),
            other => csv_scalar(other),
        };
        write!(
            w,
            r#"<data key="{}">{}</data>"#,
            ids[key],
            xml_escape(&text)
        )?;
    }
    Ok(())
}

fn json_text(value: &Value) -> String {
    fn to_json(value: &Value) -> serde_json::Value {
        match value {
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Float(f) => serde_json::Value::from(*f),
            Value::String(s) => serde_json::Value::String(s.to_string()),
            Value::List(items) => serde_json::Value::Array(items.iter().map(to_json).collect()),
            Value::Map(map) => map
                .iter()
                .map(|(k, v)| (k.clone(), to_json(v)))
                .collect::<serde_json::Map<_, _>>()
                .into(),
            _ => serde_json::Value::Null,
        }
    }
    to_json(value).to_string()
}

/// Escapes text for XML 1.0, replacing the control characters it cannot hold at all.
fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

// ---- DOT ----

fn write_dot(graph: &Graph, w: &mut impl Write) -> io::Result<()> {
    writeln!(w, "digraph kg {{")?;
    writeln!(w, "  node [shape=box];")?;
    for node in graph.nodes() {
        let labels: String = graph
            .node_labels(node)
            .iter()
            .map(|l| format!(":{l}"))
            .collect();
        let text = match graph.node_property(node, "name").and_then(Value::as_str) {
            Some(name) => format!("{name}\n{labels}"),
            None => labels,
        };
        writeln!(w, "  n{} [label={}];", node.0, dot_string(&text))?;
    }
    for rel in graph.rels() {
        let (Some(rel_type), Some((start, end))) = (graph.rel_type(rel), graph.rel_endpoints(rel))
        else {
            continue;
        };
        writeln!(
            w,
            "  n{} -> n{} [label={}];",
            start.0,
            end.0,
            dot_string(rel_type)
        )?;
    }
    writeln!(w, "}}")
}

fn dot_string(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n");
    format!("\"{escaped}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cypher_literals_read_back_as_the_same_values() {
        assert_eq!(cypher_literal(&Value::from("it's")).unwrap(), r"'it\'s'");
        assert_eq!(cypher_literal(&Value::Float(1.0)).unwrap(), "1.0");
        assert_eq!(cypher_literal(&Value::Float(1e300)).unwrap(), "1e300");
        assert_eq!(
            cypher_literal(&Value::Float(f64::NAN)).unwrap(),
            "(0.0 / 0.0)"
        );
        assert_eq!(cypher_name("FOUNDED"), "FOUNDED");
        assert_eq!(cypher_name("has space"), "`has space`");
    }

    #[test]
    fn xml_escape_handles_markup_and_control_characters() {
        assert_eq!(
            xml_escape("a<b & \"c\"\u{1}"),
            "a&lt;b &amp; &quot;c&quot;\u{FFFD}"
        );
    }
}
