//! Running a request's statement, and the JSON of answers: Neo4j's Query API shape
//! (`{"data":{"fields","values"},"bookmarks"}`, values as plain JSON with `elementId`s), the
//! workspace's view shape (`kg::view::result_json`), and errors (`{"errors":[{code,message}]}`
//! with kg's position added as `line`/`column`).

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json, json};

use super::{SharedSession, error_body, lock};
use crate::error::{ErrorKind, QueryError};
use crate::graph::{Graph, NodeId, RelId};
use crate::result::ResultSet;
use crate::value::{Params, Value};

/// A request's JSON parameter as a Cypher value: integers stay integers, objects are maps.
pub fn json_to_value(json: &Json) -> Value {
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::from(s.as_str()),
        Json::Array(items) => Value::List(items.iter().map(json_to_value).collect()),
        Json::Object(map) => Value::Map(
            map.iter()
                .map(|(k, v)| (k.clone(), json_to_value(v)))
                .collect::<BTreeMap<_, _>>(),
        ),
    }
}

/// The Query API's error code for a kg error (`Neo.ClientError.Statement.SyntaxError`, ...).
fn neo4j_code(error: &QueryError) -> String {
    match error.kind {
        ErrorKind::ConstraintVerificationFailed => {
            "Neo.ClientError.Schema.ConstraintValidationFailed".into()
        }
        ErrorKind::ProcedureError => "Neo.ClientError.Procedure.ProcedureCallFailed".into(),
        ErrorKind::Cancelled => "Neo.TransientError.Transaction.Terminated".into(),
        ErrorKind::NotSupported => "Neo.ClientError.Statement.FeatureNotSupported".into(),
        ErrorKind::SchemaError => error
            .neo4j_schema_status()
            .unwrap_or("Neo.ClientError.Schema.SchemaRuleAccessFailed")
            .into(),
        kind => format!("Neo.ClientError.Statement.{kind}"),
    }
}

/// `{"errors":[{"code","message","kgType","kgCode","line","column"}]}`; the position is in
/// `statement`, 1-based.
pub fn error_json(error: &QueryError, statement: &str) -> Json {
    let mut object = Map::new();
    object.insert("code".into(), json!(neo4j_code(error)));
    object.insert("message".into(), json!(error.message));
    object.insert("kgType".into(), json!(error.kind.to_string()));
    if let Some(code) = error.code {
        object.insert("kgCode".into(), json!(code.to_string()));
    }
    if let Some((line, column)) = error.line_col(statement) {
        object.insert("line".into(), json!(line));
        object.insert("column".into(), json!(column));
    }
    json!({"errors": [Json::Object(object)]})
}

/// The statement and parameters of a request body, or the 400 answer for a bad one.
fn statement_of(body: &Json) -> Result<(String, Params), Json> {
    let invalid = |message: &str| error_body("Neo.ClientError.Request.Invalid", message);
    let Some(object) = body.as_object() else {
        return Err(invalid(
            "the body must be a JSON object: {\"statement\": \"...\", \"parameters\": {...}}",
        ));
    };
    let Some(statement) = object.get("statement").and_then(Json::as_str) else {
        return Err(invalid("the body has no \"statement\" string"));
    };
    let parameters = match object.get("parameters") {
        None | Some(Json::Null) => Params::new(),
        Some(Json::Object(map)) => map
            .iter()
            .map(|(k, v)| (k.clone(), json_to_value(v)))
            .collect(),
        Some(_) => return Err(invalid("\"parameters\" must be a JSON object")),
    };
    if crate::script::split(statement).len() > 1 {
        return Err(error_body(
            "Neo.ClientError.Statement.SyntaxError",
            "one statement per request (this body holds several, separated by `;`)",
        ));
    }
    Ok((statement.to_string(), parameters))
}

/// Runs one statement with its own parameters (the session's are set aside meanwhile).
/// Calls `answer` with the result and the graph while the session is still locked.
pub fn run_query<T>(
    session: &SharedSession,
    statement: &str,
    parameters: Params,
    answer: impl FnOnce(&ResultSet, &Graph) -> T,
) -> Result<T, QueryError> {
    let mut session = lock(session);
    let saved = session.params().clone();
    session.clear_params();
    for (k, v) in parameters {
        session.set_param(k, v);
    }
    let ran = session.run(statement);
    session.clear_params();
    for (k, v) in saved {
        session.set_param(k, v);
    }
    let mut results = ran?;
    let result = results.pop().unwrap_or_default();
    Ok(answer(&result, session.graph()))
}

/// `POST /db/{name}/query/v2`: 202 and `{"data":..,"bookmarks":[]}`, or 400 and the errors.
pub(super) fn query_api(session: &SharedSession, body: &Json) -> (u16, Json) {
    let (statement, parameters) = match statement_of(body) {
        Ok(request) => request,
        Err(answer) => return (400, answer),
    };
    let counters = body
        .get("includeCounters")
        .and_then(Json::as_bool)
        .unwrap_or(false);
    let ran = run_query(session, &statement, parameters, |result, _| {
        let values: Vec<Json> = result
            .rows
            .iter()
            .map(|row| Json::Array(row.iter().map(|v| value_json(v, result)).collect()))
            .collect();
        let mut answer = json!({
            "data": {"fields": result.columns, "values": values},
            "bookmarks": [],
        });
        if counters {
            answer["counters"] = counters_json(result);
        }
        answer
    });
    match ran {
        Ok(answer) => (202, answer),
        Err(error) => (400, error_json(&error, &statement)),
    }
}

/// `POST /kg/view`: `{"result": <view JSON>}` for the workspace, or 400 and the errors.
pub(super) fn view(session: &SharedSession, body: &Json) -> (u16, Json) {
    let (statement, parameters) = match statement_of(body) {
        Ok(request) => request,
        Err(answer) => return (400, answer),
    };
    match run_query(
        session,
        &statement,
        parameters,
        |result, graph| json!({"result": crate::view::result_json(result, graph), "timeMs": result.time_ms}),
    ) {
        Ok(answer) => (200, answer),
        Err(error) => (400, error_json(&error, &statement)),
    }
}

/// `GET /kg/words`: what the editor completes, the REPL's lists plus the graph's names.
pub(super) fn words(session: &crate::Session) -> Json {
    let graph = session.graph();
    // Keys from a sample: reading every property of a large graph per page load is too slow.
    const SAMPLE: usize = 2_000;
    let mut keys = std::collections::BTreeSet::new();
    for node in graph.nodes().take(SAMPLE) {
        if let Some(n) = graph.node(node) {
            keys.extend(n.properties.iter().map(|(k, _)| k.to_string()));
        }
    }
    for rel in graph.rels().take(SAMPLE) {
        if let Some(r) = graph.rel(rel) {
            keys.extend(r.properties().keys().map(str::to_string));
        }
    }
    json!({
        "keywords": &*crate::words::KEYWORDS,
        "functions": &*crate::words::FUNCTIONS,
        "labels": graph.labels(),
        "types": graph.rel_types(),
        "keys": keys,
    })
}

fn counters_json(result: &ResultSet) -> Json {
    let s = result.stats;
    json!({
        "containsUpdates": !s.is_empty(),
        "nodesCreated": s.nodes_created,
        "nodesDeleted": s.nodes_deleted,
        "propertiesSet": s.properties_set,
        "relationshipsCreated": s.relationships_created,
        "relationshipsDeleted": s.relationships_deleted,
        "labelsAdded": s.labels_added,
        "labelsRemoved": s.labels_removed,
    })
}

/// A value as the Query API's plain JSON writes it: nodes `{elementId, labels, properties}`,
/// relationships `{elementId, startNodeElementId, endNodeElementId, type, properties}`,
/// paths as the list of their nodes and relationships, temporals and non-finite floats as text.
fn value_json(value: &Value, result: &ResultSet) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Bool(b) => json!(b),
        Value::Int(i) => json!(i),
        Value::Float(f) if f.is_finite() => json!(f),
        Value::Float(f) => json!(crate::format::text::float(*f)),
        Value::String(s) => json!(&**s),
        Value::Temporal(t) => json!(t.to_string()),
        Value::List(items) => Json::Array(items.iter().map(|v| value_json(v, result)).collect()),
        Value::Map(map) => Json::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), value_json(v, result)))
                .collect(),
        ),
        Value::Node(id) => node_json(*id, result),
        Value::Rel(id) => rel_json(*id, result),
        Value::Path(path) => {
            let mut parts = Vec::with_capacity(path.nodes.len() + path.rels.len());
            for (i, node) in path.nodes.iter().enumerate() {
                parts.push(node_json(*node, result));
                if let Some(rel) = path.rels.get(i) {
                    parts.push(rel_json(*rel, result));
                }
            }
            Json::Array(parts)
        }
    }
}

fn properties_json(props: Option<&crate::graph::Properties>, result: &ResultSet) -> Json {
    Json::Object(
        props
            .map(|p| {
                p.iter()
                    .map(|(k, v)| (k.to_string(), value_json(v, result)))
                    .collect()
            })
            .unwrap_or_default(),
    )
}

fn node_json(id: NodeId, result: &ResultSet) -> Json {
    let snapshot = result.nodes.get(&id);
    json!({
        "elementId": id.0.to_string(),
        "labels": snapshot.map_or_else(Vec::new, |n| n.labels.iter().map(|l| &**l).collect()),
        "properties": properties_json(snapshot.map(|n| &n.properties), result),
    })
}

fn rel_json(id: RelId, result: &ResultSet) -> Json {
    let snapshot = result.rels.get(&id);
    json!({
        "elementId": id.0.to_string(),
        "startNodeElementId": snapshot.map(|r| r.start.0.to_string()),
        "endNodeElementId": snapshot.map(|r| r.end.0.to_string()),
        "type": snapshot.map(|r| &*r.rel_type),
        "properties": properties_json(snapshot.map(|r| &r.properties), result),
    })
}
