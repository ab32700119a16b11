//! The command-line backend (`KG_TCK_CLI=1`): runs each query through the `kg` binary the way
//! the outside conformance check does (tck README): a fresh `kg --empty --format json -f -`
//! process whose script holds the setup statements, `:param NAME => literal` lines, and the query
//! between `MATCH (n) RETURN n` / `MATCH ()-[r]->() RETURN r` pairs that measure side effects.
//! The JSON Lines answers (protocol.md) are read back into `ResultSet`s, so the same
//! comparisons apply as in process.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kg::graph::{Graph, NodeId, RelId};
use kg::result::Stats;
use kg::value::Path as KgPath;
use kg::{Phase, ResultSet, Value};
use serde_json::Value as Json;

use crate::scenario::{Backend, ErrorReport, Executed, GraphState, NodeEntry, RelEntry};

const SNAPSHOT: &str = "MATCH (n) RETURN n;\nMATCH ()-[r]->() RETURN r;\n";

/// Runs queries through the `kg` binary; setup statements accumulate into the script.
pub struct Cli {
    exe: PathBuf,
    script: String,
    time_limit: Duration,
}

impl Cli {
    pub fn new(exe: PathBuf, time_limit: Duration) -> Self {
        Cli {
            exe,
            script: String::new(),
            time_limit,
        }
    }

    /// Runs `script` in a fresh process and returns its JSON lines.
    fn run_script(&self, script: &str) -> Result<Vec<Json>, String> {
        let mut child = Command::new(&self.exe)
            .args([
                "--empty",
                "--format",
                "json",
                "--continue-on-error",
                "-f",
                "-",
            ])
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", self.exe.display()))?;
        let mut stdin = child.stdin.take().ok_or("no stdin")?;
        let input = script.to_string();
        let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
        let mut stdout = child.stdout.take().ok_or("no stdout")?;
        let reader = std::thread::spawn(move || {
            let mut out = String::new();
            stdout.read_to_string(&mut out).map(|_| out)
        });
        let started = Instant::now();
        loop {
            match child.try_wait() {
                Ok(Some(_)) => break,
                Ok(None) if started.elapsed() > self.time_limit => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!("kg did not finish within {:?}", self.time_limit));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(2)),
                Err(e) => return Err(format!("waiting for kg: {e}")),
            }
        }
        let _ = writer.join();
        let out = reader
            .join()
            .map_err(|_| "reading kg's output failed".to_string())?
            .map_err(|e| format!("reading kg's output: {e}"))?;
        out.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| parse_json(l).map_err(|e| format!("not JSON ({e}): {l}")))
            .collect()
    }
}

/// One statement per script entry, `;`-terminated exactly once.
fn statement(text: &str) -> String {
    format!("{};\n", text.trim().trim_end_matches(';'))
}

impl Backend for Cli {
    fn setup(&mut self, text: &str) -> Result<(), String> {
        self.script.push_str(&statement(text));
        Ok(())
    }

    fn set_param(&mut self, name: &str, literal: &str) -> Result<(), String> {
        self.script
            .push_str(&format!(":param {name} => {literal}\n"));
        Ok(())
    }

    fn register_procedure(&mut self, _: &str, _: &[Vec<String>]) -> Result<(), String> {
        Err("the kg binary has no way to define test procedures".into())
    }

    fn execute(&mut self, query: &str) -> Result<Executed, String> {
        let script = format!("{}{SNAPSHOT}{}{SNAPSHOT}", self.script, statement(query));
        let lines = self.run_script(&script)?;
        let Some(setup_count) = lines.len().checked_sub(5) else {
            return Err(format!(
                "expected at least 5 JSON lines from kg, got {}:\n{}",
                lines.len(),
                lines.iter().map(|l| format!("  {l}\n")).collect::<String>()
            ));
        };
        if let Some(error) = lines[..setup_count].iter().find_map(|l| l.get("error")) {
            return Err(format!(
                "setup query failed: {}",
                error_report(error).message
            ));
        }
        let before = graph_state(&lines[setup_count], &lines[setup_count + 1])?;
        let outcome = match lines[setup_count + 2].get("error") {
            Some(error) => Err(error_report(error)),
            None => Ok(result_set(&lines[setup_count + 2])?),
        };
        let after = graph_state(&lines[setup_count + 3], &lines[setup_count + 4])?;
        // A later control query sees what this one did.
        self.script.push_str(&statement(query));
        Ok(Executed {
            query: query.to_string(),
            outcome,
            before,
            after,
        })
    }
}

fn error_report(error: &Json) -> ErrorReport {
    let text = |key: &str| error.get(key).and_then(Json::as_str).map(str::to_string);
    ErrorReport {
        kind: text("type").unwrap_or_default(),
        code: text("code"),
        phase: if text("phase").as_deref() == Some("runtime") {
            Phase::Runtime
        } else {
            Phase::Compile
        },
        message: text("message").unwrap_or_default(),
    }
}

/// A JSON result line as a `ResultSet`, with node and relationship snapshots rebuilt in a
/// scratch graph (ids renumbered consistently within the line).
fn result_set(line: &Json) -> Result<ResultSet, String> {
    let columns = line
        .get("columns")
        .and_then(Json::as_array)
        .ok_or("a result line without `columns`")?
        .iter()
        .map(|c| {
            c.as_str()
                .map(str::to_string)
                .ok_or("a column name is not a string")
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut reader = Reader::default();
    let rows = line
        .get("rows")
        .and_then(Json::as_array)
        .ok_or("a result line without `rows`")?
        .iter()
        .map(|row| {
            row.as_array()
                .ok_or_else(|| "a row is not an array".to_string())?
                .iter()
                .map(|v| reader.value(v))
                .collect::<Result<Vec<_>, _>>()
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ResultSet::new(
        columns,
        rows,
        Stats::default(),
        &reader.graph,
    ))
}

/// The graph state from the `MATCH (n) RETURN n` and `MATCH ()-[r]->() RETURN r` lines.
fn graph_state(nodes_line: &Json, rels_line: &Json) -> Result<GraphState, String> {
    let cells = |line: &Json, tag: &str| -> Result<Vec<Json>, String> {
        if let Some(error) = line.get("error") {
            return Err(format!("the side-effect query failed: {error}"));
        }
        let rows = line.get("rows").and_then(Json::as_array).ok_or("no rows")?;
        rows.iter()
            .map(|r| {
                r.get(0)
                    .and_then(|c| c.get(tag))
                    .cloned()
                    .ok_or_else(|| format!("expected a {tag} in {r}"))
            })
            .collect()
    };
    let props = |entity: &Json| -> Result<Vec<(String, Value)>, String> {
        let mut reader = Reader::default();
        entity
            .get("properties")
            .and_then(Json::as_object)
            .ok_or("an entity without properties")?
            .iter()
            .map(|(k, v)| Ok((k.clone(), reader.value(v)?)))
            .collect()
    };
    let nodes = cells(nodes_line, "$node")?
        .iter()
        .map(|n| {
            let labels = n
                .get("labels")
                .and_then(Json::as_array)
                .map(|ls| {
                    ls.iter()
                        .filter_map(|l| l.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            Ok((entity_id(n)?, labels, props(n)?))
        })
        .collect::<Result<Vec<NodeEntry>, String>>()?;
    let rels = cells(rels_line, "$rel")?
        .iter()
        .map(|r| Ok((entity_id(r)?, props(r)?)))
        .collect::<Result<Vec<RelEntry>, String>>()?;
    Ok(GraphState::from_entities(nodes, rels))
}

fn entity_id(entity: &Json) -> Result<u64, String> {
    entity
        .get("id")
        .and_then(Json::as_u64)
        .ok_or_else(|| format!("an entity without an id: {entity}"))
}

/// JSON values (protocol.md "Values") back to `kg::Value`s; graph elements go into `graph`.
#[derive(Default)]
struct Reader {
    graph: Graph,
    nodes: HashMap<u64, NodeId>,
    rels: HashMap<u64, RelId>,
}

impl Reader {
    fn value(&mut self, json: &Json) -> Result<Value, String> {
        Ok(match json {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => match n.as_i64() {
                Some(i) if !n.is_f64() => Value::Int(i),
                _ => Value::Float(n.as_f64().ok_or_else(|| format!("bad number {n}"))?),
            },
            Json::String(s) => Value::from(s.as_str()),
            Json::Array(items) => Value::List(
                items
                    .iter()
                    .map(|i| self.value(i))
                    .collect::<Result<_, _>>()?,
            ),
            Json::Object(map) => {
                if map.len() == 1 {
                    let (tag, inner) = map.iter().next().ok_or("empty tagged value")?;
                    match tag.as_str() {
                        "$node" => return Ok(Value::Node(self.node(inner)?)),
                        "$rel" => return Ok(Value::Rel(self.rel(inner)?)),
                        "$path" => return self.path(inner),
                        "$float" => {
                            return Ok(Value::Float(match inner.as_str() {
                                Some("NaN") => f64::NAN,
                                Some("Infinity") => f64::INFINITY,
                                Some("-Infinity") => f64::NEG_INFINITY,
                                _ => return Err(format!("bad $float {inner}")),
                            }));
                        }
                        // Temporal values: the TCK writes them as strings.
                        "$date" | "$time" | "$localtime" | "$datetime" | "$localdatetime"
                        | "$duration" => {
                            return Ok(Value::from(inner.as_str().unwrap_or_default()));
                        }
                        _ => {}
                    }
                }
                Value::Map(
                    map.iter()
                        .map(|(k, v)| Ok((k.clone(), self.value(v)?)))
                        .collect::<Result<_, String>>()?,
                )
            }
        })
    }

    /// The scratch node for a JSON node id, created (possibly as a bare endpoint) on first use.
    fn node_id(&mut self, id: u64) -> NodeId {
        *self
            .nodes
            .entry(id)
            .or_insert_with(|| self.graph.create_node(Vec::<&str>::new(), Vec::new()))
    }

    fn node(&mut self, json: &Json) -> Result<NodeId, String> {
        let id = self.node_id(entity_id(json)?);
        for label in json
            .get("labels")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            self.graph.add_label(id, label.as_str().unwrap_or_default());
        }
        for (k, v) in json
            .get("properties")
            .and_then(Json::as_object)
            .into_iter()
            .flatten()
        {
            let value = self.value(v)?;
            self.graph.set_node_property(id, k, value);
        }
        Ok(id)
    }

    fn rel(&mut self, json: &Json) -> Result<RelId, String> {
        let key = entity_id(json)?;
        if let Some(id) = self.rels.get(&key) {
            return Ok(*id);
        }
        let endpoint = |name: &str| {
            json.get(name)
                .and_then(Json::as_u64)
                .ok_or_else(|| format!("a relationship without `{name}`: {json}"))
        };
        let (start, end) = (
            self.node_id(endpoint("start")?),
            self.node_id(endpoint("end")?),
        );
        let rel_type = json.get("type").and_then(Json::as_str).unwrap_or_default();
        let mut props = Vec::new();
        for (k, v) in json
            .get("properties")
            .and_then(Json::as_object)
            .into_iter()
            .flatten()
        {
            props.push((k.clone(), self.value(v)?));
        }
        let id = self
            .graph
            .create_rel(start, end, rel_type, props)
            .ok_or("cannot rebuild a relationship")?;
        self.rels.insert(key, id);
        Ok(id)
    }

    fn path(&mut self, json: &Json) -> Result<Value, String> {
        let items = json.as_array().ok_or("a $path is not an array")?;
        let mut path = KgPath {
            nodes: Vec::new(),
            rels: Vec::new(),
        };
        for (i, item) in items.iter().enumerate() {
            if i % 2 == 0 {
                let node = item.get("$node").ok_or("a $path node is not a $node")?;
                path.nodes.push(self.node(node)?);
            } else {
                let rel = item
                    .get("$rel")
                    .ok_or("a $path relationship is not a $rel")?;
                path.rels.push(self.rel(rel)?);
            }
        }
        Ok(Value::Path(Box::new(path)))
    }
}

/// Parses one JSON line. Not `serde_json::from_str`: without its `float_roundtrip` feature it
/// may round floats such as `1e-305` to a neighbouring f64, and the TCK compares floats exactly.
fn parse_json(text: &str) -> Result<Json, String> {
    let mut p = JsonParser {
        bytes: text.as_bytes(),
        text,
        pos: 0,
    };
    let value = p.value()?;
    p.skip_ws();
    if p.pos == text.len() {
        Ok(value)
    } else {
        Err(format!("trailing text at byte {}", p.pos))
    }
}

struct JsonParser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
}

impl JsonParser<'_> {
    fn skip_ws(&mut self) {
        while self
            .bytes
            .get(self.pos)
            .is_some_and(u8::is_ascii_whitespace)
        {
            self.pos += 1;
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, b: u8) -> Result<(), String> {
        if self.eat(b) {
            Ok(())
        } else {
            Err(format!("expected `{}` at byte {}", b as char, self.pos))
        }
    }

    fn value(&mut self) -> Result<Json, String> {
        self.skip_ws();
        let rest = &self.text[self.pos..];
        for (word, value) in [
            ("null", Json::Null),
            ("true", Json::Bool(true)),
            ("false", Json::Bool(false)),
        ] {
            if rest.starts_with(word) {
                self.pos += word.len();
                return Ok(value);
            }
        }
        match self.bytes.get(self.pos) {
            Some(b'"') => self.string().map(Json::String),
            Some(b'[') => {
                self.pos += 1;
                let mut items = Vec::new();
                if self.eat(b']') {
                    return Ok(Json::Array(items));
                }
                loop {
                    items.push(self.value()?);
                    if self.eat(b']') {
                        return Ok(Json::Array(items));
                    }
                    self.expect(b',')?;
                }
            }
            Some(b'{') => {
                self.pos += 1;
                let mut map = serde_json::Map::new();
                if self.eat(b'}') {
                    return Ok(Json::Object(map));
                }
                loop {
                    self.skip_ws();
                    let key = self.string()?;
                    self.expect(b':')?;
                    map.insert(key, self.value()?);
                    if self.eat(b'}') {
                        return Ok(Json::Object(map));
                    }
                    self.expect(b',')?;
                }
            }
            Some(_) => self.number(),
            None => Err("unexpected end".into()),
        }
    }

    fn number(&mut self) -> Result<Json, String> {
        let start = self.pos;
        while self
            .bytes
            .get(self.pos)
            .is_some_and(|b| b.is_ascii_digit() || b"+-.eE".contains(b))
        {
            self.pos += 1;
        }
        let token = &self.text[start..self.pos];
        if token.contains(['.', 'e', 'E']) {
            let f: f64 = token.parse().map_err(|_| format!("bad number `{token}`"))?;
            serde_json::Number::from_f64(f)
                .map(Json::Number)
                .ok_or_else(|| format!("bad number `{token}`"))
        } else {
            let i: i64 = token
                .parse()
                .map_err(|_| format!("bad integer `{token}`"))?;
            Ok(Json::Number(i.into()))
        }
    }

    fn string(&mut self) -> Result<String, String> {
        if self.bytes.get(self.pos) != Some(&b'"') {
            return Err(format!("expected a string at byte {}", self.pos));
        }
        self.pos += 1;
        let mut out = String::new();
        loop {
            let rest = &self.text[self.pos..];
            let Some(i) = rest.find(['"', '\\']) else {
                return Err("unterminated string".into());
            };
            out.push_str(&rest[..i]);
            self.pos += i + 1;
            if rest.as_bytes()[i] == b'"' {
                return Ok(out);
            }
            let escape = self.bytes.get(self.pos).copied().ok_or("bad escape")?;
            self.pos += 1;
            match escape {
                b'n' => out.push('\n'),
                b't' => out.push('\t'),
                b'r' => out.push('\r'),
                b'b' => out.push('\u{8}'),
                b'f' => out.push('\u{c}'),
                b'u' => {
                    let unit = self.hex4()?;
                    let c = if (0xD800..0xDC00).contains(&unit) {
                        // A surrogate pair: \uD83D\uDE00.
                        if !self.text[self.pos..].starts_with("\\u") {
                            return Err("lone surrogate".into());
                        }
                        self.pos += 2;
                        let low = self.hex4()?;
                        char::from_u32(
                            0x10000 + ((unit - 0xD800) << 10) + (low.wrapping_sub(0xDC00)),
                        )
                    } else {
                        char::from_u32(unit)
                    };
                    out.push(c.ok_or("bad \\u escape")?);
                }
                other => out.push(other as char),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let hex = self
            .text
            .get(self.pos..self.pos + 4)
            .ok_or("short \\u escape")?;
        self.pos += 4;
        u32::from_str_radix(hex, 16).map_err(|_| format!("bad \\u escape `{hex}`"))
    }
}

/// Tests of this module, run by the harness as trials.
pub mod self_tests {
    use super::*;

    /// (name, test) pairs; see `gherkin::self_tests`.
    pub const ALL: &[(&str, fn())] = &[
        ("json_floats_are_exact", json_floats_are_exact),
        ("json_reads_graph_elements", json_reads_graph_elements),
    ];

    fn json_floats_are_exact() {
        let v = parse_json(r#"[1e-305, 1.0, 2, -0.5, "a\"\u00e9\ud83d\ude00", {"k": null}]"#)
            .expect("parses");
        assert_eq!(v[0].as_f64(), Some(1e-305));
        assert!(v[1].is_f64() && v[2].is_i64());
        assert_eq!(v[4].as_str(), Some("a\"é😀"));
        assert!(parse_json("[1,").is_err());
    }

    fn json_reads_graph_elements() {
        let line = parse_json(
            r#"{"columns":["p"],"rows":[[{"$path":[{"$node":{"id":5,"labels":["B"],"properties":{}}},{"$rel":{"id":9,"type":"T","start":7,"end":5,"properties":{"w":1}}},{"$node":{"id":7,"labels":["A"],"properties":{"x":{"$float":"NaN"}}}}]}]]}"#,
        )
        .expect("parses");
        let result = result_set(&line).expect("reads");
        let cell = kg::format::tck::render_value(&result.rows[0][0], &result);
        assert_eq!(cell, "<(:B)<-[:T {w: 1}]-(:A {x: NaN})>");
    }
}
