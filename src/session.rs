//! `Session`: a graph plus query parameters; `run` drives the whole pipeline for each
//! statement of a text. It prints nothing: callers format the `ResultSet`s.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crate::ast::{Statement, StatementMode};
use crate::error::{ErrorCode, ErrorKind, QueryError, Result};
use crate::graph::Graph;
use crate::limits::{self, Limits};
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
    /// Memory budget and time limit of each statement.
    limits: Limits,
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

    /// The limits each statement runs under (by default half the machine's memory, no
    /// timeout).
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Sets the limits of the following statements. Past its memory budget a statement
    /// fails with `MemoryLimitExceeded`, past its time limit with `Timeout`; either way
    /// its changes are undone. The memory budget needs `limits::CountingAlloc` as the
    /// global allocator (the `kg` binary has it).
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// Runs `text` like `run`, under `limits` instead of the session's (e.g. a server's
    /// per-query setting).
    ///
    /// ```
    /// let mut session = kg::Session::new();
    /// let limits = kg::Limits { timeout: Some(std::time::Duration::from_secs(5)), ..kg::Limits::default() };
    /// assert!(session.run_with_limits("RETURN 1", limits).is_ok());
    /// ```
    pub fn run_with_limits(&mut self, text: &str, limits: Limits) -> Result<Vec<ResultSet>> {
        let saved = std::mem::replace(&mut self.limits, limits);
        let results = self.run(text);
        self.limits = saved;
        results
    }

    /// Parses and runs every `;`-separated statement of `text`, stopping at the first error.
    ///
    /// ```
    /// let mut session = kg::Session::new();
    /// let results = session.run("CREATE (:Person {name: 'Ann'}); MATCH (p:Person) RETURN p.name AS name").unwrap();
    /// assert_eq!(results[1].rows, vec![vec![kg::Value::from("Ann")]]);
    /// ```
    pub fn run(&mut self, text: &str) -> Result<Vec<ResultSet>> {
        on_big_stack(|| {
            let statements = parser::parse(text)?;
            statements
                .iter()
                .map(|statement| self.run_statement_here(statement))
                .collect()
        })
    }

    /// Runs one parsed statement. A failing statement leaves the graph as it was.
    pub fn run_statement(&mut self, statement: &Statement) -> Result<ResultSet> {
        on_big_stack(|| self.run_statement_here(statement))
    }

    /// `run_statement` on the current thread's stack.
    fn run_statement_here(&mut self, statement: &Statement) -> Result<ResultSet> {
        let started = Instant::now();
        self.cancel.store(false, Ordering::SeqCst);
        let _limits = limits::enter(self.limits);
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

/// Stack for compiling and running statements. Planning and execution recurse once per
/// clause and matched pattern node, and binding and evaluation once per expression level;
/// the parser caps both (`parser::MAX_CHAIN`, 2,000, and 256 expression levels), and this
/// stack holds the deepest statement it accepts even in a debug build, whose frames are
/// several times larger. Only the pages touched are ever committed.
const STATEMENT_STACK: usize = 256 << 20;

/// Runs `f` on a thread with `STATEMENT_STACK` bytes of stack, so no statement the parser
/// accepts overflows the caller's (a test thread has 2 MB, the main thread 8 MB). A panic
/// in `f` resumes in the caller.
fn on_big_stack<T: Send>(f: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("kg-statement".into())
            .stack_size(STATEMENT_STACK)
            .spawn_scoped(scope, f);
        match worker {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            // The address space or thread limit of the process is reached.
            Err(error) => Err(QueryError::new(
                ErrorKind::MemoryLimitExceeded,
                None,
                crate::error::Phase::Runtime,
                format!("could not start a thread to run the statement on: {error}"),
            )),
        }
    })
}
