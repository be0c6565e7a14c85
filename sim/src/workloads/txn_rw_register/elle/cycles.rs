//! Cycle search over the rw-register dependency graph and the typing of each cycle found, on
//! the shared search of [`crate::workloads::elle::cycles`] with this analysis's explainer.
//!
//! Per strongly connected component, cycles of four shapes are searched in Elle's order:
//! ww only (G0's shape), ww/wr starting with a wr edge (G1c's), one rw edge closed by ww/wr
//! edges (G-single's), and two or more rw edges (G2's). Each cycle found is then *typed from
//! its explanation*, step by step (wr if the later transaction read what the earlier wrote,
//! else ww, else rw): one rw step ⇒ G-single; several ⇒ G-nonadjacent when no two are
//! adjacent, else G2-item; otherwise G1c if any step is wr, else G0. Since every ww edge of
//! this workload comes with a wr edge, a ww-only cycle is typed G1c, as Elle 0.1.6 does.
//!
//! When the graph also has real-time edges (models such as strict-serializable), the same
//! four shapes are searched again closed through them, and a cycle with a real-time step gets
//! its type's `-realtime` variant.
//!
//! Elle gives each component one second; here each component gets a fixed number of search
//! steps, so the outcome does not depend on the machine. Running out yields
//! `:cycle-search-timeout`.

use super::graph::{DepGraph, Externals, explain};
use super::kinds::{AnomalyType, Case};
use super::versions::Versions;
use crate::workloads::elle::cycles as shared;
pub(crate) use crate::workloads::elle::cycles::STEP_BUDGET;

/// The cycle anomalies of the graph, in component order, then shape order.
pub fn search(g: &DepGraph, ext: &Externals, versions: &Versions) -> Vec<(AnomalyType, Case)> {
    search_within(g, ext, versions, STEP_BUDGET)
}

/// [`search`] with `budget` search steps per component.
pub fn search_within(
    g: &DepGraph,
    ext: &Externals,
    versions: &Versions,
    budget: usize,
) -> Vec<(AnomalyType, Case)> {
    let explain = |a, b| explain(ext, versions, a, b);
    shared::search_within(g, &explain, budget)
        .into_iter()
        .map(|(t, steps)| {
            let case = if steps.is_empty() {
                Case::Marker
            } else {
                Case::Cycle { steps }
            };
            (t, case)
        })
        .collect()
}
