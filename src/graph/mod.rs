//! The graph store: nodes in a dense array of their labels and properties (so that a scan
//! can ask for a node's data ahead of reading it), relationships in a struct-of-arrays
//! store (`rels.rs`), plus the indexes queries need (label → nodes, type → relationships,
//! `name` → nodes). The executor talks to `Graph`, never to the storage behind it.
//! It knows nothing about Cypher: no expressions, no patterns.
//!
//! Hot paths read through ids resolved once per query rather than strings compared per
//! row: `type_filter` for expansions, `label_id` for label checks, `property_key` for
//! property reads. The `&str` forms remain for everything else.

mod adjacency;
mod columns;
pub mod hash;
mod index;
mod properties;
mod rels;
pub mod schema;
mod slots;

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

    // ---- counts and scans ----

    pub fn node_count(&self) -> usize {
        self.node_data.len() - self.deleted_node_count
    }

    pub fn rel_count(&self) -> usize {
        self.rels.live()
    }

    /// All nodes, in id order.
    pub fn nodes(&self) -> impl Iterator<Item = NodeId> + '_ {
        (0..self.node_data.len() as u32)
            .map(NodeId)
            .filter(|&id| !self.is_deleted_node(id))
    }

    /// All relationships, in id order.
    pub fn rels(&self) -> impl Iterator<Item = RelId> + '_ {
        self.rels.ids()
    }

    fn is_deleted_node(&self, id: NodeId) -> bool {
        self.deleted_nodes.get(id.0 as usize).is_some_and(|d| *d)
    }

    fn is_deleted_rel(&self, id: RelId) -> bool {
        self.rels.is_deleted(id)
    }

    /// Nodes carrying `label`, in id order (label index).
    pub fn nodes_with_label<'a>(&'a self, label: &str) -> impl Iterator<Item = NodeId> + 'a {
        self.label_set(label)
            .into_iter()
            .flat_map(|s| s.iter().copied())
    }

    pub fn label_count(&self, label: &str) -> usize {
        self.label_set(label).map_or(0, BTreeSet::len)
    }

    /// Relationships of `rel_type`, in id order (type index).
    pub fn rels_with_type<'a>(&'a self, rel_type: &str) -> impl Iterator<Item = RelId> + 'a {
        self.type_set(rel_type)
            .into_iter()
            .flat_map(|s| s.iter().copied())
    }

    pub fn type_count(&self, rel_type: &str) -> usize {
        self.type_set(rel_type).map_or(0, BTreeSet::len)
    }

    /// Every label in use, sorted.
    pub fn labels(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .labels
            .names
            .iter()
            .zip(&self.by_label)
            .filter(|(_, s)| !s.is_empty())
            .map(|(k, _)| &**k)
            .collect();
        v.sort_unstable();
        v
    }

    /// Every relationship type in use, sorted.
    pub fn rel_types(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .types
            .names
            .iter()
            .zip(&self.by_type)
            .filter(|(_, s)| !s.is_empty())
            .map(|(k, _)| &**k)
            .collect();
        v.sort_unstable();
        v
    }

    /// Nodes whose `name` property equals `name` (name index).
    pub fn nodes_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = NodeId> + 'a {
        // The index may also hold nodes whose names share the hash of `name`.
        self.by_name.candidates(name).filter(move |&id| {
            matches!(self.node_property(id, NAME_KEY), Some(Value::String(s)) if &**s == name)
        })
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
        !self.is_deleted_node(id) && (id.0 as usize) < self.node_data.len()
    }

    pub fn contains_rel(&self, id: RelId) -> bool {
        self.rels.contains(id)
    }

    pub fn node(&self, id: NodeId) -> Option<&NodeData> {
        if self.is_deleted_node(id) {
            return None;
        }
        self.node_data.get(id.0 as usize)
    }

    fn node_data_mut(&mut self, id: NodeId) -> Option<&mut NodeData> {
        self.node_data.get_mut(id.0 as usize)
    }

    // A scan's cost is mostly waiting on memory for nodes met in random order (the
    // companies of one place, say). Asking for them some candidates ahead overlaps those
    // waits, in two steps because the values' address is only known once the node's
    // record has arrived: `prefetch_node` far ahead, then `prefetch_properties` nearer.
    // Both are hints only: they never wait for memory, and cost little when unneeded.

    /// Asks the CPU to start fetching node `id`'s record and label bits. Reads nothing.
    #[inline]
    pub fn prefetch_node(&self, id: NodeId) {
        let i = id.0 as usize;
        if i < self.node_data.len() {
            // The record is 64 bytes, so it may straddle two cache lines.
            let record = self.node_data.as_ptr().wrapping_add(i);
            properties::prefetch(record);
            properties::prefetch(record.cast::<u8>().wrapping_add(63));
        }
        if i < self.label_bits.len() {
            properties::prefetch(self.label_bits.as_ptr().wrapping_add(i));
        }
    }

    /// Asks the CPU to start fetching node `id`'s property values; reads the node's record,
    /// so call it after `prefetch_node` had time to bring that in.
    #[inline]
    pub fn prefetch_properties(&self, id: NodeId) {
        if let Some(data) = self.node_data.get(id.0 as usize) {
            data.properties.prefetch();
        }
    }

    /// A live relationship: its type and a reader of its properties.
    pub fn rel(&self, id: RelId) -> Option<RelRef<'_>> {
        if !self.rels.contains(id) {
            return None;
        }
        let rel_type = self.type_name(id)?;
        Some(RelRef::new(self, id, rel_type))
    }

    /// The type name of slot `id`, deleted or not.
    fn type_name(&self, id: RelId) -> Option<&Arc<str>> {
        self.types.names.get(self.rels.type_id(id)? as usize)
    }

    pub fn node_labels(&self, id: NodeId) -> &[Arc<str>] {
        self.node(id).map_or(&[], |n| &n.labels)
    }

    /// Whether node `id` carries `label`; reads the node's label bits, not its data.
    pub fn has_label(&self, id: NodeId, label: &str) -> bool {
        self.label_id(label)
            .is_some_and(|l| self.has_label_id(id, l))
    }

    /// The id of `label` in this graph; `None` when no node ever carried it.
    pub fn label_id(&self, label: &str) -> Option<LabelId> {
        self.labels.id(label).map(LabelId)
    }

    /// Whether node `id` carries the label `label` (from `label_id`). Bits of deleted nodes
    /// are cleared, so a deleted node has no label.
    #[inline]
    pub fn has_label_id(&self, id: NodeId, label: LabelId) -> bool {
        match self.label_bits.get(id.0 as usize) {
            Some(bits) if label.0 < 64 => bits >> label.0 & 1 == 1,
            _ => {
                let name = &self.labels.names[label.0 as usize];
                self.node_labels(id).iter().any(|l| Arc::ptr_eq(l, name))
            }
        }
    }

    pub fn node_property(&self, id: NodeId, key: &str) -> Option<&Value> {
        self.node(id).and_then(|n| n.properties.get(key))
    }

    /// Relationship `id`'s property `key`, owned (strings are shared, so this is cheap).
    pub fn rel_property(&self, id: RelId, key: &str) -> Option<Value> {
        if !self.rels.contains(id) {
            return None;
        }
        self.rels.get(id, key)
    }

    /// Calls `f` with relationship `id`'s property `key` without copying it where the store
    /// allows (a string is then not cloned, which is an atomic count update): for filters
    /// that only compare. `None` when the relationship is deleted or lacks the key.
    pub fn with_rel_property<R>(
        &self,
        id: RelId,
        key: &str,
        f: impl FnOnce(&Value) -> R,
    ) -> Option<R> {
        if !self.rels.contains(id) {
            return None;
        }
        self.rels.with(id, key, f)
    }

    /// `rel_property` with an interned key (from `property_key`): no text comparison.
    pub fn rel_property_key(&self, id: RelId, key: &PropertyKey) -> Option<Value> {
        if !self.rels.contains(id) {
            return None;
        }
        self.rels.get_key(id, key)
    }

    /// The interned form of property key `key`; `None` when nothing ever had it (so no
    /// node or relationship has it now).
    pub fn property_key(&self, key: &str) -> Option<PropertyKey> {
        self.keys.get(key).cloned().map(PropertyKey)
    }

    pub fn rel_type(&self, id: RelId) -> Option<&str> {
        if !self.rels.contains(id) {
            return None;
        }
        self.type_name(id).map(|t| &**t)
    }

    /// The type of a deleted relationship, which its tombstone keeps: `type(r)` still
    /// answers after `DELETE r` in the same statement (openCypher TCK).
    pub fn deleted_rel_type(&self, id: RelId) -> Option<&Arc<str>> {
        if !self.is_deleted_rel(id) {
            return None;
        }
        self.type_name(id)
    }

    /// (start, end) of a relationship.
    pub fn rel_endpoints(&self, id: RelId) -> Option<(NodeId, NodeId)> {
        if self.is_deleted_rel(id) {
            return None;
        }
        self.rels.endpoints(id)
    }

    /// The relationships of `node` in `direction`, optionally restricted to `types`
    /// (empty = any type), each with the node at the other end. A self-loop is reported
    /// once even for `Direction::Both`. Outgoing ones come first; each direction lists the
    /// relationships added since the last `compact` newest first, then the compacted ones by
    /// (neighbour, id).
    pub fn relationships_of(
        &self,
        node: NodeId,
        direction: Direction,
        types: &[Arc<str>],
    ) -> Relationships<'_> {
        self.relationships_with(node, direction, self.type_filter(types))
    }

    /// `types` resolved to this graph's type ids, for `relationships_with`; empty means any.
    pub fn type_filter(&self, types: &[Arc<str>]) -> TypeFilter {
        if types.is_empty() {
            return TypeFilter::any();
        }
        let ids: Vec<u32> = types.iter().filter_map(|t| self.types.id(t)).collect();
        TypeFilter::of(&ids)
    }

    /// Like `relationships_of`, with the types already resolved by `type_filter`.
    pub fn relationships_with(
        &self,
        node: NodeId,
        direction: Direction,
        filter: TypeFilter,
    ) -> Relationships<'_> {
        let outgoing = matches!(direction, Direction::Outgoing | Direction::Both);
        let incoming = matches!(direction, Direction::Incoming | Direction::Both);
        self.adjacency
            .relationships(node, outgoing, incoming, None, filter)
    }

    /// The relationships between `a` and `b` in `direction` (seen from `a`) that `filter`
    /// admits: `relationships_with(a, ..)` narrowed to those reaching `b`, in the same
    /// order. On a compacted graph this is a binary search in `a`'s rows.
    pub fn rels_between(
        &self,
        a: NodeId,
        b: NodeId,
        direction: Direction,
        filter: &TypeFilter,
    ) -> impl Iterator<Item = RelId> + '_ {
        let outgoing = matches!(direction, Direction::Outgoing | Direction::Both);
        let incoming = matches!(direction, Direction::Incoming | Direction::Both);
        self.adjacency
            .relationships(a, outgoing, incoming, Some(b), filter.clone())
            .map(|(r, _)| r)
    }

    /// Rebuilds the adjacency as sorted rows (see `adjacency.rs`), merging every change
    /// since the last call. Bulk loads call it at their end; afterwards a node's
    /// relationships come ordered by (neighbour, id) rather than newest first. Not while a
    /// `RemovedRels` waits to be restored: the merge drops the entries it took out.
    pub fn compact(&mut self) {
        self.adjacency.compact();
    }

    /// Whether relationship `id` passes `filter`.
    pub fn rel_passes(&self, id: RelId, filter: &TypeFilter) -> bool {
        self.rels.type_id(id).is_some_and(|t| filter.admits(t))
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
        let n = self.node_data.len();
        let id = NodeId(u32::try_from(n).unwrap_or(u32::MAX));
        self.node_data.push(NodeData::default());
        self.adjacency.ensure(n);
        if self.label_bits.len() <= n {
            self.label_bits.resize(n + 1, 0);
        }
        self.label_bits[n] = 0;
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
        let (ty, _) = self.types.intern(rel_type);
        if self.by_type.len() <= ty as usize {
            self.by_type.resize_with(ty as usize + 1, BTreeSet::new);
        }
        let id = self.rels.push(start, end, ty);
        self.by_type[ty as usize].insert(id);
        self.adjacency.add(id, start, end, ty);
        for (k, v) in properties {
            self.set_rel_property(id, &k, v);
        }
        Some(id)
    }

    /// Adds a label; returns true if the node did not have it.
    pub fn add_label(&mut self, id: NodeId, label: &str) -> bool {
        if !self.contains_node(id) {
            return false;
        }
        let (lid, l) = self.labels.intern(label);
        if self.has_label_id(id, LabelId(lid)) {
            return false;
        }
        let taken = self.schema_before(Entity::Node(id), None); // schema hook
        if let Some(n) = self.node_data_mut(id) {
            // Exactly: most nodes have one label, and a default growth step holds four.
            n.labels.reserve_exact(1);
            n.labels.push(l);
        }
        self.index_label(id, lid);
        self.schema_after_if(taken, Entity::Node(id)); // schema hook
        true
    }

    /// Undoes `remove_label`: puts `label` back at `position` among node `id`'s labels, so
    /// `labels(n)` lists them in their old order.
    pub fn restore_label(&mut self, id: NodeId, label: &str, position: usize) {
        if !self.contains_node(id) || self.has_label(id, label) {
            return;
        }
        let (lid, l) = self.labels.intern(label);
        let taken = self.schema_before(Entity::Node(id), None); // schema hook
        if let Some(n) = self.node_data_mut(id) {
            n.labels.insert(position.min(n.labels.len()), l);
        }
        self.index_label(id, lid);
        self.schema_after_if(taken, Entity::Node(id)); // schema hook
    }

    /// Enters node `id` under label id `lid` in the label index and the label bits.
    fn index_label(&mut self, id: NodeId, lid: u32) {
        if self.by_label.len() <= lid as usize {
            self.by_label.resize_with(lid as usize + 1, BTreeSet::new);
        }
        self.by_label[lid as usize].insert(id);
        if lid < 64
            && let Some(bits) = self.label_bits.get_mut(id.0 as usize)
        {
            *bits |= 1 << lid;
        }
    }

    /// Removes a label; returns true if the node had it.
    pub fn remove_label(&mut self, id: NodeId, label: &str) -> bool {
        if !self.contains_node(id) || !self.has_label(id, label) {
            return false;
        }
        let taken = self.schema_before(Entity::Node(id), None); // schema hook
        let Some(n) = self.node_data_mut(id) else {
            return false;
        };
        let Some(pos) = n.labels.iter().position(|l| &**l == label) else {
            return false;
        };
        n.labels.remove(pos);
        if let Some(lid) = self.labels.id(label) {
            self.by_label[lid as usize].remove(&id);
            if lid < 64
                && let Some(bits) = self.label_bits.get_mut(id.0 as usize)
            {
                *bits &= !(1 << lid);
            }
        }
        self.schema_after_if(taken, Entity::Node(id)); // schema hook
        true
    }

    /// Sets (or with null, removes) a node property; returns the previous value.
    pub fn set_node_property(&mut self, id: NodeId, key: &str, value: Value) -> Option<Value> {
        let k = self.intern_key(key);
        self.set_node_property_key(id, &k, value)
    }

    /// `set_node_property` with a key from `intern_key`, for loaders setting many values.
    pub fn set_node_property_key(
        &mut self,
        id: NodeId,
        key: &PropertyKey,
        value: Value,
    ) -> Option<Value> {
        let is_name = key.as_str() == NAME_KEY;
        let new_name = match (is_name, &value) {
            (true, Value::String(s)) => Some(s.clone()),
            _ => None,
        };
        if !self.contains_node(id) {
            return None;
        }
        let taken = self.schema_before(Entity::Node(id), Some(key.as_str())); // schema hook
        let n = self.node_data.get_mut(id.0 as usize)?;
        let old = n.properties.set(&mut self.shapes, &key.0, value);
        self.schema_after_if(taken, Entity::Node(id)); // schema hook
        if is_name {
            if let Some(Value::String(old_name)) = &old {
                self.unindex_name(old_name, id);
            }
            if let Some(name) = new_name {
                self.index_name(&name, id);
            }
        }
        old
    }

    fn index_name(&mut self, name: &str, id: NodeId) {
        self.by_name.insert(name, id);
    }

    fn unindex_name(&mut self, name: &str, id: NodeId) {
        self.by_name.remove(name, id);
    }

    /// Sets (or with null, removes) a relationship property; returns the previous value.
    pub fn set_rel_property(&mut self, id: RelId, key: &str, value: Value) -> Option<Value> {
        let k = self.intern_key(key);
        self.set_rel_property_key(id, &k, value)
    }

    /// `set_rel_property` with a key from `intern_key`, for loaders setting many values.
    pub fn set_rel_property_key(
        &mut self,
        id: RelId,
        key: &PropertyKey,
        value: Value,
    ) -> Option<Value> {
        if !self.contains_rel(id) {
            return None;
        }
        let taken = self.schema_before(Entity::Rel(id), Some(key.as_str())); // schema hook
        let old = self.rels.set(id, &key.0, value);
        self.schema_after_if(taken, Entity::Rel(id)); // schema hook
        old
    }

    /// Undoes the removal of node `id`'s property `key`: puts `value` back at `position`
    /// among the node's keys (`Properties::keys` order), as it was before the removal.
    pub fn restore_node_property(&mut self, id: NodeId, key: &str, value: Value, position: usize) {
        let later = self.node(id).map(|n| keys_from(&n.properties, position));
        self.reinsert_property(later, key, value, |g, k, v| g.set_node_property(id, k, v));
    }

    /// `restore_node_property` for a relationship.
    pub fn restore_rel_property(&mut self, id: RelId, key: &str, value: Value, position: usize) {
        let later = self.rel(id).map(|r| {
            r.properties()
                .keys()
                .skip(position)
                .map(String::from)
                .collect()
        });
        self.reinsert_property(later, key, value, |g, k, v| g.set_rel_property(id, k, v));
    }

    /// Sets `key` after taking out the keys `later` (those from its old position on) and
    /// putting them back after it: a property map only appends, so this restores the order.
    fn reinsert_property(
        &mut self,
        later: Option<Vec<String>>,
        key: &str,
        value: Value,
        set: impl Fn(&mut Self, &str, Value) -> Option<Value>,
    ) {
        let Some(later) = later else {
            return;
        };
        let moved: Vec<(String, Option<Value>)> = later
            .into_iter()
            .map(|k| {
                let v = set(self, &k, Value::Null);
                (k, v)
            })
            .collect();
        set(self, key, value);
        for (k, v) in moved {
            if let Some(v) = v {
                set(self, &k, v);
            }
        }
    }

    /// Sets several properties of a node (keys from `intern_key`), as many
    /// `set_node_property_key` calls would; for loaders: on a node without properties
    /// yet, they are stored in one allocation instead of one per property.
    pub fn set_node_properties(
        &mut self,
        id: NodeId,
        pairs: impl IntoIterator<Item = (PropertyKey, Value)>,
    ) {
        let pairs: Vec<(PropertyKey, Value)> =
            pairs.into_iter().filter(|(_, v)| !v.is_null()).collect();
        let empty = self.node(id).is_some_and(|n| n.properties.is_empty());
        if !empty {
            for (key, value) in pairs {
                self.set_node_property_key(id, &key, value);
            }
            return;
        }
        let name = match pairs.iter().rev().find(|(k, _)| k.as_str() == NAME_KEY) {
            Some((_, Value::String(s))) => Some(s.clone()),
            _ => None,
        };
        if let Some(n) = self.node_data.get_mut(id.0 as usize) {
            n.properties
                .init(&mut self.shapes, pairs.into_iter().map(|(k, v)| (k.0, v)));
        }
        if let Some(name) = name {
            self.index_name(&name, id);
        }
        // schema hook: it had no properties, so no index entry to take out first.
        if self.contains_node(id) {
            self.schema_added(Entity::Node(id));
        }
    }

    /// `set_node_properties` for a relationship.
    pub fn set_rel_properties(
        &mut self,
        id: RelId,
        pairs: impl IntoIterator<Item = (PropertyKey, Value)>,
    ) {
        // Collected so that `init` knows how many values to allocate room for.
        let pairs: Vec<(PropertyKey, Value)> =
            pairs.into_iter().filter(|(_, v)| !v.is_null()).collect();
        if !self.rels.contains(id) {
            return;
        }
        if self.rels.property_count(id) > 0 {
            for (key, value) in pairs {
                self.set_rel_property_key(id, &key, value);
            }
            return;
        }
        self.rels.init(id, pairs.into_iter().map(|(k, v)| (k.0, v)));
        // schema hook: it had no properties, so no index entry to take out first.
        self.schema_added(Entity::Rel(id));
    }

    /// Makes room for `nodes` more nodes and `rels` more relationships, so a bulk load
    /// that knows its size allocates the per-entity arrays once and exactly: grown by
    /// doubling instead, they would end up to twice too large, and each growth step
    /// holds the old and the new array at once.
    pub fn reserve(&mut self, nodes: usize, rels: usize) {
        self.node_data.reserve_exact(nodes);
        self.by_name.reserve(nodes);
        self.label_bits.reserve_exact(nodes);
        self.adjacency.reserve_nodes(nodes);
        self.rels.reserve(rels);
    }

    /// Makes room for `additional` more relationships of type `rel_type` (their property
    /// columns), for a bulk load that knows how many of each type it brings.
    pub fn reserve_rels_of_type(&mut self, rel_type: &str, additional: usize) {
        let (ty, _) = self.types.intern(rel_type);
        if self.by_type.len() <= ty as usize {
            self.by_type.resize_with(ty as usize + 1, BTreeSet::new);
        }
        self.rels.reserve_type(ty, additional);
    }

    /// Makes room for `outgoing` and `incoming` more relationships of `node`, so a bulk
    /// load allocates each adjacency list once and exactly.
    pub fn reserve_relationships(&mut self, node: NodeId, outgoing: usize, incoming: usize) {
        if self.contains_node(node) {
            self.adjacency.reserve(node, outgoing, incoming);
        }
    }

    /// Deletes a relationship; returns false if it did not exist.
    pub fn delete_rel(&mut self, id: RelId) -> bool {
        let Some((start, end)) = self.rel_endpoints(id) else {
            return false;
        };
        self.schema_before(Entity::Rel(id), None); // schema hook
        // Keep the slot (see `rels.rs`); drop the data.
        self.rels.take(id);
        self.tombstone_rel(id);
        self.adjacency.remove(id, start, end);
        true
    }

    /// Marks relationship `id` deleted and takes it out of the type index.
    fn tombstone_rel(&mut self, id: RelId) {
        if self.rels.tombstone(id)
            && let Some(ty) = self.rels.type_id(id)
        {
            self.by_type[ty as usize].remove(&id);
        }
    }

    /// Deletes the relationships `ids` (those that exist; repeats are fine) and returns what
    /// `restore_rels` needs to undo that. Each adjacency list is rewritten once, however
    /// many of its entries go, so deleting most relationships of a hub stays linear.
    pub fn remove_rels(&mut self, ids: impl IntoIterator<Item = RelId>) -> RemovedRels {
        let mut removed = RemovedRels::default();
        let mut touched: FxHashSet<(NodeId, bool)> = FxHashSet::default();
        let mut lists = Vec::new();
        for id in ids {
            let Some((start, end)) = self.rel_endpoints(id) else {
                continue;
            };
            self.schema_before(Entity::Rel(id), None); // schema hook
            // Keep the slot (see `rels.rs`), with its type and endpoints; take the data.
            if let Some(properties) = self.rels.take(id) {
                removed.properties.push((id, properties));
            }
            self.tombstone_rel(id);
            for list in [(start, true), (end, false)] {
                if touched.insert(list) {
                    lists.push(list);
                }
            }
            removed.ids.push(id);
        }
        let rels = &self.rels;
        let gone = |rel: u32| rels.is_deleted(RelId(rel));
        for (node, outgoing) in lists {
            let taken = self.adjacency.take_where(node, outgoing, gone);
            removed.lists.push((node, outgoing, taken));
        }
        removed
    }

    /// Undoes `remove_rels`: the relationships come back with their ids, properties, type
    /// index entries and places in their endpoints' lists. Their endpoints must exist again
    /// (an undo log restores in reverse order, so nodes deleted after them come back first).
    pub fn restore_rels(&mut self, removed: RemovedRels) {
        for (node, outgoing, taken) in removed.lists {
            self.adjacency.put_back(node, outgoing, taken);
        }
        for id in removed.ids {
            if !self.rels.revive(id) {
                continue;
            }
            if let Some(ty) = self.rels.type_id(id) {
                self.by_type[ty as usize].insert(id);
            }
        }
        for (id, properties) in removed.properties {
            self.rels.put_back(id, properties);
            // schema hook: back in the indexes (relationships without properties have no entry).
            self.schema_added(Entity::Rel(id));
        }
    }

    /// Deletes a node and, if `detach`, its relationships. Without `detach` a node that
    /// still has relationships is left alone and `Err(degree)` is returned.
    pub fn delete_node(&mut self, id: NodeId, detach: bool) -> Result<bool, usize> {
        if detach && self.contains_node(id) {
            let rels: Vec<RelId> = self
                .relationships_of(id, Direction::Both, &[])
                .map(|(r, _)| r)
                .collect();
            for r in rels {
                self.delete_rel(r);
            }
        }
        Ok(self.remove_node(id)?.is_some())
    }

    /// Deletes a node that has no relationships and returns what `restore_node` needs to
    /// undo that: `Ok(None)` if it did not exist, `Err(degree)` (and no change) if it still
    /// has relationships.
    pub fn remove_node(&mut self, id: NodeId) -> Result<Option<RemovedNode>, usize> {
        if !self.contains_node(id) {
            return Ok(None);
        }
        let degree = self.degree(id, Direction::Both);
        if degree > 0 {
            return Err(degree);
        }
        self.schema_before(Entity::Node(id), None); // schema hook
        // Keep the slot (see `deleted_nodes`); take the data out to unindex it.
        let Some(data) = self.node_data_mut(id).map(std::mem::take) else {
            return Ok(None);
        };
        mark_deleted(&mut self.deleted_nodes, id.0 as usize);
        self.deleted_node_count += 1;
        for l in &data.labels {
            if let Some(lid) = self.labels.id(l) {
                self.by_label[lid as usize].remove(&id);
            }
        }
        if let Some(bits) = self.label_bits.get_mut(id.0 as usize) {
            *bits = 0;
        }
        self.adjacency.clear(id);
        if let Some(Value::String(name)) = data.properties.get(NAME_KEY) {
            self.unindex_name(name, id);
        }
        Ok(Some(RemovedNode { id, data }))
    }

    /// Undoes `remove_node`: the node comes back with its id, labels, properties and
    /// index entries (label index, label bits, name index). It had no relationships when
    /// removed; `restore_rel` puts back any that went with it.
    pub fn restore_node(&mut self, removed: RemovedNode) {
        let RemovedNode { id, data } = removed;
        if !self.is_deleted_node(id) {
            return;
        }
        self.deleted_nodes[id.0 as usize] = false;
        self.deleted_node_count -= 1;
        for l in &data.labels {
            if let Some(lid) = self.labels.id(l) {
                self.index_label(id, lid);
            }
        }
        if let Some(Value::String(name)) = data.properties.get(NAME_KEY) {
            self.index_name(name, id);
        }
        if let Some(slot) = self.node_data_mut(id) {
            *slot = data;
        }
        self.schema_added(Entity::Node(id)); // schema hook
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
