//! Bolt, the wire protocol of Neo4j's drivers: `server` makes kg answer them, `client` lets
//! kg's shell talk to any Bolt server. Both share the codec (`packstream`), the value
//! mapping (`values`), the handshake and the message tags here. TLS is not spoken: serve
//! on loopback, or put a TLS terminator in front.

pub mod client;
pub mod packstream;
pub mod server;
pub mod values;

use std::io::{self, Read, Write};

use crate::error::{ErrorKind, QueryError};

/// The four bytes every Bolt connection starts with.
pub const MAGIC: [u8; 4] = [0x60, 0x60, 0xB0, 0x17];

/// The proposal that asks for the version-list ("manifest v1") handshake of Bolt 5.7+.
const MANIFEST_V1: [u8; 4] = [0x00, 0x00, 0x01, 0xFF];

/// Message tags (request and response structures).
pub mod msg {
    pub const HELLO: u8 = 0x01;
    pub const GOODBYE: u8 = 0x02;
    pub const RESET: u8 = 0x0F;
    pub const RUN: u8 = 0x10;
    pub const BEGIN: u8 = 0x11;
    pub const COMMIT: u8 = 0x12;
    pub const ROLLBACK: u8 = 0x13;
    pub const DISCARD: u8 = 0x2F;
    pub const PULL: u8 = 0x3F;
    pub const TELEMETRY: u8 = 0x54;
    pub const ROUTE: u8 = 0x66;
    pub const LOGON: u8 = 0x6A;
    pub const LOGOFF: u8 = 0x6B;
    pub const SUCCESS: u8 = 0x70;
    pub const RECORD: u8 = 0x71;
    pub const IGNORED: u8 = 0x7E;
    pub const FAILURE: u8 = 0x7F;
}

/// A protocol version, e.g. 5.4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub major: u8,
    pub minor: u8,
}

impl Version {
    pub const fn new(major: u8, minor: u8) -> Self {
        Version { major, minor }
    }

    /// The 4-byte form `00 00 minor major`.
    pub fn to_bytes(self) -> [u8; 4] {
        [0, 0, self.minor, self.major]
    }

    /// Whether authentication moved from HELLO to LOGON (Bolt 5.1).
    pub fn has_logon(self) -> bool {
        self >= Version::new(5, 1)
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// What kg speaks, newest first: Bolt 5.0 to 5.8, and 4.4 for older drivers.
pub const SUPPORTED: [(u8, u8, u8); 2] = [(5, 8, 0), (4, 4, 4)];

/// The best version inside a proposal `[_, range, minor, major]` (covering minor-range to minor).
fn pick(proposal: [u8; 4]) -> Option<Version> {
    let [_, range, minor, major] = proposal;
    let lowest = minor.saturating_sub(range);
    SUPPORTED.iter().find_map(|&(m, newest, oldest)| {
        let top = newest.min(minor);
        (m == major && top >= oldest && top >= lowest).then_some(Version::new(m, top))
    })
}

/// The server's half of the handshake: reads the magic and four proposals, answers, and
/// returns the version agreed on (`None` when there is none; the client has been told).
pub fn accept_handshake(stream: &mut (impl Read + Write)) -> io::Result<Option<Version>> {
    let mut preamble = [0u8; 20];
    stream.read_exact(&mut preamble)?;
    if preamble[..4] != MAGIC {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "not a Bolt client (wrong magic bytes)",
        ));
    }
    let proposals: Vec<[u8; 4]> = preamble[4..]
        .chunks(4)
        .map(|c| [c[0], c[1], c[2], c[3]])
        .collect();
    if proposals.contains(&MANIFEST_V1) {
        // The server lists what it speaks; the client names its choice and capabilities.
        let mut reply = MANIFEST_V1.to_vec();
        write_varint(&mut reply, SUPPORTED.len() as u64);
        for (major, newest, oldest) in SUPPORTED {
            reply.extend_from_slice(&[0, newest - oldest, newest, major]);
        }
        write_varint(&mut reply, 0);
        stream.write_all(&reply)?;
        stream.flush()?;
        let mut chosen = [0u8; 4];
        stream.read_exact(&mut chosen)?;
        read_varint(stream)?;
        return Ok(pick(chosen));
    }
    let version = proposals.into_iter().find_map(pick);
    stream.write_all(&version.map_or([0; 4], Version::to_bytes))?;
    stream.flush()?;
    Ok(version)
}

/// The client's half: offers 5.0-5.8 and 4.4 and returns what the server chose.
pub fn offer_handshake(stream: &mut (impl Read + Write)) -> io::Result<Option<Version>> {
    let mut preamble = MAGIC.to_vec();
    for (major, newest, oldest) in SUPPORTED {
        preamble.extend_from_slice(&[0, newest - oldest, newest, major]);
    }
    preamble.resize(20, 0);
    stream.write_all(&preamble)?;
    stream.flush()?;
    let mut reply = [0u8; 4];
    stream.read_exact(&mut reply)?;
    Ok(match reply {
        [0, 0, 0, 0] => None,
        [_, _, minor, major] => Some(Version::new(major, minor)),
    })
}

fn write_varint(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let byte = (n & 0x7F) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// A base-128 varint, at most 10 bytes.
fn read_varint(r: &mut impl Read) -> io::Result<u64> {
    let mut n = 0u64;
    for i in 0..10 {
        let mut byte = [0u8];
        r.read_exact(&mut byte)?;
        n |= u64::from(byte[0] & 0x7F) << (7 * i);
        if byte[0] & 0x80 == 0 {
            return Ok(n);
        }
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidData,
        "a varint longer than 10 bytes",
    ))
}

/// The Neo4j status code drivers expect for a kg error.
pub fn status_code(err: &QueryError) -> &'static str {
    match err.kind {
        ErrorKind::SyntaxError => "Neo.ClientError.Statement.SyntaxError",
        ErrorKind::SemanticError => "Neo.ClientError.Statement.SemanticError",
        ErrorKind::TypeError => "Neo.ClientError.Statement.TypeError",
        ErrorKind::ArgumentError => "Neo.ClientError.Statement.ArgumentError",
        ErrorKind::EntityNotFound => "Neo.ClientError.Statement.EntityNotFound",
        ErrorKind::ConstraintVerificationFailed => {
            "Neo.ClientError.Schema.ConstraintValidationFailed"
        }
        ErrorKind::ParameterMissing => "Neo.ClientError.Statement.ParameterMissing",
        ErrorKind::ArithmeticError => "Neo.ClientError.Statement.ArithmeticError",
        ErrorKind::ProcedureError => "Neo.ClientError.Procedure.ProcedureNotFound",
        ErrorKind::Cancelled => "Neo.ClientError.Transaction.Terminated",
        ErrorKind::TransactionError => "Neo.ClientError.Request.Invalid",
        ErrorKind::MemoryLimitExceeded => "Neo.TransientError.General.TransactionMemoryLimit",
        ErrorKind::Timeout => "Neo.ClientError.Transaction.TransactionTimedOut",
        ErrorKind::NotSupported => "Neo.ClientError.Statement.NotSupported",
        ErrorKind::SchemaError => err
            .neo4j_schema_status()
            .unwrap_or("Neo.ClientError.Schema.SchemaRuleAccessFailed"),
    }
}

/// The GQLSTATUS of Bolt 5.7+'s error format for a Neo4j status code.
fn gql_status(code: &str) -> &'static str {
    match code {
        "Neo.ClientError.Statement.SyntaxError" => "42001",
        "Neo.ClientError.Statement.ParameterMissing" => "42N51",
        "Neo.ClientError.Statement.TypeError" => "22N01",
        "Neo.ClientError.Statement.ArithmeticError" => "22003",
        "Neo.ClientError.Security.Unauthorized" => "42NFF",
        _ => "50N42",
    }
}

/// The message of a kg error as Neo4j writes it, with the position in the query.
pub fn status_message(err: &QueryError, query: &str) -> String {
    match err.span {
        Some(span) => {
            let (line, column) = span.line_col(query);
            format!(
                "{} (line {line}, column {column} (offset: {}))",
                err.message, span.start
            )
        }
        None => err.message.clone(),
    }
}
