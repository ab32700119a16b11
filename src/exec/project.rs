//! Row-at-a-time operators: filters, projections, OPTIONAL and CALL { ... } (Apply), DISTINCT, SKIP/LIMIT, UNWIND,
//! the final column selection and UNION.

use crate::graph::hash::FxHashSet;

use crate::error::{ErrorCode, ErrorKind, QueryError, Result};
use crate::plan::{PlanExpr, Slot};
use crate::value::Value;
use crate::value::ops::{self, GroupKey};

use super::{BoxOp, Cx, Operator, Row, eval};

/// Keeps rows whose predicate is true (not false, not null).
pub(super) struct Filter {
    pub input: BoxOp,
    pub predicate: PlanExpr,
}

impl Operator for Filter {
    fn open(&mut self, arg: &Row) {
        self.input.open(arg);
    }

    fn next(&mut self, cx: &Cx<'_>) -> Result<Option<Row>> {
        while let Some(row) = self.input.next(cx)? {
            // Rejected rows never reach the caller's check: count them here.
            cx.tick()?;
            let value = eval(&self.predicate, &row, cx)?;
            if ops::truth(&value).map_err(|e| e.or_span(self.predicate.span))? == Some(true) {
                return Ok(Some(row));
            }
        }
        Ok(None)
    }
}

/// What `Apply` makes of the inner rows of an input row.
pub(super) enum Correlation {
    /// OPTIONAL MATCH: the inner rows as they are, or when there are none the input row
    /// with these slots null.
    Optional(Vec<Slot>),
    /// A read-only `CALL { ... }`: the input row with the inner row's produced columns
    /// stored in `slots` (in column order); for `OPTIONAL CALL`, when there are none, the
    /// input row with them null.
    Outputs { slots: Vec<Slot>, optional: bool },
}

impl Correlation {
    /// The slots to null when an input row has no inner rows; `None` drops such a row.
    fn null_fill(&self) -> Option<&[Slot]> {
        match self {
            Correlation::Optional(slots)
            | Correlation::Outputs {
                slots,
                optional: true,
            } => Some(slots),
            Correlation::Outputs { .. } => None,
        }
    }
}

/// For each input row, the rows of `inner` opened from it (OPTIONAL MATCH, CALL { ... }).
pub(super) struct Apply {
    input: BoxOp,
    inner: BoxOp,
    correlation: Correlation,
    current: Option<Row>,
    matched: bool,
}

impl Apply {
    pub fn new(input: BoxOp, inner: BoxOp, correlation: Correlation) -> Self {
        Apply {
            input,
            inner,
            correlation,
            current: None,
            matched: false,
        }
    }
}

impl Operator for Apply {
    fn open(&mut self, arg: &Row) {
        self.input.open(arg);
        self.current = None;
    }

    fn next(&mut self, cx: &Cx<'_>) -> Result<Option<Row>> {
        loop {
            if let Some(row) = &self.current {
                if let Some(out) = self.inner.next(cx)? {
                    self.matched = true;
                    return Ok(Some(match &self.correlation {
                        Correlation::Optional(_) => out,
                        Correlation::Outputs { slots, .. } => with_outputs(row, slots, out),
                    }));
                }
                let mut row = row.clone();
                self.current = None;
                if let Some(slots) = self.correlation.null_fill()
                    && !self.matched
                {
                    for s in slots {
                        row[*s] = Value::Null;
                    }
                    return Ok(Some(row));
                }
            }
            let Some(row) = self.input.next(cx)? else {
                return Ok(None);
            };
            self.inner.open(&row);
            self.matched = false;
            self.current = Some(row);
        }
    }
}

/// `row` with the columns of a produced subquery row stored in `outputs`.
pub(super) fn with_outputs(row: &Row, outputs: &[Slot], produced: Row) -> Row {
    let mut out = row.clone();
    for (slot, value) in outputs.iter().zip(produced) {
        out[*slot] = value;
    }
    out
}

/// Computes expressions into slots.
pub(super) struct Project {
    pub input: BoxOp,
    pub items: Vec<(Slot, PlanExpr)>,
}

impl Operator for Project {
    fn open(&mut self, arg: &Row) {
        self.input.open(arg);
    }

    fn next(&mut self, cx: &Cx<'_>) -> Result<Option<Row>> {
        let Some(mut row) = self.input.next(cx)? else {
            return Ok(None);
        };
        // Evaluate every item against the input row before writing any slot.
        let values = self
            .items
            .iter()
            .map(|(_, e)| eval(e, &row, cx))
            .collect::<Result<Vec<_>>>()?;
        for ((slot, _), value) in self.items.iter().zip(values) {
            row[*slot] = value;
        }
        Ok(Some(row))
    }
}

/// Drops rows equivalent (on `slots`) to an earlier one.
pub(super) struct Distinct {
    input: BoxOp,
    slots: Vec<Slot>,
    seen: FxHashSet<Vec<GroupKey>>,
}

impl Distinct {
    pub fn new(input: BoxOp, slots: Vec<Slot>) -> Self {
        Distinct {
            input,
            slots,
            seen: FxHashSet::default(),
        }
    }
}

impl Operator for Distinct {
    fn open(&mut self, arg: &Row) {
        self.input.open(arg);
        self.seen.clear();
    }

    fn next(&mut self, cx: &Cx<'_>) -> Result<Option<Row>> {
        while let Some(row) = self.input.next(cx)? {
            cx.tick()?;
            let key = self
                .slots
                .iter()
                .map(|s| GroupKey(row[*s].clone()))
                .collect();
            if self.seen.insert(key) {
                return Ok(Some(row));
            }
        }
        Ok(None)
    }
}

/// Evaluates a SKIP/LIMIT count: a non-negative integer.
pub(super) fn count_value(expr: &PlanExpr, cx: &Cx<'_>, width: usize) -> Result<usize> {
    let row = vec![Value::Null; width];
    let value = eval(expr, &row, cx)?;
    let invalid = |message: String| {
        QueryError::runtime(
            ErrorKind::SyntaxError,
            ErrorCode::InvalidArgumentType,
            message,
        )
        .with_span(expr.span)
    };
    match value {
        Value::Int(i) if i >= 0 => Ok(usize::try_from(i).unwrap_or(usize::MAX)),
        Value::Int(i) => Err(QueryError::runtime(
            ErrorKind::SyntaxError,
            ErrorCode::NegativeIntegerArgument,
            format!("SKIP/LIMIT must not be negative, got {i}"),
        )
        .with_span(expr.span)),
        Value::Float(f) => Err(invalid(format!("SKIP/LIMIT needs an integer, got {f}"))),
        other => Err(invalid(format!(
            "SKIP/LIMIT needs an integer, got {}",
            other.type_name()
        ))),
    }
}

pub(super) struct Skip {
    input: BoxOp,
    count: PlanExpr,
    width: usize,
    skipped: bool,
}

impl Skip {
    pub fn new(input: BoxOp, count: PlanExpr) -> Self {
        Skip {
            input,
            count,
            width: 0,
            skipped: false,
        }
    }
}

impl Operator for Skip {
    fn open(&mut self, arg: &Row) {
        self.input.open(arg);
        self.width = arg.len();
        self.skipped = false;
    }

    fn next(&mut self, cx: &Cx<'_>) -> Result<Option<Row>> {
        if !self.skipped {
            self.skipped = true;
            let n = count_value(&self.count, cx, self.width)?;
            for _ in 0..n {
                if self.input.next(cx)?.is_none() {
                    return Ok(None);
                }
            }
        }
        self.input.next(cx)
    }
}

/// Stops pulling its input once `count` rows have passed.
pub(super) struct Limit {
    input: BoxOp,
    count: PlanExpr,
    width: usize,
    left: Option<usize>,
}

impl Limit {
    pub fn new(input: BoxOp, count: PlanExpr) -> Self {
        Limit {
            input,
            count,
            width: 0,
            left: None,
        }
    }
}

impl Operator for Limit {
    fn open(&mut self, arg: &Row) {
        self.input.open(arg);
        self.width = arg.len();
        self.left = None;
    }

    fn next(&mut self, cx: &Cx<'_>) -> Result<Option<Row>> {
        let left = match self.left {
            Some(n) => n,
            None => count_value(&self.count, cx, self.width)?,
        };
        if left == 0 {
            self.left = Some(0);
            return Ok(None);
        }
        self.left = Some(left - 1);
        self.input.next(cx)
    }
}

/// One row per list element (a non-list value counts as a one-element list, null as empty).
pub(super) struct Unwind {
    input: BoxOp,
    expr: PlanExpr,
    slot: Slot,
    current: Option<Row>,
    items: std::vec::IntoIter<Value>,
}

impl Unwind {
    pub fn new(input: BoxOp, expr: PlanExpr, slot: Slot) -> Self {
        Unwind {
            input,
            expr,
            slot,
            current: None,
            items: Vec::new().into_iter(),
        }
    }
}

impl Operator for Unwind {
    fn open(&mut self, arg: &Row) {
        self.input.open(arg);
        self.current = None;
        self.items = Vec::new().into_iter();
    }

    fn next(&mut self, cx: &Cx<'_>) -> Result<Option<Row>> {
        loop {
            if let Some(row) = &self.current
                && let Some(item) = self.items.next()
            {
                cx.tick()?;
                let mut out = row.clone();
                out[self.slot] = item;
                return Ok(Some(out));
            }
            let Some(row) = self.input.next(cx)? else {
                return Ok(None);
            };
            self.items = match eval(&self.expr, &row, cx)? {
                Value::List(items) => items.into_iter(),
                Value::Null => Vec::new().into_iter(),
                other => vec![other].into_iter(),
            };
            self.current = Some(row);
        }
    }
}

/// The result columns, in order.
pub(super) struct Produce {
    pub input: BoxOp,
    pub slots: Vec<Slot>,
}

impl Operator for Produce {
    fn open(&mut self, arg: &Row) {
        self.input.open(arg);
    }

    fn next(&mut self, cx: &Cx<'_>) -> Result<Option<Row>> {
        Ok(self.input.next(cx)?.map(|mut row| {
            self.slots
                .iter()
                .map(|s| std::mem::take(&mut row[*s]))
                .collect()
        }))
    }
}

/// The rows of each input in turn; UNION (not ALL) drops duplicates.
pub(super) struct Union {
    inputs: Vec<BoxOp>,
    pos: usize,
    seen: Option<FxHashSet<Vec<GroupKey>>>,
}

impl Union {
    pub fn new(inputs: Vec<BoxOp>, all: bool) -> Self {
        Union {
            inputs,
            pos: 0,
            seen: (!all).then(FxHashSet::default),
        }
    }
}

impl Operator for Union {
    fn open(&mut self, arg: &Row) {
        for input in &mut self.inputs {
            input.open(arg);
        }
        self.pos = 0;
        if let Some(seen) = &mut self.seen {
            seen.clear();
        }
    }

    fn next(&mut self, cx: &Cx<'_>) -> Result<Option<Row>> {
        while let Some(input) = self.inputs.get_mut(self.pos) {
            match input.next(cx)? {
                Some(row) => {
                    if let Some(seen) = &mut self.seen
                        && !seen.insert(row.iter().cloned().map(GroupKey).collect())
                    {
                        continue;
                    }
                    return Ok(Some(row));
                }
                None => self.pos += 1,
            }
        }
        Ok(None)
    }
}

/// Runs its input for the side effects only.
pub(super) struct Discard {
    pub input: BoxOp,
}

impl Operator for Discard {
    fn open(&mut self, arg: &Row) {
        self.input.open(arg);
    }

    fn next(&mut self, cx: &Cx<'_>) -> Result<Option<Row>> {
        while self.input.next(cx)?.is_some() {}
        Ok(None)
    }
}
