//! What Elle's transactional analyses share (`elle/core.clj`, `elle/txn.clj`,
//! `elle/consistency_model.clj`, `elle/graph.clj`): used by txn-rw-register's rw-register
//! analysis and txn-list-append's list-append analysis.
//!
//! | module | holds |
//! |---|---|
//! | [`kinds`] | anomaly types, dependency relations, one explained step of a cycle |
//! | `graph` | the typed dependency graph, real-time and process edges |
//! | `scc` | strongly connected components |
//! | `cycles` | cycle search per component with a step budget, and cycle typing |
//! | `models` | what each consistency model forbids; `:not` / `:also-not` |
//! | [`summary`] | the `:anomalies` map and model sets as the summary prints them |

pub(crate) mod cycles;
pub(crate) mod graph;
pub mod kinds;
pub(crate) mod models;
pub(crate) mod scc;
pub mod summary;

use crate::figures::Figure;
use kinds::AnomalyType;

/// The figures of an Elle analysis: the models checked, the anomaly types that make the run
/// invalid (`none`), every anomaly found with its count (`G2-item 46, lost-update 18`, or
/// `none`) and the models those rule out (`:not` and `:also-not`, or `nothing`).
pub(crate) fn figures<'a>(
    consistency_models: &[String],
    anomaly_types: &[AnomalyType],
    found: impl Iterator<Item = (AnomalyType, usize)>,
    ruled_out: impl Iterator<Item = &'a str>,
) -> Vec<Figure> {
    let or = |s: String, none: &str| if s.is_empty() { none.to_owned() } else { s };
    let types: Vec<&str> = anomaly_types.iter().map(|t| t.name()).collect();
    let mut found: Vec<(&str, usize)> = found.map(|(t, n)| (t.name(), n)).collect();
    found.sort_unstable();
    let found: Vec<String> = found.iter().map(|(t, n)| format!("{t} {n}")).collect();
    let ruled_out: Vec<&str> = ruled_out.collect();
    vec![
        Figure::new(
            "consistency_models",
            "consistency models",
            consistency_models.join(", "),
        ),
        Figure::new(
            "anomaly_types",
            "anomaly types",
            or(types.join(", "), "none"),
        ),
        Figure::new(
            "all_anomaly_counts",
            "anomalies found (all)",
            or(found.join(", "), "none"),
        ),
        Figure::new(
            "rules_out",
            "rules out",
            or(ruled_out.join(", "), "nothing"),
        ),
    ]
}
