//! Leaf and node operators: the argument row, materialized rows, node scans and checks.

use crate::error::Result;
use crate::graph::{Graph, LabelId, NodeId};
use crate::plan::{NodeCheck as Check, ScanSource, Slot};
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

/// How many candidates ahead a scan asks for property values (see `Graph::prefetch_node`).
pub(super) const PREFETCH_DISTANCE: usize = 24;

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
        })
    }
}

impl Operator for NodeScan {
    fn open(&mut self, arg: &Row) {
        self.input.open(arg);
        self.current = None;
        // The graph may have changed between runs of a subplan.
        self.labels = None;
    }

    fn next(&mut self, cx: &Cx<'_>) -> Result<Option<Row>> {
        let labels = self
            .labels
            .get_or_insert_with(|| Labels::of(cx.graph, &self.check));
        loop {
            if let Some(row) = &mut self.current {
                while self.pos < self.ids.len() {
                    let id = self.ids[self.pos];
                    if let Some(&ahead) = self.ids.get(self.pos + PREFETCH_DISTANCE) {
                        cx.graph.prefetch_node(ahead);
                    }
                    self.pos += 1;
                    cx.tick()?;
                    if labels.admit(cx.graph, id) {
                        // Try the candidate in place; copy the row only when it is kept.
                        row[self.slot] = Value::Node(id);
                        if accepts(&self.check, row, cx)? {
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
