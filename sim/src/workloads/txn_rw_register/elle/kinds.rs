//! The anomaly types Elle's rw-register analysis reports and the cases that witness them.

use std::fmt;

use super::history::{Key, Mop, Value, edn_value};

/// An anomaly type, by Elle's keyword.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AnomalyType {
    /// A cycle of write-write edges (never reported on Elle 0.1.6 for this workload: every
    /// ww edge is also a wr edge, so such a cycle is typed G1c).
    G0,
    /// Aborted read: a committed transaction read a value a failed one wrote.
    G1a,
    /// Intermediate read: a committed transaction read a value another overwrote within itself.
    G1b,
    /// A cycle of ww/wr edges with at least one wr edge.
    G1c,
    /// A cycle with exactly one rw edge.
    GSingle,
    /// A cycle with several rw edges, none adjacent.
    GNonadjacent,
    /// A cycle with several rw edges, some adjacent.
    G2Item,
    /// A read disagreeing with the transaction's own earlier write or read of that key.
    Internal,
    /// Two committed transactions read the same value of a key and both wrote that key.
    LostUpdate,
    /// The inferred version order of some key is cyclic.
    CyclicVersions,
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
            AnomalyType::LostUpdate => "lost-update",
            AnomalyType::CyclicVersions => "cyclic-versions",
            AnomalyType::EmptyTransactionGraph => "empty-transaction-graph",
            AnomalyType::CycleSearchTimeout => "cycle-search-timeout",
            AnomalyType::G0Realtime => "G0-realtime",
            AnomalyType::G1cRealtime => "G1c-realtime",
            AnomalyType::GSingleRealtime => "G-single-realtime",
            AnomalyType::GNonadjacentRealtime => "G-nonadjacent-realtime",
            AnomalyType::G2ItemRealtime => "G2-item-realtime",
        }
    }

    /// Every type, for look-ups by name.
    pub const ALL: [AnomalyType; 17] = [
        AnomalyType::G0,
        AnomalyType::G1a,
        AnomalyType::G1b,
        AnomalyType::G1c,
        AnomalyType::GSingle,
        AnomalyType::GNonadjacent,
        AnomalyType::G2Item,
        AnomalyType::Internal,
        AnomalyType::LostUpdate,
        AnomalyType::CyclicVersions,
        AnomalyType::EmptyTransactionGraph,
        AnomalyType::CycleSearchTimeout,
        AnomalyType::G0Realtime,
        AnomalyType::G1cRealtime,
        AnomalyType::GSingleRealtime,
        AnomalyType::GNonadjacentRealtime,
        AnomalyType::G2ItemRealtime,
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
    /// Write-write: the second overwrote the first's version.
    Ww,
    /// Write-read: the second read the first's write.
    Wr,
    /// Read-write (anti-dependency): the second overwrote the version the first read.
    Rw,
    /// Real time: the first completed before the second was invoked.
    Realtime,
}

impl Rel {
    /// The relation's bit in an edge mask.
    pub fn bit(self) -> u8 {
        match self {
            Rel::Ww => 1,
            Rel::Wr => 2,
            Rel::Rw => 4,
            Rel::Realtime => 8,
        }
    }

    /// Elle's keyword, without the colon.
    pub fn name(self) -> &'static str {
        match self {
            Rel::Ww => "ww",
            Rel::Wr => "wr",
            Rel::Rw => "rw",
            Rel::Realtime => "realtime",
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
    /// The key it concerns.
    pub key: Key,
    /// The version `from` wrote or read.
    pub value: Value,
    /// The version `to` read (wr) or wrote (ww, rw).
    pub value2: Value,
}

/// One witness of an anomaly. Transactions are indices into the checked list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Case {
    /// G1a or G1b: `op` read with `mop` a value `writer` wrote (and aborted, or overwrote).
    Read {
        /// The reading (committed) transaction.
        op: usize,
        /// The offending read.
        mop: Mop,
        /// The transaction that wrote the value.
        writer: usize,
    },
    /// `:internal`: `op`'s `mop` read something else than `expected`.
    Internal {
        /// The transaction.
        op: usize,
        /// The offending read.
        mop: Mop,
        /// What its own earlier micro-operations imply it should have read.
        expected: Value,
    },
    /// `:lost-update`: `txns` all read `key` = `value` and wrote `key`.
    LostUpdate {
        /// The key.
        key: Key,
        /// The value they all read.
        value: Value,
        /// The transactions.
        txns: Vec<usize>,
    },
    /// `:cyclic-versions`: these versions of `key` form a strongly connected component.
    CyclicVersions {
        /// The key.
        key: Key,
        /// The versions in the component, ascending.
        scc: Vec<Value>,
        /// The version-order sources that, together, produced the cycle.
        sources: Vec<&'static str>,
    },
    /// A dependency cycle, closed (the last step returns to the first step's `from`).
    Cycle {
        /// The explained steps.
        steps: Vec<Step>,
    },
    /// `:empty-transaction-graph` or `:cycle-search-timeout`: a bare marker.
    Marker,
}

impl Case {
    /// The transactions the case names, for plotting it over time.
    pub fn txns(&self) -> Vec<usize> {
        match self {
            Case::Read { op, writer, .. } => vec![*op, *writer],
            Case::Internal { op, .. } => vec![*op],
            Case::LostUpdate { txns, .. } => txns.clone(),
            Case::Cycle { steps } => steps.iter().map(|s| s.from).collect(),
            Case::CyclicVersions { .. } | Case::Marker => Vec::new(),
        }
    }

    /// A one-line EDN-like description, naming transactions by `name(txn)`.
    pub fn edn(&self, name: &dyn Fn(usize) -> String) -> String {
        match self {
            Case::Read { op, mop, writer } => format!(
                "{{:op {}, :mop {mop}, :writer {}}}",
                name(*op),
                name(*writer)
            ),
            Case::Internal { op, mop, expected } => format!(
                "{{:op {}, :mop {mop}, :expected {}}}",
                name(*op),
                edn_value(*expected)
            ),
            Case::LostUpdate { key, value, txns } => {
                let t: Vec<String> = txns.iter().map(|&t| name(t)).collect();
                format!(
                    "{{:key {key}, :value {}, :txns [{}]}}",
                    edn_value(*value),
                    t.join(" ")
                )
            }
            Case::CyclicVersions { key, scc, sources } => {
                let s: Vec<String> = scc.iter().map(|v| edn_value(*v)).collect();
                let src: Vec<String> = sources.iter().map(|s| format!(":{s}")).collect();
                format!(
                    "{{:key {key}, :scc #{{{}}}, :sources [{}]}}",
                    s.join(" "),
                    src.join(" ")
                )
            }
            Case::Cycle { steps } => {
                let cycle: Vec<String> = steps
                    .iter()
                    .map(|s| name(s.from))
                    .chain(steps.first().map(|s| name(s.from)))
                    .collect();
                let st: Vec<String> = steps
                    .iter()
                    .map(|s| {
                        if s.rel == Rel::Realtime {
                            return "{:type :realtime}".to_string();
                        }
                        format!(
                            "{{:type :{}, :key {}, :value {}, :value' {}}}",
                            s.rel.name(),
                            s.key,
                            edn_value(s.value),
                            edn_value(s.value2)
                        )
                    })
                    .collect();
                format!(
                    "{{:cycle [{}], :steps ({})}}",
                    cycle.join(" "),
                    st.join(" ")
                )
            }
            Case::Marker => "true".to_string(),
        }
    }
}
