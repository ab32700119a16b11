//! Syntax highlighting of the REPL's input: keywords, strings, numbers, parameters,
//! comments, the bracket at the cursor with its partner, and unterminated strings or
//! comments marked in red. Continuation prompts are drawn dimmed.

use kg::script::{Token, TokenKind, tokens};

use super::continuation::{CONTINUATION, blank_prompts};
use super::words::is_keyword;

// ANSI SGR codes of each kind of token.
const KEYWORD: &str = "1;34";
const STRING: &str = "32";
const NUMBER: &str = "36";
const PARAM: &str = "35";
const COMMENT: &str = "2";
const UNTERMINATED: &str = "1;4;31";
const BRACKET: &str = "1;7";
const META: &str = "1;33";

/// The line with ANSI colours: keywords, strings, numbers, parameters, comments, the bracket
/// at the cursor with its match, and unterminated strings or comments underlined in red.
pub fn highlight(line: &str, pos: usize) -> String {
    // Continuation prompts read as whitespace (same length, so every offset holds) and are
    // drawn dimmed, whatever token they sit in.
    let blanked = blank_prompts(line);
    let toks = tokens(&blanked);
    let matched = matching_brackets(&toks, pos);
    let meta_line = line.trim_start().starts_with(':');
    let mut out = String::with_capacity(line.len() * 2);
    for (i, t) in toks.iter().enumerate() {
        let text = t.text(line);
        let code = match t.kind {
            _ if meta_line && i <= 1 && !t.is_trivia() => Some(META),
            TokenKind::Word if is_keyword(text) => Some(KEYWORD),
            TokenKind::String { terminated: true } => Some(STRING),
            TokenKind::Number => Some(NUMBER),
            TokenKind::Parameter => Some(PARAM),
            TokenKind::LineComment | TokenKind::BlockComment { terminated: true } => Some(COMMENT),
            TokenKind::String { terminated: false }
            | TokenKind::Backtick { terminated: false }
            | TokenKind::BlockComment { terminated: false } => Some(UNTERMINATED),
            TokenKind::Open | TokenKind::Close if matched.contains(&t.span.start) => Some(BRACKET),
            _ => None,
        };
        for (i, part) in text.split(CONTINUATION).enumerate() {
            if i > 0 {
                out.push_str(&format!("\n\x1b[{COMMENT}m{}\x1b[0m", &CONTINUATION[1..]));
            }
            match code {
                Some(code) if !part.is_empty() => {
                    out.push_str(&format!("\x1b[{code}m{part}\x1b[0m"))
                }
                _ => out.push_str(part),
            }
        }
    }
    out
}

/// Byte offsets of the bracket next to the cursor and its partner.
fn matching_brackets(toks: &[Token], pos: usize) -> Vec<usize> {
    let brackets: Vec<&Token> = toks
        .iter()
        .filter(|t| matches!(t.kind, TokenKind::Open | TokenKind::Close))
        .collect();
    let at = brackets
        .iter()
        .position(|t| t.span.start == pos)
        .or_else(|| brackets.iter().position(|t| t.span.end == pos));
    let Some(at) = at else { return Vec::new() };
    let mut depth = 0i64;
    let found = if brackets[at].kind == TokenKind::Open {
        brackets[at..].iter().find(|t| {
            depth += if t.kind == TokenKind::Open { 1 } else { -1 };
            depth == 0
        })
    } else {
        brackets[..=at].iter().rev().find(|t| {
            depth += if t.kind == TokenKind::Close { 1 } else { -1 };
            depth == 0
        })
    };
    match found {
        Some(other) => vec![brackets[at].span.start, other.span.start],
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlighting_marks_keywords_and_unterminated_strings() {
        let text = highlight("MATCH (n) RETURN 'x", 0);
        assert!(text.starts_with("\x1b[1;34mMATCH\x1b[0m"));
        assert!(text.ends_with("\x1b[1;4;31m'x\x1b[0m"));
        // The cursor after `)` lights both brackets.
        let text = highlight("RETURN (1)", 10);
        assert_eq!(text.matches("\x1b[1;7m").count(), 2);
    }

    #[test]
    fn continuation_prompts_are_dimmed_not_read_as_cypher() {
        assert_eq!(
            highlight("RETURN\n ->\u{a0}'a\n ->\u{a0}b'", 0),
            "\x1b[1;34mRETURN\x1b[0m\n\x1b[2m ->\u{a0}\x1b[0m\x1b[32m'a\x1b[0m\n\x1b[2m ->\u{a0}\x1b[0m\x1b[32mb'\x1b[0m"
        );
    }
}
