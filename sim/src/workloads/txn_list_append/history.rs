//! The checker's view of a txn-list-append history: completed transactions made of reads of
//! lists and appends of single elements (`elle/list_append.clj`).

use std::collections::BTreeMap;
use std::fmt;

pub use crate::workloads::elle::kinds::{Key, Outcome};

/// A list element (unique per key: the generator appends 1, 2, … to each key once).
pub type Elem = i64;

/// One micro-operation of a transaction.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mop {
    /// `["r", k, [e…]]`: a read of `k` that observed the list (`None`: `null`, in invocations
    /// and for never-appended keys).
    Read(Key, Option<Vec<Elem>>),
    /// `["append", k, e]`: appends `e` to `k`'s list.
    Append(Key, Elem),
}

impl Mop {
    /// The key it touches.
    pub fn key(&self) -> Key {
        match *self {
            Mop::Read(k, _) | Mop::Append(k, _) => k,
        }
    }
}

/// A list as EDN: `[1 2 3]`, or `nil`.
pub fn edn_list(v: Option<&[Elem]>) -> String {
    match v {
        None => "nil".into(),
        Some(v) => {
            let e: Vec<String> = v.iter().map(i64::to_string).collect();
            format!("[{}]", e.join(" "))
        }
    }
}

impl fmt::Display for Mop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mop::Read(k, v) => write!(f, "[:r {k} {}]", edn_list(v.as_deref())),
            Mop::Append(k, e) => write!(f, "[:append {k} {e}]"),
        }
    }
}

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
    /// The request's micro-operations (what the invocation asked for).
    pub invoked: Vec<Mop>,
    /// Position of the invocation in the history.
    pub invoke_index: usize,
    /// Invocation time, ns since the run started.
    pub invoke_ns: u64,
    /// Completion time, ns since the run started.
    pub complete_ns: u64,
}

impl Txn {
    /// A transaction with the given outcome and micro-operations, placed at history `index`
    /// (process 0, times 0, invoked just before): the shape hand-built histories need.
    pub fn new(index: usize, outcome: Outcome, mops: Vec<Mop>) -> Txn {
        let invoked = mops
            .iter()
            .map(|m| match m {
                Mop::Read(k, _) => Mop::Read(*k, None),
                a => a.clone(),
            })
            .collect();
        Txn {
            index,
            process: 0,
            outcome,
            mops,
            invoked,
            invoke_index: index.saturating_sub(1),
            invoke_ns: 0,
            complete_ns: 0,
        }
    }

    /// Whether it committed.
    pub fn is_ok(&self) -> bool {
        self.outcome == Outcome::Ok
    }

    /// Whether it may have happened (`:ok` or `:info`): Elle's `h/possible`, the vertices of
    /// the dependency graph.
    pub fn is_possible(&self) -> bool {
        self.outcome != Outcome::Fail
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
#[derive(Clone, Debug)]
pub struct Entry {
    /// Position in the history.
    pub index: usize,
    /// `None` for an invocation, else the completion's outcome.
    pub outcome: Option<Outcome>,
    /// The Jepsen process.
    pub process: u64,
    /// ns since the run started.
    pub time_ns: u64,
    /// The entry's micro-operations.
    pub mops: Vec<Mop>,
}

/// Pairs invocations with their completions (by process) and returns the completed
/// transactions in completion order. Invocations never completed are left out, as Jepsen's
/// history always completes them (with `:info`) before the checkers run.
pub fn completed(entries: impl IntoIterator<Item = Entry>) -> Vec<Txn> {
    let mut open: BTreeMap<u64, (usize, u64, Vec<Mop>)> = BTreeMap::new();
    let mut out = Vec::new();
    for e in entries {
        match e.outcome {
            None => {
                open.insert(e.process, (e.index, e.time_ns, e.mops));
            }
            Some(outcome) => {
                let (invoke_index, invoke_ns, invoked) = open
                    .remove(&e.process)
                    .unwrap_or_else(|| (e.index, e.time_ns, e.mops.clone()));
                out.push(Txn {
                    index: e.index,
                    process: e.process,
                    outcome,
                    mops: e.mops,
                    invoked,
                    invoke_index,
                    invoke_ns,
                    complete_ns: e.time_ns,
                })
            }
        }
    }
    out
}

/// Shorthand for a read in tests and examples: `r(1, &[1, 2])`.
pub fn r(k: Key, v: &[Elem]) -> Mop {
    Mop::Read(k, Some(v.to_vec()))
}

/// Shorthand for a read of `null`.
pub fn r_nil(k: Key) -> Mop {
    Mop::Read(k, None)
}

/// Shorthand for an append: `append(1, 3)`.
pub fn append(k: Key, e: Elem) -> Mop {
    Mop::Append(k, e)
}
