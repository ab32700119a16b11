//! Statements, queries and clauses: MATCH, WITH, RETURN, CREATE, MERGE, SET, ...

use super::Rule;
use super::expr::{build_atom, build_expr, build_predicate};
use super::helpers::{
    Pair, build_if_rule, children, exactly_one, next_if_rule, required, span_of, unexpected_shape,
    written_text,
};
use super::literal::{build_node_labels, build_schema_name, build_variable};
use super::pattern::{build_pattern, build_pattern_part};
use crate::ast::{
    Call, CallSubquery, Clause, Create, Delete, Expr, ExprKind, Foreach, Imports, LoadCsv, Match,
    Merge, Projection, Query, Remove, RemoveItem, Return, ReturnItem, SetClause, SetItem,
    SingleQuery, SortItem, Statement, StatementMode, UnionKind, Unwind, With, YieldItem,
    YieldItems,
};
use crate::error::Result;

/// `[EXPLAIN | PROFILE] query`
pub(super) fn build_statement(pair: Pair<'_>) -> Result<Statement> {
    debug_assert_eq!(pair.as_rule(), Rule::statement);
    let span = span_of(&pair);
    let mut pairs = children(pair);
    if let Some(command) = super::schema::build_if_schema_command(&mut pairs)? {
        let query = Query {
            first: SingleQuery {
                clauses: Vec::new(),
                span,
            },
            unions: Vec::new(),
        };
        let mode = StatementMode::Run;
        return Ok(Statement {
            mode,
            query,
            schema: Some(command),
            span,
        });
    }
    let mode = if next_if_rule(&mut pairs, Rule::explain).is_some() {
        StatementMode::Explain
    } else if next_if_rule(&mut pairs, Rule::profile).is_some() {
        StatementMode::Profile
    } else {
        StatementMode::Run
    };
    let query = build_query(required(&mut pairs, span)?)?;
    Ok(Statement {
        mode,
        query,
        schema: None,
        span,
    })
}

/// `single_query (UNION [ALL] single_query)*`
pub(super) fn build_query(pair: Pair<'_>) -> Result<Query> {
    debug_assert_eq!(pair.as_rule(), Rule::query);
    let span = span_of(&pair);
    let mut pairs = children(pair);
    let first = build_single_query(required(&mut pairs, span)?)?;
    let unions = pairs.map(build_union).collect::<Result<_>>()?;
    Ok(Query { first, unions })
}

fn build_union(pair: Pair<'_>) -> Result<(UnionKind, SingleQuery)> {
    debug_assert_eq!(pair.as_rule(), Rule::union);
    let span = span_of(&pair);
    let mut pairs = children(pair);
    let kind = match next_if_rule(&mut pairs, Rule::union_all) {
        Some(_) => UnionKind::All,
        None => UnionKind::Distinct,
    };
    Ok((kind, build_single_query(required(&mut pairs, span)?)?))
}

/// A sequence of clauses.
pub(super) fn build_single_query(pair: Pair<'_>) -> Result<SingleQuery> {
    debug_assert_eq!(pair.as_rule(), Rule::single_query);
    let span = span_of(&pair);
    let clauses = children(pair).map(build_clause).collect::<Result<_>>()?;
    Ok(SingleQuery { clauses, span })
}

fn build_clause(pair: Pair<'_>) -> Result<Clause> {
    Ok(match pair.as_rule() {
        Rule::match_clause => Clause::Match(build_match_clause(pair)?),
        Rule::unwind_clause => Clause::Unwind(build_unwind_clause(pair)?),
        Rule::with_clause => Clause::With(build_with_clause(pair)?),
        Rule::return_clause => Clause::Return(build_return_clause(pair)?),
        Rule::create_clause => Clause::Create(build_create_clause(pair)?),
        Rule::merge_clause => Clause::Merge(build_merge_clause(pair)?),
        Rule::set_clause => Clause::Set(build_set_clause(pair)?),
        Rule::remove_clause => Clause::Remove(build_remove_clause(pair)?),
        Rule::delete_clause => Clause::Delete(build_delete_clause(pair)?),
        Rule::call_clause => Clause::Call(build_call_clause(pair)?),
        Rule::call_subquery => Clause::CallSubquery(build_call_subquery(pair)?),
        Rule::foreach_clause => Clause::Foreach(build_foreach_clause(pair)?),
        Rule::load_csv_clause => Clause::LoadCsv(build_load_csv_clause(pair)?),
        other => {
            return Err(unexpected_shape(
                &format!("{other:?} as a clause"),
                span_of(&pair),
            ));
        }
    })
}

/// `[OPTIONAL] MATCH pattern [WHERE expr]`
fn build_match_clause(pair: Pair<'_>) -> Result<Match> {
    let span = span_of(&pair);
    let mut pairs = children(pair);
    let optional = next_if_rule(&mut pairs, Rule::optional).is_some();
    let pattern = build_pattern(required(&mut pairs, span)?)?;
    let where_clause = build_if_rule(&mut pairs, Rule::where_clause, build_where_clause)?;
    Ok(Match {
        optional,
        pattern,
        where_clause,
        span,
    })
}

/// `WHERE expr`
pub(super) fn build_where_clause(pair: Pair<'_>) -> Result<Expr> {
    debug_assert_eq!(pair.as_rule(), Rule::where_clause);
    build_predicate(exactly_one(pair)?)
}

/// `UNWIND expr AS variable`
fn build_unwind_clause(pair: Pair<'_>) -> Result<Unwind> {
    let span = span_of(&pair);
    let mut pairs = children(pair);
    let expr = build_expr(required(&mut pairs, span)?)?;
    let variable = build_variable(required(&mut pairs, span)?)?;
    Ok(Unwind {
        expr,
        variable,
        span,
    })
}

/// `LOAD CSV [WITH HEADERS] FROM expr AS variable [FIELDTERMINATOR 'c']`
fn build_load_csv_clause(pair: Pair<'_>) -> Result<LoadCsv> {
    debug_assert_eq!(pair.as_rule(), Rule::load_csv_clause);
    let span = span_of(&pair);
    let mut pairs = children(pair);
    let with_headers = next_if_rule(&mut pairs, Rule::with_headers).is_some();
    let source = build_expr(required(&mut pairs, span)?)?;
    let variable = build_variable(required(&mut pairs, span)?)?;
    let field_terminator = build_if_rule(&mut pairs, Rule::field_terminator, |p| {
        build_atom(exactly_one(p)?)
    })?;
    Ok(LoadCsv {
        with_headers,
        source,
        variable,
        field_terminator,
        span,
    })
}

/// `WITH projection [WHERE expr]`
fn build_with_clause(pair: Pair<'_>) -> Result<With> {
    let span = span_of(&pair);
    let mut pairs = children(pair);
    let projection = build_projection_body(required(&mut pairs, span)?)?;
    let where_clause = build_if_rule(&mut pairs, Rule::where_clause, build_where_clause)?;
    Ok(With {
        projection,
        where_clause,
        span,
    })
}

/// `RETURN projection`
fn build_return_clause(pair: Pair<'_>) -> Result<Return> {
    let span = span_of(&pair);
    let projection = build_projection_body(exactly_one(pair)?)?;
    Ok(Return { projection, span })
}

/// `[DISTINCT] items [ORDER BY ...] [SKIP expr] [LIMIT expr]`
fn build_projection_body(pair: Pair<'_>) -> Result<Projection> {
    debug_assert_eq!(pair.as_rule(), Rule::projection_body);
    let span = span_of(&pair);
    let mut pairs = children(pair);
    let distinct = next_if_rule(&mut pairs, Rule::distinct).is_some();
    let mut items = children(required(&mut pairs, span)?);
    let star = next_if_rule(&mut items, Rule::star).is_some();
    let items = items.map(build_return_item).collect::<Result<_>>()?;
    let order_by = build_if_rule(&mut pairs, Rule::order_by, |p| {
        children(p).map(build_sort_item).collect()
    })?
    .unwrap_or_default();
    let skip = build_if_rule(&mut pairs, Rule::skip, |p| build_expr(exactly_one(p)?))?;
    let limit = build_if_rule(&mut pairs, Rule::limit, |p| build_expr(exactly_one(p)?))?;
    Ok(Projection {
        distinct,
        star,
        items,
        order_by,
        skip,
        limit,
    })
}

/// `expr [AS alias]`; the expression's text as written names the column.
fn build_return_item(pair: Pair<'_>) -> Result<ReturnItem> {
    debug_assert_eq!(pair.as_rule(), Rule::return_item);
    let span = span_of(&pair);
    let mut pairs = children(pair);
    let expr_pair = required(&mut pairs, span)?;
    let text = written_text(&expr_pair).to_string();
    let expr = build_expr(expr_pair)?;
    let alias = build_if_rule(&mut pairs, Rule::variable, build_variable)?;
    Ok(ReturnItem { expr, alias, text })
}

/// `expr [ASC | ASCENDING | DESC | DESCENDING]`
fn build_sort_item(pair: Pair<'_>) -> Result<SortItem> {
    debug_assert_eq!(pair.as_rule(), Rule::sort_item);
    let span = span_of(&pair);
    let mut pairs = children(pair);
    let expr = build_expr(required(&mut pairs, span)?)?;
    let descending = next_if_rule(&mut pairs, Rule::descending).is_some();
    Ok(SortItem { expr, descending })
}

/// `CREATE pattern`
fn build_create_clause(pair: Pair<'_>) -> Result<Create> {
    let span = span_of(&pair);
    let pattern = build_pattern(exactly_one(pair)?)?;
    Ok(Create { pattern, span })
}

/// `MERGE part [ON CREATE SET ...] [ON MATCH SET ...]`, actions in any order and number.
fn build_merge_clause(pair: Pair<'_>) -> Result<Merge> {
    let span = span_of(&pair);
    let mut pairs = children(pair);
    let part = build_pattern_part(required(&mut pairs, span)?)?;
    let (mut on_create, mut on_match) = (Vec::new(), Vec::new());
    for action in pairs {
        let target = match action.as_rule() {
            Rule::on_create => &mut on_create,
            _ => &mut on_match,
        };
        for item in children(action) {
            target.push(build_set_item(item)?);
        }
    }
    Ok(Merge {
        part,
        on_create,
        on_match,
        span,
    })
}

/// `SET item, ...`
fn build_set_clause(pair: Pair<'_>) -> Result<SetClause> {
    let span = span_of(&pair);
    let items = children(pair).map(build_set_item).collect::<Result<_>>()?;
    Ok(SetClause { items, span })
}

fn build_set_item(pair: Pair<'_>) -> Result<SetItem> {
    let span = span_of(&pair);
    let rule = pair.as_rule();
    let mut pairs = children(pair);
    let first = required(&mut pairs, span)?;
    Ok(match rule {
        Rule::set_property => {
            let (target, key) = build_property_expression(first)?;
            let value = build_expr(required(&mut pairs, span)?)?;
            SetItem::Property { target, key, value }
        }
        Rule::set_merge => SetItem::Merge {
            variable: build_variable(first)?,
            value: build_expr(required(&mut pairs, span)?)?,
        },
        Rule::set_replace => SetItem::Replace {
            variable: build_variable(first)?,
            value: build_expr(required(&mut pairs, span)?)?,
        },
        Rule::set_labels => SetItem::Labels {
            variable: build_variable(first)?,
            labels: build_node_labels(required(&mut pairs, span)?)?,
        },
        other => return Err(unexpected_shape(&format!("{other:?} as a SET item"), span)),
    })
}

/// `atom.k1.k2`: the owner `atom.k1` and the key `k2`.
fn build_property_expression(pair: Pair<'_>) -> Result<(Expr, crate::ast::Ident)> {
    debug_assert_eq!(pair.as_rule(), Rule::property_expression);
    let span = span_of(&pair);
    let mut pairs = children(pair);
    let mut target = build_atom(required(&mut pairs, span)?)?;
    let mut keys = pairs
        .map(|lookup| build_schema_name(exactly_one(lookup)?))
        .collect::<Result<Vec<_>>>()?;
    let key = keys
        .pop()
        .ok_or_else(|| unexpected_shape("property expression without a key", span))?;
    for inner in keys {
        let owner_span = target.span.to(inner.span);
        target = Expr::new(ExprKind::Property(Box::new(target), inner), owner_span);
    }
    Ok((target, key))
}

/// `REMOVE item, ...`
fn build_remove_clause(pair: Pair<'_>) -> Result<Remove> {
    let span = span_of(&pair);
    let items = children(pair)
        .map(|item| {
            let item_span = span_of(&item);
            match item.as_rule() {
                Rule::remove_labels => {
                    let mut pairs = children(item);
                    Ok(RemoveItem::Labels {
                        variable: build_variable(required(&mut pairs, item_span)?)?,
                        labels: build_node_labels(required(&mut pairs, item_span)?)?,
                    })
                }
                _ => {
                    let (target, key) = build_property_expression(exactly_one(item)?)?;
                    Ok(RemoveItem::Property { target, key })
                }
            }
        })
        .collect::<Result<_>>()?;
    Ok(Remove { items, span })
}

/// `[DETACH] DELETE expr, ...`
fn build_delete_clause(pair: Pair<'_>) -> Result<Delete> {
    let span = span_of(&pair);
    let mut pairs = children(pair);
    let detach = next_if_rule(&mut pairs, Rule::detach).is_some();
    let exprs = pairs.map(build_expr).collect::<Result<_>>()?;
    Ok(Delete {
        detach,
        exprs,
        span,
    })
}

/// `CALL name[(args)] [YIELD * | YIELD output [AS variable], ... [WHERE predicate]]`
fn build_call_clause(pair: Pair<'_>) -> Result<Call> {
    debug_assert_eq!(pair.as_rule(), Rule::call_clause);
    let span = span_of(&pair);
    let mut pairs = children(pair);
    let procedure = children(required(&mut pairs, span)?)
        .map(|part| build_schema_name(part).map(|ident| ident.name))
        .collect::<Result<Vec<_>>>()?
        .join(".");
    let args = build_if_rule(&mut pairs, Rule::call_arguments, |p| {
        children(p).map(build_expr).collect()
    })?;
    let yields = build_if_rule(&mut pairs, Rule::yield_items, build_yield_items)?;
    Ok(Call {
        procedure,
        args,
        yields,
        span,
    })
}

/// `[OPTIONAL] CALL [(imports)] { query }`
fn build_call_subquery(pair: Pair<'_>) -> Result<CallSubquery> {
    debug_assert_eq!(pair.as_rule(), Rule::call_subquery);
    let span = span_of(&pair);
    let mut pairs = children(pair);
    let optional = next_if_rule(&mut pairs, Rule::optional).is_some();
    let imports = build_if_rule(&mut pairs, Rule::import_scope, build_import_scope)?;
    let query = build_query(required(&mut pairs, span)?)?;
    Ok(CallSubquery {
        optional,
        imports,
        query,
        span,
    })
}

/// `(*)`, `(a, b)` or `()` after CALL.
fn build_import_scope(pair: Pair<'_>) -> Result<Imports> {
    debug_assert_eq!(pair.as_rule(), Rule::import_scope);
    let mut pairs = children(pair);
    if next_if_rule(&mut pairs, Rule::star).is_some() {
        return Ok(Imports::All);
    }
    Ok(Imports::Variables(
        pairs.map(build_variable).collect::<Result<_>>()?,
    ))
}

/// `FOREACH (variable IN list | clauses)`
fn build_foreach_clause(pair: Pair<'_>) -> Result<Foreach> {
    debug_assert_eq!(pair.as_rule(), Rule::foreach_clause);
    let span = span_of(&pair);
    let mut pairs = children(pair);
    let variable = build_variable(required(&mut pairs, span)?)?;
    let list = build_expr(required(&mut pairs, span)?)?;
    let body = build_single_query(required(&mut pairs, span)?)?;
    Ok(Foreach {
        variable,
        list,
        body,
        span,
    })
}

fn build_yield_items(pair: Pair<'_>) -> Result<YieldItems> {
    debug_assert_eq!(pair.as_rule(), Rule::yield_items);
    let mut pairs = children(pair);
    if next_if_rule(&mut pairs, Rule::star).is_some() {
        return Ok(YieldItems::Star);
    }
    let mut items = Vec::new();
    while let Some(item) = next_if_rule(&mut pairs, Rule::yield_item) {
        let span = span_of(&item);
        let mut names = children(item);
        let field = build_variable(required(&mut names, span)?)?;
        let alias = build_if_rule(&mut names, Rule::variable, build_variable)?;
        items.push(YieldItem { field, alias });
    }
    let where_clause = build_if_rule(&mut pairs, Rule::where_clause, build_where_clause)?;
    Ok(YieldItems::Items {
        items,
        where_clause,
    })
}

#[cfg(test)]
mod tests {
    use crate::parser::test_support::*;

    #[test]
    fn reading_clauses() {
        assert_round_trip("MATCH (n:L {k: 1})-[r:T]->(m) WHERE n.x > 1 RETURN n, m.name AS name");
        assert_round_trip("OPTIONAL MATCH (a)-->(b) RETURN a");
        assert_parses_to("match (a) return a", "MATCH (a) RETURN a");
        assert_round_trip("UNWIND [1, 2, 3] AS x RETURN x");
        assert_round_trip("MATCH (a), (b) WITH a, b WHERE a.x = b.x RETURN a");
    }

    #[test]
    fn load_csv_clauses() {
        assert_round_trip("LOAD CSV FROM 'people.csv' AS row RETURN row[0]");
        assert_round_trip(
            "LOAD CSV WITH HEADERS FROM $file AS row FIELDTERMINATOR ';' MERGE (p:P {name: row.name})",
        );
        assert_parses_to(
            "load csv with headers from 'a' + 'b.csv' as r fieldterminator '\\t' return r",
            "LOAD CSV WITH HEADERS FROM 'a' + 'b.csv' AS r FIELDTERMINATOR '\\t' RETURN r",
        );
        // `csv`, `headers`, `from` are not reserved: they still name variables.
        assert_round_trip("WITH 1 AS csv, 2 AS headers, 3 AS from RETURN csv, headers, from");
    }

    #[test]
    fn projections() {
        assert_round_trip(
            "MATCH (n) RETURN DISTINCT n.name ORDER BY n.name DESC, n.age SKIP 1 LIMIT 10",
        );
        assert_parses_to("RETURN 1 ORDER BY 1 ascending", "RETURN 1 ORDER BY 1");
        assert_parses_to("RETURN 1 ORDER BY 1 DESCENDING", "RETURN 1 ORDER BY 1 DESC");
        assert_round_trip("MATCH (n) RETURN *");
        assert_round_trip("MATCH (n) WITH *, 1 AS one RETURN one");
        assert_round_trip("WITH DISTINCT 1 AS a ORDER BY a LIMIT 1 WHERE a > 0 RETURN a");
    }

    #[test]
    fn subqueries_and_foreach() {
        assert_round_trip("MATCH (n) CALL { WITH n MATCH (n)-->(m) RETURN m } RETURN m");
        assert_round_trip("UNWIND [1] AS x CALL (x) { RETURN x + 1 AS y } RETURN y");
        assert_round_trip("UNWIND [1] AS x CALL (*) { RETURN x AS y } RETURN y");
        assert_round_trip("CALL () { RETURN 1 AS a UNION ALL RETURN 2 AS a } RETURN a");
        assert_round_trip("UNWIND [1] AS x OPTIONAL CALL (x) { RETURN x AS y } RETURN y");
        assert_parses_to("call{create ()}", "CALL { CREATE () }");
        assert_round_trip(
            "FOREACH (x IN [1, 2] | CREATE ({v: x}) FOREACH (y IN [x] | SET n.y = y))",
        );
        assert_parses_to(
            "foreach(x in [1]|create ())",
            "FOREACH (x IN [1] | CREATE ())",
        );
        // FOREACH takes any clause here; `semantic` refuses the read ones with a position.
        assert_round_trip("FOREACH (x IN [1] | MATCH (n) SET n.x = x)");
    }

    #[test]
    fn return_item_text_is_the_source_text() {
        let statements =
            crate::parser::parse("MATCH (n) RETURN n.name, count( * ), n.x AS y").expect("parses");
        let crate::ast::Clause::Return(ret) = &statements[0].query.first.clauses[1] else {
            panic!("not a RETURN");
        };
        let names: Vec<_> = ret
            .projection
            .items
            .iter()
            .map(|i| i.column_name())
            .collect();
        assert_eq!(names, ["n.name", "count( * )", "y"]);
    }

    #[test]
    fn return_item_text_ends_at_the_expression() {
        let statements = crate::parser::parse(
            "MATCH (p) WITH p SKIP 1 RETURN p.x /* c */, [1, 'a ' ] // c\n LIMIT 1",
        )
        .expect("parses");
        let texts: Vec<_> = statements[0].query.first.clauses[1..]
            .iter()
            .filter_map(|clause| match clause {
                crate::ast::Clause::With(with) => Some(&with.projection),
                crate::ast::Clause::Return(ret) => Some(&ret.projection),
                _ => None,
            })
            .flat_map(|projection| projection.items.iter().map(|i| i.text.clone()))
            .collect();
        assert_eq!(texts, ["p", "p.x", "[1, 'a ' ]"]);
    }

    #[test]
    fn updating_clauses() {
        assert_round_trip("CREATE (a:A {x: 1})-[:T {y: 2}]->(b), (c)");
        assert_round_trip(
            "MERGE (a:A {x: 1}) ON CREATE SET a.created = true ON MATCH SET a.seen = a.seen + 1, a:Seen",
        );
        assert_parses_to(
            "MERGE (a) ON MATCH SET a.x = 1 ON CREATE SET a.y = 2 ON MATCH SET a.z = 3",
            "MERGE (a) ON CREATE SET a.y = 2 ON MATCH SET a.x = 1, a.z = 3",
        );
        assert_round_trip("MATCH (n) SET n.x = 1, n = {a: 1}, n += {b: 2}, n:A:B");
        assert_parses_to("MATCH (n) SET (n).x = 1", "MATCH (n) SET n.x = 1");
        assert_round_trip("MATCH (n) SET n.a.b = 1");
        assert_round_trip("MATCH (n) REMOVE n.x, n:A:B");
        assert_round_trip("MATCH (n) DELETE n");
        assert_round_trip("MATCH (n)-[r]-() DETACH DELETE n, r");
    }

    #[test]
    fn statements_and_unions() {
        assert_round_trip("RETURN 1 AS x UNION RETURN 2 AS x UNION ALL RETURN 3 AS x");
        assert_round_trip("EXPLAIN MATCH (n) RETURN n");
        assert_round_trip("PROFILE MATCH (n) RETURN n");
        let statements = crate::parser::parse(";; RETURN 1 ; ;RETURN 2;").expect("parses");
        assert_eq!(statements.len(), 2);
        assert_eq!(statements[1].span, crate::error::Span::new(15, 23));
        assert!(crate::parser::parse("  ").expect("empty input").is_empty());
        assert!(
            crate::parser::parse("// just a comment\n;")
                .expect("comment")
                .is_empty()
        );
    }

    #[test]
    fn call_is_parsed() {
        assert_round_trip("CALL db.labels() YIELD label RETURN label");
        assert_round_trip("CALL test.doNothing");
        assert_round_trip("CALL p(1, 'a') YIELD a AS b, c WHERE b > c RETURN b");
        assert_round_trip("CALL p() YIELD *");
        assert_round_trip("CALL p");
    }

    #[test]
    fn keywords_are_case_insensitive_and_whole_words() {
        assert_parses_to(
            "mAtCh (matched) ReTuRn matched",
            "MATCH (matched) RETURN matched",
        );
        assert_parses_to(
            "MATCH (n) RETURN n.count, n.order",
            "MATCH (n) RETURN n.count, n.`order`",
        );
        assert_parses_to("MATCH (n:Order) RETURN n", "MATCH (n:`Order`) RETURN n");
        assert_parses_to(
            "MATCH /* block */ (n) // line\nRETURN n",
            "MATCH (n) RETURN n",
        );
    }
}
