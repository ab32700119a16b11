//! Values in openCypher TCK notation, e.g. `(:Person {name: 'Ann'})`; used by the TCK runner
//! and the golden tests. Rendering only: parsing the notation back is the test harness's job.
//!
//! The notation (TCK README, "Format of the expected results"): `null`, `true`, `1`, `1.5`
//! (floats always show a dot or an exponent; `NaN`, `Inf`, `-Inf`), `'text'`, `[1, 2]`,
//! `{k: 1}`, nodes `(:L1:L2 {k: 'v'})`, relationships `[:T {k: 1}]`, and paths
//! `<(:A)-[:T]->(:B)<-[:U]-(:C)>`. Node and relationship data come from the `ResultSet`
//! snapshots, so no graph is needed. The renderer itself is shared with `text.rs`; see
//! `notation.rs`.

use super::notation::Notation;
use crate::result::ResultSet;
use crate::value::Value;

/// Renders one value in TCK notation. Map keys and property keys come out sorted, and node
/// labels sorted, so the text is stable whatever order the engine stored them in.
pub fn render_value(value: &Value, result: &ResultSet) -> String {
    Notation::TCK.render(value, result)
}

/// Renders each cell of a row in TCK notation.
pub fn render_row(row: &[Value], result: &ResultSet) -> Vec<String> {
    row.iter().map(|v| render_value(v, result)).collect()
}

/// A float in TCK notation: always with a dot or an exponent, and `NaN`, `Inf`, `-Inf`.
pub fn render_float(f: f64) -> String {
    Notation::TCK.float(f)
}

/// A string in TCK notation: single quotes, with `\`, `'` and control characters escaped.
pub fn render_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    Notation::TCK.write_string(&mut out, s);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::Graph;
    use crate::result::Stats;
    use crate::value::Path;
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
