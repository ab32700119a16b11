//! Changing the graph: creating, labelling, setting properties, deleting, and the
//! inverses (`restore_*`) that a failed statement's undo log replays.

use super::*;

impl Graph {
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
    pub(super) fn index_label(&mut self, id: NodeId, lid: u32) {
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

    pub(super) fn index_name(&mut self, name: &str, id: NodeId) {
        self.by_name.insert(name, id);
    }

    pub(super) fn unindex_name(&mut self, name: &str, id: NodeId) {
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
    pub(super) fn reinsert_property(
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
    pub(super) fn tombstone_rel(&mut self, id: RelId) {
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
