//! `kg serve`: loads the graph, checks the address against the credentials, and serves it
//! over Bolt until SIGINT or SIGTERM (then open transactions are rolled back and it exits
//! 0), or over HTTP with `--http` (see `kg::http`); and `open_in_browser` for `:view`.

use std::net::{TcpListener, ToSocketAddrs};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, bail};
use kg::Session;
use kg::bolt::server::{self, Config, Credentials};
use kg::server::Database;
use sha2::{Digest, Sha256};

use super::args::ServeArgs;
use super::data;

/// Runs `kg serve` until the process is stopped.
pub fn run(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    match args.http {
        Some(addr) => run_http(args, addr),
        None => run_bolt(args),
    }
}

/// Set by SIGINT/SIGTERM; the accept loop polls it.
static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_signal: libc::c_int) {
    // Only an atomic store: safe in a signal handler.
    STOP.store(true, Ordering::SeqCst);
}

fn run_bolt(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let listen = args.bolt_address();
    let credentials = credentials(args.auth_file.as_deref())?;
    let addresses: Vec<_> = listen
        .to_socket_addrs()
        .with_context(|| format!("--listen {listen}: not an address (e.g. 127.0.0.1:7687)"))?
        .collect();
    let loopback = addresses.iter().all(|a| a.ip().is_loopback());
    if !loopback && credentials.is_none() {
        bail!(
            "--listen {listen} is reachable from other machines, so clients must log in: give \
             --auth-file FILE (a line user:sha256:SALT:HEX) or KG_AUTH=user:password"
        );
    }
    let graph = data::initial_graph(args.empty, &args.data)?;
    let listener =
        TcpListener::bind(&addresses[..]).with_context(|| format!("listening on {listen}"))?;
    let local = listener.local_addr()?;
    let db = Database::new(graph);
    let (nodes, rels) = db.read(|g| (g.node_count(), g.rel_count()));
    println!("kg serve: listening on bolt://{local} ({nodes} nodes, {rels} relationships)");
    // SAFETY: installs a handler that only stores to an atomic.
    unsafe {
        let handler = on_signal as extern "C" fn(libc::c_int);
        libc::signal(libc::SIGINT, handler as libc::sighandler_t);
        libc::signal(libc::SIGTERM, handler as libc::sighandler_t);
    }
    let config = Config {
        credentials,
        max_connections: args.max_connections,
        max_message_bytes: args.max_message_bytes,
        query_timeout: args.query_timeout,
        max_memory: args.statement_limits().max_memory,
        total_memory: args.total_budget(),
        ..Config::default()
    };
    server::serve(listener, db, config, &STOP)?;
    eprintln!("kg serve: stopped");
    Ok(ExitCode::SUCCESS)
}

/// From --auth-file, else $KG_AUTH (`user:password`), else none.
fn credentials(file: Option<&Path>) -> anyhow::Result<Option<Credentials>> {
    if let Some(path) = file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading --auth-file {}", path.display()))?;
        let line = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'));
        let parts: Vec<&str> = line.unwrap_or_default().split(':').collect();
        let [user, "sha256", salt, hex] = parts[..] else {
            bail!(
                "{}: expected a line user:sha256:SALT:HEX, HEX the SHA-256 of SALT then the \
                 password (e.g. printf '%s%s' SALT PASSWORD | sha256sum)",
                path.display()
            );
        };
        let (salt, expected) = (salt.to_string(), hex.to_ascii_lowercase());
        let check = move |password: &str| {
            let digest = Sha256::digest(format!("{salt}{password}"));
            let actual: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            // Compared in full, whatever the first difference.
            actual.len() == expected.len()
                && actual
                    .bytes()
                    .zip(expected.bytes())
                    .fold(0, |d, (a, b)| d | (a ^ b))
                    == 0
        };
        return Ok(Some(Credentials {
            user: user.to_string(),
            check: Arc::new(check),
        }));
    }
    let Ok(auth) = std::env::var("KG_AUTH") else {
        return Ok(None);
    };
    let Some((user, password)) = auth.split_once(':') else {
        bail!("KG_AUTH must be user:password");
    };
    let password = password.to_string();
    Ok(Some(Credentials {
        user: user.to_string(),
        check: Arc::new(move |offered: &str| offered == password),
    }))
}

/// `kg serve --http ADDR`: the workspace page and Neo4j's Query API.
fn run_http(args: &ServeArgs, addr: std::net::SocketAddr) -> anyhow::Result<ExitCode> {
    let credentials = match (args.user.clone(), std::env::var("KG_PASSWORD").ok()) {
        (Some(user), Some(password)) if !password.is_empty() => {
            Some(kg::http::Credentials { user, password })
        }
        (Some(_), _) => bail!("--user needs the password in $KG_PASSWORD"),
        (None, _) => None,
    };
    if !addr.ip().is_loopback() && credentials.is_none() {
        bail!(
            "{addr} is reachable from other machines: give --user NAME and the password in \
             $KG_PASSWORD, or serve on 127.0.0.1"
        );
    }
    let graph = data::initial_graph(args.empty, &args.data)?;
    let listener = TcpListener::bind(addr).with_context(|| format!("listening on {addr}"))?;
    let local = listener.local_addr().unwrap_or(addr);
    let mut session = Session::with_graph(graph);
    // Statements run one at a time here, each under these limits and the total budget.
    session.set_limits(args.statement_limits());
    session.set_shared_budget(args.total_budget());
    let session = kg::http::share(session);
    eprintln!(
        "kg: workspace at http://{local}/ (Query API: POST http://{local}/db/neo4j/query/v2)"
    );
    kg::http::serve(
        listener,
        session,
        kg::http::Config { credentials },
        Arc::new(AtomicBool::new(false)),
    )
    .context("serving HTTP")?;
    Ok(ExitCode::SUCCESS)
}

/// Opens `path` in a browser when there is a desktop to show it on: `$BROWSER` (the first of
/// its `:`-separated commands) or the desktop's opener. Without one the printed path is all.
pub fn open_in_browser(path: &Path) {
    let desktop = cfg!(target_os = "macos")
        || std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty())
        || std::env::var_os("WAYLAND_DISPLAY").is_some_and(|d| !d.is_empty());
    if !desktop {
        return;
    }
    let browser = std::env::var("BROWSER").ok().and_then(|b| {
        b.split(':')
            .map(str::trim)
            .find(|c| !c.is_empty())
            .map(str::to_string)
    });
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let mut command = match &browser {
        // `%s` marks where the page goes, as in the $BROWSER convention.
        Some(b) if b.contains("%s") => {
            let quoted = format!("'{}'", path.display().to_string().replace('\'', "'\\''"));
            let line = b.replace("%s", &quoted);
            let mut c = std::process::Command::new("sh");
            c.arg("-c").arg(line);
            c
        }
        Some(b) => {
            let mut c = std::process::Command::new(b);
            c.arg(path);
            c
        }
        None => {
            let mut c = std::process::Command::new(opener);
            c.arg(path);
            c
        }
    };
    let spawned = command
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(e) = spawned {
        eprintln!("could not open a browser ({e}); open the file yourself");
    }
}
