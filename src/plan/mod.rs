//! Logical plans: a tree of operators built from a bound query, then optimized.

use crate::error::{QueryError, Result};
use crate::result::ResultSet;
use crate::semantic::BoundQuery;

/// A tree of operators.
#[derive(Debug, Clone)]
pub enum LogicalPlan {
    Empty,
}

impl LogicalPlan {
    /// Whether running the plan may change the graph.
    pub fn writes(&self) -> bool {
        false
    }
}

pub fn build(bound: &BoundQuery) -> Result<LogicalPlan> {
    Err(QueryError::not_supported(
        "planning",
        Some(bound.statement.span),
    ))
}

pub fn optimize(plan: LogicalPlan) -> LogicalPlan {
    plan
}

/// The EXPLAIN result: the plan as a tree of operators.
pub fn explain_result(plan: &LogicalPlan) -> ResultSet {
    ResultSet {
        plan: Some(format!("{plan:?}")),
        ..Default::default()
    }
}
