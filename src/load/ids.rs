//! Node id spaces of one load: the id written in a file → the node it became. kg TOML ids
//! live in the default space; CSV `:ID(Group)` columns open further ones.
//! Loading a large CSV set does millions of lookups here, hence the cheap hash.

use std::collections::HashMap;
use std::sync::Arc;

use crate::graph::NodeId;
use crate::graph::hash::FxHashMap;

/// Where a node was defined, to name both places in a duplicate-id error.
#[derive(Debug, Clone, Copy)]
pub(super) struct Origin {
    /// Index into `Loader::paths`.
    pub file: u32,
    pub line: u32,
    /// 0 when unknown (CSV rows).
    pub column: u32,
}

type IdMap = FxHashMap<Arc<str>, (NodeId, Origin)>;

/// The id spaces; index 0 is the default space, named "".
#[derive(Default)]
pub(super) struct IdSpaces {
    groups: Vec<IdMap>,
    names: HashMap<String, usize>,
}

impl IdSpaces {
    /// The index of the space `name`, created on first use.
    pub fn group(&mut self, name: &str) -> usize {
        if self.groups.is_empty() {
            self.groups.push(IdMap::default());
            self.names.insert(String::new(), 0);
        }
        if let Some(&i) = self.names.get(name) {
            return i;
        }
        self.groups.push(IdMap::default());
        self.names.insert(name.to_string(), self.groups.len() - 1);
        self.groups.len() - 1
    }

    /// Makes room for `additional` more ids, to spare rehashing during a large load.
    pub fn reserve(&mut self, group: usize, additional: usize) {
        if let Some(g) = self.groups.get_mut(group) {
            g.reserve(additional);
        }
    }

    /// Records `id` for `node`; on a duplicate, returns where the first one was defined.
    pub fn define(
        &mut self,
        group: usize,
        id: Arc<str>,
        node: NodeId,
        origin: Origin,
    ) -> Result<(), Origin> {
        use std::collections::hash_map::Entry;
        match self.groups[group].entry(id) {
            Entry::Vacant(v) => {
                v.insert((node, origin));
                Ok(())
            }
            Entry::Occupied(o) => Err(o.get().1),
        }
    }

    pub fn resolve(&self, group: usize, id: &str) -> Option<NodeId> {
        self.groups
            .get(group)
            .and_then(|g| g.get(id))
            .map(|(n, _)| *n)
    }

    /// The closest id of the space to an unknown `id`, if it is close enough to be a typo.
    pub fn suggest(&self, group: usize, id: &str) -> Option<&str> {
        // Comparing against millions of CSV ids would stall error reporting.
        const MAX_CANDIDATES: usize = 100_000;
        let ids = self
            .groups
            .get(group)
            .filter(|g| g.len() <= MAX_CANDIDATES)?;
        // Close enough to be a typo: a few edits, fewer for short ids.
        let max_distance = (id.chars().count() / 3).clamp(1, 3);
        ids.keys()
            .map(|k| (strsim::damerau_levenshtein(id, k), k))
            .filter(|(distance, _)| *distance <= max_distance)
            .min()
            .map(|(_, k)| &**k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> Origin {
        Origin {
            file: 0,
            line: 1,
            column: 0,
        }
    }

    #[test]
    fn groups_are_separate_and_duplicates_are_refused() {
        let mut ids = IdSpaces::default();
        let default = ids.group("");
        let people = ids.group("Person");
        assert_ne!(default, people);
        assert!(ids.define(people, "1".into(), NodeId(0), origin()).is_ok());
        assert!(ids.define(default, "1".into(), NodeId(1), origin()).is_ok());
        assert!(ids.define(people, "1".into(), NodeId(2), origin()).is_err());
        assert_eq!(ids.resolve(people, "1"), Some(NodeId(0)));
        assert_eq!(ids.resolve(default, "1"), Some(NodeId(1)));
        assert_eq!(ids.resolve(default, "2"), None);
    }

    #[test]
    fn suggestions_need_a_close_id() {
        let mut ids = IdSpaces::default();
        let g = ids.group("");
        ids.define(g, "wu_gansha".into(), NodeId(0), origin())
            .expect("new id");
        assert_eq!(ids.suggest(g, "wu_gnsha"), Some("wu_gansha"));
        assert_eq!(ids.suggest(g, "uisee"), None);
    }
}
