//! Node id spaces of one load: the id written in a file → the node it became. kg TOML ids
//! live in the default space; CSV `:ID(Group)` columns open further ones.
//! Loading a large CSV set does millions of lookups here, hence the cheap hash.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::graph::hash::FxHasher;

use crate::graph::NodeId;

/// Where a node was defined, to name both places in a duplicate-id error.
#[derive(Debug, Clone, Copy)]
pub(super) struct Origin {
    /// Index into `Loader::paths`.
    pub file: u32,
    pub line: u32,
    /// 0 when unknown (CSV rows).
    pub column: u32,
}

type IdMap = HashMap<IdKey, (NodeId, Origin), BuildHasherDefault<FxHasher>>;

/// Longest id stored inside the table entry itself.
const INLINE: usize = 22;

/// An id as a table key. Short ids (all of the benchmark's) sit inside the entry, so a
/// lookup compares against memory it has already fetched instead of following a pointer:
/// at millions of ids, that pointer is a cache miss on every lookup.
#[derive(Debug, Clone)]
enum IdKey {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<str>),
}

impl IdKey {
    fn new(id: &str) -> Self {
        match u8::try_from(id.len()) {
            Ok(len) if id.len() <= INLINE => {
                let mut bytes = [0; INLINE];
                bytes[..id.len()].copy_from_slice(id.as_bytes());
                IdKey::Inline { len, bytes }
            }
            _ => IdKey::Heap(id.into()),
        }
    }

    fn as_bytes(&self) -> &[u8] {
        match self {
            IdKey::Inline { len, bytes } => &bytes[..usize::from(*len)],
            IdKey::Heap(s) => s.as_bytes(),
        }
    }
}

// Hash, Eq and Borrow all go through the bytes, so a `&[u8]` looks an `IdKey` up.
impl std::hash::Hash for IdKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

impl PartialEq for IdKey {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for IdKey {}

impl std::borrow::Borrow<[u8]> for IdKey {
    fn borrow(&self) -> &[u8] {
        self.as_bytes()
    }
}

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
        id: &str,
        node: NodeId,
        origin: Origin,
    ) -> Result<(), Origin> {
        use std::collections::hash_map::Entry;
        match self.groups[group].entry(IdKey::new(id)) {
            Entry::Vacant(v) => {
                v.insert((node, origin));
                Ok(())
            }
            Entry::Occupied(o) => Err(o.get().1),
        }
    }

    /// The node registered under `id` in ID space `group`, if any.
    pub fn resolve(&self, group: usize, id: &str) -> Option<NodeId> {
        self.groups
            .get(group)
            .and_then(|g| g.get(id.as_bytes()))
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
            .filter_map(|k| std::str::from_utf8(k.as_bytes()).ok())
            .map(|k| (strsim::damerau_levenshtein(id, k), k))
            .filter(|(distance, _)| *distance <= max_distance)
            .min()
            .map(|(_, k)| k)
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
        assert!(ids.define(people, "1", NodeId(0), origin()).is_ok());
        assert!(ids.define(default, "1", NodeId(1), origin()).is_ok());
        assert!(ids.define(people, "1", NodeId(2), origin()).is_err());
        assert_eq!(ids.resolve(people, "1"), Some(NodeId(0)));
        assert_eq!(ids.resolve(default, "1"), Some(NodeId(1)));
        assert_eq!(ids.resolve(default, "2"), None);
    }

    #[test]
    fn hash_spreads_ids_that_differ_late_over_low_bits() {
        use std::hash::BuildHasher;
        let build = BuildHasherDefault::<FxHasher>::default();
        let buckets: std::collections::HashSet<u64> = (0..1000)
            .map(|i| build.hash_one(format!("P{}", 100_000 + i)) & 0xfff)
            .collect();
        // 1000 ids over 4096 buckets: a good hash leaves few of them sharing one.
        assert!(
            buckets.len() > 800,
            "only {} distinct buckets",
            buckets.len()
        );
    }

    #[test]
    fn long_ids_are_keys_too() {
        let mut ids = IdSpaces::default();
        let g = ids.group("");
        let long = "an_id_longer_than_the_inline_buffer_of_a_key";
        ids.define(g, long, NodeId(3), origin()).expect("new id");
        assert_eq!(ids.resolve(g, long), Some(NodeId(3)));
        assert_eq!(ids.resolve(g, &long[..INLINE]), None);
    }

    #[test]
    fn suggestions_need_a_close_id() {
        let mut ids = IdSpaces::default();
        let g = ids.group("");
        ids.define(g, "wu_gansha", NodeId(0), origin())
            .expect("new id");
        assert_eq!(ids.suggest(g, "wu_gnsha"), Some("wu_gansha"));
        assert_eq!(ids.suggest(g, "uisee"), None);
    }
}
