//! Unit tests for Cypher value semantics, with the TCK scenario each case comes from.

use std::cmp::Ordering;
use std::collections::HashSet;

use super::*;
use crate::error::{ErrorCode, ErrorKind};
use crate::ids::{NodeId, RelId};
use crate::value::Path;
use crate::value::test_support::{NULL, float, int, list, map, s};

#[test]
fn equals_follows_three_valued_logic() {
    assert_eq!(equals(&NULL, &NULL), None); // Comparison1 [15]
    assert_eq!(equals(&int(1), &NULL), None);
    assert_eq!(equals(&int(1), &float(1.0)), Some(true)); // Comparison1 [9]
    assert_eq!(equals(&s("1"), &int(1)), Some(false));
    assert_eq!(equals(&s("1.0"), &float(1.0)), Some(false));
    assert_eq!(equals(&float(f64::NAN), &float(f64::NAN)), Some(false));
    assert_eq!(equals(&Value::Bool(true), &int(1)), Some(false));
    assert_eq!(
        equals(&int(4611686018427387905), &int(4611686018427387900)),
        Some(false)
    ); // Comparison1 [13]
    // 2^53 + 1 is not equal to the float 2^53 even though `as f64` would round it.
    assert_eq!(
        equals(&int(9007199254740993), &float(9007199254740992.0)),
        Some(false)
    );
    assert_eq!(
        equals(&Value::Node(NodeId(1)), &Value::Node(NodeId(1))),
        Some(true)
    );
    assert_eq!(
        equals(&Value::Node(NodeId(1)), &Value::Rel(RelId(1))),
        Some(false)
    );
}

#[test]
fn list_equality_matches_comparison1_examples() {
    // Comparison1 [6]
    let cases = [
        (list(vec![int(1), int(2)]), list(vec![int(1)]), Some(false)),
        (list(vec![NULL]), list(vec![int(1)]), None),
        (list(vec![s("a")]), list(vec![int(1)]), Some(false)),
        (
            list(vec![list(vec![int(1)])]),
            list(vec![list(vec![int(1)]), list(vec![NULL])]),
            Some(false),
        ),
        (
            list(vec![list(vec![int(1)]), list(vec![int(2)])]),
            list(vec![list(vec![int(1)]), list(vec![NULL])]),
            None,
        ),
        (
            list(vec![list(vec![int(1)]), list(vec![int(2), int(3)])]),
            list(vec![list(vec![int(1)]), list(vec![NULL])]),
            Some(false),
        ),
        // List9 [3]: a decided `false` wins over a null elsewhere.
        (
            list(vec![int(1), NULL]),
            list(vec![int(2), NULL]),
            Some(false),
        ),
        (list(vec![int(1), NULL]), list(vec![int(1), NULL]), None),
    ];
    for (a, b, expected) in cases {
        assert_eq!(equals(&a, &b), expected, "{a:?} = {b:?}");
    }
}

#[test]
fn map_equality_matches_comparison1_examples() {
    // Comparison1 [7]
    let cases = [
        (map(&[]), map(&[]), Some(true)),
        (
            map(&[("k", float(1.0))]),
            map(&[("k", float(1.0))]),
            Some(true),
        ),
        (map(&[]), map(&[("k", NULL)]), Some(false)),
        (
            map(&[("k", int(1))]),
            map(&[("k", int(1)), ("l", NULL)]),
            Some(false),
        ),
        (
            map(&[("k", NULL), ("l", int(1))]),
            map(&[("l", int(1))]),
            Some(false),
        ),
        (map(&[("k", NULL)]), map(&[("k", NULL)]), None),
        (map(&[("k", int(1))]), map(&[("k", NULL)]), None),
        (
            map(&[("k", int(1)), ("l", NULL)]),
            map(&[("k", NULL), ("l", int(1))]),
            None,
        ),
        (
            map(&[("k", int(1)), ("l", NULL)]),
            map(&[("k", int(1)), ("l", int(1))]),
            None,
        ),
    ];
    for (a, b, expected) in cases {
        assert_eq!(equals(&a, &b), expected, "{a:?} = {b:?}");
    }
}

#[test]
fn comparison_operators_handle_nan_and_mixed_types() {
    let nan = float(f64::NAN);
    // Comparison2 [5]: NaN against numbers is false, against strings null.
    for rhs in [int(1), float(1.0), nan.clone()] {
        assert_eq!(less_than(&nan, &rhs), Some(false));
        assert_eq!(less_equal(&nan, &rhs), Some(false));
        assert_eq!(greater_than(&nan, &rhs), Some(false));
        assert_eq!(greater_equal(&nan, &rhs), Some(false));
    }
    assert_eq!(less_than(&nan, &s("a")), None);
    // Comparison2 [6]
    assert_eq!(less_than(&int(1), &s("1")), None);
    assert_eq!(less_than(&int(1), &float(1.5)), Some(true));
    assert_eq!(greater_equal(&float(2.0), &int(2)), Some(true));
    assert_eq!(less_than(&s("a"), &s("b")), Some(true));
    assert_eq!(
        less_than(&Value::Bool(false), &Value::Bool(true)),
        Some(true)
    );
    assert_eq!(less_than(&NULL, &int(1)), None);
    assert_eq!(
        compare(&list(vec![int(1), int(2)]), &list(vec![int(1), int(3)])),
        Some(Ordering::Less)
    );
    assert_eq!(
        compare(&list(vec![int(1)]), &list(vec![int(1), int(0)])),
        Some(Ordering::Less)
    );
    assert_eq!(compare(&list(vec![NULL]), &list(vec![int(1)])), None);
    assert_eq!(compare(&map(&[]), &map(&[])), None);
}

#[test]
fn order_sorts_mixed_types_like_return_order_by() {
    // ReturnOrderBy1 [11]
    let path = Value::Path(Box::new(Path::single(NodeId(0))));
    let expected = vec![
        map(&[("a", s("map"))]),
        Value::Node(NodeId(0)),
        Value::Rel(RelId(0)),
        list(vec![s("list")]),
        path,
        s("text"),
        Value::Bool(false),
        float(1.5),
        float(f64::NAN),
        NULL,
    ];
    let mut shuffled = expected.clone();
    shuffled.reverse();
    shuffled.swap(2, 7);
    shuffled.sort_by(order);
    assert_eq!(shuffled, expected);
}

#[test]
fn order_sorts_lists_like_return_order_by() {
    // ReturnOrderBy1 [9]
    let expected = vec![
        list(vec![]),
        list(vec![s("a")]),
        list(vec![s("a"), int(1)]),
        list(vec![int(1)]),
        list(vec![int(1), s("a")]),
        list(vec![int(1), NULL]),
        list(vec![NULL, int(1)]),
        list(vec![NULL, int(2)]),
    ];
    let mut sorted = expected.clone();
    sorted.reverse();
    sorted.sort_by(order);
    assert_eq!(sorted, expected);
}

#[test]
fn order_compares_numbers_across_types() {
    assert_eq!(order(&int(1), &float(1.5)), Ordering::Less);
    assert_eq!(order(&float(2.0), &int(2)), Ordering::Equal);
    assert_eq!(order(&int(i64::MAX), &float(f64::NAN)), Ordering::Less);
    assert_eq!(
        order(&float(f64::INFINITY), &float(f64::NAN)),
        Ordering::Less
    );
    assert_eq!(order(&float(f64::NAN), &NULL), Ordering::Less);
    assert_eq!(order(&Value::Bool(true), &int(0)), Ordering::Less);
    assert_eq!(order(&s("z"), &Value::Bool(false)), Ordering::Less);
}

#[test]
fn group_key_equivalence_treats_null_and_nan_as_equal() {
    let keys: HashSet<GroupKey> = [
        NULL,
        NULL,
        int(1),
        float(1.0),
        float(f64::NAN),
        float(f64::NAN),
        list(vec![int(1), NULL]),
        list(vec![float(1.0), NULL]),
        map(&[("a", NULL)]),
        map(&[("a", NULL)]),
        s("1"),
    ]
    .into_iter()
    .map(GroupKey)
    .collect();
    assert_eq!(keys.len(), 6);
    assert!(equivalent(&int(1), &float(1.0)));
    assert!(!equivalent(&int(1), &s("1")));
    assert!(!equivalent(&float(1.5), &int(1)));
}

#[test]
fn arithmetic_promotes_and_checks_overflow() {
    assert_eq!(add(&int(1), &int(2)), Ok(int(3)));
    assert_eq!(add(&int(1), &float(0.5)), Ok(float(1.5)));
    assert_eq!(sub(&float(1.0), &int(3)), Ok(float(-2.0)));
    assert_eq!(mul(&int(3), &int(-4)), Ok(int(-12)));
    assert_eq!(div(&int(7), &int(2)), Ok(int(3)));
    assert_eq!(div(&int(-7), &int(2)), Ok(int(-3)));
    assert_eq!(div(&int(7), &float(2.0)), Ok(float(3.5)));
    assert_eq!(rem(&int(-7), &int(3)), Ok(int(-1)));
    assert_eq!(rem(&float(7.5), &int(2)), Ok(float(1.5)));
    assert_eq!(pow(&int(2), &int(10)), Ok(float(1024.0)));
    assert_eq!(negate(&int(5)), Ok(int(-5)));
    for result in [
        add(&int(i64::MAX), &int(1)),
        sub(&int(i64::MIN), &int(1)),
        mul(&int(i64::MAX), &int(2)),
        div(&int(i64::MIN), &int(-1)),
        negate(&int(i64::MIN)),
    ] {
        let err = result.expect_err("overflow must fail");
        assert_eq!(err.kind, ErrorKind::ArithmeticError);
        assert_eq!(err.code, Some(ErrorCode::IntegerOverflow));
    }
    assert_eq!(rem(&int(i64::MIN), &int(-1)), Ok(int(0)));
}

#[test]
fn division_by_zero() {
    let err = div(&int(1), &int(0)).expect_err("integer division by zero");
    assert_eq!(err.kind, ErrorKind::ArithmeticError);
    assert!(rem(&int(1), &int(0)).is_err());
    assert_eq!(div(&float(1.0), &int(0)), Ok(float(f64::INFINITY)));
    assert_eq!(div(&int(-1), &float(0.0)), Ok(float(f64::NEG_INFINITY)));
    assert_eq!(div(&float(0.0), &float(0.0)), Ok(float(f64::NAN)));
}

#[test]
fn plus_concatenates_strings_and_lists() {
    assert_eq!(add(&s("a"), &s("b")), Ok(s("ab")));
    assert_eq!(add(&s("n"), &int(1)), Ok(s("n1")));
    assert_eq!(add(&float(1.5), &s("x")), Ok(s("1.5x")));
    assert_eq!(
        add(&list(vec![int(1)]), &list(vec![int(2)])),
        Ok(list(vec![int(1), int(2)]))
    );
    assert_eq!(
        add(&list(vec![int(1)]), &s("a")),
        Ok(list(vec![int(1), s("a")]))
    );
    assert_eq!(
        add(&int(0), &list(vec![int(1)])),
        Ok(list(vec![int(0), int(1)]))
    );
    assert_eq!(add(&list(vec![int(1)]), &NULL), Ok(NULL));
}

#[test]
fn arithmetic_propagates_null_and_rejects_wrong_types() {
    for op in [add, sub, mul, div, rem, pow] {
        assert_eq!(op(&NULL, &int(1)), Ok(NULL));
        assert_eq!(op(&int(1), &NULL), Ok(NULL));
    }
    assert_eq!(negate(&NULL), Ok(NULL));
    for result in [
        add(&Value::Bool(true), &int(1)),
        sub(&s("a"), &int(1)),
        mul(&list(vec![]), &int(2)),
        pow(&s("2"), &int(2)),
        negate(&s("a")),
    ] {
        let err = result.expect_err("type error");
        assert_eq!(err.kind, ErrorKind::TypeError);
        assert_eq!(err.code, Some(ErrorCode::InvalidArgumentType));
    }
}

#[test]
fn float_text_matches_java() {
    assert_eq!(float_text(1.0), "1.0");
    assert_eq!(float_text(-0.0), "-0.0");
    assert_eq!(float_text(2.5), "2.5");
    assert_eq!(float_text(1e7), "1.0E7");
    assert_eq!(float_text(1.5e-5), "1.5E-5");
    assert_eq!(float_text(f64::NAN), "NaN");
    assert_eq!(float_text(f64::NEG_INFINITY), "-Infinity");
}

#[test]
fn boolean_logic_is_three_valued() {
    let values = [Some(true), Some(false), None];
    // Boolean1-3: truth tables
    for a in values {
        for b in values {
            let expected_and = match (a, b) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            };
            assert_eq!(and(a, b), expected_and);
            assert_eq!(and(a, b), and(b, a));
            assert_eq!(or(a, b), or(b, a));
            assert_eq!(or(a, b), not(and(not(a), not(b))));
            assert_eq!(xor(a, b), a.zip(b).map(|(x, y)| x != y));
        }
    }
    assert_eq!(not(None), None);
    assert_eq!(truth(&Value::Bool(true)), Ok(Some(true)));
    assert_eq!(truth(&NULL), Ok(None));
    assert_eq!(
        truth(&int(1)).expect_err("not a boolean").code,
        Some(ErrorCode::InvalidArgumentType)
    );
}

#[test]
fn string_predicates_and_in() {
    assert_eq!(starts_with(&s("abc"), &s("ab")), Some(true));
    assert_eq!(ends_with(&s("abc"), &s("")), Some(true));
    assert_eq!(contains(&s("abc"), &s("d")), Some(false));
    assert_eq!(contains(&s("abc"), &NULL), None); // String10 [6]
    assert_eq!(starts_with(&int(1), &s("1")), None); // String8 [8]
    let l = list(vec![int(1), NULL, int(3)]);
    assert_eq!(in_list(&int(3), &l), Ok(Some(true)));
    assert_eq!(in_list(&int(2), &l), Ok(None));
    assert_eq!(in_list(&int(2), &list(vec![int(1)])), Ok(Some(false)));
    assert_eq!(in_list(&NULL, &list(vec![])), Ok(Some(false)));
    assert_eq!(in_list(&int(1), &NULL), Ok(None));
    assert_eq!(in_list(&float(1.0), &list(vec![int(1)])), Ok(Some(true)));
    assert!(in_list(&int(1), &int(1)).is_err());
}

#[test]
fn regex_is_anchored_and_errors_in_one_line() {
    let re = compile_regex("a.c").expect("valid pattern");
    assert!(re.is_match("abc"));
    assert!(!re.is_match("xabcx"));
    assert!(compile_regex("a|ab").expect("valid pattern").is_match("ab"));
    let err = compile_regex("(").expect_err("invalid pattern");
    assert_eq!(err.kind, ErrorKind::ArgumentError);
    assert!(!err.message.contains('\n'), "{}", err.message);
}
