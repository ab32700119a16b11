//! Tables for people: box-drawn (comfy-table) on a terminal, plain aligned ASCII otherwise.
//! Cells use Cypher notation; long cells are cut with `…` (or wrapped, on request) to fit the
//! terminal width; long results show their head and tail. A footer gives the row count, the writes and the time.

use std::io::{self, Write};

use comfy_table::{ContentArrangement, Table, presets};
use unicode_width::UnicodeWidthStr;

use crate::result::{ResultSet, Stats};
use crate::value::Value;

use super::Options;
use super::text::{cypher, wrap};

/// Narrowest a column is squeezed to when fitting the terminal.
const MIN_COLUMN_WIDTH: usize = 6;

/// Writes the plan (EXPLAIN/PROFILE), the table, and the footer line.
pub fn write(result: &ResultSet, options: &Options, out: &mut impl Write) -> io::Result<()> {
    if let Some(plan) = &result.plan {
        writeln!(out, "{}", plan.trim_end())?;
    }
    let shown = shown_rows(result.rows.len(), options.max_rows);
    if !result.columns.is_empty() {
        let mut grid: Vec<Vec<String>> = Vec::new();
        for (i, row) in result.rows.iter().enumerate() {
            if let Some((head, tail)) = shown {
                if i == head {
                    grid.push(vec!["…".to_string(); result.columns.len()]);
                }
                if i >= head && i < result.rows.len() - tail {
                    continue;
                }
            }
            grid.push(row.iter().map(|v| cell(v, result, options)).collect());
        }
        let mut header = result.columns.clone();
        fit(&mut header, &mut grid, options);
        if options.boxed {
            write_boxed(&header, &grid, &numeric_columns(result), out)?;
        } else {
            write_plain(&header, &grid, out)?;
        }
    }
    let footer = footer(result, shown, options.timing);
    if footer.is_empty() {
        return Ok(());
    }
    writeln!(out, "{footer}")
}

fn cell(value: &Value, result: &ResultSet, options: &Options) -> String {
    match value {
        Value::String(s) if options.plain_strings => s.to_string(),
        other => cypher(other, result),
    }
}

/// `(head, tail)` row counts to show when the result is longer than `max_rows`.
fn shown_rows(len: usize, max_rows: Option<usize>) -> Option<(usize, usize)> {
    let max = max_rows?;
    // Hiding a single row behind a `…` row would save nothing.
    (len > max + 1).then(|| (max.div_ceil(2), max / 2))
}

/// Cuts (or wraps) cells so the whole table fits `options.width`, narrowing the widest
/// column first.
fn fit(header: &mut [String], grid: &mut [Vec<String>], options: &Options) {
    let Some(width) = options.width else { return };
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for row in grid.iter() {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.lines().map(UnicodeWidthStr::width).max().unwrap_or(0));
        }
    }
    // Borders and padding: `│ a │ b │` costs 3 per column plus 1; plain `a | b` costs 3 per gap.
    let overhead = 3 * widths.len() + 1;
    while widths.iter().sum::<usize>() + overhead > width {
        let Some((i, &w)) = widths.iter().enumerate().max_by_key(|(_, w)| **w) else {
            return;
        };
        if w <= MIN_COLUMN_WIDTH {
            break;
        }
        widths[i] = w - 1;
    }
    let shorten = if options.wrap { wrap } else { cut };
    for (i, max) in widths.iter().enumerate() {
        if let Some(h) = header.get_mut(i) {
            *h = shorten(h, *max);
        }
        for row in grid.iter_mut() {
            if let Some(cell) = row.get_mut(i) {
                *cell = shorten(cell, *max);
            }
        }
    }
}

/// The first line of `text` within `max` columns, ending with `…` when something was cut.
fn cut(text: &str, max: usize) -> String {
    let first = text.lines().next().unwrap_or("");
    if first.width() <= max && first.len() == text.len() {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in first.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > max {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// Columns holding only numbers (and nulls), which a terminal table aligns right.
fn numeric_columns(result: &ResultSet) -> Vec<bool> {
    (0..result.columns.len())
        .map(|i| {
            let values = || result.rows.iter().filter_map(|row| row.get(i));
            values().any(|v| !matches!(v, Value::Null))
                && values().all(|v| matches!(v, Value::Int(_) | Value::Float(_) | Value::Null))
        })
        .collect()
}

fn write_boxed(
    header: &[String],
    grid: &[Vec<String>],
    numeric: &[bool],
    out: &mut impl Write,
) -> io::Result<()> {
    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header);
    for row in grid {
        table.add_row(row);
    }
    for (i, column) in table.column_iter_mut().enumerate() {
        if numeric.get(i) == Some(&true) {
            column.set_cell_alignment(comfy_table::CellAlignment::Right);
        }
    }
    writeln!(out, "{table}")
}

fn write_plain(header: &[String], grid: &[Vec<String>], out: &mut impl Write) -> io::Result<()> {
    let width = |cell: &String| cell.lines().map(UnicodeWidthStr::width).max().unwrap_or(0);
    let mut widths: Vec<usize> = header.iter().map(width).collect();
    for row in grid {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(cell));
        }
    }
    // A wrapped cell spans several lines; the row's other cells are blank below their text.
    let write_row = |cells: &[String], out: &mut dyn Write| -> io::Result<()> {
        let height = cells.iter().map(|c| c.lines().count()).max().unwrap_or(1);
        for i in 0..height.max(1) {
            let padded: Vec<String> = cells
                .iter()
                .zip(&widths)
                .map(|(c, w)| {
                    let part = c.lines().nth(i).unwrap_or("");
                    format!("{part}{}", " ".repeat(w.saturating_sub(part.width())))
                })
                .collect();
            writeln!(out, "{}", padded.join(" | ").trim_end())?;
        }
        Ok(())
    };
    write_row(header, out)?;
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    writeln!(out, "{}", rule.join("-+-"))?;
    for row in grid {
        write_row(row, out)?;
    }
    Ok(())
}

fn footer(result: &ResultSet, shown: Option<(usize, usize)>, timing: bool) -> String {
    let mut parts = Vec::new();
    let n = result.rows.len();
    if !result.columns.is_empty() {
        let mut rows = plural(n as u64, "row", "rows");
        if let Some((head, tail)) = shown {
            rows.push_str(&format!(
                " (first {head} and last {tail} shown; :last shows all)"
            ));
        }
        parts.push(rows);
    }
    let writes = writes_report(&result.stats);
    if !writes.is_empty() {
        parts.push(writes);
    } else if result.columns.is_empty() && result.plan.is_none() {
        parts.push("no changes, no rows".to_string());
    }
    if timing {
        parts.push(format!("{:.2} ms", result.time_ms));
    }
    parts.join(" · ")
}

/// `+2 nodes, +1 relationship, 3 properties set`; empty when nothing changed.
pub fn writes_report(stats: &Stats) -> String {
    let items = [
        (stats.nodes_created, "+", "node", "nodes", ""),
        (stats.nodes_deleted, "-", "node", "nodes", ""),
        (
            stats.relationships_created,
            "+",
            "relationship",
            "relationships",
            "",
        ),
        (
            stats.relationships_deleted,
            "-",
            "relationship",
            "relationships",
            "",
        ),
        (stats.properties_set, "", "property", "properties", " set"),
        (stats.labels_added, "+", "label", "labels", ""),
        (stats.labels_removed, "-", "label", "labels", ""),
    ];
    items
        .iter()
        .filter(|(n, ..)| *n > 0)
        .map(|(n, sign, one, many, suffix)| format!("{sign}{}{suffix}", plural(*n, one, many)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::test_support::sample;

    fn render(result: &ResultSet, options: &Options) -> String {
        let mut out = Vec::new();
        write(result, options, &mut out).expect("writing to a Vec");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn plain_table_is_aligned_ascii() {
        let mut rs = sample();
        rs.rows.remove(0);
        assert_eq!(
            render(&rs, &Options::default()),
            "p                             | x\n\
             ------------------------------+-------\n\
             (:Person {name: 'Wu Gansha'}) | 'null'\n\
             -[:FOUNDED {year: 2016}]->    | 1.0\n\
             'a,b \"c\"'                     | NaN\n\
             3 rows\n"
        );
    }

    #[test]
    fn long_cells_are_cut_to_the_width() {
        let rs = sample();
        let text = render(
            &rs,
            &Options {
                width: Some(40),
                ..Options::default()
            },
        );
        assert!(text.lines().all(|l| l.width() <= 40), "{text}");
        assert!(text.contains('…'));
        let boxed = render(
            &rs,
            &Options {
                width: Some(40),
                boxed: true,
                ..Options::default()
            },
        );
        assert!(boxed.lines().all(|l| l.width() <= 40), "{boxed}");
    }

    #[test]
    fn long_cells_can_wrap_instead() {
        let rs = ResultSet {
            columns: vec!["quote".into(), "n".into()],
            rows: vec![vec![
                Value::from("Its a subsidy. Its a grant. Its an honor."),
                Value::Int(1),
            ]],
            ..Default::default()
        };
        let options = Options {
            width: Some(24),
            wrap: true,
            plain_strings: true,
            ..Options::default()
        };
        assert_eq!(
            render(&rs, &options),
            "quote            | n\n\
             -----------------+--\n\
             Its a subsidy.   | 1\n\
             Its a grant. Its |\n\
             an honor.        |\n\
             1 row\n"
        );
        let boxed = render(
            &rs,
            &Options {
                boxed: true,
                ..options
            },
        );
        assert!(boxed.lines().all(|l| l.width() <= 24), "{boxed}");
        assert!(boxed.contains("│ an honor.        ┆   │"), "{boxed}");
    }

    #[test]
    fn long_results_show_head_and_tail() {
        let mut rs = ResultSet {
            columns: vec!["n".into()],
            ..Default::default()
        };
        rs.rows = (0..10).map(|i| vec![Value::Int(i)]).collect();
        let text = render(
            &rs,
            &Options {
                max_rows: Some(4),
                ..Options::default()
            },
        );
        assert_eq!(
            text,
            "n\n-\n0\n1\n…\n8\n9\n10 rows (first 2 and last 2 shown; :last shows all)\n"
        );
    }

    #[test]
    fn boxed_table_and_writes_report() {
        let mut rs = ResultSet {
            columns: vec!["name".into()],
            rows: vec![vec![Value::from("Uisee")]],
            ..Default::default()
        };
        rs.stats.nodes_created = 2;
        rs.stats.relationships_created = 1;
        rs.stats.properties_set = 3;
        rs.time_ms = 0.214;
        let text = render(
            &rs,
            &Options {
                boxed: true,
                timing: true,
                ..Options::default()
            },
        );
        assert!(text.starts_with('┌'), "{text}");
        let numbers = ResultSet {
            columns: vec!["name".into(), "n".into()],
            rows: vec![
                vec![Value::from("a"), Value::Int(5)],
                vec![Value::from("b"), Value::Int(1234)],
            ],
            ..Default::default()
        };
        let boxed = render(
            &numbers,
            &Options {
                boxed: true,
                ..Options::default()
            },
        );
        assert!(
            boxed.contains("│ 'a'  ┆    5 │"),
            "numbers align right: {boxed}"
        );
        assert!(text.contains("│ 'Uisee' │"), "{text}");
        assert!(
            text.ends_with("1 row · +2 nodes, +1 relationship, 3 properties set · 0.21 ms\n"),
            "{text}"
        );
    }

    #[test]
    fn explain_prints_the_plan_alone() {
        let rs = ResultSet {
            plan: Some("Produce (n)\n+- AllNodesScan (#0)\n".into()),
            ..Default::default()
        };
        assert_eq!(
            render(&rs, &Options::default()),
            "Produce (n)\n+- AllNodesScan (#0)\n"
        );
    }

    #[test]
    fn statement_without_columns_reports_only_writes() {
        let mut rs = ResultSet::default();
        assert_eq!(render(&rs, &Options::default()), "no changes, no rows\n");
        rs.stats.labels_added = 1;
        assert_eq!(render(&rs, &Options::default()), "+1 label\n");
    }
}
