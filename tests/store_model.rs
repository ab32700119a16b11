//! The adjacency store against a model: random sequences of node and relationship
//! creation, deletes, detach deletes, removals that are undone, and compactions, with every
//! read (`relationships_of`, `relationships_with`, `degree`, `rels_between`) compared after
//! each step, order included. The model is a map of relationships; the order it expects
//! is the documented one: per direction, relationships added since the last `compact`
//! newest first, then the compacted ones by (neighbour, id).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use kg::graph::{Direction, Graph, NodeId, RelId, intern};
use proptest::prelude::*;

const TYPES: [&str; 3] = ["A", "B", "C"];

#[derive(Debug, Clone)]
enum Op {
    CreateNode,
    /// Endpoints as indexes into the live nodes (taken modulo their number).
    CreateRel(usize, usize, usize),
    DeleteRel(usize),
    DeleteNode(usize, bool),
    /// `remove_rels` on some relationships and `remove_node` on some nodes left without
    /// any, then, if `undo`, `restore_*` in reverse order, as a failed statement does.
    Remove {
        rels: Vec<usize>,
        nodes: Vec<usize>,
        undo: bool,
    },
    Compact,
}

fn arb_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => Just(Op::CreateNode),
        6 => (0..8usize, 0..8usize, 0..3usize).prop_map(|(a, b, t)| Op::CreateRel(a, b, t)),
        1 => (0..32usize).prop_map(Op::DeleteRel),
        1 => (0..8usize, any::<bool>()).prop_map(|(n, d)| Op::DeleteNode(n, d)),
        2 => (
            prop::collection::vec(0..32usize, 0..6),
            prop::collection::vec(0..8usize, 0..3),
            any::<bool>()
        )
            .prop_map(|(rels, nodes, undo)| Op::Remove { rels, nodes, undo }),
        1 => Just(Op::Compact),
    ]
}

#[derive(Debug, Clone, Copy)]
struct ModelRel {
    start: NodeId,
    end: NodeId,
    ty: usize,
    /// Creation order.
    seq: u64,
    /// Present at the last `compact`.
    compacted: bool,
}

#[derive(Debug, Default, Clone)]
struct Model {
    nodes: BTreeSet<NodeId>,
    rels: BTreeMap<RelId, ModelRel>,
    seq: u64,
}

impl Model {
    fn node_at(&self, i: usize) -> Option<NodeId> {
        (!self.nodes.is_empty()).then(|| {
            *self
                .nodes
                .iter()
                .nth(i % self.nodes.len())
                .expect("in range")
        })
    }

    fn rel_at(&self, i: usize) -> Option<RelId> {
        (!self.rels.is_empty())
            .then(|| *self.rels.keys().nth(i % self.rels.len()).expect("in range"))
    }

    /// One direction's list of `node`, in the documented order.
    fn side(&self, node: NodeId, outgoing: bool, types: &[usize]) -> Vec<(RelId, NodeId)> {
        let mut fresh = Vec::new();
        let mut base = Vec::new();
        for (&id, r) in &self.rels {
            let (here, other) = if outgoing {
                (r.start, r.end)
            } else {
                (r.end, r.start)
            };
            if here != node || !(types.is_empty() || types.contains(&r.ty)) {
                continue;
            }
            if r.compacted {
                base.push((other, id));
            } else {
                fresh.push((r.seq, id, other));
            }
        }
        fresh.sort_by_key(|&(seq, _, _)| std::cmp::Reverse(seq));
        base.sort();
        fresh
            .into_iter()
            .map(|(_, id, other)| (id, other))
            .chain(base.into_iter().map(|(other, id)| (id, other)))
            .collect()
    }

    fn relationships(
        &self,
        node: NodeId,
        direction: Direction,
        types: &[usize],
    ) -> Vec<(RelId, NodeId)> {
        match direction {
            Direction::Outgoing => self.side(node, true, types),
            Direction::Incoming => self.side(node, false, types),
            Direction::Both => {
                let mut all = self.side(node, true, types);
                // A self-loop is reported once, as outgoing.
                all.extend(
                    self.side(node, false, types)
                        .into_iter()
                        .filter(|&(_, o)| o != node),
                );
                all
            }
        }
    }
}

fn check(g: &Graph, m: &Model) -> Result<(), TestCaseError> {
    prop_assert_eq!(g.node_count(), m.nodes.len());
    prop_assert_eq!(g.rel_count(), m.rels.len());
    let type_sets: [&[usize]; 4] = [&[], &[0], &[1, 2], &[2]];
    for &n in &m.nodes {
        for direction in [Direction::Outgoing, Direction::Incoming, Direction::Both] {
            for types in type_sets {
                let names: Vec<Arc<str>> = types.iter().map(|&t| intern(TYPES[t])).collect();
                let expected = m.relationships(n, direction, types);
                let got: Vec<_> = g.relationships_of(n, direction, &names).collect();
                prop_assert_eq!(
                    &got,
                    &expected,
                    "relationships_of({:?}, {:?}, {:?})",
                    n,
                    direction,
                    types
                );
                let filter = g.type_filter(&names);
                let with: Vec<_> = g.relationships_with(n, direction, filter.clone()).collect();
                prop_assert_eq!(&with, &expected);
                for &o in &m.nodes {
                    let between: Vec<RelId> = g.rels_between(n, o, direction, &filter).collect();
                    let want: Vec<RelId> = expected
                        .iter()
                        .filter(|&&(_, x)| x == o)
                        .map(|&(r, _)| r)
                        .collect();
                    prop_assert_eq!(
                        between,
                        want,
                        "rels_between({:?}, {:?}, {:?}, {:?})",
                        n,
                        o,
                        direction,
                        types
                    );
                }
            }
            prop_assert_eq!(
                g.degree(n, direction),
                m.relationships(n, direction, &[]).len()
            );
        }
    }
    for (&id, r) in &m.rels {
        prop_assert_eq!(g.rel_endpoints(id), Some((r.start, r.end)));
    }
    Ok(())
}

fn apply(g: &mut Graph, m: &mut Model, op: &Op) -> Result<(), TestCaseError> {
    match op {
        Op::CreateNode => {
            let id = g.create_node(Vec::<&str>::new(), Vec::new());
            m.nodes.insert(id);
        }
        Op::CreateRel(a, b, t) => {
            let (Some(start), Some(end)) = (m.node_at(*a), m.node_at(*b)) else {
                return Ok(());
            };
            let id = g
                .create_rel(start, end, TYPES[*t], Vec::new())
                .expect("endpoints exist");
            m.seq += 1;
            let rel = ModelRel {
                start,
                end,
                ty: *t,
                seq: m.seq,
                compacted: false,
            };
            m.rels.insert(id, rel);
        }
        Op::DeleteRel(i) => {
            if let Some(id) = m.rel_at(*i) {
                prop_assert!(g.delete_rel(id));
                m.rels.remove(&id);
            }
        }
        Op::DeleteNode(i, detach) => {
            let Some(n) = m.node_at(*i) else {
                return Ok(());
            };
            let degree = m.relationships(n, Direction::Both, &[]).len();
            let result = g.delete_node(n, *detach);
            if *detach || degree == 0 {
                prop_assert_eq!(result, Ok(true));
                m.rels.retain(|_, r| r.start != n && r.end != n);
                m.nodes.remove(&n);
            } else {
                prop_assert_eq!(result, Err(degree));
            }
        }
        Op::Remove { rels, nodes, undo } => {
            let before = m.clone();
            let ids: Vec<RelId> = rels.iter().filter_map(|&i| m.rel_at(i)).collect();
            let removed_rels = g.remove_rels(ids.iter().copied());
            for id in &ids {
                m.rels.remove(id);
            }
            let mut removed_nodes = Vec::new();
            for &i in nodes {
                let Some(n) = m.node_at(i) else { continue };
                let degree = m.relationships(n, Direction::Both, &[]).len();
                match g.remove_node(n) {
                    Ok(Some(removed)) => {
                        prop_assert_eq!(degree, 0);
                        removed_nodes.push(removed);
                        m.nodes.remove(&n);
                    }
                    Ok(None) => prop_assert!(false, "live node {:?} not found", n),
                    Err(d) => prop_assert_eq!(d, degree),
                }
            }
            check(g, m)?;
            if *undo {
                for removed in removed_nodes.into_iter().rev() {
                    g.restore_node(removed);
                }
                g.restore_rels(removed_rels);
                *m = before;
            }
        }
        Op::Compact => {
            g.compact();
            for r in m.rels.values_mut() {
                r.compacted = true;
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    #[test]
    fn adjacency_matches_the_model(ops in prop::collection::vec(arb_op(), 1..60)) {
        let mut g = Graph::new();
        let mut m = Model::default();
        for op in &ops {
            apply(&mut g, &mut m, op)?;
            check(&g, &m)?;
        }
    }
}
