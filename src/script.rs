//! Splits script text into statements and `:meta` command lines, each with its byte offset in
//! the script, so errors can be reported as `FILE:LINE:COLUMN` from the start of the file.
//! It respects strings, backtick identifiers, `//` and `/* */` comments, and brackets.
//! It does not parse Cypher: statements go to `Session::run` as text.

use crate::error::Span;

/// One piece of a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScriptItem<'a> {
    /// A Cypher statement without its terminating `;`, e.g. `MATCH (n) RETURN n`.
    Statement { text: &'a str, offset: usize },
    /// A meta-command line without its line end, e.g. `:param name => 'Uisee'`.
    Meta { text: &'a str, offset: usize },
}

impl<'a> ScriptItem<'a> {
    /// The item's text.
    pub fn text(&self) -> &'a str {
        match self {
            ScriptItem::Statement { text, .. } | ScriptItem::Meta { text, .. } => text,
        }
    }

    /// Byte offset of the item's first character in the script.
    pub fn offset(&self) -> usize {
        match self {
            ScriptItem::Statement { offset, .. } | ScriptItem::Meta { offset, .. } => *offset,
        }
    }
}

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
                while i < bytes.len() && is_word_byte(bytes[i]) {
                    i += 1;
                }
                TokenKind::Parameter
            }
            c if c.is_ascii_digit() => {
                i = number_end(bytes, i);
                TokenKind::Number
            }
            c if is_word_byte(c) => {
                while i < bytes.len() && is_word_byte(bytes[i]) {
                    i += 1;
                }
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

/// Letters (including non-ASCII ones, taken whole), digits and `_`.
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
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

/// Splits a script into statements and meta-command lines, in order. Empty statements
/// (only whitespace and comments) are dropped; a final statement may omit its `;`.
pub fn split(text: &str) -> Vec<ScriptItem<'_>> {
    let toks = tokens(text);
    let mut items = Vec::new();
    // Start of the current statement's first non-trivia token, if any.
    let mut start: Option<usize> = None;
    let mut end = 0;
    let mut i = 0;
    while i < toks.len() {
        let tok = toks[i];
        // No statement starts with `:`, so one where a statement would start is a meta-command,
        // at a line's start or after a `;` (`MATCH (n) RETURN n LIMIT 1; :why`).
        if start.is_none() && tok.text(text) == ":" {
            let line_end = text[tok.span.start..]
                .find('\n')
                .map_or(text.len(), |n| tok.span.start + n);
            let line = text[tok.span.start..line_end].trim_end();
            items.push(ScriptItem::Meta {
                text: line,
                offset: tok.span.start,
            });
            while i < toks.len() && toks[i].span.start < line_end {
                i += 1;
            }
            continue;
        }
        match tok.kind {
            TokenKind::Semicolon => {
                if let Some(s) = start.take() {
                    items.push(ScriptItem::Statement {
                        text: &text[s..end],
                        offset: s,
                    });
                }
            }
            _ if tok.is_trivia() => {}
            _ => {
                start.get_or_insert(tok.span.start);
                end = tok.span.end;
            }
        }
        i += 1;
    }
    if let Some(s) = start {
        items.push(ScriptItem::Statement {
            text: &text[s..end],
            offset: s,
        });
    }
    items
}

/// Whether REPL input is ready to run: ending in a meta-command line, statements whose last
/// non-comment token is a `;` outside strings, comments and brackets, or only comments
/// (nothing to run, so nothing to wait for).
pub fn is_complete(text: &str) -> bool {
    if text.trim_start().starts_with(':')
        || matches!(split(text).last(), Some(ScriptItem::Meta { .. }))
    {
        return true;
    }
    let mut depth: i64 = 0;
    let mut last = None;
    for tok in tokens(text) {
        match tok.kind {
            TokenKind::String { terminated: false }
            | TokenKind::Backtick { terminated: false }
            | TokenKind::BlockComment { terminated: false } => return false,
            TokenKind::Open => depth += 1,
            TokenKind::Close => depth -= 1,
            _ => {}
        }
        if !tok.is_trivia() {
            last = Some((tok.kind, depth));
        }
    }
    match last {
        None => true,
        Some((kind, depth)) => kind == TokenKind::Semicolon && depth <= 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(script: &str) -> Vec<(&str, usize)> {
        split(script)
            .iter()
            .map(|i| (i.text(), i.offset()))
            .collect()
    }

    #[test]
    fn splits_on_semicolons_outside_strings_and_comments() {
        let script = "RETURN 'a;b' AS x; // c;d\nRETURN `e;f` /* g; */ ;\nRETURN 1";
        assert_eq!(
            texts(script),
            vec![
                ("RETURN 'a;b' AS x", 0),
                ("RETURN `e;f`", 26),
                ("RETURN 1", script.len() - 8),
            ]
        );
    }

    #[test]
    fn meta_lines_stand_alone() {
        let script =
            "// setup\n:param name => 'Uisee'\nMATCH (c {name: $name})\nRETURN c;\n:params\n";
        let items = split(script);
        assert_eq!(
            items,
            vec![
                ScriptItem::Meta {
                    text: ":param name => 'Uisee'",
                    offset: 9
                },
                ScriptItem::Statement {
                    text: "MATCH (c {name: $name})\nRETURN c",
                    offset: 32
                },
                ScriptItem::Meta {
                    text: ":params",
                    offset: 66
                },
            ]
        );
    }

    #[test]
    fn a_meta_command_may_follow_a_statement_on_its_line() {
        let script = "MATCH (n) RETURN n; :why\nRETURN 1;";
        assert_eq!(
            texts(script),
            vec![("MATCH (n) RETURN n", 0), (":why", 20), ("RETURN 1", 25)]
        );
        assert!(is_complete("MATCH (n) RETURN n; :why"));
        assert!(is_complete("RETURN 1; :find it's"));
        assert!(!is_complete("RETURN 1; :why\nRETURN 2"));
    }

    #[test]
    fn colon_inside_a_statement_is_not_meta() {
        let script = "MATCH (n\n:Person) RETURN n";
        assert_eq!(texts(script), vec![(script, 0)]);
    }

    #[test]
    fn empty_statements_are_dropped() {
        assert!(split(" ; // nothing\n;/* x */").is_empty());
    }

    #[test]
    fn completeness_needs_a_final_semicolon_outside_everything() {
        assert!(is_complete("RETURN 1;"));
        assert!(is_complete("RETURN 1; // done"));
        assert!(!is_complete("RETURN 1"));
        assert!(!is_complete("RETURN 'a;"));
        assert!(!is_complete("RETURN [1;"));
        assert!(!is_complete("RETURN 1; /* open"));
        assert!(is_complete(":help"));
        assert!(is_complete("MATCH (n)\nRETURN n;"));
        assert!(is_complete("// just a note"));
        assert!(!is_complete("/* still open"));
    }

    #[test]
    fn numbers_with_exponents_are_one_token() {
        let toks = tokens("1.5e-3+2");
        assert_eq!(toks[0].span, Span::new(0, 6));
        assert_eq!(toks[0].kind, TokenKind::Number);
    }
}
