//! Graph patterns: `p = (a:Person {name: 'x'})-[r:KNOWS*1..3]->(b), (c)`.

use super::Rule;
use super::errors::syntax_error;
use super::expr::build_atom;
use super::helpers::{Pair, build_if_rule, children, exactly_one, next_if_rule, required, span_of};
use super::literal::{build_node_labels, build_schema_name, build_variable};
use crate::ast::{
    Ident, LengthRange, NodePattern, PathKind, Pattern, PatternElement, PatternPart, RelDirection,
    RelationshipPattern,
};
use crate::error::{ErrorCode, Result};

/// `part, part, ...`
pub(super) fn build_pattern(pair: Pair<'_>) -> Result<Pattern> {
    debug_assert_eq!(pair.as_rule(), Rule::pattern);
    children(pair).map(build_pattern_part).collect()
}

/// `[p =] element`, `[p =] shortestPath(element)` or `[p =] allShortestPaths(element)`.
pub(super) fn build_pattern_part(pair: Pair<'_>) -> Result<PatternPart> {
    debug_assert_eq!(pair.as_rule(), Rule::pattern_part);
    let span = span_of(&pair);
    let mut pairs = children(pair);
    let variable = build_if_rule(&mut pairs, Rule::variable, build_variable)?;
    let body = required(&mut pairs, span)?;
    let (kind, element) = match body.as_rule() {
        Rule::shortest_path => (PathKind::Shortest, exactly_one(body)?),
        Rule::all_shortest_paths => (PathKind::AllShortest, exactly_one(body)?),
        _ => (PathKind::All, body),
    };
    Ok(PatternPart {
        variable,
        kind,
        element: build_pattern_element(element)?,
        span,
    })
}

/// `(a)-[r]->(b)...`, possibly wrapped in parentheses.
pub(super) fn build_pattern_element(pair: Pair<'_>) -> Result<PatternElement> {
    debug_assert_eq!(pair.as_rule(), Rule::pattern_element);
    let span = span_of(&pair);
    let mut pairs = children(pair);
    let first = required(&mut pairs, span)?;
    if first.as_rule() == Rule::pattern_element {
        return build_pattern_element(first);
    }
    build_chain(first, pairs, span)
}

/// A pattern used as an expression: at least one relationship.
pub(super) fn build_relationships_pattern(pair: Pair<'_>) -> Result<PatternElement> {
    debug_assert_eq!(pair.as_rule(), Rule::relationships_pattern);
    let span = span_of(&pair);
    let mut pairs = children(pair);
    let first = required(&mut pairs, span)?;
    build_chain(first, pairs, span)
}

fn build_chain<'i>(
    first: Pair<'i>,
    mut pairs: impl Iterator<Item = Pair<'i>>,
    span: crate::error::Span,
) -> Result<PatternElement> {
    let start = build_node_pattern(first)?;
    let mut chain = Vec::new();
    while let Some(relationship) = pairs.next() {
        let relationship = build_relationship_pattern(relationship)?;
        let node = pairs
            .next()
            .ok_or_else(|| super::helpers::unexpected_shape("relationship without a node", span))?;
        chain.push((relationship, build_node_pattern(node)?));
    }
    Ok(PatternElement { start, chain, span })
}

/// `(variable:Label1:Label2 {key: value})`
pub(super) fn build_node_pattern(pair: Pair<'_>) -> Result<NodePattern> {
    debug_assert_eq!(pair.as_rule(), Rule::node_pattern);
    let span = span_of(&pair);
    let mut pairs = children(pair);
    let variable = build_if_rule(&mut pairs, Rule::variable, build_variable)?;
    let labels =
        build_if_rule(&mut pairs, Rule::node_labels, build_node_labels)?.unwrap_or_default();
    let properties = pairs.next().map(build_atom).transpose()?;
    Ok(NodePattern {
        variable,
        labels,
        properties,
        span,
    })
}

/// `-[detail]->`, `<-[detail]-`, `-[detail]-` or `<-[detail]->`.
pub(super) fn build_relationship_pattern(pair: Pair<'_>) -> Result<RelationshipPattern> {
    debug_assert_eq!(pair.as_rule(), Rule::relationship_pattern);
    let span = span_of(&pair);
    let mut pairs = children(pair);
    let left = next_if_rule(&mut pairs, Rule::left_arrow).is_some();
    let detail = build_if_rule(
        &mut pairs,
        Rule::relationship_detail,
        build_relationship_detail,
    )?
    .unwrap_or_default();
    let right = next_if_rule(&mut pairs, Rule::right_arrow).is_some();
    // `<-->` points both ways, which matches like `--`; CREATE and MERGE reject both.
    let direction = match (left, right) {
        (true, false) => RelDirection::Left,
        (false, true) => RelDirection::Right,
        _ => RelDirection::Both,
    };
    Ok(RelationshipPattern {
        variable: detail.variable,
        types: detail.types,
        direction,
        length: detail.length,
        properties: detail.properties,
        span,
    })
}

/// The bracketed part of a relationship pattern.
#[derive(Default)]
struct RelationshipDetail {
    variable: Option<Ident>,
    types: Vec<Ident>,
    length: Option<LengthRange>,
    properties: Option<crate::ast::Expr>,
}

fn build_relationship_detail(pair: Pair<'_>) -> Result<RelationshipDetail> {
    let mut pairs = children(pair);
    let variable = build_if_rule(&mut pairs, Rule::variable, build_variable)?;
    let types = build_if_rule(&mut pairs, Rule::relationship_types, |p| {
        children(p).map(build_schema_name).collect()
    })?
    .unwrap_or_default();
    if let Some(bad) = next_if_rule(&mut pairs, Rule::range_without_star) {
        return Err(syntax_error(
            ErrorCode::InvalidRelationshipPattern,
            format!(
                "a variable-length relationship needs `*` before its range: write `*{}`",
                bad.as_str()
            ),
            span_of(&bad),
        ));
    }
    let length = build_if_rule(&mut pairs, Rule::range_literal, build_range_literal)?;
    let properties = pairs.next().map(build_atom).transpose()?;
    Ok(RelationshipDetail {
        variable,
        types,
        length,
        properties,
    })
}

/// `*`, `*2`, `*1..3`, `*..5`, `*3..`
pub(super) fn build_range_literal(pair: Pair<'_>) -> Result<LengthRange> {
    debug_assert_eq!(pair.as_rule(), Rule::range_literal);
    let mut pairs = children(pair);
    let min = build_if_rule(&mut pairs, Rule::range_bound, build_range_bound)?;
    if next_if_rule(&mut pairs, Rule::range_dots).is_none() {
        // `*2` is exactly two hops; `*` is any number.
        return Ok(LengthRange { min, max: min });
    }
    let max = build_if_rule(&mut pairs, Rule::range_bound, build_range_bound)?;
    Ok(LengthRange { min, max })
}

fn build_range_bound(pair: Pair<'_>) -> Result<u64> {
    pair.as_str().parse().map_err(|_| {
        syntax_error(
            ErrorCode::IntegerOverflow,
            format!("relationship length `{}` is too large", pair.as_str()),
            span_of(&pair),
        )
    })
}

#[cfg(test)]
mod tests {
    use crate::error::ErrorCode;
    use crate::parser::test_support::*;

    #[test]
    fn nodes_and_relationships() {
        assert_round_trip("MATCH (a:Person)-[:KNOWS*1..3]->(b) RETURN b");
        assert_round_trip("MATCH (a:A:B {x: 1, y: 'z'})<-[r:T|U {w: 2}]-(b $props) RETURN a");
        assert_round_trip("MATCH ()-->()<--()--() RETURN 1");
        assert_parses_to("MATCH (a)<-->(b) RETURN a", "MATCH (a)--(b) RETURN a");
        assert_parses_to(
            "MATCH (a)-[:A|:B]->(b) RETURN a",
            "MATCH (a)-[:A|B]->(b) RETURN a",
        );
        assert_parses_to(
            "MATCH (a) -[ r ]-> ( b ) RETURN a",
            "MATCH (a)-[r]->(b) RETURN a",
        );
        assert_round_trip("MATCH ({x: 1})-[{y: 2}]->() RETURN 1");
    }

    #[test]
    fn variable_length() {
        assert_round_trip("MATCH (a)-[*]->(b) RETURN b");
        assert_round_trip("MATCH (a)-[*2]->(b) RETURN b");
        assert_round_trip("MATCH (a)-[*..5]->(b) RETURN b");
        assert_round_trip("MATCH (a)-[*3..]->(b) RETURN b");
        assert_round_trip("MATCH (a)-[r:T*0..2 {x: 1}]-(b) RETURN b");
        assert_parses_to(
            "MATCH (a)-[*..]->(b) RETURN b",
            "MATCH (a)-[*]->(b) RETURN b",
        );
        assert_syntax_error(
            "MATCH (a)-[:LIKES..]->(c) RETURN c",
            Some(ErrorCode::InvalidRelationshipPattern),
        );
    }

    #[test]
    fn named_and_shortest_paths() {
        assert_round_trip("MATCH p = (a)-->(b), q = (c) RETURN p, q");
        assert_round_trip("MATCH p = shortestPath((a)-[*]-(b)) RETURN p");
        assert_round_trip("MATCH p = allShortestPaths((a)-[:T*..3]->(b)) RETURN p");
        assert_parses_to(
            "MATCH p = ((a)-->(b)) RETURN p",
            "MATCH p = (a)-->(b) RETURN p",
        );
    }

    #[test]
    fn malformed_patterns() {
        for text in [
            "MATCH (a RETURN a",
            "MATCH (a)-[r->(b) RETURN a",
            "MATCH (a)->(b) RETURN a",
        ] {
            assert_syntax_error(text, Some(ErrorCode::UnexpectedSyntax));
        }
    }
}
