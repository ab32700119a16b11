//! The one lexer: cuts Cypher text into tokens (words, strings, numbers, comments, brackets,
//! punctuation) without parsing it. The script splitter, the parser's error messages and the
//! shell's highlighting and completion all read text through it. Hand-written because it
//! must never fail (an unterminated string runs to the end) and must run on half-typed input,
//! which the pest grammar cannot tokenise.

use crate::error::Span;

/// What a lexical token is; enough for splitting, highlighting and completion, not for parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Whitespace,
    /// `// ...` up to the line end.
    LineComment,
    /// `/* ... */`; `terminated` is false when the text ends inside it.
    BlockComment {
        terminated: bool,
    },
    /// `'...'` or `"..."`, with backslash escapes.
    String {
        terminated: bool,
    },
    /// `` `...` `` (an escaped name).
    Backtick {
        terminated: bool,
    },
    /// A keyword or name: letters, digits and `_`, not starting with a digit.
    Word,
    /// An integer or float literal.
    Number,
    /// `$name` or `$0`.
    Parameter,
    /// One of `( [ {`.
    Open,
    /// One of `) ] }`.
    Close,
    Semicolon,
    /// Any other character (operators, `:`, `.`, `,`, ...).
    Punct,
}

/// A token: its kind and byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
}

impl Token {
    /// The token's text within `source`.
    pub fn text<'s>(&self, source: &'s str) -> &'s str {
        source.get(self.span.start..self.span.end).unwrap_or("")
    }

    /// Whether the token is whitespace or a comment.
    pub fn is_trivia(&self) -> bool {
        matches!(
            self.kind,
            TokenKind::Whitespace | TokenKind::LineComment | TokenKind::BlockComment { .. }
        )
    }
}

/// Cuts `text` into tokens; never fails, an unterminated string or comment runs to the end.
pub fn tokens(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let c = bytes[i];
        let kind = match c {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
                TokenKind::LineComment
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let end = text[i + 2..].find("*/").map(|n| i + 2 + n + 2);
                i = end.unwrap_or(bytes.len());
                TokenKind::BlockComment {
                    terminated: end.is_some(),
                }
            }
            b'\'' | b'"' | b'`' => {
                let (end, terminated) = quoted_end(bytes, i, c);
                i = end;
                if c == b'`' {
                    TokenKind::Backtick { terminated }
                } else {
                    TokenKind::String { terminated }
                }
            }
            b'(' | b'[' | b'{' => {
                i += 1;
                TokenKind::Open
            }
            b')' | b']' | b'}' => {
                i += 1;
                TokenKind::Close
            }
            b';' => {
                i += 1;
                TokenKind::Semicolon
            }
            b'$' => {
                i += 1;
                i = word_end(text, i);
                TokenKind::Parameter
            }
            c if c.is_ascii_digit() => {
                i = number_end(bytes, i);
                TokenKind::Number
            }
            _ if word_end(text, i) > i => {
                i = word_end(text, i);
                TokenKind::Word
            }
            c if c.is_ascii_whitespace() => {
                while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                TokenKind::Whitespace
            }
            _ => {
                // One character, whole (it may be multi-byte).
                i += text[i..].chars().next().map_or(1, char::len_utf8);
                TokenKind::Punct
            }
        };
        out.push(Token {
            kind,
            span: Span::new(start, i),
        });
    }
    out
}

/// The tokens of `text` without whitespace and comments.
pub fn code_tokens(text: &str) -> Vec<Token> {
    tokens(text)
        .into_iter()
        .filter(|t| !t.is_trivia())
        .collect()
}

/// The end of the word starting at `start`: letters (any script), digits and `_`, as
/// Cypher's identifiers; `start` itself when no word starts there.
fn word_end(text: &str, start: usize) -> usize {
    text[start..]
        .char_indices()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '_'))
        .map_or(text.len(), |(n, _)| start + n)
}

fn quoted_end(bytes: &[u8], start: usize, quote: u8) -> (usize, bool) {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote != b'`' => i += 2,
            b if b == quote => {
                // A doubled backtick inside a backtick name is an escaped backtick.
                if quote == b'`' && bytes.get(i + 1) == Some(&b'`') {
                    i += 2;
                    continue;
                }
                return (i + 1, true);
            }
            _ => i += 1,
        }
    }
    (bytes.len(), false)
}

fn number_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    let digits = |i: &mut usize| {
        while *i < bytes.len() && (bytes[*i].is_ascii_alphanumeric() || bytes[*i] == b'_') {
            *i += 1;
        }
    };
    digits(&mut i);
    if bytes.get(i) == Some(&b'.') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        digits(&mut i);
    }
    // Exponent sign, as in 1e-5 (the letters were taken by `digits`).
    if matches!(bytes.get(i), Some(b'-' | b'+')) && matches!(bytes.get(i - 1), Some(b'e' | b'E')) {
        i += 1;
        digits(&mut i);
    }
    i
}
