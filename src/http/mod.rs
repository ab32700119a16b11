//! kg over HTTP: Neo4j's Query API (`POST /db/{name}/query/v2`, JSON in and out) and the
//! browser workspace page (`GET /`) with the two small endpoints it needs beside the API
//! (`POST /kg/view`: a result as the page draws it, `GET /kg/words`: completion words).
//!
//! One `SharedSession` is the whole shared state, so another listener (Bolt) can serve the
//! same graph beside this one. Requests are handled on their own threads (at most
//! `MAX_IN_FLIGHT` at once); statements run one at a time under the session's lock. The
//! server answers bad input with a 4xx JSON error and never stops on it. It speaks plain
//! HTTP: put it behind a TLS proxy, or keep it on loopback (the command line's default).

mod query;

use std::io::{self, Read};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use base64::Engine;
use serde_json::{Value as Json, json};
use tiny_http::{Header, Method, Request, Response};

use crate::Session;

pub use query::{error_json, json_to_value, run_query};

/// The state every listener shares: one session (graph and parameters) behind a lock.
pub type SharedSession = Arc<Mutex<Session>>;

/// Wraps a session for sharing between listeners.
pub fn share(session: Session) -> SharedSession {
    Arc::new(Mutex::new(session))
}

/// Locks the session; a handler that panicked while holding it leaves the session usable.
pub(crate) fn lock(session: &SharedSession) -> MutexGuard<'_, Session> {
    session
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Request bodies larger than this are refused (413): a statement is text, not a data load.
pub const MAX_BODY: usize = 1 << 20;

/// Requests handled at once; more get 503 until one ends.
pub const MAX_IN_FLIGHT: usize = 32;

/// A user name and password that every request must carry (HTTP Basic authentication).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub user: String,
    pub password: String,
}

/// How the server answers.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Required credentials; `None` lets every request in (for loopback only).
    pub credentials: Option<Credentials>,
}

/// The workspace page, with the shared view script, its style and cytoscape.js inlined.
pub fn workspace_page() -> String {
    include_str!("workspace.html")
        .replace("/*KG-CSS*/", crate::view::VIEW_CSS)
        .replace("/*KG-WORKSPACE-CSS*/", include_str!("workspace.css"))
        .replace(
            "/*KG-CYTOSCAPE*/",
            &crate::view::script_text(crate::view::CYTOSCAPE_JS),
        )
        .replace("/*KG-VIEW-JS*/", crate::view::VIEW_JS)
        .replace("/*KG-WORKSPACE-JS*/", include_str!("workspace.js"))
}

/// Serves HTTP on `listener` until `shutdown` is set (checked every 100 ms).
pub fn serve(
    listener: TcpListener,
    session: SharedSession,
    config: Config,
    shutdown: Arc<AtomicBool>,
) -> io::Result<()> {
    let server = tiny_http::Server::from_listener(listener, None).map_err(io::Error::other)?;
    let page: Arc<str> = workspace_page().into();
    let config = Arc::new(config);
    let in_flight = Arc::new(AtomicUsize::new(0));
    while !shutdown.load(Ordering::Relaxed) {
        let Some(request) = server.recv_timeout(Duration::from_millis(100))? else {
            continue;
        };
        if in_flight.fetch_add(1, Ordering::AcqRel) >= MAX_IN_FLIGHT {
            in_flight.fetch_sub(1, Ordering::AcqRel);
            respond(
                request,
                503,
                &error_body(
                    "Neo.TransientError.General.Busy",
                    "too many requests at once",
                ),
            );
            continue;
        }
        let (session, config, page, in_flight) = (
            session.clone(),
            config.clone(),
            page.clone(),
            in_flight.clone(),
        );
        std::thread::spawn(move || {
            handle(request, &session, &config, &page);
            in_flight.fetch_sub(1, Ordering::AcqRel);
        });
    }
    Ok(())
}

/// `{"errors":[{"code":..,"message":..}]}`, the Query API's error shape.
fn error_body(code: &str, message: &str) -> Json {
    json!({"errors": [{"code": code, "message": message}]})
}

fn respond(request: Request, status: u16, body: &Json) {
    let response = Response::from_string(body.to_string())
        .with_status_code(status)
        .with_header(header("Content-Type", "application/json"));
    // The client may have gone; nothing to tell it then.
    let _ = request.respond(response);
}

fn header(name: &'static str, value: &'static str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("our headers are plain ASCII")
}

/// Whether the request carries the configured credentials (or none are required).
fn authorized(request: &Request, config: &Config) -> bool {
    let Some(credentials) = &config.credentials else {
        return true;
    };
    let expected = base64::engine::general_purpose::STANDARD
        .encode(format!("{}:{}", credentials.user, credentials.password));
    request.headers().iter().any(|h| {
        h.field.equiv("Authorization")
            && h.value
                .as_str()
                .strip_prefix("Basic ")
                .is_some_and(|given| given.trim() == expected)
    })
}

/// Reads a JSON body of at most `MAX_BODY` bytes; the error is the status and answer to send.
fn read_json(request: &mut Request) -> Result<Json, (u16, Json)> {
    let too_large = || {
        (
            413,
            error_body(
                "Neo.ClientError.Request.Invalid",
                &format!("the request body is larger than {MAX_BODY} bytes"),
            ),
        )
    };
    if request.body_length().is_some_and(|n| n > MAX_BODY) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    let read = request
        .as_reader()
        .take(MAX_BODY as u64 + 1)
        .read_to_end(&mut body);
    if let Err(e) = read {
        return Err((
            400,
            error_body(
                "Neo.ClientError.Request.Invalid",
                &format!("cannot read the body: {e}"),
            ),
        ));
    }
    if body.len() > MAX_BODY {
        return Err(too_large());
    }
    serde_json::from_slice(&body).map_err(|e| {
        (
            400,
            error_body(
                "Neo.ClientError.Request.InvalidFormat",
                &format!(
                    "the body is not JSON ({e}); send {{\"statement\": \"...\", \"parameters\": {{...}}}}"
                ),
            ),
        )
    })
}

fn handle(mut request: Request, session: &SharedSession, config: &Config, page: &str) {
    if !authorized(&request, config) {
        let response = Response::from_string(
            error_body(
                "Neo.ClientError.Security.Unauthorized",
                "this server needs a user name and password (HTTP Basic authentication)",
            )
            .to_string(),
        )
        .with_status_code(401)
        .with_header(header("Content-Type", "application/json"))
        .with_header(header("WWW-Authenticate", "Basic realm=\"kg\""));
        let _ = request.respond(response);
        return;
    }
    let url = request.url().to_string();
    let path = url.split('?').next().unwrap_or("");
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let method = request.method().clone();
    match (&method, segments.as_slice()) {
        (Method::Get, []) | (Method::Get, ["browser"]) => {
            let response = Response::from_string(page)
                .with_header(header("Content-Type", "text/html; charset=utf-8"))
                // The page needs nothing from elsewhere; the browser is told to fetch nothing.
                .with_header(header(
                    "Content-Security-Policy",
                    "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:",
                ));
            let _ = request.respond(response);
        }
        (Method::Get, ["kg", "words"]) => {
            let words = query::words(&lock(session));
            respond(request, 200, &words);
        }
        (Method::Post, ["db", name, "query", "v2"]) => {
            if !matches!(*name, "neo4j" | "kg") {
                let message = format!("no database `{name}`: kg serves one, as `neo4j` (or `kg`)");
                respond(
                    request,
                    404,
                    &error_body("Neo.ClientError.Database.DatabaseNotFound", &message),
                );
                return;
            }
            match read_json(&mut request) {
                Ok(body) => {
                    let (status, answer) = query::query_api(session, &body);
                    respond(request, status, &answer);
                }
                Err((status, answer)) => respond(request, status, &answer),
            }
        }
        (Method::Post, ["kg", "view"]) => match read_json(&mut request) {
            Ok(body) => {
                let (status, answer) = query::view(session, &body);
                respond(request, status, &answer);
            }
            Err((status, answer)) => respond(request, status, &answer),
        },
        (_, ["db", _, "query", "v2"]) | (_, ["kg", "view"]) => respond(
            request,
            405,
            &error_body("Neo.ClientError.Request.Invalid", "use POST"),
        ),
        _ => respond(
            request,
            404,
            &error_body(
                "Neo.ClientError.Request.Invalid",
                &format!(
                    "no such endpoint: {method} {path} (the Query API is POST /db/neo4j/query/v2)"
                ),
            ),
        ),
    }
}
