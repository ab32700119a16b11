//! The REPL's rustyline helper: completion (keywords, labels, types, keys, variables,
//! functions, parameters, meta-commands, node names), history hints, the validator that lets
//! Enter submit only a complete statement, and Ctrl-C. Highlighting is `highlight.rs`; what
//! the text around the cursor means is `context.rs`.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use kg::script::{Token, TokenKind, code_tokens, is_complete, tokens};
use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hinter, HistoryHinter};
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Cmd, ConditionalEventHandler, Context, Event, EventContext, Helper, RepeatCount};

use super::context::{
    Bound, innermost_bracket, label_of, node_after_rel, node_before_rel, rel_before_node,
    variables_in,
};
use super::continuation::{blank_prompts, strip_continuations};
use super::highlight::highlight;
use super::meta::COMMANDS;
use super::schema::Schema;
use super::words::{FUNCTIONS, KEYWORDS};

/// Completion, highlighting, hints and validation for `kg> `.
pub struct KgHelper {
    pub schema: Schema,
    pub params: Vec<String>,
    /// Dotted names of the procedures `CALL` can run, e.g. `db.labels`.
    pub procedures: Vec<String>,
    pub color: bool,
    hinter: HistoryHinter,
    files: FilenameCompleter,
}

impl KgHelper {
    /// A helper completing from `schema`, highlighting when `color`.
    pub fn new(schema: Schema, color: bool) -> KgHelper {
        KgHelper {
            schema,
            params: Vec::new(),
            procedures: Vec::new(),
            color,
            hinter: HistoryHinter::new(),
            files: FilenameCompleter::new(),
        }
    }

    /// Candidates for the text before the cursor: `(start, candidates)`.
    pub fn candidates(&self, line: &str, pos: usize) -> (usize, Vec<Pair>) {
        // A continuation prompt would read as punctuation and glue its last character to
        // the word after it.
        let blanked = blank_prompts(line);
        let line = blanked.as_str();
        let before = &line[..pos];
        if before.trim_start().starts_with(':') {
            return self.meta_candidates(before);
        }
        if let Some(start) = procedure_name_start(before) {
            let names = self.procedures.iter().map(String::as_str);
            let mut out = words(names, &before[start..]);
            for pair in &mut out {
                pair.display.push_str("()");
                pair.replacement.push('(');
            }
            return (start, out);
        }
        let toks = code_tokens(before);
        let Some(last) = toks.last().copied() else {
            return (pos, words(KEYWORDS.iter().copied(), ""));
        };
        let at_end = last.span.end == pos;
        let after = &line[pos..];
        match last.kind {
            TokenKind::String { terminated: false } if at_end => {
                self.name_candidates(before, &toks, last)
            }
            TokenKind::Parameter if at_end => {
                let partial = &before[last.span.start + 1..];
                let params = self.params.iter().map(String::as_str);
                (last.span.start + 1, words(params, partial))
            }
            TokenKind::Word | TokenKind::Backtick { terminated: false } if at_end => {
                let partial = last.text(before);
                let context = toks.len().checked_sub(2).map(|i| toks[i]);
                self.word_candidates(
                    before,
                    &toks[..toks.len() - 1],
                    context,
                    (partial, after),
                    last.span.start,
                )
            }
            TokenKind::Punct | TokenKind::Open if at_end => {
                self.word_candidates(before, &toks, Some(last), ("", after), pos)
            }
            // After a space (not inside a comment), as if the next word were begun.
            _ if tokens(before)
                .last()
                .is_some_and(|t| t.kind == TokenKind::Whitespace) =>
            {
                self.word_candidates(before, &toks, Some(last), ("", after), pos)
            }
            _ => (pos, Vec::new()),
        }
    }

    fn meta_candidates(&self, before: &str) -> (usize, Vec<Pair>) {
        let body = before.trim_start();
        let start = before.len() - body.len();
        match body.split_once(char::is_whitespace) {
            None => {
                let names = COMMANDS.iter().map(|(n, ..)| format!(":{n}"));
                let names: Vec<String> = names.collect();
                (start, words(names.iter().map(String::as_str), body))
            }
            Some((command, rest)) => {
                let rest_start = before.len() - rest.len();
                match command {
                    ":show" | ":find" => {
                        let names = self.schema.names.iter().map(String::as_str);
                        (rest_start, matching_names(names, rest, ""))
                    }
                    ":format" => (
                        rest_start,
                        words(["table", "json", "csv", "tsv", "markdown"], rest),
                    ),
                    ":export" if !rest.contains(' ') => (
                        rest_start,
                        words(["cypher", "csv", "graphml", "dot", "svg", "png"], rest),
                    ),
                    ":timing" => (rest_start, words(["on", "off"], rest)),
                    ":help" => {
                        let names = COMMANDS.iter().map(|(n, ..)| *n);
                        (rest_start, words(names, rest.trim_start_matches(':')))
                    }
                    ":load" | ":save" | ":source" | ":export" => {
                        let history = rustyline::history::DefaultHistory::new();
                        let ctx = Context::new(&history);
                        self.files
                            .complete(before, before.len(), &ctx)
                            .unwrap_or((before.len(), Vec::new()))
                    }
                    _ => (before.len(), Vec::new()),
                }
            }
        }
    }

    /// Node names inside a string after `name:` or `name =`.
    fn name_candidates(&self, before: &str, toks: &[Token], string: Token) -> (usize, Vec<Pair>) {
        let n = toks.len();
        let key_before = n >= 3
            && matches!(toks[n - 2].text(before), ":" | "=")
            && toks[n - 3].text(before).eq_ignore_ascii_case("name");
        if !key_before {
            return (before.len(), Vec::new());
        }
        let quote = &before[string.span.start..string.span.start + 1];
        let partial = &before[string.span.start + 1..];
        let names = self.schema.names.iter().map(String::as_str);
        (string.span.start + 1, matching_names(names, partial, quote))
    }

    /// Completes a word, given the token before it (`context`) and the text after the
    /// cursor.
    fn word_candidates(
        &self,
        text: &str,
        toks: &[Token],
        context: Option<Token>,
        (partial, after): (&str, &str),
        start: usize,
    ) -> (usize, Vec<Pair>) {
        let partial_name = partial.trim_start_matches('`');
        let innermost = innermost_bracket(text, toks);
        match context.map(|t| t.text(text)) {
            Some(":" | "|") if innermost == Some('[') => {
                let types = self.rel_types_by_fit(text, toks, after);
                (start, names(types.iter().map(String::as_str), partial_name))
            }
            Some(":") if innermost != Some('{') => {
                let labels = self.labels_by_fit(text, toks);
                (
                    start,
                    names(labels.iter().map(String::as_str), partial_name),
                )
            }
            Some(".") => {
                let variable = toks
                    .len()
                    .checked_sub(2)
                    .map(|i| toks[i])
                    .filter(|t| t.kind == TokenKind::Word)
                    .map(|t| t.text(text));
                let keys = variable
                    .and_then(|v| match label_of(text, v) {
                        Some(Bound::Label(label)) => self.schema.label_keys.get(&label),
                        Some(Bound::RelType(t)) => self.schema.rel_keys.get(&t),
                        None => None,
                    })
                    .map(|keys| keys.keys().map(String::as_str).collect())
                    .unwrap_or_else(|| self.schema.all_keys());
                (start, names(keys, partial_name))
            }
            // A key of a pattern's property map; after `key:` comes a value, not a key.
            Some("{" | ",") if innermost == Some('{') => {
                let keys = self
                    .map_owner(text, toks)
                    .map(|keys| keys.keys().map(String::as_str).collect())
                    .unwrap_or_else(|| self.schema.all_keys());
                (start, names(keys, partial_name))
            }
            // Where an expression starts, the variables in the statement are the likely words.
            Some(word)
                if partial.is_empty()
                    && (word == ","
                        || [
                            "RETURN", "WHERE", "WITH", "BY", "AND", "OR", "NOT", "SET", "DELETE",
                        ]
                        .iter()
                        .any(|k| k.eq_ignore_ascii_case(word))) =>
            {
                let variables = variables_in(text).into_iter().map(|v| Pair {
                    display: v.clone(),
                    replacement: v,
                });
                (start, variables.collect())
            }
            _ if partial.is_empty() => (start, Vec::new()),
            _ => {
                // Keywords in the case being typed: `ret` completes to `return`.
                let lower_case = partial.chars().all(|c| !c.is_uppercase());
                let keywords = KEYWORDS.iter().map(|k| {
                    if lower_case {
                        k.to_lowercase()
                    } else {
                        k.to_string()
                    }
                });
                let keywords: Vec<String> = keywords.collect();
                let mut out = words(keywords.iter().map(String::as_str), partial);
                let lower = partial.to_lowercase();
                out.extend(
                    FUNCTIONS
                        .iter()
                        .filter(|f| f.to_lowercase().starts_with(&lower))
                        .map(|f| Pair {
                            display: format!("{f}()"),
                            replacement: format!("{f}("),
                        }),
                );
                let variables = variables_in(text);
                out.extend(
                    variables
                        .iter()
                        .filter(|v| v.starts_with(partial) && v.as_str() != partial)
                        .map(|v| Pair {
                            display: v.clone(),
                            replacement: v.clone(),
                        }),
                );
                (start, out)
            }
        }
    }
}

impl KgHelper {
    /// Every relationship type, those that fit the pattern around the cursor first: types
    /// leaving (or, after `<-`, reaching) the label of the node before `-[`, and reaching
    /// the label of a node already written after `]->`.
    fn rel_types_by_fit(&self, text: &str, toks: &[Token], after: &str) -> Vec<String> {
        let near = node_before_rel(text, toks);
        let far = node_after_rel(after);
        // Whether the near node is the relationship's start, when the arrows say so.
        let near_is_start = match (&near, &far) {
            (Some((_, true)), _) => Some(false),
            (_, Some((_, true))) => Some(true),
            _ => None,
        };
        let fits = |label: &Option<String>, outgoing: bool, rel_type: &str| {
            label.as_ref().is_some_and(|l| {
                self.schema
                    .label_rel_types
                    .get(&(l.clone(), outgoing))
                    .is_some_and(|types| types.contains(rel_type))
            })
        };
        let near_label = near.and_then(|(label, _)| label);
        let far_label = far.and_then(|(label, _)| label);
        let mut types: Vec<(u8, &String)> = self
            .schema
            .rel_types
            .keys()
            .map(|t| {
                let score = match near_is_start {
                    Some(start) => {
                        2 * u8::from(fits(&near_label, start, t))
                            + 2 * u8::from(fits(&far_label, !start, t))
                    }
                    // No arrow yet: outgoing is the likelier reading of `(a)-[`.
                    None => {
                        2 * u8::from(fits(&near_label, true, t))
                            + u8::from(fits(&near_label, false, t))
                            + u8::from(fits(&far_label, false, t))
                    }
                };
                (score, t)
            })
            .collect();
        types.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
        types.into_iter().map(|(_, t)| t.clone()).collect()
    }
}

impl KgHelper {
    /// The keys of the label or type whose pattern holds the `{` the text ends in, as in
    /// `(c:Company {` or `[r:FOUNDED {`.
    fn map_owner(
        &self,
        text: &str,
        toks: &[Token],
    ) -> Option<&std::collections::BTreeMap<String, std::collections::BTreeSet<&'static str>>> {
        let brace = toks.iter().rposition(|t| t.text(text) == "{")?;
        let owner = toks.get(brace.checked_sub(1)?)?;
        let opener = toks[..brace]
            .iter()
            .rev()
            .find(|t| matches!(t.text(text), "(" | "["))?
            .text(text);
        let name = owner.text(text).trim_matches('`').to_string();
        let labelled = brace >= 2 && toks[brace - 2].text(text) == ":";
        match (opener, labelled) {
            ("(", true) => self.schema.label_keys.get(&name),
            ("[", true) => self.schema.rel_keys.get(&name),
            (_, false) => match label_of(text, &name) {
                Some(Bound::Label(label)) => self.schema.label_keys.get(&label),
                Some(Bound::RelType(t)) => self.schema.rel_keys.get(&t),
                None => None,
            },
            _ => None,
        }
    }
}

impl KgHelper {
    /// Every label, those that the relationship just before `(x:` reaches first, as
    /// Company for `(p)-[:FOUNDED]->(c:`.
    fn labels_by_fit(&self, text: &str, toks: &[Token]) -> Vec<String> {
        let fitting: BTreeSet<&String> = rel_before_node(text, toks)
            .map(|(rel_type, end)| {
                self.schema
                    .label_rel_types
                    .iter()
                    .filter(|((_, outgoing), types)| {
                        end.is_none_or(|end| *outgoing != end) && types.contains(&rel_type)
                    })
                    .map(|((label, _), _)| label)
                    .collect()
            })
            .unwrap_or_default();
        let mut labels: Vec<&String> = self.schema.labels.keys().collect();
        labels.sort_by_key(|l| !fitting.contains(l));
        labels.into_iter().cloned().collect()
    }
}

/// Where the procedure name being typed after `CALL` starts in `before` (which ends at the
/// cursor), if one is.
fn procedure_name_start(before: &str) -> Option<usize> {
    let start = before
        .trim_end_matches(|c: char| c.is_alphanumeric() || c == '_' || c == '.')
        .len();
    let toks = code_tokens(&before[..start]);
    let call = toks.last()?;
    // A space after CALL, and CALL a word of its own, not in a string or comment.
    let spaced = before[..start].ends_with(char::is_whitespace);
    (spaced && call.kind == TokenKind::Word && call.text(before).eq_ignore_ascii_case("CALL"))
        .then_some(start)
}

/// Case-insensitive prefix matches, keeping the candidate's own spelling.
fn words<'a>(candidates: impl IntoIterator<Item = &'a str>, partial: &str) -> Vec<Pair> {
    let lower = partial.to_lowercase();
    candidates
        .into_iter()
        .filter(|c| c.to_lowercase().starts_with(&lower))
        .map(|c| Pair {
            display: c.to_string(),
            replacement: c.to_string(),
        })
        .collect()
}

/// Labels, types and keys: backticked when they are not plain identifiers.
fn names<'a>(candidates: impl IntoIterator<Item = &'a str>, partial: &str) -> Vec<Pair> {
    let mut out = words(candidates, partial);
    for pair in &mut out {
        let mut quoted = String::new();
        kg::format::text::key(&mut quoted, &pair.replacement);
        pair.replacement = quoted;
    }
    out
}

/// Node names containing `partial` (prefix matches first), closed with `quote`.
fn matching_names<'a>(
    names: impl IntoIterator<Item = &'a str>,
    partial: &str,
    quote: &str,
) -> Vec<Pair> {
    let lower = partial.to_lowercase();
    // Tiers: the name starts with the text, a word of it does, or it merely contains it.
    // Only the best tier is offered, so a unique prefix completes at once instead of
    // drowning among names that happen to contain the letters ('Ui' in "Circuits").
    let mut hits: Vec<(u8, &str)> = names
        .into_iter()
        .filter_map(|n| {
            let l = n.to_lowercase();
            if l.starts_with(&lower) {
                Some((0, n))
            } else if l.split([' ', '-', '(']).any(|w| w.starts_with(&lower)) {
                Some((1, n))
            } else {
                l.contains(&lower).then_some((2, n))
            }
        })
        .collect();
    let best = hits.iter().map(|(tier, _)| *tier).min();
    hits.retain(|(tier, _)| Some(*tier) == best);
    hits.sort();
    hits.into_iter()
        .map(|(_, n)| {
            // Inside the string a quote like the one that opened it needs its backslash.
            let escaped = match quote {
                "" => n.to_string(),
                q => n.replace('\\', "\\\\").replace(q, &format!("\\{q}")),
            };
            Pair {
                display: n.to_string(),
                replacement: format!("{escaped}{quote}"),
            }
        })
        .collect()
}

impl Completer for KgHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        Ok(self.candidates(line, pos))
    }
}

impl Hinter for KgHelper {
    type Hint = String;

    fn hint(&self, line: &str, pos: usize, ctx: &Context<'_>) -> Option<String> {
        self.hinter.hint(line, pos, ctx)
    }
}

impl Highlighter for KgHelper {
    fn highlight<'l>(&self, line: &'l str, pos: usize) -> Cow<'l, str> {
        if !self.color || line.is_empty() {
            return Cow::Borrowed(line);
        }
        Cow::Owned(highlight(line, pos))
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if self.color {
            Cow::Owned(format!("\x1b[2m{hint}\x1b[0m"))
        } else {
            Cow::Borrowed(hint)
        }
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        self.color
    }
}

impl Validator for KgHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        let input = strip_continuations(ctx.input());
        Ok(if input.trim().is_empty() || is_complete(&input) {
            ValidationResult::Valid(None)
        } else {
            ValidationResult::Incomplete
        })
    }
}

impl Helper for KgHelper {}

/// Ctrl-C: interrupt (clearing the input), remembering whether the line was already empty.
pub struct InterruptHandler {
    pub on_empty_line: Arc<AtomicBool>,
}

impl ConditionalEventHandler for InterruptHandler {
    fn handle(
        &self,
        _evt: &Event,
        _n: RepeatCount,
        _positive: bool,
        ctx: &EventContext<'_>,
    ) -> Option<Cmd> {
        self.on_empty_line
            .store(ctx.line().is_empty(), Ordering::SeqCst);
        Some(Cmd::Interrupt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn helper() -> KgHelper {
        let mut schema = Schema::default();
        schema.labels.insert("Company".into(), 12);
        schema.labels.insert("Person".into(), 4);
        schema.rel_types.insert("FOUNDED".into(), 3);
        schema
            .label_keys
            .entry("Company".into())
            .or_default()
            .insert("name".into(), Default::default());
        schema
            .label_keys
            .entry("Person".into())
            .or_default()
            .insert("born".into(), Default::default());
        schema.rel_types.insert("ABOUT".into(), 5);
        schema.rel_types.insert("WORKS_FOR".into(), 2);
        for (label, outgoing, rel_type) in [
            ("Person", true, "FOUNDED"),
            ("Company", false, "FOUNDED"),
            ("Person", true, "WORKS_FOR"),
            ("Company", false, "WORKS_FOR"),
            ("Company", false, "ABOUT"),
        ] {
            schema
                .label_rel_types
                .entry((label.into(), outgoing))
                .or_default()
                .insert(rel_type.into());
        }
        schema
            .rel_keys
            .entry("FOUNDED".into())
            .or_default()
            .insert("year".into(), Default::default());
        schema.names.insert("Uisee".into());
        schema.names.insert("Wu Gansha".into());
        schema.names.insert("China's 'little giants'".into());
        let mut helper = KgHelper::new(schema, false);
        helper.params.push("limit".into());
        helper
    }

    fn complete(line: &str) -> Vec<String> {
        let (start, pairs) = helper().candidates(line, line.len());
        pairs
            .into_iter()
            .map(|p| format!("{}{}", &line[..start], p.replacement))
            .collect()
    }

    #[test]
    fn continuation_lines_complete_like_first_lines() {
        assert_eq!(
            complete("MATCH (c:Company)\n ->\u{a0}RET"),
            vec!["MATCH (c:Company)\n ->\u{a0}RETURN"]
        );
        assert_eq!(
            complete("MATCH (c:Company)\n ->\u{a0}RETURN c.na"),
            vec!["MATCH (c:Company)\n ->\u{a0}RETURN c.name"]
        );
    }

    #[test]
    fn procedures_after_call() {
        let mut helper = helper();
        helper.procedures = vec![
            "db.labels".into(),
            "db.propertyKeys".into(),
            "kg.find".into(),
        ];
        let complete = |line: &str| {
            let (start, pairs) = helper.candidates(line, line.len());
            let replaced = pairs
                .iter()
                .map(|p| format!("{}{}", &line[..start], p.replacement));
            replaced.collect::<Vec<_>>()
        };
        assert_eq!(complete("CALL db.la"), vec!["CALL db.labels("]);
        assert_eq!(complete("call KG."), vec!["call kg.find("]);
        assert_eq!(complete("CALL ").len(), 3);
        // A property of a variable, or a string, is no procedure name.
        assert_eq!(complete("MATCH (db) RETURN db.la"), Vec::<String>::new());
        assert_eq!(complete("RETURN 'CALL db.la"), Vec::<String>::new());
    }

    #[test]
    fn labels_types_and_keys() {
        assert_eq!(complete("MATCH (c:Co"), vec!["MATCH (c:Company"]);
        assert_eq!(complete("MATCH ()-[:F"), vec!["MATCH ()-[:FOUNDED"]);
        assert_eq!(
            complete("MATCH (c:Company) RETURN c."),
            vec!["MATCH (c:Company) RETURN c.name"]
        );
        assert_eq!(
            complete("MATCH (p:Person) RETURN p.b"),
            vec!["MATCH (p:Person) RETURN p.born"]
        );
    }

    fn ranked(line: &str, pos: usize) -> Vec<String> {
        let (_, pairs) = helper().candidates(line, pos);
        pairs.into_iter().map(|p| p.replacement).collect()
    }

    #[test]
    fn types_that_fit_the_pattern_come_first() {
        // Person starts FOUNDED and WORKS_FOR; ABOUT only reaches Company.
        assert_eq!(
            ranked("MATCH (p:Person)-[r:", 20),
            vec!["FOUNDED", "WORKS_FOR", "ABOUT"]
        );
        // Arriving at a Company: ABOUT fits too, and the rest only if nothing else.
        let line = "MATCH (c:Company)<-[:";
        assert_eq!(
            ranked(line, line.len()),
            vec!["ABOUT", "FOUNDED", "WORKS_FOR"]
        );
        // The label given to the variable elsewhere counts, and so does the far end.
        let line = "MATCH (p:Person) MATCH (p)-[:]->(c:Company)";
        assert_eq!(ranked(line, 29)[..2], ["FOUNDED", "WORKS_FOR"]);
    }

    #[test]
    fn labels_that_the_relationship_reaches_come_first() {
        assert_eq!(
            ranked("MATCH (p)-[:ABOUT]->(c:", 23),
            vec!["Company", "Person"]
        );
        assert_eq!(
            ranked("MATCH (c)<-[:FOUNDED]-(p:", 25),
            vec!["Person", "Company"]
        );
        assert_eq!(ranked("MATCH (c:", 9), vec!["Company", "Person"]);
    }

    #[test]
    fn variables_where_an_expression_starts() {
        assert_eq!(
            complete("MATCH (p)-[r]->(c) RETURN "),
            vec![
                "MATCH (p)-[r]->(c) RETURN c",
                "MATCH (p)-[r]->(c) RETURN p",
                "MATCH (p)-[r]->(c) RETURN r"
            ]
        );
    }

    #[test]
    fn map_keys_are_the_patterns_own() {
        assert_eq!(
            complete("MATCH (p:Person {b"),
            vec!["MATCH (p:Person {born"]
        );
        assert_eq!(
            complete("MATCH ()-[:FOUNDED {"),
            vec!["MATCH ()-[:FOUNDED {year"]
        );
        // After `key:` comes a value.
        assert!(
            !complete("MATCH (p:Person {born: b")
                .contains(&"MATCH (p:Person {born: born".to_string())
        );
    }

    #[test]
    fn relationship_variables_complete_their_types_keys() {
        assert_eq!(
            complete("MATCH ()-[r:FOUNDED]->() RETURN r."),
            vec!["MATCH ()-[r:FOUNDED]->() RETURN r.year"]
        );
    }

    #[test]
    fn names_are_escaped_for_the_quote_they_sit_in() {
        assert_eq!(
            complete("MATCH (n {name: 'China"),
            vec!["MATCH (n {name: 'China\\'s \\'little giants\\''"]
        );
        assert_eq!(
            complete("MATCH (n {name: \"China"),
            vec!["MATCH (n {name: \"China's 'little giants'\""]
        );
    }

    #[test]
    fn keywords_follow_the_case_being_typed() {
        assert!(complete("match (n) ret").contains(&"match (n) return".to_string()));
        assert!(complete("MATCH (n) RET").contains(&"MATCH (n) RETURN".to_string()));
    }

    #[test]
    fn keywords_functions_variables_params_meta() {
        assert!(complete("MATCH (founder) RET").contains(&"MATCH (founder) RETURN".to_string()));
        assert!(complete("RETURN toUp").contains(&"RETURN toUpper(".to_string()));
        assert!(
            complete("MATCH (founder) RETURN fo")
                .contains(&"MATCH (founder) RETURN founder".to_string())
        );
        assert_eq!(complete("RETURN $li"), vec!["RETURN $limit"]);
        assert_eq!(complete(":sch"), vec![":schema"]);
    }

    #[test]
    fn node_names_inside_strings() {
        assert_eq!(
            complete("MATCH (n {name: 'Ui"),
            vec!["MATCH (n {name: 'Uisee'"]
        );
        assert_eq!(
            complete("MATCH (n) WHERE n.name = \"gan"),
            vec!["MATCH (n) WHERE n.name = \"Wu Gansha\""]
        );
        assert_eq!(complete(":show Wu"), vec![":show Wu Gansha"]);
        // A prefix beats names that merely contain the letters.
        let names = matching_names(["All About Circuits", "Uisee"], "Ui", "'");
        assert_eq!(names.len(), 1);
        assert_eq!(names[0].replacement, "Uisee'");
    }
}
