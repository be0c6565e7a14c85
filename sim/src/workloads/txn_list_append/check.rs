//! Elle's list-append checker as Maelstrom runs it (`elle/list_append.clj` `check`, with
//! `elle/txn.clj` `cycles!` and `result-map`): no Maelstrom wrapper, so Elle's `:unknown`
//! (an empty graph, a cycle search out of budget, or an analysis that threw) survives.

use std::collections::BTreeMap;

use super::anomalies;
use super::graph::{self, Indices};
use super::history::{Mop, Outcome, Txn};
use super::kinds::{AnomalyType, Case};
use crate::checkers::Validity;
use crate::workloads::elle::cycles;
use crate::workloads::elle::graph::{DepGraph, Span, process_edges, realtime_edges};
use crate::workloads::elle::kinds::Rel;
use crate::workloads::elle::models;

/// The models `--consistency-models` asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Model names as given (friendly names such as `serializable`).
    pub consistency_models: Vec<String>,
    /// Cycle-search steps per strongly connected component before `:cycle-search-timeout`.
    pub cycle_search_budget: usize,
}

impl Options {
    /// Checks `models` with the default budget.
    pub fn models(models: &[&str]) -> Options {
        Options {
            consistency_models: models.iter().map(|m| m.to_string()).collect(),
            cycle_search_budget: cycles::STEP_BUDGET,
        }
    }
}

impl Default for Options {
    /// Maelstrom's default: `strict-serializable`.
    fn default() -> Options {
        Options::models(&["strict-serializable"])
    }
}

/// The txn-list-append workload checker's result: Elle's `result-map`.
#[derive(Clone, Debug, PartialEq)]
pub struct ListAppendResult {
    /// `:valid?`: false when a prohibited anomaly was found; unknown when only
    /// `:empty-transaction-graph` / `:cycle-search-timeout` were, or the analysis threw.
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
    /// `:error`: why the analysis threw (element appended twice, unknown model, …).
    pub error: Option<String>,
    /// Per key with an `:incompatible-order`, its longest read (for the HTML that shows
    /// every read of the key against it).
    pub longest: BTreeMap<i64, Vec<i64>>,
    /// The transactions checked; cases refer to them by position.
    pub txns: Vec<Txn>,
}

impl ListAppendResult {
    /// The result of an analysis that threw.
    pub fn unknown(opts: &Options, txns: Vec<Txn>, error: String) -> ListAppendResult {
        ListAppendResult {
            valid: Validity::Unknown,
            consistency_models: opts.consistency_models.clone(),
            anomaly_types: Vec::new(),
            anomalies: BTreeMap::new(),
            all_anomalies: BTreeMap::new(),
            not: Vec::new(),
            also_not: Vec::new(),
            error: Some(error),
            longest: BTreeMap::new(),
            txns,
        }
    }

    /// Whether anomaly type `t` was found (reportable or not).
    pub fn found(&self, t: AnomalyType) -> bool {
        self.all_anomalies.contains_key(&t)
    }
}

/// Which order graph the models need (`elle/txn.clj` `additional-graphs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderGraph {
    /// Neither.
    None,
    /// Real-time order (when a `-realtime` anomaly is reportable).
    Realtime,
    /// Process order (when a `-process` anomaly is, but no `-realtime` one).
    Process,
}

/// Every anomaly of the history, by type (Elle's analysis before any filtering), plus the
/// longest read of each key with incompatible reads.
#[allow(clippy::type_complexity)]
pub fn analyse(
    txns: &[Txn],
    order: OrderGraph,
    budget: usize,
) -> Result<(BTreeMap<AnomalyType, Vec<Case>>, BTreeMap<i64, Vec<i64>>), String> {
    let writers = graph::writers(txns)?;
    let mut found: BTreeMap<AnomalyType, Vec<Case>> = BTreeMap::new();
    // Every read of the history orders dirty-update's versions; the :ok/:info ones (the same
    // unless a failed transaction carries reads) and single appends order the graph's.
    let all = anomalies::sorted_values(txns, |_| true);
    let dirty = anomalies::dirty_updates(txns, &anomalies::append_index(&all), &writers)?;
    let failed_reads = txns.iter().any(|t| {
        t.outcome == Outcome::Fail
            && t.mops
                .iter()
                .any(|m| matches!(m, Mop::Read(_, Some(v)) if !v.is_empty()))
    });
    let mut sorted = if failed_reads {
        anomalies::sorted_values(txns, Txn::is_possible)
    } else {
        all
    };
    anomalies::single_appends(txns, Txn::is_possible, &mut sorted);
    let incompatible = anomalies::incompatible_orders(&sorted);
    let mut longest = BTreeMap::new();
    for c in &incompatible {
        if let Case::IncompatibleOrder { key, .. } = c {
            longest.insert(*key, sorted[key].last().cloned().unwrap_or_default());
        }
    }
    let ix = Indices::of(txns, anomalies::append_index(&sorted), writers);
    let mut edges = graph::edges(txns, &ix);
    let spans: Vec<Span> = txns
        .iter()
        .map(|t| Span {
            invoke_index: t.invoke_index,
            complete_index: t.index,
            ok: t.is_ok(),
            vertex: t.is_possible(),
            process: t.process,
        })
        .collect();
    match order {
        OrderGraph::None => {}
        OrderGraph::Realtime => {
            realtime_edges(&spans, |a, b| edges.push((a, b, Rel::Realtime.bit())));
        }
        OrderGraph::Process => {
            process_edges(&spans, |a, b| edges.push((a, b, Rel::Process.bit())));
        }
    }
    let g = DepGraph::from_edges(txns.len(), edges);
    if g.edges.is_empty() {
        found.insert(AnomalyType::EmptyTransactionGraph, vec![Case::Marker]);
    }
    let explain = |a, b| graph::explain(txns, &ix, a, b);
    for (t, steps) in cycles::search_within(&g, &explain, budget) {
        let case = if steps.is_empty() {
            Case::Marker
        } else {
            Case::Cycle { steps }
        };
        found.entry(t).or_default().push(case);
    }
    for (t, cases) in [
        (AnomalyType::DuplicateElements, anomalies::duplicates(txns)),
        (AnomalyType::IncompatibleOrder, incompatible),
        (AnomalyType::Internal, anomalies::internal(txns)),
        (AnomalyType::FutureRead, anomalies::future_reads(txns)),
        (AnomalyType::DirtyUpdate, dirty),
        (AnomalyType::G1a, anomalies::g1a(txns)),
        (AnomalyType::G1b, anomalies::g1b(txns)),
        (AnomalyType::LostUpdate, anomalies::lost_updates(txns)),
    ] {
        if !cases.is_empty() {
            found.insert(t, cases);
        }
    }
    Ok((found, longest))
}

/// Checks a history's transactions (in history order of their completions) as Elle's
/// list-append checker does under `opts`.
pub fn check(opts: &Options, txns: &[Txn]) -> ListAppendResult {
    check_owned(opts, txns.to_vec())
}

/// [`check`], keeping `txns` in the result without copying them.
pub fn check_owned(opts: &Options, txns: Vec<Txn>) -> ListAppendResult {
    let mut models = Vec::new();
    for name in &opts.consistency_models {
        match models::canonical(name) {
            Some(m) => models.push(m),
            None => {
                return ListAppendResult::unknown(
                    opts,
                    txns,
                    format!("Unknown consistency model {name}"),
                );
            }
        }
    }
    let prohibited = models::prohibited(&models);
    let reportable = |t: &AnomalyType| {
        matches!(
            t,
            AnomalyType::EmptyTransactionGraph | AnomalyType::CycleSearchTimeout
        ) || prohibited.contains(t.name())
    };
    let order = if prohibited.iter().any(|a| a.ends_with("-realtime")) {
        OrderGraph::Realtime
    } else if prohibited.iter().any(|a| a.ends_with("-process")) {
        OrderGraph::Process
    } else {
        OrderGraph::None
    };
    let (all, longest) = match analyse(&txns, order, opts.cycle_search_budget) {
        Ok(found) => found,
        Err(e) => return ListAppendResult::unknown(opts, txns, e),
    };
    let anomalies: BTreeMap<AnomalyType, Vec<Case>> = all
        .iter()
        .filter(|(t, _)| reportable(t))
        .map(|(t, c)| (*t, c.clone()))
        .collect();
    let mut anomaly_types: Vec<AnomalyType> = anomalies.keys().copied().collect();
    anomaly_types.sort_by_key(|t| t.name());
    let (not, also_not) = models::boundary(all.keys().map(|t| t.name()));
    let valid = if anomalies.is_empty() {
        Validity::True
    } else if anomalies.keys().any(|t| prohibited.contains(t.name())) {
        Validity::False
    } else {
        Validity::Unknown
    };
    ListAppendResult {
        valid,
        consistency_models: opts.consistency_models.clone(),
        anomaly_types,
        anomalies,
        all_anomalies: all,
        not,
        also_not,
        error: None,
        longest,
        txns,
    }
}
