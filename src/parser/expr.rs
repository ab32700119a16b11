//! Expressions: the operator precedence table (pest's PrattParser) and every compound
//! expression form. Chained comparisons are rewritten here; leaves are in `literal.rs`.

use std::sync::LazyLock;

use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::Rule;
use super::clause::{build_query, build_where_clause};
use super::errors::syntax_error;
use super::helpers::{
    DepthGuard, Pair, build_if_rule, children, exactly_one, next_if_rule, required, span_of,
    unexpected_shape,
};
use super::literal::{
    IntegerLiteral, build_float_literal, build_integer_literal, build_name, build_node_labels,
    build_parameter, build_schema_name, build_string_literal, build_variable, integer_overflow,
};
use super::pattern::{build_pattern, build_relationships_pattern};
use crate::ast::{
    BinaryOp, CaseExpr, Clause, Expr, ExprKind, FunctionCall, Literal, MapProjectionItem, Match,
    Quantifier, Query, SingleQuery, SubqueryKind, UnaryOp,
};
use crate::error::{ErrorCode, Result, Span};

/// openCypher 9 operator precedence, loosest first, one line per level (the grammar's
/// OrExpression down to NonArithmeticOperatorExpression). Unary minus binds tighter than
/// `^`, and `^` is left-associative, as in the openCypher grammar.
static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    use Assoc::Left;
    use Rule::*;
    PrattParser::new()
        .op(Op::infix(op_or, Left))
        .op(Op::infix(op_xor, Left))
        .op(Op::infix(op_and, Left))
        .op(Op::prefix(op_not))
        .op(Op::infix(op_eq, Left)
            | Op::infix(op_ne, Left)
            | Op::infix(op_lt, Left)
            | Op::infix(op_le, Left)
            | Op::infix(op_gt, Left)
            | Op::infix(op_ge, Left))
        .op(Op::infix(op_in, Left)
            | Op::infix(op_starts_with, Left)
            | Op::infix(op_ends_with, Left)
            | Op::infix(op_contains, Left)
            | Op::infix(op_regex, Left)
            | Op::postfix(op_is_null)
            | Op::postfix(op_is_not_null))
        .op(Op::infix(op_add, Left) | Op::infix(op_sub, Left))
        .op(Op::infix(op_mul, Left) | Op::infix(op_div, Left) | Op::infix(op_mod, Left))
        .op(Op::infix(op_pow, Left))
        .op(Op::prefix(op_negate) | Op::prefix(op_plus))
        .op(Op::postfix(property_lookup) | Op::postfix(subscript) | Op::postfix(node_labels))
});

/// Whether `rule` is one of the operators in `PRATT`.
fn is_operator(rule: Rule) -> bool {
    use Rule::*;
    matches!(
        rule,
        op_or
            | op_xor
            | op_and
            | op_not
            | op_eq
            | op_ne
            | op_lt
            | op_le
            | op_gt
            | op_ge
            | op_in
            | op_starts_with
            | op_ends_with
            | op_contains
            | op_regex
            | op_is_null
            | op_is_not_null
            | op_add
            | op_sub
            | op_mul
            | op_div
            | op_mod
            | op_pow
            | op_negate
            | op_plus
            | property_lookup
            | subscript
            | node_labels
    )
}

/// A partly built expression, with what the Pratt callbacks need to know about its form.
struct Operand {
    expr: Expr,
    shape: Shape,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Other,
    /// An unparenthesized comparison (or a rewritten chain), which another comparison extends.
    Comparison,
    /// A bare numeric literal, which unary minus folds into a negative literal.
    Number,
    /// `9223372036854775808`: only valid right after a unary minus (as i64::MIN).
    MinIntMagnitude,
}

impl Operand {
    fn plain(expr: Expr) -> Self {
        Operand {
            expr,
            shape: Shape::Other,
        }
    }

    /// The finished expression; a lone `9223372036854775808` is an overflow.
    fn into_expr(self) -> Result<Expr> {
        if self.shape == Shape::MinIntMagnitude {
            return Err(integer_overflow(self.expr.span));
        }
        Ok(self.expr)
    }
}

/// `expr`: operators and operands, folded by precedence. A pattern predicate such as
/// `(a)-->(b)` is refused here; only `build_predicate` (WHERE) accepts one.
pub(super) fn build_expr(pair: Pair<'_>) -> Result<Expr> {
    let expr = build_predicate(pair)?;
    reject_exposed_pattern(&expr)?;
    Ok(expr)
}

/// An expression in predicate position (a WHERE clause), where pattern predicates are
/// allowed, combined with NOT, AND, OR and XOR.
pub(super) fn build_predicate(pair: Pair<'_>) -> Result<Expr> {
    debug_assert_eq!(pair.as_rule(), Rule::expr);
    let span = span_of(&pair);
    let parts: Vec<Pair<'_>> = children(pair).collect();
    // Each operator can add one level to the tree; reserving them all up front bounds the
    // recursion of the Pratt parser and of every later stage.
    let operators = parts.iter().filter(|p| is_operator(p.as_rule())).count();
    let _depth = DepthGuard::enter(1 + operators, span)?;
    PRATT
        .map_primary(build_operand)
        .map_prefix(apply_prefix)
        .map_infix(apply_infix)
        .map_postfix(apply_postfix)
        .parse(parts.into_iter())?
        .into_expr()
}

/// The span of a pattern predicate that `expr` yields directly or through NOT/AND/OR/XOR.
fn exposed_pattern(expr: &Expr) -> Option<Span> {
    match &expr.kind {
        ExprKind::Pattern(_) => Some(expr.span),
        ExprKind::Unary(UnaryOp::Not, inner) => exposed_pattern(inner),
        ExprKind::Binary(BinaryOp::And | BinaryOp::Or | BinaryOp::Xor, left, right) => {
            exposed_pattern(left).or_else(|| exposed_pattern(right))
        }
        _ => None,
    }
}

/// openCypher 9 (and the TCK, Pattern1 [23], List6 [6]) allow a pattern only as a WHERE
/// predicate; elsewhere a pattern comprehension or EXISTS says what is meant.
fn reject_exposed_pattern(expr: &Expr) -> Result<()> {
    match exposed_pattern(expr) {
        None => Ok(()),
        Some(span) => Err(syntax_error(
            ErrorCode::UnexpectedSyntax,
            "a pattern can only be used as a predicate in WHERE; use a pattern comprehension \
             `[(a)-->(b) | b]`, `COUNT { (a)-->(b) }` or `EXISTS { (a)-->(b) }` here",
            span,
        )),
    }
}

/// An atom: anything that may stand between operators (also the base of `SET (n).key`).
pub(super) fn build_atom(pair: Pair<'_>) -> Result<Expr> {
    build_operand(pair)?.into_expr()
}

/// A parenthesized expression is its own operand, so `(a < b) < c` is no chain. It is
/// the recursive case, kept apart so each nesting level costs a small stack frame.
fn build_operand(pair: Pair<'_>) -> Result<Operand> {
    match pair.as_rule() {
        Rule::expr => Ok(Operand::plain(build_predicate(pair)?)),
        _ => build_atom_operand(pair),
    }
}

fn build_atom_operand(pair: Pair<'_>) -> Result<Operand> {
    let span = span_of(&pair);
    let expr = |kind| Ok(Operand::plain(Expr::new(kind, span)));
    match pair.as_rule() {
        Rule::integer_literal => Ok(match build_integer_literal(pair)? {
            IntegerLiteral::Value(value) => Operand {
                expr: Expr::new(ExprKind::Literal(Literal::Integer(value)), span),
                shape: Shape::Number,
            },
            IntegerLiteral::MinMagnitude => Operand {
                expr: Expr::new(ExprKind::Literal(Literal::Integer(i64::MIN)), span),
                shape: Shape::MinIntMagnitude,
            },
        }),
        Rule::float_literal => Ok(Operand {
            expr: Expr::new(
                ExprKind::Literal(Literal::Float(build_float_literal(pair)?)),
                span,
            ),
            shape: Shape::Number,
        }),
        Rule::string_literal => expr(ExprKind::Literal(Literal::String(build_string_literal(
            pair,
        )?))),
        Rule::boolean_literal => expr(ExprKind::Literal(Literal::Bool(
            pair.as_str().eq_ignore_ascii_case("true"),
        ))),
        Rule::null_literal => expr(ExprKind::Literal(Literal::Null)),
        Rule::parameter => expr(build_parameter(pair)?),
        Rule::case_expr => expr(ExprKind::Case(build_case_expr(pair)?)),
        Rule::count_star => expr(ExprKind::CountStar),
        Rule::list_comprehension => expr(build_list_comprehension(pair)?),
        Rule::pattern_comprehension => expr(build_pattern_comprehension(pair)?),
        Rule::list_literal => expr(ExprKind::List(
            children(pair).map(build_expr).collect::<Result<_>>()?,
        )),
        Rule::quantifier_expr => expr(build_quantifier_expr(pair)?),
        Rule::reduce_expr => expr(build_reduce_expr(pair)?),
        Rule::exists_subquery => expr(build_subquery(SubqueryKind::Exists, pair)?),
        Rule::count_subquery => expr(build_subquery(SubqueryKind::Count, pair)?),
        Rule::collect_subquery => expr(build_subquery(SubqueryKind::Collect, pair)?),
        Rule::map_literal => expr(build_map_literal(pair)?),
        Rule::relationships_pattern => expr(ExprKind::Pattern(Box::new(
            build_relationships_pattern(pair)?,
        ))),
        Rule::function_call => expr(ExprKind::FunctionCall(build_function_call(pair)?)),
        Rule::variable => expr(ExprKind::Variable(build_variable(pair)?.name)),
        Rule::map_projection => expr(build_map_projection(pair)?),
        other => Err(unexpected_shape(&format!("{other:?} as an operand"), span)),
    }
}

fn apply_prefix(op: Pair<'_>, operand: Result<Operand>) -> Result<Operand> {
    let operand = operand?;
    let span = span_of(&op).to(operand.expr.span);
    let unary = match op.as_rule() {
        Rule::op_not => UnaryOp::Not,
        Rule::op_negate => UnaryOp::Negate,
        Rule::op_plus => UnaryOp::Plus,
        other => return Err(unexpected_shape(&format!("prefix {other:?}"), span)),
    };
    // `-9223372036854775808` is the smallest integer, not the negation of an overflowing
    // literal (TCK Literals2 [8]); `-1.5` is a literal too, so Display round-trips.
    if unary == UnaryOp::Negate {
        let negated = match (&operand.shape, &operand.expr.kind) {
            (Shape::MinIntMagnitude, _) => Some(Literal::Integer(i64::MIN)),
            (Shape::Number, ExprKind::Literal(Literal::Integer(i))) => Some(Literal::Integer(-*i)),
            (Shape::Number, ExprKind::Literal(Literal::Float(f))) => Some(Literal::Float(-*f)),
            _ => None,
        };
        if let Some(literal) = negated {
            return Ok(Operand::plain(Expr::new(ExprKind::Literal(literal), span)));
        }
    }
    let inner = operand.into_expr()?;
    if unary != UnaryOp::Not {
        reject_exposed_pattern(&inner)?;
    }
    Ok(Operand::plain(Expr::new(
        ExprKind::Unary(unary, Box::new(inner)),
        span,
    )))
}

fn apply_infix(lhs: Result<Operand>, op: Pair<'_>, rhs: Result<Operand>) -> Result<Operand> {
    let (lhs, rhs) = (lhs?, rhs?.into_expr()?);
    let span = lhs.expr.span.to(rhs.span);
    let binary = binary_op(&op)?;
    if !matches!(binary, BinaryOp::And | BinaryOp::Or | BinaryOp::Xor) {
        reject_exposed_pattern(&lhs.expr)?;
        reject_exposed_pattern(&rhs)?;
    }
    let comparison = is_comparison(binary);
    if comparison && lhs.shape == Shape::Comparison {
        // openCypher: `a < b < c` means `a < b AND b < c` (TCK Comparison3).
        let middle = last_compared(&lhs.expr)
            .ok_or_else(|| unexpected_shape("comparison chain", span))?
            .clone();
        let next = Expr::new(
            ExprKind::Binary(binary, Box::new(middle.clone()), Box::new(rhs)),
            middle.span.to(span),
        );
        let chain = ExprKind::Binary(BinaryOp::And, Box::new(lhs.expr), Box::new(next));
        return Ok(Operand {
            expr: Expr::new(chain, span),
            shape: Shape::Comparison,
        });
    }
    let lhs = lhs.into_expr()?;
    Ok(Operand {
        expr: Expr::new(ExprKind::Binary(binary, Box::new(lhs), Box::new(rhs)), span),
        shape: if comparison {
            Shape::Comparison
        } else {
            Shape::Other
        },
    })
}

/// The right operand of the last comparison in a chain built by `apply_infix`.
fn last_compared(expr: &Expr) -> Option<&Expr> {
    match &expr.kind {
        ExprKind::Binary(BinaryOp::And, _, right) => last_compared(right),
        ExprKind::Binary(op, _, right) if is_comparison(*op) => Some(right),
        _ => None,
    }
}

fn is_comparison(op: BinaryOp) -> bool {
    use BinaryOp::*;
    matches!(op, Eq | Ne | Lt | Le | Gt | Ge)
}

fn binary_op(op: &Pair<'_>) -> Result<BinaryOp> {
    use BinaryOp::*;
    Ok(match op.as_rule() {
        Rule::op_or => Or,
        Rule::op_xor => Xor,
        Rule::op_and => And,
        Rule::op_eq => Eq,
        Rule::op_ne => Ne,
        Rule::op_lt => Lt,
        Rule::op_le => Le,
        Rule::op_gt => Gt,
        Rule::op_ge => Ge,
        Rule::op_regex => RegexMatch,
        Rule::op_in => In,
        Rule::op_starts_with => StartsWith,
        Rule::op_ends_with => EndsWith,
        Rule::op_contains => Contains,
        Rule::op_add => Add,
        Rule::op_sub => Sub,
        Rule::op_mul => Mul,
        Rule::op_div => Div,
        Rule::op_mod => Mod,
        Rule::op_pow => Pow,
        other => {
            return Err(unexpected_shape(&format!("infix {other:?}"), span_of(op)));
        }
    })
}

fn apply_postfix(operand: Result<Operand>, op: Pair<'_>) -> Result<Operand> {
    let inner = Box::new(operand?.into_expr()?);
    reject_exposed_pattern(&inner)?;
    let span = inner.span.to(span_of(&op));
    let kind = match op.as_rule() {
        Rule::op_is_null => ExprKind::IsNull {
            expr: inner,
            negated: false,
        },
        Rule::op_is_not_null => ExprKind::IsNull {
            expr: inner,
            negated: true,
        },
        Rule::property_lookup => ExprKind::Property(inner, build_schema_name(exactly_one(op)?)?),
        Rule::subscript => {
            let mut pairs = children(op);
            let bound = |p: Pair<'_>| build_expr(exactly_one(p)?).map(Box::new);
            let from = build_if_rule(&mut pairs, Rule::slice_from, bound)?;
            let dots = next_if_rule(&mut pairs, Rule::slice_dots).is_some();
            let to = build_if_rule(&mut pairs, Rule::slice_to, bound)?;
            match (from, dots) {
                (Some(index), false) => ExprKind::Index(inner, index),
                (from, _) => ExprKind::Slice(inner, from, to),
            }
        }
        Rule::node_labels => ExprKind::HasLabels(inner, build_node_labels(op)?),
        other => return Err(unexpected_shape(&format!("postfix {other:?}"), span)),
    };
    Ok(Operand::plain(Expr::new(kind, span)))
}

// --- Compound expressions -------------------------------------------------------------------

fn build_map_literal(pair: Pair<'_>) -> Result<ExprKind> {
    let entries = children(pair)
        .map(|entry| {
            let span = span_of(&entry);
            let mut pairs = children(entry);
            let key = build_schema_name(required(&mut pairs, span)?)?;
            let value = build_expr(required(&mut pairs, span)?)?;
            Ok((key, value))
        })
        .collect::<Result<_>>()?;
    Ok(ExprKind::Map(entries))
}

fn build_case_expr(pair: Pair<'_>) -> Result<CaseExpr> {
    let mut pairs = children(pair);
    let subject = build_if_rule(&mut pairs, Rule::expr, build_expr)?.map(Box::new);
    let mut whens = Vec::new();
    while let Some(alternative) = next_if_rule(&mut pairs, Rule::case_alternative) {
        let span = span_of(&alternative);
        let mut parts = children(alternative);
        let when = build_expr(required(&mut parts, span)?)?;
        let then = build_expr(required(&mut parts, span)?)?;
        whens.push((when, then));
    }
    let otherwise =
        build_if_rule(&mut pairs, Rule::case_else, |p| build_expr(exactly_one(p)?))?.map(Box::new);
    Ok(CaseExpr {
        subject,
        whens,
        otherwise,
    })
}

fn build_list_comprehension(pair: Pair<'_>) -> Result<ExprKind> {
    let span = span_of(&pair);
    let mut pairs = children(pair);
    let variable = build_variable(required(&mut pairs, span)?)?;
    let list = Box::new(build_expr(required(&mut pairs, span)?)?);
    let predicate =
        build_if_rule(&mut pairs, Rule::where_clause, build_where_clause)?.map(Box::new);
    let projection = build_if_rule(&mut pairs, Rule::expr, build_expr)?.map(Box::new);
    Ok(ExprKind::ListComprehension {
        variable,
        list,
        predicate,
        projection,
    })
}

fn build_pattern_comprehension(pair: Pair<'_>) -> Result<ExprKind> {
    let span = span_of(&pair);
    let mut pairs = children(pair);
    let variable = build_if_rule(&mut pairs, Rule::variable, build_variable)?;
    let pattern = Box::new(build_relationships_pattern(required(&mut pairs, span)?)?);
    let predicate =
        build_if_rule(&mut pairs, Rule::where_clause, build_where_clause)?.map(Box::new);
    let projection = Box::new(build_expr(required(&mut pairs, span)?)?);
    Ok(ExprKind::PatternComprehension {
        variable,
        pattern,
        predicate,
        projection,
    })
}

fn build_quantifier_expr(pair: Pair<'_>) -> Result<ExprKind> {
    let span = span_of(&pair);
    let mut pairs = children(pair);
    let keyword = required(&mut pairs, span)?;
    let quantifier = match keyword.as_str().to_ascii_lowercase().as_str() {
        "all" => Quantifier::All,
        "any" => Quantifier::Any,
        "none" => Quantifier::None,
        "single" => Quantifier::Single,
        _ => return Err(unexpected_shape("quantifier", span_of(&keyword))),
    };
    let variable = build_variable(required(&mut pairs, span)?)?;
    let list = Box::new(build_expr(required(&mut pairs, span)?)?);
    let predicate =
        build_if_rule(&mut pairs, Rule::where_clause, build_where_clause)?.map(Box::new);
    Ok(ExprKind::Quantifier {
        quantifier,
        variable,
        list,
        predicate,
    })
}

fn build_reduce_expr(pair: Pair<'_>) -> Result<ExprKind> {
    let span = span_of(&pair);
    let mut pairs = children(pair);
    let accumulator = build_variable(required(&mut pairs, span)?)?;
    let init = Box::new(build_expr(required(&mut pairs, span)?)?);
    let variable = build_variable(required(&mut pairs, span)?)?;
    let list = Box::new(build_expr(required(&mut pairs, span)?)?);
    let expr = Box::new(build_expr(required(&mut pairs, span)?)?);
    Ok(ExprKind::Reduce {
        accumulator,
        init,
        variable,
        list,
        expr,
    })
}

/// `EXISTS { ... }`, `COUNT { ... }`, `COLLECT { ... }`; the short form
/// `EXISTS { (a)-->(b) WHERE p }` becomes the query `MATCH (a)-->(b) WHERE p`.
fn build_subquery(kind: SubqueryKind, pair: Pair<'_>) -> Result<ExprKind> {
    let span = span_of(&pair);
    let mut pairs = children(pair);
    let first = required(&mut pairs, span)?;
    if first.as_rule() == Rule::query {
        return Ok(ExprKind::Subquery(kind, Box::new(build_query(first)?)));
    }
    let pattern = build_pattern(first)?;
    let where_clause = build_if_rule(&mut pairs, Rule::where_clause, build_where_clause)?;
    let first = SingleQuery {
        clauses: vec![Clause::Match(Match {
            optional: false,
            pattern,
            where_clause,
            span,
        })],
        span,
    };
    Ok(ExprKind::Subquery(
        kind,
        Box::new(Query {
            first,
            unions: Vec::new(),
        }),
    ))
}

/// `subject {.key, .*, key: expr, variable}`
fn build_map_projection(pair: Pair<'_>) -> Result<ExprKind> {
    debug_assert_eq!(pair.as_rule(), Rule::map_projection);
    let span = span_of(&pair);
    let mut pairs = children(pair);
    let subject = build_variable(required(&mut pairs, span)?)?;
    let items = pairs
        .map(|item| {
            let span = span_of(&item);
            Ok(match item.as_rule() {
                Rule::map_projection_all => MapProjectionItem::AllProperties,
                Rule::map_projection_property => {
                    MapProjectionItem::Property(build_schema_name(exactly_one(item)?)?)
                }
                Rule::map_projection_entry => {
                    let mut parts = children(item);
                    let key = build_schema_name(required(&mut parts, span)?)?;
                    MapProjectionItem::Entry(key, build_expr(required(&mut parts, span)?)?)
                }
                Rule::variable => MapProjectionItem::Variable(build_variable(item)?),
                other => {
                    return Err(unexpected_shape(
                        &format!("{other:?} in a map projection"),
                        span,
                    ));
                }
            })
        })
        .collect::<Result<_>>()?;
    Ok(ExprKind::MapProjection { subject, items })
}

fn build_function_call(pair: Pair<'_>) -> Result<FunctionCall> {
    let span = span_of(&pair);
    let mut pairs = children(pair);
    let name_pair = required(&mut pairs, span)?;
    let name = children(name_pair)
        .map(|part| match part.as_rule() {
            Rule::exists_name => Ok(part.as_str().to_string()),
            _ => build_name(part).map(|ident| ident.name),
        })
        .collect::<Result<Vec<_>>>()?
        .join(".");
    let distinct = next_if_rule(&mut pairs, Rule::distinct).is_some();
    let args: Vec<Expr> = pairs.map(build_predicate).collect::<Result<_>>()?;
    // openCypher 9: `exists((a)-->(b))` is the pattern predicate, wherever it stands; any
    // other argument must not expose a pattern.
    let exists_pattern = name.eq_ignore_ascii_case("exists")
        && matches!(args.as_slice(), [arg] if matches!(arg.kind, ExprKind::Pattern(_)));
    if !exists_pattern {
        args.iter().try_for_each(reject_exposed_pattern)?;
    }
    Ok(FunctionCall {
        name,
        distinct,
        args,
    })
}

#[cfg(test)]
mod tests;
