//! Walking pest pairs safely: the only code that calls `.next()` on raw pairs. Builders
//! take mandatory children with `required`, optional ones with `next_if_rule` /
//! `build_if_rule`, so a grammar/builder mismatch is an error, never a panic.
//! Also the nesting-depth guard that keeps deep input from overflowing the stack.

use std::cell::Cell;
use std::iter::{Filter, Peekable};

use super::Rule;
use crate::error::{QueryError, Result, Span};

/// A pest pair of our grammar.
pub(super) type Pair<'i> = pest::iterators::Pair<'i, Rule>;

/// The meaningful children of a pair: keyword pairs (`MATCH`, `WHERE`, ...) filtered out.
pub(super) type Pairs<'i> =
    Peekable<Filter<pest::iterators::Pairs<'i, Rule>, fn(&Pair<'i>) -> bool>>;

/// The children of `pair` that builders look at (everything but keywords).
pub(super) fn children<'i>(pair: Pair<'i>) -> Pairs<'i> {
    let keep: fn(&Pair<'i>) -> bool = |p| !is_keyword(p.as_rule());
    pair.into_inner().filter(keep).peekable()
}

/// Keyword rules carry no information beyond their position, so builders never see them.
fn is_keyword(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::AS
            | Rule::BY
            | Rule::CALL
            | Rule::CASE
            | Rule::COLLECT
            | Rule::COUNT
            | Rule::CREATE
            | Rule::DELETE
            | Rule::ELSE
            | Rule::END
            | Rule::ENDS
            | Rule::EXISTS
            | Rule::FOREACH
            | Rule::FIELDTERMINATOR
            | Rule::FROM
            | Rule::HEADERS
            | Rule::LOAD
            | Rule::CSV
            | Rule::IN
            | Rule::IS
            | Rule::LIMIT
            | Rule::MATCH
            | Rule::MERGE
            | Rule::NOT
            | Rule::NULL
            | Rule::ON
            | Rule::ORDER
            | Rule::REDUCE
            | Rule::REMOVE
            | Rule::RETURN
            | Rule::SET
            | Rule::SHORTEST_PATH
            | Rule::ALL_SHORTEST_PATHS
            | Rule::SKIP
            | Rule::STARTS
            | Rule::THEN
            | Rule::UNION
            | Rule::UNWIND
            | Rule::WHEN
            | Rule::WHERE
            | Rule::WITH
            | Rule::YIELD
            | Rule::CONSTRAINT
            | Rule::CONSTRAINTS
            | Rule::DROP_KW
            | Rule::FOR
            | Rule::IF
            | Rule::INDEX
            | Rule::INDEXES
            | Rule::RANGE
            | Rule::REQUIRE
            | Rule::SHOW
            | Rule::ALL
    )
}

/// The byte range `pair` covers.
pub(super) fn span_of(pair: &Pair<'_>) -> Span {
    let span = pair.as_span();
    Span::new(span.start(), span.end())
}

/// The text of `pair` as written, without the whitespace and comments that pest's implicit
/// skipping leaves at its end: in `WITH p SKIP 1` the item `p` is `"p"`, not `"p "`.
pub(super) fn written_text<'i>(pair: &Pair<'i>) -> &'i str {
    let text = pair.as_str();
    let start = pair.as_span().start();
    // No token (string literals included) ends past the real end, and after the last token
    // only punctuation, whitespace and comments remain, so a forward scan from there is safe.
    let last_token = pair
        .clone()
        .into_inner()
        .flatten()
        .filter(|p| p.clone().into_inner().next().is_none())
        .map(|p| p.as_span().end() - start)
        .max()
        .unwrap_or(0);
    let mut end = last_token;
    let mut rest = &text[last_token..];
    while let Some(c) = rest.chars().next() {
        let skip = if rest.starts_with("//") {
            rest.find(['\n', '\r']).unwrap_or(rest.len())
        } else if rest.starts_with("/*") {
            rest.find("*/").map_or(rest.len(), |i| i + 2)
        } else if c.is_whitespace() || ('\u{1C}'..='\u{1F}').contains(&c) {
            c.len_utf8()
        } else {
            end = text.len() - rest.len() + c.len_utf8();
            c.len_utf8()
        };
        rest = &rest[skip..];
    }
    text[..end].trim_end()
}

/// An error for a parse tree the builders did not expect: a bug in kg, reported instead
/// of panicking.
pub(super) fn unexpected_shape(what: &str, span: Span) -> QueryError {
    QueryError::syntax(
        format!("internal parser error: unexpected {what} (please report this query)"),
        span,
    )
}

/// The next child, which the grammar guarantees is there.
pub(super) fn required<'i>(pairs: &mut Pairs<'i>, parent: Span) -> Result<Pair<'i>> {
    pairs
        .next()
        .ok_or_else(|| unexpected_shape("end of a grammar rule", parent))
}

/// The next child if it is `rule`.
pub(super) fn next_if_rule<'i>(pairs: &mut Pairs<'i>, rule: Rule) -> Option<Pair<'i>> {
    pairs.next_if(|p| p.as_rule() == rule)
}

/// Builds the next child with `build` if it is `rule`.
pub(super) fn build_if_rule<'i, T>(
    pairs: &mut Pairs<'i>,
    rule: Rule,
    build: impl FnOnce(Pair<'i>) -> Result<T>,
) -> Result<Option<T>> {
    next_if_rule(pairs, rule).map(build).transpose()
}

/// The single meaningful child of `pair`.
pub(super) fn exactly_one(pair: Pair<'_>) -> Result<Pair<'_>> {
    let span = span_of(&pair);
    let mut pairs = children(pair);
    let only = required(&mut pairs, span)?;
    match pairs.next() {
        None => Ok(only),
        Some(extra) => Err(unexpected_shape(
            &format!("{:?} after {:?}", extra.as_rule(), only.as_rule()),
            span,
        )),
    }
}

/// How deep expressions may nest. Every later stage (binding, planning, evaluation, even
/// dropping the tree) recurses over expressions, so the parser refuses deeper input.
pub(super) const MAX_EXPR_DEPTH: usize = 256;

thread_local! {
    static EXPR_DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// Holds `cost` levels of expression depth until dropped.
pub(super) struct DepthGuard {
    cost: usize,
}

impl DepthGuard {
    /// Reserves `cost` more levels (an upper bound on the depth the expression being built
    /// adds), failing if the total would pass `MAX_EXPR_DEPTH`.
    pub(super) fn enter(cost: usize, span: Span) -> Result<DepthGuard> {
        let depth = EXPR_DEPTH.with(|d| d.get()) + cost;
        if depth > MAX_EXPR_DEPTH {
            return Err(QueryError::syntax(
                format!("expression nested too deeply (more than {MAX_EXPR_DEPTH} levels)"),
                span,
            ));
        }
        EXPR_DEPTH.with(|d| d.set(depth));
        Ok(DepthGuard { cost })
    }
}

impl Drop for DepthGuard {
    fn drop(&mut self) {
        EXPR_DEPTH.with(|d| d.set(d.get().saturating_sub(self.cost)));
    }
}
