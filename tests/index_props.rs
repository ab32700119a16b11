//! Range indexes give the same answers as scans: random writes (creates, property sets and
//! removals, label changes, deletes, failed statements that roll back) on two sessions, one
//! with an index on `:L(k)`, then every kind of seek query on both.

use kg::{Session, Value};
use proptest::prelude::*;

/// A small value domain so that equal keys, ints equal to floats and mixed types meet.
fn arb_value() -> impl Strategy<Value = String> {
    prop_oneof![
        (0i64..6).prop_map(|i| i.to_string()),
        (0i64..6).prop_map(|i| format!("{i}.0")),
        Just("2.5".to_string()),
        prop::sample::select(vec!["'a'", "'ab'", "'b'", "''", "true", "[1]"])
            .prop_map(String::from),
        Just("null".to_string()),
    ]
}

fn arb_write() -> impl Strategy<Value = String> {
    let id = 0u32..12;
    prop_oneof![
        (prop::sample::select(vec![":L", ":M", ":L:M"]), arb_value())
            .prop_map(|(l, v)| format!("CREATE (n{l} {{k: {v}}})")),
        (id.clone(), arb_value())
            .prop_map(|(i, v)| format!("MATCH (n) WHERE id(n) = {i} SET n.k = {v}")),
        id.clone()
            .prop_map(|i| format!("MATCH (n) WHERE id(n) = {i} REMOVE n.k")),
        id.clone()
            .prop_map(|i| format!("MATCH (n) WHERE id(n) = {i} SET n:L")),
        id.clone()
            .prop_map(|i| format!("MATCH (n) WHERE id(n) = {i} REMOVE n:L")),
        id.clone()
            .prop_map(|i| format!("MATCH (n) WHERE id(n) = {i} DETACH DELETE n")),
        // Changes undone by a failing statement.
        id.prop_map(|i| format!(
            "MATCH (n) WHERE id(n) = {i} SET n.k = 99, n:L WITH n RETURN 1 / 0"
        )),
    ]
}

const QUERIES: &[&str] = &[
    "MATCH (n:L) WHERE n.k = 2 RETURN id(n) ORDER BY id(n)",
    "MATCH (n:L) WHERE n.k = 'a' RETURN id(n) ORDER BY id(n)",
    "MATCH (n:L) WHERE n.k IN [1, 'b', 3.0, null] RETURN id(n) ORDER BY id(n)",
    "MATCH (n:L) WHERE n.k > 2 RETURN id(n) ORDER BY id(n)",
    "MATCH (n:L) WHERE n.k <= 2.5 RETURN id(n) ORDER BY id(n)",
    "MATCH (n:L) WHERE 1 < n.k < 4 RETURN id(n) ORDER BY id(n)",
    "MATCH (n:L) WHERE n.k >= 'a' AND n.k < 'b' RETURN id(n) ORDER BY id(n)",
    "MATCH (n:L) WHERE n.k < 'b' RETURN id(n) ORDER BY id(n)",
    "MATCH (n:L) WHERE n.k > true RETURN id(n) ORDER BY id(n)",
    "MATCH (n:L) WHERE n.k STARTS WITH 'a' RETURN id(n) ORDER BY id(n)",
    "MATCH (n:L) WHERE n.k STARTS WITH '' RETURN id(n) ORDER BY id(n)",
    "MATCH (n:L) WHERE n.k > 1 AND n.k < 'z' RETURN id(n) ORDER BY id(n)",
];

fn answers(session: &mut Session) -> Vec<Vec<Vec<Value>>> {
    QUERIES
        .iter()
        .map(|q| session.run(q).expect("query runs").remove(0).rows)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn seeks_answer_as_scans_do(writes in prop::collection::vec(arb_write(), 1..30), index_first in any::<bool>()) {
        let mut plain = Session::new();
        let mut indexed = Session::new();
        if index_first {
            indexed.run("CREATE INDEX FOR (n:L) ON (n.k)").expect("index");
        }
        for write in &writes {
            let a = plain.run(write).is_ok();
            let b = indexed.run(write).is_ok();
            prop_assert_eq!(a, b, "{}", write);
        }
        if !index_first {
            indexed.run("CREATE INDEX FOR (n:L) ON (n.k)").expect("index");
        }
        let plan = indexed.run("EXPLAIN MATCH (n:L) WHERE n.k > 2 RETURN n").expect("explain");
        prop_assert!(plan[0].plan.as_deref().unwrap_or("").contains("NodeIndexSeekByRange"));
        prop_assert_eq!(answers(&mut plain), answers(&mut indexed));
    }
}
