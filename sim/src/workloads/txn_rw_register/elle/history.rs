//! The checker's view of a txn-rw-register history: completed transactions made of read and
//! write micro-operations over integer registers, with Elle's external reads and writes.

use std::collections::BTreeMap;
use std::fmt;

/// A register key.
pub type Key = i64;
/// A register value; `None` is the initial (never written) state, JSON `null`.
pub type Value = Option<i64>;

/// One micro-operation of a transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mop {
    /// `["r", k, v]`: a read of `k` that observed `v` (`None` in invocations and for
    /// never-written keys).
    Read(Key, Value),
    /// `["w", k, v]`: a write of `v` to `k`.
    Write(Key, i64),
}

impl Mop {
    /// The key it touches.
    pub fn key(&self) -> Key {
        match *self {
            Mop::Read(k, _) | Mop::Write(k, _) => k,
        }
    }
}

impl fmt::Display for Mop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Mop::Read(k, v) => write!(f, "[:r {k} {}]", edn_value(v)),
            Mop::Write(k, v) => write!(f, "[:w {k} {v}]"),
        }
    }
}

/// A value as EDN: `nil` or the integer.
pub fn edn_value(v: Value) -> String {
    v.map_or_else(|| "nil".to_string(), |v| v.to_string())
}

pub use crate::workloads::elle::kinds::Outcome;

/// One completed transaction (its completion entry in the history).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Txn {
    /// Position of the completion in the history (Jepsen's `:index`).
    pub index: usize,
    /// The Jepsen process that ran it.
    pub process: u64,
    /// How it ended.
    pub outcome: Outcome,
    /// Its micro-operations: the reply's for `:ok`, the request's otherwise.
    pub mops: Vec<Mop>,
    /// Position of the invocation in the history.
    pub invoke_index: usize,
    /// Invocation time, ns since the run started.
    pub invoke_ns: u64,
    /// Completion time, ns since the run started.
    pub complete_ns: u64,
}

impl Txn {
    /// A transaction with the given outcome and micro-operations, placed at history `index`
    /// (process 0, times 0): the shape hand-built test histories need.
    pub fn new(index: usize, outcome: Outcome, mops: Vec<Mop>) -> Txn {
        Txn {
            index,
            process: 0,
            outcome,
            mops,
            invoke_index: index.saturating_sub(1),
            invoke_ns: 0,
            complete_ns: 0,
        }
    }

    /// Whether it committed.
    pub fn is_ok(&self) -> bool {
        self.outcome == Outcome::Ok
    }

    /// Elle's external reads: for each key whose first micro-operation is a read, the value
    /// that read observed.
    pub fn ext_reads(&self) -> BTreeMap<Key, Value> {
        let mut seen = BTreeMap::new();
        let mut reads = BTreeMap::new();
        for mop in &self.mops {
            if seen.insert(mop.key(), ()).is_none()
                && let Mop::Read(k, v) = *mop
            {
                reads.insert(k, v);
            }
        }
        reads
    }

    /// Elle's external writes: for each key the transaction writes, its last write.
    pub fn ext_writes(&self) -> BTreeMap<Key, i64> {
        let mut writes = BTreeMap::new();
        for mop in &self.mops {
            if let Mop::Write(k, v) = *mop {
                writes.insert(k, v);
            }
        }
        writes
    }

    /// Elle's EDN rendering of the completion: `{:index 7, :type :ok, :process 1, :value [...]}`.
    pub fn edn(&self) -> String {
        let mops: Vec<String> = self.mops.iter().map(Mop::to_string).collect();
        format!(
            "{{:index {}, :type :{}, :process {}, :value [{}]}}",
            self.index,
            self.outcome.name(),
            self.process,
            mops.join(" ")
        )
    }
}

/// One history entry of a transaction, as the checker needs it.
#[derive(Clone, Copy, Debug)]
pub struct Entry<'a> {
    /// Position in the history.
    pub index: usize,
    /// `None` for an invocation, else the completion's outcome.
    pub outcome: Option<Outcome>,
    /// The Jepsen process.
    pub process: u64,
    /// ns since the run started.
    pub time_ns: u64,
    /// The entry's micro-operations (a completion's own; a failed or timed-out one carries
    /// the invocation's).
    pub mops: &'a [Mop],
}

/// Pairs invocations with their completions (by process) and returns the completed
/// transactions in completion order. Invocations never completed are left out, as Jepsen's
/// history always completes them (with `:info`) before the checkers run.
pub fn completed<'a>(entries: impl IntoIterator<Item = Entry<'a>>) -> Vec<Txn> {
    let mut open: BTreeMap<u64, (usize, u64)> = BTreeMap::new();
    let mut out = Vec::new();
    for e in entries {
        match e.outcome {
            None => {
                open.insert(e.process, (e.index, e.time_ns));
            }
            Some(outcome) => {
                let (invoke_index, invoke_ns) =
                    open.remove(&e.process).unwrap_or((e.index, e.time_ns));
                out.push(Txn {
                    index: e.index,
                    process: e.process,
                    outcome,
                    mops: e.mops.to_vec(),
                    invoke_index,
                    invoke_ns,
                    complete_ns: e.time_ns,
                })
            }
        }
    }
    out
}

/// Shorthand for a read micro-operation in tests and examples: `r(1, Some(3))`.
pub fn r(k: Key, v: Value) -> Mop {
    Mop::Read(k, v)
}

/// Shorthand for a write micro-operation: `w(1, 3)`.
pub fn w(k: Key, v: i64) -> Mop {
    Mop::Write(k, v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_reads_take_the_first_mop_per_key_and_writes_the_last() {
        let t = Txn::new(
            0,
            Outcome::Ok,
            vec![
                r(1, Some(3)),
                w(1, 4),
                w(1, 5),
                w(2, 6),
                r(2, Some(6)),
                r(3, None),
            ],
        );
        assert_eq!(
            t.ext_reads(),
            BTreeMap::from([(1, Some(3)), (3, None)]),
            "key 2 starts with a write, so its read is internal"
        );
        assert_eq!(t.ext_writes(), BTreeMap::from([(1, 5), (2, 6)]));
        assert_eq!(
            t.edn(),
            "{:index 0, :type :ok, :process 0, :value [[:r 1 3] [:w 1 4] [:w 1 5] [:w 2 6] [:r 2 6] [:r 3 nil]]}"
        );
    }

    #[test]
    fn invocations_pair_with_their_process_completion_in_completion_order() {
        let req = [w(1, 1)];
        let rep = [r(2, Some(4)), w(1, 1)];
        let (req, rep) = (&req[..], &rep[..]);
        fn e(
            index: usize,
            outcome: Option<Outcome>,
            process: u64,
            time_ns: u64,
            mops: &[Mop],
        ) -> Entry<'_> {
            Entry {
                index,
                outcome,
                process,
                time_ns,
                mops,
            }
        }
        let txns = completed([
            e(0, None, 0, 10, req),
            e(1, None, 1, 20, req),
            e(2, Some(Outcome::Info), 1, 30, req),
            e(3, Some(Outcome::Ok), 0, 40, rep),
            e(4, None, 5, 50, req),
        ]);
        assert_eq!(txns.len(), 2, "the open invocation is left out");
        assert_eq!(
            (
                txns[0].index,
                txns[0].process,
                txns[0].invoke_ns,
                txns[0].complete_ns
            ),
            (2, 1, 20, 30)
        );
        assert_eq!(
            txns[1].mops, rep,
            "an :ok completion keeps the reply's mops"
        );
        assert_eq!((txns[1].invoke_ns, txns[1].outcome), (10, Outcome::Ok));
        assert_eq!((txns[0].invoke_index, txns[1].invoke_index), (1, 0));
    }
}
