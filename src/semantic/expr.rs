//! Expression checks: undefined variables, unknown functions and their arity, aggregate
//! placement (InvalidAggregation, NestedAggregation, AmbiguousAggregationExpression), and
//! pattern predicates.

use crate::ast::{Expr, ExprKind, Ident, Literal, MapProjectionItem, SubqueryKind};
use crate::catalog::{self, FunctionKind, FunctionSpec};
use crate::error::{ErrorCode, ErrorKind, QueryError, Result};

use super::{Scope, VarKind, error, pattern};

/// A variable reference that must be in scope.
pub(super) fn bind_variable(ident: &Ident, scope: &Scope) -> Result<()> {
    if scope.resolve(&ident.name, ident.span).is_some() {
        Ok(())
    } else {
        Err(QueryError::undefined_variable(&ident.name, ident.span))
    }
}

/// A WHERE predicate: no aggregates; pattern predicates allowed; must be boolean.
pub(super) fn bind_predicate(expr: &Expr, scope: &Scope) -> Result<()> {
    Binder {
        aggregates: false,
        in_aggregate: false,
        over_list: false,
        pattern_ok: true,
    }
    .expr(expr, scope)?;
    let kind = static_kind(expr, scope);
    if !matches!(kind, VarKind::Bool | VarKind::Any) {
        return Err(error(
            ErrorKind::SyntaxError,
            ErrorCode::InvalidArgumentType,
            format!("WHERE needs a boolean, found {}", kind.describe()),
            expr.span,
        ));
    }
    Ok(())
}

/// Checks `expr`; `aggregates` says whether aggregate calls may appear.
pub(super) fn bind_expr(expr: &Expr, scope: &Scope, aggregates: bool) -> Result<()> {
    Binder {
        aggregates,
        in_aggregate: false,
        over_list: false,
        pattern_ok: false,
    }
    .expr(expr, scope)
}

struct Binder {
    aggregates: bool,
    in_aggregate: bool,
    /// Inside the per-element part of a list comprehension, quantifier or reduce, where
    /// an aggregate has no group to range over (openCypher: InvalidAggregation).
    over_list: bool,
    /// A pattern predicate may stand here (a boolean position inside WHERE).
    pattern_ok: bool,
}

/// What `expr` is known to evaluate to before running it.
pub(super) fn static_kind(expr: &Expr, scope: &Scope) -> VarKind {
    use crate::ast::{BinaryOp as B, UnaryOp};
    match &expr.kind {
        ExprKind::Literal(Literal::Bool(_)) => VarKind::Bool,
        ExprKind::Literal(Literal::Integer(_) | Literal::Float(_)) => VarKind::Number,
        ExprKind::Literal(Literal::String(_)) => VarKind::String,
        ExprKind::Variable(name) => scope.get(name).map_or(VarKind::Any, |b| b.kind),
        ExprKind::List(_)
        | ExprKind::ListComprehension { .. }
        | ExprKind::PatternComprehension { .. } => VarKind::List,
        ExprKind::Map(_) | ExprKind::MapProjection { .. } => VarKind::Map,
        ExprKind::Subquery(SubqueryKind::Count, _) => VarKind::Number,
        ExprKind::Subquery(SubqueryKind::Collect, _) => VarKind::List,
        ExprKind::Unary(UnaryOp::Not, _)
        | ExprKind::IsNull { .. }
        | ExprKind::HasLabels(..)
        | ExprKind::Pattern(_)
        | ExprKind::Subquery(SubqueryKind::Exists, _)
        | ExprKind::Quantifier { .. } => VarKind::Bool,
        ExprKind::Binary(op, a, b) => match op {
            B::Add | B::Sub | B::Mul | B::Div | B::Mod | B::Pow => {
                match (static_kind(a, scope), static_kind(b, scope)) {
                    (VarKind::Number, VarKind::Number) => VarKind::Number,
                    (VarKind::String, VarKind::String) if *op == B::Add => VarKind::String,
                    (VarKind::List, _) | (_, VarKind::List) if *op == B::Add => VarKind::List,
                    _ => VarKind::Any,
                }
            }
            _ => VarKind::Bool,
        },
        _ => VarKind::Any,
    }
}

/// The element kind of a list literal whose elements all share one kind.
pub(super) fn element_kind(list: &Expr, scope: &Scope) -> VarKind {
    match &list.kind {
        ExprKind::List(items) => {
            let mut kinds = items.iter().map(|i| static_kind(i, scope));
            match kinds.next() {
                Some(first) if kinds.all(|k| k == first) => first,
                _ => VarKind::Any,
            }
        }
        _ => VarKind::Any,
    }
}

fn wrong_type(message: String, span: crate::ast::Span) -> QueryError {
    error(
        ErrorKind::SyntaxError,
        ErrorCode::InvalidArgumentType,
        message,
        span,
    )
}

/// Arguments a function can never accept, known from their static kind
/// (TCK Graph3, Graph9, Path3, List6).
fn check_function_args(
    spec: &FunctionSpec,
    args: &[Expr],
    scope: &Scope,
    span: crate::ast::Span,
) -> Result<()> {
    let Some(first) = args.first() else {
        return Ok(());
    };
    let kind = static_kind(first, scope);
    if !spec.first_arg.contains(kind.types()) {
        return Err(wrong_type(
            format!("{}() cannot take {}", spec.name, kind.describe()),
            span,
        ));
    }
    Ok(())
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
        if self.over_list {
            return Err(error(
                ErrorKind::SyntaxError,
                ErrorCode::InvalidAggregation,
                format!(
                    "aggregate `{name}` cannot be used inside an expression over a list \
                     (a comprehension, quantifier or reduce); aggregate the list instead"
                ),
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
                if let ExprKind::FunctionCall(c) = &e.kind
                    && c.name.eq_ignore_ascii_case("rand")
                {
                    nondeterministic = true;
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

    fn local(&mut self, variable: &Ident, kind: VarKind, scope: &Scope) -> Scope {
        let mut inner = scope.clone();
        inner.declare(&variable.name, kind, variable.span);
        inner
    }

    /// Binds the per-element part of an expression over a list.
    fn over_list(&mut self, expr: &Expr, scope: &Scope) -> Result<()> {
        let saved = self.over_list;
        self.over_list = true;
        let result = self.child(expr, scope, false);
        self.over_list = saved;
        result
    }

    /// Binds a child; `pattern_ok` says whether it is a boolean position inside WHERE.
    fn child(&mut self, expr: &Expr, scope: &Scope, pattern_ok: bool) -> Result<()> {
        let saved = self.pattern_ok;
        self.pattern_ok = pattern_ok && saved;
        let result = self.expr(expr, scope);
        self.pattern_ok = saved;
        result
    }

    fn function(
        &mut self,
        call: &crate::ast::FunctionCall,
        scope: &Scope,
        span: crate::ast::Span,
    ) -> Result<()> {
        let Some(spec) = catalog::lookup(&call.name) else {
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
        scope.resolve_function(span, spec);
        if spec.kind == FunctionKind::Aggregate {
            self.aggregate(spec.name, &call.args, span, scope)
        } else {
            call.args.iter().try_for_each(|e| self.expr(e, scope))?;
            check_function_args(spec, &call.args, scope, span)
        }
    }

    fn expr(&mut self, expr: &Expr, scope: &Scope) -> Result<()> {
        let span = expr.span;
        match &expr.kind {
            ExprKind::Literal(_) | ExprKind::Parameter(_) => Ok(()),
            ExprKind::Variable(name) => {
                if scope.resolve(name, span).is_some() {
                    Ok(())
                } else {
                    Err(QueryError::undefined_variable(name, span))
                }
            }
            ExprKind::List(items) => items.iter().try_for_each(|e| self.child(e, scope, false)),
            ExprKind::Map(entries) => entries
                .iter()
                .try_for_each(|(_, e)| self.child(e, scope, false)),
            ExprKind::Property(e, key) => {
                self.child(e, scope, false)?;
                match static_kind(e, scope) {
                    VarKind::Path => Err(wrong_type(
                        format!("a path has no property `{}`", key.name),
                        span,
                    )),
                    kind if kind.is_scalar() => Err(error(
                        ErrorKind::TypeError,
                        ErrorCode::InvalidArgumentType,
                        format!("{} has no property `{}`", kind.describe(), key.name),
                        span,
                    )),
                    _ => Ok(()),
                }
            }
            ExprKind::IsNull { expr: e, .. } | ExprKind::HasLabels(e, _) => {
                self.child(e, scope, false)
            }
            ExprKind::Unary(op, e) => {
                self.child(e, scope, *op == crate::ast::UnaryOp::Not)?;
                literal_type_check(expr, scope)
            }
            ExprKind::Binary(op, a, b) => {
                use crate::ast::BinaryOp as B;
                let boolean = matches!(op, B::And | B::Or | B::Xor);
                self.child(a, scope, boolean)?;
                self.child(b, scope, boolean)?;
                literal_type_check(expr, scope)
            }
            ExprKind::Index(a, b) => {
                self.child(a, scope, false)?;
                self.child(b, scope, false)
            }
            ExprKind::Slice(a, b, c) => {
                self.child(a, scope, false)?;
                b.iter()
                    .chain(c)
                    .try_for_each(|e| self.child(e, scope, false))
            }
            ExprKind::CountStar => self.aggregate("count", &[], span, scope),
            ExprKind::FunctionCall(call) => {
                let lower = call.name.to_lowercase();
                if lower == "exists"
                    && call.args.len() == 1
                    && let ExprKind::Pattern(element) = &call.args[0].kind
                {
                    return pattern::bind_pattern_predicate(element, scope);
                }
                let saved = self.pattern_ok;
                self.pattern_ok = false;
                let result = self.function(call, scope, span);
                self.pattern_ok = saved;
                result
            }
            ExprKind::Case(case) => {
                case.subject
                    .iter()
                    .chain(&case.otherwise)
                    .try_for_each(|e| self.expr(e, scope))?;
                for (w, t) in &case.whens {
                    self.child(w, scope, false)?;
                    self.child(t, scope, false)?;
                }
                Ok(())
            }
            ExprKind::ListComprehension {
                variable,
                list,
                predicate,
                projection,
            } => {
                self.child(list, scope, false)?;
                let inner = self.local(variable, element_kind(list, scope), scope);
                predicate
                    .iter()
                    .chain(projection)
                    .try_for_each(|e| self.over_list(e, &inner))
            }
            ExprKind::Quantifier {
                variable,
                list,
                predicate,
                ..
            } => {
                self.child(list, scope, false)?;
                let inner = self.local(variable, element_kind(list, scope), scope);
                predicate.iter().try_for_each(|e| self.over_list(e, &inner))
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
                let inner = self.local(accumulator, VarKind::Any, scope);
                let inner = self.local(variable, element_kind(list, scope), &inner);
                self.over_list(expr, &inner)
            }
            ExprKind::Pattern(element) => {
                if !self.pattern_ok {
                    return Err(error(
                        ErrorKind::SyntaxError,
                        ErrorCode::UnexpectedSyntax,
                        "a pattern can only be used as a predicate in WHERE, or inside exists()",
                        span,
                    ));
                }
                pattern::bind_pattern_predicate(element, scope)
            }
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
                    over_list: false,
                    pattern_ok: false,
                };
                predicate.iter().try_for_each(|e| sub.expr(e, &inner))?;
                sub.expr(projection, &inner)
            }
            ExprKind::Subquery(kind, query) => {
                super::subquery::bind_expression_subquery(*kind, query, scope, span)
            }
            ExprKind::MapProjection { subject, items } => {
                bind_variable(subject, scope)?;
                let kind = scope.get(&subject.name).map_or(VarKind::Any, |b| b.kind);
                if kind.is_scalar() || kind == VarKind::Path {
                    return Err(error(
                        ErrorKind::SyntaxError,
                        ErrorCode::InvalidArgumentType,
                        format!(
                            "a map projection needs a node, relationship or map, not {}",
                            kind.describe()
                        ),
                        subject.span,
                    ));
                }
                for item in items {
                    match item {
                        MapProjectionItem::Entry(_, value) => self.child(value, scope, false)?,
                        MapProjectionItem::Variable(name) => bind_variable(name, scope)?,
                        MapProjectionItem::Property(_) | MapProjectionItem::AllProperties => {}
                    }
                }
                Ok(())
            }
        }
    }
}

/// Operators applied to operands of a statically wrong type are rejected at compile time
/// (TCK Boolean3/4, List5, Quantifier1-3): `NOT 'a'`, `true XOR 1`, `1 IN 2`, `'a' % 2`.
fn literal_type_check(expr: &Expr, scope: &Scope) -> Result<()> {
    use crate::ast::{BinaryOp as B, UnaryOp};
    let kind = |e: &Expr| static_kind(e, scope);
    let non_bool = |e: &Expr| !matches!(kind(e), VarKind::Bool | VarKind::Any);
    let non_list = |e: &Expr| !matches!(kind(e), VarKind::List | VarKind::RelList | VarKind::Any);
    let non_number = |e: &Expr| !matches!(kind(e), VarKind::Number | VarKind::Any);
    let bad = match &expr.kind {
        ExprKind::Unary(UnaryOp::Not, e) => non_bool(e),
        ExprKind::Unary(UnaryOp::Negate, e) => non_number(e),
        ExprKind::Binary(B::And | B::Or | B::Xor, a, b) => non_bool(a) || non_bool(b),
        ExprKind::Binary(B::In, _, list) => non_list(list),
        ExprKind::Binary(B::Sub | B::Mul | B::Div | B::Mod | B::Pow, a, b) => {
            non_number(a) || non_number(b)
        }
        _ => false,
    };
    if bad {
        return Err(wrong_type("operand of the wrong type".into(), expr.span));
    }
    Ok(())
}

/// Where `check_grouped` runs: an aggregating projection item, or an ORDER BY item after one.
#[derive(Clone, Copy)]
pub(super) enum GroupedIn<'a> {
    /// Variables must be grouping keys.
    Item,
    /// Variables must be projected names (in `scope`); aggregate arguments too.
    OrderBy(&'a Scope),
}

/// Only grouping keys this simple may be reused inside an aggregating expression
/// (TCK With6 [9], ReturnOrderBy6 [5]).
fn is_simple(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Variable(_) => true,
        ExprKind::Property(target, _) => matches!(target.kind, ExprKind::Variable(_)),
        _ => false,
    }
}

/// In an aggregating projection, every variable outside aggregate calls must be part of a
/// grouping key (`keys`), else the result would be ambiguous.
pub(super) fn check_grouped(
    expr: &Expr,
    keys: &[&Expr],
    locals: &Scope,
    mode: GroupedIn<'_>,
) -> Result<()> {
    if is_simple(expr) && keys.contains(&expr) {
        return Ok(());
    }
    if is_aggregate_call(expr) {
        if let GroupedIn::OrderBy(projected) = mode {
            // An aggregate that is projected may be repeated; a new one may only use
            // projected names (TCK WithOrderBy4 [13], [17]).
            if keys.contains(&expr) {
                return Ok(());
            }
            let mut undefined = None;
            visit(expr, &mut |e| {
                if let ExprKind::Variable(name) = &e.kind
                    && undefined.is_none()
                    && !projected.contains(name)
                    && !locals.contains(name)
                {
                    undefined = Some((name.clone(), e.span));
                }
            });
            if let Some((name, span)) = undefined {
                return Err(QueryError::undefined_variable(&name, span));
            }
        }
        return Ok(());
    }
    match &expr.kind {
        ExprKind::Variable(name) if !locals.contains(name) => match mode {
            GroupedIn::OrderBy(projected) if projected.contains(name) => Ok(()),
            // Part of a projected expression that is not simple enough to reuse.
            GroupedIn::OrderBy(_)
                if keys.iter().any(|k| !is_aggregating(k) && mentions(k, name)) =>
            {
                Err(error(
                    ErrorKind::SyntaxError,
                    ErrorCode::AmbiguousAggregationExpression,
                    format!("`{name}` can only be used through a projected name here"),
                    expr.span,
                ))
            }
            GroupedIn::OrderBy(_) => Err(QueryError::undefined_variable(name, expr.span)),
            GroupedIn::Item => Err(error(
                ErrorKind::SyntaxError,
                ErrorCode::AmbiguousAggregationExpression,
                format!("`{name}` is neither aggregated nor a grouping key in this projection"),
                expr.span,
            )),
        },
        // `n {.name, c: count(*)}` groups by `n` (Neo4j): in a projection item the subject and
        // variable selectors are implicit grouping keys (see `implicit_grouping_keys`).
        ExprKind::MapProjection { subject, items } => {
            if let GroupedIn::OrderBy(_) = mode {
                let selected = items.iter().filter_map(|item| match item {
                    MapProjectionItem::Variable(name) => Some(name),
                    _ => None,
                });
                for name in std::iter::once(subject).chain(selected) {
                    let var = Expr::new(ExprKind::Variable(name.name.clone()), name.span);
                    check_grouped(&var, keys, locals, mode)?;
                }
            }
            children(expr)
                .into_iter()
                .try_for_each(|c| check_grouped(c, keys, locals, mode))
        }
        _ => {
            let inner = child_locals(expr, locals);
            children(expr)
                .into_iter()
                .try_for_each(|c| check_grouped(c, keys, &inner, mode))
        }
    }
}

/// ORDER BY after `WITH/RETURN DISTINCT`: the rows are the distinct projected values, so
/// an expression may only read them, through their names or by repeating a projected
/// expression (openCypher; Neo4j: "In a WITH/RETURN with DISTINCT or an aggregation, it
/// is not possible to access variables declared before the WITH/RETURN").
pub(super) fn check_distinct(
    expr: &Expr,
    items: &[&Expr],
    projected: &Scope,
    locals: &Scope,
) -> Result<()> {
    if items.contains(&expr) {
        return Ok(());
    }
    match &expr.kind {
        ExprKind::Variable(name) if !locals.contains(name) && !projected.contains(name) => {
            Err(error(
                ErrorKind::SyntaxError,
                ErrorCode::UndefinedVariable,
                format!(
                    "`{name}` is not projected: after DISTINCT, ORDER BY can only use what \
                     WITH/RETURN projects"
                ),
                expr.span,
            ))
        }
        _ => {
            let inner = child_locals(expr, locals);
            children(expr)
                .into_iter()
                .try_for_each(|c| check_distinct(c, items, projected, &inner))
        }
    }
}

/// `locals` and the variables `expr` declares for its children (comprehensions,
/// quantifiers and reduce), for the checks that walk an expression again.
fn child_locals(expr: &Expr, locals: &Scope) -> Scope {
    let mut inner = locals.clone();
    match &expr.kind {
        ExprKind::ListComprehension { variable, .. } | ExprKind::Quantifier { variable, .. } => {
            inner.declare(&variable.name, VarKind::Any, variable.span);
        }
        ExprKind::Reduce {
            accumulator,
            variable,
            ..
        } => {
            inner.declare(&accumulator.name, VarKind::Any, accumulator.span);
            inner.declare(&variable.name, VarKind::Any, variable.span);
        }
        _ => {}
    }
    inner
}

/// Whether `expr` reads variable `name`.
fn mentions(expr: &Expr, name: &str) -> bool {
    let mut found = false;
    visit(expr, &mut |e| {
        if matches!(&e.kind, ExprKind::Variable(v) if v == name) {
            found = true;
        }
    });
    found
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
        | ExprKind::Subquery(..) => {}
        ExprKind::MapProjection { items, .. } => items.iter().for_each(|item| {
            if let MapProjectionItem::Entry(_, value) = item {
                f(value);
            }
        }),
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

/// The variables an aggregating projection item groups by without naming them as items:
/// the subjects and variable selectors of its map projections outside aggregate calls,
/// as in `RETURN p {.name, friends: collect(f.name)}` (Neo4j).
pub(crate) fn implicit_grouping_keys(expr: &Expr, out: &mut Vec<Ident>) {
    if is_aggregate_call(expr) {
        return;
    }
    if let ExprKind::MapProjection { subject, items } = &expr.kind {
        out.push(subject.clone());
        for item in items {
            if let MapProjectionItem::Variable(name) = item {
                out.push(name.clone());
            }
        }
    }
    for child in children(expr) {
        implicit_grouping_keys(child, out);
    }
}

fn is_aggregate_call(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::CountStar => true,
        ExprKind::FunctionCall(call) => {
            catalog::lookup(&call.name).is_some_and(|f| f.kind == FunctionKind::Aggregate)
        }
        _ => false,
    }
}

/// Whether `expr` contains an aggregate call (not looking inside subqueries).
pub(crate) fn is_aggregating(expr: &Expr) -> bool {
    let mut found = false;
    visit(expr, &mut |e| found |= is_aggregate_call(e));
    found
}
