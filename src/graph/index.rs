//! The indexes kept beside the node and relationship stores: symbol tables giving labels and
//! relationship types small ids, the type filter expansions test those ids with, and the
//! `name` → nodes index (adjacency lives in `adjacency.rs`). Nothing here knows about
//! Cypher.

use std::sync::Arc;

use super::NodeId;
use super::hash::FxHashMap;

/// Interned names with dense ids, in order of first use.
#[derive(Debug, Clone, Default)]
pub(super) struct Symbols {
    pub names: Vec<Arc<str>>,
    ids: FxHashMap<Arc<str>, u32>,
    /// The id `intern` returned last.
    last: u32,
}

impl Symbols {
    /// The id of `name`, created on first use.
    pub fn intern(&mut self, name: &str) -> (u32, Arc<str>) {
        // Loads intern the same name many times in a row: a short comparison beats hashing.
        if let Some(k) = self.names.get(self.last as usize)
            && **k == *name
        {
            return (self.last, k.clone());
        }
        if let Some((k, &id)) = self.ids.get_key_value(name) {
            self.last = id;
            return (id, k.clone());
        }
        let id = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        let k = super::intern(name);
        self.names.push(k.clone());
        self.ids.insert(k.clone(), id);
        self.last = id;
        (id, k)
    }

    pub fn id(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }
}

/// Which relationship types an expansion follows, resolved against one graph's type ids
/// (see `Graph::type_filter`). Cheap to clone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeFilter(Filter);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Filter {
    Any,
    /// Bit `i` set: type id `i` passes. Type ids are dense and few, so this is the usual case.
    Mask(u64),
    /// Some type id is 64 or more.
    List(Arc<[u32]>),
}

impl TypeFilter {
    /// Every type passes.
    pub fn any() -> Self {
        TypeFilter(Filter::Any)
    }

    /// Exactly the type ids `ids` pass (none when empty).
    pub(super) fn of(ids: &[u32]) -> Self {
        if ids.iter().all(|&i| i < 64) {
            TypeFilter(Filter::Mask(ids.iter().fold(0, |m, &i| m | 1u64 << i)))
        } else {
            TypeFilter(Filter::List(ids.into()))
        }
    }

    /// Whether no type can pass (every named type is absent from the graph).
    pub fn is_empty(&self) -> bool {
        matches!(self.0, Filter::Mask(0))
    }

    #[inline]
    pub(super) fn admits(&self, ty: u32) -> bool {
        match &self.0 {
            Filter::Any => true,
            Filter::Mask(m) => ty < 64 && m >> ty & 1 == 1,
            Filter::List(ids) => ids.contains(&ty),
        }
    }
}

/// The `name` → nodes index, keyed by the name's hash alone: an entry is 16 bytes instead
/// of a shared string and a list (40), about 9 MB instead of 21 at 250k nodes. Names whose
/// hashes collide share an entry, so a reader checks the name of each node it gets
/// (`Graph::nodes_named`).
#[derive(Debug, Clone, Default)]
pub(super) struct NameIndex {
    /// Name hash → a node id, or with `SHARED` set, an index into `shared`.
    entries: FxHashMap<u64, u32>,
    /// Node lists of entries with more than one node, sorted. Emptied lists are reused.
    shared: Vec<Vec<NodeId>>,
    free: Vec<u32>,
}

/// Marks an entry that points into `NameIndex::shared` (node ids with this bit go there too).
const SHARED: u32 = 1 << 31;

fn name_hash(name: &str) -> u64 {
    use std::hash::BuildHasher;
    std::hash::BuildHasherDefault::<super::hash::FxHasher>::default().hash_one(name)
}

impl NameIndex {
    pub fn reserve(&mut self, additional: usize) {
        self.entries.reserve(additional);
    }

    /// Nodes that may be named `name`, in id order: every node that is, and rarely others.
    pub fn candidates(&self, name: &str) -> impl Iterator<Item = NodeId> + '_ {
        let (one, many): (Option<NodeId>, &[NodeId]) = match self.entries.get(&name_hash(name)) {
            Some(&v) if v & SHARED == 0 => (Some(NodeId(v)), &[]),
            Some(&v) => (None, &self.shared[(v & !SHARED) as usize]),
            None => (None, &[]),
        };
        one.into_iter().chain(many.iter().copied())
    }

    pub fn insert(&mut self, name: &str, id: NodeId) {
        use std::collections::hash_map::Entry;
        match self.entries.entry(name_hash(name)) {
            Entry::Vacant(e) if id.0 & SHARED == 0 => {
                e.insert(id.0);
            }
            Entry::Vacant(e) => {
                e.insert(Self::share(&mut self.shared, &mut self.free, vec![id]));
            }
            Entry::Occupied(mut e) => {
                let v = *e.get();
                if v & SHARED == 0 {
                    if v != id.0 {
                        let mut ids = vec![NodeId(v), id];
                        ids.sort_unstable();
                        e.insert(Self::share(&mut self.shared, &mut self.free, ids));
                    }
                } else {
                    let ids = &mut self.shared[(v & !SHARED) as usize];
                    if let Err(pos) = ids.binary_search(&id) {
                        ids.insert(pos, id);
                    }
                }
            }
        }
    }

    fn share(shared: &mut Vec<Vec<NodeId>>, free: &mut Vec<u32>, ids: Vec<NodeId>) -> u32 {
        let slot = match free.pop() {
            Some(slot) => {
                shared[slot as usize] = ids;
                slot
            }
            None => {
                shared.push(ids);
                u32::try_from(shared.len() - 1).unwrap_or(u32::MAX)
            }
        };
        slot | SHARED
    }

    pub fn remove(&mut self, name: &str, id: NodeId) {
        let hash = name_hash(name);
        let Some(&v) = self.entries.get(&hash) else {
            return;
        };
        if v & SHARED == 0 {
            if v == id.0 {
                self.entries.remove(&hash);
            }
            return;
        }
        let slot = v & !SHARED;
        let ids = &mut self.shared[slot as usize];
        if let Ok(pos) = ids.binary_search(&id) {
            ids.remove(pos);
        }
        match ids[..] {
            [] => {
                self.entries.remove(&hash);
                self.free.push(slot);
            }
            [only] if only.0 & SHARED == 0 => {
                self.entries.insert(hash, only.0);
                self.shared[slot as usize] = Vec::new();
                self.free.push(slot);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_admit_their_types_only() {
        assert!(TypeFilter::any().admits(70));
        let f = TypeFilter::of(&[1, 3]);
        assert!(f.admits(1) && f.admits(3) && !f.admits(2) && !f.admits(64));
        let big = TypeFilter::of(&[2, 90]);
        assert!(big.admits(90) && big.admits(2) && !big.admits(3));
        assert!(TypeFilter::of(&[]).is_empty());
    }

    #[test]
    fn name_index_shares_entries_and_frees_them() {
        let mut index = NameIndex::default();
        index.insert("Ann", NodeId(5));
        index.insert("Ann", NodeId(2));
        index.insert("Ann", NodeId(5));
        index.insert("Bob", NodeId(7));
        let ann: Vec<NodeId> = index.candidates("Ann").collect();
        assert_eq!(ann, vec![NodeId(2), NodeId(5)]);
        index.remove("Ann", NodeId(2));
        assert_eq!(index.candidates("Ann").collect::<Vec<_>>(), vec![NodeId(5)]);
        assert_eq!(index.free, vec![0]);
        index.remove("Ann", NodeId(5));
        assert_eq!(index.candidates("Ann").count(), 0);
        assert_eq!(index.candidates("Bob").collect::<Vec<_>>(), vec![NodeId(7)]);
        // A huge id never sits in an entry itself.
        index.insert("Cy", NodeId(SHARED | 3));
        assert_eq!(
            index.candidates("Cy").collect::<Vec<_>>(),
            vec![NodeId(SHARED | 3)]
        );
    }
}
