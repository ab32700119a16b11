//! The graph store: nodes in a dense array of their labels and properties (so that a scan
//! can ask for a node's data ahead of reading it), relationships in a struct-of-arrays
//! store (`rels.rs`), plus the indexes queries need (label → nodes, type → relationships,
//! `name` → nodes). The executor talks to `Graph`, never to the storage behind it.
//! It knows nothing about Cypher: no expressions, no patterns.
//!
//! Hot paths read through ids resolved once per query rather than strings compared per
//! row: `type_filter` for expansions, `label_id` for label checks, `property_key` for
//! property reads. The `&str` forms remain for everything else.
//!
//! Files: this one holds the types and the `Graph` struct; `read.rs` the reads, `write.rs`
//! the writes and their inverses (what a failed statement's undo log replays), `slots.rs`
//! id allocation; the storage is `rels.rs` (relationships), `columns.rs` (typed property
//! columns), `properties.rs` (a node's property row), `adjacency.rs` (topology), `index.rs`
//! (symbols and the name index) and `schema.rs` (user indexes and constraints).

mod adjacency;
mod columns;
pub mod hash;
mod index;
mod properties;
mod read;
mod rels;
pub mod schema;
mod slots;
mod write;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use crate::value::Value;

pub use adjacency::Relationships;
use adjacency::{Adjacency, Taken};
use hash::FxHashSet;
pub use index::TypeFilter;
use index::{NameIndex, Symbols};
use properties::Shapes;
pub use properties::{Properties, PropertyIter, PropertyKey, PropertyView};
pub use rels::RelRef;
use rels::{RelStore, TakenProperties};
use schema::Entity;

// The ids live below both `graph` and `value` (values hold them); re-exported here, where
// they are minted.
pub use crate::ids::{NodeId, RelId};

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

/// The process-wide shared copy of `name`. Graphs intern labels, types and property keys
/// here, so a plan that interns its names the same way holds the very same pointers, and
/// comparing them (e.g. in `Properties::get`) is a pointer test. Grows with the number of
/// distinct names ever used, which stays small.
pub fn intern(name: &str) -> Arc<str> {
    static NAMES: Mutex<Option<FxHashSet<Arc<str>>>> = Mutex::new(None);
    let mut names = NAMES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let names = names.get_or_insert_with(FxHashSet::default);
    if let Some(k) = names.get(name) {
        return k.clone();
    }
    let k: Arc<str> = Arc::from(name);
    names.insert(k.clone());
    k
}

/// A label's small id in one graph (see `Graph::label_id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LabelId(u32);

/// A node's data.
#[derive(Debug, Clone, Default)]
pub struct NodeData {
    pub labels: Vec<Arc<str>>,
    pub properties: Properties,
}

/// A node taken out by `Graph::remove_node`, with everything `Graph::restore_node` needs
/// to put it back exactly (its id stays reserved meanwhile: ids are never reused).
#[derive(Debug)]
pub struct RemovedNode {
    id: NodeId,
    data: NodeData,
}

/// Relationships taken out together by `Graph::remove_rels`, with what
/// `Graph::restore_rels` needs to put them back exactly. Their types and endpoints stay in
/// the tombstones; only properties and adjacency entries are kept here.
#[derive(Debug, Default)]
pub struct RemovedRels {
    ids: Vec<RelId>,
    /// The properties of those that had any.
    properties: Vec<(RelId, TakenProperties)>,
    /// Per adjacency list touched, (node, outgoing): the entries taken, with their places.
    lists: Vec<(NodeId, bool, Taken)>,
}

impl RemovedRels {
    /// How many relationships were removed.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// The property that gets an equality index: every node has a unique `name` in kg's data model.
pub const NAME_KEY: &str = "name";

/// An in-memory property graph.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    /// Per node id: its labels and properties, in one array so that a node's address is
    /// known without reading anything (see `prefetch_node`).
    node_data: Vec<NodeData>,
    /// Every relationship: endpoints, type, tombstone, properties.
    rels: RelStore,
    /// Interned property keys.
    keys: FxHashSet<Arc<str>>,
    /// Label ids; `by_label[id]` holds the nodes carrying label `id`.
    labels: Symbols,
    by_label: Vec<BTreeSet<NodeId>>,
    /// Per node index: bit `i` set when the node carries label id `i` (ids below 64).
    label_bits: Vec<u64>,
    /// Type ids; `by_type[id]` holds the relationships of type `id`.
    types: Symbols,
    by_type: Vec<BTreeSet<RelId>>,
    adjacency: Adjacency,
    by_name: NameIndex,
    /// Key lists shared by the property maps.
    shapes: Shapes,
    /// Per node id: deleted. Deleted nodes (and relationships, see `rels.rs`) keep their
    /// slot, so an id is never handed out twice: a statement that deletes and then creates
    /// sees distinct ids, as openCypher's side-effect counts assume.
    deleted_nodes: Vec<bool>,
    deleted_node_count: usize,
    /// Indexes and constraints users created (`schema.rs`; kept by the write hooks).
    schema: schema::Schema,
}

impl Graph {
    pub fn new() -> Self {
        Self::default()
    }

    /// The interned form of property key `key`, created on first use; with it, repeated
    /// `set_*_property_key` calls skip the lookup.
    pub fn intern_key(&mut self, key: &str) -> PropertyKey {
        if let Some(k) = self.keys.get(key) {
            return PropertyKey(k.clone());
        }
        let k = intern(key);
        self.keys.insert(k.clone());
        PropertyKey(k)
    }

    fn label_set(&self, label: &str) -> Option<&BTreeSet<NodeId>> {
        self.labels.id(label).map(|i| &self.by_label[i as usize])
    }

    fn type_set(&self, rel_type: &str) -> Option<&BTreeSet<RelId>> {
        self.types.id(rel_type).map(|i| &self.by_type[i as usize])
    }
}

fn keys_from(properties: &Properties, position: usize) -> Vec<String> {
    properties.keys().skip(position).map(String::from).collect()
}

fn mark_deleted(flags: &mut Vec<bool>, index: usize) {
    if flags.len() <= index {
        flags.resize(index + 1, false);
    }
    flags[index] = true;
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
    fn deleted_ids_are_never_handed_out_again() {
        let mut g = Graph::new();
        let a = g.create_node(["A"], Vec::new());
        let b = g.create_node(["A"], Vec::new());
        let r = g
            .create_rel(a, b, "T", Vec::new())
            .expect("endpoints exist");
        assert!(g.delete_rel(r));
        assert_eq!(g.delete_node(a, false), Ok(true));
        let c = g.create_node(["A"], Vec::new());
        let r2 = g
            .create_rel(b, c, "T", Vec::new())
            .expect("endpoints exist");
        assert!(c != a && c != b && r2 != r);
        assert_eq!(g.node_count(), 2);
        assert_eq!(g.rel_count(), 1);
        assert_eq!(g.nodes().collect::<Vec<_>>(), vec![b, c]);
        assert_eq!(g.rels().collect::<Vec<_>>(), vec![r2]);
        assert!(!g.contains_node(a) && g.node(a).is_none() && g.rel(r).is_none());
        assert_eq!(g.set_node_property(a, "x", Value::Int(1)), None);
        assert_eq!(g.node_property(a, "x"), None);
        assert!(!g.delete_rel(r));
        assert_eq!(g.delete_node(a, true), Ok(false));
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
    fn removed_elements_come_back_in_place() {
        let mut g = Graph::new();
        let hub = g.create_node(["Hub", "X"], props(&[("name", Value::from("hub"))]));
        let leaves: Vec<NodeId> = (0..6)
            .map(|_| g.create_node(["Leaf"], Vec::new()))
            .collect();
        let rels: Vec<RelId> = leaves
            .iter()
            .map(|&l| g.create_rel(l, hub, "TO", props(&[("w", Value::Int(1))])))
            .collect::<Option<_>>()
            .expect("endpoints exist");
        let self_loop = g.create_rel(hub, hub, "SELF", Vec::new()).expect("exists");
        let before: Vec<_> = g.relationships_of(hub, Direction::Both, &[]).collect();
        let removed = g.remove_rels([rels[4], rels[0], rels[2], rels[0], self_loop]);
        assert_eq!((removed.len(), g.rel_count()), (4, 3));
        assert_eq!(g.degree(hub, Direction::Incoming), 3);
        let gone = g.remove_rels(
            g.relationships_of(hub, Direction::Both, &[])
                .map(|(r, _)| r)
                .collect::<Vec<_>>(),
        );
        let node = g
            .remove_node(hub)
            .expect("no relationships left")
            .expect("exists");
        assert_eq!(
            (
                g.node_count(),
                g.label_count("X"),
                g.nodes_named("hub").count()
            ),
            (6, 0, 0)
        );
        g.restore_node(node);
        g.restore_rels(gone);
        g.restore_rels(removed);
        assert_eq!(
            g.relationships_of(hub, Direction::Both, &[])
                .collect::<Vec<_>>(),
            before
        );
        assert_eq!(g.rel_property(rels[0], "w"), Some(Value::Int(1)));
        assert_eq!((g.type_count("TO"), g.type_count("SELF")), (6, 1));
        assert_eq!(g.nodes_named("hub").collect::<Vec<_>>(), vec![hub]);
        assert!(g.has_label(hub, "X") && g.nodes_with_label("Hub").eq([hub]));
        assert_eq!(g.node_labels(hub).len(), 2);
    }

    #[test]
    fn bulk_property_setting_matches_one_by_one() {
        let mut g = Graph::new();
        let a = g.create_node(["A"], Vec::new());
        let (name, year) = (g.intern_key("name"), g.intern_key("year"));
        g.set_node_properties(
            a,
            [
                (name.clone(), Value::from("x")),
                (year.clone(), Value::Null),
                (name.clone(), Value::from("Ann")),
            ],
        );
        assert_eq!(g.node_property(a, "name"), Some(&Value::from("Ann")));
        assert_eq!(g.node_property(a, "year"), None);
        assert_eq!(g.nodes_named("Ann").collect::<Vec<_>>(), vec![a]);
        assert_eq!(g.nodes_named("x").count(), 0);
        // On a node with properties already, it sets them one by one.
        g.set_node_properties(a, [(year, Value::Int(3))]);
        let keys: Vec<&str> = g.node(a).expect("exists").properties.keys().collect();
        assert_eq!(keys, vec!["name", "year"]);
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
