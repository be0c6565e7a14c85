//! The broadcast checker: Jepsen's `set-full` (non-linearizable), with broadcast as add
//! ([`check`]); g-set runs it with its own `add` ([`check_adds`]).
//!
//! Walking the client operations in history order: an element exists from its broadcast's
//! invocation; only `:ok` reads count, and each one updates every element that exists at its
//! completion, using the read's *invocation*: present → `last-present`, absent →
//! `last-absent`, each kept as the latest invocation by history index. An element becomes
//! known at the first of its broadcast's `:ok` and the first read completion that saw it.
//!
//! An element is stable if some read saw it and no read invoked after the last such read
//! missed it; lost if it was known, missed by a read invoked after both its last sighting and
//! its becoming known; never read otherwise. Its stable latency is
//! `max(0, last-absent time + 1 ns − known time)` in whole ms (0 if never missed).

use std::collections::BTreeMap;

use crate::checkers::Validity;
use crate::checkers::quantiles::{Quantiles, quantiles};
use crate::history::{Op, OpF, OpType, OpValue, Process};

/// What became of one element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Eventually present in every later read.
    Stable,
    /// Acknowledged or seen, then missing from the last reads.
    Lost,
    /// Neither: never seen, or not known before the last read that missed it.
    NeverRead,
}

impl Outcome {
    /// Maelstrom's keyword for the outcome: `stable`, `lost` or `never-read`.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Stable => "stable",
            Outcome::Lost => "lost",
            Outcome::NeverRead => "never-read",
        }
    }
}

/// A history entry's position and time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mark {
    /// Index in the history.
    pub index: usize,
    /// Nanoseconds since the run started.
    pub time_ns: u64,
}

/// The analysis of one element.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElementResult {
    /// The broadcast value.
    pub element: i64,
    /// Its outcome.
    pub outcome: Outcome,
    /// When it became known (broadcast `:ok` or first sighting), if ever.
    pub known: Option<Mark>,
    /// The latest-invoked `:ok` read that contained it.
    pub last_present: Option<Mark>,
    /// The latest-invoked `:ok` read that missed it.
    pub last_absent: Option<Mark>,
    /// For stable elements: ms from known to the last miss (0 if never missed).
    pub stable_latency_ms: Option<u64>,
    /// For lost elements: ms from known to the last sighting (0 if never seen).
    pub lost_latency_ms: Option<u64>,
}

/// The set-full result (`:workload` of a broadcast test).
#[derive(Clone, Debug, PartialEq)]
pub struct SetFullResult {
    /// False if any element is lost; unknown if none is stable; true otherwise.
    pub valid: Validity,
    /// Broadcasts invoked.
    pub attempt_count: usize,
    /// Stable elements.
    pub stable_count: usize,
    /// Lost elements.
    pub lost_count: usize,
    /// Elements never read.
    pub never_read_count: usize,
    /// Stable elements with a stable latency above 0.
    pub stale_count: usize,
    /// Lost elements, ascending.
    pub lost: Vec<i64>,
    /// Never-read elements, ascending.
    pub never_read: Vec<i64>,
    /// Stale elements, ascending.
    pub stale: Vec<i64>,
    /// The 8 stalest elements, stalest first.
    pub worst_stale: Vec<ElementResult>,
    /// Quantiles of the stable latencies (zeros included), if any element is stable.
    pub stable_latencies: Option<Quantiles>,
    /// Quantiles of the lost latencies, if any element is lost.
    pub lost_latencies: Option<Quantiles>,
    /// Always 0: Jepsen's duplicate detector never fires (see the compatibility notes).
    pub duplicated_count: usize,
    /// Every element, in creation order (per-sample data for plots).
    pub elements: Vec<ElementResult>,
}

impl SetFullResult {
    /// Each stable element's value, known time (ns since the run started) and stable latency
    /// (ms), in creation order.
    pub fn stable_samples(&self) -> Vec<(i64, u64, u64)> {
        self.elements
            .iter()
            .filter_map(|e| {
                let latency = e.stable_latency_ms?;
                Some((e.element, e.known.map_or(0, |k| k.time_ns), latency))
            })
            .collect()
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct State {
    known: Option<Mark>,
    last_present: Option<Mark>,
    last_absent: Option<Mark>,
}

fn later(current: Option<Mark>, candidate: Mark) -> Option<Mark> {
    match current {
        Some(c) if candidate.index < c.index => Some(c),
        _ => Some(candidate),
    }
}

/// Runs set-full over a broadcast history (broadcast is the add).
pub fn check(ops: &[Op]) -> SetFullResult {
    check_adds(ops, OpF::BROADCAST)
}

/// Runs set-full over a history whose adds are the operations `add` (`broadcast`, g-set's
/// `add`) with integer values, and whose reads are `read`.
pub fn check_adds(ops: &[Op], add: OpF) -> SetFullResult {
    let mut elements: Vec<i64> = Vec::new();
    let mut states: Vec<State> = Vec::new();
    let mut slot: BTreeMap<i64, usize> = BTreeMap::new();
    let mut reads: BTreeMap<Process, Mark> = BTreeMap::new();
    let mut seen_stamp: Vec<usize> = Vec::new();
    let mut read_no = 0usize;
    for op in ops.iter().filter(|o| o.is_client()) {
        let mark = Mark {
            index: op.index,
            time_ns: op.time_ns,
        };
        match (op.f, op.kind, &op.value) {
            (f, OpType::Invoke, OpValue::Int(v)) if f == add => {
                slot.entry(*v).or_insert_with(|| {
                    elements.push(*v);
                    states.push(State::default());
                    seen_stamp.push(0);
                    elements.len() - 1
                });
            }
            (f, OpType::Ok, OpValue::Int(v)) if f == add => {
                if let Some(&i) = slot.get(v) {
                    states[i].known = states[i].known.or(Some(mark));
                }
            }
            (OpF::READ, OpType::Invoke, _) => {
                reads.insert(op.process, mark);
            }
            (OpF::READ, OpType::Ok, OpValue::Read(values)) => {
                let Some(inv) = reads.remove(&op.process) else {
                    continue;
                };
                read_no += 1;
                for v in &values.ints {
                    // Broadcast values are 0, 1, 2 …: try the dense position first.
                    let dense = usize::try_from(*v)
                        .ok()
                        .filter(|&i| elements.get(i) == Some(v));
                    if let Some(i) = dense.or_else(|| slot.get(v).copied()) {
                        seen_stamp[i] = read_no;
                    }
                }
                for (i, s) in states.iter_mut().enumerate() {
                    if seen_stamp[i] == read_no {
                        s.last_present = later(s.last_present, inv);
                        s.known = s.known.or(Some(mark));
                    } else {
                        s.last_absent = later(s.last_absent, inv);
                    }
                }
            }
            (OpF::READ, OpType::Fail | OpType::Info, _) => {
                reads.remove(&op.process);
            }
            _ => {}
        }
    }
    summarise(&elements, &states)
}

fn latency_ms(from_ns: u64, known_ns: u64) -> u64 {
    from_ns.saturating_sub(known_ns) / 1_000_000
}

fn element_result(element: i64, s: &State) -> ElementResult {
    let idx = |m: Option<Mark>| m.map_or(-1, |m| m.index as i64);
    let stable = s.last_present.is_some() && idx(s.last_absent) < idx(s.last_present);
    let lost = s.known.is_some()
        && s.last_absent.is_some()
        && idx(s.last_present) < idx(s.last_absent)
        && idx(s.known) < idx(s.last_absent);
    let known_ns = s.known.map_or(0, |k| k.time_ns);
    let outcome = if stable {
        Outcome::Stable
    } else if lost {
        Outcome::Lost
    } else {
        Outcome::NeverRead
    };
    let since = |m: Option<Mark>| m.map_or(0, |m| m.time_ns + 1);
    ElementResult {
        element,
        outcome,
        known: s.known,
        last_present: s.last_present,
        last_absent: s.last_absent,
        stable_latency_ms: stable.then(|| latency_ms(since(s.last_absent), known_ns)),
        lost_latency_ms: lost.then(|| latency_ms(since(s.last_present), known_ns)),
    }
}

fn summarise(elements: &[i64], states: &[State]) -> SetFullResult {
    let results: Vec<ElementResult> = elements
        .iter()
        .zip(states)
        .map(|(&e, s)| element_result(e, s))
        .collect();
    let sorted = |keep: &dyn Fn(&ElementResult) -> bool| {
        let mut v: Vec<i64> = results
            .iter()
            .filter(|r| keep(r))
            .map(|r| r.element)
            .collect();
        v.sort_unstable();
        v
    };
    let lost = sorted(&|r| r.outcome == Outcome::Lost);
    let never_read = sorted(&|r| r.outcome == Outcome::NeverRead);
    let stale = sorted(&|r| r.stable_latency_ms.is_some_and(|l| l > 0));
    let stable: Vec<u64> = results.iter().filter_map(|r| r.stable_latency_ms).collect();
    let lost_lat: Vec<u64> = results.iter().filter_map(|r| r.lost_latency_ms).collect();
    let mut worst: Vec<&ElementResult> = results
        .iter()
        .filter(|r| r.stable_latency_ms.is_some_and(|l| l > 0))
        .collect();
    worst.sort_by_key(|r| (std::cmp::Reverse(r.stable_latency_ms), r.element));
    let valid = if !lost.is_empty() {
        Validity::False
    } else if stable.is_empty() {
        Validity::Unknown
    } else {
        Validity::True
    };
    SetFullResult {
        valid,
        attempt_count: elements.len(),
        stable_count: stable.len(),
        lost_count: lost.len(),
        never_read_count: never_read.len(),
        stale_count: stale.len(),
        worst_stale: worst.into_iter().take(8).cloned().collect(),
        stable_latencies: quantiles(&stable),
        lost_latencies: quantiles(&lost_lat),
        duplicated_count: 0,
        lost,
        never_read,
        stale,
        elements: results,
    }
}
