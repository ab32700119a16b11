//! A CSV file's rows: parsed on a second thread, in batches, while the calling thread
//! adds them to the graph.

use std::sync::Arc;
use std::sync::mpsc;

use super::header::{CsvFile, FileKind, PropertyColumn, Type};
use super::{csv_error, end_column, field_column, reader};
use crate::graph::NodeId;
use crate::load::{IdSpaces, LoadError, Loader, MAX_ERRORS, Origin};
use crate::value::Value;

// Building the graph is the larger part of a load (at scale 100000, about as long as the
// whole load); parsing (CSV, typed values, id lookups for relationships) runs on a second
// thread so that it overlaps with it instead of adding to it.

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
    /// The parser stopped here because of too many errors.
    stopped: bool,
}

impl<R> Batch<R> {
    fn new(file: usize) -> Self {
        Batch {
            file,
            rows: Vec::with_capacity(BATCH_ROWS),
            values: Vec::new(),
            names: Vec::new(),
            errors: Vec::new(),
            stopped: false,
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
pub(in crate::load) fn add_nodes(loader: &mut Loader, files: &[CsvFile]) {
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
pub(in crate::load) fn add_rels(loader: &mut Loader, files: &[CsvFile]) {
    let files: Vec<&CsvFile> = files
        .iter()
        .filter(|f| matches!(f.kind, FileKind::Rels { .. }))
        .collect();
    let Loader { graph, ids, .. } = loader;
    let ids = &*ids;
    let mut errors = Vec::new();
    let mut stopped = false;
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
            stopped |= batch.stopped;
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
    loader.truncated |= stopped;
}

fn insert_nodes(loader: &mut Loader, file: &CsvFile, batch: Batch<NodeRow>) {
    batch.errors.into_iter().for_each(|e| loader.error(e));
    loader.truncated |= batch.stopped;
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
        if let Err(first) = loader.ids.define(*group, &row.id, node, origin) {
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
                batch.stopped = true;
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
