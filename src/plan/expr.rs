//! AST expressions → `PlanExpr`: variables become slots, function calls take the catalog
//! entry `semantic::bind` resolved, aggregates become slots of the enclosing `Aggregate`,
//! and pattern expressions become read-only subplans.

use super::{NotSupported, Result};
use crate::ast::{
    Expr, ExprKind, Ident, Literal, MapProjectionItem, PathKind, PatternElement, PatternPart,
    UnaryOp,
};
use crate::catalog::FunctionKind;
use crate::value::Value;

use super::build::Builder;
use super::{AggregateCall, LogicalPlan, MapItem, PlanExpr, PlanExprKind as K};

impl Builder {
    /// A variable reference.
    pub(super) fn variable(&mut self, ident: &Ident) -> Result<PlanExpr> {
        let slot = self.use_slot(&ident.name, ident.span)?;
        Ok(PlanExpr::new(K::Slot(slot), ident.span))
    }

    /// Compiles `expr`.
    pub(super) fn expr(&mut self, expr: &Expr) -> Result<PlanExpr> {
        if let Some(grouping) = &self.grouping
            && let Some((_, slot)) = grouping.keys.iter().find(|(k, _)| k == expr)
        {
            return Ok(PlanExpr::new(K::Slot(*slot), expr.span));
        }
        let span = expr.span;
        let kind = match &expr.kind {
            ExprKind::Literal(lit) => K::Const(literal(lit)),
            ExprKind::Parameter(name) => K::Param(name.clone()),
            ExprKind::Variable(name) => K::Slot(self.use_slot(name, span)?),
            ExprKind::List(items) => K::List(self.exprs(items)?),
            ExprKind::Map(entries) => K::Map(
                entries
                    .iter()
                    .map(|(k, v)| Ok((k.name.clone(), self.expr(v)?)))
                    .collect::<Result<_>>()?,
            ),
            ExprKind::Property(target, key) => {
                K::Property(self.boxed(target)?, crate::graph::intern(&key.name))
            }
            ExprKind::Index(a, b) => K::Index(self.boxed(a)?, self.boxed(b)?),
            ExprKind::Slice(a, from, to) => K::Slice(
                self.boxed(a)?,
                self.opt(from.as_deref())?,
                self.opt(to.as_deref())?,
            ),
            ExprKind::Unary(UnaryOp::Negate, inner) => match &inner.kind {
                // -9223372036854775808 is only representable negated.
                ExprKind::Literal(Literal::Integer(i)) => K::Const(Value::Int(i.wrapping_neg())),
                _ => K::Unary(UnaryOp::Negate, self.boxed(inner)?),
            },
            ExprKind::Unary(op, inner) => K::Unary(*op, self.boxed(inner)?),
            ExprKind::Binary(op, a, b) => K::Binary(*op, self.boxed(a)?, self.boxed(b)?),
            ExprKind::IsNull { expr, negated } => K::IsNull(self.boxed(expr)?, *negated),
            ExprKind::HasLabels(target, labels) => K::HasLabels(
                self.boxed(target)?,
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
                        ExprKind::Pattern(element) => self.exists_pattern(element, span),
                        _ => Ok(PlanExpr::new(
                            K::IsNull(self.boxed(&call.args[0])?, true),
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
                let spec = self
                    .function_at(span)
                    .ok_or_else(|| NotSupported::unresolved("function", &call.name, span))?;
                if spec.kind == FunctionKind::Aggregate {
                    return self.aggregate(&lower, call.distinct, &call.args, span);
                }
                K::Function(spec, self.exprs(&call.args)?)
            }
            ExprKind::Case(case) => K::Case {
                subject: self.opt(case.subject.as_deref())?,
                whens: case
                    .whens
                    .iter()
                    .map(|(w, t)| Ok((self.expr(w)?, self.expr(t)?)))
                    .collect::<Result<_>>()?,
                otherwise: self.opt(case.otherwise.as_deref())?,
            },
            ExprKind::ListComprehension {
                variable,
                list,
                predicate,
                projection,
            } => {
                let list = self.boxed(list)?;
                K::ListComprehension {
                    slot: self.local(variable)?,
                    list,
                    predicate: self.opt(predicate.as_deref())?,
                    projection: self.opt(projection.as_deref())?,
                }
            }
            ExprKind::Quantifier {
                quantifier,
                variable,
                list,
                predicate,
            } => {
                let list = self.boxed(list)?;
                K::Quantifier {
                    quantifier: *quantifier,
                    slot: self.local(variable)?,
                    list,
                    predicate: self.opt(predicate.as_deref())?,
                }
            }
            ExprKind::Reduce {
                accumulator,
                init,
                variable,
                list,
                expr,
            } => {
                let init = self.boxed(init)?;
                let list = self.boxed(list)?;
                K::Reduce {
                    accumulator: self.local(accumulator)?,
                    init,
                    slot: self.local(variable)?,
                    list,
                    expr: self.boxed(expr)?,
                }
            }
            ExprKind::Pattern(element) => return self.exists_pattern(element, span),
            ExprKind::PatternComprehension {
                variable,
                pattern,
                predicate,
                projection,
            } => {
                let saved = self.grouping.take();
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
                );
                let projection = plan.and_then(|plan| Ok((plan, self.expr(projection)?)));
                self.grouping = saved;
                let (plan, projection) = projection?;
                K::Collect(Box::new(plan), Box::new(projection))
            }
            ExprKind::Subquery(kind, query) => self.expression_subquery(*kind, query)?,
            // Through `expr`, so that a grouping key stands in for the subject.
            ExprKind::MapProjection { subject, items } => K::MapProjection(
                self.boxed(&variable_expr(subject))?,
                items
                    .iter()
                    .map(|item| {
                        Ok(match item {
                            MapProjectionItem::Property(key) => {
                                MapItem::Property(crate::graph::intern(&key.name))
                            }
                            MapProjectionItem::AllProperties => MapItem::AllProperties,
                            MapProjectionItem::Entry(key, value) => {
                                MapItem::Entry(key.name.clone(), self.expr(value)?)
                            }
                            MapProjectionItem::Variable(name) => {
                                MapItem::Entry(name.name.clone(), self.expr(&variable_expr(name))?)
                            }
                        })
                    })
                    .collect::<Result<_>>()?,
            ),
        };
        Ok(PlanExpr::new(kind, span))
    }

    fn boxed(&mut self, expr: &Expr) -> Result<Box<PlanExpr>> {
        self.expr(expr).map(Box::new)
    }

    fn opt(&mut self, expr: Option<&Expr>) -> Result<Option<Box<PlanExpr>>> {
        expr.map(|e| self.boxed(e)).transpose()
    }

    fn exprs(&mut self, exprs: &[Expr]) -> Result<Vec<PlanExpr>> {
        exprs.iter().map(|e| self.expr(e)).collect()
    }

    /// A comprehension/quantifier/reduce variable: its own slot, named only inside.
    fn local(&mut self, variable: &Ident) -> Result<usize> {
        self.introduced_slot(&variable.name, variable.span)
    }

    fn exists_pattern(
        &mut self,
        element: &PatternElement,
        span: crate::ast::Span,
    ) -> Result<PlanExpr> {
        let saved = self.grouping.take();
        let part = PatternPart {
            variable: None,
            kind: PathKind::All,
            element: element.clone(),
            span,
        };
        let plan = self.match_pattern(LogicalPlan::Argument, std::slice::from_ref(&part), None);
        self.grouping = saved;
        Ok(PlanExpr::new(K::Exists(Box::new(plan?)), span))
    }

    /// An aggregate call: its arguments are compiled over the input rows
    /// and the call is replaced by the slot its result lands in.
    fn aggregate(
        &mut self,
        name: &str,
        distinct: bool,
        args: &[Expr],
        span: crate::ast::Span,
    ) -> Result<PlanExpr> {
        let Some(grouping) = self.grouping.take() else {
            // `semantic` raised InvalidAggregation for an aggregate outside a projection.
            return Err(NotSupported::unresolved(
                "aggregate outside a projection",
                name,
                span,
            ));
        };
        // Arguments read the rows being grouped, not the keys.
        let compiled = self.exprs(args);
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
