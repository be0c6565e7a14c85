//! Per-transaction anomalies of Elle's list-append analysis (`elle/list_append.clj`
//! `g1a-cases`, `g1b-cases`, `internal-cases`, `duplicates`, `incompatible-orders`,
//! `dirty-update-cases`; `elle/txn.clj` `lost-update-cases`), and the version orders they and
//! the dependency graph read (`sorted-values`, `append-index`).

use std::collections::{BTreeMap, HashMap, HashSet};

use super::history::{Elem, Key, Mop, Outcome, Txn};
use super::kinds::{Case, Expected};

/// Per key, every distinct non-empty list read by the transactions `keep` selects, sorted by
/// length (then contents, so the order is stable) — Elle's `sorted-values`. With
/// `single_appends`, a key appended exactly once among those transactions has the one
/// order `[[x]]` whatever was read (`values-from-single-appends`).
pub fn sorted_values(
    txns: &[Txn],
    keep: impl Fn(&Txn) -> bool,
    single_appends: bool,
) -> BTreeMap<Key, Vec<Vec<Elem>>> {
    let mut seen: HashMap<Key, HashSet<&[Elem]>> = HashMap::new();
    let mut appends: HashMap<Key, (usize, Elem)> = HashMap::new();
    for t in txns.iter().filter(|t| keep(t)) {
        for mop in &t.mops {
            match mop {
                Mop::Read(k, Some(v)) if !v.is_empty() => {
                    seen.entry(*k).or_default().insert(v);
                }
                Mop::Append(k, e) => {
                    let a = appends.entry(*k).or_insert((0, *e));
                    a.0 += 1;
                }
                Mop::Read(..) => {}
            }
        }
    }
    let mut out: BTreeMap<Key, Vec<Vec<Elem>>> = seen
        .into_iter()
        .map(|(k, vs)| {
            let mut vs: Vec<Vec<Elem>> = vs.into_iter().map(<[Elem]>::to_vec).collect();
            vs.sort_unstable_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
            (k, vs)
        })
        .collect();
    if single_appends {
        for (k, (n, e)) in appends {
            if n == 1 {
                out.insert(k, vec![vec![e]]);
            }
        }
    }
    out
}

/// `:incompatible-order`: per key, the first pair of successive sorted reads where the
/// shorter is not a prefix of the longer.
pub fn incompatible_orders(sorted: &BTreeMap<Key, Vec<Vec<Elem>>>) -> Vec<Case> {
    sorted
        .iter()
        .filter_map(|(&key, vs)| {
            vs.windows(2)
                .find(|w| !w[1].starts_with(&w[0]))
                .map(|w| Case::IncompatibleOrder {
                    key,
                    values: [w[0].clone(), w[1].clone()],
                })
        })
        .collect()
}

/// A key's version order: the longest read, duplicates removed (`append-index`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyOrder {
    /// The elements in the order they were appended.
    pub values: Vec<Elem>,
    /// Element → its position in `values`.
    pub positions: HashMap<Elem, usize>,
}

impl KeyOrder {
    /// The order of the longest read in `sorted` (the last one).
    pub fn of(sorted: &[Vec<Elem>]) -> KeyOrder {
        let mut o = KeyOrder::default();
        for &e in sorted.last().map_or(&[][..], Vec::as_slice) {
            if let std::collections::hash_map::Entry::Vacant(v) = o.positions.entry(e) {
                v.insert(o.values.len());
                o.values.push(e);
            }
        }
        o
    }

    /// The element appended just before `e` (`previously-appended-element`): `None` for the
    /// initial state. An element never read comes after the last one read.
    pub fn previous(&self, e: Elem) -> Option<Elem> {
        match self.positions.get(&e) {
            Some(&0) => None,
            Some(&i) => Some(self.values[i - 1]),
            None => self.values.last().copied(),
        }
    }
}

/// Every key's version order.
pub fn append_index(sorted: &BTreeMap<Key, Vec<Vec<Elem>>>) -> HashMap<Key, KeyOrder> {
    sorted
        .iter()
        .map(|(&k, vs)| (k, KeyOrder::of(vs)))
        .collect()
}

/// Reads of committed transactions: (txn, mop) for every read micro-operation.
fn ok_reads(txns: &[Txn]) -> impl Iterator<Item = (usize, &Mop, Key, &[Elem])> {
    txns.iter()
        .enumerate()
        .filter(|(_, t)| t.is_ok())
        .flat_map(|(i, t)| {
            t.mops.iter().filter_map(move |m| match m {
                Mop::Read(k, v) => Some((i, m, *k, v.as_deref().unwrap_or(&[]))),
                Mop::Append(..) => None,
            })
        })
}

/// `:G1a`: every element of a committed read that a failed transaction appended.
pub fn g1a(txns: &[Txn]) -> Vec<Case> {
    let mut failed: HashMap<(Key, Elem), usize> = HashMap::new();
    for (i, t) in txns.iter().enumerate() {
        if t.outcome == Outcome::Fail {
            for m in &t.mops {
                if let Mop::Append(k, e) = *m {
                    failed.insert((k, e), i);
                }
            }
        }
    }
    let mut cases = Vec::new();
    if failed.is_empty() {
        return cases;
    }
    for (op, mop, k, v) in ok_reads(txns) {
        for &e in v {
            if let Some(&writer) = failed.get(&(k, e)) {
                cases.push(Case::Read {
                    op,
                    mop: mop.clone(),
                    writer,
                    element: e,
                });
            }
        }
    }
    cases
}

/// `:G1b`: committed reads whose *last* element another transaction (any outcome) appended
/// and then went past, appending to that key again within itself.
pub fn g1b(txns: &[Txn]) -> Vec<Case> {
    let mut intermediate: HashMap<(Key, Elem), usize> = HashMap::new();
    for (i, t) in txns.iter().enumerate() {
        let mut last: HashMap<Key, Elem> = HashMap::new();
        for m in &t.mops {
            if let Mop::Append(k, e) = *m
                && let Some(prev) = last.insert(k, e)
            {
                intermediate.insert((k, prev), i);
            }
        }
    }
    let mut cases = Vec::new();
    if intermediate.is_empty() {
        return cases;
    }
    for (op, mop, k, v) in ok_reads(txns) {
        if let Some(&e) = v.last()
            && let Some(&writer) = intermediate.get(&(k, e))
            && writer != op
        {
            cases.push(Case::Read {
                op,
                mop: mop.clone(),
                writer,
                element: e,
            });
        }
    }
    cases
}

/// What a transaction knows of a key so far (`op-internal-case`'s state).
enum Known {
    /// It read `null`: no expectation for a read, but an append makes the list `[e]`.
    Nil,
    /// It knows the whole list (or, with an unknown prefix, its tail).
    List(Expected),
}

/// `:internal`: per committed transaction, the first read that disagrees with its own earlier
/// reads and appends of that key (an unknown prefix allowed before its own appends).
pub fn internal(txns: &[Txn]) -> Vec<Case> {
    let mut cases = Vec::new();
    for (i, t) in txns.iter().enumerate().filter(|(_, t)| t.is_ok()) {
        let mut state: HashMap<Key, Known> = HashMap::new();
        for mop in &t.mops {
            match mop {
                Mop::Append(k, e) => match state.entry(*k).or_insert(Known::List(Expected {
                    unknown_prefix: true,
                    elems: Vec::new(),
                })) {
                    s @ Known::Nil => {
                        *s = Known::List(Expected {
                            unknown_prefix: false,
                            elems: vec![*e],
                        })
                    }
                    Known::List(x) => x.elems.push(*e),
                },
                Mop::Read(k, v) => {
                    if let Some(Known::List(x)) = state.get(k) {
                        let ok = match (x.unknown_prefix, v) {
                            (true, v) => {
                                let v = v.as_deref().unwrap_or(&[]);
                                v.len() >= x.elems.len() && v.ends_with(&x.elems)
                            }
                            (false, Some(v)) => *v == x.elems,
                            (false, None) => false,
                        };
                        if !ok {
                            cases.push(Case::Internal {
                                op: i,
                                mop: mop.clone(),
                                expected: x.clone(),
                            });
                            break;
                        }
                    }
                    let known = match v {
                        None => Known::Nil,
                        Some(v) => Known::List(Expected {
                            unknown_prefix: false,
                            elems: v.clone(),
                        }),
                    };
                    state.insert(*k, known);
                }
            }
        }
    }
    cases
}

/// `:duplicate-elements`: reads of `:ok`/`:info` transactions holding an element twice.
pub fn duplicates(txns: &[Txn]) -> Vec<Case> {
    let mut cases = Vec::new();
    for (op, t) in txns.iter().enumerate().filter(|(_, t)| t.is_possible()) {
        for mop in &t.mops {
            if let Mop::Read(_, Some(v)) = mop
                && v.len() > 1
            {
                let mut counts: BTreeMap<Elem, usize> = BTreeMap::new();
                for &e in v {
                    *counts.entry(e).or_default() += 1;
                }
                counts.retain(|_, n| *n > 1);
                if !counts.is_empty() {
                    cases.push(Case::Duplicates {
                        op,
                        mop: mop.clone(),
                        duplicates: counts,
                    });
                }
            }
        }
    }
    cases
}

/// `:dirty-update`: along each key's version order (from every read of the history), a
/// committed append following a failed one with only timed-out appends between. Fails (Elle
/// asserts, so the analysis is `:unknown`) when the order holds an element no transaction
/// appended.
pub fn dirty_updates(txns: &[Txn]) -> Result<Vec<Case>, String> {
    let index = append_index(&sorted_values(txns, |_| true, false));
    let mut writer: HashMap<(Key, Elem), usize> = HashMap::new();
    for (i, t) in txns.iter().enumerate() {
        for m in t.invoked.iter().chain(&t.mops) {
            if let Mop::Append(k, e) = *m {
                writer.insert((k, e), i);
            }
        }
    }
    let mut keys: Vec<&Key> = index.keys().collect();
    keys.sort_unstable();
    let mut cases = Vec::new();
    for &k in keys {
        // (outcome of t1, t1, elements since t1)
        let mut t1: (Outcome, Option<usize>) = (Outcome::Ok, None);
        let mut vs: Vec<Elem> = Vec::new();
        for &v in &index[&k].values {
            let Some(&t2) = writer.get(&(k, v)) else {
                return Err(format!("No transaction wrote {k} {v}"));
            };
            vs.push(v);
            let o2 = txns[t2].outcome;
            match (t1.0, o2) {
                (Outcome::Fail, Outcome::Ok) => {
                    cases.push(Case::DirtyUpdate {
                        key: k,
                        values: std::mem::take(&mut vs),
                        txns: (t1.1.unwrap_or(t2), t2),
                    });
                    vs.push(v);
                    t1 = (o2, Some(t2));
                }
                (_, Outcome::Info) | (Outcome::Fail, Outcome::Fail) => {}
                _ => {
                    t1 = (o2, Some(t2));
                    vs = vec![v];
                }
            }
        }
    }
    Ok(cases)
}

/// `:lost-update`: committed transactions that read the same state of a key first and then
/// appended to it, per (key, state) read by two or more (`lost-update-cases`).
pub fn lost_updates(txns: &[Txn]) -> Vec<Case> {
    type Read<'a> = Option<&'a [Elem]>;
    let mut by_read: BTreeMap<(Key, Read<'_>), Vec<usize>> = BTreeMap::new();
    for (i, t) in txns.iter().enumerate().filter(|(_, t)| t.is_ok()) {
        let mut reads: HashMap<Key, Read<'_>> = HashMap::new();
        let mut written: Vec<Key> = Vec::new();
        for mop in &t.mops {
            match mop {
                Mop::Read(k, v) => {
                    reads.entry(*k).or_insert(v.as_deref());
                }
                Mop::Append(k, _) => {
                    // An append before any read of the key does not count (nor as the key's
                    // write).
                    if let Some(&v) = reads.get(k)
                        && !written.contains(k)
                    {
                        written.push(*k);
                        by_read.entry((*k, v)).or_default().push(i);
                    }
                }
            }
        }
    }
    by_read
        .into_iter()
        .filter(|(_, t)| t.len() >= 2)
        .map(|((key, value), txns)| Case::LostUpdate {
            key,
            value: value.map(<[Elem]>::to_vec),
            txns,
        })
        .collect()
}
