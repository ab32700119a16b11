//! Meta-commands (`:help`, `:param`, `:schema`, ...): their names, help text (`:help`'s
//! layout too) and parser.
//! Running them is `shell.rs`'s job.

use std::path::PathBuf;

use kg::format::Format;

/// A parsed meta-command line.
#[derive(Debug, Clone, PartialEq)]
pub enum MetaCommand {
    /// `:help [command]`
    Help(Option<String>),
    /// `:schema`: labels, relationship types, property keys, with counts.
    Schema,
    /// `:stats`: node and relationship counts.
    Stats,
    /// `:find TEXT`: fuzzy search over names and aliases.
    Find(String),
    /// `:show NAME|ID`: one node's card.
    Show(String),
    /// `:why`: the evidence behind the last result.
    Why,
    /// `:param NAME => EXPR`
    Param { name: String, expr: String },
    /// `:param {a: 1, b: 'x'}`
    ParamMap(String),
    /// `:params`
    Params,
    /// `:param clear`
    ParamClear,
    /// `:format table|json|csv|tsv|markdown`
    Format(Format),
    /// `:max_rows N` (`:max_rows off` shows all)
    MaxRows(Option<usize>),
    /// `:last`: the previous result in full.
    Last,
    /// `:timing on|off`
    Timing(bool),
    /// `:format`, `:timing`, `:max_rows` or `:set` alone: the current settings.
    Settings,
    /// `:set max_memory SIZE|off` or `:set timeout DURATION|off`: the statement limits.
    Set(Limit),
    /// `:source FILE`: run a script.
    Source(PathBuf),
    /// `:load PATH`: replace the graph.
    Load(PathBuf),
    /// `:save PATH`: write the graph in kg's format.
    Save(PathBuf),
    /// `:export cypher|csv|graphml|dot|svg|png PATH`
    Export(ExportKind, PathBuf),
    /// `:view [PATH]`: the last result as a self-contained HTML page.
    View(Option<PathBuf>),
    /// `:begin`, `:commit`, `:rollback`: an explicit transaction.
    Transaction(TransactionCommand),
    /// `:checkpoint`: fold the database's log into its snapshot.
    Checkpoint,
    /// `:quit` / `:exit`
    Quit,
}

/// What a transaction meta-command does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionCommand {
    Begin,
    Commit,
    Rollback,
}

/// A statement limit set by `:set`; `None` turns it off.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Limit {
    MaxMemory(Option<u64>),
    Timeout(Option<std::time::Duration>),
}

/// What `:export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    Cypher,
    Csv,
    GraphMl,
    Dot,
    /// Drawn by Graphviz's `dot`.
    Svg,
    Png,
}

/// Name, usage and one-line description of every meta-command, in `:help` order.
pub const COMMANDS: &[(&str, &str, &str)] = &[
    (
        "help",
        ":help [command]",
        "list meta-commands, or explain one",
    ),
    (
        "schema",
        ":schema",
        "labels, relationship types and property keys, with counts",
    ),
    (
        "stats",
        ":stats",
        "how many nodes and relationships the graph holds",
    ),
    (
        "find",
        ":find TEXT",
        "fuzzy search over node names and aliases (in a query: CALL kg.find('TEXT') YIELD node, matched, score)",
    ),
    (
        "show",
        ":show NAME|ID",
        "a node's labels, properties, evidence and relationships",
    ),
    (
        "why",
        ":why",
        "the evidence behind the nodes and relationships of the last result",
    ),
    (
        "param",
        ":param NAME => EXPR",
        "set $NAME (also :param {map} and :param clear)",
    ),
    ("params", ":params", "list the query parameters"),
    (
        "format",
        ":format [table|json|csv|tsv|markdown]",
        "choose the output format (alone: show the output settings)",
    ),
    (
        "max_rows",
        ":max_rows N|off",
        "show at most N rows of a table (head and tail)",
    ),
    (
        "last",
        ":last",
        "the previous result in full (through $PAGER when long)",
    ),
    ("timing", ":timing on|off", "show each statement's time"),
    (
        "set",
        ":set max_memory|timeout VALUE|off",
        "limit each statement's memory (e.g. 2GiB) or time (e.g. 30s); alone: show the limits",
    ),
    ("source", ":source FILE", "run a script file"),
    (
        "load",
        ":load PATH",
        "replace the graph with data files (kg TOML, CSV, or a .cypher script)",
    ),
    ("save", ":save PATH", "write the graph as kg TOML"),
    (
        "export",
        ":export FORMAT PATH",
        "write the graph as cypher, csv, graphml or dot; svg and png are drawn by Graphviz's dot",
    ),
    (
        "view",
        ":view [PATH]",
        "draw the last result as a graph in an HTML page (opened in the browser on a desktop)",
    ),
    (
        "begin",
        ":begin",
        "open a transaction: the following statements are kept or undone together",
    ),
    ("commit", ":commit", "keep the open transaction's changes"),
    (
        "rollback",
        ":rollback",
        "undo the open transaction's changes",
    ),
    (
        "checkpoint",
        ":checkpoint",
        "with --db: rewrite the database's snapshot and empty its log",
    ),
    ("quit", ":quit | :exit", "leave (Ctrl-D works too)"),
];

impl MetaCommand {
    /// Parses a line starting with `:`; the error says what is wrong and how to write it.
    pub fn parse(line: &str) -> Result<MetaCommand, String> {
        // A `;` out of habit ends the line, not the argument (`:schema;`).
        let line = line.trim().trim_end_matches(';').trim_end();
        let body = line.strip_prefix(':').unwrap_or(line);
        let (name, rest) = match body.find(char::is_whitespace) {
            Some(i) => (&body[..i], body[i..].trim()),
            None => (body, ""),
        };
        let usage = || {
            let usage = COMMANDS
                .iter()
                .find(|(n, ..)| *n == name)
                .map_or("", |(_, u, _)| *u);
            format!("usage: {usage}")
        };
        let path = |rest: &str| {
            if rest.is_empty() {
                Err(usage())
            } else {
                Ok(PathBuf::from(unquote(rest)))
            }
        };
        let on_off = |rest: &str| match rest {
            "on" => Ok(true),
            "off" => Ok(false),
            _ => Err(usage()),
        };
        let takes_nothing = [
            "schema",
            "stats",
            "why",
            "params",
            "last",
            "begin",
            "commit",
            "rollback",
            "checkpoint",
        ];
        if takes_nothing.contains(&name) && !rest.is_empty() {
            return Err(format!("{} (it takes no argument)", usage()));
        }
        match name {
            "help" | "h" | "?" => Ok(MetaCommand::Help(
                (!rest.is_empty()).then(|| rest.trim_start_matches(':').to_string()),
            )),
            "schema" => Ok(MetaCommand::Schema),
            "stats" => Ok(MetaCommand::Stats),
            "find" if !rest.is_empty() => Ok(MetaCommand::Find(unquote(rest).to_string())),
            "show" if !rest.is_empty() => Ok(MetaCommand::Show(unquote(rest).to_string())),
            "why" => Ok(MetaCommand::Why),
            "params" => Ok(MetaCommand::Params),
            "param" if rest == "clear" => Ok(MetaCommand::ParamClear),
            "param" if rest.starts_with('{') => Ok(MetaCommand::ParamMap(rest.to_string())),
            "param" => {
                let (name, expr) = rest.split_once("=>").ok_or_else(usage)?;
                let name = name.trim().trim_start_matches('$').trim_matches('`');
                let expr = expr.trim();
                if name.is_empty() || expr.is_empty() {
                    return Err(usage());
                }
                Ok(MetaCommand::Param {
                    name: name.to_string(),
                    expr: expr.to_string(),
                })
            }
            "format" | "timing" | "max_rows" | "set" if rest.is_empty() => {
                Ok(MetaCommand::Settings)
            }
            "format" => rest.parse().map(MetaCommand::Format),
            "max_rows" => match rest {
                "off" | "all" => Ok(MetaCommand::MaxRows(None)),
                n => n
                    .parse()
                    .map(|n| MetaCommand::MaxRows(Some(n)))
                    .map_err(|_| usage()),
            },
            "set" => {
                let (setting, value) = rest.split_once(char::is_whitespace).ok_or_else(usage)?;
                let value = value.trim();
                let off = matches!(value, "off" | "none");
                match setting {
                    "max_memory" if off => Ok(MetaCommand::Set(Limit::MaxMemory(None))),
                    "max_memory" => kg::limits::parse_size(value)
                        .map(|size| MetaCommand::Set(Limit::MaxMemory(Some(size)))),
                    "timeout" if off => Ok(MetaCommand::Set(Limit::Timeout(None))),
                    "timeout" => kg::limits::parse_duration(value)
                        .map(|t| MetaCommand::Set(Limit::Timeout(Some(t)))),
                    _ => Err(usage()),
                }
            }
            "last" => Ok(MetaCommand::Last),
            "timing" => on_off(rest).map(MetaCommand::Timing),
            "source" => path(rest).map(MetaCommand::Source),
            "load" => path(rest).map(MetaCommand::Load),
            "save" => path(rest).map(MetaCommand::Save),
            "export" => {
                let (format, file) = rest.split_once(char::is_whitespace).ok_or_else(usage)?;
                let format = match format.to_ascii_lowercase().as_str() {
                    "cypher" => ExportKind::Cypher,
                    "csv" => ExportKind::Csv,
                    "graphml" => ExportKind::GraphMl,
                    "dot" => ExportKind::Dot,
                    "svg" => ExportKind::Svg,
                    "png" => ExportKind::Png,
                    _ => return Err(usage()),
                };
                Ok(MetaCommand::Export(format, path(file.trim())?))
            }
            "view" => Ok(MetaCommand::View(
                (!rest.is_empty()).then(|| PathBuf::from(unquote(rest))),
            )),
            "begin" => Ok(MetaCommand::Transaction(TransactionCommand::Begin)),
            "commit" => Ok(MetaCommand::Transaction(TransactionCommand::Commit)),
            "rollback" => Ok(MetaCommand::Transaction(TransactionCommand::Rollback)),
            "checkpoint" => Ok(MetaCommand::Checkpoint),
            "quit" | "exit" | "q" => Ok(MetaCommand::Quit),
            "find" | "show" => Err(usage()),
            _ => {
                let known: Vec<&str> = COMMANDS.iter().map(|(n, ..)| *n).collect();
                let hint = crate::cli::suggest::closest(name, known.iter().copied())
                    .map(|s| format!(" — did you mean :{s}?"))
                    .unwrap_or_default();
                Err(format!(
                    "unknown meta-command :{name}{hint} (:help lists them)"
                ))
            }
        }
    }
}

/// `:help`, its descriptions wrapped to `width` (under their usage when it is narrow).
pub fn help(topic: Option<&str>, width: Option<usize>) -> String {
    use kg::format::text::wrap;
    let width = width.unwrap_or(usize::MAX);
    let indent = |text: &str, by: usize, width: usize| {
        wrap(text, width.saturating_sub(by).max(20))
            .lines()
            .map(|l| format!("{}{l}", " ".repeat(by)))
            .collect::<Vec<_>>()
            .join("\n")
    };
    match topic {
        Some(name) => match COMMANDS.iter().find(|(n, ..)| *n == name) {
            Some((_, usage, about)) => format!("{usage}\n{}", indent(about, 4, width)),
            None => format!("no meta-command :{name} (:help lists them)"),
        },
        None => {
            let mut text = indent(
                "Type Cypher statements ending with `;` (Enter continues an unfinished one).",
                0,
                width,
            );
            text.push_str("\nMeta-commands:\n");
            let column = COMMANDS.iter().map(|(_, u, _)| u.len()).max().unwrap_or(0) + 4;
            for (_, usage, about) in COMMANDS {
                if width >= column + 30 {
                    let about = indent(about, column, width);
                    text.push_str(&format!(
                        "  {usage:<w$}{}\n",
                        &about[column..],
                        w = column - 2
                    ));
                } else {
                    text.push_str(&format!("  {usage}\n{}\n", indent(about, 6, width)));
                }
            }
            text.push_str(&indent(
                "Tab completes; Ctrl-R searches history; Ctrl-C cancels; Ctrl-D leaves.",
                0,
                width,
            ));
            text
        }
    }
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    for q in ['\'', '"'] {
        if let Some(inner) = s.strip_prefix(q).and_then(|s| s.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_params() {
        assert_eq!(
            MetaCommand::parse(":param name => 'Uisee'"),
            Ok(MetaCommand::Param {
                name: "name".into(),
                expr: "'Uisee'".into()
            })
        );
        assert_eq!(
            MetaCommand::parse(":param {a: 1}"),
            Ok(MetaCommand::ParamMap("{a: 1}".into()))
        );
        assert_eq!(
            MetaCommand::parse(":param clear"),
            Ok(MetaCommand::ParamClear)
        );
        assert!(MetaCommand::parse(":param x").is_err());
    }

    #[test]
    fn parses_the_rest() {
        assert_eq!(
            MetaCommand::parse(":format csv"),
            Ok(MetaCommand::Format(Format::Csv))
        );
        assert_eq!(
            MetaCommand::parse(":max_rows 5"),
            Ok(MetaCommand::MaxRows(Some(5)))
        );
        assert_eq!(
            MetaCommand::parse(":export dot /tmp/g.dot"),
            Ok(MetaCommand::Export(ExportKind::Dot, "/tmp/g.dot".into()))
        );
        assert_eq!(
            MetaCommand::parse(":show 'Uisee'"),
            Ok(MetaCommand::Show("Uisee".into()))
        );
        assert_eq!(MetaCommand::parse(":exit"), Ok(MetaCommand::Quit));
        assert_eq!(MetaCommand::parse(":view"), Ok(MetaCommand::View(None)));
        assert_eq!(
            MetaCommand::parse(":view 'a b.html'"),
            Ok(MetaCommand::View(Some("a b.html".into())))
        );
        assert_eq!(
            MetaCommand::parse(":export SVG g.svg"),
            Ok(MetaCommand::Export(ExportKind::Svg, "g.svg".into()))
        );
        assert_eq!(MetaCommand::parse(":format"), Ok(MetaCommand::Settings));
        assert_eq!(
            MetaCommand::parse(":set max_memory 1GiB"),
            Ok(MetaCommand::Set(Limit::MaxMemory(Some(1 << 30))))
        );
        assert_eq!(
            MetaCommand::parse(":set timeout 2s"),
            Ok(MetaCommand::Set(Limit::Timeout(Some(
                std::time::Duration::from_secs(2)
            ))))
        );
        assert_eq!(
            MetaCommand::parse(":set timeout off"),
            Ok(MetaCommand::Set(Limit::Timeout(None)))
        );
        assert!(MetaCommand::parse(":set timeout soon").is_err());
    }

    #[test]
    fn a_habitual_semicolon_is_ignored_and_stray_arguments_are_not() {
        assert_eq!(MetaCommand::parse(":schema;"), Ok(MetaCommand::Schema));
        assert_eq!(
            MetaCommand::parse(":param x => 1;"),
            Ok(MetaCommand::Param {
                name: "x".into(),
                expr: "1".into()
            })
        );
        assert_eq!(
            MetaCommand::parse(":why Uisee"),
            Err("usage: :why (it takes no argument)".into())
        );
    }

    #[test]
    fn parses_transaction_commands() {
        let tx = MetaCommand::Transaction;
        assert_eq!(
            MetaCommand::parse(":begin"),
            Ok(tx(TransactionCommand::Begin))
        );
        assert_eq!(
            MetaCommand::parse(":commit;"),
            Ok(tx(TransactionCommand::Commit))
        );
        assert_eq!(
            MetaCommand::parse(":rollback"),
            Ok(tx(TransactionCommand::Rollback))
        );
        assert_eq!(
            MetaCommand::parse(":checkpoint"),
            Ok(MetaCommand::Checkpoint)
        );
        assert!(MetaCommand::parse(":commit now").is_err());
    }

    #[test]
    fn unknown_commands_get_a_suggestion() {
        let err = MetaCommand::parse(":shcema").expect_err("unknown");
        assert!(err.contains("did you mean :schema?"), "{err}");
    }

    #[test]
    fn help_fits_the_terminal() {
        let wide = help(None, None);
        assert!(
            wide.contains(&format!("\n  {:<39}the evidence behind", ":why")),
            "{wide}"
        );
        let narrow = help(None, Some(40));
        assert!(narrow.lines().all(|l| l.len() <= 40), "{narrow}");
        assert!(
            narrow.contains("\n  :why\n      the evidence behind the nodes"),
            "{narrow}"
        );
    }
}
