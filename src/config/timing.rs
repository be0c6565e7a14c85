//! The `[timing]` section: a latency budget the node holds on whatever network it finds, or
//! hand-set round timing for experiments.
//!
//! ```toml
//! [timing]
//! max_latency_ms = 1850      # the goal: Maelstrom's max stable latency stays under this
//! median_latency_ms = 900    # optional second goal
//! latency_quantile = 0.995   # the budget holds when every hop is at or below this quantile
//! prior_latency_ms = 460     # optional: the latency assumed before anything is measured
//! # tick_ms = 1600           # explicit overrides: a fixed round period …
//! # hop_ms = 100             # … and/or a fixed one-way latency to phase the levels
//! ```
//!
//! How the node turns the budget into a round period and flush phases, from the latencies it
//! observes, is explained in `src/node/broadcast/schedule.rs`.

use serde::{Deserialize, Serialize};

/// Flush and acknowledgement timing. All values in milliseconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TimingConfig {
    /// The latency goal (ms): the longest a value may take from reaching its first node to
    /// reaching the last one, an upper bound of Maelstrom's max stable latency. The node picks
    /// the longest round period (the fewest messages) that keeps the whole path within it at
    /// `latency_quantile` of the latencies it observes. Required unless `tick_ms` is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_latency_ms: Option<u64>,
    /// An optional goal for the median of the same path (ms): half a round plus the climb and
    /// the descent at the median latency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub median_latency_ms: Option<u64>,
    /// The quantile of the observed one-way latency each hop is budgeted at (0.5 ≤ q < 1).
    pub latency_quantile: f64,
    /// The one-way latency (ms) assumed for the first round, before the root has measured
    /// anything. Left out of a file: a share of the budget equal to the round's
    /// (max / (2·height + 1), at most 600 ms), safe on the slowest network the budget can
    /// serve at all. (The node's built-in default, 3e's, is 460.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prior_latency_ms: Option<u64>,
    /// Explicit override: a fixed period of the flush rounds (ms, > 0) instead of the one the
    /// budget gives. Round boundaries are wall-clock multiples of it, so every node flushes in
    /// step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tick_ms: Option<u64>,
    /// Explicit override: a fixed one-way latency (ms) used to phase the levels of the tree
    /// (a parent flushes `hop_ms + gather_ms` after its children) instead of the observed one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hop_ms: Option<u64>,
    /// How long a node waits after the first delta of a round arrives before relaying it,
    /// so that the deltas arriving together leave in one message per link (ms).
    pub gather_ms: u64,
    /// How long an owed acknowledgement waits for data going the same way to ride on before
    /// it is sent alone (ms). Keep it above the longest round, or acks go alone every round.
    pub ack_delay_ms: u64,
}

impl Default for TimingConfig {
    fn default() -> Self {
        TimingConfig {
            max_latency_ms: Some(1850),
            median_latency_ms: None,
            latency_quantile: 0.995,
            prior_latency_ms: Some(460),
            tick_ms: None,
            hop_ms: None,
            gather_ms: 10,
            ack_delay_ms: 3000,
        }
    }
}

impl TimingConfig {
    /// The first problem with these values, as (dotted field, what is wrong).
    pub(crate) fn problem(&self) -> Option<(&'static str, &'static str)> {
        let q = self.latency_quantile;
        if !(q.is_finite() && (0.5..1.0).contains(&q)) {
            return Some(("timing.latency_quantile", "must be in [0.5, 1)"));
        }
        match (self.tick_ms, self.max_latency_ms) {
            (None, None) => {
                return Some((
                    "timing.max_latency_ms",
                    "is required unless timing.tick_ms sets the rounds by hand",
                ));
            }
            (Some(0), _) => return Some(("timing.tick_ms", "must be greater than 0")),
            (Some(t), _) if self.gather_ms >= t => {
                return Some(("timing.gather_ms", "must be less than timing.tick_ms"));
            }
            (_, Some(max)) if 2 * self.gather_ms >= max => {
                return Some((
                    "timing.max_latency_ms",
                    "must be more than twice timing.gather_ms",
                ));
            }
            _ => {}
        }
        if let (Some(median), Some(max)) = (self.median_latency_ms, self.max_latency_ms)
            && median > max
        {
            return Some(("timing.median_latency_ms", "must not exceed max_latency_ms"));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use crate::config::NodeConfig;

    fn problem(toml: &str) -> String {
        NodeConfig::from_toml(toml, "t.toml")
            .expect_err("invalid")
            .to_string()
    }

    #[test]
    fn a_budget_or_a_tick_is_required_and_goals_must_make_sense() {
        let no_goal = problem("[timing]\nmax_latency_ms = 0\n");
        assert!(no_goal.contains("timing.max_latency_ms"), "{no_goal}");
        let e = problem("[timing]\nmedian_latency_ms = 2000\n");
        assert!(e.contains("timing.median_latency_ms"), "{e}");
        let e = problem("[timing]\nlatency_quantile = 1.0\n");
        assert!(e.contains("timing.latency_quantile"), "{e}");
        let e = problem("[overlay]\nkind = \"grid\"\n");
        assert!(e.contains("timing.tick_ms") && e.contains("mesh"), "{e}");
        // Either goal alone is enough; both at once: the tick overrides the period.
        let c = NodeConfig::from_toml("[timing]\ntick_ms = 500\nhop_ms = 50\n", "t").expect("ok");
        assert_eq!(c.timing.tick_ms, Some(500));
        NodeConfig::from_toml("[overlay]\nkind = \"grid\"\n[timing]\ntick_ms = 500\n", "t")
            .expect("a mesh with a tick");
    }
}
