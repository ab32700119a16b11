//! The one value renderer behind TCK notation (`tck.rs`) and the Cypher notation that tables
//! show (`text.rs`). A `Notation` names every point where the two differ; lists, maps, key
//! quoting and string escapes are shared. Writing only: parsing the TCK notation back is the
//! test harness's job, and entity data comes from the `ResultSet` snapshots, not a graph.

use std::fmt::Write;

use crate::graph::{NodeId, Properties, RelId};
use crate::result::ResultSet;
use crate::value::{self, Path, Value};

/// The choices that tell TCK notation and table notation apart.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Notation {
    /// How positive infinity is spelled; negative infinity adds a `-`.
    pub infinity: &'static str,
    /// Control characters other than `\n`, `\r`, `\t` escaped as `\uXXXX`.
    pub escape_controls: bool,
    /// Temporal values in quotes, as the TCK writes them.
    pub quote_temporals: bool,
    /// Labels and property keys sorted, so the text compares stably. Otherwise labels keep
    /// their stored order and properties put `name` first and `evidence` last, for reading.
    pub sorted: bool,
    /// TCK shapes: a lone relationship as `[:T]` and a path in `<...>`; otherwise `-[:T]->`
    /// and a bare path.
    pub tck_shapes: bool,
}

impl Notation {
    /// openCypher TCK notation (TCK README, "Format of the expected results").
    pub const TCK: Notation = Notation {
        infinity: "Inf",
        escape_controls: true,
        quote_temporals: true,
        sorted: true,
        tck_shapes: true,
    };

    /// Cypher notation as the table and Markdown formats show it.
    pub const CYPHER: Notation = Notation {
        infinity: "Infinity",
        escape_controls: false,
        quote_temporals: false,
        sorted: false,
        tck_shapes: false,
    };

    /// `value` rendered in this notation.
    pub fn render(self, value: &Value, result: &ResultSet) -> String {
        let mut out = String::new();
        self.write_value(&mut out, value, result);
        out
    }

    /// A float that always reads as a float: `1.0`, `1e300`, `NaN`, and the infinities.
    pub fn float(self, f: f64) -> String {
        if f.is_nan() {
            "NaN".to_string()
        } else if f.is_infinite() {
            let sign = if f > 0.0 { "" } else { "-" };
            format!("{sign}{}", self.infinity)
        } else {
            // Debug keeps ".0" on whole numbers and switches to an exponent for very large or
            // small magnitudes, and it prints the shortest text that reads back to the same f64.
            format!("{f:?}")
        }
    }

    /// `s` in single quotes with `\`, `'` and line breaks escaped.
    pub fn write_string(self, out: &mut String, s: &str) {
        value::write_quoted(out, s, self.escape_controls);
    }

    fn write_value(self, out: &mut String, value: &Value, result: &ResultSet) {
        match value {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Float(f) => out.push_str(&self.float(*f)),
            Value::String(s) => self.write_string(out, s),
            Value::Temporal(t) if self.quote_temporals => self.write_string(out, &t.to_string()),
            Value::Temporal(t) => {
                let _ = write!(out, "{t}");
            }
            Value::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.write_value(out, item, result);
                }
                out.push(']');
            }
            // BTreeMap iterates in key order already.
            Value::Map(map) => self.write_entries(out, map.iter().map(|(k, v)| (&**k, v)), result),
            Value::Node(id) => self.write_node(out, *id, result),
            Value::Rel(id) if self.tck_shapes => self.write_rel(out, *id, result),
            Value::Rel(id) => {
                out.push('-');
                self.write_rel(out, *id, result);
                out.push_str("->");
            }
            Value::Path(path) => self.write_path(out, path, result),
        }
    }

    fn write_entries<'a>(
        self,
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
            self.write_value(out, value, result);
        }
        out.push('}');
    }

    /// ` {k: v, ...}`, or nothing for an empty property map.
    fn write_properties(self, out: &mut String, properties: &Properties, result: &ResultSet) {
        if properties.is_empty() {
            return;
        }
        let mut entries: Vec<(&str, &Value)> = properties.iter().collect();
        if self.sorted {
            entries.sort_by(|a, b| a.0.cmp(b.0));
        } else {
            // `name` first and the long `evidence` last, so a cut cell still says which
            // entity it is.
            entries.sort_by_key(|(k, _)| match *k {
                "name" => 0,
                "evidence" => 2,
                _ => 1,
            });
        }
        out.push(' ');
        self.write_entries(out, entries.into_iter(), result);
    }

    fn write_node(self, out: &mut String, id: NodeId, result: &ResultSet) {
        let Some(node) = result.nodes.get(&id) else {
            // No snapshot: the statement deleted it. Not valid TCK notation on purpose, so it
            // never compares equal to an expected node.
            let _ = write!(out, "(#{})", id.0);
            return;
        };
        out.push('(');
        let mut labels: Vec<&str> = node.labels.iter().map(|l| &**l).collect();
        if self.sorted {
            labels.sort_unstable();
        }
        for label in &labels {
            out.push(':');
            write_key(out, label);
        }
        let mut props = String::new();
        self.write_properties(&mut props, &node.properties, result);
        // `({k: 1})`, not `( {k: 1})`, when there is no label before the map.
        if labels.is_empty() {
            out.push_str(props.trim_start());
        } else {
            out.push_str(&props);
        }
        out.push(')');
    }

    /// `[:T {k: v}]`, without arrows.
    fn write_rel(self, out: &mut String, id: RelId, result: &ResultSet) {
        let Some(rel) = result.rels.get(&id) else {
            let _ = write!(out, "[#{}]", id.0);
            return;
        };
        out.push_str("[:");
        write_key(out, &rel.rel_type);
        self.write_properties(out, &rel.properties, result);
        out.push(']');
    }

    /// `(a)-[r]->(b)<-[s]-(c)`: each relationship's arrow points the way it was created,
    /// whichever way the path walks it.
    fn write_path(self, out: &mut String, path: &Path, result: &ResultSet) {
        if self.tck_shapes {
            out.push('<');
        }
        for (i, node) in path.nodes.iter().enumerate() {
            self.write_node(out, *node, result);
            if let Some(rel) = path.rels.get(i) {
                let backwards = result
                    .rels
                    .get(rel)
                    .is_some_and(|r| r.start != *node && r.end == *node);
                out.push_str(if backwards { "<-" } else { "-" });
                self.write_rel(out, *rel, result);
                out.push_str(if backwards { "-" } else { "->" });
            }
        }
        if self.tck_shapes {
            out.push('>');
        }
    }
}

/// A label, type or key as Cypher reads it (see `ast::write_schema_name`).
pub(crate) fn write_key(out: &mut String, key: &str) {
    // Writing into a String cannot fail.
    let _ = crate::ast::write_schema_name(out, key);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::test_support::sample;
    use crate::value::temporal::{Temporal, parse};

    /// Each `Notation` field shows up in the text, and only there.
    #[test]
    fn the_two_notations_differ_where_the_fields_say() {
        let both = |value: &Value, result: &ResultSet| {
            (
                Notation::TCK.render(value, result),
                Notation::CYPHER.render(value, result),
            )
        };
        let empty = ResultSet::default();
        let inf = Value::Float(f64::NEG_INFINITY);
        assert_eq!(both(&inf, &empty), ("-Inf".into(), "-Infinity".into()));
        let bell = Value::from("a\u{7}");
        assert_eq!(
            both(&bell, &empty),
            ("'a\\u0007'".into(), "'a\u{7}'".into())
        );
        let date = Value::from(Temporal::Date(parse::date("2016-01-02").expect("date")));
        assert_eq!(
            both(&date, &empty),
            ("'2016-01-02'".into(), "2016-01-02".into())
        );
        let rs = sample();
        assert_eq!(
            both(&rs.rows[0][0], &rs),
            (
                "<(:Person {name: 'Wu Gansha'})-[:FOUNDED {year: 2016}]->(:Company {name: 'Uisee'})>"
                    .into(),
                "(:Person {name: 'Wu Gansha'})-[:FOUNDED {year: 2016}]->(:Company {name: 'Uisee'})"
                    .into()
            )
        );
        assert_eq!(
            both(&rs.rows[2][0], &rs),
            (
                "[:FOUNDED {year: 2016}]".into(),
                "-[:FOUNDED {year: 2016}]->".into()
            )
        );
    }
}
