//! What a statement returns: column names, rows of values, write statistics, and
//! snapshots of the nodes and relationships the rows mention (so formatters need no graph).

use std::collections::HashMap;
use std::sync::Arc;

use crate::graph::{Graph, NodeId, Properties, RelId};
use crate::value::Value;

/// Counts of what a statement changed, as in the JSON `stats` object of protocol.md.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub nodes_created: u64,
    pub nodes_deleted: u64,
    pub relationships_created: u64,
    pub relationships_deleted: u64,
    pub properties_set: u64,
    pub labels_added: u64,
    pub labels_removed: u64,
}

impl Stats {
    /// True when the statement changed nothing.
    pub fn is_empty(&self) -> bool {
        *self == Stats::default()
    }

    /// (name, count) pairs in protocol order.
    pub fn entries(&self) -> [(&'static str, u64); 7] {
        [
            ("nodes_created", self.nodes_created),
            ("nodes_deleted", self.nodes_deleted),
            ("relationships_created", self.relationships_created),
            ("relationships_deleted", self.relationships_deleted),
            ("properties_set", self.properties_set),
            ("labels_added", self.labels_added),
            ("labels_removed", self.labels_removed),
        ]
    }
}

/// A node as it was when the statement finished.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeSnapshot {
    pub labels: Vec<Arc<str>>,
    pub properties: Properties,
}

/// A relationship as it was when the statement finished.
#[derive(Debug, Clone, PartialEq)]
pub struct RelSnapshot {
    pub rel_type: Arc<str>,
    pub start: NodeId,
    pub end: NodeId,
    pub properties: Properties,
}

/// The result of one statement.
#[derive(Debug, Clone, Default)]
pub struct ResultSet {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
    pub stats: Stats,
    pub nodes: HashMap<NodeId, NodeSnapshot>,
    pub rels: HashMap<RelId, RelSnapshot>,
    /// Wall time of parse + plan + run, in milliseconds (set by `Session`).
    pub time_ms: f64,
    /// EXPLAIN/PROFILE output, when asked for.
    pub plan: Option<String>,
}

impl ResultSet {
    /// Builds a result and snapshots every node and relationship that its rows mention.
    /// Entities deleted by the statement itself get no snapshot and render by id only.
    pub fn new(columns: Vec<String>, rows: Vec<Vec<Value>>, stats: Stats, graph: &Graph) -> Self {
        let mut rs = ResultSet {
            columns,
            rows,
            stats,
            ..Default::default()
        };
        let mut nodes = Vec::new();
        let mut rels = Vec::new();
        for row in &rs.rows {
            for v in row {
                collect_entities(v, &mut nodes, &mut rels);
            }
        }
        for id in nodes {
            if let Some(n) = graph.node(id) {
                rs.nodes.entry(id).or_insert_with(|| NodeSnapshot {
                    labels: n.labels.clone(),
                    properties: n.properties.clone(),
                });
            }
        }
        for id in rels {
            if let (Some(r), Some((start, end))) = (graph.rel(id), graph.rel_endpoints(id)) {
                rs.rels.entry(id).or_insert_with(|| RelSnapshot {
                    rel_type: r.rel_type().clone(),
                    start,
                    end,
                    properties: r.properties().to_properties(),
                });
            }
        }
        rs
    }
}

fn collect_entities(v: &Value, nodes: &mut Vec<NodeId>, rels: &mut Vec<RelId>) {
    match v {
        Value::Node(n) => nodes.push(*n),
        Value::Rel(r) => rels.push(*r),
        Value::Path(p) => {
            nodes.extend(&p.nodes);
            rels.extend(&p.rels);
        }
        Value::List(items) => items.iter().for_each(|i| collect_entities(i, nodes, rels)),
        Value::Map(m) => m.values().for_each(|i| collect_entities(i, nodes, rels)),
        _ => {}
    }
}
