//! Scope: the variables visible at a point of a query, each with what it holds and where it
//! was introduced. Rebuilt at WITH/RETURN; cloned into subqueries and comprehensions.
//!
//! Each variable gets a [`VarId`] where it is introduced, and every occurrence of a name
//! is recorded with the id it resolved to, keyed by the occurrence's span. The planner
//! reads those tables instead of keeping a scope of its own, so a scoping rule is written
//! once, here. Introductions are keyed by (span, name) because one piece of text can
//! introduce several names (`WITH *`, the outputs of `CALL { ... }`), and binding the same
//! introduction twice yields the same id, so checks that walk a clause again stay in step.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use crate::ast::Span;
use crate::catalog::{FunctionSpec, Types};

/// What a variable (or expression) is statically known to hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarKind {
    /// A node.
    Node,
    /// A relationship.
    Rel,
    /// A variable-length relationship variable: a list of relationships.
    RelList,
    /// A path.
    Path,
    /// A map.
    Map,
    /// A list.
    List,
    /// A string.
    String,
    /// An integer or a float.
    Number,
    /// A boolean.
    Bool,
    /// Not known before running (parameters, properties, function results, null).
    Any,
}

impl VarKind {
    /// The name used in error messages.
    pub fn describe(self) -> &'static str {
        match self {
            VarKind::Node => "a node",
            VarKind::Rel => "a relationship",
            VarKind::RelList => "a list of relationships",
            VarKind::Path => "a path",
            VarKind::Map => "a map",
            VarKind::List => "a list",
            VarKind::String => "a string",
            VarKind::Number => "a number",
            VarKind::Bool => "a boolean",
            VarKind::Any => "a value",
        }
    }

    /// The catalog's types this kind can be (all of them when unknown).
    pub fn types(self) -> Types {
        match self {
            VarKind::Node => Types::NODE,
            VarKind::Rel => Types::RELATIONSHIP,
            VarKind::RelList | VarKind::List => Types::LIST,
            VarKind::Path => Types::PATH,
            VarKind::Map => Types::MAP,
            VarKind::String => Types::STRING,
            VarKind::Number => Types::NUMBER,
            VarKind::Bool => Types::BOOLEAN,
            VarKind::Any => Types::NONE,
        }
    }

    /// Values that are neither graph entities nor maps: no properties to read.
    pub fn is_scalar(self) -> bool {
        matches!(
            self,
            VarKind::List | VarKind::String | VarKind::Number | VarKind::Bool
        )
    }
}

/// One variable of a statement: the same id wherever the variable is named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VarId(pub u32);

/// A variable in scope.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub kind: VarKind,
    /// Where it was introduced.
    pub span: Span,
    pub id: VarId,
}

/// One item `WITH *`/`RETURN *` expands to: the name, the variable it reads and the
/// variable it introduces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StarItem {
    pub name: String,
    pub from: VarId,
    pub to: VarId,
}

/// What `bind` resolved, keyed by the span of the text that names it: the planner reads
/// this instead of resolving names again.
#[derive(Debug, Clone, Default)]
pub struct Resolutions {
    /// Each function call's catalog entry, by the span of the call.
    pub functions: HashMap<Span, &'static FunctionSpec>,
    /// Where each variable is introduced: (span of the introducing text, name) → id.
    pub introduced: HashMap<(Span, String), VarId>,
    /// Each reference to a variable already in scope, by the span of the reference.
    pub uses: HashMap<Span, VarId>,
    /// What each `*` projection expands to, by the span of its WITH/RETURN clause, sorted
    /// by name.
    pub stars: HashMap<Span, Vec<StarItem>>,
}

impl Resolutions {
    /// The variable `name` introduced at `span`.
    pub fn introduced_at(&self, span: Span, name: &str) -> Option<VarId> {
        self.introduced.get(&(span, name.to_string())).copied()
    }
}

/// The variables in scope, sorted by name.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    vars: BTreeMap<String, Binding>,
    /// Shared by every scope of one statement (clones and `emptied` ones), so that what is
    /// resolved in a nested scope is kept.
    resolved: Rc<RefCell<Resolutions>>,
}

impl Scope {
    /// A scope with no variables that records into the same resolutions.
    pub fn emptied(&self) -> Scope {
        Scope {
            vars: BTreeMap::new(),
            resolved: Rc::clone(&self.resolved),
        }
    }

    /// Records that the call at `span` is `spec`.
    pub(super) fn resolve_function(&self, span: Span, spec: &'static FunctionSpec) {
        self.resolved.borrow_mut().functions.insert(span, spec);
    }

    /// Everything resolved so far through this scope and its relatives.
    pub(super) fn resolutions(&self) -> Resolutions {
        self.resolved.borrow().clone()
    }

    /// Records what the `*` projection of the clause at `span` expands to.
    pub(super) fn record_star(&self, span: Span, items: Vec<StarItem>) {
        self.resolved.borrow_mut().stars.insert(span, items);
    }

    /// The binding of `name`, if in scope.
    pub fn get(&self, name: &str) -> Option<Binding> {
        self.vars.get(name).copied()
    }

    /// The binding of `name` referred to at `span`, recording the reference.
    pub fn resolve(&self, name: &str, span: Span) -> Option<Binding> {
        let binding = self.get(name)?;
        self.resolved.borrow_mut().uses.insert(span, binding.id);
        Some(binding)
    }

    /// Whether `name` is in scope.
    pub fn contains(&self, name: &str) -> bool {
        self.vars.contains_key(name)
    }

    /// Introduces (or shadows) `name` at `span`; returns its id.
    pub fn declare(&mut self, name: &str, kind: VarKind, span: Span) -> VarId {
        let id = {
            let mut resolved = self.resolved.borrow_mut();
            let next = VarId(resolved.introduced.len() as u32);
            *resolved
                .introduced
                .entry((span, name.to_string()))
                .or_insert(next)
        };
        self.bind(name, Binding { kind, span, id });
        id
    }

    /// Makes an existing variable visible as `name` (imports, and the scopes that see old
    /// and new names together).
    pub fn bind(&mut self, name: &str, binding: Binding) {
        self.vars.insert(name.to_string(), binding);
    }

    /// Whether no variable is in scope.
    pub fn is_empty(&self) -> bool {
        self.vars.is_empty()
    }

    /// Names in scope, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.vars.keys().map(String::as_str)
    }
}
