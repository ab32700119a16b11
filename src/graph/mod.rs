//! The graph store: a petgraph `StableDiGraph` of nodes and relationships with
//! labels and properties, plus the indexes queries need (label → nodes,
//! type → relationships, `name` → nodes). This is the only module that uses petgraph;
//! the executor talks to `Graph`, never to petgraph directly.
//! It knows nothing about Cypher: no expressions, no patterns.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use petgraph::Direction as PgDirection;
use petgraph::stable_graph::{EdgeIndex, NodeIndex, StableDiGraph};
use petgraph::visit::EdgeRef;

use crate::value::Value;

/// A node's stable id: it survives deletes of other nodes and appears in JSON output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

/// A relationship's stable id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RelId(pub u32);

impl NodeId {
    fn index(self) -> NodeIndex<u32> {
        NodeIndex::new(self.0 as usize)
    }
}

impl RelId {
    fn index(self) -> EdgeIndex<u32> {
        EdgeIndex::new(self.0 as usize)
    }
}

/// Which relationships of a node to follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `(a)-[]->(b)`, seen from a.
    Outgoing,
    /// `(a)<-[]-(b)`, seen from a.
    Incoming,
    /// `(a)-[]-(b)`: either way.
    Both,
}

/// Property map of a node or relationship; keys are interned so millions of nodes share them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Properties {
    entries: Vec<(Arc<str>, Value)>,
}

impl Properties {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries
            .iter()
            .find(|(k, _)| &**k == key)
            .map(|(_, v)| v)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.entries.iter().map(|(k, v)| (&**k, v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| &**k)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Sets `key`; a null value removes it (Cypher stores no nulls). Returns the old value.
    fn set(&mut self, key: Arc<str>, value: Value) -> Option<Value> {
        let pos = self.entries.iter().position(|(k, _)| *k == key);
        match (pos, value.is_null()) {
            (Some(i), true) => Some(self.entries.remove(i).1),
            (Some(i), false) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            (None, true) => None,
            (None, false) => {
                self.entries.push((key, value));
                None
            }
        }
    }

    /// The properties as a map value, e.g. for `properties(n)`.
    pub fn to_map(&self) -> std::collections::BTreeMap<String, Value> {
        self.iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }
}

/// A node's data.
#[derive(Debug, Clone, Default)]
pub struct NodeData {
    pub labels: Vec<Arc<str>>,
    pub properties: Properties,
}

/// A relationship's data (its endpoints live in the petgraph edge).
#[derive(Debug, Clone)]
pub struct RelData {
    pub rel_type: Arc<str>,
    pub properties: Properties,
}

/// The property that gets an equality index: every node has a unique `name` in kg's data model.
pub const NAME_KEY: &str = "name";

/// An in-memory property graph.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    inner: StableDiGraph<NodeData, RelData, u32>,
    /// Interned label, type and key strings.
    symbols: HashMap<Arc<str>, ()>,
    by_label: HashMap<Arc<str>, BTreeSet<NodeId>>,
    by_type: HashMap<Arc<str>, BTreeSet<RelId>>,
    by_name: HashMap<Arc<str>, BTreeSet<NodeId>>,
}

impl Graph {
    pub fn new() -> Self {
        Self::default()
    }

    fn intern(&mut self, s: &str) -> Arc<str> {
        if let Some((k, _)) = self.symbols.get_key_value(s) {
            return k.clone();
        }
        let k: Arc<str> = Arc::from(s);
        self.symbols.insert(k.clone(), ());
        k
    }

    // ---- counts and scans ----

    pub fn node_count(&self) -> usize {
        self.inner.node_count()
    }

    pub fn rel_count(&self) -> usize {
        self.inner.edge_count()
    }

    /// All nodes, in id order.
    pub fn nodes(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.inner.node_indices().map(|i| NodeId(i.index() as u32))
    }

    /// All relationships, in id order.
    pub fn rels(&self) -> impl Iterator<Item = RelId> + '_ {
        self.inner.edge_indices().map(|i| RelId(i.index() as u32))
    }

    /// Nodes carrying `label`, in id order (label index).
    pub fn nodes_with_label<'a>(&'a self, label: &str) -> impl Iterator<Item = NodeId> + 'a {
        self.by_label
            .get(label)
            .into_iter()
            .flat_map(|s| s.iter().copied())
    }

    pub fn label_count(&self, label: &str) -> usize {
        self.by_label.get(label).map_or(0, BTreeSet::len)
    }

    /// Relationships of `rel_type`, in id order (type index).
    pub fn rels_with_type<'a>(&'a self, rel_type: &str) -> impl Iterator<Item = RelId> + 'a {
        self.by_type
            .get(rel_type)
            .into_iter()
            .flat_map(|s| s.iter().copied())
    }

    pub fn type_count(&self, rel_type: &str) -> usize {
        self.by_type.get(rel_type).map_or(0, BTreeSet::len)
    }

    /// Every label in use, sorted.
    pub fn labels(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .by_label
            .iter()
            .filter(|(_, s)| !s.is_empty())
            .map(|(k, _)| &**k)
            .collect();
        v.sort_unstable();
        v
    }

    /// Every relationship type in use, sorted.
    pub fn rel_types(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .by_type
            .iter()
            .filter(|(_, s)| !s.is_empty())
            .map(|(k, _)| &**k)
            .collect();
        v.sort_unstable();
        v
    }

    /// Nodes whose `name` property equals `name` (name index).
    pub fn nodes_named<'a>(&'a self, name: &str) -> impl Iterator<Item = NodeId> + 'a {
        self.by_name
            .get(name)
            .into_iter()
            .flat_map(|s| s.iter().copied())
    }

    /// Nodes whose property `key` equals `value`, when an index answers that; `None` means
    /// "no index: scan instead". Only exact string equality on `name` is indexed.
    pub fn lookup_index(&self, key: &str, value: &Value) -> Option<Vec<NodeId>> {
        match (key, value) {
            (NAME_KEY, Value::String(s)) => Some(self.nodes_named(s).collect()),
            _ => None,
        }
    }

    // ---- reading entities ----

    pub fn contains_node(&self, id: NodeId) -> bool {
        self.inner.contains_node(id.index())
    }

    pub fn contains_rel(&self, id: RelId) -> bool {
        self.inner.edge_weight(id.index()).is_some()
    }

    pub fn node(&self, id: NodeId) -> Option<&NodeData> {
        self.inner.node_weight(id.index())
    }

    pub fn rel(&self, id: RelId) -> Option<&RelData> {
        self.inner.edge_weight(id.index())
    }

    pub fn node_labels(&self, id: NodeId) -> &[Arc<str>] {
        self.node(id).map_or(&[], |n| &n.labels)
    }

    pub fn has_label(&self, id: NodeId, label: &str) -> bool {
        self.node_labels(id).iter().any(|l| &**l == label)
    }

    pub fn node_property(&self, id: NodeId, key: &str) -> Option<&Value> {
        self.node(id).and_then(|n| n.properties.get(key))
    }

    pub fn rel_property(&self, id: RelId, key: &str) -> Option<&Value> {
        self.rel(id).and_then(|r| r.properties.get(key))
    }

    pub fn rel_type(&self, id: RelId) -> Option<&str> {
        self.rel(id).map(|r| &*r.rel_type)
    }

    /// (start, end) of a relationship.
    pub fn rel_endpoints(&self, id: RelId) -> Option<(NodeId, NodeId)> {
        self.inner
            .edge_endpoints(id.index())
            .map(|(a, b)| (NodeId(a.index() as u32), NodeId(b.index() as u32)))
    }

    /// The relationships of `node` in `direction`, optionally restricted to `types`
    /// (empty = any type), each with the node at the other end. A self-loop is reported
    /// once even for `Direction::Both`.
    pub fn relationships_of<'a>(
        &'a self,
        node: NodeId,
        direction: Direction,
        types: &'a [Arc<str>],
    ) -> impl Iterator<Item = (RelId, NodeId)> + 'a {
        let idx = node.index();
        let outgoing = matches!(direction, Direction::Outgoing | Direction::Both);
        let incoming = matches!(direction, Direction::Incoming | Direction::Both);
        let out = outgoing
            .then(|| self.inner.edges_directed(idx, PgDirection::Outgoing))
            .into_iter()
            .flatten()
            .map(|e| {
                (
                    RelId(e.id().index() as u32),
                    NodeId(e.target().index() as u32),
                    e.weight(),
                )
            });
        let inc = incoming
            .then(|| self.inner.edges_directed(idx, PgDirection::Incoming))
            .into_iter()
            .flatten()
            // Self-loops were already reported as outgoing.
            .filter(move |e| !(outgoing && e.source() == e.target()))
            .map(|e| {
                (
                    RelId(e.id().index() as u32),
                    NodeId(e.source().index() as u32),
                    e.weight(),
                )
            });
        out.chain(inc)
            .filter(move |(_, _, w)| types.is_empty() || types.contains(&w.rel_type))
            .map(|(r, n, _)| (r, n))
    }

    /// Number of relationships of `node` in `direction` (a self-loop counts once).
    pub fn degree(&self, node: NodeId, direction: Direction) -> usize {
        self.relationships_of(node, direction, &[]).count()
    }

    // ---- writing ----

    /// Creates a node and returns its id.
    pub fn create_node<L, K>(&mut self, labels: L, properties: K) -> NodeId
    where
        L: IntoIterator,
        L::Item: AsRef<str>,
        K: IntoIterator<Item = (String, Value)>,
    {
        let id = NodeId(self.inner.add_node(NodeData::default()).index() as u32);
        for label in labels {
            self.add_label(id, label.as_ref());
        }
        for (k, v) in properties {
            self.set_node_property(id, &k, v);
        }
        id
    }

    /// Creates a relationship; `None` if an endpoint does not exist.
    pub fn create_rel<K>(
        &mut self,
        start: NodeId,
        end: NodeId,
        rel_type: &str,
        properties: K,
    ) -> Option<RelId>
    where
        K: IntoIterator<Item = (String, Value)>,
    {
        if !self.contains_node(start) || !self.contains_node(end) {
            return None;
        }
        let t = self.intern(rel_type);
        let data = RelData {
            rel_type: t.clone(),
            properties: Properties::default(),
        };
        let id = RelId(
            self.inner
                .add_edge(start.index(), end.index(), data)
                .index() as u32,
        );
        self.by_type.entry(t).or_default().insert(id);
        for (k, v) in properties {
            self.set_rel_property(id, &k, v);
        }
        Some(id)
    }

    /// Adds a label; returns true if the node did not have it.
    pub fn add_label(&mut self, id: NodeId, label: &str) -> bool {
        if !self.contains_node(id) || self.has_label(id, label) {
            return false;
        }
        let l = self.intern(label);
        if let Some(n) = self.inner.node_weight_mut(id.index()) {
            n.labels.push(l.clone());
        }
        self.by_label.entry(l).or_default().insert(id);
        true
    }

    /// Removes a label; returns true if the node had it.
    pub fn remove_label(&mut self, id: NodeId, label: &str) -> bool {
        let Some(n) = self.inner.node_weight_mut(id.index()) else {
            return false;
        };
        let Some(pos) = n.labels.iter().position(|l| &**l == label) else {
            return false;
        };
        n.labels.remove(pos);
        if let Some(set) = self.by_label.get_mut(label) {
            set.remove(&id);
        }
        true
    }

    /// Sets (or with null, removes) a node property; returns the previous value.
    pub fn set_node_property(&mut self, id: NodeId, key: &str, value: Value) -> Option<Value> {
        let k = self.intern(key);
        let new_name = (key == NAME_KEY)
            .then(|| value.as_str().map(Arc::<str>::from))
            .flatten();
        let n = self.inner.node_weight_mut(id.index())?;
        let old = n.properties.set(k, value);
        if key == NAME_KEY {
            if let Some(Value::String(old_name)) = &old
                && let Some(set) = self.by_name.get_mut(&**old_name)
            {
                set.remove(&id);
            }
            if let Some(name) = new_name {
                self.by_name.entry(name).or_default().insert(id);
            }
        }
        old
    }

    /// Sets (or with null, removes) a relationship property; returns the previous value.
    pub fn set_rel_property(&mut self, id: RelId, key: &str, value: Value) -> Option<Value> {
        let k = self.intern(key);
        self.inner
            .edge_weight_mut(id.index())?
            .properties
            .set(k, value)
    }

    /// Deletes a relationship; returns false if it did not exist.
    pub fn delete_rel(&mut self, id: RelId) -> bool {
        let Some(data) = self.inner.remove_edge(id.index()) else {
            return false;
        };
        if let Some(set) = self.by_type.get_mut(&data.rel_type) {
            set.remove(&id);
        }
        true
    }

    /// Deletes a node and, if `detach`, its relationships. Without `detach` a node that
    /// still has relationships is left alone and `Err(degree)` is returned.
    pub fn delete_node(&mut self, id: NodeId, detach: bool) -> Result<bool, usize> {
        if !self.contains_node(id) {
            return Ok(false);
        }
        let rels: Vec<RelId> = self
            .relationships_of(id, Direction::Both, &[])
            .map(|(r, _)| r)
            .collect();
        if !rels.is_empty() && !detach {
            return Err(rels.len());
        }
        for r in rels {
            self.delete_rel(r);
        }
        let Some(data) = self.inner.remove_node(id.index()) else {
            return Ok(false);
        };
        for l in &data.labels {
            if let Some(set) = self.by_label.get_mut(l) {
                set.remove(&id);
            }
        }
        if let Some(Value::String(name)) = data.properties.get(NAME_KEY)
            && let Some(set) = self.by_name.get_mut(&**name)
        {
            set.remove(&id);
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, Value)]) -> Vec<(String, Value)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn indexes_follow_writes() {
        let mut g = Graph::new();
        let a = g.create_node(["Person"], props(&[("name", Value::from("Ann"))]));
        let b = g.create_node(
            ["Company", "Investor"],
            props(&[("name", Value::from("Acme"))]),
        );
        let r = g
            .create_rel(a, b, "FOUNDED", props(&[("year", Value::Int(2020))]))
            .expect("endpoints exist");
        assert_eq!(g.nodes_with_label("Investor").collect::<Vec<_>>(), vec![b]);
        assert_eq!(g.nodes_named("Ann").collect::<Vec<_>>(), vec![a]);
        assert_eq!(
            g.relationships_of(a, Direction::Outgoing, &[])
                .collect::<Vec<_>>(),
            vec![(r, b)]
        );
        assert_eq!(
            g.relationships_of(b, Direction::Incoming, &[])
                .collect::<Vec<_>>(),
            vec![(r, a)]
        );
        g.set_node_property(a, "name", Value::from("Anna"));
        assert_eq!(g.nodes_named("Ann").count(), 0);
        assert_eq!(g.nodes_named("Anna").count(), 1);
        assert_eq!(g.delete_node(a, false), Err(1));
        assert_eq!(g.delete_node(a, true), Ok(true));
        assert_eq!(g.type_count("FOUNDED"), 0);
        assert_eq!(g.nodes_named("Anna").count(), 0);
        assert!(g.remove_label(b, "Investor"));
        assert_eq!(g.label_count("Investor"), 0);
    }

    #[test]
    fn self_loop_reported_once_for_both() {
        let mut g = Graph::new();
        let a = g.create_node(["N"], Vec::new());
        g.create_rel(a, a, "LOOP", Vec::new());
        assert_eq!(g.relationships_of(a, Direction::Both, &[]).count(), 1);
        assert_eq!(g.degree(a, Direction::Outgoing), 1);
    }
}
