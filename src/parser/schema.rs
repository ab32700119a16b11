//! Schema commands: `CREATE INDEX`, `CREATE CONSTRAINT`, `DROP INDEX | CONSTRAINT`,
//! `SHOW INDEXES | CONSTRAINTS` (Neo4j 5 syntax).

use super::Rule;
use super::expr::build_expr;
use super::helpers::{Pair, Pairs, children, next_if_rule, required, span_of, unexpected_shape};
use super::literal::{build_schema_name, build_variable};
use crate::ast::Ident;
use crate::ast::schema::{ConstraintKind, EntityType, SchemaCommand, SchemaDefinition};
use crate::error::{QueryError, Result};

/// The schema command that `pairs` starts with, if it starts with one.
pub(super) fn build_if_schema_command(pairs: &mut Pairs<'_>) -> Result<Option<SchemaCommand>> {
    let is_command = pairs.peek().is_some_and(|p| {
        matches!(
            p.as_rule(),
            Rule::create_index
                | Rule::create_constraint
                | Rule::drop_index
                | Rule::drop_constraint
                | Rule::show_indexes
                | Rule::show_constraints
        )
    });
    if !is_command {
        return Ok(None);
    }
    let Some(pair) = pairs.next() else {
        return Ok(None);
    };
    let span = span_of(&pair);
    let rule = pair.as_rule();
    let mut pairs = children(pair);
    Ok(Some(match rule {
        Rule::create_index => SchemaCommand::CreateIndex(build_definition(&mut pairs, span)?),
        Rule::create_constraint => {
            let def = build_definition(&mut pairs, span)?;
            let kind = match required(&mut pairs, span)?.as_rule() {
                Rule::unique => ConstraintKind::Unique,
                _ => ConstraintKind::NotNull,
            };
            SchemaCommand::CreateConstraint(def, kind)
        }
        Rule::drop_index | Rule::drop_constraint => {
            let name = build_schema_rule_name(required(&mut pairs, span)?)?;
            let if_exists = next_if_rule(&mut pairs, Rule::if_exists).is_some();
            if rule == Rule::drop_index {
                SchemaCommand::DropIndex { name, if_exists }
            } else {
                SchemaCommand::DropConstraint { name, if_exists }
            }
        }
        Rule::show_indexes | Rule::show_constraints => {
            // `SHOW UNIQUE CONSTRAINTS`: every constraint kg has but NOT NULL is unique;
            // the filter is left to WHERE.
            next_if_rule(&mut pairs, Rule::unique);
            let filter = match next_if_rule(&mut pairs, Rule::show_where) {
                Some(w) => {
                    let w_span = span_of(&w);
                    Some(build_expr(required(&mut children(w), w_span)?)?)
                }
                None => None,
            };
            if rule == Rule::show_indexes {
                SchemaCommand::ShowIndexes { filter }
            } else {
                SchemaCommand::ShowConstraints { filter }
            }
        }
        other => return Err(unexpected_shape(&format!("{other:?}"), span)),
    }))
}

fn build_schema_rule_name(pair: Pair<'_>) -> Result<Ident> {
    debug_assert_eq!(pair.as_rule(), Rule::schema_rule_name);
    let span = span_of(&pair);
    build_schema_name(required(&mut children(pair), span)?)
}

/// `[name] [IF NOT EXISTS] FOR target ON|REQUIRE properties`: the parts shared by indexes
/// and constraints. The properties must be read through the target's variable.
fn build_definition(pairs: &mut Pairs<'_>, span: crate::ast::Span) -> Result<SchemaDefinition> {
    let name = match next_if_rule(pairs, Rule::schema_rule_name) {
        Some(p) => Some(build_schema_rule_name(p)?),
        None => None,
    };
    let if_not_exists = next_if_rule(pairs, Rule::if_not_exists).is_some();
    let target = required(pairs, span)?;
    let entity = match target.as_rule() {
        Rule::node_schema_target => EntityType::Node,
        _ => EntityType::Relationship,
    };
    let target_span = span_of(&target);
    let mut parts = children(target);
    let variable = build_variable(required(&mut parts, target_span)?)?;
    let label = build_schema_name(required(&mut parts, target_span)?)?;
    let mut properties = Vec::new();
    while let Some(p) = next_if_rule(pairs, Rule::schema_property) {
        let p_span = span_of(&p);
        let mut parts = children(p);
        let owner = build_variable(required(&mut parts, p_span)?)?;
        if owner.name != variable.name {
            return Err(QueryError::undefined_variable(&owner.name, owner.span));
        }
        properties.push(build_schema_name(required(&mut parts, p_span)?)?);
    }
    Ok(SchemaDefinition {
        name,
        if_not_exists,
        entity,
        variable,
        label,
        properties,
    })
}
