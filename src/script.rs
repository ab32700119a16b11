//! Splits a script into statements and `:meta` lines, respecting strings and comments.
