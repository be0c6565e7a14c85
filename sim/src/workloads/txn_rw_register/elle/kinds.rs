//! The cases that witness the anomalies of Elle's rw-register analysis. The anomaly types,
//! relations and explained steps are shared with list-append ([`crate::workloads::elle::kinds`]).

use super::history::{Key, Mop, Value, edn_value};
pub use crate::workloads::elle::kinds::{AnomalyType, Rel, Step};

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
