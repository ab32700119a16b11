//! Bound query → logical plan, clause by clause. Variables get slots here; each clause
//! extends the operator tree built so far. Patterns are planned in `pattern.rs`,
//! expressions compiled in `expr.rs`.
//!
//! The planner keeps no scope: `semantic::bind` has resolved every occurrence of a name
//! to a variable id (see `semantic::Resolutions`), and the builder only maps ids to row
//! slots, giving a variable its slot when the clause that introduces it is planned.

use std::collections::HashMap;

use super::{NotSupported, Result};
use crate::ast::Span;
use crate::ast::{
    Clause, Delete, Expr, ExprKind, Ident, Literal, LoadCsv, Merge, PatternPart, Projection, Query,
    RemoveItem, SetItem, SingleQuery,
};
use crate::catalog::FunctionSpec;
use crate::procedure::Procedures;
use crate::semantic::{BoundQuery, Resolutions, VarId, implicit_grouping_keys, is_aggregating};

use super::{AggregateCall, CsvLoad, GraphStats, LogicalPlan, Plan, PlanExpr, SetOp, Slot};

/// Grouping context while compiling a projection that aggregates: subexpressions equal to
/// a grouping key read the key's slot, aggregate calls are collected.
#[derive(Debug, Default)]
pub(super) struct Grouping {
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
    /// Each function call's catalog entry and each variable occurrence's id, resolved by
    /// `semantic::bind`.
    resolved: Resolutions,
    /// The row slot of each variable planned so far.
    slots: HashMap<VarId, Slot>,
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
        resolved: bound.resolved.clone(),
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

/// One item of a WITH/RETURN: its column, what it computes and the slot it lands in.
struct Item {
    name: String,
    expr: Expr,
    slot: Slot,
    /// For an item of `*`, the slot of the variable it copies.
    copies: Option<Slot>,
}

impl Builder {
    /// How many slots are given out so far.
    pub fn width(&self) -> Slot {
        self.next_slot
    }

    /// A fresh row slot.
    pub fn new_slot(&mut self) -> Slot {
        self.next_slot += 1;
        self.names.push(None);
        self.next_slot - 1
    }

    /// The slot of variable `id`, given when it is first planned.
    fn slot_of(&mut self, id: VarId, name: &str) -> Slot {
        if let Some(slot) = self.slots.get(&id) {
            return *slot;
        }
        let slot = self.new_slot();
        self.slots.insert(id, slot);
        self.name_slot(slot, name);
        slot
    }

    /// The slot of the variable `name` introduced at `span`.
    pub fn introduced_slot(&mut self, name: &str, span: Span) -> Result<Slot> {
        let id = self
            .resolved
            .introduced_at(span, name)
            .ok_or_else(|| NotSupported::unresolved("variable", name, span))?;
        Ok(self.slot_of(id, name))
    }

    /// The slot of the variable `name` referred to at `span`.
    pub fn use_slot(&mut self, name: &str, span: Span) -> Result<Slot> {
        let id = *self
            .resolved
            .uses
            .get(&span)
            .ok_or_else(|| NotSupported::unresolved("variable", name, span))?;
        Ok(self.slot_of(id, name))
    }

    /// The slot of a pattern variable: introduced there or bound before.
    pub fn ident_slot(&mut self, ident: &Ident) -> Result<Slot> {
        if self.introduces(ident) {
            self.introduced_slot(&ident.name, ident.span)
        } else {
            self.use_slot(&ident.name, ident.span)
        }
    }

    /// Whether `ident` introduces its variable rather than naming one already bound.
    pub fn introduces(&self, ident: &Ident) -> bool {
        self.resolved
            .introduced_at(ident.span, &ident.name)
            .is_some()
    }

    /// The catalog entry of the function called at `span`.
    pub fn function_at(&self, span: Span) -> Option<&'static FunctionSpec> {
        self.resolved.functions.get(&span).copied()
    }

    /// The slots of the variables `pattern` introduces (what OPTIONAL MATCH nulls).
    fn introduced_slots(&mut self, pattern: &[PatternPart]) -> Result<Vec<Slot>> {
        let mut idents = Vec::new();
        for part in pattern {
            let element = &part.element;
            idents.extend(&element.start.variable);
            for (rel, node) in &element.chain {
                idents.extend(&rel.variable);
                idents.extend(&node.variable);
            }
            idents.extend(&part.variable);
        }
        let mut slots = Vec::new();
        for ident in idents {
            if self.introduces(ident) {
                let slot = self.ident_slot(ident)?;
                if !slots.contains(&slot) {
                    slots.push(slot);
                }
            }
        }
        Ok(slots)
    }

    /// Records the variable name of `slot` (for EXPLAIN).
    pub fn name_slot(&mut self, slot: Slot, name: &str) {
        if let Some(entry) = self.names.get_mut(slot) {
            entry.get_or_insert_with(|| name.to_string());
        }
    }

    fn query(&mut self, query: &Query) -> Result<(LogicalPlan, Vec<String>)> {
        self.union_query(query, false)
    }

    /// Plans the clauses of `query` on top of `input`; returns the plan and its columns.
    pub fn single_query(
        &mut self,
        query: &SingleQuery,
        input: LogicalPlan,
    ) -> Result<(LogicalPlan, Vec<String>)> {
        let mut plan = input;
        for clause in &query.clauses {
            plan = match clause {
                Clause::Match(m) => {
                    if m.optional {
                        let inner = self.match_pattern(
                            LogicalPlan::Argument,
                            &m.pattern,
                            m.where_clause.as_ref(),
                        )?;
                        let slots = self.introduced_slots(&m.pattern)?;
                        LogicalPlan::Optional {
                            input: Box::new(plan),
                            inner: Box::new(inner),
                            slots,
                        }
                    } else {
                        self.match_pattern(plan, &m.pattern, m.where_clause.as_ref())?
                    }
                }
                Clause::Unwind(u) => {
                    let expr = self.expr(&u.expr)?;
                    let slot = self.introduced_slot(&u.variable.name, u.variable.span)?;
                    LogicalPlan::Unwind {
                        input: Box::new(plan),
                        expr,
                        slot,
                    }
                }
                Clause::LoadCsv(l) => self.load_csv(plan, l)?,
                Clause::With(w) => {
                    let (mut plan, _) = self.projection(plan, &w.projection, w.span)?;
                    if let Some(predicate) = &w.where_clause {
                        plan = LogicalPlan::Filter {
                            input: Box::new(plan),
                            predicate: self.expr(predicate)?,
                        };
                    }
                    plan
                }
                Clause::Return(r) => {
                    let (plan, columns) = self.projection(plan, &r.projection, r.span)?;
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
                    let ops = self.create_pattern(&c.pattern)?;
                    LogicalPlan::Create {
                        input: Box::new(plan),
                        ops,
                    }
                }
                Clause::Merge(m) => self.merge(plan, m)?,
                Clause::Set(s) => LogicalPlan::Set {
                    input: Box::new(plan),
                    ops: self.set_items(&s.items)?,
                },
                Clause::Remove(r) => LogicalPlan::Remove {
                    input: Box::new(plan),
                    ops: self.remove_items(&r.items)?,
                },
                Clause::Delete(d) => self.delete(plan, d)?,
                Clause::CallSubquery(c) => self.call_subquery(plan, c)?,
                Clause::Foreach(f) => self.foreach(plan, f)?,
                Clause::Call(c) => {
                    let standalone = self.nested == 0 && query.clauses.len() == 1;
                    let (plan, columns) = self.call(plan, c, standalone)?;
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

    /// The items of a WITH/RETURN at `span`: `*` first (by name), then the listed ones.
    fn items(&mut self, projection: &Projection, span: Span) -> Result<Vec<Item>> {
        let mut items = Vec::new();
        if projection.star {
            let star = self.resolved.stars.get(&span).cloned().unwrap_or_default();
            for s in star {
                let copies = Some(self.slot_of(s.from, &s.name));
                items.push(Item {
                    expr: Expr::new(ExprKind::Variable(s.name.clone()), span),
                    slot: self.slot_of(s.to, &s.name),
                    name: s.name,
                    copies,
                });
            }
        }
        for item in &projection.items {
            let name = item.column_name();
            let at = item.alias.as_ref().map_or(item.expr.span, |a| a.span);
            items.push(Item {
                name: name.to_string(),
                expr: item.expr.clone(),
                slot: self.introduced_slot(name, at)?,
                copies: None,
            });
        }
        Ok(items)
    }

    /// The value an item computes, read before the projection.
    fn item_value(&mut self, item: &Item) -> Result<PlanExpr> {
        match item.copies {
            Some(slot) => Ok(PlanExpr::new(
                super::PlanExprKind::Slot(slot),
                item.expr.span,
            )),
            None => self.expr(&item.expr),
        }
    }

    /// WITH/RETURN body at `span`. Returns the plan and the (column, slot) list.
    fn projection(
        &mut self,
        mut plan: LogicalPlan,
        projection: &Projection,
        span: Span,
    ) -> Result<(LogicalPlan, Columns)> {
        let items = self.items(projection, span)?;
        let aggregating = items.iter().any(|i| is_aggregating(&i.expr));
        let columns: Columns = items.iter().map(|i| (i.name.clone(), i.slot)).collect();
        let order_keys;
        if aggregating {
            let mut grouping = Grouping::default();
            let mut keys = Vec::new();
            for item in items.iter().filter(|i| !is_aggregating(&i.expr)) {
                keys.push((item.slot, self.item_value(item)?));
                grouping.keys.push((item.expr.clone(), item.slot));
            }
            // Map projections in aggregated items group by their subjects too.
            let mut implicit = Vec::new();
            for item in items.iter().filter(|i| is_aggregating(&i.expr)) {
                implicit_grouping_keys(&item.expr, &mut implicit);
            }
            for ident in implicit {
                let var = Expr::new(ExprKind::Variable(ident.name.clone()), ident.span);
                if grouping.keys.iter().all(|(k, _)| *k != var) {
                    let slot = self.new_slot();
                    keys.push((slot, self.expr(&var)?));
                    grouping.keys.push((var, slot));
                }
            }
            // Aggregated items are computed from the group's keys and aggregate results.
            self.grouping = Some(grouping);
            let compiled = self.aggregated_items(&items, projection);
            let grouping = self.grouping.take().unwrap_or_default();
            let (post, order) = compiled?;
            order_keys = order;
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
            for item in &items {
                project.push((item.slot, self.item_value(item)?));
            }
            plan = LogicalPlan::Project {
                input: Box::new(plan),
                items: project,
            };
            order_keys = projection
                .order_by
                .iter()
                .map(|s| Ok((self.expr(&s.expr)?, s.descending)))
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
        if let Some(skip) = &projection.skip {
            plan = LogicalPlan::Skip {
                input: Box::new(plan),
                count: self.expr(skip)?,
            };
        }
        if let Some(limit) = &projection.limit {
            plan = LogicalPlan::Limit {
                input: Box::new(plan),
                count: self.expr(limit)?,
            };
        }
        Ok((plan, columns))
    }

    /// With `self.grouping` set: the aggregated items (over keys and aggregate results)
    /// and the ORDER BY keys.
    #[allow(clippy::type_complexity)]
    fn aggregated_items(
        &mut self,
        items: &[Item],
        projection: &Projection,
    ) -> Result<(Vec<(Slot, PlanExpr)>, Vec<(PlanExpr, bool)>)> {
        let mut post = Vec::new();
        for item in items.iter().filter(|i| is_aggregating(&i.expr)) {
            post.push((item.slot, self.expr(&item.expr)?));
        }
        let order = projection
            .order_by
            .iter()
            .map(|s| Ok((self.expr(&s.expr)?, s.descending)))
            .collect::<Result<_>>()?;
        Ok((post, order))
    }

    fn load_csv(&mut self, input: LogicalPlan, load: &LoadCsv) -> Result<LogicalPlan> {
        let source = self.expr(&load.source)?;
        // `semantic` checked the terminator is one ASCII character.
        let delimiter = match load.field_terminator.as_ref().map(|t| &t.kind) {
            Some(ExprKind::Literal(Literal::String(text))) => text.bytes().next().unwrap_or(b','),
            _ => b',',
        };
        let slot = self.introduced_slot(&load.variable.name, load.variable.span)?;
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

    fn merge(&mut self, input: LogicalPlan, merge: &Merge) -> Result<LogicalPlan> {
        // Both sides fill the same slots: a variable has one slot wherever it is planned.
        let part = std::slice::from_ref(&merge.part);
        let pattern = self.match_pattern(LogicalPlan::Argument, part, None)?;
        let create = self.create_pattern(part)?;
        let on_create = self.set_items(&merge.on_create)?;
        let on_match = self.set_items(&merge.on_match)?;
        Ok(LogicalPlan::Merge {
            input: Box::new(input),
            pattern: Box::new(pattern),
            create,
            on_create,
            on_match,
        })
    }

    fn set_items(&mut self, items: &[SetItem]) -> Result<Vec<SetOp>> {
        items
            .iter()
            .map(|item| {
                Ok(match item {
                    SetItem::Property { target, key, value } => SetOp::Property {
                        target: self.expr(target)?,
                        key: crate::graph::intern(&key.name),
                        value: self.expr(value)?,
                    },
                    SetItem::Replace { variable, value } => SetOp::Properties {
                        target: self.variable(variable)?,
                        value: self.expr(value)?,
                        replace: true,
                    },
                    SetItem::Merge { variable, value } => SetOp::Properties {
                        target: self.variable(variable)?,
                        value: self.expr(value)?,
                        replace: false,
                    },
                    SetItem::Labels { variable, labels } => SetOp::AddLabels {
                        target: self.variable(variable)?,
                        labels: labels
                            .iter()
                            .map(|l| crate::graph::intern(&l.name))
                            .collect(),
                    },
                })
            })
            .collect()
    }

    fn remove_items(&mut self, items: &[RemoveItem]) -> Result<Vec<SetOp>> {
        items
            .iter()
            .map(|item| {
                Ok(match item {
                    RemoveItem::Property { target, key } => SetOp::Property {
                        target: self.expr(target)?,
                        key: crate::graph::intern(&key.name),
                        value: PlanExpr::constant(crate::value::Value::Null),
                    },
                    RemoveItem::Labels { variable, labels } => SetOp::RemoveLabels {
                        target: self.variable(variable)?,
                        labels: labels
                            .iter()
                            .map(|l| crate::graph::intern(&l.name))
                            .collect(),
                    },
                })
            })
            .collect()
    }

    fn delete(&mut self, input: LogicalPlan, delete: &Delete) -> Result<LogicalPlan> {
        let exprs = delete
            .exprs
            .iter()
            .map(|e| self.expr(e))
            .collect::<Result<_>>()?;
        Ok(LogicalPlan::Delete {
            input: Box::new(input),
            exprs,
            detach: delete.detach,
        })
    }
}
