//! The Bolt server: a thread per connection over a shared `server::Database`. Each
//! connection has a second thread that only reads the socket, so a RESET or a dropped
//! connection cancels the running query at once instead of after it. Query results are
//! computed at RUN and handed out by PULL in batches of `n`.

use std::collections::VecDeque;
use std::io::{self, BufWriter, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use super::packstream::{self, PackValue};
use super::values::{self, Dialect, Encoder};
use super::{Version, msg, status_code, status_message};
use crate::error::ErrorKind;
use crate::procedure::NEO4J_COMPATIBLE_VERSION;
use crate::result::ResultSet;
use crate::server::{Connection, Database};

/// Who may connect: `None` lets anyone in (loopback only, the CLI makes sure).
#[derive(Clone)]
pub struct Credentials {
    pub user: String,
    /// Checks a password offered by a client.
    pub check: Arc<dyn Fn(&str) -> bool + Send + Sync>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({})", self.user)
    }
}

/// Limits and settings of a server.
#[derive(Debug, Clone)]
pub struct Config {
    pub credentials: Option<Credentials>,
    /// Connections open at once; more are refused with a transient error.
    pub max_connections: usize,
    /// Largest request message, in bytes.
    pub max_message_bytes: usize,
    /// Deepest nesting of lists and maps in a request.
    pub max_depth: usize,
    /// Longest a statement may run; a driver's `tx_timeout` can ask for less.
    pub query_timeout: Option<Duration>,
    /// Memory budget of each statement (`None`: no limit of its own).
    pub max_memory: Option<u64>,
    /// Memory budget of all the statements running at once, over every connection.
    pub total_memory: Option<Arc<crate::limits::SharedBudget>>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            credentials: None,
            max_connections: 256,
            max_message_bytes: 16 << 20,
            max_depth: packstream::DEFAULT_MAX_DEPTH,
            query_timeout: None,
            max_memory: crate::limits::Limits::standard().max_memory,
            total_memory: None,
        }
    }
}

/// Accepts connections on `listener` until `stop` is set, then closes every connection
/// (their running queries are cancelled and open transactions rolled back) and returns.
pub fn serve(
    listener: TcpListener,
    db: Arc<Database>,
    config: Config,
    stop: &AtomicBool,
) -> io::Result<()> {
    listener.set_nonblocking(true)?;
    let config = Arc::new(config);
    let open = Arc::new(AtomicUsize::new(0));
    let streams: Arc<Mutex<Vec<(u64, TcpStream)>>> = Arc::default();
    let mut workers = Vec::new();
    let mut next_id = 0u64;
    while !stop.load(Ordering::SeqCst) {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                wait_readable(&listener, Duration::from_millis(100));
                continue;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            // Running out of descriptors and the like: report, keep serving.
            Err(e) => {
                eprintln!("kg serve: accepting a connection failed: {e}");
                thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        next_id += 1;
        let id = next_id;
        let _ = stream.set_nonblocking(false);
        let _ = stream.set_nodelay(true);
        if let Ok(clone) = stream.try_clone()
            && let Ok(mut list) = streams.lock()
        {
            list.push((id, clone));
        }
        let over_limit = open.fetch_add(1, Ordering::SeqCst) >= config.max_connections;
        let (db, config, open, streams) =
            (db.clone(), config.clone(), open.clone(), streams.clone());
        workers.push(thread::spawn(move || {
            // A broken connection ends only itself.
            let _ = handle(stream, id, &db, &config, over_limit);
            open.fetch_sub(1, Ordering::SeqCst);
            if let Ok(mut list) = streams.lock() {
                list.retain(|(i, _)| *i != id);
            }
        }));
        workers.retain(|w| !w.is_finished());
    }
    if let Ok(list) = streams.lock() {
        for (_, stream) in list.iter() {
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
    }
    for worker in workers {
        let _ = worker.join();
    }
    Ok(())
}

/// Sleeps until `listener` has a connection waiting, or `timeout` has passed.
fn wait_readable(listener: &TcpListener, timeout: Duration) {
    use std::os::fd::AsRawFd;
    let mut fd = libc::pollfd {
        fd: listener.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd for the duration of the call.
    unsafe { libc::poll(&mut fd, 1, timeout.as_millis() as libc::c_int) };
}

/// What the reading thread hands the connection's thread.
enum Incoming {
    Message(u8, Vec<PackValue>),
    /// Bytes that are not a Bolt message, or a message over the limits.
    Garbage(String),
    Closed,
}

fn handle(
    mut stream: TcpStream,
    id: u64,
    db: &Arc<Database>,
    config: &Config,
    over_limit: bool,
) -> io::Result<()> {
    let Some(version) = super::accept_handshake(&mut stream)? else {
        return Ok(());
    };
    let local = stream.local_addr()?;
    let mut conn = db.connect();
    // Each statement under its own budget and the server's; the time limit is applied
    // per query in `run_query`, where a driver may ask for less.
    conn.session_mut().set_limits(crate::limits::Limits {
        max_memory: config.max_memory,
        timeout: None,
    });
    conn.session_mut()
        .set_shared_budget(config.total_memory.clone());
    let cancel = conn.cancel_handle();
    let interrupts = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = mpsc::channel();
    let mut reader = stream.try_clone()?;
    let reader_thread = {
        let (cancel, interrupts) = (cancel.clone(), interrupts.clone());
        let (max_bytes, max_depth) = (config.max_message_bytes, config.max_depth);
        thread::spawn(move || {
            loop {
                let incoming = match packstream::read_message(&mut reader, max_bytes) {
                    Ok(Some(bytes)) => match packstream::decode(&bytes, max_depth) {
                        Ok(PackValue::Struct(tag, fields)) => Incoming::Message(tag, fields),
                        Ok(_) => Incoming::Garbage("a message that is not a structure".into()),
                        Err(e) => Incoming::Garbage(e.to_string()),
                    },
                    Ok(None) => Incoming::Closed,
                    Err(e) => Incoming::Garbage(e.to_string()),
                };
                let last = !matches!(incoming, Incoming::Message(..));
                if last || matches!(incoming, Incoming::Message(msg::RESET, _)) {
                    // Out of band, as Neo4j does: stop what runs now.
                    if !last {
                        interrupts.fetch_add(1, Ordering::SeqCst);
                    }
                    cancel.store(true, Ordering::SeqCst);
                }
                if tx.send(incoming).is_err() || last {
                    return;
                }
            }
        })
    };
    let mut handler = Handler {
        conn,
        version,
        dialect: Dialect {
            element_ids: version.major >= 5,
            utc: version.major >= 5,
        },
        config,
        local,
        id,
        authenticated: false,
        failed: false,
        over_limit,
        interrupts,
        streams: VecDeque::new(),
        next_qid: 0,
        out: BufWriter::new(stream.try_clone()?),
        timed_out: Arc::new(AtomicBool::new(false)),
    };
    let result = handler.run(&rx);
    let _ = stream.shutdown(std::net::Shutdown::Both);
    let _ = reader_thread.join();
    result
}

/// A computed result waiting for PULL or DISCARD.
struct Pending {
    qid: i64,
    result: ResultSet,
    next_row: usize,
}

struct Handler<'a> {
    conn: Connection,
    version: Version,
    dialect: Dialect,
    config: &'a Config,
    local: SocketAddr,
    id: u64,
    authenticated: bool,
    /// After a FAILURE every request is IGNORED until RESET.
    failed: bool,
    over_limit: bool,
    /// RESETs received and not yet answered: requests before them are IGNORED.
    interrupts: Arc<AtomicUsize>,
    streams: VecDeque<Pending>,
    next_qid: i64,
    out: BufWriter<TcpStream>,
    timed_out: Arc<AtomicBool>,
}

/// A request's answer.
enum Reply {
    Success(Vec<(String, PackValue)>),
    /// RECORDs then a SUCCESS.
    Records(Vec<PackValue>, Vec<(String, PackValue)>),
    Failure(&'static str, String),
    Ignored,
    /// GOODBYE, or a failure after which the connection closes.
    Close,
}

fn meta<K: Into<String>>(
    entries: impl IntoIterator<Item = (K, PackValue)>,
) -> Vec<(String, PackValue)> {
    entries.into_iter().map(|(k, v)| (k.into(), v)).collect()
}

fn field(fields: &[PackValue], i: usize) -> &PackValue {
    fields.get(i).unwrap_or(&PackValue::Null)
}

fn ms(d: Duration) -> PackValue {
    PackValue::Int(d.as_millis() as i64)
}

impl Handler<'_> {
    fn run(&mut self, rx: &Receiver<Incoming>) -> io::Result<()> {
        loop {
            let incoming = match rx.try_recv() {
                Ok(incoming) => incoming,
                Err(_) => {
                    // Nothing queued: flush what the pipelined requests produced.
                    self.out.flush()?;
                    match rx.recv() {
                        Ok(incoming) => incoming,
                        Err(_) => return Ok(()),
                    }
                }
            };
            let (tag, fields) = match incoming {
                Incoming::Message(tag, fields) => (tag, fields),
                Incoming::Garbage(why) => {
                    let message = format!("the connection sent {why}; closing it");
                    self.write(
                        msg::FAILURE,
                        meta(self.failure("Neo.ClientError.Request.Invalid", &message)),
                    )?;
                    return self.out.flush();
                }
                Incoming::Closed => return Ok(()),
            };
            match self.request(tag, &fields) {
                Reply::Success(m) => self.write(msg::SUCCESS, m)?,
                Reply::Records(records, m) => {
                    for record in records {
                        self.write_struct(msg::RECORD, vec![record])?;
                    }
                    self.write(msg::SUCCESS, m)?;
                }
                Reply::Failure(code, message) => {
                    self.failed = true;
                    let m = self.failure(code, &message);
                    self.write(msg::FAILURE, m)?;
                    if code == "Neo.ClientError.Security.Unauthorized"
                        || code == "Neo.TransientError.Request.NoThreadsAvailable"
                    {
                        return self.out.flush();
                    }
                }
                Reply::Ignored => self.write_struct(msg::IGNORED, Vec::new())?,
                Reply::Close => return self.out.flush(),
            }
        }
    }

    fn write(&mut self, tag: u8, metadata: Vec<(String, PackValue)>) -> io::Result<()> {
        self.write_struct(tag, vec![PackValue::Map(metadata)])
    }

    fn write_struct(&mut self, tag: u8, fields: Vec<PackValue>) -> io::Result<()> {
        let mut bytes = Vec::new();
        packstream::encode(&PackValue::Struct(tag, fields), &mut bytes);
        packstream::write_message(&mut self.out, &bytes)
    }

    /// FAILURE metadata; Bolt 5.7 added the GQL fields next to the Neo4j code.
    fn failure(&self, code: &str, message: &str) -> Vec<(String, PackValue)> {
        let mut m = meta([
            ("code", PackValue::from(code)),
            ("message", PackValue::from(message)),
        ]);
        if self.version >= Version::new(5, 7) {
            let status = super::gql_status(code);
            m.extend(meta([
                ("neo4j_code", PackValue::from(code)),
                ("gql_status", PackValue::from(status)),
                ("description", PackValue::from(format!("error: {message}"))),
                (
                    "diagnostic_record",
                    PackValue::map([
                        ("OPERATION", PackValue::from("")),
                        ("OPERATION_CODE", PackValue::from("0")),
                        ("CURRENT_SCHEMA", PackValue::from("/")),
                    ]),
                ),
            ]));
        }
        m
    }

    fn request(&mut self, tag: u8, fields: &[PackValue]) -> Reply {
        if tag == msg::RESET {
            self.interrupts.fetch_sub(1, Ordering::SeqCst);
            self.reset();
            return Reply::Success(Vec::new());
        }
        if tag == msg::GOODBYE {
            return Reply::Close;
        }
        if self.interrupts.load(Ordering::SeqCst) > 0 || self.failed {
            return Reply::Ignored;
        }
        if self.over_limit {
            return Reply::Failure(
                "Neo.TransientError.Request.NoThreadsAvailable",
                format!(
                    "the server already serves its limit of {} connections; try again later",
                    self.config.max_connections
                ),
            );
        }
        let extra = field(fields, 0);
        match tag {
            msg::HELLO => self.hello(extra),
            msg::LOGON => self.logon(extra),
            msg::LOGOFF => {
                self.authenticated = false;
                Reply::Success(Vec::new())
            }
            _ if !self.authenticated => Reply::Failure(
                "Neo.ClientError.Security.Unauthorized",
                "authenticate first (HELLO/LOGON)".into(),
            ),
            msg::RUN => self.run_query(fields),
            msg::PULL => self.pull(extra, true),
            msg::DISCARD => self.pull(extra, false),
            msg::BEGIN => self.begin(extra),
            msg::COMMIT => match self.conn.commit() {
                Ok(_) => {
                    self.streams.clear();
                    Reply::Success(meta([(
                        "bookmark",
                        PackValue::from(self.conn.database().bookmark()),
                    )]))
                }
                Err(e) => Reply::Failure("Neo.ClientError.Request.Invalid", e.message),
            },
            msg::ROLLBACK => match self.conn.rollback() {
                Ok(_) => {
                    self.streams.clear();
                    Reply::Success(Vec::new())
                }
                Err(e) => Reply::Failure("Neo.ClientError.Request.Invalid", e.message),
            },
            msg::ROUTE => self.route(),
            msg::TELEMETRY => Reply::Success(Vec::new()),
            other => Reply::Failure(
                "Neo.ClientError.Request.Invalid",
                format!(
                    "message 0x{other:02X} is not a Bolt {} request",
                    self.version
                ),
            ),
        }
    }

    /// RESET: forget results and failure, roll back an open transaction.
    fn reset(&mut self) {
        self.failed = false;
        self.streams.clear();
        if self.conn.in_transaction() {
            let _ = self.conn.rollback();
        }
    }

    fn hello(&mut self, extra: &PackValue) -> Reply {
        if !self.version.has_logon()
            && let Reply::Failure(code, message) = self.logon(extra)
        {
            return Reply::Failure(code, message);
        }
        let utc_patch = self.version.major == 4
            && matches!(extra.get("patch_bolt"), Some(PackValue::List(p)) if p.iter().any(|x| x.as_str() == Some("utc")));
        let mut m = meta([
            (
                "server",
                PackValue::from(format!("Neo4j/{NEO4J_COMPATIBLE_VERSION}")),
            ),
            (
                "connection_id",
                PackValue::from(format!("bolt-{}", self.id)),
            ),
            ("hints", PackValue::Map(Vec::new())),
        ]);
        if utc_patch {
            self.dialect.utc = true;
            m.push(("patch_bolt".into(), PackValue::List(vec!["utc".into()])));
        }
        Reply::Success(m)
    }

    fn logon(&mut self, auth: &PackValue) -> Reply {
        let Some(credentials) = &self.config.credentials else {
            self.authenticated = true;
            return Reply::Success(Vec::new());
        };
        let scheme = auth.get("scheme").and_then(PackValue::as_str);
        let user = auth.get("principal").and_then(PackValue::as_str);
        let password = auth.get("credentials").and_then(PackValue::as_str);
        if scheme == Some("basic")
            && user == Some(credentials.user.as_str())
            && password.is_some_and(|p| (credentials.check)(p))
        {
            self.authenticated = true;
            return Reply::Success(Vec::new());
        }
        Reply::Failure(
            "Neo.ClientError.Security.Unauthorized",
            "the client is unauthorized due to authentication failure".into(),
        )
    }

    /// The database a request names: kg serves one, under Neo4j's default name.
    fn check_db(extra: &PackValue) -> Result<(), Reply> {
        match extra.get("db").and_then(PackValue::as_str) {
            None | Some("" | "neo4j") => Ok(()),
            Some(other) => Err(Reply::Failure(
                "Neo.ClientError.Database.DatabaseNotFound",
                format!("database `{other}` does not exist; kg serves one graph, called `neo4j`"),
            )),
        }
    }

    fn begin(&mut self, extra: &PackValue) -> Reply {
        if let Err(reply) = Self::check_db(extra) {
            return reply;
        }
        match self.conn.begin() {
            Ok(()) => {
                self.streams.clear();
                self.next_qid = 0;
                Reply::Success(Vec::new())
            }
            Err(e) => Reply::Failure("Neo.ClientError.Request.Invalid", e.message),
        }
    }

    fn route(&self) -> Reply {
        let address = PackValue::List(vec![PackValue::from(self.local.to_string())]);
        let server = |role: &str| {
            PackValue::map([
                ("addresses", address.clone()),
                ("role", PackValue::from(role)),
            ])
        };
        Reply::Success(meta([(
            "rt",
            PackValue::map([
                ("ttl", PackValue::Int(300)),
                ("db", PackValue::from("neo4j")),
                (
                    "servers",
                    PackValue::List(vec![server("ROUTE"), server("READ"), server("WRITE")]),
                ),
            ]),
        )]))
    }

    fn run_query(&mut self, fields: &[PackValue]) -> Reply {
        let started = Instant::now();
        let Some(query) = field(fields, 0).as_str().map(str::to_string) else {
            return Reply::Failure(
                "Neo.ClientError.Request.Invalid",
                "RUN needs a query string".into(),
            );
        };
        let extra = field(fields, 2);
        if let Err(reply) = Self::check_db(extra) {
            return reply;
        }
        let session = self.conn.session_mut();
        session.clear_params();
        if let PackValue::Map(params) = field(fields, 1) {
            for (name, value) in params {
                match values::to_param(value) {
                    Ok(v) => session.set_param(name.clone(), v),
                    Err(e) => {
                        return Reply::Failure(
                            "Neo.ClientError.Statement.TypeError",
                            format!("parameter `${name}`: {e}"),
                        );
                    }
                }
            }
        }
        let timeout = match extra.get("tx_timeout").and_then(PackValue::as_int) {
            Some(ms) if ms > 0 => {
                let asked = Duration::from_millis(ms as u64);
                Some(self.config.query_timeout.map_or(asked, |t| t.min(asked)))
            }
            _ => self.config.query_timeout,
        };
        let outcome = self.with_timeout(timeout, |conn| conn.run(&query));
        let result = match outcome {
            Ok(result) => result,
            Err(err) => {
                let code =
                    if err.kind == ErrorKind::Cancelled && self.timed_out.load(Ordering::SeqCst) {
                        "Neo.ClientError.Transaction.TransactionTimedOut"
                    } else {
                        status_code(&err)
                    };
                let message = match code {
                    "Neo.ClientError.Transaction.TransactionTimedOut" => format!(
                        "the query ran longer than its timeout of {} ms and was stopped",
                        timeout.unwrap_or_default().as_millis()
                    ),
                    _ => status_message(&err, &query),
                };
                return Reply::Failure(code, message);
            }
        };
        let fields = PackValue::List(
            result
                .columns
                .iter()
                .map(|c| PackValue::from(c.as_str()))
                .collect(),
        );
        let mut m = meta([("fields", fields), ("t_first", ms(started.elapsed()))]);
        let qid = self.next_qid;
        if self.conn.in_transaction() {
            self.next_qid += 1;
            m.push(("qid".into(), PackValue::Int(qid)));
        } else {
            self.streams.clear();
        }
        self.streams.push_back(Pending {
            qid,
            result,
            next_row: 0,
        });
        Reply::Success(m)
    }

    /// Runs `f`, cancelling it once `timeout` has passed.
    fn with_timeout<R>(
        &mut self,
        timeout: Option<Duration>,
        f: impl FnOnce(&mut Connection) -> R,
    ) -> R {
        self.timed_out.store(false, Ordering::SeqCst);
        let Some(timeout) = timeout else {
            return f(&mut self.conn);
        };
        let (done, wait) = mpsc::channel::<()>();
        let (cancel, fired) = (self.conn.cancel_handle(), self.timed_out.clone());
        let timer = thread::spawn(move || {
            if wait.recv_timeout(timeout) == Err(RecvTimeoutError::Timeout) {
                fired.store(true, Ordering::SeqCst);
                cancel.store(true, Ordering::SeqCst);
            }
        });
        let result = f(&mut self.conn);
        drop(done);
        let _ = timer.join();
        result
    }

    /// PULL (or DISCARD) `n` records of result `qid` (-1: the latest).
    fn pull(&mut self, extra: &PackValue, send: bool) -> Reply {
        let n = extra.get("n").and_then(PackValue::as_int).unwrap_or(-1);
        let qid = extra.get("qid").and_then(PackValue::as_int).unwrap_or(-1);
        let position = if qid == -1 {
            self.streams.len().checked_sub(1)
        } else {
            self.streams.iter().position(|p| p.qid == qid)
        };
        let Some(position) = position else {
            return Reply::Failure(
                "Neo.ClientError.Request.Invalid",
                "there is no result to pull (RUN a query first)".into(),
            );
        };
        let pending = &mut self.streams[position];
        let started = Instant::now();
        let left = pending.result.rows.len() - pending.next_row;
        let take = if n < 0 { left } else { left.min(n as usize) };
        let range = pending.next_row..pending.next_row + take;
        pending.next_row += take;
        let encoder = Encoder {
            result: &pending.result,
            dialect: self.dialect,
        };
        let records = if send {
            pending.result.rows[range]
                .iter()
                .map(|row| PackValue::List(row.iter().map(|v| encoder.value(v)).collect()))
                .collect()
        } else {
            Vec::new()
        };
        let more = send && pending.next_row < pending.result.rows.len();
        if more {
            return Reply::Records(records, meta([("has_more", PackValue::Bool(true))]));
        }
        let done = self
            .streams
            .remove(position)
            .map(|p| p.result)
            .unwrap_or_default();
        let mut m = meta([
            ("t_last", ms(started.elapsed())),
            ("type", PackValue::from(query_type(&done))),
            ("db", PackValue::from("neo4j")),
        ]);
        if !done.stats.is_empty() {
            let mut stats: Vec<(String, PackValue)> = done
                .stats
                .entries()
                .into_iter()
                .filter(|(_, n)| *n > 0)
                .map(|(name, n)| (name.replace('_', "-"), PackValue::Int(n as i64)))
                .collect();
            stats.push(("contains-updates".into(), PackValue::Bool(true)));
            m.push(("stats".into(), PackValue::Map(stats)));
        }
        if !self.conn.in_transaction() {
            m.push((
                "bookmark".into(),
                PackValue::from(self.conn.database().bookmark()),
            ));
        }
        Reply::Records(records, m)
    }
}

/// Neo4j's query type: read, write, read-write.
fn query_type(result: &ResultSet) -> &'static str {
    match (result.stats.is_empty(), result.columns.is_empty()) {
        (true, _) => "r",
        (false, true) => "w",
        (false, false) => "rw",
    }
}
