//! Syntax errors in Cypher terms: a lexical pre-check (unterminated strings and comments,
//! nesting depth) and the translation of pest's errors into `QueryError`s.

use std::sync::{Mutex, PoisonError};

use pest::Parser;
use pest::error::{Error as PestError, ErrorVariant, InputLocation};

use super::{CypherParser, Rule};
use crate::ast::{is_reserved_word, keywords};
use crate::error::{ErrorCode, ErrorKind, QueryError, Result, Span};
use crate::lexer::{self, TokenKind};

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
    let plain_at = match error.location {
        InputLocation::Pos(at) => at,
        InputLocation::Span((start, _)) => start,
    };
    let positives = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.as_slice(),
        // pest's own limits (rule-call budget, native stack): the text is too complex to
        // parse, and re-parsing it for a better message would only hit the limit again.
        ErrorVariant::CustomError { message } => {
            return QueryError::syntax(
                format!("the query is too complex to parse ({message})"),
                Span::new(plain_at, plain_at),
            );
        }
    };

    // openCypher: a look-alike character such as an em dash is its own error (TCK
    // Mathematical3 [1]).
    let found_char = |at: usize| text.get(at..).and_then(|rest| rest.chars().next());
    let char_span = |at: usize| Span::new(at, at + found_char(at).map_or(0, char::len_utf8));
    if let Some(c) =
        found_char(plain_at).filter(|c| !c.is_ascii() && !c.is_alphanumeric() && !c.is_whitespace())
    {
        let hint = if is_dash_like(c) {
            "; did you mean `-`?"
        } else {
            ""
        };
        return syntax_error(
            ErrorCode::InvalidUnicodeCharacter,
            format!("unexpected character `{c}` (U+{:04X}){hint}", c as u32),
            char_span(plain_at),
        );
    }

    if let Some(feature) = unsupported_feature(text, plain_at) {
        let word = token_at(text, plain_at);
        return QueryError::not_supported(
            feature,
            Some(Span::new(plain_at, plain_at + word.len())),
        );
    }

    let (at, expected) = detailed_expectation(text).unwrap_or_else(|| {
        let mut wanted = Vec::new();
        for &rule in positives {
            push_unique(&mut wanted, describe(rule).to_string());
        }
        (plain_at, wanted)
    });
    let expected = simplify(expected);
    let found = match found_char(at) {
        None => "the end of the input".to_string(),
        Some(_) => format!("`{}`", token_at(text, at)),
    };
    let mut message = format!("expected {}", join_alternatives(&expected));
    if let Some(before) = previous_token(text, at) {
        message.push_str(&format!(" after `{before}`"));
    }
    message.push_str(&format!(", found {found}"));
    let word = token_at(text, at);
    let wants_name =
        expected.iter().any(|e| e == "a name") && !expected.iter().any(|e| e == "an expression");
    if wants_name && is_reserved_word(word) {
        message.push_str(&format!(
            "; `{word}` is a reserved word: to use it as a name, write it in backticks"
        ));
    }
    let starts_statement = at == 0 || previous_token(text, at).is_some_and(|t| t == ";");
    if starts_statement && let Some(keyword) = similar_clause_keyword(token_at(text, at)) {
        message.push_str(&format!("; did you mean `{keyword}`?"));
    }
    syntax_error(ErrorCode::UnexpectedSyntax, message, char_span(at))
}

/// Re-parses with pest's error detail switched on, which finds the true failing position
/// and the punctuation expected there (`)`, `:`, ...) that plain errors leave out. Detail
/// costs several times the parse, so it is on only for this re-parse; the lock keeps
/// concurrent failing parses from switching it off under each other.
fn detailed_expectation(text: &str) -> Option<(usize, Vec<String>)> {
    static DETAIL: Mutex<()> = Mutex::new(());
    let attempts = {
        let _only_one = DETAIL.lock().unwrap_or_else(PoisonError::into_inner);
        pest::set_error_detail(true);
        let result = CypherParser::parse(Rule::statements, text);
        pest::set_error_detail(false);
        result.err()?.parse_attempts()?
    };
    // Lookaheads (the reserved-word check, the function-call probe) read past the token
    // they test; when only they reached the furthest position, it is not where the text
    // went wrong, and the plain error is better.
    let from_lookahead = |rule: Option<&Rule>| {
        matches!(
            rule,
            Some(Rule::reserved_word | Rule::function_call_start | Rule::pattern_probe)
        )
    };
    if attempts.call_stacks.iter().all(|stack| {
        from_lookahead(stack.deepest.get_rule()) || from_lookahead(stack.parent.as_ref())
    }) {
        return None;
    }
    let mut wanted = Vec::new();
    let mut absorbed_by_rules: Vec<&str> = Vec::new();
    for stack in &attempts.call_stacks {
        if let Some(&rule) = stack.deepest.get_rule() {
            let (description, leading) = describe_at_failure(rule);
            if let Some(description) = description {
                push_unique(&mut wanted, description.to_string());
            }
            absorbed_by_rules.extend_from_slice(leading);
        }
    }
    let tokens: Vec<String> = attempts
        .expected_tokens()
        .iter()
        .map(ToString::to_string)
        .filter(|t| is_meaningful_token(t))
        .collect();
    let has = |t: &str| tokens.iter().any(|x| x == t);
    let expression_expected = has("NULL") || has("'");
    let operator_expected = has("AND") || has("<>") || (has("%") && has("^"));
    let clauses = tokens
        .iter()
        .filter(|t| keywords::is_clause_keyword(t))
        .count();
    let mut shown = Vec::new();
    if expression_expected {
        shown.push("an expression".to_string());
    }
    if operator_expected {
        shown.push("an operator".to_string());
    }
    if clauses >= 4 {
        shown.push("a clause such as MATCH or RETURN".to_string());
    }
    for token in &tokens {
        let token = token.as_str();
        let absorbed = absorbed_by_rules.contains(&token)
            || (expression_expected && EXPRESSION_START_TOKENS.contains(&token))
            || (operator_expected && OPERATOR_TOKENS.contains(&token))
            || (clauses >= 4 && (keywords::is_clause_keyword(token) || token == ";"));
        if token == "`" {
            // The opening of a backtick-quoted name: a name is wanted.
            shown.push("a name".to_string());
        } else if !absorbed {
            shown.push(format!("`{token}`"));
        }
    }
    for item in shown {
        push_unique(&mut wanted, item);
    }
    // Attempts inside lookaheads (the reserved-word check) can leave nothing nameable at
    // the furthest position; the plain error is better then.
    if wanted.is_empty() {
        return None;
    }
    Some((attempts.max_position, wanted))
}

/// Tokens worth naming: not whitespace, comments, character classes or float exponents.
fn is_meaningful_token(token: &str) -> bool {
    let is_range = token.len() > 2 && token.contains("..");
    !(is_range || token.trim().is_empty() || matches!(token, "/*" | "//" | "BUILTIN_RULE" | "E"))
}

const EXPRESSION_START_TOKENS: &[&str] = &[
    "\"", "'", "$", "(", "[", "{", "`", "+", "-", ".", "0", "ALL", "ANY", "CASE", "COLLECT",
    "COUNT", "EXISTS", "FALSE", "NONE", "NOT", "NULL", "REDUCE", "SINGLE", "TRUE",
    // The first letter the grammar's NOT lookahead checks.
    "N",
];
const OPERATOR_TOKENS: &[&str] = &[
    "%", "*", "+", "-", "/", "<", "<=", "<>", "=", "=~", ">", ">=", "^", "AND", "OR", "XOR", "IN",
    "IS", "STARTS", "ENDS", "CONTAINS", ".", "[", ":",
    // First letters the grammar's operator lookaheads check.
    "O", "X", "A", "I", "S", "C",
];

/// Cypher that other databases accept but kg does not, named so the error says so instead
/// of calling it a syntax error.
fn unsupported_feature(text: &str, at: usize) -> Option<&'static str> {
    // Administration commands fail a few words in (`CREATE DATABASE x` reads as a pattern
    // named DATABASE), so look at how the failing statement starts. Index and constraint
    // commands are in the grammar, so their mistakes are syntax errors.
    let statement_start = text[..at].rfind(';').map_or(0, |i| i + 1);
    let mut words = text[statement_start..]
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_uppercase);
    if let (Some(first), Some(second)) = (words.next(), words.next())
        && matches!(first.as_str(), "CREATE" | "DROP")
        && matches!(second.as_str(), "DATABASE" | "USER" | "ROLE")
    {
        return Some("an administration command");
    }
    let word = token_at(text, at).to_ascii_uppercase();
    let next = text[at + word.len()..].trim_start();
    let next_word = next
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    Some(match (word.as_str(), next_word.as_str()) {
        ("IN", "TRANSACTIONS") => "CALL { ... } IN TRANSACTIONS",
        ("USE", _) => "the USE clause",
        ("SHOW", _) => "the SHOW command",
        _ => return None,
    })
}

/// A clause keyword a misspelt word is probably meant to be (`MATC` → `MATCH`).
fn similar_clause_keyword(word: &str) -> Option<&'static str> {
    if word.len() < 3 || !word.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let upper = word.to_ascii_uppercase();
    keywords::clause_keywords()
        .filter(|k| *k != upper)
        .map(|k| (strsim::levenshtein(k, &upper), k))
        .filter(|&(distance, _)| distance <= 2)
        .min()
        .map(|(_, k)| k)
}

/// How a rule that failed at the furthest position reads in a message, and the tokens it
/// starts with (which need no separate mention).
fn describe_at_failure(rule: Rule) -> (Option<&'static str>, &'static [&'static str]) {
    use Rule::*;
    match rule {
        node_labels => (Some(describe(rule)), &[":"]),
        relationship_types => (Some(describe(rule)), &[":"]),
        map_literal => (Some("a map such as `{key: value}`"), &["{"]),
        parameter => (Some("a parameter such as `$name`"), &["$"]),
        range_literal => (Some(describe(rule)), &["*"]),
        escaped_name | unescaped_name | variable | schema_name => (Some("a name"), &["`"]),
        relationship_detail | expr | statements | statement | single_query | query
        | reserved_word => (None, &[]),
        _ => match describe(rule) {
            "valid Cypher" | "an expression" | "a clause" => (None, &[]),
            description => (Some(description), &[]),
        },
    }
}

/// Drops alternatives that a broader one already covers.
fn simplify(expected: Vec<String>) -> Vec<String> {
    let has = |s: &str| expected.iter().any(|e| e == s);
    let covered_by_expression = [
        "a node pattern such as `(n)`",
        "a quantifier",
        "a variable",
        "a name",
    ];
    let expression = has("an expression");
    let several = expected.len() > 1;
    expected
        .iter()
        .filter(|e| !(expression && covered_by_expression.contains(&e.as_str())))
        .filter(|e| !(several && e.as_str() == "valid Cypher"))
        .cloned()
        .collect()
}

fn push_unique(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// "a", "a or b", "a, b or c", or the first few and "...".
fn join_alternatives(items: &[String]) -> String {
    match items {
        [] => "valid Cypher".to_string(),
        [one] => one.clone(),
        [init @ .., last] if init.len() <= 5 => format!("{} or {last}", init.join(", ")),
        _ => format!("{}, ...", items[..5].join(", ")),
    }
}

fn is_dash_like(c: char) -> bool {
    matches!(
        c,
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}'
    )
}

/// The word or symbol starting at `at`, for "found `...`": a lexer token, but only the
/// opening quote of a string or quoted name (what the grammar stumbled on).
fn token_at(text: &str, at: usize) -> &str {
    let rest = &text[at..];
    let len = match lexer::tokens(rest).first() {
        Some(t) if matches!(t.kind, TokenKind::Word | TokenKind::Number) => t.span.end,
        Some(_) => rest.chars().next().map_or(0, char::len_utf8),
        None => 0,
    };
    &rest[..len]
}

/// The token just before `at` (skipping whitespace and comments), for "after `WHERE`". A
/// quoted literal or name is shown whole when short, else by its closing quote.
fn previous_token(text: &str, at: usize) -> Option<&str> {
    let before = text.get(..at)?;
    let last = lexer::code_tokens(before).pop()?;
    let token = last.text(before);
    let quoted = matches!(
        last.kind,
        TokenKind::String { terminated: true } | TokenKind::Backtick { terminated: true }
    );
    Some(if quoted && token.len() > 40 {
        &token[token.len() - 1..]
    } else {
        token
    })
}

/// What `rule` stands for, in Cypher terms.
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
        | count_subquery
        | collect_subquery
        | map_projection
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
        | op_div | op_mod | op_pow | op_is_null | op_is_not_null | subscript | slice_dots
        | property_lookup => "an operator",
        statement | query | single_query | match_clause | unwind_clause | with_clause
        | return_clause | create_clause | merge_clause | set_clause | remove_clause
        | delete_clause | call_clause | call_subquery | foreach_clause | load_csv_clause
        | optional | detach | explain | profile => "a clause",
        with_headers | HEADERS => "`HEADERS`",
        CSV => "`CSV`",
        LOAD => "`LOAD`",
        FROM => "`FROM`",
        field_terminator | FIELDTERMINATOR => "`FIELDTERMINATOR` and a string such as ';'",
        import_scope => "a variable scope such as `(a, b)`",
        map_projection_all | map_projection_property | map_projection_entry => {
            "a map projection item such as `.key`"
        }
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
        exists_name => "an expression",
        case_alternative | WHEN => "`WHEN`",
        case_else | ELSE => "`ELSE`",
        END => "`END`",
        THEN => "`THEN`",
        variable | unescaped_name | escaped_name => "a name",
        schema_name => "a name",
        quantifier => "a quantifier",
        EOI => "the end of the statement",
        _ => "valid Cypher",
    }
}

#[cfg(test)]
mod tests {
    use super::{previous_token, token_at};
    use crate::error::{ErrorCode, Span};
    use crate::parser::test_support::assert_syntax_error;

    /// The error's span start and message for `text`.
    fn failure(text: &str) -> (usize, String) {
        let error = assert_syntax_error(text, Some(ErrorCode::UnexpectedSyntax));
        (error.span.map_or(usize::MAX, |s| s.start), error.message)
    }

    #[test]
    fn messages_name_what_was_expected_where() {
        let (at, message) = failure("RETURN {a 1}");
        assert_eq!(at, 10);
        assert!(message.contains("`:`"), "{message}");
        let (at, message) = failure("MATCH (n RETURN n");
        assert_eq!(at, 9);
        assert!(
            message.contains("`)`") && message.contains("label"),
            "{message}"
        );
        let (at, message) = failure("RETURN [1, 2");
        assert_eq!(at, 12);
        assert!(
            message.contains("`]`") && message.contains("the end of the input"),
            "{message}"
        );
        let (_, message) = failure("MATCH (n) WHERE n.name = \"x\" RETRUN n");
        assert!(message.contains("after `\"x\"`"), "{message}");
        let (at, message) = failure("MATCH (n) WHERE n.x = 1 AND RETURN n");
        assert_eq!(at, 28);
        assert!(
            message.starts_with("expected an expression after `AND`"),
            "{message}"
        );
        let (_, message) = failure("MATC (n) RETURN n");
        assert!(message.ends_with("did you mean `MATCH`?"), "{message}");
        let (at, message) = failure("RETURN 1 AS end");
        assert_eq!(at, 12);
        assert!(message.contains("reserved word"), "{message}");
        for message in [
            failure("MATCH (n)-[r->(m) RETURN n").1,
            failure("RETURN count(").1,
        ] {
            assert!(
                !message.contains("op_") && !message.contains("_"),
                "{message}"
            );
        }
    }

    #[test]
    fn load_csv_mistakes_name_the_missing_word() {
        let (at, message) = failure("LOAD CSV WITH HEADER FROM 'x' AS r RETURN r");
        assert_eq!(at, 14);
        assert!(message.contains("`HEADERS`"), "{message}");
        let (at, message) = failure("LOAD CSV 'x' AS r RETURN r");
        assert_eq!(at, 9);
        assert!(message.contains("`FROM`"), "{message}");
    }

    #[test]
    fn unsupported_features_say_so() {
        use crate::error::ErrorKind;
        for text in [
            "CREATE DATABASE other",
            "DROP USER someone",
            "USE db MATCH (n) RETURN n",
            "UNWIND [1] AS x CALL { WITH x CREATE () } IN TRANSACTIONS",
        ] {
            let error = crate::parser::parse(text).expect_err(text);
            assert_eq!(error.kind, ErrorKind::NotSupported, "{text}: {error:?}");
            assert!(error.span.is_some(), "{text}");
        }
    }

    #[test]
    fn lexical_errors() {
        let error = assert_syntax_error("RETURN `abc", Some(ErrorCode::UnexpectedSyntax));
        assert_eq!(error.span, Some(Span::new(7, 11)));
        let error = assert_syntax_error("RETURN 1 /* x", Some(ErrorCode::UnexpectedSyntax));
        assert_eq!(error.span, Some(Span::new(9, 13)));
        // Quotes inside comments and names do not open strings.
        assert!(crate::parser::parse("RETURN 1 // it's\n").is_ok());
        assert!(crate::parser::parse("RETURN 1 AS `it's`").is_ok());
    }

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
