//! Property storage. An entity stores only its values; its keys live in a `Shape`, a key
//! list shared by every entity with the same keys in the same order (all the companies of
//! a CSV file, say). Finding a key then reads a small list that stays in cache, and the
//! one value wanted, instead of walking a per-entity list of (key, value) pairs; it also
//! saves the key pointer per value. A map is 24 bytes (a thin shape pointer and a boxed
//! slice of values), which matters at a million relationships.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::columns::{RowIter, Table};
use super::hash::FxHashMap;
use crate::value::Value;

/// Keys in insertion order; interned (see `graph::intern`), so comparing two is comparing
/// pointers. Boxed inside the `Arc` so that the pointer to a shape is one word.
type Shape = Arc<Box<[Arc<str>]>>;

/// A property key interned by one graph (see `Graph::property_key`): reading it compares
/// pointers, not text. Only meaningful for the graph that made it.
#[derive(Debug, Clone)]
pub struct PropertyKey(pub(super) Arc<str>);

impl PropertyKey {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Property map of a node or relationship.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Properties {
    /// `None` when there are no properties (no allocation for an empty map).
    shape: Option<Shape>,
    /// Exactly as many as the shape has keys: a change reallocates, which is rare next to
    /// reads, and bulk loads set everything at once (`init`).
    values: Box<[Value]>,
}

impl Properties {
    /// A shared map without properties, to lend where an entity has none.
    pub fn empty() -> &'static Properties {
        static EMPTY: std::sync::LazyLock<Properties> =
            std::sync::LazyLock::new(Properties::default);
        &EMPTY
    }

    /// A read view of these properties (see `PropertyView`).
    pub fn view(&self) -> PropertyView<'_> {
        PropertyView::map(self)
    }

    fn keys_slice(&self) -> &[Arc<str>] {
        self.shape.as_deref().map_or(&[], |keys| keys)
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        let i = self
            .keys_slice()
            .iter()
            .position(|k| k.len() == key.len() && (k.as_ptr() == key.as_ptr() || **k == *key))?;
        self.values.get(i)
    }

    /// The value of an interned key: a pointer comparison decides.
    pub fn get_key(&self, key: &PropertyKey) -> Option<&Value> {
        let i = self
            .keys_slice()
            .iter()
            .position(|k| Arc::ptr_eq(k, &key.0))?;
        self.values.get(i)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.keys().zip(&self.values)
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.keys_slice().iter().map(|k| &**k)
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The properties as a map value, e.g. for `properties(n)`.
    pub fn to_map(&self) -> BTreeMap<String, Value> {
        self.iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    /// Asks the CPU to start fetching the values (see `Graph::prefetch_properties`).
    #[inline]
    pub(super) fn prefetch(&self) {
        // Values are 32 bytes; a few cache lines cover the entities kg meets in practice.
        const MAX_LINES: usize = 4;
        let bytes = std::mem::size_of_val(&*self.values);
        let start = self.values.as_ptr().cast::<u8>();
        let offset = start as usize % 64;
        let first_line = start.wrapping_sub(offset);
        for line in 0..(offset + bytes).div_ceil(64).min(MAX_LINES) {
            prefetch(first_line.wrapping_add(line * 64));
        }
    }

    /// Gives a map without properties the `(key, value)` pairs (interned keys) in one
    /// allocation, as `set` one by one would: nulls are skipped, and a repeated key keeps
    /// its last value. Returns false, changing nothing, when the map has properties already.
    pub(super) fn init(
        &mut self,
        shapes: &mut Shapes,
        pairs: impl IntoIterator<Item = (Arc<str>, Value)>,
    ) -> bool {
        if self.shape.is_some() {
            return false;
        }
        // Sized up front: growing by doubling would leave a freed block behind per entity.
        let pairs = pairs.into_iter();
        let mut values = Vec::with_capacity(pairs.size_hint().0);
        for (key, value) in pairs {
            if value.is_null() {
                continue;
            }
            match self.keys_slice().iter().position(|k| Arc::ptr_eq(k, &key)) {
                Some(i) => values[i] = value,
                None => {
                    self.shape = Some(shapes.with(self.shape.as_ref(), &key));
                    values.push(value);
                }
            }
        }
        self.values = values.into_boxed_slice();
        true
    }

    /// Sets interned `key`; a null value removes it (Cypher stores no nulls). Returns the
    /// old value.
    pub(super) fn set(
        &mut self,
        shapes: &mut Shapes,
        key: &Arc<str>,
        value: Value,
    ) -> Option<Value> {
        let pos = self.keys_slice().iter().position(|k| Arc::ptr_eq(k, key));
        match (pos, value.is_null()) {
            (Some(i), true) => {
                let mut values = std::mem::take(&mut self.values).into_vec();
                let old = values.remove(i);
                self.values = values.into_boxed_slice();
                let mut keys = self.keys_slice().to_vec();
                keys.remove(i);
                self.shape = shapes.canonical(keys);
                Some(old)
            }
            (Some(i), false) => Some(std::mem::replace(&mut self.values[i], value)),
            (None, true) => None,
            (None, false) => {
                self.shape = Some(shapes.with(self.shape.as_ref(), key));
                let mut values = std::mem::take(&mut self.values).into_vec();
                values.reserve_exact(1);
                values.push(value);
                self.values = values.into_boxed_slice();
                None
            }
        }
    }
}

/// Read access to one entity's properties, whatever stores them: callers get owned values
/// (strings are shared `Arc<str>`, so a clone is a counter bump), which lets a store keep
/// values in typed columns rather than as `Value`s it could lend out.
#[derive(Debug, Clone, Copy)]
pub struct PropertyView<'a>(View<'a>);

#[derive(Debug, Clone, Copy)]
enum View<'a> {
    /// A per-entity map.
    Map(&'a Properties),
    /// A row of a typed table.
    Row(&'a Table, u32),
}

/// The pairs of a `PropertyView`, in insertion order.
#[derive(Debug, Clone)]
pub struct PropertyIter<'a>(Pairs<'a>);

#[derive(Debug, Clone)]
enum Pairs<'a> {
    Map(&'a Properties, usize),
    Row(RowIter<'a>),
}

impl<'a> Iterator for PropertyIter<'a> {
    type Item = (&'a str, Value);

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            Pairs::Map(p, i) => {
                let key = p.keys_slice().get(*i)?;
                let value = p.values.get(*i)?.clone();
                *i += 1;
                Some((key, value))
            }
            Pairs::Row(r) => r.next(),
        }
    }
}

impl<'a> PropertyView<'a> {
    pub(super) fn map(properties: &'a Properties) -> Self {
        PropertyView(View::Map(properties))
    }

    pub(super) fn row(table: &'a Table, row: u32) -> Self {
        PropertyView(View::Row(table, row))
    }

    pub fn get(&self, key: &str) -> Option<Value> {
        match &self.0 {
            View::Map(p) => p.get(key).cloned(),
            View::Row(t, row) => t.get(*row, key),
        }
    }

    /// (key, value) pairs in insertion order.
    pub fn iter(&self) -> PropertyIter<'a> {
        match self.0 {
            View::Map(p) => PropertyIter(Pairs::Map(p, 0)),
            View::Row(t, row) => PropertyIter(Pairs::Row(t.iter(row))),
        }
    }

    /// Keys in insertion order.
    pub fn keys(&self) -> impl Iterator<Item = &'a str> + 'a {
        let (map, row) = match self.0 {
            View::Map(p) => (Some(p.keys()), None),
            View::Row(t, row) => (None, Some(t.keys(row))),
        };
        map.into_iter().flatten().chain(row.into_iter().flatten())
    }

    pub fn len(&self) -> usize {
        match &self.0 {
            View::Map(p) => p.len(),
            View::Row(t, row) => t.len(*row),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The properties as a map value, e.g. for `properties(r)`.
    pub fn to_map(&self) -> BTreeMap<String, Value> {
        self.iter().map(|(k, v)| (k.to_string(), v)).collect()
    }

    /// An owned copy, e.g. for a result's snapshot of an entity.
    pub fn to_properties(&self) -> Properties {
        match &self.0 {
            View::Map(p) => (*p).clone(),
            View::Row(t, row) => {
                // A private shape registry: the copy is only ever read.
                let mut p = Properties::default();
                p.init(&mut Shapes::default(), t.pairs(*row));
                p
            }
        }
    }
}

/// A prefetch hint for the cache line at `ptr`.
#[inline]
pub(super) fn prefetch<T>(ptr: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE is part of the x86_64 baseline, and a prefetch never dereferences: it is
    // a hint that cannot fault, whatever the address.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>(ptr.cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = ptr;
}

/// The shapes of one graph, each kept once.
#[derive(Debug, Clone, Default)]
pub(super) struct Shapes {
    /// Every shape, by its keys' addresses.
    by_keys: FxHashMap<Box<[usize]>, Shape>,
    /// (shape address, or 0 for none; key address) → the shape with the key appended:
    /// the step every loaded entity takes, one lookup each.
    appended: FxHashMap<(usize, usize), Shape>,
}

fn address(key: &Arc<str>) -> usize {
    Arc::as_ptr(key).cast::<u8>() as usize
}

impl Shapes {
    /// `shape` with `key` appended.
    fn with(&mut self, shape: Option<&Shape>, key: &Arc<str>) -> Shape {
        let from = shape.map_or(0, |s| Arc::as_ptr(s).cast::<u8>() as usize);
        if let Some(s) = self.appended.get(&(from, address(key))) {
            return s.clone();
        }
        let mut keys = shape.map_or_else(Vec::new, |s| s.to_vec());
        keys.push(key.clone());
        let s = self
            .canonical(keys)
            .unwrap_or_else(|| Arc::new(Box::default()));
        self.appended.insert((from, address(key)), s.clone());
        s
    }

    /// The one shape with exactly `keys`; `None` for no keys.
    fn canonical(&mut self, keys: Vec<Arc<str>>) -> Option<Shape> {
        if keys.is_empty() {
            return None;
        }
        let addresses: Box<[usize]> = keys.iter().map(address).collect();
        Some(
            self.by_keys
                .entry(addresses)
                .or_insert_with(|| Arc::new(keys.into_boxed_slice()))
                .clone(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::intern;

    #[test]
    fn entities_with_the_same_keys_share_a_shape() {
        let mut shapes = Shapes::default();
        let (name, year) = (intern("name"), intern("year"));
        let mut a = Properties::default();
        let mut b = Properties::default();
        for p in [&mut a, &mut b] {
            p.set(&mut shapes, &name, Value::from("x"));
            p.set(&mut shapes, &year, Value::Int(1));
        }
        let (sa, sb) = (
            a.shape.clone().expect("keys"),
            b.shape.clone().expect("keys"),
        );
        assert!(Arc::ptr_eq(&sa, &sb));
        assert_eq!(a.get("year"), Some(&Value::Int(1)));
        assert_eq!(
            a.set(&mut shapes, &name, Value::Null),
            Some(Value::from("x"))
        );
        assert_eq!(a.keys().collect::<Vec<_>>(), vec!["year"]);
        assert_eq!(a.get("name"), None);
        assert_eq!(a.get("year"), Some(&Value::Int(1)));
        assert_eq!(a.set(&mut shapes, &year, Value::Null), Some(Value::Int(1)));
        assert!(a.is_empty() && a.shape.is_none());
        assert_eq!(b.len(), 2);
    }
}
