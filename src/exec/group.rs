//! The Aggregate operator: groups rows by key values (Cypher equivalence, so 1 and 1.0
//! differ but nulls group together) and folds each aggregate with an `Accumulator`.

use crate::error::{QueryError, Result};
use crate::graph::hash::FxHashMap;
use crate::graph::{NodeId, RelId};
use crate::plan::{AggregateCall, PlanExpr, PlanExprKind, Slot};
use crate::value::Value;
use crate::value::ops::{GroupKey, equivalent};

use super::aggregate::{Accumulator, AggregateKind};
use super::{BoxOp, Cx, Operator, Row, eval, eval_ref};

pub(super) struct Aggregate {
    input: BoxOp,
    keys: Vec<(Slot, PlanExpr)>,
    aggregates: Vec<(Slot, AggregateCall)>,
    kinds: Vec<AggregateKind>,
    width: usize,
    output: Option<std::vec::IntoIter<Row>>,
}

impl Aggregate {
    pub fn new(
        input: BoxOp,
        keys: Vec<(Slot, PlanExpr)>,
        aggregates: Vec<(Slot, AggregateCall)>,
    ) -> Result<Self> {
        let kinds = aggregates
            .iter()
            .map(|(_, call)| {
                AggregateKind::from_name(&call.name).ok_or_else(|| {
                    QueryError::not_supported(
                        &format!("aggregate `{}`", call.name),
                        Some(call.span),
                    )
                })
            })
            .collect::<Result<_>>()?;
        Ok(Aggregate {
            input,
            keys,
            aggregates,
            kinds,
            width: 0,
            output: None,
        })
    }

    fn accumulators(&self) -> Vec<Accumulator> {
        self.aggregates
            .iter()
            .zip(&self.kinds)
            .map(|((_, call), kind)| Accumulator::new(*kind, call.distinct))
            .collect()
    }

    fn run(&mut self, cx: &Cx<'_>) -> Result<Vec<Row>> {
        let mut index: FxHashMap<Vec<GroupKey>, usize> = FxHashMap::default();
        let mut groups: Vec<(Vec<GroupKey>, Vec<Accumulator>)> = Vec::new();
        let mut args = Vec::new();
        let mut key: Vec<GroupKey> = Vec::with_capacity(self.keys.len());
        let mut previous: Option<usize> = None;
        // Per key, the entity the previous row's key value was read from (see `key_entity`).
        let mut previous_entities: Vec<Option<Entity>> = Vec::with_capacity(self.keys.len());
        while let Some(row) = self.input.next(cx)? {
            cx.tick()?;
            let group = if self.keys.is_empty() {
                // One group for everything: no hashing.
                if groups.is_empty() {
                    groups.push((Vec::new(), self.accumulators()));
                }
                0
            } else {
                // Input often arrives clustered by key (e.g. every expansion of one node):
                // the previous row's group is then recognised without copying or hashing
                // the key values: by the entities they are read from when every key is
                // one (the graph cannot change under a read), else on borrowed values.
                let mut same = previous;
                let entities_match = previous.is_some()
                    && self
                        .keys
                        .iter()
                        .zip(&previous_entities)
                        .all(|((_, e), p)| p.is_some() && key_entity(e, &row) == *p);
                if let (Some(g), false) = (previous, entities_match) {
                    for ((_, e), k) in self.keys.iter().zip(&groups[g].0) {
                        if !equivalent(&*eval_ref(e, &row, cx)?, &k.0) {
                            same = None;
                            break;
                        }
                    }
                }
                if !entities_match {
                    previous_entities.clear();
                    previous_entities.extend(self.keys.iter().map(|(_, e)| key_entity(e, &row)));
                }
                match same {
                    Some(g) => g,
                    None => {
                        key.clear();
                        for (_, e) in &self.keys {
                            key.push(GroupKey(eval(e, &row, cx)?));
                        }
                        match index.get(&key) {
                            Some(&g) => g,
                            None => {
                                index.insert(key.clone(), groups.len());
                                groups.push((key.clone(), self.accumulators()));
                                groups.len() - 1
                            }
                        }
                    }
                }
            };
            previous = Some(group);
            for ((_, call), acc) in self.aggregates.iter().zip(groups[group].1.iter_mut()) {
                let updated = match &call.args[..] {
                    // count(*): every row counts.
                    [] => acc.update(&[Value::Bool(true)]),
                    // One argument, read in place.
                    [a] => acc.update(std::slice::from_ref(&*eval_ref(a, &row, cx)?)),
                    more => {
                        args.clear();
                        for a in more {
                            args.push(eval(a, &row, cx)?);
                        }
                        acc.update(&args)
                    }
                };
                updated.map_err(|e| e.or_span(call.span))?;
            }
        }
        // Without grouping keys there is always one group, even over no rows.
        if groups.is_empty() && self.keys.is_empty() {
            groups.push((Vec::new(), self.accumulators()));
        }
        groups
            .into_iter()
            .map(|(key, accs)| {
                let mut row = vec![Value::Null; self.width];
                for ((slot, _), value) in self.keys.iter().zip(key) {
                    row[*slot] = value.0;
                }
                for ((slot, call), acc) in self.aggregates.iter().zip(accs) {
                    row[*slot] = acc.finish().map_err(|e| e.or_span(call.span))?;
                }
                Ok(row)
            })
            .collect()
    }
}

/// A node or relationship, as the source of a grouping key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entity {
    Node(NodeId),
    Rel(RelId),
}

/// The entity whose property (or whose self) key `e` is, in `row`: two rows with the same
/// entity there have equivalent key values.
fn key_entity(e: &PlanExpr, row: &Row) -> Option<Entity> {
    let slot = match &e.kind {
        PlanExprKind::Slot(s) => *s,
        PlanExprKind::Property(target, _) => match target.kind {
            PlanExprKind::Slot(s) => s,
            _ => return None,
        },
        _ => return None,
    };
    match row[slot] {
        Value::Node(n) => Some(Entity::Node(n)),
        Value::Rel(r) => Some(Entity::Rel(r)),
        _ => None,
    }
}

impl Operator for Aggregate {
    fn open(&mut self, arg: &Row) {
        self.input.open(arg);
        self.width = arg.len();
        self.output = None;
    }

    fn next(&mut self, cx: &Cx<'_>) -> Result<Option<Row>> {
        if self.output.is_none() {
            self.output = Some(self.run(cx)?.into_iter());
        }
        Ok(self.output.as_mut().and_then(Iterator::next))
    }
}
