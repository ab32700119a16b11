//! Result formatters: table, JSON Lines, CSV, TSV, Markdown, and TCK notation for tests.
//! Each takes a `&ResultSet` and an `impl Write`, so tests write into a `Vec<u8>`.
//! Formatters need no graph: entity data comes from the result's snapshots.

pub mod delimited;
pub mod json;
pub mod markdown;
mod notation;
pub mod table;
pub mod tck;
pub mod text;

use std::fmt;
use std::io::{self, Write};
use std::str::FromStr;

use crate::result::ResultSet;

/// An output format, as named by `--format` and `:format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Aligned columns (box-drawn on a terminal).
    #[default]
    Table,
    /// JSON Lines, one object per statement (protocol.md).
    Json,
    /// Comma-separated values with a header row (RFC 4180 quoting).
    Csv,
    /// Tab-separated values with a header row.
    Tsv,
    /// A Markdown table.
    Markdown,
}

impl Format {
    /// Every format, in the order `--help` lists them.
    pub const ALL: [Format; 5] = [
        Format::Table,
        Format::Json,
        Format::Csv,
        Format::Tsv,
        Format::Markdown,
    ];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Markdown => "markdown",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!("unknown format `{s}` (expected table, json, csv, tsv or markdown)")
            })
    }
}

/// How results are laid out, beyond the format itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    /// Box-drawn table (a terminal) instead of plain aligned ASCII.
    pub boxed: bool,
    /// Terminal width to fit the table into; `None` never cuts cells.
    pub width: Option<usize>,
    /// Show only the head and tail of longer results (table only).
    pub max_rows: Option<usize>,
    /// Append the statement's time to the table footer.
    pub timing: bool,
    /// Show top-level strings without quotes (tables of the shell's own, e.g. `:schema`).
    pub plain_strings: bool,
    /// Wrap long cells onto several lines to fit `width`, instead of cutting them.
    pub wrap: bool,
}

/// Writes one statement's result in `format`.
pub fn write_result(
    result: &ResultSet,
    format: Format,
    options: &Options,
    out: &mut impl Write,
) -> io::Result<()> {
    match format {
        Format::Table => table::write(result, options, out),
        Format::Json => json::write(result, out),
        Format::Csv => delimited::write(result, delimited::Delimiter::Comma, out),
        Format::Tsv => delimited::write(result, delimited::Delimiter::Tab, out),
        Format::Markdown => markdown::write(result, out),
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! A small result with a node, a relationship, a path, a null and awkward strings.

    use crate::graph::Graph;
    use crate::result::{ResultSet, Stats};
    use crate::value::{Path, Value};

    pub fn sample() -> ResultSet {
        let mut graph = Graph::new();
        let wu = graph.create_node(["Person"], [("name".to_string(), Value::from("Wu Gansha"))]);
        let uisee = graph.create_node(["Company"], [("name".to_string(), Value::from("Uisee"))]);
        let founded = graph
            .create_rel(
                wu,
                uisee,
                "FOUNDED",
                [("year".to_string(), Value::Int(2016))],
            )
            .expect("both nodes exist");
        let path = Value::Path(Box::new(Path {
            nodes: vec![wu, uisee],
            rels: vec![founded],
        }));
        ResultSet::new(
            vec!["p".into(), "x".into()],
            vec![
                vec![path, Value::Null],
                vec![Value::Node(wu), Value::from("null")],
                vec![Value::Rel(founded), Value::Float(1.0)],
                vec![Value::from("a,b \"c\""), Value::Float(f64::NAN)],
            ],
            Stats::default(),
            &graph,
        )
    }
}
