//! Subqueries and FOREACH: which outer variables a `CALL { ... }` body sees and what it
//! adds to the scope, FOREACH bodies (update clauses only, nothing leaks out), and the
//! bodies of `EXISTS`/`COUNT`/`COLLECT { ... }` (Neo4j 5 semantics, correlated).

use crate::ast::{
    CallSubquery, Clause, ExprKind, Foreach, Imports, Query, SingleQuery, Span, SubqueryKind,
};
use crate::error::{ErrorCode, ErrorKind, QueryError, Result};

use super::call::Catalog;
use super::{Place, Scope, VarKind, already_bound, bind_single, bind_union, error, expr};

/// The outer variables a part of a `CALL { ... }` body starts with.
#[derive(Debug, Clone, PartialEq)]
enum Import {
    /// All of them: `CALL (*)`, or a leading importing `WITH a, b` (which then narrows).
    Everything,
    /// Only these (none for an uncorrelated body).
    Names(Vec<String>),
}

/// What `part` of the body of a CALL with scope clause `imports` imports. Without a scope
/// clause, a leading `WITH` made only of variables (or `*`) imports them (Neo4j 5).
fn imports_of(imports: Option<&Imports>, part: &SingleQuery) -> Import {
    match imports {
        Some(Imports::All) => Import::Everything,
        Some(Imports::Variables(names)) => {
            Import::Names(names.iter().map(|n| n.name.clone()).collect())
        }
        None if is_importing_with(part) => Import::Everything,
        None => Import::Names(Vec::new()),
    }
}

fn is_importing_with(part: &SingleQuery) -> bool {
    let Some(Clause::With(with)) = part.clauses.first() else {
        return false;
    };
    with.projection.items.iter().all(|item| {
        matches!(&item.expr.kind, ExprKind::Variable(name)
            if item.alias.as_ref().is_none_or(|a| &a.name == name))
    })
}

/// Whether a CALL body returns rows (rather than being a unit subquery run for its updates).
pub(super) fn returns(query: &Query) -> bool {
    matches!(query.first.clauses.last(), Some(Clause::Return(_)))
}

/// Checks `CALL [(imports)] { body }` and declares the variables it returns in `scope`.
pub(super) fn bind_call_subquery(
    call: &CallSubquery,
    scope: &mut Scope,
    catalog: Option<&Catalog<'_>>,
    read_only: bool,
) -> Result<()> {
    if let Some(Imports::Variables(names)) = &call.imports {
        for name in names {
            if !scope.contains(&name.name) {
                return Err(QueryError::undefined_variable(&name.name, name.span));
            }
        }
    }
    let outer = scope.clone();
    let start = |part: &SingleQuery| -> Result<Scope> {
        Ok(match imports_of(call.imports.as_ref(), part) {
            Import::Everything => outer.clone(),
            Import::Names(names) => {
                let mut inner = outer.emptied();
                for name in names {
                    if let Some(b) = outer.get(&name) {
                        inner.bind(&name, b);
                    }
                }
                inner
            }
        })
    };
    let (columns, body_scope) =
        bind_union(&call.query, &start, catalog, Place::CallBody { read_only })?;
    if let Some(Clause::Return(ret)) = call.query.first.clauses.last() {
        for item in &ret.projection.items {
            let span = item.alias.as_ref().map_or(item.expr.span, |a| a.span);
            if item.alias.is_none() && !matches!(item.expr.kind, ExprKind::Variable(_)) {
                return Err(error(
                    ErrorKind::SyntaxError,
                    ErrorCode::NoExpressionAlias,
                    "an expression returned from CALL { ... } needs a name: add `AS name`",
                    item.expr.span,
                ));
            }
            already_bound(scope, item.column_name(), span)?;
        }
        for name in &columns {
            // `RETURN *` may hand back an imported variable.
            already_bound(scope, name, ret.span)?;
            let kind = body_scope.get(name).map_or(VarKind::Any, |b| b.kind);
            // Introduced by the CALL clause: the planner finds them at its span.
            scope.declare(name, kind, call.span);
        }
    }
    Ok(())
}

/// Checks `FOREACH (x IN list | updates)`; nothing it binds is visible after it.
pub(super) fn bind_foreach(
    foreach: &Foreach,
    scope: &Scope,
    catalog: Option<&Catalog<'_>>,
) -> Result<()> {
    expr::bind_expr(&foreach.list, scope, false)?;
    let kind = expr::static_kind(&foreach.list, scope);
    if !matches!(kind, VarKind::List | VarKind::RelList | VarKind::Any) {
        return Err(error(
            ErrorKind::SyntaxError,
            ErrorCode::InvalidArgumentType,
            format!("FOREACH needs a list, found {}", kind.describe()),
            foreach.list.span,
        ));
    }
    already_bound(scope, &foreach.variable.name, foreach.variable.span)?;
    let mut inner = scope.clone();
    inner.declare(
        &foreach.variable.name,
        expr::element_kind(&foreach.list, scope),
        foreach.variable.span,
    );
    bind_single(&foreach.body, inner, catalog, Place::ForeachBody).map(|_| ())
}

/// Checks the body of `EXISTS`/`COUNT`/`COLLECT { ... }`, correlated with `scope`.
pub(crate) fn bind_expression_subquery(
    kind: SubqueryKind,
    query: &Query,
    scope: &Scope,
    span: Span,
) -> Result<()> {
    let (columns, _) = bind_union(query, &|_| Ok(scope.clone()), None, Place::Expression)?;
    if kind == SubqueryKind::Collect {
        let parts = std::iter::once(&query.first).chain(query.unions.iter().map(|(_, q)| q));
        let single_column = columns.len() == 1
            && parts
                .into_iter()
                .all(|q| matches!(q.clauses.last(), Some(Clause::Return(_))));
        if !single_column {
            return Err(error(
                ErrorKind::SyntaxError,
                ErrorCode::InvalidClauseComposition,
                "a COLLECT subquery must end with a RETURN of exactly one column",
                span,
            ));
        }
    }
    Ok(())
}
