//! Runs schema commands (`CREATE INDEX`, `DROP CONSTRAINT`, `SHOW INDEXES`, ...) over a
//! graph, turning `graph::schema`'s refusals into Neo4j's errors. `Session` calls it for
//! statements that are schema commands and makes the change durable; the indexes
//! themselves live in `graph::schema`.

use std::collections::BTreeMap;

use crate::ast::schema::{ConstraintKind, SchemaCommand, SchemaDefinition};
use crate::error::{ErrorCode, QueryError, Result};
use crate::graph::schema::{CreateError, DropError, EntityType, RuleKind, SchemaRule};
use crate::graph::{Graph, intern};
use crate::value::Value;

/// What a schema command did.
pub(crate) enum Outcome {
    /// Nothing changed (`IF NOT EXISTS` / `IF EXISTS` met).
    Unchanged,
    /// The rules changed; these are the rules from before.
    Changed(Vec<SchemaRule>),
    /// A SHOW: the query that lists `rows` (parameter `PARAMETER`), with the filter.
    Show { query: String, rows: Value },
}

/// The parameter a SHOW's rows are handed to its query in.
pub(crate) const PARAMETER: &str = "kgSchemaRows";

/// Applies `command` to `graph`.
pub(crate) fn apply(graph: &mut Graph, command: &SchemaCommand) -> Result<Outcome> {
    let before = graph.schema().rules().to_vec();
    match command {
        SchemaCommand::CreateIndex(def) => create(graph, def, RuleKind::RangeIndex, before),
        SchemaCommand::CreateConstraint(def, kind) => {
            let kind = match kind {
                ConstraintKind::Unique => RuleKind::Unique,
                ConstraintKind::NotNull => RuleKind::NotNull,
            };
            create(graph, def, kind, before)
        }
        SchemaCommand::DropIndex { name, if_exists } => {
            drop(graph, &name.name, *if_exists, false, before)
        }
        SchemaCommand::DropConstraint { name, if_exists } => {
            drop(graph, &name.name, *if_exists, true, before)
        }
        SchemaCommand::ShowIndexes { filter } => {
            Ok(show(index_rows(&before), INDEX_COLUMNS, filter.as_ref()))
        }
        SchemaCommand::ShowConstraints { filter } => Ok(show(
            constraint_rows(&before),
            CONSTRAINT_COLUMNS,
            filter.as_ref(),
        )),
    }
}

fn create(
    graph: &mut Graph,
    def: &SchemaDefinition,
    kind: RuleKind,
    before: Vec<SchemaRule>,
) -> Result<Outcome> {
    let mut rule = SchemaRule {
        id: 0,
        name: String::new(),
        kind,
        entity: def.entity,
        label: intern(&def.label.name),
        properties: def.properties.iter().map(|p| intern(&p.name)).collect(),
    };
    rule.name = match &def.name {
        Some(name) => name.name.clone(),
        None => rule.generated_name(),
    };
    let what = if kind.is_constraint() {
        "constraint"
    } else {
        "index"
    };
    match graph.create_schema_rule(rule) {
        Ok(_) => Ok(Outcome::Changed(before)),
        // Neo4j: IF NOT EXISTS also passes over a rule of the same name.
        Err(CreateError::Equivalent(_) | CreateError::NameTaken(_)) if def.if_not_exists => {
            Ok(Outcome::Unchanged)
        }
        Err(CreateError::Equivalent(name)) => Err(QueryError::schema(
            ErrorCode::EquivalentSchemaRuleAlreadyExists,
            format!("An equivalent {what} already exists: `{name}`"),
        )),
        Err(CreateError::NameTaken(name)) => {
            let existing_is_constraint = graph
                .schema()
                .rules()
                .iter()
                .any(|r| r.name == name && r.kind.is_constraint());
            let (code, kind) = if existing_is_constraint {
                (ErrorCode::ConstraintAlreadyExists, "A constraint")
            } else {
                (ErrorCode::IndexAlreadyExists, "An index")
            };
            Err(QueryError::schema(
                code,
                format!("{kind} named `{name}` already exists"),
            ))
        }
        Err(CreateError::Violated(violation)) => Err(QueryError::schema(
            ErrorCode::ConstraintCreationFailed,
            format!(
                "Unable to create constraint `{}`: {}",
                violation.rule.name,
                violation.describe()
            ),
        )),
    }
}

fn drop(
    graph: &mut Graph,
    name: &str,
    if_exists: bool,
    constraint: bool,
    before: Vec<SchemaRule>,
) -> Result<Outcome> {
    match graph.drop_schema_rule(name, constraint) {
        Ok(_) => Ok(Outcome::Changed(before)),
        Err(DropError::NotFound(_)) if if_exists => Ok(Outcome::Unchanged),
        Err(DropError::NotFound(name)) if constraint => Err(QueryError::schema(
            ErrorCode::ConstraintNotFound,
            format!("Unable to drop constraint `{name}`: no such constraint"),
        )),
        Err(DropError::NotFound(name)) => Err(QueryError::schema(
            ErrorCode::IndexNotFound,
            format!("Unable to drop index `{name}`: no such index"),
        )),
        Err(DropError::OwnedByConstraint(name)) => Err(QueryError::schema(
            ErrorCode::IndexBelongsToConstraint,
            format!(
                "Unable to drop index `{name}`: it belongs to constraint `{name}` (DROP CONSTRAINT {name})"
            ),
        )),
    }
}

/// SHOW INDEXES' columns, as Neo4j 5 names them.
const INDEX_COLUMNS: &[&str] = &[
    "id",
    "name",
    "state",
    "populationPercent",
    "type",
    "entityType",
    "labelsOrTypes",
    "properties",
    "indexProvider",
    "owningConstraint",
];

/// SHOW CONSTRAINTS' columns, as Neo4j 5 names them.
const CONSTRAINT_COLUMNS: &[&str] = &[
    "id",
    "name",
    "type",
    "entityType",
    "labelsOrTypes",
    "properties",
    "ownedIndex",
];

/// The columns SHOW INDEXES and SHOW CONSTRAINTS share, as a row to add the rest to.
fn common(rule: &SchemaRule) -> BTreeMap<String, Value> {
    let properties = rule.properties.iter().map(|p| Value::string(&**p));
    BTreeMap::from([
        ("id".into(), Value::Int(rule.id as i64)),
        ("name".into(), Value::string(&rule.name)),
        ("entityType".into(), Value::string(rule.entity.as_str())),
        (
            "labelsOrTypes".into(),
            Value::List(vec![Value::string(&*rule.label)]),
        ),
        ("properties".into(), Value::List(properties.collect())),
    ])
}

fn index_rows(rules: &[SchemaRule]) -> Vec<Value> {
    rules
        .iter()
        .filter(|r| r.kind.has_index())
        .map(|rule| {
            let mut row = common(rule);
            // Indexes are built when created, so they are always online and complete.
            row.insert("state".into(), Value::string("ONLINE"));
            row.insert("populationPercent".into(), Value::Float(100.0));
            row.insert("type".into(), Value::string("RANGE"));
            row.insert("indexProvider".into(), Value::string("range-1.0"));
            let owner = match rule.kind {
                RuleKind::Unique => Value::string(&rule.name),
                _ => Value::Null,
            };
            row.insert("owningConstraint".into(), owner);
            Value::Map(row)
        })
        .collect()
}

fn constraint_rows(rules: &[SchemaRule]) -> Vec<Value> {
    rules
        .iter()
        .filter(|r| r.kind.is_constraint())
        .map(|rule| {
            let mut row = common(rule);
            let kind = match (rule.kind, rule.entity) {
                (RuleKind::NotNull, EntityType::Node) => "NODE_PROPERTY_EXISTENCE",
                (RuleKind::NotNull, EntityType::Relationship) => "RELATIONSHIP_PROPERTY_EXISTENCE",
                (_, EntityType::Node) => "UNIQUENESS",
                (_, EntityType::Relationship) => "RELATIONSHIP_UNIQUENESS",
            };
            row.insert("type".into(), Value::string(kind));
            let owned = match rule.kind {
                RuleKind::Unique => Value::string(&rule.name),
                _ => Value::Null,
            };
            row.insert("ownedIndex".into(), owned);
            Value::Map(row)
        })
        .collect()
}

/// The query listing `rows` with `columns`, filtered: SHOW ... WHERE takes any predicate
/// over the columns, so the normal pipeline evaluates it.
fn show(rows: Vec<Value>, columns: &[&str], filter: Option<&crate::ast::Expr>) -> Outcome {
    let mut query = format!("UNWIND ${PARAMETER} AS kgSchemaRow WITH ");
    let projections: Vec<String> = columns
        .iter()
        .map(|c| format!("kgSchemaRow.{c} AS {c}"))
        .collect();
    query.push_str(&projections.join(", "));
    if let Some(filter) = filter {
        query.push_str(&format!(" WHERE {filter}"));
    }
    query.push_str(" RETURN ");
    query.push_str(&columns.join(", "));
    query.push_str(" ORDER BY id");
    Outcome::Show {
        query,
        rows: Value::List(rows),
    }
}
