//! JSON Lines (protocol.md): one object per statement, values tagged where JSON has no
//! equivalent (`{"$node":..}`, `{"$rel":..}`, `{"$path":[..]}`, `{"$float":"NaN"}`).

use std::io::{self, Write};

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};

use crate::error::QueryError;
use crate::graph::{NodeId, Properties, RelId};
use crate::result::{ResultSet, Stats};
use crate::value::Value;

/// Writes `{"columns":[..],"rows":[[..]],"stats":{..},"time_ms":..}` and a newline.
pub fn write(result: &ResultSet, out: &mut impl Write) -> io::Result<()> {
    #[derive(Serialize)]
    struct Line<'a> {
        columns: &'a [String],
        rows: Rows<'a>,
        stats: StatsJson,
        time_ms: f64,
        #[serde(skip_serializing_if = "Option::is_none")]
        plan: Option<&'a str>,
    }
    let line = Line {
        columns: &result.columns,
        rows: Rows(result),
        stats: StatsJson(result.stats),
        // Unrounded: the benchmark reads it, and fast statements take a few microseconds.
        time_ms: result.time_ms,
        plan: result.plan.as_deref(),
    };
    serde_json::to_writer(&mut *out, &line)?;
    writeln!(out)
}

/// Writes `{"error":{"type":..,"code":..,"phase":..,"message":..,"line":..,"column":..}}`;
/// `source` is the text the error's span points into (the whole script file).
pub fn write_error(error: &QueryError, source: &str, out: &mut impl Write) -> io::Result<()> {
    #[derive(Serialize)]
    struct ErrorJson<'a> {
        #[serde(rename = "type")]
        kind: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        code: Option<String>,
        phase: String,
        message: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        line: Option<usize>,
        #[serde(skip_serializing_if = "Option::is_none")]
        column: Option<usize>,
    }
    #[derive(Serialize)]
    struct Line<'a> {
        error: ErrorJson<'a>,
    }
    let position = error.line_col(source);
    let line = Line {
        error: ErrorJson {
            kind: error.kind.to_string(),
            code: error.code.map(|c| c.to_string()),
            phase: error.phase.to_string(),
            message: &error.message,
            line: position.map(|p| p.0),
            column: position.map(|p| p.1),
        },
    };
    serde_json::to_writer(&mut *out, &line)?;
    writeln!(out)
}

struct StatsJson(Stats);

impl Serialize for StatsJson {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let entries = self.0.entries();
        let mut map = s.serialize_map(Some(entries.len()))?;
        for (k, v) in entries {
            map.serialize_entry(k, &v)?;
        }
        map.end()
    }
}

struct Rows<'a>(&'a ResultSet);

impl Serialize for Rows<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.rows.len()))?;
        for row in &self.0.rows {
            let cells: Vec<Json<'_>> = row.iter().map(|v| Json(v, self.0)).collect();
            seq.serialize_element(&cells)?;
        }
        seq.end()
    }
}

/// A value with the result it came from (for entity snapshots).
struct Json<'a>(&'a Value, &'a ResultSet);

impl Serialize for Json<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let rs = self.1;
        match self.0 {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(i) => s.serialize_i64(*i),
            Value::Float(f) if f.is_finite() => {
                // serde_json writes whole floats as `1.0`, so the `.` is always there.
                s.serialize_f64(*f)
            }
            Value::Float(f) => {
                let text = super::text::float(*f);
                tagged(s, "$float", &text)
            }
            Value::String(text) => s.serialize_str(text),
            Value::Temporal(t) => tagged(s, t.json_tag(), &t.to_string()),
            Value::List(items) => s.collect_seq(items.iter().map(|v| Json(v, rs))),
            Value::Map(map) => s.collect_map(map.iter().map(|(k, v)| (k, Json(v, rs)))),
            Value::Node(id) => tagged(s, "$node", &NodeJson(*id, rs)),
            Value::Rel(id) => tagged(s, "$rel", &RelJson(*id, rs)),
            Value::Path(path) => {
                let mut parts = Vec::with_capacity(path.nodes.len() + path.rels.len());
                for (i, node) in path.nodes.iter().enumerate() {
                    parts.push(EntityJson(Entity::Node(*node), rs));
                    if let Some(rel) = path.rels.get(i) {
                        parts.push(EntityJson(Entity::Rel(*rel), rs));
                    }
                }
                tagged(s, "$path", &parts)
            }
        }
    }
}

enum Entity {
    Node(NodeId),
    Rel(RelId),
}

/// A path element: `{"$node":..}` or `{"$rel":..}`.
struct EntityJson<'a>(Entity, &'a ResultSet);

impl Serialize for EntityJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Entity::Node(id) => tagged(s, "$node", &NodeJson(id, self.1)),
            Entity::Rel(id) => tagged(s, "$rel", &RelJson(id, self.1)),
        }
    }
}

fn tagged<S: Serializer, T: Serialize + ?Sized>(
    s: S,
    tag: &str,
    value: &T,
) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(1))?;
    map.serialize_entry(tag, value)?;
    map.end()
}

struct PropsJson<'a>(Option<&'a Properties>, &'a ResultSet);

impl Serialize for PropsJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        if let Some(props) = self.0 {
            for (k, v) in props.iter() {
                map.serialize_entry(k, &Json(v, self.1))?;
            }
        }
        map.end()
    }
}

struct NodeJson<'a>(NodeId, &'a ResultSet);

impl Serialize for NodeJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let snapshot = self.1.nodes.get(&self.0);
        let labels: Vec<&str> =
            snapshot.map_or_else(Vec::new, |n| n.labels.iter().map(|l| &**l).collect());
        let mut map = s.serialize_map(Some(3))?;
        map.serialize_entry("id", &self.0.0)?;
        map.serialize_entry("labels", &labels)?;
        map.serialize_entry(
            "properties",
            &PropsJson(snapshot.map(|n| &n.properties), self.1),
        )?;
        map.end()
    }
}

struct RelJson<'a>(RelId, &'a ResultSet);

impl Serialize for RelJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let snapshot = self.1.rels.get(&self.0);
        let mut map = s.serialize_map(Some(5))?;
        map.serialize_entry("id", &self.0.0)?;
        map.serialize_entry("type", &snapshot.map(|r| &*r.rel_type))?;
        map.serialize_entry("start", &snapshot.map(|r| r.start.0))?;
        map.serialize_entry("end", &snapshot.map(|r| r.end.0))?;
        map.serialize_entry(
            "properties",
            &PropsJson(snapshot.map(|r| &r.properties), self.1),
        )?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ErrorCode, ErrorKind, Span};
    use crate::format::test_support::sample;

    #[test]
    fn one_line_per_result_with_tagged_values() {
        let mut rs = sample();
        rs.time_ms = 0.5;
        let mut out = Vec::new();
        write(&rs, &mut out).expect("writing to a Vec");
        let text = String::from_utf8(out).expect("utf-8");
        assert_eq!(text.lines().count(), 1);
        let expected = concat!(
            r#"{"columns":["p","x"],"rows":["#,
            r#"[{"$path":[{"$node":{"id":0,"labels":["Person"],"properties":{"name":"Wu Gansha"}}},"#,
            r#"{"$rel":{"id":0,"type":"FOUNDED","start":0,"end":1,"properties":{"year":2016}}},"#,
            r#"{"$node":{"id":1,"labels":["Company"],"properties":{"name":"Uisee"}}}]},null],"#,
            r#"[{"$node":{"id":0,"labels":["Person"],"properties":{"name":"Wu Gansha"}}},"null"],"#,
            r#"[{"$rel":{"id":0,"type":"FOUNDED","start":0,"end":1,"properties":{"year":2016}}},1.0],"#,
            r#"["a,b \"c\"",{"$float":"NaN"}]],"#,
            r#""stats":{"nodes_created":0,"nodes_deleted":0,"relationships_created":0,"#,
            r#""relationships_deleted":0,"properties_set":0,"labels_added":0,"labels_removed":0},"#,
            r#""time_ms":0.5}"#,
            "\n"
        );
        assert_eq!(text, expected);
    }

    #[test]
    fn errors_carry_line_and_column_in_the_source() {
        let source = "RETURN 1;\nMATCH (p) RETURN q";
        let err = QueryError::undefined_variable("q", Span::new(27, 28));
        let mut out = Vec::new();
        write_error(&err, source, &mut out).expect("writing to a Vec");
        assert_eq!(err.kind, ErrorKind::SyntaxError);
        assert_eq!(err.code, Some(ErrorCode::UndefinedVariable));
        assert_eq!(
            String::from_utf8(out).expect("utf-8"),
            "{\"error\":{\"type\":\"SyntaxError\",\"code\":\"UndefinedVariable\",\"phase\":\"compile\",\
             \"message\":\"variable `q` is not defined\",\"line\":2,\"column\":18}}\n"
        );
    }
}
