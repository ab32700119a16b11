//! kg's own data files: TOML with `[[node]]` and `[[rel]]` tables.
//!
//! ```toml
//! [[node]]
//! id = "uisee"              # required, unique across the load; relationships use it
//! labels = ["Company"]      # required, at least one
//! name = "Uisee"            # required, unique
//! aliases = []              # optional list of strings
//! evidence = "..."          # optional; must be a verbatim substring of source.txt
//! valuation_usd = 1000000000
//!
//! [[rel]]
//! from = "wu_gansha"
//! type = "FOUNDED"
//! to = "uisee"
//! evidence = "..."
//! year = 2021
//! ```
//!
//! Every other key is a property (string, integer, float, boolean, or an array of one of
//! those). A property whose name is one of the keys above goes in an inline table
//! `properties = { id = "C1" }`. The `id` itself is not stored in the graph.
//! Positions come from the TOML parser's spans, so every error names file, line and column.

use std::collections::HashMap;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{LineIndex, LoadError, Loader, Origin};
use crate::value::Value;

/// The table of properties whose names collide with the format's own keys.
pub(super) const PROPERTIES_KEY: &str = "properties";
/// The keys of a `[[node]]` table that are not plain properties.
pub(super) const NODE_KEYS: [&str; 6] =
    ["id", "labels", "name", "aliases", "evidence", "properties"];
/// The keys of a `[[rel]]` table that are not plain properties.
pub(super) const REL_KEYS: [&str; 5] = ["from", "type", "to", "evidence", "properties"];

/// The article text that evidence strings are quoted from.
#[derive(Debug, Clone)]
pub(crate) struct SourceText {
    pub path: PathBuf,
    pub text: Arc<str>,
}

/// One TOML file to load, read into memory.
pub(crate) struct Input {
    pub path: PathBuf,
    pub text: String,
    pub source: Option<SourceText>,
}

/// A parsed file; `Err(())` when it had a syntax error (already reported).
pub(super) type ParsedDoc<'i> = Result<Doc<'i>, ()>;

/// One parsed file and what is needed to turn its spans into positions.
pub(super) struct Doc<'i> {
    file: u32,
    input: &'i Input,
    lines: LineIndex<'i>,
    table: Spanned<DeTable<'i>>,
}

impl Doc<'_> {
    fn error(&self, span: Range<usize>, message: impl Into<String>) -> LoadError {
        let (line, column) = self.lines.line_col(span.start);
        LoadError::at(&self.input.path, line, Some(column), message)
    }

    fn origin(&self, span: Range<usize>) -> Origin {
        let (line, column) = self.lines.line_col(span.start);
        Origin {
            file: self.file,
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
        }
    }

    /// The tables of the top-level array `key` (`[[node]]` or `[[rel]]`).
    fn tables<'d>(&'d self, key: &str) -> impl Iterator<Item = &'d Spanned<DeValue<'d>>> + 'd {
        self.table
            .get_ref()
            .get(key)
            .and_then(|v| v.get_ref().as_array())
            .into_iter()
            .flat_map(|a| a.iter())
    }
}

/// Parses every file; syntax errors are reported and their files marked `Err`.
pub(super) fn parse_all<'i>(loader: &mut Loader, inputs: &'i [Input]) -> Vec<ParsedDoc<'i>> {
    inputs
        .iter()
        .map(|input| {
            let file = loader.add_path(&input.path);
            let lines = LineIndex::new(&input.text);
            // The first syntax error only: the parser's recovery turns one mistake (an
            // unclosed bracket) into a cascade of follow-on errors.
            match DeTable::parse(&input.text) {
                Ok(table) => {
                    let doc = Doc {
                        file,
                        input,
                        lines,
                        table,
                    };
                    check_top_level(loader, &doc);
                    Ok(doc)
                }
                Err(e) => {
                    let span = e.span().unwrap_or(0..0);
                    let (line, column) = lines.line_col(span.start);
                    let message = format!(
                        "invalid TOML: {} — fix the syntax here (the TOML spec is at toml.io)",
                        e.message()
                    );
                    loader.error(LoadError::at(&input.path, line, Some(column), message));
                    Err(())
                }
            }
        })
        .collect()
}

fn check_top_level(loader: &mut Loader, doc: &Doc<'_>) {
    for (key, value) in doc.table.get_ref() {
        let key_name: &str = key.get_ref();
        match key_name {
            "node" | "rel" => {
                let ok = value
                    .get_ref()
                    .as_array()
                    .is_some_and(|a| a.iter().all(|t| t.get_ref().is_table()));
                if !ok {
                    loader.error(doc.error(
                        key.span(),
                        format!("`{key_name}` must be an array of tables — write each one as [[{key_name}]]"),
                    ));
                }
            }
            _ => loader.error(doc.error(
                key.span(),
                format!("unknown top-level key `{key_name}` — a kg data file holds only [[node]] and [[rel]] tables; put properties inside a [[node]]"),
            )),
        }
    }
}

/// Adds the nodes of every parsed file, checking ids and names are unique across files.
pub(super) fn add_nodes(loader: &mut Loader, docs: &[ParsedDoc<'_>]) {
    let group = loader.ids.group("");
    let mut names: HashMap<String, Origin> = HashMap::new();
    for doc in docs.iter().flatten() {
        for table in doc.tables("node") {
            if loader.too_many_errors() {
                loader.truncated = true;
                return;
            }
            add_node(loader, doc, group, &mut names, table);
        }
    }
}

fn add_node(
    loader: &mut Loader,
    doc: &Doc<'_>,
    group: usize,
    names: &mut HashMap<String, Origin>,
    table: &Spanned<DeValue<'_>>,
) {
    let Some(fields) = table.get_ref().as_table() else {
        return; // reported by check_top_level
    };
    let mut id = None;
    let mut labels: Vec<&str> = Vec::new();
    let mut props: Vec<(String, Value)> = Vec::new();
    let mut errors = Vec::new();
    for (key, value) in fields {
        let span = value.span();
        match &**key.get_ref() {
            "id" => match value.get_ref().as_str() {
                Some(s) if !s.is_empty() => id = Some((s, span)),
                _ => errors.push(doc.error(
                    span,
                    "`id` must be a non-empty string — e.g. id = \"wu_gansha\"",
                )),
            },
            "labels" => match string_list(value.get_ref()) {
                Some(list) if !list.is_empty() && list.iter().all(|l| !l.is_empty()) => {
                    labels = list;
                }
                _ => errors.push(doc.error(
                    span,
                    "`labels` must be a non-empty list of non-empty strings — e.g. labels = [\"Company\"]",
                )),
            },
            "name" => match value.get_ref().as_str() {
                Some(name) if !name.is_empty() => {
                    if let Some(first) = names.get(name) {
                        errors.push(doc.error(
                            span,
                            format!(
                                "duplicate name `{name}`, also used at {} — names are unique; merge the two nodes or move one spelling to `aliases`",
                                loader.describe(*first)
                            ),
                        ));
                    } else {
                        names.insert(name.to_string(), doc.origin(span.clone()));
                    }
                    props.push(("name".to_string(), Value::from(name)));
                }
                _ => errors.push(doc.error(
                    span,
                    "`name` must be a non-empty string — e.g. name = \"Wu Gansha\"",
                )),
            },
            "aliases" => match string_list(value.get_ref()) {
                Some(list) => props.push((
                    "aliases".to_string(),
                    Value::List(list.into_iter().map(Value::from).collect()),
                )),
                None => errors.push(doc.error(
                    span,
                    "`aliases` must be a list of strings — e.g. aliases = [\"Wu\"], or [] for none",
                )),
            },
            "evidence" => match evidence(doc, value) {
                Ok(text) => props.push(("evidence".to_string(), Value::from(text))),
                Err(e) => errors.push(e),
            },
            _ => property_entry(doc, key, value, &mut props, &mut errors),
        }
    }
    let span = table.span();
    for (missing, example) in [
        ("id", "id = \"wu_gansha\""),
        ("labels", "labels = [\"Person\"]"),
        ("name", "name = \"Wu Gansha\""),
    ] {
        if !fields.contains_key(missing) {
            errors.push(doc.error(
                span.clone(),
                format!("node is missing `{missing}` — add e.g. {example}"),
            ));
        }
    }
    errors.sort_by_key(|e| (e.line, e.column));
    for e in errors {
        loader.error(e);
    }
    // The node is created even when it has errors: the load fails anyway, and having its
    // id avoids follow-on "unknown node id" errors in relationships.
    let node = loader.graph.create_node(labels, props);
    if let Some((id, id_span)) = id {
        let origin = doc.origin(id_span.clone());
        if let Err(first) = loader.ids.define(group, id, node, origin) {
            let first = loader.describe(first);
            loader.error(doc.error(
                id_span,
                format!("duplicate node id `{id}`, also defined at {first} — ids are unique across all files of a load; rename one"),
            ));
        }
    }
}

/// Adds the relationships of every parsed file; endpoints must be ids of the load.
pub(super) fn add_rels(loader: &mut Loader, docs: &[ParsedDoc<'_>]) {
    let group = loader.ids.group("");
    for doc in docs.iter().flatten() {
        for table in doc.tables("rel") {
            if loader.too_many_errors() {
                loader.truncated = true;
                return;
            }
            add_rel(loader, doc, group, table);
        }
    }
}

fn add_rel(loader: &mut Loader, doc: &Doc<'_>, group: usize, table: &Spanned<DeValue<'_>>) {
    let Some(fields) = table.get_ref().as_table() else {
        return; // reported by check_top_level
    };
    let mut ends = [None, None];
    let mut rel_type = None;
    let mut props: Vec<(String, Value)> = Vec::new();
    let mut errors = Vec::new();
    for (key, value) in fields {
        let span = value.span();
        let key_name: &str = key.get_ref();
        match key_name {
            "from" | "to" => match value.get_ref().as_str() {
                Some(id) => match loader.ids.resolve(group, id) {
                    Some(node) => ends[usize::from(key_name == "to")] = Some(node),
                    None => errors.push(doc.error(
                        span,
                        format!(
                            "unknown node id `{id}` in `{key_name}` — {}",
                            match loader.ids.suggest(group, id) {
                                Some(close) => format!("did you mean `{close}`?"),
                                None => "use the `id` of a [[node]] in this load".to_string(),
                            }
                        ),
                    )),
                },
                None => errors.push(doc.error(
                    span,
                    format!("`{key_name}` must be a string: the `id` of a [[node]]"),
                )),
            },
            "type" => match value.get_ref().as_str() {
                Some(t) if !t.is_empty() => rel_type = Some(t),
                _ => errors.push(doc.error(
                    span,
                    "`type` must be a non-empty string — e.g. type = \"FOUNDED\"",
                )),
            },
            "evidence" => match evidence(doc, value) {
                Ok(text) => props.push(("evidence".to_string(), Value::from(text))),
                Err(e) => errors.push(e),
            },
            _ => property_entry(doc, key, value, &mut props, &mut errors),
        }
    }
    for (missing, example) in [
        ("from", "from = \"wu_gansha\""),
        ("type", "type = \"FOUNDED\""),
        ("to", "to = \"uisee\""),
    ] {
        if !fields.contains_key(missing) {
            errors.push(doc.error(
                table.span(),
                format!("relationship is missing `{missing}` — add e.g. {example}"),
            ));
        }
    }
    let failed = !errors.is_empty();
    errors.sort_by_key(|e| (e.line, e.column));
    for e in errors {
        loader.error(e);
    }
    if let ([Some(start), Some(end)], Some(rel_type), false) = (ends, rel_type, failed) {
        loader.graph.create_rel(start, end, rel_type, props);
    }
}

/// An `evidence` value: a string that, when the file has a source text, occurs in it verbatim.
fn evidence<'v>(doc: &Doc<'_>, value: &'v Spanned<DeValue<'_>>) -> Result<&'v str, LoadError> {
    let Some(text) = value.get_ref().as_str() else {
        return Err(doc.error(
            value.span(),
            "`evidence` must be a string: a sentence quoted from the source text",
        ));
    };
    if let Some(source) = &doc.input.source
        && !source.text.contains(text)
    {
        let matched = longest_prefix_in(text, &source.text);
        let hint = if matched.is_empty() {
            "not even its first character occurs there".to_string()
        } else {
            let tail: String = {
                let chars: Vec<char> = matched.chars().collect();
                chars[chars.len().saturating_sub(30)..].iter().collect()
            };
            format!("it matches up to `…{tail}` and then differs")
        };
        return Err(doc.error(
            value.span(),
            format!(
                "evidence is not a verbatim substring of {} ({hint}) — copy the sentence exactly from the source",
                source.path.display()
            ),
        ));
    }
    Ok(text)
}

/// The longest prefix of `text` that occurs in `source` (binary search: if a prefix occurs,
/// so do all shorter ones).
fn longest_prefix_in<'t>(text: &'t str, source: &str) -> &'t str {
    let bounds: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect();
    let count = bounds.partition_point(|&end| source.contains(&text[..end]));
    &text[..bounds[count.saturating_sub(1)]]
}

/// A plain property (`key = value`) or the `properties = { ... }` table of escaped ones.
fn property_entry(
    doc: &Doc<'_>,
    key: &Spanned<std::borrow::Cow<'_, str>>,
    value: &Spanned<DeValue<'_>>,
    props: &mut Vec<(String, Value)>,
    errors: &mut Vec<LoadError>,
) {
    if **key.get_ref() == *PROPERTIES_KEY
        && let Some(table) = value.get_ref().as_table()
    {
        for (k, v) in table {
            match to_value(v.get_ref()) {
                Ok(value) => props.push((k.get_ref().to_string(), value)),
                Err(message) => errors.push(doc.error(v.span(), message)),
            }
        }
        return;
    }
    match to_value(value.get_ref()) {
        Ok(v) => props.push((key.get_ref().to_string(), v)),
        Err(message) => errors.push(doc.error(
            value.span(),
            format!("property `{}`: {message}", key.get_ref()),
        )),
    }
}

fn string_list<'v>(value: &'v DeValue<'_>) -> Option<Vec<&'v str>> {
    value
        .as_array()?
        .iter()
        .map(|v| v.get_ref().as_str())
        .collect()
}

/// A TOML value as a property value; the error says what to write instead.
pub(super) fn to_value(value: &DeValue<'_>) -> Result<Value, String> {
    match value {
        DeValue::Array(items) => {
            let values = items
                .iter()
                .map(|v| scalar(v.get_ref()))
                .collect::<Result<Vec<_>, _>>()?;
            let mixed = values
                .windows(2)
                .any(|w| std::mem::discriminant(&w[0]) != std::mem::discriminant(&w[1]));
            if mixed {
                return Err("unsupported value: array mixes types — property arrays hold one type (all strings, all integers, ...)".into());
            }
            Ok(Value::List(values))
        }
        other => scalar(other),
    }
}

fn scalar(value: &DeValue<'_>) -> Result<Value, String> {
    match value {
        DeValue::String(s) => Ok(Value::from(&**s)),
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
            .map(Value::Int)
            .map_err(|_| "integer out of range — properties are 64-bit signed integers".into()),
        DeValue::Float(f) => f
            .as_str()
            .parse::<f64>()
            .map(Value::Float)
            .map_err(|_| format!("invalid float `{}`", f.as_str())),
        DeValue::Boolean(b) => Ok(Value::Bool(*b)),
        // TOML's four datetime forms are Cypher's date, localtime, localdatetime and datetime.
        DeValue::Datetime(dt) => {
            let kind = match (dt.date.is_some(), dt.time.is_some(), dt.offset.is_some()) {
                (true, true, true) => "datetime",
                (true, true, false) => "localdatetime",
                (true, false, _) => "date",
                (false, ..) => "localtime",
            };
            crate::value::temporal::parse::typed(kind, &dt.to_string())
                .map(Value::from)
                .ok_or_else(|| format!("unsupported value: datetime `{dt}` is out of range"))
        }
        DeValue::Table(_) => Err(
            "unsupported value: nested table — properties are flat; use separate keys such as `hq_city = ...`".into(),
        ),
        DeValue::Array(_) => Err(
            "unsupported value: nested array — property arrays hold strings, numbers or booleans".into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_prefix_finds_where_text_departs_from_source() {
        assert_eq!(longest_prefix_in("abcX", "xxabcd"), "abc");
        assert_eq!(longest_prefix_in("abc", "xxabcd"), "abc");
        assert_eq!(longest_prefix_in("Q", "abc"), "");
        assert_eq!(longest_prefix_in("ça", "xç"), "ç");
    }
}
