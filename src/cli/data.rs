//! The shell's side of loading and saving: picks the starting graph from the flags and
//! maps `:load`/`:save`/`:export` onto `kg::load`. Load errors keep the loader's
//! `path:line:column: message` lines.

use std::path::{Path, PathBuf};

use kg::Graph;

use super::meta::ExportKind;

/// The graph to start with: empty, the given paths, or the built-in article graph.
pub fn initial_graph(empty: bool, paths: &[PathBuf]) -> anyhow::Result<Graph> {
    if empty {
        Ok(Graph::new())
    } else if paths.is_empty() {
        anyhow::bail!("loading the default graph needs the loader (branch `load`), not merged yet")
    } else {
        load_paths(paths).map(|(graph, _)| graph)
    }
}

/// Loads data files into a new graph; every problem is listed in the error.
pub fn load_paths(paths: &[PathBuf]) -> anyhow::Result<(Graph, String)> {
    let _ = paths;
    anyhow::bail!("loading needs the loader (branch `load`), not merged yet")
}

/// Writes the graph in kg's own format.
pub fn save(graph: &Graph, path: &Path) -> anyhow::Result<()> {
    let _ = graph;
    anyhow::bail!(
        "saving to {} needs the loader, not merged yet",
        path.display()
    )
}

/// Writes the graph as Cypher, CSV, GraphML or DOT.
pub fn export(graph: &Graph, kind: ExportKind, path: &Path) -> anyhow::Result<()> {
    let _ = (graph, kind);
    anyhow::bail!(
        "exporting to {} needs the loader, not merged yet",
        path.display()
    )
}
