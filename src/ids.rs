//! Node and relationship ids. They sit below both `value` (a `Value::Node` holds one) and
//! `graph` (which mints them), so neither has to import the other; `graph` re-exports them.

/// A node's stable id: it survives deletes of other nodes and appears in JSON output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

/// A relationship's stable id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RelId(pub u32);
