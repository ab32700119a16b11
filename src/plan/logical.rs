//! The logical plan: the operator tree, the plan ready to run, and their visitors
//! (children, expressions, the parameter check).

use std::sync::Arc;

use crate::graph::Direction;

use super::{AggregateCall, PlanExpr, Slot};

/// A node pattern's constraints checked when a node is bound.
#[derive(Debug, Clone, Default)]
pub struct NodeCheck {
    pub labels: Vec<Arc<str>>,
    /// Filters fused into the binding operator by `optimize`, evaluated on the candidate
    /// row before it is copied.
    pub predicates: Vec<PlanExpr>,
}

/// One item of SET / REMOVE / ON CREATE / ON MATCH.
#[derive(Debug, Clone)]
pub enum SetOp {
    /// `target.key = value`
    Property {
        target: PlanExpr,
        key: Arc<str>,
        value: PlanExpr,
    },
    /// `n = map` (replace) or `n += map` (merge)
    Properties {
        target: PlanExpr,
        value: PlanExpr,
        replace: bool,
    },
    /// `n:A:B`
    AddLabels {
        target: PlanExpr,
        labels: Vec<Arc<str>>,
    },
    /// `REMOVE n:A:B`
    RemoveLabels {
        target: PlanExpr,
        labels: Vec<Arc<str>>,
    },
}

/// What CREATE (and MERGE, when nothing matched) makes, in order.
#[derive(Debug, Clone)]
pub enum CreateOp {
    Node {
        slot: Slot,
        labels: Vec<Arc<str>>,
        properties: Option<PlanExpr>,
    },
    Rel {
        slot: Slot,
        start: Slot,
        end: Slot,
        rel_type: Arc<str>,
        properties: Option<PlanExpr>,
    },
    /// Binds a named path from nodes and relationships already created or matched.
    Path { slot: Slot, elements: Vec<PathStep> },
}

/// A piece of a named path, in pattern order.
#[derive(Debug, Clone, Copy)]
pub enum PathStep {
    /// The first node.
    Start(Slot),
    /// One relationship.
    Rel(Slot),
    /// A list of relationships from a variable-length pattern.
    Rels(Slot),
}

/// Scan source for NodeScan.
#[derive(Debug, Clone)]
pub enum ScanSource {
    /// Every node.
    All,
    /// Nodes with all these labels (the smallest label set is scanned).
    Labels(Vec<Arc<str>>),
    /// Nodes whose property `key` equals the value (via `Graph::lookup_index` when it can).
    Index {
        labels: Vec<Arc<str>>,
        key: Arc<str>,
        value: PlanExpr,
    },
    /// Nodes with `label` whose `key` passes `seek`, from a range index users created
    /// (`Graph::seek_nodes`; a label scan when the values cannot be looked up). The
    /// predicates stay in the check, so the index only narrows the candidates.
    RangeIndex {
        labels: Vec<Arc<str>>,
        label: Arc<str>,
        key: Arc<str>,
        seek: IndexSeek,
    },
}

/// What a range-index seek asks for, e.g. the `> 2022` of `c.founded > 2022`.
#[derive(Debug, Clone)]
pub enum IndexSeek {
    /// `= value`
    Equal(PlanExpr),
    /// `IN list`
    In(PlanExpr),
    /// Bounds, each `(value, inclusive)`; at least one.
    Range {
        lower: Option<(PlanExpr, bool)>,
        upper: Option<(PlanExpr, bool)>,
    },
    /// `STARTS WITH prefix`
    Prefix(PlanExpr),
}

impl IndexSeek {
    /// The expressions the seek evaluates.
    pub fn exprs(&self) -> Vec<&PlanExpr> {
        match self {
            IndexSeek::Equal(e) | IndexSeek::In(e) | IndexSeek::Prefix(e) => vec![e],
            IndexSeek::Range { lower, upper } => {
                lower.iter().chain(upper).map(|(e, _)| e).collect()
            }
        }
    }
}

/// What `LOAD CSV` reads and where it puts it: the record in `slot` (a list of fields, or
/// with `headers` a map keyed by the first record), its line number in `line_slot` and the
/// file's path in `file_slot` (what `linenumber()` and `file()` read).
#[derive(Debug, Clone)]
pub struct CsvLoad {
    /// The file path or `file:` URL.
    pub source: PlanExpr,
    pub headers: bool,
    pub delimiter: u8,
    pub slot: Slot,
    pub line_slot: Slot,
    pub file_slot: Slot,
}

/// Relationship hop description shared by the expand operators.
#[derive(Debug, Clone)]
pub struct Hop {
    pub from: Slot,
    pub rel: Slot,
    pub to: Slot,
    pub direction: Direction,
    /// Relationship types to follow (any when empty).
    pub types: Vec<Arc<str>>,
    /// The relationship variable was bound by an earlier clause: only it may match.
    pub rel_bound: bool,
    /// The target node is already bound: the hop must end there.
    pub to_bound: bool,
    pub to_check: NodeCheck,
    /// Relationship slots (single or list) of the same MATCH this hop must differ from.
    pub unique: Vec<Slot>,
}

/// A tree of operators. Each operator pulls rows from `input`; `Argument` is the leaf that
/// yields the row the plan was started with (one empty row at the top level).
#[derive(Debug, Clone)]
pub enum LogicalPlan {
    /// The starting row.
    Argument,
    /// For each input row, every node from `source` that passes `check`, stored in `slot`.
    NodeScan {
        input: Box<LogicalPlan>,
        slot: Slot,
        source: ScanSource,
        check: NodeCheck,
    },
    /// Checks that an already bound node satisfies a pattern (labels), dropping the row if not.
    NodeCheck {
        input: Box<LogicalPlan>,
        slot: Slot,
        check: NodeCheck,
    },
    /// One hop from a bound node.
    Expand { input: Box<LogicalPlan>, hop: Hop },
    /// `*min..max` hops; the rel slot holds the list of relationships in pattern order.
    VarLengthExpand {
        input: Box<LogicalPlan>,
        hop: Hop,
        min: u64,
        max: Option<u64>,
        /// Property constraints every relationship on the path must meet.
        rel_properties: Vec<(Arc<str>, PlanExpr)>,
        /// Expanding against the written direction: reverse the list before storing it.
        reversed: bool,
    },
    /// shortestPath / allShortestPaths between two bound nodes (BFS).
    ShortestPath {
        input: Box<LogicalPlan>,
        hop: Hop,
        min: u64,
        max: Option<u64>,
        all: bool,
        path: Slot,
    },
    /// Binds a named path.
    BindPath {
        input: Box<LogicalPlan>,
        slot: Slot,
        steps: Vec<PathStep>,
    },
    Filter {
        input: Box<LogicalPlan>,
        predicate: PlanExpr,
    },
    /// For each input row, the rows of `inner` (started from that row), or the input row
    /// with `slots` set to null when there are none.
    Optional {
        input: Box<LogicalPlan>,
        inner: Box<LogicalPlan>,
        slots: Vec<Slot>,
    },
    /// Computes expressions into slots.
    Project {
        input: Box<LogicalPlan>,
        items: Vec<(Slot, PlanExpr)>,
    },
    /// Groups by `keys` and computes `aggregates`; the output rows hold only those slots.
    Aggregate {
        input: Box<LogicalPlan>,
        keys: Vec<(Slot, PlanExpr)>,
        aggregates: Vec<(Slot, AggregateCall)>,
    },
    /// Drops rows whose `slots` repeat an earlier row.
    Distinct {
        input: Box<LogicalPlan>,
        slots: Vec<Slot>,
    },
    OrderBy {
        input: Box<LogicalPlan>,
        keys: Vec<(PlanExpr, bool)>,
        /// Keep only the first `limit` rows (set by the optimizer from a following LIMIT).
        limit: Option<PlanExpr>,
    },
    Skip {
        input: Box<LogicalPlan>,
        count: PlanExpr,
    },
    Limit {
        input: Box<LogicalPlan>,
        count: PlanExpr,
    },
    Unwind {
        input: Box<LogicalPlan>,
        expr: PlanExpr,
        slot: Slot,
    },
    /// `LOAD CSV`: for each input row, one row per record of a file.
    LoadCsv {
        input: Box<LogicalPlan>,
        load: CsvLoad,
    },
    /// Keeps only the named slots, in order, as the output row.
    Produce {
        input: Box<LogicalPlan>,
        columns: Vec<(String, Slot)>,
    },
    /// Concatenation of produced rows; `all == false` removes duplicates.
    Union { inputs: Vec<LogicalPlan>, all: bool },
    Create {
        input: Box<LogicalPlan>,
        ops: Vec<CreateOp>,
    },
    /// For each row: the rows of `pattern` (a read-only plan started from the row), applying
    /// `on_match`; or, when none, the row after `create` and `on_create`.
    Merge {
        input: Box<LogicalPlan>,
        pattern: Box<LogicalPlan>,
        create: Vec<CreateOp>,
        on_create: Vec<SetOp>,
        on_match: Vec<SetOp>,
    },
    Set {
        input: Box<LogicalPlan>,
        ops: Vec<SetOp>,
    },
    /// Removes properties (as SetOp::Property with null) and labels.
    Remove {
        input: Box<LogicalPlan>,
        ops: Vec<SetOp>,
    },
    Delete {
        input: Box<LogicalPlan>,
        exprs: Vec<PlanExpr>,
        detach: bool,
    },
    /// Consumes its input for the side effects and produces no rows (update query without RETURN).
    Discard { input: Box<LogicalPlan> },
    /// `CALL { ... }`: for each input row, the rows `inner` produces from it, with their
    /// columns stored in `outputs` (in column order). A unit subquery (no RETURN) runs
    /// `inner` for its updates and passes the input row on once.
    CallSubquery {
        input: Box<LogicalPlan>,
        inner: Box<LogicalPlan>,
        outputs: Vec<Slot>,
        unit: bool,
        /// `OPTIONAL CALL`: an input row `inner` returns nothing for passes on with the
        /// outputs null.
        optional: bool,
    },
    /// `FOREACH (x IN list | updates)`: for each input row and each element of `list`
    /// (stored in `slot`), runs `body` for its updates; passes the input row on once.
    Foreach {
        input: Box<LogicalPlan>,
        list: PlanExpr,
        slot: Slot,
        body: Box<LogicalPlan>,
    },
    /// For each input row, calls `procedure` with `args` and yields the row once per output
    /// row with `outputs` (output index, slot) set; a void procedure passes the row through.
    ProcedureCall {
        input: Box<LogicalPlan>,
        procedure: Arc<crate::procedure::Procedure>,
        args: Vec<PlanExpr>,
        outputs: Vec<(usize, Slot)>,
    },
}

/// A plan ready to run: the operator tree plus the row width it needs.
#[derive(Debug, Clone)]
pub struct Plan {
    pub root: LogicalPlan,
    pub columns: Vec<String>,
    /// Number of slots in a row.
    pub width: usize,
    /// The variable name of each slot (`anon_N` for unnamed pattern elements), for EXPLAIN.
    pub slot_names: Vec<String>,
}

impl Plan {
    /// Whether running the plan may change the graph.
    pub fn writes(&self) -> bool {
        self.root.writes()
    }
}

/// The inputs of a plan node, shared by `children` and `children_mut` (the match binds
/// by reference or by mutable reference, following `$plan`).
macro_rules! plan_inputs {
    ($plan:expr, $iter:ident) => {{
        use LogicalPlan as P;
        match $plan {
            P::Argument => vec![],
            P::Union { inputs, .. } => inputs.$iter().collect(),
            P::Optional { input, inner, .. } => vec![input, inner],
            P::Merge { input, pattern, .. } => vec![input, pattern],
            P::CallSubquery { input, inner, .. } => vec![input, inner],
            P::Foreach { input, body, .. } => vec![input, body],
            P::NodeScan { input, .. }
            | P::NodeCheck { input, .. }
            | P::Expand { input, .. }
            | P::VarLengthExpand { input, .. }
            | P::ShortestPath { input, .. }
            | P::BindPath { input, .. }
            | P::Filter { input, .. }
            | P::Project { input, .. }
            | P::Aggregate { input, .. }
            | P::Distinct { input, .. }
            | P::OrderBy { input, .. }
            | P::Skip { input, .. }
            | P::Limit { input, .. }
            | P::Unwind { input, .. }
            | P::LoadCsv { input, .. }
            | P::Produce { input, .. }
            | P::Create { input, .. }
            | P::Set { input, .. }
            | P::Remove { input, .. }
            | P::Delete { input, .. }
            | P::Discard { input }
            | P::ProcedureCall { input, .. } => vec![input],
        }
    }};
}

impl LogicalPlan {
    /// The operator's inputs (subplans inside expressions excluded).
    pub fn children(&self) -> Vec<&LogicalPlan> {
        plan_inputs!(self, iter)
    }

    /// `children`, mutably, for passes that rewrite the inputs in place.
    pub fn children_mut(&mut self) -> Vec<&mut LogicalPlan> {
        plan_inputs!(self, iter_mut)
    }

    /// Whether this plan or any input writes.
    pub fn writes(&self) -> bool {
        matches!(
            self,
            LogicalPlan::Create { .. }
                | LogicalPlan::Merge { .. }
                | LogicalPlan::Set { .. }
                | LogicalPlan::Remove { .. }
                | LogicalPlan::Delete { .. }
        ) || self.children().iter().any(|c| c.writes())
    }

    /// The expressions the operator itself evaluates (not those of its inputs).
    pub fn exprs(&self) -> Vec<&PlanExpr> {
        use LogicalPlan as P;
        match self {
            P::NodeScan { source, check, .. } => {
                let mut out: Vec<&PlanExpr> = check.predicates.iter().collect();
                match source {
                    ScanSource::Index { value, .. } => out.push(value),
                    ScanSource::RangeIndex { seek, .. } => out.extend(seek.exprs()),
                    ScanSource::All | ScanSource::Labels(_) => {}
                }
                out
            }
            P::NodeCheck { check, .. } => check.predicates.iter().collect(),
            P::Expand { hop, .. } | P::ShortestPath { hop, .. } => {
                hop.to_check.predicates.iter().collect()
            }
            P::VarLengthExpand {
                hop,
                rel_properties,
                ..
            } => hop
                .to_check
                .predicates
                .iter()
                .chain(rel_properties.iter().map(|(_, e)| e))
                .collect(),
            P::Filter { predicate, .. } => vec![predicate],
            P::Project { items, .. } => items.iter().map(|(_, e)| e).collect(),
            P::Aggregate {
                keys, aggregates, ..
            } => keys
                .iter()
                .map(|(_, e)| e)
                .chain(aggregates.iter().flat_map(|(_, a)| &a.args))
                .collect(),
            P::OrderBy { keys, limit, .. } => {
                keys.iter().map(|(e, _)| e).chain(limit.as_ref()).collect()
            }
            P::Skip { count, .. } | P::Limit { count, .. } => vec![count],
            P::Unwind { expr, .. } => vec![expr],
            P::LoadCsv { load, .. } => vec![&load.source],
            P::Foreach { list, .. } => vec![list],
            P::ProcedureCall { args, .. } | P::Delete { exprs: args, .. } => args.iter().collect(),
            P::Create { ops, .. } => create_ops(ops),
            P::Merge {
                create,
                on_create,
                on_match,
                ..
            } => {
                let mut out = create_ops(create);
                out.extend(set_ops(on_create));
                out.extend(set_ops(on_match));
                out
            }
            P::Set { ops, .. } | P::Remove { ops, .. } => set_ops(ops),
            P::Argument
            | P::BindPath { .. }
            | P::Optional { .. }
            | P::Distinct { .. }
            | P::Produce { .. }
            | P::Union { .. }
            | P::Discard { .. }
            | P::CallSubquery { .. } => vec![],
        }
    }

    /// Slots read by expressions anywhere in the plan (for deciding where filters can go).
    pub fn slots_read(&self, out: &mut Vec<Slot>) {
        use LogicalPlan as P;
        match self {
            P::NodeScan { slot, .. } | P::NodeCheck { slot, .. } => out.push(*slot),
            P::Expand { hop, .. }
            | P::VarLengthExpand { hop, .. }
            | P::ShortestPath { hop, .. } => {
                out.push(hop.from);
                out.push(hop.to);
                out.push(hop.rel);
                out.extend(&hop.unique);
            }
            P::Filter { predicate, .. } => predicate.slots(out),
            P::Project { items, .. } => items.iter().for_each(|(_, e)| e.slots(out)),
            P::Foreach { list, .. } => list.slots(out),
            P::LoadCsv { load, .. } => load.source.slots(out),
            _ => {}
        }
        for child in self.children() {
            child.slots_read(out);
        }
    }
}

/// The expressions of SET / REMOVE / ON CREATE / ON MATCH items.
fn set_ops(ops: &[SetOp]) -> Vec<&PlanExpr> {
    ops.iter()
        .flat_map(|op| match op {
            SetOp::Property { target, value, .. } | SetOp::Properties { target, value, .. } => {
                vec![target, value]
            }
            SetOp::AddLabels { target, .. } | SetOp::RemoveLabels { target, .. } => vec![target],
        })
        .collect()
}

/// The property maps of CREATE (and MERGE) elements.
fn create_ops(ops: &[CreateOp]) -> Vec<&PlanExpr> {
    ops.iter()
        .filter_map(|op| match op {
            CreateOp::Node { properties, .. } | CreateOp::Rel { properties, .. } => {
                properties.as_ref()
            }
            CreateOp::Path { .. } => None,
        })
        .collect()
}
