//! The relationship store against a model: random sequences of creating relationships,
//! setting and removing properties (with undo of a removal), deleting relationships and
//! restoring them, with every read compared to a plain map of relationships after each step.
//! Tables grow past the size where new keys start sparse, so that path is covered too.

use std::collections::BTreeMap;

use kg::Value;
use kg::graph::{Graph, NodeId, RelId, RemovedRels};
use proptest::prelude::*;

const TYPES: [&str; 3] = ["INVESTED_IN", "WORKS_FOR", "MEMBER_OF"];
const KEYS: [&str; 5] = ["amount", "currency", "year", "lead", "note"];
const NODES: u32 = 6;

#[derive(Debug, Clone)]
enum Op {
    /// `count` relationships of one type, each with the same properties.
    Create {
        ty: usize,
        count: usize,
        props: Vec<(usize, Value)>,
    },
    /// Sets a key on the relationship picked by `pick` (null removes it).
    Set {
        pick: usize,
        key: usize,
        value: Value,
    },
    /// Removes a key as `REMOVE r.key` does, then undoes that like a rolled-back statement.
    RemoveAndUndo { pick: usize, key: usize },
    /// Deletes some relationships, keeping what undo needs.
    Delete { picks: Vec<usize> },
    /// Restores the most recent deletion not restored yet.
    Restore,
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::Int),
        (-1.0e9f64..1.0e9).prop_map(Value::Float),
        Just(Value::Float(-0.0)),
        any::<bool>().prop_map(Value::Bool),
        prop::sample::select(vec!["EUR", "USD", "GBP"]).prop_map(Value::from),
        "[a-z]{0,6}".prop_map(|s| Value::from(s.as_str())),
        prop::collection::vec(any::<i64>().prop_map(Value::Int), 0..3).prop_map(Value::List),
        Just(Value::Null),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (
            0..TYPES.len(),
            prop_oneof![4 => 1..4usize, 1 => 1000..1400usize],
            prop::collection::vec((0..KEYS.len(), value()), 0..4),
        )
            .prop_map(|(ty, count, props)| Op::Create { ty, count, props }),
        4 => (any::<usize>(), 0..KEYS.len(), value())
            .prop_map(|(pick, key, value)| Op::Set { pick, key, value }),
        2 => (any::<usize>(), 0..KEYS.len()).prop_map(|(pick, key)| Op::RemoveAndUndo { pick, key }),
        1 => prop::collection::vec(any::<usize>(), 1..4).prop_map(|picks| Op::Delete { picks }),
        1 => Just(Op::Restore),
    ]
}

/// What the graph should hold for one relationship.
#[derive(Debug, Clone)]
struct ModelRel {
    ty: usize,
    start: NodeId,
    end: NodeId,
    live: bool,
    /// Keys in the order they were set.
    props: Vec<(String, Value)>,
}

impl ModelRel {
    fn set(&mut self, key: &str, value: Value) {
        let at = self.props.iter().position(|(k, _)| k == key);
        match (at, value.is_null()) {
            (Some(i), true) => {
                self.props.remove(i);
            }
            (Some(i), false) => self.props[i].1 = value,
            (None, true) => {}
            (None, false) => self.props.push((key.to_string(), value)),
        }
    }
}

fn check(graph: &Graph, model: &BTreeMap<RelId, ModelRel>) {
    let live: Vec<RelId> = model
        .iter()
        .filter(|(_, r)| r.live)
        .map(|(id, _)| *id)
        .collect();
    assert_eq!(graph.rels().collect::<Vec<_>>(), live);
    assert_eq!(graph.rel_count(), live.len());
    for (i, ty) in TYPES.iter().enumerate() {
        let count = model.values().filter(|r| r.live && r.ty == i).count();
        assert_eq!(graph.type_count(ty), count, "count of {ty}");
    }
    for (&id, m) in model {
        if !m.live {
            assert!(graph.rel(id).is_none() && graph.rel_endpoints(id).is_none());
            assert_eq!(graph.rel_property(id, KEYS[0]), None);
            assert_eq!(graph.deleted_rel_type(id).map(|t| &**t), Some(TYPES[m.ty]));
            continue;
        }
        let r = graph.rel(id).expect("live relationship");
        assert_eq!(&**r.rel_type(), TYPES[m.ty]);
        assert_eq!(graph.rel_endpoints(id), Some((m.start, m.end)));
        let props: Vec<(String, Value)> = r
            .properties()
            .iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        assert_eq!(props, m.props, "properties of {id:?}");
        let keys: Vec<&str> = r.properties().keys().collect();
        assert_eq!(keys.len(), m.props.len());
        assert_eq!(r.properties().len(), m.props.len());
        for key in KEYS {
            let want = m.props.iter().find(|(k, _)| k == key).map(|(_, v)| v);
            assert_eq!(graph.rel_property(id, key).as_ref(), want, "{id:?}.{key}");
            assert_eq!(r.property(key).as_ref(), want);
            let interned = graph.property_key(key);
            let got = interned.and_then(|k| graph.rel_property_key(id, &k));
            assert_eq!(got.as_ref(), want);
        }
    }
}

fn pick(model: &BTreeMap<RelId, ModelRel>, n: usize) -> Option<RelId> {
    (!model.is_empty()).then(|| *model.keys().nth(n % model.len()).expect("in range"))
}

fn run(ops: Vec<Op>) {
    let mut graph = Graph::new();
    let nodes: Vec<NodeId> = (0..NODES)
        .map(|_| graph.create_node(["N"], Vec::new()))
        .collect();
    let mut model: BTreeMap<RelId, ModelRel> = BTreeMap::new();
    let mut deletions: Vec<RemovedRels> = Vec::new();
    let mut step = 0u32;
    for op in ops {
        match op {
            Op::Create { ty, count, props } => {
                for _ in 0..count {
                    step += 1;
                    let (start, end) = (
                        nodes[(step % NODES) as usize],
                        nodes[(step * 7 % NODES) as usize],
                    );
                    let pairs: Vec<(String, Value)> = props
                        .iter()
                        .map(|(k, v)| (KEYS[*k].to_string(), v.clone()))
                        .collect();
                    let id = graph
                        .create_rel(start, end, TYPES[ty], pairs.clone())
                        .expect("endpoints exist");
                    let mut m = ModelRel {
                        ty,
                        start,
                        end,
                        live: true,
                        props: Vec::new(),
                    };
                    for (k, v) in pairs {
                        m.set(&k, v);
                    }
                    assert!(model.insert(id, m).is_none(), "ids are never reused");
                }
            }
            Op::Set {
                pick: p,
                key,
                value,
            } => {
                let Some(id) = pick(&model, p) else { continue };
                let m = model.get_mut(&id).expect("picked");
                let old = graph.set_rel_property(id, KEYS[key], value.clone());
                if m.live {
                    let want = m
                        .props
                        .iter()
                        .find(|(k, _)| k == KEYS[key])
                        .map(|(_, v)| v.clone());
                    assert_eq!(old, want);
                    m.set(KEYS[key], value);
                } else {
                    assert_eq!(old, None);
                }
            }
            Op::RemoveAndUndo { pick: p, key } => {
                let Some(id) = pick(&model, p) else { continue };
                let Some(r) = graph.rel(id) else { continue };
                let Some(position) = r.properties().keys().position(|k| k == KEYS[key]) else {
                    continue;
                };
                let old = graph
                    .set_rel_property(id, KEYS[key], Value::Null)
                    .expect("had the key");
                graph.restore_rel_property(id, KEYS[key], old, position);
            }
            Op::Delete { picks } => {
                let ids: Vec<RelId> = picks.iter().filter_map(|&p| pick(&model, p)).collect();
                let removed = graph.remove_rels(ids.iter().copied());
                let mut gone: Vec<RelId> = removed.ids().to_vec();
                gone.sort();
                let mut want: Vec<RelId> = ids.into_iter().filter(|id| model[id].live).collect();
                want.sort();
                want.dedup();
                assert_eq!(gone, want);
                for id in &gone {
                    model.get_mut(id).expect("known").live = false;
                }
                deletions.push(removed);
            }
            Op::Restore => {
                if let Some(removed) = deletions.pop() {
                    for id in removed.ids() {
                        model.get_mut(id).expect("known").live = true;
                    }
                    graph.restore_rels(removed);
                }
            }
        }
        check(&graph, &model);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn rel_store_matches_a_model(ops in prop::collection::vec(op(), 1..30)) {
        run(ops);
    }
}

#[test]
fn undoing_deletions_in_reverse_order_restores_everything() {
    let ops = vec![
        Op::Create {
            ty: 0,
            count: 1100,
            props: vec![
                (0, Value::Float(1.5)),
                (1, Value::from("EUR")),
                (2, Value::Int(2020)),
            ],
        },
        Op::Set {
            pick: 5,
            key: 4,
            value: Value::from("sparse"),
        },
        Op::Set {
            pick: 5,
            key: 0,
            value: Value::from("no longer a float"),
        },
        Op::Delete {
            picks: vec![5, 6, 7],
        },
        Op::Delete { picks: vec![8, 6] },
        Op::Set {
            pick: 8,
            key: 3,
            value: Value::Bool(true),
        },
        Op::Restore,
        Op::Restore,
        Op::RemoveAndUndo { pick: 5, key: 1 },
    ];
    run(ops);
}
