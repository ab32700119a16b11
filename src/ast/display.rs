//! Canonical Cypher for the AST (parser round-trip tests rely on it).
