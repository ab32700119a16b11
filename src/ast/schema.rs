//! Schema commands (Neo4j 5): `CREATE INDEX`, `CREATE CONSTRAINT`, `DROP ...`, `SHOW ...`.
//! They are statements of their own, not clauses: the session runs them, not the planner.

use std::fmt::{self, Display};

use super::{Expr, Ident, write_schema_name};
pub use crate::graph::schema::EntityType;

/// A schema command, e.g. `CREATE INDEX idx IF NOT EXISTS FOR (c:Company) ON (c.founded)`.
#[derive(Debug, Clone, PartialEq)]
pub enum SchemaCommand {
    /// `CREATE [RANGE] INDEX [name] [IF NOT EXISTS] FOR target ON (v.key, ...)`
    CreateIndex(SchemaDefinition),
    /// `CREATE CONSTRAINT [name] [IF NOT EXISTS] FOR target REQUIRE v.key IS UNIQUE | IS NOT NULL`
    CreateConstraint(SchemaDefinition, ConstraintKind),
    /// `DROP INDEX name [IF EXISTS]`
    DropIndex { name: Ident, if_exists: bool },
    /// `DROP CONSTRAINT name [IF EXISTS]`
    DropConstraint { name: Ident, if_exists: bool },
    /// `SHOW [ALL | RANGE] INDEXES [WHERE predicate]`
    ShowIndexes { filter: Option<Expr> },
    /// `SHOW [ALL | UNIQUE] CONSTRAINTS [WHERE predicate]`
    ShowConstraints { filter: Option<Expr> },
}

/// What a created index or constraint covers.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaDefinition {
    pub name: Option<Ident>,
    pub if_not_exists: bool,
    pub entity: EntityType,
    /// The variable of the target pattern (the properties are read through it).
    pub variable: Ident,
    /// Label or relationship type.
    pub label: Ident,
    pub properties: Vec<Ident>,
}

/// `IS UNIQUE` or `IS NOT NULL`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstraintKind {
    Unique,
    NotNull,
}

fn write_name(f: &mut fmt::Formatter<'_>, name: &Ident) -> fmt::Result {
    write_schema_name(f, &name.name)
}

/// `DROP INDEX|CONSTRAINT name [IF EXISTS]`.
fn write_drop(
    f: &mut fmt::Formatter<'_>,
    what: &str,
    name: &Ident,
    if_exists: bool,
) -> fmt::Result {
    write!(f, "DROP {what} ")?;
    write_name(f, name)?;
    if if_exists {
        f.write_str(" IF EXISTS")?;
    }
    Ok(())
}

impl SchemaDefinition {
    fn write_head(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(name) = &self.name {
            f.write_str(" ")?;
            write_name(f, name)?;
        }
        if self.if_not_exists {
            f.write_str(" IF NOT EXISTS")?;
        }
        f.write_str(" FOR ")?;
        let open = match self.entity {
            EntityType::Node => "(",
            EntityType::Relationship => "()-[",
        };
        f.write_str(open)?;
        write_name(f, &self.variable)?;
        f.write_str(":")?;
        write_name(f, &self.label)?;
        f.write_str(match self.entity {
            EntityType::Node => ")",
            EntityType::Relationship => "]-()",
        })
    }

    fn write_properties(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        for (i, p) in self.properties.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write_name(f, &self.variable)?;
            f.write_str(".")?;
            write_name(f, p)?;
        }
        f.write_str(")")
    }
}

impl Display for SchemaCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SchemaCommand::CreateIndex(def) => {
                f.write_str("CREATE INDEX")?;
                def.write_head(f)?;
                f.write_str(" ON ")?;
                def.write_properties(f)
            }
            SchemaCommand::CreateConstraint(def, kind) => {
                f.write_str("CREATE CONSTRAINT")?;
                def.write_head(f)?;
                f.write_str(" REQUIRE ")?;
                def.write_properties(f)?;
                f.write_str(match kind {
                    ConstraintKind::Unique => " IS UNIQUE",
                    ConstraintKind::NotNull => " IS NOT NULL",
                })
            }
            SchemaCommand::DropIndex { name, if_exists } => {
                write_drop(f, "INDEX", name, *if_exists)
            }
            SchemaCommand::DropConstraint { name, if_exists } => {
                write_drop(f, "CONSTRAINT", name, *if_exists)
            }
            SchemaCommand::ShowIndexes { filter } => {
                f.write_str("SHOW INDEXES")?;
                filter.iter().try_for_each(|e| write!(f, " WHERE {e}"))
            }
            SchemaCommand::ShowConstraints { filter } => {
                f.write_str("SHOW CONSTRAINTS")?;
                filter.iter().try_for_each(|e| write!(f, " WHERE {e}"))
            }
        }
    }
}
