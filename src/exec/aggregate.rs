//! Aggregation accumulators: count, sum, avg, min, max, collect, percentileDisc,
//! percentileCont, stDev, stDevP. One `Accumulator` folds one aggregate over one group;
//! grouping itself (keys, rows) is the engine's job. Nulls are skipped; DISTINCT keeps the
//! first of each equivalence class (`GroupKey`).

use crate::graph::hash::FxHashSet;
use std::cmp::Ordering;

use crate::error::{ErrorCode, ErrorKind, QueryError, Result};
use crate::value::Value;
use crate::value::ops::{GroupKey, order};
use crate::value::temporal::{self, Duration, Temporal};

/// Which aggregate function an accumulator computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AggregateKind {
    /// `count(x)`, and `count(*)` with a non-null dummy argument.
    Count,
    Sum,
    Avg,
    Min,
    Max,
    Collect,
    /// `percentileDisc(x, p)`: the smallest value with at least `p` of the values at or below it.
    PercentileDisc,
    /// `percentileCont(x, p)`: linear interpolation between the closest values.
    PercentileCont,
    /// Sample standard deviation (n - 1).
    StDev,
    /// Population standard deviation (n).
    StDevP,
}

/// Canonical names, as `catalog::lookup` spells them.
const NAMES: [(&str, AggregateKind); 10] = [
    ("count", AggregateKind::Count),
    ("sum", AggregateKind::Sum),
    ("avg", AggregateKind::Avg),
    ("min", AggregateKind::Min),
    ("max", AggregateKind::Max),
    ("collect", AggregateKind::Collect),
    ("percentileDisc", AggregateKind::PercentileDisc),
    ("percentileCont", AggregateKind::PercentileCont),
    ("stDev", AggregateKind::StDev),
    ("stDevP", AggregateKind::StDevP),
];

impl AggregateKind {
    /// The aggregate named `name`, case-insensitively.
    pub fn from_name(name: &str) -> Option<Self> {
        NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, kind)| *kind)
    }

    /// The canonical function name, e.g. `percentileDisc`.
    pub fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(_, kind)| *kind == self)
            .map_or("aggregate", |(name, _)| name)
    }
}

/// Running total of `sum`/`avg`: exact integers until the first float arrives; durations
/// sum on their own.
#[derive(Debug, Clone, Copy)]
enum Total {
    Int(i64),
    Float(f64),
    Duration(Duration),
}

/// The state of one aggregate over one group.
#[derive(Debug, Clone)]
pub struct Accumulator {
    kind: AggregateKind,
    /// Values seen so far, for DISTINCT.
    seen: Option<FxHashSet<GroupKey>>,
    count: i64,
    total: Total,
    /// min/max so far.
    best: Option<Value>,
    /// collect, percentiles and standard deviation keep every value.
    values: Vec<Value>,
    percentile: Option<f64>,
}

impl Accumulator {
    /// A fresh accumulator; `distinct` for `count(DISTINCT x)` etc.
    pub fn new(kind: AggregateKind, distinct: bool) -> Self {
        Accumulator {
            kind,
            seen: distinct.then(FxHashSet::default),
            count: 0,
            total: Total::Int(0),
            best: None,
            values: Vec::new(),
            percentile: None,
        }
    }

    /// Folds one row: `args[0]` is the aggregated value, `args[1]` the percentile for the
    /// percentile functions. Null values are skipped.
    pub fn update(&mut self, args: &[Value]) -> Result<()> {
        let value = args.first().unwrap_or(&Value::Null);
        if matches!(
            self.kind,
            AggregateKind::PercentileDisc | AggregateKind::PercentileCont
        ) {
            // The percentile is checked on every row, even when the value is null.
            self.percentile = Some(percentile_arg(args.get(1).unwrap_or(&Value::Null))?);
        }
        if value.is_null() {
            return Ok(());
        }
        if let Some(seen) = &mut self.seen
            && !seen.insert(GroupKey(value.clone()))
        {
            return Ok(());
        }
        match self.kind {
            AggregateKind::Count => self.count += 1,
            AggregateKind::Sum | AggregateKind::Avg => {
                self.total = match (self.count, value) {
                    // The first value decides whether this sums numbers or durations.
                    (0, Value::Temporal(t)) => add_duration(Duration::default(), t, self.kind)?,
                    (_, Value::Temporal(t)) => match self.total {
                        Total::Duration(d) => add_duration(d, t, self.kind)?,
                        _ => return Err(mixed_total(self.kind)),
                    },
                    _ => add_total(self.total, value, self.kind)?,
                };
                self.count += 1;
            }
            AggregateKind::Min | AggregateKind::Max => {
                let wanted = if self.kind == AggregateKind::Min {
                    Ordering::Less
                } else {
                    Ordering::Greater
                };
                if self.best.as_ref().is_none_or(|b| order(value, b) == wanted) {
                    self.best = Some(value.clone());
                }
            }
            AggregateKind::Collect => self.values.push(value.clone()),
            AggregateKind::PercentileDisc
            | AggregateKind::PercentileCont
            | AggregateKind::StDev
            | AggregateKind::StDevP => {
                as_number(value, self.kind)?;
                self.values.push(value.clone());
            }
        }
        Ok(())
    }

    /// The aggregate's value over everything folded so far.
    pub fn finish(&self) -> Result<Value> {
        Ok(match self.kind {
            AggregateKind::Count => Value::Int(self.count),
            AggregateKind::Sum => match self.total {
                Total::Int(i) => Value::Int(i),
                Total::Float(f) => Value::Float(f),
                Total::Duration(d) => Value::from(Temporal::Duration(d)),
            },
            AggregateKind::Avg => {
                if self.count == 0 {
                    Value::Null
                } else {
                    let sum = match self.total {
                        Total::Int(i) => i as f64,
                        Total::Float(f) => f,
                        Total::Duration(d) => {
                            let mean = temporal::arith::scale(&d, 1.0 / self.count as f64)
                                .ok_or_else(|| duration_overflow(self.kind))?;
                            return Ok(Value::from(Temporal::Duration(mean)));
                        }
                    };
                    Value::Float(sum / self.count as f64)
                }
            }
            AggregateKind::Min | AggregateKind::Max => self.best.clone().unwrap_or_default(),
            AggregateKind::Collect => Value::List(self.values.clone()),
            AggregateKind::PercentileDisc | AggregateKind::PercentileCont => self.percentile(),
            AggregateKind::StDev | AggregateKind::StDevP => self.std_dev(),
        })
    }

    fn sorted_numbers(&self) -> Vec<Value> {
        let mut values = self.values.clone();
        values.sort_by(order);
        values
    }

    fn percentile(&self) -> Value {
        let (Some(p), false) = (self.percentile, self.values.is_empty()) else {
            return Value::Null;
        };
        let values = self.sorted_numbers();
        let n = values.len();
        if self.kind == AggregateKind::PercentileDisc {
            // Nearest rank: the first value whose cumulative share reaches p.
            let rank = (p * n as f64).ceil() as usize;
            values[rank.saturating_sub(1).min(n - 1)].clone()
        } else {
            let position = p * (n - 1) as f64;
            let lower = position.floor() as usize;
            let upper = position.ceil() as usize;
            let low = number(&values[lower]);
            let high = number(&values[upper.min(n - 1)]);
            Value::Float(low + (high - low) * (position - lower as f64))
        }
    }

    fn std_dev(&self) -> Value {
        let n = self.values.len();
        let divisor = match self.kind {
            AggregateKind::StDev => n.saturating_sub(1),
            _ => n,
        };
        if divisor == 0 {
            return Value::Float(0.0);
        }
        let numbers: Vec<f64> = self.values.iter().map(number).collect();
        let mean = numbers.iter().sum::<f64>() / n as f64;
        let squares: f64 = numbers.iter().map(|x| (x - mean) * (x - mean)).sum();
        Value::Float((squares / divisor as f64).sqrt())
    }
}

/// `sum`/`avg` over durations (openCypher allows them besides numbers).
fn add_duration(total: Duration, value: &Temporal, kind: AggregateKind) -> Result<Total> {
    let Temporal::Duration(d) = value else {
        return Err(not_a_number(kind, &Value::from(value.clone())));
    };
    temporal::arith::add_durations(&total, d)
        .map(Total::Duration)
        .ok_or_else(|| duration_overflow(kind))
}

fn mixed_total(kind: AggregateKind) -> QueryError {
    QueryError::runtime(
        ErrorKind::TypeError,
        ErrorCode::InvalidArgumentType,
        format!(
            "{}() cannot add durations and numbers together",
            kind.name()
        ),
    )
}

fn duration_overflow(kind: AggregateKind) -> QueryError {
    QueryError::runtime(
        ErrorKind::ArithmeticError,
        ErrorCode::IntegerOverflow,
        format!("duration overflow in {}()", kind.name()),
    )
}

fn add_total(total: Total, value: &Value, kind: AggregateKind) -> Result<Total> {
    Ok(match (total, value) {
        (Total::Int(t), Value::Int(i)) => match t.checked_add(*i) {
            Some(sum) => Total::Int(sum),
            // avg() returns a float anyway, so it can continue in floating point.
            None if kind == AggregateKind::Avg => Total::Float(t as f64 + *i as f64),
            None => {
                return Err(QueryError::runtime(
                    ErrorKind::ArithmeticError,
                    ErrorCode::IntegerOverflow,
                    "integer overflow in sum()",
                ));
            }
        },
        (Total::Int(t), Value::Float(f)) => Total::Float(t as f64 + f),
        (Total::Float(t), Value::Int(i)) => Total::Float(t + *i as f64),
        (Total::Float(t), Value::Float(f)) => Total::Float(t + f),
        (Total::Duration(_), Value::Int(_) | Value::Float(_)) => return Err(mixed_total(kind)),
        (_, other) => return Err(not_a_number(kind, other)),
    })
}

fn as_number(value: &Value, kind: AggregateKind) -> Result<f64> {
    match value {
        Value::Int(i) => Ok(*i as f64),
        Value::Float(f) => Ok(*f),
        other => Err(not_a_number(kind, other)),
    }
}

/// A value already checked by `as_number`.
fn number(value: &Value) -> f64 {
    match value {
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        _ => f64::NAN,
    }
}

fn not_a_number(kind: AggregateKind, found: &Value) -> QueryError {
    QueryError::runtime(
        ErrorKind::TypeError,
        ErrorCode::InvalidArgumentType,
        format!(
            "{}() expects numbers, got {}",
            kind.name(),
            found.type_name()
        ),
    )
}

/// The percentile argument: a number in [0, 1] (TCK Aggregation6 [3]-[5]).
fn percentile_arg(p: &Value) -> Result<f64> {
    let value = match p {
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        other => {
            return Err(QueryError::runtime(
                ErrorKind::TypeError,
                ErrorCode::InvalidArgumentType,
                format!("the percentile must be a number, got {}", other.type_name()),
            ));
        }
    };
    if !(0.0..=1.0).contains(&value) {
        return Err(QueryError::runtime(
            ErrorKind::ArgumentError,
            ErrorCode::NumberOutOfRange,
            format!("the percentile must be between 0.0 and 1.0, got {value}"),
        ));
    }
    Ok(value)
}

#[cfg(test)]
mod tests;
