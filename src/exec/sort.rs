//! ORDER BY: a full sort, or with a limit (top-k) a partial selection then a sort of the kept rows.

use std::cmp::Ordering;

use crate::error::Result;
use crate::plan::PlanExpr;
use crate::value::{Value, ops};

use super::project::count_value;
use super::{BoxOp, Cx, Operator, Row, eval};

pub(super) struct OrderBy {
    input: BoxOp,
    keys: Vec<(PlanExpr, bool)>,
    limit: Option<PlanExpr>,
    width: usize,
    sorted: Option<std::vec::IntoIter<Row>>,
}

impl OrderBy {
    pub fn new(input: BoxOp, keys: Vec<(PlanExpr, bool)>, limit: Option<PlanExpr>) -> Self {
        OrderBy {
            input,
            keys,
            limit,
            width: 0,
            sorted: None,
        }
    }

    fn sort(&mut self, cx: &Cx<'_>) -> Result<Vec<Row>> {
        let mut keyed: Vec<(Vec<Value>, Row)> = Vec::new();
        while let Some(row) = self.input.next(cx)? {
            cx.tick()?;
            let key = self
                .keys
                .iter()
                .map(|(e, _)| eval(e, &row, cx))
                .collect::<Result<_>>()?;
            keyed.push((key, row));
        }
        let directions: Vec<bool> = self.keys.iter().map(|(_, desc)| *desc).collect();
        let compare = |a: &(Vec<Value>, Row), b: &(Vec<Value>, Row)| -> Ordering {
            for ((x, y), desc) in a.0.iter().zip(&b.0).zip(&directions) {
                let o = ops::order(x, y);
                let o = if *desc { o.reverse() } else { o };
                if o != Ordering::Equal {
                    return o;
                }
            }
            Ordering::Equal
        };
        if let Some(limit) = &self.limit {
            let k = count_value(limit, cx, self.width)?;
            if k < keyed.len() {
                if k == 0 {
                    return Ok(Vec::new());
                }
                keyed.select_nth_unstable_by(k - 1, compare);
                keyed.truncate(k);
            }
        }
        keyed.sort_by(compare);
        Ok(keyed.into_iter().map(|(_, row)| row).collect())
    }
}

impl Operator for OrderBy {
    fn open(&mut self, arg: &Row) {
        self.input.open(arg);
        self.width = arg.len();
        self.sorted = None;
    }

    fn next(&mut self, cx: &Cx<'_>) -> Result<Option<Row>> {
        if self.sorted.is_none() {
            self.sorted = Some(self.sort(cx)?.into_iter());
        }
        Ok(self.sorted.as_mut().and_then(Iterator::next))
    }
}
