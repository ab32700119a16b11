//! `CALL proc(args) [YIELD ...]`: the procedure must exist, the arguments must match its
//! inputs in number and (when known before running) type, and YIELD must name outputs and
//! bind fresh variables. Rules from the TCK's Call features.

use std::cell::RefCell;

use crate::ast::{Call, Expr, ExprKind, Literal, YieldItems};
use crate::error::{ErrorCode, ErrorKind, Result};
use crate::procedure::{
    Procedure, ProcedureField, ProcedureType, Procedures, argument_type_message,
    wrong_number_of_arguments,
};
use crate::value::{Params, Value};

use super::{Scope, VarKind, already_bound, error, expr};

/// What binding a CALL needs from the session, and the procedures it resolved.
pub(crate) struct Catalog<'a> {
    pub params: &'a Params,
    pub procedures: &'a Procedures,
    pub resolved: RefCell<Procedures>,
}

/// Checks `call` and declares what it yields in `scope`. A `standalone` call (the whole
/// query) may take its arguments from parameters and returns its outputs as columns, which
/// are returned; an in-query call binds only what YIELD names.
pub(super) fn bind_call(
    call: &Call,
    scope: &mut Scope,
    standalone: bool,
    catalog: &Catalog<'_>,
) -> Result<Vec<String>> {
    let procedure = catalog.procedures.get(&call.procedure).ok_or_else(|| {
        error(
            ErrorKind::ProcedureError,
            ErrorCode::ProcedureNotFound,
            format!("there is no procedure `{}`", call.procedure),
            call.span,
        )
    })?;
    let signature = &procedure.signature;
    match &call.args {
        Some(args) => {
            if args.len() != signature.inputs.len() {
                return Err(wrong_number_of_arguments(signature, args.len()).with_span(call.span));
            }
            for (arg, field) in args.iter().zip(&signature.inputs) {
                expr::bind_expr(arg, scope, false)?;
                if let Some(value) = known_value(arg, catalog.params) {
                    check_argument(procedure, field, &value, arg.span)?;
                }
            }
        }
        None if !standalone => {
            return Err(error(
                ErrorKind::SyntaxError,
                ErrorCode::InvalidArgumentPassingMode,
                format!(
                    "inside a query, pass the arguments explicitly: `CALL {}(...)`",
                    call.procedure
                ),
                call.span,
            ));
        }
        None => {
            // Standalone `CALL proc`: each input comes from the parameter of its name.
            for field in &signature.inputs {
                let value = catalog.params.get(&field.name).ok_or_else(|| {
                    error(
                        ErrorKind::ParameterMissing,
                        ErrorCode::MissingParameter,
                        format!(
                            "`CALL {}` takes its argument `{}` from the parameter `${}`, which has no value",
                            call.procedure, field.name, field.name
                        ),
                        call.span,
                    )
                })?;
                check_argument(procedure, field, value, call.span)?;
            }
        }
    }

    let mut columns = Vec::new();
    match &call.yields {
        None => {
            if standalone {
                columns = signature.outputs.iter().map(|f| f.name.clone()).collect();
            }
        }
        Some(YieldItems::Star) => {
            if !standalone {
                return Err(error(
                    ErrorKind::SyntaxError,
                    ErrorCode::UnexpectedSyntax,
                    "`YIELD *` is only allowed when CALL is the whole query; name the outputs",
                    call.span,
                ));
            }
            columns = signature.outputs.iter().map(|f| f.name.clone()).collect();
        }
        Some(YieldItems::Items {
            items,
            where_clause,
        }) => {
            for item in items {
                let field = signature
                    .outputs
                    .iter()
                    .find(|f| f.name == item.field.name)
                    .ok_or_else(|| {
                        error(
                            ErrorKind::SyntaxError,
                            ErrorCode::UndefinedVariable,
                            format!(
                                "procedure `{}` has no output `{}`: {signature}",
                                call.procedure, item.field.name
                            ),
                            item.field.span,
                        )
                    })?;
                let variable = item.variable();
                already_bound(scope, &variable.name, variable.span)?;
                scope.declare(&variable.name, var_kind(&field.ty), variable.span);
                columns.push(variable.name.clone());
            }
            if let Some(predicate) = where_clause {
                expr::bind_predicate(predicate, scope)?;
            }
        }
    }
    catalog.resolved.borrow_mut().insert(procedure.clone());
    Ok(columns)
}

/// The value of an argument known before running: a literal or a parameter.
fn known_value(arg: &Expr, params: &Params) -> Option<Value> {
    match &arg.kind {
        ExprKind::Literal(literal) => Some(match literal {
            Literal::Null => Value::Null,
            Literal::Bool(b) => Value::Bool(*b),
            Literal::Integer(i) => Value::Int(*i),
            Literal::Float(f) => Value::Float(*f),
            Literal::String(s) => Value::from(s.as_str()),
        }),
        ExprKind::Parameter(name) => params.get(name).cloned(),
        _ => None,
    }
}

/// openCypher: a statically wrong argument type is a compile-time error (TCK Call2 [5]).
fn check_argument(
    procedure: &Procedure,
    field: &ProcedureField,
    value: &Value,
    span: crate::error::Span,
) -> Result<()> {
    if field.ty.accepts(value) && (field.nullable || !value.is_null()) {
        return Ok(());
    }
    Err(error(
        ErrorKind::SyntaxError,
        ErrorCode::InvalidArgumentType,
        argument_type_message(&procedure.signature, field, value.type_name()),
        span,
    ))
}

/// The variable kind an output of type `ty` has.
fn var_kind(ty: &ProcedureType) -> VarKind {
    match ty {
        ProcedureType::Node => VarKind::Node,
        ProcedureType::Relationship => VarKind::Rel,
        ProcedureType::Path => VarKind::Path,
        // Outputs may be null, so other types are not known for sure before running.
        _ => VarKind::Any,
    }
}
