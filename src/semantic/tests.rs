//! Binder tests: each compile-time error code from a hand-built or parsed statement.
