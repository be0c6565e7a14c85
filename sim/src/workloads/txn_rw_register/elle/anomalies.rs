//! Per-transaction anomalies: aborted reads (G1a), intermediate reads (G1b), internal
//! inconsistencies and lost updates. None needs the dependency graph.

use std::collections::{BTreeMap, HashMap};

use super::history::{Key, Mop, Outcome, Txn, Value};
use super::kinds::Case;

/// `:G1a`: every read (any position) of a committed transaction that returned a value some
/// failed transaction wrote (any position). Timed-out writers never count.
pub fn g1a(txns: &[Txn]) -> Vec<Case> {
    // (key, value) → the failed writer; a later failed writer of the same value wins.
    let mut failed: HashMap<(Key, i64), usize> = HashMap::new();
    for (i, t) in txns.iter().enumerate() {
        if t.outcome == Outcome::Fail {
            for mop in &t.mops {
                if let Mop::Write(k, v) = *mop {
                    failed.insert((k, v), i);
                }
            }
        }
    }
    reads_of(txns, &failed)
}

/// `:G1b`: every read (any position) of a committed transaction that returned a value another
/// transaction (any outcome) wrote and then overwrote within itself.
pub fn g1b(txns: &[Txn]) -> Vec<Case> {
    let mut intermediate: HashMap<(Key, i64), usize> = HashMap::new();
    for (i, t) in txns.iter().enumerate() {
        let mut last: HashMap<Key, i64> = HashMap::new();
        for mop in &t.mops {
            if let Mop::Write(k, v) = *mop
                && let Some(prev) = last.insert(k, v)
            {
                intermediate.insert((k, prev), i);
            }
        }
    }
    reads_of(txns, &intermediate)
        .into_iter()
        .filter(|c| !matches!(c, Case::Read { op, writer, .. } if op == writer))
        .collect()
}

/// Reads of committed transactions that returned one of `writes`.
fn reads_of(txns: &[Txn], writes: &HashMap<(Key, i64), usize>) -> Vec<Case> {
    let mut cases = Vec::new();
    for (i, t) in txns.iter().enumerate().filter(|(_, t)| t.is_ok()) {
        for mop in &t.mops {
            if let Mop::Read(k, Some(v)) = *mop
                && let Some(&writer) = writes.get(&(k, v))
            {
                cases.push(Case::Read {
                    op: i,
                    mop: *mop,
                    writer,
                });
            }
        }
    }
    cases
}

/// `:internal`: per committed transaction, the first read that disagrees with what its own
/// earlier micro-operations on that key imply (its last write, or its last non-null read).
pub fn internal(txns: &[Txn]) -> Vec<Case> {
    let mut cases = Vec::new();
    for (i, t) in txns.iter().enumerate().filter(|(_, t)| t.is_ok()) {
        let mut state: HashMap<Key, Value> = HashMap::new();
        for mop in &t.mops {
            match *mop {
                Mop::Write(k, v) => {
                    state.insert(k, Some(v));
                }
                Mop::Read(k, v) => {
                    // A null read leaves nothing to compare later reads with.
                    if let Some(&Some(expected)) = state.get(&k)
                        && v != Some(expected)
                    {
                        cases.push(Case::Internal {
                            op: i,
                            mop: *mop,
                            expected: Some(expected),
                        });
                        break;
                    }
                    state.insert(k, v);
                }
            }
        }
    }
    cases
}

/// `:lost-update`: committed transactions that read the same value of a key (their first
/// read of it, before their first write of it) and then wrote that key; reported per
/// (key, value) read by two or more.
pub fn lost_update(txns: &[Txn]) -> Vec<Case> {
    let mut by_read: BTreeMap<(Key, Value), Vec<usize>> = BTreeMap::new();
    for (i, t) in txns.iter().enumerate().filter(|(_, t)| t.is_ok()) {
        let mut reads: HashMap<Key, Value> = HashMap::new();
        let mut written: Vec<Key> = Vec::new();
        for mop in &t.mops {
            match *mop {
                Mop::Read(k, v) => {
                    reads.entry(k).or_insert(v);
                }
                Mop::Write(k, _) => {
                    // A write before any read of the key is irrelevant (and does not count
                    // as the key's write).
                    if let Some(&v) = reads.get(&k)
                        && !written.contains(&k)
                    {
                        written.push(k);
                        by_read.entry((k, v)).or_default().push(i);
                    }
                }
            }
        }
    }
    by_read
        .into_iter()
        .filter(|(_, t)| t.len() >= 2)
        .map(|((key, value), txns)| Case::LostUpdate { key, value, txns })
        .collect()
}
