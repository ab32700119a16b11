//! Helpers shared by more than one test crate (each crate declares `mod common;`). Only
//! what at least two crates use belongs here.

use kg::Value;
use kg::graph::{Graph, NodeId};

/// The graph as sorted text: nodes by labels and properties, relationships by endpoint
/// names, type and properties. Equal for graphs that differ only in ids.
pub fn canonical(graph: &Graph) -> (Vec<String>, Vec<String>) {
    let mut nodes: Vec<String> = graph
        .nodes()
        .map(|n| {
            let data = graph.node(n).expect("node");
            let mut labels: Vec<&str> = data.labels.iter().map(|l| &**l).collect();
            labels.sort_unstable();
            format!("{labels:?} {:?}", data.properties.to_map())
        })
        .collect();
    nodes.sort();
    let mut rels: Vec<String> = graph
        .rels()
        .map(|r| {
            let (s, e) = graph.rel_endpoints(r).expect("endpoints");
            let data = graph.rel(r).expect("rel");
            format!(
                "{} -[{} {:?}]-> {}",
                name(graph, s),
                data.rel_type,
                data.properties.to_map(),
                name(graph, e)
            )
        })
        .collect();
    rels.sort();
    (nodes, rels)
}

/// A node's `name` for messages; ids are left out so graphs loaded twice compare equal.
fn name(graph: &Graph, node: NodeId) -> String {
    match graph.node_property(node, "name") {
        Some(Value::String(s)) => s.to_string(),
        other => format!("{other:?}"),
    }
}
