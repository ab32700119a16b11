//! Expression evaluation over a row: null propagation, three-valued logic, property
//! access through the graph (no property maps are copied into rows), list/map access,
//! comprehensions and pattern subqueries. Value rules come from `value::ops`.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::ast::{BinaryOp, Quantifier, UnaryOp};
use crate::error::{ErrorCode, ErrorKind, QueryError, Result};
use crate::plan::{MapItem, PlanExpr, PlanExprKind as K};
use crate::value::{Value, ops};

use super::{Cx, Row, subplan};

fn deleted_entity(what: &str) -> QueryError {
    QueryError::runtime(
        ErrorKind::EntityNotFound,
        ErrorCode::DeletedEntityAccess,
        format!("the {what} was deleted by this statement"),
    )
}

/// Evaluates `expr` against `row`.
pub(crate) fn eval(expr: &PlanExpr, row: &Row, cx: &Cx<'_>) -> Result<Value> {
    eval_kind(expr, row, cx).map_err(|e| e.or_span(expr.span))
}

fn eval_kind(expr: &PlanExpr, row: &Row, cx: &Cx<'_>) -> Result<Value> {
    Ok(match &expr.kind {
        K::Const(v) => v.clone(),
        K::Slot(s) => row[*s].clone(),
        K::Param(name) => match cx.params.get(name) {
            Some(v) => v.clone(),
            None => {
                return Err(QueryError::runtime(
                    ErrorKind::ParameterMissing,
                    ErrorCode::MissingParameter,
                    format!("parameter `${name}` has no value"),
                ));
            }
        },
        K::List(items) => Value::List(
            items
                .iter()
                .map(|e| eval(e, row, cx))
                .collect::<Result<_>>()?,
        ),
        K::Map(entries) => Value::Map(
            entries
                .iter()
                .map(|(k, e)| Ok((k.clone(), eval(e, row, cx)?)))
                .collect::<Result<_>>()?,
        ),
        K::Property(target, key) => {
            // Read straight from the graph without cloning the target when it is a slot.
            match &target.kind {
                K::Slot(s) => property(&row[*s], key, cx)?,
                _ => property(&eval(target, row, cx)?, key, cx)?,
            }
        }
        K::Index(target, index) => {
            let target = eval(target, row, cx)?;
            let index = eval(index, row, cx)?;
            element(&target, &index, cx)?
        }
        K::Slice(target, from, to) => {
            let target = eval(target, row, cx)?;
            let from = from.as_ref().map(|e| eval(e, row, cx)).transpose()?;
            let to = to.as_ref().map(|e| eval(e, row, cx)).transpose()?;
            slice(target, from, to)?
        }
        K::Unary(op, inner) => {
            let v = eval(inner, row, cx)?;
            match op {
                UnaryOp::Not => ops::from_truth(ops::not(ops::truth(&v)?)),
                UnaryOp::Negate => ops::negate(&v)?,
                UnaryOp::Plus => match v {
                    Value::Int(_) | Value::Float(_) | Value::Null => v,
                    other => return Err(QueryError::type_mismatch("a number", other.type_name())),
                },
            }
        }
        K::Binary(op, a, b) => binary(*op, a, b, row, cx)?,
        K::IsNull(inner, negated) => Value::Bool(eval(inner, row, cx)?.is_null() != *negated),
        K::HasLabels(target, labels) => match eval(target, row, cx)? {
            Value::Null => Value::Null,
            Value::Node(n) => Value::Bool(labels.iter().all(|l| cx.graph.has_label(n, l))),
            other => return Err(QueryError::type_mismatch("a node", other.type_name())),
        },
        K::Function(spec, args) => {
            let args = args
                .iter()
                .map(|e| eval(e, row, cx))
                .collect::<Result<Vec<_>>>()?;
            match (spec.name, args.as_slice()) {
                ("type", [Value::Rel(r)]) if !cx.graph.contains_rel(*r) => {
                    match cx.graph.deleted_rel_type(*r) {
                        Some(rel_type) => Value::String(rel_type.clone()),
                        None => spec.call(&args, cx.graph)?,
                    }
                }
                _ => spec.call(&args, cx.graph)?,
            }
        }
        K::Case {
            subject,
            whens,
            otherwise,
        } => {
            let subject = subject.as_ref().map(|s| eval(s, row, cx)).transpose()?;
            for (when, then) in whens {
                let w = eval(when, row, cx)?;
                let hit = match &subject {
                    Some(s) => ops::equals(s, &w) == Some(true),
                    None => ops::truth(&w).map_err(|e| e.or_span(when.span))? == Some(true),
                };
                if hit {
                    return eval(then, row, cx);
                }
            }
            match otherwise {
                Some(e) => eval(e, row, cx)?,
                None => Value::Null,
            }
        }
        K::ListComprehension {
            slot,
            list,
            predicate,
            projection,
        } => {
            let Some(items) = list_operand(eval(list, row, cx)?)? else {
                return Ok(Value::Null);
            };
            let mut scratch = row.clone();
            let mut out = Vec::new();
            for item in items {
                cx.tick()?;
                scratch[*slot] = item;
                if let Some(p) = predicate
                    && ops::truth(&eval(p, &scratch, cx)?)? != Some(true)
                {
                    continue;
                }
                out.push(match projection {
                    Some(e) => eval(e, &scratch, cx)?,
                    None => std::mem::take(&mut scratch[*slot]),
                });
            }
            Value::List(out)
        }
        K::Quantifier {
            quantifier,
            slot,
            list,
            predicate,
        } => {
            let Some(items) = list_operand(eval(list, row, cx)?)? else {
                return Ok(Value::Null);
            };
            let mut scratch = row.clone();
            let (mut trues, mut falses, mut nulls) = (0usize, 0usize, 0usize);
            for item in items {
                cx.tick()?;
                scratch[*slot] = item;
                let t = match predicate {
                    Some(p) => ops::truth(&eval(p, &scratch, cx)?)?,
                    None => Some(true),
                };
                match t {
                    Some(true) => trues += 1,
                    Some(false) => falses += 1,
                    None => nulls += 1,
                }
            }
            let result = match quantifier {
                Quantifier::All if falses > 0 => Some(false),
                Quantifier::All => (nulls == 0).then_some(true),
                Quantifier::Any if trues > 0 => Some(true),
                Quantifier::Any => (nulls == 0).then_some(false),
                Quantifier::None if trues > 0 => Some(false),
                Quantifier::None => (nulls == 0).then_some(true),
                Quantifier::Single if trues > 1 => Some(false),
                Quantifier::Single if nulls > 0 => None,
                Quantifier::Single => Some(trues == 1),
            };
            ops::from_truth(result)
        }
        K::Reduce {
            accumulator,
            init,
            slot,
            list,
            expr,
        } => {
            let init = eval(init, row, cx)?;
            let Some(items) = list_operand(eval(list, row, cx)?)? else {
                return Ok(Value::Null);
            };
            let mut scratch = row.clone();
            scratch[*accumulator] = init;
            for item in items {
                cx.tick()?;
                scratch[*slot] = item;
                let next = eval(expr, &scratch, cx)?;
                scratch[*accumulator] = next;
            }
            std::mem::take(&mut scratch[*accumulator])
        }
        K::Exists(plan) => {
            let mut op = subplan(plan, row, cx)?;
            Value::Bool(op.next(cx)?.is_some())
        }
        K::CountRows(plan) => {
            let mut op = subplan(plan, row, cx)?;
            let mut count = 0i64;
            while op.next(cx)?.is_some() {
                cx.tick()?;
                count += 1;
            }
            Value::Int(count)
        }
        K::CollectColumn(plan) => {
            let mut op = subplan(plan, row, cx)?;
            let mut out = Vec::new();
            while let Some(r) = op.next(cx)? {
                cx.tick()?;
                out.push(r.into_iter().next().unwrap_or(Value::Null));
            }
            Value::List(out)
        }
        K::MapProjection(subject, items) => {
            map_projection(&eval(subject, row, cx)?, items, row, cx)?
        }
        K::Collect(plan, projection) => {
            let mut op = subplan(plan, row, cx)?;
            let mut out = Vec::new();
            while let Some(r) = op.next(cx)? {
                cx.tick()?;
                out.push(eval(projection, &r, cx)?);
            }
            Value::List(out)
        }
    })
}

/// `subject {.key, .*, key: expr}`: null for a null subject; later keys replace earlier ones.
fn map_projection(subject: &Value, items: &[MapItem], row: &Row, cx: &Cx<'_>) -> Result<Value> {
    if !matches!(subject, Value::Node(_) | Value::Rel(_) | Value::Map(_)) {
        return match subject {
            Value::Null => Ok(Value::Null),
            other => Err(QueryError::type_mismatch(
                "a node, relationship or map",
                other.type_name(),
            )),
        };
    }
    let mut map = BTreeMap::new();
    for item in items {
        match item {
            MapItem::Property(key) => {
                map.insert(key.to_string(), property(subject, key, cx)?);
            }
            MapItem::AllProperties => map.extend(properties_of(subject, cx)?.unwrap_or_default()),
            MapItem::Entry(key, value) => {
                map.insert(key.clone(), eval(value, row, cx)?);
            }
        }
    }
    Ok(Value::Map(map))
}

/// A list operand of a comprehension: `None` for null, an error for a non-list.
fn list_operand(value: Value) -> Result<Option<Vec<Value>>> {
    match value {
        Value::Null => Ok(None),
        Value::List(items) => Ok(Some(items)),
        other => Err(QueryError::type_mismatch("a list", other.type_name())),
    }
}

/// `target.key` on a node, relationship, map or null.
pub(crate) fn property(target: &Value, key: &str, cx: &Cx<'_>) -> Result<Value> {
    Ok(match target {
        Value::Null => Value::Null,
        Value::Node(n) => match cx.graph.node(*n) {
            Some(data) => data.properties.get(key).cloned().unwrap_or(Value::Null),
            None => return Err(deleted_entity("node")),
        },
        Value::Rel(r) => match cx.graph.rel(*r) {
            Some(data) => data.property(key).unwrap_or(Value::Null),
            None => return Err(deleted_entity("relationship")),
        },
        Value::Map(m) => m.get(key).cloned().unwrap_or(Value::Null),
        Value::Temporal(t) => crate::catalog::temporal_property(t, key)?,
        other => {
            return Err(QueryError::type_mismatch(
                "a node, relationship or map",
                other.type_name(),
            ));
        }
    })
}

/// `target[index]`.
fn element(target: &Value, index: &Value, cx: &Cx<'_>) -> Result<Value> {
    Ok(match (target, index) {
        (Value::Null, _) | (_, Value::Null) => Value::Null,
        (Value::List(items), Value::Int(i)) => {
            let len = items.len() as i64;
            let i = if *i < 0 { len + i } else { *i };
            if (0..len).contains(&i) {
                items[i as usize].clone()
            } else {
                Value::Null
            }
        }
        (Value::List(_), other) => {
            return Err(QueryError::type_mismatch(
                "an integer index",
                other.type_name(),
            ));
        }
        (Value::Map(_) | Value::Node(_) | Value::Rel(_), Value::String(key)) => {
            property(target, key, cx)?
        }
        (Value::Map(_) | Value::Node(_) | Value::Rel(_), other) => {
            return Err(QueryError::runtime(
                ErrorKind::TypeError,
                ErrorCode::MapElementAccessByNonString,
                format!("a map key must be a string, found {}", other.type_name()),
            ));
        }
        (other, _) => {
            return Err(QueryError::type_mismatch(
                "a list or map",
                other.type_name(),
            ));
        }
    })
}

/// `target[from..to]` with negative bounds counting from the end.
fn slice(target: Value, from: Option<Value>, to: Option<Value>) -> Result<Value> {
    let Value::List(items) = target else {
        return match target {
            Value::Null => Ok(Value::Null),
            other => Err(QueryError::type_mismatch("a list", other.type_name())),
        };
    };
    let len = items.len() as i64;
    let bound = |v: Option<Value>, default: i64| -> Result<Option<i64>> {
        match v {
            None => Ok(Some(default)),
            Some(Value::Null) => Ok(None),
            Some(Value::Int(i)) => Ok(Some(if i < 0 { (len + i).max(0) } else { i.min(len) })),
            Some(other) => Err(QueryError::type_mismatch("an integer", other.type_name())),
        }
    };
    let (Some(from), Some(to)) = (bound(from, 0)?, bound(to, len)?) else {
        return Ok(Value::Null);
    };
    if from >= to {
        return Ok(Value::List(Vec::new()));
    }
    Ok(Value::List(
        items
            .into_iter()
            .skip(from as usize)
            .take((to - from) as usize)
            .collect(),
    ))
}

/// Null, shared by borrowed reads of missing properties.
static NULL: Value = Value::Null;

/// Evaluates without copying when the value already exists in the row, the plan, the
/// parameters or the graph (the operands of comparisons and arithmetic, mostly).
pub(crate) fn eval_ref<'a>(
    expr: &'a PlanExpr,
    row: &'a Row,
    cx: &'a Cx<'_>,
) -> Result<Cow<'a, Value>> {
    let borrowed = match &expr.kind {
        K::Const(v) => Some(v),
        K::Slot(s) => Some(&row[*s]),
        K::Param(name) => cx.params.get(name),
        K::Property(target, key) => match &target.kind {
            K::Slot(s) => match &row[*s] {
                Value::Node(n) => cx
                    .graph
                    .node(*n)
                    .map(|d| d.properties.get(key).unwrap_or(&NULL)),
                Value::Map(m) => Some(m.get(&**key).unwrap_or(&NULL)),
                // Read out of its column: owned, but without the general path's dispatch.
                Value::Rel(r) if cx.graph.contains_rel(*r) => {
                    return Ok(Cow::Owned(
                        cx.graph.rel_property(*r, key).unwrap_or(Value::Null),
                    ));
                }
                _ => None,
            },
            _ => None,
        },
        _ => None,
    };
    match borrowed {
        Some(v) => Ok(Cow::Borrowed(v)),
        None => eval(expr, row, cx).map(Cow::Owned),
    }
}

fn binary(op: BinaryOp, a: &PlanExpr, b: &PlanExpr, row: &Row, cx: &Cx<'_>) -> Result<Value> {
    let x = eval_ref(a, row, cx)?;
    let y = eval_ref(b, row, cx)?;
    let truth = |v: &Value, e: &PlanExpr| ops::truth(v).map_err(|err| err.or_span(e.span));
    Ok(match op {
        BinaryOp::And => ops::from_truth(ops::and(truth(&x, a)?, truth(&y, b)?)),
        BinaryOp::Or => ops::from_truth(ops::or(truth(&x, a)?, truth(&y, b)?)),
        BinaryOp::Xor => ops::from_truth(ops::xor(truth(&x, a)?, truth(&y, b)?)),
        BinaryOp::Eq => ops::from_truth(ops::equals(&x, &y)),
        BinaryOp::Ne => ops::from_truth(ops::not(ops::equals(&x, &y))),
        BinaryOp::Lt => ops::from_truth(ops::less_than(&x, &y)),
        BinaryOp::Le => ops::from_truth(ops::less_equal(&x, &y)),
        BinaryOp::Gt => ops::from_truth(ops::greater_than(&x, &y)),
        BinaryOp::Ge => ops::from_truth(ops::greater_equal(&x, &y)),
        BinaryOp::RegexMatch => regex_match(&x, &y, cx)?,
        BinaryOp::In => ops::from_truth(ops::in_list(&x, &y)?),
        BinaryOp::StartsWith => ops::from_truth(ops::starts_with(&x, &y)),
        BinaryOp::EndsWith => ops::from_truth(ops::ends_with(&x, &y)),
        BinaryOp::Contains => ops::from_truth(ops::contains(&x, &y)),
        BinaryOp::Add => ops::add(&x, &y)?,
        BinaryOp::Sub => ops::sub(&x, &y)?,
        BinaryOp::Mul => ops::mul(&x, &y)?,
        BinaryOp::Div => ops::div(&x, &y)?,
        BinaryOp::Mod => ops::rem(&x, &y)?,
        BinaryOp::Pow => ops::pow(&x, &y)?,
    })
}

/// `text =~ pattern`: the whole string must match. Patterns are compiled once per statement.
fn regex_match(text: &Value, pattern: &Value, cx: &Cx<'_>) -> Result<Value> {
    let (Value::String(text), Value::String(pattern)) = (text, pattern) else {
        return Ok(Value::Null);
    };
    let mut cache = cx.regexes.borrow_mut();
    if !cache.contains_key(&**pattern) {
        let compiled = ops::compile_regex(pattern)?;
        cache.insert(pattern.to_string(), compiled);
    }
    Ok(Value::Bool(
        cache.get(&**pattern).is_some_and(|re| re.is_match(text)),
    ))
}

/// Property map of an entity or map value, for SET `=` / `+=`.
pub(crate) fn properties_of(value: &Value, cx: &Cx<'_>) -> Result<Option<BTreeMap<String, Value>>> {
    Ok(match value {
        Value::Null => None,
        Value::Map(m) => Some(m.clone()),
        Value::Node(n) => Some(
            cx.graph
                .node(*n)
                .ok_or_else(|| deleted_entity("node"))?
                .properties
                .to_map(),
        ),
        Value::Rel(r) => Some(
            cx.graph
                .rel(*r)
                .ok_or_else(|| deleted_entity("relationship"))?
                .properties()
                .to_map(),
        ),
        other => return Err(QueryError::type_mismatch("a map", other.type_name())),
    })
}
