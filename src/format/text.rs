//! Values in Cypher notation, as the table and Markdown formats show them:
//! `'Uisee'`, `[1, 2.0]`, `{a: null}`, `(:Company {name: 'Uisee'})`,
//! `(:Person {name: 'Wu Gansha'})-[:FOUNDED]->(:Company {name: 'Uisee'})`.
//! Strings are quoted so that null and the string "null" look different. The renderer is
//! shared with `tck.rs` (see `notation.rs`); this file adds the line wrapping tables use.

use unicode_width::UnicodeWidthStr;

use super::notation::{self, Notation};
use crate::result::ResultSet;
use crate::value::Value;

/// A value in Cypher notation, with entity data taken from `result`'s snapshots.
pub fn cypher(value: &Value, result: &ResultSet) -> String {
    Notation::CYPHER.render(value, result)
}

/// A float that always reads as a float: `1.0`, `1e300`, `NaN`, `Infinity`.
pub fn float(f: f64) -> String {
    Notation::CYPHER.float(f)
}

/// A name as Cypher accepts it: bare when it is a plain identifier, backticked otherwise.
pub fn key(out: &mut String, name: &str) {
    notation::write_key(out, name);
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
