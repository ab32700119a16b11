//! `kg serve`: loads the graph, checks the address against the credentials, and serves
//! Bolt until SIGINT or SIGTERM (then open transactions are rolled back and it exits 0).

use std::net::{TcpListener, ToSocketAddrs};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, bail};
use kg::bolt::server::{self, Config, Credentials};
use kg::server::Database;
use sha2::{Digest, Sha256};

use super::args::ServeArgs;
use super::data;

/// Set by SIGINT/SIGTERM; the accept loop polls it.
static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_signal: libc::c_int) {
    // Only an atomic store: safe in a signal handler.
    STOP.store(true, Ordering::SeqCst);
}

pub fn run(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let credentials = credentials(args.auth_file.as_deref())?;
    let addresses: Vec<_> = args
        .listen
        .to_socket_addrs()
        .with_context(|| {
            format!(
                "--listen {}: not an address (e.g. 127.0.0.1:7687)",
                args.listen
            )
        })?
        .collect();
    let loopback = addresses.iter().all(|a| a.ip().is_loopback());
    if !loopback && credentials.is_none() {
        bail!(
            "--listen {} is reachable from other machines, so clients must log in: give \
             --auth-file FILE (a line user:sha256:SALT:HEX) or KG_AUTH=user:password",
            args.listen
        );
    }
    let graph = data::initial_graph(args.empty, &args.data)?;
    let listener = TcpListener::bind(&addresses[..])
        .with_context(|| format!("listening on {}", args.listen))?;
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
