//! Write clauses: CREATE, MERGE, SET, REMOVE, DELETE. Each runs its input to completion
//! first (so a clause never sees its own changes while reading, except MERGE, which must
//! see the rows it created earlier), then applies its changes row by row and counts them.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::Arc;

use crate::error::{ErrorCode, ErrorKind, QueryError, Result};
use crate::graph::{Direction, Graph, NodeId, PropertyView, RelId, RemovedNode, RemovedRels};
use crate::plan::{CreateOp, LogicalPlan, PlanExpr, PlanExprKind, SetOp};
use crate::value::Value;
use crate::value::ops::GroupKey;

use super::eval::properties_of;
use super::expand::build_path;
use super::scan::Rows;
use super::{BoxOp, Env, Row, eval};

/// The inverse of one change, for rolling back a failed (or cancelled) statement without
/// copying the graph. Deleted ids are never reused, so a delete is undone by putting the
/// element back under its old id. Removed elements are boxed to keep the log's entries
/// small for the common case, creates and property sets.
#[derive(Debug)]
pub(crate) enum Undo {
    /// Nodes created, with consecutive ids: a bulk CREATE logs one entry, not one per node.
    CreatedNodes(Range<u32>),
    /// Relationships created, with consecutive ids.
    CreatedRels(Range<u32>),
    /// A node deleted (its relationships were deleted before it, in their own entry).
    DeletedNode(Box<RemovedNode>),
    /// The relationships one DELETE removed, all at once.
    DeletedRels(Box<RemovedRels>),
    /// A property set, with its old value (`None`: it was added).
    Property(Entity, Arc<str>, Option<Value>),
    /// A property removed, with its value and its place among the entity's keys.
    RemovedProperty(Entity, Arc<str>, Box<(Value, usize)>),
    /// A label added.
    AddedLabel(NodeId, Arc<str>),
    /// A label removed, with its place among the node's labels.
    RemovedLabel(NodeId, Arc<str>, usize),
    /// A schema command ran; the indexes and constraints before it.
    Schema(Vec<crate::graph::schema::SchemaRule>),
}

/// Reverts `undo` (most recent change first).
pub(crate) fn roll_back(graph: &mut Graph, undo: Vec<Undo>) {
    for change in undo.into_iter().rev() {
        match change {
            Undo::CreatedNodes(ids) => {
                for id in ids.rev() {
                    let _ = graph.delete_node(NodeId(id), true);
                }
            }
            Undo::CreatedRels(ids) => {
                for id in ids.rev() {
                    graph.delete_rel(RelId(id));
                }
            }
            Undo::DeletedNode(removed) => graph.restore_node(*removed),
            Undo::DeletedRels(removed) => graph.restore_rels(*removed),
            Undo::Property(entity, key, old) => {
                entity.set(graph, &key, old.unwrap_or(Value::Null));
            }
            Undo::RemovedProperty(Entity::Node(id), key, removed) => {
                let (value, position) = *removed;
                graph.restore_node_property(id, &key, value, position);
            }
            Undo::RemovedProperty(Entity::Rel(id), key, removed) => {
                let (value, position) = *removed;
                graph.restore_rel_property(id, &key, value, position);
            }
            Undo::AddedLabel(id, label) => {
                graph.remove_label(id, &label);
            }
            Undo::RemovedLabel(id, label, position) => {
                graph.restore_label(id, &label, position);
            }
            Undo::Schema(rules) => graph.set_schema_rules(rules),
        }
    }
}

/// Logs the creation of `entity`, extending the last entry when it holds the id before.
fn log_created(undo: &mut Vec<Undo>, entity: Entity) {
    let run = match (undo.last_mut(), entity) {
        (Some(Undo::CreatedNodes(ids)), Entity::Node(id)) if ids.end == id.0 => Some(ids),
        (Some(Undo::CreatedRels(ids)), Entity::Rel(id)) if ids.end == id.0 => Some(ids),
        _ => None,
    };
    if let Some(ids) = run {
        ids.end += 1;
        return;
    }
    undo.push(match entity {
        Entity::Node(id) => Undo::CreatedNodes(id.0..id.0 + 1),
        Entity::Rel(id) => Undo::CreatedRels(id.0..id.0 + 1),
    });
}

/// A node or relationship whose properties a write changed.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Entity {
    Node(NodeId),
    Rel(RelId),
}

impl Entity {
    fn properties(self, graph: &Graph) -> Option<PropertyView<'_>> {
        match self {
            Entity::Node(id) => graph.node(id).map(|n| n.properties.view()),
            Entity::Rel(id) => graph.rel(id).map(|r| r.properties()),
        }
    }

    fn set(self, graph: &mut Graph, key: &str, value: Value) -> Option<Value> {
        match self {
            Entity::Node(id) => graph.set_node_property(id, key, value),
            Entity::Rel(id) => graph.set_rel_property(id, key, value),
        }
    }
}

/// Whether `plan` is itself a write operator.
pub(super) fn is_write(plan: &LogicalPlan) -> bool {
    matches!(
        plan,
        LogicalPlan::Create { .. }
            | LogicalPlan::Merge { .. }
            | LogicalPlan::Set { .. }
            | LogicalPlan::Remove { .. }
            | LogicalPlan::Delete { .. }
    )
}

/// Runs the write operator `plan` now and returns its output rows as an operator.
pub(super) fn build(
    env: &mut Env<'_>,
    plan: &LogicalPlan,
    g: &mut Graph,
    arg: &Row,
) -> Result<BoxOp> {
    let input = match plan {
        LogicalPlan::Create { input, .. }
        | LogicalPlan::Merge { input, .. }
        | LogicalPlan::Set { input, .. }
        | LogicalPlan::Remove { input, .. }
        | LogicalPlan::Delete { input, .. } => input,
        _ => return Err(QueryError::not_supported("this write operator", None)),
    };
    let mut input = env.build(input, Some(g), arg)?;
    input.open(arg);
    let mut rows = Vec::new();
    {
        let cx = env.cx(g);
        while let Some(row) = input.next(&cx)? {
            cx.tick()?;
            rows.push(row);
        }
    }
    let mut writer = Writer { env, g };
    let rows = match plan {
        LogicalPlan::Create { ops, .. } => {
            for row in &mut rows {
                writer.env.check_cancel()?;
                writer.create(ops, row, false)?;
            }
            rows
        }
        LogicalPlan::Set { ops, .. } | LogicalPlan::Remove { ops, .. } => {
            for row in &rows {
                writer.env.check_cancel()?;
                writer.set(ops, row)?;
            }
            rows
        }
        LogicalPlan::Delete { exprs, detach, .. } => {
            writer.delete(exprs, *detach, &rows)?;
            rows
        }
        LogicalPlan::Merge {
            pattern,
            create,
            on_create,
            on_match,
            ..
        } => {
            let mut pattern = writer.env.build(pattern, None, arg)?;
            let mut index = NodeMergeIndex::for_clause(create, on_create, on_match);
            let mut out = Vec::new();
            for mut row in rows {
                writer.env.check_cancel()?;
                if let Some(index) = index.as_mut()
                    && let Some(key) = index.key_of_row(&writer, &row)?
                {
                    let found = index.lookup(writer.g, &key);
                    if found.is_empty() {
                        writer.create(create, &mut row, true)?;
                        if let Value::Node(id) = row[index.slot] {
                            index.insert(writer.g, id);
                        }
                        writer.set(on_create, &row)?;
                        out.push(row);
                    } else {
                        for id in found {
                            let mut matched = row.clone();
                            matched[index.slot] = Value::Node(id);
                            writer.set(on_match, &matched)?;
                            out.push(matched);
                        }
                    }
                    continue;
                }
                pattern.open(&row);
                let mut matches = Vec::new();
                {
                    let cx = writer.env.cx(writer.g);
                    while let Some(m) = pattern.next(&cx)? {
                        matches.push(m);
                    }
                }
                if matches.is_empty() {
                    writer.create(create, &mut row, true)?;
                    writer.set(on_create, &row)?;
                    out.push(row);
                } else {
                    for m in matches {
                        writer.set(on_match, &m)?;
                        out.push(m);
                    }
                }
            }
            out
        }
        _ => rows,
    };
    Ok(Box::new(Rows {
        rows: rows.into_iter(),
    }))
}

/// MERGE of one node with a literal property map, the bulk-load case
/// (`UNWIND $rows AS r MERGE (:Company {id: r.id})`): rather than scan the label once per
/// row, the clause indexes the label's nodes by those properties on first use and adds what
/// it creates. Only for clauses whose ON CREATE / ON MATCH cannot change what the index is
/// keyed on; rows whose values have no exact key (null, NaN, temporal, maps) take the
/// general path, which stays correct because such values never equal an indexed key.
struct NodeMergeIndex<'p> {
    slot: usize,
    labels: &'p [Arc<str>],
    properties: Vec<(&'p str, &'p PlanExpr)>,
    /// Built on first use: a clause that runs for one row costs one scan, as before.
    nodes: Option<HashMap<Vec<GroupKey>, Vec<NodeId>>>,
}

/// The key under which MERGE's index keeps `value`: Cypher equivalence (`GroupKey`, so
/// `1` and `1.0` meet) agrees with MERGE's `=` except where null or NaN is involved, which
/// `=` never matches. Those, and temporals, are left to the general path (`None`).
fn merge_key(value: &Value) -> Option<GroupKey> {
    fn equality_is_equivalence(value: &Value) -> bool {
        match value {
            Value::Bool(_) | Value::Int(_) | Value::String(_) => true,
            Value::Float(f) => !f.is_nan(),
            Value::List(items) => items.iter().all(equality_is_equivalence),
            _ => false,
        }
    }
    equality_is_equivalence(value).then(|| GroupKey(value.clone()))
}

impl<'p> NodeMergeIndex<'p> {
    fn for_clause(create: &'p [CreateOp], on_create: &[SetOp], on_match: &[SetOp]) -> Option<Self> {
        let [
            CreateOp::Node {
                slot,
                labels,
                properties,
            },
        ] = create
        else {
            return None;
        };
        let properties: Vec<(&str, &PlanExpr)> = match properties.as_ref().map(|p| &p.kind) {
            None => Vec::new(),
            Some(PlanExprKind::Map(items)) => items.iter().map(|(k, e)| (k.as_str(), e)).collect(),
            Some(_) => return None,
        };
        // A SET of an indexed key, of a whole map or of labels could make a node start or stop
        // matching behind the index's back.
        let keeps_index = |op: &SetOp| match op {
            SetOp::Property { key, .. } => properties.iter().all(|(k, _)| *k != &**key),
            _ => false,
        };
        if !on_create.iter().chain(on_match).all(keeps_index) {
            return None;
        }
        Some(NodeMergeIndex {
            slot: *slot,
            labels,
            properties,
            nodes: None,
        })
    }

    /// The row's key, or `None` when it must take the general path.
    fn key_of_row(&self, writer: &Writer<'_, '_, '_>, row: &Row) -> Result<Option<Vec<GroupKey>>> {
        let mut key = Vec::with_capacity(self.properties.len());
        for (_, expr) in &self.properties {
            match merge_key(&writer.eval(expr, row)?) {
                Some(part) => key.push(part),
                None => return Ok(None),
            }
        }
        Ok(Some(key))
    }

    /// The nodes that match `key`, in id order.
    fn lookup(&mut self, graph: &Graph, key: &[GroupKey]) -> Vec<NodeId> {
        let (labels, properties) = (self.labels, &self.properties);
        let nodes = self.nodes.get_or_insert_with(|| {
            let candidates: Box<dyn Iterator<Item = NodeId>> = match labels.first() {
                Some(first) => Box::new(graph.nodes_with_label(first)),
                None => Box::new(graph.nodes()),
            };
            let mut nodes: HashMap<Vec<GroupKey>, Vec<NodeId>> = HashMap::new();
            for node in candidates {
                if !labels.iter().all(|l| graph.has_label(node, l)) {
                    continue;
                }
                if let Some(key) = Self::key_of_node(properties, graph, node) {
                    nodes.entry(key).or_default().push(node);
                }
            }
            for ids in nodes.values_mut() {
                ids.sort_unstable();
            }
            nodes
        });
        nodes.get(key).cloned().unwrap_or_default()
    }

    /// The key of what `node` holds (not of what the row asked for: `rand()` evaluates anew).
    fn key_of_node(
        properties: &[(&str, &PlanExpr)],
        graph: &Graph,
        node: NodeId,
    ) -> Option<Vec<GroupKey>> {
        properties
            .iter()
            .map(|(k, _)| graph.node_property(node, k).and_then(merge_key))
            .collect()
    }

    /// Adds a node the clause created.
    fn insert(&mut self, graph: &Graph, node: NodeId) {
        if let Some(nodes) = self.nodes.as_mut()
            && let Some(key) = Self::key_of_node(&self.properties, graph, node)
        {
            nodes.entry(key).or_default().push(node);
        }
    }
}

struct Writer<'e, 'a, 'g> {
    env: &'e mut Env<'a>,
    g: &'g mut Graph,
}

/// Checks that `value` can be stored as a property (no maps, entities or nested lists).
fn storable(value: &Value, span: crate::ast::Span) -> Result<()> {
    let ok = match value {
        Value::Map(_) | Value::Node(_) | Value::Rel(_) | Value::Path(_) => false,
        Value::List(items) => items.iter().all(|i| {
            !matches!(
                i,
                Value::Map(_) | Value::Node(_) | Value::Rel(_) | Value::Path(_) | Value::List(_)
            )
        }),
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(QueryError::runtime(
            ErrorKind::TypeError,
            ErrorCode::InvalidPropertyType,
            format!("a {} cannot be stored as a property", value.type_name()),
        )
        .with_span(span))
    }
}

impl Writer<'_, '_, '_> {
    fn eval(&self, expr: &PlanExpr, row: &Row) -> Result<Value> {
        let cx = self.env.cx(self.g);
        eval(expr, row, &cx)
    }

    /// Evaluates a property map for CREATE: (key, value) pairs without nulls, in key order.
    fn property_map<'p>(
        &self,
        expr: Option<&'p PlanExpr>,
        row: &Row,
        merge: bool,
    ) -> Result<Vec<(Cow<'p, str>, Value)>> {
        let Some(expr) = expr else {
            return Ok(Vec::new());
        };
        let entries: Vec<(Cow<'p, str>, Value)> = match &expr.kind {
            // A literal map, the usual case, is read entry by entry: no map value per row.
            PlanExprKind::Map(items) => {
                let mut entries = items
                    .iter()
                    .map(|(k, e)| Ok((Cow::Borrowed(k.as_str()), self.eval(e, row)?)))
                    .collect::<Result<Vec<_>>>()?;
                // As a map value would: keys in order, the last of a repeated key wins.
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                let mut i = entries.len();
                while i > 1 {
                    i -= 1;
                    if entries[i - 1].0 == entries[i].0 {
                        entries.remove(i - 1);
                    }
                }
                entries
            }
            _ => {
                let map = match self.eval(expr, row)? {
                    Value::Map(map) => map,
                    value => {
                        let cx = self.env.cx(self.g);
                        let map = properties_of(&value, &cx).map_err(|e| e.or_span(expr.span))?;
                        map.unwrap_or_default()
                    }
                };
                map.into_iter().map(|(k, v)| (Cow::Owned(k), v)).collect()
            }
        };
        let mut out = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            if merge && v.is_null() {
                // openCypher: MERGE cannot match or create a null property (TCK Merge1 [17]).
                return Err(QueryError::runtime(
                    ErrorKind::SemanticError,
                    ErrorCode::MergeReadOwnWrites,
                    format!("cannot MERGE with a null value for property `{k}`"),
                )
                .with_span(expr.span));
            }
            if !v.is_null() {
                storable(&v, expr.span)?;
                out.push((k, v));
            }
        }
        Ok(out)
    }

    /// Gives a new node or relationship its CREATE properties.
    fn init_properties(&mut self, entity: Entity, props: Vec<(Cow<'_, str>, Value)>) {
        self.env.stats.properties_set += props.len() as u64;
        for (k, v) in props {
            entity.set(self.g, &k, v);
        }
    }

    fn create(&mut self, ops: &[CreateOp], row: &mut Row, merge: bool) -> Result<()> {
        for op in ops {
            match op {
                CreateOp::Node {
                    slot,
                    labels,
                    properties,
                } => {
                    let props = self.property_map(properties.as_ref(), row, merge)?;
                    let stats = &mut self.env.stats;
                    stats.nodes_created += 1;
                    stats.labels_added += labels.len() as u64;
                    let id = self.g.create_node(labels.iter().map(|l| &**l), None);
                    log_created(&mut self.env.undo, Entity::Node(id));
                    self.init_properties(Entity::Node(id), props);
                    row[*slot] = Value::Node(id);
                }
                CreateOp::Rel {
                    slot,
                    start,
                    end,
                    rel_type,
                    properties,
                } => {
                    let props = self.property_map(properties.as_ref(), row, merge)?;
                    let (Value::Node(a), Value::Node(b)) = (&row[*start], &row[*end]) else {
                        return Err(QueryError::runtime(
                            ErrorKind::SemanticError,
                            ErrorCode::InvalidArgumentType,
                            "cannot create a relationship to or from a null node",
                        ));
                    };
                    let id = self
                        .g
                        .create_rel(*a, *b, rel_type, None)
                        .ok_or_else(|| deleted("node"))?;
                    log_created(&mut self.env.undo, Entity::Rel(id));
                    self.env.stats.relationships_created += 1;
                    self.init_properties(Entity::Rel(id), props);
                    row[*slot] = Value::Rel(id);
                }
                CreateOp::Path { slot, elements } => {
                    row[*slot] = build_path(row, elements, self.g);
                }
            }
        }
        Ok(())
    }

    /// Sets (or with null removes) one property of a node or relationship. The key comes
    /// shared, as the plan holds it, since the undo log keeps it.
    fn set_property(&mut self, target: &Value, key: Arc<str>, value: Value) -> Result<()> {
        let entity = match target {
            Value::Null => return Ok(()),
            Value::Node(n) if self.g.contains_node(*n) => Entity::Node(*n),
            Value::Rel(r) if self.g.contains_rel(*r) => Entity::Rel(*r),
            Value::Node(_) => return Err(deleted("node")),
            Value::Rel(_) => return Err(deleted("relationship")),
            other => {
                return Err(QueryError::type_mismatch(
                    "a node or relationship",
                    other.type_name(),
                ));
            }
        };
        // A removal must remember where the key stood, so undo can restore the key order.
        let removing = value.is_null();
        let position = match entity.properties(self.g) {
            Some(props) if removing => props.keys().position(|k| k == &*key),
            _ => None,
        };
        let old = entity.set(self.g, &key, value);
        let undo = match (old, position) {
            (Some(old), Some(position)) => {
                Undo::RemovedProperty(entity, key, Box::new((old, position)))
            }
            (None, _) if removing => return Ok(()),
            (old, _) => Undo::Property(entity, key, old),
        };
        self.env.undo.push(undo);
        self.env.stats.properties_set += 1;
        Ok(())
    }

    fn keys_of(&self, target: &Value) -> Vec<Arc<str>> {
        let props = match target {
            Value::Node(n) => Entity::Node(*n).properties(self.g),
            Value::Rel(r) => Entity::Rel(*r).properties(self.g),
            _ => None,
        };
        props.map_or_else(Vec::new, |p| p.keys().map(Arc::from).collect())
    }

    fn set(&mut self, ops: &[SetOp], row: &Row) -> Result<()> {
        for op in ops {
            match op {
                SetOp::Property { target, key, value } => {
                    let t = self.eval(target, row)?;
                    let v = self.eval(value, row)?;
                    storable(&v, value.span)?;
                    self.set_property(&t, key.clone(), v)
                        .map_err(|e| e.or_span(target.span))?;
                }
                SetOp::Properties {
                    target,
                    value,
                    replace,
                } => {
                    let t = self.eval(target, row)?;
                    let v = self.eval(value, row)?;
                    let map: BTreeMap<String, Value> = {
                        let cx = self.env.cx(self.g);
                        properties_of(&v, &cx)
                            .map_err(|e| e.or_span(value.span))?
                            .unwrap_or_default()
                    };
                    if *replace {
                        for key in self.keys_of(&t) {
                            if !map.contains_key(&*key) {
                                self.set_property(&t, key, Value::Null)?;
                            }
                        }
                    }
                    for (k, v) in map {
                        storable(&v, value.span)?;
                        self.set_property(&t, Arc::from(k), v)
                            .map_err(|e| e.or_span(target.span))?;
                    }
                }
                SetOp::AddLabels { target, labels } => match self.eval(target, row)? {
                    Value::Null => {}
                    Value::Node(n) => {
                        for l in labels {
                            if self.g.add_label(n, l) {
                                self.env.undo.push(Undo::AddedLabel(n, l.clone()));
                                self.env.stats.labels_added += 1;
                            }
                        }
                    }
                    other => {
                        return Err(QueryError::type_mismatch("a node", other.type_name())
                            .with_span(target.span));
                    }
                },
                SetOp::RemoveLabels { target, labels } => match self.eval(target, row)? {
                    Value::Null => {}
                    Value::Node(n) => {
                        for l in labels {
                            let position = self.g.node_labels(n).iter().position(|x| x == l);
                            if let Some(position) = position
                                && self.g.remove_label(n, l)
                            {
                                let undo = Undo::RemovedLabel(n, l.clone(), position);
                                self.env.undo.push(undo);
                                self.env.stats.labels_removed += 1;
                            }
                        }
                    }
                    other => {
                        return Err(QueryError::type_mismatch("a node", other.type_name())
                            .with_span(target.span));
                    }
                },
            }
        }
        Ok(())
    }

    /// Deletes relationships `rels` (those not yet deleted), keeping what the undo log
    /// needs to put them back. (Their tombstones keep their types for `type(r)`.)
    fn delete_rels(&mut self, rels: Vec<RelId>) -> Result<()> {
        self.env.check_cancel()?;
        let removed = self.g.remove_rels(rels);
        self.env.stats.relationships_deleted += removed.len() as u64;
        if !removed.is_empty() {
            self.env.undo.push(Undo::DeletedRels(Box::new(removed)));
        }
        Ok(())
    }

    /// Deletes everything the rows name: relationships first (with DETACH, those of the
    /// nodes too), all at once, then nodes, so `DELETE n, r` works whatever the order.
    fn delete(&mut self, exprs: &[PlanExpr], detach: bool, rows: &[Row]) -> Result<()> {
        let mut nodes: Vec<(NodeId, crate::ast::Span)> = Vec::new();
        let mut rels: Vec<RelId> = Vec::new();
        for row in rows {
            for expr in exprs {
                match self.eval(expr, row)? {
                    Value::Null => {}
                    Value::Node(n) => nodes.push((n, expr.span)),
                    Value::Rel(r) => rels.push(r),
                    Value::Path(p) => {
                        rels.extend(&p.rels);
                        nodes.extend(p.nodes.iter().map(|n| (*n, expr.span)));
                    }
                    other => {
                        return Err(QueryError::runtime(
                            ErrorKind::TypeError,
                            ErrorCode::InvalidArgumentType,
                            format!("cannot delete a {}", other.type_name()),
                        )
                        .with_span(expr.span));
                    }
                }
            }
        }
        if detach {
            for (n, _) in &nodes {
                self.env.check_cancel()?;
                let attached = self.g.relationships_of(*n, Direction::Both, &[]);
                rels.extend(attached.map(|(r, _)| r));
            }
        }
        self.delete_rels(rels)?;
        for (n, span) in nodes {
            self.env.check_cancel()?;
            match self.g.remove_node(n) {
                Ok(Some(removed)) => {
                    self.env.undo.push(Undo::DeletedNode(Box::new(removed)));
                    self.env.stats.nodes_deleted += 1;
                }
                Ok(None) => {}
                Err(_) => {
                    return Err(QueryError::runtime(
                        ErrorKind::ConstraintVerificationFailed,
                        ErrorCode::DeleteConnectedNode,
                        "cannot delete a node that still has relationships; use DETACH DELETE",
                    )
                    .with_span(span));
                }
            }
        }
        Ok(())
    }
}

fn deleted(what: &str) -> QueryError {
    QueryError::runtime(
        ErrorKind::EntityNotFound,
        ErrorCode::DeletedEntityAccess,
        format!("the {what} was deleted by this statement"),
    )
}
