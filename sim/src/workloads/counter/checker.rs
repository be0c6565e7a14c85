//! Maelstrom's counter checker (`pn_counter.clj`, reused by `g-counter`).
//!
//! `definite` is the sum of the deltas of `:ok` adds. The acceptable set starts as
//! `{definite}`; for each `:info` add, in history order, it becomes `P ∪ (P + delta)`: every
//! value `definite` plus the sum of any subset of the indeterminate deltas. Only reads that
//! are both `:ok` and final are checked, each against that set; main-phase reads are never
//! checked, and a final read that errored or timed out is simply absent. Maelstrom computes
//! the set with Guava open ranges; the result is exactly this integer set, reported as sorted
//! maximal closed intervals.

use crate::Validity;
use crate::history::{Op, OpF, OpType, OpValue};
use crate::workloads::counter::ADD;

/// The counter checker's output, in Maelstrom's shape.
#[derive(Clone, Debug, PartialEq)]
pub struct CounterResult {
    /// True iff every `:ok` final read is acceptable.
    pub valid: Validity,
    /// The final reads outside the acceptable set (`:errors`; Maelstrom prints `nil` when
    /// there are none).
    pub errors: Vec<Op>,
    /// The values of the `:ok` final reads, in history order (`:final-reads`).
    pub final_reads: Vec<i64>,
    /// The acceptable values as sorted, disjoint, non-adjacent closed intervals
    /// (`:acceptable`).
    pub acceptable: Vec<[i64; 2]>,
}

/// A set of integers kept as sorted maximal closed intervals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct IntSet(Vec<[i64; 2]>);

impl IntSet {
    /// `{v}`.
    pub(crate) fn single(v: i64) -> IntSet {
        IntSet(vec![[v, v]])
    }

    /// `self ∪ (self + delta)`.
    pub(crate) fn add_maybe(&mut self, delta: i64) {
        if delta == 0 {
            return;
        }
        let shifted = self
            .0
            .iter()
            .map(|&[lo, hi]| [lo.saturating_add(delta), hi.saturating_add(delta)]);
        let mut all: Vec<[i64; 2]> = self.0.iter().copied().chain(shifted).collect();
        all.sort_unstable();
        let mut merged: Vec<[i64; 2]> = Vec::with_capacity(all.len());
        for [lo, hi] in all {
            match merged.last_mut() {
                Some(last) if lo <= last[1].saturating_add(1) => last[1] = last[1].max(hi),
                _ => merged.push([lo, hi]),
            }
        }
        self.0 = merged;
    }

    /// Whether `v` is in the set.
    pub(crate) fn contains(&self, v: i64) -> bool {
        self.0.iter().any(|&[lo, hi]| lo <= v && v <= hi)
    }
}

/// Checks a counter history.
pub fn check(ops: &[Op]) -> CounterResult {
    let adds = || ops.iter().filter(|o| o.is_client() && o.f == ADD);
    let delta = |o: &Op| match o.value {
        OpValue::Int(d) => d,
        _ => 0,
    };
    let definite: i64 = adds()
        .filter(|o| o.kind == OpType::Ok)
        .map(delta)
        .fold(0, i64::saturating_add);
    let mut acceptable = IntSet::single(definite);
    for add in adds().filter(|o| o.kind == OpType::Info) {
        acceptable.add_maybe(delta(add));
    }
    let mut errors = Vec::new();
    let mut final_reads = Vec::new();
    for read in ops
        .iter()
        .filter(|o| o.is_client() && o.final_read && o.kind == OpType::Ok && o.f == OpF::READ)
    {
        // The client's schema only lets integer reads complete `:ok`.
        let OpValue::Int(v) = read.value else {
            continue;
        };
        final_reads.push(v);
        if !acceptable.contains(v) {
            errors.push(read.clone());
        }
    }
    CounterResult {
        valid: if errors.is_empty() {
            Validity::True
        } else {
            Validity::False
        },
        errors,
        final_reads,
        acceptable: acceptable.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{History, Process};

    /// A history builder: each call appends an invocation and its completion.
    struct H(History);

    impl H {
        fn new() -> H {
            H(History::new())
        }
        fn add(mut self, kind: OpType, delta: i64) -> H {
            let p = Process::Client(0);
            self.0.invoke(0, p, ADD, OpValue::Int(delta));
            self.0.complete(1, p, kind, ADD, OpValue::Int(delta), None);
            self
        }
        fn read(mut self, value: i64, final_read: bool) -> H {
            let p = Process::Client(1);
            let i = self.0.invoke(0, p, OpF::READ, OpValue::None);
            let c = self
                .0
                .complete(1, p, OpType::Ok, OpF::READ, OpValue::Int(value), None);
            if final_read {
                self.0.mark_final(i);
                self.0.mark_final(c);
            }
            self
        }
        fn check(&self) -> CounterResult {
            check(self.0.ops())
        }
    }

    #[test]
    fn maelstrom_example_ok_ten_info_five_minus_one_minus_one() {
        let h = H::new()
            .add(OpType::Ok, 10)
            .add(OpType::Info, 5)
            .add(OpType::Info, -1)
            .add(OpType::Info, -1);
        assert_eq!(h.check().acceptable, vec![[8, 10], [13, 15]]);
    }

    #[test]
    fn no_adds_accepts_only_zero() {
        let r = H::new().read(0, true).check();
        assert_eq!(r.acceptable, vec![[0, 0]]);
        assert_eq!(r.valid, Validity::True);
        assert_eq!(r.final_reads, vec![0]);
    }

    #[test]
    fn a_final_read_that_forgot_an_add_is_invalid() {
        let h = H::new()
            .add(OpType::Ok, 3)
            .add(OpType::Ok, 4)
            .read(7, true)
            .read(3, true);
        let r = h.check();
        assert_eq!(r.valid, Validity::False);
        assert_eq!(r.final_reads, vec![7, 3]);
        assert_eq!(r.errors.len(), 1);
        assert_eq!(r.errors[0].value, OpValue::Int(3));
    }

    #[test]
    fn a_double_counted_add_is_invalid_unless_indeterminate_adds_explain_it() {
        let r = H::new().add(OpType::Ok, 2).read(4, true).check();
        assert_eq!(r.valid, Validity::False, "2 counted twice");
        let r = H::new()
            .add(OpType::Ok, 2)
            .add(OpType::Info, 2)
            .read(4, true)
            .check();
        assert_eq!(
            r.valid,
            Validity::True,
            "the timed-out add of 2 may have happened"
        );
        assert_eq!(r.acceptable, vec![[2, 2], [4, 4]]);
    }

    #[test]
    fn main_phase_reads_and_failed_or_info_final_reads_are_not_checked() {
        let mut h = H::new().add(OpType::Ok, 1).read(99, false);
        let p = Process::Client(2);
        let i = h.0.invoke(0, p, OpF::READ, OpValue::None);
        let c = h.0.complete(
            1,
            p,
            OpType::Info,
            OpF::READ,
            OpValue::None,
            Some(":net-timeout".into()),
        );
        h.0.mark_final(i);
        h.0.mark_final(c);
        let r = h.check();
        assert_eq!(r.valid, Validity::True);
        assert!(r.final_reads.is_empty());
    }

    #[test]
    fn adjacent_values_merge_into_one_interval() {
        let h = H::new()
            .add(OpType::Info, 1)
            .add(OpType::Info, 1)
            .add(OpType::Info, 3);
        assert_eq!(h.check().acceptable, vec![[0, 5]]);
        let h = H::new().add(OpType::Info, 2).add(OpType::Info, 0);
        assert_eq!(h.check().acceptable, vec![[0, 0], [2, 2]]);
    }
}
