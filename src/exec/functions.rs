//! The built-in scalar function table: name → arity + implementation.
