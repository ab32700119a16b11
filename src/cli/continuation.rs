//! The ` -> ` continuation prompt of multi-line statements. rustyline has no continuation
//! prompt of its own, so Enter in an unfinished statement inserts a line break and the prompt
//! into the buffer, and `strip_continuations` takes it out before the statement runs.
//!
//! The prompt is as wide as `kg> `, so rustyline's Up and Down, which keep the cursor's
//! column across lines, never land inside it. It ends in a no-break space, which nobody
//! types in Cypher: it marks the prompt so that the key handlers here can keep the cursor
//! out of it (rustyline replays a handler's movement with the key's repeat count, so they
//! move by character searches, not by counts), and so that stripping still finds a prompt
//! someone typed into.

use rustyline::{
    CharSearch, Cmd, ConditionalEventHandler, Event, EventContext, Movement, RepeatCount, Word,
};

use kg::script::is_complete;

/// The last character of the prompt: drawn as a space, typed by nobody.
const MARK: char = '\u{a0}';

/// What Enter inserts in an unfinished statement.
pub const CONTINUATION: &str = "\n ->\u{a0}";

/// The prompt part of `CONTINUATION`, at the start of every continuation line.
const PROMPT: &str = " ->\u{a0}";

/// The continuation prompts of older kg versions, which history files may still hold.
const OLD_PROMPTS: [&str; 2] = ["  ->\u{a0}", "  -> "];

/// The longest line start before a mark still taken as a prompt someone typed into.
const TYPED_INTO: usize = 8;

/// The characters a prompt is drawn with.
fn is_prompt_char(c: char) -> bool {
    matches!(c, ' ' | '-' | '>' | MARK)
}

/// The statement as typed, without continuation prompts. A prompt that was typed into keeps
/// what was typed, followed by the space the prompt showed.
pub fn strip_continuations(input: &str) -> String {
    let input = input.replace(&format!("\n{}", OLD_PROMPTS[1]), "\n");
    let mut out = String::with_capacity(input.len());
    let mut rest = input.as_str();
    while let Some(at) = rest.find(MARK) {
        // The prompt is the start of its line, up to the mark, unless a kill command joined
        // it to a longer line: then it is the characters before the mark.
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
            .filter(|c| !is_prompt_char(*c))
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

/// `statement` as the REPL shows it: every line after the first behind a continuation
/// prompt. Pasted statements are kept in history this way, like typed ones.
pub fn with_continuations(statement: &str) -> String {
    statement.trim_end().replace('\n', CONTINUATION)
}

/// `line` with its continuation prompts turned into spaces of the same byte length, so
/// that it reads as Cypher while every offset in it still holds.
pub fn blank_prompts(line: &str) -> String {
    line.replace(
        CONTINUATION,
        &format!("\n{}", " ".repeat(CONTINUATION.len() - 1)),
    )
}

/// The length of the continuation prompt `line` starts with, if it starts with one.
fn prompt_len(line: &str) -> Option<usize> {
    std::iter::once(PROMPT)
        .chain(OLD_PROMPTS)
        .find(|p| line.starts_with(p))
        .map(str::len)
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
    /// Ctrl-U: kill to the start of the line.
    KillToStart,
    /// Ctrl-K: kill to the end of the line.
    KillToEnd,
    /// Ctrl-W (`Word::Big`) and Alt-Backspace (`Word::Emacs`): kill the word before.
    KillWordBefore(Word),
    /// Alt-D: kill the word after.
    KillWordAfter,
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
    let prompt = (start > 0).then(|| prompt_len(&line[start..])).flatten();
    let continued = prompt.is_some();
    // Where the text of the line starts, after its prompt.
    let text_start = start + prompt.unwrap_or(0);
    let before_prompt = line[pos..]
        .strip_prefix('\n')
        .is_some_and(|next| prompt_len(next).is_some());
    let search = |search| Movement::ViCharSearch(1, search);
    // The line break goes with the whole prompt, backwards and forwards.
    let join_previous = Cmd::Kill(search(CharSearch::Backward('\n')));
    let join_next = Cmd::Kill(search(CharSearch::Forward(MARK)));
    let kill_to_text_start = Cmd::Kill(search(CharSearch::BackwardAfter(MARK)));
    match key {
        GuardedKey::Backspace if continued && pos == text_start => Some(join_previous),
        GuardedKey::Delete | GuardedKey::KillToEnd | GuardedKey::KillWordAfter if before_prompt => {
            Some(join_next)
        }
        _ if continued && pos < text_start => match key {
            GuardedKey::Right | GuardedKey::Home => Some(Cmd::Move(to_text(line, start))),
            GuardedKey::Left => Some(Cmd::Move(search(CharSearch::Backward('\n')))),
            _ => Some(Cmd::Noop),
        },
        GuardedKey::KillToStart if continued => Some(if pos > text_start {
            kill_to_text_start
        } else {
            Cmd::Noop
        }),
        // Only when no word is left on the line would the kill reach into the prompt.
        GuardedKey::KillWordBefore(word)
            if continued && !line[text_start..pos].chars().any(|c| is_word_char(word, c)) =>
        {
            Some(if pos > text_start {
                kill_to_text_start
            } else {
                join_previous
            })
        }
        GuardedKey::Left if continued && pos == text_start => {
            Some(Cmd::Move(search(CharSearch::Backward('\n'))))
        }
        GuardedKey::Right if before_prompt => Some(Cmd::Move(to_text(line, pos + 1))),
        GuardedKey::Home if continued => Some(Cmd::Move(search(CharSearch::BackwardAfter(MARK)))),
        _ => None,
    }
}

/// Whether rustyline counts `c` as part of a word of kind `word`.
fn is_word_char(word: Word, c: char) -> bool {
    match word {
        Word::Big => !c.is_whitespace(),
        Word::Emacs => c.is_alphanumeric(),
        Word::Vi => c.is_alphanumeric() || c == '_',
    }
}

/// From before the text of the continuation line starting at `line_start`, the move to that
/// text: a search for its first character that no prompt is drawn with (so the search cannot
/// stop inside the prompt), or for the line's end when the text has none.
fn to_text(line: &str, line_start: usize) -> Movement {
    let rest = &line[line_start..];
    let line_end = rest.find('\n');
    let text = &rest[prompt_len(rest).unwrap_or(0)..line_end.unwrap_or(rest.len())];
    match (text.chars().find(|c| !is_prompt_char(*c)), line_end) {
        (Some(c), _) => Movement::ViCharSearch(1, CharSearch::Forward(c)),
        (None, Some(_)) => Movement::ViCharSearch(1, CharSearch::Forward('\n')),
        (None, None) => Movement::EndOfBuffer,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_LINES: &str = "MATCH (n)\n ->\u{a0}RETURN n";

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
        // Older history entries have a wider prompt, or a plain space.
        assert_eq!(
            strip_continuations("MATCH (n)\n  ->\u{a0}RETURN n"),
            "MATCH (n)\nRETURN n"
        );
        assert_eq!(
            strip_continuations("MATCH (n)\n  -> RETURN n"),
            "MATCH (n)\nRETURN n"
        );
    }

    #[test]
    fn the_prompt_is_as_wide_as_the_first() {
        // Up and Down keep the column; equal widths keep the cursor out of the prompt.
        assert_eq!(PROMPT.chars().count(), "kg> ".chars().count());
    }

    #[test]
    fn pasted_lines_get_prompts() {
        let shown = with_continuations("MATCH (n)\n  WHERE n.x\nRETURN n\n");
        assert_eq!(shown, "MATCH (n)\n ->\u{a0}  WHERE n.x\n ->\u{a0}RETURN n");
        assert_eq!(
            strip_continuations(&shown),
            "MATCH (n)\n  WHERE n.x\nRETURN n"
        );
    }

    #[test]
    fn text_typed_into_a_prompt_is_kept() {
        assert_eq!(
            strip_continuations("MATCH (n)\n -x>\u{a0}RETURN n"),
            "MATCH (n)\nx RETURN n"
        );
        // A prompt cut in half leaves no `-` or `>` behind.
        assert_eq!(
            strip_continuations("MATCH (n)\n>\u{a0}RETURN n"),
            "MATCH (n)\nRETURN n"
        );
        // A prompt joined into the previous line by a kill command.
        assert_eq!(
            strip_continuations("MATCH (a)- ->\u{a0}->(b)"),
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
        // Delete, Ctrl-K and Alt-D at a line's end take the next prompt with the break.
        for key in [
            GuardedKey::Delete,
            GuardedKey::KillToEnd,
            GuardedKey::KillWordAfter,
        ] {
            assert_eq!(guard(key, TWO_LINES, 9), kill(CharSearch::Forward(MARK)));
        }
    }

    #[test]
    fn kills_stop_at_the_prompt() {
        let at = TWO_LINES.find("RETURN").expect("second line");
        let end = TWO_LINES.len();
        assert_eq!(
            guard(GuardedKey::KillToStart, TWO_LINES, end),
            kill(CharSearch::BackwardAfter(MARK))
        );
        assert_eq!(
            guard(GuardedKey::KillToStart, TWO_LINES, at),
            Some(Cmd::Noop)
        );
        // A word on the line: rustyline's kill stays on it.
        let word = GuardedKey::KillWordBefore(Word::Emacs);
        assert_eq!(guard(word, TWO_LINES, end), None);
        // Only punctuation left: the kill ends at the prompt; at the prompt it joins.
        let line = "MATCH (n)\n ->\u{a0}(";
        assert_eq!(
            guard(word, line, line.len()),
            kill(CharSearch::BackwardAfter(MARK))
        );
        assert_eq!(
            guard(GuardedKey::KillWordBefore(Word::Big), TWO_LINES, at),
            kill(CharSearch::Backward('\n'))
        );
        // Nothing is cut out of the prompt itself.
        assert_eq!(guard(GuardedKey::Delete, TWO_LINES, 11), Some(Cmd::Noop));
    }

    #[test]
    fn the_cursor_steps_over_the_prompt() {
        let at = TWO_LINES.find("RETURN").expect("second line");
        assert_eq!(
            guard(GuardedKey::Left, TWO_LINES, at),
            step(CharSearch::Backward('\n'))
        );
        // Right at a line's end goes to the first character after the next prompt.
        assert_eq!(
            guard(GuardedKey::Right, TWO_LINES, 9),
            step(CharSearch::Forward('R'))
        );
        assert_eq!(
            guard(GuardedKey::Home, TWO_LINES, at + 3),
            step(CharSearch::BackwardAfter(MARK))
        );
        assert_eq!(guard(GuardedKey::Home, TWO_LINES, 5), None);
        assert_eq!(guard(GuardedKey::Right, TWO_LINES, 5), None);
        // From inside a prompt, Right and Home go to its text.
        assert_eq!(
            guard(GuardedKey::Home, TWO_LINES, 11),
            step(CharSearch::Forward('R'))
        );
    }

    #[test]
    fn right_skips_indentation_and_empty_lines() {
        // Indentation is drawn like the prompt, so the search goes to the first word.
        assert_eq!(
            to_text("a\n ->\u{a0}  -[r]->(b)", 2),
            Movement::ViCharSearch(1, CharSearch::Forward('['))
        );
        assert_eq!(
            to_text("a\n ->\u{a0}\n ->\u{a0}b", 2),
            Movement::ViCharSearch(1, CharSearch::Forward('\n'))
        );
        assert_eq!(to_text("a\n ->\u{a0}", 2), Movement::EndOfBuffer);
    }
}
