//! kg: a knowledge graph you can talk to.
//!
//! An in-memory property graph (petgraph) queried with openCypher. The pipeline, one
//! module per stage:
//!
//! ```text
//! text ─parse─▶ AST ─bind─▶ bound query ─plan─▶ logical plan ─execute─▶ ResultSet ─format─▶ output
//! ```
//!
//! `Session` drives it; the REPL and the command line are thin shells over `Session`.
//! `procedure` holds what `CALL` can run: `bind` checks calls against it, `exec` runs them.

pub mod ast;
pub mod bolt;
pub mod catalog;
pub mod db;
pub mod error;
pub mod exec;
pub mod format;
pub mod graph;
pub mod http;
pub mod ids;
pub mod lexer;
pub mod limits;
pub mod load;
pub mod parser;
pub mod plan;
pub mod procedure;
pub mod result;
mod schema_commands;
pub mod script;
pub mod search;
pub mod semantic;
pub mod server;
pub mod session;
pub mod value;
pub mod view;
pub mod words;

pub use error::{ErrorCode, ErrorKind, Phase, QueryError, Span};
pub use graph::Graph;
pub use limits::Limits;
pub use result::{ResultSet, Stats};
pub use session::{Durability, Session, TransactionSummary};
pub use value::{Params, Value};
