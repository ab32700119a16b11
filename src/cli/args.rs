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
    args_conflicts_with_subcommands = true,
    after_help = "With no -f/-c, kg opens a REPL when standard input is a terminal and runs \
                  standard input as a script otherwise.\n\
                  Exit status: 0 when every statement succeeded, 1 when one failed, 2 for bad usage."
)]
pub struct Args {
    /// `kg serve ...`; without a subcommand, kg runs a script or the REPL.
    #[command(subcommand)]
    pub subcommand: Option<Subcommand>,

    /// Start with an empty graph instead of the built-in article graph.
    #[arg(long, conflicts_with = "data")]
    pub empty: bool,

    /// Load PATH instead of the built-in graph: kg TOML files, or a directory of
    /// neo4j-admin import CSV files. Repeatable.
    #[arg(long, value_name = "PATH")]
    pub data: Vec<PathBuf>,

    /// Open the database in directory PATH, creating it if it does not exist: every
    /// committed change is kept on disk (with --data, a new database imports that first).
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// With --db: read the database without changing it (other readers may share it).
    #[arg(long, requires = "db")]
    pub read_only: bool,

    /// With --db: write a checkpoint once the log passes this many bytes (default 64 MiB).
    #[arg(long, value_name = "BYTES", requires = "db", hide = true)]
    pub checkpoint_bytes: Option<u64>,

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

    /// Memory budget of each statement, e.g. 512MB or 2GiB (default: half the machine's
    /// memory); past it a statement fails with MemoryLimitExceeded and changes nothing.
    #[arg(long, value_name = "SIZE", value_parser = kg::limits::parse_size)]
    pub max_memory: Option<u64>,

    /// Time limit of each statement, e.g. 500ms, 30s or 2m (default: none); past it a
    /// statement fails with Timeout and changes nothing.
    #[arg(long, value_name = "DURATION", value_parser = kg::limits::parse_duration)]
    pub timeout: Option<std::time::Duration>,

    /// Run statements on a Bolt server (bolt://host:port or neo4j://host:port) instead of
    /// a local graph.
    #[arg(long, value_name = "URI", conflicts_with_all = ["empty", "data", "db"])]
    pub connect: Option<String>,

    /// User name for --connect; the password comes from $KG_PASSWORD or a prompt.
    #[arg(long, value_name = "NAME", requires = "connect")]
    pub user: Option<String>,
}

impl Args {
    /// The statement limits the flags ask for.
    pub fn limits(&self) -> kg::Limits {
        let standard = kg::Limits::standard();
        kg::Limits {
            max_memory: self.max_memory.or(standard.max_memory),
            timeout: self.timeout,
        }
    }
}

/// What kg can do besides the REPL and scripts.
#[derive(Debug, clap::Subcommand)]
pub enum Subcommand {
    /// Serve the graph over the network: Bolt for Neo4j drivers and tools (the default), or
    /// HTTP (Neo4j's Query API and a browser workspace) with --http.
    Serve(ServeArgs),
}

/// `kg serve`'s flags.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Without --http, kg serve speaks Bolt on --listen (default 127.0.0.1:7687).\n\
                  With --http, the workspace is at http://ADDR/ and the Query API at POST \
                  http://ADDR/db/neo4j/query/v2.\nAn address other than loopback needs \
                  credentials: --auth-file or $KG_AUTH for Bolt, --user with $KG_PASSWORD for HTTP."
)]
pub struct ServeArgs {
    /// Address to listen on for Bolt (default 127.0.0.1:7687). Any non-loopback address
    /// needs credentials.
    #[arg(long, value_name = "ADDR", conflicts_with = "http")]
    pub listen: Option<String>,

    /// Serve HTTP (the workspace page and Neo4j's Query API) on ADDR, e.g. 127.0.0.1:7474,
    /// instead of Bolt.
    #[arg(long, value_name = "ADDR")]
    pub http: Option<std::net::SocketAddr>,

    /// Serve an empty graph instead of the built-in article graph.
    #[arg(long, conflicts_with = "data")]
    pub empty: bool,

    /// Serve the graph loaded from PATH (as `kg --data`). Repeatable.
    #[arg(long, value_name = "PATH")]
    pub data: Vec<PathBuf>,

    /// With --http: the user name every request must give; its password is read from
    /// $KG_PASSWORD.
    #[arg(long, value_name = "NAME", requires = "http")]
    pub user: Option<String>,

    /// Bolt credentials clients must give: a line `user:sha256:SALT:HEX`, HEX being the
    /// SHA-256 of SALT followed by the password. $KG_AUTH=user:password also works.
    #[arg(long, value_name = "FILE")]
    pub auth_file: Option<PathBuf>,

    /// Stop any statement that runs longer, e.g. `30s` or `500ms`.
    #[arg(long, value_name = "TIME", value_parser = kg::limits::parse_duration)]
    pub query_timeout: Option<std::time::Duration>,

    /// Memory budget of each statement, e.g. 2GiB (default: half the machine's memory).
    #[arg(long, value_name = "SIZE", value_parser = kg::limits::parse_size)]
    pub max_memory: Option<u64>,

    /// Memory budget of all the statements running at once, over every connection
    /// (default: half the machine's memory).
    #[arg(long, value_name = "SIZE", value_parser = kg::limits::parse_size)]
    pub max_memory_total: Option<u64>,

    /// Bolt connections served at once; more are refused with a transient error.
    #[arg(long, value_name = "N", default_value_t = 256)]
    pub max_connections: usize,

    /// Largest Bolt request message, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 16 << 20)]
    pub max_message_bytes: usize,
}

impl ServeArgs {
    /// Each statement's limits: `--max-memory` (or the standard budget) and `--query-timeout`.
    pub fn statement_limits(&self) -> kg::Limits {
        kg::Limits {
            max_memory: self.max_memory.or(kg::Limits::standard().max_memory),
            timeout: self.query_timeout,
        }
    }

    /// The budget all running statements share: `--max-memory-total`, or half the memory.
    pub fn total_budget(&self) -> Option<std::sync::Arc<kg::limits::SharedBudget>> {
        self.max_memory_total
            .or(kg::Limits::standard().max_memory)
            .map(kg::limits::SharedBudget::new)
    }

    /// The Bolt address: --listen, or the Bolt default.
    pub fn bolt_address(&self) -> &str {
        self.listen.as_deref().unwrap_or("127.0.0.1:7687")
    }
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
    fn serve_is_a_subcommand_with_its_own_flags() {
        let args = Args::try_parse_from(["kg", "serve", "--http", "127.0.0.1:7474", "--empty"])
            .expect("valid serve flags");
        match args.subcommand {
            Some(Subcommand::Serve(serve)) => {
                assert_eq!(serve.http, Some("127.0.0.1:7474".parse().expect("address")));
                assert!(serve.empty);
            }
            None => panic!("serve was not parsed"),
        }
        assert!(Args::try_parse_from(["kg", "serve", "--http", "nowhere"]).is_err());
        // Top-level flags are unchanged, and do not mix with the subcommand.
        assert!(
            Args::try_parse_from(["kg", "-c", "RETURN 1"]).is_ok_and(|a| a.subcommand.is_none())
        );
        assert!(Args::try_parse_from(["kg", "-c", "RETURN 1", "serve"]).is_err());
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
        let Some(Subcommand::Serve(serve)) = args.subcommand else {
            panic!("serve mode expected");
        };
        assert_eq!(serve.bolt_address(), "127.0.0.1:0");
        assert_eq!(
            serve.query_timeout,
            Some(std::time::Duration::from_millis(500))
        );
        assert!(Args::try_parse_from(["kg", "--connect", "bolt://h", "--empty"]).is_err());
        assert!(Args::try_parse_from(["kg", "serve", "--query-timeout", "5x"]).is_err());
        let Some(Subcommand::Serve(serve)) = Args::try_parse_from([
            "kg",
            "serve",
            "--max-memory",
            "1GiB",
            "--max-memory-total",
            "3GiB",
        ])
        .expect("valid flags")
        .subcommand
        else {
            panic!("serve mode expected");
        };
        assert_eq!(serve.statement_limits().max_memory, Some(1 << 30));
        assert_eq!(serve.total_budget().map(|b| b.max()), Some(3 << 30));
        assert!(Args::try_parse_from(["kg", "serve", "--max-memory-total", "lots"]).is_err());
    }

    #[test]
    fn bad_format_is_rejected() {
        assert!(Args::try_parse_from(["kg", "--format", "xml"]).is_err());
        assert!(Args::try_parse_from(["kg", "-c", "x", "-f", "y"]).is_err());
    }
}
