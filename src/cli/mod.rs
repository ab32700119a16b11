//! The binary's shell: argument parsing, REPL, script runner. anyhow lives here only.

use std::process::ExitCode;

/// Command-line arguments (see protocol.md).
#[derive(Debug, clap::Parser)]
#[command(name = "kg", version, about = "A knowledge graph you can talk to")]
pub struct Args {
    /// Run one statement (or several, `;`-separated) and exit.
    #[arg(short = 'c', long = "command")]
    pub command: Option<String>,
}

pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    Ok(ExitCode::SUCCESS)
}
