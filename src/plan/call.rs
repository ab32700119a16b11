//! Planning `CALL proc(args) [YIELD ...] [WHERE ...]`: a `ProcedureCall` operator binding
//! the yielded outputs to slots, then a filter for the WHERE. `semantic` has already
//! checked the procedure, its arguments and the YIELD items.

use crate::ast::{Call, YieldItems};
use crate::error::Result;

use super::build::{Builder, Scope};
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
        scope: &mut Scope,
        standalone: bool,
    ) -> Result<(LogicalPlan, Columns)> {
        let procedure = self
            .procedures
            .get(&call.procedure)
            .cloned()
            .ok_or_else(|| super::build::unresolved("procedure", &call.procedure, call.span))?;
        let signature = &procedure.signature;
        let args = match &call.args {
            Some(args) => args
                .iter()
                .map(|arg| self.expr(arg, scope))
                .collect::<Result<Vec<_>>>()?,
            // Standalone `CALL proc`: the parameters named like the inputs.
            None => signature
                .inputs
                .iter()
                .map(|field| PlanExpr::new(PlanExprKind::Param(field.name.clone()), call.span))
                .collect(),
        };
        // (output index, variable) pairs to bind.
        let yielded: Vec<(usize, String)> = match &call.yields {
            Some(YieldItems::Items { items, .. }) => items
                .iter()
                .filter_map(|item| {
                    let index = signature
                        .outputs
                        .iter()
                        .position(|f| f.name == item.field.name)?;
                    Some((index, item.variable().name.clone()))
                })
                .collect(),
            Some(YieldItems::Star) => all_outputs(&procedure.signature.outputs),
            None if standalone => all_outputs(&procedure.signature.outputs),
            None => Vec::new(),
        };
        let mut outputs = Vec::new();
        let mut columns = Vec::new();
        for (index, name) in yielded {
            let slot = self.new_slot();
            self.name_slot(slot, &name);
            scope.insert(&name, slot);
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
                predicate: self.expr(predicate, scope)?,
            };
        }
        Ok((plan, columns))
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

fn all_outputs(outputs: &[crate::procedure::ProcedureField]) -> Vec<(usize, String)> {
    outputs
        .iter()
        .enumerate()
        .map(|(i, f)| (i, f.name.clone()))
        .collect()
}
