//! Golden query files: filled in by the golden-test work.
fn main() {}
