//! A small reader for the Gherkin subset the openCypher TCK uses: Feature, Background,
//! Scenario, Scenario Outline with Examples, tags, steps with doc strings (`"""`) and data
//! tables. It knows nothing about what the steps mean; see `scenario.rs` for that.

use std::fmt;

/// One `.feature` file.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    pub name: String,
    pub background: Vec<Step>,
    pub scenarios: Vec<Scenario>,
}

/// A `Scenario:` or a `Scenario Outline:` (whose `examples` are non-empty).
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub tags: Vec<String>,
    pub line: usize,
    pub steps: Vec<Step>,
    pub outline: bool,
    /// Rows of all `Examples:` tables, as (placeholder → value) pairs in header order.
    pub examples: Vec<Vec<(String, String)>>,
}

/// A step: its keyword (`Given`, `And`, ...), the text after it, and an optional argument.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub keyword: String,
    pub text: String,
    pub line: usize,
    pub doc_string: Option<String>,
    pub table: Option<Vec<Vec<String>>>,
}

/// A scenario with its outline placeholders filled in and the Background prepended.
#[derive(Debug, Clone, PartialEq)]
pub struct ConcreteScenario {
    pub name: String,
    pub tags: Vec<String>,
    pub line: usize,
    /// 1-based row of the Examples tables this came from, for outlines.
    pub example: Option<usize>,
    pub steps: Vec<Step>,
}

/// A syntax problem in a feature file.
#[derive(Debug, Clone, PartialEq)]
pub struct GherkinError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for GherkinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

const STEP_KEYWORDS: [&str; 6] = ["Given", "When", "Then", "And", "But", "*"];

/// Where the reader is: which block the next table rows or steps belong to.
enum Block {
    None,
    Background,
    Scenario,
    Examples { header: Option<Vec<String>> },
}

/// Parses the text of a feature file.
pub fn parse_feature(text: &str) -> Result<Feature, GherkinError> {
    let lines: Vec<&str> = text.lines().collect();
    let mut feature: Option<Feature> = None;
    let mut block = Block::None;
    let mut pending_tags: Vec<String> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line_no = i + 1;
        let raw = lines[i];
        let line = raw.trim();
        i += 1;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let err = |message: String| GherkinError {
            line: line_no,
            message,
        };
        if line.starts_with('@') {
            pending_tags.extend(line.split_whitespace().map(str::to_string));
            continue;
        }
        if let Some(name) = line.strip_prefix("Feature:") {
            if feature.is_some() {
                return Err(err("a second Feature".into()));
            }
            feature = Some(Feature {
                name: name.trim().to_string(),
                background: Vec::new(),
                scenarios: Vec::new(),
            });
            pending_tags.clear();
            continue;
        }
        let Some(feat) = feature.as_mut() else {
            return Err(err(format!("expected `Feature:`, found `{line}`")));
        };
        if line.starts_with("Background:") {
            block = Block::Background;
            continue;
        }
        let (outline, name) = if let Some(name) = line.strip_prefix("Scenario Outline:") {
            (true, Some(name))
        } else if let Some(name) = line.strip_prefix("Scenario Template:") {
            (true, Some(name))
        } else if let Some(name) = line.strip_prefix("Scenario:") {
            (false, Some(name))
        } else {
            (false, None)
        };
        if let Some(name) = name {
            feat.scenarios.push(Scenario {
                name: name.trim().to_string(),
                tags: std::mem::take(&mut pending_tags),
                line: line_no,
                steps: Vec::new(),
                outline,
                examples: Vec::new(),
            });
            block = Block::Scenario;
            continue;
        }
        if line.starts_with("Examples:") || line.starts_with("Scenarios:") {
            match feat.scenarios.last() {
                Some(s) if s.outline => {}
                _ => return Err(err("`Examples:` outside a Scenario Outline".into())),
            }
            pending_tags.clear();
            block = Block::Examples { header: None };
            continue;
        }
        if line.starts_with('|') {
            let row = parse_table_row(line).map_err(err)?;
            match &mut block {
                Block::Examples { header } => match header {
                    None => *header = Some(row),
                    Some(names) => {
                        if names.len() != row.len() {
                            return Err(err("Examples row has the wrong number of cells".into()));
                        }
                        let pairs = names.iter().cloned().zip(row).collect();
                        if let Some(s) = feat.scenarios.last_mut() {
                            s.examples.push(pairs);
                        }
                    }
                },
                Block::Background | Block::Scenario => {
                    let step = current_steps(feat, &block)
                        .and_then(|steps| steps.last_mut())
                        .ok_or_else(|| err("a table before any step".into()))?;
                    step.table.get_or_insert_with(Vec::new).push(row);
                }
                Block::None => return Err(err("a table outside a scenario".into())),
            }
            continue;
        }
        if line.starts_with("\"\"\"") || line.starts_with("```") {
            let fence = &line[..3];
            let indent = raw.len() - raw.trim_start().len();
            let mut content = Vec::new();
            loop {
                let Some(next) = lines.get(i) else {
                    return Err(err("unterminated doc string".into()));
                };
                i += 1;
                if next.trim() == fence {
                    break;
                }
                // Gherkin strips the opening fence's indentation from every content line.
                let strip = next.len() - next.trim_start().len();
                content.push(&next[strip.min(indent)..]);
            }
            let step = current_steps(feat, &block)
                .and_then(|steps| steps.last_mut())
                .ok_or_else(|| err("a doc string before any step".into()))?;
            step.doc_string = Some(content.join("\n"));
            continue;
        }
        if let Some((keyword, text)) = split_step(line) {
            let steps = current_steps(feat, &block)
                .ok_or_else(|| err(format!("a step outside a scenario: `{line}`")))?;
            steps.push(Step {
                keyword: keyword.to_string(),
                text: text.to_string(),
                line: line_no,
                doc_string: None,
                table: None,
            });
            continue;
        }
        match block {
            // Free text under Feature:/Scenario: is a description.
            Block::None => continue,
            Block::Scenario | Block::Background
                if current_steps(feat, &block).is_some_and(|s| s.is_empty()) =>
            {
                continue;
            }
            _ => return Err(err(format!("unexpected line `{line}`"))),
        }
    }
    feature.ok_or(GherkinError {
        line: lines.len(),
        message: "no `Feature:`".into(),
    })
}

fn current_steps<'a>(feature: &'a mut Feature, block: &Block) -> Option<&'a mut Vec<Step>> {
    match block {
        Block::Background => Some(&mut feature.background),
        Block::Scenario => feature.scenarios.last_mut().map(|s| &mut s.steps),
        _ => None,
    }
}

fn split_step(line: &str) -> Option<(&str, &str)> {
    STEP_KEYWORDS.iter().find_map(|kw| {
        let rest = line.strip_prefix(kw)?;
        if rest.is_empty() || rest.starts_with(' ') {
            Some((*kw, rest.trim()))
        } else {
            None
        }
    })
}

/// Splits `| a | b\|c |` into trimmed cells, undoing Gherkin's cell escapes
/// (`\|` → `|`, `\\` → `\`, `\n` → newline; other backslashes stay as written).
pub fn parse_table_row(line: &str) -> Result<Vec<String>, String> {
    let inner = line
        .strip_prefix('|')
        .ok_or_else(|| "a table row must start with `|`".to_string())?;
    if inner.trim().is_empty() {
        // A lone `|` is a table without columns (the TCK's `:: ()` procedure signatures).
        return Ok(Vec::new());
    }
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = inner.chars();
    let mut closed = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('|') => cell.push('|'),
                Some('\\') => cell.push('\\'),
                Some('n') => cell.push('\n'),
                Some(other) => {
                    cell.push('\\');
                    cell.push(other);
                }
                None => cell.push('\\'),
            },
            '|' => {
                cells.push(cell.trim().to_string());
                cell.clear();
                closed = true;
                continue;
            }
            c => cell.push(c),
        }
        closed = false;
    }
    if !closed || !cell.trim().is_empty() {
        return Err("a table row must end with `|`".to_string());
    }
    Ok(cells)
}

impl Feature {
    /// Every runnable scenario: outlines expand to one per Examples row.
    pub fn concrete_scenarios(&self) -> Vec<ConcreteScenario> {
        let mut out = Vec::new();
        for scenario in &self.scenarios {
            let with_background = |steps: Vec<Step>| {
                let mut all = self.background.clone();
                all.extend(steps);
                all
            };
            if !scenario.outline {
                out.push(ConcreteScenario {
                    name: scenario.name.clone(),
                    tags: scenario.tags.clone(),
                    line: scenario.line,
                    example: None,
                    steps: with_background(scenario.steps.clone()),
                });
                continue;
            }
            for (row, values) in scenario.examples.iter().enumerate() {
                let steps = scenario
                    .steps
                    .iter()
                    .map(|step| Step {
                        keyword: step.keyword.clone(),
                        text: substitute(&step.text, values),
                        line: step.line,
                        doc_string: step.doc_string.as_deref().map(|d| substitute(d, values)),
                        table: step.table.as_ref().map(|t| {
                            t.iter()
                                .map(|r| r.iter().map(|c| substitute(c, values)).collect())
                                .collect()
                        }),
                    })
                    .collect();
                out.push(ConcreteScenario {
                    name: substitute(&scenario.name, values),
                    tags: scenario.tags.clone(),
                    line: scenario.line,
                    example: Some(row + 1),
                    steps: with_background(steps),
                });
            }
        }
        out
    }
}

/// Replaces each `<name>` by its Examples value.
fn substitute(text: &str, values: &[(String, String)]) -> String {
    let mut out = text.to_string();
    for (name, value) in values {
        out = out.replace(&format!("<{name}>"), value);
    }
    out
}

/// Tests of this module, run by the harness as trials.
pub mod self_tests {
    use super::*;

    /// (name, test) pairs; tests/tck.rs runs them as trials, since harness = false
    /// test targets do not run `#[test]` functions.
    pub const ALL: &[(&str, fn())] = &[
        (
            "reads_scenarios_steps_doc_strings_and_tables",
            reads_scenarios_steps_doc_strings_and_tables,
        ),
        (
            "expands_outlines_across_examples_tables",
            expands_outlines_across_examples_tables,
        ),
        ("table_cell_escapes", table_cell_escapes),
        (
            "rejects_steps_outside_scenarios",
            rejects_steps_outside_scenarios,
        ),
    ];

    const SAMPLE: &str = r#"#
# Copyright header
#
#encoding: utf-8

Feature: Match1 - Match nodes
  Some description.

  Background:
    Given an empty graph

  @tagged
  Scenario: [1] Match non-existent nodes returns empty
    When executing query:
      """
      MATCH (n)
        RETURN n
      """
    Then the result should be, in any order:
      | n |
    And no side effects

  Scenario Outline: [2] Outline <x>
    When executing query:
      """
      RETURN <x> AS v
      """
    Then the result should be, in any order:
      | v      |
      | <want> |

    Examples:
      | x     | want |
      | 1     | 1    |
      | 'a\|' | 'a\|' |

    Examples:
      | x | want |
      | 2 | 2    |
"#;

    fn reads_scenarios_steps_doc_strings_and_tables() {
        let feature = parse_feature(SAMPLE).expect("sample parses");
        assert_eq!(feature.name, "Match1 - Match nodes");
        assert_eq!(feature.background.len(), 1);
        assert_eq!(feature.scenarios.len(), 2);
        let first = &feature.scenarios[0];
        assert_eq!(first.tags, vec!["@tagged"]);
        assert_eq!(first.steps.len(), 3);
        assert_eq!(
            first.steps[0].doc_string.as_deref(),
            Some("MATCH (n)\n  RETURN n")
        );
        assert_eq!(first.steps[1].table, Some(vec![vec!["n".to_string()]]));
        assert_eq!(first.steps[2].text, "no side effects");
    }

    fn expands_outlines_across_examples_tables() {
        let feature = parse_feature(SAMPLE).expect("sample parses");
        let all = feature.concrete_scenarios();
        assert_eq!(all.len(), 4);
        assert_eq!(all[0].steps[0].text, "an empty graph");
        let second = &all[2];
        assert_eq!(second.name, "[2] Outline 'a|'");
        assert_eq!(second.example, Some(2));
        assert_eq!(
            second.steps[1].doc_string.as_deref(),
            Some("RETURN 'a|' AS v")
        );
        assert_eq!(
            second.steps[2].table.as_ref().expect("table")[1],
            vec!["'a|'".to_string()]
        );
        assert_eq!(all[3].example, Some(3));
    }

    fn table_cell_escapes() {
        assert_eq!(
            parse_table_row(r"| a\\b | c\nd | \'x\' |").expect("row"),
            vec![r"a\b", "c\nd", r"\'x\'"]
        );
        assert!(parse_table_row("| a | b").is_err());
        assert_eq!(parse_table_row("|").expect("row"), Vec::<String>::new());
    }

    fn rejects_steps_outside_scenarios() {
        let err = parse_feature("Feature: F\n  Given an empty graph\n").expect_err("no scenario");
        assert_eq!(err.line, 2);
    }
}
