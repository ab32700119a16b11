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
fn map_children(plan: LogicalPlan, f: fn(LogicalPlan) -> LogicalPlan) -> LogicalPlan {
    use LogicalPlan as P;
    let g = |b: Box<LogicalPlan>| Box::new(f(*b));
    match plan {
        P::Argument => P::Argument,
        P::Union { inputs, all } => P::Union {
            inputs: inputs.into_iter().map(f).collect(),
            all,
        },
        P::Optional {
            input,
            inner,
            slots,
        } => P::Optional {
            input: g(input),
            inner: g(inner),
            slots,
        },
        P::Merge {
            input,
            pattern,
            create,
            on_create,
            on_match,
        } => P::Merge {
            input: g(input),
            pattern: g(pattern),
            create,
            on_create,
            on_match,
        },
        P::NodeScan {
            input,
            slot,
            source,
            check,
        } => P::NodeScan {
            input: g(input),
            slot,
            source,
            check,
        },
        P::NodeCheck { input, slot, check } => P::NodeCheck {
            input: g(input),
            slot,
            check,
        },
        P::Expand { input, hop } => P::Expand {
            input: g(input),
            hop,
        },
        P::VarLengthExpand {
            input,
            hop,
            min,
            max,
            rel_properties,
            reversed,
        } => P::VarLengthExpand {
            input: g(input),
            hop,
            min,
            max,
            rel_properties,
            reversed,
        },
        P::ShortestPath {
            input,
            hop,
            min,
            max,
            all,
            path,
        } => P::ShortestPath {
            input: g(input),
            hop,
            min,
            max,
            all,
            path,
        },
        P::BindPath { input, slot, steps } => P::BindPath {
            input: g(input),
            slot,
            steps,
        },
        P::Filter { input, predicate } => P::Filter {
            input: g(input),
            predicate,
        },
        P::Project { input, items } => P::Project {
            input: g(input),
            items,
        },
        P::Aggregate {
            input,
            keys,
            aggregates,
        } => P::Aggregate {
            input: g(input),
            keys,
            aggregates,
        },
        P::Distinct { input, slots } => P::Distinct {
            input: g(input),
            slots,
        },
        P::OrderBy { input, keys, limit } => P::OrderBy {
            input: g(input),
            keys,
            limit,
        },
        P::Skip { input, count } => P::Skip {
            input: g(input),
            count,
        },
        P::Limit { input, count } => P::Limit {
            input: g(input),
            count,
        },
        P::Unwind { input, expr, slot } => P::Unwind {
            input: g(input),
            expr,
            slot,
        },
        P::Produce { input, columns } => P::Produce {
            input: g(input),
            columns,
        },
        P::Create { input, ops } => P::Create {
            input: g(input),
            ops,
        },
        P::Set { input, ops } => P::Set {
            input: g(input),
            ops,
        },
        P::Remove { input, ops } => P::Remove {
            input: g(input),
            ops,
        },
        P::Delete {
            input,
            exprs,
            detach,
        } => P::Delete {
            input: g(input),
            exprs,
            detach,
        },
        P::Discard { input } => P::Discard { input: g(input) },
        P::ProcedureCall {
            input,
            procedure,
            args,
            outputs,
        } => P::ProcedureCall {
            input: g(input),
            procedure,
            args,
            outputs,
        },
    }
}
