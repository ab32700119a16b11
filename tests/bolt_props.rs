//! Properties of the Bolt codec and server (the fuzzing the issue asks for, as proptest):
//! PackStream round-trips any value; arbitrary bytes decode to a value or an error, never
//! a panic and never an allocation beyond the input; and any sequence of messages or
//! garbage on one connection leaves the server answering the next connection.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use kg::bolt::client::{Client, Login};
use kg::bolt::packstream::{self, PackValue};
use kg::bolt::{msg, server};
use kg::server::Database;
use proptest::prelude::*;

fn arb_value() -> impl Strategy<Value = PackValue> {
    let leaf = prop_oneof![
        Just(PackValue::Null),
        any::<bool>().prop_map(PackValue::Bool),
        any::<i64>().prop_map(PackValue::Int),
        (-1e12f64..1e12).prop_map(PackValue::Float),
        proptest::collection::vec(any::<u8>(), 0..300).prop_map(PackValue::Bytes),
        ".{0,20}".prop_map(PackValue::String),
        // Sizes around the 4-bit, 8-bit and 16-bit boundaries.
        (0usize..70_000).prop_map(|n| PackValue::String("x".repeat(n))),
    ];
    leaf.prop_recursive(4, 64, 16, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..20).prop_map(PackValue::List),
            proptest::collection::vec((".{0,8}", inner.clone()), 0..18).prop_map(PackValue::Map),
            (any::<u8>(), proptest::collection::vec(inner, 0..15))
                .prop_map(|(tag, fields)| PackValue::Struct(tag, fields)),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn values_round_trip(value in arb_value()) {
        let mut bytes = Vec::new();
        packstream::encode(&value, &mut bytes);
        prop_assert_eq!(packstream::decode(&bytes, 64), Ok(value));
    }

    #[test]
    fn chunked_messages_round_trip(value in arb_value()) {
        let mut bytes = Vec::new();
        packstream::encode(&value, &mut bytes);
        let mut wire = Vec::new();
        packstream::write_message(&mut wire, &bytes).expect("in memory");
        let mut reader = &wire[..];
        prop_assert_eq!(packstream::read_message(&mut reader, usize::MAX).expect("reads"), Some(bytes));
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        // Any outcome but a panic; a huge length prefix must fail as truncated input.
        let _ = packstream::decode(&bytes, 16);
        let mut reader = &bytes[..];
        let _ = packstream::read_message(&mut reader, 1 << 16);
    }

    #[test]
    fn truncated_values_are_errors(value in arb_value(), cut in any::<prop::sample::Index>()) {
        let mut bytes = Vec::new();
        packstream::encode(&value, &mut bytes);
        let cut = cut.index(bytes.len());
        prop_assert!(packstream::decode(&bytes[..cut], 64).is_err());
    }
}

/// A Bolt server over an empty graph on a free loopback port, stopped on drop.
struct TestServer {
    address: String,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl TestServer {
    fn start() -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("binds");
        let address = listener.local_addr().expect("bound").to_string();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let config = server::Config {
                max_message_bytes: 1 << 16,
                ..server::Config::default()
            };
            server::serve(listener, Database::new(kg::Graph::new()), config, &flag)
                .expect("serves");
        });
        TestServer {
            address,
            stop,
            thread: Some(thread),
        }
    }

    fn answers(&self) -> bool {
        let Ok(mut client) =
            Client::connect(&format!("bolt://{}", self.address), &Login::default())
        else {
            return false;
        };
        client
            .run("RETURN 40 + 2 AS x", &kg::Params::new())
            .is_ok_and(|r| r.rows == vec![vec![kg::Value::Int(42)]])
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One thing a fuzzing client sends.
#[derive(Debug, Clone)]
enum Send {
    Message(u8, Vec<PackValue>),
    Raw(Vec<u8>),
}

fn arb_send() -> impl Strategy<Value = Send> {
    let query = prop_oneof![
        Just("RETURN 1".to_string()),
        Just("CREATE (:F {v: $v}) RETURN 1".to_string()),
        Just("MATCH (n:F) RETURN n".to_string()),
        Just("RETURN x".to_string()),
        ".{0,12}",
    ];
    let tags = prop_oneof![
        Just(msg::HELLO),
        Just(msg::LOGON),
        Just(msg::LOGOFF),
        Just(msg::RUN),
        Just(msg::PULL),
        Just(msg::DISCARD),
        Just(msg::BEGIN),
        Just(msg::COMMIT),
        Just(msg::ROLLBACK),
        Just(msg::RESET),
        Just(msg::ROUTE),
        Just(msg::TELEMETRY),
        any::<u8>(),
    ];
    prop_oneof![
        4 => (tags, query, arb_value()).prop_map(|(tag, query, v)| {
            let fields = match tag {
                msg::RUN => vec![PackValue::String(query), PackValue::map([("v", v)]), PackValue::Map(Vec::new())],
                msg::PULL | msg::DISCARD => vec![PackValue::map([("n", PackValue::Int(2))])],
                _ => vec![v],
            };
            Send::Message(tag, fields)
        }),
        1 => proptest::collection::vec(any::<u8>(), 0..64).prop_map(Send::Raw),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn any_conversation_leaves_the_server_answering(
        handshake in any::<bool>(),
        sends in proptest::collection::vec(arb_send(), 0..12),
    ) {
        let server = TestServer::start();
        let mut stream = TcpStream::connect(&server.address).expect("connects");
        if handshake {
            stream.write_all(&[0x60, 0x60, 0xB0, 0x17, 0, 8, 8, 5, 0, 0, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0]).expect("writes");
        }
        for send in sends {
            let bytes = match send {
                Send::Message(tag, fields) => {
                    let mut body = Vec::new();
                    packstream::encode(&PackValue::Struct(tag, fields), &mut body);
                    let mut framed = Vec::new();
                    packstream::write_message(&mut framed, &body).expect("in memory");
                    framed
                }
                Send::Raw(bytes) => bytes,
            };
            // The server may have closed this connection already: that is its right.
            if stream.write_all(&bytes).is_err() {
                break;
            }
        }
        let _ = stream.shutdown(std::net::Shutdown::Write);
        let mut sink = Vec::new();
        let _ = stream.read_to_end(&mut sink);
        prop_assert!(server.answers(), "the server stopped answering");
    }
}
