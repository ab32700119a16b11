//! `kg serve --http`: Neo4j's Query API answers and errors over real sockets, bad input that
//! gets a 4xx JSON error without stopping the server, credentials off loopback, and the
//! workspace page in headless Chromium (a typed query returns rows, a syntax error is marked
//! at its position, a node click shows its evidence and expands, nothing leaves loopback).

#[path = "browser/cdp.rs"]
mod cdp;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use serde_json::{Value as Json, json};

/// A running `kg serve`, stopped when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(extra: &[&str], password: Option<&str>) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_kg"));
        command
            .args(["serve", "--http", "127.0.0.1:0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        match password {
            Some(p) => command.env("KG_PASSWORD", p),
            None => command.env_remove("KG_PASSWORD"),
        };
        let mut child = command.spawn().expect("starting kg serve");
        let stderr = child.stderr.take().expect("stderr");
        let mut line = String::new();
        BufReader::new(stderr)
            .read_line(&mut line)
            .expect("reading kg serve's first line");
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_string();
        Server { child, addr }
    }

    /// Sends raw request bytes; returns the status and the body.
    fn raw(&self, request: &[u8]) -> (u16, String) {
        let mut stream = TcpStream::connect(&self.addr).expect("connecting");
        stream.write_all(request).expect("sending");
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).expect("reading the answer");
        let answer = String::from_utf8_lossy(&answer).to_string();
        let status = answer
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status in {answer:?}"));
        let body = answer
            .split_once("\r\n\r\n")
            .map_or(String::new(), |(_, b)| b.to_string());
        (status, body)
    }

    fn request(&self, method: &str, path: &str, body: &str, auth: Option<&str>) -> (u16, Json) {
        let auth = auth.map_or(String::new(), |a| format!("Authorization: Basic {a}\r\n"));
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n{auth}\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.addr,
            body.len()
        );
        let (status, body) = self.raw(request.as_bytes());
        let json = serde_json::from_str(&body)
            .unwrap_or_else(|e| panic!("the answer is not JSON ({e}): {body}"));
        (status, json)
    }

    fn query(&self, body: Json) -> (u16, Json) {
        self.request("POST", "/db/neo4j/query/v2", &body.to_string(), None)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_query_api_answers_as_neo4j_does() {
    let server = Server::start(&[], None);
    let (status, answer) = server.query(json!({
        "statement": "MATCH (p:Person {name: $name})-[r:FOUNDED]->(c) RETURN p, r, c.name AS company",
        "parameters": {"name": "Wu Gansha"},
    }));
    assert_eq!(status, 202, "{answer}");
    assert_eq!(answer["data"]["fields"], json!(["p", "r", "company"]));
    let row = &answer["data"]["values"][0];
    assert_eq!(row[0]["labels"], json!(["Person"]));
    assert_eq!(row[0]["properties"]["name"], "Wu Gansha");
    assert!(row[0]["properties"]["evidence"].is_string());
    assert_eq!(row[1]["type"], "FOUNDED");
    assert_eq!(row[1]["startNodeElementId"], row[0]["elementId"]);
    assert_eq!(row[2], "Uisee");
    assert!(answer["bookmarks"].is_array());

    // Writes count when asked, and the next request sees them; parameters do not linger.
    let (status, answer) = server.query(json!({
        "statement": "CREATE (n:Note {text: $t, n: $n, tags: $tags}) RETURN n.text AS text, n.n AS n, n.tags AS tags",
        "parameters": {"t": "hello", "n": 2, "tags": ["a", "b"]},
        "includeCounters": true,
    }));
    assert_eq!(status, 202, "{answer}");
    assert_eq!(answer["data"]["values"], json!([["hello", 2, ["a", "b"]]]));
    assert_eq!(answer["counters"]["nodesCreated"], 1);
    assert_eq!(answer["counters"]["containsUpdates"], true);
    let (_, answer) = server.query(json!({"statement": "MATCH (n:Note) RETURN count(n) AS c"}));
    assert_eq!(answer["data"]["values"], json!([[1]]));
    let (status, answer) = server.query(json!({"statement": "RETURN $t"}));
    assert_eq!(status, 400, "{answer}");
    assert_eq!(
        answer["errors"][0]["code"],
        "Neo.ClientError.Statement.ParameterMissing"
    );

    // A path is the list of its nodes and relationships.
    let (_, answer) = server.query(json!({
        "statement": "MATCH p = (:Person {name: 'Wu Gansha'})-[:FOUNDED]->() RETURN p"
    }));
    let path = answer["data"]["values"][0][0]
        .as_array()
        .expect("a path is a list");
    assert_eq!(path.len(), 3);
    assert_eq!(path[1]["type"], "FOUNDED");
}

#[test]
fn errors_and_bad_requests_get_4xx_json_and_the_server_goes_on() {
    let server = Server::start(&["--empty"], None);
    let (status, answer) = server.query(json!({"statement": "MATCH (n) RETRN n"}));
    assert_eq!(status, 400);
    let error = &answer["errors"][0];
    assert_eq!(error["code"], "Neo.ClientError.Statement.SyntaxError");
    assert_eq!(
        (error["line"].clone(), error["column"].clone()),
        (json!(1), json!(11))
    );
    assert!(error["message"].is_string());

    let invalid = |(status, answer): (u16, Json), expected: u16| {
        assert_eq!(status, expected, "{answer}");
        let code = answer["errors"][0]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(code.starts_with("Neo.ClientError."), "{answer}");
    };
    invalid(
        server.request("POST", "/db/neo4j/query/v2", "{not json", None),
        400,
    );
    invalid(
        server.request("POST", "/db/neo4j/query/v2", "[1, 2]", None),
        400,
    );
    invalid(server.query(json!({"statement": 7})), 400);
    invalid(
        server.query(json!({"statement": "RETURN 1", "parameters": [1]})),
        400,
    );
    invalid(
        server.query(json!({"statement": "RETURN 1; RETURN 2"})),
        400,
    );
    invalid(server.request("GET", "/db/neo4j/query/v2", "", None), 405);
    invalid(
        server.request("POST", "/db/other/query/v2", "{}", None),
        404,
    );
    invalid(server.request("GET", "/nowhere", "", None), 404);
    let big = format!(
        "{{\"statement\": \"RETURN '{}'\"}}",
        "x".repeat(kg::http::MAX_BODY)
    );
    invalid(
        server.request("POST", "/db/neo4j/query/v2", &big, None),
        413,
    );
    // Not HTTP at all: the connection is answered or closed, and the server stays up.
    let _ = server.raw(b"\x00\x01garbage\r\n\r\n");
    let (status, answer) = server.query(json!({"statement": "RETURN 1 AS one"}));
    assert_eq!(
        (status, answer["data"]["values"].clone()),
        (202, json!([[1]]))
    );
}

#[test]
fn credentials_are_required_when_configured_and_off_loopback() {
    let out = Command::new(env!("CARGO_BIN_EXE_kg"))
        .args(["serve", "--http", "0.0.0.0:0", "--empty"])
        .env_remove("KG_PASSWORD")
        .output()
        .expect("running kg serve");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--user NAME") && stderr.contains("KG_PASSWORD"),
        "{stderr}"
    );

    let server = Server::start(&["--empty", "--user", "ann"], Some("s3cret"));
    let body = json!({"statement": "RETURN 1 AS one"}).to_string();
    let (status, answer) = server.request("POST", "/db/neo4j/query/v2", &body, None);
    assert_eq!(status, 401, "{answer}");
    assert_eq!(
        answer["errors"][0]["code"],
        "Neo.ClientError.Security.Unauthorized"
    );
    // base64("ann:wrong") and base64("ann:s3cret").
    let (status, _) = server.request("POST", "/db/neo4j/query/v2", &body, Some("YW5uOndyb25n"));
    assert_eq!(status, 401);
    let (status, answer) = server.request(
        "POST",
        "/db/neo4j/query/v2",
        &body,
        Some("YW5uOnMzY3JldA=="),
    );
    assert_eq!(
        (status, answer["data"]["values"].clone()),
        (202, json!([[1]]))
    );
}

#[test]
fn the_workspace_runs_typed_queries_and_shows_errors_and_evidence() {
    let server = Server::start(&[], None);
    let origin = format!("http://{}", server.addr);
    let mut browser = cdp::Browser::launch("workspace");
    browser.navigate(&format!("{origin}/"));
    browser.wait_for("document.body.dataset.words === '1'");

    // A query typed into the editor and run with Ctrl-Enter returns rows.
    let run = |browser: &mut cdp::Browser, text: &str| {
        browser.eval(
            "(function () { var q = document.getElementById('kg-query'); q.value = ''; \
             q.focus(); delete document.body.dataset.status; return 1; })()",
        );
        browser.type_text(text);
        browser.press("Enter", 13, 2);
        browser.wait_for("document.body.dataset.status");
    };
    run(
        &mut browser,
        "MATCH (c:Company) RETURN c.name AS name ORDER BY name LIMIT 3",
    );
    assert_eq!(browser.eval("document.body.dataset.status"), "ok");
    assert_eq!(browser.eval("document.body.dataset.rows"), "3");
    assert_eq!(
        browser.eval("document.querySelectorAll('#kg-table tr').length"),
        4
    );

    // A syntax error is shown at its position in the editor.
    run(&mut browser, "MATCH (n)\nRETRN n");
    assert_eq!(browser.eval("document.body.dataset.status"), "error");
    assert_eq!(
        browser.eval("[document.getElementById('kg-error').dataset.line, document.getElementById('kg-error').dataset.column]"),
        json!(["2", "1"])
    );
    assert_eq!(
        browser.eval("document.querySelector('#kg-highlight .kg-err').textContent"),
        "RETRN"
    );
    assert_eq!(
        browser.eval("document.getElementById('kg-query').selectionStart"),
        10
    );

    // Completion offers labels after `:`.
    browser.eval(
        "(function () { var q = document.getElementById('kg-query'); q.value = ''; q.focus(); return 1; })()",
    );
    browser.type_text("MATCH (c:Comp");
    browser.wait_for("!document.getElementById('kg-complete').hidden");
    let offered = browser.eval("document.getElementById('kg-complete').textContent");
    assert!(
        offered.as_str().is_some_and(|o| o.contains("Company")),
        "{offered}"
    );

    // A graph result: clicking a node shows its evidence; expanding adds its neighbours.
    run(
        &mut browser,
        "MATCH (p:Person {name: 'Wu Gansha'})-[r:FOUNDED]->(c) RETURN p, r, c",
    );
    assert_eq!(browser.eval("document.body.dataset.nodes"), "2");
    assert_eq!(browser.eval("document.body.dataset.edges"), "1");
    let drawn = browser.screenshot(
        &std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("workspace.png"),
        "kg-graph",
    );
    assert!(drawn > 0.002, "the drawing looks blank ({drawn})");
    let wu = browser.eval("KgView.nodeIdByCaption('Wu Gansha')");
    let wu = wu.as_str().expect("Wu Gansha is drawn").to_string();
    let at = browser.eval(&format!("KgView.position('{wu}')"));
    browser.click(at["x"].as_f64().expect("x"), at["y"].as_f64().expect("y"));
    browser.wait_for(&format!(
        "document.getElementById('kg-panel').dataset.selected === '{wu}'"
    ));
    let evidence = browser.eval("document.getElementById('kg-evidence').textContent");
    assert!(
        evidence.as_str().is_some_and(|e| e.contains("Wu Gansha")),
        "{evidence}"
    );
    browser.eval("document.getElementById('kg-expand').click(), 1");
    browser.wait_for("Number(document.body.dataset.nodes) > 2");

    let requests = browser.requests();
    assert!(
        requests.iter().any(|u| u.ends_with("/kg/view")),
        "{requests:?}"
    );
    for url in &requests {
        assert!(url.starts_with(&origin), "the workspace asked for {url}");
    }
}
