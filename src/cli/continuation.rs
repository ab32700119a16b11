//! The `  -> ` continuation prompt of multi-line statements. rustyline has no continuation
//! prompt of its own, so Enter in an unfinished statement inserts a line break and the prompt
//! into the buffer, and `strip_continuations` takes it out before the statement runs.
//!
//! The prompt ends in a no-break space, which nobody types in Cypher: it marks the prompt so
//! that the key handlers here can keep the cursor out of it (rustyline replays a handler's
//! movement with the key's repeat count, so they move by character searches, not by counts),
//! and so that stripping still finds a prompt someone typed into.

use rustyline::{
    CharSearch, Cmd, ConditionalEventHandler, Event, EventContext, Movement, RepeatCount,
};

use kg::script::is_complete;

/// The last character of the prompt: drawn as a space, typed by nobody.
const MARK: char = '\u{a0}';

/// What Enter inserts in an unfinished statement.
pub const CONTINUATION: &str = "\n  ->\u{a0}";

/// The prompt part of `CONTINUATION`, at the start of every continuation line.
const PROMPT: &str = "  ->\u{a0}";

/// The longest line start before a mark still taken as a prompt someone typed into.
const TYPED_INTO: usize = 8;

/// The continuation prompt of kg versions whose history may still hold it.
const OLD_CONTINUATION: &str = "\n  -> ";

/// The statement as typed, without continuation prompts. A prompt that was typed into keeps
/// what was typed, followed by the space the prompt showed.
pub fn strip_continuations(input: &str) -> String {
    let input = input.replace(OLD_CONTINUATION, "\n");
    let mut out = String::with_capacity(input.len());
    let mut rest = input.as_str();
    while let Some(at) = rest.find(MARK) {
        // The prompt is the start of its line, up to the mark, unless a kill command joined
        // it to a longer line: then it is the four characters before the mark.
        let line_start = rest[..at].rfind('\n').map_or(0, |i| i + 1);
        let before = &rest[line_start..at];
        let prompt_start = if before.chars().count() <= TYPED_INTO {
            line_start
        } else {
            before
                .char_indices()
                .rev()
                .take(PROMPT.chars().count() - 1)
                .last()
                .map_or(at, |(i, _)| line_start + i)
        };
        out.push_str(&rest[..prompt_start]);
        let typed: String = rest[prompt_start..at]
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '>'))
            .collect();
        if !typed.is_empty() {
            out.push_str(&typed);
            out.push(' ');
        }
        rest = &rest[at + MARK.len_utf8()..];
    }
    out.push_str(rest);
    out
}

/// Enter: submit a complete statement, otherwise start a continuation line.
pub struct EnterHandler;

impl ConditionalEventHandler for EnterHandler {
    fn handle(
        &self,
        _evt: &Event,
        _n: RepeatCount,
        _positive: bool,
        ctx: &EventContext<'_>,
    ) -> Option<Cmd> {
        let input = strip_continuations(ctx.line());
        if input.trim().is_empty() || is_complete(&input) {
            Some(Cmd::AcceptLine)
        } else {
            Some(Cmd::Insert(1, CONTINUATION.to_string()))
        }
    }
}

/// A key whose default action could put the cursor inside a continuation prompt, or cut
/// one in half.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuardedKey {
    Backspace,
    Delete,
    Left,
    Right,
    Home,
}

/// Runs a guarded key's prompt-aware version; `None` leaves the key to rustyline.
pub struct PromptGuard(pub GuardedKey);

impl ConditionalEventHandler for PromptGuard {
    fn handle(
        &self,
        _evt: &Event,
        _n: RepeatCount,
        _positive: bool,
        ctx: &EventContext<'_>,
    ) -> Option<Cmd> {
        guard(self.0, ctx.line(), ctx.pos())
    }
}

/// The editing command for `key` at byte `pos` of `line`.
pub fn guard(key: GuardedKey, line: &str, pos: usize) -> Option<Cmd> {
    let start = line[..pos].rfind('\n').map_or(0, |i| i + 1);
    let continued = start > 0 && line[start..].starts_with(PROMPT);
    // Where the text of the line starts, after its prompt.
    let text_start = if continued {
        start + PROMPT.len()
    } else {
        start
    };
    let at_line_end = line[pos..].starts_with('\n');
    let before_prompt = at_line_end && line[pos..].starts_with(CONTINUATION);
    match key {
        // At the prompt's end, Backspace joins the line to the previous one, and so does
        // Delete at a line's end: the line break goes with the whole prompt.
        GuardedKey::Backspace if continued && pos == text_start => Some(Cmd::Kill(
            Movement::ViCharSearch(1, CharSearch::Backward('\n')),
        )),
        GuardedKey::Delete if before_prompt => Some(Cmd::Kill(Movement::ViCharSearch(
            1,
            CharSearch::Forward(MARK),
        ))),
        GuardedKey::Backspace | GuardedKey::Delete if continued && pos < text_start => {
            Some(Cmd::Noop)
        }
        GuardedKey::Left if continued && pos <= text_start => Some(Cmd::Move(
            Movement::ViCharSearch(1, CharSearch::Backward('\n')),
        )),
        GuardedKey::Right if before_prompt => Some(Cmd::Move(Movement::ViCharSearch(
            1,
            CharSearch::Forward(MARK),
        ))),
        GuardedKey::Home if continued => Some(Cmd::Move(if pos >= text_start {
            Movement::ViCharSearch(1, CharSearch::BackwardAfter(MARK))
        } else {
            Movement::ViCharSearch(1, CharSearch::Forward(MARK))
        })),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_LINES: &str = "MATCH (n)\n  ->\u{a0}RETURN n";

    /// What a guarded key answers when it deletes up to `search`.
    fn kill(search: CharSearch) -> Option<Cmd> {
        Some(Cmd::Kill(Movement::ViCharSearch(1, search)))
    }

    /// What a guarded key answers when it moves the cursor to `search`.
    fn step(search: CharSearch) -> Option<Cmd> {
        Some(Cmd::Move(Movement::ViCharSearch(1, search)))
    }

    #[test]
    fn continuation_prompts_are_stripped() {
        assert_eq!(strip_continuations(TWO_LINES), "MATCH (n)\nRETURN n");
        // Older history entries have a plain space.
        assert_eq!(
            strip_continuations("MATCH (n)\n  -> RETURN n"),
            "MATCH (n)\nRETURN n"
        );
    }

    #[test]
    fn text_typed_into_a_prompt_is_kept() {
        assert_eq!(
            strip_continuations("MATCH (n)\n  -x>\u{a0}RETURN n"),
            "MATCH (n)\nx RETURN n"
        );
        // A prompt cut in half leaves no `-` or `>` behind.
        assert_eq!(
            strip_continuations("MATCH (n)\n>\u{a0}RETURN n"),
            "MATCH (n)\nRETURN n"
        );
        // A prompt joined into the previous line by a kill command.
        assert_eq!(
            strip_continuations("MATCH (a)-  ->\u{a0}->(b)"),
            "MATCH (a)-->(b)"
        );
    }

    #[test]
    fn backspace_after_the_prompt_joins_the_lines() {
        let at = TWO_LINES.find("RETURN").expect("second line");
        assert_eq!(
            guard(GuardedKey::Backspace, TWO_LINES, at),
            kill(CharSearch::Backward('\n'))
        );
        // Elsewhere Backspace is rustyline's.
        assert_eq!(guard(GuardedKey::Backspace, TWO_LINES, at + 1), None);
        assert_eq!(guard(GuardedKey::Backspace, TWO_LINES, 3), None);
        assert_eq!(
            guard(GuardedKey::Delete, TWO_LINES, 9),
            kill(CharSearch::Forward(MARK))
        );
    }

    #[test]
    fn the_cursor_steps_over_the_prompt() {
        let at = TWO_LINES.find("RETURN").expect("second line");
        assert_eq!(
            guard(GuardedKey::Left, TWO_LINES, at),
            step(CharSearch::Backward('\n'))
        );
        assert_eq!(
            guard(GuardedKey::Right, TWO_LINES, 9),
            step(CharSearch::Forward(MARK))
        );
        assert_eq!(
            guard(GuardedKey::Home, TWO_LINES, at + 3),
            step(CharSearch::BackwardAfter(MARK))
        );
        assert_eq!(guard(GuardedKey::Home, TWO_LINES, 5), None);
        assert_eq!(guard(GuardedKey::Right, TWO_LINES, 5), None);
    }
}
