//! The anomaly types Elle's analyses report (`elle/txn.clj`, `elle/list_append.clj`,
//! `elle/rw_register.clj`), the dependency relations between transactions, and one explained
//! step of a cycle.

use std::fmt;

/// A key of a transactional workload (registers and lists alike).
pub type Key = i64;

/// A version named in an explanation: a register's value, or the list element a step is
/// about; `None` is the initial (nil, never written) state.
pub type Value = Option<i64>;

/// `nil` or the integer, as EDN prints it.
pub fn edn_value(v: Value) -> String {
    v.map_or_else(|| "nil".to_string(), |v| v.to_string())
}

/// How a transaction ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    /// `:ok`: it committed, and its reads are known.
    Ok,
    /// `:fail`: it certainly did not happen (aborted).
    Fail,
    /// `:info`: unknown whether it happened; only its writes are known.
    Info,
}

impl Outcome {
    /// How a history entry of type `kind` ended (`None` for an invocation).
    pub fn of(kind: crate::history::OpType) -> Option<Outcome> {
        use crate::history::OpType;
        match kind {
            OpType::Invoke => None,
            OpType::Ok => Some(Outcome::Ok),
            OpType::Fail => Some(Outcome::Fail),
            OpType::Info => Some(Outcome::Info),
        }
    }

    /// Jepsen's keyword for it.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Fail => "fail",
            Outcome::Info => "info",
        }
    }
}

/// An anomaly type, by Elle's keyword.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AnomalyType {
    /// A cycle of write-write edges.
    G0,
    /// Aborted read: a committed transaction read what a failed one wrote.
    G1a,
    /// Intermediate read: a committed transaction read a state another transaction went past
    /// within itself.
    G1b,
    /// A cycle of ww/wr edges with at least one wr edge.
    G1c,
    /// A cycle with exactly one rw edge.
    GSingle,
    /// A cycle with several rw edges, none adjacent.
    GNonadjacent,
    /// A cycle with several rw edges, some adjacent.
    G2Item,
    /// A read disagreeing with the transaction's own earlier micro-operations on that key.
    Internal,
    /// List-append: a read holds an element the same transaction appends later (Elle 0.2.2's
    /// `:future-read`, a trivial wr cycle of the transaction with itself: it implies G1c).
    FutureRead,
    /// Two committed transactions read the same state of a key and both wrote that key.
    LostUpdate,
    /// The inferred version order of some key is cyclic.
    CyclicVersions,
    /// List-append: one read holds an element more than once.
    DuplicateElements,
    /// List-append: two reads of a key where the shorter is no prefix of the longer.
    IncompatibleOrder,
    /// List-append: along a key's version order, a committed append follows a failed one.
    DirtyUpdate,
    /// The dependency graph has no edge at all.
    EmptyTransactionGraph,
    /// A component's cycle search ran out of budget.
    CycleSearchTimeout,
    /// G0 closed through real-time order (a transaction completed before another began).
    G0Realtime,
    /// G1c closed through real-time order.
    G1cRealtime,
    /// G-single closed through real-time order.
    GSingleRealtime,
    /// G-nonadjacent closed through real-time order.
    GNonadjacentRealtime,
    /// G2-item closed through real-time order.
    G2ItemRealtime,
    /// G0 closed through process order (one client's successive transactions).
    G0Process,
    /// G1c closed through process order.
    G1cProcess,
    /// G-single closed through process order.
    GSingleProcess,
    /// G-nonadjacent closed through process order.
    GNonadjacentProcess,
    /// G2-item closed through process order.
    G2ItemProcess,
}

impl AnomalyType {
    /// Elle's name, without the colon.
    pub fn name(self) -> &'static str {
        match self {
            AnomalyType::G0 => "G0",
            AnomalyType::G1a => "G1a",
            AnomalyType::G1b => "G1b",
            AnomalyType::G1c => "G1c",
            AnomalyType::GSingle => "G-single",
            AnomalyType::GNonadjacent => "G-nonadjacent",
            AnomalyType::G2Item => "G2-item",
            AnomalyType::Internal => "internal",
            AnomalyType::FutureRead => "future-read",
            AnomalyType::LostUpdate => "lost-update",
            AnomalyType::CyclicVersions => "cyclic-versions",
            AnomalyType::DuplicateElements => "duplicate-elements",
            AnomalyType::IncompatibleOrder => "incompatible-order",
            AnomalyType::DirtyUpdate => "dirty-update",
            AnomalyType::EmptyTransactionGraph => "empty-transaction-graph",
            AnomalyType::CycleSearchTimeout => "cycle-search-timeout",
            AnomalyType::G0Realtime => "G0-realtime",
            AnomalyType::G1cRealtime => "G1c-realtime",
            AnomalyType::GSingleRealtime => "G-single-realtime",
            AnomalyType::GNonadjacentRealtime => "G-nonadjacent-realtime",
            AnomalyType::G2ItemRealtime => "G2-item-realtime",
            AnomalyType::G0Process => "G0-process",
            AnomalyType::G1cProcess => "G1c-process",
            AnomalyType::GSingleProcess => "G-single-process",
            AnomalyType::GNonadjacentProcess => "G-nonadjacent-process",
            AnomalyType::G2ItemProcess => "G2-item-process",
        }
    }

    /// Every type, for look-ups by name.
    pub const ALL: [AnomalyType; 26] = [
        AnomalyType::G0,
        AnomalyType::G1a,
        AnomalyType::G1b,
        AnomalyType::G1c,
        AnomalyType::GSingle,
        AnomalyType::GNonadjacent,
        AnomalyType::G2Item,
        AnomalyType::Internal,
        AnomalyType::FutureRead,
        AnomalyType::LostUpdate,
        AnomalyType::CyclicVersions,
        AnomalyType::DuplicateElements,
        AnomalyType::IncompatibleOrder,
        AnomalyType::DirtyUpdate,
        AnomalyType::EmptyTransactionGraph,
        AnomalyType::CycleSearchTimeout,
        AnomalyType::G0Realtime,
        AnomalyType::G1cRealtime,
        AnomalyType::GSingleRealtime,
        AnomalyType::GNonadjacentRealtime,
        AnomalyType::G2ItemRealtime,
        AnomalyType::G0Process,
        AnomalyType::G1cProcess,
        AnomalyType::GSingleProcess,
        AnomalyType::GNonadjacentProcess,
        AnomalyType::G2ItemProcess,
    ];

    /// The real-time variant of a cycle type (itself if it has none).
    pub fn realtime(self) -> AnomalyType {
        match self {
            AnomalyType::G0 => AnomalyType::G0Realtime,
            AnomalyType::G1c => AnomalyType::G1cRealtime,
            AnomalyType::GSingle => AnomalyType::GSingleRealtime,
            AnomalyType::GNonadjacent => AnomalyType::GNonadjacentRealtime,
            AnomalyType::G2Item => AnomalyType::G2ItemRealtime,
            other => other,
        }
    }

    /// The process variant of a cycle type (itself if it has none).
    pub fn process(self) -> AnomalyType {
        match self {
            AnomalyType::G0 => AnomalyType::G0Process,
            AnomalyType::G1c => AnomalyType::G1cProcess,
            AnomalyType::GSingle => AnomalyType::GSingleProcess,
            AnomalyType::GNonadjacent => AnomalyType::GNonadjacentProcess,
            AnomalyType::G2Item => AnomalyType::G2ItemProcess,
            other => other,
        }
    }

    /// Whether it is a dependency cycle (of any variant).
    pub fn is_cycle(self) -> bool {
        self.realtime() != self
            || self.process() != self
            || matches!(
                self,
                AnomalyType::G0Realtime
                    | AnomalyType::G1cRealtime
                    | AnomalyType::GSingleRealtime
                    | AnomalyType::GNonadjacentRealtime
                    | AnomalyType::G2ItemRealtime
                    | AnomalyType::G0Process
                    | AnomalyType::G1cProcess
                    | AnomalyType::GSingleProcess
                    | AnomalyType::GNonadjacentProcess
                    | AnomalyType::G2ItemProcess
            )
    }

    /// The type called `name` (without colon), if any.
    pub fn from_name(name: &str) -> Option<AnomalyType> {
        AnomalyType::ALL.into_iter().find(|t| t.name() == name)
    }
}

impl fmt::Display for AnomalyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, ":{}", self.name())
    }
}

/// A dependency relation between two transactions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rel {
    /// Write-write: the second overwrote (or appended after) the first's version.
    Ww,
    /// Write-read: the second read the first's write.
    Wr,
    /// Read-write (anti-dependency): the second overwrote the version the first read.
    Rw,
    /// Real time: the first completed before the second was invoked.
    Realtime,
    /// Process order: the same client ran the first, then the second.
    Process,
}

impl Rel {
    /// The relation's bit in an edge mask.
    pub fn bit(self) -> u8 {
        match self {
            Rel::Ww => 1,
            Rel::Wr => 2,
            Rel::Rw => 4,
            Rel::Realtime => 8,
            Rel::Process => 16,
        }
    }

    /// Elle's keyword, without the colon.
    pub fn name(self) -> &'static str {
        match self {
            Rel::Ww => "ww",
            Rel::Wr => "wr",
            Rel::Rw => "rw",
            Rel::Realtime => "realtime",
            Rel::Process => "process",
        }
    }
}

/// One step of an explained cycle: why transaction `from` precedes `to`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The earlier transaction (index into the checked transactions).
    pub from: usize,
    /// The later transaction.
    pub to: usize,
    /// The relation that explains the step.
    pub rel: Rel,
    /// The key it concerns (0 for real-time and process steps).
    pub key: Key,
    /// The version `from` wrote or read (list-append: the element it appended, or the last
    /// element it read; `None` for the initial state).
    pub value: Value,
    /// The version `to` read (wr) or wrote (ww, rw).
    pub value2: Value,
}
