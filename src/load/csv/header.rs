//! A CSV file's header row: which columns hold ids, labels, types and typed properties,
//! and whether the file holds nodes or relationships.

use std::path::{Path, PathBuf};

use super::{csv_error, field_column, reader};
use crate::load::{LoadError, Loader};

/// A file whose header was understood, ready to be read.
pub(in crate::load) struct CsvFile {
    pub(super) path: PathBuf,
    pub(super) file: u32,
    /// Header fields as written, for messages.
    pub(super) names: Vec<String>,
    pub(super) kind: FileKind,
    pub(super) props: Vec<PropertyColumn>,
    /// Line breaks after the header: the row count, or more when quoted fields hold line
    /// breaks. Sizes the graph and the id table up front.
    pub(super) estimated_rows: usize,
}

#[derive(Debug, Clone)]
pub(super) enum FileKind {
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
pub(super) struct PropertyColumn {
    pub(super) index: usize,
    pub(super) key: String,
    pub(super) ty: Type,
    pub(super) array: bool,
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
pub(super) enum Type {
    String,
    Int,
    Float,
    Bool,
    /// `date`, `localtime`, `time`, `localdatetime`, `datetime` or `duration` (ISO text).
    Temporal(&'static str),
}

impl Type {
    fn parse(name: &str) -> Option<Type> {
        match name.to_ascii_lowercase().as_str() {
            "string" | "char" => Some(Type::String),
            "int" | "long" | "short" | "byte" => Some(Type::Int),
            "float" | "double" => Some(Type::Float),
            "boolean" => Some(Type::Bool),
            other => crate::value::temporal::parse::TYPE_NAMES
                .iter()
                .find(|name| **name == other)
                .map(|name| Type::Temporal(name)),
        }
    }

    pub(super) fn describe(self) -> &'static str {
        match self {
            Type::String => "a string",
            Type::Int => "an integer",
            Type::Float => "a number",
            Type::Bool => "true or false",
            Type::Temporal(_) => "a temporal value in ISO 8601 form, e.g. 2021-05-01",
        }
    }
}

/// Reads the header of every file and decides whether it holds nodes or relationships.
/// Files with a bad header are reported and left out.
pub(in crate::load) fn open_all(loader: &mut Loader, paths: &[PathBuf]) -> Vec<CsvFile> {
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
    let estimated_rows = count_lines(path).saturating_sub(1);
    Ok(CsvFile {
        path: path.to_path_buf(),
        file,
        names,
        kind,
        props,
        estimated_rows,
    })
}

/// The lines of a file (a last line without a line break counts); 0 when unreadable,
/// which the parser then reports. Reads the file once more, from the page cache: about
/// 10 ms for 40 MB, against the cost of growing the graph's arrays by doubling.
fn count_lines(path: &Path) -> usize {
    use std::io::Read;
    let Ok(mut file) = std::fs::File::open(path) else {
        return 0;
    };
    let mut buffer = vec![0u8; 1 << 20];
    let (mut lines, mut last) = (0, b'\n');
    while let Ok(n) = file.read(&mut buffer) {
        if n == 0 {
            break;
        }
        lines += buffer[..n].iter().filter(|&&b| b == b'\n').count();
        last = buffer[n - 1];
    }
    lines + usize::from(last != b'\n')
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
