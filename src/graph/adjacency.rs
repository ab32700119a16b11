//! Each node's relationships in both directions, in two layers.
//!
//! - The **base**, built by `compact` (the end of a bulk load): per direction one
//!   `petgraph::csr::Csr` whose rows are sorted by neighbour. An entry is the neighbour
//!   (the CSR column, 4 bytes) and a `Slot` (8 bytes): one relationship with its type, or,
//!   for parallel relationships between the same two nodes (which `Csr` rejects), a run
//!   in `parallel`, sorted by rel id. So "the relationships between a and b" is a binary
//!   search, rows can be intersected, and a compacted node costs its CSR row offset
//!   instead of a Vec header.
//! - The **delta**: relationships added since, per node in insertion order, plus a removed
//!   mark (one bit per rel id) for base entries deleted since. Until the first `compact`
//!   the delta is everything, one dense Vec per node: the layout from before the base
//!   existed, which small graphs built by CREATE keep. After it, the delta is a sparse map
//!   holding only the nodes written since, and the next `compact` merges it back.
//!
//! Order: a node's list reads its delta newest first, then its base by (neighbour, rel
//! id). A never-compacted graph therefore shows the newest-first order it always did.
//! Nothing here knows about labels, properties or Cypher.

use petgraph::Directed;
use petgraph::csr::Csr;

use super::hash::FxHashMap;
use super::index::TypeFilter;
use super::{NodeId, RelId};

/// One relationship as seen from one of its ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Adj {
    pub rel: u32,
    pub other: u32,
    pub ty: u32,
}

/// Set in `Slot::ty` when the slot stands for a run of parallel relationships.
const RUN: u32 = 1 << 31;

/// A base entry's weight: a relationship and its type, or with `RUN` set in `ty`, the
/// run `parallel[rel..rel + (ty & !RUN)]`.
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    rel: u32,
    ty: u32,
}

/// Entries taken out of one node's list by `take_where`, for `put_back`.
#[derive(Debug, Default)]
pub(super) struct Taken {
    /// Delta entries with their places there (ascending).
    delta: Vec<(u32, Adj)>,
    /// Base entries, now marked removed.
    base: Vec<u32>,
}

/// The per-node lists of relationships added since the last `compact`.
#[derive(Debug, Clone)]
enum Delta {
    /// Indexed by node: every node has a list (never compacted).
    Dense(Vec<Vec<Adj>>),
    /// Only the nodes written since the last `compact`.
    Sparse(FxHashMap<u32, Vec<Adj>>),
}

impl Default for Delta {
    fn default() -> Self {
        Delta::Dense(Vec::new())
    }
}

impl Delta {
    fn get(&self, node: u32) -> &[Adj] {
        match self {
            Delta::Dense(lists) => lists.get(node as usize).map_or(&[], Vec::as_slice),
            Delta::Sparse(lists) if lists.is_empty() => &[],
            Delta::Sparse(lists) => lists.get(&node).map_or(&[], Vec::as_slice),
        }
    }

    /// The list of `node`, made on first use.
    fn list(&mut self, node: u32) -> &mut Vec<Adj> {
        match self {
            Delta::Dense(lists) => {
                let n = node as usize;
                if lists.len() <= n {
                    lists.resize_with(n + 1, Vec::new);
                }
                &mut lists[n]
            }
            Delta::Sparse(lists) => lists.entry(node).or_default(),
        }
    }

    fn existing(&mut self, node: u32) -> Option<&mut Vec<Adj>> {
        match self {
            Delta::Dense(lists) => lists.get_mut(node as usize),
            Delta::Sparse(lists) => lists.get_mut(&node),
        }
    }

    /// Takes `node`'s list out, leaving none.
    fn take(&mut self, node: u32) -> Vec<Adj> {
        match self {
            Delta::Dense(lists) => lists
                .get_mut(node as usize)
                .map(std::mem::take)
                .unwrap_or_default(),
            Delta::Sparse(lists) => lists.remove(&node).unwrap_or_default(),
        }
    }

    /// One past the highest node with a list.
    fn extent(&self) -> usize {
        match self {
            Delta::Dense(lists) => lists.len(),
            Delta::Sparse(lists) => lists.keys().max().map_or(0, |&n| n as usize + 1),
        }
    }

    fn entries(&self) -> usize {
        match self {
            Delta::Dense(lists) => lists.iter().map(Vec::len).sum(),
            Delta::Sparse(lists) => lists.values().map(Vec::len).sum(),
        }
    }
}

/// One direction's lists: base, parallel runs, removed marks and delta.
#[derive(Debug, Clone, Default)]
struct Side {
    base: Csr<(), Slot, Directed, u32>,
    parallel: Vec<(u32, u32)>,
    /// Bit per rel id: its base entry here was removed since the last `compact`.
    removed: Vec<u64>,
    delta: Delta,
}

#[inline]
fn marked(removed: &[u64], rel: u32) -> bool {
    removed
        .get(rel as usize / 64)
        .is_some_and(|w| w >> (rel % 64) & 1 == 1)
}

impl Side {
    /// `node`'s base row: neighbours and slots.
    fn row(&self, node: u32) -> (&[u32], &[Slot]) {
        if (node as usize) < self.base.node_count() {
            (self.base.neighbors_slice(node), self.base.edges_slice(node))
        } else {
            (&[], &[])
        }
    }

    fn run(&self, slot: Slot) -> &[(u32, u32)] {
        let len = (slot.ty & !RUN) as usize;
        self.parallel
            .get(slot.rel as usize..slot.rel as usize + len)
            .unwrap_or(&[])
    }

    /// Every base entry of `node` as (neighbour, rel, type), removed ones included.
    fn base_entries(&self, node: u32) -> impl Iterator<Item = (u32, u32, u32)> + '_ {
        let (cols, slots) = self.row(node);
        cols.iter().zip(slots).flat_map(move |(&other, &slot)| {
            let (one, run) = if slot.ty & RUN == 0 {
                (Some((slot.rel, slot.ty)), &[][..])
            } else {
                (None, self.run(slot))
            };
            one.into_iter()
                .chain(run.iter().copied())
                .map(move |(rel, ty)| (other, rel, ty))
        })
    }

    fn mark(&mut self, rel: u32, removed: bool) {
        let word = rel as usize / 64;
        if self.removed.len() <= word {
            if !removed {
                return;
            }
            self.removed.resize(word + 1, 0);
        }
        let bit = 1u64 << (rel % 64);
        if removed {
            self.removed[word] |= bit;
        } else {
            self.removed[word] &= !bit;
        }
    }

    /// Removes relationship `rel` between `node` and `other` from `node`'s list.
    fn remove(&mut self, node: u32, other: u32, rel: u32) {
        if let Some(list) = self.delta.existing(node)
            && let Some(pos) = list.iter().rposition(|a| a.rel == rel)
        {
            list.remove(pos);
            return;
        }
        let (cols, slots) = self.row(node);
        let Ok(i) = cols.binary_search(&other) else {
            return;
        };
        let slot = slots[i];
        let present = if slot.ty & RUN == 0 {
            slot.rel == rel
        } else {
            self.run(slot)
                .binary_search_by_key(&rel, |&(r, _)| r)
                .is_ok()
        };
        if present {
            self.mark(rel, true);
        }
    }

    fn take_where(&mut self, node: u32, gone: impl Fn(u32) -> bool) -> Taken {
        let mut taken = Taken::default();
        if let Some(list) = self.delta.existing(node) {
            let mut position = 0;
            list.retain(|a| {
                let keep = !gone(a.rel);
                if !keep {
                    taken.delta.push((position, *a));
                }
                position += 1;
                keep
            });
        }
        taken.base = self
            .base_entries(node)
            .map(|(_, rel, _)| rel)
            .filter(|&rel| !marked(&self.removed, rel) && gone(rel))
            .collect();
        for &rel in &taken.base {
            self.mark(rel, true);
        }
        taken
    }

    fn put_back(&mut self, node: u32, taken: Taken) {
        for rel in taken.base {
            self.mark(rel, false);
        }
        if taken.delta.is_empty() {
            return;
        }
        let list = self.delta.list(node);
        let mut rest = std::mem::take(list).into_iter();
        let mut merged = Vec::with_capacity(rest.len() + taken.delta.len());
        for (position, adj) in taken.delta {
            merged.extend(
                rest.by_ref()
                    .take((position as usize).saturating_sub(merged.len())),
            );
            merged.push(adj);
        }
        merged.extend(rest);
        *list = merged;
    }

    /// `node`'s entries, or with `only`, just those whose neighbour is `only`.
    fn iter(&self, node: u32, only: Option<u32>) -> SideIter<'_> {
        let (mut cols, mut slots) = self.row(node);
        if let Some(other) = only {
            let (c, s) = match cols.binary_search(&other) {
                Ok(i) => (&cols[i..=i], &slots[i..=i]),
                Err(_) => (&[][..], &[][..]),
            };
            (cols, slots) = (c, s);
        }
        SideIter {
            delta: self.delta.get(node).iter().rev(),
            only,
            cols,
            slots,
            pos: 0,
            run: [].iter(),
            run_other: 0,
            parallel: &self.parallel,
            removed: &self.removed,
        }
    }

    /// Merges the delta and the removed marks into a new base.
    fn compact(&mut self) {
        let mut delta = std::mem::replace(&mut self.delta, Delta::Sparse(FxHashMap::default()));
        let nodes = self.base.node_count().max(delta.extent());
        let mut edges: Vec<(u32, u32, Slot)> =
            Vec::with_capacity(self.base.edge_count() + delta.entries());
        let mut parallel = Vec::new();
        let mut row: Vec<(u32, u32, u32)> = Vec::new();
        for n in 0..nodes as u32 {
            row.clear();
            row.extend(
                self.base_entries(n)
                    .filter(|&(_, rel, _)| !marked(&self.removed, rel)),
            );
            row.extend(delta.take(n).into_iter().map(|a| (a.other, a.rel, a.ty)));
            row.sort_unstable();
            for group in row.chunk_by(|a, b| a.0 == b.0) {
                let slot = match group {
                    [(_, rel, ty)] => Slot { rel: *rel, ty: *ty },
                    _ => {
                        let start = u32::try_from(parallel.len()).unwrap_or(u32::MAX);
                        parallel.extend(group.iter().map(|&(_, rel, ty)| (rel, ty)));
                        let len = u32::try_from(group.len()).unwrap_or(u32::MAX);
                        Slot {
                            rel: start,
                            ty: RUN | len,
                        }
                    }
                };
                edges.push((n, group[0].0, slot));
            }
        }
        self.base = Csr::default();
        self.removed = Vec::new();
        parallel.shrink_to_fit();
        self.parallel = parallel;
        // `from_sorted_edges` grows its arrays by doubling, but the unused tail of a large
        // allocation is never touched, so it costs address space, not memory.
        self.base = Csr::from_sorted_edges(&edges)
            .expect("rows are built sorted by node, then by distinct neighbour");
    }
}

/// The entries of one node's list in one direction: delta newest first, then base.
#[derive(Debug, Clone)]
struct SideIter<'a> {
    delta: std::iter::Rev<std::slice::Iter<'a, Adj>>,
    /// Only delta entries with this neighbour (the base part is already narrowed).
    only: Option<u32>,
    cols: &'a [u32],
    slots: &'a [Slot],
    pos: usize,
    /// The rest of the parallel run being walked, and its neighbour.
    run: std::slice::Iter<'a, (u32, u32)>,
    run_other: u32,
    parallel: &'a [(u32, u32)],
    removed: &'a [u64],
}

impl SideIter<'_> {
    #[inline]
    fn next(&mut self, filter: &TypeFilter) -> Option<Adj> {
        for a in self.delta.by_ref() {
            if filter.admits(a.ty) && self.only.is_none_or(|o| o == a.other) {
                return Some(*a);
            }
        }
        loop {
            for &(rel, ty) in self.run.by_ref() {
                if filter.admits(ty) && !marked(self.removed, rel) {
                    return Some(Adj {
                        rel,
                        other: self.run_other,
                        ty,
                    });
                }
            }
            let (&other, &slot) = self.cols.get(self.pos).zip(self.slots.get(self.pos))?;
            self.pos += 1;
            if slot.ty & RUN == 0 {
                if filter.admits(slot.ty) && !marked(self.removed, slot.rel) {
                    return Some(Adj {
                        rel: slot.rel,
                        other,
                        ty: slot.ty,
                    });
                }
            } else {
                let len = (slot.ty & !RUN) as usize;
                let start = slot.rel as usize;
                self.run = self.parallel.get(start..start + len).unwrap_or(&[]).iter();
                self.run_other = other;
            }
        }
    }
}

/// Outgoing and incoming relationships of every node, indexed by node index.
#[derive(Debug, Clone, Default)]
pub(super) struct Adjacency {
    out: Side,
    inc: Side,
}

impl Adjacency {
    /// Makes room for node index `node` (a new node, or a reused index).
    pub fn ensure(&mut self, node: usize) {
        for side in [&mut self.out, &mut self.inc] {
            if let Delta::Dense(lists) = &mut side.delta
                && lists.len() <= node
            {
                lists.resize_with(node + 1, Vec::new);
            }
        }
    }

    pub fn add(&mut self, rel: RelId, start: NodeId, end: NodeId, ty: u32) {
        self.out.delta.list(start.0).push(Adj {
            rel: rel.0,
            other: end.0,
            ty,
        });
        self.inc.delta.list(end.0).push(Adj {
            rel: rel.0,
            other: start.0,
            ty,
        });
    }

    /// Makes room for `additional` more nodes.
    pub fn reserve_nodes(&mut self, additional: usize) {
        for side in [&mut self.out, &mut self.inc] {
            if let Delta::Dense(lists) = &mut side.delta {
                lists.reserve_exact(additional);
            }
        }
    }

    pub fn reserve(&mut self, node: NodeId, outgoing: usize, incoming: usize) {
        for (side, additional) in [(&mut self.out, outgoing), (&mut self.inc, incoming)] {
            if additional > 0 || matches!(side.delta, Delta::Dense(_)) {
                side.delta.list(node.0).reserve_exact(additional);
            }
        }
    }

    /// Removes a relationship, keeping the order of the others.
    pub fn remove(&mut self, rel: RelId, start: NodeId, end: NodeId) {
        self.out.remove(start.0, end.0, rel.0);
        self.inc.remove(end.0, start.0, rel.0);
    }

    fn side(&mut self, outgoing: bool) -> &mut Side {
        if outgoing {
            &mut self.out
        } else {
            &mut self.inc
        }
    }

    /// Removes from one list, in a single pass, the relationships `gone` picks, keeping the
    /// order of the others; returns them for `put_back`. Deleting many relationships of a
    /// hub this way is linear, where one `remove` each is quadratic.
    pub fn take_where(
        &mut self,
        node: NodeId,
        outgoing: bool,
        gone: impl Fn(u32) -> bool,
    ) -> Taken {
        self.side(outgoing).take_where(node.0, gone)
    }

    /// Undoes `take_where`: the list is then exactly as before.
    pub fn put_back(&mut self, node: NodeId, outgoing: bool, taken: Taken) {
        self.side(outgoing).put_back(node.0, taken);
    }

    /// Forgets a deleted node's lists (it has no relationships left).
    pub fn clear(&mut self, node: NodeId) {
        for side in [&mut self.out, &mut self.inc] {
            match &mut side.delta {
                Delta::Dense(lists) => {
                    if let Some(list) = lists.get_mut(node.0 as usize) {
                        *list = Vec::new();
                    }
                }
                Delta::Sparse(lists) => {
                    lists.remove(&node.0);
                }
            }
        }
    }

    /// The relationships of `node` in the chosen directions that `filter` admits; with
    /// `only`, just those whose other end is `only`.
    pub fn relationships(
        &self,
        node: NodeId,
        outgoing: bool,
        incoming: bool,
        only: Option<NodeId>,
        filter: TypeFilter,
    ) -> Relationships<'_> {
        let only = only.map(|n| n.0);
        let none = SideIter {
            delta: [].iter().rev(),
            only,
            cols: &[],
            slots: &[],
            pos: 0,
            run: [].iter(),
            run_other: 0,
            parallel: &[],
            removed: &[],
        };
        Relationships {
            out: if outgoing {
                self.out.iter(node.0, only)
            } else {
                none.clone()
            },
            inc: if incoming {
                self.inc.iter(node.0, only)
            } else {
                none
            },
            skip_loops_in: outgoing,
            node: node.0,
            filter,
        }
    }

    /// Merges every delta into the base (see the module doc).
    pub fn compact(&mut self) {
        self.out.compact();
        self.inc.compact();
    }
}

/// The relationships of one node, filtered by type (see `Graph::relationships_with`).
#[derive(Debug, Clone)]
pub struct Relationships<'a> {
    out: SideIter<'a>,
    inc: SideIter<'a>,
    /// Skip incoming self-loops: they were reported as outgoing.
    skip_loops_in: bool,
    node: u32,
    filter: TypeFilter,
}

impl Iterator for Relationships<'_> {
    type Item = (RelId, NodeId);

    #[inline]
    fn next(&mut self) -> Option<(RelId, NodeId)> {
        if let Some(a) = self.out.next(&self.filter) {
            return Some((RelId(a.rel), NodeId(a.other)));
        }
        while let Some(a) = self.inc.next(&self.filter) {
            if !(self.skip_loops_in && a.other == self.node) {
                return Some((RelId(a.rel), NodeId(a.other)));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(adjacency: &Adjacency, node: u32) -> Vec<(u32, u32)> {
        adjacency
            .relationships(NodeId(node), true, true, None, TypeFilter::any())
            .map(|(r, n)| (r.0, n.0))
            .collect()
    }

    #[test]
    fn compact_sorts_by_neighbour_and_keeps_parallel_runs() {
        let mut a = Adjacency::default();
        // 0 -> 2 (twice), 0 -> 1, 1 -> 0, and a loop on 0.
        for (rel, s, e) in [(0, 0, 2), (1, 0, 1), (2, 0, 2), (3, 1, 0), (4, 0, 0)] {
            a.add(RelId(rel), NodeId(s), NodeId(e), rel % 2);
        }
        assert_eq!(list(&a, 0), vec![(4, 0), (2, 2), (1, 1), (0, 2), (3, 1)]);
        a.compact();
        assert_eq!(list(&a, 0), vec![(4, 0), (1, 1), (0, 2), (2, 2), (3, 1)]);
        let between: Vec<u32> = a
            .relationships(
                NodeId(0),
                true,
                false,
                Some(NodeId(2)),
                TypeFilter::of(&[0]),
            )
            .map(|(r, _)| r.0)
            .collect();
        assert_eq!(between, vec![0, 2]);
        // Removed marks and the delta sit on top of the base until the next compact.
        a.remove(RelId(0), NodeId(0), NodeId(2));
        a.add(RelId(5), NodeId(0), NodeId(2), 1);
        assert_eq!(list(&a, 0), vec![(5, 2), (4, 0), (1, 1), (2, 2), (3, 1)]);
        let taken = a.take_where(NodeId(0), true, |r| r == 2 || r == 5);
        assert_eq!(list(&a, 0), vec![(4, 0), (1, 1), (3, 1)]);
        a.put_back(NodeId(0), true, taken);
        assert_eq!(list(&a, 0), vec![(5, 2), (4, 0), (1, 1), (2, 2), (3, 1)]);
        a.compact();
        assert_eq!(list(&a, 0), vec![(4, 0), (1, 1), (2, 2), (5, 2), (3, 1)]);
    }
}
