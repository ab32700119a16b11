//! The meta-commands (`:param`, `:schema`, `:show`, `:save`, ...) run against a `Shell`:
//! what each one does and how its output is shown. Parsing a meta-command line is
//! `cli::meta`'s job; statements and error reporting stay in `shell/mod.rs`.

use std::io::{self, Write};
use std::path::Path;

use kg::error::Span;
use kg::format::{self, Format, Options};
use kg::result::{ResultSet, Stats};
use kg::value::Value;

use super::{Flow, Shell, Source};
use crate::cli::meta::{Limit, MetaCommand, TransactionCommand, help};
use crate::cli::schema::Schema;
use crate::cli::{data, inspect};

impl Shell {
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

    /// Runs a parsed meta-command; failures are reported and counted, not returned.
    pub(super) fn execute_meta(
        &mut self,
        source: &Source,
        command: MetaCommand,
        line: &str,
        offset: usize,
    ) -> io::Result<Flow> {
        let local_only = matches!(
            command,
            MetaCommand::Schema
                | MetaCommand::Stats
                | MetaCommand::Find(_)
                | MetaCommand::Show(_)
                | MetaCommand::Why
                | MetaCommand::Load(_)
                | MetaCommand::Save(_)
                | MetaCommand::Export(..)
        );
        let outcome: Result<(), String> = match command {
            _ if local_only && let Some(client) = &self.remote => Err(format!(
                "{} needs the local graph; kg is connected to {} (run it without --connect)",
                line.split_whitespace().next().unwrap_or(line),
                client.address()
            )),
            MetaCommand::Quit => return Ok(Flow::Quit),
            MetaCommand::Help(topic) => {
                self.info(&help(topic.as_deref(), self.options().width))?;
                Ok(())
            }
            MetaCommand::Param { name, expr } => {
                let expr_offset = offset + line.find(expr.as_str()).unwrap_or(0);
                match self.evaluate(source, &expr, expr_offset)? {
                    Some(value) => {
                        self.confirm(&param_line(&name, &value));
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
                            self.confirm(&param_line(&k, &v));
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
                self.confirm("parameters cleared");
                Ok(())
            }
            MetaCommand::Params => {
                self.print_params()?;
                Ok(())
            }
            MetaCommand::Format(format) => {
                self.settings.format = format;
                self.confirm(&format!("output format: {format}"));
                Ok(())
            }
            MetaCommand::MaxRows(n) => {
                self.settings.max_rows = n;
                self.confirm(&match n {
                    Some(n) => format!("tables show at most {n} rows (head and tail)"),
                    None => "tables show every row".to_string(),
                });
                Ok(())
            }
            MetaCommand::Set(limit) => {
                let mut limits = self.session.limits();
                let off = "off".to_string();
                self.confirm(&match limit {
                    Limit::MaxMemory(size) => {
                        limits.max_memory = size;
                        format!("max_memory: {}", size.map_or(off, kg::limits::format_size))
                    }
                    Limit::Timeout(timeout) => {
                        limits.timeout = timeout;
                        format!("timeout: {}", timeout.map_or(off, |t| format!("{t:?}")))
                    }
                });
                self.session.set_limits(limits);
                Ok(())
            }
            MetaCommand::Timing(on) => {
                self.settings.timing = on;
                self.confirm(if on { "timing on" } else { "timing off" });
                Ok(())
            }
            MetaCommand::Settings => {
                let max_rows = self
                    .settings
                    .max_rows
                    .map_or("off".to_string(), |n| n.to_string());
                let timing = if self.settings.timing { "on" } else { "off" };
                let limits = self.session.limits();
                let max_memory = limits
                    .max_memory
                    .map_or("off".to_string(), kg::limits::format_size);
                let timeout = limits
                    .timeout
                    .map_or("off".to_string(), |t| format!("{t:?}"));
                self.info(&format!(
                    "format: {}, timing: {timing}, max_rows: {max_rows}, max_memory: {max_memory}, timeout: {timeout}",
                    self.settings.format
                ))?;
                Ok(())
            }
            MetaCommand::Last => match &self.last {
                Some(last) => {
                    self.print_last(last)?;
                    Ok(())
                }
                None => Err("no previous result to show".to_string()),
            },
            MetaCommand::Schema => {
                // Asked for, so read in full (the cached schema samples big graphs).
                let result = inspect::schema(&Schema::full(self.session.graph()));
                if result.rows.is_empty() && self.settings.format == Format::Table {
                    self.info("the graph is empty (CREATE some nodes, or :load PATH)")?;
                } else {
                    self.show(&result)?;
                }
                Ok(())
            }
            MetaCommand::Stats => {
                let result = inspect::stats(self.session.graph(), self.session.params().len());
                self.show(&result)?;
                Ok(())
            }
            MetaCommand::Find(text) => {
                let result = inspect::find(self.session.graph(), &text);
                if result.rows.is_empty() && self.settings.format == Format::Table {
                    self.info(&format!("no node name or alias is like '{text}'"))?;
                } else {
                    self.show(&result)?;
                }
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
                        inspect::write_why(&result, self.options().width, &mut out)?;
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
                        match self.run_script(&nested)? {
                            Flow::Quit => return Ok(Flow::Quit),
                            // At the prompt the rest of the file is told, and the session
                            // goes on; a script stops itself on the failure.
                            Flow::Stopped if self.settings.interactive => {
                                eprintln!(
                                    "stopped at the first failure: {} not run",
                                    super::super::plural(self.skipped, "statement", "statements")
                                );
                                self.skipped = 0;
                            }
                            Flow::Stopped | Flow::Continue => {}
                        }
                        Ok(())
                    }
                    Err(e) => Err(format!("cannot read {}: {e}", path.display())),
                }
            }
            MetaCommand::Transaction(command) => self.transaction(command),
            MetaCommand::Checkpoint => match self.session.checkpoint() {
                Ok(true) => {
                    self.confirm("checkpoint written");
                    Ok(())
                }
                Ok(false) => Err(
                    "no database is open (kg --db PATH opens one; :save PATH writes the graph to a file)"
                        .to_string(),
                ),
                Err(e) => Err(e.message),
            },
            MetaCommand::Load(path) => {
                let path = resolve(source, &path);
                let loaded = if data::is_script(&path) {
                    data::load_script(&path)
                } else {
                    data::load_paths(std::slice::from_ref(&path))
                };
                match loaded {
                    Ok((graph, summary)) => {
                        if let Err(e) = self.session.replace_graph(graph) {
                            return self.meta_failed(source, offset, &e.message);
                        }
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
                let in_database = [Some(path.as_path()), path.parent()]
                    .into_iter()
                    .flatten()
                    .any(kg::db::is_database);
                if in_database {
                    return self.meta_failed(
                        source,
                        offset,
                        &format!(
                            "{} is a kg database directory, not a file to save to (kg --db keeps its changes as they commit; :checkpoint rewrites its snapshot)",
                            path.display()
                        ),
                    );
                }
                match data::save(self.session.graph(), &path) {
                    Ok(()) => {
                        self.dirty = false;
                        eprintln!("saved to {}", path.display());
                        Ok(())
                    }
                    Err(e) => Err(format!("{e:#}")),
                }
            }
            MetaCommand::View(path) => match &self.last {
                None => Err("no previous result to view (run a query first)".to_string()),
                Some(last) => {
                    let path = path.map_or_else(view_path, |p| resolve(source, &p));
                    let page = kg::view::page(last, self.session.graph(), &self.last_statement);
                    match std::fs::write(&path, page) {
                        Ok(()) => {
                            eprintln!("view written to {}", path.display());
                            crate::cli::open_in_browser(&path);
                            Ok(())
                        }
                        Err(e) => Err(format!("cannot write {}: {e}", path.display())),
                    }
                }
            },
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

    /// Reports a meta-command failure (for early returns out of `execute_meta`).
    fn meta_failed(&mut self, source: &Source, offset: usize, message: &str) -> io::Result<Flow> {
        self.meta_failure(source, offset, message);
        Ok(Flow::Continue)
    }

    /// `:begin`, `:commit`, `:rollback`.
    fn transaction(&mut self, command: TransactionCommand) -> Result<(), String> {
        let statements = |n| super::super::plural(n, "statement", "statements");
        match command {
            TransactionCommand::Begin => {
                self.session.begin().map_err(|e| e.message)?;
                self.confirm("transaction open (:commit keeps it, :rollback undoes it)");
            }
            TransactionCommand::Commit => {
                // A commit that could not be made durable is rolled back in memory too.
                let committed = self.session.commit();
                self.graph_changed();
                let summary = committed.map_err(|e| e.message)?;
                self.confirm(&format!("committed ({})", statements(summary.statements)));
            }
            TransactionCommand::Rollback => {
                let summary = self.session.rollback().map_err(|e| e.message)?;
                self.graph_changed();
                self.confirm(&format!("rolled back ({})", statements(summary.statements)));
            }
        }
        Ok(())
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
        // Nothing follows the expression, so a parse error names what is really there
        // (`1 +` ends too soon) and `1; CREATE ()` cannot run a second statement.
        if kg::script::split(expr).len() > 1 {
            self.meta_failure(
                source,
                offset,
                "a parameter's value is one expression, not several statements",
            );
            return Ok(None);
        }
        let query = format!("{PREFIX}{expr}");
        match self.session.run(&query) {
            Ok(results) => {
                let mut rows = results.into_iter().flat_map(|r| r.rows);
                match (rows.next(), rows.next()) {
                    (Some(row), None) if row.len() == 1 => {
                        Ok(Some(row.into_iter().next().unwrap_or(Value::Null)))
                    }
                    _ => {
                        self.meta_failure(
                            source,
                            offset,
                            "a parameter's value is one expression (a list or map holds several)",
                        );
                        Ok(None)
                    }
                }
            }
            Err(mut error) => {
                // Point into the expression as written, not into the query built around it.
                if let Some(span) = &mut error.span {
                    let clamp = |p: usize| p.saturating_sub(PREFIX.len()).min(expr.len()) + offset;
                    *span = Span::new(clamp(span.start), clamp(span.end));
                }
                self.report_error_as(source, &error, expr, offset, false)?;
                Ok(None)
            }
        }
    }

    /// Prints a meta-command's result in the current format (a JSON line in JSON mode).
    fn show(&self, result: &ResultSet) -> io::Result<()> {
        // The shell's own tables are reference text: whole, wrapped, untimed.
        let options = Options {
            plain_strings: true,
            wrap: true,
            max_rows: None,
            timing: false,
            ..self.options()
        };
        let mut out = io::stdout().lock();
        format::write_result(result, self.settings.format, &options, &mut out)?;
        // Not kept as `last`: :last and :why are about the previous query.
        out.flush()
    }

    /// `:params`: in a table, as the `:param` lines that would set them again (as
    /// cypher-shell lists them); in other formats, a `name`/`value` result.
    fn print_params(&self) -> io::Result<()> {
        let params = self.session.params();
        if self.settings.format != Format::Table {
            let rows = params
                .iter()
                .map(|(k, v)| vec![Value::from(k.as_str()), v.clone()])
                .collect();
            return self.show(&ResultSet::new(
                vec!["name".into(), "value".into()],
                rows,
                Stats::default(),
                self.session.graph(),
            ));
        }
        if params.is_empty() {
            return self.info("no parameters (set one with :param NAME => EXPR)");
        }
        let lines: Vec<String> = params
            .iter()
            .map(|(k, v)| {
                let line = param_line(k, v).replacen(" = ", " => ", 1);
                format!(":param {}", line.trim_start_matches('$'))
            })
            .collect();
        self.info(&lines.join("\n"))
    }
}

/// `name = value` with the name as Cypher spells it (`$x`, `` $`my x` ``) and the value in
/// Cypher notation (`'x'`, not x).
fn param_line(name: &str, value: &Value) -> String {
    let mut text = String::from("$");
    kg::format::text::key(&mut text, name);
    let shown = kg::format::text::cypher(value, &ResultSet::default());
    format!("{text} = {shown}")
}

/// Where `:view` writes without a path: a new file under the system's temporary directory.
fn view_path() -> std::path::PathBuf {
    static COUNT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    std::env::temp_dir().join(format!("kg-view-{}-{n}.html", std::process::id()))
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
