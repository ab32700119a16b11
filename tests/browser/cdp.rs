//! Headless Chromium driven through the DevTools protocol over `--remote-debugging-pipe`
//! (file descriptors 3 and 4, JSON messages ended by NUL), for the page tests of `:view` and
//! of the `kg serve --http` workspace. Written here because the protocol needs only a few
//! calls and the pipe no WebSocket; `ensure-chromium.sh` installs Debian's `chromium`.

// Each test crate that includes this module uses part of it.
#![allow(dead_code)]

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::os::fd::{FromRawFd, RawFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use serde_json::{Value as Json, json};

pub const CHROMIUM: &str = "/usr/bin/chromium";

/// How long one protocol answer may take before the test gives up (a hung browser).
const ANSWER_WAIT: Duration = Duration::from_secs(60);

/// Installs Chromium when it is missing (the project's own script), or fails saying how.
pub fn ensure_chromium() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/ensure-chromium.sh");
    let status = Command::new("sh").arg(&script).status();
    assert!(
        status.is_ok_and(|s| s.success()) && Path::new(CHROMIUM).exists(),
        "the browser tests need Debian's chromium at {CHROMIUM}: run {} as root \
         (apt-get install chromium)",
        script.display()
    );
}

pub struct Browser {
    child: Child,
    to_browser: File,
    from_browser: Receiver<Json>,
    next_id: u64,
    session: String,
    /// Every event seen so far (`Network.requestWillBeSent` among them).
    pub events: Vec<Json>,
    _profile: PathBuf,
}

fn pipe() -> (RawFd, RawFd) {
    let mut fds = [0; 2];
    // SAFETY: pipe2 writes two descriptors into the array it is given.
    let rc = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) };
    assert_eq!(rc, 0, "pipe2: {}", std::io::Error::last_os_error());
    (fds[0], fds[1])
}

impl Browser {
    /// A fresh headless Chromium with its own profile, one page open, the network logged.
    pub fn launch(name: &str) -> Browser {
        ensure_chromium();
        let profile = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("chromium-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&profile);
        let (commands_read, commands_write) = pipe();
        let (answers_read, answers_write) = pipe();
        let mut command = Command::new(CHROMIUM);
        command
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--remote-debugging-pipe",
                "--window-size=1000,620",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // SAFETY: between fork and exec only async-signal-safe calls (dup2, fcntl).
        unsafe {
            command.pre_exec(move || {
                for (from, to) in [(commands_read, 3), (answers_write, 4)] {
                    if from == to {
                        libc::fcntl(to, libc::F_SETFD, 0);
                    } else if libc::dup2(from, to) < 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                }
                Ok(())
            });
        }
        let child = command.spawn().expect("starting chromium");
        // SAFETY: the descriptors are ours and open; each is wrapped once.
        let (to_browser, answers) = unsafe {
            libc::close(commands_read);
            libc::close(answers_write);
            (
                File::from_raw_fd(commands_write),
                File::from_raw_fd(answers_read),
            )
        };
        let (send, from_browser) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(answers);
            loop {
                let mut message = Vec::new();
                match reader.read_until(0, &mut message) {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {
                        message.pop();
                        if let Ok(json) = serde_json::from_slice(&message)
                            && send.send(json).is_err()
                        {
                            return;
                        }
                    }
                }
            }
        });
        let mut browser = Browser {
            child,
            to_browser,
            from_browser,
            next_id: 0,
            session: String::new(),
            events: Vec::new(),
            _profile: profile,
        };
        let target = browser.call("Target.createTarget", json!({"url": "about:blank"}));
        let target_id = target["targetId"]
            .as_str()
            .expect("a target id")
            .to_string();
        let attached = browser.call(
            "Target.attachToTarget",
            json!({"targetId": target_id, "flatten": true}),
        );
        browser.session = attached["sessionId"]
            .as_str()
            .expect("a session id")
            .to_string();
        browser.call("Page.enable", json!({}));
        browser.call("Network.enable", json!({}));
        browser.call("Runtime.enable", json!({}));
        browser.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": 1000, "height": 620, "deviceScaleFactor": 1, "mobile": false}),
        );
        browser
    }

    /// Sends a command (to the page once attached) and returns its result.
    pub fn call(&mut self, method: &str, params: Json) -> Json {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({"id": id, "method": method, "params": params});
        if !self.session.is_empty() {
            message["sessionId"] = json!(self.session);
        }
        let mut bytes = message.to_string().into_bytes();
        bytes.push(0);
        self.to_browser
            .write_all(&bytes)
            .expect("writing to chromium");
        loop {
            let answer = self
                .from_browser
                .recv_timeout(ANSWER_WAIT)
                .unwrap_or_else(|e| panic!("chromium did not answer {method}: {e}"));
            if answer["id"] == json!(id) {
                assert!(
                    answer.get("error").is_none(),
                    "{method} failed: {}",
                    answer["error"]
                );
                return answer["result"].clone();
            }
            self.events.push(answer);
        }
    }

    /// Evaluates a JavaScript expression in the page and returns its value.
    pub fn eval(&mut self, expression: &str) -> Json {
        let result = self.call(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
        );
        assert!(
            result.get("exceptionDetails").is_none(),
            "{expression} threw: {}",
            result["exceptionDetails"]
        );
        result["result"]["value"].clone()
    }

    /// Waits until `expression` is true in the page (polled; gives up after a minute).
    pub fn wait_for(&mut self, expression: &str) {
        for _ in 0..600 {
            if self.eval(&format!("!!({expression})")) == json!(true) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the page never got to `{expression}`");
    }

    pub fn navigate(&mut self, url: &str) {
        self.call("Page.navigate", json!({"url": url}));
        self.wait_for("document.readyState === 'complete'");
    }

    /// A left click at page coordinates.
    pub fn click(&mut self, x: f64, y: f64) {
        for kind in ["mouseMoved", "mousePressed", "mouseReleased"] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1}),
            );
        }
    }

    /// Types text into the focused element.
    pub fn type_text(&mut self, text: &str) {
        self.call("Input.insertText", json!({"text": text}));
    }

    /// Presses a key, with `modifiers` (2 = Ctrl).
    pub fn press(&mut self, key: &str, code: u32, modifiers: u32) {
        for kind in ["rawKeyDown", "keyUp"] {
            self.call(
                "Input.dispatchKeyEvent",
                json!({"type": kind, "key": key, "code": key, "windowsVirtualKeyCode": code,
                       "modifiers": modifiers}),
            );
        }
    }

    /// The page as PNG, written to `path`. Returns the share of non-white pixels inside the
    /// element with id `inside` (the drawing area), read from a second capture of it alone.
    pub fn screenshot(&mut self, path: &Path, inside: &str) -> f64 {
        let page = self.capture(json!({"format": "png"}));
        std::fs::write(path, &page).expect("writing the screenshot");
        let rect = self.eval(&format!(
            "(function () {{ var r = document.getElementById('{inside}').getBoundingClientRect(); \
             return {{x: r.left, y: r.top, width: r.width, height: r.height, scale: 1}}; }})()"
        ));
        let part = self.capture(json!({"format": "png", "clip": rect}));
        drawn_share(&part)
    }

    fn capture(&mut self, params: Json) -> Vec<u8> {
        use base64::Engine;
        let shot = self.call("Page.captureScreenshot", params);
        base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().expect("screenshot data"))
            .expect("base64 screenshot")
    }
}

/// The share of a PNG's pixels that are not white.
fn drawn_share(bytes: &[u8]) -> f64 {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size().expect("PNG size")];
    let info = reader.next_frame(&mut pixels).expect("PNG pixels");
    let channels = info.color_type.samples();
    let background = [255u8, 255, 255];
    let total = (info.width * info.height) as usize;
    let drawn = pixels
        .chunks(channels)
        .take(total)
        .filter(|p| p[..3] != background)
        .count();
    drawn as f64 / total as f64
}

impl Browser {
    /// URLs of every request the page made.
    pub fn requests(&mut self) -> Vec<String> {
        // Events queued behind the last answer are collected by one more round trip.
        self.eval("1");
        self.events
            .iter()
            .filter(|e| e["method"] == "Network.requestWillBeSent")
            .filter_map(|e| e["params"]["request"]["url"].as_str().map(str::to_string))
            .collect()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
