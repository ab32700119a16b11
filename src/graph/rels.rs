//! The relationship store: struct-of-arrays, one slot per relationship id. Endpoints and
//! type ids are plain `u32` arrays (12 bytes a relationship, against petgraph's 56-byte
//! edge with its own linked lists, which kg never walked: adjacency lives in `adjacency.rs`).
//! A deleted relationship keeps its slot as a tombstone with its type and endpoints, so an
//! id is never handed out twice and `type(r)` still answers after `DELETE r`.
//!
//! Properties live in one typed `columns::Table` per relationship type (a type's
//! relationships mostly share their keys and value types: every INVESTED_IN has a float
//! `amount`), at the relationship's row in that table (`rows`, 4 bytes a relationship).
//! Callers read a relationship through `RelRef`, which hands out owned values.

use std::sync::Arc;

use super::columns::Table;
use super::properties::PropertyView;
use super::{Graph, NodeId, PropertyKey, RelId};
use crate::value::Value;

/// Endpoints, types, tombstones and properties of every relationship id ever handed out.
#[derive(Debug, Clone, Default)]
pub(super) struct RelStore {
    /// (start, end) per slot, side by side: an expansion that checks the far end of a
    /// relationship met in random order then waits for one cache line, not two.
    ends: Vec<[u32; 2]>,
    /// Type ids (`Graph::types`).
    types: Vec<u32>,
    /// Tombstones, grown only by a delete: a graph that never deleted reads no flag.
    deleted: Vec<bool>,
    deleted_count: usize,
    /// Per slot: its row in the table of its type.
    rows: Vec<u32>,
    /// Per type id: the properties of that type's relationships.
    tables: Vec<Table>,
}

impl RelStore {
    /// Ids handed out so far, deleted ones included.
    pub fn slots(&self) -> usize {
        self.types.len()
    }

    /// Relationships not deleted.
    pub fn live(&self) -> usize {
        self.slots() - self.deleted_count
    }

    /// A new relationship without properties.
    pub fn push(&mut self, start: NodeId, end: NodeId, ty: u32) -> RelId {
        let id = RelId(u32::try_from(self.types.len()).unwrap_or(u32::MAX));
        self.ends.push([start.0, end.0]);
        self.types.push(ty);
        let t = ty as usize;
        if self.tables.len() <= t {
            self.tables.resize_with(t + 1, Table::default);
        }
        self.rows.push(self.tables[t].push_row());
        id
    }

    pub fn reserve(&mut self, additional: usize) {
        self.ends.reserve_exact(additional);
        self.types.reserve_exact(additional);
        self.rows.reserve_exact(additional);
    }

    /// Makes room for `additional` more relationships of type `ty` in its table.
    pub fn reserve_type(&mut self, ty: u32, additional: usize) {
        let t = ty as usize;
        if self.tables.len() <= t {
            self.tables.resize_with(t + 1, Table::default);
        }
        self.tables[t].reserve(additional);
    }

    /// Whether `id` was handed out and is not deleted.
    pub fn contains(&self, id: RelId) -> bool {
        (id.0 as usize) < self.slots() && !self.is_deleted(id)
    }

    pub fn is_deleted(&self, id: RelId) -> bool {
        self.deleted.get(id.0 as usize).is_some_and(|d| *d)
    }

    /// The type id of slot `id`, deleted or not.
    pub fn type_id(&self, id: RelId) -> Option<u32> {
        self.types.get(id.0 as usize).copied()
    }

    /// (start, end) of slot `id`, deleted or not.
    pub fn endpoints(&self, id: RelId) -> Option<(NodeId, NodeId)> {
        let [start, end] = *self.ends.get(id.0 as usize)?;
        Some((NodeId(start), NodeId(end)))
    }

    /// Live relationships in id order.
    pub fn ids(&self) -> impl Iterator<Item = RelId> + '_ {
        (0..self.slots() as u32)
            .map(RelId)
            .filter(|&id| !self.is_deleted(id))
    }

    /// Marks `id` deleted; returns false if it was not live.
    pub fn tombstone(&mut self, id: RelId) -> bool {
        if !self.contains(id) {
            return false;
        }
        super::mark_deleted(&mut self.deleted, id.0 as usize);
        self.deleted_count += 1;
        true
    }

    /// Undoes `tombstone`; returns false if `id` was not deleted.
    pub fn revive(&mut self, id: RelId) -> bool {
        match self.deleted.get_mut(id.0 as usize) {
            Some(d) if *d => {
                *d = false;
                self.deleted_count -= 1;
                true
            }
            _ => false,
        }
    }

    // ---- properties (of any slot; liveness is the caller's check) ----

    /// The table and row holding slot `id`'s properties.
    fn place(&self, id: RelId) -> Option<(&Table, u32)> {
        let i = id.0 as usize;
        let table = self.tables.get(*self.types.get(i)? as usize)?;
        Some((table, *self.rows.get(i)?))
    }

    fn place_mut(&mut self, id: RelId) -> Option<(&mut Table, u32)> {
        let i = id.0 as usize;
        let table = self.tables.get_mut(*self.types.get(i)? as usize)?;
        Some((table, *self.rows.get(i)?))
    }

    pub fn get(&self, id: RelId, key: &str) -> Option<Value> {
        let (table, row) = self.place(id)?;
        table.get(row, key)
    }

    /// Calls `f` with slot `id`'s value of `key`, borrowed where possible.
    pub fn with<R>(&self, id: RelId, key: &str, f: impl FnOnce(&Value) -> R) -> Option<R> {
        let (table, row) = self.place(id)?;
        table.with(row, key, f)
    }

    pub fn get_key(&self, id: RelId, key: &PropertyKey) -> Option<Value> {
        let (table, row) = self.place(id)?;
        table.get_interned(row, &key.0)
    }

    /// The properties of slot `id`, for reading.
    pub fn view(&self, id: RelId) -> PropertyView<'_> {
        match self.place(id) {
            Some((table, row)) => PropertyView::row(table, row),
            None => PropertyView::map(super::Properties::empty()),
        }
    }

    pub fn property_count(&self, id: RelId) -> usize {
        self.place(id).map_or(0, |(table, row)| table.len(row))
    }

    /// Sets interned `key` (null removes it); returns the old value.
    pub fn set(&mut self, id: RelId, key: &Arc<str>, value: Value) -> Option<Value> {
        let (table, row) = self.place_mut(id)?;
        table.set(row, key, value)
    }

    /// Gives a relationship without properties all of its (non-null) pairs at once.
    pub fn init(&mut self, id: RelId, pairs: impl IntoIterator<Item = (Arc<str>, Value)>) {
        if let Some((table, row)) = self.place_mut(id) {
            table.init(row, pairs);
        }
    }

    /// Takes the properties of `id` out, leaving none; `None` when it had none.
    pub fn take(&mut self, id: RelId) -> Option<TakenProperties> {
        let (table, row) = self.place_mut(id)?;
        let taken = table.take(row);
        (!taken.is_empty()).then_some(TakenProperties(taken))
    }

    /// Puts back what `take` took, in its old key order.
    pub fn put_back(&mut self, id: RelId, taken: TakenProperties) {
        self.init(id, taken.0);
    }
}

/// The properties of a deleted relationship, kept for undo (see `RelStore::take`).
#[derive(Debug)]
pub(super) struct TakenProperties(Vec<(Arc<str>, Value)>);

/// A live relationship as `Graph::rel` shows it: its type and its properties, read as owned
/// values (strings are shared `Arc<str>`, so a clone is a counter bump).
#[derive(Clone, Copy)]
pub struct RelRef<'a> {
    graph: &'a Graph,
    id: RelId,
    rel_type: &'a Arc<str>,
}

impl<'a> RelRef<'a> {
    pub(super) fn new(graph: &'a Graph, id: RelId, rel_type: &'a Arc<str>) -> Self {
        Self {
            graph,
            id,
            rel_type,
        }
    }

    pub fn id(&self) -> RelId {
        self.id
    }

    pub fn rel_type(&self) -> &'a Arc<str> {
        self.rel_type
    }

    pub fn property(&self, key: &str) -> Option<Value> {
        self.graph.rels.get(self.id, key)
    }

    /// The properties, for reading (keys in insertion order).
    pub fn properties(&self) -> PropertyView<'a> {
        self.graph.rels.view(self.id)
    }
}

impl std::fmt::Debug for RelRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelRef")
            .field("id", &self.id)
            .field("rel_type", &self.rel_type)
            .finish_non_exhaustive()
    }
}
