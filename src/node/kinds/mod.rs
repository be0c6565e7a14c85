//! The item kinds the node serves, one module each, and `REGISTRY`, the one list that makes
//! the node serve them (see [`crate::node::kind`] for what a kind is).
//!
//! | kind | workload | gossip field |
//! |---|---|---|
//! | [`values::Values`] | `broadcast` (3a–3e) | `values` |
//! | [`counter::Counter`] | `g-counter`, `pn-counter` (4) | `counts` |
//! | [`txn::Txn`] | `txn-rw-register` (6a–6c) | `txns` |
//! | [`gset::GSet`] | `g-set` | `elements` |
//! | [`kafka::Kafka`] | `kafka` (5a–5c) | `log` |

pub mod counter;
pub mod gset;
pub mod kafka;
pub mod txn;
pub mod values;

use std::any::TypeId;

use crate::config::{NodeConfig, TimingConfig};
use crate::node::Node;
use crate::node::engine::{Engine, KindEngine};
use crate::node::kind::Kind;
use crate::node::message::payload_from;
use crate::time::Time;
use crate::wire::{DecodeError, Envelope};

/// Every kind the node serves. An undecided node (`workload = "auto"`) settles on the first
/// whose message tells (a `read` tells none: it goes to the first kind that serves `read`, the
/// counter, which is how a `read` before anything told is answered; see `node::settle`).
pub(crate) static REGISTRY: &[Registration] = &[
    Registration::of::<counter::Counter>(),
    Registration::of::<values::Values>(),
    Registration::of::<txn::Txn>(),
    Registration::of::<gset::GSet>(),
    Registration::of::<kafka::Kafka>(),
];

/// How the node reaches one kind without naming it: its names, and the node's entry points
/// for a line of that kind, monomorphised.
pub(crate) struct Registration {
    /// [`Kind::NAME`].
    pub(crate) name: &'static str,
    /// The kind's type.
    pub(crate) type_id: fn() -> TypeId,
    aliases: &'static [&'static str],
    requests: &'static [&'static str],
    topology: bool,
    /// [`Kind::MAX_LATENCY_MS`] and [`Kind::TICK_MS`].
    own_timing: (Option<u64>, Option<u64>),
    /// Decodes a line as a message of this kind and hands it to the node.
    pub(crate) feed: FeedFn,
    /// Builds the kind's engine.
    pub(crate) build: BuildFn,
    /// The same, only if the message tells an undecided node it serves this kind.
    feed_if_tells: fn(&mut Node, Time, &Envelope<'_, '_>) -> bool,
}

/// A node's entry point for lines of one kind: the decoding error if the line is not a
/// message of that kind.
pub(crate) type FeedFn = fn(&mut Node, Time, &Envelope<'_, '_>) -> Result<(), DecodeError<'static>>;

/// Builds the engine of one kind for node `me` among `names`, with the configuration's
/// warnings.
pub(crate) type BuildFn = fn(&NodeConfig, u16, &[Box<str>]) -> (Box<dyn Engine>, Vec<String>);

impl Registration {
    /// The registration of kind `K`.
    pub(crate) const fn of<K: Kind>() -> Registration {
        Registration {
            name: K::NAME,
            type_id: TypeId::of::<K>,
            aliases: K::ALIASES,
            requests: K::REQUESTS,
            topology: K::TOPOLOGY,
            own_timing: (K::MAX_LATENCY_MS, K::TICK_MS),
            feed: feed::<K>,
            build: build::<K>,
            feed_if_tells: feed_if_tells::<K>,
        }
    }

    /// Whether the kind is called `name` (its name or an alias).
    fn is_named(&self, name: &str) -> bool {
        self.name == name || self.aliases.contains(&name)
    }

    /// `config` with this kind's own timing if it has one and `config` leaves `[timing]` at
    /// its defaults (kafka's fixed rounds), else `None`.
    pub(crate) fn own_timing(&self, config: &NodeConfig) -> Option<NodeConfig> {
        let (max_latency_ms, tick_ms) = self.own_timing;
        if (max_latency_ms.is_none() && tick_ms.is_none())
            || config.timing != TimingConfig::default()
        {
            return None;
        }
        let mut config = config.clone();
        if let Some(ms) = max_latency_ms {
            // The default prior (460 ms) belongs to the default budget: derive the prior
            // from the kind's instead (see `TimingConfig`).
            config.timing.max_latency_ms = Some(ms);
            config.timing.prior_latency_ms = None;
        }
        config.timing.tick_ms = tick_ms;
        config.description = format!(
            "{} budget {} ms{}",
            self.name,
            config.timing.max_latency_ms.unwrap_or_default(),
            tick_ms.map_or(String::new(), |ms| format!(", fixed {ms} ms rounds"))
        );
        Some(config)
    }

    /// Whether the kind serves client requests of `type` `kind`.
    pub(crate) fn serves(&self, kind: &str) -> bool {
        self.requests.contains(&kind)
    }

    /// Whether a message of `type` `kind` could tell an undecided node about this kind.
    fn may_tell(&self, kind: &str) -> bool {
        kind == "gossip" || self.serves(kind) || (self.topology && kind == "topology")
    }
}

/// The registered kind called `name` (its name or an alias).
pub(crate) fn find(name: &str) -> Option<&'static Registration> {
    REGISTRY.iter().find(|r| r.is_named(name))
}

/// Whether a registered kind serves Maelstrom's workload `name` (`broadcast`, `g-set`, …): a
/// driver that knows the workload it runs (the simulator) names it in the node's settings,
/// so that a first request that does not tell (`read`) is answered as that workload's.
pub fn serves_workload(name: &str) -> bool {
    find(name).is_some()
}

/// The configuration a node serving Maelstrom's workload `name` runs with: `config`, or, for
/// a kind with timing of its own (kafka) when `config` leaves `[timing]` at its defaults, the
/// kind's timing and a description that says so. For `--print-config` and the simulator's
/// account of the nodes it runs.
pub fn config_for_workload(config: &NodeConfig, name: &str) -> NodeConfig {
    find(name)
        .and_then(|r| r.own_timing(config))
        .unwrap_or_else(|| config.clone())
}

/// Every registered name, for messages listing them.
pub(crate) fn names() -> String {
    let mut names = vec!["auto"];
    for r in REGISTRY {
        names.push(r.name);
        names.extend_from_slice(r.aliases);
    }
    names.join(", ")
}

/// Hands a line to a node that serves no kind yet: as a message of the first kind it tells
/// of, else of the first kind that serves its `type` (else the first kind: the type is none
/// of theirs, and is decoded as the node's own messages are).
pub(crate) fn route(
    node: &mut Node,
    now: Time,
    envelope: &Envelope<'_, '_>,
) -> Result<(), DecodeError<'static>> {
    let kind = envelope.kind().unwrap_or("");
    for r in REGISTRY.iter().filter(|r| r.may_tell(kind)) {
        if (r.feed_if_tells)(node, now, envelope) {
            return Ok(());
        }
    }
    let r = REGISTRY
        .iter()
        .find(|r| r.serves(kind))
        .unwrap_or(&REGISTRY[0]);
    (r.feed)(node, now, envelope)
}

/// The node's entry point for lines of kind `K`.
pub(crate) fn feed<K: Kind>(
    node: &mut Node,
    now: Time,
    envelope: &Envelope<'_, '_>,
) -> Result<(), DecodeError<'static>> {
    let message = envelope
        .decode(payload_from::<K>)
        .map_err(DecodeError::into_owned)?;
    node.handle_message::<K>(now, message);
    Ok(())
}

/// The engine of kind `K`.
pub(crate) fn build<K: Kind>(
    config: &NodeConfig,
    me: u16,
    names: &[Box<str>],
) -> (Box<dyn Engine>, Vec<String>) {
    let (engine, warnings) = KindEngine::<K>::new(config, me, names);
    (Box::new(engine), warnings)
}

fn feed_if_tells<K: Kind>(node: &mut Node, now: Time, envelope: &Envelope<'_, '_>) -> bool {
    match envelope.decode(payload_from::<K>) {
        Ok(message) if message.body.payload.tells() => {
            node.handle_message::<K>(now, message);
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::config_for_workload;
    use crate::config::NodeConfig;

    #[test]
    fn a_kind_with_its_own_timing_is_described_with_it_and_only_at_default_timing() {
        let default = NodeConfig::default();
        let kafka = config_for_workload(&default, "kafka");
        assert_eq!(kafka.timing.tick_ms, Some(250));
        assert_eq!(kafka.timing.max_latency_ms, Some(400));
        assert!(
            kafka.description.starts_with("kafka"),
            "{}",
            kafka.description
        );
        // A kind without timing of its own, or a configuration that sets its own timing,
        // is left as it is.
        let broadcast = config_for_workload(&default, "broadcast");
        assert_eq!(broadcast.timing, default.timing);
        assert_eq!(broadcast.description, default.description);
        let mut tuned = default.clone();
        tuned.timing.tick_ms = Some(100);
        assert_eq!(config_for_workload(&tuned, "kafka").timing, tuned.timing);
    }
}
