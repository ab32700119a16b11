//! Patterns → operators. MATCH patterns become a scan (or index seek) of the most
//! selective node followed by expansions in both directions, with each WHERE conjunct
//! placed right after the operator that binds its last variable. CREATE/MERGE patterns
//! become `CreateOp` lists.

use std::collections::HashSet;
use std::sync::Arc;

use super::seek::Seeks;
use super::{NotSupported, Result};
use crate::ast::{
    BinaryOp, Expr, ExprKind, NodePattern, PathKind, PatternPart, RelDirection, RelationshipPattern,
};
use crate::graph::Direction;

use super::build::Builder;
use super::{
    CreateOp, Hop, LogicalPlan, NodeCheck, PathStep, PlanExpr, PlanExprKind, ScanSource, Slot,
};

/// Slots of one pattern part: nodes[i] -- rels[i] -- nodes[i + 1].
struct PartSlots {
    nodes: Vec<Slot>,
    rels: Vec<Slot>,
    path: Option<Slot>,
}

/// A WHERE conjunct or pattern property constraint waiting for its variables.
struct Conjunct {
    expr: PlanExpr,
    slots: Vec<Slot>,
}

/// What is known while planning one MATCH.
struct MatchState {
    conjuncts: Vec<Conjunct>,
    /// Slots of this MATCH not bound yet.
    pending: HashSet<Slot>,
    /// Relationship slots bound so far by this MATCH (for relationship uniqueness).
    rels: Vec<Slot>,
}

impl MatchState {
    fn bind(&mut self, slot: Slot, mut plan: LogicalPlan) -> LogicalPlan {
        self.pending.remove(&slot);
        let (ready, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.conjuncts)
            .into_iter()
            .partition(|c| c.slots.iter().all(|s| !self.pending.contains(s)));
        self.conjuncts = waiting;
        for c in ready {
            plan = LogicalPlan::Filter {
                input: Box::new(plan),
                predicate: c.expr,
            };
        }
        plan
    }

    fn is_bound(&self, slot: Slot) -> bool {
        !self.pending.contains(&slot)
    }
}

fn arcs(idents: &[crate::ast::Ident]) -> Vec<Arc<str>> {
    idents
        .iter()
        .map(|i| crate::graph::intern(&i.name))
        .collect()
}

/// The direction to follow from the left node of a relationship (or from the right if `reverse`).
fn direction(rel: &RelationshipPattern, reverse: bool) -> Direction {
    match (rel.direction, reverse) {
        (RelDirection::Both, _) => Direction::Both,
        (RelDirection::Right, false) | (RelDirection::Left, true) => Direction::Outgoing,
        (RelDirection::Left, false) | (RelDirection::Right, true) => Direction::Incoming,
    }
}

/// Splits `a AND b AND c` into its conjuncts.
fn conjuncts(expr: &Expr, out: &mut Vec<Expr>) {
    match &expr.kind {
        ExprKind::Binary(BinaryOp::And, a, b) => {
            conjuncts(a, out);
            conjuncts(b, out);
        }
        _ => out.push(expr.clone()),
    }
}

impl Builder {
    fn slot_for(&mut self, variable: Option<&crate::ast::Ident>) -> Result<Slot> {
        match variable {
            Some(v) => self.ident_slot(v),
            None => Ok(self.new_slot()),
        }
    }

    /// Property-map constraints of a pattern element as `slot.key = value` conjuncts.
    fn property_conjuncts(
        &mut self,
        slot: Slot,
        properties: Option<&Expr>,
        out: &mut Vec<Conjunct>,
    ) -> Result<()> {
        let Some(properties) = properties else {
            return Ok(());
        };
        let ExprKind::Map(entries) = &properties.kind else {
            return Err(NotSupported::feature(
                "a parameter as a property map in MATCH",
                Some(properties.span),
            ));
        };
        for (key, value) in entries {
            let value = self.expr(value)?;
            let target = PlanExpr::new(PlanExprKind::Slot(slot), key.span);
            let property = PlanExpr::new(
                PlanExprKind::Property(Box::new(target), crate::graph::intern(&key.name)),
                key.span,
            );
            let expr = PlanExpr::new(
                PlanExprKind::Binary(BinaryOp::Eq, Box::new(property), Box::new(value)),
                key.span,
            );
            let mut slots = Vec::new();
            expr.slots(&mut slots);
            out.push(Conjunct { expr, slots });
        }
        Ok(())
    }

    /// Plans a MATCH pattern (with its WHERE) on top of `input`.
    pub(super) fn match_pattern(
        &mut self,
        input: LogicalPlan,
        pattern: &[PatternPart],
        where_clause: Option<&Expr>,
    ) -> Result<LogicalPlan> {
        // Variables bound before the pattern got their slots before it: the slots so far.
        let bound_before: HashSet<Slot> = (0..self.width()).collect();
        let mut parts = Vec::new();
        for part in pattern {
            let mut nodes = vec![self.slot_for(part.element.start.variable.as_ref())?];
            let mut rels = Vec::new();
            for (rel, node) in &part.element.chain {
                rels.push(self.slot_for(rel.variable.as_ref())?);
                nodes.push(self.slot_for(node.variable.as_ref())?);
            }
            let path = part
                .variable
                .as_ref()
                .map(|v| self.slot_for(Some(v)))
                .transpose()?;
            parts.push(PartSlots { nodes, rels, path });
        }
        let mut state = MatchState {
            conjuncts: Vec::new(),
            pending: HashSet::new(),
            rels: Vec::new(),
        };
        for slots in &parts {
            for s in slots.nodes.iter().chain(&slots.rels).chain(&slots.path) {
                if !bound_before.contains(s) {
                    state.pending.insert(*s);
                }
            }
        }
        for (part, slots) in pattern.iter().zip(&parts) {
            let element = &part.element;
            let node_patterns =
                std::iter::once(&element.start).chain(element.chain.iter().map(|(_, n)| n));
            for (node, slot) in node_patterns.zip(&slots.nodes) {
                self.property_conjuncts(*slot, node.properties.as_ref(), &mut state.conjuncts)?;
            }
            for ((rel, _), slot) in element.chain.iter().zip(&slots.rels) {
                if rel.length.is_none() {
                    self.property_conjuncts(*slot, rel.properties.as_ref(), &mut state.conjuncts)?;
                }
            }
        }
        if let Some(where_clause) = where_clause {
            let mut parts = Vec::new();
            conjuncts(where_clause, &mut parts);
            for part in parts {
                let expr = self.expr(&part)?;
                let mut slots = Vec::new();
                expr.slots(&mut slots);
                state.conjuncts.push(Conjunct { expr, slots });
            }
        }
        // Conjuncts such as `n.name = <constant>` can start the match with an index seek.
        let index_keys = Seeks::of(state.conjuncts.iter().map(|c| &c.expr), &bound_before);

        let mut plan = input;
        for (part, slots) in pattern.iter().zip(&parts) {
            plan = match part.kind {
                PathKind::All => self.plan_part(plan, part, slots, &mut state, &index_keys)?,
                PathKind::Shortest | PathKind::AllShortest => {
                    self.plan_shortest(plan, part, slots, &mut state, &index_keys)?
                }
            };
        }
        for c in std::mem::take(&mut state.conjuncts) {
            plan = LogicalPlan::Filter {
                input: Box::new(plan),
                predicate: c.expr,
            };
        }
        Ok(plan)
    }

    /// Binds node `slot` by scanning (or checks it when already bound).
    fn bind_node(
        &mut self,
        plan: LogicalPlan,
        node: &NodePattern,
        slot: Slot,
        state: &mut MatchState,
        index_keys: &Seeks,
    ) -> LogicalPlan {
        let check = NodeCheck {
            labels: arcs(&node.labels),
            predicates: Vec::new(),
        };
        let plan = if state.is_bound(slot) {
            if check.labels.is_empty() {
                plan
            } else {
                LogicalPlan::NodeCheck {
                    input: Box::new(plan),
                    slot,
                    check,
                }
            }
        } else {
            let source = match index_keys.source(slot, &check.labels, &self.stats) {
                Some(source) => source,
                None if check.labels.is_empty() => ScanSource::All,
                None => ScanSource::Labels(check.labels.clone()),
            };
            LogicalPlan::NodeScan {
                input: Box::new(plan),
                slot,
                source,
                check,
            }
        };
        state.bind(slot, plan)
    }

    fn plan_part(
        &mut self,
        mut plan: LogicalPlan,
        part: &PatternPart,
        slots: &PartSlots,
        state: &mut MatchState,
        index_keys: &Seeks,
    ) -> Result<LogicalPlan> {
        let element = &part.element;
        let nodes: Vec<&NodePattern> = std::iter::once(&element.start)
            .chain(element.chain.iter().map(|(_, n)| n))
            .collect();
        // Start from the most selective node: bound > index seek > fewest labelled nodes.
        let score = |i: usize| {
            let slot = slots.nodes[i];
            if state.is_bound(slot) {
                (2, 0)
            } else if index_keys
                .source(slot, &arcs(&nodes[i].labels), &self.stats)
                .is_some()
            {
                (1, 0)
            } else {
                (0, self.stats.nodes_with(&nodes[i].labels))
            }
        };
        let start = (0..nodes.len())
            .min_by_key(|i| {
                let (class, count) = score(*i);
                (std::cmp::Reverse(class), count)
            })
            .unwrap_or(0);
        plan = self.bind_node(plan, nodes[start], slots.nodes[start], state, index_keys);
        // Then take the cheapest hop next to a bound node, one at a time: closing onto a
        // bound node first, else the smallest expected fan-out. (A node may occur twice in a
        // part, so hops can start from either end of the chain.)
        let mut done = vec![false; element.chain.len()];
        loop {
            let mut best: Option<(f64, usize, bool)> = None;
            for (i, (rel, _)) in element.chain.iter().enumerate() {
                if done[i] {
                    continue;
                }
                let (left, right) = (slots.nodes[i], slots.nodes[i + 1]);
                let option = match (state.is_bound(left), state.is_bound(right)) {
                    (true, right_bound) => Some((self.hop_cost(nodes[i], rel, right_bound), false)),
                    (false, true) => Some((self.hop_cost(nodes[i + 1], rel, false), true)),
                    (false, false) => None,
                };
                if let Some((cost, reverse)) = option
                    && best.is_none_or(|(c, _, _)| cost < c)
                {
                    best = Some((cost, i, reverse));
                }
            }
            let Some((_, i, reverse)) = best else {
                break;
            };
            done[i] = true;
            let to = if reverse { nodes[i] } else { nodes[i + 1] };
            plan = self.hop(plan, &element.chain[i].0, to, slots, i, reverse, state)?;
        }
        if let Some(path) = slots.path {
            let mut steps = vec![PathStep::Start(slots.nodes[0])];
            for ((rel, _), slot) in element.chain.iter().zip(&slots.rels) {
                steps.push(if rel.length.is_some() {
                    PathStep::Rels(*slot)
                } else {
                    PathStep::Rel(*slot)
                });
            }
            plan = LogicalPlan::BindPath {
                input: Box::new(plan),
                slot: path,
                steps,
            };
            plan = state.bind(path, plan);
        }
        Ok(plan)
    }

    /// Expected rows per input row of a hop from `from` over `rel` (0 when it only checks
    /// a bound target).
    fn hop_cost(&self, from: &NodePattern, rel: &RelationshipPattern, to_bound: bool) -> f64 {
        if to_bound && rel.length.is_none() {
            return 0.0;
        }
        let from_count = self.stats.nodes_with(&from.labels).max(1) as f64;
        let mut fan_out = self.stats.rels_with(&rel.types) as f64 / from_count;
        if rel.direction == RelDirection::Both {
            fan_out *= 2.0;
        }
        if let Some(range) = rel.length {
            // Each extra hop multiplies the work; unbounded patterns go last.
            let hops = range.max.unwrap_or(8).max(1) as i32;
            fan_out = fan_out.max(1.0).powi(hops);
        }
        fan_out
    }

    /// Expands relationship `i` of a part: left to right, or right to left when `reverse`.
    #[allow(clippy::too_many_arguments)]
    fn hop(
        &mut self,
        plan: LogicalPlan,
        rel: &RelationshipPattern,
        to_node: &NodePattern,
        slots: &PartSlots,
        i: usize,
        reverse: bool,
        state: &mut MatchState,
    ) -> Result<LogicalPlan> {
        let (from, to) = if reverse {
            (slots.nodes[i + 1], slots.nodes[i])
        } else {
            (slots.nodes[i], slots.nodes[i + 1])
        };
        let rel_slot = slots.rels[i];
        let hop = Hop {
            from,
            rel: rel_slot,
            to,
            direction: direction(rel, reverse),
            types: arcs(&rel.types),
            rel_bound: state.is_bound(rel_slot),
            to_bound: state.is_bound(to),
            to_check: NodeCheck {
                labels: arcs(&to_node.labels),
                predicates: Vec::new(),
            },
            unique: state.rels.clone(),
        };
        let plan = match rel.length {
            None => LogicalPlan::Expand {
                input: Box::new(plan),
                hop,
            },
            Some(range) => {
                let rel_properties = match &rel.properties {
                    None => Vec::new(),
                    Some(Expr {
                        kind: ExprKind::Map(entries),
                        ..
                    }) => entries
                        .iter()
                        .map(|(k, v)| Ok((crate::graph::intern(&k.name), self.expr(v)?)))
                        .collect::<Result<_>>()?,
                    Some(other) => {
                        return Err(NotSupported::feature(
                            "a parameter as a property map in MATCH",
                            Some(other.span),
                        ));
                    }
                };
                LogicalPlan::VarLengthExpand {
                    input: Box::new(plan),
                    hop,
                    min: range.min.unwrap_or(1),
                    max: range.max,
                    rel_properties,
                    reversed: reverse,
                }
            }
        };
        state.rels.push(rel_slot);
        let plan = state.bind(rel_slot, plan);
        Ok(state.bind(to, plan))
    }

    fn plan_shortest(
        &mut self,
        plan: LogicalPlan,
        part: &PatternPart,
        slots: &PartSlots,
        state: &mut MatchState,
        index_keys: &Seeks,
    ) -> Result<LogicalPlan> {
        let element = &part.element;
        let [(rel, end)] = element.chain.as_slice() else {
            return Err(NotSupported::feature(
                "shortestPath over more than one relationship pattern",
                Some(part.span),
            ));
        };
        if rel.properties.is_some() {
            return Err(NotSupported::feature(
                "a relationship property map in shortestPath",
                Some(rel.span),
            ));
        }
        let plan = self.bind_node(plan, &element.start, slots.nodes[0], state, index_keys);
        let plan = self.bind_node(plan, end, slots.nodes[1], state, index_keys);
        let range = rel.length.unwrap_or(crate::ast::LengthRange {
            min: Some(1),
            max: Some(1),
        });
        let path = match slots.path {
            Some(p) => p,
            None => self.new_slot(),
        };
        let rel_slot = slots.rels[0];
        let plan = LogicalPlan::ShortestPath {
            input: Box::new(plan),
            hop: Hop {
                from: slots.nodes[0],
                rel: rel_slot,
                to: slots.nodes[1],
                direction: direction(rel, false),
                types: arcs(&rel.types),
                rel_bound: false,
                to_bound: true,
                to_check: NodeCheck::default(),
                unique: Vec::new(),
            },
            min: range.min.unwrap_or(1),
            max: range.max,
            all: part.kind == PathKind::AllShortest,
            path,
        };
        let plan = state.bind(rel_slot, plan);
        Ok(state.bind(path, plan))
    }

    /// CREATE (and MERGE's create side): the nodes, relationships and paths to make.
    /// A variable the pattern introduces is made; one bound before is reused. MERGE's
    /// match side has already given the new variables their slots, so both sides fill the
    /// same ones.
    pub(super) fn create_pattern(&mut self, pattern: &[PatternPart]) -> Result<Vec<CreateOp>> {
        let mut ops = Vec::new();
        for part in pattern {
            let element = &part.element;
            let mut prev = self.create_node(&element.start, &mut ops)?;
            let mut steps = vec![PathStep::Start(prev)];
            for (rel, node) in &element.chain {
                let next = self.create_node(node, &mut ops)?;
                // `semantic` checked a relationship to create has exactly one type.
                let [rel_type] = rel.types.as_slice() else {
                    return Err(NotSupported::unresolved(
                        "relationship type",
                        "of CREATE",
                        rel.span,
                    ));
                };
                let properties = rel.properties.as_ref().map(|p| self.expr(p)).transpose()?;
                let slot = self.slot_for(rel.variable.as_ref())?;
                let (start, end) = match rel.direction {
                    RelDirection::Left => (next, prev),
                    _ => (prev, next),
                };
                ops.push(CreateOp::Rel {
                    slot,
                    start,
                    end,
                    rel_type: crate::graph::intern(&rel_type.name),
                    properties,
                });
                steps.push(PathStep::Rel(slot));
                prev = next;
            }
            if let Some(variable) = &part.variable {
                let slot = self.ident_slot(variable)?;
                ops.push(CreateOp::Path {
                    slot,
                    elements: steps,
                });
            }
        }
        Ok(ops)
    }

    fn create_node(&mut self, node: &NodePattern, ops: &mut Vec<CreateOp>) -> Result<Slot> {
        if let Some(v) = &node.variable
            && !self.introduces(v)
        {
            return self.ident_slot(v);
        }
        let properties = node.properties.as_ref().map(|p| self.expr(p)).transpose()?;
        let slot = self.slot_for(node.variable.as_ref())?;
        ops.push(CreateOp::Node {
            slot,
            labels: arcs(&node.labels),
            properties,
        });
        Ok(slot)
    }
}
