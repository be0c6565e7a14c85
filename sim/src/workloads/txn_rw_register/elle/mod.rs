//! Elle's rw-register analysis as Maelstrom 0.2.3 runs it (Elle 0.1.6, `:wfr-keys? true`),
//! with Maelstrom's wrapper around the result.
//!
//! | module | holds |
//! |---|---|
//! | [`history`] | transactions, micro-operations, external reads and writes |
//! | [`kinds`] | anomaly types and the cases witnessing them |
//! | `anomalies` | per-transaction anomalies: G1a, G1b, internal, lost update |
//! | `versions` | version-order inference and `:cyclic-versions` |
//! | `graph` | the wr/ww/rw dependency graph (plus real-time edges), the explanation of an edge |
//! | `cycles` | cycle search per strongly connected component, and cycle typing |
//! | `models`, `scc` | shared with list-append ([`crate::workloads::elle`]) |
//!
//! Verdict: the anomalies the requested models forbid (plus `:empty-transaction-graph`) make
//! the history invalid (`:unknown` when not one transaction committed); Maelstrom drops `:cycle-search-timeout`. A G0 cycle is reported as
//! `:G1c` (every ww edge of this workload is also a wr edge and explanations prefer wr), as
//! on Maelstrom 0.2.3; see `cycles`.

pub(crate) mod anomalies;
pub(crate) mod cycles;
pub(crate) mod graph;
pub mod history;
pub mod kinds;
pub(crate) use crate::workloads::elle::{models, scc};
pub(crate) mod versions;

use std::collections::BTreeMap;

use crate::checkers::Validity;
use history::Txn;
use kinds::{AnomalyType, Case};

/// The models Maelstrom's `--consistency-models` asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Model names as given (friendly names such as `read-committed`).
    pub consistency_models: Vec<String>,
}

/// The txn-rw-register workload checker's result, in Maelstrom's shape.
#[derive(Clone, Debug, PartialEq)]
pub struct ElleResult {
    /// `:valid?`: false when a reportable anomaly remains, unknown when the analysis threw.
    pub valid: Validity,
    /// The `--consistency-models` checked, as given.
    pub consistency_models: Vec<String>,
    /// `:anomaly-types`: the reportable types found, sorted by name.
    pub anomaly_types: Vec<AnomalyType>,
    /// `:anomalies`: the reportable cases, by type.
    pub anomalies: BTreeMap<AnomalyType, Vec<Case>>,
    /// Every anomaly found, reportable or not (what `:not` / `:also-not` derive from).
    pub all_anomalies: BTreeMap<AnomalyType, Vec<Case>>,
    /// `:not`: the weakest models the anomalies found rule out.
    pub not: Vec<&'static str>,
    /// `:also-not`: the stronger models they also rule out.
    pub also_not: Vec<&'static str>,
    /// `:error`: why the analysis threw (value written twice, unknown model …).
    pub error: Option<String>,
    /// The transactions checked; cases refer to them by position.
    pub txns: Vec<Txn>,
}

impl ElleResult {
    fn unknown(opts: &Options, txns: &[Txn], error: String) -> ElleResult {
        ElleResult {
            valid: Validity::Unknown,
            consistency_models: opts.consistency_models.clone(),
            anomaly_types: Vec::new(),
            anomalies: BTreeMap::new(),
            all_anomalies: BTreeMap::new(),
            not: Vec::new(),
            also_not: Vec::new(),
            error: Some(error),
            txns: txns.to_vec(),
        }
    }

    /// Whether anomaly type `t` was found (reportable or not).
    pub fn found(&self, t: AnomalyType) -> bool {
        self.all_anomalies.contains_key(&t)
    }
}

/// Every anomaly of the history, by type (Elle's analysis before any filtering).
/// With `realtime`, real-time edges join the graph (for models such as strict-serializable).
pub fn analyse(txns: &[Txn], realtime: bool) -> Result<BTreeMap<AnomalyType, Vec<Case>>, String> {
    let mut found: BTreeMap<AnomalyType, Vec<Case>> = BTreeMap::new();
    let versions = versions::infer(txns);
    let ext = graph::Externals::of(txns);
    let mut g = graph::build(txns, &ext, &versions)?;
    if realtime {
        graph::add_realtime(&mut g, txns);
    }
    if !versions.cyclic.is_empty() {
        found.insert(AnomalyType::CyclicVersions, versions.cyclic.clone());
    }
    if g.edges.is_empty() {
        found.insert(AnomalyType::EmptyTransactionGraph, vec![Case::Marker]);
    }
    for (t, case) in cycles::search(&g, &ext, &versions) {
        found.entry(t).or_default().push(case);
    }
    for (t, cases) in [
        (AnomalyType::Internal, anomalies::internal(txns)),
        (AnomalyType::G1a, anomalies::g1a(txns)),
        (AnomalyType::G1b, anomalies::g1b(txns)),
        (AnomalyType::LostUpdate, anomalies::lost_update(txns)),
    ] {
        if !cases.is_empty() {
            found.insert(t, cases);
        }
    }
    Ok(found)
}

/// Whether the run committed no transaction at all and the empty graph is all that was
/// found: Maelstrom then reports Elle's `:empty-transaction-graph` with `:valid? :unknown`
/// (as running its demos showed), although its wrapper (`txn_rw_register.clj` `checker`)
/// makes an empty graph of committed transactions `false`.
fn nothing_committed(txns: &[Txn], types: &[AnomalyType]) -> bool {
    types == [AnomalyType::EmptyTransactionGraph] && !txns.iter().any(Txn::is_ok)
}

/// Checks a history's transactions (in history order of their completions) as Maelstrom's
/// txn-rw-register checker does.
pub fn check(opts: &Options, txns: &[Txn]) -> ElleResult {
    let mut models = Vec::new();
    for name in &opts.consistency_models {
        match models::canonical(name) {
            Some(m) => models.push(m),
            None => {
                return ElleResult::unknown(
                    opts,
                    txns,
                    format!("Unknown consistency model {name}"),
                );
            }
        }
    }
    let prohibited = models::prohibited(&models);
    // Process order is part of real-time order (a process runs one operation at a time), so
    // a process cycle shows as a real-time one: fine when the model forbids that one too.
    if let Some(a) = prohibited.iter().find(|a| {
        a.strip_suffix("-process")
            .is_some_and(|base| !prohibited.contains(format!("{base}-realtime").as_str()))
    }) {
        return ElleResult::unknown(
            opts,
            txns,
            format!(
                "glomers-sim does not build the process edges that {} needs (it forbids :{a} \
                 but not its real-time variant); check another model, e.g. \
                 --consistency-models read-committed",
                opts.consistency_models.join(", ")
            ),
        );
    }
    let realtime = prohibited.iter().any(|a| a.ends_with("-realtime"));
    let all = match analyse(txns, realtime) {
        Ok(all) => all,
        Err(e) => return ElleResult::unknown(opts, txns, e),
    };
    let reportable = |t: &AnomalyType| {
        // Maelstrom drops :cycle-search-timeout; :empty-transaction-graph always counts.
        *t == AnomalyType::EmptyTransactionGraph || prohibited.contains(t.name())
    };
    let anomalies: BTreeMap<AnomalyType, Vec<Case>> = all
        .iter()
        .filter(|(t, _)| reportable(t))
        .map(|(t, c)| (*t, c.clone()))
        .collect();
    let mut anomaly_types: Vec<AnomalyType> = anomalies.keys().copied().collect();
    anomaly_types.sort_by_key(|t| t.name());
    let (not, also_not) = models::boundary(all.keys().map(|t| t.name()));
    ElleResult {
        valid: if anomalies.is_empty() {
            Validity::True
        } else if nothing_committed(txns, &anomaly_types) {
            Validity::Unknown
        } else {
            Validity::False
        },
        consistency_models: opts.consistency_models.clone(),
        anomaly_types,
        anomalies,
        all_anomalies: all,
        not,
        also_not,
        error: None,
        txns: txns.to_vec(),
    }
}

#[cfg(test)]
mod property_tests;
#[cfg(test)]
mod tests;
