//! The `kg` binary: the command line and the REPL, over the `kg` library.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    match cli::run(cli::Args::parse()) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("kg: {err:#}");
            ExitCode::from(2)
        }
    }
}
