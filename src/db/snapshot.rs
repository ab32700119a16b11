//! The snapshot: the whole graph in one binary file, with its ids (deleted ids stay taken)
//! and the number of the last transaction it holds. kg's TOML format (`:save`) keeps no
//! ids and needs a unique name per node, so it cannot serve here.
//!
//! Layout: magic and format version, then chunks framed as log records are (length and
//! CRC-32 each, `wal::frame`), written and read one at a time so that neither side holds a
//! second copy of the graph: a head (last transaction number, next node and relationship
//! ids, entity counts), chunks of nodes (id, labels, properties, degrees), chunks of relationships
//! (id, endpoints, type, properties), the indexes and constraints if there are any, and an end chunk. A name (label, type, key) is
//! written in full where it first appears and by number after that.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::sync::Arc;

use crate::graph::{Direction, Graph, NodeId, PropertyKey, PropertyView};
use crate::value::Value;

use super::codec::{Decoded, Malformed, Reader, Writer};
use super::wal;

pub(crate) const MAGIC: &[u8; 8] = b"KGSNAP\r\n";
/// The snapshot format this build writes and reads.
pub(crate) const VERSION: u32 = 1;

/// A chunk is written once it holds this many bytes.
const CHUNK: usize = 1 << 20;

const NODES: u8 = 1;
const RELS: u8 = 2;
const END: u8 = 3;
/// The indexes and constraints (`redo::write_schema`), after the entities so that reading
/// builds the indexes once; absent from snapshots without any.
const SCHEMA: u8 = 4;

/// Names numbered in the order first written.
#[derive(Default)]
struct Names<'g> {
    ids: HashMap<&'g str, u32>,
}

impl<'g> Names<'g> {
    /// Writes `name`'s number, followed by the name itself the first time.
    fn write(&mut self, w: &mut Writer, name: &'g str) {
        let next = self.ids.len() as u32;
        match self.ids.get(name) {
            Some(&id) => w.u32(id),
            None => {
                self.ids.insert(name, next);
                w.u32(next);
                w.str(name);
            }
        }
    }
}

/// Chunks being written.
struct Chunks<'o, W: Write> {
    out: &'o mut W,
    chunk: Writer,
    kind: u8,
}

impl<W: Write> Chunks<'_, W> {
    fn start(&mut self, kind: u8) -> io::Result<()> {
        self.flush()?;
        self.kind = kind;
        self.chunk.u8(kind);
        Ok(())
    }

    /// Ends the chunk if it is full, continuing with one of the same kind.
    fn maybe_flush(&mut self) -> io::Result<()> {
        if self.chunk.bytes.len() >= CHUNK {
            self.start(self.kind)?;
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.chunk.bytes.is_empty() {
            self.out.write_all(&wal::frame(&self.chunk.bytes))?;
            self.chunk.bytes.clear();
        }
        Ok(())
    }
}

fn write_properties<'g>(w: &mut Writer, props: PropertyView<'g>, names: &mut Names<'g>) {
    w.len(props.len());
    for (k, v) in props.iter() {
        names.write(w, k);
        w.value(&v);
    }
}

/// Writes `graph`, which holds every transaction up to `lsn`, to `out`.
pub(crate) fn write(graph: &Graph, lsn: u64, out: &mut impl Write) -> io::Result<()> {
    out.write_all(MAGIC)?;
    out.write_all(&VERSION.to_le_bytes())?;
    let mut head = Writer::default();
    head.u64(lsn);
    let (next_node, next_rel) = graph.next_ids();
    head.u32(next_node);
    head.u32(next_rel);
    head.len(graph.node_count());
    head.len(graph.rel_count());
    out.write_all(&wal::frame(&head.bytes))?;
    let mut names = Names::default();
    let mut chunks = Chunks {
        out,
        chunk: Writer::default(),
        kind: NODES,
    };
    chunks.start(NODES)?;
    for id in graph.nodes() {
        let Some(data) = graph.node(id) else { continue };
        let w = &mut chunks.chunk;
        w.u32(id.0);
        w.len(data.labels.len());
        for l in &data.labels {
            names.write(w, l);
        }
        write_properties(w, data.properties.view(), &mut names);
        // Degrees, so that loading allocates each adjacency list once, at its size.
        w.len(graph.degree(id, Direction::Outgoing));
        w.len(graph.degree(id, Direction::Incoming));
        chunks.maybe_flush()?;
    }
    chunks.start(RELS)?;
    for id in graph.rels() {
        let (Some(data), Some((start, end))) = (graph.rel(id), graph.rel_endpoints(id)) else {
            continue;
        };
        let w = &mut chunks.chunk;
        w.u32(id.0);
        w.u32(start.0);
        w.u32(end.0);
        names.write(w, data.rel_type());
        write_properties(w, data.properties(), &mut names);
        chunks.maybe_flush()?;
    }
    if !graph.schema().is_empty() {
        chunks.start(SCHEMA)?;
        super::redo::write_schema(&mut chunks.chunk, graph.schema().rules());
    }
    chunks.start(END)?;
    chunks.flush()
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
    Io(io::Error),
}

impl From<Malformed> for ReadError {
    fn from(m: Malformed) -> Self {
        ReadError::Malformed(m)
    }
}

/// Reads the next chunk of `input` (at `offset` in a file of `size` bytes) into `buf`.
fn read_chunk(
    input: &mut impl Read,
    offset: &mut usize,
    size: usize,
    buf: &mut Vec<u8>,
) -> Result<(), ReadError> {
    let malformed = |offset: usize, reason: &str| {
        ReadError::Malformed(Malformed {
            offset,
            reason: reason.into(),
        })
    };
    let at = *offset;
    let mut header = [0u8; wal::HEADER];
    if size.saturating_sub(at) < wal::HEADER {
        return Err(malformed(at, "the file is cut short"));
    }
    input.read_exact(&mut header).map_err(ReadError::Io)?;
    let Some(len) = wal::payload_len(&header) else {
        return Err(malformed(at, "a chunk header fails its checksum"));
    };
    if size - at - wal::HEADER < len {
        return Err(malformed(at, "the file is cut short"));
    }
    buf.resize(len, 0);
    input.read_exact(buf).map_err(ReadError::Io)?;
    if !wal::payload_matches(&header, buf) {
        return Err(malformed(at, "a chunk fails its checksum"));
    }
    *offset += wal::HEADER + len;
    Ok(())
}

/// Reads a snapshot written by `write` from `input`, `size` bytes long.
pub(crate) fn read(input: &mut impl Read, size: usize) -> Result<Loaded, ReadError> {
    let malformed = |offset: usize, reason: &str| {
        ReadError::Malformed(Malformed {
            offset,
            reason: reason.into(),
        })
    };
    let mut start = [0u8; 12];
    if size < start.len() {
        return Err(malformed(0, "not a kg snapshot"));
    }
    input.read_exact(&mut start).map_err(ReadError::Io)?;
    if &start[..8] != MAGIC {
        return Err(malformed(0, "not a kg snapshot"));
    }
    let version = u32::from_le_bytes([start[8], start[9], start[10], start[11]]);
    if version > VERSION {
        return Err(ReadError::Newer(version));
    }
    let mut offset = start.len();
    let mut buf = Vec::new();
    read_chunk(input, &mut offset, size, &mut buf)?;
    let at = |offset: usize| {
        move |m: Malformed| Malformed {
            offset: offset + wal::HEADER + m.offset,
            reason: m.reason,
        }
    };
    let mut r = Reader::new(&buf);
    let head = (|| Ok((r.u64()?, r.u32()?, r.u32()?, r.u32()?, r.u32()?)))().map_err(at(offset))?;
    let (lsn, next_node, next_rel, nodes, rels) = head;
    let mut state = Loading {
        graph: Graph::new(),
        names: Vec::new(),
        keys: Vec::new(),
        next: (next_node, next_rel),
        counts: (0, 0),
        rels,
        degrees: 0,
    };
    state.graph.reserve(nodes as usize, rels as usize);
    let mut schema = Vec::new();
    loop {
        let chunk_at = offset;
        read_chunk(input, &mut offset, size, &mut buf)?;
        let mut r = Reader::new(&buf);
        match r.u8().map_err(at(chunk_at))? {
            NODES => state.nodes(&mut r).map_err(at(chunk_at))?,
            RELS => state.rels(&mut r).map_err(at(chunk_at))?,
            SCHEMA => schema = super::redo::read_schema(&mut r).map_err(at(chunk_at))?,
            END => break,
            kind => return Err(malformed(chunk_at, &format!("unknown chunk kind {kind}"))),
        }
    }
    if state.counts != (nodes, rels) {
        return Err(malformed(offset, "the entity counts do not match the head"));
    }
    if offset != size {
        return Err(malformed(offset, "bytes after the end chunk"));
    }
    let Loading { mut graph, .. } = state;
    if !schema.is_empty() {
        graph.set_schema_rules(schema);
    }
    graph.skip_node_ids(next_node);
    if !graph.skip_rel_ids(next_rel) {
        return Err(malformed(offset, "relationship ids come before any node"));
    }
    graph.compact();
    Ok(Loaded { graph, lsn })
}

/// A graph being rebuilt from chunks, with the names read so far.
struct Loading {
    graph: Graph,
    names: Vec<Arc<str>>,
    /// Per name, its property key once used as one.
    keys: Vec<Option<PropertyKey>>,
    next: (u32, u32),
    counts: (u32, u32),
    /// The relationship count of the head, and the degrees read so far.
    rels: u32,
    degrees: u64,
}

impl Loading {
    fn name(&mut self, r: &mut Reader<'_>) -> Decoded<usize> {
        let i = r.u32()? as usize;
        if i == self.names.len() {
            self.names.push(crate::graph::intern(r.str()?));
            self.keys.push(None);
        } else if i > self.names.len() {
            return r.fail(format!("name {i} comes before it is defined"));
        }
        Ok(i)
    }

    fn properties(&mut self, r: &mut Reader<'_>) -> Decoded<Vec<(PropertyKey, Value)>> {
        let n = r.len(5)?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let i = self.name(r)?;
            let key = match &self.keys[i] {
                Some(key) => key.clone(),
                None => {
                    let key = self.graph.intern_key(&self.names[i]);
                    self.keys[i] = Some(key.clone());
                    key
                }
            };
            out.push((key, r.value()?));
        }
        Ok(out)
    }

    fn nodes(&mut self, r: &mut Reader<'_>) -> Decoded<()> {
        let mut labels = Vec::new();
        while !r.is_empty() {
            let at = r.pos;
            let id = r.u32()?;
            if id < self.graph.next_ids().0 || id >= self.next.0 {
                return Err(Malformed {
                    offset: at,
                    reason: format!("node id {id} is out of order"),
                });
            }
            let n = r.len(4)?;
            labels.clear();
            for _ in 0..n {
                let i = self.name(r)?;
                labels.push(self.names[i].clone());
            }
            let props = self.properties(r)?;
            let (outgoing, incoming) = (r.u32()?, r.u32()?);
            // Checked against the head's count before anything is allocated for them.
            self.degrees = self.degrees + u64::from(outgoing) + u64::from(incoming);
            if self.degrees > 2 * u64::from(self.rels) {
                return Err(Malformed {
                    offset: at,
                    reason: "the degrees add up to more relationships than there are".into(),
                });
            }
            self.graph.skip_node_ids(id);
            let made = self
                .graph
                .create_node(labels.iter().map(|l| &**l), Vec::new());
            self.graph.set_node_properties(made, props);
            self.graph
                .reserve_relationships(made, outgoing as usize, incoming as usize);
            self.counts.0 += 1;
        }
        Ok(())
    }

    fn rels(&mut self, r: &mut Reader<'_>) -> Decoded<()> {
        while !r.is_empty() {
            let at = r.pos;
            let id = r.u32()?;
            let (start, end) = (NodeId(r.u32()?), NodeId(r.u32()?));
            let i = self.name(r)?;
            let rel_type = self.names[i].clone();
            let props = self.properties(r)?;
            let misfit = |reason: String| Malformed { offset: at, reason };
            let graph = &mut self.graph;
            if id < graph.next_ids().1 || id >= self.next.1 || !graph.skip_rel_ids(id) {
                return Err(misfit(format!("relationship id {id} is out of order")));
            }
            let Some(made) = graph.create_rel(start, end, &rel_type, Vec::new()) else {
                return Err(misfit(format!("relationship {id} has a missing endpoint")));
            };
            graph.set_rel_properties(made, props);
            self.counts.1 += 1;
        }
        Ok(())
    }
}
