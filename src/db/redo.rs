//! Redo records: what one committed transaction changed, as after-images of the entities it
//! touched, read from the graph at commit. The statements' text is not logged, since
//! `rand()`, `timestamp()` and created ids must come out the same on replay; the undo log
//! says which entities to look at and the graph says what they are now.
//!
//! A record, in the order replay applies it: the created nodes still alive (id, labels,
//! properties), the created relationships still alive, the full labels and properties of
//! older nodes and relationships that changed, the older relationships and nodes deleted,
//! and the ids the graph hands out next (so ids taken by rolled-back or deleted creations
//! stay taken). Labels and keys are written in the graph's order so that `keys(n)` and
//! `labels(n)` read the same after replay.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::exec::{Touched, UndoLog};
use crate::graph::schema::{EntityType, RuleKind, SchemaRule};
use crate::graph::{Graph, NodeId, RelId};
use crate::value::Value;

use super::codec::{Decoded, Malformed, Reader, Writer};

const END: u8 = 0;
const CREATE_NODE: u8 = 1;
const CREATE_REL: u8 = 2;
const SET_NODE: u8 = 3;
const SET_REL: u8 = 4;
const DELETE_REL: u8 = 5;
const DELETE_NODE: u8 = 6;
/// Every index and constraint after the transaction (databases before them have no such
/// record, and open as having none).
const SCHEMA: u8 = 7;

/// Encodes the record of a transaction numbered `lsn` whose changes are `undo`, as they
/// stand in `graph` now. `None` when it changed nothing.
pub(crate) fn encode(graph: &Graph, undo: &UndoLog, lsn: u64) -> Option<Vec<u8>> {
    if undo.is_empty() {
        return None;
    }
    let Touched {
        created_nodes,
        created_rels,
        deleted_nodes,
        deleted_rels,
        nodes,
        rels,
        schema,
    } = undo.touched();
    let mut w = Writer::default();
    w.u64(lsn);
    let new_nodes: BTreeSet<u32> = created_nodes.into_iter().flatten().collect();
    let new_rels: BTreeSet<u32> = created_rels.into_iter().flatten().collect();
    for &id in &new_nodes {
        if graph.contains_node(NodeId(id)) {
            w.u8(CREATE_NODE);
            write_node(&mut w, graph, NodeId(id));
        }
    }
    for &id in &new_rels {
        let id = RelId(id);
        if let (Some(data), Some((start, end))) = (graph.rel(id), graph.rel_endpoints(id)) {
            w.u8(CREATE_REL);
            w.u32(id.0);
            w.u32(start.0);
            w.u32(end.0);
            w.str(data.rel_type());
            write_properties(&mut w, data.properties());
        }
    }
    let older = |ids: Vec<u32>, new: &BTreeSet<u32>| -> BTreeSet<u32> {
        ids.into_iter().filter(|id| !new.contains(id)).collect()
    };
    let changed_nodes = older(nodes.iter().map(|n| n.0).collect(), &new_nodes);
    for &id in &changed_nodes {
        if graph.contains_node(NodeId(id)) {
            w.u8(SET_NODE);
            write_node(&mut w, graph, NodeId(id));
        }
    }
    for id in older(rels.iter().map(|r| r.0).collect(), &new_rels) {
        if let Some(data) = graph.rel(RelId(id)) {
            w.u8(SET_REL);
            w.u32(id);
            write_properties(&mut w, data.properties());
        }
    }
    for id in older(deleted_rels.iter().map(|r| r.0).collect(), &new_rels) {
        if !graph.contains_rel(RelId(id)) {
            w.u8(DELETE_REL);
            w.u32(id);
        }
    }
    for id in older(deleted_nodes.iter().map(|n| n.0).collect(), &new_nodes) {
        if !graph.contains_node(NodeId(id)) {
            w.u8(DELETE_NODE);
            w.u32(id);
        }
    }
    if schema {
        w.u8(SCHEMA);
        write_schema(&mut w, graph.schema().rules());
    }
    w.u8(END);
    let (next_node, next_rel) = graph.next_ids();
    w.u32(next_node);
    w.u32(next_rel);
    Some(w.bytes)
}

/// Schema rules as the redo record and the snapshot keep them.
pub(crate) fn write_schema(w: &mut Writer, rules: &[SchemaRule]) {
    w.len(rules.len());
    for rule in rules {
        w.u64(rule.id);
        w.str(&rule.name);
        w.u8(match rule.kind {
            RuleKind::RangeIndex => 0,
            RuleKind::Unique => 1,
            RuleKind::NotNull => 2,
        });
        w.u8(match rule.entity {
            EntityType::Node => 0,
            EntityType::Relationship => 1,
        });
        w.str(&rule.label);
        w.len(rule.properties.len());
        rule.properties.iter().for_each(|p| w.str(p));
    }
}

/// Reads what `write_schema` wrote.
pub(crate) fn read_schema(r: &mut Reader<'_>) -> Decoded<Vec<SchemaRule>> {
    let count = r.len(1)?;
    let mut rules = Vec::with_capacity(count);
    for _ in 0..count {
        let id = r.u64()?;
        let name = r.str()?.to_string();
        let kind = match r.u8()? {
            0 => RuleKind::RangeIndex,
            1 => RuleKind::Unique,
            2 => RuleKind::NotNull,
            other => return r.fail(format!("unknown schema rule kind {other}")),
        };
        let entity = match r.u8()? {
            0 => EntityType::Node,
            1 => EntityType::Relationship,
            other => return r.fail(format!("unknown schema entity type {other}")),
        };
        let label = crate::graph::intern(r.str()?);
        let keys = r.len(1)?;
        let mut properties = Vec::with_capacity(keys);
        for _ in 0..keys {
            properties.push(crate::graph::intern(r.str()?));
        }
        rules.push(SchemaRule {
            id,
            name,
            kind,
            entity,
            label,
            properties,
        });
    }
    Ok(rules)
}

fn write_node(w: &mut Writer, graph: &Graph, id: NodeId) {
    w.u32(id.0);
    let labels = graph.node_labels(id);
    w.len(labels.len());
    labels.iter().for_each(|l| w.str(l));
    if let Some(data) = graph.node(id) {
        write_properties(w, data.properties.view());
    }
}

fn write_properties(w: &mut Writer, props: crate::graph::PropertyView<'_>) {
    w.len(props.len());
    for (k, v) in props.iter() {
        w.str(k);
        w.value(&v);
    }
}

/// The transaction number a record starts with.
pub(crate) fn lsn_of(payload: &[u8]) -> Decoded<u64> {
    Reader::new(payload).u64()
}

/// Applies a record to `graph`. A record that does not fit the graph (an id already
/// taken, a missing endpoint, ...) is reported as malformed; `graph` may then be partly
/// changed, so the caller drops it.
pub(crate) fn apply(graph: &mut Graph, payload: &[u8]) -> Decoded<()> {
    let mut r = Reader::new(payload);
    r.u64()?;
    loop {
        let at = r.pos;
        let misfit = |reason: String| Malformed { offset: at, reason };
        match r.u8()? {
            END => break,
            CREATE_NODE => {
                let (id, labels, props) = read_node(&mut r)?;
                if id < graph.next_ids().0 {
                    return Err(misfit(format!("node id {id} is already taken")));
                }
                graph.skip_node_ids(id);
                let made = graph.create_node(labels.iter().map(|l| &**l), Vec::new());
                set_node_properties(graph, made, props);
            }
            CREATE_REL => {
                let id = r.u32()?;
                let (start, end) = (NodeId(r.u32()?), NodeId(r.u32()?));
                let rel_type = r.str()?.to_string();
                let props = read_properties(&mut r)?;
                if id < graph.next_ids().1 {
                    return Err(misfit(format!("relationship id {id} is already taken")));
                }
                if !graph.skip_rel_ids(id) {
                    return Err(misfit(format!("relationship {id} comes before any node")));
                }
                let Some(made) = graph.create_rel(start, end, &rel_type, Vec::new()) else {
                    return Err(misfit(format!("relationship {id} has a missing endpoint")));
                };
                let pairs: Vec<_> = props
                    .into_iter()
                    .map(|(k, v)| (graph.intern_key(&k), v))
                    .collect();
                graph.set_rel_properties(made, pairs);
            }
            SET_NODE => {
                let (id, labels, props) = read_node(&mut r)?;
                let node = NodeId(id);
                let Some(data) = graph.node(node) else {
                    return Err(misfit(format!("node {id} does not exist")));
                };
                let (old_labels, old_keys) = (data.labels.clone(), keys(data.properties.view()));
                for l in old_labels {
                    graph.remove_label(node, &l);
                }
                for k in old_keys {
                    graph.set_node_property(node, &k, Value::Null);
                }
                for l in &labels {
                    graph.add_label(node, l);
                }
                set_node_properties(graph, node, props);
            }
            SET_REL => {
                let id = RelId(r.u32()?);
                let props = read_properties(&mut r)?;
                let Some(data) = graph.rel(id) else {
                    return Err(misfit(format!("relationship {} does not exist", id.0)));
                };
                for k in keys(data.properties()) {
                    graph.set_rel_property(id, &k, Value::Null);
                }
                for (k, v) in props {
                    graph.set_rel_property(id, &k, v);
                }
            }
            DELETE_REL => {
                let id = r.u32()?;
                if !graph.delete_rel(RelId(id)) {
                    return Err(misfit(format!("relationship {id} does not exist")));
                }
            }
            DELETE_NODE => {
                let id = r.u32()?;
                match graph.remove_node(NodeId(id)) {
                    Ok(Some(_)) => {}
                    Ok(None) => return Err(misfit(format!("node {id} does not exist"))),
                    Err(_) => return Err(misfit(format!("node {id} still has relationships"))),
                }
            }
            SCHEMA => {
                let rules = read_schema(&mut r)?;
                graph.set_schema_rules(rules);
            }
            tag => return Err(misfit(format!("unknown change tag {tag}"))),
        }
    }
    let (next_node, next_rel) = (r.u32()?, r.u32()?);
    let (now_node, now_rel) = graph.next_ids();
    if next_node < now_node || next_rel < now_rel {
        return r.fail("the next ids are below the ids already taken");
    }
    graph.skip_node_ids(next_node);
    if !graph.skip_rel_ids(next_rel) {
        return r.fail("relationship ids come before any node");
    }
    if !r.is_empty() {
        return r.fail("bytes after the end of the record");
    }
    Ok(())
}

type NodeImage = (u32, Vec<Arc<str>>, Vec<(String, Value)>);

fn read_node(r: &mut Reader<'_>) -> Decoded<NodeImage> {
    let id = r.u32()?;
    let n = r.len(4)?;
    let labels = (0..n)
        .map(|_| r.str().map(Arc::from))
        .collect::<Decoded<_>>()?;
    Ok((id, labels, read_properties(r)?))
}

fn read_properties(r: &mut Reader<'_>) -> Decoded<Vec<(String, Value)>> {
    let n = r.len(5)?;
    (0..n)
        .map(|_| {
            let k = r.str()?.to_string();
            Ok((k, r.value()?))
        })
        .collect()
}

fn keys(props: crate::graph::PropertyView<'_>) -> Vec<String> {
    props.keys().map(String::from).collect()
}

fn set_node_properties(graph: &mut Graph, id: NodeId, props: Vec<(String, Value)>) {
    let pairs: Vec<_> = props
        .into_iter()
        .map(|(k, v)| (graph.intern_key(&k), v))
        .collect();
    graph.set_node_properties(id, pairs);
}
