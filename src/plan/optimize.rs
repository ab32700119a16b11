//! Plan rewrites, each a pure `fn(LogicalPlan) -> LogicalPlan`, applied in a fixed order.
//! Results are identical with `optimize` skipped; only the work done changes.
//! (Filter placement and start-node choice happen while building: see `pattern.rs`.)

use crate::ast::BinaryOp;

use super::{LogicalPlan, Plan, PlanExpr, PlanExprKind};

/// Runs the passes in order.
pub fn optimize(plan: Plan) -> Plan {
    // 1. Filters into the scan/expand that binds their last variable (no row copies for
    //    rejected candidates); 2. ORDER BY + LIMIT as top-k.
    let root = fuse_filters(plan.root);
    Plan {
        root: top_k(root),
        ..plan
    }
}

/// `Filter` directly above a `NodeScan` or `Expand` becomes a predicate of that operator.
fn fuse_filters(plan: LogicalPlan) -> LogicalPlan {
    let plan = map_children(plan, fuse_filters);
    let LogicalPlan::Filter { input, predicate } = plan else {
        return plan;
    };
    match *input {
        LogicalPlan::NodeScan {
            input,
            slot,
            source,
            mut check,
        } => {
            check.predicates.push(predicate);
            LogicalPlan::NodeScan {
                input,
                slot,
                source,
                check,
            }
        }
        LogicalPlan::Expand { input, mut hop } => {
            hop.to_check.predicates.push(predicate);
            LogicalPlan::Expand { input, hop }
        }
        other => LogicalPlan::Filter {
            input: Box::new(other),
            predicate,
        },
    }
}

/// `ORDER BY ... [SKIP s] LIMIT n` keeps only the first `s + n` rows while sorting
/// (a bounded heap instead of a full sort).
fn top_k(plan: LogicalPlan) -> LogicalPlan {
    let plan = map_children(plan, top_k);
    match plan {
        LogicalPlan::Limit { input, count } => {
            let input = match *input {
                LogicalPlan::OrderBy {
                    input: sort_input,
                    keys,
                    limit: None,
                } => LogicalPlan::OrderBy {
                    input: sort_input,
                    keys,
                    limit: Some(count.clone()),
                },
                LogicalPlan::Skip {
                    input: skip_input,
                    count: skip,
                } => match *skip_input {
                    LogicalPlan::OrderBy {
                        input: sort_input,
                        keys,
                        limit: None,
                    } => {
                        let span = count.span;
                        let total = PlanExpr::new(
                            PlanExprKind::Binary(
                                BinaryOp::Add,
                                Box::new(skip.clone()),
                                Box::new(count.clone()),
                            ),
                            span,
                        );
                        LogicalPlan::Skip {
                            input: Box::new(LogicalPlan::OrderBy {
                                input: sort_input,
                                keys,
                                limit: Some(total),
                            }),
                            count: skip,
                        }
                    }
                    other => LogicalPlan::Skip {
                        input: Box::new(other),
                        count: skip,
                    },
                },
                other => other,
            };
            LogicalPlan::Limit {
                input: Box::new(input),
                count,
            }
        }
        other => other,
    }
}

/// Applies `f` to each direct input of `plan`.
fn map_children(mut plan: LogicalPlan, f: fn(LogicalPlan) -> LogicalPlan) -> LogicalPlan {
    for child in plan.children_mut() {
        let taken = std::mem::replace(child, LogicalPlan::Argument);
        *child = f(taken);
    }
    plan
}
