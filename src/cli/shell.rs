//! `Shell`: a `Session` plus the shell's settings. It runs script items (statements and
//! meta-commands) for both the script runner and the REPL, prints results in the chosen
//! format, reports errors with their position, and counts failures. Query failures are
//! reported and counted here, never propagated; only I/O errors on stdout come back as `Err`.

use std::io::{self, IsTerminal, Write};
use std::path::Path;

use kg::error::{QueryError, Span, line_col_at};
use kg::format::{self, Format, Options};
use kg::result::{ResultSet, Stats};
use kg::script::{self, ScriptItem};
use kg::value::Value;
use kg::{Session, parser, semantic};

use super::meta::{COMMANDS, MetaCommand};
use super::paint::Paint;
use super::schema::Schema;
use super::{data, inspect, suggest};

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
    /// Box-drawn tables and terminal width: stdout is a terminal and NO_COLOR is unset.
    pub boxed: bool,
    pub width: Option<usize>,
    /// Colours on stderr.
    pub paint: Paint,
}

/// Whether to keep reading input after an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Quit,
}

/// A failed item, for the `--continue-on-error` summary.
#[derive(Debug, Clone)]
pub struct Failure {
    pub location: String,
    pub message: String,
}

/// A session with settings, the last result, and a tally of failures.
pub struct Shell {
    pub session: Session,
    pub settings: Settings,
    /// The previous result, for `:last` and `:why`.
    pub last: Option<ResultSet>,
    /// The graph changed since it was loaded or saved.
    pub dirty: bool,
    pub failures: Vec<Failure>,
    schema: Option<Schema>,
}

impl Shell {
    pub fn new(session: Session, settings: Settings) -> Shell {
        Shell {
            session,
            settings,
            last: None,
            dirty: false,
            failures: Vec::new(),
            schema: None,
        }
    }

    /// The graph's schema, recomputed after changes.
    pub fn schema(&mut self) -> &Schema {
        self.schema
            .get_or_insert_with(|| Schema::of(self.session.graph()))
    }

    fn graph_changed(&mut self) {
        self.schema = None;
    }

    /// Runs every item of a script; stops at the first failure unless continuing on errors.
    pub fn run_script(&mut self, source: &Source) -> io::Result<Flow> {
        for item in script::split(&source.text) {
            let failures = self.failures.len();
            let flow = self.run_item(source, &item)?;
            let failed = self.failures.len() > failures;
            if flow == Flow::Quit || (failed && !self.settings.continue_on_error) {
                return Ok(Flow::Quit);
            }
        }
        Ok(Flow::Continue)
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
            ScriptItem::Meta { text, offset } => self.run_meta(source, text, *offset),
        }
    }

    /// Runs one statement and prints its result or its error.
    pub fn run_statement(&mut self, source: &Source, text: &str, offset: usize) -> io::Result<()> {
        match self.session.run(text) {
            Ok(results) => {
                for result in results {
                    if !result.stats.is_empty() {
                        self.dirty = true;
                        self.graph_changed();
                    }
                    self.print_result(&result)?;
                    if result.rows.is_empty() && self.settings.format != Format::Json {
                        self.warn_unknown_names(text);
                    }
                    self.last = Some(result);
                }
                Ok(())
            }
            Err(error) => self.report_error(source, &error.shifted(offset), text, offset),
        }
    }

    /// Checks a statement (parse and semantic analysis) without running it.
    pub fn check_statement(
        &mut self,
        source: &Source,
        text: &str,
        offset: usize,
    ) -> io::Result<()> {
        let checked = parser::parse(text).and_then(|statements| {
            statements.iter().try_for_each(|s| {
                semantic::bind(s, self.session.params(), self.session.procedures()).map(drop)
            })
        });
        match checked {
            Ok(()) => Ok(()),
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
            width: self.settings.width,
            max_rows: self.settings.max_rows,
            timing: self.settings.timing,
            plain_strings: false,
        }
    }

    fn print_result(&self, result: &ResultSet) -> io::Result<()> {
        let options = self.options();
        let mut out = io::stdout().lock();
        format::write_result(result, self.settings.format, &options, &mut out)?;
        out.flush()
    }

    /// Prints the previous result in full, through $PAGER when it is long and on a terminal.
    fn print_last(&self) -> io::Result<()> {
        let Some(result) = &self.last else {
            eprintln!("no previous result");
            return Ok(());
        };
        let options = Options {
            width: None,
            max_rows: None,
            ..self.options()
        };
        let mut text = Vec::new();
        format::write_result(result, self.settings.format, &options, &mut text)?;
        let long = text.iter().filter(|b| **b == b'\n').count() > terminal_height();
        if long
            && io::stdout().is_terminal()
            && let Some(pager) = std::env::var_os("PAGER").filter(|p| !p.is_empty())
            && page(&pager, &text).is_ok()
        {
            return Ok(());
        }
        io::stdout().write_all(&text)
    }

    fn warn_unknown_names(&mut self, statement: &str) {
        let paint = self.settings.paint;
        for warning in suggest::unknown_name_warnings(statement, self.schema()) {
            eprintln!("{} {warning}", paint.yellow("warning:"));
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
        let kind = match error.code {
            Some(code) => format!("{} ({code})", error.kind),
            None => error.kind.to_string(),
        };
        let location = location(source, error.span.map(|s| s.start));
        self.failures.push(Failure {
            location: location.clone(),
            message: format!("{kind}: {}", error.message),
        });
        if self.settings.format == Format::Json {
            let mut out = io::stdout().lock();
            format::json::write_error(error, &source.text, &mut out)?;
            return out.flush();
        }
        let paint = self.settings.paint;
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
        let location = location(source, Some(offset));
        eprintln!("{location}{} {message}", self.settings.paint.red("error:"));
        self.failures.push(Failure {
            location,
            message: message.to_string(),
        });
    }

    /// Runs a meta-command line.
    pub fn run_meta(&mut self, source: &Source, line: &str, offset: usize) -> io::Result<Flow> {
        match MetaCommand::parse(line) {
            Ok(command) => self.execute_meta(source, command, line, offset),
            Err(message) => {
                self.meta_failure(source, offset, &message);
                Ok(Flow::Continue)
            }
        }
    }

    fn execute_meta(
        &mut self,
        source: &Source,
        command: MetaCommand,
        line: &str,
        offset: usize,
    ) -> io::Result<Flow> {
        let outcome: Result<(), String> = match command {
            MetaCommand::Quit => return Ok(Flow::Quit),
            MetaCommand::Help(topic) => {
                self.info(&help(topic.as_deref()))?;
                Ok(())
            }
            MetaCommand::Param { name, expr } => {
                let expr_offset = offset + line.find(expr.as_str()).unwrap_or(0);
                match self.evaluate(source, &expr, expr_offset)? {
                    Some(value) => {
                        self.session.set_param(name, value);
                        Ok(())
                    }
                    None => return Ok(Flow::Continue),
                }
            }
            MetaCommand::ParamMap(map) => {
                let map_offset = offset + line.find(map.as_str()).unwrap_or(0);
                match self.evaluate(source, &map, map_offset)? {
                    Some(Value::Map(entries)) => {
                        for (k, v) in entries {
                            self.session.set_param(k, v);
                        }
                        Ok(())
                    }
                    Some(other) => Err(format!("expected a map, got {}", other.type_name())),
                    None => return Ok(Flow::Continue),
                }
            }
            MetaCommand::ParamClear => {
                self.session.clear_params();
                Ok(())
            }
            MetaCommand::Params => {
                let rows = self
                    .session
                    .params()
                    .iter()
                    .map(|(k, v)| vec![Value::from(format!("${k}")), v.clone()])
                    .collect();
                self.show(&ResultSet::new(
                    vec!["name".into(), "value".into()],
                    rows,
                    Stats::default(),
                    self.session.graph(),
                ))?;
                Ok(())
            }
            MetaCommand::Format(format) => {
                self.settings.format = format;
                Ok(())
            }
            MetaCommand::MaxRows(n) => {
                self.settings.max_rows = n;
                Ok(())
            }
            MetaCommand::Timing(on) => {
                self.settings.timing = on;
                Ok(())
            }
            MetaCommand::Last => {
                self.print_last()?;
                Ok(())
            }
            MetaCommand::Schema => {
                let result = inspect::schema(self.schema());
                self.show(&result)?;
                Ok(())
            }
            MetaCommand::Stats => {
                let result = inspect::stats(self.session.graph(), self.session.params().len());
                self.show(&result)?;
                Ok(())
            }
            MetaCommand::Find(text) => {
                let result = inspect::find(self.session.graph(), &text);
                self.show(&result)?;
                Ok(())
            }
            MetaCommand::Show(what) => match inspect::show(self.session.graph(), &what) {
                Ok(result) => {
                    self.show(&result)?;
                    Ok(())
                }
                Err(message) => Err(message),
            },
            MetaCommand::Why => match &self.last {
                None => Err("no previous result to explain".to_string()),
                Some(last) => {
                    let result = inspect::why(last, self.session.graph());
                    if self.settings.format == Format::Table {
                        let mut out = io::stdout().lock();
                        inspect::write_why(&result, &mut out)?;
                        Ok(())
                    } else {
                        self.show(&result)?;
                        Ok(())
                    }
                }
            },
            MetaCommand::Source(path) => {
                let path = resolve(source, &path);
                match std::fs::read_to_string(&path) {
                    Ok(text) => {
                        let nested = Source {
                            name: path.display().to_string(),
                            text,
                        };
                        if self.run_script(&nested)? == Flow::Quit {
                            return Ok(Flow::Quit);
                        }
                        Ok(())
                    }
                    Err(e) => Err(format!("cannot read {}: {e}", path.display())),
                }
            }
            MetaCommand::Load(path) => {
                let path = resolve(source, &path);
                match data::load_paths(std::slice::from_ref(&path)) {
                    Ok((graph, summary)) => {
                        self.session.set_graph(graph);
                        self.graph_changed();
                        self.dirty = false;
                        self.last = None;
                        eprintln!("{summary}");
                        Ok(())
                    }
                    Err(e) => Err(format!("{e:#}")),
                }
            }
            MetaCommand::Save(path) => {
                let path = resolve(source, &path);
                match data::save(self.session.graph(), &path) {
                    Ok(()) => {
                        self.dirty = false;
                        eprintln!("saved to {}", path.display());
                        Ok(())
                    }
                    Err(e) => Err(format!("{e:#}")),
                }
            }
            MetaCommand::Export(kind, path) => {
                let path = resolve(source, &path);
                data::export(self.session.graph(), kind, &path)
                    .map(|()| eprintln!("exported to {}", path.display()))
                    .map_err(|e| format!("{e:#}"))
            }
        };
        if let Err(message) = outcome {
            self.meta_failure(source, offset, &message);
        }
        Ok(Flow::Continue)
    }

    /// Evaluates a Cypher expression through the session (`RETURN <expr>`); errors are
    /// reported at their position in `source` and give `None`.
    fn evaluate(
        &mut self,
        source: &Source,
        expr: &str,
        offset: usize,
    ) -> io::Result<Option<Value>> {
        const PREFIX: &str = "RETURN ";
        let query = format!("{PREFIX}{expr} AS value");
        match self.session.run(&query) {
            Ok(results) => {
                let value = results
                    .into_iter()
                    .next()
                    .and_then(|r| r.rows.into_iter().next())
                    .and_then(|row| row.into_iter().next());
                Ok(Some(value.unwrap_or(Value::Null)))
            }
            Err(mut error) => {
                // Point into the expression as written, not into the query built around it.
                if let Some(span) = &mut error.span {
                    let clamp = |p: usize| p.saturating_sub(PREFIX.len()).min(expr.len()) + offset;
                    *span = Span::new(clamp(span.start), clamp(span.end));
                }
                self.report_error(source, &error, expr, offset)?;
                Ok(None)
            }
        }
    }

    /// Prints a meta-command's result in the current format (a JSON line in JSON mode).
    fn show(&self, result: &ResultSet) -> io::Result<()> {
        let options = Options {
            plain_strings: true,
            ..self.options()
        };
        let mut out = io::stdout().lock();
        format::write_result(result, self.settings.format, &options, &mut out)?;
        // Not kept as `last`: :last and :why are about the previous query.
        out.flush()
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
    let end = span.end.clamp(start, line_end);
    let marked = text.get(start..end).unwrap_or("");
    let pad: String = before
        .chars()
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .take(before.width().max(before.chars().count()))
        .collect();
    let carets = "^".repeat(marked.width().max(1));
    format!("  {line}\n  {pad}{}\n", paint.red(&carets))
}

fn resolve(source: &Source, path: &Path) -> std::path::PathBuf {
    // Paths in a sourced script are relative to the script, like `#include`.
    if path.is_relative()
        && !source.name.is_empty()
        && !path.exists()
        && let Some(dir) = Path::new(&source.name).parent()
        && !dir.as_os_str().is_empty()
    {
        return dir.join(path);
    }
    path.to_path_buf()
}

fn help(topic: Option<&str>) -> String {
    match topic {
        Some(name) => match COMMANDS.iter().find(|(n, ..)| *n == name) {
            Some((_, usage, about)) => format!("{usage}\n    {about}"),
            None => format!("no meta-command :{name} (:help lists them)"),
        },
        None => {
            let mut text = String::from(
                "Type Cypher statements ending with `;` (Enter continues an unfinished one).\n\
                 Meta-commands:\n",
            );
            for (_, usage, about) in COMMANDS {
                text.push_str(&format!("  {usage:<42} {about}\n"));
            }
            text.push_str("Tab completes; Ctrl-R searches history; Ctrl-C cancels; Ctrl-D leaves.");
            text
        }
    }
}

fn terminal_height() -> usize {
    std::env::var("LINES")
        .ok()
        .and_then(|l| l.parse().ok())
        .unwrap_or(40)
}

fn page(pager: &std::ffi::OsStr, text: &[u8]) -> io::Result<()> {
    let mut child = std::process::Command::new("sh")
        .arg("-c")
        .arg(pager)
        .stdin(std::process::Stdio::piped())
        .spawn()?;
    if let Some(stdin) = child.stdin.as_mut() {
        // The user may quit the pager early; a broken pipe here is not an error.
        let _ = stdin.write_all(text);
    }
    drop(child.stdin.take());
    child.wait().map(drop)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_points_under_the_span() {
        let text = "RETURN 1;\nMATCH (p) RETURN q";
        assert_eq!(
            caret(text, Span::new(27, 28), Paint::default()),
            "  MATCH (p) RETURN q\n                   ^\n"
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
