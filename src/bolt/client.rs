//! A small Bolt client, for `kg --connect`: runs statements on a remote server (kg serve,
//! Neo4j, Memgraph, FalkorDB, ...) and returns `ResultSet`s, so the shell formats remote
//! results as it does local ones. Remote errors come back as `QueryError`s whose kind is
//! read from the Neo4j status code.

use std::io::{self, BufReader, BufWriter, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Instant;

use super::packstream::{self, PackValue};
use super::values::{self, Dialect};
use super::{Version, msg};
use crate::error::{ErrorKind, Phase, QueryError};
use crate::result::{ResultSet, Stats};
use crate::value::Params;

/// Why connecting failed.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("`{0}` is not a bolt:// or neo4j:// URI (e.g. bolt://localhost:7687)")]
    BadUri(String),
    #[error("{0} needs TLS, which kg does not speak; use bolt:// or neo4j://")]
    Tls(String),
    #[error("connecting to {0}: {1}")]
    Io(String, io::Error),
    #[error("{0} speaks no Bolt version kg knows (kg speaks 4.4 and 5.0-5.8)")]
    NoVersion(String),
    #[error("{0} refused the login: {1}")]
    Refused(String, String),
}

/// A connection to a Bolt server.
pub struct Client {
    reader: BufReader<TcpStream>,
    writer: BufWriter<TcpStream>,
    version: Version,
    address: String,
    server: String,
}

/// How to log in.
#[derive(Debug, Clone, Default)]
pub struct Login {
    pub user: Option<String>,
    pub password: Option<String>,
}

/// `host:port` of a `bolt://` or `neo4j://` URI (port 7687 when omitted).
pub fn parse_uri(uri: &str) -> Result<String, ConnectError> {
    let (scheme, rest) = uri
        .split_once("://")
        .ok_or_else(|| ConnectError::BadUri(uri.to_string()))?;
    match scheme {
        "bolt" | "neo4j" => {}
        "bolt+s" | "bolt+ssc" | "neo4j+s" | "neo4j+ssc" => {
            return Err(ConnectError::Tls(uri.to_string()));
        }
        _ => return Err(ConnectError::BadUri(uri.to_string())),
    }
    let host = rest.split(['/', '?']).next().unwrap_or_default();
    if host.is_empty() {
        return Err(ConnectError::BadUri(uri.to_string()));
    }
    let has_port = host
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
        && !host.ends_with(']');
    Ok(if has_port {
        host.to_string()
    } else {
        format!("{host}:7687")
    })
}

/// One response message.
enum Response {
    Success(PackValue),
    Record(Vec<PackValue>),
    Failure(PackValue),
    Ignored,
}

impl Client {
    /// Connects to `uri` and logs in. A `neo4j://` URI is served by the server it names
    /// (kg does not follow routing tables).
    pub fn connect(uri: &str, login: &Login) -> Result<Client, ConnectError> {
        let address = parse_uri(uri)?;
        let io_err = |e| ConnectError::Io(address.clone(), e);
        let addrs: Vec<_> = address.to_socket_addrs().map_err(io_err)?.collect();
        let stream = TcpStream::connect(&addrs[..]).map_err(io_err)?;
        let _ = stream.set_nodelay(true);
        let mut raw = stream.try_clone().map_err(io_err)?;
        let version = super::offer_handshake(&mut raw)
            .map_err(io_err)?
            .ok_or_else(|| ConnectError::NoVersion(address.clone()))?;
        let mut client = Client {
            reader: BufReader::new(stream.try_clone().map_err(io_err)?),
            writer: BufWriter::new(stream),
            version,
            address: address.clone(),
            server: String::new(),
        };
        let agent = format!("kg/{}", env!("CARGO_PKG_VERSION"));
        let auth = match (&login.user, &login.password) {
            (Some(user), password) => vec![
                ("scheme".to_string(), PackValue::from("basic")),
                ("principal".to_string(), PackValue::from(user.as_str())),
                (
                    "credentials".to_string(),
                    PackValue::from(password.clone().unwrap_or_default()),
                ),
            ],
            (None, _) => vec![("scheme".to_string(), PackValue::from("none"))],
        };
        let mut hello = vec![("user_agent".to_string(), PackValue::from(agent.as_str()))];
        if version >= Version::new(5, 3) {
            hello.push((
                "bolt_agent".into(),
                PackValue::map([("product", PackValue::from(agent.as_str()))]),
            ));
        }
        if version.major == 4 {
            hello.push(("patch_bolt".into(), PackValue::List(vec!["utc".into()])));
        }
        if !version.has_logon() {
            hello.extend(auth.clone());
        }
        let refused = |e: QueryError| ConnectError::Refused(address.clone(), e.message);
        let m = client
            .request(msg::HELLO, vec![PackValue::Map(hello)])
            .map_err(refused)?;
        client.server = m
            .get("server")
            .and_then(PackValue::as_str)
            .unwrap_or("a Bolt server")
            .to_string();
        if version.has_logon() {
            client
                .request(msg::LOGON, vec![PackValue::Map(auth)])
                .map_err(refused)?;
        }
        Ok(client)
    }

    /// The server's agent string, e.g. `Neo4j/5.26.0`.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// `host:port` connected to.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The negotiated protocol version.
    pub fn version(&self) -> Version {
        self.version
    }

    fn dialect(&self) -> Dialect {
        Dialect {
            element_ids: self.version.major >= 5,
            utc: true,
        }
    }

    fn send(&mut self, tag: u8, fields: Vec<PackValue>) -> io::Result<()> {
        let mut bytes = Vec::new();
        packstream::encode(&PackValue::Struct(tag, fields), &mut bytes);
        packstream::write_message(&mut self.writer, &bytes)
    }

    fn receive(&mut self) -> Result<Response, QueryError> {
        let bytes = packstream::read_message(&mut self.reader, usize::MAX)
            .map_err(|e| connection_error(&e.to_string()))?
            .ok_or_else(|| connection_error("the server closed the connection"))?;
        let value =
            packstream::decode(&bytes, 1024).map_err(|e| connection_error(&e.to_string()))?;
        let PackValue::Struct(tag, mut fields) = value else {
            return Err(connection_error(
                "the server sent a message that is not a structure",
            ));
        };
        let first = if fields.is_empty() {
            PackValue::Null
        } else {
            fields.swap_remove(0)
        };
        Ok(match tag {
            msg::SUCCESS => Response::Success(first),
            msg::RECORD => match first {
                PackValue::List(values) => Response::Record(values),
                _ => return Err(connection_error("a RECORD without a list")),
            },
            msg::FAILURE => Response::Failure(first),
            msg::IGNORED => Response::Ignored,
            other => {
                return Err(connection_error(&format!(
                    "unexpected message 0x{other:02X}"
                )));
            }
        })
    }

    /// Sends one request and reads its summary.
    fn request(&mut self, tag: u8, fields: Vec<PackValue>) -> Result<PackValue, QueryError> {
        self.send(tag, fields)
            .map_err(|e| connection_error(&e.to_string()))?;
        self.flush()?;
        match self.receive()? {
            Response::Success(m) => Ok(m),
            Response::Failure(m) => {
                let err = remote_error(&m);
                self.recover()?;
                Err(err)
            }
            _ => Err(connection_error("an unexpected response")),
        }
    }

    fn flush(&mut self) -> Result<(), QueryError> {
        self.writer
            .flush()
            .map_err(|e| connection_error(&e.to_string()))
    }

    /// After a FAILURE the server ignores everything until RESET.
    fn recover(&mut self) -> Result<(), QueryError> {
        self.send(msg::RESET, Vec::new())
            .map_err(|e| connection_error(&e.to_string()))?;
        self.flush()?;
        loop {
            match self.receive()? {
                Response::Success(_) => return Ok(()),
                Response::Failure(m) => return Err(remote_error(&m)),
                _ => {}
            }
        }
    }

    /// Runs one statement with `params` and fetches every row.
    pub fn run(&mut self, query: &str, params: &Params) -> Result<ResultSet, QueryError> {
        let started = Instant::now();
        let encoder = values::Encoder {
            result: &ResultSet::default(),
            dialect: self.dialect(),
        };
        let params = PackValue::Map(
            params
                .iter()
                .map(|(k, v)| (k.clone(), encoder.value(v)))
                .collect(),
        );
        let io = |e: io::Error| connection_error(&e.to_string());
        self.send(
            msg::RUN,
            vec![PackValue::from(query), params, PackValue::Map(Vec::new())],
        )
        .map_err(io)?;
        self.send(msg::PULL, vec![PackValue::map([("n", PackValue::Int(-1))])])
            .map_err(io)?;
        self.flush()?;
        let header = match self.receive()? {
            Response::Success(m) => m,
            Response::Failure(m) => {
                let err = remote_error(&m);
                // The PULL is IGNORED (FalkorDB says so only once RESET has come).
                self.recover()?;
                return Err(err);
            }
            _ => return Err(connection_error("an unexpected response to RUN")),
        };
        let columns = match header.get("fields") {
            Some(PackValue::List(fields)) => fields
                .iter()
                .map(|f| f.as_str().unwrap_or_default().to_string())
                .collect(),
            _ => Vec::new(),
        };
        let mut decoder = values::Decoder::default();
        let mut rows = Vec::new();
        let mut failure = None;
        let summary = loop {
            match self.receive()? {
                Response::Record(values) => {
                    let row = values
                        .iter()
                        .map(|v| decoder.value(v))
                        .collect::<Result<Vec<_>, _>>();
                    match row {
                        Ok(row) => rows.push(row),
                        Err(e) => {
                            failure = Some(QueryError::new(
                                ErrorKind::NotSupported,
                                None,
                                Phase::Runtime,
                                e.0,
                            ))
                        }
                    }
                }
                Response::Success(m) => break m,
                Response::Failure(m) => {
                    let err = remote_error(&m);
                    self.recover()?;
                    return Err(err);
                }
                Response::Ignored => return Err(connection_error("the server ignored PULL")),
            }
        };
        if let Some(err) = failure {
            return Err(err);
        }
        let mut result = decoder.result;
        result.columns = columns;
        result.rows = rows;
        result.stats = stats(summary.get("stats"));
        result.time_ms = started.elapsed().as_secs_f64() * 1000.0;
        Ok(result)
    }

    /// Opens an explicit transaction.
    pub fn begin(&mut self) -> Result<(), QueryError> {
        self.request(msg::BEGIN, vec![PackValue::Map(Vec::new())])
            .map(drop)
    }

    /// Commits the open transaction.
    pub fn commit(&mut self) -> Result<(), QueryError> {
        self.request(msg::COMMIT, Vec::new()).map(drop)
    }

    /// Rolls back the open transaction.
    pub fn rollback(&mut self) -> Result<(), QueryError> {
        self.request(msg::ROLLBACK, Vec::new()).map(drop)
    }

    /// The strings of a one-column procedure, e.g. `CALL db.labels()`.
    pub fn names(&mut self, call: &str) -> Result<Vec<String>, QueryError> {
        let result = self.run(call, &Params::new())?;
        Ok(result
            .rows
            .iter()
            .filter_map(|row| row.first().and_then(|v| v.as_str()).map(str::to_string))
            .collect())
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.send(msg::GOODBYE, Vec::new());
        let _ = self.writer.flush();
    }
}

fn connection_error(message: &str) -> QueryError {
    QueryError::new(
        ErrorKind::NotSupported,
        None,
        Phase::Runtime,
        format!("Bolt connection: {message}"),
    )
}

/// Neo4j's counters (`nodes-created`, ...) as kg's statistics.
fn stats(counters: Option<&PackValue>) -> Stats {
    let get = |name: &str| {
        counters
            .and_then(|c| c.get(name))
            .and_then(PackValue::as_int)
            .unwrap_or(0)
            .max(0) as u64
    };
    Stats {
        nodes_created: get("nodes-created"),
        nodes_deleted: get("nodes-deleted"),
        relationships_created: get("relationships-created"),
        relationships_deleted: get("relationships-deleted"),
        properties_set: get("properties-set"),
        labels_added: get("labels-added"),
        labels_removed: get("labels-removed"),
    }
}

/// A FAILURE as a `QueryError`: the kind from the status code's last part, the message
/// with the code, so the user sees both.
fn remote_error(meta: &PackValue) -> QueryError {
    let code = meta
        .get("neo4j_code")
        .or_else(|| meta.get("code"))
        .and_then(PackValue::as_str)
        .unwrap_or("Neo.DatabaseError.General.UnknownError");
    let message = meta
        .get("message")
        .and_then(PackValue::as_str)
        .unwrap_or("no message");
    let kind = match code.rsplit('.').next().unwrap_or_default() {
        "SyntaxError" => ErrorKind::SyntaxError,
        "SemanticError" => ErrorKind::SemanticError,
        "TypeError" => ErrorKind::TypeError,
        "ArgumentError" => ErrorKind::ArgumentError,
        "EntityNotFound" => ErrorKind::EntityNotFound,
        "ConstraintValidationFailed" => ErrorKind::ConstraintVerificationFailed,
        "ParameterMissing" => ErrorKind::ParameterMissing,
        "ArithmeticError" => ErrorKind::ArithmeticError,
        "ProcedureNotFound" => ErrorKind::ProcedureError,
        "Terminated" | "TransactionTimedOut" => ErrorKind::Cancelled,
        _ if code.contains(".Transaction.") => ErrorKind::TransactionError,
        _ => ErrorKind::NotSupported,
    };
    QueryError::new(kind, None, Phase::Runtime, format!("{message} [{code}]"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_name_host_and_port() {
        assert_eq!(
            parse_uri("bolt://localhost").expect("valid"),
            "localhost:7687"
        );
        assert_eq!(
            parse_uri("neo4j://127.0.0.1:7999/db?x=1").expect("valid"),
            "127.0.0.1:7999"
        );
        assert!(matches!(parse_uri("bolt+s://h"), Err(ConnectError::Tls(_))));
        assert!(matches!(
            parse_uri("http://h"),
            Err(ConnectError::BadUri(_))
        ));
    }
}
