//! Functions over nodes, relationships and paths: id, labels, type, properties, keys,
//! startNode, endNode, nodes, relationships, length, exists.

use super::{invalid_value, wrong_type};
use crate::error::{ErrorCode, ErrorKind, QueryError, Result};
use crate::graph::{Graph, NodeId, PropertyView, RelId};
use crate::value::Value;

pub(super) fn call(name: &str, args: &[Value], graph: &Graph) -> Result<Value> {
    let arg = &args[0];
    if name == "exists" {
        return Ok(Value::Bool(!arg.is_null()));
    }
    if arg.is_null() {
        return Ok(Value::Null);
    }
    match (name, arg) {
        ("id", Value::Node(id)) => Ok(Value::Int(i64::from(id.0))),
        ("id", Value::Rel(id)) => Ok(Value::Int(i64::from(id.0))),
        ("labels", Value::Node(id)) => {
            let node = graph.node(*id).ok_or_else(|| deleted("node"))?;
            Ok(Value::List(
                node.labels
                    .iter()
                    .map(|l| Value::String(l.clone()))
                    .collect(),
            ))
        }
        ("labels", other) => Err(invalid_value("labels", other)),
        ("type", Value::Rel(id)) => {
            let rel = graph.rel(*id).ok_or_else(|| deleted("relationship"))?;
            Ok(Value::String(rel.rel_type().clone()))
        }
        ("type", other) => Err(invalid_value("type", other)),
        ("properties", Value::Map(map)) => Ok(Value::Map(map.clone())),
        ("properties", Value::Node(id)) => Ok(Value::Map(node_data(graph, *id)?.to_map())),
        ("properties", Value::Rel(id)) => Ok(Value::Map(rel_data(graph, *id)?.to_map())),
        ("keys", Value::Map(map)) => Ok(Value::List(
            map.keys().map(|k| Value::string(k.as_str())).collect(),
        )),
        ("keys", Value::Node(id)) => Ok(keys(node_data(graph, *id)?)),
        ("keys", Value::Rel(id)) => Ok(keys(rel_data(graph, *id)?)),
        ("startNode", Value::Rel(id)) => Ok(Value::Node(endpoints(graph, *id)?.0)),
        ("endNode", Value::Rel(id)) => Ok(Value::Node(endpoints(graph, *id)?.1)),
        ("nodes", Value::Path(p)) => Ok(Value::List(
            p.nodes.iter().map(|n| Value::Node(*n)).collect(),
        )),
        ("relationships", Value::Path(p)) => {
            Ok(Value::List(p.rels.iter().map(|r| Value::Rel(*r)).collect()))
        }
        ("length", Value::Path(p)) => Ok(Value::Int(p.len() as i64)),
        (name, other) => Err(wrong_type(name, expected(name), other)),
    }
}

fn expected(name: &str) -> &'static str {
    match name {
        "id" => "a node or relationship",
        "properties" | "keys" => "a node, relationship or map",
        "startNode" | "endNode" => "a relationship",
        _ => "a path",
    }
}

fn keys(props: PropertyView<'_>) -> Value {
    Value::List(props.keys().map(Value::string).collect())
}

fn node_data(graph: &Graph, id: NodeId) -> Result<PropertyView<'_>> {
    graph
        .node(id)
        .map(|n| n.properties.view())
        .ok_or_else(|| deleted("node"))
}

fn rel_data(graph: &Graph, id: RelId) -> Result<PropertyView<'_>> {
    graph
        .rel(id)
        .map(|r| r.properties())
        .ok_or_else(|| deleted("relationship"))
}

fn endpoints(graph: &Graph, id: RelId) -> Result<(NodeId, NodeId)> {
    graph
        .rel_endpoints(id)
        .ok_or_else(|| deleted("relationship"))
}

fn deleted(what: &str) -> QueryError {
    QueryError::runtime(
        ErrorKind::EntityNotFound,
        ErrorCode::DeletedEntityAccess,
        format!("the {what} has been deleted"),
    )
}
