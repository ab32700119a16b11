//! `:save`: writes a graph in kg's TOML format so that `load_paths` reads back the same
//! graph, and writes every output file atomically (temporary file, fsync, rename).
//!
//! Node ids are made from names (`Wu Gansha` → `wu_gansha`), since the graph keeps no ids
//! of its own. The format needs every node to have labels and a unique name; a graph that
//! lacks them is refused with an error rather than written in a form that would not load.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::native::{NODE_KEYS, PROPERTIES_KEY, REL_KEYS};
use crate::graph::{Graph, NodeId, PropertyView};
use crate::value::Value;
use crate::value::temporal::Temporal;

/// Writes `graph` to `path` in kg's TOML format, atomically: a reader sees the old file or
/// the complete new one, never a half-written file. Fails with `InvalidData` (and leaves
/// `path` untouched) when a node has no labels or no unique string `name`, or a property
/// holds a value the format cannot express (a map, a list mixing types, ...).
pub fn save_native(graph: &Graph, path: &Path) -> io::Result<()> {
    let text = to_toml(graph)?;
    write_atomically(path, |w| w.write_all(text.as_bytes()))
}

/// Writes a file through a temporary file in the same directory, which is synced and then
/// renamed over `path`, so a crash or error never leaves a partial file behind.
pub(super) fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> io::Result<()>,
) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is not a file path", path.display()),
        )
    })?;
    let temp = dir.join(format!(
        ".{}.tmp{}",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut out = BufWriter::new(File::create(&temp)?);
        write(&mut out)?;
        let file = out.into_inner().map_err(io::IntoInnerError::into_error)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        // Best effort: the error that matters is the one being returned.
        let _ = std::fs::remove_file(&temp);
        return result;
    }
    // Persist the rename itself; not every platform can open a directory, hence best effort.
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

/// The whole graph as kg TOML text.
fn to_toml(graph: &Graph) -> io::Result<String> {
    let ids = node_ids(graph)?;
    let mut out = format!(
        "# Saved by kg: {} nodes, {} relationships.\n",
        graph.node_count(),
        graph.rel_count()
    );
    for node in graph.nodes() {
        let Some(data) = graph.node(node) else {
            continue;
        };
        out.push_str("\n[[node]]\n");
        line(&mut out, "id", &quote(&ids[&node]));
        let labels: Vec<Value> = data.labels.iter().map(|l| Value::from(&**l)).collect();
        let labels =
            toml_value(&Value::List(labels)).map_err(|e| invalid(format!("labels {e}")))?;
        line(&mut out, "labels", &labels);
        let at = || format!("node {}", describe(graph, node));
        write_properties(&mut out, data.properties.view(), &NODE_KEYS, at)?;
    }
    for rel in graph.rels() {
        let (Some(data), Some((start, end))) = (graph.rel(rel), graph.rel_endpoints(rel)) else {
            continue;
        };
        out.push_str("\n[[rel]]\n");
        line(&mut out, "from", &quote(&ids[&start]));
        line(&mut out, "type", &quote(data.rel_type()));
        line(&mut out, "to", &quote(&ids[&end]));
        let at = || {
            format!(
                "relationship {} -[:{}]-> {}",
                describe(graph, start),
                data.rel_type(),
                describe(graph, end)
            )
        };
        write_properties(&mut out, data.properties(), &REL_KEYS, at)?;
    }
    Ok(out)
}

/// Writes properties in key order: the format's own keys (`name`, `aliases`, `evidence`)
/// when their values have the shape the loader expects, everything else as `key = value`,
/// and properties named like a reserved key in a `properties = { ... }` table.
fn write_properties(
    out: &mut String,
    properties: PropertyView<'_>,
    reserved: &[&str],
    at: impl Fn() -> String,
) -> io::Result<()> {
    let mut entries: Vec<(&str, Value)> = properties.iter().collect();
    entries.sort_by_key(|(k, _)| *k);
    let mut escaped = Vec::new();
    for (key, value) in &entries {
        let (key, value) = (*key, value);
        let text = toml_value(value).map_err(|e| invalid(format!("{}: `{key}` {e}", at())))?;
        let native_shape = match key {
            "name" | "evidence" => matches!(value, Value::String(_)),
            "aliases" => {
                matches!(value, Value::List(items) if items.iter().all(|v| matches!(v, Value::String(_))))
            }
            _ => !reserved.contains(&key),
        };
        if native_shape {
            line(out, key, &text);
        } else {
            escaped.push(format!("{} = {text}", toml_key(key)));
        }
    }
    if !escaped.is_empty() {
        line(
            out,
            PROPERTIES_KEY,
            &format!("{{ {} }}", escaped.join(", ")),
        );
    }
    Ok(())
}

fn line(out: &mut String, key: &str, value: &str) {
    let _ = writeln!(out, "{} = {value}", toml_key(key));
}

/// One id per node, from its name; every node needs labels and a unique string name.
fn node_ids(graph: &Graph) -> io::Result<HashMap<NodeId, String>> {
    let mut ids = HashMap::new();
    let mut used = HashSet::new();
    let mut names = HashSet::new();
    let fix = "kg's TOML format needs labels and a unique `name` on every node — add them with SET, or use :export csv, which has no such rule";
    for node in graph.nodes() {
        if graph.node_labels(node).is_empty() {
            return Err(invalid(format!(
                "cannot save node {}: it has no labels; {fix}",
                describe(graph, node)
            )));
        }
        let Some(Value::String(name)) = graph.node_property(node, "name") else {
            return Err(invalid(format!(
                "cannot save node {}: it has no string `name`; {fix}",
                describe(graph, node)
            )));
        };
        if name.is_empty() || !names.insert(name.clone()) {
            return Err(invalid(format!(
                "cannot save node {}: its name `{name}` is empty or used by another node; {fix}",
                describe(graph, node)
            )));
        }
        let base = slug(name);
        let mut id = base.clone();
        let mut n = 2;
        while used.contains(&id) {
            id = format!("{base}_{n}");
            n += 1;
        }
        used.insert(id.clone());
        ids.insert(node, id);
    }
    Ok(ids)
}

/// `Wu Gansha` → `wu_gansha`: lower case, runs of other characters become one `_`.
fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let trimmed = out.trim_matches('_');
    if trimmed.is_empty() {
        "node".to_string()
    } else {
        trimmed.to_string()
    }
}

/// `#7 (:Company {name: 'Uisee'})`, for error messages.
fn describe(graph: &Graph, node: NodeId) -> String {
    let labels: String = graph
        .node_labels(node)
        .iter()
        .map(|l| format!(":{l}"))
        .collect();
    match graph.node_property(node, "name").and_then(Value::as_str) {
        Some(name) => format!("#{} ({labels} {{name: '{name}'}})", node.0),
        None => format!("#{} ({labels})", node.0),
    }
}

fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn toml_key(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare { key.to_string() } else { quote(key) }
}

/// A property value as TOML text; the error says why it cannot be written.
fn toml_value(value: &Value) -> Result<String, &'static str> {
    Ok(to_toml_value(value)?.to_string())
}

fn to_toml_value(value: &Value) -> Result<toml::Value, &'static str> {
    Ok(match value {
        Value::Bool(b) => toml::Value::Boolean(*b),
        Value::Int(i) => toml::Value::Integer(*i),
        Value::Float(f) => toml::Value::Float(*f),
        Value::String(s) => toml::Value::String(s.to_string()),
        Value::Temporal(t) => toml::Value::Datetime(toml_datetime(t).ok_or(
            "is a time with offset, a date-time in a named zone or a duration, which kg's TOML format cannot hold",
        )?),
        Value::List(items) => {
            let same_type = items
                .windows(2)
                .all(|w| std::mem::discriminant(&w[0]) == std::mem::discriminant(&w[1]));
            if !same_type {
                return Err("is a list mixing types, which kg's TOML format cannot hold");
            }
            let values = items
                .iter()
                .map(|v| match v {
                    Value::List(_) => Err("is a nested list, which kg's TOML format cannot hold"),
                    other => to_toml_value(other),
                })
                .collect::<Result<Vec<_>, _>>()?;
            toml::Value::Array(values)
        }
        Value::Null => return Err("is null, which a stored property cannot be"),
        Value::Map(_) | Value::Node(_) | Value::Rel(_) | Value::Path(_) => {
            return Err("is a map, node, relationship or path, which kg's TOML format cannot hold");
        }
    })
}

/// A temporal value as one of TOML's datetime forms, when it has one: dates, local times,
/// local date-times and date-times with a whole-minute offset.
fn toml_datetime(t: &Temporal) -> Option<toml::value::Datetime> {
    use toml::value::{Date, Datetime, Offset, Time};
    let date = t.date().map(|d| -> Option<Date> {
        Some(Date {
            year: u16::try_from(d.year()).ok()?,
            month: d.month().unsigned_abs(),
            day: d.day().unsigned_abs(),
        })
    });
    let time = t.time().map(|t| Time {
        hour: t.hour().unsigned_abs(),
        minute: t.minute().unsigned_abs(),
        second: Some(t.second().unsigned_abs()),
        nanosecond: (t.subsec_nanosecond() != 0).then(|| t.subsec_nanosecond().unsigned_abs()),
    });
    let offset = match t {
        Temporal::Date(_) | Temporal::LocalTime(_) | Temporal::LocalDateTime(_) => None,
        Temporal::DateTime(z) if z.zone.is_none() && z.offset % 60 == 0 => Some(match z.offset {
            0 => Offset::Z,
            seconds => Offset::Custom {
                minutes: i16::try_from(seconds / 60).ok()?,
            },
        }),
        _ => return None,
    };
    Some(Datetime {
        date: match date {
            Some(d) => Some(d?),
            None => None,
        },
        time,
        offset,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_makes_readable_ids() {
        assert_eq!(slug("Wu Gansha"), "wu_gansha");
        assert_eq!(slug("Lee Kai-Fu"), "lee_kai_fu");
        assert_eq!(slug("  "), "node");
        assert_eq!(slug("Ministry of Industry & IT"), "ministry_of_industry_it");
    }

    #[test]
    fn keys_are_quoted_only_when_needed() {
        assert_eq!(toml_key("valuation_usd"), "valuation_usd");
        assert_eq!(toml_key("has space"), "\"has space\"");
    }
}
