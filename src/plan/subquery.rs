//! Subqueries and FOREACH as plans: `CALL { ... }` bodies, FOREACH bodies and the
//! subplans of `EXISTS`/`COUNT`/`COLLECT { ... }`. Bodies start from the outer row (the
//! `Argument`), so outer variables keep their slots inside; which of them a body may name
//! was decided by `semantic`.

use crate::ast::{CallSubquery, Clause, Foreach, Query, SingleQuery, SubqueryKind};
use crate::error::Result;
use crate::semantic::{Import, imports_of};

use super::build::{Builder, Scope};
use super::{LogicalPlan, PlanExprKind};

impl Builder {
    /// Plans every part of a (possibly UNION) query from `start(part)`. With `rows_only`
    /// (expression subqueries) a part without RETURN yields its rows instead of discarding
    /// them.
    pub(super) fn union_query(
        &mut self,
        query: &Query,
        start: &dyn Fn(&SingleQuery) -> Scope,
        rows_only: bool,
    ) -> Result<(LogicalPlan, Vec<String>)> {
        let part = |builder: &mut Self, single: &SingleQuery| {
            let (plan, columns) =
                builder.single_query(single, LogicalPlan::Argument, start(single))?;
            Ok::<_, crate::error::QueryError>(match plan {
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

    /// `CALL [(imports)] { body }` over `input`; declares the returned variables in `scope`.
    pub(super) fn call_subquery(
        &mut self,
        input: LogicalPlan,
        call: &CallSubquery,
        scope: &mut Scope,
    ) -> Result<LogicalPlan> {
        let outer = scope.clone();
        let start = |part: &SingleQuery| match imports_of(call.imports.as_ref(), part) {
            Import::Everything => outer.clone(),
            Import::Names(names) => {
                let mut inner = Scope::default();
                for name in names {
                    if let Some(slot) = outer.get(&name) {
                        inner.insert(&name, slot);
                    }
                }
                inner
            }
        };
        self.nested += 1;
        let built = self.union_query(&call.query, &start, false);
        self.nested -= 1;
        let (inner, columns) = built?;
        let unit = !matches!(call.query.first.clauses.last(), Some(Clause::Return(_)));
        let outputs = columns
            .iter()
            .map(|name| {
                let slot = self.new_slot();
                self.name_slot(slot, name);
                scope.insert(name, slot);
                slot
            })
            .collect();
        Ok(LogicalPlan::CallSubquery {
            input: Box::new(input),
            inner: Box::new(inner),
            outputs,
            unit,
            optional: call.optional,
        })
    }

    /// `FOREACH (x IN list | updates)` over `input`; nothing it binds stays in scope.
    pub(super) fn foreach(
        &mut self,
        input: LogicalPlan,
        foreach: &Foreach,
        scope: &Scope,
    ) -> Result<LogicalPlan> {
        let list = self.expr(&foreach.list, scope)?;
        let slot = self.new_slot();
        self.name_slot(slot, &foreach.variable.name);
        let mut inner = scope.clone();
        inner.insert(&foreach.variable.name, slot);
        self.nested += 1;
        let body = self.single_query(&foreach.body, LogicalPlan::Argument, inner);
        self.nested -= 1;
        Ok(LogicalPlan::Foreach {
            input: Box::new(input),
            list,
            slot,
            body: Box::new(body?.0),
        })
    }

    /// The subplan of `EXISTS`/`COUNT`/`COLLECT { query }`, correlated through `scope`.
    pub(super) fn expression_subquery(
        &mut self,
        kind: SubqueryKind,
        query: &Query,
        scope: &Scope,
    ) -> Result<PlanExprKind> {
        let saved = self.grouping.take();
        self.nested += 1;
        let built = self.union_query(query, &|_| scope.clone(), true);
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
