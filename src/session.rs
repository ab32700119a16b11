//! `Session`: a graph plus query parameters; `run` drives the whole pipeline for each
//! statement of a text. It prints nothing: callers format the `ResultSet`s.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crate::ast::{Statement, StatementMode};
use crate::error::{ErrorCode, ErrorKind, QueryError, Result};
use crate::graph::Graph;
use crate::procedure::{DefinitionError, Procedure, ProcedureSignature, Procedures};
use crate::result::ResultSet;
use crate::value::{Params, Value};
use crate::{exec, parser, plan, semantic};

/// A graph with its parameters, ready to answer queries.
#[derive(Debug, Default)]
pub struct Session {
    graph: Graph,
    params: Params,
    /// What CALL can run: the built-ins plus any registered procedures.
    procedures: Procedures,
    cancel: Arc<AtomicBool>,
}

impl Session {
    /// A session over an empty graph.
    pub fn new() -> Self {
        Self::default()
    }

    /// A session over `graph`.
    pub fn with_graph(graph: Graph) -> Self {
        Session {
            graph,
            ..Self::default()
        }
    }

    /// The graph queries run against.
    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    /// Mutable access, e.g. for loaders.
    pub fn graph_mut(&mut self) -> &mut Graph {
        &mut self.graph
    }

    /// Replaces the graph (e.g. after `:load`).
    pub fn set_graph(&mut self, graph: Graph) {
        self.graph = graph;
    }

    /// The current `$parameters`.
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// Sets `$name` for the following statements.
    pub fn set_param(&mut self, name: impl Into<String>, value: Value) {
        self.params.insert(name.into(), value);
    }

    /// Forgets every parameter.
    pub fn clear_params(&mut self) {
        self.params.clear();
    }

    /// The procedures `CALL` can run.
    pub fn procedures(&self) -> &Procedures {
        &self.procedures
    }

    /// Makes a procedure defined by a table callable, replacing one of the same name: each
    /// row holds the input values then the output values, in signature order, and a call
    /// yields the outputs of the rows whose inputs equal its arguments. `Err` says why the
    /// table does not fit the signature.
    ///
    /// ```
    /// use kg::procedure::ProcedureSignature;
    /// let mut session = kg::Session::new();
    /// let signature = ProcedureSignature::parse("my.double(x :: INTEGER?) :: (y :: INTEGER?)").unwrap();
    /// let rows = vec![vec![kg::Value::Int(2), kg::Value::Int(4)]];
    /// session.register_procedure(signature, rows).unwrap();
    /// let results = session.run("CALL my.double(2) YIELD y RETURN y").unwrap();
    /// assert_eq!(results[0].rows, vec![vec![kg::Value::Int(4)]]);
    /// ```
    pub fn register_procedure(
        &mut self,
        signature: ProcedureSignature,
        rows: Vec<Vec<Value>>,
    ) -> std::result::Result<(), DefinitionError> {
        self.procedures
            .register(Procedure::from_table(signature, rows)?);
        Ok(())
    }

    /// Makes `procedure` (computed by code) callable, replacing one of the same name.
    pub fn add_procedure(&mut self, procedure: Procedure) {
        self.procedures.register(procedure);
    }

    /// A flag that, once set from another thread (e.g. a Ctrl-C handler), makes the
    /// running statement stop with `ErrorKind::Cancelled`. `run` clears it on entry.
    pub fn cancel_handle(&self) -> Arc<AtomicBool> {
        self.cancel.clone()
    }

    /// Parses and runs every `;`-separated statement of `text`, stopping at the first error.
    ///
    /// ```
    /// let mut session = kg::Session::new();
    /// let results = session.run("CREATE (:Person {name: 'Ann'}); MATCH (p:Person) RETURN p.name AS name").unwrap();
    /// assert_eq!(results[1].rows, vec![vec![kg::Value::from("Ann")]]);
    /// ```
    pub fn run(&mut self, text: &str) -> Result<Vec<ResultSet>> {
        let statements = parser::parse(text)?;
        statements
            .iter()
            .map(|statement| self.run_statement(statement))
            .collect()
    }

    /// Runs one parsed statement. A failing statement leaves the graph as it was.
    pub fn run_statement(&mut self, statement: &Statement) -> Result<ResultSet> {
        let started = Instant::now();
        self.cancel.store(false, Ordering::SeqCst);
        let bound = semantic::bind(statement, &self.params, &self.procedures)?;
        let stats = plan::GraphStats::of(&self.graph);
        let plan = plan::optimize(plan::build(&bound, stats)?);
        if let Some((name, span)) = plan.root.missing_parameter(&self.params) {
            return Err(QueryError::compile(
                ErrorKind::ParameterMissing,
                ErrorCode::MissingParameter,
                format!("parameter `${name}` has no value (set it with `:param {name} => ...`)"),
            )
            .with_span(span));
        }
        let mut result = match statement.mode {
            StatementMode::Explain => plan::explain_result(&plan),
            StatementMode::Run | StatementMode::Profile => {
                // Writes are applied in place; `exec` undoes every change of a failed (or
                // cancelled) statement from its undo log, so none is ever half-applied.
                let ctx = exec::Context {
                    params: &self.params,
                    cancel: &self.cancel,
                    profile: statement.mode == StatementMode::Profile,
                };
                exec::execute(&plan, &mut self.graph, &ctx)?
            }
        };
        result.time_ms = started.elapsed().as_secs_f64() * 1000.0;
        Ok(result)
    }
}
