//! The snapshot: the whole graph in one binary file, with its ids (deleted ids stay taken)
//! and the number of the last transaction it holds. kg's TOML format (`:save`) keeps no
//! ids and needs a unique name per node, so it cannot serve here.
//!
//! Layout: magic, format version, last transaction number, next node and relationship
//! ids, a table of names (labels, types, keys: each written once), the nodes (id, label
//! names, properties), the relationships (id, endpoints, type, properties), and a CRC-32
//! of everything before it. The file is checked whole before any of it is used.

use std::collections::HashMap;
use std::io::{self, Write};
use std::sync::Arc;

use crate::graph::{Graph, Properties, PropertyKey};

use super::codec::{Decoded, Malformed, Reader, Writer};

pub(crate) const MAGIC: &[u8; 8] = b"KGSNAP\r\n";
/// The snapshot format this build writes and reads.
pub(crate) const VERSION: u32 = 1;

/// Names (labels, types, keys) numbered in the order first met.
#[derive(Default)]
struct Names<'g> {
    ids: HashMap<&'g str, u32>,
    table: Vec<&'g str>,
}

impl<'g> Names<'g> {
    fn id(&mut self, name: &'g str) -> u32 {
        *self.ids.entry(name).or_insert_with(|| {
            self.table.push(name);
            (self.table.len() - 1) as u32
        })
    }
}

fn write_properties<'g>(body: &mut Writer, props: &'g Properties, names: &mut Names<'g>) {
    body.len(props.len());
    for (k, v) in props.iter() {
        body.u32(names.id(k));
        body.value(v);
    }
}

/// Writes `graph`, which holds every transaction up to `lsn`, to `out`.
pub(crate) fn write(graph: &Graph, lsn: u64, out: &mut impl Write) -> io::Result<()> {
    let mut names = Names::default();
    // The body first, to learn the names; it is written after their table.
    let mut body = Writer::default();
    for id in graph.nodes() {
        let Some(data) = graph.node(id) else { continue };
        body.u32(id.0);
        body.len(data.labels.len());
        for l in &data.labels {
            body.u32(names.id(l));
        }
        write_properties(&mut body, &data.properties, &mut names);
    }
    let mut rels = 0u32;
    for id in graph.rels() {
        let (Some(data), Some((start, end))) = (graph.rel(id), graph.rel_endpoints(id)) else {
            continue;
        };
        rels += 1;
        body.u32(id.0);
        body.u32(start.0);
        body.u32(end.0);
        body.u32(names.id(&data.rel_type));
        write_properties(&mut body, &data.properties, &mut names);
    }
    let mut head = Writer::default();
    head.bytes.extend_from_slice(MAGIC);
    head.u32(VERSION);
    head.u64(lsn);
    let (next_node, next_rel) = graph.next_ids();
    head.u32(next_node);
    head.u32(next_rel);
    head.len(names.table.len());
    for name in &names.table {
        head.str(name);
    }
    head.len(graph.node_count());
    head.u32(rels);
    let mut crc = crc32fast::Hasher::new();
    crc.update(&head.bytes);
    crc.update(&body.bytes);
    out.write_all(&head.bytes)?;
    out.write_all(&body.bytes)?;
    out.write_all(&crc.finalize().to_le_bytes())
}

/// A snapshot read back.
#[derive(Debug)]
pub(crate) struct Loaded {
    pub graph: Graph,
    pub lsn: u64,
}

/// Why a snapshot could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// Written by a newer kg.
    Newer(u32),
    Malformed(Malformed),
}

impl From<Malformed> for ReadError {
    fn from(m: Malformed) -> Self {
        ReadError::Malformed(m)
    }
}

/// Reads a snapshot written by `write`.
pub(crate) fn read(bytes: &[u8]) -> Result<Loaded, ReadError> {
    let malformed = |offset: usize, reason: &str| {
        ReadError::Malformed(Malformed {
            offset,
            reason: reason.into(),
        })
    };
    let mut r = Reader::new(bytes);
    if r.take(MAGIC.len()).ok() != Some(&MAGIC[..]) {
        return Err(malformed(0, "not a kg snapshot"));
    }
    let version = r.u32()?;
    if version > VERSION {
        return Err(ReadError::Newer(version));
    }
    let (content, trailer) = bytes.split_at(bytes.len().saturating_sub(4).max(r.pos));
    let stored = <[u8; 4]>::try_from(trailer).ok().map(u32::from_le_bytes);
    if stored != Some(crc32fast::hash(content)) {
        return Err(malformed(content.len(), "the file fails its checksum"));
    }
    let mut r = Reader::new(content);
    r.take(MAGIC.len() + 4)?;
    Ok(parse(&mut r)?)
}

fn parse(r: &mut Reader<'_>) -> Decoded<Loaded> {
    let lsn = r.u64()?;
    let (next_node, next_rel) = (r.u32()?, r.u32()?);
    let n = r.len(4)?;
    let table: Vec<Arc<str>> = (0..n)
        .map(|_| r.str().map(crate::graph::intern))
        .collect::<Decoded<_>>()?;
    let nodes = r.len(12)?;
    let rels = r.len(24)?;
    let mut graph = Graph::new();
    graph.reserve(next_node as usize, next_rel as usize);
    let mut keys: Vec<Option<PropertyKey>> = vec![None; table.len()];
    let name = |r: &mut Reader<'_>| -> Decoded<usize> {
        let i = r.u32()? as usize;
        if i >= table.len() {
            return r.fail(format!("name {i} is not in the table"));
        }
        Ok(i)
    };
    let mut properties = |r: &mut Reader<'_>,
                          graph: &mut Graph|
     -> Decoded<Vec<(PropertyKey, crate::value::Value)>> {
        let n = r.len(5)?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let i = name(r)?;
            let key = keys[i]
                .get_or_insert_with(|| graph.intern_key(&table[i]))
                .clone();
            out.push((key, r.value()?));
        }
        Ok(out)
    };
    let mut labels = Vec::new();
    for _ in 0..nodes {
        let at = r.pos;
        let id = r.u32()?;
        if id < graph.next_ids().0 || id >= next_node {
            return Err(Malformed {
                offset: at,
                reason: format!("node id {id} is out of order"),
            });
        }
        let n = r.len(4)?;
        labels.clear();
        for _ in 0..n {
            let i = r.u32()? as usize;
            match table.get(i) {
                Some(l) => labels.push(l.clone()),
                None => return r.fail(format!("name {i} is not in the table")),
            }
        }
        let props = properties(r, &mut graph)?;
        graph.skip_node_ids(id);
        let made = graph.create_node(labels.iter().map(|l| &**l), Vec::new());
        graph.set_node_properties(made, props);
    }
    graph.skip_node_ids(next_node);
    for _ in 0..rels {
        let at = r.pos;
        let id = r.u32()?;
        let (start, end) = (
            crate::graph::NodeId(r.u32()?),
            crate::graph::NodeId(r.u32()?),
        );
        let i = r.u32()? as usize;
        let Some(rel_type) = table.get(i).cloned() else {
            return r.fail(format!("name {i} is not in the table"));
        };
        let props = properties(r, &mut graph)?;
        let misfit = |reason: String| Malformed { offset: at, reason };
        if id < graph.next_ids().1 || id >= next_rel || !graph.skip_rel_ids(id) {
            return Err(misfit(format!("relationship id {id} is out of order")));
        }
        let Some(made) = graph.create_rel(start, end, &rel_type, Vec::new()) else {
            return Err(misfit(format!("relationship {id} has a missing endpoint")));
        };
        graph.set_rel_properties(made, props);
    }
    if !graph.skip_rel_ids(next_rel) {
        return r.fail("relationship ids come before any node");
    }
    if !r.is_empty() {
        return r.fail("bytes after the last relationship");
    }
    Ok(Loaded { graph, lsn })
}
