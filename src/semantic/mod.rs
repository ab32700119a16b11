//! Name resolution and compile-time checks: the only place that decides UndefinedVariable,
//! VariableAlreadyBound, InvalidAggregation and the other compile-time codes, with the
//! position of the offending text. It does not plan or evaluate anything.

mod call;
mod expr;
mod pattern;
mod scope;
mod subquery;

use crate::ast::{
    Clause, Expr, ExprKind, Literal, LoadCsv, Projection, Query, RemoveItem, SetItem, SingleQuery,
    Span, Statement, UnionKind,
};
use std::cell::RefCell;

use crate::error::{ErrorCode, ErrorKind, QueryError, Result};
use crate::procedure::Procedures;
use crate::value::Params;

use call::Catalog;

use expr::GroupedIn;
pub(crate) use expr::{implicit_grouping_keys, is_aggregating};
pub use scope::{Binding, Resolutions, Scope, StarItem, VarId, VarKind};

/// Where a single query stands: it decides what the query may contain and how it must end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// The statement itself.
    Statement,
    /// The body of `CALL { ... }`; read-only inside an expression subquery.
    CallBody { read_only: bool },
    /// The body of `FOREACH (x IN list | ...)`: update clauses only.
    ForeachBody,
    /// The body of `EXISTS`/`COUNT`/`COLLECT { ... }`: read-only, RETURN optional.
    Expression,
}

impl Place {
    fn read_only(self) -> bool {
        matches!(
            self,
            Place::Expression | Place::CallBody { read_only: true }
        )
    }
}

/// A statement whose names are resolved and checked.
#[derive(Debug, Clone)]
pub struct BoundQuery {
    pub statement: Statement,
    /// The procedures the statement CALLs.
    pub procedures: Procedures,
    /// The names bind resolved: the functions called.
    pub resolved: Resolutions,
}

/// A compile-time error of `kind`/`code` at `span`.
pub(crate) fn error(
    kind: ErrorKind,
    code: ErrorCode,
    message: impl Into<String>,
    span: Span,
) -> QueryError {
    QueryError::compile(kind, code, message).with_span(span)
}

/// Checks `statement`; on success the planner may assume every name resolves. `params`
/// and `procedures` are what a CALL may use.
pub fn bind(statement: &Statement, params: &Params, procedures: &Procedures) -> Result<BoundQuery> {
    let catalog = Catalog {
        params,
        procedures,
        resolved: RefCell::new(Procedures::none()),
    };
    let root = Scope::default();
    bind_query(&statement.query, &root, &catalog)?;
    check_parameters(&statement.query, params)?;
    Ok(BoundQuery {
        statement: statement.clone(),
        procedures: catalog.resolved.into_inner(),
        resolved: root.resolutions(),
    })
}

/// The first `$name` (in text order) that `params` has no value for: a missing parameter is
/// a compile-time error (TCK), raised before anything runs.
fn check_parameters(query: &Query, params: &Params) -> Result<()> {
    let mut missing = None;
    crate::ast::walk::each_expr(query, &mut |e| {
        if let ExprKind::Parameter(name) = &e.kind
            && missing.is_none()
            && !params.contains_key(name)
        {
            missing = Some((name.clone(), e.span));
        }
    });
    match missing {
        Some((name, span)) => Err(error(
            ErrorKind::ParameterMissing,
            ErrorCode::MissingParameter,
            format!("parameter `${name}` has no value (set it with `:param {name} => ...`)"),
            span,
        )),
        None => Ok(()),
    }
}

fn bind_query(query: &Query, root: &Scope, catalog: &Catalog<'_>) -> Result<()> {
    bind_union(
        query,
        &|_| Ok(root.emptied()),
        Some(catalog),
        Place::Statement,
    )
    .map(|_| ())
}

/// Checks every part of a (possibly UNION) query, each part starting from `start(part)`.
/// Returns the columns and the scope after the first part.
pub(crate) fn bind_union(
    query: &Query,
    start: &dyn Fn(&SingleQuery) -> Result<Scope>,
    catalog: Option<&Catalog<'_>>,
    place: Place,
) -> Result<(Vec<String>, Scope)> {
    let kinds: Vec<UnionKind> = query.unions.iter().map(|(k, _)| *k).collect();
    if kinds.windows(2).any(|w| w[0] != w[1]) {
        let span = query
            .unions
            .last()
            .map_or(query.first.span, |(_, q)| q.span);
        return Err(error(
            ErrorKind::SyntaxError,
            ErrorCode::InvalidClauseComposition,
            "UNION and UNION ALL cannot be mixed",
            span,
        ));
    }
    let first = bind_single(&query.first, start(&query.first)?, catalog, place)?;
    for (_, single) in &query.unions {
        let (columns, _) = bind_single(single, start(single)?, catalog, place)?;
        if columns != first.0 {
            return Err(error(
                ErrorKind::SyntaxError,
                ErrorCode::DifferentColumnsInUnion,
                "all parts of a UNION must return the same column names",
                single.span,
            ));
        }
    }
    Ok(first)
}

fn is_update(clause: &Clause) -> bool {
    matches!(
        clause,
        Clause::Create(_)
            | Clause::Merge(_)
            | Clause::Set(_)
            | Clause::Remove(_)
            | Clause::Delete(_)
            | Clause::Foreach(_)
    )
}

/// Checks one single query standing at `place`, starting from `scope`; returns its column
/// names and the scope after it. Without a `catalog` (inside expressions) it may not CALL
/// procedures.
pub(crate) fn bind_single(
    query: &SingleQuery,
    mut scope: Scope,
    catalog: Option<&Catalog<'_>>,
    place: Place,
) -> Result<(Vec<String>, Scope)> {
    let last = query.clauses.len().saturating_sub(1);
    let mut columns = Vec::new();
    for (i, clause) in query.clauses.iter().enumerate() {
        if place.read_only() && is_update(clause) {
            return Err(error(
                ErrorKind::SyntaxError,
                ErrorCode::InvalidClauseComposition,
                "a subquery expression (EXISTS, COUNT, COLLECT) cannot update the graph",
                clause.span(),
            ));
        }
        if place == Place::ForeachBody && !is_update(clause) {
            return Err(error(
                ErrorKind::SyntaxError,
                ErrorCode::InvalidClauseComposition,
                "FOREACH can only contain update clauses (CREATE, MERGE, SET, REMOVE, DELETE, FOREACH)",
                clause.span(),
            ));
        }
        match clause {
            Clause::Match(m) => {
                pattern::bind_match(&m.pattern, &mut scope)?;
                if let Some(w) = &m.where_clause {
                    expr::bind_predicate(w, &scope)?;
                }
            }
            Clause::Unwind(u) => {
                expr::bind_expr(&u.expr, &scope, false)?;
                already_bound(&scope, &u.variable.name, u.variable.span)?;
                scope.declare(
                    &u.variable.name,
                    expr::element_kind(&u.expr, &scope),
                    u.variable.span,
                );
            }
            Clause::LoadCsv(l) => bind_load_csv(l, &mut scope)?,
            Clause::With(w) => {
                let (new_scope, _) =
                    bind_projection(&w.projection, &scope, Some(w.where_clause.as_ref()), w.span)?;
                scope = new_scope;
            }
            Clause::Return(r) => {
                if i != last {
                    return Err(error(
                        ErrorKind::SyntaxError,
                        ErrorCode::InvalidClauseComposition,
                        "RETURN must be the last clause",
                        r.span,
                    ));
                }
                let (new_scope, names) = bind_projection(&r.projection, &scope, None, r.span)?;
                scope = new_scope;
                columns = names;
            }
            Clause::Create(c) => pattern::bind_create(&c.pattern, &mut scope, false)?,
            Clause::Merge(m) => {
                pattern::bind_create(std::slice::from_ref(&m.part), &mut scope, true)?;
                bind_set_items(m.on_create.iter().chain(&m.on_match), &scope)?;
            }
            Clause::Set(s) => bind_set_items(s.items.iter(), &scope)?,
            Clause::Remove(r) => {
                for item in &r.items {
                    match item {
                        RemoveItem::Property { target, .. } => {
                            expr::bind_expr(target, &scope, false)?
                        }
                        RemoveItem::Labels { variable, .. } => {
                            expr::bind_variable(variable, &scope)?
                        }
                    }
                }
            }
            Clause::Delete(d) => {
                for e in &d.exprs {
                    if let ExprKind::HasLabels(..) = e.kind {
                        return Err(error(
                            ErrorKind::SyntaxError,
                            ErrorCode::InvalidDelete,
                            "DELETE takes nodes, relationships or paths, not label expressions; use REMOVE",
                            e.span,
                        ));
                    }
                    expr::bind_expr(e, &scope, false)?;
                    let kind = expr::static_kind(e, &scope);
                    if !matches!(
                        kind,
                        VarKind::Node | VarKind::Rel | VarKind::Path | VarKind::Any
                    ) {
                        return Err(error(
                            ErrorKind::SyntaxError,
                            ErrorCode::InvalidArgumentType,
                            format!(
                                "DELETE takes nodes, relationships or paths, not {}",
                                kind.describe()
                            ),
                            e.span,
                        ));
                    }
                }
            }
            Clause::Call(c) => {
                let Some(catalog) = catalog else {
                    return Err(QueryError::not_supported(
                        "calling a procedure inside a subquery expression",
                        Some(c.span),
                    ));
                };
                let standalone = place == Place::Statement && query.clauses.len() == 1;
                columns = call::bind_call(c, &mut scope, standalone, catalog)?;
            }
            Clause::CallSubquery(c) => {
                subquery::bind_call_subquery(c, &mut scope, catalog, place.read_only())?
            }
            Clause::Foreach(f) => subquery::bind_foreach(f, &scope, catalog)?,
        }
    }
    if let Some(clause) = query.clauses.last() {
        // A CALL may end the query when it is the whole query or yields nothing.
        let ends_well = match clause {
            Clause::Return(_) => true,
            Clause::Call(c) => {
                query.clauses.len() == 1
                    || catalog
                        .and_then(|cat| cat.procedures.get(&c.procedure))
                        .is_some_and(|p| p.signature.is_void())
            }
            // A unit subquery (no RETURN) is there for its updates.
            Clause::CallSubquery(c) => !subquery::returns(&c.query),
            other => is_update(other),
        };
        let must_end_well = matches!(place, Place::Statement | Place::CallBody { .. });
        if must_end_well && !ends_well {
            return Err(error(
                ErrorKind::SyntaxError,
                ErrorCode::InvalidClauseComposition,
                "a query must end with RETURN or an update clause",
                clause.span(),
            ));
        }
    }
    Ok((columns, scope))
}

fn already_bound(scope: &Scope, name: &str, span: Span) -> Result<()> {
    if scope.contains(name) {
        return Err(QueryError::variable_already_bound(name, span));
    }
    Ok(())
}

/// LOAD CSV: the URL must be able to be a string, the terminator one ASCII character; the
/// row variable is new, a map with headers and a list without.
fn bind_load_csv(load: &LoadCsv, scope: &mut Scope) -> Result<()> {
    expr::bind_expr(&load.source, scope, false)?;
    let kind = expr::static_kind(&load.source, scope);
    if !matches!(kind, VarKind::String | VarKind::Any) {
        return Err(error(
            ErrorKind::SyntaxError,
            ErrorCode::InvalidArgumentType,
            format!(
                "LOAD CSV FROM takes a file path or URL string, not {}",
                kind.describe()
            ),
            load.source.span,
        ));
    }
    if let Some(terminator) = &load.field_terminator {
        let text = match &terminator.kind {
            ExprKind::Literal(Literal::String(text)) => text.as_str(),
            _ => "",
        };
        let mut chars = text.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_ascii() => {}
            (Some(_), None) => {
                return Err(QueryError::not_supported(
                    "a FIELDTERMINATOR outside ASCII",
                    Some(terminator.span),
                ));
            }
            _ => {
                return Err(error(
                    ErrorKind::SyntaxError,
                    ErrorCode::InvalidArgumentValue,
                    "FIELDTERMINATOR must be a single character, e.g. ';' or '\\t'",
                    terminator.span,
                ));
            }
        }
    }
    already_bound(scope, &load.variable.name, load.variable.span)?;
    let row_kind = if load.with_headers {
        VarKind::Map
    } else {
        VarKind::List
    };
    scope.declare(&load.variable.name, row_kind, load.variable.span);
    Ok(())
}

fn bind_set_items<'a>(items: impl Iterator<Item = &'a SetItem>, scope: &Scope) -> Result<()> {
    for item in items {
        match item {
            SetItem::Property { target, value, .. } => {
                expr::bind_expr(target, scope, false)?;
                expr::bind_expr(value, scope, false)?;
            }
            SetItem::Replace { variable, value } | SetItem::Merge { variable, value } => {
                expr::bind_variable(variable, scope)?;
                expr::bind_expr(value, scope, false)?;
            }
            SetItem::Labels { variable, .. } => expr::bind_variable(variable, scope)?,
        }
    }
    Ok(())
}

/// SKIP/LIMIT: constant, and when a literal, a non-negative integer.
fn bind_count(e: &Expr, what: &str) -> Result<()> {
    let mut uses_variable = false;
    expr::visit(e, &mut |x| {
        if matches!(x.kind, ExprKind::Variable(_) | ExprKind::CountStar) {
            uses_variable = true;
        }
    });
    if uses_variable {
        return Err(error(
            ErrorKind::SyntaxError,
            ErrorCode::NonConstantExpression,
            format!("{what} must be a constant expression"),
            e.span,
        ));
    }
    let literal = match &e.kind {
        ExprKind::Unary(crate::ast::UnaryOp::Negate, inner) => match inner.kind {
            ExprKind::Literal(Literal::Integer(i)) => Some(Literal::Integer(-i)),
            ExprKind::Literal(Literal::Float(f)) => Some(Literal::Float(-f)),
            _ => None,
        },
        ExprKind::Literal(lit) => Some(lit.clone()),
        _ => None,
    };
    match literal {
        Some(Literal::Integer(i)) if i < 0 => Err(error(
            ErrorKind::SyntaxError,
            ErrorCode::NegativeIntegerArgument,
            format!("{what} must not be negative"),
            e.span,
        )),
        Some(Literal::Integer(_)) | None => Ok(()),
        Some(_) => Err(error(
            ErrorKind::SyntaxError,
            ErrorCode::InvalidArgumentType,
            format!("{what} must be an integer"),
            e.span,
        )),
    }
}

/// WITH/RETURN: checks items, aliases, aggregation, ORDER BY and WITH's WHERE. `with` is
/// `Some(where clause)` for WITH, `None` for RETURN. Returns the scope after the
/// projection and the column names.
fn bind_projection(
    projection: &Projection,
    scope: &Scope,
    with: Option<Option<&Expr>>,
    span: Span,
) -> Result<(Scope, Vec<String>)> {
    let is_with = with.is_some();
    let mut new_scope = scope.emptied();
    let mut names: Vec<String> = Vec::new();
    if projection.star {
        // `WITH *` over nothing is fine (TCK Create3 [2]); `RETURN *` needs something.
        if scope.is_empty() && !is_with {
            return Err(error(
                ErrorKind::SyntaxError,
                ErrorCode::NoVariablesInScope,
                "`RETURN *` needs at least one variable in scope",
                span,
            ));
        }
        // Each name is projected into a new variable, like any other item.
        let mut items = Vec::new();
        for name in scope.names() {
            if let Some(b) = scope.get(name) {
                let to = new_scope.declare(name, b.kind, span);
                items.push(StarItem {
                    name: name.to_string(),
                    from: b.id,
                    to,
                });
            }
            names.push(name.to_string());
        }
        scope.record_star(span, items);
    }
    // With `*`, every variable is a grouping key.
    let star_keys: Vec<Expr> = if projection.star {
        scope
            .names()
            .map(|n| Expr::new(ExprKind::Variable(n.to_string()), span))
            .collect()
    } else {
        Vec::new()
    };
    let mut keys: Vec<&Expr> = star_keys.iter().collect();
    let mut aggregating = false;
    for item in &projection.items {
        expr::bind_expr(&item.expr, scope, true)?;
        let name = item.column_name().to_string();
        if names.contains(&name) {
            return Err(error(
                ErrorKind::SyntaxError,
                ErrorCode::ColumnNameConflict,
                format!("column `{name}` is defined more than once"),
                item.alias.as_ref().map_or(item.expr.span, |a| a.span),
            ));
        }
        names.push(name.clone());
        let kind = expr::static_kind(&item.expr, scope);
        new_scope.declare(
            &name,
            kind,
            item.alias.as_ref().map_or(item.expr.span, |a| a.span),
        );
        if expr::is_aggregating(&item.expr) {
            aggregating = true;
        } else {
            keys.push(&item.expr);
        }
    }
    if aggregating {
        for item in &projection.items {
            if expr::is_aggregating(&item.expr) {
                expr::check_grouped(&item.expr, &keys, &Scope::default(), GroupedIn::Item)?;
            }
        }
    }
    // ORDER BY (and WITH ... WHERE) see the new names and, unless aggregating, the old
    // ones; after DISTINCT only through projected expressions (`check_distinct`).
    let mut order_scope = if aggregating {
        scope.emptied()
    } else {
        scope.clone()
    };
    for name in new_scope.names() {
        if let Some(b) = new_scope.get(name) {
            order_scope.bind(name, b);
        }
    }
    let all_items: Vec<&Expr> = keys
        .iter()
        .copied()
        .chain(projection.items.iter().map(|i| &i.expr))
        .collect();
    for sort in &projection.order_by {
        if aggregating {
            expr::bind_expr(&sort.expr, &order_scope_with(scope, &new_scope), true)?;
            // Sorting by a projected expression as a whole is always fine.
            if !all_items.contains(&&sort.expr) {
                expr::check_grouped(
                    &sort.expr,
                    &all_items,
                    &Scope::default(),
                    GroupedIn::OrderBy(&new_scope),
                )?;
            }
        } else {
            if expr::is_aggregating(&sort.expr) {
                return Err(error(
                    ErrorKind::SyntaxError,
                    ErrorCode::InvalidAggregation,
                    "ORDER BY can only aggregate when the projection aggregates",
                    sort.expr.span,
                ));
            }
            expr::bind_expr(&sort.expr, &order_scope, false)?;
            if projection.distinct {
                expr::check_distinct(&sort.expr, &all_items, &new_scope, &Scope::default())?;
            }
        }
    }
    if is_with {
        for item in &projection.items {
            if item.alias.is_none() && !matches!(item.expr.kind, ExprKind::Variable(_)) {
                return Err(error(
                    ErrorKind::SyntaxError,
                    ErrorCode::NoExpressionAlias,
                    "an expression in WITH needs a name: add `AS name`",
                    item.expr.span,
                ));
            }
        }
    }
    for (count, what) in [(&projection.skip, "SKIP"), (&projection.limit, "LIMIT")] {
        if let Some(count) = count {
            bind_count(count, what)?;
            // Constant, but it may call functions.
            expr::bind_expr(count, &scope.emptied(), false)?;
        }
    }
    if let Some(Some(predicate)) = with {
        expr::bind_predicate(predicate, &order_scope)?;
        if projection.distinct && !aggregating {
            expr::check_distinct(predicate, &all_items, &new_scope, &Scope::default())?;
        }
    }
    Ok((new_scope, names))
}

/// Old and new names together (new ones win).
fn order_scope_with(old: &Scope, new: &Scope) -> Scope {
    let mut scope = old.clone();
    for name in new.names() {
        if let Some(b) = new.get(name) {
            scope.bind(name, b);
        }
    }
    scope
}

#[cfg(test)]
mod tests;
