//! The `kg` binary: the command line and the REPL, over the `kg` library.

mod cli;

use std::process::ExitCode;

use clap::Parser;

// A query allocates and frees a row per matched pattern; after a large load glibc's heap is
// fragmented and its malloc slow. mimalloc keeps per-row allocation cheap (q04 of the
// benchmark at scale 100000: 54 → 44 ms; the load: 2.1 → 0.8 s).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match cli::run(cli::Args::parse()) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("kg: {err:#}");
            ExitCode::from(2)
        }
    }
}
