//! CSV files in neo4j-admin import format, one header row each.
//!
//! Node files have an `:ID` column (`id:ID`, `name:ID`, `:ID`, `id:ID(Group)`), an optional
//! `:LABEL` column (`;`-separated labels) and property columns; relationship files have
//! `:START_ID`, `:END_ID`, `:TYPE` and property columns. Property columns are typed by a
//! suffix (`year:int`, `capital:float`, `listed:boolean`, `tags:string[]`); untyped means
//! string, an empty field means no property, arrays are `;`-separated. A named id column
//! (`id:ID`) is also stored as a property of that name, as neo4j does.
//!
//! This is the fast path for large data sets: `header` reads each file's first row into
//! a `CsvFile`; `rows` parses the rest on a second thread, reusing one `StringRecord`,
//! while the calling thread builds the graph. Not supported: separate header files,
//! date/time and point columns (reported as errors).

mod header;
mod rows;

use std::path::Path;

pub(super) use header::open_all;
pub(super) use rows::{add_nodes, add_rels};

use super::LoadError;

fn reader(path: &Path) -> Result<csv::Reader<std::fs::File>, LoadError> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        // Rows with the wrong number of fields are reported by us, with their line.
        .flexible(true)
        .buffer_capacity(1 << 20)
        .from_path(path)
        .map_err(|e| LoadError::file(path, format!("cannot read file: {e}")))
}

fn csv_error(path: &Path, error: &csv::Error) -> LoadError {
    let line = error.position().map(|p| p.line() as usize);
    let message = match error.kind() {
        csv::ErrorKind::Utf8 { .. } => "invalid UTF-8 — save the file as UTF-8".to_string(),
        _ => format!("cannot read CSV: {error}"),
    };
    LoadError {
        path: path.to_path_buf(),
        line,
        column: None,
        message,
    }
}

/// The 1-based character column where field `index` starts in the record's line.
/// The reader drops quotes, so this assumes minimal quoting (a field is quoted only when it
/// holds a comma, quote or line break), which is what CSV writers produce.
fn field_column(record: &csv::StringRecord, index: usize) -> usize {
    1 + record
        .iter()
        .take(index)
        .map(|f| raw_width(f) + 1)
        .sum::<usize>()
}

/// The column just past the last field of the record.
fn end_column(record: &csv::StringRecord) -> usize {
    field_column(record, record.len()).saturating_sub(1).max(1)
}

fn raw_width(field: &str) -> usize {
    let chars = field.chars().count();
    if field.contains([',', '"', '\n', '\r']) {
        chars + 2 + field.matches('"').count()
    } else {
        chars
    }
}
