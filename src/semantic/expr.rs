//! Expression checks: undefined variables, unknown functions and their arity, aggregate
//! placement (InvalidAggregation, NestedAggregation, AmbiguousAggregationExpression), and
//! pattern predicates.

use crate::ast::{Expr, ExprKind, Ident, Literal};
use crate::error::{ErrorCode, ErrorKind, QueryError, Result};
use crate::exec::functions::{self, FunctionKind};

use super::{Scope, VarKind, error, pattern};

/// A variable reference that must be in scope.
pub(super) fn bind_variable(ident: &Ident, scope: &Scope) -> Result<()> {
    if scope.contains(&ident.name) {
        Ok(())
    } else {
        Err(QueryError::undefined_variable(&ident.name, ident.span))
    }
}

/// A WHERE predicate: no aggregates.
pub(super) fn bind_predicate(expr: &Expr, scope: &Scope) -> Result<()> {
    bind_expr(expr, scope, false)
}

/// Checks `expr`; `aggregates` says whether aggregate calls may appear.
pub(super) fn bind_expr(expr: &Expr, scope: &Scope, aggregates: bool) -> Result<()> {
    Binder {
        aggregates,
        in_aggregate: false,
    }
    .expr(expr, scope)
}

struct Binder {
    aggregates: bool,
    in_aggregate: bool,
}

impl Binder {
    fn aggregate(
        &mut self,
        name: &str,
        args: &[Expr],
        span: crate::ast::Span,
        scope: &Scope,
    ) -> Result<()> {
        if self.in_aggregate {
            return Err(error(
                ErrorKind::SyntaxError,
                ErrorCode::NestedAggregation,
                format!("aggregate `{name}` cannot be nested inside another aggregate"),
                span,
            ));
        }
        if !self.aggregates {
            return Err(error(
                ErrorKind::SyntaxError,
                ErrorCode::InvalidAggregation,
                format!("aggregate `{name}` is only allowed in WITH, RETURN and their ORDER BY"),
                span,
            ));
        }
        self.in_aggregate = true;
        let result = args.iter().try_for_each(|a| self.expr(a, scope));
        self.in_aggregate = false;
        result?;
        // count(rand()) and friends: the TCK wants aggregate arguments to be deterministic.
        let mut nondeterministic = false;
        for a in args {
            visit(a, &mut |e| {
                if let ExprKind::FunctionCall(c) = &e.kind {
                    if c.name.eq_ignore_ascii_case("rand") {
                        nondeterministic = true;
                    }
                }
            });
        }
        if nondeterministic {
            return Err(error(
                ErrorKind::SyntaxError,
                ErrorCode::NonConstantExpression,
                "aggregate arguments must not call rand()",
                span,
            ));
        }
        Ok(())
    }

    fn local(&mut self, variable: &Ident, scope: &Scope) -> Scope {
        let mut inner = scope.clone();
        inner.declare(&variable.name, VarKind::Value, variable.span);
        inner
    }

    fn expr(&mut self, expr: &Expr, scope: &Scope) -> Result<()> {
        let span = expr.span;
        match &expr.kind {
            ExprKind::Literal(_) | ExprKind::Parameter(_) => Ok(()),
            ExprKind::Variable(name) => {
                if scope.contains(name) {
                    Ok(())
                } else {
                    Err(QueryError::undefined_variable(name, span))
                }
            }
            ExprKind::List(items) => items.iter().try_for_each(|e| self.expr(e, scope)),
            ExprKind::Map(entries) => entries.iter().try_for_each(|(_, e)| self.expr(e, scope)),
            ExprKind::Property(e, _)
            | ExprKind::IsNull { expr: e, .. }
            | ExprKind::HasLabels(e, _) => self.expr(e, scope),
            ExprKind::Unary(_, e) => {
                self.expr(e, scope)?;
                literal_type_check(expr)
            }
            ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => {
                self.expr(a, scope)?;
                self.expr(b, scope)?;
                literal_type_check(expr)
            }
            ExprKind::Slice(a, b, c) => {
                self.expr(a, scope)?;
                b.iter().chain(c).try_for_each(|e| self.expr(e, scope))
            }
            ExprKind::CountStar => self.aggregate("count", &[], span, scope),
            ExprKind::FunctionCall(call) => {
                let lower = call.name.to_lowercase();
                if lower == "exists" && call.args.len() == 1 {
                    if let ExprKind::Pattern(element) = &call.args[0].kind {
                        return pattern::bind_pattern_predicate(element, scope);
                    }
                }
                let Some(spec) = functions::lookup(&call.name) else {
                    return Err(error(
                        ErrorKind::SyntaxError,
                        ErrorCode::UnknownFunction,
                        format!("unknown function `{}`", call.name),
                        span,
                    ));
                };
                let n = call.args.len();
                if n < spec.min_args || spec.max_args.is_some_and(|m| n > m) {
                    return Err(error(
                        ErrorKind::SyntaxError,
                        ErrorCode::InvalidNumberOfArguments,
                        format!("{}() does not take {n} arguments", spec.name),
                        span,
                    ));
                }
                if spec.kind == FunctionKind::Aggregate {
                    self.aggregate(spec.name, &call.args, span, scope)
                } else {
                    call.args.iter().try_for_each(|e| self.expr(e, scope))
                }
            }
            ExprKind::Case(case) => {
                case.subject
                    .iter()
                    .chain(&case.otherwise)
                    .try_for_each(|e| self.expr(e, scope))?;
                for (w, t) in &case.whens {
                    self.expr(w, scope)?;
                    self.expr(t, scope)?;
                }
                Ok(())
            }
            ExprKind::ListComprehension {
                variable,
                list,
                predicate,
                projection,
            } => {
                self.expr(list, scope)?;
                let inner = self.local(variable, scope);
                predicate
                    .iter()
                    .chain(projection)
                    .try_for_each(|e| self.expr(e, &inner))
            }
            ExprKind::Quantifier {
                variable,
                list,
                predicate,
                ..
            } => {
                self.expr(list, scope)?;
                let inner = self.local(variable, scope);
                predicate.iter().try_for_each(|e| self.expr(e, &inner))
            }
            ExprKind::Reduce {
                accumulator,
                init,
                variable,
                list,
                expr,
            } => {
                self.expr(init, scope)?;
                self.expr(list, scope)?;
                let inner = self.local(accumulator, scope);
                let inner = self.local(variable, &inner);
                self.expr(expr, &inner)
            }
            ExprKind::Pattern(element) => pattern::bind_pattern_predicate(element, scope),
            ExprKind::PatternComprehension {
                variable,
                pattern: element,
                predicate,
                projection,
            } => {
                let mut inner = scope.clone();
                pattern::bind_element(element, &mut inner, true)?;
                if let Some(v) = variable {
                    inner.declare(&v.name, VarKind::Path, v.span);
                }
                let mut sub = Binder {
                    aggregates: false,
                    in_aggregate: false,
                };
                predicate.iter().try_for_each(|e| sub.expr(e, &inner))?;
                sub.expr(projection, &inner)
            }
            ExprKind::ExistsSubquery(query) => {
                super::bind_single(query, scope.clone(), true).map(|_| ())
            }
        }
    }
}

/// Operators applied to literals of the wrong type are rejected at compile time
/// (TCK Boolean3/4, List5): `NOT 'a'`, `true XOR 1`, `1 IN 2`.
fn literal_type_check(expr: &Expr) -> Result<()> {
    use crate::ast::{BinaryOp, UnaryOp};
    let is_non_bool = |e: &Expr| match &e.kind {
        ExprKind::Literal(Literal::Bool(_) | Literal::Null) => false,
        ExprKind::Literal(_) | ExprKind::Map(_) | ExprKind::List(_) => true,
        _ => false,
    };
    let is_non_list = |e: &Expr| match &e.kind {
        ExprKind::Literal(Literal::Null) | ExprKind::List(_) => false,
        ExprKind::Literal(_) | ExprKind::Map(_) => true,
        _ => false,
    };
    let bad = match &expr.kind {
        ExprKind::Unary(UnaryOp::Not, e) => is_non_bool(e),
        ExprKind::Binary(BinaryOp::And | BinaryOp::Or | BinaryOp::Xor, a, b) => {
            is_non_bool(a) || is_non_bool(b)
        }
        ExprKind::Binary(BinaryOp::In, _, list) => is_non_list(list),
        _ => false,
    };
    if bad {
        return Err(error(
            ErrorKind::SyntaxError,
            ErrorCode::InvalidArgumentType,
            "operand of the wrong type",
            expr.span,
        ));
    }
    Ok(())
}

/// In an aggregating projection, every variable outside aggregate calls must be part of a
/// grouping key (`keys`), else the result would be ambiguous.
pub(super) fn check_grouped(expr: &Expr, keys: &[&Expr], locals: &Scope) -> Result<()> {
    if keys.iter().any(|k| *k == expr) {
        return Ok(());
    }
    match &expr.kind {
        ExprKind::CountStar => Ok(()),
        ExprKind::FunctionCall(call)
            if functions::lookup(&call.name).is_some_and(|f| f.kind == FunctionKind::Aggregate) =>
        {
            Ok(())
        }
        ExprKind::Variable(name) if !locals.contains(name) => Err(error(
            ErrorKind::SyntaxError,
            ErrorCode::AmbiguousAggregationExpression,
            format!("`{name}` is neither aggregated nor a grouping key in this projection"),
            expr.span,
        )),
        ExprKind::ListComprehension { variable, .. } | ExprKind::Quantifier { variable, .. } => {
            let mut inner = locals.clone();
            inner.declare(&variable.name, VarKind::Value, variable.span);
            children(expr)
                .into_iter()
                .try_for_each(|c| check_grouped(c, keys, &inner))
        }
        ExprKind::Reduce {
            accumulator,
            variable,
            ..
        } => {
            let mut inner = locals.clone();
            inner.declare(&accumulator.name, VarKind::Value, accumulator.span);
            inner.declare(&variable.name, VarKind::Value, variable.span);
            children(expr)
                .into_iter()
                .try_for_each(|c| check_grouped(c, keys, &inner))
        }
        _ => children(expr)
            .into_iter()
            .try_for_each(|c| check_grouped(c, keys, locals)),
    }
}

/// Direct subexpressions (not entering patterns or subqueries).
fn children(expr: &Expr) -> Vec<&Expr> {
    let mut out = Vec::new();
    let mut first = true;
    visit_depth1(expr, &mut |e| {
        if first {
            first = false;
        } else {
            out.push(e);
        }
    });
    out
}

/// Calls `f` on `expr` then on each direct child.
fn visit_depth1<'a>(expr: &'a Expr, f: &mut dyn FnMut(&'a Expr)) {
    f(expr);
    match &expr.kind {
        ExprKind::Literal(_)
        | ExprKind::Parameter(_)
        | ExprKind::Variable(_)
        | ExprKind::CountStar
        | ExprKind::Pattern(_)
        | ExprKind::ExistsSubquery(_) => {}
        ExprKind::List(items) => items.iter().for_each(f),
        ExprKind::FunctionCall(call) => call.args.iter().for_each(f),
        ExprKind::Map(entries) => entries.iter().for_each(|(_, e)| f(e)),
        ExprKind::Property(e, _)
        | ExprKind::Unary(_, e)
        | ExprKind::IsNull { expr: e, .. }
        | ExprKind::HasLabels(e, _) => f(e),
        ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => {
            f(a);
            f(b);
        }
        ExprKind::Slice(a, b, c) => {
            f(a);
            b.iter().chain(c).for_each(|e| f(e));
        }
        ExprKind::Case(case) => {
            case.subject
                .iter()
                .chain(&case.otherwise)
                .for_each(|e| f(e));
            for (w, t) in &case.whens {
                f(w);
                f(t);
            }
        }
        ExprKind::ListComprehension {
            list,
            predicate,
            projection,
            ..
        } => {
            f(list);
            predicate.iter().chain(projection).for_each(|e| f(e));
        }
        ExprKind::Quantifier {
            list, predicate, ..
        } => {
            f(list);
            predicate.iter().for_each(|e| f(e));
        }
        ExprKind::Reduce {
            init, list, expr, ..
        } => {
            f(init);
            f(list);
            f(expr);
        }
        ExprKind::PatternComprehension {
            predicate,
            projection,
            ..
        } => {
            predicate.iter().for_each(|e| f(e));
            f(projection);
        }
    }
}

/// Calls `f` on `expr` and every subexpression, not entering patterns or subqueries.
pub(crate) fn visit(expr: &Expr, f: &mut dyn FnMut(&Expr)) {
    f(expr);
    for child in children(expr) {
        visit(child, f);
    }
}

/// Whether `expr` contains an aggregate call (not looking inside subqueries).
pub(crate) fn is_aggregating(expr: &Expr) -> bool {
    let mut found = false;
    visit(expr, &mut |e| match &e.kind {
        ExprKind::CountStar => found = true,
        ExprKind::FunctionCall(call) => {
            if functions::lookup(&call.name).is_some_and(|f| f.kind == FunctionKind::Aggregate) {
                found = true;
            }
        }
        _ => {}
    });
    found
}
