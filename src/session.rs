//! `Session`: a graph plus query parameters; `run` drives the whole pipeline for each
//! statement of a text. It prints nothing: callers format the `ResultSet`s.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crate::ast::schema::SchemaCommand;
use crate::ast::{Statement, StatementMode};
use crate::error::{ErrorKind, QueryError, Result};
use crate::graph::Graph;
use crate::limits::{self, Limits};
use crate::procedure::{DefinitionError, Procedure, ProcedureSignature, Procedures};
use crate::result::ResultSet;
use crate::value::{Params, Value};
use crate::{exec, parser, plan, schema_commands, semantic};

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
    /// A budget its statements share with other sessions' (a server's), if any.
    shared_budget: Option<Arc<limits::SharedBudget>>,
    /// The explicit transaction opened by `begin`, if any.
    transaction: Option<Transaction>,
    /// Skip `plan::optimize` (tests compare results with and without it).
    unoptimized: bool,
    /// Where committed changes are made durable (a database on disk), if anywhere.
    durability: Option<Box<dyn Durability>>,
}

/// Where a session's committed transactions are kept (e.g. `kg::db::Database`, a
/// write-ahead log). `Session` calls `commit` when a transaction ends (each statement
/// outside `begin`, or `commit`), before its result is reported.
pub trait Durability: std::fmt::Debug + Send + Sync {
    /// Keeps the transaction whose inverses are `undo`; `graph` holds its changes. An
    /// error means nothing of it was kept, and the session undoes it in memory.
    fn commit(&mut self, graph: &Graph, undo: &exec::UndoLog) -> Result<()>;

    /// Writes the whole of `graph`, which holds exactly the committed transactions.
    fn checkpoint(&mut self, graph: &Graph) -> Result<()>;

    /// Whether commits were kept since the last checkpoint (so one would not be idle).
    fn pending(&self) -> bool {
        true
    }
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

    /// Makes every later commit durable through `durability`.
    pub fn set_durability(&mut self, durability: Box<dyn Durability>) {
        self.durability = Some(durability);
    }

    /// Whether commits are kept somewhere (`set_durability`).
    pub fn is_durable(&self) -> bool {
        self.durability.is_some()
    }

    /// Whether commits were kept since the last checkpoint.
    pub fn checkpoint_pending(&self) -> bool {
        self.durability.as_ref().is_some_and(|d| d.pending())
    }

    /// Replaces the graph (e.g. after `:load`) and, when commits are kept, writes it as a
    /// checkpoint; if that fails the old graph stays. Refused inside a transaction.
    pub fn replace_graph(&mut self, graph: Graph) -> Result<()> {
        if self.transaction.is_some() {
            return Err(QueryError::transaction(
                "a transaction is open (`:commit` or `:rollback` it before replacing the graph)",
            ));
        }
        let old = std::mem::replace(&mut self.graph, graph);
        if let Some(durability) = &mut self.durability
            && let Err(err) = durability.checkpoint(&self.graph)
        {
            self.graph = old;
            return Err(err);
        }
        Ok(())
    }

    /// Writes a checkpoint of the graph; `Ok(false)` when there is nowhere to write it.
    /// Refused inside a transaction, whose changes are not committed.
    pub fn checkpoint(&mut self) -> Result<bool> {
        if self.transaction.is_some() {
            return Err(QueryError::transaction(
                "a transaction is open (`:commit` or `:rollback` it before a checkpoint)",
            ));
        }
        match &mut self.durability {
            Some(durability) => durability.checkpoint(&self.graph).map(|()| true),
            None => Ok(false),
        }
    }

    /// Makes `undo`'s transaction durable, or undoes it in memory if that fails.
    fn make_durable(&mut self, undo: exec::UndoLog) -> Result<()> {
        let Some(durability) = &mut self.durability else {
            return Ok(());
        };
        if undo.is_empty() {
            return Ok(());
        }
        let kept = durability.commit(&self.graph, &undo);
        if kept.is_err() {
            undo.roll_back(&mut self.graph);
        }
        kept
    }

    /// Whether an explicit transaction is open.
    pub fn in_transaction(&self) -> bool {
        self.transaction.is_some()
    }

    /// Keeps every change of the open transaction and closes it.
    pub fn commit(&mut self) -> Result<TransactionSummary> {
        let transaction = self.take_transaction("commit")?;
        let summary = TransactionSummary {
            statements: transaction.statements,
            changed: !transaction.undo.is_empty(),
        };
        self.make_durable(transaction.undo)?;
        Ok(summary)
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

    /// Makes every following statement also count its memory against `budget`, which
    /// other sessions may share (a server's limit for all its queries together); past it
    /// a statement fails with `MemoryLimitExceeded` and its changes are undone.
    pub fn set_shared_budget(&mut self, budget: Option<Arc<limits::SharedBudget>>) {
        self.shared_budget = budget;
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

    /// Turns the optimizer on (the default) or off; results must not depend on it.
    pub fn set_optimizer(&mut self, on: bool) {
        self.unoptimized = !on;
    }

    /// Every compile-time check of `text` (and the planner's NotSupported), nothing run:
    /// what `kg --check` reports. Returns
    /// the number of statements.
    pub fn check(&self, text: &str) -> Result<usize> {
        let statements = parser::parse(text)?;
        // Schema commands have nothing to bind or plan.
        for statement in statements.iter().filter(|s| s.schema.is_none()) {
            self.prepare(statement)?;
        }
        Ok(statements.len())
    }

    /// The compile side of the pipeline for one statement: bind (every compile-time error,
    /// missing parameters included), plan, optimize.
    fn prepare(&self, statement: &Statement) -> Result<plan::Plan> {
        self.plan_statement(statement, &self.graph)
    }

    /// Runs one parsed statement. A failing statement leaves the graph as it was.
    pub fn run_statement(&mut self, statement: &Statement) -> Result<ResultSet> {
        on_big_stack(|| self.run_statement_here(statement))
    }

    /// `run_statement` on the current thread's stack.
    fn run_statement_here(&mut self, statement: &Statement) -> Result<ResultSet> {
        let started = Instant::now();
        self.cancel.store(false, Ordering::SeqCst);
        let _limits = limits::enter_shared(self.limits, self.shared_budget.clone());
        if let Some(command) = &statement.schema {
            let mut result = self.run_schema_command(command)?;
            result.time_ms = started.elapsed().as_secs_f64() * 1000.0;
            return Ok(result);
        }
        let plan = self.plan_statement(statement, &self.graph)?;
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
                if undo.changes_data()
                    && let Some(transaction) = &self.transaction
                    && transaction.undo.changes_schema()
                {
                    undo.roll_back(&mut self.graph);
                    return Err(schema_and_data());
                }
                match &mut self.transaction {
                    Some(transaction) => transaction.undo.append(undo),
                    None => self.make_durable(undo)?,
                }
                result
            }
        };
        result.time_ms = started.elapsed().as_secs_f64() * 1000.0;
        Ok(result)
    }

    /// Runs a schema command: changes the indexes and constraints (durably, or as part of
    /// the open transaction) or lists them.
    fn run_schema_command(&mut self, command: &SchemaCommand) -> Result<ResultSet> {
        let shows = matches!(
            command,
            SchemaCommand::ShowIndexes { .. } | SchemaCommand::ShowConstraints { .. }
        );
        if let Some(transaction) = &self.transaction
            && !shows
            && transaction.undo.changes_data()
        {
            return Err(schema_and_data());
        }
        let outcome = schema_commands::apply(&mut self.graph, command);
        if let Some(transaction) = &mut self.transaction {
            transaction.statements += 1;
        }
        match outcome? {
            schema_commands::Outcome::Unchanged => Ok(ResultSet::default()),
            schema_commands::Outcome::Changed(before) => {
                let undo = exec::UndoLog::schema_change(before);
                match &mut self.transaction {
                    Some(transaction) => transaction.undo.append(undo),
                    None => self.make_durable(undo)?,
                }
                Ok(ResultSet::default())
            }
            schema_commands::Outcome::Show { query, rows } => {
                let mut params = self.params.clone();
                params.insert(schema_commands::PARAMETER.to_string(), rows);
                // The filter was written elsewhere in the text: its positions do not apply.
                let unplaced = |mut error: QueryError| {
                    error.span = None;
                    error
                };
                let statements = parser::parse(&query).map_err(unplaced)?;
                let mut results = Vec::new();
                for statement in &statements {
                    let bound =
                        semantic::bind(statement, &params, &self.procedures).map_err(unplaced)?;
                    let plan =
                        plan::optimize(plan::build(&bound, plan::GraphStats::of(&self.graph))?);
                    let ctx = exec::Context {
                        params: &params,
                        cancel: &self.cancel,
                        profile: false,
                    };
                    results.push(exec::execute_read(&plan, &self.graph, &ctx).map_err(unplaced)?);
                }
                Ok(results.pop().unwrap_or_default())
            }
        }
    }

    /// Binds and plans `statement` against `graph`'s statistics.
    fn plan_statement(&self, statement: &Statement, graph: &Graph) -> Result<plan::Plan> {
        let bound = semantic::bind(statement, &self.params, &self.procedures)?;
        let mut plan = plan::build(&bound, plan::GraphStats::of(graph))?;
        if !self.unoptimized {
            plan = plan::optimize(plan);
        }
        Ok(plan)
    }

    /// Runs `statement` over `graph`, a graph other readers may share, when the statement
    /// only reads; `Ok(None)` when its plan writes (then run it with `run_statement` on a
    /// graph held alone). The session's own graph is not used; servers keep theirs apart.
    pub fn run_read_statement(
        &self,
        statement: &Statement,
        graph: &Graph,
    ) -> Result<Option<ResultSet>> {
        on_big_stack(|| self.run_read_statement_here(statement, graph))
    }

    /// `run_read_statement` on the current thread's stack, under the session's limits.
    fn run_read_statement_here(
        &self,
        statement: &Statement,
        graph: &Graph,
    ) -> Result<Option<ResultSet>> {
        let started = Instant::now();
        self.cancel.store(false, Ordering::SeqCst);
        let _limits = limits::enter_shared(self.limits, self.shared_budget.clone());
        // Schema commands change the graph's schema, or read it from the session's graph.
        if statement.schema.is_some() {
            return Ok(None);
        }
        let plan = self.plan_statement(statement, graph)?;
        if plan.writes() {
            return Ok(None);
        }
        let mut result = match statement.mode {
            StatementMode::Explain => plan::explain_result(&plan),
            StatementMode::Run | StatementMode::Profile => exec::execute_read(
                &plan,
                graph,
                &exec::Context {
                    params: &self.params,
                    cancel: &self.cancel,
                    profile: statement.mode == StatementMode::Profile,
                },
            )?,
        };
        result.time_ms = started.elapsed().as_secs_f64() * 1000.0;
        Ok(Some(result))
    }
}

/// Neo4j keeps schema and data changes in separate transactions.
fn schema_and_data() -> QueryError {
    QueryError::schema(
        crate::error::ErrorCode::SchemaAndDataInTransaction,
        "schema commands and data changes cannot be mixed in one transaction \
         (`:commit` the one before the other)",
    )
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
