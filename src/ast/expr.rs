//! Expressions. Chained comparisons (`a < b < c`) are already rewritten to
//! `a < b AND b < c` by the parser.

use super::{Ident, PatternElement, Query, Span};

/// An expression with its span.
#[derive(Debug, Clone)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

impl PartialEq for Expr {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
    }
}

impl Expr {
    /// An expression of `kind` covering `span`.
    pub fn new(kind: ExprKind, span: Span) -> Self {
        Expr { kind, span }
    }
}

/// The kinds of expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// `null`, `true`, `1`, `1.5`, `'text'`
    Literal(Literal),
    /// `$name` (or `$0`)
    Parameter(String),
    /// A name bound by a pattern, WITH, UNWIND, ...
    Variable(String),
    /// `[a, b, c]`
    List(Vec<Expr>),
    /// `{key: value, ...}`
    Map(Vec<(Ident, Expr)>),
    /// `expr.key`
    Property(Box<Expr>, Ident),
    /// `expr[index]`
    Index(Box<Expr>, Box<Expr>),
    /// `expr[from..to]`, either bound optional
    Slice(Box<Expr>, Option<Box<Expr>>, Option<Box<Expr>>),
    /// `NOT x`, `-x`, `+x`
    Unary(UnaryOp, Box<Expr>),
    /// `lhs op rhs`
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `expr IS NULL` (negated: `IS NOT NULL`)
    IsNull { expr: Box<Expr>, negated: bool },
    /// `n:Label1:Label2` used as a predicate
    HasLabels(Box<Expr>, Vec<Ident>),
    /// `name(args)` or `name(DISTINCT args)`; `name` may be dotted (`a.b.c`)
    FunctionCall(FunctionCall),
    /// `count(*)`
    CountStar,
    /// `CASE [subject] WHEN .. THEN .. [ELSE ..] END`
    Case(CaseExpr),
    /// `[x IN list WHERE pred | projection]`
    ListComprehension {
        variable: Ident,
        list: Box<Expr>,
        predicate: Option<Box<Expr>>,
        projection: Option<Box<Expr>>,
    },
    /// `[p = (a)-->(b) WHERE pred | projection]`
    PatternComprehension {
        variable: Option<Ident>,
        pattern: Box<PatternElement>,
        predicate: Option<Box<Expr>>,
        projection: Box<Expr>,
    },
    /// `all(x IN list WHERE pred)` and friends
    Quantifier {
        quantifier: Quantifier,
        variable: Ident,
        list: Box<Expr>,
        predicate: Option<Box<Expr>>,
    },
    /// `reduce(acc = init, x IN list | expr)`
    Reduce {
        accumulator: Ident,
        init: Box<Expr>,
        variable: Ident,
        list: Box<Expr>,
        expr: Box<Expr>,
    },
    /// A pattern used as a predicate: `WHERE (a)-->(b)`
    Pattern(Box<PatternElement>),
    /// `EXISTS { ... }`, `COUNT { ... }` or `COLLECT { ... }`; the short form
    /// `EXISTS { (a)-->(b) [WHERE ...] }` is stored as the query `MATCH (a)-->(b) [WHERE ...]`.
    Subquery(SubqueryKind, Box<Query>),
    /// `n {.name, .*, key: expr, var}`
    MapProjection {
        subject: Ident,
        items: Vec<MapProjectionItem>,
    },
}

/// What an expression subquery makes of its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubqueryKind {
    /// `EXISTS { ... }`: whether there is a row.
    Exists,
    /// `COUNT { ... }`: how many rows there are.
    Count,
    /// `COLLECT { ... RETURN x }`: the list of the one returned column.
    Collect,
}

/// One selector of a map projection.
#[derive(Debug, Clone, PartialEq)]
pub enum MapProjectionItem {
    /// `.key`: the subject's property (null when missing).
    Property(Ident),
    /// `.*`: every property of the subject.
    AllProperties,
    /// `key: expr`
    Entry(Ident, Expr),
    /// `var`: the entry `var: var`.
    Variable(Ident),
}

/// A constant written in the query.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `null`
    Null,
    /// `true` or `false`
    Bool(bool),
    /// `42`, `0x2A`, `0o52`
    Integer(i64),
    /// `1.5`, `1e3`
    Float(f64),
    /// `'text'`, with escapes already resolved
    String(String),
}

/// Prefix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `NOT x`
    Not,
    /// `-x`
    Negate,
    /// `+x`
    Plus,
}

/// Binary operators, in openCypher precedence order from loosest to tightest:
/// OR < XOR < AND < (NOT) < comparison < string/list predicates < + - < * / % < ^.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `OR`
    Or,
    /// `XOR`
    Xor,
    /// `AND`
    And,
    /// `=`
    Eq,
    /// `<>`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `=~`
    RegexMatch,
    /// `IN`
    In,
    /// `STARTS WITH`
    StartsWith,
    /// `ENDS WITH`
    EndsWith,
    /// `CONTAINS`
    Contains,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
    /// `^`
    Pow,
}

/// A call such as `toLower(x)` or `count(DISTINCT x)`.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionCall {
    /// As written, e.g. `toLower` or `db.labels`; lookups are case-insensitive.
    pub name: String,
    pub distinct: bool,
    pub args: Vec<Expr>,
}

/// `CASE [subject] WHEN ... THEN ... [ELSE ...] END`
#[derive(Debug, Clone, PartialEq)]
pub struct CaseExpr {
    /// `CASE x WHEN 1 THEN ...` has a subject; `CASE WHEN x = 1 THEN ...` has none.
    pub subject: Option<Box<Expr>>,
    pub whens: Vec<(Expr, Expr)>,
    pub otherwise: Option<Box<Expr>>,
}

/// The list predicate functions: `all`, `any`, `none`, `single`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    /// `all(x IN list WHERE p)`: every element satisfies `p`.
    All,
    /// `any(...)`: at least one element does.
    Any,
    /// `none(...)`: no element does.
    None,
    /// `single(...)`: exactly one element does.
    Single,
}
