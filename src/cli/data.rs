//! The shell's side of loading and saving: picks the starting graph from the flags and
//! maps `:load`/`:save`/`:export` onto `kg::load`. Load errors keep the loader's
//! `path:line:column: message` lines.

use std::path::{Path, PathBuf};

use anyhow::Context;
use kg::Graph;
use kg::load::{self, ExportFormat};

use super::meta::ExportKind;

/// The graph to start with: empty, the given paths, or the built-in article graph.
pub fn initial_graph(empty: bool, paths: &[PathBuf]) -> anyhow::Result<Graph> {
    if empty {
        Ok(Graph::new())
    } else if paths.is_empty() {
        load::default_graph().map_err(|errors| anyhow::anyhow!("{errors}"))
    } else {
        load_paths(paths).map(|(graph, _)| graph)
    }
}

/// Loads data files into a new graph; every problem is listed in the error.
pub fn load_paths(paths: &[PathBuf]) -> anyhow::Result<(Graph, String)> {
    let (graph, stats) = load::load_paths(paths).map_err(|errors| anyhow::anyhow!("{errors}"))?;
    let summary = format!(
        "loaded {} nodes and {} relationships from {} file{}",
        stats.nodes,
        stats.rels,
        stats.files,
        if stats.files == 1 { "" } else { "s" }
    );
    Ok((graph, summary))
}

/// Writes the graph in kg's own format.
pub fn save(graph: &Graph, path: &Path) -> anyhow::Result<()> {
    load::save_native(graph, path).with_context(|| format!("saving to {}", path.display()))
}

/// Writes the graph as Cypher, CSV, GraphML or DOT.
pub fn export(graph: &Graph, kind: ExportKind, path: &Path) -> anyhow::Result<()> {
    let format = match kind {
        ExportKind::Cypher => ExportFormat::Cypher,
        ExportKind::Csv => ExportFormat::Csv,
        ExportKind::GraphMl => ExportFormat::GraphMl,
        ExportKind::Dot => ExportFormat::Dot,
    };
    load::export(graph, format, path).with_context(|| format!("exporting to {}", path.display()))
}
