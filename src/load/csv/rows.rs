//! A CSV file's rows: parsed on a second thread, in batches, while the calling thread
//! adds them to the graph.

use std::sync::Arc;
use std::sync::mpsc;

use super::header::{CsvFile, FileKind, PropertyColumn, Type};
use super::{csv_error, end_column, field_column, reader};
use crate::graph::hash::FxHashSet;
use crate::graph::{Graph, NodeId, PropertyKey};
use crate::load::{IdSpaces, LoadError, Loader, MAX_ERRORS, Origin};
use crate::value::Value;

// Building the graph is the larger part of a load (at scale 100000, about as long as the
// whole load); parsing (CSV, typed values, id lookups for relationships) runs on a second
// thread so that it overlaps with it instead of adding to it.

/// Rows per batch sent from the parser thread: large enough to make the channel cheap.
const BATCH_ROWS: usize = 8192;
/// Distinct values a string column may have and still be interned (see `Strings`).
const MAX_SHARED_STRINGS: usize = 1024;
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

/// Shares the text of repeated string values, per column of one file: a column such as a
/// currency or a job title then holds a few strings instead of one copy per row, which
/// saves memory and keeps comparisons on it in cache. A column with too many distinct
/// values (names, say) stops being interned.
#[derive(Default)]
struct Strings {
    columns: Vec<Option<FxHashSet<Arc<str>>>>,
}

impl Strings {
    fn new(width: usize) -> Self {
        Strings {
            columns: (0..width).map(|_| Some(FxHashSet::default())).collect(),
        }
    }

    fn share(&mut self, column: usize, text: &str) -> Arc<str> {
        let Some(Some(seen)) = self.columns.get_mut(column) else {
            return Arc::from(text);
        };
        if let Some(s) = seen.get(text) {
            return s.clone();
        }
        let s: Arc<str> = Arc::from(text);
        if seen.len() >= MAX_SHARED_STRINGS {
            self.columns[column] = None;
        } else {
            seen.insert(s.clone());
        }
        s
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
    loader
        .graph
        .reserve(files.iter().map(|f| f.estimated_rows).sum(), 0);
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
    // The id table is needed for parsing only, which is the last use of it: the parser
    // thread owns it and frees it when done, before the graph builder inserts the last
    // file's relationships (at scale 100000, 21 MB less at the peak).
    let ids = std::mem::take(&mut loader.ids);
    let graph = &mut loader.graph;
    graph.reserve(0, files.iter().map(|f| f.estimated_rows).sum());
    let mut errors = Vec::new();
    let mut stopped = false;
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::sync_channel(BATCHES_IN_FLIGHT);
        let parse_files = files.clone();
        scope.spawn(move || {
            parse_all(&parse_files, &tx, |file, record, line, batch, strings| {
                parse_rel_row(&ids, file, record, line, batch, strings)
            });
            drop(ids);
        });
        let mut pending: Vec<Batch<RelRow>> = Vec::new();
        for mut batch in rx {
            errors.extend(std::mem::take(&mut batch.errors));
            stopped |= batch.stopped;
            if pending.first().is_some_and(|b| b.file != batch.file) {
                insert_rels(graph, files[pending[0].file], std::mem::take(&mut pending));
            }
            pending.push(batch);
        }
        if let Some(first) = pending.first() {
            insert_rels(graph, files[first.file], pending);
        }
    });
    errors.into_iter().for_each(|e| loader.error(e));
    loader.truncated |= stopped;
}

/// Adds the relationships of one file, grouped by start node (in file order within a
/// node): the relationships an expansion walks from one node then have neighbouring ids
/// and neighbouring property storage, so reading their properties stays in cache.
fn insert_rels(graph: &mut Graph, file: &CsvFile, batches: Vec<Batch<RelRow>>) {
    let width = file.props.len();
    let keys: Vec<PropertyKey> = file
        .props
        .iter()
        .map(|c| graph.intern_key(&c.key))
        .collect();
    // Degrees per node index, dense: node ids are small and most nodes take part.
    let bound = batches
        .iter()
        .flat_map(|b| &b.rows)
        .map(|row| row.start.0.max(row.end.0) as usize + 1)
        .max()
        .unwrap_or(0);
    let mut degrees = vec![(0u32, 0u32); bound];
    for row in batches.iter().flat_map(|b| &b.rows) {
        degrees[row.start.0 as usize].0 += 1;
        degrees[row.end.0 as usize].1 += 1;
    }
    // In node order, so that the lists of neighbouring nodes end up next to each other.
    for (node, &(outgoing, incoming)) in degrees.iter().enumerate() {
        if outgoing + incoming > 0 {
            let node = NodeId(node as u32);
            graph.reserve_relationships(node, outgoing as usize, incoming as usize);
        }
    }
    // Rows by start node, keeping file order within a node: a counting sort on the
    // out-degrees (each start node's rows get the next `outgoing` places).
    let mut next = Vec::with_capacity(bound);
    let mut total = 0usize;
    for &(outgoing, _) in &degrees {
        next.push(total);
        total += outgoing as usize;
    }
    let mut order = vec![(0u32, 0u32); total];
    for (b, batch) in batches.iter().enumerate() {
        for (r, row) in batch.rows.iter().enumerate() {
            let slot = &mut next[row.start.0 as usize];
            order[*slot] = (b as u32, r as u32);
            *slot += 1;
        }
    }
    // Rows per type, so that each type's property columns are allocated once.
    let mut per_type: Vec<(&str, usize)> = Vec::new();
    for batch in &batches {
        for row in &batch.rows {
            let name = &*batch.names[row.rel_type as usize];
            match per_type.iter_mut().find(|(n, _)| *n == name) {
                Some((_, count)) => *count += 1,
                None => per_type.push((name, 1)),
            }
        }
    }
    for (name, count) in per_type {
        graph.reserve_rels_of_type(name, count);
    }
    let mut batches = batches;
    for (b, r) in order {
        let batch = &mut batches[b as usize];
        let row = &batch.rows[r as usize];
        let rel_type = &batch.names[row.rel_type as usize];
        let Some(rel) = graph.create_rel(row.start, row.end, rel_type, Vec::new()) else {
            continue;
        };
        let first = r as usize * width;
        let values = &mut batch.values[first..first + width];
        graph.set_rel_properties(
            rel,
            keys.iter()
                .cloned()
                .zip(values.iter_mut().map(std::mem::take)),
        );
    }
}

fn insert_nodes(loader: &mut Loader, file: &CsvFile, batch: Batch<NodeRow>) {
    batch.errors.into_iter().for_each(|e| loader.error(e));
    loader.truncated |= batch.stopped;
    let FileKind::Nodes { group, id_key, .. } = &file.kind else {
        return;
    };
    let keys: Vec<PropertyKey> = file
        .props
        .iter()
        .map(|c| loader.graph.intern_key(&c.key))
        .collect();
    let id_key = id_key.as_ref().map(|k| loader.graph.intern_key(k));
    let width = file.props.len();
    let mut values = batch.values;
    for (r, row) in batch.rows.iter().enumerate() {
        let labels = row
            .labels
            .map_or("", |i| &batch.names[i as usize])
            .split(';')
            .filter(|l| !l.is_empty());
        let graph = &mut loader.graph;
        let node = graph.create_node(labels, Vec::new());
        let values = &mut values[r * width..(r + 1) * width];
        let id = id_key
            .iter()
            .map(|key| (key.clone(), Value::String(row.id.clone())));
        graph.set_node_properties(
            node,
            id.chain(
                keys.iter()
                    .cloned()
                    .zip(values.iter_mut().map(std::mem::take)),
            ),
        );
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
    FnMut(&CsvFile, &csv::StringRecord, usize, &mut Batch<R>, &mut Strings) -> Result<(), LoadError>
{
}

impl<R, F> ParseRow<R> for F where
    F: FnMut(
        &CsvFile,
        &csv::StringRecord,
        usize,
        &mut Batch<R>,
        &mut Strings,
    ) -> Result<(), LoadError>
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
        let mut strings = Strings::new(file.names.len());
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
                parse_row(file, &record, line, &mut batch, &mut strings)
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
    strings: &mut Strings,
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
        let value = match parse_field(file, record, line, column, strings) {
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
    strings: &mut Strings,
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
        match parse_field(file, record, line, column, strings) {
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
    strings: &mut Strings,
) -> Result<Value, LoadError> {
    let field = &record[column.index];
    if field.is_empty() {
        return Ok(Value::Null);
    }
    if let (Type::String, false) = (column.ty, column.array) {
        return Ok(Value::String(strings.share(column.index, field)));
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
        Type::Temporal(name) => crate::value::temporal::parse::typed(name, field.trim())
            .map(Value::from)
            .ok_or(field),
    }
}

fn type_message(column: &str, bad: &str, ty: Type) -> String {
    format!(
        "`{column}` value `{bad}` is not {} — fix the value, or change the column's type in the header",
        ty.describe()
    )
}
