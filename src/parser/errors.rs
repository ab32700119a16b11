//! Syntax errors in Cypher terms: a lexical pre-check (unterminated strings and comments,
//! nesting depth) and the translation of pest's errors into `QueryError`s.

use pest::error::{Error as PestError, ErrorVariant, InputLocation};

use super::Rule;
use crate::error::{ErrorCode, ErrorKind, QueryError, Result, Span};

/// How deeply brackets may nest before the parser refuses the text: pest recurses once
/// per level, and later stages recurse over the tree.
pub(super) const MAX_BRACKET_DEPTH: usize = 128;

/// A SyntaxError with a TCK code.
pub(super) fn syntax_error(code: ErrorCode, message: impl Into<String>, span: Span) -> QueryError {
    QueryError::compile(ErrorKind::SyntaxError, code, message).with_span(span)
}

/// Finds unterminated strings, backtick names and block comments, and bracket nesting
/// deeper than `MAX_BRACKET_DEPTH`, following the grammar's lexical rules.
pub(super) fn check_lexical(text: &str) -> Result<()> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Code,
        Quoted(char, usize),
        Backticked(usize),
        LineComment,
        BlockComment(usize),
    }
    let mut state = State::Code;
    let mut depth = 0usize;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        state = match state {
            State::Code => match c {
                '\'' | '"' => State::Quoted(c, at),
                '`' => State::Backticked(at),
                '/' if chars.next_if(|&(_, n)| n == '/').is_some() => State::LineComment,
                '/' if chars.next_if(|&(_, n)| n == '*').is_some() => State::BlockComment(at),
                '(' | '[' | '{' => {
                    depth += 1;
                    if depth > MAX_BRACKET_DEPTH {
                        return Err(QueryError::syntax(
                            format!(
                                "brackets nested too deeply (more than {MAX_BRACKET_DEPTH} levels)"
                            ),
                            Span::new(at, at + 1),
                        ));
                    }
                    State::Code
                }
                ')' | ']' | '}' => {
                    depth = depth.saturating_sub(1);
                    State::Code
                }
                _ => State::Code,
            },
            State::Quoted(quote, start) => match c {
                '\\' => {
                    chars.next();
                    state
                }
                c if c == quote => State::Code,
                _ => State::Quoted(quote, start),
            },
            State::Backticked(start) => match c {
                '`' if chars.next_if(|&(_, n)| n == '`').is_some() => State::Backticked(start),
                '`' => State::Code,
                _ => state,
            },
            State::LineComment if c == '\n' || c == '\r' => State::Code,
            State::BlockComment(_) if c == '*' && chars.next_if(|&(_, n)| n == '/').is_some() => {
                State::Code
            }
            other => other,
        };
    }
    let unterminated = |what: &str, start: usize| {
        syntax_error(
            ErrorCode::UnexpectedSyntax,
            format!("unterminated {what}"),
            Span::new(start, text.len()),
        )
    };
    match state {
        State::Quoted(_, start) => Err(unterminated("string", start)),
        State::Backticked(start) => Err(unterminated("backtick-quoted name", start)),
        State::BlockComment(start) => Err(unterminated("comment (missing `*/`)", start)),
        State::Code | State::LineComment => Ok(()),
    }
}

/// Translates a pest failure into a SyntaxError pointing at the failing position.
pub(super) fn from_pest(text: &str, error: &PestError<Rule>) -> QueryError {
    let at = match error.location {
        InputLocation::Pos(at) => at,
        InputLocation::Span((start, _)) => start,
    };
    let found = text.get(at..).and_then(|rest| rest.chars().next());
    let span = Span::new(at, at + found.map_or(0, char::len_utf8));

    // openCypher: a look-alike character such as an em dash is its own error (TCK
    // Mathematical3 [1]).
    if let Some(c) = found.filter(|c| !c.is_ascii() && !c.is_alphanumeric() && !c.is_whitespace()) {
        let hint = if is_dash_like(c) {
            "; did you mean `-`?"
        } else {
            ""
        };
        return syntax_error(
            ErrorCode::InvalidUnicodeCharacter,
            format!("unexpected character `{c}` (U+{:04X}){hint}", c as u32),
            span,
        );
    }

    let expected = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => describe_expected(positives),
        ErrorVariant::CustomError { message } => message.clone(),
    };
    let found_text = match found {
        None => "the end of the input".to_string(),
        Some(_) => format!("`{}`", token_at(text, at)),
    };
    let message = match previous_token(text, at) {
        Some(before) => format!("expected {expected} after `{before}`, found {found_text}"),
        None => format!("expected {expected}, found {found_text}"),
    };
    syntax_error(ErrorCode::UnexpectedSyntax, message, span)
}

fn is_dash_like(c: char) -> bool {
    matches!(
        c,
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}'
    )
}

/// The word or symbol starting at `at`, for "found `...`".
fn token_at(text: &str, at: usize) -> &str {
    let rest = &text[at..];
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let len = match rest.chars().next() {
        Some(c) if is_word(c) => rest.find(|c: char| !is_word(c)).unwrap_or(rest.len()),
        Some(c) => c.len_utf8(),
        None => 0,
    };
    &rest[..len]
}

/// The word or symbol just before `at` (skipping whitespace), for "after `WHERE`".
fn previous_token(text: &str, at: usize) -> Option<&str> {
    let before = text.get(..at)?.trim_end();
    let last = before.chars().next_back()?;
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let start = if is_word(last) {
        before
            .char_indices()
            .rev()
            .find(|&(_, c)| !is_word(c))
            .map_or(0, |(i, c)| i + c.len_utf8())
    } else {
        before.len() - last.len_utf8()
    };
    Some(&before[start..])
}

/// "an expression", "a pattern or `WHERE`", ...: what pest was looking for, in Cypher terms.
fn describe_expected(positives: &[Rule]) -> String {
    let mut wanted: Vec<&'static str> = Vec::new();
    for &rule in positives {
        let description = describe(rule);
        if !wanted.contains(&description) {
            wanted.push(description);
        }
    }
    match wanted.as_slice() {
        [] => "valid Cypher".to_string(),
        [one] => (*one).to_string(),
        [init @ .., last] if init.len() <= 3 => format!("{} or {last}", init.join(", ")),
        _ => format!("{}, {} or more", wanted[0], wanted[1]),
    }
}

fn describe(rule: Rule) -> &'static str {
    use Rule::*;
    match rule {
        expr
        | float_literal
        | integer_literal
        | hex_integer
        | octal_integer
        | decimal_integer
        | string_literal
        | boolean_literal
        | null_literal
        | parameter
        | case_expr
        | count_star
        | list_comprehension
        | pattern_comprehension
        | list_literal
        | quantifier_expr
        | reduce_expr
        | exists_subquery
        | map_literal
        | relationships_pattern
        | function_call
        | function_name
        | op_not
        | op_negate
        | op_plus
        | slice_from
        | slice_to
        | property_expression => "an expression",
        op_or | op_xor | op_and | op_regex | op_eq | op_ne | op_le | op_ge | op_lt | op_gt
        | op_in | op_starts_with | op_ends_with | op_contains | op_add | op_sub | op_mul
        | op_div | op_mod | op_pow | op_is_null | op_is_not_null | index | slice
        | property_lookup => "an operator",
        statement | query | single_query | match_clause | unwind_clause | with_clause
        | return_clause | create_clause | merge_clause | set_clause | remove_clause
        | delete_clause | call_clause | optional | detach | explain | profile => "a clause",
        union | union_all | UNION => "`UNION`",
        where_clause | WHERE => "`WHERE`",
        order_by | ORDER | BY => "`ORDER BY`",
        skip | SKIP => "`SKIP`",
        limit | LIMIT => "`LIMIT`",
        distinct => "`DISTINCT`",
        projection_body | projection_items | return_item | star => "a return item",
        AS => "`AS`",
        sort_item | ascending | descending => "a sort item",
        pattern | pattern_part | pattern_element | shortest_path | all_shortest_paths
        | SHORTEST_PATH | ALL_SHORTEST_PATHS => "a pattern",
        node_pattern => "a node pattern such as `(n)`",
        relationship_pattern | left_arrow | right_arrow => {
            "a relationship pattern such as `-[r]->`"
        }
        relationship_detail => "`[`",
        relationship_types => "a relationship type",
        range_literal | range_bound | range_dots | range_without_star => {
            "a length range such as `*1..3`"
        }
        node_labels => "a label such as `:Person`",
        on_create | on_match | ON => "`ON CREATE SET` or `ON MATCH SET`",
        set_property | set_merge | set_replace | set_labels => "a SET item",
        remove_labels | remove_property => "a REMOVE item",
        procedure_name => "a procedure name",
        call_arguments => "procedure arguments",
        yield_items | yield_item | YIELD => "`YIELD`",
        map_entry => "a map entry such as `key: value`",
        case_alternative | WHEN => "`WHEN`",
        case_else | ELSE => "`ELSE`",
        END => "`END`",
        THEN => "`THEN`",
        variable | escaped_name | unescaped_name => "a variable",
        schema_name => "a name",
        quantifier => "a quantifier",
        EOI => "the end of the statement",
        _ => "valid Cypher",
    }
}

#[cfg(test)]
mod tests {
    use super::{previous_token, token_at};

    #[test]
    fn tokens_respect_char_boundaries() {
        // Found by the mutation property test: a multi-byte character before a word.
        assert_eq!(previous_token("a(DISTIN¥CT x", 12), Some("CT"));
        assert_eq!(previous_token("é", 2), Some("é"));
        assert_eq!(previous_token("  ", 2), None);
        assert_eq!(token_at("RETURN ¥x", 7), "¥");
        assert_eq!(token_at("RETURN éa b", 7), "éa");
    }
}
