//! Runs a logical plan over the graph. Read operators are pull-based (`Operator::next`),
//! so LIMIT stops the work early. Write clauses are pipeline breakers: when the operator
//! tree is built, each write operator first runs its input to completion over the
//! unchanged graph, applies its changes, and hands the resulting rows on (clause-at-a-time
//! semantics, as openCypher specifies for updates).

mod eval;
mod expand;
mod group;
mod load_csv;
mod procedure;
mod project;
mod scan;
mod sort;
mod subquery;
mod write;

pub mod aggregate;

#[cfg(test)]
mod tests;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crate::error::{ErrorKind, QueryError, Result};
use crate::graph::Graph;
use crate::plan::explain::{self, OperatorStats};
use crate::plan::{LogicalPlan, Plan};
use crate::result::{ResultSet, Stats};
use crate::value::{Params, Value};

pub(crate) use eval::{eval, eval_ref};

/// What execution needs besides the plan and the graph.
pub struct Context<'a> {
    pub params: &'a Params,
    /// Set from outside to cancel; checked regularly.
    pub cancel: &'a AtomicBool,
    /// PROFILE: record rows and time per operator.
    pub profile: bool,
}

/// A row of slot values (see `plan::Slot`).
pub(crate) type Row = Vec<Value>;

/// Read-only state shared by the operators of one statement.
pub(crate) struct Cx<'a> {
    pub graph: &'a Graph,
    pub params: &'a Params,
    cancel: &'a AtomicBool,
    ticks: Cell<u32>,
    /// Compiled `=~` patterns, so each distinct pattern is compiled once per statement.
    pub regexes: &'a RefCell<HashMap<String, regex::Regex>>,
    profile: Option<&'a RefCell<Vec<OperatorStats>>>,
}

impl Cx<'_> {
    /// Counts one unit of work; every 1024 units checks the cancel flag and the
    /// statement's limits (`limits::check`).
    pub fn tick(&self) -> Result<()> {
        let t = self.ticks.get().wrapping_add(1);
        self.ticks.set(t);
        if t.is_multiple_of(1024) {
            if self.cancel.load(Ordering::Relaxed) {
                return Err(QueryError::cancelled());
            }
            crate::limits::check()?;
        }
        Ok(())
    }
}

/// A pull-based operator. `open` (re)starts it from an argument row; `next` yields rows.
pub(crate) trait Operator: Send {
    fn open(&mut self, arg: &Row);
    fn next(&mut self, cx: &Cx<'_>) -> Result<Option<Row>>;
}

pub(crate) type BoxOp = Box<dyn Operator>;

/// The results computed for one input row, handed out one at a time with a copy of that
/// row: the state of operators that produce several rows per input row (variable-length
/// expansion, shortest paths, procedure calls).
pub(crate) struct FanOut<T> {
    row: Option<Row>,
    results: std::vec::IntoIter<T>,
}

impl<T> FanOut<T> {
    pub fn new() -> Self {
        FanOut {
            row: None,
            results: Vec::new().into_iter(),
        }
    }

    /// Forgets the current row and its remaining results.
    pub fn clear(&mut self) {
        *self = Self::new();
    }

    /// Starts handing out `results` for `row`.
    pub fn start(&mut self, row: Row, results: Vec<T>) {
        self.row = Some(row);
        self.results = results.into_iter();
    }

    /// The next result with its own copy of the row, or `None` when the row is used up.
    pub fn next(&mut self) -> Option<(Row, T)> {
        let row = self.row.as_ref()?;
        let item = self.results.next()?;
        Some((row.clone(), item))
    }
}

/// The changes statements made to the graph, kept as their inverses (oldest first): a
/// transaction holds them until it commits, and undoes them all when it rolls back.
#[derive(Debug, Default)]
pub struct UndoLog(Vec<write::Undo>);

impl UndoLog {
    /// No change was made.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The inverse of a schema command, given the indexes and constraints before it.
    pub fn schema_change(before: Vec<crate::graph::schema::SchemaRule>) -> UndoLog {
        UndoLog(vec![write::Undo::Schema(before)])
    }

    /// Whether a schema command is among the changes.
    pub fn changes_schema(&self) -> bool {
        self.0.iter().any(|c| matches!(c, write::Undo::Schema(_)))
    }

    /// Whether data (nodes, relationships, labels, properties) changed.
    pub fn changes_data(&self) -> bool {
        self.0.iter().any(|c| !matches!(c, write::Undo::Schema(_)))
    }

    /// Adds the changes of a later statement.
    pub fn append(&mut self, later: UndoLog) {
        let mut later = later.0;
        self.0.append(&mut later);
    }

    /// Undoes every change, most recent first, leaving `graph` as it was before the first.
    pub fn roll_back(self, graph: &mut Graph) {
        write::roll_back(graph, self.0);
    }

    /// Which nodes and relationships the changes created, deleted or modified, for
    /// writing their after-images down (the write-ahead log of `kg::db`).
    pub fn touched(&self) -> Touched {
        let mut touched = Touched::default();
        for change in &self.0 {
            match change {
                write::Undo::CreatedNodes(ids) => touched.created_nodes.push(ids.clone()),
                write::Undo::CreatedRels(ids) => touched.created_rels.push(ids.clone()),
                write::Undo::DeletedNode(removed) => touched.deleted_nodes.push(removed.id()),
                write::Undo::DeletedRels(removed) => {
                    touched.deleted_rels.extend_from_slice(removed.ids());
                }
                write::Undo::Property(entity, ..) | write::Undo::RemovedProperty(entity, ..) => {
                    match entity {
                        write::Entity::Node(id) => touched.nodes.push(*id),
                        write::Entity::Rel(id) => touched.rels.push(*id),
                    }
                }
                write::Undo::AddedLabel(id, _) | write::Undo::RemovedLabel(id, ..) => {
                    touched.nodes.push(*id);
                }
                write::Undo::Schema(_) => touched.schema = true,
            }
        }
        touched
    }
}

/// What an `UndoLog` touched, oldest first; ids may repeat.
#[derive(Debug, Default)]
pub struct Touched {
    /// Ids of created nodes, in runs.
    pub created_nodes: Vec<std::ops::Range<u32>>,
    /// Ids of created relationships, in runs.
    pub created_rels: Vec<std::ops::Range<u32>>,
    pub deleted_nodes: Vec<crate::graph::NodeId>,
    pub deleted_rels: Vec<crate::graph::RelId>,
    /// Nodes whose labels or properties changed.
    pub nodes: Vec<crate::graph::NodeId>,
    /// Relationships whose properties changed.
    pub rels: Vec<crate::graph::RelId>,
    /// The indexes or constraints changed.
    pub schema: bool,
}

/// Runs `plan` over `graph`; a failing statement leaves the graph as it was.
pub fn execute(plan: &Plan, graph: &mut Graph, ctx: &Context<'_>) -> Result<ResultSet> {
    execute_logged(plan, graph, ctx).map(|(result, _)| result)
}

/// Runs `plan` over `graph` and hands back the inverse of every change it made, so that a
/// transaction can undo the statement later. A failing statement is undone before it returns.
pub fn execute_logged(
    plan: &Plan,
    graph: &mut Graph,
    ctx: &Context<'_>,
) -> Result<(ResultSet, UndoLog)> {
    // date(), datetime.transaction(), ... read one instant for the whole statement.
    let _clock = crate::catalog::StatementClock::start();
    let scratch = Scratch::default();
    let mut env = scratch.env(ctx);
    let arg = vec![Value::Null; plan.width];
    let run = |env: &mut Env<'_>, graph: &mut Graph| -> Result<Vec<Row>> {
        let root = env.build(&plan.root, Some(graph), &arg)?;
        let rows = drain(root, &env.cx(graph), &arg)?;
        // Constraints hold between statements, not within one (Neo4j checks at commit).
        match graph.schema_violation() {
            Some(violation) => Err(QueryError::constraint_violated(violation.describe())),
            None => Ok(rows),
        }
    };
    graph.schema_statement_start();
    let rows = match run(&mut env, graph) {
        Ok(rows) => rows,
        Err(err) => {
            write::roll_back(graph, std::mem::take(&mut env.undo));
            return Err(err);
        }
    };
    let result = scratch.finish(plan, rows, env.stats, graph, ctx);
    Ok((result, UndoLog(env.undo)))
}

/// Runs a plan that does not write (`Plan::writes` is false) over a graph it only reads, so
/// that several statements can share one graph; a write found anyway fails as not supported.
pub fn execute_read(plan: &Plan, graph: &Graph, ctx: &Context<'_>) -> Result<ResultSet> {
    let _clock = crate::catalog::StatementClock::start();
    let scratch = Scratch::default();
    let mut env = scratch.env(ctx);
    let arg = vec![Value::Null; plan.width];
    let root = env.build(&plan.root, None, &arg)?;
    let rows = drain(root, &env.cx(graph), &arg)?;
    Ok(scratch.finish(plan, rows, env.stats, graph, ctx))
}

/// Every row of the operator tree `root`, opened from `arg`.
fn drain(mut root: BoxOp, cx: &Cx<'_>, arg: &Row) -> Result<Vec<Row>> {
    root.open(arg);
    let mut rows = Vec::new();
    let failed = loop {
        match root.next(cx) {
            // The result is held in full: a cartesian product grows it without bound.
            Ok(Some(row)) => match cx.tick() {
                Ok(()) => rows.push(row),
                Err(e) => break e,
            },
            Ok(None) => return Ok(rows),
            Err(e) => break e,
        }
    };
    if matches!(
        failed.kind,
        ErrorKind::Cancelled | ErrorKind::Timeout | ErrorKind::MemoryLimitExceeded
    ) {
        drop_elsewhere((root, rows));
    }
    Err(failed)
}

/// Frees `state` on another thread. A statement stopped by a cancel or a limit may hold
/// millions of rows, trails or hash entries, and freeing them one by one took seconds
/// at the benchmark's 1M scale: the user would wait that long after the stop.
fn drop_elsewhere<T: Send + 'static>(state: T) {
    // If no thread can be started, the closure and `state` are dropped here instead.
    let _ = std::thread::Builder::new()
        .name("kg-free".into())
        .spawn(move || drop(state));
}

/// What one statement's operators share besides the graph: compiled regexes and the
/// PROFILE counters.
#[derive(Default)]
struct Scratch {
    regexes: RefCell<HashMap<String, regex::Regex>>,
    profile: RefCell<Vec<OperatorStats>>,
}

impl Scratch {
    fn env<'a>(&'a self, ctx: &Context<'a>) -> Env<'a> {
        Env {
            params: ctx.params,
            cancel: ctx.cancel,
            regexes: &self.regexes,
            profile: ctx.profile.then_some(&self.profile),
            stats: Stats::default(),
            undo: Vec::new(),
            counter: 0,
        }
    }

    fn finish(
        &self,
        plan: &Plan,
        rows: Vec<Row>,
        stats: Stats,
        graph: &Graph,
        ctx: &Context<'_>,
    ) -> ResultSet {
        let mut result = ResultSet::new(plan.columns.clone(), rows, stats, graph);
        if ctx.profile {
            result.plan = Some(explain::render(plan, Some(&self.profile.borrow())));
        }
        result
    }
}

/// Builds operators; applies write clauses as it meets them.
pub(crate) struct Env<'a> {
    params: &'a Params,
    cancel: &'a AtomicBool,
    regexes: &'a RefCell<HashMap<String, regex::Regex>>,
    profile: Option<&'a RefCell<Vec<OperatorStats>>>,
    pub stats: Stats,
    /// Inverses of the changes made so far, applied if the statement fails.
    pub undo: Vec<write::Undo>,
    /// Pre-order number of the next operator (matches `explain::render`).
    counter: usize,
}

impl<'a> Env<'a> {
    /// Fails with `Cancelled` once the cancel flag is set, or past the statement's limits.
    /// Write loops call it per row: they hold the graph mutably, so they cannot use
    /// `Cx::tick`; a relaxed load, a clock read and a thread-local read are cheap.
    pub fn check_cancel(&self) -> Result<()> {
        if self.cancel.load(Ordering::Relaxed) {
            return Err(QueryError::cancelled());
        }
        crate::limits::check()
    }

    pub fn cx<'g>(&self, graph: &'g Graph) -> Cx<'g>
    where
        'a: 'g,
    {
        Cx {
            graph,
            params: self.params,
            cancel: self.cancel,
            ticks: Cell::new(0),
            regexes: self.regexes,
            profile: self.profile,
        }
    }

    /// Builds the operator for `plan`. With a graph, write operators run right away
    /// (their input opened from `arg`); without one (subqueries inside expressions),
    /// a write is a bug in the planner and reported as not supported.
    pub fn build(
        &mut self,
        plan: &LogicalPlan,
        mut graph: Option<&mut Graph>,
        arg: &Row,
    ) -> Result<BoxOp> {
        let id = self.counter;
        self.counter += 1;
        let op = if write::is_write(plan) || subquery::is_updating(plan) {
            let Some(g) = graph.as_deref_mut() else {
                return Err(QueryError::not_supported(
                    "updating the graph inside an expression",
                    None,
                ));
            };
            if write::is_write(plan) {
                write::build(self, plan, g, arg)?
            } else {
                subquery::build_updating(self, plan, g, arg)?
            }
        } else {
            self.build_read(plan, graph, arg)?
        };
        Ok(match self.profile {
            Some(_) => Box::new(Profiled { inner: op, id }),
            None => op,
        })
    }

    /// Builds the children of `plan` in order (for read operators).
    fn child(&mut self, plan: &LogicalPlan, graph: Option<&mut Graph>, arg: &Row) -> Result<BoxOp> {
        self.build(plan, graph, arg)
    }

    /// OPTIONAL MATCH and read-only CALL { ... }: `inner` runs for each row of `input`.
    fn apply(
        &mut self,
        input: &LogicalPlan,
        inner: &LogicalPlan,
        correlation: project::Correlation,
        mut graph: Option<&mut Graph>,
        arg: &Row,
    ) -> Result<BoxOp> {
        let input = self.child(input, graph.as_deref_mut(), arg)?;
        let inner = self.child(inner, graph, arg)?;
        Ok(Box::new(project::Apply::new(input, inner, correlation)))
    }

    fn build_read(
        &mut self,
        plan: &LogicalPlan,
        mut graph: Option<&mut Graph>,
        arg: &Row,
    ) -> Result<BoxOp> {
        use LogicalPlan as P;
        Ok(match plan {
            P::Argument => Box::new(scan::Argument::default()),
            P::NodeScan {
                input,
                slot,
                source,
                check,
            } => Box::new(scan::NodeScan::new(
                self.child(input, graph, arg)?,
                *slot,
                source.clone(),
                check.clone(),
            )),
            P::NodeCheck { input, slot, check } => Box::new(scan::NodeCheck {
                input: self.child(input, graph, arg)?,
                slot: *slot,
                check: check.clone(),
            }),
            P::Expand { input, hop } => Box::new(expand::Expand::new(
                self.child(input, graph, arg)?,
                hop.clone(),
            )),
            P::VarLengthExpand {
                input,
                hop,
                min,
                max,
                rel_properties,
                reversed,
            } => Box::new(expand::VarLengthExpand::new(
                self.child(input, graph, arg)?,
                hop.clone(),
                *min,
                *max,
                rel_properties.clone(),
                *reversed,
            )),
            P::ShortestPath {
                input,
                hop,
                min,
                max,
                all,
                path,
            } => Box::new(expand::ShortestPath::new(
                self.child(input, graph, arg)?,
                hop.clone(),
                *min,
                *max,
                *all,
                *path,
            )),
            P::BindPath { input, slot, steps } => Box::new(expand::BindPath {
                input: self.child(input, graph, arg)?,
                slot: *slot,
                steps: steps.clone(),
            }),
            P::Filter { input, predicate } => Box::new(project::Filter {
                input: self.child(input, graph, arg)?,
                predicate: predicate.clone(),
            }),
            P::Optional {
                input,
                inner,
                slots,
            } => {
                let correlation = project::Correlation::Optional(slots.clone());
                self.apply(input, inner, correlation, graph, arg)?
            }
            P::Project { input, items } => Box::new(project::Project {
                input: self.child(input, graph, arg)?,
                items: items.clone(),
            }),
            P::Aggregate {
                input,
                keys,
                aggregates,
            } => Box::new(group::Aggregate::new(
                self.child(input, graph, arg)?,
                keys.clone(),
                aggregates.clone(),
            )?),
            P::Distinct { input, slots } => Box::new(project::Distinct::new(
                self.child(input, graph, arg)?,
                slots.clone(),
            )),
            P::OrderBy { input, keys, limit } => Box::new(sort::OrderBy::new(
                self.child(input, graph, arg)?,
                keys.clone(),
                limit.clone(),
            )),
            P::Skip { input, count } => Box::new(project::Skip::new(
                self.child(input, graph, arg)?,
                count.clone(),
            )),
            P::Limit { input, count } => Box::new(project::Limit::new(
                self.child(input, graph, arg)?,
                count.clone(),
            )),
            P::Unwind { input, expr, slot } => Box::new(project::Unwind::new(
                self.child(input, graph, arg)?,
                expr.clone(),
                *slot,
            )),
            P::LoadCsv { input, load } => Box::new(load_csv::LoadCsv::new(
                self.child(input, graph, arg)?,
                load.clone(),
            )),
            P::Produce { input, columns } => Box::new(project::Produce {
                input: self.child(input, graph, arg)?,
                slots: columns.iter().map(|(_, s)| *s).collect(),
            }),
            P::Union { inputs, all } => {
                let mut ops = Vec::new();
                for input in inputs {
                    ops.push(self.child(input, graph.as_deref_mut(), arg)?);
                }
                Box::new(project::Union::new(ops, *all))
            }
            P::Discard { input } => Box::new(project::Discard {
                input: self.child(input, graph, arg)?,
            }),
            P::ProcedureCall {
                input,
                procedure,
                args,
                outputs,
            } => Box::new(procedure::ProcedureCall::new(
                self.child(input, graph, arg)?,
                procedure.clone(),
                args.clone(),
                outputs.clone(),
            )),
            P::CallSubquery {
                input,
                inner,
                outputs,
                optional,
                ..
            } => {
                let correlation = project::Correlation::Outputs {
                    slots: outputs.clone(),
                    optional: *optional,
                };
                self.apply(input, inner, correlation, graph, arg)?
            }
            P::Foreach { .. }
            | P::Create { .. }
            | P::Merge { .. }
            | P::Set { .. }
            | P::Remove { .. }
            | P::Delete { .. } => {
                return Err(QueryError::not_supported(
                    "updating the graph inside an expression",
                    None,
                ));
            }
        })
    }
}

/// Runs a read-only subplan (pattern predicate, pattern comprehension, EXISTS) from `row`.
pub(crate) fn subplan(plan: &LogicalPlan, row: &Row, cx: &Cx<'_>) -> Result<BoxOp> {
    let mut env = Env {
        params: cx.params,
        cancel: cx.cancel,
        regexes: cx.regexes,
        profile: None,
        stats: Stats::default(),
        undo: Vec::new(),
        counter: 0,
    };
    let mut op = env.build(plan, None, row)?;
    op.open(row);
    Ok(op)
}

/// PROFILE wrapper: counts rows and time of the operator numbered `id`.
struct Profiled {
    inner: BoxOp,
    id: usize,
}

impl Operator for Profiled {
    fn open(&mut self, arg: &Row) {
        self.inner.open(arg);
    }

    fn next(&mut self, cx: &Cx<'_>) -> Result<Option<Row>> {
        let started = Instant::now();
        let row = self.inner.next(cx)?;
        if let Some(profile) = cx.profile {
            let mut stats = profile.borrow_mut();
            if stats.len() <= self.id {
                stats.resize(self.id + 1, OperatorStats::default());
            }
            stats[self.id].time_ms += started.elapsed().as_secs_f64() * 1000.0;
            stats[self.id].rows += u64::from(row.is_some());
        }
        Ok(row)
    }
}
