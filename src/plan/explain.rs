//! Plans as text: the EXPLAIN tree, and with PROFILE figures the rows and time per operator.
//! Operators are numbered in pre-order (input before inner); `exec` counts with the same numbers.

use std::fmt::Write;

use crate::graph::Direction;

use super::{Hop, IndexSeek, LogicalPlan, Plan, PlanExpr, ScanSource, Slot};

/// Rows produced and time spent by one operator, filled in by PROFILE.
#[derive(Debug, Clone, Copy, Default)]
pub struct OperatorStats {
    pub rows: u64,
    pub time_ms: f64,
}

/// The plan as an indented tree, one operator per line, root first.
pub fn render(plan: &Plan, profile: Option<&[OperatorStats]>) -> String {
    let mut out = String::new();
    let mut counter = 0;
    let names = &plan.slot_names;
    write_node(&plan.root, names, 0, &mut counter, profile, &mut out);
    out
}

fn write_node(
    plan: &LogicalPlan,
    names: &[String],
    depth: usize,
    counter: &mut usize,
    profile: Option<&[OperatorStats]>,
    out: &mut String,
) {
    let id = *counter;
    *counter += 1;
    write_line(out, depth, &describe(plan, names));
    if let Some(stats) = profile.and_then(|p| p.get(id)) {
        out.pop();
        let _ = writeln!(
            out,
            "  [rows: {}, time: {:.3} ms]",
            stats.rows, stats.time_ms
        );
    }
    for child in plan.children() {
        write_node(child, names, depth + 1, counter, profile, out);
    }
    write_subqueries(plan, names, depth + 1, out);
}

/// The subqueries inside the operator's expressions (EXISTS, COUNT, COLLECT, pattern
/// comprehensions), each under a `Subquery (...)` line. They run apart from the operator
/// tree, so they take no operator numbers and PROFILE has no figures for them.
fn write_subqueries(plan: &LogicalPlan, names: &[String], depth: usize, out: &mut String) {
    let mut subplans = Vec::new();
    for expr in plan.exprs() {
        expr.visit(&mut |e| subplans.extend(e.subplan()));
    }
    for (kind, subplan) in subplans {
        write_line(out, depth, &format!("Subquery ({kind})"));
        write_unnumbered(subplan, names, depth + 1, out);
    }
}

fn write_unnumbered(plan: &LogicalPlan, names: &[String], depth: usize, out: &mut String) {
    write_line(out, depth, &describe(plan, names));
    for child in plan.children() {
        write_unnumbered(child, names, depth + 1, out);
    }
    write_subqueries(plan, names, depth + 1, out);
}

/// One line of the tree at `depth`.
fn write_line(out: &mut String, depth: usize, text: &str) {
    if depth > 0 {
        let _ = write!(out, "{}+- ", "   ".repeat(depth - 1));
    }
    out.push_str(text);
    out.push('\n');
}

fn labels(labels: &[std::sync::Arc<str>]) -> String {
    labels.iter().map(|l| format!(":{l}")).collect()
}

/// " + N filters" for predicates fused into a binding operator.
fn fused(check: &super::NodeCheck) -> String {
    match check.predicates.len() {
        0 => String::new(),
        1 => " + 1 filter".into(),
        n => format!(" + {n} filters"),
    }
}

fn name(names: &[String], slot: Slot) -> &str {
    names.get(slot).map_or("?", String::as_str)
}

fn hop(hop: &Hop, names: &[String]) -> String {
    let types = hop.types.iter().map(|t| &**t).collect::<Vec<_>>().join("|");
    let types = if types.is_empty() {
        String::new()
    } else {
        format!(":{types}")
    };
    let (l, r) = match hop.direction {
        Direction::Outgoing => ("-", "->"),
        Direction::Incoming => ("<-", "-"),
        Direction::Both => ("-", "-"),
    };
    let into = if hop.to_bound { " (into bound)" } else { "" };
    let into = format!("{into}{}", fused(&hop.to_check));
    format!(
        "({}){l}[{}{types}]{r}({}{}){into}",
        name(names, hop.from),
        name(names, hop.rel),
        name(names, hop.to),
        labels(&hop.to_check.labels)
    )
}

/// One line describing an operator (without its inputs).
fn describe(plan: &LogicalPlan, names: &[String]) -> String {
    use LogicalPlan as P;
    match plan {
        P::Argument => "Argument".into(),
        P::NodeScan {
            slot,
            source,
            check,
            ..
        } => {
            let slot = name(names, *slot);
            match source {
                ScanSource::All => {
                    format!(
                        "AllNodesScan ({slot}{}){}",
                        labels(&check.labels),
                        fused(check)
                    )
                }
                ScanSource::Labels(_) => {
                    format!(
                        "NodeByLabelScan ({slot}{}){}",
                        labels(&check.labels),
                        fused(check)
                    )
                }
                ScanSource::Index { key, .. } => {
                    format!(
                        "NodeIndexSeek ({slot}{} {{{key}: ...}})",
                        labels(&check.labels)
                    )
                }
                ScanSource::RangeIndex {
                    label, key, seek, ..
                } => {
                    // Neo4j's operator names: equality and IN seek, bounds and prefixes range.
                    let (operator, condition) = match seek {
                        IndexSeek::Equal(_) => ("NodeIndexSeek", " = ...".to_string()),
                        IndexSeek::In(_) => ("NodeIndexSeek", " IN ...".to_string()),
                        IndexSeek::Prefix(_) => {
                            ("NodeIndexSeekByRange", " STARTS WITH ...".to_string())
                        }
                        IndexSeek::Range { lower, upper } => {
                            let op = |b: &Option<(PlanExpr, bool)>, strict, loose| match b {
                                Some((_, true)) => Some(loose),
                                Some((_, false)) => Some(strict),
                                None => None,
                            };
                            let parts: Vec<String> = [
                                op(lower, ">", ">=").map(|o| format!(" {o} ...")),
                                op(upper, "<", "<=").map(|o| format!(" {o} ...")),
                            ]
                            .into_iter()
                            .flatten()
                            .collect();
                            ("NodeIndexSeekByRange", parts.join(" AND"))
                        }
                    };
                    format!(
                        "{operator} ({slot}{}) :{label}({key}){condition}",
                        labels(&check.labels)
                    )
                }
            }
        }
        P::NodeCheck { slot, check, .. } => {
            format!(
                "NodeCheck ({}{})",
                name(names, *slot),
                labels(&check.labels)
            )
        }
        P::Expand { hop: h, .. } => format!("Expand {}", hop(h, names)),
        P::VarLengthExpand {
            hop: h, min, max, ..
        } => {
            let max = max.map_or(String::new(), |m| m.to_string());
            format!("VarLengthExpand *{min}..{max} {}", hop(h, names))
        }
        P::ShortestPath { hop: h, all, .. } => {
            let name = if *all {
                "AllShortestPaths"
            } else {
                "ShortestPath"
            };
            format!("{name} {}", hop(h, names))
        }
        P::BindPath { slot, .. } => format!("BindPath {}", name(names, *slot)),
        P::Filter { .. } => "Filter".into(),
        P::Optional { slots, .. } => format!("Optional (null-fills {} slots)", slots.len()),
        P::Project { items, .. } => format!("Project ({} items)", items.len()),
        P::Aggregate {
            keys, aggregates, ..
        } => {
            let aggs: Vec<_> = aggregates.iter().map(|(_, a)| a.name.as_str()).collect();
            format!(
                "Aggregate (keys: {}, aggregates: {})",
                keys.len(),
                aggs.join(", ")
            )
        }
        P::Distinct { .. } => "Distinct".into(),
        P::OrderBy { keys, limit, .. } => {
            let top = if limit.is_some() { " (top-k)" } else { "" };
            format!("OrderBy ({} keys){top}", keys.len())
        }
        P::Skip { .. } => "Skip".into(),
        P::Limit { .. } => "Limit".into(),
        P::Unwind { slot, .. } => format!("Unwind {}", name(names, *slot)),
        P::LoadCsv { load, .. } => {
            let headers = if load.headers { " (with headers)" } else { "" };
            format!("LoadCsv {}{headers}", name(names, load.slot))
        }
        P::Produce { columns, .. } => {
            let names: Vec<_> = columns.iter().map(|(n, _)| n.as_str()).collect();
            format!("Produce ({})", names.join(", "))
        }
        P::Union { all, .. } => if *all { "UnionAll" } else { "Union" }.into(),
        P::Create { ops, .. } => format!("Create ({} elements)", ops.len()),
        P::Merge { .. } => "Merge".into(),
        P::Set { ops, .. } => format!("Set ({} items)", ops.len()),
        P::Remove { ops, .. } => format!("Remove ({} items)", ops.len()),
        P::Delete { detach, .. } => if *detach { "DetachDelete" } else { "Delete" }.into(),
        P::Discard { .. } => "Discard".into(),
        // Neo4j's names: Apply for a returning CALL subquery, SubqueryForeach for a unit one.
        P::CallSubquery { unit: true, .. } => "SubqueryForeach".into(),
        P::CallSubquery {
            outputs, optional, ..
        } => {
            let outputs: Vec<_> = outputs.iter().map(|s| name(names, *s)).collect();
            let apply = if *optional { "OptionalApply" } else { "Apply" };
            format!("{apply} ({})", outputs.join(", "))
        }
        P::Foreach { slot, .. } => format!("Foreach ({})", name(names, *slot)),
        P::ProcedureCall { procedure, .. } => {
            format!("ProcedureCall {}", procedure.signature.name)
        }
    }
}
