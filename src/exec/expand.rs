//! Relationship operators: single hops, variable-length hops (trail semantics: no
//! relationship twice), shortest paths (breadth-first, never enumerating all paths),
//! and named-path binding.

use std::collections::HashMap;
use std::sync::Arc;

use crate::error::Result;
use crate::graph::hash::FxHashMap;
use crate::graph::{Direction, Graph, NodeId, RelId, TypeFilter};
use crate::plan::{Hop, PathStep, PlanExpr, Slot};
use crate::value::{Path, Value, ops};

use super::scan::{Labels, Predicates, passes, prefetch_ahead};
use super::{BoxOp, Cx, FanOut, Operator, Row, eval};

/// Whether relationship `r` may be used given the hop's uniqueness slots.
fn unused(row: &Row, unique: &[Slot], r: RelId) -> bool {
    unique.iter().all(|u| match &row[*u] {
        Value::Rel(x) => *x != r,
        Value::List(items) => !items.iter().any(|i| matches!(i, Value::Rel(x) if *x == r)),
        _ => true,
    })
}

/// Whether node `n` may end the hop: the bound target, and the target's labels.
fn target_ok(graph: &Graph, row: &Row, hop: &Hop, n: NodeId) -> bool {
    if hop.to_bound && !matches!(row[hop.to], Value::Node(t) if t == n) {
        return false;
    }
    passes(graph, n, &hop.to_check)
}

/// One relationship from the bound `from` node.
pub(super) struct Expand {
    input: BoxOp,
    hop: Hop,
    current: Option<Row>,
    buf: Vec<(RelId, NodeId)>,
    pos: usize,
    /// The hop's types, target labels and target predicates, resolved on the first row of
    /// a run.
    resolved: Option<(TypeFilter, Labels, Predicates)>,
    /// When closing a cycle: the typed neighbours of each bound target seen so far, sorted
    /// by neighbour. `rels_between` already binary-searches a compacted row, but setting
    /// up that search costs more per row than the search in this list, which also holds
    /// only the hop's types (q10: 2.1M checks against 400 places). Bounded: past
    /// `INTO_CACHE_MAX` entries, further targets use `rels_between`.
    into_cache: FxHashMap<NodeId, Vec<(NodeId, RelId)>>,
    into_cached: usize,
}

/// Most neighbour entries an `Expand` caches for closing cycles (8 bytes each).
const INTO_CACHE_MAX: usize = 1 << 22;

impl Expand {
    pub fn new(input: BoxOp, hop: Hop) -> Self {
        Expand {
            input,
            hop,
            current: None,
            buf: Vec::new(),
            pos: 0,
            resolved: None,
            into_cache: FxHashMap::default(),
            into_cached: 0,
        }
    }
}

impl Operator for Expand {
    fn open(&mut self, arg: &Row) {
        self.input.open(arg);
        self.current = None;
        // The graph may have changed between runs of a subplan.
        self.resolved = None;
        self.into_cache.clear();
        self.into_cached = 0;
    }

    fn next(&mut self, cx: &Cx<'_>) -> Result<Option<Row>> {
        let hop = &self.hop;
        let graph = cx.graph;
        let (types, labels, predicates) = self.resolved.get_or_insert_with(|| {
            (
                graph.type_filter(&hop.types),
                Labels::of(graph, &hop.to_check),
                Predicates::prepare(&hop.to_check, hop.to, Some(hop.rel), cx),
            )
        });
        loop {
            if let Some(row) = &mut self.current {
                while self.pos < self.buf.len() {
                    let (r, n) = self.buf[self.pos];
                    prefetch_ahead(graph, &self.buf, self.pos, |&(_, n)| n);
                    self.pos += 1;
                    cx.tick()?;
                    if hop.rel_bound && !matches!(row[hop.rel], Value::Rel(x) if x == r) {
                        continue;
                    }
                    if hop.to_bound && !matches!(row[hop.to], Value::Node(t) if t == n) {
                        continue;
                    }
                    if !unused(row, &hop.unique, r) || !labels.admit(graph, n) {
                        continue;
                    }
                    // Try the candidate in place; copy the row only when it is kept.
                    row[hop.rel] = Value::Rel(r);
                    row[hop.to] = Value::Node(n);
                    if predicates.is_empty()
                        || predicates.accept(&hop.to_check, n, Some(r), row, cx)?
                    {
                        return Ok(Some(row.clone()));
                    }
                }
            }
            let Some(row) = self.input.next(cx)? else {
                return Ok(None);
            };
            self.buf.clear();
            self.pos = 0;
            match (&row[hop.from], &row[hop.to]) {
                // Both ends bound (a cycle closing): in the row of the end bound earlier,
                // the relationships reaching `from` (a binary search once compacted).
                (Value::Node(from), Value::Node(to)) if hop.to_bound => {
                    let (from, to) = (*from, *to);
                    let back = match hop.direction {
                        Direction::Outgoing => Direction::Incoming,
                        Direction::Incoming => Direction::Outgoing,
                        Direction::Both => Direction::Both,
                    };
                    if !self.into_cache.contains_key(&to) && self.into_cached < INTO_CACHE_MAX {
                        let mut v: Vec<(NodeId, RelId)> = graph
                            .relationships_with(to, back, types.clone())
                            .map(|(r, n)| (n, r))
                            .collect();
                        // Stable: parallel relationships keep their order.
                        v.sort_by_key(|&(n, _)| n);
                        self.into_cached += v.len().max(1);
                        self.into_cache.insert(to, v);
                    }
                    match self.into_cache.get(&to) {
                        Some(neighbours) => {
                            let first = neighbours.partition_point(|&(n, _)| n < from);
                            self.buf.extend(
                                neighbours[first..]
                                    .iter()
                                    .take_while(|&&(n, _)| n == from)
                                    .map(|&(_, r)| (r, to)),
                            );
                        }
                        None => self
                            .buf
                            .extend(graph.rels_between(to, from, back, types).map(|r| (r, to))),
                    }
                }
                (Value::Node(from), _) => {
                    self.buf
                        .extend(graph.relationships_with(*from, hop.direction, types.clone()))
                }
                _ => {}
            }
            self.current = Some(row);
        }
    }
}

/// `*min..max` hops from the bound `from` node, one row per trail.
pub(super) struct VarLengthExpand {
    input: BoxOp,
    hop: Hop,
    min: u64,
    max: Option<u64>,
    rel_properties: Vec<(Arc<str>, PlanExpr)>,
    reversed: bool,
    fan_out: FanOut<(Vec<RelId>, NodeId)>,
}

impl VarLengthExpand {
    pub fn new(
        input: BoxOp,
        hop: Hop,
        min: u64,
        max: Option<u64>,
        rel_properties: Vec<(Arc<str>, PlanExpr)>,
        reversed: bool,
    ) -> Self {
        VarLengthExpand {
            input,
            hop,
            min,
            max,
            rel_properties,
            reversed,
            fan_out: FanOut::new(),
        }
    }

    /// Every trail from `from` of an allowed length, depth-first with an explicit stack.
    fn trails(&self, from: NodeId, row: &Row, cx: &Cx<'_>) -> Result<Vec<(Vec<RelId>, NodeId)>> {
        let graph = cx.graph;
        let props: Vec<(Arc<str>, Value)> = self
            .rel_properties
            .iter()
            .map(|(k, e)| Ok((k.clone(), eval(e, row, cx)?)))
            .collect::<Result<_>>()?;
        let rel_ok = |r: RelId| {
            props.iter().all(|(k, v)| {
                graph
                    .rel_property(r, k)
                    .is_some_and(|p| ops::equals(&p, v) == Some(true))
            })
        };
        let neighbours = |n: NodeId| -> Vec<(RelId, NodeId)> {
            graph
                .relationships_of(n, self.hop.direction, &self.hop.types)
                .filter(|(r, _)| rel_ok(*r) && unused(row, &self.hop.unique, *r))
                .collect()
        };
        if self.hop.rel_bound {
            return Ok(self.follow(from, row, cx, &rel_ok).into_iter().collect());
        }
        let mut out = Vec::new();
        let mut path: Vec<RelId> = Vec::new();
        if self.min == 0 && target_ok(graph, row, &self.hop, from) {
            out.push((Vec::new(), from));
        }
        if self.max == Some(0) {
            return Ok(out);
        }
        // Each frame: the node's candidate hops and the next one to try.
        let mut stack: Vec<(Vec<(RelId, NodeId)>, usize)> = vec![(neighbours(from), 0)];
        while let Some((hops, i)) = stack.last_mut() {
            let Some(&(r, n)) = hops.get(*i) else {
                stack.pop();
                path.pop();
                continue;
            };
            *i += 1;
            cx.tick()?;
            if path.contains(&r) {
                continue;
            }
            path.push(r);
            let depth = path.len() as u64;
            if depth >= self.min && target_ok(graph, row, &self.hop, n) {
                out.push((path.clone(), n));
            }
            if self.max.is_some_and(|m| depth >= m) {
                path.pop();
            } else {
                stack.push((neighbours(n), 0));
            }
        }
        Ok(out)
    }
}

impl VarLengthExpand {
    /// A relationship list bound earlier: the trail must be exactly that list, in order
    /// (written order, so walked backwards when expanding against it).
    fn follow(
        &self,
        from: NodeId,
        row: &Row,
        cx: &Cx<'_>,
        rel_ok: &dyn Fn(RelId) -> bool,
    ) -> Option<(Vec<RelId>, NodeId)> {
        let Value::List(items) = &row[self.hop.rel] else {
            return None;
        };
        let mut rels: Vec<RelId> = items
            .iter()
            .map(|i| match i {
                Value::Rel(r) => Some(*r),
                _ => None,
            })
            .collect::<Option<_>>()?;
        if self.reversed {
            rels.reverse();
        }
        let len = rels.len() as u64;
        if len < self.min || self.max.is_some_and(|m| len > m) {
            return None;
        }
        let mut node = from;
        for (i, r) in rels.iter().enumerate() {
            if rels[..i].contains(r) || !rel_ok(*r) {
                return None;
            }
            let (_, next) = cx
                .graph
                .relationships_of(node, self.hop.direction, &self.hop.types)
                .find(|(x, _)| x == r)?;
            node = next;
        }
        // Returned in walking order, like `trails`; the caller restores the written order.
        target_ok(cx.graph, row, &self.hop, node).then_some((rels, node))
    }
}

impl Operator for VarLengthExpand {
    fn open(&mut self, arg: &Row) {
        self.input.open(arg);
        self.fan_out.clear();
    }

    fn next(&mut self, cx: &Cx<'_>) -> Result<Option<Row>> {
        loop {
            if let Some((mut out, (mut rels, n))) = self.fan_out.next() {
                if self.reversed {
                    rels.reverse();
                }
                out[self.hop.rel] = Value::List(rels.into_iter().map(Value::Rel).collect());
                out[self.hop.to] = Value::Node(n);
                return Ok(Some(out));
            }
            let Some(row) = self.input.next(cx)? else {
                return Ok(None);
            };
            let results = match row[self.hop.from] {
                Value::Node(from) => self.trails(from, &row, cx)?,
                _ => Vec::new(),
            };
            self.fan_out.start(row, results);
        }
    }
}

/// shortestPath / allShortestPaths between two bound nodes.
pub(super) struct ShortestPath {
    input: BoxOp,
    hop: Hop,
    min: u64,
    max: Option<u64>,
    all: bool,
    path: Slot,
    fan_out: FanOut<Path>,
}

impl ShortestPath {
    pub fn new(input: BoxOp, hop: Hop, min: u64, max: Option<u64>, all: bool, path: Slot) -> Self {
        ShortestPath {
            input,
            hop,
            min,
            max,
            all,
            path,
            fan_out: FanOut::new(),
        }
    }

    /// Breadth-first search from `from`, recording every parent at the shortest depth,
    /// stopping at the level where `to` is reached.
    fn search(&self, from: NodeId, to: NodeId, cx: &Cx<'_>) -> Result<Vec<Path>> {
        if from == to {
            return Ok(if self.min == 0 {
                vec![Path::single(from)]
            } else {
                Vec::new()
            });
        }
        if !self.all && self.min <= 1 {
            return Ok(self.bidirectional(from, to, cx)?.into_iter().collect());
        }
        let graph = cx.graph;
        // node → (depth, parents as (parent node, rel))
        let mut seen: FxHashMap<NodeId, (u64, Vec<(NodeId, RelId)>)> = FxHashMap::default();
        seen.insert(from, (0, Vec::new()));
        let mut frontier = vec![from];
        let mut depth = 0;
        while !frontier.is_empty() && !seen.contains_key(&to) {
            if self.max.is_some_and(|m| depth >= m) {
                break;
            }
            depth += 1;
            let mut next = Vec::new();
            for n in frontier {
                for (r, m) in graph.relationships_of(n, self.hop.direction, &self.hop.types) {
                    cx.tick()?;
                    match seen.get_mut(&m) {
                        Some((d, parents)) if *d == depth => parents.push((n, r)),
                        Some(_) => {}
                        None => {
                            seen.insert(m, (depth, vec![(n, r)]));
                            next.push(m);
                        }
                    }
                }
            }
            frontier = next;
        }
        if !seen.contains_key(&to) || depth < self.min {
            return Ok(Vec::new());
        }
        // Walk parents back from `to`; for shortestPath only the first parent each time.
        let mut paths = Vec::new();
        let mut stack: Vec<(NodeId, Vec<RelId>, Vec<NodeId>)> = vec![(to, Vec::new(), vec![to])];
        while let Some((n, rels, nodes)) = stack.pop() {
            if n == from {
                let mut nodes = nodes;
                let mut rels = rels;
                nodes.reverse();
                rels.reverse();
                paths.push(Path { nodes, rels });
                if !self.all {
                    break;
                }
                continue;
            }
            let parents = seen.get(&n).map(|(_, p)| p.as_slice()).unwrap_or(&[]);
            let take = if self.all { parents.len() } else { 1 };
            for (p, r) in parents.iter().take(take) {
                let mut rels = rels.clone();
                rels.push(*r);
                let mut nodes = nodes.clone();
                nodes.push(*p);
                stack.push((*p, rels, nodes));
            }
        }
        Ok(paths)
    }
}

impl ShortestPath {
    /// One shortest path, searching from both ends and always growing the smaller frontier.
    /// Levels are expanded whole, so the first meeting point gives a shortest path.
    fn bidirectional(&self, from: NodeId, to: NodeId, cx: &Cx<'_>) -> Result<Option<Path>> {
        let graph = cx.graph;
        let back = match self.hop.direction {
            Direction::Outgoing => Direction::Incoming,
            Direction::Incoming => Direction::Outgoing,
            Direction::Both => Direction::Both,
        };
        // node → (parent, rel) towards `from` (forward) or towards `to` (backward)
        let mut fwd: HashMap<NodeId, Option<(NodeId, RelId)>> = HashMap::from([(from, None)]);
        let mut bwd: HashMap<NodeId, Option<(NodeId, RelId)>> = HashMap::from([(to, None)]);
        let (mut ff, mut fb) = (vec![from], vec![to]);
        let mut length = 0u64;
        let mut meet = None;
        while meet.is_none() && !ff.is_empty() && !fb.is_empty() {
            if self.max.is_some_and(|m| length >= m) {
                return Ok(None);
            }
            length += 1;
            let forward = ff.len() <= fb.len();
            let (frontier, seen, other, direction) = if forward {
                (&mut ff, &mut fwd, &bwd, self.hop.direction)
            } else {
                (&mut fb, &mut bwd, &fwd, back)
            };
            let mut next = Vec::new();
            'level: for &n in frontier.iter() {
                for (r, m) in graph.relationships_of(n, direction, &self.hop.types) {
                    cx.tick()?;
                    if seen.contains_key(&m) {
                        continue;
                    }
                    seen.insert(m, Some((n, r)));
                    if other.contains_key(&m) {
                        meet = Some(m);
                        break 'level;
                    }
                    next.push(m);
                }
            }
            *frontier = next;
        }
        let Some(meet) = meet else {
            return Ok(None);
        };
        let mut nodes = vec![meet];
        let mut rels = Vec::new();
        let mut n = meet;
        while let Some(Some((p, r))) = fwd.get(&n) {
            nodes.push(*p);
            rels.push(*r);
            n = *p;
        }
        nodes.reverse();
        rels.reverse();
        let mut n = meet;
        while let Some(Some((p, r))) = bwd.get(&n) {
            nodes.push(*p);
            rels.push(*r);
            n = *p;
        }
        Ok(Some(Path { nodes, rels }))
    }
}

impl Operator for ShortestPath {
    fn open(&mut self, arg: &Row) {
        self.input.open(arg);
        self.fan_out.clear();
    }

    fn next(&mut self, cx: &Cx<'_>) -> Result<Option<Row>> {
        loop {
            if let Some((mut out, path)) = self.fan_out.next() {
                out[self.hop.rel] = Value::List(path.rels.iter().map(|r| Value::Rel(*r)).collect());
                out[self.path] = Value::Path(Box::new(path));
                return Ok(Some(out));
            }
            let Some(row) = self.input.next(cx)? else {
                return Ok(None);
            };
            let results = match (&row[self.hop.from], &row[self.hop.to]) {
                (Value::Node(a), Value::Node(b)) => self.search(*a, *b, cx)?,
                _ => Vec::new(),
            };
            self.fan_out.start(row, results);
        }
    }
}

/// Builds a path value from its start node and relationships; null if any part is null.
pub(super) fn build_path(row: &Row, steps: &[PathStep], graph: &Graph) -> Value {
    let mut path = Path {
        nodes: Vec::new(),
        rels: Vec::new(),
    };
    let step = |r: RelId, path: &mut Path| -> bool {
        let (Some(last), Some((a, b))) = (path.nodes.last().copied(), graph.rel_endpoints(r))
        else {
            return false;
        };
        path.rels.push(r);
        path.nodes.push(if a == last { b } else { a });
        true
    };
    for s in steps {
        let ok = match (
            s,
            &row[match s {
                PathStep::Start(x) | PathStep::Rel(x) | PathStep::Rels(x) => *x,
            }],
        ) {
            (PathStep::Start(_), Value::Node(n)) => {
                path.nodes.push(*n);
                true
            }
            (PathStep::Rel(_), Value::Rel(r)) => step(*r, &mut path),
            (PathStep::Rels(_), Value::List(items)) => items.iter().all(|i| match i {
                Value::Rel(r) => step(*r, &mut path),
                _ => false,
            }),
            _ => false,
        };
        if !ok {
            return Value::Null;
        }
    }
    Value::Path(Box::new(path))
}

/// Binds a named path.
pub(super) struct BindPath {
    pub input: BoxOp,
    pub slot: Slot,
    pub steps: Vec<PathStep>,
}

impl Operator for BindPath {
    fn open(&mut self, arg: &Row) {
        self.input.open(arg);
    }

    fn next(&mut self, cx: &Cx<'_>) -> Result<Option<Row>> {
        let Some(mut row) = self.input.next(cx)? else {
            return Ok(None);
        };
        row[self.slot] = build_path(&row, &self.steps, cx.graph);
        Ok(Some(row))
    }
}
