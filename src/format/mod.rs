//! Result formatters: table, JSON Lines, CSV, TSV, Markdown, and TCK notation for tests.

pub mod tck;
