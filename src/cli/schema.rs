//! A summary of what the graph holds — labels, relationship types, property keys, names —
//! computed in one walk over the graph. It feeds `:schema`, tab completion and the
//! "did you mean" hints, and is recomputed after the graph changes.

use std::collections::{BTreeMap, BTreeSet};

use kg::Graph;
use kg::graph::Direction;
use kg::value::Value;

/// What the graph holds, by name.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    /// Label → node count.
    pub labels: BTreeMap<String, usize>,
    /// Relationship type → count.
    pub rel_types: BTreeMap<String, usize>,
    /// Label → property key → value types seen; nodes without labels under "".
    pub label_keys: BTreeMap<String, BTreeMap<String, BTreeSet<&'static str>>>,
    /// Relationship type → property key → value types seen.
    pub rel_keys: BTreeMap<String, BTreeMap<String, BTreeSet<&'static str>>>,
    /// `(start label, type, end label)` → count (unlabelled ends as "").
    pub patterns: BTreeMap<(String, String, String), usize>,
    /// Every node's `name` and `aliases`, for completion inside strings.
    pub names: BTreeSet<String>,
    /// `(label, outgoing)` → the relationship types leaving (or reaching) nodes of the label.
    pub label_rel_types: BTreeMap<(String, bool), BTreeSet<String>>,
}

impl Schema {
    /// Walks the whole graph once.
    pub fn of(graph: &Graph) -> Schema {
        let mut schema = Schema::default();
        for node in graph.nodes() {
            let Some(data) = graph.node(node) else {
                continue;
            };
            if data.labels.is_empty() {
                let keys = schema.label_keys.entry(String::new()).or_default();
                for (k, v) in data.properties.iter() {
                    keys.entry(k.to_string()).or_default().insert(v.type_name());
                }
            }
            for label in &data.labels {
                *schema.labels.entry(label.to_string()).or_default() += 1;
                let keys = schema.label_keys.entry(label.to_string()).or_default();
                for (k, v) in data.properties.iter() {
                    keys.entry(k.to_string()).or_default().insert(v.type_name());
                }
            }
            if let Some(Value::String(name)) = data.properties.get("name") {
                schema.names.insert(name.to_string());
            }
            if let Some(Value::List(aliases)) = data.properties.get("aliases") {
                schema.names.extend(
                    aliases
                        .iter()
                        .filter_map(|a| a.as_str().map(str::to_string)),
                );
            }
            for (rel, other) in graph.relationships_of(node, Direction::Outgoing, &[]) {
                let Some(rel_data) = graph.rel(rel) else {
                    continue;
                };
                let rel_type = rel_data.rel_type.to_string();
                *schema.rel_types.entry(rel_type.clone()).or_default() += 1;
                let keys = schema.rel_keys.entry(rel_type.clone()).or_default();
                for (k, v) in rel_data.properties.iter() {
                    keys.entry(k.to_string()).or_default().insert(v.type_name());
                }
                let first = |id| {
                    graph
                        .node_labels(id)
                        .first()
                        .map_or(String::new(), |l| l.to_string())
                };
                for (end, outgoing) in [(node, true), (other, false)] {
                    for label in graph.node_labels(end).iter() {
                        schema
                            .label_rel_types
                            .entry((label.to_string(), outgoing))
                            .or_default()
                            .insert(rel_type.clone());
                    }
                }
                *schema
                    .patterns
                    .entry((first(node), rel_type, first(other)))
                    .or_default() += 1;
            }
        }
        schema
    }

    /// Every property key on nodes or relationships.
    pub fn all_keys(&self) -> BTreeSet<&str> {
        self.label_keys
            .values()
            .chain(self.rel_keys.values())
            .flat_map(|keys| keys.keys().map(String::as_str))
            .collect()
    }

    /// How many nodes or relationships carry `key`.
    pub fn key_owners(&self, key: &str) -> Vec<&str> {
        self.label_keys
            .iter()
            .chain(&self.rel_keys)
            .filter(|(_, keys)| keys.contains_key(key))
            .map(|(owner, _)| owner.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_labels_types_keys_and_names() {
        let mut graph = Graph::new();
        let wu = graph.create_node(
            ["Person"],
            [
                ("name".to_string(), Value::from("Wu Gansha")),
                ("aliases".to_string(), Value::List(vec![Value::from("Wu")])),
            ],
        );
        let uisee = graph.create_node(["Company"], [("name".to_string(), Value::from("Uisee"))]);
        graph
            .create_rel(wu, uisee, "FOUNDED", [])
            .expect("nodes exist");
        let schema = Schema::of(&graph);
        assert_eq!(schema.labels.get("Person"), Some(&1));
        assert_eq!(schema.rel_types.get("FOUNDED"), Some(&1));
        assert!(schema.label_keys["Person"]["aliases"].contains("LIST"));
        assert_eq!(
            schema
                .patterns
                .get(&("Person".into(), "FOUNDED".into(), "Company".into())),
            Some(&1)
        );
        assert!(schema.names.contains("Wu"));
        assert!(schema.label_rel_types[&("Person".into(), true)].contains("FOUNDED"));
        assert!(schema.label_rel_types[&("Company".into(), false)].contains("FOUNDED"));
        assert_eq!(schema.key_owners("name"), vec!["Company", "Person"]);
    }
}
