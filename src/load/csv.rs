//! CSV files in neo4j-admin import format, one header row each.
//!
//! Node files have an `:ID` column (`id:ID`, `name:ID`, `:ID`, `id:ID(Group)`), an optional
//! `:LABEL` column (`;`-separated labels) and property columns; relationship files have
//! `:START_ID`, `:END_ID`, `:TYPE` and property columns. Property columns are typed by a
//! suffix (`year:int`, `capital:float`, `listed:boolean`, `tags:string[]`); untyped means
//! string, an empty field means no property, arrays are `;`-separated. A named id column
//! (`id:ID`) is also stored as a property of that name, as neo4j does.
//!
//! This is the fast path for large data sets: one `StringRecord` is reused per file, and
//! rows go straight into the graph. Not supported: separate header files, date/time and
//! point columns (reported as errors).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use std::sync::mpsc;

use super::{IdSpaces, LoadError, Loader, MAX_ERRORS, Origin};
use crate::graph::NodeId;
use crate::value::Value;

/// A file whose header was understood, ready to be read.
pub(super) struct CsvFile {
    path: PathBuf,
    file: u32,
    /// Header fields as written, for messages.
    names: Vec<String>,
    kind: FileKind,
    props: Vec<PropertyColumn>,
    /// Rough row count from the file size, to size the id table up front.
    estimated_rows: usize,
}

#[derive(Debug, Clone)]
enum FileKind {
    Nodes {
        id: usize,
        group: usize,
        /// The property a named id column (`id:ID`) is also stored as.
        id_key: Option<String>,
        label: Option<usize>,
    },
    Rels {
        start: usize,
        start_group: usize,
        end: usize,
        end_group: usize,
        rel_type: usize,
    },
}

#[derive(Debug, Clone)]
struct PropertyColumn {
    index: usize,
    key: String,
    ty: Type,
    array: bool,
}

/// One header field, as understood.
#[derive(Debug, Clone)]
enum Column {
    Id { group: usize, key: Option<String> },
    Label,
    StartId { group: usize },
    EndId { group: usize },
    Type,
    Ignore,
    Property { key: String, ty: Type, array: bool },
}

/// The type of a property column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Type {
    String,
    Int,
    Float,
    Bool,
}

impl Type {
    fn parse(name: &str) -> Option<Type> {
        match name.to_ascii_lowercase().as_str() {
            "string" | "char" => Some(Type::String),
            "int" | "long" | "short" | "byte" => Some(Type::Int),
            "float" | "double" => Some(Type::Float),
            "boolean" => Some(Type::Bool),
            _ => None,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Type::String => "a string",
            Type::Int => "an integer",
            Type::Float => "a number",
            Type::Bool => "true or false",
        }
    }
}

/// Reads the header of every file and decides whether it holds nodes or relationships.
/// Files with a bad header are reported and left out.
pub(super) fn open_all(loader: &mut Loader, paths: &[PathBuf]) -> Vec<CsvFile> {
    paths
        .iter()
        .filter_map(|path| {
            let file = loader.add_path(path);
            match open(loader, path, file) {
                Ok(f) => Some(f),
                Err(errors) => {
                    errors.into_iter().for_each(|e| loader.error(e));
                    None
                }
            }
        })
        .collect()
}

fn reader(path: &Path) -> Result<csv::Reader<std::fs::File>, LoadError> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        // Rows with the wrong number of fields are reported by us, with their line.
        .flexible(true)
        .buffer_capacity(1 << 20)
        .from_path(path)
        .map_err(|e| LoadError::file(path, format!("cannot read file: {e}")))
}

fn open(loader: &mut Loader, path: &Path, file: u32) -> Result<CsvFile, Vec<LoadError>> {
    let mut reader = reader(path).map_err(|e| vec![e])?;
    let mut header = csv::StringRecord::new();
    match reader.read_record(&mut header) {
        Ok(true) => {}
        Ok(false) => {
            return Err(vec![LoadError::file(
                path,
                "empty file — a CSV file needs a header row such as `id:ID,name,:LABEL`",
            )]);
        }
        Err(e) => return Err(vec![csv_error(path, &e)]),
    }
    // Spreadsheet exports start with a byte-order mark and may pad names with spaces.
    let names: Vec<String> = header
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let name = if i == 0 {
                name.trim_start_matches('\u{feff}')
            } else {
                name
            };
            name.trim().to_string()
        })
        .collect();
    let mut columns = Vec::with_capacity(header.len());
    let mut errors = Vec::new();
    for (i, name) in names.iter().enumerate() {
        match parse_column(loader, name) {
            Ok(c) => columns.push(c),
            Err(message) => errors.push(LoadError::at(
                path,
                1,
                Some(field_column(&header, i)),
                message,
            )),
        }
    }
    let find = |f: fn(&Column) -> bool| -> Vec<usize> {
        columns
            .iter()
            .enumerate()
            .filter(|(_, c)| f(c))
            .map(|(i, _)| i)
            .collect()
    };
    let ids = find(|c| matches!(c, Column::Id { .. }));
    let starts = find(|c| matches!(c, Column::StartId { .. }));
    let ends = find(|c| matches!(c, Column::EndId { .. }));
    let types = find(|c| matches!(c, Column::Type));
    let labels = find(|c| matches!(c, Column::Label));
    let header_error = |message: &str| LoadError::at(path, 1, Some(1), message);
    let has_ends = !(starts.is_empty() && ends.is_empty());
    let kind = if !ids.is_empty() && has_ends {
        errors.push(header_error(
            "header has both :ID and :START_ID/:END_ID columns — put nodes and relationships in separate files",
        ));
        None
    } else if has_ends {
        if starts.len() != 1 || ends.len() != 1 {
            errors.push(header_error(
                "a relationship file needs exactly one :START_ID and one :END_ID column",
            ));
        }
        if types.len() != 1 {
            errors.push(header_error(
                "a relationship file needs one :TYPE column — add `:TYPE` to the header and the type to each row",
            ));
        }
        if !labels.is_empty() {
            errors.push(header_error(
                "a relationship file has no :LABEL column — labels belong in node files",
            ));
        }
        match (&starts[..], &ends[..], &types[..]) {
            (&[start], &[end], &[rel_type]) => Some(FileKind::Rels {
                start,
                start_group: group_of(&columns[start]),
                end,
                end_group: group_of(&columns[end]),
                rel_type,
            }),
            _ => None,
        }
    } else {
        if ids.len() != 1 {
            errors.push(header_error(if ids.is_empty() {
                "missing id column — a node file needs one :ID column (e.g. `id:ID`), a relationship file :START_ID and :END_ID"
            } else {
                "a node file needs exactly one :ID column"
            }));
        }
        if !types.is_empty() {
            errors.push(header_error(
                ":TYPE belongs in relationship files, which have :START_ID and :END_ID columns",
            ));
        }
        if labels.len() > 1 {
            errors.push(header_error("a node file needs at most one :LABEL column"));
        }
        match (&ids[..], &columns[ids.first().copied().unwrap_or(0)..]) {
            ([id], [Column::Id { group, key }, ..]) => Some(FileKind::Nodes {
                id: *id,
                group: *group,
                id_key: key.clone(),
                label: labels.first().copied(),
            }),
            _ => None,
        }
    };
    let Some(kind) = kind.filter(|_| errors.is_empty()) else {
        return Err(errors);
    };
    let props = columns
        .iter()
        .enumerate()
        .filter_map(|(index, c)| match c {
            Column::Property { key, ty, array } => Some(PropertyColumn {
                index,
                key: key.clone(),
                ty: *ty,
                array: *array,
            }),
            _ => None,
        })
        .collect();
    let header_len = header.as_slice().len() + header.len();
    let file_len = std::fs::metadata(path).map_or(0, |m| m.len() as usize);
    Ok(CsvFile {
        path: path.to_path_buf(),
        file,
        names,
        kind,
        props,
        estimated_rows: file_len / header_len.max(1),
    })
}

fn group_of(column: &Column) -> usize {
    match column {
        Column::Id { group, .. } | Column::StartId { group } | Column::EndId { group } => *group,
        _ => 0,
    }
}

/// One header field: `name:TYPE`, `name:ID(group)`, `:LABEL`, ...
fn parse_column(loader: &mut Loader, field: &str) -> Result<Column, String> {
    let (key, spec) = match field.rfind(':') {
        Some(i) => (&field[..i], &field[i + 1..]),
        None => (field, ""),
    };
    let (spec, group) = match spec.find('(') {
        Some(i) if spec.ends_with(')') => (&spec[..i], &spec[i + 1..spec.len() - 1]),
        _ => (spec, ""),
    };
    let named = (!key.is_empty()).then(|| key.to_string());
    let column = match spec {
        "ID" => Column::Id {
            group: loader.ids.group(group),
            key: named,
        },
        "START_ID" => Column::StartId {
            group: loader.ids.group(group),
        },
        "END_ID" => Column::EndId {
            group: loader.ids.group(group),
        },
        "LABEL" => Column::Label,
        "TYPE" => Column::Type,
        "IGNORE" => Column::Ignore,
        _ => {
            if key.is_empty() {
                return Err(format!(
                    "column `{field}` has no name — write `name:type`, or use :ID, :LABEL, :START_ID, :END_ID, :TYPE"
                ));
            }
            let (base, array) = match spec.strip_suffix("[]") {
                Some(base) => (base, true),
                None => (spec, false),
            };
            let ty = if base.is_empty() {
                Type::String
            } else {
                Type::parse(base).ok_or_else(|| {
                    format!(
                        "unsupported column type `{spec}` in `{field}` — use int, long, float, double, boolean or string (with [] for arrays)"
                    )
                })?
            };
            Column::Property {
                key: key.to_string(),
                ty,
                array,
            }
        }
    };
    Ok(column)
}

// ---- reading rows: a parser thread feeds the thread that builds the graph ----
//
// Parsing (CSV, typed values, id lookups for relationships) and building the graph take
// about equal time, so a second thread parses while the calling thread inserts.

/// Rows per batch sent from the parser thread: large enough to make the channel cheap.
const BATCH_ROWS: usize = 8192;
/// Batches in flight: bounds the memory the parser can run ahead by.
const BATCHES_IN_FLIGHT: usize = 4;

/// Parsed rows of one file. Property values are flat, `file.props.len()` per row, with
/// `Null` for an empty field.
struct Batch<R> {
    file: usize,
    rows: Vec<R>,
    values: Vec<Value>,
    /// Distinct `:LABEL` or `:TYPE` fields of the batch, which rows point into.
    names: Vec<Box<str>>,
    errors: Vec<LoadError>,
}

impl<R> Batch<R> {
    fn new(file: usize) -> Self {
        Batch {
            file,
            rows: Vec::with_capacity(BATCH_ROWS),
            values: Vec::new(),
            names: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// The index of `name` in `names`; rows of one file nearly always repeat the last one.
    fn name_index(&mut self, name: &str) -> u32 {
        if self.names.last().is_none_or(|last| **last != *name) {
            self.names.push(name.into());
        }
        u32::try_from(self.names.len() - 1).unwrap_or(u32::MAX)
    }
}

struct NodeRow {
    line: u32,
    /// Column of the id field, for a duplicate-id error.
    id_column: u32,
    id: Arc<str>,
    labels: Option<u32>,
}

struct RelRow {
    start: NodeId,
    end: NodeId,
    rel_type: u32,
}

/// Adds the rows of every node file.
pub(super) fn add_nodes(loader: &mut Loader, files: &[CsvFile]) {
    let files: Vec<&CsvFile> = files
        .iter()
        .filter(|f| matches!(f.kind, FileKind::Nodes { .. }))
        .collect();
    for f in &files {
        if let FileKind::Nodes { group, .. } = f.kind {
            loader.ids.reserve(group, f.estimated_rows);
        }
    }
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::sync_channel(BATCHES_IN_FLIGHT);
        let parse_files = files.clone();
        scope.spawn(move || parse_all(&parse_files, &tx, parse_node_row));
        for batch in rx {
            insert_nodes(loader, files[batch.file], batch);
        }
    });
}

/// Adds the rows of every relationship file; run after all node files.
pub(super) fn add_rels(loader: &mut Loader, files: &[CsvFile]) {
    let files: Vec<&CsvFile> = files
        .iter()
        .filter(|f| matches!(f.kind, FileKind::Rels { .. }))
        .collect();
    let Loader { graph, ids, .. } = loader;
    let ids = &*ids;
    let mut errors = Vec::new();
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::sync_channel(BATCHES_IN_FLIGHT);
        let parse_files = files.clone();
        scope.spawn(move || {
            parse_all(&parse_files, &tx, |file, record, line, batch| {
                parse_rel_row(ids, file, record, line, batch)
            })
        });
        for batch in rx {
            errors.extend(batch.errors);
            let props = &files[batch.file].props;
            let mut values = batch.values.into_iter();
            for row in batch.rows {
                let rel_type = &batch.names[row.rel_type as usize];
                let rel = graph.create_rel(row.start, row.end, rel_type, Vec::new());
                for (column, value) in props.iter().zip(values.by_ref()) {
                    if let (Some(rel), false) = (rel, value.is_null()) {
                        graph.set_rel_property(rel, &column.key, value);
                    }
                }
            }
        }
    });
    errors.into_iter().for_each(|e| loader.error(e));
}

fn insert_nodes(loader: &mut Loader, file: &CsvFile, batch: Batch<NodeRow>) {
    batch.errors.into_iter().for_each(|e| loader.error(e));
    let FileKind::Nodes { group, id_key, .. } = &file.kind else {
        return;
    };
    let mut values = batch.values.into_iter();
    for row in batch.rows {
        let labels = row
            .labels
            .map_or("", |i| &batch.names[i as usize])
            .split(';')
            .filter(|l| !l.is_empty());
        let node = loader.graph.create_node(labels, Vec::new());
        if let Some(key) = id_key {
            loader
                .graph
                .set_node_property(node, key, Value::String(row.id.clone()));
        }
        for (column, value) in file.props.iter().zip(values.by_ref()) {
            if !value.is_null() {
                loader.graph.set_node_property(node, &column.key, value);
            }
        }
        let origin = Origin {
            file: file.file,
            line: row.line,
            column: 0,
        };
        if let Err(first) = loader.ids.define(*group, row.id.clone(), node, origin) {
            let message = format!(
                "duplicate node id `{}`, also defined at {} — ids must be unique within their id group",
                row.id,
                loader.describe(first)
            );
            loader.error(LoadError::at(
                &file.path,
                row.line as usize,
                Some(row.id_column as usize),
                message,
            ));
        }
    }
}

/// Parses one row (already checked to have the header's width) into the batch.
trait ParseRow<R>:
    FnMut(&CsvFile, &csv::StringRecord, usize, &mut Batch<R>) -> Result<(), LoadError>
{
}

impl<R, F> ParseRow<R> for F where
    F: FnMut(&CsvFile, &csv::StringRecord, usize, &mut Batch<R>) -> Result<(), LoadError>
{
}

/// Parses every file on the current thread, sending batches of rows to `tx`. Stops early
/// when the receiver is gone or too many errors were found.
fn parse_all<R>(
    files: &[&CsvFile],
    tx: &mpsc::SyncSender<Batch<R>>,
    mut parse_row: impl ParseRow<R>,
) {
    let mut error_count = 0;
    for (index, file) in files.iter().enumerate() {
        let mut batch = Batch::new(index);
        let mut reader = match reader(&file.path) {
            Ok(r) => r,
            Err(e) => {
                batch.errors.push(e);
                let _ = tx.send(batch);
                continue;
            }
        };
        let mut record = csv::StringRecord::new();
        let mut header = true;
        loop {
            match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    batch.errors.push(csv_error(&file.path, &e));
                    error_count += 1;
                    // An I/O error will not go away; a bad row (e.g. invalid UTF-8) is skipped.
                    if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                        break;
                    }
                    continue;
                }
            }
            if std::mem::take(&mut header) {
                continue;
            }
            let line = record.position().map_or(0, |p| p.line() as usize);
            let result = if record.len() != file.names.len() {
                Err(field_count_error(file, &record, line))
            } else {
                parse_row(file, &record, line, &mut batch)
            };
            if let Err(e) = result {
                batch.errors.push(e);
                error_count += 1;
            }
            if error_count >= MAX_ERRORS {
                let _ = tx.send(batch);
                return;
            }
            if batch.rows.len() >= BATCH_ROWS {
                let full = std::mem::replace(&mut batch, Batch::new(index));
                if tx.send(full).is_err() {
                    return;
                }
            }
        }
        if tx.send(batch).is_err() {
            return;
        }
    }
}

fn field_count_error(file: &CsvFile, record: &csv::StringRecord, line: usize) -> LoadError {
    let expected = file.names.len();
    let column = if record.len() > expected {
        field_column(record, expected)
    } else {
        end_column(record)
    };
    LoadError::at(
        &file.path,
        line,
        Some(column),
        format!(
            "expected {expected} fields as in the header, found {} — quote fields that contain a comma, and leave missing values empty",
            record.len()
        ),
    )
}

fn parse_node_row(
    file: &CsvFile,
    record: &csv::StringRecord,
    line: usize,
    batch: &mut Batch<NodeRow>,
) -> Result<(), LoadError> {
    let FileKind::Nodes { id, label, .. } = file.kind else {
        return Ok(());
    };
    let id_field = &record[id];
    if id_field.is_empty() {
        return Err(LoadError::at(
            &file.path,
            line,
            Some(field_column(record, id)),
            format!("empty `{}` — every node needs an id", file.names[id]),
        ));
    }
    // Keep the row even when a value is bad: its id then still exists, which spares
    // follow-on "unknown node id" errors in relationship files.
    let mut first_error = None;
    for column in &file.props {
        let value = match parse_field(file, record, line, column) {
            Ok(v) => v,
            Err(e) => {
                first_error.get_or_insert(e);
                Value::Null
            }
        };
        batch.values.push(value);
    }
    let labels = label.map(|i| batch.name_index(&record[i]));
    batch.rows.push(NodeRow {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        id_column: u32::try_from(field_column(record, id)).unwrap_or(u32::MAX),
        id: Arc::from(id_field),
        labels,
    });
    first_error.map_or(Ok(()), Err)
}

fn parse_rel_row(
    ids: &IdSpaces,
    file: &CsvFile,
    record: &csv::StringRecord,
    line: usize,
    batch: &mut Batch<RelRow>,
) -> Result<(), LoadError> {
    let FileKind::Rels {
        start,
        start_group,
        end,
        end_group,
        rel_type,
    } = file.kind
    else {
        return Ok(());
    };
    let error = |i: usize, message: String| {
        LoadError::at(&file.path, line, Some(field_column(record, i)), message)
    };
    let resolve = |i: usize, group: usize| {
        ids.resolve(group, &record[i]).ok_or_else(|| {
            error(
                i,
                format!(
                    "unknown node id `{}` in {} — {}",
                    &record[i],
                    file.names[i],
                    match ids.suggest(group, &record[i]) {
                        Some(close) => format!("did you mean `{close}`?"),
                        None => "no node file of this load defines it".to_string(),
                    }
                ),
            )
        })
    };
    let start_node = resolve(start, start_group)?;
    let end_node = resolve(end, end_group)?;
    if record[rel_type].is_empty() {
        return Err(error(
            rel_type,
            "empty :TYPE — every relationship needs a type".to_string(),
        ));
    }
    let first_value = batch.values.len();
    for column in &file.props {
        match parse_field(file, record, line, column) {
            Ok(v) => batch.values.push(v),
            Err(e) => {
                batch.values.truncate(first_value);
                return Err(e);
            }
        }
    }
    let rel_type = batch.name_index(&record[rel_type]);
    batch.rows.push(RelRow {
        start: start_node,
        end: end_node,
        rel_type,
    });
    Ok(())
}

/// The value of one property field; `Null` when empty.
fn parse_field(
    file: &CsvFile,
    record: &csv::StringRecord,
    line: usize,
    column: &PropertyColumn,
) -> Result<Value, LoadError> {
    let field = &record[column.index];
    if field.is_empty() {
        return Ok(Value::Null);
    }
    parse_value(field, column.ty, column.array).map_err(|bad| {
        LoadError::at(
            &file.path,
            line,
            Some(field_column(record, column.index)),
            type_message(&file.names[column.index], bad, column.ty),
        )
    })
}

/// Parses a field of a typed column; the error is the part that did not parse.
fn parse_value(field: &str, ty: Type, array: bool) -> Result<Value, &str> {
    if array {
        return field
            .split(';')
            .map(|item| parse_scalar(item, ty))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::List);
    }
    parse_scalar(field, ty)
}

fn parse_scalar(field: &str, ty: Type) -> Result<Value, &str> {
    match ty {
        Type::String => Ok(Value::String(Arc::from(field))),
        Type::Int => field.trim().parse().map(Value::Int).map_err(|_| field),
        Type::Float => field.trim().parse().map(Value::Float).map_err(|_| field),
        Type::Bool => match field.trim() {
            t if t.eq_ignore_ascii_case("true") => Ok(Value::Bool(true)),
            f if f.eq_ignore_ascii_case("false") => Ok(Value::Bool(false)),
            _ => Err(field),
        },
    }
}

fn type_message(column: &str, bad: &str, ty: Type) -> String {
    format!(
        "`{column}` value `{bad}` is not {} — fix the value, or change the column's type in the header",
        ty.describe()
    )
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
