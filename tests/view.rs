//! `:view` and `:export svg|png` through the real binary, and `:view`'s page in headless
//! Chromium: it draws the result, shows evidence on a click, falls back to a table, draws a
//! huge result in part, and loads nothing from the network.

#[path = "browser/cdp.rs"]
mod cdp;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cdp::Browser;

fn kg(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kg"))
        .args(args)
        .env("NO_COLOR", "1")
        // No desktop: `:view` only writes and prints the file.
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("BROWSER")
        .output()
        .expect("running kg")
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("view-tests");
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir.join(name)
}

const PATH_QUERY: &str = "MATCH p = shortestPath((x:Person {name: 'Xi Jinping'})-[*..6]-\
                          (e:Company {name: 'EcoFlow Inc.'})) RETURN p";

/// Writes `query`'s result with `:view FILE` and returns the file.
fn view_of(query: &str, name: &str, extra: &[&str]) -> PathBuf {
    let file = scratch(name);
    let script = format!("{query};\n:view {}", file.display());
    let mut args = extra.to_vec();
    args.extend(["-c", &script]);
    let out = kg(&args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("view written to {}", file.display())),
        "{stderr}"
    );
    file
}

fn only_local(requests: &[String], allowed: &str) {
    assert!(!requests.is_empty(), "no request was logged at all");
    for url in requests {
        assert!(
            url.starts_with(allowed) || url.starts_with("data:") || url.starts_with("about:"),
            "the page asked for {url}"
        );
    }
}

#[test]
fn view_draws_the_path_and_shows_evidence_on_click() {
    let file = view_of(PATH_QUERY, "path.html", &[]);
    let mut browser = Browser::launch("view-path");
    browser.navigate(&format!("file://{}", file.display()));
    browser.wait_for("document.body.dataset.ready === '1'");
    assert_eq!(browser.eval("document.body.dataset.nodes"), "3");
    assert_eq!(browser.eval("document.body.dataset.edges"), "2");
    let legend = browser.eval("document.getElementById('kg-legend').textContent");
    for label in [":Person (1)", ":Program (1)", ":Company (1)"] {
        assert!(
            legend.as_str().is_some_and(|l| l.contains(label)),
            "{legend}"
        );
    }
    let drawn = browser.screenshot(&scratch("path.png"), "kg-graph");
    assert!(drawn > 0.002, "the drawing looks blank ({drawn})");

    // A real click on Xi Jinping's node opens his card with the article's sentence.
    let id = browser.eval(
        "(function () { var d = JSON.parse(document.getElementById('kg-data').textContent); \
         return d.result.nodes.filter(function (n) { return n.caption === 'Xi Jinping'; })[0].id; })()",
    );
    let id = id.as_str().expect("Xi Jinping's node id").to_string();
    let at = browser.eval(&format!("KgView.position('{id}')"));
    browser.click(at["x"].as_f64().expect("x"), at["y"].as_f64().expect("y"));
    browser.wait_for(&format!(
        "document.getElementById('kg-panel').dataset.selected === '{id}'"
    ));
    let evidence = browser.eval("document.getElementById('kg-evidence').textContent");
    assert_eq!(
        evidence,
        "Chinese President Xi Jinping has given his personal blessing to the program."
    );
    let panel = browser.eval("document.getElementById('kg-panel').textContent");
    assert!(
        panel.as_str().is_some_and(|p| p.contains("Person")),
        "{panel}"
    );

    // The search box marks the matching node.
    browser.eval("KgView.search('ecoflow')");
    assert_eq!(browser.eval("document.body.dataset.matches"), "1");

    let requests = browser.requests();
    only_local(&requests, "file://");
}

#[test]
fn rows_without_graph_elements_get_the_table() {
    let file = view_of(
        "MATCH (c:Company) RETURN c.name AS name ORDER BY name LIMIT 4",
        "table.html",
        &[],
    );
    let mut browser = Browser::launch("view-table");
    browser.navigate(&format!("file://{}", file.display()));
    browser.wait_for("document.body.dataset.ready === '1'");
    assert_eq!(browser.eval("document.body.dataset.nodes"), "0");
    assert_eq!(
        browser.eval("document.getElementById('kg-table').hidden"),
        false
    );
    assert_eq!(
        browser.eval("document.querySelectorAll('#kg-table tr').length"),
        5
    );
    assert_eq!(
        browser.eval("document.querySelector('#kg-table th').textContent"),
        "name"
    );
    only_local(&browser.requests(), "file://");
}

#[test]
fn a_result_too_large_to_draw_is_drawn_in_part_with_a_notice() {
    let file = view_of(
        "UNWIND range(1, 6000) AS i CREATE (n:Item {i: i}) RETURN n",
        "large.html",
        &["--empty"],
    );
    let mut browser = Browser::launch("view-large");
    browser.navigate(&format!("file://{}", file.display()));
    browser.wait_for("document.body.dataset.ready === '1'");
    assert_eq!(
        browser.eval("document.body.dataset.nodes"),
        kg::view::MAX_ELEMENTS.to_string()
    );
    assert_eq!(browser.eval("document.body.dataset.rows"), "6000");
    assert_eq!(
        browser.eval("document.getElementById('kg-notice').hidden"),
        false
    );
    let notice = browser.eval("document.getElementById('kg-notice').textContent");
    assert!(
        notice.as_str().is_some_and(|n| n.contains("6000 nodes")),
        "{notice}"
    );
    assert_eq!(
        browser.eval("document.querySelectorAll('#kg-table tr').length"),
        6001
    );
}

#[test]
fn view_without_a_result_says_so() {
    let out = kg(&["-c", ":view"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no previous result to view"), "{stderr}");
}

#[test]
fn view_defaults_to_the_temporary_directory_and_opens_a_browser_on_a_desktop() {
    // A stand-in browser that records what it was asked to open.
    let opened = scratch("opened.txt");
    let _ = std::fs::remove_file(&opened);
    let browser = scratch("browser.sh");
    std::fs::write(
        &browser,
        format!("#!/bin/sh\nprintf '%s' \"$1\" > {}\n", opened.display()),
    )
    .expect("writing the stand-in browser");
    let executable = std::os::unix::fs::PermissionsExt::from_mode(0o755);
    std::fs::set_permissions(&browser, executable).expect("making it executable");
    let out = Command::new(env!("CARGO_BIN_EXE_kg"))
        .args(["-c", "MATCH (p:Person {name: 'Wu Gansha'}) RETURN p; :view"])
        .env("DISPLAY", ":99")
        .env("BROWSER", &browser)
        .output()
        .expect("running kg");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let written = stderr
        .lines()
        .find_map(|l| l.strip_prefix("view written to "))
        .expect("the path is printed");
    assert!(
        Path::new(written).starts_with(std::env::temp_dir()),
        "{written}"
    );
    let html = std::fs::read_to_string(written).expect("the page");
    assert!(html.contains("Wu Gansha"));
    // The browser is started in the background; its record appears shortly after.
    for _ in 0..100 {
        if opened.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(
        std::fs::read_to_string(&opened).expect("the browser was run"),
        written
    );
}

#[test]
fn export_svg_draws_with_graphviz_or_says_how_to_get_it() {
    let svg = scratch("graph.svg");
    let _ = std::fs::remove_file(&svg);
    let script = format!(":export svg {}", svg.display());
    // Without Graphviz on PATH, the message says what to install.
    let out = Command::new(env!("CARGO_BIN_EXE_kg"))
        .args(["--empty", "-c", &script])
        .env("PATH", "")
        .env_remove("KG_DOT")
        .output()
        .expect("running kg");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Graphviz's `dot` is not installed (apt-get install graphviz)"),
        "{stderr}"
    );
    assert!(!svg.exists());
    // With dot, the picture is drawn.
    let has_dot = Command::new("dot").arg("-V").output().is_ok();
    if has_dot {
        let out = kg(&["-c", &script]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = std::fs::read_to_string(&svg).expect("the svg");
        assert!(text.contains("<svg") && text.contains("EcoFlow"), "{text}");
    } else {
        eprintln!("Graphviz is not installed: only the message was tested");
    }
}
