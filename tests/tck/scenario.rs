//! Runs one TCK scenario: interprets the step phrases, compares results structurally and
//! measures side effects the way the TCK defines them (the difference in nodes, relationships,
//! property triples and distinct labels seen before and after the query), so kg's `Stats` need
//! not follow the TCK's counting rules. Queries go to a `Backend`: an in-process `kg::Session`
//! here, or the `kg` binary (see `cli.rs`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::path::Path;

use kg::format::tck::{render_row, render_value};
use kg::graph::{Graph, NodeId, RelId};
use kg::procedure::ProcedureSignature;
use kg::{ErrorKind, Phase, QueryError, ResultSet, Session};

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::gherkin::Step;
use crate::values::{ListOrder, match_unordered, parse_value};

/// What the graph looks like through the TCK's side-effect queries.
#[derive(Debug, Default)]
pub struct GraphState {
    nodes: BTreeSet<u64>,
    rels: BTreeSet<u64>,
    /// (entity, key, rendered value) → how many times it occurs.
    properties: BTreeMap<(String, String, String), usize>,
    labels: BTreeSet<String>,
}

/// A node as the side-effect queries see it: id, labels, (key, value) properties.
pub type NodeEntry = (u64, Vec<String>, Vec<(String, kg::Value)>);
/// A relationship as the side-effect queries see it: id, (key, value) properties.
pub type RelEntry = (u64, Vec<(String, kg::Value)>);

impl GraphState {
    /// The state of an in-process graph.
    pub fn of(graph: &Graph) -> Self {
        let nodes = graph.nodes().filter_map(|id: NodeId| {
            let node = graph.node(id)?;
            let labels = node.labels.iter().map(|l| l.to_string()).collect();
            let props = node
                .properties
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect();
            Some((u64::from(id.0), labels, props))
        });
        let rels = graph.rels().filter_map(|id: RelId| {
            let rel = graph.rel(id)?;
            let props = rel
                .properties()
                .iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
            Some((u64::from(id.0), props))
        });
        Self::from_entities(nodes, rels)
    }

    /// The state from the entities `MATCH (n) RETURN n` and `MATCH ()-[r]->() RETURN r` list.
    pub fn from_entities(
        nodes: impl IntoIterator<Item = NodeEntry>,
        rels: impl IntoIterator<Item = RelEntry>,
    ) -> Self {
        let mut state = GraphState::default();
        let empty = ResultSet::default();
        let add_props =
            |state: &mut GraphState, entity: String, props: Vec<(String, kg::Value)>| {
                for (key, value) in props {
                    let triple = (entity.clone(), key, render_value(&value, &empty));
                    *state.properties.entry(triple).or_default() += 1;
                }
            };
        for (id, labels, props) in nodes {
            state.nodes.insert(id);
            state.labels.extend(labels);
            add_props(&mut state, format!("n{id}"), props);
        }
        for (id, props) in rels {
            state.rels.insert(id);
            add_props(&mut state, format!("r{id}"), props);
        }
        state
    }

    /// The TCK side-effect counts from `self` (before) to `after`.
    fn diff(&self, after: &GraphState) -> BTreeMap<&'static str, usize> {
        fn added<T: Ord>(from: &BTreeSet<T>, to: &BTreeSet<T>) -> usize {
            to.difference(from).count()
        }
        fn added_props(
            from: &BTreeMap<(String, String, String), usize>,
            to: &BTreeMap<(String, String, String), usize>,
        ) -> usize {
            to.iter()
                .map(|(k, n)| n.saturating_sub(from.get(k).copied().unwrap_or(0)))
                .sum()
        }
        BTreeMap::from([
            ("+nodes", added(&self.nodes, &after.nodes)),
            ("-nodes", added(&after.nodes, &self.nodes)),
            ("+relationships", added(&self.rels, &after.rels)),
            ("-relationships", added(&after.rels, &self.rels)),
            (
                "+properties",
                added_props(&self.properties, &after.properties),
            ),
            (
                "-properties",
                added_props(&after.properties, &self.properties),
            ),
            ("+labels", added(&self.labels, &after.labels)),
            ("-labels", added(&after.labels, &self.labels)),
        ])
    }
}

/// The query under test and what it did.
pub struct Executed {
    pub query: String,
    pub outcome: Result<ResultSet, ErrorReport>,
    pub before: GraphState,
    pub after: GraphState,
}

/// An error as the TCK sees it: type, detail code and phase (from a `QueryError` or from the
/// JSON error object of the command line).
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorReport {
    pub kind: String,
    pub code: Option<String>,
    pub phase: Phase,
    pub message: String,
}

impl From<&QueryError> for ErrorReport {
    fn from(e: &QueryError) -> Self {
        ErrorReport {
            kind: e.kind.to_string(),
            code: e.code.map(|c| c.to_string()),
            phase: e.phase,
            message: e.message.clone(),
        }
    }
}

/// Where the queries of a scenario run.
pub trait Backend {
    /// Runs setup statements (`having executed`, named graphs); `Err` when one fails. A
    /// backend may defer them to the next `execute`, which then reports their failure.
    fn setup(&mut self, text: &str) -> Result<(), String>;
    /// Sets `$name` to the value written `literal` in TCK notation.
    fn set_param(&mut self, name: &str, literal: &str) -> Result<(), String>;
    /// Runs the query under test, with the graph state before and after it.
    fn execute(&mut self, query: &str) -> Result<Executed, String>;
    /// Defines a procedure by its signature (TCK notation) and a table whose header names
    /// the inputs and outputs, with values in TCK notation.
    fn register_procedure(&mut self, signature: &str, table: &[Vec<String>]) -> Result<(), String>;
}

/// Runs queries on a `kg::Session` in this process.
#[derive(Default)]
pub struct InProcess {
    session: Session,
}

impl InProcess {
    /// A backend whose session skips the optimizer: every scenario must pass both ways.
    pub fn unoptimized() -> Self {
        let mut backend = Self::default();
        backend.session.set_optimizer(false);
        backend
    }

    /// Sets the flag to cancel the running statement (see `Session::cancel_handle`).
    pub fn cancel_handle(&self) -> Arc<AtomicBool> {
        self.session.cancel_handle()
    }
}

impl Backend for InProcess {
    fn setup(&mut self, text: &str) -> Result<(), String> {
        run_text(&mut self.session, text)
            .map(|_| ())
            .map_err(|e| describe_error(&ErrorReport::from(&e)))
    }

    fn set_param(&mut self, name: &str, literal: &str) -> Result<(), String> {
        let value = parse_value(literal).and_then(|v| v.to_value())?;
        self.session.set_param(name, value);
        Ok(())
    }

    fn execute(&mut self, query: &str) -> Result<Executed, String> {
        let before = GraphState::of(self.session.graph());
        let outcome = run_text(&mut self.session, query);
        let after = GraphState::of(self.session.graph());
        Ok(Executed {
            query: query.to_string(),
            outcome: outcome.map_err(|e| ErrorReport::from(&e)),
            before,
            after,
        })
    }

    fn register_procedure(&mut self, signature: &str, table: &[Vec<String>]) -> Result<(), String> {
        let signature = ProcedureSignature::parse(signature).map_err(|e| e.to_string())?;
        let rows = procedure_rows(&signature, table)?;
        self.session
            .register_procedure(signature, rows)
            .map_err(|e| e.to_string())
    }
}

/// The rows of a procedure table, reordered to the signature's inputs then outputs.
fn procedure_rows(
    signature: &ProcedureSignature,
    table: &[Vec<String>],
) -> Result<Vec<Vec<kg::Value>>, String> {
    let Some((header, rows)) = table.split_first() else {
        return Ok(Vec::new());
    };
    let columns = signature
        .inputs
        .iter()
        .chain(&signature.outputs)
        .map(|field| {
            header
                .iter()
                .position(|h| h == &field.name)
                .ok_or_else(|| format!("the procedure table has no column `{}`", field.name))
        })
        .collect::<Result<Vec<_>, _>>()?;
    rows.iter()
        .map(|row| {
            columns
                .iter()
                .map(|&i| {
                    let cell = row.get(i).ok_or_else(|| format!("short row {row:?}"))?;
                    parse_value(cell).and_then(|v| v.to_value())
                })
                .collect()
        })
        .collect()
}

/// Runs `steps` on `backend` (which should be fresh). `Err` says why the scenario failed.
pub fn run_scenario(
    backend: &mut dyn Backend,
    steps: &[Step],
    graphs_dir: &Path,
) -> Result<(), String> {
    let mut executed: Option<Executed> = None;
    for step in steps {
        run_step(backend, step, graphs_dir, &mut executed).map_err(|e| {
            format!(
                "step `{} {}` (line {}): {e}",
                step.keyword, step.text, step.line
            )
        })?;
    }
    Ok(())
}

fn run_step(
    backend: &mut dyn Backend,
    step: &Step,
    graphs_dir: &Path,
    executed: &mut Option<Executed>,
) -> Result<(), String> {
    let text = step.text.as_str();
    let doc = || {
        step.doc_string
            .as_deref()
            .ok_or_else(|| "the step needs a \"\"\" doc string".to_string())
    };
    let table = || {
        step.table
            .as_deref()
            .ok_or_else(|| "the step needs a table".to_string())
    };
    match text {
        // Every scenario starts from a fresh session, so both mean "nothing to do".
        "an empty graph" | "any graph" => Ok(()),
        "having executed:" | "after having executed:" => {
            let query = doc()?;
            backend
                .setup(query)
                .map_err(|e| format!("setup query failed: {e}\n{}", indent(query)))
        }
        "parameters are:" | "parameter values are:" => {
            for row in table()? {
                let [name, value] = row.as_slice() else {
                    return Err(format!("a parameter row needs two cells: {row:?}"));
                };
                backend
                    .set_param(name, value)
                    .map_err(|e| format!("parameter `{name}`: {e}"))?;
            }
            Ok(())
        }
        "executing query:" | "executing control query:" => {
            *executed = Some(backend.execute(doc()?)?);
            Ok(())
        }
        "the result should be empty" => {
            let result = query_result(executed)?;
            if result.rows.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "expected no rows, got:\n{}",
                    actual_table(result, &result.columns)
                ))
            }
        }
        "no side effects" => check_side_effects(executed, &[]),
        _ if text.starts_with("there exists a procedure ") => {
            let signature = text.trim_start_matches("there exists a procedure ");
            backend.register_procedure(signature, step.table.as_deref().unwrap_or_default())
        }
        "the side effects should be:" => check_side_effects(executed, table()?),
        _ => {
            if let Some(name) = text
                .strip_prefix("the ")
                .and_then(|t| t.strip_suffix(" graph"))
            {
                return load_named_graph(backend, graphs_dir, name);
            }
            if let Some(form) = text
                .strip_prefix("the result should be")
                .and_then(|t| t.strip_suffix(':'))
            {
                let (ordered, order) = result_form(form)
                    .ok_or_else(|| format!("unsupported step: {} {text}", step.keyword))?;
                return check_result(executed, table()?, ordered, order);
            }
            if let Some(expected) = parse_error_step(text) {
                return check_error(executed, &expected);
            }
            Err(format!("unsupported step: {} {text}", step.keyword))
        }
    }
}

/// `, in any order` / `, in order` / `` and the `(ignoring element order for lists)` marker,
/// in either position.
fn result_form(form: &str) -> Option<(bool, ListOrder)> {
    const IGNORING: &str = "(ignoring element order for lists)";
    let order = if form.contains(IGNORING) {
        ListOrder::Ignored
    } else {
        ListOrder::Exact
    };
    let rest = form.replace(IGNORING, "");
    match rest.trim() {
        ", in any order" | "" | "," => Some((false, order)),
        ", in order" => Some((true, order)),
        _ => None,
    }
}

fn load_named_graph(
    backend: &mut dyn Backend,
    graphs_dir: &Path,
    name: &str,
) -> Result<(), String> {
    let path = graphs_dir.join(name).join(format!("{name}.cypher"));
    let script = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read graph {}: {e}", path.display()))?;
    backend
        .setup(&script)
        .map_err(|e| format!("loading graph `{name}` failed: {e}"))
}

/// Runs a text; its last statement's result is what the TCK checks.
fn run_text(session: &mut Session, text: &str) -> Result<ResultSet, QueryError> {
    let mut results = session.run(text)?;
    results.pop().ok_or_else(|| {
        QueryError::new(
            ErrorKind::NotSupported,
            None,
            Phase::Compile,
            "the query text held no statement",
        )
    })
}

fn query_result(executed: &Option<Executed>) -> Result<&ResultSet, String> {
    let executed = executed
        .as_ref()
        .ok_or_else(|| "no query has been executed".to_string())?;
    executed.outcome.as_ref().map_err(|e| {
        format!(
            "the query failed: {}\nquery:\n{}",
            describe_error(e),
            indent(&executed.query)
        )
    })
}

fn check_result(
    executed: &Option<Executed>,
    table: &[Vec<String>],
    ordered: bool,
    order: ListOrder,
) -> Result<(), String> {
    let result = query_result(executed)?;
    let query = executed.as_ref().map_or("", |e| e.query.as_str());
    let Some((header, rows)) = table.split_first() else {
        return Err("the expected table has no header".into());
    };
    let expected: Vec<Vec<_>> = rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|cell| parse_value(cell))
                .collect::<Result<_, _>>()
        })
        .collect::<Result<_, _>>()
        .map_err(|e| format!("bad expected value: {e}"))?;
    let columns_ok = result.columns == *header;
    let row_eq = |e: &Vec<crate::values::Expected>, a: &Vec<kg::Value>| {
        e.len() == a.len() && e.iter().zip(a).all(|(e, a)| e.matches(a, result, order))
    };
    let rows_ok = if ordered {
        expected.len() == result.rows.len()
            && expected.iter().zip(&result.rows).all(|(e, a)| row_eq(e, a))
    } else {
        match_unordered(&expected, &result.rows, row_eq)
    };
    if columns_ok && rows_ok {
        return Ok(());
    }
    let mut msg = String::new();
    let _ = writeln!(
        msg,
        "{} ({})\nquery:\n{}",
        if columns_ok {
            "rows differ"
        } else {
            "columns differ"
        },
        if ordered { "in order" } else { "in any order" },
        indent(query)
    );
    let _ = writeln!(msg, "expected:");
    for row in table {
        let _ = writeln!(msg, "  | {} |", row.join(" | "));
    }
    let _ = write!(msg, "actual:\n{}", actual_table(result, &result.columns));
    Err(msg)
}

fn actual_table(result: &ResultSet, columns: &[String]) -> String {
    let mut out = format!("  | {} |\n", columns.join(" | "));
    for row in &result.rows {
        let _ = writeln!(out, "  | {} |", render_row(row, result).join(" | "));
    }
    out
}

/// `a TypeError should be raised at runtime: InvalidArgumentType`.
#[derive(Debug, PartialEq)]
struct ExpectedError {
    kind: String,
    phase: Option<Phase>,
    /// `None` for `*` (any detail).
    code: Option<String>,
}

fn parse_error_step(text: &str) -> Option<ExpectedError> {
    let rest = text
        .strip_prefix("a ")
        .or_else(|| text.strip_prefix("an "))?;
    let (kind, rest) = rest.split_once(" should be raised at ")?;
    let (phase, code) = rest.split_once(": ")?;
    let phase = match phase {
        "compile time" => Some(Phase::Compile),
        "runtime" => Some(Phase::Runtime),
        "any time" => None,
        _ => return None,
    };
    let code = code.trim();
    Some(ExpectedError {
        kind: kind.to_string(),
        phase,
        code: (code != "*").then(|| code.to_string()),
    })
}

fn check_error(executed: &Option<Executed>, expected: &ExpectedError) -> Result<(), String> {
    let executed = executed
        .as_ref()
        .ok_or_else(|| "no query has been executed".to_string())?;
    let err = match &executed.outcome {
        Ok(result) => {
            return Err(format!(
                "expected {}, but the query succeeded\nquery:\n{}actual:\n{}",
                describe_expected(expected),
                indent(&executed.query),
                actual_table(result, &result.columns)
            ));
        }
        Err(err) => err,
    };
    let kind_ok = err.kind != ErrorKind::NotSupported.to_string() && err.kind == expected.kind;
    let code_ok = expected
        .code
        .as_ref()
        .is_none_or(|c| err.code.as_ref() == Some(c));
    let phase_ok = expected.phase.is_none_or(|p| p == err.phase);
    if kind_ok && code_ok && phase_ok {
        // The TCK: "for negative tests, it is implied that the graph suffers no side effects".
        let changes = executed.before.diff(&executed.after);
        if changes.values().any(|n| *n > 0) {
            return Err(format!(
                "the expected error was raised, but the graph changed: [{}]\nquery:\n{}",
                show_side_effects(&changes),
                indent(&executed.query)
            ));
        }
        Ok(())
    } else {
        Err(format!(
            "expected {}, got {}\nquery:\n{}",
            describe_expected(expected),
            describe_error(err),
            indent(&executed.query)
        ))
    }
}

fn describe_expected(e: &ExpectedError) -> String {
    let phase = match e.phase {
        Some(Phase::Compile) => "compile time",
        Some(Phase::Runtime) => "runtime",
        None => "any time",
    };
    format!(
        "{} at {phase}: {}",
        e.kind,
        e.code.as_deref().unwrap_or("*")
    )
}

fn describe_error(e: &ErrorReport) -> String {
    let code = e.code.as_deref().unwrap_or("-");
    format!("{} at {}: {code} ({})", e.kind, e.phase, e.message)
}

const SIDE_EFFECTS: [&str; 8] = [
    "+nodes",
    "-nodes",
    "+relationships",
    "-relationships",
    "+properties",
    "-properties",
    "+labels",
    "-labels",
];

fn check_side_effects(executed: &Option<Executed>, table: &[Vec<String>]) -> Result<(), String> {
    let executed = executed
        .as_ref()
        .ok_or_else(|| "no query has been executed".to_string())?;
    let mut expected: BTreeMap<&str, usize> = SIDE_EFFECTS.iter().map(|k| (*k, 0)).collect();
    for row in table {
        let [name, count] = row.as_slice() else {
            return Err(format!("a side-effect row needs two cells: {row:?}"));
        };
        let slot = expected
            .get_mut(name.as_str())
            .ok_or_else(|| format!("unknown side effect `{name}`"))?;
        *slot = count
            .parse()
            .map_err(|_| format!("bad side-effect count `{count}`"))?;
    }
    let actual = executed.before.diff(&executed.after);
    if actual.iter().all(|(k, n)| expected.get(k) == Some(n)) {
        return Ok(());
    }
    let outcome = match &executed.outcome {
        Ok(_) => String::new(),
        Err(e) => format!(" (the query failed: {})", describe_error(e)),
    };
    Err(format!(
        "side effects differ{outcome}: expected [{}], actual [{}]\nquery:\n{}",
        show_side_effects(&expected),
        show_side_effects(&actual),
        indent(&executed.query)
    ))
}

/// `+nodes 1, -labels 2`: the non-zero counts in TCK order.
fn show_side_effects(counts: &BTreeMap<&str, usize>) -> String {
    SIDE_EFFECTS
        .iter()
        .filter_map(|k| {
            counts
                .get(k)
                .filter(|n| **n > 0)
                .map(|n| format!("{k} {n}"))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}

/// Tests of this module, run by the harness as trials.
pub mod self_tests {
    use super::*;

    /// (name, test) pairs; tests/tck.rs runs them as trials, since harness = false
    /// test targets do not run `#[test]` functions.
    pub const ALL: &[(&str, fn())] = &[
        ("reads_error_steps", reads_error_steps),
        ("reads_result_forms", reads_result_forms),
        (
            "side_effects_follow_the_tck_definition",
            side_effects_follow_the_tck_definition,
        ),
        ("unknown_steps_fail", unknown_steps_fail),
    ];

    fn reads_error_steps() {
        assert_eq!(
            parse_error_step("a SyntaxError should be raised at compile time: UndefinedVariable"),
            Some(ExpectedError {
                kind: "SyntaxError".into(),
                phase: Some(Phase::Compile),
                code: Some("UndefinedVariable".into()),
            })
        );
        assert_eq!(
            parse_error_step("a TypeError should be raised at any time: *"),
            Some(ExpectedError {
                kind: "TypeError".into(),
                phase: None,
                code: None,
            })
        );
        assert_eq!(
            parse_error_step("a TypeError should be raised at noon: X"),
            None
        );
    }

    fn reads_result_forms() {
        assert_eq!(
            result_form(", in any order"),
            Some((false, ListOrder::Exact))
        );
        assert_eq!(result_form(", in order"), Some((true, ListOrder::Exact)));
        assert_eq!(
            result_form(" (ignoring element order for lists)"),
            Some((false, ListOrder::Ignored))
        );
        assert_eq!(
            result_form(", in order (ignoring element order for lists)"),
            Some((true, ListOrder::Ignored))
        );
        assert_eq!(result_form(", sideways"), None);
    }

    fn side_effects_follow_the_tck_definition() {
        let mut graph = Graph::new();
        let a = graph.create_node(["A"], [("num".to_string(), kg::Value::Int(1))]);
        let before = GraphState::of(&graph);
        // Changing a value is one removal and one addition; a second node with a known
        // label adds no label.
        graph.set_node_property(a, "num", kg::Value::Int(2));
        graph.create_node(["A"], Vec::new());
        let after = GraphState::of(&graph);
        let diff = before.diff(&after);
        assert_eq!(diff["+nodes"], 1);
        assert_eq!(diff["+properties"], 1);
        assert_eq!(diff["-properties"], 1);
        assert_eq!(diff["+labels"], 0);
        assert_eq!(diff["-nodes"], 0);
    }

    fn unknown_steps_fail() {
        let mut backend = InProcess::default();
        let step = Step {
            keyword: "And".into(),
            text: "there exists a teleporter".into(),
            line: 3,
            doc_string: None,
            table: None,
        };
        let err = run_scenario(&mut backend, &[step], Path::new(".")).expect_err("unsupported");
        assert!(err.contains("unsupported step"), "{err}");
    }
}
