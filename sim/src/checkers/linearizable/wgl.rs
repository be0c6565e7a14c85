//! Wing & Gong's linearizability search with Lowe's cache, over one key's operations
//! (Knossos's `knossos/wgl.clj`, checked against `knossos/model.clj`'s CAS register).
//!
//! The history is a doubly linked list of call and return entries in history order; a
//! crashed operation has a call and no return, so it may take effect at any point after its
//! invocation, or never. From the head, a call whose operation the register accepts in the
//! current state is linearized: it and its return leave the list and the search restarts at
//! the head, unless the configuration (linearized set, state) was met before (the cache).
//! Reaching a return whose operation is not linearized backtracks. Every acknowledged
//! operation linearized: valid. Nothing left to undo: invalid. The search gives up, `:unknown`,
//! once it exceeds its step or memory [`Budget`].
//!
//! When it fails, the operation that cannot be linearized is the one whose return the search
//! got stuck at furthest into the history (where Knossos's `linear` analysis dies too), and
//! the configurations stuck there are kept for the final paths.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hash, Hasher};

use crate::checkers::linearizable::Budget;

/// An operation as the register sees it, values interned (0 is `nil`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// A read of this value; `None`: a `nil` read, always legal.
    Read(Option<u32>),
    /// A write.
    Write(u32),
    /// A compare-and-set from, to.
    Cas(u32, u32),
}

impl Step {
    /// The state after this step from `state`, or `None` if the register refuses it.
    pub(crate) fn apply(self, state: u32) -> Option<u32> {
        match self {
            Step::Read(None) => Some(state),
            Step::Read(Some(v)) => (v == state).then_some(state),
            Step::Write(v) => Some(v),
            Step::Cas(from, to) => (from == state).then_some(to),
        }
    }
}

/// One operation of the key: its step and where its call and return sit in the history.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Call {
    pub(crate) step: Step,
    pub(crate) invoke: usize,
    /// `None`: crashed, pending to the end.
    pub(crate) complete: Option<usize>,
}

/// A configuration the search reached: the operations linearized and the register's state,
/// and the last operation linearized.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Config {
    pub(crate) linearized: Vec<u64>,
    pub(crate) state: u32,
    pub(crate) last: Option<usize>,
}

impl Config {
    pub(crate) fn has(&self, op: usize) -> bool {
        self.linearized[op / 64] >> (op % 64) & 1 == 1
    }
}

/// How the search ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Every acknowledged operation linearized; the register's final state.
    Valid(u32),
    /// Not linearizable: the operation whose return no configuration got past, and up to
    /// [`KEPT`] configurations stuck there.
    Invalid { op: usize, configs: Vec<Config> },
    /// The budget ran out: why.
    Unknown(String),
}

/// What the search did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Search {
    pub(crate) outcome: Outcome,
    pub(crate) steps: u64,
    pub(crate) configs: usize,
}

/// Configurations kept for the final paths.
pub(crate) const KEPT: usize = 8;

const NIL: usize = usize::MAX;

#[derive(Default)]
struct Fx(u64);

impl Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// A cache entry: hashed by the incrementally kept hash of its set and state only.
struct Seen {
    hash: u64,
    linearized: Box<[u64]>,
    state: u32,
}

impl Hash for Seen {
    fn hash<H: Hasher>(&self, h: &mut H) {
        h.write_u64(self.hash);
    }
}

impl PartialEq for Seen {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash && self.state == other.state && self.linearized == other.linearized
    }
}

impl Eq for Seen {}

fn op_key(op: usize) -> u64 {
    // splitmix64 of the index: a random-looking key per operation, xor-ed into the set's hash.
    let mut z = (op as u64).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Searches for a linearization of `calls` from the `nil` register (state 0).
pub(crate) fn search(calls: &[Call], budget: &Budget) -> Search {
    // Entries: 2·i is op i's call, 2·i + 1 its return; sorted by history position.
    let mut entries: Vec<(usize, usize)> = Vec::with_capacity(calls.len() * 2);
    for (i, c) in calls.iter().enumerate() {
        entries.push((c.invoke, 2 * i));
        if let Some(r) = c.complete {
            entries.push((r, 2 * i + 1));
        }
    }
    entries.sort_unstable();
    let head = entries.len();
    let mut next = vec![NIL; head + 1];
    let mut prev = vec![NIL; head + 1];
    let mut slot_of_call = vec![NIL; calls.len()];
    let mut slot_of_return = vec![NIL; calls.len()];
    let mut last = head;
    for (slot, &(_, code)) in entries.iter().enumerate() {
        next[last] = slot;
        prev[slot] = last;
        last = slot;
        if code % 2 == 0 {
            slot_of_call[code / 2] = slot;
        } else {
            slot_of_return[code / 2] = slot;
        }
    }
    let op_of = |slot: usize| entries[slot].1 / 2;
    let is_call = |slot: usize| entries[slot].1 % 2 == 0;
    let words = calls.len().div_ceil(64).max(1);
    let entry_bytes = (words * 8 + 48) as u64;
    let mut linearized = vec![0u64; words];
    let mut set_hash = 0u64;
    let mut state = 0u32;
    let mut remaining = calls.iter().filter(|c| c.complete.is_some()).count();
    let mut cache: HashSet<Seen, BuildHasherDefault<Fx>> = HashSet::default();
    let mut stack: Vec<(usize, u32)> = Vec::new();
    let mut steps = 0u64;
    let mut best: Option<(usize, usize)> = None; // (history position, op) of the furthest stuck return
    let mut stuck: Vec<Config> = Vec::new();
    let mut entry = next[head];
    let outcome = loop {
        if remaining == 0 {
            break Outcome::Valid(state);
        }
        steps += 1;
        if steps > budget.max_steps {
            break Outcome::Unknown(format!(
                "step budget: more than {} search steps",
                budget.max_steps
            ));
        }
        if entry == NIL {
            // Only crashed calls were left to try, and none could go: undo the last choice.
            match undo(&mut stack, &mut state) {
                None => break invalid(best, stuck),
                Some(call_slot) => {
                    let op = op_of(call_slot);
                    unlift(&mut next, &mut prev, call_slot, slot_of_return[op]);
                    linearized[op / 64] &= !(1 << (op % 64));
                    set_hash ^= op_key(op);
                    if calls[op].complete.is_some() {
                        remaining += 1;
                    }
                    entry = next[call_slot];
                }
            }
            continue;
        }
        if is_call(entry) {
            let op = op_of(entry);
            let Some(after) = calls[op].step.apply(state) else {
                entry = next[entry];
                continue;
            };
            linearized[op / 64] |= 1 << (op % 64);
            let hash = set_hash ^ op_key(op) ^ u64::from(after).wrapping_mul(0x2545_f491_4f6c_dd1d);
            let fresh = cache.insert(Seen {
                hash,
                linearized: linearized.clone().into_boxed_slice(),
                state: after,
            });
            if !fresh {
                linearized[op / 64] &= !(1 << (op % 64));
                entry = next[entry];
                continue;
            }
            if cache.len() as u64 * entry_bytes > budget.max_cache_bytes {
                break Outcome::Unknown(format!(
                    "memory budget: more than {} MiB of visited configurations ({} kept)",
                    budget.max_cache_bytes >> 20,
                    cache.len()
                ));
            }
            set_hash ^= op_key(op);
            stack.push((entry, state));
            state = after;
            if calls[op].complete.is_some() {
                remaining -= 1;
            }
            lift(&mut next, &mut prev, entry, slot_of_return[op]);
            entry = next[head];
        } else {
            // A return whose operation is not linearized: this configuration is stuck here.
            let op = op_of(entry);
            let position = entries[entry].0;
            if best.is_none_or(|(p, _)| position > p) {
                best = Some((position, op));
                stuck.clear();
            }
            if best.is_some_and(|(p, _)| p == position) && stuck.len() < KEPT {
                stuck.push(Config {
                    linearized: linearized.clone(),
                    state,
                    last: stack.last().map(|&(slot, _)| op_of(slot)),
                });
            }
            match undo(&mut stack, &mut state) {
                None => break invalid(best, stuck),
                Some(call_slot) => {
                    let op = op_of(call_slot);
                    unlift(&mut next, &mut prev, call_slot, slot_of_return[op]);
                    linearized[op / 64] &= !(1 << (op % 64));
                    set_hash ^= op_key(op);
                    if calls[op].complete.is_some() {
                        remaining += 1;
                    }
                    entry = next[call_slot];
                }
            }
        }
    };
    Search {
        outcome,
        steps,
        configs: cache.len(),
    }
}

fn invalid(best: Option<(usize, usize)>, configs: Vec<Config>) -> Outcome {
    match best {
        Some((_, op)) => Outcome::Invalid { op, configs },
        // Unreachable with an acknowledged operation left; say so rather than panic.
        None => Outcome::Unknown("search ended without a stuck return".into()),
    }
}

fn undo(stack: &mut Vec<(usize, u32)>, state: &mut u32) -> Option<usize> {
    let (slot, before) = stack.pop()?;
    *state = before;
    Some(slot)
}

fn unlink(next: &mut [usize], prev: &mut [usize], slot: usize) {
    let (p, n) = (prev[slot], next[slot]);
    next[p] = n;
    if n != NIL {
        prev[n] = p;
    }
}

fn relink(next: &mut [usize], prev: &mut [usize], slot: usize) {
    let (p, n) = (prev[slot], next[slot]);
    next[p] = slot;
    if n != NIL {
        prev[n] = slot;
    }
}

fn lift(next: &mut [usize], prev: &mut [usize], call: usize, ret: usize) {
    unlink(next, prev, call);
    if ret != NIL {
        unlink(next, prev, ret);
    }
}

fn unlift(next: &mut [usize], prev: &mut [usize], call: usize, ret: usize) {
    if ret != NIL {
        relink(next, prev, ret);
    }
    relink(next, prev, call);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(step: Step, invoke: usize, complete: usize) -> Call {
        Call {
            step,
            invoke,
            complete: Some(complete),
        }
    }

    fn crashed(step: Step, invoke: usize) -> Call {
        Call {
            step,
            invoke,
            complete: None,
        }
    }

    fn run(calls: &[Call]) -> Outcome {
        search(calls, &Budget::default()).outcome
    }

    #[test]
    fn sequential_histories() {
        let h = [
            ok(Step::Write(1), 0, 1),
            ok(Step::Read(Some(1)), 2, 3),
            ok(Step::Cas(1, 2), 4, 5),
            ok(Step::Read(Some(2)), 6, 7),
        ];
        assert_eq!(run(&h), Outcome::Valid(2));
        let stale = [
            ok(Step::Write(1), 0, 1),
            ok(Step::Write(2), 2, 3),
            ok(Step::Read(Some(1)), 4, 5),
        ];
        assert!(matches!(run(&stale), Outcome::Invalid { op: 2, .. }));
    }

    #[test]
    fn nil_reads_and_the_initial_nil() {
        // A nil read is legal anywhere; the register starts at nil (0).
        let h = [ok(Step::Write(1), 0, 1), ok(Step::Read(None), 2, 3)];
        assert_eq!(run(&h), Outcome::Valid(1));
        let h = [ok(Step::Cas(1, 2), 0, 1)];
        assert!(matches!(run(&h), Outcome::Invalid { op: 0, .. }));
    }

    #[test]
    fn concurrent_operations_may_take_effect_in_either_order() {
        // write 1 ‖ write 2, then read 1: the write of 2 went first.
        let h = [
            ok(Step::Write(1), 0, 3),
            ok(Step::Write(2), 1, 2),
            ok(Step::Read(Some(1)), 4, 5),
        ];
        assert_eq!(run(&h), Outcome::Valid(1));
    }

    #[test]
    fn crashed_operations_take_effect_later_or_never() {
        // A crashed write of 3 explains a later read of 3, long after its invocation.
        let h = [
            crashed(Step::Write(3), 0),
            ok(Step::Write(1), 1, 2),
            ok(Step::Read(Some(1)), 3, 4),
            ok(Step::Read(Some(3)), 5, 6),
        ];
        assert_eq!(run(&h), Outcome::Valid(3));
        // … or never.
        let h = [crashed(Step::Write(3), 0), ok(Step::Read(Some(1)), 1, 2)];
        assert!(matches!(run(&h), Outcome::Invalid { op: 1, .. }));
        let h = [crashed(Step::Write(3), 0), ok(Step::Write(1), 1, 2)];
        assert_eq!(run(&h), Outcome::Valid(1));
    }

    #[test]
    fn a_cas_that_cannot_have_succeeded() {
        // write 1; cas 2→3 ok: the register never held 2.
        let h = [ok(Step::Write(1), 0, 1), ok(Step::Cas(2, 3), 2, 3)];
        match run(&h) {
            Outcome::Invalid { op, configs } => {
                assert_eq!(op, 1);
                assert!(!configs.is_empty());
                assert!(configs.iter().all(|c| c.state == 1 && c.has(0)));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn budgets_give_unknown() {
        let h: Vec<Call> = (0..40)
            .map(|i| crashed(Step::Write(i % 5 + 1), i as usize))
            .chain([ok(Step::Read(Some(9)), 50, 51)])
            .collect();
        let tiny = Budget {
            max_steps: 1000,
            ..Budget::default()
        };
        match search(&h, &tiny).outcome {
            Outcome::Unknown(why) => assert!(why.contains("step budget"), "{why}"),
            other => panic!("{other:?}"),
        }
        let small = Budget {
            max_cache_bytes: 64 << 10,
            ..Budget::default()
        };
        match search(&h, &small).outcome {
            Outcome::Unknown(why) => assert!(why.contains("memory budget"), "{why}"),
            other => panic!("{other:?}"),
        }
    }
}
