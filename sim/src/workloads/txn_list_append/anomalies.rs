//! Per-transaction anomalies of Elle's list-append analysis (`elle/list_append.clj`
//! `g1a-cases`, `g1b-cases`, `internal-cases` (with Elle 0.2.2's `:future-read`), `duplicates`, `incompatible-orders`,
//! `dirty-update-cases`; `elle/txn.clj` `lost-update-cases`), and the version orders they and
//! the dependency graph read (`sorted-values`, `append-index`).

use std::collections::BTreeMap;

use hashbrown::{HashMap, HashSet};

use super::history::{Elem, Key, Mop, Outcome, Txn};
use super::kinds::{Case, Expected};

/// Per key, every distinct non-empty list read by the transactions `keep` selects, sorted by
/// length (then contents, so the order is stable) — Elle's `sorted-values`, before
/// [`single_appends`].
pub fn sorted_values(txns: &[Txn], keep: impl Fn(&Txn) -> bool) -> BTreeMap<Key, Vec<Vec<Elem>>> {
    let mut seen: HashMap<Key, HashSet<&[Elem]>> = HashMap::new();
    for t in txns.iter().filter(|t| keep(t)) {
        for mop in &t.mops {
            if let Mop::Read(k, Some(v)) = mop
                && !v.is_empty()
            {
                seen.entry(*k).or_default().insert(v);
            }
        }
    }
    seen.into_iter()
        .map(|(k, vs)| {
            let mut vs: Vec<Vec<Elem>> = vs.into_iter().map(<[Elem]>::to_vec).collect();
            vs.sort_unstable_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
            (k, vs)
        })
        .collect()
}

/// Elle's `values-from-single-appends`: a key appended exactly once among the transactions
/// `keep` selects has the one order `[[x]]`, whatever was read.
pub fn single_appends(
    txns: &[Txn],
    keep: impl Fn(&Txn) -> bool,
    sorted: &mut BTreeMap<Key, Vec<Vec<Elem>>>,
) {
    let mut appends: HashMap<Key, (usize, Elem)> = HashMap::new();
    for t in txns.iter().filter(|t| keep(t)) {
        for mop in &t.mops {
            if let Mop::Append(k, e) = *mop {
                appends.entry(k).or_insert((0, e)).0 += 1;
            }
        }
    }
    for (k, (n, e)) in appends {
        if n == 1 {
            sorted.insert(k, vec![vec![e]]);
        }
    }
}

#[cfg(test)]
/// The `:ok`/`:info` transactions' sorted values, single appends included: what the
/// version orders and `:incompatible-order` read.
pub fn possible_values(txns: &[Txn]) -> BTreeMap<Key, Vec<Vec<Elem>>> {
    let mut sorted = sorted_values(txns, Txn::is_possible);
    single_appends(txns, Txn::is_possible, &mut sorted);
    sorted
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
            if let hashbrown::hash_map::Entry::Vacant(v) = o.positions.entry(e) {
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
        let mut last: Vec<(Key, Elem)> = Vec::new();
        for m in &t.mops {
            if let Mop::Append(k, e) = *m {
                match last.iter_mut().find(|(lk, _)| *lk == k) {
                    Some(slot) => {
                        intermediate.insert((k, slot.1), i);
                        slot.1 = e;
                    }
                    None => last.push((k, e)),
                }
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
enum Known<'a> {
    /// Nothing yet: an append makes the list `[... e]`.
    Absent,
    /// It read this list.
    Seen(&'a [Elem]),
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
        let mut state: Vec<(Key, Known)> = Vec::new();
        for mop in &t.mops {
            let k = mop.key();
            let slot = match state.iter().position(|(sk, _)| *sk == k) {
                Some(at) => at,
                None => {
                    state.push((k, Known::Absent));
                    state.len() - 1
                }
            };
            match mop {
                Mop::Append(_, e) => match &mut state[slot].1 {
                    s @ Known::Absent => {
                        *s = Known::List(Expected {
                            unknown_prefix: true,
                            elems: vec![*e],
                        })
                    }
                    s @ Known::Nil => {
                        *s = Known::List(Expected {
                            unknown_prefix: false,
                            elems: vec![*e],
                        })
                    }
                    Known::List(x) => x.elems.push(*e),
                    s @ Known::Seen(_) => {
                        let Known::Seen(seen) = *s else { continue };
                        let mut elems = seen.to_vec();
                        elems.push(*e);
                        *s = Known::List(Expected {
                            unknown_prefix: false,
                            elems,
                        })
                    }
                },
                Mop::Read(_, v) => {
                    if let Known::Seen(seen) = state[slot].1
                        && v.as_deref() != Some(seen)
                    {
                        cases.push(Case::Internal {
                            op: i,
                            mop: mop.clone(),
                            expected: Expected {
                                unknown_prefix: false,
                                elems: seen.to_vec(),
                            },
                        });
                        break;
                    }
                    if let Known::List(x) = &state[slot].1 {
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
                        Some(v) => Known::Seen(v),
                    };
                    state[slot].1 = known;
                }
            }
        }
    }
    cases
}

/// Whether some element appears twice (quadratic for short lists, hashed for long ones).
fn has_duplicate(v: &[Elem]) -> bool {
    if v.len() <= 32 {
        (1..v.len()).any(|i| v[..i].contains(&v[i]))
    } else {
        let mut seen = HashSet::with_capacity(v.len());
        !v.iter().all(|e| seen.insert(*e))
    }
}

/// `:duplicate-elements`: reads of `:ok`/`:info` transactions holding an element twice.
pub fn duplicates(txns: &[Txn]) -> Vec<Case> {
    let mut cases = Vec::new();
    for (op, t) in txns.iter().enumerate().filter(|(_, t)| t.is_possible()) {
        for mop in &t.mops {
            if let Mop::Read(_, Some(v)) = mop
                && v.len() > 1
                && has_duplicate(v)
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

/// `:dirty-update`: along each key's version order `index` (from every read of the history:
/// [`append_index`] of [`sorted_values`] of all transactions; appenders from
/// [`super::graph::writers`]), a committed append following
/// a failed one with only timed-out appends between. Fails (Elle asserts, so the analysis is
/// `:unknown`) when the order holds an element no transaction appended.
pub fn dirty_updates(
    txns: &[Txn],
    index: &HashMap<Key, KeyOrder>,
    writer: &HashMap<(Key, Elem), usize>,
) -> Result<Vec<Case>, String> {
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
        let mut reads: Vec<(Key, Read<'_>)> = Vec::new();
        let mut written: Vec<Key> = Vec::new();
        for mop in &t.mops {
            match mop {
                Mop::Read(k, v) => {
                    if !reads.iter().any(|(rk, _)| rk == k) {
                        reads.push((*k, v.as_deref()));
                    }
                }
                Mop::Append(k, _) => {
                    // An append before any read of the key does not count (nor as the key's
                    // write).
                    if let Some(&(_, v)) = reads.iter().find(|(rk, _)| rk == k)
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

/// `:future-read` (Elle 0.2.2's `op-future-read-case`): per committed transaction, the first
/// append of an element that one of its own earlier reads of that key already held — the
/// read that saw it, and the element. Not an `:internal` case: the read may agree with every
/// earlier micro-operation; it sees the transaction's future.
pub fn future_reads(txns: &[Txn]) -> Vec<Case> {
    let mut cases = Vec::new();
    for (i, t) in txns.iter().enumerate().filter(|(_, t)| t.is_ok()) {
        // Per key, the reads so far, in order: the first to hold an element names it.
        let mut reads: Vec<(Key, &Mop)> = Vec::new();
        for mop in &t.mops {
            match mop {
                Mop::Read(k, Some(_)) => reads.push((*k, mop)),
                Mop::Read(_, None) => {}
                Mop::Append(k, e) => {
                    let seen = reads.iter().find(|(rk, r)| {
                        rk == k && matches!(r, Mop::Read(_, Some(v)) if v.contains(e))
                    });
                    if let Some((_, read)) = seen {
                        cases.push(Case::FutureRead {
                            op: i,
                            mop: (*read).clone(),
                            element: *e,
                        });
                        break;
                    }
                }
            }
        }
    }
    cases
}
