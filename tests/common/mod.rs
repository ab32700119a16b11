//! Helpers shared by more than one test crate (each crate declares `mod common;`): a
//! temporary directory and an id-blind description of a graph. Only what at least two
//! crates use belongs here.

// Each test crate compiles its own copy and uses only part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use kg::Value;
use kg::graph::{Graph, NodeId};

/// A fresh directory under the system temp dir, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A new empty directory whose name starts with `kg-{name}-`.
    pub fn new(name: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("kg-{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    /// Writes `text` to `name` inside the directory (creating subdirectories) and returns its path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create parent dir");
        }
        std::fs::write(&path, text).expect("write fixture");
        path
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// The names of the files directly inside, sorted.
    pub fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .expect("read temp dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The graph as sorted text: nodes by labels and properties, relationships by endpoint
/// names, type and properties. Equal for graphs that differ only in ids.
pub fn canonical(graph: &Graph) -> (Vec<String>, Vec<String>) {
    let mut nodes: Vec<String> = graph
        .nodes()
        .map(|n| {
            let data = graph.node(n).expect("node");
            let mut labels: Vec<&str> = data.labels.iter().map(|l| &**l).collect();
            labels.sort_unstable();
            format!("{labels:?} {:?}", data.properties.to_map())
        })
        .collect();
    nodes.sort();
    let mut rels: Vec<String> = graph
        .rels()
        .map(|r| {
            let (s, e) = graph.rel_endpoints(r).expect("endpoints");
            let data = graph.rel(r).expect("rel");
            format!(
                "{} -[{} {:?}]-> {}",
                name(graph, s),
                data.rel_type(),
                data.properties().to_map(),
                name(graph, e)
            )
        })
        .collect();
    rels.sort();
    (nodes, rels)
}

/// A node's `name` for messages; ids are left out so graphs loaded twice compare equal.
fn name(graph: &Graph, node: NodeId) -> String {
    match graph.node_property(node, "name") {
        Some(Value::String(s)) => s.to_string(),
        other => format!("{other:?}"),
    }
}

/// Asserts that `text` contains `part`, showing the whole text when it does not.
#[track_caller]
pub fn assert_contains(text: &str, part: &str) {
    assert!(text.contains(part), "expected {part:?} in:\n{text}");
}

/// Asserts that `text` ends with `end`, showing the whole text when it does not.
#[track_caller]
pub fn assert_ends_with(text: &str, end: &str) {
    assert!(
        text.ends_with(end),
        "expected {end:?} at the end of:\n{text}"
    );
}
