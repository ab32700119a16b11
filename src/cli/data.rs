//! The shell's side of loading and saving: picks the starting graph from the flags and
//! maps `:load`/`:save`/`:export` onto `kg::load`. Load errors keep the loader's
//! `path:line:column: message` lines. A Cypher script (what `:export cypher` writes) loads
//! by running it on an empty graph.

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
        "loaded {} from {}",
        sizes(stats.nodes, stats.rels),
        count(stats.files, "file", "files")
    );
    Ok((graph, summary))
}

/// Whether `:load` should run `path` as Cypher rather than read it as data.
pub fn is_script(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("cypher") || e.eq_ignore_ascii_case("cql"))
}

/// Runs a Cypher script on an empty graph, quietly, and returns that graph; the first
/// failing statement is the error, as `path:line:column: message`.
pub fn load_script(path: &Path) -> anyhow::Result<(Graph, String)> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut session = kg::Session::with_graph(Graph::new());
    for item in kg::script::split(&text) {
        match item {
            kg::script::ScriptItem::Statement {
                text: statement,
                offset,
            } => {
                if let Err(error) = session.run(statement) {
                    let error = error.shifted(offset);
                    let (line, column) = error.span.map_or((0, 0), |span| span.line_col(&text));
                    anyhow::bail!("{}:{line}:{column}: {error}", path.display());
                }
            }
            kg::script::ScriptItem::Meta { offset, .. } => {
                let (line, column) = kg::error::line_col_at(&text, offset);
                anyhow::bail!(
                    "{}:{line}:{column}: :load runs only Cypher statements (:source runs meta-commands too)",
                    path.display()
                );
            }
        }
    }
    let graph = std::mem::replace(session.graph_mut(), Graph::new());
    let summary = format!(
        "loaded {} from {}",
        sizes(graph.node_count(), graph.rel_count()),
        path.display()
    );
    Ok((graph, summary))
}

/// `1 node and 2 relationships`.
fn sizes(nodes: usize, rels: usize) -> String {
    format!(
        "{} and {}",
        count(nodes, "node", "nodes"),
        count(rels, "relationship", "relationships")
    )
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Writes the graph in kg's own format.
pub fn save(graph: &Graph, path: &Path) -> anyhow::Result<()> {
    load::save_native(graph, path).with_context(|| format!("saving to {}", path.display()))
}

/// Writes the graph as Cypher, CSV, GraphML or DOT.
pub fn export(graph: &Graph, kind: ExportKind, path: &Path) -> anyhow::Result<()> {
    let format = match kind {
        ExportKind::Svg => return draw(graph, "svg", path),
        ExportKind::Png => return draw(graph, "png", path),
        ExportKind::Cypher => ExportFormat::Cypher,
        ExportKind::Csv => ExportFormat::Csv,
        ExportKind::GraphMl => ExportFormat::GraphMl,
        ExportKind::Dot => ExportFormat::Dot,
    };
    load::export(graph, format, path).with_context(|| format!("exporting to {}", path.display()))
}

/// The name of Graphviz's layout program, or `$KG_DOT` (for a `dot` outside `PATH`).
fn dot_program() -> std::ffi::OsString {
    std::env::var_os("KG_DOT").unwrap_or_else(|| "dot".into())
}

/// `:export svg|png`: the DOT export drawn by Graphviz's `dot`, which kg does not bundle.
fn draw(graph: &Graph, format: &str, path: &Path) -> anyhow::Result<()> {
    let dot_file = std::env::temp_dir().join(format!("kg-export-{}.dot", std::process::id()));
    load::export(graph, ExportFormat::Dot, &dot_file)
        .with_context(|| format!("writing {}", dot_file.display()))?;
    let ran = std::process::Command::new(dot_program())
        .arg(format!("-T{format}"))
        .arg(&dot_file)
        .arg("-o")
        .arg(path)
        .stdin(std::process::Stdio::null())
        .output();
    // Removed whatever happened: it was only the input of dot.
    let _ = std::fs::remove_file(&dot_file);
    match ran {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            anyhow::bail!("Graphviz's `dot` is not installed (apt-get install graphviz)")
        }
        Err(e) => Err(e).context("running Graphviz's `dot`"),
        Ok(out) if !out.status.success() => anyhow::bail!(
            "Graphviz's `dot` failed drawing {}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Ok(_) => Ok(()),
    }
}
