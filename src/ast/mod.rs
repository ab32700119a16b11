//! The typed syntax tree: what was written, with spans. It knows nothing about scopes or
//! types; `semantic` resolves names. `Display` (in `display.rs`) prints canonical Cypher.
//! Equality ignores spans, so `parse(&ast.to_string()) == ast` holds.

mod display;
pub mod expr;
pub mod keywords;
pub mod pattern;
pub mod schema;
pub mod walk;

pub use expr::*;
pub use pattern::*;

pub use crate::error::Span;
pub use keywords::is_reserved_word;

/// Whether `name` reads back as itself without backticks where the grammar expects a label,
/// relationship type or property key: it follows the grammar's identifier rule (Unicode
/// XID, as `unescaped_name` in grammar/cypher.pest). Variables must also not be reserved.
pub fn is_plain_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c == '_' || unicode_ident::is_xid_start(c))
        && chars.all(unicode_ident::is_xid_continue)
}

/// Writes a label, relationship type or property key as Cypher reads it: bare when it is a
/// plain name, backticked otherwise. The one quoting rule for every place kg writes Cypher.
pub fn write_schema_name(out: &mut impl std::fmt::Write, name: &str) -> std::fmt::Result {
    if is_plain_name(name) {
        out.write_str(name)
    } else {
        write_backticked(out, name)
    }
}

/// Writes `name` in backticks, doubling any backtick inside it.
pub fn write_backticked(out: &mut impl std::fmt::Write, name: &str) -> std::fmt::Result {
    out.write_char('`')?;
    for part in name.split_inclusive('`') {
        out.write_str(part)?;
        if part.ends_with('`') {
            out.write_char('`')?;
        }
    }
    out.write_char('`')
}

/// A name as written (variable, label, type, property key, alias), with its span.
#[derive(Debug, Clone, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

impl Ident {
    /// A name written at `span`.
    pub fn new(name: impl Into<String>, span: Span) -> Self {
        Ident {
            name: name.into(),
            span,
        }
    }
}

impl PartialEq for Ident {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl std::hash::Hash for Ident {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state)
    }
}

/// One statement of a script, e.g. `MATCH (n) RETURN n` or `EXPLAIN MATCH ...`.
#[derive(Debug, Clone)]
pub struct Statement {
    pub mode: StatementMode,
    pub query: Query,
    /// A schema command (`CREATE INDEX ...`) instead of a query; `query` is then empty
    /// and the session runs the command itself.
    pub schema: Option<schema::SchemaCommand>,
    /// The statement's byte range in the text given to `parser::parse`.
    pub span: Span,
}

/// Whether to run the query, or only show (EXPLAIN) or also measure (PROFILE) its plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementMode {
    /// Run the query.
    Run,
    /// `EXPLAIN`: show the plan without running it.
    Explain,
    /// `PROFILE`: run the query and show the plan with row counts.
    Profile,
}

/// `single (UNION [ALL] single)*`.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub first: SingleQuery,
    pub unions: Vec<(UnionKind, SingleQuery)>,
}

/// `UNION` removes duplicate rows, `UNION ALL` keeps them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnionKind {
    /// `UNION`
    Distinct,
    /// `UNION ALL`
    All,
}

/// A sequence of clauses, e.g. `MATCH ... WITH ... RETURN ...`.
#[derive(Debug, Clone)]
pub struct SingleQuery {
    pub clauses: Vec<Clause>,
    pub span: Span,
}

/// A clause.
#[derive(Debug, Clone, PartialEq)]
pub enum Clause {
    /// `[OPTIONAL] MATCH pattern [WHERE expr]`
    Match(Match),
    /// `UNWIND expr AS variable`
    Unwind(Unwind),
    /// `WITH [DISTINCT] items [ORDER BY] [SKIP] [LIMIT] [WHERE expr]`
    With(With),
    /// `RETURN [DISTINCT] items [ORDER BY] [SKIP] [LIMIT]`
    Return(Return),
    /// `CREATE pattern`
    Create(Create),
    /// `MERGE pattern_part [ON CREATE SET ...] [ON MATCH SET ...]`
    Merge(Merge),
    /// `SET item, ...`
    Set(SetClause),
    /// `REMOVE item, ...`
    Remove(Remove),
    /// `[DETACH] DELETE expr, ...`
    Delete(Delete),
    /// `CALL proc(args) [YIELD ...]`
    Call(Call),
    /// `[OPTIONAL] CALL [(imports)] { query }`
    CallSubquery(CallSubquery),
    /// `FOREACH (variable IN list | clauses)`
    Foreach(Foreach),
    /// `LOAD CSV [WITH HEADERS] FROM url AS variable [FIELDTERMINATOR 'c']`
    LoadCsv(LoadCsv),
}

impl Clause {
    /// The clause's byte range in the statement text.
    pub fn span(&self) -> Span {
        match self {
            Clause::Match(c) => c.span,
            Clause::Unwind(c) => c.span,
            Clause::With(c) => c.span,
            Clause::Return(c) => c.span,
            Clause::Create(c) => c.span,
            Clause::Merge(c) => c.span,
            Clause::Set(c) => c.span,
            Clause::Remove(c) => c.span,
            Clause::Delete(c) => c.span,
            Clause::Call(c) => c.span,
            Clause::CallSubquery(c) => c.span,
            Clause::Foreach(c) => c.span,
            Clause::LoadCsv(c) => c.span,
        }
    }
}

/// `[OPTIONAL] MATCH pattern [WHERE expr]`
#[derive(Debug, Clone)]
pub struct Match {
    pub optional: bool,
    pub pattern: Pattern,
    pub where_clause: Option<Expr>,
    pub span: Span,
}

/// `UNWIND expr AS variable`
#[derive(Debug, Clone)]
pub struct Unwind {
    pub expr: Expr,
    pub variable: Ident,
    pub span: Span,
}

/// `LOAD CSV [WITH HEADERS] FROM url AS variable [FIELDTERMINATOR 'c']`: one row per
/// record of a CSV file, bound to `variable` as a list of fields, or with headers as a map.
#[derive(Debug, Clone)]
pub struct LoadCsv {
    /// `WITH HEADERS`: the first record names the fields and each row is a map.
    pub with_headers: bool,
    /// Where the file is: a path or `file:///` URL, as any expression.
    pub source: Expr,
    pub variable: Ident,
    /// `FIELDTERMINATOR '...'`: a string literal (one character, checked by `semantic`).
    pub field_terminator: Option<Expr>,
    pub span: Span,
}

/// The body shared by WITH and RETURN.
#[derive(Debug, Clone, PartialEq)]
pub struct Projection {
    pub distinct: bool,
    /// `*`: every variable in scope, before the listed items.
    pub star: bool,
    pub items: Vec<ReturnItem>,
    pub order_by: Vec<SortItem>,
    pub skip: Option<Expr>,
    pub limit: Option<Expr>,
}

/// `expr [AS alias]`.
#[derive(Debug, Clone)]
pub struct ReturnItem {
    pub expr: Expr,
    pub alias: Option<Ident>,
    /// The expression's text exactly as written: the column name when there is no alias
    /// (openCypher names `RETURN n.name` column "n.name"). Ignored by equality.
    pub text: String,
}

impl PartialEq for ReturnItem {
    fn eq(&self, other: &Self) -> bool {
        self.expr == other.expr && self.alias == other.alias
    }
}

impl ReturnItem {
    /// The column name this item produces.
    pub fn column_name(&self) -> &str {
        self.alias.as_ref().map_or(&self.text, |a| &a.name)
    }
}

/// `expr [ASC|DESC]`.
#[derive(Debug, Clone, PartialEq)]
pub struct SortItem {
    pub expr: Expr,
    pub descending: bool,
}

/// `WITH projection [WHERE expr]`
#[derive(Debug, Clone)]
pub struct With {
    pub projection: Projection,
    pub where_clause: Option<Expr>,
    pub span: Span,
}

/// `RETURN projection`
#[derive(Debug, Clone)]
pub struct Return {
    pub projection: Projection,
    pub span: Span,
}

/// `CREATE pattern`
#[derive(Debug, Clone)]
pub struct Create {
    pub pattern: Pattern,
    pub span: Span,
}

/// `MERGE part [ON CREATE SET ...] [ON MATCH SET ...]`
#[derive(Debug, Clone)]
pub struct Merge {
    pub part: PatternPart,
    pub on_create: Vec<SetItem>,
    pub on_match: Vec<SetItem>,
    pub span: Span,
}

/// `SET item, ...`
#[derive(Debug, Clone)]
pub struct SetClause {
    pub items: Vec<SetItem>,
    pub span: Span,
}

/// One item of SET.
#[derive(Debug, Clone, PartialEq)]
pub enum SetItem {
    /// `n.key = expr` (the target may be any expression yielding a node, rel or map owner, e.g. `(n).key`)
    Property {
        target: Expr,
        key: Ident,
        value: Expr,
    },
    /// `n = {map}`: replace all properties.
    Replace { variable: Ident, value: Expr },
    /// `n += {map}`: merge properties.
    Merge { variable: Ident, value: Expr },
    /// `n:Label1:Label2`
    Labels { variable: Ident, labels: Vec<Ident> },
}

/// `REMOVE item, ...`
#[derive(Debug, Clone)]
pub struct Remove {
    pub items: Vec<RemoveItem>,
    pub span: Span,
}

/// One item of REMOVE.
#[derive(Debug, Clone, PartialEq)]
pub enum RemoveItem {
    /// `n.key`
    Property { target: Expr, key: Ident },
    /// `n:Label1:Label2`
    Labels { variable: Ident, labels: Vec<Ident> },
}

/// `[DETACH] DELETE expr, ...`
#[derive(Debug, Clone)]
pub struct Delete {
    pub detach: bool,
    pub exprs: Vec<Expr>,
    pub span: Span,
}

/// `CALL procedure[(args)] [YIELD ...]`
#[derive(Debug, Clone)]
pub struct Call {
    /// Dotted procedure name, e.g. `db.labels`.
    pub procedure: String,
    /// `None` for `CALL proc` without parentheses (standalone: arguments come from the
    /// parameters named like the inputs).
    pub args: Option<Vec<Expr>>,
    /// `None` without YIELD.
    pub yields: Option<YieldItems>,
    pub span: Span,
}

/// What `CALL ... YIELD` binds.
#[derive(Debug, Clone, PartialEq)]
pub enum YieldItems {
    /// `YIELD *` (standalone calls only): every output.
    Star,
    /// `YIELD a, b AS c [WHERE predicate]`.
    Items {
        items: Vec<YieldItem>,
        where_clause: Option<Expr>,
    },
}

/// `output [AS variable]` in YIELD.
#[derive(Debug, Clone, PartialEq)]
pub struct YieldItem {
    /// The procedure output.
    pub field: Ident,
    pub alias: Option<Ident>,
}

impl YieldItem {
    /// The variable the output is bound to.
    pub fn variable(&self) -> &Ident {
        self.alias.as_ref().unwrap_or(&self.field)
    }
}

/// `CALL [(imports)] { query }`: runs `query` once per incoming row.
#[derive(Debug, Clone)]
pub struct CallSubquery {
    /// `OPTIONAL CALL`: a row the body returns nothing for is kept, with nulls.
    pub optional: bool,
    /// The variable scope clause of `CALL (a, b) { ... }`; `None` without one (the body
    /// may then import with a leading `WITH a, b`).
    pub imports: Option<Imports>,
    pub query: Query,
    pub span: Span,
}

/// The outer variables a `CALL (...) { ... }` body sees.
#[derive(Debug, Clone, PartialEq)]
pub enum Imports {
    /// `CALL (*)`: all of them.
    All,
    /// `CALL (a, b)`; `CALL ()` imports nothing.
    Variables(Vec<Ident>),
}

/// `FOREACH (variable IN list | clauses)`
#[derive(Debug, Clone)]
pub struct Foreach {
    pub variable: Ident,
    pub list: Expr,
    /// Update clauses only (checked by `semantic`).
    pub body: SingleQuery,
    pub span: Span,
}

// Statements, queries and clauses compare without their spans.
macro_rules! eq_ignoring_span {
    ($($ty:ident { $($field:ident),* }),* $(,)?) => {
        $(impl PartialEq for $ty {
            fn eq(&self, other: &Self) -> bool {
                true $(&& self.$field == other.$field)*
            }
        })*
    };
}

eq_ignoring_span! {
    Statement { mode, query, schema },
    SingleQuery { clauses },
    Match { optional, pattern, where_clause },
    Unwind { expr, variable },
    With { projection, where_clause },
    Return { projection },
    Create { pattern },
    Merge { part, on_create, on_match },
    SetClause { items },
    Remove { items },
    Delete { detach, exprs },
    Call { procedure, args, yields },
    CallSubquery { optional, imports, query },
    Foreach { variable, list, body },
    LoadCsv { with_headers, source, variable, field_terminator },
}

#[cfg(test)]
mod name_tests {
    use super::*;

    fn schema(name: &str) -> String {
        let mut out = String::new();
        write_schema_name(&mut out, name).expect("writing to a String");
        out
    }

    #[test]
    fn names_are_quoted_exactly_when_the_grammar_needs_it() {
        assert_eq!(schema("Company"), "Company");
        assert_eq!(schema("_private2"), "_private2");
        assert_eq!(schema("名字"), "名字");
        assert_eq!(schema("end"), "end", "a reserved word is a valid key");
        assert_eq!(schema("2fast"), "`2fast`");
        assert_eq!(schema("has space"), "`has space`");
        assert_eq!(schema("a`b``"), "`a``b`````");
        assert_eq!(schema(""), "``");
    }
}
