//! Command-line arguments (protocol.md), parsed with clap's derive API.

use std::path::PathBuf;

use kg::format::Format;

/// kg: a knowledge graph you can talk to.
///
/// With no -f/-c and a terminal on standard input, opens the REPL over the graph;
/// a non-terminal standard input is run as a script.
#[derive(Debug, clap::Parser)]
#[command(
    name = "kg",
    version,
    about,
    after_help = "With no -f/-c, kg opens a REPL when standard input is a terminal and runs \
                  standard input as a script otherwise.\n\
                  Exit status: 0 when every statement succeeded, 1 when one failed, 2 for bad usage."
)]
pub struct Args {
    /// Start with an empty graph instead of the built-in article graph.
    #[arg(long, conflicts_with = "data")]
    pub empty: bool,

    /// Load PATH instead of the built-in graph: kg TOML files, or a directory of
    /// neo4j-admin import CSV files. Repeatable.
    #[arg(long, value_name = "PATH")]
    pub data: Vec<PathBuf>,

    /// Run a script file; `-` reads the script from standard input.
    #[arg(
        short = 'f',
        long = "file",
        value_name = "FILE",
        conflicts_with = "command"
    )]
    pub file: Option<PathBuf>,

    /// Run one statement (or several, `;`-separated) and exit.
    #[arg(short = 'c', long = "command", value_name = "QUERY")]
    pub command: Option<String>,

    /// Output format; `json` means JSON Lines, one object per statement.
    #[arg(long, value_name = "FORMAT", default_value = "table", value_parser = parse_format)]
    pub format: Format,

    /// In a script, keep going after a failing statement and end with a summary.
    #[arg(long)]
    pub continue_on_error: bool,

    /// Print each statement before its result.
    #[arg(long)]
    pub echo: bool,

    /// Parse and check the script's statements without running them.
    #[arg(long)]
    pub check: bool,

    /// REPL history file, or `off` (default: $XDG_DATA_HOME/kg/history).
    #[arg(long, value_name = "PATH|off")]
    pub history: Option<String>,

    /// Show at most N rows of a table (its head and tail); `:last` shows all.
    #[arg(long, value_name = "N")]
    pub max_rows: Option<usize>,

    /// Run statements on a Bolt server (bolt://host:port or neo4j://host:port) instead of
    /// a local graph.
    #[arg(long, value_name = "URI", conflicts_with_all = ["empty", "data"])]
    pub connect: Option<String>,

    /// User name for --connect; the password comes from $KG_PASSWORD or a prompt.
    #[arg(long, value_name = "NAME", requires = "connect")]
    pub user: Option<String>,

    #[command(subcommand)]
    pub mode: Option<Mode>,
}

/// Modes other than the shell.
#[derive(Debug, clap::Subcommand)]
pub enum Mode {
    /// Serve the graph to Neo4j drivers and tools over Bolt until SIGINT or SIGTERM.
    Serve(ServeArgs),
}

/// `kg serve`'s flags.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on for Bolt. Any non-loopback address needs credentials.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:7687")]
    pub listen: String,

    /// Serve an empty graph instead of the built-in article graph.
    #[arg(long, conflicts_with = "data")]
    pub empty: bool,

    /// Serve the graph loaded from PATH (as `kg --data`). Repeatable.
    #[arg(long, value_name = "PATH")]
    pub data: Vec<PathBuf>,

    /// Credentials clients must give: a line `user:sha256:SALT:HEX`, HEX being the
    /// SHA-256 of SALT followed by the password. $KG_AUTH=user:password also works.
    #[arg(long, value_name = "FILE")]
    pub auth_file: Option<PathBuf>,

    /// Stop any statement that runs longer, e.g. `30s` or `500ms`.
    #[arg(long, value_name = "TIME", value_parser = parse_duration)]
    pub query_timeout: Option<std::time::Duration>,

    /// Connections served at once; more are refused with a transient error.
    #[arg(long, value_name = "N", default_value_t = 256)]
    pub max_connections: usize,

    /// Largest request message, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 16 << 20)]
    pub max_message_bytes: usize,
}

/// `500ms`, `30s`, `2m`, or a bare number of seconds.
fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let (number, unit) = match s.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: f64 = number
        .parse()
        .map_err(|_| format!("`{s}` is not a duration (e.g. 30s, 500ms, 2m)"))?;
    let seconds = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        _ => return Err(format!("`{s}`: the unit must be ms, s or m")),
    };
    std::time::Duration::try_from_secs_f64(seconds).map_err(|e| format!("`{s}`: {e}"))
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse()
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[test]
    fn flags_parse() {
        let args = Args::try_parse_from([
            "kg",
            "--data",
            "a",
            "--data",
            "b",
            "-c",
            "RETURN 1",
            "--format",
            "json",
            "--max-rows",
            "5",
        ])
        .expect("valid flags");
        assert_eq!(args.data, vec![PathBuf::from("a"), PathBuf::from("b")]);
        assert_eq!(args.format, Format::Json);
        assert_eq!(args.max_rows, Some(5));
    }

    #[test]
    fn serve_and_connect_parse() {
        let args = Args::try_parse_from([
            "kg",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--query-timeout",
            "500ms",
        ])
        .expect("valid flags");
        let Some(Mode::Serve(serve)) = args.mode else {
            panic!("serve mode expected");
        };
        assert_eq!(serve.listen, "127.0.0.1:0");
        assert_eq!(
            serve.query_timeout,
            Some(std::time::Duration::from_millis(500))
        );
        assert!(Args::try_parse_from(["kg", "--connect", "bolt://h", "--empty"]).is_err());
        assert!(Args::try_parse_from(["kg", "serve", "--query-timeout", "5x"]).is_err());
    }

    #[test]
    fn bad_format_is_rejected() {
        assert!(Args::try_parse_from(["kg", "--format", "xml"]).is_err());
        assert!(Args::try_parse_from(["kg", "-c", "x", "-f", "y"]).is_err());
    }
}
