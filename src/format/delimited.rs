//! CSV (RFC 4180) and TSV. Strings are written raw; null is an empty unquoted field, while
//! the empty string is `""` in CSV, so the two stay apart. Other values use Cypher notation.

use std::io::{self, Write};

use crate::result::ResultSet;
use crate::value::Value;

use super::text::cypher;

/// The field separator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delimiter {
    /// CSV
    Comma,
    /// TSV
    Tab,
}

/// Writes a header line with the column names, then one line per row.
pub fn write(result: &ResultSet, delimiter: Delimiter, out: &mut impl Write) -> io::Result<()> {
    let header: Vec<String> = result
        .columns
        .iter()
        .map(|c| field(Some(c), delimiter))
        .collect();
    write_line(&header, delimiter, out)?;
    for row in &result.rows {
        let fields: Vec<String> = row
            .iter()
            .map(|v| match v {
                Value::Null => String::new(),
                Value::String(s) => field(Some(s), delimiter),
                other => field(Some(&cypher(other, result)), delimiter),
            })
            .collect();
        write_line(&fields, delimiter, out)?;
    }
    Ok(())
}

fn write_line(fields: &[String], delimiter: Delimiter, out: &mut impl Write) -> io::Result<()> {
    let sep = match delimiter {
        Delimiter::Comma => ",",
        Delimiter::Tab => "\t",
    };
    writeln!(out, "{}", fields.join(sep))
}

fn field(text: Option<&str>, delimiter: Delimiter) -> String {
    let text = text.unwrap_or("");
    match delimiter {
        Delimiter::Comma => {
            if text.is_empty() || text.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", text.replace('"', "\"\""))
            } else {
                text.to_string()
            }
        }
        // TSV cannot quote, so escape the characters that would break the layout.
        Delimiter::Tab => text
            .replace('\\', "\\\\")
            .replace('\t', "\\t")
            .replace('\n', "\\n")
            .replace('\r', "\\r"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::test_support::sample;

    fn render(delimiter: Delimiter) -> String {
        let mut out = Vec::new();
        write(&sample(), delimiter, &mut out).expect("writing to a Vec");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn csv_quotes_only_when_needed_and_keeps_null_apart() {
        assert_eq!(
            render(Delimiter::Comma),
            "p,x\n\
             (:Person {name: 'Wu Gansha'})-[:FOUNDED {year: 2016}]->(:Company {name: 'Uisee'}),\n\
             (:Person {name: 'Wu Gansha'}),null\n\
             -[:FOUNDED {year: 2016}]->,1.0\n\
             \"a,b \"\"c\"\"\",NaN\n"
        );
    }

    #[test]
    fn tsv_has_one_line_per_row() {
        let text = render(Delimiter::Tab);
        assert_eq!(text.lines().count(), 5);
        assert!(text.starts_with("p\tx\n"));
        assert!(text.contains("a,b \"c\"\tNaN\n"));
    }
}
