//! Compiled expressions: what `build` lowers an `ast::Expr` to (names are slots, functions
//! are catalog entries, aggregates are the slots their results land in), and their visitors.

use std::sync::Arc;

use crate::ast::{BinaryOp, Quantifier, Span, UnaryOp};
use crate::catalog::FunctionSpec;
use crate::value::Value;

use super::LogicalPlan;

/// Index of a value in an execution row. Every variable of a statement (including
/// anonymous pattern elements and comprehension variables) gets its own slot.
pub type Slot = usize;

/// A compiled expression: names are slots, functions are resolved, aggregates are
/// replaced by the slot their result is stored in.
#[derive(Debug, Clone)]
pub struct PlanExpr {
    pub kind: PlanExprKind,
    /// Where the expression was written, for runtime errors.
    pub span: Span,
}

/// The kinds of compiled expression (mirrors `ast::ExprKind`).
#[derive(Debug, Clone)]
pub enum PlanExprKind {
    Const(Value),
    Param(String),
    Slot(Slot),
    List(Vec<PlanExpr>),
    Map(Vec<(String, PlanExpr)>),
    Property(Box<PlanExpr>, Arc<str>),
    Index(Box<PlanExpr>, Box<PlanExpr>),
    Slice(Box<PlanExpr>, Option<Box<PlanExpr>>, Option<Box<PlanExpr>>),
    Unary(UnaryOp, Box<PlanExpr>),
    Binary(BinaryOp, Box<PlanExpr>, Box<PlanExpr>),
    IsNull(Box<PlanExpr>, bool),
    HasLabels(Box<PlanExpr>, Vec<Arc<str>>),
    /// A scalar function call, resolved against the function catalog when bound.
    Function(&'static FunctionSpec, Vec<PlanExpr>),
    Case {
        subject: Option<Box<PlanExpr>>,
        whens: Vec<(PlanExpr, PlanExpr)>,
        otherwise: Option<Box<PlanExpr>>,
    },
    /// `[x IN list WHERE pred | proj]` with x stored in `slot`.
    ListComprehension {
        slot: Slot,
        list: Box<PlanExpr>,
        predicate: Option<Box<PlanExpr>>,
        projection: Option<Box<PlanExpr>>,
    },
    Quantifier {
        quantifier: Quantifier,
        slot: Slot,
        list: Box<PlanExpr>,
        predicate: Option<Box<PlanExpr>>,
    },
    Reduce {
        accumulator: Slot,
        init: Box<PlanExpr>,
        slot: Slot,
        list: Box<PlanExpr>,
        expr: Box<PlanExpr>,
    },
    /// True when the read-only subplan yields at least one row (pattern predicates, EXISTS).
    Exists(Box<LogicalPlan>),
    /// Collects `projection` over the rows of the subplan (pattern comprehensions).
    Collect(Box<LogicalPlan>, Box<PlanExpr>),
    /// The number of rows of the read-only subplan (`COUNT { ... }`).
    CountRows(Box<LogicalPlan>),
    /// The first column of the rows the read-only subplan produces (`COLLECT { ... }`).
    CollectColumn(Box<LogicalPlan>),
    /// `n {.key, .*, key: expr}`: a map built from the subject (null when it is null).
    MapProjection(Box<PlanExpr>, Vec<MapItem>),
}

/// One selector of a compiled map projection, applied in order (later keys win).
#[derive(Debug, Clone)]
pub enum MapItem {
    /// `.key`
    Property(Arc<str>),
    /// `.*`
    AllProperties,
    /// `key: expr` (and `var`, as `var: var`)
    Entry(String, PlanExpr),
}

impl PlanExpr {
    /// An expression of `kind` written at `span`.
    pub fn new(kind: PlanExprKind, span: Span) -> Self {
        PlanExpr { kind, span }
    }

    /// A constant with no position.
    pub fn constant(value: Value) -> Self {
        PlanExpr::new(PlanExprKind::Const(value), Span::default())
    }

    /// The slots the expression reads (subplans included).
    pub fn slots(&self, out: &mut Vec<Slot>) {
        self.visit(&mut |e| match &e.kind {
            PlanExprKind::Slot(s) => out.push(*s),
            _ => {
                if let Some((_, plan)) = e.subplan() {
                    plan.slots_read(out);
                }
            }
        });
    }

    /// Calls `f` on the expression and every subexpression (not entering subplans).
    pub fn visit<'a>(&'a self, f: &mut dyn FnMut(&'a PlanExpr)) {
        f(self);
        for child in self.children() {
            child.visit(f);
        }
    }

    /// The subquery the expression runs, named by what it makes of the rows (for EXPLAIN).
    pub fn subplan(&self) -> Option<(&'static str, &LogicalPlan)> {
        use PlanExprKind as K;
        match &self.kind {
            K::Exists(plan) => Some(("EXISTS", plan)),
            K::CountRows(plan) => Some(("COUNT", plan)),
            K::CollectColumn(plan) => Some(("COLLECT", plan)),
            K::Collect(plan, _) => Some(("pattern comprehension", plan)),
            _ => None,
        }
    }

    /// Direct subexpressions (including a pattern comprehension's projection, which is
    /// evaluated over the subplan's rows).
    fn children(&self) -> Vec<&PlanExpr> {
        use PlanExprKind as K;
        match &self.kind {
            K::Const(_)
            | K::Param(_)
            | K::Slot(_)
            | K::Exists(_)
            | K::CountRows(_)
            | K::CollectColumn(_) => vec![],
            K::List(items) | K::Function(_, items) => items.iter().collect(),
            K::Map(items) => items.iter().map(|(_, e)| e).collect(),
            K::Property(e, _) | K::Unary(_, e) | K::IsNull(e, _) | K::HasLabels(e, _) => {
                vec![e]
            }
            K::Index(a, b) | K::Binary(_, a, b) => vec![a, b],
            K::Slice(a, b, c) => std::iter::once(&**a)
                .chain(b.as_deref())
                .chain(c.as_deref())
                .collect(),
            K::Case {
                subject,
                whens,
                otherwise,
            } => subject
                .as_deref()
                .into_iter()
                .chain(whens.iter().flat_map(|(w, t)| [w, t]))
                .chain(otherwise.as_deref())
                .collect(),
            K::ListComprehension {
                list,
                predicate,
                projection,
                ..
            } => std::iter::once(&**list)
                .chain(predicate.as_deref())
                .chain(projection.as_deref())
                .collect(),
            K::Quantifier {
                list, predicate, ..
            } => std::iter::once(&**list)
                .chain(predicate.as_deref())
                .collect(),
            K::Reduce {
                init, list, expr, ..
            } => vec![init, list, expr],
            K::Collect(_, projection) => vec![projection],
            K::MapProjection(subject, items) => std::iter::once(&**subject)
                .chain(items.iter().filter_map(|item| match item {
                    MapItem::Entry(_, e) => Some(e),
                    _ => None,
                }))
                .collect(),
        }
    }
}

/// An aggregate call computed by `Aggregate`, e.g. `count(DISTINCT x)`.
#[derive(Debug, Clone)]
pub struct AggregateCall {
    /// Lower-case function name (`count`, `collect`, ...); `count(*)` has no args.
    pub name: String,
    pub distinct: bool,
    pub args: Vec<PlanExpr>,
    pub span: Span,
}
