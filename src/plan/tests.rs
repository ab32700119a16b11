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
