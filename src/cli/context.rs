//! What the text around the cursor says, read from its tokens: the bracket it ends in,
//! the variables it binds, the label or type a variable was given, and the patterns on
//! either side of a relationship or node being typed. Completion ranks by these.

use std::collections::BTreeSet;

use kg::script::{Token, TokenKind, code_tokens};

use super::words::is_keyword;

/// The relationship pattern just before the node pattern the text ends in: its type, and
/// whether the node is its end (`->(`), its start (`<-[..]-(`) or either (`-[..]-(`).
pub(super) fn rel_before_node(text: &str, toks: &[Token]) -> Option<(String, Option<bool>)> {
    let open = toks.iter().rposition(|t| t.text(text) == "(")?;
    let mut i = open.checked_sub(1)?;
    let points_here = toks[i].text(text) == ">";
    i = i.checked_sub(usize::from(points_here))?;
    if toks[i].text(text) != "-" || toks.get(i.checked_sub(1)?)?.text(text) != "]" {
        return None;
    }
    let close = i - 1;
    let bracket = toks[..close].iter().rposition(|t| t.text(text) == "[")?;
    let inside = &toks[bracket + 1..close];
    let colon = inside.iter().position(|t| t.text(text) == ":")?;
    let rel_type = inside
        .get(colon + 1)?
        .text(text)
        .trim_matches('`')
        .to_string();
    let from_here = bracket >= 2 && toks[bracket - 2].text(text) == "<";
    let end = match (points_here, from_here) {
        (true, _) => Some(true),
        (false, true) => Some(false),
        (false, false) => None,
    };
    Some((rel_type, end))
}

/// The node pattern just before the open `[` the text ends in: its label (written there,
/// or given to its variable elsewhere in `text`), and whether it has `<-` (is the end).
pub(super) fn node_before_rel(text: &str, toks: &[Token]) -> Option<(Option<String>, bool)> {
    let mut depth = 0;
    let open = toks.iter().rposition(|t| match t.kind {
        TokenKind::Close => {
            depth += 1;
            false
        }
        TokenKind::Open if depth > 0 => {
            depth -= 1;
            false
        }
        TokenKind::Open => true,
        _ => false,
    })?;
    let mut i = open.checked_sub(1)?;
    if toks[i].text(text) != "-" {
        return None;
    }
    let incoming = i > 0 && toks[i - 1].text(text) == "<";
    i -= usize::from(incoming) + 1;
    if toks.get(i)?.text(text) != ")" {
        return None;
    }
    let start = toks[..i].iter().rposition(|t| t.text(text) == "(")?;
    let inside = &toks[start + 1..i];
    let label = match inside {
        [var, ..]
            if var.kind == TokenKind::Word && inside.get(1).is_none_or(|t| t.text(text) != ":") =>
        {
            match label_of(text, var.text(text)) {
                Some(Bound::Label(label)) => Some(label),
                _ => None,
            }
        }
        _ => inside
            .iter()
            .position(|t| t.text(text) == ":")
            .and_then(|c| inside.get(c + 1))
            .map(|t| t.text(text).trim_matches('`').to_string()),
    };
    Some((label, incoming))
}

/// The node pattern after the `]` of the relationship being typed, read from the text after
/// the cursor: its label, and whether the arrow `->` points at it.
pub(super) fn node_after_rel(after: &str) -> Option<(Option<String>, bool)> {
    let toks = code_tokens(after);
    let close = toks.iter().position(|t| t.text(after) == "]")?;
    let rest: Vec<&str> = toks[close + 1..].iter().map(|t| t.text(after)).collect();
    let (outgoing, node) = match rest.as_slice() {
        ["-", ">", "(", node @ ..] => (true, node),
        ["-", "(", node @ ..] => (false, node),
        _ => return None,
    };
    let label = match node {
        [":", label, ..] | [_, ":", label, ..] => Some(label.trim_matches('`').to_string()),
        _ => None,
    };
    Some((label, outgoing))
}

/// The bracket the text ends inside, if any.
pub(super) fn innermost_bracket(text: &str, toks: &[Token]) -> Option<char> {
    let mut stack = Vec::new();
    for t in toks {
        match t.kind {
            TokenKind::Open => stack.push(t.text(text).chars().next().unwrap_or('(')),
            TokenKind::Close => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack.last().copied()
}

/// Variables bound in patterns (`(x`, `[x`) or by `AS x`.
pub(super) fn variables_in(text: &str) -> BTreeSet<String> {
    let toks = code_tokens(text);
    let mut vars = BTreeSet::new();
    for pair in toks.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let opener = matches!(a.text(text), "(" | "[") || a.text(text).eq_ignore_ascii_case("AS");
        if opener && b.kind == TokenKind::Word && !is_keyword(b.text(text)) {
            vars.insert(b.text(text).to_string());
        }
    }
    vars
}

/// What a pattern gave a variable: a node label or a relationship type.
pub(super) enum Bound {
    Label(String),
    RelType(String),
}

/// The label written for `variable` in a node pattern `(variable:Label`, or the type in a
/// relationship pattern `[variable:TYPE`.
pub(super) fn label_of(text: &str, variable: &str) -> Option<Bound> {
    let toks = code_tokens(text);
    toks.windows(4).find_map(|w| {
        let name = w[3].text(text).trim_matches('`').to_string();
        let bound = w[1].text(text) == variable
            && w[2].text(text) == ":"
            && matches!(w[3].kind, TokenKind::Word | TokenKind::Backtick { .. });
        match w[0].text(text) {
            "(" if bound => Some(Bound::Label(name)),
            "[" if bound => Some(Bound::RelType(name)),
            _ => None,
        }
    })
}
