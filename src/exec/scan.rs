//! Leaf and node operators: the argument row, materialized rows, node scans and checks.

use std::sync::Arc;

use crate::ast::BinaryOp;
use crate::error::Result;
use crate::graph::schema::Seek;
use crate::graph::{Graph, LabelId, NodeId, RelId};
use crate::plan::{IndexSeek, NodeCheck as Check, PlanExpr, PlanExprKind, ScanSource, Slot};
use crate::value::{Value, ops};

use super::{BoxOp, Cx, Operator, Row, eval};

/// Yields the row the plan was opened with, once.
#[derive(Default)]
pub(super) struct Argument {
    row: Option<Row>,
}

impl Operator for Argument {
    fn open(&mut self, arg: &Row) {
        self.row = Some(arg.clone());
    }

    fn next(&mut self, _cx: &Cx<'_>) -> Result<Option<Row>> {
        Ok(self.row.take())
    }
}

/// Rows computed ahead of time (the output of a write clause). `open` does not rewind.
pub(super) struct Rows {
    pub rows: std::vec::IntoIter<Row>,
}

impl Operator for Rows {
    fn open(&mut self, _arg: &Row) {}

    fn next(&mut self, _cx: &Cx<'_>) -> Result<Option<Row>> {
        Ok(self.rows.next())
    }
}

/// Whether node `id` has every label of `check`.
pub(super) fn passes(graph: &Graph, id: NodeId, check: &Check) -> bool {
    check.labels.iter().all(|l| graph.has_label(id, l))
}

/// Whether `row` satisfies the predicates fused into a binding operator.
pub(super) fn accepts(check: &Check, row: &Row, cx: &Cx<'_>) -> Result<bool> {
    for predicate in &check.predicates {
        let value = eval(predicate, row, cx)?;
        if ops::truth(&value).map_err(|e| e.or_span(predicate.span))? != Some(true) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// A predicate fused into a binding operator, prepared once per run. `node.key <op> c`
/// with `c` a constant or a parameter that has a value is read straight off the candidate
/// node's properties: no expression walk, no parameter lookup, no intermediate value.
/// Anything else goes through `eval`. Both refer to the predicate by its index in the
/// `NodeCheck`.
enum Prepared {
    Property {
        index: usize,
        /// The property is the relationship's being bound, not the node's.
        on_rel: bool,
        key: Arc<str>,
        op: BinaryOp,
        operand: Value,
    },
    General(usize),
}

/// The fused predicates of a `NodeCheck` on the node bound to one slot.
pub(super) struct Predicates(Vec<Prepared>);

impl Predicates {
    /// Prepares `check`'s predicates for candidate nodes bound to `slot` (and candidate
    /// relationships bound to `rel`, for an expansion).
    pub fn prepare(check: &Check, slot: Slot, rel: Option<Slot>, cx: &Cx<'_>) -> Predicates {
        Predicates(
            check
                .predicates
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    Self::prepare_one(i, p, slot, rel, cx).unwrap_or(Prepared::General(i))
                })
                .collect(),
        )
    }

    fn prepare_one(
        index: usize,
        predicate: &PlanExpr,
        slot: Slot,
        rel: Option<Slot>,
        cx: &Cx<'_>,
    ) -> Option<Prepared> {
        let PlanExprKind::Binary(op, a, b) = &predicate.kind else {
            return None;
        };
        let fast = matches!(
            op,
            BinaryOp::Eq
                | BinaryOp::Ne
                | BinaryOp::Lt
                | BinaryOp::Le
                | BinaryOp::Gt
                | BinaryOp::Ge
                | BinaryOp::StartsWith
                | BinaryOp::EndsWith
                | BinaryOp::Contains
        );
        let PlanExprKind::Property(target, key) = &a.kind else {
            return None;
        };
        let on_rel = match target.kind {
            PlanExprKind::Slot(s) if s == slot => false,
            PlanExprKind::Slot(s) if Some(s) == rel => true,
            _ => return None,
        };
        if !fast {
            return None;
        }
        let operand = match &b.kind {
            PlanExprKind::Const(v) => v.clone(),
            // A missing parameter stays general, so it fails as it always has.
            PlanExprKind::Param(name) => cx.params.get(name)?.clone(),
            _ => return None,
        };
        Some(Prepared::Property {
            index,
            on_rel,
            key: key.clone(),
            op: *op,
            operand,
        })
    }

    /// Whether there is nothing to check, so that a hot loop can skip `accept`.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `row`, with candidate node `id` (and relationship `rel`) bound, satisfies
    /// every predicate of `check`.
    pub fn accept(
        &self,
        check: &Check,
        id: NodeId,
        rel: Option<RelId>,
        row: &Row,
        cx: &Cx<'_>,
    ) -> Result<bool> {
        for p in &self.0 {
            let pass = match p {
                Prepared::Property {
                    index,
                    on_rel,
                    key,
                    op,
                    operand,
                } => match compare_property(cx.graph, *on_rel, (id, rel), key, *op, operand) {
                    Some(pass) => pass,
                    // A deleted entity: let `eval` report it.
                    None => general(&check.predicates[*index], row, cx)?,
                },
                Prepared::General(index) => general(&check.predicates[*index], row, cx)?,
            };
            if !pass {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// `property <op> operand` on the candidate node, or relationship when `on_rel` (a
/// missing property is null); `None` when that entity is deleted. The value is compared
/// where it is stored, without copying it.
fn compare_property(
    graph: &Graph,
    on_rel: bool,
    (id, rel): (NodeId, Option<RelId>),
    key: &str,
    op: BinaryOp,
    operand: &Value,
) -> Option<bool> {
    let pass = |value: &Value| compare(op, value, operand) == Some(true);
    if on_rel {
        let r = rel.filter(|&r| graph.contains_rel(r))?;
        Some(
            graph
                .with_rel_property(r, key, pass)
                .unwrap_or_else(|| pass(&Value::Null)),
        )
    } else {
        let n = graph.node(id)?;
        Some(pass(n.properties.get(key).unwrap_or(&Value::Null)))
    }
}

/// `value <op> operand` for the operators `Predicates` reads in place.
fn compare(op: BinaryOp, value: &Value, operand: &Value) -> Option<bool> {
    match op {
        BinaryOp::Eq => ops::equals(value, operand),
        BinaryOp::Ne => ops::not(ops::equals(value, operand)),
        BinaryOp::Lt => ops::less_than(value, operand),
        BinaryOp::Le => ops::less_equal(value, operand),
        BinaryOp::Gt => ops::greater_than(value, operand),
        BinaryOp::Ge => ops::greater_equal(value, operand),
        BinaryOp::StartsWith => ops::starts_with(value, operand),
        BinaryOp::EndsWith => ops::ends_with(value, operand),
        BinaryOp::Contains => ops::contains(value, operand),
        _ => None,
    }
}

fn general(predicate: &PlanExpr, row: &Row, cx: &Cx<'_>) -> Result<bool> {
    let value = eval(predicate, row, cx)?;
    Ok(ops::truth(&value).map_err(|e| e.or_span(predicate.span))? == Some(true))
}

/// A `NodeCheck` resolved against the graph once per run: label ids instead of names, so
/// checking a node is a bit test.
pub(super) struct Labels(Option<Vec<LabelId>>);

impl Labels {
    pub fn of(graph: &Graph, check: &Check) -> Labels {
        // A label no node carries: nothing can pass.
        Labels(check.labels.iter().map(|l| graph.label_id(l)).collect())
    }

    #[inline]
    pub fn admit(&self, graph: &Graph, id: NodeId) -> bool {
        self.0
            .as_ref()
            .is_some_and(|ids| ids.iter().all(|&l| graph.has_label_id(id, l)))
    }
}

/// How many candidates ahead a scan asks for a node's record, and then for its property
/// values (see `Graph::prefetch_node`).
const PREFETCH_RECORD: usize = 16;
const PREFETCH_VALUES: usize = 8;

/// Prefetches for the candidate at `pos` of `ids`, read a few candidates from now.
#[inline]
pub(super) fn prefetch_ahead<T>(graph: &Graph, ids: &[T], pos: usize, node: impl Fn(&T) -> NodeId) {
    if let Some(far) = ids.get(pos + PREFETCH_RECORD) {
        graph.prefetch_node(node(far));
    }
    if let Some(near) = ids.get(pos + PREFETCH_VALUES) {
        graph.prefetch_properties(node(near));
    }
}

/// For each input row, each node of the source, bound to `slot`.
pub(super) struct NodeScan {
    input: BoxOp,
    slot: Slot,
    source: ScanSource,
    check: Check,
    current: Option<Row>,
    ids: Vec<NodeId>,
    pos: usize,
    /// `check`, resolved on the first row of a run.
    labels: Option<Labels>,
    predicates: Option<Predicates>,
}

impl NodeScan {
    pub fn new(input: BoxOp, slot: Slot, source: ScanSource, check: Check) -> Self {
        NodeScan {
            input,
            slot,
            source,
            check,
            current: None,
            ids: Vec::new(),
            pos: 0,
            labels: None,
            predicates: None,
        }
    }

    /// The candidate nodes for one input row (the smallest label set when several).
    fn candidates(source: &ScanSource, row: &Row, cx: &Cx<'_>) -> Result<Vec<NodeId>> {
        let graph = cx.graph;
        let by_labels = |labels: &[std::sync::Arc<str>]| -> Vec<NodeId> {
            match labels.iter().min_by_key(|l| graph.label_count(l)) {
                Some(label) => graph.nodes_with_label(label).collect(),
                None => graph.nodes().collect(),
            }
        };
        Ok(match source {
            ScanSource::All => graph.nodes().collect(),
            ScanSource::Labels(labels) => by_labels(labels),
            ScanSource::Index { labels, key, value } => {
                let value = eval(value, row, cx)?;
                match graph.lookup_index(key, &value) {
                    Some(ids) => ids,
                    None => by_labels(labels),
                }
            }
            ScanSource::RangeIndex {
                labels,
                label,
                key,
                seek,
            } => {
                let seek = index_seek(seek, row, cx)?;
                match graph.seek_nodes(label, key, &seek) {
                    Some(ids) => ids,
                    None => by_labels(labels),
                }
            }
        })
    }
}

impl Operator for NodeScan {
    fn open(&mut self, arg: &Row) {
        self.input.open(arg);
        self.current = None;
        // The graph may have changed between runs of a subplan.
        self.labels = None;
        self.predicates = None;
    }

    fn next(&mut self, cx: &Cx<'_>) -> Result<Option<Row>> {
        let labels = self
            .labels
            .get_or_insert_with(|| Labels::of(cx.graph, &self.check));
        let predicates = self
            .predicates
            .get_or_insert_with(|| Predicates::prepare(&self.check, self.slot, None, cx));
        loop {
            if let Some(row) = &mut self.current {
                while self.pos < self.ids.len() {
                    let id = self.ids[self.pos];
                    prefetch_ahead(cx.graph, &self.ids, self.pos, |&n| n);
                    self.pos += 1;
                    cx.tick()?;
                    if labels.admit(cx.graph, id) {
                        // Try the candidate in place; copy the row only when it is kept.
                        row[self.slot] = Value::Node(id);
                        if predicates.is_empty()
                            || predicates.accept(&self.check, id, None, row, cx)?
                        {
                            return Ok(Some(row.clone()));
                        }
                    }
                }
            }
            match self.input.next(cx)? {
                Some(row) => {
                    self.ids = Self::candidates(&self.source, &row, cx)?;
                    self.pos = 0;
                    self.current = Some(row);
                }
                None => return Ok(None),
            }
        }
    }
}

/// The values of a planned seek for one row. A value that rules every node out (null, a
/// prefix that is no string) seeks nothing; one the index cannot order by (a list, a map)
/// makes the caller scan instead, and the check decides.
fn index_seek(seek: &IndexSeek, row: &Row, cx: &Cx<'_>) -> Result<Seek> {
    let value = |e: &PlanExpr| eval(e, row, cx);
    Ok(match seek {
        IndexSeek::Equal(e) => match value(e)? {
            Value::Null => Seek::Equal(Vec::new()),
            v => Seek::Equal(vec![v]),
        },
        IndexSeek::In(e) => match value(e)? {
            Value::List(items) => Seek::Equal(items.into_iter().filter(|v| !v.is_null()).collect()),
            // `IN null` is null and `IN 1` an error the check raises: scan.
            other => Seek::Equal(vec![other, Value::List(Vec::new())]),
        },
        IndexSeek::Prefix(e) => match value(e)? {
            Value::String(prefix) => Seek::Prefix(prefix),
            _ => Seek::Equal(Vec::new()),
        },
        IndexSeek::Range { lower, upper } => {
            let bound = |b: &Option<(PlanExpr, bool)>| -> Result<Option<(Value, bool)>> {
                b.as_ref()
                    .map(|(e, inclusive)| Ok((value(e)?, *inclusive)))
                    .transpose()
            };
            let (lower, upper) = (bound(lower)?, bound(upper)?);
            let null = |b: &Option<(Value, bool)>| b.as_ref().is_some_and(|(v, _)| v.is_null());
            if null(&lower) || null(&upper) {
                Seek::Equal(Vec::new())
            } else {
                Seek::Range { lower, upper }
            }
        }
    })
}

/// Drops rows whose (already bound) node lacks the pattern's labels.
pub(super) struct NodeCheck {
    pub input: BoxOp,
    pub slot: Slot,
    pub check: Check,
}

impl Operator for NodeCheck {
    fn open(&mut self, arg: &Row) {
        self.input.open(arg);
    }

    fn next(&mut self, cx: &Cx<'_>) -> Result<Option<Row>> {
        while let Some(row) = self.input.next(cx)? {
            cx.tick()?;
            if let Value::Node(id) = row[self.slot]
                && passes(cx.graph, id, &self.check)
                && accepts(&self.check, &row, cx)?
            {
                return Ok(Some(row));
            }
        }
        Ok(None)
    }
}
