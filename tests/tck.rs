//! openCypher TCK runner: filled in by the TCK work.
fn main() {}
