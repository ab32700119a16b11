//! Unit tests of the planner on its own: parse and bind a query, build (and optionally
//! optimize) its plan, and read the operator tree as EXPLAIN prints it.

use super::*;
use crate::graph::Graph;
use crate::procedure::Procedures;
use crate::value::Params;
use crate::{parser, semantic};

fn plan_of(query: &str, graph: &Graph, optimized: bool) -> Plan {
    let statements = parser::parse(query).expect("parses");
    let bound =
        semantic::bind(&statements[0], &Params::new(), &Procedures::default()).expect("binds");
    let plan = build(&bound, GraphStats::of(graph)).expect("plans");
    if optimized { optimize(plan) } else { plan }
}

fn tree(query: &str, optimized: bool) -> String {
    explain::render(&plan_of(query, &Graph::new(), optimized), None)
}

/// The operator names, root first, without their details.
fn operators(query: &str, optimized: bool) -> Vec<String> {
    tree(query, optimized)
        .lines()
        .map(|line| {
            let line = line.trim_start_matches([' ', '+', '-']);
            line.split([' ', '('])
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

#[test]
fn a_match_is_a_scan_under_a_projection() {
    assert_eq!(
        operators("MATCH (n:P) RETURN n.name AS name", false),
        ["Produce", "Project", "NodeByLabelScan", "Argument"]
    );
    let plan = plan_of("MATCH (n:P) RETURN n.name AS name", &Graph::new(), false);
    assert_eq!(plan.columns, ["name"]);
    assert!(!plan.writes());
}

#[test]
fn the_optimizer_fuses_filters_and_makes_top_k() {
    let query = "MATCH (a:P) WHERE a.n > 1 RETURN a.n ORDER BY a.n LIMIT 3";
    let before = operators(query, false);
    assert!(before.iter().any(|op| op == "Filter"), "{before:?}");
    let after = tree(query, true);
    assert!(!after.contains("Filter\n"), "{after}");
    assert!(after.contains("+ 1 filter"), "{after}");
    assert!(after.contains("(top-k)"), "{after}");
}

#[test]
fn aggregation_groups_by_the_other_items() {
    let text = tree("MATCH (a) RETURN a.x AS k, count(*) AS c", true);
    assert!(
        text.contains("Aggregate (keys: 1, aggregates: count)"),
        "{text}"
    );
}

#[test]
fn function_calls_hold_their_catalog_entry() {
    let plan = plan_of("RETURN toUpper('a') AS u", &Graph::new(), false);
    let mut found = None;
    let mut pending = vec![&plan.root];
    while let Some(op) = pending.pop() {
        for expr in op.exprs() {
            expr.visit(&mut |e| {
                if let PlanExprKind::Function(spec, args) = &e.kind {
                    found = Some((spec.name, args.len()));
                }
            });
        }
        pending.extend(op.children());
    }
    assert_eq!(found, Some(("toUpper", 1)));
}

#[test]
fn writes_are_known_from_the_plan() {
    assert!(plan_of("CREATE (:X)", &Graph::new(), true).writes());
    assert!(!plan_of("MATCH (n) RETURN count(n)", &Graph::new(), true).writes());
}

#[test]
fn the_start_node_follows_label_sizes() {
    // With many :Big nodes and one :Small, the scan starts from :Small whichever side
    // of the pattern it is written on.
    let mut session = crate::Session::new();
    session
        .run("UNWIND range(1, 50) AS i CREATE (:Big)-[:R]->(:Other); CREATE (:Small)")
        .expect("setup");
    let plan = plan_of(
        "MATCH (b:Big)-[:R]->(s:Small) RETURN b",
        session.graph(),
        true,
    );
    let text = explain::render(&plan, None);
    assert!(text.contains("NodeByLabelScan (s:Small)"), "{text}");
}

/// Every operator of `plan`, root first.
fn all_operators(plan: &Plan) -> Vec<&LogicalPlan> {
    let mut out = Vec::new();
    let mut pending = vec![&plan.root];
    while let Some(op) = pending.pop() {
        out.push(op);
        pending.extend(op.children());
    }
    out
}

/// The slot EXPLAIN names `name`; the name must belong to exactly one slot.
fn only_slot(plan: &Plan, name: &str) -> Slot {
    let slots: Vec<Slot> = (0..plan.width)
        .filter(|s| plan.slot_names[*s] == name)
        .collect();
    assert_eq!(slots.len(), 1, "slots named {name}: {:?}", plan.slot_names);
    slots[0]
}

#[test]
fn merge_matches_and_creates_into_the_same_slots() {
    let plan = plan_of("MERGE (a:X)-[r:R]->(b:Y)", &Graph::new(), false);
    let (a, r, b) = (
        only_slot(&plan, "a"),
        only_slot(&plan, "r"),
        only_slot(&plan, "b"),
    );
    let merge = all_operators(&plan)
        .into_iter()
        .find_map(|op| match op {
            LogicalPlan::Merge { create, .. } => Some(create),
            _ => None,
        })
        .expect("a Merge operator");
    let created: Vec<Slot> = merge
        .iter()
        .map(|op| match op {
            CreateOp::Node { slot, .. } | CreateOp::Rel { slot, .. } => *slot,
            CreateOp::Path { slot, .. } => *slot,
        })
        .collect();
    assert_eq!(created, [a, b, r]);
}

#[test]
fn optional_match_nulls_only_what_it_introduces() {
    let plan = plan_of(
        "MATCH (a) OPTIONAL MATCH p = (a)-[r]->(b) WHERE [x IN [1] | x] <> [] RETURN b",
        &Graph::new(),
        false,
    );
    let nulled = all_operators(&plan)
        .into_iter()
        .find_map(|op| match op {
            LogicalPlan::Optional { slots, .. } => Some(slots.clone()),
            _ => None,
        })
        .expect("an Optional operator");
    // `b` is named twice: the pattern's node and then the RETURN column.
    let b = (0..plan.width)
        .find(|s| plan.slot_names[*s] == "b")
        .expect("a slot for b");
    let mut expected = vec![only_slot(&plan, "r"), only_slot(&plan, "p"), b];
    let mut nulled_sorted = nulled.clone();
    nulled_sorted.sort();
    expected.sort();
    // Not `a` (bound before) nor the comprehension's `x` (local to the WHERE).
    assert_eq!(nulled_sorted, expected, "{:?}", plan.slot_names);
    assert!(!nulled.contains(&only_slot(&plan, "a")));
}

#[test]
fn a_star_projection_copies_each_variable_into_a_new_slot() {
    let plan = plan_of("MATCH (a), (b) WITH * RETURN a", &Graph::new(), false);
    let projected: Vec<(Slot, Option<Slot>)> = all_operators(&plan)
        .into_iter()
        .filter_map(|op| match op {
            LogicalPlan::Project { items, .. } => Some(items),
            _ => None,
        })
        .flatten()
        .map(|(to, expr)| {
            let from = match expr.kind {
                PlanExprKind::Slot(s) => Some(s),
                _ => None,
            };
            (*to, from)
        })
        .collect();
    // Three slots named `a`: the match, WITH * and RETURN; each reads the one before.
    let a: Vec<Slot> = (0..plan.width)
        .filter(|s| plan.slot_names[*s] == "a")
        .collect();
    assert_eq!(a.len(), 3, "{:?}", plan.slot_names);
    assert!(projected.contains(&(a[1], Some(a[0]))), "{projected:?}");
    assert!(projected.contains(&(a[2], Some(a[1]))), "{projected:?}");
}
