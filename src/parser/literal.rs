//! Literals (numbers, strings, parameters) and names: the leaves of expressions, with the
//! TCK's literal error codes (IntegerOverflow, InvalidNumberLiteral, InvalidUnicodeLiteral,
//! FloatingPointOverflow).

use super::Rule;
use super::errors::syntax_error;
use super::helpers::{Pair, children, exactly_one, span_of};
use crate::ast::{ExprKind, Ident};
use crate::error::{ErrorCode, QueryError, Result, Span};

/// An integer literal too large for 64 bits (TCK Literals: IntegerOverflow).
pub(super) fn integer_overflow(span: Span) -> QueryError {
    syntax_error(
        ErrorCode::IntegerOverflow,
        "integer literal is out of range (integers are 64-bit: -9223372036854775808 to 9223372036854775807)",
        span,
    )
}

/// An integer literal's value. `9223372036854775808` is only valid negated (as i64::MIN),
/// which the expression builder decides.
pub(super) enum IntegerLiteral {
    Value(i64),
    MinMagnitude,
}

/// Decimal, hexadecimal (`0x`) or octal (`0o`) integer literal.
pub(super) fn build_integer_literal(pair: Pair<'_>) -> Result<IntegerLiteral> {
    let span = span_of(&pair);
    let digits = exactly_one(pair)?;
    let text = digits.as_str();
    let invalid = |why: &str| {
        syntax_error(
            ErrorCode::InvalidNumberLiteral,
            format!("invalid number literal `{text}`: {why}"),
            span,
        )
    };
    let (body, radix) = match digits.as_rule() {
        Rule::hex_integer => (&text[2..], 16),
        Rule::octal_integer => (&text[2..], 8),
        _ if text.len() > 1 && text.starts_with('0') => {
            return Err(invalid(
                "leading zeros are not allowed (octal literals are written 0o17)",
            ));
        }
        _ => (text, 10),
    };
    if body.is_empty() {
        return Err(invalid("digits are missing"));
    }
    if let Some(bad) = body.chars().find(|c| !c.is_digit(radix)) {
        return Err(invalid(&format!("`{bad}` is not a base-{radix} digit")));
    }
    let magnitude = u64::from_str_radix(body, radix).map_err(|_| integer_overflow(span))?;
    match i64::try_from(magnitude) {
        Ok(value) => Ok(IntegerLiteral::Value(value)),
        Err(_) if magnitude == i64::MIN.unsigned_abs() => Ok(IntegerLiteral::MinMagnitude),
        Err(_) => Err(integer_overflow(span)),
    }
}

/// A float literal such as `1.5` or `1e3`.
pub(super) fn build_float_literal(pair: Pair<'_>) -> Result<f64> {
    let span = span_of(&pair);
    let value: f64 = pair.as_str().parse().map_err(|_| {
        syntax_error(
            ErrorCode::InvalidNumberLiteral,
            format!("invalid number literal `{}`", pair.as_str()),
            span,
        )
    })?;
    if value.is_infinite() {
        return Err(syntax_error(
            ErrorCode::FloatingPointOverflow,
            format!("float literal `{}` is too large", pair.as_str()),
            span,
        ));
    }
    Ok(value)
}

/// A quoted string with its escapes decoded: `\\ \' \" \n \t \r \b \f \uXXXX \UXXXXXXXX`.
/// Other backslashes are kept as written (regular expressions use them).
pub(super) fn build_string_literal(pair: Pair<'_>) -> Result<String> {
    let body = exactly_one(pair)?;
    let start = body.as_span().start();
    let text = body.as_str();
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some((_, escaped)) = chars.next() else {
            out.push('\\');
            break;
        };
        match escaped {
            '\\' | '\'' | '"' => out.push(escaped),
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{C}'),
            'u' | 'U' => {
                let width = if escaped == 'u' { 4 } else { 8 };
                let code = read_hex(&mut chars, width)
                    .ok_or_else(|| invalid_unicode(text, start, at, width))?;
                let decoded = match code {
                    0xD800..=0xDBFF => low_surrogate(&mut chars).and_then(|low| {
                        char::from_u32(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00))
                    }),
                    _ => char::from_u32(code),
                };
                out.push(decoded.ok_or_else(|| invalid_unicode(text, start, at, width))?);
            }
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    Ok(out)
}

type CharIndices<'a> = std::iter::Peekable<std::str::CharIndices<'a>>;

fn read_hex(chars: &mut CharIndices<'_>, width: usize) -> Option<u32> {
    let mut code = 0u32;
    for _ in 0..width {
        let digit = chars.next_if(|(_, c)| c.is_ascii_hexdigit())?.1;
        code = code * 16 + digit.to_digit(16)?;
    }
    Some(code)
}

/// The `\uDC00`-`\uDFFF` half that must follow a high surrogate.
fn low_surrogate(chars: &mut CharIndices<'_>) -> Option<u32> {
    chars.next_if(|&(_, c)| c == '\\')?;
    chars.next_if(|&(_, c)| c == 'u')?;
    read_hex(chars, 4).filter(|low| (0xDC00..=0xDFFF).contains(low))
}

fn invalid_unicode(text: &str, start: usize, at: usize, width: usize) -> QueryError {
    let end = (at + 2 + width).min(text.len());
    let written = text.get(at..end).unwrap_or("\\u");
    syntax_error(
        ErrorCode::InvalidUnicodeLiteral,
        format!(
            "invalid unicode escape `{written}`: expected {width} hex digits naming a character"
        ),
        Span::new(start + at, start + end),
    )
}

/// `$name` or `$0`; the value stays out of the AST (STYLE rule 12).
pub(super) fn build_parameter(pair: Pair<'_>) -> Result<ExprKind> {
    let name = exactly_one(pair)?;
    Ok(ExprKind::Parameter(match name.as_rule() {
        Rule::parameter_index => name.as_str().to_string(),
        _ => build_schema_name(name)?.name,
    }))
}

// --- Names --------------------------------------------------------------------------------

/// A variable (not a reserved word unless backtick-quoted).
pub(super) fn build_variable(pair: Pair<'_>) -> Result<Ident> {
    debug_assert_eq!(pair.as_rule(), Rule::variable);
    build_name(pair)
}

/// A label, relationship type, property key or name part: reserved words allowed.
pub(super) fn build_schema_name(pair: Pair<'_>) -> Result<Ident> {
    debug_assert_eq!(pair.as_rule(), Rule::schema_name);
    build_name(pair)
}

/// Any name, with backtick quoting removed.
pub(super) fn build_name(pair: Pair<'_>) -> Result<Ident> {
    let span = span_of(&pair);
    let inner = exactly_one(pair)?;
    let text = inner.as_str();
    let name = match inner.as_rule() {
        Rule::escaped_name => text[1..text.len() - 1].replace("``", "`"),
        _ => text.to_string(),
    };
    Ok(Ident::new(name, span))
}

/// `:A:B` as a list of labels.
pub(super) fn build_node_labels(pair: Pair<'_>) -> Result<Vec<Ident>> {
    debug_assert_eq!(pair.as_rule(), Rule::node_labels);
    children(pair).map(build_schema_name).collect()
}

#[cfg(test)]
mod tests {
    use crate::ast::{Clause, ExprKind, Literal};
    use crate::error::{ErrorCode, Span};
    use crate::parser::test_support::*;

    /// The expression of `RETURN <text>`, printed canonically.
    fn expr(text: &str) -> String {
        let printed = canonical(&format!("RETURN {text}"));
        printed.trim_start_matches("RETURN ").to_string()
    }

    fn literal(text: &str) -> Literal {
        let statements = crate::parser::parse(&format!("RETURN {text}")).expect("parses");
        let Clause::Return(ret) = &statements[0].query.first.clauses[0] else {
            panic!("not a RETURN");
        };
        match &ret.projection.items[0].expr.kind {
            ExprKind::Literal(literal) => literal.clone(),
            other => panic!("{text}: not a literal: {other:?}"),
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(literal("0x1F"), Literal::Integer(31));
        assert_eq!(literal("0o17"), Literal::Integer(15));
        assert_eq!(literal("-9223372036854775808"), Literal::Integer(i64::MIN));
        assert_eq!(literal("-0x8000000000000000"), Literal::Integer(i64::MIN));
        assert_eq!(literal("9223372036854775807"), Literal::Integer(i64::MAX));
        assert_eq!(literal(".5"), Literal::Float(0.5));
        assert_eq!(literal("1e10"), Literal::Float(1e10));
        assert_eq!(literal("1.5e-3"), Literal::Float(1.5e-3));
        assert_eq!(literal("-.1E-5"), Literal::Float(-0.1e-5));
        assert_eq!(expr("- 5"), "-5");
        assert_eq!(expr("-(5)"), "-(5)");
        assert_eq!(expr("--5"), "-(-5)");
    }

    #[test]
    fn bad_numbers() {
        use ErrorCode::*;
        assert_syntax_error("RETURN 9223372036854775808", Some(IntegerOverflow));
        assert_syntax_error("RETURN -9223372036854775809", Some(IntegerOverflow));
        assert_syntax_error("RETURN 0x8000000000000000", Some(IntegerOverflow));
        assert_syntax_error("RETURN 0o1000000000000000000000", Some(IntegerOverflow));
        assert_syntax_error("RETURN 0x", Some(InvalidNumberLiteral));
        assert_syntax_error("RETURN 0x1A2b3j4D5E6f7", Some(InvalidNumberLiteral));
        assert_syntax_error("RETURN 1.34E999", Some(FloatingPointOverflow));
        assert_syntax_error("RETURN 9223372#54775808", Some(UnexpectedSyntax));
        // The span points at the literal.
        let error = assert_syntax_error("RETURN 1 + 9223372036854775808", Some(IntegerOverflow));
        assert_eq!(error.span, Some(Span::new(11, 30)));
    }

    #[test]
    fn strings() {
        assert_eq!(
            literal(r#"'a\\b\'"\n\t\r\u0041\U0001F600'"#),
            Literal::String("a\\b'\"\n\t\rA😀".into())
        );
        assert_eq!(literal(r#""it's""#), Literal::String("it's".into()));
        assert_eq!(literal(r"'\uD83D\uDE00'"), Literal::String("😀".into()));
        assert_eq!(expr(r#""say \"hi\"""#), r#"'say "hi"'"#);
        assert_eq!(expr(r"'\d+'"), r"'\\d+'");
        assert_syntax_error(r"RETURN '\uH'", Some(ErrorCode::InvalidUnicodeLiteral));
        let error = assert_syntax_error("RETURN 'abc", Some(ErrorCode::UnexpectedSyntax));
        assert_eq!(error.span, Some(Span::new(7, 11)));
        assert!(
            error.message.contains("unterminated string"),
            "{}",
            error.message
        );
    }
}
