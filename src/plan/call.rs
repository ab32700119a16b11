//! Planning `CALL proc(args) [YIELD ...] [WHERE ...]`: a `ProcedureCall` operator binding
//! the yielded outputs to slots, then a filter for the WHERE. `semantic` has already
//! checked the procedure, its arguments and the YIELD items.

use super::{NotSupported, Result};
use crate::ast::{Call, YieldItems};

use super::build::Builder;
use super::{LogicalPlan, PlanExpr, PlanExprKind, Slot};

/// Result columns: (name, slot) in order.
type Columns = Vec<(String, Slot)>;

impl Builder {
    /// Plans `call` on top of `input`. Returns the plan and the columns a `standalone` call
    /// produces: what YIELD names, or every output without YIELD or with `YIELD *`.
    pub(super) fn call(
        &mut self,
        input: LogicalPlan,
        call: &Call,
        standalone: bool,
    ) -> Result<(LogicalPlan, Columns)> {
        let procedure = self
            .procedures
            .get(&call.procedure)
            .cloned()
            .ok_or_else(|| NotSupported::unresolved("procedure", &call.procedure, call.span))?;
        let signature = &procedure.signature;
        let args = match &call.args {
            Some(args) => args
                .iter()
                .map(|arg| self.expr(arg))
                .collect::<Result<Vec<_>>>()?,
            // Standalone `CALL proc`: the parameters named like the inputs.
            None => signature
                .inputs
                .iter()
                .map(|field| PlanExpr::new(PlanExprKind::Param(field.name.clone()), call.span))
                .collect(),
        };
        // (output index, name, slot) of each output bound: a YIELD item introduces a
        // variable; the outputs of a bare standalone CALL are only columns.
        let mut yielded: Vec<(usize, String, Slot)> = Vec::new();
        match &call.yields {
            Some(YieldItems::Items { items, .. }) => {
                for item in items {
                    let Some(index) = signature
                        .outputs
                        .iter()
                        .position(|f| f.name == item.field.name)
                    else {
                        continue;
                    };
                    let variable = item.variable();
                    let slot = self.introduced_slot(&variable.name, variable.span)?;
                    yielded.push((index, variable.name.clone(), slot));
                }
            }
            Some(YieldItems::Star) => yielded = self.all_outputs(&procedure.signature.outputs),
            None if standalone => yielded = self.all_outputs(&procedure.signature.outputs),
            None => {}
        }
        let mut outputs = Vec::new();
        let mut columns = Vec::new();
        for (index, name, slot) in yielded {
            outputs.push((index, slot));
            columns.push((name, slot));
        }
        let mut plan = LogicalPlan::ProcedureCall {
            input: Box::new(input),
            procedure: procedure.clone(),
            args,
            outputs,
        };
        if let Some(YieldItems::Items {
            where_clause: Some(predicate),
            ..
        }) = &call.yields
        {
            plan = LogicalPlan::Filter {
                input: Box::new(plan),
                predicate: self.expr(predicate)?,
            };
        }
        Ok((plan, columns))
    }

    /// Every output of a procedure, each in a slot of its own (`YIELD *`, or a standalone
    /// CALL without YIELD).
    fn all_outputs(
        &mut self,
        outputs: &[crate::procedure::ProcedureField],
    ) -> Vec<(usize, String, Slot)> {
        outputs
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let slot = self.new_slot();
                self.name_slot(slot, &f.name);
                (i, f.name.clone(), slot)
            })
            .collect()
    }

    /// The result of a CALL that is the whole query; a void procedure returns no rows.
    pub(super) fn standalone_call(
        &mut self,
        plan: LogicalPlan,
        columns: Columns,
    ) -> (LogicalPlan, Vec<String>) {
        if columns.is_empty() {
            return (
                LogicalPlan::Discard {
                    input: Box::new(plan),
                },
                Vec::new(),
            );
        }
        let names = columns.iter().map(|(n, _)| n.clone()).collect();
        (
            LogicalPlan::Produce {
                input: Box::new(plan),
                columns,
            },
            names,
        )
    }
}
