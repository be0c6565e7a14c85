//! Node settings, read from a topology file (TOML) so that experiments need no rebuild.
//!
//! A file has five sections, each optional; anything left out takes the 3e value:
//!
//! ```toml
//! description = "what this experiment is for"
//! workload = "auto"   # | "broadcast" | "counter" | "txn" (see `Workload`)
//! [overlay]   # kind = "star" | "tree" | "grid" | "line" | "total" | "adjacency" | "maelstrom"
//! kind = "star"
//! [timing]
//! max_latency_ms = 1850
//! [retry]
//! timeout_ms = 6000
//! [fallback]
//! enabled = true
//! [durability]
//! mode = "write"      # | "sync" | "off"
//! ```
//!
//! The shipped files of `topologies/` are also compiled in, so `--topology-file 3e` works from
//! any directory (Maelstrom starts nodes in its temp directory).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

mod workload;
pub use workload::Workload;
mod timing;
pub use timing::TimingConfig;
mod durability;
pub use durability::{DurabilityConfig, DurabilityMode};

/// The topology files shipped in `topologies/`, compiled in: (name, TOML text).
pub const PRESETS: &[(&str, &str)] = &[
    ("3d", include_str!("../topologies/3d.toml")),
    ("3e", include_str!("../topologies/3e.toml")),
    ("tree4", include_str!("../topologies/tree4.toml")),
    ("tree2", include_str!("../topologies/tree2.toml")),
    ("grid", include_str!("../topologies/grid.toml")),
    ("maelstrom", include_str!("../topologies/maelstrom.toml")),
    ("total", include_str!("../topologies/total.toml")),
    (
        "star-no-fallback",
        include_str!("../topologies/star-no-fallback.toml"),
    ),
];

/// Everything a node can be told at start-up. The default is the 3e preset.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeConfig {
    /// Free text saying what the experiment is for (shown in logs).
    #[serde(default)]
    pub description: String,
    /// Which workload the node serves; `auto` (the default) tells from the messages.
    #[serde(default)]
    pub workload: Workload,
    /// Which overlay the broadcast runs on.
    #[serde(default)]
    pub overlay: OverlayConfig,
    /// When values are flushed and acknowledged.
    #[serde(default)]
    pub timing: TimingConfig,
    /// How unacknowledged values are resent.
    #[serde(default)]
    pub retry: RetryConfig,
    /// What a node does when its parent in the overlay stops answering.
    #[serde(default)]
    pub fallback: FallbackConfig,
    /// Whether the node's log is written, and synced, before its replies leave.
    #[serde(default)]
    pub durability: DurabilityConfig,
}

/// The shape of the overlay, computed by every node from the `init` node list (Maelstrom's
/// `topology` message is ignored unless `kind = "maelstrom"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverlayConfig {
    /// The overlay kind. Default `star`.
    #[serde(default)]
    pub kind: OverlayKind,
    /// The root of a `star` or `tree`, as a node id. Default: the first node of `init`'s list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root: Option<String>,
    /// Children per node of a `tree` (≥ 1). Default 4. Only for `kind = "tree"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fanout: Option<u16>,
    /// The links of an `adjacency` overlay: node id → neighbour ids (made symmetric).
    /// Only for `kind = "adjacency"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neighbours: Option<BTreeMap<String, Vec<String>>>,
}

/// The overlay kinds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OverlayKind {
    /// Every node linked to one root: the fewest hops (2) and 2·(n−1) messages a round.
    #[default]
    Star,
    /// A spanning tree of `fanout` children per node, filled in node order from the root.
    Tree,
    /// Maelstrom's grid layout (side ⌈√n⌉; links below, above, right, left).
    Grid,
    /// A chain in node order.
    Line,
    /// Every node linked to every other: each value goes straight to everyone.
    Total,
    /// The links listed in `overlay.neighbours`.
    Adjacency,
    /// Whatever Maelstrom's `topology` message says.
    Maelstrom,
}

impl OverlayKind {
    /// Whether the overlay is a tree with a root (and so has parents to fall back from).
    pub fn is_rooted(self) -> bool {
        matches!(self, OverlayKind::Star | OverlayKind::Tree)
    }
}

impl Default for OverlayConfig {
    fn default() -> Self {
        OverlayConfig {
            kind: OverlayKind::Star,
            root: None,
            fanout: None,
            neighbours: None,
        }
    }
}

/// Resending values a neighbour has not acknowledged. Only what it still lacks is resent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetryConfig {
    /// How long a batch may stay unacknowledged before it is resent (ms, > 0).
    pub timeout_ms: u64,
    /// Factor applied to the timeout after each resend to the same neighbour (≥ 1).
    pub backoff: f64,
    /// Upper bound of the timeout after backoff (ms, ≥ `timeout_ms`). Keep it well under
    /// Maelstrom's 10 s wait between the heal and the final reads: a batch sent just before
    /// the heal is resent only this long after, and must still cross the overlay in time.
    pub max_timeout_ms: u64,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            timeout_ms: 5000,
            backoff: 1.5,
            max_timeout_ms: 6_000,
        }
    }
}

/// Falling back to another relay when a node's parent in a `star` or `tree` stops answering.
/// Only affects latency during partitions: resends on the overlay links alone already deliver
/// every value once the network heals.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FallbackConfig {
    /// Whether to look for another relay at all. A kind may refuse the fallback whatever
    /// this says: the g-set does (`Kind::FALLBACK`; see `node/kinds/gset.rs` for why).
    pub enabled: bool,
    /// How long the parent must have left values unacknowledged, and been silent, before the
    /// node asks another node to relay for it (ms).
    pub after_ms: u64,
    /// How many candidates (ancestors first, then the nodes ranked before this one) to try
    /// in turn before waiting for the parent alone.
    pub candidates: u16,
    /// How long a relay keeps serving a node it adopted after last hearing from it (ms).
    pub lease_ms: u64,
}

impl Default for FallbackConfig {
    fn default() -> Self {
        FallbackConfig {
            enabled: true,
            after_ms: 8000,
            candidates: 3,
            lease_ms: 30_000,
        }
    }
}

/// A topology file that could not be used; the message names the file and the field.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read topology file {path}: {source}")]
    Read {
        /// The path as given.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Neither a file nor a built-in preset has this name.
    #[error("no topology file {0:?} and no built-in preset of that name (presets: {presets})", presets = preset_names())]
    NotFound(String),
    /// The TOML does not parse or has an unknown or mistyped field.
    #[error("topology file {origin}: {message}")]
    Parse {
        /// Where the text came from.
        origin: String,
        /// The parser's message (it names the field and line).
        message: String,
    },
    /// A field has a value the node cannot use.
    #[error("topology file {origin}: `{field}` {problem}")]
    Invalid {
        /// Where the text came from.
        origin: String,
        /// The dotted field name, e.g. `timing.tick_ms`.
        field: &'static str,
        /// What is wrong with it.
        problem: String,
    },
}

fn preset_names() -> String {
    PRESETS
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

impl NodeConfig {
    /// Parses and validates TOML text; `origin` names it in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<NodeConfig, ConfigError> {
        let config: NodeConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            origin: origin.to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
        config.validate(origin)?;
        Ok(config)
    }

    /// Loads a topology file: `spec` is a path, or the name of a built-in preset (`3e`,
    /// `topologies/3e.toml` …) when no such file exists.
    pub fn load(spec: &str) -> Result<NodeConfig, ConfigError> {
        let path = Path::new(spec);
        if path.exists() {
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: spec.to_string(),
                source,
            })?;
            return NodeConfig::from_toml(&text, spec);
        }
        match preset(spec) {
            Some(text) => NodeConfig::from_toml(text, &format!("{spec} (built-in)")),
            None => Err(ConfigError::NotFound(spec.to_string())),
        }
    }

    /// Checks every field's range; the error names the first bad field.
    pub fn validate(&self, origin: &str) -> Result<(), ConfigError> {
        let bad = |field: &'static str, problem: &str| {
            Err(ConfigError::Invalid {
                origin: origin.to_string(),
                field,
                problem: problem.to_string(),
            })
        };
        let o = &self.overlay;
        if o.fanout.is_some() && o.kind != OverlayKind::Tree {
            return bad("overlay.fanout", "is only used with kind = \"tree\"");
        }
        if o.fanout == Some(0) {
            return bad("overlay.fanout", "must be at least 1");
        }
        if o.root.is_some() && !o.kind.is_rooted() {
            return bad(
                "overlay.root",
                "is only used with kind = \"star\" or \"tree\"",
            );
        }
        match (&o.neighbours, o.kind) {
            (None, OverlayKind::Adjacency) => {
                return bad(
                    "overlay.neighbours",
                    "is required with kind = \"adjacency\"",
                );
            }
            (Some(_), kind) if kind != OverlayKind::Adjacency => {
                return bad(
                    "overlay.neighbours",
                    "is only used with kind = \"adjacency\"",
                );
            }
            _ => {}
        }
        let t = &self.timing;
        if let Some((field, problem)) = t.problem() {
            return bad(field, problem);
        }
        if !o.kind.is_rooted() && t.tick_ms.is_none() {
            return bad(
                "timing.tick_ms",
                "is required with a mesh overlay: only a star or a tree has a root to measure \
                 the network and plan rounds from timing.max_latency_ms",
            );
        }
        let r = &self.retry;
        if r.timeout_ms == 0 {
            return bad("retry.timeout_ms", "must be greater than 0");
        }
        if !(r.backoff.is_finite() && r.backoff >= 1.0) {
            return bad("retry.backoff", "must be a number ≥ 1");
        }
        if r.max_timeout_ms < r.timeout_ms {
            return bad("retry.max_timeout_ms", "must be at least retry.timeout_ms");
        }
        if r.timeout_ms <= t.ack_delay_ms + 2 * t.hop_ms.unwrap_or(0) {
            return bad(
                "retry.timeout_ms",
                "must exceed timing.ack_delay_ms (+ 2 × timing.hop_ms if set), or every batch is \
                 resent before its acknowledgement can arrive",
            );
        }
        let f = &self.fallback;
        if f.enabled && f.after_ms == 0 {
            return bad("fallback.after_ms", "must be greater than 0");
        }
        Ok(())
    }
}

/// The TOML text of a built-in preset, by name (`3e`), file name (`3e.toml`) or path
/// (`topologies/3e.toml`, `/anywhere/topologies/3e.toml`).
pub fn preset(spec: &str) -> Option<&'static str> {
    let name = Path::new(spec).file_stem()?.to_str()?;
    PRESETS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_parses_and_3e_is_the_default() {
        for (name, text) in PRESETS {
            NodeConfig::from_toml(text, name).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        let mut e3 = NodeConfig::from_toml(preset("3e").expect("3e"), "3e").expect("parses");
        e3.description.clear();
        assert_eq!(e3, NodeConfig::default());
    }

    #[test]
    fn every_shipped_file_is_a_preset() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("topologies");
        for entry in std::fs::read_dir(dir).expect("topologies/") {
            let path = entry.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("readable");
            let name = path.file_stem().and_then(|s| s.to_str()).expect("name");
            assert_eq!(
                preset(name),
                Some(text.as_str()),
                "{name} is compiled in as-is"
            );
            assert!(
                text.starts_with("# "),
                "{name} opens with a comment saying what it is for"
            );
        }
    }

    #[test]
    fn presets_resolve_by_name_file_or_path() {
        assert!(preset("3d").is_some());
        assert!(preset("3d.toml").is_some());
        assert!(preset("/tmp/elsewhere/topologies/3d.toml").is_some());
        assert!(preset("nope").is_none());
    }

    #[test]
    fn errors_name_the_field() {
        let e = NodeConfig::from_toml("[timing]\ntick_ms = 0\n", "t.toml").expect_err("invalid");
        assert!(e.to_string().contains("timing.tick_ms"), "{e}");
        let e = NodeConfig::from_toml("[timing]\ntick = 5\n", "t.toml").expect_err("unknown");
        assert!(e.to_string().contains("tick"), "{e}");
        let e = NodeConfig::from_toml("[overlay]\nkind = \"ring\"\n", "t.toml").expect_err("kind");
        assert!(e.to_string().contains("ring"), "{e}");
        let e = NodeConfig::from_toml("[overlay]\nkind = \"star\"\nfanout = 3\n", "t.toml")
            .expect_err("fanout on star");
        assert!(e.to_string().contains("overlay.fanout"), "{e}");
        let e = NodeConfig::from_toml("[retry]\ntimeout_ms = 100\n", "t.toml").expect_err("rto");
        assert!(e.to_string().contains("retry.timeout_ms"), "{e}");
        let e = NodeConfig::load("no/such/file.toml").expect_err("missing");
        assert!(e.to_string().contains("no/such/file.toml"), "{e}");
    }
}
