//! Text to AST: the pest grammar in `grammar/cypher.pest` and one builder per rule
//! (`build_<rule>`). No name resolution here; see `semantic`.
//!
//! Errors are `SyntaxError`s at compile time, with a span at the failing position and a
//! message in Cypher terms ("expected an expression after `WHERE`"), never pest's rule names.

mod clause;
mod errors;
mod expr;
mod helpers;
mod literal;
mod pattern;
mod schema;

use std::num::NonZeroUsize;
use std::sync::Once;

use pest::Parser;

use crate::ast::Statement;
use crate::error::{QueryError, Result};
use helpers::children;

/// The pest parser generated from `grammar/cypher.pest`.
#[derive(pest_derive::Parser)]
#[grammar = "grammar/cypher.pest"]
struct CypherParser;

/// Cumulative budget of grammar-rule calls per parse: far above any real query, low enough
/// that pathological backtracking fails quickly instead of hanging.
const PEST_CALL_LIMIT: usize = 50_000_000;

/// How long one statement's chain of clauses and pattern hops may be. Clauses and the
/// nodes of a matched pattern become a nested chain of plan operators (`WITH ... WITH ...`,
/// `()-->()-->()`), which planning and execution walk recursively; 5,000 still fit the
/// main thread's 8 MB stack in a release build, so this leaves room for an expression
/// nested to `MAX_EXPR_DEPTH` at the end of the chain. Nodes created by CREATE are
/// applied in a loop and do not count.
pub const MAX_CHAIN: usize = 2_000;

/// Parses `;`-separated statements (a trailing `;` is optional, empty statements are
/// skipped). Spans are byte offsets into `text`.
///
/// ```
/// let statements = kg::parser::parse("MATCH (n:Person) RETURN n.name; RETURN 1").unwrap();
/// assert_eq!(statements.len(), 2);
/// assert_eq!(statements[0].to_string(), "MATCH (n:Person) RETURN n.name");
/// ```
pub fn parse(text: &str) -> Result<Vec<Statement>> {
    static CONFIGURE: Once = Once::new();
    CONFIGURE.call_once(|| pest::set_call_limit(NonZeroUsize::new(PEST_CALL_LIMIT)));

    // Unterminated strings and comments, and absurd nesting, are caught before pest runs:
    // the messages are clearer and pest's recursion stays bounded.
    errors::check_lexical(text)?;
    let mut top = CypherParser::parse(Rule::statements, text)
        .map_err(|error| errors::from_pest(text, &error))?;
    let Some(statements) = top.next() else {
        return Ok(Vec::new());
    };
    children(statements)
        .filter(|pair| pair.as_rule() == Rule::statement)
        .map(|pair| {
            check_chain(&pair)?;
            clause::build_statement(pair)
        })
        .collect()
}

/// Refuses a statement whose clauses plus matched pattern nodes pass `MAX_CHAIN`, pointing
/// at the element that passes it. The parts of a UNION run side by side, so each starts
/// from the count where its query began. `flatten` walks pest's flat token queue, so this
/// check does not recurse itself.
fn check_chain(statement: &helpers::Pair<'_>) -> Result<()> {
    let mut chain = 0usize;
    // Nodes of CREATE patterns end before this offset.
    let mut create_end = 0usize;
    // The queries (and subqueries) around the current pair: where each ends, and the
    // chain before it.
    let mut queries: Vec<(usize, usize)> = Vec::new();
    for pair in statement.clone().into_inner().flatten() {
        let start = pair.as_span().start();
        while queries.last().is_some_and(|&(end, _)| end <= start) {
            queries.pop();
        }
        let counts = match pair.as_rule() {
            Rule::query => {
                queries.push((pair.as_span().end(), chain));
                false
            }
            Rule::union => {
                chain = queries.last().map_or(0, |&(_, before)| before);
                false
            }
            Rule::create_clause => {
                create_end = create_end.max(pair.as_span().end());
                true
            }
            Rule::node_pattern => pair.as_span().start() >= create_end,
            rule => is_clause(rule),
        };
        chain += usize::from(counts);
        if chain > MAX_CHAIN {
            return Err(QueryError::syntax(
                format!(
                    "query nesting too deep (limit {MAX_CHAIN}): more than {MAX_CHAIN} clauses \
                     and matched pattern nodes in one statement; split it into several statements"
                ),
                helpers::span_of(&pair),
            ));
        }
    }
    Ok(())
}

/// The grammar rules that are clauses of a query.
fn is_clause(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::match_clause
            | Rule::unwind_clause
            | Rule::with_clause
            | Rule::return_clause
            | Rule::merge_clause
            | Rule::set_clause
            | Rule::remove_clause
            | Rule::delete_clause
            | Rule::call_clause
            | Rule::call_subquery
            | Rule::foreach_clause
            | Rule::load_csv_clause
    )
}

/// One-line assertions shared by the builders' unit tests.
#[cfg(test)]
pub(crate) mod test_support {
    use crate::error::{ErrorCode, ErrorKind, Phase, QueryError};

    /// Parses `text` as exactly one statement and prints it back.
    pub(crate) fn canonical(text: &str) -> String {
        let statements = super::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e:?}"));
        assert_eq!(statements.len(), 1, "{text:?}");
        statements[0].to_string()
    }

    /// `text` is already canonical: it parses and prints back unchanged, and the printed
    /// form parses to the same AST.
    pub(crate) fn assert_round_trip(text: &str) {
        assert_parses_to(text, text);
    }

    /// `text` parses and prints as `expected`, which parses to the same AST.
    pub(crate) fn assert_parses_to(text: &str, expected: &str) {
        assert_eq!(canonical(text), expected, "printing {text:?}");
        let first = super::parse(text).expect("parses");
        let again = super::parse(expected).expect("canonical text parses");
        assert_eq!(first, again, "{text:?} and {expected:?} differ");
    }

    /// Parsing `text` fails at compile time with a SyntaxError of `code`.
    pub(crate) fn assert_syntax_error(text: &str, code: Option<ErrorCode>) -> QueryError {
        let error = match super::parse(text) {
            Ok(statements) => panic!("{text:?} parsed: {statements:?}"),
            Err(error) => error,
        };
        assert_eq!(error.kind, ErrorKind::SyntaxError, "{text:?}: {error:?}");
        assert_eq!(error.phase, Phase::Compile, "{text:?}");
        assert_eq!(error.code, code, "{text:?}: {error:?}");
        assert!(error.span.is_some(), "{text:?} has no position");
        error
    }
}
