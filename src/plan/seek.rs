//! Which predicates of a MATCH can start it with an index seek: `n.name = value` on the
//! built-in name index (any label), and `=`, `IN`, `<`, `<=`, `>`, `>=` (ANDed bounds
//! merge into one range) and `STARTS WITH` on a range index users created for one of the
//! node's labels. The predicates themselves stay in the plan: a seek only narrows the
//! candidates.

use std::collections::HashSet;
use std::sync::Arc;

use super::logical::{IndexSeek, ScanSource};
use super::plan_expr::{PlanExpr, PlanExprKind, Slot};
use super::stats::GraphStats;
use crate::ast::BinaryOp;
use crate::graph::NAME_KEY;

/// The seekable predicates of one MATCH, per node slot.
#[derive(Debug, Default)]
pub(super) struct Seeks {
    /// `slot.name = value`.
    names: Vec<(Slot, PlanExpr)>,
    /// (slot, key, seek), bounds on one key merged.
    ranges: Vec<(Slot, Arc<str>, IndexSeek)>,
}

impl Seeks {
    /// The seekable ones among `predicates` (conjuncts of the MATCH), whose values read only
    /// variables bound before it (`known`).
    pub fn of<'p>(
        predicates: impl IntoIterator<Item = &'p PlanExpr>,
        known: &HashSet<Slot>,
    ) -> Seeks {
        let mut seeks = Seeks::default();
        for expr in predicates {
            let Some((slot, key, seek)) = seekable(expr, known) else {
                continue;
            };
            if &*key == NAME_KEY
                && let IndexSeek::Equal(value) = &seek
            {
                seeks.names.push((slot, value.clone()));
            }
            seeks.add(slot, key, seek);
        }
        seeks
    }

    fn add(&mut self, slot: Slot, key: Arc<str>, seek: IndexSeek) {
        let same = self
            .ranges
            .iter_mut()
            .find(|(s, k, _)| *s == slot && *k == key);
        let Some((_, _, existing)) = same else {
            self.ranges.push((slot, key, seek));
            return;
        };
        // `a < n.k < b`: one range from both bounds. Otherwise the most selective kind
        // wins (equality, then IN, then a range, then a prefix).
        match (existing, seek) {
            (
                IndexSeek::Range { lower, upper },
                IndexSeek::Range {
                    lower: new_lower,
                    upper: new_upper,
                },
            ) => {
                if lower.is_none() {
                    *lower = new_lower;
                }
                if upper.is_none() {
                    *upper = new_upper;
                }
            }
            (existing, seek) => {
                if rank(&seek) < rank(existing) {
                    *existing = seek;
                }
            }
        }
    }

    /// The seek to start node `slot` (with `labels`) from, if one is possible.
    pub fn source(
        &self,
        slot: Slot,
        labels: &[Arc<str>],
        stats: &GraphStats,
    ) -> Option<ScanSource> {
        let mut best: Option<(u8, ScanSource)> = None;
        for (s, key, seek) in &self.ranges {
            if *s != slot {
                continue;
            }
            let Some(label) = labels.iter().find(|l| stats.has_node_index(l, key)) else {
                continue;
            };
            if best.as_ref().is_none_or(|(r, _)| rank(seek) < *r) {
                let source = ScanSource::RangeIndex {
                    labels: labels.to_vec(),
                    label: label.clone(),
                    key: key.clone(),
                    seek: seek.clone(),
                };
                best = Some((rank(seek), source));
            }
        }
        // An equality on a created index is as good as one on the name index.
        if best.as_ref().is_none_or(|(r, _)| *r > 0)
            && let Some((_, value)) = self.names.iter().find(|(s, _)| *s == slot)
        {
            return Some(ScanSource::Index {
                labels: labels.to_vec(),
                key: crate::graph::intern(NAME_KEY),
                value: value.clone(),
            });
        }
        best.map(|(_, source)| source)
    }
}

fn rank(seek: &IndexSeek) -> u8 {
    match seek {
        IndexSeek::Equal(_) => 0,
        IndexSeek::In(_) => 1,
        IndexSeek::Range { .. } => 2,
        IndexSeek::Prefix(_) => 3,
    }
}

/// `slot.key <op> value` (or `value <op> slot.key`) with `value` reading only `known`
/// variables, as a seek.
fn seekable(expr: &PlanExpr, known: &HashSet<Slot>) -> Option<(Slot, Arc<str>, IndexSeek)> {
    let PlanExprKind::Binary(op, a, b) = &expr.kind else {
        return None;
    };
    let property = |e: &PlanExpr| match &e.kind {
        PlanExprKind::Property(target, key) => match target.kind {
            PlanExprKind::Slot(slot) => Some((slot, key.clone())),
            _ => None,
        },
        _ => None,
    };
    let usable = |value: &PlanExpr, slot: Slot| {
        let mut used = Vec::new();
        value.slots(&mut used);
        !used.contains(&slot) && used.iter().all(|s| known.contains(s))
    };
    let bound = |v: &PlanExpr, inclusive| Some(((*v).clone(), inclusive));
    // The property on the left: `n.k < v`; on the right, the comparison flips.
    let (left, flipped) = match (property(a), property(b)) {
        (Some(p), _) if usable(b, p.0) => ((p, &**b), false),
        (_, Some(p)) if usable(a, p.0) => ((p, &**a), true),
        _ => return None,
    };
    let ((slot, key), value) = left;
    let lower = |inclusive: bool| IndexSeek::Range {
        lower: bound(value, inclusive),
        upper: None,
    };
    let upper = |inclusive: bool| IndexSeek::Range {
        lower: None,
        upper: bound(value, inclusive),
    };
    let seek = match (op, flipped) {
        (BinaryOp::Eq, _) => IndexSeek::Equal(value.clone()),
        (BinaryOp::In, false) => IndexSeek::In(value.clone()),
        (BinaryOp::StartsWith, false) => IndexSeek::Prefix(value.clone()),
        (BinaryOp::Gt, false) | (BinaryOp::Lt, true) => lower(false),
        (BinaryOp::Ge, false) | (BinaryOp::Le, true) => lower(true),
        (BinaryOp::Lt, false) | (BinaryOp::Gt, true) => upper(false),
        (BinaryOp::Le, false) | (BinaryOp::Ge, true) => upper(true),
        _ => return None,
    };
    Some((slot, key, seek))
}
