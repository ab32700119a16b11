//! A summary of what the graph holds — labels, relationship types, property keys, names —
//! read through the graph's label and type indexes. It feeds `:schema`, tab completion and the
//! "did you mean" hints, and is recomputed after the graph changes.

use std::collections::{BTreeMap, BTreeSet};

use kg::Graph;
use kg::graph::PropertyView;
use kg::value::Value;

/// Nodes per label and relationships per type that `Schema::of` reads.
const SAMPLE: usize = 10_000;

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
    /// The schema for completion and hints: exact label and type counts (from the graph's
    /// indexes), with keys, patterns and names read from at most `SAMPLE` nodes per label
    /// and relationships per type, so that the prompt comes back at once after a write even
    /// on a graph of millions.
    pub fn of(graph: &Graph) -> Schema {
        Schema::read(graph, Some(SAMPLE))
    }

    /// The whole schema, every node and relationship read (`:schema`, asked for).
    pub fn full(graph: &Graph) -> Schema {
        Schema::read(graph, None)
    }

    fn read(graph: &Graph, limit: Option<usize>) -> Schema {
        let limit = limit.unwrap_or(usize::MAX);
        let mut schema = Schema::default();
        // Allocates only for a key not seen before: this runs once per node and relationship.
        let record = |keys: &mut BTreeMap<String, BTreeSet<&'static str>>,
                      props: PropertyView<'_>| {
            for (k, v) in props.iter() {
                match keys.get_mut(k) {
                    Some(types) => {
                        types.insert(v.type_name());
                    }
                    None => {
                        keys.insert(k.to_string(), BTreeSet::from([v.type_name()]));
                    }
                }
            }
        };
        for label in graph.labels() {
            schema
                .labels
                .insert(label.to_string(), graph.label_count(label));
            let keys = schema.label_keys.entry(label.to_string()).or_default();
            for node in graph.nodes_with_label(label).take(limit) {
                let Some(data) = graph.node(node) else {
                    continue;
                };
                record(keys, data.properties.view());
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
            }
        }
        // Nodes without labels have no index: a sample of all nodes stands for them.
        for node in graph.nodes().take(limit) {
            if let Some(data) = graph.node(node).filter(|d| d.labels.is_empty()) {
                record(
                    schema.label_keys.entry(String::new()).or_default(),
                    data.properties.view(),
                );
            }
        }
        let first = |id| graph.node_labels(id).first().map_or("", |l| &**l);
        for rel_type in graph.rel_types() {
            // Counted by borrowed names, turned into owned ones once per type.
            let mut patterns: std::collections::HashMap<(&str, &str), usize> = Default::default();
            let mut ends: BTreeSet<(&str, bool)> = BTreeSet::new();
            schema
                .rel_types
                .insert(rel_type.to_string(), graph.type_count(rel_type));
            let keys = schema.rel_keys.entry(rel_type.to_string()).or_default();
            for rel in graph.rels_with_type(rel_type).take(limit) {
                let (Some(data), Some((start, end))) = (graph.rel(rel), graph.rel_endpoints(rel))
                else {
                    continue;
                };
                record(keys, data.properties());
                for (node, outgoing) in [(start, true), (end, false)] {
                    for label in graph.node_labels(node).iter() {
                        ends.insert((label, outgoing));
                    }
                }
                *patterns.entry((first(start), first(end))).or_default() += 1;
            }
            for (label, outgoing) in ends {
                schema
                    .label_rel_types
                    .entry((label.to_string(), outgoing))
                    .or_default()
                    .insert(rel_type.to_string());
            }
            for ((start, end), n) in patterns {
                schema.patterns.insert(
                    (start.to_string(), rel_type.to_string(), end.to_string()),
                    n,
                );
            }
        }
        schema
    }

    /// What a remote server reports through `db.labels()`, `db.relationshipTypes()` and
    /// `db.propertyKeys()` (no counts; keys are filed under unlabelled nodes). A server
    /// without these procedures gives an empty schema: completion then offers keywords only.
    pub fn remote(client: &mut kg::bolt::client::Client) -> Schema {
        let mut names = |call: &str| client.names(call).unwrap_or_default();
        let labels = names("CALL db.labels()");
        let rel_types = names("CALL db.relationshipTypes()");
        let keys = names("CALL db.propertyKeys()");
        Schema {
            labels: labels.into_iter().map(|l| (l, 0)).collect(),
            rel_types: rel_types.into_iter().map(|t| (t, 0)).collect(),
            label_keys: BTreeMap::from([(
                String::new(),
                keys.into_iter().map(|k| (k, BTreeSet::new())).collect(),
            )]),
            ..Schema::default()
        }
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
