//! Splits script text into statements and `:meta` command lines, each with its byte offset in
//! the script, so errors can be reported as `FILE:LINE:COLUMN` from the start of the file.
//! It respects strings, backtick identifiers, `//` and `/* */` comments, and brackets.
//! It does not parse Cypher: statements go to `Session::run` as text.

pub use crate::lexer::{Token, TokenKind, code_tokens, tokens};

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
    use crate::error::Span;

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
