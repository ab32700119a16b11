//! Rollback exactness: a write statement that fails or is cancelled leaves the graph as it
//! was, compared through a dump of everything the `Graph` API shows (ids, labels, property
//! order, adjacency order, label/type/name indexes). Deletes are undone in place, without a
//! copy of the graph, so this is where a missed index entry or a reordered list would show.

use std::sync::atomic::Ordering;

use kg::graph::{Direction, Graph, NodeId, RelId};
use kg::{ErrorKind, Session};
use proptest::prelude::*;

/// Everything observable about `g`, one fact per line.
fn dump(g: &Graph) -> String {
    let mut out = String::new();
    let mut line = |text: String| {
        out.push_str(&text);
        out.push('\n');
    };
    line(format!("counts {} {}", g.node_count(), g.rel_count()));
    let labels = g.labels();
    for n in g.nodes() {
        let data = g.node(n).expect("listed nodes exist");
        let props: Vec<_> = data.properties.iter().collect();
        let carried: Vec<_> = labels.iter().filter(|l| g.has_label(n, l)).collect();
        line(format!(
            "node {} {:?} {carried:?} {props:?}",
            n.0, data.labels
        ));
        for direction in [Direction::Outgoing, Direction::Incoming, Direction::Both] {
            let rels: Vec<_> = g.relationships_of(n, direction, &[]).collect();
            line(format!("  {direction:?} {rels:?}"));
        }
    }
    for r in g.rels() {
        let data = g.rel(r).expect("listed relationships exist");
        let props: Vec<_> = data.properties().iter().collect();
        let ends = g.rel_endpoints(r);
        line(format!(
            "rel {} {} {ends:?} {props:?}",
            r.0,
            data.rel_type()
        ));
    }
    for l in &labels {
        let nodes: Vec<_> = g.nodes_with_label(l).collect();
        line(format!("label {l} {} {nodes:?}", g.label_count(l)));
    }
    for t in g.rel_types() {
        let rels: Vec<_> = g.rels_with_type(t).collect();
        line(format!("type {t} {} {rels:?}", g.type_count(t)));
    }
    let mut names: Vec<String> = g
        .nodes()
        .filter_map(|n| match g.node_property(n, "name") {
            Some(kg::Value::String(s)) => Some(s.to_string()),
            _ => None,
        })
        .collect();
    names.sort();
    names.dedup();
    for name in names {
        let nodes: Vec<_> = g.nodes_named(&name).collect();
        line(format!("name {name} {nodes:?}"));
    }
    out
}

/// A small graph with what undo must get right: several labels per node, more than 64
/// labels on one (past the label bits), a shared name, parallel relationships, a self-loop
/// and properties of several types.
fn fixture() -> Session {
    let mut s = Session::new();
    let many: String = (0..70).map(|i| format!(":L{i}")).collect();
    s.run(&format!(
        "CREATE (a:A:Person {{name: 'a', v: 1}}), (b:B {{name: 'b', tags: ['x', 'y']}}), \
         (c:A:B {{name: 'dup'}}), (d:C {{name: 'dup'}}), (e {{v: 2.5}}), (f:A {{name: 'f'}}), \
         (m{many} {{name: 'many'}}), \
         (a)-[:T {{w: 1}}]->(b), (a)-[:T {{w: 2}}]->(b), (b)-[:U]->(a), (c)-[:T]->(c), \
         (c)-[:U {{w: 3}}]->(d), (d)-[:T]->(a), (e)-[:U]->(f), (f)-[:T]->(a), (a)-[:V]->(e), \
         (m)-[:T]->(a), (a)-[:T]->(m)"
    ))
    .expect("fixture builds");
    // A tombstone before the test starts, so restored ids sit among deleted ones.
    s.run("CREATE (:Gone)-[:GONE]->(:Gone); MATCH (g:Gone) DETACH DELETE g")
        .expect("setup deletes");
    s
}

/// Write clauses that each stand alone after `WITH count(*) AS c`.
const WRITES: &[&str] = &[
    "MATCH (n:A) DETACH DELETE n",
    "MATCH ()-[r:T]->() DELETE r",
    "MATCH (n {name: 'dup'}) SET n.name = 'renamed', n.v = 9",
    "MATCH (n) WHERE n.v IS NOT NULL DETACH DELETE n",
    "CREATE (:A {name: 'new'})-[:T {w: 7}]->(:B {name: 'b'})",
    "MATCH (n:B) REMOVE n:B SET n:C:D",
    "MATCH (x:A), (y:B) CREATE (x)-[:W {w: 1}]->(y)",
    "MATCH (n:C) SET n = {name: 'c2'}",
    "MERGE (:A {name: 'a'})",
    "MATCH (x)-[r]->(y) DELETE r CREATE (y)-[:R2]->(x)",
    "MATCH (n:L65) DETACH DELETE n",
    "MATCH p = (:A)-[:T]->() DETACH DELETE p",
    "MATCH (n {name: 'b'}) SET n.name = null",
    "MATCH (n) REMOVE n.v",
    "OPTIONAL MATCH (n:Nope) DELETE n",
    "MATCH (n) DETACH DELETE n",
    "MATCH (a {name: 'a'}) CREATE (a)-[:T]->(a)",
    "MATCH (n:Person) DETACH DELETE n CREATE (:Person {name: 'a'})",
    "MATCH (n:A) REMOVE n:A, n.name",
    "MATCH ()-[r:T]->() SET r.w = null, r.x = 1",
    "UNWIND range(1, 3) AS i CREATE (:N {i: i})-[:T]->(:M), (:N)",
    "MATCH (n:A) CREATE (n)-[:T]->(:N) SET n += {v: 5, name: n.name + 'x'}",
    "MATCH (n:B) FOREACH (x IN [1, 2] | CREATE (n)-[:F {x: x}]->(:F) SET n.f = x)",
    "MATCH (n:C) CALL { WITH n DETACH DELETE n }",
    "MATCH (n) FOREACH (m IN CASE WHEN n.v IS NULL THEN [] ELSE [n] END | DETACH DELETE m)",
];

/// Endings that always fail: after the writes, or in the middle of a write.
const FAILURES: &[&str] = &[
    "RETURN 1 / 0",
    "MATCH (n) DELETE n WITH count(*) AS z RETURN 1 / 0",
    "UNWIND [1, 0] AS x CREATE (:X {v: 1 / x})",
    "UNWIND [1, 0] AS x MERGE (:X {v: 1 / x})",
];

fn statement(writes: &[usize], failure: Option<usize>) -> String {
    let mut parts: Vec<&str> = writes.iter().map(|&i| WRITES[i]).collect();
    parts.push(failure.map_or("RETURN count(*)", |i| FAILURES[i]));
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if i == 0 {
                p.to_string()
            } else {
                format!(" WITH count(*) AS c{i} {p}")
            }
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Any mix of writes followed by a failure leaves the graph exactly as it was, and the
    /// graph then behaves as one that never saw the failed statement.
    #[test]
    fn failed_writes_leave_no_trace(
        writes in prop::collection::vec(0..WRITES.len(), 1..5),
        failure in 0..FAILURES.len(),
    ) {
        let mut s = fixture();
        let before = dump(s.graph());
        let failing = statement(&writes, Some(failure));
        prop_assert!(s.run(&failing).is_err(), "{failing} should fail");
        prop_assert_eq!(&dump(s.graph()), &before, "{}", failing);

        let succeeding = statement(&writes, None);
        let after_rollback = s.run(&succeeding).expect("succeeds").remove(0);
        let fresh = fixture().run(&succeeding).expect("succeeds").remove(0);
        prop_assert_eq!(after_rollback.stats, fresh.stats, "{}", succeeding);
    }
}

/// A removal made directly through the graph API, kept for undoing.
enum Removed {
    Rels(kg::graph::RemovedRels),
    Node(kg::graph::RemovedNode),
}

proptest! {
    /// Batches of relationship removals (any subset, repeats, self-loops, parallel
    /// relationships) and node removals, undone in reverse order, restore the graph exactly.
    #[test]
    fn graph_removals_undo_exactly(
        rels in prop::collection::vec((0..8u32, 0..8u32, 0..3usize), 0..40),
        batches in prop::collection::vec(prop::collection::vec(0..40u32, 0..12), 1..4),
        nodes in prop::collection::vec(0..8u32, 0..4),
    ) {
        let mut g = Graph::new();
        for i in 0..8 {
            let name = ("name".to_string(), kg::Value::from(format!("n{}", i % 5)));
            g.create_node(["N", ["A", "B", "C"][i % 3]], vec![name]);
        }
        for (a, b, t) in &rels {
            let w = vec![("w".to_string(), kg::Value::Int(i64::from(*a)))];
            g.create_rel(NodeId(*a), NodeId(*b), ["T", "U", "V"][*t], w);
        }
        let before = dump(&g);
        let mut log = Vec::new();
        for batch in batches {
            log.push(Removed::Rels(g.remove_rels(batch.into_iter().map(RelId))));
        }
        for n in nodes {
            let attached: Vec<RelId> = g
                .relationships_of(NodeId(n), Direction::Both, &[])
                .map(|(r, _)| r)
                .collect();
            log.push(Removed::Rels(g.remove_rels(attached)));
            if let Ok(Some(removed)) = g.remove_node(NodeId(n)) {
                log.push(Removed::Node(removed));
            }
        }
        for removed in log.into_iter().rev() {
            match removed {
                Removed::Rels(r) => g.restore_rels(r),
                Removed::Node(n) => g.restore_node(n),
            }
        }
        prop_assert_eq!(dump(&g), before);
    }
}

#[test]
fn every_write_clause_runs_on_its_own() {
    // Guards the table above: a clause that fails by itself would make the property vacuous.
    for (i, write) in WRITES.iter().enumerate() {
        let mut s = fixture();
        s.run(&statement(&[i], None))
            .unwrap_or_else(|e| panic!("{write}: {e}"));
    }
}

#[test]
fn restored_nodes_keep_ids_and_indexes_and_new_ids_stay_fresh() {
    let mut s = fixture();
    let before = dump(s.graph());
    let ids: Vec<_> = s.graph().nodes().collect();
    let e = s
        .run("MATCH (n) DETACH DELETE n WITH count(*) AS c RETURN 1 / 0")
        .expect_err("division by zero");
    assert_eq!(e.kind, ErrorKind::ArithmeticError);
    assert_eq!(dump(s.graph()), before);
    // Index-backed reads find the restored nodes.
    let r = s
        .run("MATCH (n {name: 'dup'}) RETURN count(n) AS c; MATCH (n:L69) RETURN n.name")
        .expect("reads");
    assert_eq!(r[0].rows, vec![vec![kg::Value::Int(2)]]);
    assert_eq!(r[1].rows, vec![vec![kg::Value::from("many")]]);
    // Ids of restored nodes are live again; a new node gets an id never used before.
    let created = s
        .run("CREATE (n) RETURN id(n) AS id")
        .expect("creates")
        .remove(0);
    let kg::Value::Int(new_id) = created.rows[0][0] else {
        panic!("an id")
    };
    assert!(ids.iter().all(|n| i64::from(n.0) < new_id));
}

#[test]
fn cancelled_delete_restores_a_large_graph() {
    let mut g = Graph::new();
    let hub = g.create_node(["Hub"], vec![("name".to_string(), kg::Value::from("hub"))]);
    for i in 0..100_000 {
        let n = g.create_node(["N"], vec![("name".to_string(), kg::Value::from(i))]);
        g.create_rel(n, hub, "TO", Vec::new())
            .expect("endpoints exist");
    }
    let mut s = Session::with_graph(g);
    let before = dump(s.graph());
    let flag = s.cancel_handle();
    // Reading the rows is quick; deleting 100,000 nodes one relationship each is not, so the
    // flag arrives while the delete is being applied. It is raised again and again until
    // the statement ends (the statement clears it when it starts), so a fast machine
    // cannot finish before it lands.
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let handle = {
        let done = done.clone();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(10));
            while !done.load(Ordering::SeqCst) {
                flag.store(true, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        })
    };
    let result = s.run("MATCH (n:N) DETACH DELETE n");
    done.store(true, Ordering::SeqCst);
    handle.join().expect("thread");
    assert_eq!(result.expect_err("cancelled").kind, ErrorKind::Cancelled);
    assert_eq!(dump(s.graph()), before);
}

#[test]
fn delete_then_recreate_under_the_same_name_rolls_back() {
    // A node deleted then re-created under the same name: undo must restore the old node
    // and drop the new one, leaving one entry in the name index.
    let mut s = fixture();
    let before = dump(s.graph());
    let _ = s
        .run("MATCH (n {name: 'f'}) DETACH DELETE n CREATE (:A {name: 'f'}) WITH count(*) AS c RETURN 1 / 0")
        .expect_err("division by zero");
    assert_eq!(dump(s.graph()), before);
    let r = s
        .run("MATCH (n {name: 'f'}) RETURN labels(n) AS l")
        .expect("reads");
    assert_eq!(r[0].rows.len(), 1);
}
