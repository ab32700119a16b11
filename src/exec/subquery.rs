//! Updating `CALL { ... }` subqueries and FOREACH. (A read-only CALL body runs lazily per
//! input row through `project::Apply`, like OPTIONAL MATCH.) These are pipeline breakers
//! like the write clauses: the input runs to completion, then the body runs once per row
//! (per element for FOREACH), so each run sees what earlier runs wrote. Writes go through
//! `write`, which records them in the statement's undo log.

use crate::error::{QueryError, Result};
use crate::graph::Graph;
use crate::plan::LogicalPlan;
use crate::value::Value;

use super::project::with_outputs;
use super::scan::Rows;
use super::{BoxOp, Env, Row, eval};

/// Whether `plan` is a subquery or FOREACH that updates the graph (and so must run eagerly).
pub(super) fn is_updating(plan: &LogicalPlan) -> bool {
    match plan {
        LogicalPlan::Foreach { .. } => true,
        LogicalPlan::CallSubquery { inner, unit, .. } => *unit || inner.writes(),
        _ => false,
    }
}

/// Runs an updating subquery or FOREACH now and returns its output rows as an operator.
pub(super) fn build_updating(
    env: &mut Env<'_>,
    plan: &LogicalPlan,
    g: &mut Graph,
    arg: &Row,
) -> Result<BoxOp> {
    let (input, body) = match plan {
        LogicalPlan::CallSubquery { input, inner, .. } => (input, inner),
        LogicalPlan::Foreach { input, body, .. } => (input, body),
        _ => return Err(QueryError::not_supported("this subquery operator", None)),
    };
    let rows = run(env, input, g, arg)?;
    // The body is rebuilt for every row; its operators keep the same PROFILE numbers.
    let first_body_op = env.counter;
    let mut out = Vec::new();
    for row in rows {
        env.check_cancel()?;
        match plan {
            LogicalPlan::CallSubquery {
                outputs,
                unit,
                optional,
                ..
            } => {
                env.counter = first_body_op;
                let produced = run(env, body, g, &row)?;
                if *unit {
                    out.push(row);
                } else if produced.is_empty() && *optional {
                    let mut row = row;
                    for slot in outputs {
                        row[*slot] = Value::Null;
                    }
                    out.push(row);
                } else {
                    out.extend(produced.into_iter().map(|p| with_outputs(&row, outputs, p)));
                }
            }
            LogicalPlan::Foreach { list, slot, .. } => {
                let items = match eval(list, &row, &env.cx(g))? {
                    // openCypher: FOREACH over null does nothing, like UNWIND null.
                    Value::Null => Vec::new(),
                    Value::List(items) => items,
                    other => {
                        return Err(QueryError::type_mismatch("a list", other.type_name())
                            .with_span(list.span));
                    }
                };
                for item in items {
                    let mut inner_row = row.clone();
                    inner_row[*slot] = item;
                    env.counter = first_body_op;
                    run(env, body, g, &inner_row)?;
                }
                out.push(row);
            }
            _ => {}
        }
    }
    env.counter = first_body_op + operator_count(body);
    Ok(Box::new(Rows {
        rows: out.into_iter(),
    }))
}

/// Builds `plan` from `row` (applying its writes) and collects every row it yields.
fn run(env: &mut Env<'_>, plan: &LogicalPlan, g: &mut Graph, row: &Row) -> Result<Vec<Row>> {
    let mut op = env.build(plan, Some(g), row)?;
    op.open(row);
    let cx = env.cx(g);
    let mut rows = Vec::new();
    while let Some(r) = op.next(&cx)? {
        cx.tick()?;
        rows.push(r);
    }
    Ok(rows)
}

/// The number of operators in `plan` (as numbered by `explain::render`).
fn operator_count(plan: &LogicalPlan) -> usize {
    1 + plan
        .children()
        .into_iter()
        .map(operator_count)
        .sum::<usize>()
}
