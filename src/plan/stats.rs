//! The graph counts the planner orders patterns by.

use crate::graph::schema::EntityType;

/// Graph counts the planner orders patterns by (smallest label first, cheapest hop next).
/// Plans stay correct whatever the counts say; only their speed depends on them.
#[derive(Debug, Clone, Default)]
pub struct GraphStats {
    nodes: usize,
    rels: usize,
    labels: std::collections::HashMap<String, usize>,
    types: std::collections::HashMap<String, usize>,
    /// (label, key) of the node range indexes users created (the key is the index's first).
    node_indexes: std::collections::HashSet<(String, String)>,
}

impl GraphStats {
    /// Counts of `graph` (labels and relationship types in use).
    pub fn of(graph: &crate::graph::Graph) -> Self {
        GraphStats {
            nodes: graph.node_count(),
            rels: graph.rel_count(),
            labels: graph
                .labels()
                .into_iter()
                .map(|l| (l.to_string(), graph.label_count(l)))
                .collect(),
            types: graph
                .rel_types()
                .into_iter()
                .map(|t| (t.to_string(), graph.type_count(t)))
                .collect(),
            node_indexes: graph
                .schema()
                .rules()
                .iter()
                .filter(|r| r.kind.has_index() && r.entity == EntityType::Node)
                .filter_map(|r| Some((r.label.to_string(), r.properties.first()?.to_string())))
                .collect(),
        }
    }

    /// Whether a range index serves seeks on `key` of nodes labelled `label`.
    pub fn has_node_index(&self, label: &str, key: &str) -> bool {
        self.node_indexes
            .contains(&(label.to_string(), key.to_string()))
    }

    /// Estimated number of nodes matching a node pattern with `labels`.
    pub fn nodes_with(&self, labels: &[crate::ast::Ident]) -> usize {
        labels
            .iter()
            .map(|l| self.labels.get(&l.name).copied().unwrap_or(0))
            .min()
            .unwrap_or(self.nodes)
    }

    /// Number of relationships of any of `types` (all when empty).
    pub fn rels_with(&self, types: &[crate::ast::Ident]) -> usize {
        if types.is_empty() {
            self.rels
        } else {
            types
                .iter()
                .map(|t| self.types.get(&t.name).copied().unwrap_or(0))
                .sum()
        }
    }
}
