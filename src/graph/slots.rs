//! Id slots for rebuilding a graph with the ids it had (`kg::db` replays its log and loads
//! its snapshot through these): the next ids, and filling the ids of deleted entities with
//! tombstones so that the following creates get the recorded ids. Nothing here is used by
//! queries.

use super::mark_deleted;
use super::{Graph, NodeData, NodeId, RelId, RemovedNode, RemovedRels};

impl Graph {
    /// The ids the next `create_node` and `create_rel` hand out (deleted ids stay taken).
    pub fn next_ids(&self) -> (u32, u32) {
        (self.node_data.len() as u32, self.rels.slots() as u32)
    }

    /// Takes node ids up to (not including) `next` as deleted nodes, so the next created
    /// node gets id `next`. Does nothing when the graph is already there.
    pub fn skip_node_ids(&mut self, next: u32) {
        while (self.node_data.len() as u32) < next {
            let n = self.node_data.len();
            self.node_data.push(NodeData::default());
            self.adjacency.ensure(n);
            if self.label_bits.len() <= n {
                self.label_bits.resize(n + 1, 0);
            }
            mark_deleted(&mut self.deleted_nodes, n);
            self.deleted_node_count += 1;
        }
    }

    /// Takes relationship ids up to (not including) `next` as deleted relationships.
    /// Returns false (and takes none) if the graph has no node slot to hang them on: a
    /// relationship id can only have been handed out after a node's.
    pub fn skip_rel_ids(&mut self, next: u32) -> bool {
        if self.rels.slots() as u32 >= next {
            return true;
        }
        if self.node_data.is_empty() {
            return false;
        }
        // Tombstones keep a type (for `type(r)` of a deleted relationship); these were
        // never seen by a statement that is still running, so any type does.
        let (ty, _) = self.types.intern("");
        if self.by_type.len() <= ty as usize {
            self.by_type.resize_with(ty as usize + 1, Default::default);
        }
        let slot = NodeId(0);
        while (self.rels.slots() as u32) < next {
            let r = self.rels.push(slot, slot, ty);
            self.rels.tombstone(r);
        }
        true
    }
}

impl RemovedNode {
    /// The removed node's id.
    pub fn id(&self) -> NodeId {
        self.id
    }
}

impl RemovedRels {
    /// The removed relationships' ids.
    pub fn ids(&self) -> &[RelId] {
        &self.ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skipped_ids_are_taken_and_deleted() {
        let mut g = Graph::new();
        g.skip_rel_ids(0);
        assert!(!g.skip_rel_ids(1), "no node slot yet");
        g.skip_node_ids(3);
        assert_eq!((g.node_count(), g.next_ids()), (0, (3, 0)));
        let a = g.create_node(["A"], Vec::new());
        assert_eq!(a, NodeId(3));
        assert!(g.skip_rel_ids(2));
        let r = g
            .create_rel(a, a, "T", Vec::new())
            .expect("endpoint exists");
        assert_eq!(r, RelId(2));
        assert_eq!(
            (g.rel_count(), g.type_count("T"), g.type_count("")),
            (1, 1, 0)
        );
        assert_eq!(
            g.relationships_of(a, super::super::Direction::Both, &[])
                .count(),
            1
        );
        assert_eq!(g.nodes().collect::<Vec<_>>(), vec![a]);
    }
}
