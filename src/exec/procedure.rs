//! The `ProcedureCall` operator: calls a procedure once per input row and yields the row
//! extended with each output row (a void procedure passes the row through once).

use std::sync::Arc;

use crate::error::Result;
use crate::plan::{PlanExpr, Slot};
use crate::procedure::Procedure;
use crate::value::Value;

use super::{BoxOp, Cx, FanOut, Operator, Row, eval};

pub(super) struct ProcedureCall {
    input: BoxOp,
    procedure: Arc<Procedure>,
    args: Vec<PlanExpr>,
    outputs: Vec<(usize, Slot)>,
    fan_out: FanOut<Vec<Value>>,
}

impl ProcedureCall {
    pub fn new(
        input: BoxOp,
        procedure: Arc<Procedure>,
        args: Vec<PlanExpr>,
        outputs: Vec<(usize, Slot)>,
    ) -> Self {
        ProcedureCall {
            input,
            procedure,
            args,
            outputs,
            fan_out: FanOut::new(),
        }
    }
}

impl Operator for ProcedureCall {
    fn open(&mut self, arg: &Row) {
        self.input.open(arg);
        self.fan_out.clear();
    }

    fn next(&mut self, cx: &Cx<'_>) -> Result<Option<Row>> {
        loop {
            if let Some((mut out, result)) = self.fan_out.next() {
                for (index, slot) in &self.outputs {
                    out[*slot] = result.get(*index).cloned().unwrap_or(Value::Null);
                }
                return Ok(Some(out));
            }
            let Some(row) = self.input.next(cx)? else {
                return Ok(None);
            };
            cx.tick()?;
            let args = self
                .args
                .iter()
                .map(|arg| eval(arg, &row, cx))
                .collect::<Result<Vec<_>>>()?;
            let span = self.args.first().map(|a| a.span);
            let results = self
                .procedure
                .call(cx.graph, &args)
                .map_err(|e| match span {
                    Some(span) => e.or_span(span),
                    None => e,
                })?;
            // Void procedures are called for their effect on nothing but the row count.
            if self.procedure.signature.is_void() {
                return Ok(Some(row));
            }
            self.fan_out.start(row, results);
        }
    }
}
