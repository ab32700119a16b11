//! Logical plans: a tree of operators built from a bound query, then optimized.
//! Variables are resolved to row slots here, so execution never looks names up.
//! `plan_expr` defines compiled expressions, `logical` the operators, `stats` the counts
//! plans are ordered by; `build` makes plans, `optimize` rewrites them, `explain` prints
//! them. It does not run anything (see `exec`).

mod build;
mod call;
pub mod explain;
mod expr;
mod logical;
mod optimize;
mod pattern;
mod plan_expr;
mod seek;
mod stats;
mod subquery;
#[cfg(test)]
mod tests;

use crate::ast::Span;
use crate::error::{ErrorCode, ErrorKind, Phase, QueryError};
use crate::result::ResultSet;

pub use build::build;
pub use logical::*;
pub use optimize::optimize;
pub use plan_expr::*;
pub use stats::GraphStats;

/// Why a bound statement cannot be planned: something kg does not implement. Every error
/// in the query itself was raised by `semantic::bind`, so this is the planner's only error.
#[derive(Debug, Clone, PartialEq)]
pub struct NotSupported {
    pub message: String,
    pub span: Option<Span>,
}

impl NotSupported {
    /// `feature` is not implemented.
    pub fn feature(feature: &str, span: Option<Span>) -> Self {
        NotSupported {
            message: format!("{feature} is not supported yet"),
            span,
        }
    }

    /// A name `semantic::bind` should have resolved but did not: planning it is a bug in
    /// kg, not in the query, and the statement cannot be planned.
    pub(crate) fn unresolved(what: &str, name: &str, span: Span) -> Self {
        NotSupported {
            message: format!("internal error: {what} `{name}` was not resolved by the binder"),
            span: Some(span),
        }
    }
}

impl From<NotSupported> for QueryError {
    fn from(e: NotSupported) -> Self {
        let mut error = QueryError::new(
            ErrorKind::NotSupported,
            Some(ErrorCode::NotSupported),
            Phase::Compile,
            e.message,
        );
        error.span = e.span;
        error
    }
}

/// What planning returns.
pub type Result<T> = std::result::Result<T, NotSupported>;

/// The EXPLAIN result: the plan as a tree of operators.
pub fn explain_result(plan: &Plan) -> ResultSet {
    ResultSet {
        plan: Some(explain::render(plan, None)),
        ..Default::default()
    }
}
