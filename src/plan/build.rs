//! Bound query → logical plan, clause by clause. Variables get slots here; each clause
//! extends the operator tree built so far. Patterns are planned in `pattern.rs`,
//! expressions compiled in `expr.rs`.

use std::collections::{BTreeMap, HashMap};

use crate::ast::Span;
use crate::ast::{
    Clause, Delete, Expr, ExprKind, Literal, LoadCsv, Merge, Projection, Query, RemoveItem,
    SetItem, SingleQuery,
};
use crate::catalog::FunctionSpec;
use crate::error::{QueryError, Result};
use crate::procedure::Procedures;
use crate::semantic::{BoundQuery, implicit_grouping_keys};

use super::{AggregateCall, CsvLoad, GraphStats, LogicalPlan, Plan, PlanExpr, SetOp, Slot};

/// Variables visible at a point of the query: name → slot, sorted by name (for `RETURN *`).
#[derive(Debug, Clone, Default)]
pub(super) struct Scope {
    pub vars: BTreeMap<String, Slot>,
}

impl Scope {
    /// The slot of `name`, if in scope.
    pub fn get(&self, name: &str) -> Option<Slot> {
        self.vars.get(name).copied()
    }

    /// Binds `name` to `slot`.
    pub fn insert(&mut self, name: &str, slot: Slot) {
        self.vars.insert(name.to_string(), slot);
    }
}

/// Grouping context while compiling a projection that aggregates: subexpressions equal to
/// a grouping key read the key's slot, aggregate calls are collected.
#[derive(Debug, Default)]
pub(super) struct Grouping {
    /// Variables visible to aggregate arguments (the scope before the projection).
    pub input_scope: Scope,
    pub keys: Vec<(Expr, Slot)>,
    pub aggregates: Vec<(Slot, AggregateCall)>,
}

/// Result columns: (name, slot) in order.
type Columns = Vec<(String, Slot)>;

/// Plan-building state shared by all clauses of a statement.
#[derive(Debug, Default)]
pub(super) struct Builder {
    next_slot: Slot,
    /// Set while compiling aggregating projection items.
    pub grouping: Option<Grouping>,
    /// Variable name of each slot, where it has one.
    names: Vec<Option<String>>,
    /// Graph counts for ordering patterns.
    pub stats: GraphStats,
    /// The procedures the statement calls, resolved by `semantic::bind`.
    pub procedures: Procedures,
    /// Each function call's catalog entry by the call's span, resolved by `semantic::bind`.
    pub functions: HashMap<Span, &'static FunctionSpec>,
    /// How many subquery or FOREACH bodies enclose the clauses being planned.
    pub nested: usize,
    /// The line and file slots of the latest LOAD CSV planned: what `linenumber()` and
    /// `file()` read (null before any LOAD CSV, as in Neo4j).
    pub load_csv: Option<(Slot, Slot)>,
}

/// Builds the plan of a bound statement; `stats` guide the order patterns are matched in.
pub fn build(bound: &BoundQuery, stats: GraphStats) -> Result<Plan> {
    let mut builder = Builder {
        stats,
        procedures: bound.procedures.clone(),
        functions: bound.resolved.functions.clone(),
        ..Builder::default()
    };
    let (root, columns) = builder.query(&bound.statement.query)?;
    let slot_names = builder
        .names
        .iter()
        .enumerate()
        .map(|(i, n)| n.clone().unwrap_or_else(|| format!("anon_{i}")))
        .collect();
    Ok(Plan {
        root,
        columns,
        width: builder.next_slot,
        slot_names,
    })
}

/// A name `semantic::bind` should have resolved but did not: a bug in kg, not in the query.
pub(super) fn unresolved(what: &str, name: &str, span: Span) -> QueryError {
    QueryError::syntax(
        format!("internal error: {what} `{name}` was not resolved"),
        span,
    )
}

impl Builder {
    /// A fresh row slot.
    pub fn new_slot(&mut self) -> Slot {
        self.next_slot += 1;
        self.names.push(None);
        self.next_slot - 1
    }

    /// Records the variable name of `slot` (for EXPLAIN).
    pub fn name_slot(&mut self, slot: Slot, name: &str) {
        if let Some(entry) = self.names.get_mut(slot) {
            entry.get_or_insert_with(|| name.to_string());
        }
    }

    fn query(&mut self, query: &Query) -> Result<(LogicalPlan, Vec<String>)> {
        let (plan, columns) = self.union_query(query, &|_| Scope::default(), false)?;
        Ok((plan, columns))
    }

    /// Plans the clauses of `query` on top of `input`; returns the plan and its columns.
    pub fn single_query(
        &mut self,
        query: &SingleQuery,
        input: LogicalPlan,
        mut scope: Scope,
    ) -> Result<(LogicalPlan, Vec<String>)> {
        let mut plan = input;
        for clause in &query.clauses {
            plan = match clause {
                Clause::Match(m) => {
                    if m.optional {
                        let mut inner_scope = scope.clone();
                        let inner = self.match_pattern(
                            LogicalPlan::Argument,
                            &m.pattern,
                            m.where_clause.as_ref(),
                            &mut inner_scope,
                        )?;
                        let slots = inner_scope
                            .vars
                            .iter()
                            .filter(|(name, _)| scope.get(name).is_none())
                            .map(|(_, s)| *s)
                            .collect();
                        scope = inner_scope;
                        LogicalPlan::Optional {
                            input: Box::new(plan),
                            inner: Box::new(inner),
                            slots,
                        }
                    } else {
                        self.match_pattern(plan, &m.pattern, m.where_clause.as_ref(), &mut scope)?
                    }
                }
                Clause::Unwind(u) => {
                    let expr = self.expr(&u.expr, &scope)?;
                    let slot = self.new_slot();
                    scope.insert(&u.variable.name, slot);
                    self.name_slot(slot, &u.variable.name);
                    LogicalPlan::Unwind {
                        input: Box::new(plan),
                        expr,
                        slot,
                    }
                }
                Clause::LoadCsv(l) => self.load_csv(plan, l, &mut scope)?,
                Clause::With(w) => {
                    let (mut plan, new_scope, _) = self.projection(plan, &w.projection, &scope)?;
                    if let Some(predicate) = &w.where_clause {
                        // WITH ... WHERE also sees the variables before WITH unless it aggregates.
                        let mut where_scope = if w
                            .projection
                            .items
                            .iter()
                            .any(|i| self.contains_aggregate(&i.expr))
                        {
                            Scope::default()
                        } else {
                            scope.clone()
                        };
                        where_scope.vars.extend(new_scope.vars.clone());
                        plan = LogicalPlan::Filter {
                            input: Box::new(plan),
                            predicate: self.expr(predicate, &where_scope)?,
                        };
                    }
                    scope = new_scope;
                    plan
                }
                Clause::Return(r) => {
                    let (plan, _, columns) = self.projection(plan, &r.projection, &scope)?;
                    let names = columns.iter().map(|(n, _)| n.clone()).collect();
                    return Ok((
                        LogicalPlan::Produce {
                            input: Box::new(plan),
                            columns,
                        },
                        names,
                    ));
                }
                Clause::Create(c) => {
                    let ops = self.create_pattern(&c.pattern, &mut scope, None)?;
                    LogicalPlan::Create {
                        input: Box::new(plan),
                        ops,
                    }
                }
                Clause::Merge(m) => self.merge(plan, m, &mut scope)?,
                Clause::Set(s) => LogicalPlan::Set {
                    input: Box::new(plan),
                    ops: self.set_items(&s.items, &scope)?,
                },
                Clause::Remove(r) => LogicalPlan::Remove {
                    input: Box::new(plan),
                    ops: self.remove_items(&r.items, &scope)?,
                },
                Clause::Delete(d) => self.delete(plan, d, &scope)?,
                Clause::CallSubquery(c) => self.call_subquery(plan, c, &mut scope)?,
                Clause::Foreach(f) => self.foreach(plan, f, &scope)?,
                Clause::Call(c) => {
                    let standalone = self.nested == 0 && query.clauses.len() == 1;
                    let (plan, columns) = self.call(plan, c, &mut scope, standalone)?;
                    if standalone {
                        return Ok(self.standalone_call(plan, columns));
                    }
                    plan
                }
            };
        }
        // An update query without RETURN: run for the side effects, return nothing.
        Ok((
            LogicalPlan::Discard {
                input: Box::new(plan),
            },
            Vec::new(),
        ))
    }

    /// WITH/RETURN body. Returns the plan, the scope after it, and the (column, slot) list.
    fn projection(
        &mut self,
        mut plan: LogicalPlan,
        projection: &Projection,
        scope: &Scope,
    ) -> Result<(LogicalPlan, Scope, Columns)> {
        let mut items: Vec<(String, Expr)> = Vec::new();
        if projection.star {
            for name in scope.vars.keys() {
                let expr = Expr::new(ExprKind::Variable(name.clone()), Default::default());
                items.push((name.clone(), expr));
            }
        }
        for item in &projection.items {
            items.push((item.column_name().to_string(), item.expr.clone()));
        }
        let aggregating = items.iter().any(|(_, e)| self.contains_aggregate(e));
        let mut new_scope = Scope::default();
        let mut columns = Vec::new();
        let order_keys;
        if aggregating {
            let mut grouping = Grouping {
                input_scope: scope.clone(),
                ..Grouping::default()
            };
            let mut keys = Vec::new();
            let mut slots = Vec::new();
            for (name, expr) in &items {
                let slot = self.new_slot();
                slots.push(slot);
                if !self.contains_aggregate(expr) {
                    keys.push((slot, self.expr(expr, scope)?));
                    grouping.keys.push((expr.clone(), slot));
                }
                new_scope.insert(name, slot);
                self.name_slot(slot, name);
                columns.push((name.clone(), slot));
            }
            // Map projections in aggregated items group by their subjects too.
            let mut implicit = Vec::new();
            for (_, expr) in items.iter().filter(|(_, e)| self.contains_aggregate(e)) {
                implicit_grouping_keys(expr, &mut implicit);
            }
            for ident in implicit {
                let var = Expr::new(ExprKind::Variable(ident.name.clone()), ident.span);
                if grouping.keys.iter().all(|(k, _)| *k != var) {
                    let slot = self.new_slot();
                    keys.push((slot, self.expr(&var, scope)?));
                    grouping.keys.push((var, slot));
                }
            }
            // Aggregated items are computed from the group's keys and aggregate results.
            self.grouping = Some(grouping);
            let mut post = Vec::new();
            for ((_, expr), slot) in items.iter().zip(&slots) {
                if self.contains_aggregate(expr) {
                    post.push((*slot, self.expr(expr, &new_scope)));
                }
            }
            let order: Vec<_> = projection
                .order_by
                .iter()
                .map(|s| Ok((self.expr(&s.expr, &new_scope)?, s.descending)))
                .collect();
            let grouping = self.grouping.take().unwrap_or_default();
            let post: Vec<(Slot, PlanExpr)> = post
                .into_iter()
                .map(|(s, e)| e.map(|e| (s, e)))
                .collect::<Result<_>>()?;
            order_keys = order.into_iter().collect::<Result<Vec<_>>>()?;
            plan = LogicalPlan::Aggregate {
                input: Box::new(plan),
                keys,
                aggregates: grouping.aggregates,
            };
            if !post.is_empty() {
                plan = LogicalPlan::Project {
                    input: Box::new(plan),
                    items: post,
                };
            }
        } else {
            let mut project = Vec::new();
            for (name, expr) in &items {
                let slot = self.new_slot();
                project.push((slot, self.expr(expr, scope)?));
                new_scope.insert(name, slot);
                self.name_slot(slot, name);
                columns.push((name.clone(), slot));
            }
            plan = LogicalPlan::Project {
                input: Box::new(plan),
                items: project,
            };
            // ORDER BY sees the projected names and the earlier variables.
            let mut order_scope = scope.clone();
            order_scope.vars.extend(new_scope.vars.clone());
            order_keys = projection
                .order_by
                .iter()
                .map(|s| Ok((self.expr(&s.expr, &order_scope)?, s.descending)))
                .collect::<Result<_>>()?;
        }
        if projection.distinct {
            plan = LogicalPlan::Distinct {
                input: Box::new(plan),
                slots: columns.iter().map(|(_, s)| *s).collect(),
            };
        }
        if !order_keys.is_empty() {
            plan = LogicalPlan::OrderBy {
                input: Box::new(plan),
                keys: order_keys,
                limit: None,
            };
        }
        let empty = Scope::default();
        if let Some(skip) = &projection.skip {
            plan = LogicalPlan::Skip {
                input: Box::new(plan),
                count: self.expr(skip, &empty)?,
            };
        }
        if let Some(limit) = &projection.limit {
            plan = LogicalPlan::Limit {
                input: Box::new(plan),
                count: self.expr(limit, &empty)?,
            };
        }
        Ok((plan, new_scope, columns))
    }

    fn load_csv(
        &mut self,
        input: LogicalPlan,
        load: &LoadCsv,
        scope: &mut Scope,
    ) -> Result<LogicalPlan> {
        let source = self.expr(&load.source, scope)?;
        // `semantic` checked the terminator is one ASCII character.
        let delimiter = match load.field_terminator.as_ref().map(|t| &t.kind) {
            Some(ExprKind::Literal(Literal::String(text))) => text.bytes().next().unwrap_or(b','),
            _ => b',',
        };
        let slot = self.new_slot();
        scope.insert(&load.variable.name, slot);
        self.name_slot(slot, &load.variable.name);
        let (line_slot, file_slot) = (self.new_slot(), self.new_slot());
        self.load_csv = Some((line_slot, file_slot));
        Ok(LogicalPlan::LoadCsv {
            input: Box::new(input),
            load: CsvLoad {
                source,
                headers: load.with_headers,
                delimiter,
                slot,
                line_slot,
                file_slot,
            },
        })
    }

    fn merge(
        &mut self,
        input: LogicalPlan,
        merge: &Merge,
        scope: &mut Scope,
    ) -> Result<LogicalPlan> {
        let mut inner_scope = scope.clone();
        let pattern = self.match_pattern(
            LogicalPlan::Argument,
            std::slice::from_ref(&merge.part),
            None,
            &mut inner_scope,
        )?;
        let create = self.create_pattern(
            std::slice::from_ref(&merge.part),
            &mut scope.clone(),
            Some(&inner_scope),
        )?;
        *scope = inner_scope;
        let on_create = self.set_items(&merge.on_create, scope)?;
        let on_match = self.set_items(&merge.on_match, scope)?;
        Ok(LogicalPlan::Merge {
            input: Box::new(input),
            pattern: Box::new(pattern),
            create,
            on_create,
            on_match,
        })
    }

    fn set_items(&mut self, items: &[SetItem], scope: &Scope) -> Result<Vec<SetOp>> {
        items
            .iter()
            .map(|item| {
                Ok(match item {
                    SetItem::Property { target, key, value } => SetOp::Property {
                        target: self.expr(target, scope)?,
                        key: crate::graph::intern(&key.name),
                        value: self.expr(value, scope)?,
                    },
                    SetItem::Replace { variable, value } => SetOp::Properties {
                        target: self.variable(variable, scope)?,
                        value: self.expr(value, scope)?,
                        replace: true,
                    },
                    SetItem::Merge { variable, value } => SetOp::Properties {
                        target: self.variable(variable, scope)?,
                        value: self.expr(value, scope)?,
                        replace: false,
                    },
                    SetItem::Labels { variable, labels } => SetOp::AddLabels {
                        target: self.variable(variable, scope)?,
                        labels: labels
                            .iter()
                            .map(|l| crate::graph::intern(&l.name))
                            .collect(),
                    },
                })
            })
            .collect()
    }

    fn remove_items(&mut self, items: &[RemoveItem], scope: &Scope) -> Result<Vec<SetOp>> {
        items
            .iter()
            .map(|item| {
                Ok(match item {
                    RemoveItem::Property { target, key } => SetOp::Property {
                        target: self.expr(target, scope)?,
                        key: crate::graph::intern(&key.name),
                        value: PlanExpr::constant(crate::value::Value::Null),
                    },
                    RemoveItem::Labels { variable, labels } => SetOp::RemoveLabels {
                        target: self.variable(variable, scope)?,
                        labels: labels
                            .iter()
                            .map(|l| crate::graph::intern(&l.name))
                            .collect(),
                    },
                })
            })
            .collect()
    }

    fn delete(
        &mut self,
        input: LogicalPlan,
        delete: &Delete,
        scope: &Scope,
    ) -> Result<LogicalPlan> {
        let exprs = delete
            .exprs
            .iter()
            .map(|e| self.expr(e, scope))
            .collect::<Result<_>>()?;
        Ok(LogicalPlan::Delete {
            input: Box::new(input),
            exprs,
            detach: delete.detach,
        })
    }
}
