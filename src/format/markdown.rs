//! GitHub-flavoured Markdown tables; cells in Cypher notation with `|` escaped.
//! An EXPLAIN/PROFILE plan comes first, as a code block.

use std::io::{self, Write};

use crate::result::ResultSet;

use super::text::cypher;

/// Writes a header row, the `---` separator, and one row per result row.
pub fn write(result: &ResultSet, out: &mut impl Write) -> io::Result<()> {
    if let Some(plan) = &result.plan {
        writeln!(out, "```\n{}\n```", plan.trim_end())?;
    }
    if result.columns.is_empty() {
        return Ok(());
    }
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', "<br>");
    let header: Vec<String> = result.columns.iter().map(|c| cell(c)).collect();
    writeln!(out, "| {} |", header.join(" | "))?;
    let rule: Vec<&str> = result.columns.iter().map(|_| "---").collect();
    writeln!(out, "| {} |", rule.join(" | "))?;
    for row in &result.rows {
        let cells: Vec<String> = row.iter().map(|v| cell(&cypher(v, result))).collect();
        writeln!(out, "| {} |", cells.join(" | "))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::test_support::sample;

    #[test]
    fn markdown_table() {
        let mut rs = sample();
        rs.rows.truncate(2);
        rs.rows[1][1] = crate::Value::from("a|b");
        let mut out = Vec::new();
        write(&rs, &mut out).expect("writing to a Vec");
        assert_eq!(
            String::from_utf8(out).expect("utf-8"),
            "| p | x |\n\
             | --- | --- |\n\
             | (:Person {name: 'Wu Gansha'})-[:FOUNDED {year: 2016}]->(:Company {name: 'Uisee'}) | null |\n\
             | (:Person {name: 'Wu Gansha'}) | 'a\\|b' |\n"
        );
    }
}
