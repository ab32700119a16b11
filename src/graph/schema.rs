//! Indexes and constraints users ask for (`CREATE INDEX`, `CREATE CONSTRAINT`, Neo4j 5):
//! their definitions, the ordered (range) indexes behind them, and the checks of the
//! constraints. An index maps the Cypher order of a property value (or of a tuple of them,
//! for a composite index) to the entities carrying it, so it answers equality, `IN`,
//! ranges and `STARTS WITH`.
//!
//! `Graph`'s write functions call the two hooks here, `schema_before` and `schema_after`,
//! around each change of an entity's labels, properties or existence; every write path
//! (statements, undo, replay, loaders) goes through those functions, so the indexes stay
//! exact. Constraints are checked when a statement ends (`Graph::schema_violation`): a
//! statement may pass through a duplicate (`SET a.k = 2, b.k = 1` over 1 and 2) but not
//! end with one, and the statement's undo log then takes it back.
//! Not here: which queries use an index (the planner decides) or Cypher syntax.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::Arc;

use super::{Graph, NodeId, RelId};
use crate::value::Value;
use crate::value::ops::{compare, order};

/// What a schema rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntityType {
    /// `FOR (n:Label)`
    Node,
    /// `FOR ()-[r:TYPE]-()`
    Relationship,
}

impl EntityType {
    /// As `SHOW INDEXES` writes it: `NODE` or `RELATIONSHIP`.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityType::Node => "NODE",
            EntityType::Relationship => "RELATIONSHIP",
        }
    }
}

/// What a schema rule is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleKind {
    /// `CREATE [RANGE] INDEX`: an ordered index.
    RangeIndex,
    /// `CREATE CONSTRAINT ... IS UNIQUE`: no two entities share the values; backed by an
    /// index of the same name.
    Unique,
    /// `CREATE CONSTRAINT ... IS NOT NULL`: every entity with the label has the property.
    NotNull,
}

impl RuleKind {
    /// Constraints are shown and dropped as constraints, the rest as indexes.
    pub fn is_constraint(self) -> bool {
        !matches!(self, RuleKind::RangeIndex)
    }

    /// Whether the rule keeps an index (shown by `SHOW INDEXES`).
    pub fn has_index(self) -> bool {
        !matches!(self, RuleKind::NotNull)
    }
}

/// One index or constraint as created, e.g. `CREATE INDEX idx FOR (c:Company) ON (c.founded)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaRule {
    /// Shown as `id` by SHOW; ascending in creation order.
    pub id: u64,
    pub name: String,
    pub kind: RuleKind,
    pub entity: EntityType,
    /// The label (nodes) or relationship type.
    pub label: Arc<str>,
    /// The property keys, in the order given.
    pub properties: Vec<Arc<str>>,
}

impl SchemaRule {
    /// Same kind over the same entities and keys (names aside): what Neo4j calls an
    /// equivalent schema rule.
    pub fn is_equivalent(&self, other: &SchemaRule) -> bool {
        self.kind == other.kind
            && self.entity == other.entity
            && self.label == other.label
            && self.properties == other.properties
    }

    /// The name Neo4j gives an unnamed rule: `index_` or `constraint_` and a hash of what
    /// it covers (8 hex digits; stable across runs and builds).
    pub fn generated_name(&self) -> String {
        let prefix = if self.kind.is_constraint() {
            "constraint"
        } else {
            "index"
        };
        let mut text = format!("{:?}|{:?}|{}", self.kind, self.entity, self.label);
        for p in &self.properties {
            text.push('|');
            text.push_str(p);
        }
        format!("{prefix}_{:08x}", fnv1a(text.as_bytes()) as u32)
    }
}

/// FNV-1a: a fixed hash, unlike std's, so generated names do not change between builds.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// An entity a rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Entity {
    Node(NodeId),
    Rel(RelId),
}

impl Entity {
    fn raw(self) -> u32 {
        match self {
            Entity::Node(id) => id.0,
            Entity::Rel(id) => id.0,
        }
    }

    fn entity_type(self) -> EntityType {
        match self {
            Entity::Node(_) => EntityType::Node,
            Entity::Rel(_) => EntityType::Relationship,
        }
    }
}

/// Index keys in Cypher order (`value::ops::order`: types grouped as ORDER BY groups them,
/// numbers by value, so `1` and `1.0` are one key).
#[derive(Debug, Clone)]
struct IndexKey(Vec<Value>);

impl PartialEq for IndexKey {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for IndexKey {}

impl PartialOrd for IndexKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for IndexKey {
    fn cmp(&self, other: &Self) -> Ordering {
        for (a, b) in self.0.iter().zip(&other.0) {
            let o = order(a, b);
            if o.is_ne() {
                return o;
            }
        }
        self.0.len().cmp(&other.0.len())
    }
}

/// The ordered index of one rule: key → ids of the entities with it, ascending.
#[derive(Debug, Clone, Default)]
struct RangeIndex {
    entries: BTreeMap<IndexKey, Vec<u32>>,
}

impl RangeIndex {
    /// Adds `id` under `key`; true when another entity already has the key.
    fn insert(&mut self, key: IndexKey, id: u32) -> bool {
        let ids = self.entries.entry(key).or_default();
        if let Err(at) = ids.binary_search(&id) {
            ids.insert(at, id);
        }
        ids.len() > 1
    }

    fn remove(&mut self, key: &IndexKey, id: u32) {
        if let Some(ids) = self.entries.get_mut(key) {
            ids.retain(|&i| i != id);
            if ids.is_empty() {
                self.entries.remove(key);
            }
        }
    }
}

/// What a seek asks an index for, on its first key.
#[derive(Debug, Clone)]
pub enum Seek {
    /// Equal to any of the values (`=` one, `IN` several).
    Equal(Vec<Value>),
    /// Between the bounds (each `(value, inclusive)`); at least one is given.
    Range {
        lower: Option<(Value, bool)>,
        upper: Option<(Value, bool)>,
    },
    /// Strings starting with the prefix.
    Prefix(Arc<str>),
}

/// A constraint a statement would leave broken.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pub rule: SchemaRule,
    /// The shared values (uniqueness) or none (existence).
    pub values: Vec<Value>,
    /// The entities concerned.
    pub entities: Vec<Entity>,
}

/// Why a schema rule could not be created.
#[derive(Debug, Clone, PartialEq)]
pub enum CreateError {
    /// An equivalent rule exists already (its name).
    Equivalent(String),
    /// A rule of that name exists already (and is not equivalent).
    NameTaken(String),
    /// The existing data breaks the new constraint.
    Violated(Box<Violation>),
}

/// Why a schema rule could not be dropped.
#[derive(Debug, Clone, PartialEq)]
pub enum DropError {
    /// No index / constraint of that name.
    NotFound(String),
    /// `DROP INDEX` of the index a constraint owns (the constraint's name).
    OwnedByConstraint(String),
}

/// The indexes and constraints of a graph.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    /// In creation order; `indexes[i]` belongs to `rules[i]` (empty for NOT NULL).
    rules: Vec<SchemaRule>,
    indexes: Vec<RangeIndex>,
    next_id: u64,
    /// Unique keys that got a second entity during the current statement: (rule id, key).
    clashes: Vec<(u64, IndexKey)>,
    /// Entities under an existence constraint changed during the current statement.
    to_check: Vec<Entity>,
}

impl Schema {
    /// Whether there is no rule (writes then skip every hook).
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Every rule, in creation order.
    pub fn rules(&self) -> &[SchemaRule] {
        &self.rules
    }

    /// Whether any rule on `entity` reads property `key`.
    fn watches(&self, entity: EntityType, key: &str) -> bool {
        self.rules
            .iter()
            .any(|r| r.entity == entity && r.properties.iter().any(|p| &**p == key))
    }

    fn watches_entity(&self, entity: EntityType) -> bool {
        self.rules.iter().any(|r| r.entity == entity)
    }
}

/// The key of `rule` for an entity whose properties `get` reads: `None` when one of the
/// keys is missing (Neo4j indexes only entities with all of them).
fn key_of(rule: &SchemaRule, get: impl Fn(&str) -> Option<Value>) -> Option<IndexKey> {
    rule.properties
        .iter()
        .map(|p| get(p).filter(|v| !v.is_null()))
        .collect::<Option<Vec<Value>>>()
        .map(IndexKey)
}

impl Graph {
    /// The indexes and constraints.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// Number of entries (entities with all the keys) of the index of rule `name`.
    pub fn index_size(&self, name: &str) -> Option<usize> {
        let at = self.schema.rules.iter().position(|r| r.name == name)?;
        Some(self.schema.indexes[at].entries.values().map(Vec::len).sum())
    }

    /// Adds `rule` (its `id` is assigned here) and builds its index from the graph. Refused
    /// when an equivalent rule or the name exists, or when the data breaks the constraint
    /// (then nothing changes).
    pub fn create_schema_rule(&mut self, mut rule: SchemaRule) -> Result<&SchemaRule, CreateError> {
        if let Some(same) = self.schema.rules.iter().find(|r| r.is_equivalent(&rule)) {
            return Err(CreateError::Equivalent(same.name.clone()));
        }
        if self.schema.rules.iter().any(|r| r.name == rule.name) {
            return Err(CreateError::NameTaken(rule.name));
        }
        rule.id = self.schema.next_id.max(1);
        let mut index = RangeIndex::default();
        let members = self.members(rule.entity, &rule.label);
        for &entity in &members {
            let key = self.entity_key(&rule, entity);
            match rule.kind {
                RuleKind::NotNull if key.is_none() => {
                    return Err(CreateError::Violated(Box::new(Violation {
                        rule,
                        values: Vec::new(),
                        entities: vec![entity],
                    })));
                }
                RuleKind::NotNull => {}
                RuleKind::Unique | RuleKind::RangeIndex => {
                    if let Some(key) = key
                        && index.insert(key.clone(), entity.raw())
                        && rule.kind == RuleKind::Unique
                    {
                        let entities = self.entities_of(&rule, &index, &key);
                        return Err(CreateError::Violated(Box::new(Violation {
                            rule,
                            values: key.0,
                            entities,
                        })));
                    }
                }
            }
        }
        self.schema.next_id = rule.id + 1;
        self.schema.rules.push(rule);
        self.schema.indexes.push(index);
        Ok(self.schema.rules.last().expect("just pushed"))
    }

    /// Drops the rule named `name`, an index (`constraint` false) or a constraint.
    pub fn drop_schema_rule(
        &mut self,
        name: &str,
        constraint: bool,
    ) -> Result<SchemaRule, DropError> {
        let Some(at) = self.schema.rules.iter().position(|r| r.name == name) else {
            return Err(DropError::NotFound(name.to_string()));
        };
        let kind = self.schema.rules[at].kind;
        if kind.is_constraint() != constraint {
            // Neo4j: the index of a uniqueness constraint shares its name but is dropped
            // with the constraint.
            return Err(if kind.is_constraint() && kind.has_index() {
                DropError::OwnedByConstraint(name.to_string())
            } else {
                DropError::NotFound(name.to_string())
            });
        }
        self.schema.indexes.remove(at);
        Ok(self.schema.rules.remove(at))
    }

    /// Replaces every rule with `rules` (ids kept), rebuilding their indexes: for undoing
    /// a schema command and for reopening a database. Rules the data breaks are kept: the
    /// data was committed under them.
    pub fn set_schema_rules(&mut self, rules: Vec<SchemaRule>) {
        let next_id = rules.iter().map(|r| r.id + 1).max().unwrap_or(1);
        let mut indexes = Vec::with_capacity(rules.len());
        for rule in &rules {
            let mut index = RangeIndex::default();
            if rule.kind.has_index() {
                for entity in self.members(rule.entity, &rule.label) {
                    if let Some(key) = self.entity_key(rule, entity) {
                        index.insert(key, entity.raw());
                    }
                }
            }
            indexes.push(index);
        }
        self.schema = Schema {
            rules,
            indexes,
            next_id: next_id.max(self.schema.next_id),
            clashes: Vec::new(),
            to_check: Vec::new(),
        };
    }

    /// Whether some index rule serves seeks on `key` of nodes (or relationships) with `label`:
    /// `key` is its first property.
    pub fn has_index(&self, entity: EntityType, label: &str, key: &str) -> bool {
        self.index_at(entity, label, key).is_some()
    }

    fn index_at(&self, entity: EntityType, label: &str, key: &str) -> Option<usize> {
        self.schema.rules.iter().position(|r| {
            r.kind.has_index()
                && r.entity == entity
                && &*r.label == label
                && r.properties.first().is_some_and(|p| &**p == key)
        })
    }

    /// The nodes with `label` whose `key` passes `seek`, ascending, through an index;
    /// `None` when no index serves it (e.g. the values are of a type the index cannot range
    /// over), so the caller scans instead. The answer may hold more nodes than pass (the
    /// caller checks the predicate again), never fewer.
    pub fn seek_nodes(&self, label: &str, key: &str, seek: &Seek) -> Option<Vec<NodeId>> {
        let at = self.index_at(EntityType::Node, label, key)?;
        let ids = seek_ids(&self.schema.indexes[at], seek)?;
        Some(ids.into_iter().map(NodeId).collect())
    }

    /// The entities `rule` covers: nodes with its label or relationships of its type.
    fn members(&self, entity: EntityType, label: &str) -> Vec<Entity> {
        match entity {
            EntityType::Node => self.nodes_with_label(label).map(Entity::Node).collect(),
            EntityType::Relationship => self.rels_with_type(label).map(Entity::Rel).collect(),
        }
    }

    fn entity_key(&self, rule: &SchemaRule, entity: Entity) -> Option<IndexKey> {
        match entity {
            Entity::Node(id) => key_of(rule, |k| self.node_property(id, k).cloned()),
            Entity::Rel(id) => key_of(rule, |k| self.rel_property(id, k)),
        }
    }

    /// Whether `rule` covers `entity` as the graph has it now.
    fn covers(&self, rule: &SchemaRule, entity: Entity) -> bool {
        rule.entity == entity.entity_type()
            && match entity {
                Entity::Node(id) => self.node_labels(id).contains(&rule.label),
                Entity::Rel(id) => self.rel_type(id).is_some_and(|t| *t == *rule.label),
            }
    }

    fn entities_of(&self, rule: &SchemaRule, index: &RangeIndex, key: &IndexKey) -> Vec<Entity> {
        let ids = index.entries.get(key).cloned().unwrap_or_default();
        ids.into_iter()
            .map(|i| match rule.entity {
                EntityType::Node => Entity::Node(NodeId(i)),
                EntityType::Relationship => Entity::Rel(RelId(i)),
            })
            .collect()
    }

    // ---- hooks for the write functions ----

    /// Before `entity` changes (label, property `key` if given, deletion): takes it out of
    /// the indexes that cover it. Returns whether it did, i.e. whether `schema_after` must
    /// follow the change.
    pub(super) fn schema_before(&mut self, entity: Entity, key: Option<&str>) -> bool {
        if self.schema.is_empty() {
            return false;
        }
        let kind = entity.entity_type();
        let watched = match key {
            Some(key) => self.schema.watches(kind, key),
            None => self.schema.watches_entity(kind),
        };
        if !watched {
            return false;
        }
        for at in 0..self.schema.rules.len() {
            let rule = &self.schema.rules[at];
            if !rule.kind.has_index() || !self.covers(rule, entity) {
                continue;
            }
            if let Some(key) = self.entity_key(rule, entity) {
                self.schema.indexes[at].remove(&key, entity.raw());
            }
        }
        true
    }

    /// After `entity` changed (or came back): enters it in the indexes that cover it, and
    /// notes what the end of the statement must check.
    pub(super) fn schema_after(&mut self, entity: Entity) {
        for at in 0..self.schema.rules.len() {
            let rule = &self.schema.rules[at];
            if !self.covers(rule, entity) {
                continue;
            }
            let key = self.entity_key(rule, entity);
            match rule.kind {
                RuleKind::NotNull => {
                    if key.is_none() {
                        self.schema.to_check.push(entity);
                    }
                }
                RuleKind::RangeIndex | RuleKind::Unique => {
                    let (id, unique) = (rule.id, rule.kind == RuleKind::Unique);
                    if let Some(key) = key
                        && self.schema.indexes[at].insert(key.clone(), entity.raw())
                        && unique
                    {
                        self.schema.clashes.push((id, key));
                    }
                }
            }
        }
    }

    /// `schema_after` for an entity that `schema_before` took out; nothing otherwise.
    pub(super) fn schema_after_if(&mut self, taken: bool, entity: Entity) {
        if taken {
            self.schema_after(entity);
        }
    }

    /// Enters `entity`, which had no index entries, into the indexes that cover it.
    pub(super) fn schema_added(&mut self, entity: Entity) {
        let watched = !self.schema.is_empty();
        self.schema_after_if(watched, entity);
    }

    /// Forgets what earlier statements left to check (a statement starts clean).
    pub fn schema_statement_start(&mut self) {
        self.schema.clashes.clear();
        self.schema.to_check.clear();
    }

    /// The first constraint the writes since `schema_statement_start` leave broken.
    pub fn schema_violation(&mut self) -> Option<Violation> {
        let clashes = std::mem::take(&mut self.schema.clashes);
        let to_check = std::mem::take(&mut self.schema.to_check);
        for (id, key) in clashes {
            let Some(at) = self.schema.rules.iter().position(|r| r.id == id) else {
                continue;
            };
            let rule = &self.schema.rules[at];
            let entities = self.entities_of(rule, &self.schema.indexes[at], &key);
            if entities.len() > 1 {
                return Some(Violation {
                    rule: rule.clone(),
                    values: key.0,
                    entities,
                });
            }
        }
        for entity in to_check {
            let broken = self.schema.rules.iter().find(|rule| {
                rule.kind == RuleKind::NotNull
                    && self.covers(rule, entity)
                    && self.entity_key(rule, entity).is_none()
            });
            if let Some(rule) = broken {
                return Some(Violation {
                    rule: rule.clone(),
                    values: Vec::new(),
                    entities: vec![entity],
                });
            }
        }
        None
    }
}

/// The ids `seek` selects from `index` (by its first key), ascending and distinct; `None`
/// when the index cannot answer for these values.
fn seek_ids(index: &RangeIndex, seek: &Seek) -> Option<Vec<u32>> {
    let mut ids = Vec::new();
    match seek {
        Seek::Equal(values) => {
            for value in values {
                if !seekable(value) {
                    return None;
                }
                scan_from(index, value, |first| order(first, value).is_eq(), &mut ids);
            }
        }
        Seek::Prefix(prefix) => {
            let start = Value::String(prefix.clone());
            let within =
                |first: &Value| matches!(first, Value::String(s) if s.starts_with(&**prefix));
            scan_from(index, &start, within, &mut ids);
        }
        Seek::Range { lower, upper } => {
            // The values in range share the bounds' type group: start at the lower bound,
            // or at the smallest value of the upper bound's group.
            let start = match (lower, upper) {
                (Some((v, _)), _) => v.clone(),
                (None, Some((v, _))) => group_minimum(v)?,
                (None, None) => return None,
            };
            if !seekable(&start) {
                return None;
            }
            let passes = |first: &Value, bound: &Option<(Value, bool)>, wanted: Ordering| {
                bound.as_ref().is_none_or(|(v, inclusive)| {
                    matches!(compare(first, v), Some(o) if o == wanted || (*inclusive && o.is_eq()))
                })
            };
            let from = IndexKey(vec![start.clone()]);
            for (key, entry) in index
                .entries
                .range((Bound::Included(from), Bound::Unbounded))
            {
                let first = &key.0[0];
                // Keys of the bounds' type group are contiguous: past it, or past the upper
                // bound, nothing further fits. (NaN sorts above every number and fails
                // every comparison, so it is skipped.)
                if !same_group(first, &start) {
                    break;
                }
                if let Some((v, _)) = upper
                    && compare(first, v).is_some()
                    && !passes(first, upper, Ordering::Less)
                {
                    break;
                }
                if passes(first, lower, Ordering::Greater) && passes(first, upper, Ordering::Less) {
                    ids.extend_from_slice(entry);
                }
            }
        }
    }
    ids.sort_unstable();
    ids.dedup();
    Some(ids)
}

/// Adds the ids of the keys from `start` on whose first value passes `within`, stopping at
/// the first that does not.
fn scan_from(
    index: &RangeIndex,
    start: &Value,
    within: impl Fn(&Value) -> bool,
    ids: &mut Vec<u32>,
) {
    let from = IndexKey(vec![start.clone()]);
    for (key, entry) in index
        .entries
        .range((Bound::Included(from), Bound::Unbounded))
    {
        if !within(&key.0[0]) {
            break;
        }
        ids.extend_from_slice(entry);
    }
}

/// Values whose place in the index order matches Cypher comparison (numbers, strings,
/// booleans, temporals): only these are looked up by value.
fn seekable(value: &Value) -> bool {
    matches!(
        value,
        Value::Int(_) | Value::Float(_) | Value::String(_) | Value::Bool(_) | Value::Temporal(_)
    ) && !matches!(value, Value::Float(f) if f.is_nan())
}

/// Both numbers, both strings, ...: the type groups of the index order.
fn same_group(a: &Value, b: &Value) -> bool {
    let number = |v: &Value| matches!(v, Value::Int(_) | Value::Float(_));
    (number(a) && number(b)) || std::mem::discriminant(a) == std::mem::discriminant(b)
}

/// The smallest value of `v`'s type group in the index order, where one exists.
fn group_minimum(v: &Value) -> Option<Value> {
    match v {
        Value::Int(_) | Value::Float(_) => Some(Value::Float(f64::NEG_INFINITY)),
        Value::String(_) => Some(Value::string("")),
        Value::Bool(_) => Some(Value::Bool(false)),
        _ => None,
    }
}

impl Violation {
    /// What is broken, in Neo4j's words: "Node(3) already exists with label `Company` and
    /// property `name` = 'Acme'".
    pub fn describe(&self) -> String {
        let rule = &self.rule;
        let what = match rule.entity {
            EntityType::Node => "label",
            EntityType::Relationship => "type",
        };
        let entity = |e: &Entity| match e {
            Entity::Node(id) => format!("Node({})", id.0),
            Entity::Rel(id) => format!("Relationship({})", id.0),
        };
        let keys: Vec<String> = rule.properties.iter().map(|p| format!("`{p}`")).collect();
        let keys = keys.join(", ");
        match rule.kind {
            RuleKind::NotNull => format!(
                "{} with {what} `{}` must have the property {keys} (constraint `{}`)",
                self.entities.first().map(entity).unwrap_or_default(),
                rule.label,
                rule.name
            ),
            _ => {
                let values: Vec<String> = self.values.iter().map(literal).collect();
                let mut entities = self.entities.iter().map(entity);
                let first = entities.next().unwrap_or_default();
                let others: Vec<String> = entities.collect();
                format!(
                    "{first} already exists with {what} `{}` and property {keys} = {} \
                     (constraint `{}`; also wanted by {})",
                    rule.label,
                    values.join(", "),
                    rule.name,
                    others.join(", ")
                )
            }
        }
    }
}

/// A value as a Cypher literal, for messages.
fn literal(value: &Value) -> String {
    match value {
        Value::String(s) => {
            let mut out = String::new();
            crate::value::write_quoted(&mut out, s, true);
            out
        }
        Value::Temporal(t) => t.cypher_literal(),
        other => crate::value::ops::scalar_text(other),
    }
}
