//! Unit tests for the aggregation accumulators, citing the TCK Aggregation features.

use super::*;
use crate::value::test_support::{NULL, float, int, s};

/// Folds `values` (one argument each) and returns the result.
fn fold(kind: AggregateKind, distinct: bool, values: &[Value]) -> Result<Value> {
    let mut acc = Accumulator::new(kind, distinct);
    for v in values {
        acc.update(std::slice::from_ref(v))?;
    }
    acc.finish()
}

fn agg(kind: AggregateKind, values: &[Value]) -> Value {
    fold(kind, false, values).expect("aggregation succeeds")
}

fn percentile(kind: AggregateKind, values: &[Value], p: Value) -> Result<Value> {
    let mut acc = Accumulator::new(kind, false);
    for v in values {
        acc.update(&[v.clone(), p.clone()])?;
    }
    acc.finish()
}

#[test]
fn from_name_is_case_insensitive() {
    assert_eq!(
        AggregateKind::from_name("COUNT"),
        Some(AggregateKind::Count)
    );
    assert_eq!(AggregateKind::from_name("aVg"), Some(AggregateKind::Avg));
    assert_eq!(
        AggregateKind::from_name("percentiledisc"),
        Some(AggregateKind::PercentileDisc)
    );
    assert_eq!(
        AggregateKind::from_name("stdevp"),
        Some(AggregateKind::StDevP)
    );
    assert_eq!(AggregateKind::from_name("toUpper"), None);
    assert_eq!(AggregateKind::PercentileDisc.name(), "percentileDisc");
    // Every aggregate here is also in the function table, as an aggregate.
    for (name, kind) in NAMES {
        assert_eq!(AggregateKind::from_name(name), Some(kind));
        let spec = crate::catalog::lookup(name).expect("listed in the function table");
        assert_eq!(spec.kind, crate::catalog::FunctionKind::Aggregate);
    }
}

#[test]
fn empty_groups() {
    use AggregateKind::*;
    assert_eq!(agg(Count, &[]), int(0));
    assert_eq!(agg(Sum, &[]), int(0));
    assert_eq!(agg(Avg, &[]), NULL);
    assert_eq!(agg(Min, &[]), NULL);
    assert_eq!(agg(Max, &[NULL]), NULL);
    assert_eq!(agg(Collect, &[NULL]), Value::List(vec![]));
    assert_eq!(agg(StDev, &[]), float(0.0));
    assert_eq!(percentile(PercentileCont, &[], float(0.5)), Ok(NULL));
}

#[test]
fn count_skips_nulls_and_honours_distinct() {
    // Aggregation1 [1]
    let values = [int(1), NULL, int(1), float(1.0), s("1"), NULL];
    assert_eq!(agg(AggregateKind::Count, &values), int(4));
    // 1 and 1.0 are equivalent, so DISTINCT keeps 1 and '1'.
    assert_eq!(fold(AggregateKind::Count, true, &values), Ok(int(2)));
    // Aggregation8 [3]
    assert_eq!(
        fold(AggregateKind::Collect, true, &[NULL, NULL]),
        Ok(Value::List(vec![]))
    );
    assert_eq!(
        fold(AggregateKind::Collect, true, &[int(1), int(2), int(1)]),
        Ok(Value::List(vec![int(1), int(2)]))
    );
}

#[test]
fn sum_and_avg() {
    assert_eq!(agg(AggregateKind::Sum, &[int(1), int(2), NULL]), int(3));
    assert_eq!(agg(AggregateKind::Sum, &[int(1), float(0.5)]), float(1.5));
    assert_eq!(agg(AggregateKind::Sum, &[float(0.5), int(1)]), float(1.5));
    // Aggregation3 [2]: no overflow for sums beyond 2^31.
    let big: Vec<Value> = (1_000_000..1_003_000).map(int).collect();
    assert_eq!(agg(AggregateKind::Sum, &big), int(3_004_498_500));
    let err = fold(AggregateKind::Sum, false, &[int(i64::MAX), int(1)])
        .expect_err("i64 overflow is an error");
    assert_eq!(err.kind, ErrorKind::ArithmeticError);
    assert_eq!(err.code, Some(ErrorCode::IntegerOverflow));
    assert_eq!(agg(AggregateKind::Avg, &[int(1), int(2)]), float(1.5));
    assert_eq!(
        agg(AggregateKind::Avg, &[int(i64::MAX), int(i64::MAX)]),
        float(i64::MAX as f64)
    );
    assert_eq!(
        agg(AggregateKind::Avg, &[int(1), NULL, float(2.0)]),
        float(1.5)
    );
    let err = fold(AggregateKind::Avg, false, &[s("a")]).expect_err("strings have no average");
    assert_eq!(err.code, Some(ErrorCode::InvalidArgumentType));
}

#[test]
fn min_and_max_use_orderability() {
    // Aggregation2 [1]-[12]
    use AggregateKind::{Max, Min};
    assert_eq!(agg(Max, &[int(1), int(3), int(2)]), int(3));
    assert_eq!(agg(Min, &[float(3.5), float(-1.5)]), float(-1.5));
    assert_eq!(agg(Max, &[s("a"), s("c"), s("b")]), s("c"));
    let lists = [
        Value::List(vec![int(1)]),
        Value::List(vec![int(2)]),
        Value::List(vec![int(2), int(1)]),
    ];
    assert_eq!(agg(Max, &lists), lists[2]);
    assert_eq!(agg(Min, &lists), lists[0]);
    let mixed = [
        int(1),
        s("a"),
        NULL,
        Value::List(vec![int(1), int(2)]),
        float(0.2),
        s("b"),
    ];
    assert_eq!(agg(Max, &mixed), int(1));
    assert_eq!(agg(Min, &mixed), Value::List(vec![int(1), int(2)]));
    // Equal values: the first seen is kept.
    assert_eq!(agg(Max, &[int(1), float(1.0)]), int(1));
}

#[test]
fn percentiles() {
    use AggregateKind::{PercentileCont, PercentileDisc};
    let prices = [float(10.0), float(20.0), float(30.0)];
    // Aggregation6 [1], [2]
    for (p, want) in [(0.0, 10.0), (0.5, 20.0), (1.0, 30.0)] {
        assert_eq!(
            percentile(PercentileCont, &prices, float(p)),
            Ok(float(want))
        );
        assert_eq!(
            percentile(PercentileDisc, &prices, float(p)),
            Ok(float(want))
        );
    }
    assert_eq!(
        percentile(PercentileCont, &prices, float(0.25)),
        Ok(float(15.0))
    );
    assert_eq!(
        percentile(PercentileDisc, &prices, float(0.4)),
        Ok(float(20.0))
    );
    assert_eq!(
        percentile(PercentileDisc, &[int(3), int(1)], int(1)),
        Ok(int(3))
    );
    // Aggregation6 [3]-[5]
    for p in [float(-0.1), float(1.1), int(2)] {
        let err = percentile(PercentileDisc, &prices, p).expect_err("out of range");
        assert_eq!(err.kind, ErrorKind::ArgumentError);
        assert_eq!(err.code, Some(ErrorCode::NumberOutOfRange));
    }
    let err = percentile(PercentileCont, &prices, s("x")).expect_err("not a number");
    assert_eq!(err.kind, ErrorKind::TypeError);
}

#[test]
fn standard_deviation() {
    let values = [
        int(2),
        int(4),
        int(4),
        int(4),
        int(5),
        int(5),
        int(7),
        int(9),
    ];
    assert_eq!(agg(AggregateKind::StDevP, &values), float(2.0));
    match agg(AggregateKind::StDev, &values) {
        Value::Float(f) => assert!((f - 2.138_089_935_299_395).abs() < 1e-12),
        other => panic!("stDev gave {other:?}"),
    }
    assert_eq!(agg(AggregateKind::StDev, &[int(5)]), float(0.0));
}
