//! Graph patterns: `(a:Person {name: 'x'})-[r:KNOWS*1..3]->(b)`.

use super::{Expr, Ident, Span};

/// Comma-separated pattern parts, as in `MATCH (a)-->(b), (c)`.
pub type Pattern = Vec<PatternPart>;

/// One part, optionally named: `p = (a)-->(b)` or `p = shortestPath((a)-[*]-(b))`.
#[derive(Debug, Clone)]
pub struct PatternPart {
    pub variable: Option<Ident>,
    pub kind: PathKind,
    pub element: PatternElement,
    pub span: Span,
}

impl PartialEq for PatternPart {
    fn eq(&self, other: &Self) -> bool {
        self.variable == other.variable && self.kind == other.kind && self.element == other.element
    }
}

/// How a part matches paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathKind {
    /// Every match.
    All,
    /// `shortestPath(...)`
    Shortest,
    /// `allShortestPaths(...)`
    AllShortest,
}

/// A node followed by (relationship, node) steps.
#[derive(Debug, Clone)]
pub struct PatternElement {
    pub start: NodePattern,
    pub chain: Vec<(RelationshipPattern, NodePattern)>,
    pub span: Span,
}

impl PartialEq for PatternElement {
    fn eq(&self, other: &Self) -> bool {
        self.start == other.start && self.chain == other.chain
    }
}

/// `(variable:Label1:Label2 {key: value})`
#[derive(Debug, Clone)]
pub struct NodePattern {
    pub variable: Option<Ident>,
    pub labels: Vec<Ident>,
    /// A map literal or a `$parameter`.
    pub properties: Option<Expr>,
    pub span: Span,
}

impl PartialEq for NodePattern {
    fn eq(&self, other: &Self) -> bool {
        self.variable == other.variable
            && self.labels == other.labels
            && self.properties == other.properties
    }
}

/// `-[variable:TYPE1|TYPE2*1..3 {key: value}]->`
#[derive(Debug, Clone)]
pub struct RelationshipPattern {
    pub variable: Option<Ident>,
    pub types: Vec<Ident>,
    pub direction: RelDirection,
    /// Variable-length bounds; `None` means exactly one hop.
    pub length: Option<LengthRange>,
    pub properties: Option<Expr>,
    pub span: Span,
}

impl PartialEq for RelationshipPattern {
    fn eq(&self, other: &Self) -> bool {
        self.variable == other.variable
            && self.types == other.types
            && self.direction == other.direction
            && self.length == other.length
            && self.properties == other.properties
    }
}

/// Arrow direction as written, read left to right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelDirection {
    /// `-->`
    Right,
    /// `<--`
    Left,
    /// `--` (or `<-->`)
    Both,
}

/// Variable-length hop bounds, e.g. the `*1..3` in `-[:KNOWS*1..3]->`.
/// `*` is `{min: None, max: None}`, `*2` is `{Some(2), Some(2)}`, `*..5` is `{None, Some(5)}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LengthRange {
    pub min: Option<u64>,
    pub max: Option<u64>,
}
