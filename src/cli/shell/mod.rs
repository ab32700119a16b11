//! `Shell`: a `Session` plus the shell's settings. It runs script items (statements and
//! meta-commands) for both the script runner and the REPL, prints results in the chosen
//! format, reports errors with their position, and counts failures. Query failures are
//! reported and counted here, never propagated; only I/O errors on stdout come back as `Err`.
//! What each meta-command does is in `commands.rs`.

mod commands;

use std::io::{self, IsTerminal, Write};

use kg::Session;
use kg::bolt::client::Client;
use kg::error::{QueryError, Span, line_col_at};
use kg::format::{self, Format, Options};
use kg::result::ResultSet;
use kg::script::{self, ScriptItem};
use kg::value::Value;

use super::meta::MetaCommand;
use super::paint::Paint;
use super::schema::Schema;
use super::suggest;

/// Script text and the name errors are reported under (a path, or "" in the REPL).
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub text: String,
}

/// How results are shown; changed by flags and meta-commands.
#[derive(Debug, Clone)]
pub struct Settings {
    pub format: Format,
    pub max_rows: Option<usize>,
    pub timing: bool,
    pub echo: bool,
    pub continue_on_error: bool,
    /// A person is typing (the REPL): state changes are confirmed on stderr.
    pub interactive: bool,
    /// Box-drawn tables: stdout is a terminal and NO_COLOR is unset.
    pub boxed: bool,
    /// Fit tables to the terminal's width, asked again for each result (it may be resized).
    pub fit_width: bool,
    /// Colours on stderr.
    pub paint: Paint,
}

/// Whether to keep reading input after an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// A failure stopped a script (without `--continue-on-error`); the session goes on.
    Stopped,
    Quit,
}

/// A failed item, for the `--continue-on-error` summary.
#[derive(Debug, Clone)]
pub struct Failure {
    pub location: String,
    pub message: String,
    /// A meta-command failed, not a statement.
    pub meta: bool,
}

/// A session with settings, the last result, and a tally of failures.
pub struct Shell {
    pub session: Session,
    pub settings: Settings,
    /// The previous result, for `:last` and `:why`.
    pub last: Option<ResultSet>,
    /// The statement that gave `last` (the title of `:view`'s page).
    pub last_statement: String,
    /// The graph changed since it was loaded or saved.
    pub dirty: bool,
    pub failures: Vec<Failure>,
    /// Items of the last script left unrun because one failed.
    pub skipped: usize,
    /// Results printed so far (Markdown tables need a blank line between them).
    printed: usize,
    /// Counts changes of the graph, so the REPL refreshes completion only after one.
    pub graph_version: u64,
    schema: Option<Schema>,
    /// `--connect`: statements go to this Bolt server instead of the local graph.
    pub remote: Option<Client>,
}

impl Shell {
    /// A shell around `session`.
    pub fn new(session: Session, settings: Settings) -> Shell {
        Shell {
            session,
            settings,
            last: None,
            last_statement: String::new(),
            dirty: false,
            failures: Vec::new(),
            skipped: 0,
            printed: 0,
            graph_version: 0,
            schema: None,
            remote: None,
        }
    }

    /// The graph's schema, recomputed after changes.
    pub fn schema(&mut self) -> &Schema {
        if self.schema.is_none()
            && let Some(client) = &mut self.remote
        {
            self.schema = Some(Schema::remote(client));
        }
        self.schema
            .get_or_insert_with(|| Schema::of(self.session.graph()))
    }

    fn graph_changed(&mut self) {
        self.schema = None;
        self.graph_version += 1;
    }

    /// Runs every item of a script; stops at the first failure unless continuing on errors.
    pub fn run_script(&mut self, source: &Source) -> io::Result<Flow> {
        let items = script::split(&source.text);
        let mut echoed_to = 0;
        for (i, item) in items.iter().enumerate() {
            if self.settings.echo {
                self.echo_comments(&source.text[echoed_to..item.offset()], echoed_to == 0)?;
                echoed_to = item.offset() + item.text().len();
            }
            let failures = self.failures.len();
            let flow = self.run_item(source, item)?;
            let failed = self.failures.len() > failures;
            if failed && !self.settings.continue_on_error {
                // Added up: a failing `:source` stops the script that sourced it too.
                self.skipped += items.len() - i - 1;
                return Ok(Flow::Stopped);
            }
            if flow == Flow::Quit {
                return Ok(Flow::Quit);
            }
        }
        Ok(Flow::Continue)
    }

    /// With `--echo`, the `//` comment lines before an item, so a commented script reads
    /// as a walk-through; a blank line sets each commented step apart.
    fn echo_comments(&self, between: &str, first: bool) -> io::Result<()> {
        // Comment lines, with one blank line where the script has blank lines between them.
        let mut lines: Vec<&str> = Vec::new();
        for line in between.lines().map(str::trim) {
            if line.starts_with("//") {
                lines.push(line);
            } else if line.is_empty() && lines.last().is_some_and(|l| !l.is_empty()) {
                lines.push("");
            }
        }
        while lines.last() == Some(&"") {
            lines.pop();
        }
        if lines.is_empty() {
            return Ok(());
        }
        let mut text = lines.join("\n");
        if !first {
            text.insert(0, '\n');
        }
        self.info(&text)
    }

    /// Runs one statement or meta-command of `source`.
    pub fn run_item(&mut self, source: &Source, item: &ScriptItem<'_>) -> io::Result<Flow> {
        if self.settings.echo {
            let text = match item {
                ScriptItem::Statement { text, .. } => format!("{text};"),
                ScriptItem::Meta { text, .. } => text.to_string(),
            };
            if self.settings.format == Format::Json {
                eprintln!("{text}");
            } else {
                writeln!(io::stdout(), "{text}")?;
            }
        }
        match item {
            ScriptItem::Statement { text, offset } => {
                self.run_statement(source, text, *offset)?;
                Ok(Flow::Continue)
            }
            ScriptItem::Meta { text, offset } => {
                let failures = self.failures.len();
                let flow = self.run_meta(source, text, *offset)?;
                // A nested `:source` counts its own statements as statements.
                if !text.trim_start().starts_with(":source") {
                    for failure in &mut self.failures[failures..] {
                        failure.meta = true;
                    }
                }
                Ok(flow)
            }
        }
    }

    /// Runs one statement and prints its result or its error.
    pub fn run_statement(&mut self, source: &Source, text: &str, offset: usize) -> io::Result<()> {
        let outcome = match &mut self.remote {
            Some(client) => client.run(text, self.session.params()).map(|r| vec![r]),
            None => self.session.run(text),
        };
        match outcome {
            Ok(results) => {
                for result in results {
                    if !result.stats.is_empty() {
                        // A remote graph is the server's to keep.
                        self.dirty |= self.remote.is_none();
                        self.graph_changed();
                    }
                    self.print_result(&result)?;
                    // The hints read the local graph.
                    if self.settings.format != Format::Json
                        && result.stats.is_empty()
                        && self.remote.is_none()
                    {
                        if looks_misspelled(&result) {
                            self.warn_unknown_names(text);
                        } else {
                            let warnings =
                                suggest::unknown_pattern_key_warnings(text, self.schema());
                            self.warn(warnings);
                        }
                    }
                    self.last = Some(result);
                    self.last_statement = text.trim().to_string();
                }
                Ok(())
            }
            Err(error) => self.report_error(source, &error.shifted(offset), text, offset),
        }
    }

    /// Checks a statement (every compile-time check, `Session::check`) without running it.
    pub fn check_statement(
        &mut self,
        source: &Source,
        text: &str,
        offset: usize,
    ) -> io::Result<()> {
        match self.session.check(text) {
            Ok(_) => Ok(()),
            Err(error) => self.report_error(source, &error.shifted(offset), text, offset),
        }
    }

    /// Checks every item: statements are parsed and bound, `:param` lines are evaluated
    /// (so later statements see their parameters), other meta-commands are only parsed.
    pub fn check_script(&mut self, source: &Source) -> io::Result<usize> {
        let mut count = 0;
        for item in script::split(&source.text) {
            match item {
                ScriptItem::Statement { text, offset } => {
                    count += 1;
                    self.check_statement(source, text, offset)?;
                }
                ScriptItem::Meta { text, offset } => match MetaCommand::parse(text) {
                    Ok(
                        command @ (MetaCommand::Param { .. }
                        | MetaCommand::ParamMap(_)
                        | MetaCommand::ParamClear),
                    ) => {
                        self.execute_meta(source, command, text, offset)?;
                    }
                    Ok(_) => {}
                    Err(message) => self.meta_failure(source, offset, &message),
                },
            }
        }
        Ok(count)
    }

    fn options(&self) -> Options {
        Options {
            boxed: self.settings.boxed,
            width: self
                .settings
                .fit_width
                .then(super::terminal_width)
                .flatten(),
            max_rows: self.settings.max_rows,
            timing: self.settings.timing,
            plain_strings: false,
            wrap: false,
        }
    }

    fn print_result(&mut self, result: &ResultSet) -> io::Result<()> {
        let options = self.options();
        let mut out = io::stdout().lock();
        // Markdown tables written back to back would read as one table.
        if self.settings.format == Format::Markdown && self.printed > 0 {
            writeln!(out)?;
        }
        self.printed += 1;
        format::write_result(result, self.settings.format, &options, &mut out)?;
        out.flush()
    }

    /// Prints the previous result in full, through $PAGER when it is long and on a terminal.
    fn print_last(&self, result: &ResultSet) -> io::Result<()> {
        // Every row, and every cell whole: wrapped to the terminal rather than cut.
        let options = Options {
            max_rows: None,
            wrap: true,
            ..self.options()
        };
        let mut text = Vec::new();
        format::write_result(result, self.settings.format, &options, &mut text)?;
        let long = text.iter().filter(|b| **b == b'\n').count() > super::terminal_height();
        if long
            && io::stdout().is_terminal()
            && let Some(pager) = std::env::var_os("PAGER").filter(|p| !p.is_empty())
            && super::page(&pager, &text).is_ok()
        {
            return Ok(());
        }
        io::stdout().write_all(&text)
    }

    fn warn_unknown_names(&mut self, statement: &str) {
        // An index or constraint may name a label before any node has it.
        let is_schema_command = kg::parser::parse(statement)
            .is_ok_and(|s| s.first().is_some_and(|s| s.schema.is_some()));
        if is_schema_command {
            return;
        }
        let mut warnings = suggest::unknown_name_warnings(statement, self.schema());
        warnings.extend(suggest::unknown_node_name_warnings(
            statement,
            self.session.graph(),
        ));
        self.warn(warnings);
    }

    fn warn(&self, warnings: Vec<String>) {
        for warning in warnings {
            eprintln!("{} {warning}", self.settings.paint.yellow("warning:"));
        }
    }

    /// Prints a query error: JSON line in JSON mode, otherwise position, line, caret, hint.
    fn report_error(
        &mut self,
        source: &Source,
        error: &QueryError,
        statement: &str,
        offset: usize,
    ) -> io::Result<()> {
        let json_line = self.settings.format == Format::Json;
        self.report_error_as(source, error, statement, offset, json_line)
    }

    /// `report_error`, with the JSON line only when `json_line`: a failing meta-command
    /// is reported on stderr even in JSON mode, where each line answers a statement.
    fn report_error_as(
        &mut self,
        source: &Source,
        error: &QueryError,
        statement: &str,
        offset: usize,
        json_line: bool,
    ) -> io::Result<()> {
        let kind = kind_and_code(error);
        let location = location(source, error.span.map(|s| s.start));
        self.failures.push(Failure {
            location: location.clone(),
            message: format!("{kind}: {}", error.message),
            meta: false,
        });
        if json_line {
            let mut out = io::stdout().lock();
            format::json::write_error(error, &source.text, &mut out)?;
            return out.flush();
        }
        let paint = self.settings.paint;
        if error.kind == kg::ErrorKind::Cancelled && self.settings.interactive {
            // Over the `^C` the terminal echoed.
            eprintln!("\r{}", paint.yellow("cancelled: the graph is as it was"));
            return Ok(());
        }
        let mut text = format!("{location}{}: {}\n", paint.red(&kind), error.message);
        if let Some(span) = error.span {
            text.push_str(&caret(&source.text, span, paint));
        }
        let local = relative_to(error, offset);
        if let Some(hint) = suggest::error_hint(&local, statement) {
            text.push_str(&format!("  {} {hint}\n", paint.cyan("hint:")));
        }
        eprint!("{text}");
        Ok(())
    }

    fn meta_failure(&mut self, source: &Source, offset: usize, message: &str) {
        // In the REPL a meta-command is the whole input: a position would say nothing.
        let location = if source.name.is_empty() {
            String::new()
        } else {
            location(source, Some(offset))
        };
        eprintln!("{location}{} {message}", self.settings.paint.red("error:"));
        self.failures.push(Failure {
            location,
            message: message.to_string(),
            // Even for `:source`, whose own statements' failures count as statements.
            meta: true,
        });
    }

    /// Confirms a change of state to a person at the prompt; scripts stay quiet.
    fn confirm(&self, text: &str) {
        if self.settings.interactive {
            eprintln!("{text}");
        }
    }

    /// Human text: stdout, or stderr in JSON mode (stdout carries only JSON lines there).
    fn info(&self, text: &str) -> io::Result<()> {
        if self.settings.format == Format::Json {
            eprintln!("{text}");
            Ok(())
        } else {
            writeln!(io::stdout(), "{text}")
        }
    }
}

/// Whether an empty result, a column of nothing but nulls, or a write that changed nothing
/// may come from a misspelled label, type or key. Writes that changed something are left
/// alone: they may just have removed what they name.
fn looks_misspelled(result: &ResultSet) -> bool {
    if !result.stats.is_empty() {
        return false;
    }
    result.columns.is_empty()
        || result.rows.is_empty()
        || (0..result.columns.len()).any(|i| {
            result
                .rows
                .iter()
                .all(|row| row.get(i) == Some(&Value::Null))
        })
}

/// `FILE:LINE:COLUMN: ` for a script, `LINE:COLUMN: ` in the REPL, "" without a position.
fn location(source: &Source, offset: Option<usize>) -> String {
    match offset {
        Some(offset) => {
            let (line, column) = line_col_at(&source.text, offset);
            if source.name.is_empty() {
                format!("{line}:{column}: ")
            } else {
                format!("{}:{line}:{column}: ", source.name)
            }
        }
        None if source.name.is_empty() => String::new(),
        None => format!("{}: ", source.name),
    }
}

/// The source line of `span` with `^^^` under it.
fn caret(text: &str, span: Span, paint: Paint) -> String {
    use unicode_width::UnicodeWidthStr;
    let start = span.start.min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line = &text[line_start..line_end];
    let before = text.get(line_start..start).unwrap_or("");
    let mut end = span.end.clamp(start, line_end);
    // A point error at a word (`found RETRUN`) underlines the whole word.
    if end <= start + 1 {
        end = text
            .get(start..line_end)
            .unwrap_or("")
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(line_end, |n| start + n)
            .max(end);
    }
    let marked = text.get(start..end).unwrap_or("");
    let pad: String = before
        .chars()
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .take(before.width().max(before.chars().count()))
        .collect();
    let carets = "^".repeat(marked.width().max(1));
    format!("  {line}\n  {pad}{}\n", paint.red(&carets))
}
/// The error with its span made relative to a statement that starts at `offset` (for hints).
fn relative_to(error: &QueryError, offset: usize) -> QueryError {
    let mut error = error.clone();
    if let Some(span) = &mut error.span {
        span.start = span.start.saturating_sub(offset);
        span.end = span.end.saturating_sub(offset);
    }
    error
}

/// `SyntaxError (UndefinedVariable)`; a code spelled as its kind (`NotSupported`) once.
fn kind_and_code(error: &QueryError) -> String {
    match error.code {
        Some(code) if code.to_string() != error.kind.to_string() => {
            format!("{} ({code})", error.kind)
        }
        _ => error.kind.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_kind_is_named_once() {
        let not_supported = QueryError::not_supported("map projection", None);
        assert_eq!(kind_and_code(&not_supported), "NotSupported");
        let undefined = QueryError::undefined_variable("x", Span::new(0, 1));
        assert_eq!(kind_and_code(&undefined), "SyntaxError (UndefinedVariable)");
    }

    #[test]
    fn caret_points_under_the_span() {
        let text = "RETURN 1;\nMATCH (p) RETURN q";
        assert_eq!(
            caret(text, Span::new(27, 28), Paint::default()),
            "  MATCH (p) RETURN q\n                   ^\n"
        );
    }

    #[test]
    fn a_point_at_a_word_underlines_the_word() {
        let text = "MATCH (n) RETRUN n";
        assert_eq!(
            caret(text, Span::new(10, 10), Paint::default()),
            "  MATCH (n) RETRUN n\n            ^^^^^^\n"
        );
        assert_eq!(
            caret("RETURN 1 +", Span::new(10, 10), Paint::default()),
            "  RETURN 1 +\n            ^\n"
        );
    }

    #[test]
    fn locations_name_the_file() {
        let source = Source {
            name: "s.cypher".into(),
            text: "a\nbc".into(),
        };
        assert_eq!(location(&source, Some(3)), "s.cypher:2:2: ");
    }
}
