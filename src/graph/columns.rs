//! A typed property table for one set of entities (the relationships of one type; later
//! the nodes of one label), addressed by row number. Nothing here knows what a row is.
//!
//! Layout, per property key:
//! - `Int` / `Float`: a plain `Vec<i64>` / `Vec<f64>`; `Bool`: a bitmap. 8 bytes (or one
//!   bit) a row, instead of a 32-byte `Value` in a boxed per-entity row.
//! - `Str`: dictionary-encoded (`u32` codes) while values repeat (a currency, a job
//!   title), since a code is 4 bytes and reading it clones a shared `Arc<str>`; when the
//!   dictionary grows past a quarter of the rows it turns into one arena of bytes with
//!   offsets (reads then copy the text into a fresh `Arc<str>`).
//! - `Any`: a `Vec<Value>` for lists, maps, temporal values and keys whose rows disagree on
//!   the type. A typed column that receives a value of another type becomes `Any`:
//!   correctness first, the typed form is an optimisation for the common case.
//! - Every typed column has a validity bitmap (bit clear: the row lacks the key), so that
//!   a whole-column scan needs nothing else.
//! - `Sparse`: a key first set when the table already has many rows, which few rows have
//!   (a property added to a handful of relationships by a query), lives in a map row →
//!   value, and becomes a dense column once enough rows have it.
//!
//! Cypher shows keys in the order they were set, per entity, so each row also has a
//! *shape*: the id of its list of key slots in insertion order, shared by all rows with
//! the same keys in the same order (every relationship of one CSV file has one). That costs
//! 4 bytes a row and keeps `keys(r)` and `properties(r)` as they were.

use std::sync::Arc;

use super::hash::FxHashMap;
use crate::value::Value;

/// A growable bit array.
#[derive(Debug, Clone, Default)]
pub(super) struct Bitmap {
    words: Vec<u64>,
}

impl Bitmap {
    pub fn get(&self, i: usize) -> bool {
        self.words
            .get(i / 64)
            .is_some_and(|w| w >> (i % 64) & 1 == 1)
    }

    pub fn set(&mut self, i: usize, on: bool) {
        let w = i / 64;
        if self.words.len() <= w {
            if !on {
                return;
            }
            self.words.resize(w + 1, 0);
        }
        if on {
            self.words[w] |= 1 << (i % 64);
        } else {
            self.words[w] &= !(1 << (i % 64));
        }
    }

    /// Makes room for `bits` bits in all.
    fn reserve(&mut self, bits: usize) {
        let words = bits.div_ceil(64);
        self.words
            .reserve_exact(words.saturating_sub(self.words.len()));
    }
}

/// Below this many rows a new key always gets a dense column (tables of a few rows cost
/// nothing either way); at or above, it starts sparse.
const SPARSE_FROM_ROWS: usize = 1024;
/// A sparse key becomes dense once more than one row in this many has it.
const DENSE_SHARE: usize = 16;
/// A dictionary turns into an arena when it has more entries than rows / this.
const ARENA_SHARE: usize = 4;
/// ... but never below this many entries.
const ARENA_MIN_ENTRIES: usize = 4096;

/// The values of one key.
#[derive(Debug, Clone)]
enum Column {
    Int(Vec<i64>, Bitmap),
    Float(Vec<f64>, Bitmap),
    Bool(Bitmap, Bitmap),
    Dict(Dict, Bitmap),
    Arena(Arena, Bitmap),
    /// `Value::Null` where the row lacks the key.
    Any(Vec<Value>),
    Sparse(FxHashMap<u32, Value>),
}

/// Distinct strings, each once, and a code per row. The strings are kept as `Value`s so
/// that a comparison can borrow one instead of cloning it (an atomic count update).
#[derive(Debug, Clone, Default)]
struct Dict {
    codes: Vec<u32>,
    strings: Vec<Value>,
    lookup: FxHashMap<Arc<str>, u32>,
}

impl Dict {
    fn code(&mut self, s: &Arc<str>) -> u32 {
        if let Some(&c) = self.lookup.get(s) {
            return c;
        }
        let c = u32::try_from(self.strings.len()).unwrap_or(u32::MAX);
        self.strings.push(Value::String(s.clone()));
        self.lookup.insert(s.clone(), c);
        c
    }
}

/// Strings back to back; a row's text is `bytes[start..start + len]`. A changed value is
/// appended, so the old bytes become garbage until the arena is rewritten.
#[derive(Debug, Clone, Default)]
struct Arena {
    bytes: String,
    start: Vec<u64>,
    len: Vec<u32>,
    garbage: usize,
}

impl Arena {
    fn text(&self, row: usize) -> Option<&str> {
        let start = usize::try_from(*self.start.get(row)?).ok()?;
        let len = *self.len.get(row)? as usize;
        self.bytes.get(start..start + len)
    }

    fn put(&mut self, row: usize, s: &str) {
        grow(&mut self.start, row, 0);
        grow(&mut self.len, row, 0);
        self.garbage += self.len[row] as usize;
        self.start[row] = self.bytes.len() as u64;
        self.len[row] = u32::try_from(s.len()).unwrap_or(u32::MAX);
        self.bytes.push_str(s);
    }

    /// Rewrites the bytes of the rows `valid` holds once garbage is half the arena.
    fn compact(&mut self, valid: &Bitmap) {
        if self.garbage * 2 <= self.bytes.len() {
            return;
        }
        let mut fresh = Arena::default();
        for row in 0..self.start.len() {
            if valid.get(row)
                && let Some(t) = self.text(row)
            {
                fresh.put(row, t);
            }
        }
        fresh.garbage = 0;
        *self = fresh;
    }
}

/// Makes `v[i]` exist, filling with `fill`.
fn grow<T: Clone>(v: &mut Vec<T>, i: usize, fill: T) {
    if v.len() <= i {
        v.resize(i + 1, fill);
    }
}

impl Column {
    /// An empty column suited to `value`; `rows` is the table's size, which decides dense
    /// or sparse.
    fn for_value(value: &Value, rows: usize) -> Column {
        if rows >= SPARSE_FROM_ROWS {
            return Column::Sparse(FxHashMap::default());
        }
        match value {
            Value::Int(_) => Column::Int(Vec::new(), Bitmap::default()),
            Value::Float(_) => Column::Float(Vec::new(), Bitmap::default()),
            Value::Bool(_) => Column::Bool(Bitmap::default(), Bitmap::default()),
            Value::String(_) => Column::Dict(Dict::default(), Bitmap::default()),
            _ => Column::Any(Vec::new()),
        }
    }

    /// Makes room for `rows` rows in all, so that a load fills the arrays without
    /// regrowing them (doubling would leave them up to twice too large).
    fn reserve(&mut self, rows: usize) {
        fn room<T>(v: &mut Vec<T>, rows: usize) {
            v.reserve_exact(rows.saturating_sub(v.len()));
        }
        match self {
            Column::Int(v, valid) => {
                room(v, rows);
                valid.reserve(rows);
            }
            Column::Float(v, valid) => {
                room(v, rows);
                valid.reserve(rows);
            }
            Column::Bool(v, valid) => {
                v.reserve(rows);
                valid.reserve(rows);
            }
            Column::Dict(d, valid) => {
                room(&mut d.codes, rows);
                valid.reserve(rows);
            }
            Column::Arena(a, valid) => {
                room(&mut a.start, rows);
                room(&mut a.len, rows);
                valid.reserve(rows);
            }
            Column::Any(v) => room(v, rows),
            Column::Sparse(_) => {}
        }
    }

    fn get(&self, row: usize) -> Option<Value> {
        match self {
            Column::Int(v, valid) => valid.get(row).then(|| Value::Int(v[row])),
            Column::Float(v, valid) => valid.get(row).then(|| Value::Float(v[row])),
            Column::Bool(v, valid) => valid.get(row).then(|| Value::Bool(v.get(row))),
            Column::Dict(d, valid) => valid
                .get(row)
                .then(|| d.strings[d.codes[row] as usize].clone()),
            Column::Arena(a, valid) => valid
                .get(row)
                .then(|| a.text(row).map(Value::string))
                .flatten(),
            Column::Any(v) => v.get(row).filter(|v| !v.is_null()).cloned(),
            Column::Sparse(m) => m.get(&(row as u32)).cloned(),
        }
    }

    /// Calls `f` with `row`'s value, borrowed where the column holds `Value`s (strings of
    /// a dictionary, the fallback column) and built on the stack otherwise.
    fn with<R>(&self, row: usize, f: impl FnOnce(&Value) -> R) -> Option<R> {
        match self {
            Column::Dict(d, valid) => valid.get(row).then(|| f(&d.strings[d.codes[row] as usize])),
            Column::Any(v) => v.get(row).filter(|v| !v.is_null()).map(f),
            Column::Sparse(m) => m.get(&(row as u32)).map(f),
            _ => self.get(row).map(|v| f(&v)),
        }
    }

    /// Stores `value` (not null) at `row` if this column's type holds it; gives it back if
    /// not.
    fn put(&mut self, row: usize, value: Value) -> Result<(), Value> {
        match (self, value) {
            (Column::Int(v, valid), Value::Int(i)) => {
                grow(v, row, 0);
                v[row] = i;
                valid.set(row, true);
            }
            (Column::Float(v, valid), Value::Float(f)) => {
                grow(v, row, 0.0);
                v[row] = f;
                valid.set(row, true);
            }
            (Column::Bool(v, valid), Value::Bool(b)) => {
                v.set(row, b);
                valid.set(row, true);
            }
            (Column::Dict(d, valid), Value::String(s)) => {
                let code = d.code(&s);
                grow(&mut d.codes, row, 0);
                d.codes[row] = code;
                valid.set(row, true);
            }
            (Column::Arena(a, valid), Value::String(s)) => {
                a.put(row, &s);
                valid.set(row, true);
            }
            (Column::Any(v), value) => {
                grow(v, row, Value::Null);
                v[row] = value;
            }
            (Column::Sparse(m), value) => {
                m.insert(row as u32, value);
            }
            (_, value) => return Err(value),
        }
        Ok(())
    }

    /// Takes `row`'s value out.
    fn clear(&mut self, row: usize) -> Option<Value> {
        let old = self.get(row);
        match self {
            Column::Int(_, valid)
            | Column::Float(_, valid)
            | Column::Bool(_, valid)
            | Column::Dict(_, valid) => valid.set(row, false),
            Column::Arena(a, valid) => {
                valid.set(row, false);
                if let Some(len) = a.len.get_mut(row) {
                    a.garbage += *len as usize;
                    *len = 0;
                }
                a.compact(valid);
            }
            Column::Any(v) => {
                if let Some(slot) = v.get_mut(row) {
                    *slot = Value::Null;
                }
            }
            Column::Sparse(m) => {
                m.remove(&(row as u32));
            }
        }
        old
    }

    /// Every (row, value) this column holds.
    fn entries(&self, rows: usize) -> Vec<(usize, Value)> {
        (0..rows)
            .filter_map(|r| self.get(r).map(|v| (r, v)))
            .collect()
    }

    /// The column as `Any`, holding the same values.
    fn to_any(&self, rows: usize) -> Column {
        let mut v = vec![Value::Null; rows];
        for (r, value) in self.entries(rows) {
            v[r] = value;
        }
        Column::Any(v)
    }

    /// A dense column of the type `sample` calls for, holding this column's values (which
    /// fall back to `Any` if they disagree).
    fn densified(&self, rows: usize, sample: &Value) -> Column {
        let mut dense = Column::for_value(sample, 0);
        for (r, value) in self.entries(rows) {
            if let Err(value) = dense.put(r, value) {
                let mut any = dense.to_any(rows);
                // `Any` takes every value.
                let _ = any.put(r, value);
                dense = any;
            }
        }
        dense
    }

    /// How many rows hold a value, for a sparse column.
    fn sparse_len(&self) -> Option<usize> {
        match self {
            Column::Sparse(m) => Some(m.len()),
            _ => None,
        }
    }

    /// Whether a dictionary has grown too large for its rows, so an arena is smaller.
    fn wants_arena(&self, rows: usize) -> bool {
        matches!(self, Column::Dict(d, _)
            if d.strings.len() > ARENA_MIN_ENTRIES && d.strings.len() > rows / ARENA_SHARE)
    }

    fn to_arena(&self, rows: usize) -> Column {
        let mut arena = Column::Arena(Arena::default(), Bitmap::default());
        for (r, value) in self.entries(rows) {
            // An arena takes every string, and a dictionary holds nothing else.
            let _ = arena.put(r, value);
        }
        arena
    }
}

/// The properties of a set of entities, a row each (see the module doc).
#[derive(Debug, Clone, Default)]
pub(super) struct Table {
    /// Key per slot (interned, so comparing is a pointer test first).
    keys: Vec<Arc<str>>,
    columns: Vec<Column>,
    /// Per row: its shape.
    shape_of: Vec<u32>,
    /// Shape id → key slots in insertion order. Shape 0 is the empty one.
    shapes: Vec<Box<[u32]>>,
    shape_ids: FxHashMap<Box<[u32]>, u32>,
    /// (shape, slot) → the shape with the slot appended: the step each loaded row takes.
    appended: FxHashMap<(u32, u32), u32>,
    /// The row count `reserve` made room for; columns created later get that room too.
    planned_rows: usize,
}

impl Table {
    pub fn rows(&self) -> usize {
        self.shape_of.len()
    }

    /// A new row without properties.
    pub fn push_row(&mut self) -> u32 {
        if self.shapes.is_empty() {
            self.shapes.push(Box::default());
            self.shape_ids.insert(Box::default(), 0);
        }
        self.shape_of.push(0);
        u32::try_from(self.shape_of.len() - 1).unwrap_or(u32::MAX)
    }

    /// Makes room for `additional` more rows, in every column present or to come.
    pub fn reserve(&mut self, additional: usize) {
        self.shape_of.reserve_exact(additional);
        self.planned_rows = self.rows() + additional;
        for c in &mut self.columns {
            c.reserve(self.planned_rows);
        }
    }

    fn slot(&self, key: &str) -> Option<usize> {
        self.keys
            .iter()
            .position(|k| k.len() == key.len() && (k.as_ptr() == key.as_ptr() || **k == *key))
    }

    fn slot_of(&self, key: &Arc<str>) -> Option<usize> {
        self.keys.iter().position(|k| Arc::ptr_eq(k, key))
    }

    fn row_shape(&self, row: u32) -> &[u32] {
        self.shape_of
            .get(row as usize)
            .and_then(|&s| self.shapes.get(s as usize))
            .map_or(&[], |s| s)
    }

    pub fn get(&self, row: u32, key: &str) -> Option<Value> {
        self.columns.get(self.slot(key)?)?.get(row as usize)
    }

    /// Calls `f` with `row`'s value of `key`, borrowed where the column allows (see
    /// `Column::with`); `None` when the row lacks the key.
    pub fn with<R>(&self, row: u32, key: &str, f: impl FnOnce(&Value) -> R) -> Option<R> {
        self.columns.get(self.slot(key)?)?.with(row as usize, f)
    }

    /// `get` with an interned key: a pointer comparison finds the column.
    pub fn get_interned(&self, row: u32, key: &Arc<str>) -> Option<Value> {
        self.columns.get(self.slot_of(key)?)?.get(row as usize)
    }

    /// Keys of `row` in insertion order.
    pub fn keys(&self, row: u32) -> impl Iterator<Item = &str> + '_ {
        self.row_shape(row).iter().map(|&s| &*self.keys[s as usize])
    }

    /// (key, value) pairs of `row` in insertion order.
    pub fn iter(&self, row: u32) -> RowIter<'_> {
        RowIter {
            table: self,
            row,
            slots: self.row_shape(row).iter(),
        }
    }

    /// (key, value) pairs of `row` in insertion order, with the interned keys.
    pub fn pairs(&self, row: u32) -> Vec<(Arc<str>, Value)> {
        self.row_shape(row)
            .iter()
            .filter_map(|&s| {
                let v = self.columns[s as usize].get(row as usize)?;
                Some((self.keys[s as usize].clone(), v))
            })
            .collect()
    }

    pub fn len(&self, row: u32) -> usize {
        self.row_shape(row).len()
    }

    fn shape_with(&mut self, shape: u32, slot: u32) -> u32 {
        if let Some(&s) = self.appended.get(&(shape, slot)) {
            return s;
        }
        let mut slots = self.shapes[shape as usize].to_vec();
        slots.push(slot);
        let s = self.intern_shape(slots.into_boxed_slice());
        self.appended.insert((shape, slot), s);
        s
    }

    fn intern_shape(&mut self, slots: Box<[u32]>) -> u32 {
        if let Some(&s) = self.shape_ids.get(&slots) {
            return s;
        }
        let s = u32::try_from(self.shapes.len()).unwrap_or(u32::MAX);
        self.shapes.push(slots.clone());
        self.shape_ids.insert(slots, s);
        s
    }

    /// Sets interned `key` of `row`; a null value removes it (Cypher stores no nulls).
    /// Returns the old value.
    pub fn set(&mut self, row: u32, key: &Arc<str>, value: Value) -> Option<Value> {
        let r = row as usize;
        if r >= self.rows() {
            return None;
        }
        let slot = match self.slot_of(key) {
            Some(s) => s,
            None if value.is_null() => return None,
            None => {
                self.keys.push(key.clone());
                let mut column = Column::for_value(&value, self.rows());
                column.reserve(self.planned_rows);
                self.columns.push(column);
                self.keys.len() - 1
            }
        };
        let shape = self.shape_of[r];
        let slot_id = slot as u32;
        let present = self.shapes[shape as usize].contains(&slot_id);
        if value.is_null() {
            if !present {
                return None;
            }
            let old = self.columns[slot].clear(r);
            let slots: Box<[u32]> = self.shapes[shape as usize]
                .iter()
                .copied()
                .filter(|&s| s != slot_id)
                .collect();
            self.shape_of[r] = self.intern_shape(slots);
            return old;
        }
        let old = if present {
            self.columns[slot].clear(r)
        } else {
            self.shape_of[r] = self.shape_with(shape, slot_id);
            None
        };
        self.store(slot, r, value);
        old
    }

    /// Puts `value` into column `slot`, changing the column's form when it must.
    fn store(&mut self, slot: usize, row: usize, value: Value) {
        let rows = self.rows();
        let column = &mut self.columns[slot];
        let value = match column.put(row, value) {
            Ok(()) => {
                if column.sparse_len().is_some_and(|n| n * DENSE_SHARE > rows)
                    && let Some(sample) = column.get(row)
                {
                    *column = column.densified(rows, &sample);
                } else if column.wants_arena(rows) {
                    *column = column.to_arena(rows);
                }
                return;
            }
            Err(value) => value,
        };
        // Another type than the column holds: every value moves to `Any`.
        let mut any = column.to_any(rows);
        let _ = any.put(row, value);
        *column = any;
    }

    /// Takes every property of `row` out (in insertion order), leaving it without any.
    pub fn take(&mut self, row: u32) -> Vec<(Arc<str>, Value)> {
        let r = row as usize;
        let Some(&shape) = self.shape_of.get(r) else {
            return Vec::new();
        };
        let slots = self.shapes[shape as usize].clone();
        let taken = slots
            .iter()
            .filter_map(|&s| {
                let v = self.columns[s as usize].clear(r)?;
                Some((self.keys[s as usize].clone(), v))
            })
            .collect();
        self.shape_of[r] = 0;
        taken
    }

    /// Gives a row without properties the (key, value) pairs in order, as `set` one by one
    /// would: nulls are skipped, a repeated key keeps its last value.
    pub fn init(&mut self, row: u32, pairs: impl IntoIterator<Item = (Arc<str>, Value)>) {
        for (key, value) in pairs {
            if !value.is_null() {
                self.set(row, &key, value);
            }
        }
    }
}

/// The (key, value) pairs of one row in insertion order (see `Table::iter`).
#[derive(Debug, Clone)]
pub(super) struct RowIter<'a> {
    table: &'a Table,
    row: u32,
    slots: std::slice::Iter<'a, u32>,
}

impl<'a> Iterator for RowIter<'a> {
    type Item = (&'a str, Value);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let s = *self.slots.next()? as usize;
            if let Some(v) = self.table.columns[s].get(self.row as usize) {
                return Some((&self.table.keys[s], v));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::intern;

    fn table(rows: usize) -> Table {
        let mut t = Table::default();
        for _ in 0..rows {
            t.push_row();
        }
        t
    }

    #[test]
    fn typed_values_round_trip_and_keep_key_order() {
        let mut t = table(3);
        let (a, b, c) = (intern("a"), intern("b"), intern("c"));
        t.set(0, &b, Value::Float(1.5));
        t.set(0, &a, Value::Int(7));
        t.set(0, &c, Value::Bool(true));
        t.set(1, &a, Value::from("x"));
        assert_eq!(t.keys(0).collect::<Vec<_>>(), ["b", "a", "c"]);
        assert_eq!(t.get(0, "a"), Some(Value::Int(7)));
        // A string into the integer column: it falls back to `Any`, keeping both.
        assert!(matches!(t.columns[1], Column::Any(_)));
        assert_eq!(t.get(1, "a"), Some(Value::from("x")));
        assert_eq!(t.get(2, "a"), None);
        assert_eq!(t.set(0, &a, Value::Null), Some(Value::Int(7)));
        assert_eq!(t.keys(0).collect::<Vec<_>>(), ["b", "c"]);
        let taken = t.take(0);
        assert_eq!(
            taken,
            vec![(b.clone(), Value::Float(1.5)), (c, Value::Bool(true))]
        );
        assert_eq!((t.len(0), t.get(0, "b")), (0, None));
    }

    #[test]
    fn strings_repeat_in_a_dictionary_and_spread_into_an_arena() {
        let rows = ARENA_MIN_ENTRIES * 2;
        let mut t = table(rows);
        let (cur, name) = (intern("currency"), intern("name"));
        for r in 0..rows as u32 {
            t.set(r, &cur, Value::from(if r % 2 == 0 { "EUR" } else { "USD" }));
        }
        assert!(matches!(&t.columns[0], Column::Dict(d, _) if d.strings.len() == 2));
        // Set on a large table: starts sparse, then turns dense, then an arena.
        for r in 0..rows as u32 {
            t.set(r, &name, Value::from(format!("n{r}").as_str()));
        }
        assert!(matches!(t.columns[1], Column::Arena(..)));
        for r in (0..rows as u32).step_by(97) {
            assert_eq!(
                t.get(r, "name"),
                Some(Value::from(format!("n{r}").as_str()))
            );
            assert_eq!(t.keys(r).collect::<Vec<_>>(), ["currency", "name"]);
        }
        for r in 0..rows as u32 {
            t.set(r, &name, Value::from("same"));
        }
        assert_eq!(t.get(5, "name"), Some(Value::from("same")));
        if let Column::Arena(a, _) = &t.columns[1] {
            assert!(a.bytes.len() < rows * 8, "garbage was compacted");
        }
    }

    #[test]
    fn a_key_few_rows_have_stays_sparse() {
        let mut t = table(SPARSE_FROM_ROWS * 4);
        let note = intern("note");
        t.set(3, &note, Value::from("hi"));
        t.set(9, &note, Value::Int(1));
        assert!(matches!(t.columns[0], Column::Sparse(_)));
        assert_eq!(t.get(3, "note"), Some(Value::from("hi")));
        assert_eq!(t.get(9, "note"), Some(Value::Int(1)));
        assert_eq!(t.get(4, "note"), None);
        for r in 0..(SPARSE_FROM_ROWS as u32) {
            t.set(r, &note, Value::Int(i64::from(r)));
        }
        assert!(matches!(t.columns[0], Column::Int(..)));
        assert_eq!(t.get(9, "note"), Some(Value::Int(9)));
        assert_eq!(t.iter(9).collect::<Vec<_>>(), vec![("note", Value::Int(9))]);
    }
}
