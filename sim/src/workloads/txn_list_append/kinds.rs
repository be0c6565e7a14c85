//! The cases that witness list-append anomalies, in the shape of Elle's anomaly maps
//! (`elle/list_append.clj`). The anomaly types, relations and explained steps are shared
//! ([`crate::workloads::elle::kinds`]).

use std::collections::BTreeMap;

use super::history::{Elem, Key, Mop, edn_list};
pub use crate::workloads::elle::kinds::{AnomalyType, Rel, Step, edn_value};

/// What a transaction's own earlier micro-operations say a read must return
/// (`op-internal-case`'s `:expected`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expected {
    /// Whether an unknown prefix comes first (`['... 3]`: the key's state before the
    /// transaction's own appends was never read).
    pub unknown_prefix: bool,
    /// The elements known.
    pub elems: Vec<Elem>,
}

impl Expected {
    /// As EDN: `[1 2]` or `[... 3]`.
    pub fn edn(&self) -> String {
        let e: Vec<String> = self
            .unknown_prefix
            .then(|| "...".to_string())
            .into_iter()
            .chain(self.elems.iter().map(i64::to_string))
            .collect();
        format!("[{}]", e.join(" "))
    }
}

/// One witness of an anomaly. Transactions are indices into the checked list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Case {
    /// G1a (`element` of the read was appended by a failed `writer`) or G1b (the read's last
    /// `element` was an intermediate append of `writer`).
    Read {
        /// The reading (committed) transaction.
        op: usize,
        /// The offending read.
        mop: Mop,
        /// The transaction that appended the element.
        writer: usize,
        /// The element.
        element: Elem,
    },
    /// `:internal`: `op`'s `mop` read something else than `expected`.
    Internal {
        /// The transaction.
        op: usize,
        /// The offending read.
        mop: Mop,
        /// What its own earlier micro-operations imply.
        expected: Expected,
    },
    /// `:future-read`: `op`'s read `mop` holds `element`, which `op` appends later.
    FutureRead {
        /// The transaction.
        op: usize,
        /// The read that saw the element.
        mop: Mop,
        /// The element it appends after reading it.
        element: Elem,
    },
    /// `:duplicate-elements`: `mop` of `op` holds these elements more than once (element →
    /// count).
    Duplicates {
        /// The transaction.
        op: usize,
        /// The read.
        mop: Mop,
        /// Element → how often it appears.
        duplicates: BTreeMap<Elem, usize>,
    },
    /// `:incompatible-order`: two reads of `key`, sorted by length, the shorter no prefix of
    /// the longer.
    IncompatibleOrder {
        /// The key.
        key: Key,
        /// The two reads.
        values: [Vec<Elem>; 2],
    },
    /// `:dirty-update`: along `key`'s version order, the failed `txns.0` appended the first
    /// of `values` and the committed `txns.1` the last.
    DirtyUpdate {
        /// The key.
        key: Key,
        /// The elements from the failed append to the committed one.
        values: Vec<Elem>,
        /// (failed appender, committed appender).
        txns: (usize, usize),
    },
    /// `:lost-update`: `txns` all read `key` = `value` first and then appended to `key`.
    LostUpdate {
        /// The key.
        key: Key,
        /// The state they all read.
        value: Option<Vec<Elem>>,
        /// The transactions.
        txns: Vec<usize>,
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
    /// The transactions the case names.
    pub fn txns(&self) -> Vec<usize> {
        match self {
            Case::Read { op, writer, .. } => vec![*op, *writer],
            Case::Internal { op, .. }
            | Case::FutureRead { op, .. }
            | Case::Duplicates { op, .. } => vec![*op],
            Case::DirtyUpdate { txns, .. } => vec![txns.0, txns.1],
            Case::LostUpdate { txns, .. } => txns.clone(),
            Case::Cycle { steps } => steps.iter().map(|s| s.from).collect(),
            Case::IncompatibleOrder { .. } | Case::Marker => Vec::new(),
        }
    }

    /// A one-line EDN-like description, naming transactions by `name(txn)`.
    pub fn edn(&self, name: &dyn Fn(usize) -> String) -> String {
        match self {
            Case::Read {
                op,
                mop,
                writer,
                element,
            } => format!(
                "{{:op {}, :mop {mop}, :writer {}, :element {element}}}",
                name(*op),
                name(*writer)
            ),
            Case::Internal { op, mop, expected } => format!(
                "{{:op {}, :mop {mop}, :expected {}}}",
                name(*op),
                expected.edn()
            ),
            Case::FutureRead { op, mop, element } => {
                format!("{{:op {}, :mop {mop}, :element {element}}}", name(*op))
            }
            Case::Duplicates {
                op,
                mop,
                duplicates,
            } => {
                let d: Vec<String> = duplicates.iter().map(|(e, n)| format!("{e} {n}")).collect();
                format!(
                    "{{:op {}, :mop {mop}, :duplicates {{{}}}}}",
                    name(*op),
                    d.join(", ")
                )
            }
            Case::IncompatibleOrder { key, values } => format!(
                "{{:key {key}, :values [{} {}]}}",
                edn_list(Some(&values[0])),
                edn_list(Some(&values[1]))
            ),
            Case::DirtyUpdate { key, values, txns } => format!(
                "{{:key {key}, :values {}, :txns [{} ... {}]}}",
                edn_list(Some(values)),
                name(txns.0),
                name(txns.1)
            ),
            Case::LostUpdate { key, value, txns } => {
                let t: Vec<String> = txns.iter().map(|&t| name(t)).collect();
                format!(
                    "{{:key {key}, :value {}, :txns [{}]}}",
                    edn_list(value.as_deref()),
                    t.join(" ")
                )
            }
            Case::Cycle { steps } => {
                let cycle: Vec<String> = steps
                    .iter()
                    .map(|s| name(s.from))
                    .chain(steps.first().map(|s| name(s.from)))
                    .collect();
                let st: Vec<String> = steps.iter().map(step_edn).collect();
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

/// One explained step as Elle's explainers print it.
pub fn step_edn(s: &Step) -> String {
    match s.rel {
        Rel::Realtime | Rel::Process => format!("{{:type :{}}}", s.rel.name()),
        Rel::Wr => format!(
            "{{:type :wr, :key {}, :value {}}}",
            s.key,
            edn_value(s.value)
        ),
        Rel::Ww | Rel::Rw => format!(
            "{{:type :{}, :key {}, :value {}, :value' {}}}",
            s.rel.name(),
            s.key,
            s.value
                .map_or(":elle.list-append/init".into(), |v| v.to_string()),
            edn_value(s.value2)
        ),
    }
}
