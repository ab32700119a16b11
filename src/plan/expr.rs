//! AST expressions → `PlanExpr`: variables become slots, function calls take the catalog
//! entry `semantic::bind` resolved, aggregates become slots of the enclosing `Aggregate`,
//! and pattern expressions become read-only subplans.

use crate::ast::{
    Expr, ExprKind, Ident, Literal, MapProjectionItem, PathKind, PatternElement, PatternPart,
    UnaryOp,
};
use crate::catalog::FunctionKind;
use crate::error::{ErrorCode, ErrorKind, QueryError, Result};
use crate::semantic::is_aggregating;
use crate::value::Value;

use super::build::{Builder, Scope};
use super::{AggregateCall, LogicalPlan, MapItem, PlanExpr, PlanExprKind as K};

impl Builder {
    /// A variable reference.
    pub(super) fn variable(&mut self, ident: &Ident, scope: &Scope) -> Result<PlanExpr> {
        match scope.get(&ident.name) {
            Some(slot) => Ok(PlanExpr::new(K::Slot(slot), ident.span)),
            None => Err(super::build::unresolved(
                "variable",
                &ident.name,
                ident.span,
            )),
        }
    }

    /// Whether `expr` calls an aggregate function outside any subquery.
    pub(super) fn contains_aggregate(&self, expr: &Expr) -> bool {
        is_aggregating(expr)
    }

    /// Compiles `expr` against `scope`.
    pub(super) fn expr(&mut self, expr: &Expr, scope: &Scope) -> Result<PlanExpr> {
        if let Some(grouping) = &self.grouping
            && let Some((_, slot)) = grouping.keys.iter().find(|(k, _)| k == expr)
        {
            return Ok(PlanExpr::new(K::Slot(*slot), expr.span));
        }
        let span = expr.span;
        let kind = match &expr.kind {
            ExprKind::Literal(lit) => K::Const(literal(lit)),
            ExprKind::Parameter(name) => K::Param(name.clone()),
            ExprKind::Variable(name) => match scope.get(name) {
                Some(slot) => K::Slot(slot),
                None => return Err(super::build::unresolved("variable", name, span)),
            },
            ExprKind::List(items) => K::List(self.exprs(items, scope)?),
            ExprKind::Map(entries) => K::Map(
                entries
                    .iter()
                    .map(|(k, v)| Ok((k.name.clone(), self.expr(v, scope)?)))
                    .collect::<Result<_>>()?,
            ),
            ExprKind::Property(target, key) => {
                K::Property(self.boxed(target, scope)?, crate::graph::intern(&key.name))
            }
            ExprKind::Index(a, b) => K::Index(self.boxed(a, scope)?, self.boxed(b, scope)?),
            ExprKind::Slice(a, from, to) => K::Slice(
                self.boxed(a, scope)?,
                self.opt(from.as_deref(), scope)?,
                self.opt(to.as_deref(), scope)?,
            ),
            ExprKind::Unary(UnaryOp::Negate, inner) => match &inner.kind {
                // -9223372036854775808 is only representable negated.
                ExprKind::Literal(Literal::Integer(i)) => K::Const(Value::Int(i.wrapping_neg())),
                _ => K::Unary(UnaryOp::Negate, self.boxed(inner, scope)?),
            },
            ExprKind::Unary(op, inner) => K::Unary(*op, self.boxed(inner, scope)?),
            ExprKind::Binary(op, a, b) => {
                K::Binary(*op, self.boxed(a, scope)?, self.boxed(b, scope)?)
            }
            ExprKind::IsNull { expr, negated } => K::IsNull(self.boxed(expr, scope)?, *negated),
            ExprKind::HasLabels(target, labels) => K::HasLabels(
                self.boxed(target, scope)?,
                labels
                    .iter()
                    .map(|l| crate::graph::intern(&l.name))
                    .collect(),
            ),
            ExprKind::CountStar => return self.aggregate("count", false, &[], span),
            ExprKind::FunctionCall(call) => {
                let lower = call.name.to_lowercase();
                if lower == "exists" && call.args.len() == 1 {
                    return match &call.args[0].kind {
                        ExprKind::Pattern(element) => self.exists_pattern(element, scope, span),
                        _ => Ok(PlanExpr::new(
                            K::IsNull(self.boxed(&call.args[0], scope)?, true),
                            span,
                        )),
                    };
                }
                // Inside LOAD CSV's reach, linenumber() and file() read the clause's slots.
                if let Some((line_slot, file_slot)) = self.load_csv
                    && call.args.is_empty()
                    && matches!(lower.as_str(), "linenumber" | "file")
                {
                    let slot = if lower == "file" {
                        file_slot
                    } else {
                        line_slot
                    };
                    return Ok(PlanExpr::new(K::Slot(slot), span));
                }
                let spec = *self
                    .functions
                    .get(&span)
                    .ok_or_else(|| super::build::unresolved("function", &call.name, span))?;
                if spec.kind == FunctionKind::Aggregate {
                    return self.aggregate(&lower, call.distinct, &call.args, span);
                }
                K::Function(spec, self.exprs(&call.args, scope)?)
            }
            ExprKind::Case(case) => K::Case {
                subject: self.opt(case.subject.as_deref(), scope)?,
                whens: case
                    .whens
                    .iter()
                    .map(|(w, t)| Ok((self.expr(w, scope)?, self.expr(t, scope)?)))
                    .collect::<Result<_>>()?,
                otherwise: self.opt(case.otherwise.as_deref(), scope)?,
            },
            ExprKind::ListComprehension {
                variable,
                list,
                predicate,
                projection,
            } => {
                let list = self.boxed(list, scope)?;
                let (slot, inner) = self.bind_local(variable, scope);
                K::ListComprehension {
                    slot,
                    list,
                    predicate: self.opt(predicate.as_deref(), &inner)?,
                    projection: self.opt(projection.as_deref(), &inner)?,
                }
            }
            ExprKind::Quantifier {
                quantifier,
                variable,
                list,
                predicate,
            } => {
                let list = self.boxed(list, scope)?;
                let (slot, inner) = self.bind_local(variable, scope);
                K::Quantifier {
                    quantifier: *quantifier,
                    slot,
                    list,
                    predicate: self.opt(predicate.as_deref(), &inner)?,
                }
            }
            ExprKind::Reduce {
                accumulator,
                init,
                variable,
                list,
                expr,
            } => {
                let init = self.boxed(init, scope)?;
                let list = self.boxed(list, scope)?;
                let (acc, inner) = self.bind_local(accumulator, scope);
                let (slot, inner) = self.bind_local(variable, &inner);
                K::Reduce {
                    accumulator: acc,
                    init,
                    slot,
                    list,
                    expr: self.boxed(expr, &inner)?,
                }
            }
            ExprKind::Pattern(element) => return self.exists_pattern(element, scope, span),
            ExprKind::PatternComprehension {
                variable,
                pattern,
                predicate,
                projection,
            } => {
                let saved = self.grouping.take();
                let mut inner = scope.clone();
                let part = PatternPart {
                    variable: variable.clone(),
                    kind: PathKind::All,
                    element: (**pattern).clone(),
                    span,
                };
                let plan = self.match_pattern(
                    LogicalPlan::Argument,
                    std::slice::from_ref(&part),
                    predicate.as_deref(),
                    &mut inner,
                );
                let projection = plan.and_then(|plan| Ok((plan, self.expr(projection, &inner)?)));
                self.grouping = saved;
                let (plan, projection) = projection?;
                K::Collect(Box::new(plan), Box::new(projection))
            }
            ExprKind::Subquery(kind, query) => self.expression_subquery(*kind, query, scope)?,
            // Through `expr`, so that a grouping key stands in for the subject.
            ExprKind::MapProjection { subject, items } => K::MapProjection(
                self.boxed(&variable_expr(subject), scope)?,
                items
                    .iter()
                    .map(|item| {
                        Ok(match item {
                            MapProjectionItem::Property(key) => {
                                MapItem::Property(crate::graph::intern(&key.name))
                            }
                            MapProjectionItem::AllProperties => MapItem::AllProperties,
                            MapProjectionItem::Entry(key, value) => {
                                MapItem::Entry(key.name.clone(), self.expr(value, scope)?)
                            }
                            MapProjectionItem::Variable(name) => MapItem::Entry(
                                name.name.clone(),
                                self.expr(&variable_expr(name), scope)?,
                            ),
                        })
                    })
                    .collect::<Result<_>>()?,
            ),
        };
        Ok(PlanExpr::new(kind, span))
    }

    fn boxed(&mut self, expr: &Expr, scope: &Scope) -> Result<Box<PlanExpr>> {
        self.expr(expr, scope).map(Box::new)
    }

    fn opt(&mut self, expr: Option<&Expr>, scope: &Scope) -> Result<Option<Box<PlanExpr>>> {
        expr.map(|e| self.boxed(e, scope)).transpose()
    }

    fn exprs(&mut self, exprs: &[Expr], scope: &Scope) -> Result<Vec<PlanExpr>> {
        exprs.iter().map(|e| self.expr(e, scope)).collect()
    }

    /// A comprehension/quantifier/reduce variable: a fresh slot visible only inside.
    fn bind_local(&mut self, variable: &Ident, scope: &Scope) -> (usize, Scope) {
        let slot = self.new_slot();
        let mut inner = scope.clone();
        inner.insert(&variable.name, slot);
        self.name_slot(slot, &variable.name);
        (slot, inner)
    }

    fn exists_pattern(
        &mut self,
        element: &PatternElement,
        scope: &Scope,
        span: crate::ast::Span,
    ) -> Result<PlanExpr> {
        let saved = self.grouping.take();
        let part = PatternPart {
            variable: None,
            kind: PathKind::All,
            element: element.clone(),
            span,
        };
        let plan = self.match_pattern(
            LogicalPlan::Argument,
            std::slice::from_ref(&part),
            None,
            &mut scope.clone(),
        );
        self.grouping = saved;
        Ok(PlanExpr::new(K::Exists(Box::new(plan?)), span))
    }

    /// An aggregate call: its arguments are compiled against the aggregation's input scope
    /// and the call is replaced by the slot its result lands in.
    fn aggregate(
        &mut self,
        name: &str,
        distinct: bool,
        args: &[Expr],
        span: crate::ast::Span,
    ) -> Result<PlanExpr> {
        let Some(grouping) = self.grouping.take() else {
            return Err(QueryError::compile(
                ErrorKind::SyntaxError,
                ErrorCode::InvalidAggregation,
                format!("aggregate function `{name}` is not allowed here"),
            )
            .with_span(span));
        };
        let input_scope = grouping.input_scope.clone();
        let compiled = self.exprs(args, &input_scope);
        self.grouping = Some(grouping);
        let args = compiled?;
        let slot = self.new_slot();
        if let Some(grouping) = &mut self.grouping {
            grouping.aggregates.push((
                slot,
                AggregateCall {
                    name: name.to_string(),
                    distinct,
                    args,
                    span,
                },
            ));
        }
        Ok(PlanExpr::new(K::Slot(slot), span))
    }
}

/// `ident` as a variable reference.
fn variable_expr(ident: &Ident) -> Expr {
    Expr::new(ExprKind::Variable(ident.name.clone()), ident.span)
}

/// The value of a literal.
pub(crate) fn literal(lit: &Literal) -> Value {
    match lit {
        Literal::Null => Value::Null,
        Literal::Bool(b) => Value::Bool(*b),
        Literal::Integer(i) => Value::Int(*i),
        Literal::Float(f) => Value::Float(*f),
        Literal::String(s) => Value::string(s),
    }
}
