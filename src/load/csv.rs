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

use super::{LoadError, Loader, Origin};
use crate::value::Value;

/// A file whose header was understood, ready to be read.
pub(super) struct CsvFile {
    path: PathBuf,
    file: u32,
    columns: Vec<Column>,
    /// Header names as written, for messages.
    names: Vec<String>,
    kind: FileKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Nodes,
    Rels,
}

#[derive(Debug, Clone)]
enum Column {
    /// `key:ID(group)`; a named id column is stored as property `key` too.
    Id {
        group: usize,
        key: Option<String>,
    },
    Label,
    StartId {
        group: usize,
    },
    EndId {
        group: usize,
    },
    Type,
    Ignore,
    Property {
        key: String,
        ty: Type,
        array: bool,
    },
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
    let mut columns = Vec::with_capacity(header.len());
    let mut errors = Vec::new();
    for (i, name) in header.iter().enumerate() {
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
    let count = |f: fn(&Column) -> bool| columns.iter().filter(|c| f(c)).count();
    let ids = count(|c| matches!(c, Column::Id { .. }));
    let starts = count(|c| matches!(c, Column::StartId { .. }));
    let ends = count(|c| matches!(c, Column::EndId { .. }));
    let types = count(|c| matches!(c, Column::Type));
    let labels = count(|c| matches!(c, Column::Label));
    let header_error = |message: &str| LoadError::at(path, 1, Some(1), message);
    let kind = if ids > 0 && starts + ends > 0 {
        errors.push(header_error(
            "header has both :ID and :START_ID/:END_ID columns — put nodes and relationships in separate files",
        ));
        FileKind::Nodes
    } else if starts + ends > 0 {
        if starts != 1 || ends != 1 {
            errors.push(header_error(
                "a relationship file needs exactly one :START_ID and one :END_ID column",
            ));
        }
        if types != 1 {
            errors.push(header_error(
                "a relationship file needs one :TYPE column — add `:TYPE` to the header and the type to each row",
            ));
        }
        if labels > 0 {
            errors.push(header_error(
                "a relationship file has no :LABEL column — labels belong in node files",
            ));
        }
        FileKind::Rels
    } else {
        if ids != 1 {
            errors.push(header_error(if ids == 0 {
                "missing id column — a node file needs one :ID column (e.g. `id:ID`), a relationship file :START_ID and :END_ID"
            } else {
                "a node file needs exactly one :ID column"
            }));
        }
        if types > 0 {
            errors.push(header_error(
                ":TYPE belongs in relationship files, which have :START_ID and :END_ID columns",
            ));
        }
        if labels > 1 {
            errors.push(header_error("a node file needs at most one :LABEL column"));
        }
        FileKind::Nodes
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(CsvFile {
        path: path.to_path_buf(),
        file,
        columns,
        names: header.iter().map(str::to_string).collect(),
        kind,
    })
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
            group: loader.group(group),
            key: named,
        },
        "START_ID" => Column::StartId {
            group: loader.group(group),
        },
        "END_ID" => Column::EndId {
            group: loader.group(group),
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

/// Adds the rows of every node file.
pub(super) fn add_nodes(loader: &mut Loader, files: &[CsvFile]) {
    for file in files.iter().filter(|f| f.kind == FileKind::Nodes) {
        read_rows(loader, file, add_node_row);
    }
}

/// Adds the rows of every relationship file; run after all node files.
pub(super) fn add_rels(loader: &mut Loader, files: &[CsvFile]) {
    for file in files.iter().filter(|f| f.kind == FileKind::Rels) {
        read_rows(loader, file, add_rel_row);
    }
}

type RowFn = fn(&mut Loader, &CsvFile, &csv::StringRecord, usize) -> Result<(), LoadError>;

fn read_rows(loader: &mut Loader, file: &CsvFile, add_row: RowFn) {
    let mut reader = match reader(&file.path) {
        Ok(r) => r,
        Err(e) => return loader.error(e),
    };
    let mut record = csv::StringRecord::new();
    let mut first = true;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                loader.error(csv_error(&file.path, &e));
                // An I/O error will not go away; a bad row (e.g. invalid UTF-8) is skipped.
                if matches!(e.kind(), csv::ErrorKind::Io(_)) || loader.too_many_errors() {
                    return;
                }
                continue;
            }
        }
        if std::mem::take(&mut first) {
            continue; // the header
        }
        let line = record.position().map_or(0, |p| p.line() as usize);
        if record.len() != file.columns.len() {
            let column = if record.len() > file.columns.len() {
                field_column(&record, file.columns.len())
            } else {
                end_column(&record)
            };
            loader.error(LoadError::at(
                &file.path,
                line,
                Some(column),
                format!(
                    "expected {} fields as in the header, found {} — quote fields that contain a comma, and leave missing values empty",
                    file.columns.len(),
                    record.len()
                ),
            ));
        } else if let Err(e) = add_row(loader, file, &record, line) {
            loader.error(e);
        }
        if loader.too_many_errors() {
            return;
        }
    }
}

fn add_node_row(
    loader: &mut Loader,
    file: &CsvFile,
    record: &csv::StringRecord,
    line: usize,
) -> Result<(), LoadError> {
    let error = |i: usize, message: String| {
        LoadError::at(&file.path, line, Some(field_column(record, i)), message)
    };
    let node = loader
        .graph
        .create_node(std::iter::empty::<&str>(), Vec::new());
    for (i, (column, field)) in file.columns.iter().zip(record.iter()).enumerate() {
        match column {
            Column::Id { group, key } => {
                if field.is_empty() {
                    return Err(error(
                        i,
                        format!("empty `{}` — every node needs an id", file.names[i]),
                    ));
                }
                let id: Arc<str> = Arc::from(field);
                let origin = Origin {
                    file: file.file,
                    line: u32::try_from(line).unwrap_or(u32::MAX),
                    column: 0,
                };
                if let Err(first) = loader.define_id(*group, id.clone(), node, origin) {
                    return Err(error(
                        i,
                        format!(
                            "duplicate node id `{field}`, also defined at {first} — ids must be unique within their id group"
                        ),
                    ));
                }
                if let Some(key) = key {
                    loader.graph.set_node_property(node, key, Value::String(id));
                }
            }
            Column::Label => {
                for label in field.split(';').filter(|l| !l.is_empty()) {
                    loader.graph.add_label(node, label);
                }
            }
            Column::Property { key, ty, array } => {
                if field.is_empty() {
                    continue;
                }
                let value = parse_value(field, *ty, *array)
                    .map_err(|bad| error(i, type_message(&file.names[i], bad, *ty)))?;
                loader.graph.set_node_property(node, key, value);
            }
            Column::Ignore | Column::StartId { .. } | Column::EndId { .. } | Column::Type => {}
        }
    }
    Ok(())
}

fn add_rel_row(
    loader: &mut Loader,
    file: &CsvFile,
    record: &csv::StringRecord,
    line: usize,
) -> Result<(), LoadError> {
    let error = |i: usize, message: String| {
        LoadError::at(&file.path, line, Some(field_column(record, i)), message)
    };
    let mut start = None;
    let mut end = None;
    let mut rel_type = None;
    for (i, (column, field)) in file.columns.iter().zip(record.iter()).enumerate() {
        match column {
            Column::StartId { group } | Column::EndId { group } => {
                let Some(node) = loader.resolve(*group, field) else {
                    return Err(error(
                        i,
                        format!(
                            "unknown node id `{field}` in {}{} — no node file of this load defines it",
                            file.names[i],
                            loader.suggest(*group, field)
                        ),
                    ));
                };
                if matches!(column, Column::StartId { .. }) {
                    start = Some(node);
                } else {
                    end = Some(node);
                }
            }
            Column::Type => {
                if field.is_empty() {
                    return Err(error(
                        i,
                        "empty :TYPE — every relationship needs a type".to_string(),
                    ));
                }
                rel_type = Some(field);
            }
            _ => {}
        }
    }
    let (Some(start), Some(end), Some(rel_type)) = (start, end, rel_type) else {
        return Ok(()); // open() guarantees all three columns
    };
    // Parse every property before creating the relationship, so a bad value leaves no trace.
    let mut props: Vec<(&str, Value)> = Vec::new();
    for (i, (column, field)) in file.columns.iter().zip(record.iter()).enumerate() {
        if let Column::Property { key, ty, array } = column
            && !field.is_empty()
        {
            let value = parse_value(field, *ty, *array)
                .map_err(|bad| error(i, type_message(&file.names[i], bad, *ty)))?;
            props.push((key, value));
        }
    }
    if let Some(rel) = loader.graph.create_rel(start, end, rel_type, Vec::new()) {
        for (key, value) in props {
            loader.graph.set_rel_property(rel, key, value);
        }
    }
    Ok(())
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
