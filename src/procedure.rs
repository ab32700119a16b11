//! Procedures for `CALL`: signatures with typed inputs and outputs, the registry a session
//! keeps (name → procedure), the built-ins (`db.labels`, `db.relationshipTypes`,
//! `db.propertyKeys`, `kg.find`) and procedures defined by a table of rows
//! (`Session::register_procedure`). `semantic` checks calls against signatures; `exec`
//! runs `Procedure::call`. Nothing here parses queries or plans them.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

use crate::error::{ErrorCode, ErrorKind, QueryError, Result};
use crate::graph::Graph;
use crate::search;
use crate::value::{Value, ops};

/// Why a procedure signature or table is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid procedure definition: {message}")]
pub struct DefinitionError {
    pub message: String,
}

impl DefinitionError {
    fn new(message: String) -> Self {
        DefinitionError { message }
    }
}

/// The type of a procedure input or output, as written in a signature (`INTEGER?`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProcedureType {
    Any,
    Boolean,
    Integer,
    Float,
    /// INTEGER or FLOAT.
    Number,
    String,
    Map,
    Node,
    Relationship,
    Path,
    /// `LIST OF T`.
    List(Box<ProcedureType>),
}

impl ProcedureType {
    /// Parses a type name without its `?`, e.g. `INTEGER` or `LIST OF STRING`.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let upper = text.to_ascii_uppercase();
        if let Some(rest) = upper.strip_prefix("LIST") {
            let rest = rest.trim_start().trim_start_matches('?').trim_start();
            let element = rest.strip_prefix("OF")?;
            let element = element.trim().trim_end_matches('?');
            return Some(ProcedureType::List(Box::new(Self::parse(element)?)));
        }
        Some(match upper.as_str() {
            "ANY" => ProcedureType::Any,
            "BOOLEAN" => ProcedureType::Boolean,
            "INTEGER" => ProcedureType::Integer,
            "FLOAT" => ProcedureType::Float,
            "NUMBER" => ProcedureType::Number,
            "STRING" => ProcedureType::String,
            "MAP" => ProcedureType::Map,
            "NODE" => ProcedureType::Node,
            "RELATIONSHIP" => ProcedureType::Relationship,
            "PATH" => ProcedureType::Path,
            _ => return None,
        })
    }

    /// Whether a (non-null) `value` may be passed where this type is expected.
    /// openCypher: an INTEGER is assignable to FLOAT and NUMBER (TCK Call3).
    pub fn accepts(&self, value: &Value) -> bool {
        match (self, value) {
            (_, Value::Null) | (ProcedureType::Any, _) => true,
            (ProcedureType::Boolean, Value::Bool(_))
            | (ProcedureType::Integer, Value::Int(_))
            | (ProcedureType::Float | ProcedureType::Number, Value::Int(_) | Value::Float(_))
            | (ProcedureType::String, Value::String(_))
            | (ProcedureType::Map, Value::Map(_))
            | (ProcedureType::Node, Value::Node(_))
            | (ProcedureType::Relationship, Value::Rel(_))
            | (ProcedureType::Path, Value::Path(_)) => true,
            (ProcedureType::List(element), Value::List(items)) => {
                items.iter().all(|item| element.accepts(item))
            }
            _ => false,
        }
    }

    /// `value` converted to this type where openCypher converts implicitly (INTEGER to FLOAT).
    fn coerce(&self, value: &Value) -> Value {
        match (self, value) {
            (ProcedureType::Float, Value::Int(i)) => Value::Float(*i as f64),
            _ => value.clone(),
        }
    }
}

impl fmt::Display for ProcedureType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            ProcedureType::List(element) => return write!(f, "LIST OF {element}"),
            ProcedureType::Any => "ANY",
            ProcedureType::Boolean => "BOOLEAN",
            ProcedureType::Integer => "INTEGER",
            ProcedureType::Float => "FLOAT",
            ProcedureType::Number => "NUMBER",
            ProcedureType::String => "STRING",
            ProcedureType::Map => "MAP",
            ProcedureType::Node => "NODE",
            ProcedureType::Relationship => "RELATIONSHIP",
            ProcedureType::Path => "PATH",
        };
        f.write_str(name)
    }
}

/// One named, typed input or output of a procedure, e.g. `in :: INTEGER?`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcedureField {
    pub name: String,
    pub ty: ProcedureType,
    /// Written with `?`: null is allowed.
    pub nullable: bool,
}

impl ProcedureField {
    /// A nullable field.
    pub fn new(name: impl Into<String>, ty: ProcedureType) -> Self {
        ProcedureField {
            name: name.into(),
            ty,
            nullable: true,
        }
    }

    /// Parses `name :: TYPE[?]`.
    fn parse(text: &str) -> std::result::Result<Self, DefinitionError> {
        let (name, ty) = text.split_once("::").ok_or_else(|| {
            DefinitionError::new(format!("`{}` is not `name :: TYPE`", text.trim()))
        })?;
        let ty = ty.trim();
        let nullable = ty.ends_with('?');
        let ty = ProcedureType::parse(ty.trim_end_matches('?'))
            .ok_or_else(|| DefinitionError::new(format!("unknown type `{ty}`")))?;
        Ok(ProcedureField {
            name: name.trim().trim_matches('`').to_string(),
            ty,
            nullable,
        })
    }
}

impl fmt::Display for ProcedureField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mark = if self.nullable { "?" } else { "" };
        write!(f, "{} :: {}{mark}", self.name, self.ty)
    }
}

/// A procedure's name and typed inputs and outputs, written
/// `test.my.proc(in :: INTEGER?) :: (out :: STRING?)`. No outputs means a void procedure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcedureSignature {
    /// Dotted name, e.g. `db.labels`.
    pub name: String,
    pub inputs: Vec<ProcedureField>,
    pub outputs: Vec<ProcedureField>,
}

impl ProcedureSignature {
    /// Parses the signature notation of the openCypher TCK and Neo4j's `dbms.procedures()`.
    pub fn parse(text: &str) -> std::result::Result<Self, DefinitionError> {
        let text = text.trim().trim_end_matches(':').trim();
        let open = text.find('(').ok_or_else(|| {
            DefinitionError::new(format!("`{text}`: expected `name(inputs) :: (outputs)`"))
        })?;
        let name = text[..open].trim();
        if name.is_empty() {
            return Err(DefinitionError::new(format!(
                "`{text}`: the procedure has no name"
            )));
        }
        let (inputs, rest) = fields_in_parens(&text[open..])?;
        let rest = rest.trim().strip_prefix("::").ok_or_else(|| {
            DefinitionError::new(format!("`{text}`: expected `::` before the outputs"))
        })?;
        let (outputs, rest) = fields_in_parens(rest.trim())?;
        if !rest.trim().is_empty() {
            return Err(DefinitionError::new(format!(
                "`{text}`: unexpected `{}`",
                rest.trim()
            )));
        }
        Ok(ProcedureSignature {
            name: name.to_string(),
            inputs,
            outputs,
        })
    }

    /// Whether the procedure yields no columns.
    pub fn is_void(&self) -> bool {
        self.outputs.is_empty()
    }
}

/// `(a :: T, b :: U)` at the start of `text` (`()` for none) and the text after it.
fn fields_in_parens(
    text: &str,
) -> std::result::Result<(Vec<ProcedureField>, &str), DefinitionError> {
    let inner = text
        .strip_prefix('(')
        .ok_or_else(|| DefinitionError::new(format!("expected `(` at `{text}`")))?;
    let close = inner
        .find(')')
        .ok_or_else(|| DefinitionError::new(format!("missing `)` in `{text}`")))?;
    let list = inner[..close].trim();
    let fields = if list.is_empty() {
        Vec::new()
    } else {
        list.split(',')
            .map(ProcedureField::parse)
            .collect::<std::result::Result<_, _>>()?
    };
    Ok((fields, &inner[close + 1..]))
}

impl fmt::Display for ProcedureSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |fields: &[ProcedureField]| {
            fields
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        write!(
            f,
            "{}({}) :: ({})",
            self.name,
            list(&self.inputs),
            list(&self.outputs)
        )
    }
}

/// What a procedure computes: output rows (values in signature output order) from the
/// graph and the arguments (already checked and converted to the input types).
pub type ProcedureBody = dyn Fn(&Graph, &[Value]) -> Result<Vec<Vec<Value>>> + Send + Sync;

/// A procedure: signature plus implementation.
#[derive(Clone)]
pub struct Procedure {
    pub signature: ProcedureSignature,
    body: Arc<ProcedureBody>,
}

impl fmt::Debug for Procedure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Procedure({})", self.signature)
    }
}

impl Procedure {
    /// A procedure computed by `body`.
    pub fn new(
        signature: ProcedureSignature,
        body: impl Fn(&Graph, &[Value]) -> Result<Vec<Vec<Value>>> + Send + Sync + 'static,
    ) -> Self {
        Procedure {
            signature,
            body: Arc::new(body),
        }
    }

    /// A procedure defined by a table, as the TCK defines its test procedures: each row holds
    /// the input values then the output values, in signature order; a call yields the outputs
    /// of the rows whose inputs equal the arguments (null matching null).
    pub fn from_table(
        signature: ProcedureSignature,
        rows: Vec<Vec<Value>>,
    ) -> std::result::Result<Self, DefinitionError> {
        let inputs = signature.inputs.len();
        let width = inputs + signature.outputs.len();
        let fields = signature.inputs.iter().chain(&signature.outputs);
        for row in &rows {
            if row.len() != width {
                return Err(DefinitionError::new(format!(
                    "a row of `{}` needs {width} values, not {}",
                    signature.name,
                    row.len()
                )));
            }
            for (field, value) in fields.clone().zip(row) {
                if !field.ty.accepts(value) || (value.is_null() && !field.nullable) {
                    return Err(DefinitionError::new(format!(
                        "`{}` of `{}` cannot hold {}",
                        field.name,
                        signature.name,
                        value.type_name()
                    )));
                }
            }
        }
        Ok(Procedure::new(signature, move |_, args| {
            Ok(rows
                .iter()
                .filter(|row| {
                    row[..inputs]
                        .iter()
                        .zip(args)
                        .all(|(cell, arg)| ops::equivalent(cell, arg))
                })
                .map(|row| row[inputs..].to_vec())
                .collect())
        }))
    }

    /// Runs the procedure: checks the arguments against the signature, converts them
    /// (INTEGER to FLOAT) and returns the output rows.
    pub fn call(&self, graph: &Graph, args: &[Value]) -> Result<Vec<Vec<Value>>> {
        let inputs = &self.signature.inputs;
        if args.len() != inputs.len() {
            return Err(wrong_number_of_arguments(&self.signature, args.len()));
        }
        let mut converted = Vec::with_capacity(args.len());
        for (field, arg) in inputs.iter().zip(args) {
            if !field.ty.accepts(arg) || (arg.is_null() && !field.nullable) {
                return Err(QueryError::runtime(
                    ErrorKind::TypeError,
                    ErrorCode::InvalidArgumentType,
                    argument_type_message(&self.signature, field, arg.type_name()),
                ));
            }
            converted.push(field.ty.coerce(arg));
        }
        (self.body)(graph, &converted)
    }
}

/// The error for a call with `given` arguments.
pub(crate) fn wrong_number_of_arguments(
    signature: &ProcedureSignature,
    given: usize,
) -> QueryError {
    QueryError::compile(
        ErrorKind::SyntaxError,
        ErrorCode::InvalidNumberOfArguments,
        format!(
            "procedure `{}` takes {} argument(s), not {given}: {signature}",
            signature.name,
            signature.inputs.len()
        ),
    )
}

/// The message for an argument of type `found` where `field` expects another.
pub(crate) fn argument_type_message(
    signature: &ProcedureSignature,
    field: &ProcedureField,
    found: &str,
) -> String {
    format!(
        "argument `{}` of procedure `{}` must be {}, not {found}",
        field.name, signature.name, field.ty
    )
}

/// The procedures a session can CALL, by name (names are case-sensitive, as in Neo4j).
#[derive(Debug, Clone)]
pub struct Procedures {
    by_name: BTreeMap<String, Arc<Procedure>>,
}

impl Default for Procedures {
    /// The built-in procedures.
    fn default() -> Self {
        let mut procedures = Procedures::none();
        for procedure in builtins() {
            procedures.register(procedure);
        }
        procedures
    }
}

impl Procedures {
    /// No procedures at all (not even the built-ins).
    pub fn none() -> Self {
        Procedures {
            by_name: BTreeMap::new(),
        }
    }

    /// The procedure called `name`.
    pub fn get(&self, name: &str) -> Option<&Arc<Procedure>> {
        self.by_name.get(name)
    }

    /// Adds `procedure`, replacing one of the same name.
    pub fn register(&mut self, procedure: Procedure) {
        self.insert(Arc::new(procedure));
    }

    /// Adds a shared `procedure`, replacing one of the same name.
    pub fn insert(&mut self, procedure: Arc<Procedure>) {
        self.by_name
            .insert(procedure.signature.name.clone(), procedure);
    }

    /// Every procedure, by name.
    pub fn iter(&self) -> impl Iterator<Item = &Procedure> {
        self.by_name.values().map(|p| &**p)
    }
}

/// The Neo4j version kg presents itself as to drivers (`dbms.components()`, Bolt's HELLO).
pub const NEO4J_COMPATIBLE_VERSION: &str = "5.26.0";

/// `db.labels()`, `db.relationshipTypes()` and `db.propertyKeys()`: what the graph uses
/// now, sorted; `dbms.components()`; `kg.find`.
fn builtins() -> Vec<Procedure> {
    let one_column = |name: &str, column: &str| ProcedureSignature {
        name: name.to_string(),
        inputs: Vec::new(),
        outputs: vec![ProcedureField::new(column, ProcedureType::String)],
    };
    let rows = |names: Vec<&str>| names.into_iter().map(|n| vec![Value::from(n)]).collect();
    vec![
        Procedure::new(one_column("db.labels", "label"), move |graph, _| {
            Ok(rows(graph.labels()))
        }),
        Procedure::new(
            one_column("db.relationshipTypes", "relationshipType"),
            move |graph, _| Ok(rows(graph.rel_types())),
        ),
        Procedure::new(
            one_column("db.propertyKeys", "propertyKey"),
            move |graph, _| {
                let mut keys = BTreeSet::new();
                for id in graph.nodes() {
                    if let Some(node) = graph.node(id) {
                        keys.extend(node.properties.keys());
                    }
                }
                for id in graph.rels() {
                    if let Some(rel) = graph.rel(id) {
                        keys.extend(rel.properties().keys());
                    }
                }
                Ok(rows(keys.into_iter().collect()))
            },
        ),
        // Drivers and tools call this on connect to learn what they talk to; the version is
        // the Neo4j release whose Cypher and Bolt kg follows.
        Procedure::new(
            ProcedureSignature {
                name: "dbms.components".to_string(),
                inputs: Vec::new(),
                outputs: vec![
                    ProcedureField::new("name", ProcedureType::String),
                    ProcedureField::new(
                        "versions",
                        ProcedureType::List(Box::new(ProcedureType::String)),
                    ),
                    ProcedureField::new("edition", ProcedureType::String),
                ],
            },
            |_, _| {
                Ok(vec![vec![
                    Value::from("Neo4j Kernel"),
                    Value::List(vec![Value::from(NEO4J_COMPATIBLE_VERSION)]),
                    Value::from("community"),
                ]])
            },
        ),
        Procedure::new(
            ProcedureSignature {
                name: "kg.find".to_string(),
                inputs: vec![ProcedureField::new("text", ProcedureType::String)],
                outputs: vec![
                    ProcedureField::new("node", ProcedureType::Node),
                    ProcedureField::new("matched", ProcedureType::String),
                    ProcedureField::new("score", ProcedureType::Float),
                ],
            },
            |graph, args| {
                let Some(text) = args.first().and_then(Value::as_str) else {
                    return Ok(Vec::new());
                };
                Ok(search::find_nodes(graph, text)
                    .into_iter()
                    .map(|hit| {
                        vec![
                            Value::Node(hit.node),
                            Value::from(hit.matched),
                            Value::Float(hit.score),
                        ]
                    })
                    .collect())
            },
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_parse_and_print() {
        let text = "test.my.proc(name :: STRING?, id :: INTEGER?) :: (city :: STRING?, codes :: LIST OF INTEGER)";
        let signature = ProcedureSignature::parse(text).expect("parses");
        assert_eq!(signature.name, "test.my.proc");
        assert_eq!(signature.inputs.len(), 2);
        assert_eq!(
            signature.outputs[1].ty,
            ProcedureType::List(Box::new(ProcedureType::Integer))
        );
        assert!(!signature.outputs[1].nullable);
        assert_eq!(signature.to_string(), text);
        let void = ProcedureSignature::parse("test.doNothing() :: ():").expect("parses");
        assert!(void.is_void() && void.inputs.is_empty());
        assert!(ProcedureSignature::parse("test.x(a :: WHAT?) :: ()").is_err());
        assert!(ProcedureSignature::parse("(a :: INTEGER?) :: ()").is_err());
    }

    #[test]
    fn table_procedures_match_arguments() {
        let signature =
            ProcedureSignature::parse("t.p(in :: FLOAT?) :: (out :: STRING?)").expect("parses");
        let rows = vec![
            vec![Value::Float(42.0), Value::from("close")],
            vec![Value::Null, Value::from("nix")],
        ];
        let procedure = Procedure::from_table(signature, rows).expect("valid table");
        let graph = Graph::new();
        assert_eq!(
            procedure.call(&graph, &[Value::Int(42)]),
            Ok(vec![vec![Value::from("close")]])
        );
        assert_eq!(
            procedure.call(&graph, &[Value::Null]),
            Ok(vec![vec![Value::from("nix")]])
        );
        let err = procedure
            .call(&graph, &[Value::Bool(true)])
            .expect_err("wrong type");
        assert_eq!(err.code, Some(ErrorCode::InvalidArgumentType));
    }

    #[test]
    fn builtins_describe_the_graph() {
        let mut graph = Graph::new();
        graph.create_node(["B", "A"], vec![("name".to_string(), Value::from("x"))]);
        let procedures = Procedures::default();
        let labels = procedures.get("db.labels").expect("built in");
        assert_eq!(
            labels.call(&graph, &[]),
            Ok(vec![vec![Value::from("A")], vec![Value::from("B")]])
        );
        let keys = procedures.get("db.propertyKeys").expect("built in");
        assert_eq!(keys.call(&graph, &[]), Ok(vec![vec![Value::from("name")]]));
        let components = procedures.get("dbms.components").expect("built in");
        let rows = components.call(&graph, &[]).expect("no arguments");
        assert_eq!(rows[0][0], Value::from("Neo4j Kernel"));
    }
}
