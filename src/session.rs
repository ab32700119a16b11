//! `Session`: a graph plus query parameters; `run` drives the whole pipeline for each
//! statement of a text. It prints nothing: callers format the `ResultSet`s.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crate::ast::{Statement, StatementMode};
use crate::error::{QueryError, Result};
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
    /// The explicit transaction opened by `begin`, if any.
    transaction: Option<Transaction>,
    /// Skip `plan::optimize` (tests compare results with and without it).
    unoptimized: bool,
}

/// An explicit transaction: what its statements changed, so far, as inverses.
#[derive(Debug, Default)]
struct Transaction {
    undo: exec::UndoLog,
    statements: usize,
}

/// What a `commit` or `rollback` ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransactionSummary {
    /// Statements run inside the transaction (successful or not).
    pub statements: usize,
    /// Whether any statement changed the graph.
    pub changed: bool,
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

    /// Opens an explicit transaction: the following statements' changes are kept until
    /// `commit`, and `rollback` undoes all of them. Without one, every statement is its own
    /// transaction. A statement that fails inside a transaction is undone by itself; the
    /// transaction stays open.
    ///
    /// ```
    /// let mut session = kg::Session::new();
    /// session.begin().unwrap();
    /// session.run("CREATE (:T)").unwrap();
    /// session.rollback().unwrap();
    /// assert_eq!(session.graph().node_count(), 0);
    /// ```
    pub fn begin(&mut self) -> Result<()> {
        if self.transaction.is_some() {
            return Err(QueryError::transaction(
                "a transaction is already open (`:commit` or `:rollback` it first)",
            ));
        }
        self.transaction = Some(Transaction::default());
        Ok(())
    }

    /// Whether an explicit transaction is open.
    pub fn in_transaction(&self) -> bool {
        self.transaction.is_some()
    }

    /// Keeps every change of the open transaction and closes it.
    pub fn commit(&mut self) -> Result<TransactionSummary> {
        let transaction = self.take_transaction("commit")?;
        Ok(TransactionSummary {
            statements: transaction.statements,
            changed: !transaction.undo.is_empty(),
        })
    }

    /// Undoes every change of the open transaction and closes it.
    pub fn rollback(&mut self) -> Result<TransactionSummary> {
        let transaction = self.take_transaction("roll back")?;
        let summary = TransactionSummary {
            statements: transaction.statements,
            changed: !transaction.undo.is_empty(),
        };
        transaction.undo.roll_back(&mut self.graph);
        Ok(summary)
    }

    fn take_transaction(&mut self, verb: &str) -> Result<Transaction> {
        self.transaction.take().ok_or_else(|| {
            QueryError::transaction(format!(
                "there is no open transaction to {verb} (`:begin` opens one)"
            ))
        })
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

    /// Turns the optimizer on (the default) or off; results must not depend on it.
    pub fn set_optimizer(&mut self, on: bool) {
        self.unoptimized = !on;
    }

    /// Every compile-time check of `text` (and the planner's NotSupported), nothing run:
    /// what `kg --check` reports. Returns
    /// the number of statements.
    pub fn check(&self, text: &str) -> Result<usize> {
        let statements = parser::parse(text)?;
        for statement in &statements {
            self.prepare(statement)?;
        }
        Ok(statements.len())
    }

    /// The compile side of the pipeline for one statement: bind (every compile-time error,
    /// missing parameters included), plan, optimize.
    fn prepare(&self, statement: &Statement) -> Result<plan::Plan> {
        let bound = semantic::bind(statement, &self.params, &self.procedures)?;
        let stats = plan::GraphStats::of(&self.graph);
        let mut plan = plan::build(&bound, stats)?;
        if !self.unoptimized {
            plan = plan::optimize(plan);
        }
        Ok(plan)
    }

    /// Runs one parsed statement. A failing statement leaves the graph as it was.
    pub fn run_statement(&mut self, statement: &Statement) -> Result<ResultSet> {
        let started = Instant::now();
        self.cancel.store(false, Ordering::SeqCst);
        let plan = self.prepare(statement)?;
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
                let outcome = exec::execute_logged(&plan, &mut self.graph, &ctx);
                if let Some(transaction) = &mut self.transaction {
                    transaction.statements += 1;
                }
                let (result, undo) = outcome?;
                if let Some(transaction) = &mut self.transaction {
                    transaction.undo.append(undo);
                }
                result
            }
        };
        result.time_ms = started.elapsed().as_secs_f64() * 1000.0;
        Ok(result)
    }
}
