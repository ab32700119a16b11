//! Runs a logical plan over the graph and collects the rows.

use std::sync::atomic::AtomicBool;

use crate::error::{QueryError, Result};
use crate::graph::Graph;
use crate::plan::LogicalPlan;
use crate::result::ResultSet;
use crate::value::Params;

/// What execution needs besides the plan and the graph.
pub struct Context<'a> {
    pub params: &'a Params,
    /// Set from outside to cancel; checked regularly.
    pub cancel: &'a AtomicBool,
    /// PROFILE: record rows and time per operator.
    pub profile: bool,
}

pub fn execute(_plan: &LogicalPlan, _graph: &mut Graph, _ctx: &Context<'_>) -> Result<ResultSet> {
    Err(QueryError::not_supported("execution", None))
}

pub mod aggregate;
pub mod functions;
