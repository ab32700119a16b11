//! The library's query error: what went wrong, its openCypher TCK classification, and where.
//! Loading data files has its own error type in `load`; this one is for statements.

use std::fmt;

/// A byte range in the text of a statement or script.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// 1-based line and column (in characters) of the span's start within `source`.
    pub fn line_col(&self, source: &str) -> (usize, usize) {
        line_col_at(source, self.start)
    }
}

/// 1-based line and column (in characters) of byte offset `offset` within `source`.
pub fn line_col_at(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = source.get(..offset).unwrap_or(source);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Error classes, spelled exactly as the openCypher TCK names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The text is not valid Cypher, or names something undefined (the TCK files UndefinedVariable here).
    SyntaxError,
    /// The statement is well formed but meaningless, e.g. an aggregation in the wrong place.
    SemanticError,
    /// A value of the wrong type reached an operator or function.
    TypeError,
    /// An argument has the right type but an unacceptable value.
    ArgumentError,
    /// A deleted or unknown entity was accessed.
    EntityNotFound,
    /// A write would break a graph constraint, e.g. deleting a node that still has relationships.
    ConstraintVerificationFailed,
    /// A `$parameter` was used without a value.
    ParameterMissing,
    /// Arithmetic failed, e.g. integer overflow or division by zero.
    ArithmeticError,
    /// A procedure named in CALL does not exist.
    ProcedureError,
    /// The query was cancelled (Ctrl-C) before it finished.
    Cancelled,
    /// A transaction command out of place: `:begin` inside a transaction, `:commit` or
    /// `:rollback` outside one.
    TransactionError,
    /// The statement needed more memory than its budget (`--max-memory`, `:set max_memory`).
    MemoryLimitExceeded,
    /// The statement ran longer than its time limit (`--timeout`, `:set timeout`).
    Timeout,
    /// A feature kg does not implement yet.
    NotSupported,
    /// A schema command failed: an equivalent index exists, a dropped one does not, a
    /// new constraint does not hold for the data, ... (the code says which).
    SchemaError,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// Detail codes, spelled exactly as the openCypher TCK names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    UndefinedVariable,
    VariableAlreadyBound,
    VariableTypeConflict,
    InvalidAggregation,
    NestedAggregation,
    AmbiguousAggregationExpression,
    NonConstantExpression,
    NoExpressionAlias,
    NoVariablesInScope,
    ColumnNameConflict,
    DifferentColumnsInUnion,
    InvalidClauseComposition,
    InvalidArgumentType,
    InvalidArgumentValue,
    InvalidArgumentExpression,
    InvalidNumberLiteral,
    InvalidNumberOfArguments,
    InvalidUnicodeLiteral,
    InvalidUnicodeCharacter,
    InvalidParameterUse,
    InvalidPropertyType,
    InvalidRelationshipPattern,
    InvalidDelete,
    RequiresDirectedRelationship,
    CreatingVarLength,
    NoSingleRelationshipType,
    RelationshipUniquenessViolation,
    UnknownFunction,
    IntegerOverflow,
    FloatingPointOverflow,
    NegativeIntegerArgument,
    NumberOutOfRange,
    DeleteConnectedNode,
    DeletedEntityAccess,
    MergeReadOwnWrites,
    MapElementAccessByNonString,
    ListElementAccessByNonInteger,
    PropertyAccessOnNonMap,
    InvalidElementAccess,
    MissingParameter,
    UnexpectedSyntax,
    InvalidDeleteTarget,
    UndefinedLabel,
    UndefinedRelationshipType,
    UndefinedProperty,
    ProcedureNotFound,
    /// `CALL proc` without an argument list inside a larger query.
    InvalidArgumentPassingMode,
    NotSupported,
    /// An index or constraint covering the same things exists already.
    EquivalentSchemaRuleAlreadyExists,
    /// An index of that name exists already.
    IndexAlreadyExists,
    /// A constraint of that name exists already.
    ConstraintAlreadyExists,
    /// `DROP INDEX` of a name no index has.
    IndexNotFound,
    /// `DROP CONSTRAINT` of a name no constraint has.
    ConstraintNotFound,
    /// `DROP INDEX` of the index a constraint owns.
    IndexBelongsToConstraint,
    /// The data breaks a constraint being created.
    ConstraintCreationFailed,
    /// A write would break a uniqueness or existence constraint.
    ConstraintValidationFailed,
    /// Schema and data changes in one transaction.
    SchemaAndDataInTransaction,
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// When an error was raised: before anything ran, or while running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    Compile,
    Runtime,
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Phase::Compile => "compile",
            Phase::Runtime => "runtime",
        })
    }
}

/// An error raised while compiling or running a statement.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct QueryError {
    pub kind: ErrorKind,
    pub code: Option<ErrorCode>,
    pub phase: Phase,
    pub message: String,
    /// Byte range in the statement text (or the whole script, once `Session` has shifted it).
    pub span: Option<Span>,
}

/// Results of the library's query pipeline.
pub type Result<T, E = QueryError> = std::result::Result<T, E>;

impl QueryError {
    pub fn new(
        kind: ErrorKind,
        code: Option<ErrorCode>,
        phase: Phase,
        message: impl Into<String>,
    ) -> Self {
        QueryError {
            kind,
            code,
            phase,
            message: message.into(),
            span: None,
        }
    }

    /// A compile-time error of `kind`/`code`.
    pub fn compile(kind: ErrorKind, code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(kind, Some(code), Phase::Compile, message)
    }

    /// A runtime error of `kind`/`code`.
    pub fn runtime(kind: ErrorKind, code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(kind, Some(code), Phase::Runtime, message)
    }

    pub fn with_span(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    /// Attach `span` only if the error has none yet (inner positions are more precise).
    pub fn or_span(mut self, span: Span) -> Self {
        self.span.get_or_insert(span);
        self
    }

    /// Shift the span by `offset` bytes, used when a statement sits inside a larger script.
    pub fn shifted(mut self, offset: usize) -> Self {
        if let Some(span) = &mut self.span {
            span.start += offset;
            span.end += offset;
        }
        self
    }

    pub fn syntax(message: impl Into<String>, span: Span) -> Self {
        Self::new(ErrorKind::SyntaxError, None, Phase::Compile, message).with_span(span)
    }

    pub fn undefined_variable(name: &str, span: Span) -> Self {
        Self::compile(
            ErrorKind::SyntaxError,
            ErrorCode::UndefinedVariable,
            format!("variable `{name}` is not defined"),
        )
        .with_span(span)
    }

    pub fn variable_already_bound(name: &str, span: Span) -> Self {
        Self::compile(
            ErrorKind::SyntaxError,
            ErrorCode::VariableAlreadyBound,
            format!("variable `{name}` is already bound"),
        )
        .with_span(span)
    }

    /// A feature kg does not implement yet, named so the user knows it is deliberate.
    pub fn not_supported(feature: &str, span: Option<Span>) -> Self {
        let mut e = Self::new(
            ErrorKind::NotSupported,
            Some(ErrorCode::NotSupported),
            Phase::Compile,
            format!("{feature} is not supported yet"),
        );
        e.span = span;
        e
    }

    /// A runtime type error: `what` expected, `found` given.
    pub fn type_mismatch(expected: &str, found: &str) -> Self {
        Self::runtime(
            ErrorKind::TypeError,
            ErrorCode::InvalidArgumentType,
            format!("expected {expected}, found {found}"),
        )
    }

    /// A transaction command that does not fit the session's state.
    /// A schema command that failed with `code` (`IndexNotFound`, ...).
    pub fn schema(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::SchemaError, Some(code), Phase::Runtime, message)
    }

    /// The Neo4j status code of a schema error (`Neo.ClientError.Schema.IndexNotFound`,
    /// ...), shared by the Bolt and HTTP servers; `None` for other errors.
    pub fn neo4j_schema_status(&self) -> Option<&'static str> {
        if self.kind != ErrorKind::SchemaError {
            return None;
        }
        Some(match self.code? {
            ErrorCode::EquivalentSchemaRuleAlreadyExists => {
                "Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists"
            }
            ErrorCode::IndexAlreadyExists => "Neo.ClientError.Schema.IndexAlreadyExists",
            ErrorCode::ConstraintAlreadyExists => "Neo.ClientError.Schema.ConstraintAlreadyExists",
            ErrorCode::IndexNotFound => "Neo.ClientError.Schema.IndexNotFound",
            ErrorCode::ConstraintNotFound => "Neo.ClientError.Schema.ConstraintNotFound",
            ErrorCode::IndexBelongsToConstraint => "Neo.ClientError.Schema.DropIndexFailed",
            ErrorCode::ConstraintCreationFailed => {
                "Neo.ClientError.Schema.ConstraintCreationFailed"
            }
            ErrorCode::SchemaAndDataInTransaction => {
                "Neo.ClientError.Transaction.ForbiddenDueToTransactionType"
            }
            _ => "Neo.ClientError.Schema.SchemaRuleAccessFailed",
        })
    }

    /// A write that would leave a constraint broken.
    pub fn constraint_violated(message: impl Into<String>) -> Self {
        Self::new(
            ErrorKind::ConstraintVerificationFailed,
            Some(ErrorCode::ConstraintValidationFailed),
            Phase::Runtime,
            message,
        )
    }

    pub fn transaction(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::TransactionError, None, Phase::Runtime, message)
    }

    pub fn cancelled() -> Self {
        Self::new(
            ErrorKind::Cancelled,
            None,
            Phase::Runtime,
            "the query was cancelled",
        )
    }

    /// The statement's memory budget of `limit` was exceeded (it needed `used`).
    pub fn memory_limit_exceeded(limit: &str, used: &str) -> Self {
        Self::new(
            ErrorKind::MemoryLimitExceeded,
            None,
            Phase::Runtime,
            format!(
                "the statement went over its memory limit of {limit} (it asked for {used}); \
                 nothing was changed. Raise the limit with `--max-memory SIZE` or `:set max_memory SIZE`"
            ),
        )
    }

    /// The statements running together went over the server's shared memory budget of
    /// `limit`; this one held `used`.
    pub fn shared_memory_limit_exceeded(limit: &str, used: &str) -> Self {
        Self::new(
            ErrorKind::MemoryLimitExceeded,
            None,
            Phase::Runtime,
            format!(
                "the queries running at once went over the server's memory limit of {limit} \
                 (this one held {used}) and this one was stopped; nothing was changed. Retry \
                 it, or raise the limit with `kg serve --max-memory-total SIZE`"
            ),
        )
    }

    /// The statement ran past its time limit `limit`.
    pub fn timed_out(limit: &str, elapsed: std::time::Duration) -> Self {
        Self::new(
            ErrorKind::Timeout,
            None,
            Phase::Runtime,
            format!(
                "the statement was stopped after {:.0?}, its time limit is {limit}; nothing \
                 was changed. Raise it with `--timeout DURATION` or `:set timeout DURATION`",
                elapsed
            ),
        )
    }

    /// 1-based (line, column) of the error within `source`, when it has a position.
    pub fn line_col(&self, source: &str) -> Option<(usize, usize)> {
        self.span.map(|s| s.line_col(source))
    }
}
