//! Pattern checks: variable kinds and re-use in MATCH (VariableTypeConflict,
//! VariableAlreadyBound), what CREATE/MERGE may create (one type, a direction, fixed length),
//! and pattern predicates (no new variables).

use std::collections::HashSet;

use crate::ast::{
    Expr, ExprKind, Ident, NodePattern, PatternElement, PatternPart, RelDirection,
    RelationshipPattern,
};
use crate::error::{ErrorCode, ErrorKind, QueryError, Result};

use super::expr::bind_expr;
use super::{Scope, VarKind, error};

fn type_conflict(ident: &Ident, was: VarKind, now: VarKind) -> QueryError {
    error(
        ErrorKind::SyntaxError,
        ErrorCode::VariableTypeConflict,
        format!(
            "`{}` is {} and cannot be used as {}",
            ident.name,
            was.describe(),
            now.describe()
        ),
        ident.span,
    )
}

fn bind_properties(properties: Option<&Expr>, scope: &Scope, allow_parameter: bool) -> Result<()> {
    match properties {
        None => Ok(()),
        Some(Expr {
            kind: ExprKind::Parameter(_),
            span,
        }) if !allow_parameter => Err(error(
            ErrorKind::SyntaxError,
            ErrorCode::InvalidParameterUse,
            "a parameter cannot be used as a property map here; write {key: $param.key}",
            *span,
        )),
        Some(e) => bind_expr(e, scope, false),
    }
}

/// Declares (or checks) one pattern variable of `kind`.
fn bind_var(
    ident: &Ident,
    kind: VarKind,
    scope: &mut Scope,
    here: &mut HashSet<String>,
    allow_new: bool,
) -> Result<()> {
    match scope.resolve(&ident.name, ident.span) {
        Some(b) => {
            let compatible = b.kind == kind
                || b.kind == VarKind::Any
                || (kind == VarKind::RelList && matches!(b.kind, VarKind::Rel | VarKind::List));
            if b.kind == VarKind::Path && kind != VarKind::Path {
                return Err(type_conflict(ident, b.kind, kind));
            }
            if !compatible {
                return Err(type_conflict(ident, b.kind, kind));
            }
            if matches!(kind, VarKind::Rel | VarKind::RelList) && here.contains(&ident.name) {
                return Err(error(
                    ErrorKind::SyntaxError,
                    ErrorCode::RelationshipUniquenessViolation,
                    format!("relationship `{}` is used twice in one pattern", ident.name),
                    ident.span,
                ));
            }
            Ok(())
        }
        None if allow_new => {
            scope.declare(&ident.name, kind, ident.span);
            here.insert(ident.name.clone());
            Ok(())
        }
        None => Err(QueryError::undefined_variable(&ident.name, ident.span)),
    }
}

fn bind_node(
    node: &NodePattern,
    scope: &mut Scope,
    here: &mut HashSet<String>,
    allow_new: bool,
) -> Result<()> {
    bind_properties(node.properties.as_ref(), scope, false)?;
    if let Some(v) = &node.variable {
        bind_var(v, VarKind::Node, scope, here, allow_new)?;
    }
    Ok(())
}

fn bind_rel(
    rel: &RelationshipPattern,
    scope: &mut Scope,
    here: &mut HashSet<String>,
    allow_new: bool,
) -> Result<()> {
    bind_properties(rel.properties.as_ref(), scope, false)?;
    if let Some(v) = &rel.variable {
        let kind = if rel.length.is_some() {
            VarKind::RelList
        } else {
            VarKind::Rel
        };
        bind_var(v, kind, scope, here, allow_new)?;
    }
    Ok(())
}

fn bind_element_in(
    element: &PatternElement,
    scope: &mut Scope,
    here: &mut HashSet<String>,
    allow_new: bool,
) -> Result<()> {
    bind_node(&element.start, scope, here, allow_new)?;
    for (rel, node) in &element.chain {
        bind_rel(rel, scope, here, allow_new)?;
        bind_node(node, scope, here, allow_new)?;
    }
    Ok(())
}

/// A pattern element whose new variables are declared in `scope` (pattern comprehensions).
pub(super) fn bind_element(
    element: &PatternElement,
    scope: &mut Scope,
    allow_new: bool,
) -> Result<()> {
    bind_element_in(element, scope, &mut HashSet::new(), allow_new)
}

/// A MATCH pattern: declares its variables.
pub(super) fn bind_match(pattern: &[PatternPart], scope: &mut Scope) -> Result<()> {
    let mut here = HashSet::new();
    for part in pattern {
        bind_element_in(&part.element, scope, &mut here, true)?;
        if let Some(v) = &part.variable {
            if scope.contains(&v.name) {
                return Err(QueryError::variable_already_bound(&v.name, v.span));
            }
            scope.declare(&v.name, VarKind::Path, v.span);
        }
    }
    Ok(())
}

/// `WHERE (a)-->(b)`: a relationship pattern over variables already in scope.
pub(super) fn bind_pattern_predicate(element: &PatternElement, scope: &Scope) -> Result<()> {
    if element.chain.is_empty() {
        return Err(error(
            ErrorKind::SyntaxError,
            ErrorCode::InvalidArgumentType,
            "a single node is not a predicate; a pattern predicate needs a relationship",
            element.span,
        ));
    }
    bind_element_in(element, &mut scope.clone(), &mut HashSet::new(), true)?;
    // New named variables may not be introduced by a predicate.
    let named = std::iter::once(&element.start.variable).chain(
        element
            .chain
            .iter()
            .flat_map(|(r, n)| [&r.variable, &n.variable]),
    );
    for v in named.flatten() {
        if !scope.contains(&v.name) {
            return Err(QueryError::undefined_variable(&v.name, v.span));
        }
    }
    Ok(())
}

/// CREATE and MERGE patterns: bound nodes only as bare `(a)`, new relationships with one
/// type, a direction (CREATE), and no variable length.
pub(super) fn bind_create(pattern: &[PatternPart], scope: &mut Scope, merge: bool) -> Result<()> {
    for part in pattern {
        let element = &part.element;
        let nodes = std::iter::once(&element.start).chain(element.chain.iter().map(|(_, n)| n));
        for node in nodes {
            bind_properties(node.properties.as_ref(), scope, !merge)?;
            let Some(v) = &node.variable else {
                continue;
            };
            if let Some(b) = scope.resolve(&v.name, v.span) {
                let alone = element.chain.is_empty();
                if alone || !node.labels.is_empty() || node.properties.is_some() {
                    return Err(QueryError::variable_already_bound(&v.name, v.span));
                }
                if !matches!(b.kind, VarKind::Node | VarKind::Any) {
                    return Err(type_conflict(v, b.kind, VarKind::Node));
                }
            } else {
                scope.declare(&v.name, VarKind::Node, v.span);
            }
        }
        for (rel, _) in &element.chain {
            if let Some(v) = &rel.variable
                && scope.contains(&v.name)
            {
                return Err(QueryError::variable_already_bound(&v.name, v.span));
            }
            if rel.types.len() != 1 {
                return Err(error(
                    ErrorKind::SyntaxError,
                    ErrorCode::NoSingleRelationshipType,
                    "a relationship to create needs exactly one type",
                    rel.span,
                ));
            }
            if !merge && rel.direction == RelDirection::Both {
                return Err(error(
                    ErrorKind::SyntaxError,
                    ErrorCode::RequiresDirectedRelationship,
                    "a relationship to create needs a direction",
                    rel.span,
                ));
            }
            if rel.length.is_some() {
                return Err(error(
                    ErrorKind::SyntaxError,
                    ErrorCode::CreatingVarLength,
                    "a variable-length relationship cannot be created",
                    rel.span,
                ));
            }
            bind_properties(rel.properties.as_ref(), scope, !merge)?;
            if let Some(v) = &rel.variable {
                if scope.contains(&v.name) {
                    return Err(QueryError::variable_already_bound(&v.name, v.span));
                }
                scope.declare(&v.name, VarKind::Rel, v.span);
            }
        }
        if let Some(v) = &part.variable {
            if scope.contains(&v.name) {
                return Err(QueryError::variable_already_bound(&v.name, v.span));
            }
            scope.declare(&v.name, VarKind::Path, v.span);
        }
    }
    Ok(())
}
