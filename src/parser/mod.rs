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

use std::num::NonZeroUsize;
use std::sync::Once;

use pest::Parser;

use crate::ast::Statement;
use crate::error::Result;
use helpers::children;

/// The pest parser generated from `grammar/cypher.pest`.
#[derive(pest_derive::Parser)]
#[grammar = "grammar/cypher.pest"]
struct CypherParser;

/// Cumulative budget of grammar-rule calls per parse: far above any real query, low enough
/// that pathological backtracking fails quickly instead of hanging.
const PEST_CALL_LIMIT: usize = 50_000_000;

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
        .map(clause::build_statement)
        .collect()
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
