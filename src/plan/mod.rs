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

use crate::result::ResultSet;

pub use build::build;
pub use logical::*;
pub use optimize::optimize;
pub use plan_expr::*;
pub use stats::GraphStats;

/// The EXPLAIN result: the plan as a tree of operators.
pub fn explain_result(plan: &Plan) -> ResultSet {
    ResultSet {
        plan: Some(explain::render(plan, None)),
        ..Default::default()
    }
}
