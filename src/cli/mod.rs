//! The binary's shell: argument parsing, the script runner and the REPL. anyhow lives here
//! (and in main.rs) only. A query failure is reported and counted; only bad usage, load
//! failures and I/O errors come back as `Err` (exit status 2).

mod args;
mod context;
mod continuation;
mod data;
mod helper;
mod highlight;
mod inspect;
mod meta;
mod paint;
mod repl;
mod schema;
mod serve;
mod shell;
mod suggest;
use kg::words;

use std::io::{self, IsTerminal, Read, Write};
use std::process::ExitCode;

use anyhow::Context;
use kg::Session;
use kg::format::Format;

pub use args::Args;
use paint::Paint;
pub(crate) use serve::open_in_browser;
use shell::{Settings, Shell, Source};

/// Rows a terminal table shows before it cuts to head and tail (`:last` shows all).
const TERMINAL_MAX_ROWS: usize = 50;

/// Narrower reported widths are taken as "unknown" rather than squeezing every column.
const MIN_TERMINAL_WIDTH: usize = 20;

/// Where the statements come from.
enum Input {
    Repl,
    Script(Source),
}

/// Runs the command line; the exit code follows protocol.md (0 ok, 1 a statement failed).
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match run_args(args) {
        // A closed pipe (`kg -f x | head`) is the reader's choice, not an error (as ripgrep).
        Err(err) if is_broken_pipe(&err) => Ok(ExitCode::SUCCESS),
        other => other,
    }
}

fn run_args(args: Args) -> anyhow::Result<ExitCode> {
    if let Some(args::Subcommand::Serve(serve)) = &args.subcommand {
        return serve::run(serve);
    }
    let input = input(&args)?;
    let remote = match &args.connect {
        Some(uri) => Some(connect(uri, args.user.as_deref())?),
        None => None,
    };
    let (graph, database) = match (&remote, &args.db) {
        (Some(_), _) => (kg::Graph::new(), None),
        (None, Some(path)) => open_database(path, &args)?,
        (None, None) => (data::initial_graph(args.empty, &args.data)?, None),
    };
    let stdout_terminal = io::stdout().is_terminal();
    let interactive = matches!(input, Input::Repl);
    let boxed = stdout_terminal && paint::no_color_unset();
    let settings = Settings {
        format: args.format,
        max_rows: args
            .max_rows
            .or((stdout_terminal && args.format == Format::Table).then_some(TERMINAL_MAX_ROWS)),
        timing: interactive,
        echo: args.echo,
        continue_on_error: args.continue_on_error,
        interactive,
        boxed,
        fit_width: stdout_terminal,
        paint: Paint::detect(io::stderr().is_terminal()),
    };
    let mut session = Session::with_graph(graph);
    session.set_limits(args.limits());
    if let Some(database) = database {
        session.set_durability(Box::new(database));
    }
    let mut shell = Shell::new(session, settings);
    shell.remote = remote;
    let code = run_input(&mut shell, input, &args)?;
    if shell.session.in_transaction() {
        // The REPL asked before leaving; a script that did not commit loses its transaction.
        let summary = shell.session.rollback()?;
        eprintln!(
            "kg: the transaction left open was rolled back ({}; :commit keeps one)",
            plural(summary.statements, "statement", "statements")
        );
    }
    // A clean exit folds the log into the snapshot, so the next open replays nothing.
    if !args.read_only
        && shell.session.checkpoint_pending()
        && let Err(err) = shell.session.checkpoint()
    {
        eprintln!("kg: warning: {err} (the log keeps every commit)");
    }
    Ok(code)
}

/// Opens `--db PATH` (recovering it), importing `--data` into a new one.
fn open_database(
    path: &std::path::Path,
    args: &Args,
) -> anyhow::Result<(kg::Graph, Option<kg::db::Database>)> {
    let options = kg::db::Options {
        read_only: args.read_only,
        checkpoint_bytes: args
            .checkpoint_bytes
            .unwrap_or(kg::db::DEFAULT_CHECKPOINT_BYTES),
    };
    let opened = kg::db::Database::open(path, options)?;
    for warning in &opened.warnings {
        eprintln!("kg: warning: {warning}");
    }
    let (mut graph, mut database) = (opened.graph, opened.database);
    if !args.data.is_empty() {
        if opened.created {
            graph = data::initial_graph(false, &args.data)?;
            database
                .write_checkpoint(&graph)
                .with_context(|| format!("importing into {}", path.display()))?;
        } else {
            eprintln!(
                "kg: --data ignored: {} holds a database already (it imports only into a new one)",
                path.display()
            );
        }
    }
    Ok((graph, Some(database)))
}

fn run_input(shell: &mut Shell, input: Input, args: &Args) -> anyhow::Result<ExitCode> {
    match input {
        Input::Repl => {
            repl::run(shell, args.history.as_deref())?;
            Ok(ExitCode::SUCCESS)
        }
        Input::Script(source) if args.check => {
            let count = shell.check_script(&source)?;
            let failed = shell.failures.len();
            let errors = match failed {
                0 => "no errors".to_string(),
                n => plural(n, "error", "errors"),
            };
            eprintln!(
                "{}: {} checked, {errors}",
                source.name,
                plural(count, "statement", "statements")
            );
            Ok(exit_code(failed))
        }
        Input::Script(source) => {
            shell.run_script(&source)?;
            if shell.settings.continue_on_error && !shell.failures.is_empty() {
                eprintln!("{} failed:", failure_count(&shell.failures));
                for failure in &shell.failures {
                    eprintln!("  {}{}", failure.location, failure.message);
                }
            }
            if shell.skipped > 0 {
                eprintln!(
                    "stopped at the first failure: {} not run (--continue-on-error runs the rest)",
                    plural(shell.skipped, "statement", "statements")
                );
            }
            Ok(exit_code(shell.failures.len()))
        }
    }
}

/// `--connect URI [--user NAME]`: the password from $KG_PASSWORD, else asked on the terminal.
fn connect(uri: &str, user: Option<&str>) -> anyhow::Result<kg::bolt::client::Client> {
    let password = match user {
        Some(user) => Some(match std::env::var("KG_PASSWORD") {
            Ok(password) => password,
            Err(_) => read_password(&format!("password for {user}: "))?,
        }),
        None => None,
    };
    let login = kg::bolt::client::Login {
        user: user.map(str::to_string),
        password,
    };
    Ok(kg::bolt::client::Client::connect(uri, &login)?)
}

/// Reads a line from the terminal with echo off.
fn read_password(prompt: &str) -> anyhow::Result<String> {
    use std::os::fd::AsRawFd;
    let tty = std::fs::File::open("/dev/tty")
        .context("a password is needed: set KG_PASSWORD or run kg from a terminal")?;
    let fd = tty.as_raw_fd();
    eprint!("{prompt}");
    // SAFETY: termios is plain data, read and written back for our own terminal.
    let saved = unsafe {
        let mut t: libc::termios = std::mem::zeroed();
        let ok = libc::tcgetattr(fd, &mut t) == 0;
        let saved = t;
        t.c_lflag &= !libc::ECHO;
        (ok && libc::tcsetattr(fd, libc::TCSANOW, &t) == 0).then_some(saved)
    };
    let mut line = String::new();
    let read = io::BufRead::read_line(&mut io::BufReader::new(&tty), &mut line);
    if let Some(saved) = saved {
        // SAFETY: restores the settings read above.
        unsafe { libc::tcsetattr(fd, libc::TCSANOW, &saved) };
    }
    eprintln!();
    read.context("reading the password")?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

/// `2 statements`, `1 meta-command`, or `2 statements and 1 meta-command`.
fn failure_count(failures: &[shell::Failure]) -> String {
    let meta = failures.iter().filter(|f| f.meta).count();
    let statements = failures.len() - meta;
    match (statements, meta) {
        (s, 0) => plural(s, "statement", "statements"),
        (0, m) => plural(m, "meta-command", "meta-commands"),
        (s, m) => format!(
            "{} and {}",
            plural(s, "statement", "statements"),
            plural(m, "meta-command", "meta-commands")
        ),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn exit_code(failures: usize) -> ExitCode {
    if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// -c, then -f, then a non-terminal stdin; otherwise the REPL.
fn input(args: &Args) -> anyhow::Result<Input> {
    if let Some(command) = &args.command {
        return Ok(Input::Script(Source {
            name: "<command>".into(),
            text: command.clone(),
        }));
    }
    let from_stdin = match &args.file {
        Some(path) if path.as_os_str() != "-" => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            return Ok(Input::Script(Source {
                name: path.display().to_string(),
                text,
            }));
        }
        Some(_) => true,
        None => !io::stdin().is_terminal(),
    };
    if from_stdin {
        let mut text = String::new();
        io::stdin()
            .read_to_string(&mut text)
            .context("reading the script from standard input")?;
        return Ok(Input::Script(Source {
            name: "<stdin>".into(),
            text,
        }));
    }
    if args.check {
        anyhow::bail!("--check needs a script (-f FILE, -c QUERY or standard input)");
    }
    Ok(Input::Repl)
}

/// The terminal's width: $COLUMNS, else what the terminal reports. A pty that reports no
/// size (0 columns) counts as unknown, so nothing is cut.
pub(super) fn terminal_width() -> Option<usize> {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .or_else(|| comfy_table::Table::new().width().map(usize::from))
        .filter(|w| *w >= MIN_TERMINAL_WIDTH)
}

/// Rows of the terminal on stdout: $LINES, else what the terminal reports, else 40.
pub(super) fn terminal_height() -> usize {
    std::env::var("LINES")
        .ok()
        .and_then(|l| l.parse().ok())
        .or_else(|| {
            // SAFETY: TIOCGWINSZ only writes a `winsize` into the struct we pass.
            let mut size: libc::winsize = unsafe { std::mem::zeroed() };
            let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) } == 0;
            (ok && size.ws_row > 0).then_some(usize::from(size.ws_row))
        })
        .unwrap_or(40)
}

/// Shows `text` through the pager command (`$PAGER`, run by sh so it may take flags).
pub(super) fn page(pager: &std::ffi::OsStr, text: &[u8]) -> io::Result<()> {
    let mut child = std::process::Command::new("sh")
        .arg("-c")
        .arg(pager)
        .stdin(std::process::Stdio::piped())
        .spawn()?;
    if let Some(stdin) = child.stdin.as_mut() {
        // The user may quit the pager early; a broken pipe here is not an error.
        let _ = stdin.write_all(text);
    }
    drop(child.stdin.take());
    child.wait().map(drop)
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}
