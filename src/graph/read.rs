//! Reading the graph: counts, scans, and one entity's labels, properties and
//! relationships.

use super::*;

impl Graph {
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

    pub(super) fn is_deleted_node(&self, id: NodeId) -> bool {
        self.deleted_nodes.get(id.0 as usize).is_some_and(|d| *d)
    }

    pub(super) fn is_deleted_rel(&self, id: RelId) -> bool {
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
        names_in_use(&self.labels, &self.by_label)
    }

    /// Every relationship type in use, sorted.
    pub fn rel_types(&self) -> Vec<&str> {
        names_in_use(&self.types, &self.by_type)
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

    pub(super) fn node_data_mut(&mut self, id: NodeId) -> Option<&mut NodeData> {
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
    pub(super) fn type_name(&self, id: RelId) -> Option<&Arc<str>> {
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
}

/// The names of `symbols` whose member set in `sets` (indexed by symbol id) is not empty,
/// sorted.
fn names_in_use<'a, T>(symbols: &'a Symbols, sets: &[BTreeSet<T>]) -> Vec<&'a str> {
    let mut v: Vec<&str> = symbols
        .names
        .iter()
        .zip(sets)
        .filter(|(_, s)| !s.is_empty())
        .map(|(k, _)| &**k)
        .collect();
    v.sort_unstable();
    v
}
