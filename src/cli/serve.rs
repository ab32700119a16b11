//! `kg serve`: starts the listeners over one shared session (the library does the serving,
//! see `kg::http`), and `open_in_browser` for `:view`.

use std::net::TcpListener;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use anyhow::Context;
use kg::Session;
use kg::http::{Config, Credentials};

use super::args::ServeArgs;
use super::data;

/// Runs `kg serve` until the process is stopped.
pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let Some(addr) = args.http else {
        anyhow::bail!("kg serve needs a listener: --http ADDR (e.g. --http 127.0.0.1:7474)");
    };
    let credentials = match (args.user, std::env::var("KG_PASSWORD").ok()) {
        (Some(user), Some(password)) if !password.is_empty() => {
            Some(Credentials { user, password })
        }
        (Some(_), _) => anyhow::bail!("--user needs the password in $KG_PASSWORD"),
        (None, _) => None,
    };
    if !addr.ip().is_loopback() && credentials.is_none() {
        anyhow::bail!(
            "{addr} is reachable from other machines: give --user NAME and the password in \
             $KG_PASSWORD, or serve on 127.0.0.1"
        );
    }
    let graph = data::initial_graph(args.empty, &args.data)?;
    let listener = TcpListener::bind(addr).with_context(|| format!("listening on {addr}"))?;
    let local = listener.local_addr().unwrap_or(addr);
    let session = kg::http::share(Session::with_graph(graph));
    eprintln!(
        "kg: workspace at http://{local}/ (Query API: POST http://{local}/db/neo4j/query/v2)"
    );
    kg::http::serve(
        listener,
        session,
        Config { credentials },
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
