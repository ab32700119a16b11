//! Scope: the variables visible at a point of a query, each with what it holds and where it
//! was introduced. Rebuilt at WITH/RETURN; cloned into subqueries and comprehensions.

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

/// A variable in scope.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub kind: VarKind,
    /// Where it was introduced.
    pub span: Span,
}

/// What `bind` resolved, keyed by the span of the text that names it: the planner reads
/// this instead of resolving names again.
#[derive(Debug, Clone, Default)]
pub struct Resolutions {
    /// Each function call's catalog entry, by the span of the call.
    pub functions: HashMap<Span, &'static FunctionSpec>,
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

    /// The binding of `name`, if in scope.
    pub fn get(&self, name: &str) -> Option<Binding> {
        self.vars.get(name).copied()
    }

    /// Whether `name` is in scope.
    pub fn contains(&self, name: &str) -> bool {
        self.vars.contains_key(name)
    }

    /// Adds (or shadows) `name`.
    pub fn declare(&mut self, name: &str, kind: VarKind, span: Span) {
        self.vars.insert(name.to_string(), Binding { kind, span });
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
