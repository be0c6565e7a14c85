//! Realtime lag (`jepsen/tests/kafka.clj` `realtime-lag`): for each `:ok` poll and each key
//! its process holds, the poll's invocation time minus the time at which the highest offset
//! the process has seen for that key stopped being the newest known offset (0 if it still
//! was). An offset o is known from the first `:ok` send or poll (in history order) that
//! showed an offset ≥ o.
//!
//! Jepsen keeps, per key, a vector indexed by offset of the times offsets expired; here each
//! key keeps only the steps of its running maximum offset, `(offset, time)` with both
//! increasing, and a lookup is a binary search: memory is proportional to the history
//! whatever the offsets are.

use std::collections::BTreeMap;

use super::parse::{IntMap, Key, Kind, Parsed};
use crate::history::OpType;

/// One poll's lag: its invocation time, its process, its worst key and that key's lag (ns).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PollLag {
    /// The poll's invocation time, ns.
    pub time: u64,
    /// Its process.
    pub process: u64,
    /// The key with the largest lag (the lowest such key index).
    pub key: Key,
    /// That lag, ns.
    pub lag: u64,
}

/// Per `:ok` poll with at least one held key, its worst key's lag, in history order.
pub fn poll_lags(p: &Parsed) -> Vec<PollLag> {
    // Pass 1: per key, the running maximum's steps.
    let mut steps: Vec<Vec<(i64, u64)>> = vec![Vec::new(); p.keys.len()];
    let mut note = |k: Key, offset: i64, time: u64| {
        let s = &mut steps[k as usize];
        if s.last().is_none_or(|(o, _)| *o < offset) {
            s.push((offset, time));
        }
    };
    for c in p.ops.iter().filter(|c| c.kind == OpType::Ok) {
        match c.f {
            Kind::Send => {
                if let Some((k, _, Some(o))) = c.send {
                    note(k, o, c.time);
                }
            }
            Kind::Poll => {
                for r in p.reads_of(c) {
                    if let Some(max) = p.pairs_of(r).iter().map(|(o, _)| *o).max() {
                        note(r.key, max, c.time);
                    }
                }
            }
            _ => {}
        }
    }
    // When offset `o` was first known to exist, if ever.
    let expired_at = |k: Key, o: i64| -> Option<u64> {
        let s = &steps[k as usize];
        let i = s.partition_point(|(max, _)| *max < o);
        s.get(i).map(|(_, t)| *t)
    };
    // Pass 2: per process, the keys it holds and the highest offset it saw for each.
    let mut held: IntMap<u64, BTreeMap<Key, i64>> = IntMap::default();
    let mut out = Vec::new();
    for c in p.ops.iter().filter(|c| c.kind == OpType::Ok) {
        match c.f {
            Kind::Assign => {
                let old = held.remove(&c.process).unwrap_or_default();
                let new: BTreeMap<Key, i64> = p
                    .assigned_of(c)
                    .iter()
                    .map(|k| (*k, old.get(k).copied().unwrap_or(-1)))
                    .collect();
                held.insert(c.process, new);
            }
            Kind::Poll => {
                let offsets = held.entry(c.process).or_default();
                for r in p.reads_of(c) {
                    let max = p.pairs_of(r).iter().map(|(o, _)| *o).max().unwrap_or(-1);
                    let o = offsets.entry(r.key).or_insert(max);
                    *o = (*o).max(max);
                }
                let mut worst: Option<(Key, u64)> = None;
                for (k, o) in offsets.iter() {
                    let lag = expired_at(*k, o + 1).map_or(0, |t| c.invoked.saturating_sub(t));
                    if worst.is_none_or(|(_, w)| lag > w) {
                        worst = Some((*k, lag));
                    }
                }
                if let Some((key, lag)) = worst {
                    out.push(PollLag {
                        time: c.invoked,
                        process: c.process,
                        key,
                        lag,
                    });
                }
            }
            _ => {}
        }
    }
    out
}
