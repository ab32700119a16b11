//! Subqueries and FOREACH as plans: `CALL { ... }` bodies, FOREACH bodies and the
//! subplans of `EXISTS`/`COUNT`/`COLLECT { ... }`. Bodies start from the outer row (the
//! `Argument`), so outer variables keep their slots inside; which of them a body may name
//! was decided by `semantic`, so nothing here imports or hides names.

use super::{NotSupported, Result};
use crate::ast::{CallSubquery, Clause, Foreach, Query, SingleQuery, SubqueryKind};

use super::build::Builder;
use super::{LogicalPlan, PlanExprKind};

impl Builder {
    /// Plans every part of a (possibly UNION) query. With `rows_only`
    /// (expression subqueries) a part without RETURN yields its rows instead of discarding
    /// them.
    pub(super) fn union_query(
        &mut self,
        query: &Query,
        rows_only: bool,
    ) -> Result<(LogicalPlan, Vec<String>)> {
        let part = |builder: &mut Self, single: &SingleQuery| {
            let (plan, columns) = builder.single_query(single, LogicalPlan::Argument)?;
            Ok::<_, NotSupported>(match plan {
                LogicalPlan::Discard { input } if rows_only => (*input, columns),
                plan => (plan, columns),
            })
        };
        let (first, columns) = part(self, &query.first)?;
        let rest: Vec<_> = query
            .unions
            .iter()
            .map(|(_, single)| part(self, single).map(|(plan, _)| plan))
            .collect::<Result<_>>()?;
        if rest.is_empty() {
            return Ok((first, columns));
        }
        let all = query
            .unions
            .iter()
            .all(|(kind, _)| *kind == crate::ast::UnionKind::All);
        let mut inputs = vec![first];
        inputs.extend(rest);
        Ok((LogicalPlan::Union { inputs, all }, columns))
    }

    /// `CALL [(imports)] { body }` over `input`; the returned variables get new slots.
    pub(super) fn call_subquery(
        &mut self,
        input: LogicalPlan,
        call: &CallSubquery,
    ) -> Result<LogicalPlan> {
        self.nested += 1;
        let built = self.union_query(&call.query, false);
        self.nested -= 1;
        let (inner, columns) = built?;
        let unit = !matches!(call.query.first.clauses.last(), Some(Clause::Return(_)));
        // `semantic` introduced the returned variables at the CALL clause.
        let outputs = columns
            .iter()
            .map(|name| self.introduced_slot(name, call.span))
            .collect::<Result<_>>()?;
        Ok(LogicalPlan::CallSubquery {
            input: Box::new(input),
            inner: Box::new(inner),
            outputs,
            unit,
            optional: call.optional,
        })
    }

    /// `FOREACH (x IN list | updates)` over `input`; nothing it binds stays in scope.
    pub(super) fn foreach(&mut self, input: LogicalPlan, foreach: &Foreach) -> Result<LogicalPlan> {
        let list = self.expr(&foreach.list)?;
        let slot = self.introduced_slot(&foreach.variable.name, foreach.variable.span)?;
        self.nested += 1;
        let body = self.single_query(&foreach.body, LogicalPlan::Argument);
        self.nested -= 1;
        Ok(LogicalPlan::Foreach {
            input: Box::new(input),
            list,
            slot,
            body: Box::new(body?.0),
        })
    }

    /// The subplan of `EXISTS`/`COUNT`/`COLLECT { query }`, correlated through the outer
    /// row.
    pub(super) fn expression_subquery(
        &mut self,
        kind: SubqueryKind,
        query: &Query,
    ) -> Result<PlanExprKind> {
        let saved = self.grouping.take();
        self.nested += 1;
        let built = self.union_query(query, true);
        self.nested -= 1;
        self.grouping = saved;
        let plan = Box::new(built?.0);
        Ok(match kind {
            SubqueryKind::Exists => PlanExprKind::Exists(plan),
            SubqueryKind::Count => PlanExprKind::CountRows(plan),
            SubqueryKind::Collect => PlanExprKind::CollectColumn(plan),
        })
    }
}
