//! The LOAD CSV operator: for each input row, opens the file its URL names and streams the
//! records one row at a time (the `csv` crate parses; nothing is read ahead beyond its
//! buffer), so LIMIT stops the reading and a read-only query over a large file holds one
//! record at a time. (A write clause after it still collects its input rows first, as
//! every write does; see `write.rs`.)
//!
//! Semantics follow Neo4j: every field is a string, an empty field (quoted or not) is null,
//! with headers a short record's missing fields are null and extra fields are dropped.
//! Local files only: a path (relative to the current directory) or a `file:` URL.
//! Errors name the file and line, and say how to fix them.

use parking_lot::Mutex;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{ErrorCode, ErrorKind, QueryError, Result};
use crate::plan::CsvLoad;
use crate::value::Value;

use super::{BoxOp, Cx, Operator, Row, eval};

/// The operator: the plan's `CsvLoad` plus the file open for the current input row.
pub(super) struct LoadCsv {
    input: BoxOp,
    load: CsvLoad,
    current: Option<(Row, CsvSource)>,
}

impl LoadCsv {
    pub fn new(input: BoxOp, load: CsvLoad) -> Self {
        LoadCsv {
            input,
            load,
            current: None,
        }
    }

    /// Opens the file the row's URL names, reading the header record when there is one.
    fn open_source(&self, row: &Row, cx: &Cx<'_>) -> Result<CsvSource> {
        let span = self.load.source.span;
        let url = match eval(&self.load.source, row, cx)? {
            Value::String(url) => url,
            other => {
                return Err(QueryError::runtime(
                    ErrorKind::TypeError,
                    ErrorCode::InvalidArgumentType,
                    format!(
                        "LOAD CSV FROM takes a file path or URL string, found {}",
                        other.type_name()
                    ),
                )
                .with_span(span));
            }
        };
        let path = resolve(&url).map_err(|e| e.or_span(span))?;
        let mut source =
            CsvSource::open(path, self.load.delimiter).map_err(|e| e.with_span(span))?;
        if self.load.headers {
            source.read_headers().map_err(|e| e.with_span(span))?;
        }
        Ok(source)
    }
}

impl Operator for LoadCsv {
    fn open(&mut self, arg: &Row) {
        self.input.open(arg);
        self.current = None;
    }

    fn next(&mut self, cx: &Cx<'_>) -> Result<Option<Row>> {
        loop {
            if let Some((row, source)) = &mut self.current {
                cx.tick()?;
                let span = self.load.source.span;
                if let Some(line) = source.next_record().map_err(|e| e.with_span(span))? {
                    let mut out = row.clone();
                    out[self.load.slot] = source.record_value();
                    out[self.load.line_slot] = Value::Int(line);
                    out[self.load.file_slot] = source.path_value.clone();
                    return Ok(Some(out));
                }
                self.current = None;
            }
            let Some(row) = self.input.next(cx)? else {
                return Ok(None);
            };
            let source = self.open_source(&row, cx)?;
            self.current = Some((row, source));
        }
    }
}

/// The local file a LOAD CSV URL names: `file:///abs/path` (percent-encoded, as URLs are),
/// `file:/abs/path`, or a plain path, relative to the current directory. Other schemes
/// would need the network, which kg does not use.
fn resolve(url: &str) -> Result<PathBuf> {
    let path = match split_scheme(url) {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("file") => {
            let path = match rest.strip_prefix("//") {
                Some(after) => {
                    let (host, path) = after.split_at(after.find('/').unwrap_or(after.len()));
                    if !(host.is_empty() || host.eq_ignore_ascii_case("localhost")) {
                        return Err(not_local(
                            &format!("LOAD CSV from a file URL with a host (`{host}`)"),
                            "LOAD CSV reads local files, e.g. 'file:///data/people.csv'",
                        ));
                    }
                    path
                }
                None => rest,
            };
            PathBuf::from(percent_decode(path).ok_or_else(|| {
                argument_error(format!(
                    "`{url}` is not a valid file URL: a `%` must start a UTF-8 escape such as %20; \
                     write the path without `file://` to use it as written"
                ))
            })?)
        }
        Some((scheme, _)) => {
            return Err(not_local(
                &format!("LOAD CSV from `{scheme}:` URLs"),
                "kg reads local files only: download the file and give its path or a \
                 file:/// URL",
            ));
        }
        None => PathBuf::from(url),
    };
    // Relative paths are read from the current directory; the absolute form is what file()
    // answers and what errors show.
    Ok(std::path::absolute(&path).unwrap_or(path))
}

/// `scheme` and the rest of `url` when it starts with `scheme:` followed by `/` (so a
/// Windows path such as `C:\data.csv` or a file named `a:b.csv` is a plain path).
fn split_scheme(url: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = url.split_once(':')?;
    let mut chars = scheme.chars();
    let is_scheme = scheme.len() > 1
        && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    (is_scheme && rest.starts_with('/')).then_some((scheme, rest))
}

/// Decodes `%XX` escapes; `None` when an escape is malformed or the result is not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// NotSupported for a URL that is not a local file, with what to do instead.
fn not_local(feature: &str, fix: &str) -> QueryError {
    let mut error = QueryError::not_supported(feature, None);
    error.message = format!("{}; {fix}", error.message);
    // Found while running: the URL may come from a parameter or a row.
    error.phase = crate::error::Phase::Runtime;
    error
}

fn argument_error(message: String) -> QueryError {
    QueryError::runtime(
        ErrorKind::ArgumentError,
        ErrorCode::InvalidArgumentValue,
        message,
    )
}

/// An open CSV file and the record last read from it.
struct CsvSource {
    path: PathBuf,
    /// `file()`'s answer: the absolute path.
    path_value: Value,
    reader: csv::Reader<Recorder<File>>,
    /// The bytes the reader has taken from the file, for checking each record's quotes.
    raw: Arc<Mutex<RawWindow>>,
    delimiter: u8,
    record: csv::StringRecord,
    /// With headers: the field names, from the first record.
    headers: Option<Vec<String>>,
}

impl CsvSource {
    fn open(path: PathBuf, delimiter: u8) -> Result<Self> {
        let file = File::open(&path).map_err(|e| open_error(&path, &e))?;
        if file.metadata().is_ok_and(|m| m.is_dir()) {
            return Err(argument_error(format!(
                "{} is a directory; give the path of a CSV file in it",
                path.display()
            )));
        }
        let raw = Arc::new(Mutex::new(RawWindow::default()));
        // The csv reader buffers what it reads, so the file needs no buffer of its own.
        let recorder = Recorder {
            inner: file,
            raw: Arc::clone(&raw),
        };
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(recorder);
        Ok(CsvSource {
            path_value: Value::String(Arc::from(path.to_string_lossy().as_ref())),
            path,
            reader,
            raw,
            delimiter,
            record: csv::StringRecord::new(),
            headers: None,
        })
    }

    /// Reads the first record as the field names.
    fn read_headers(&mut self) -> Result<()> {
        if self.next_record()?.is_none() {
            return Err(argument_error(format!(
                "{}: the file is empty, so WITH HEADERS finds no header line; \
                 add a header line or leave out WITH HEADERS",
                self.path.display()
            )));
        }
        self.headers = Some(self.record.iter().map(str::to_string).collect());
        Ok(())
    }

    /// Reads the next record; returns the line it starts on, or `None` at the end.
    fn next_record(&mut self) -> Result<Option<i64>> {
        match self.reader.read_record(&mut self.record) {
            Ok(true) => {}
            Ok(false) => return Ok(None),
            Err(e) => return Err(self.csv_error(&e)),
        }
        let start = self.record.position().map_or(0, |p| p.byte());
        let end = self.reader.position().byte();
        let (skipped_lines, problem) = {
            let raw = self.raw.lock();
            let raw = raw.slice(start, end);
            // The crate's record position can sit before the line break that ended the
            // previous record (the `\n` of `\r\n`) or before skipped blank lines.
            let lead = raw
                .iter()
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .count();
            let skipped = raw[..lead].iter().filter(|&&b| b == b'\n').count();
            (skipped, quote_problem(&raw[lead..], self.delimiter))
        };
        self.raw.lock().forget_before(end);
        let line = self.record.position().map_or(0, |p| p.line()) + skipped_lines as u64;
        if let Some((offset, problem)) = problem {
            return Err(argument_error(format!(
                "{}:{}: {}",
                self.path.display(),
                line + offset.newlines_before as u64,
                problem.describe()
            )));
        }
        Ok(Some(i64::try_from(line).unwrap_or(i64::MAX)))
    }

    /// The current record as a row value: a list of fields, or a map keyed by the headers.
    fn record_value(&self) -> Value {
        let field = |text: &str| {
            if text.is_empty() {
                Value::Null
            } else {
                Value::String(Arc::from(text))
            }
        };
        match &self.headers {
            None => Value::List(self.record.iter().map(field).collect()),
            Some(headers) => Value::Map(
                headers
                    .iter()
                    .enumerate()
                    .map(|(i, name)| (name.clone(), self.record.get(i).map_or(Value::Null, field)))
                    .collect::<BTreeMap<_, _>>(),
            ),
        }
    }

    fn csv_error(&self, error: &csv::Error) -> QueryError {
        let line = error
            .position()
            .map_or(String::new(), |p| format!(":{}", p.line()));
        let path = self.path.display();
        argument_error(match error.kind() {
            csv::ErrorKind::Utf8 { .. } => {
                format!("{path}{line}: the record is not valid UTF-8; save the file as UTF-8")
            }
            csv::ErrorKind::Io(e) => format!("{path}{line}: cannot read the file: {e}"),
            _ => format!("{path}{line}: cannot read the CSV: {error}"),
        })
    }
}

fn open_error(path: &Path, error: &io::Error) -> QueryError {
    let path = path.display();
    argument_error(match error.kind() {
        io::ErrorKind::NotFound => format!(
            "file not found: {path}; check the path (a relative path is read from the \
             directory kg was started in)"
        ),
        io::ErrorKind::PermissionDenied => {
            format!("cannot read {path}: permission denied; check the file's permissions")
        }
        _ => format!("cannot open {path}: {error}"),
    })
}

/// Hands the reader's bytes on while keeping a copy in `raw`.
struct Recorder<R> {
    inner: R,
    raw: Arc<Mutex<RawWindow>>,
}

impl<R: Read> Read for Recorder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.raw.lock().bytes.extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

/// The bytes read from a file from offset `start` on: at least the current record.
#[derive(Default)]
struct RawWindow {
    start: u64,
    bytes: Vec<u8>,
}

impl RawWindow {
    /// The bytes at file offsets `from..to` (clipped to what is held).
    fn slice(&self, from: u64, to: u64) -> &[u8] {
        let index = |offset: u64| {
            usize::try_from(offset.saturating_sub(self.start))
                .unwrap_or(usize::MAX)
                .min(self.bytes.len())
        };
        &self.bytes[index(from)..index(to).max(index(from))]
    }

    /// Drops the bytes before file offset `offset`, in batches so each record does not
    /// shift the whole buffer.
    fn forget_before(&mut self, offset: u64) {
        const BATCH: u64 = 64 * 1024;
        let done = offset.saturating_sub(self.start);
        if done >= BATCH {
            let n = usize::try_from(done)
                .unwrap_or(usize::MAX)
                .min(self.bytes.len());
            self.bytes.drain(..n);
            self.start += n as u64;
        }
    }
}

/// How a record's quoting goes wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QuoteProblem {
    /// `"abc"def`: text between a closing quote and the next separator.
    TextAfterQuote,
    /// `"abc` to the end of the file.
    Unclosed,
}

impl QuoteProblem {
    fn describe(self) -> &'static str {
        match self {
            QuoteProblem::TextAfterQuote => {
                "a quoted field has text after its closing quote; quote the whole field and \
                 double each quote inside it, e.g. \"say \"\"hi\"\" twice\""
            }
            QuoteProblem::Unclosed => {
                "a quoted field starting on this line is never closed; add the closing quote \
                 (and double each quote inside the field)"
            }
        }
    }
}

/// Where in a record a problem sits: the number of line breaks before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RecordOffset {
    newlines_before: usize,
}

/// The first quoting mistake in the raw text of one record, if any. The `csv` crate reads
/// such records without complaint (keeping the stray text, or running an unclosed quote on
/// to the end of the file); Neo4j rejects them, and so does LOAD CSV. This only checks the
/// quotes of a record the crate has already split; it does not parse values.
fn quote_problem(raw: &[u8], delimiter: u8) -> Option<(RecordOffset, QuoteProblem)> {
    let at = |i: usize| RecordOffset {
        newlines_before: raw[..i].iter().filter(|&&b| b == b'\n').count(),
    };
    let mut i = 0;
    let mut field_start = true;
    while i < raw.len() {
        if field_start && raw[i] == b'"' {
            let open = i;
            i += 1;
            loop {
                match raw.get(i) {
                    None => return Some((at(open), QuoteProblem::Unclosed)),
                    Some(b'"') if raw.get(i + 1) == Some(&b'"') => i += 2,
                    Some(b'"') => break,
                    Some(_) => i += 1,
                }
            }
            i += 1;
            match raw.get(i) {
                None | Some(b'\r' | b'\n') => return None,
                Some(&b) if b == delimiter => {}
                Some(_) => return Some((at(i), QuoteProblem::TextAfterQuote)),
            }
        }
        let b = raw[i];
        if b == b'\r' || b == b'\n' {
            return None;
        }
        field_start = b == delimiter;
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(raw: &str) -> Option<(usize, QuoteProblem)> {
        quote_problem(raw.as_bytes(), b',').map(|(at, p)| (at.newlines_before, p))
    }

    #[test]
    fn well_quoted_records_pass() {
        for raw in [
            "a,b,c\n",
            "\"a,b\",\"say \"\"hi\"\"\",c\r\n",
            "\"multi\nline\",x\n",
            "plain \"inner\" quotes,x\n",
            "\"\",,\"\"",
            "last,\"field\"",
        ] {
            assert_eq!(problem(raw), None, "{raw:?}");
        }
    }

    #[test]
    fn stray_text_and_unclosed_quotes_are_found_with_their_line() {
        assert_eq!(
            problem("a,\"b\"c,d\n"),
            Some((0, QuoteProblem::TextAfterQuote))
        );
        assert_eq!(
            problem("a,\"b\nc\"x\n"),
            Some((1, QuoteProblem::TextAfterQuote))
        );
        assert_eq!(
            problem("b,\"open\nrest\n"),
            Some((0, QuoteProblem::Unclosed))
        );
        assert_eq!(
            problem("\"two\nlines\",\"open\nrest"),
            Some((1, QuoteProblem::Unclosed))
        );
    }

    #[test]
    fn urls_resolve_to_local_paths() {
        let path = |url: &str| resolve(url).map(|p| p.to_string_lossy().into_owned());
        assert_eq!(
            path("file:///tmp/a%20b.csv").ok().as_deref(),
            Some("/tmp/a b.csv")
        );
        assert_eq!(
            path("file://localhost/tmp/x.csv").ok().as_deref(),
            Some("/tmp/x.csv")
        );
        assert_eq!(path("file:/tmp/x.csv").ok().as_deref(), Some("/tmp/x.csv"));
        assert_eq!(
            path("/tmp/x%20y.csv").ok().as_deref(),
            Some("/tmp/x%20y.csv")
        );
        let relative = path("data/x.csv").expect("a relative path");
        assert!(relative.ends_with("data/x.csv") && relative.starts_with('/'));
        for url in [
            "https://example.com/a.csv",
            "http://x/y",
            "file://server/share/a.csv",
        ] {
            let error = resolve(url).expect_err(url);
            assert_eq!(error.kind, ErrorKind::NotSupported, "{url}");
        }
        let error = resolve("file:///tmp/%zz.csv").expect_err("bad escape");
        assert_eq!(error.kind, ErrorKind::ArgumentError);
    }
}
