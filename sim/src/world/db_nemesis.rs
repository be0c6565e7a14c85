//! The kill and pause nemesis (`--nemesis kill`, `--nemesis pause`), scheduled as Jepsen
//! schedules them for Maelstrom.
//!
//! Maelstrom's nemesis (`maelstrom/src/maelstrom/nemesis.clj`) composes Jepsen's
//! `partition-package` and `db-package` (`jepsen/src/jepsen/nemesis/combined.clj`); the
//! partition half is [`crate::world::nemesis`], this is the other. Facts it follows, from
//! `combined.clj`:
//!
//! - Two flip-flops, `kill` ↔ `start` and `pause` ↔ `resume`; with both faults on, each
//!   operation comes from one of them picked at random (`gen/mix`), each keeping its own
//!   alternation. A package draws its own gaps, uniform in [0, 2·interval)
//!   (`gen/stagger`, default interval 10 s), independently of the partition package's.
//! - `kill` and `pause` target a node spec drawn uniformly from `nil` (a random non-empty
//!   subset), `:one`, `:minority-third`, `:minority`, `:majority`, `:all`; `start` and
//!   `resume` always target `:all`.
//! - Each operation is recorded by the `:nemesis` process as an `:info` invocation whose value
//!   is the spec, then an `:info` completion whose value maps every targeted node to what
//!   happened to it.
//! - The final generator (before the final reads) resumes and starts `:all`.
//!
//! What a kill does to messages follows Maelstrom's own code: stopping a node removes its
//! queue from the network (`maelstrom/src/maelstrom/process.clj` `stop-node!` →
//! `maelstrom/src/maelstrom/net.clj` `remove-node!`) and starting it gives it a fresh, empty
//! one (`add-node!`), then the node is sent `init` again (`maelstrom/src/maelstrom/db.clj`
//! `setup!`). So what was queued for a killed node and whatever is sent to it while it is
//! down is dropped. A paused process keeps its queue: what is delivered meanwhile waits in
//! its pipe and is read when it resumes.

use std::fmt;

use crate::world::rng::Rng;

/// Which nodes an operation targets (Jepsen's node specs, `combined.clj` `db-nodes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NodeSpec {
    /// A random non-empty subset (Jepsen's `nil`).
    Some,
    /// One random node.
    One,
    /// The largest count strictly under a third of the nodes.
    MinorityThird,
    /// The largest count strictly under half.
    Minority,
    /// The smallest count strictly over half.
    Majority,
    /// Every node.
    All,
}

impl NodeSpec {
    /// The specs `kill` and `pause` draw from, in Jepsen's order (`node-specs`).
    pub(crate) const TARGETS: [NodeSpec; 6] = [
        NodeSpec::Some,
        NodeSpec::One,
        NodeSpec::MinorityThird,
        NodeSpec::Minority,
        NodeSpec::Majority,
        NodeSpec::All,
    ];

    /// The spec as Jepsen prints it (`nil`, `one`, …; keywords without their colon).
    pub(crate) fn name(self) -> &'static str {
        match self {
            NodeSpec::Some => "",
            NodeSpec::One => "one",
            NodeSpec::MinorityThird => "minority-third",
            NodeSpec::Minority => "minority",
            NodeSpec::Majority => "majority",
            NodeSpec::All => "all",
        }
    }

    /// The nodes it names in a cluster of `n`, drawn from `rng`, in increasing order.
    pub(crate) fn pick(self, n: u16, rng: &mut Rng) -> Vec<u16> {
        let mut nodes: Vec<u16> = (0..n).collect();
        let majority = usize::from(n / 2 + 1);
        let count = match self {
            NodeSpec::All => return nodes,
            NodeSpec::Some => 1 + rng.below(u64::from(n.max(1))) as usize,
            NodeSpec::One => 1,
            NodeSpec::MinorityThird => usize::from(n.saturating_sub(1) / 3),
            NodeSpec::Minority => majority - 1,
            NodeSpec::Majority => majority,
        };
        rng.shuffle(&mut nodes);
        nodes.truncate(count.min(usize::from(n)));
        nodes.sort_unstable();
        nodes
    }
}

/// One operation of the kill and pause nemesis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DbOp {
    /// Kill (SIGKILL) the nodes of this spec.
    Kill(NodeSpec),
    /// Start every node that is down: a fresh process or instance, then `init`.
    Start,
    /// Pause (SIGSTOP) the nodes of this spec.
    Pause(NodeSpec),
    /// Resume (SIGCONT) every paused node.
    Resume,
}

impl DbOp {
    /// Jepsen's `:f` of the operation.
    pub(crate) fn f(self) -> &'static str {
        match self {
            DbOp::Kill(_) => "kill",
            DbOp::Start => "start",
            DbOp::Pause(_) => "pause",
            DbOp::Resume => "resume",
        }
    }
}

impl fmt::Display for DbOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DbOp::Kill(s) | DbOp::Pause(s) => write!(f, "{} {}", self.f(), s.name()),
            DbOp::Start | DbOp::Resume => write!(f, "{} all", self.f()),
        }
    }
}

/// The kill and pause nemesis's state between operations.
#[derive(Debug)]
pub(crate) struct DbNemesis {
    rng: Rng,
    interval_us: u64,
    kill: bool,
    pause: bool,
    /// Whether the kill flip-flop's next operation is a kill (else a start).
    next_kill: bool,
    /// Whether the pause flip-flop's next operation is a pause (else a resume).
    next_pause: bool,
}

impl DbNemesis {
    /// The nemesis for these faults (at least one on), with mean gap `interval`.
    pub(crate) fn new(
        rng: Rng,
        interval: std::time::Duration,
        kill: bool,
        pause: bool,
    ) -> DbNemesis {
        DbNemesis {
            rng,
            interval_us: u64::try_from(interval.as_micros()).unwrap_or(u64::MAX / 2),
            kill,
            pause,
            next_kill: true,
            next_pause: true,
        }
    }

    /// The gap before the next operation: uniform in [0, 2·interval), whole µs.
    pub(crate) fn gap(&mut self) -> std::time::Duration {
        std::time::Duration::from_micros(self.rng.below(self.interval_us.saturating_mul(2)))
    }

    /// The next operation: from the kill or the pause flip-flop, picked at random when both
    /// are on (`gen/mix`, whose picks come from the same stream here).
    pub(crate) fn next_op(&mut self) -> DbOp {
        let kill = match (self.kill, self.pause) {
            (true, true) => self.rng.below(2) == 0,
            (kill, _) => kill,
        };
        let spec =
            |rng: &mut Rng| NodeSpec::TARGETS[rng.below(NodeSpec::TARGETS.len() as u64) as usize];
        if kill {
            self.next_kill = !self.next_kill;
            if self.next_kill {
                DbOp::Start
            } else {
                DbOp::Kill(spec(&mut self.rng))
            }
        } else {
            self.next_pause = !self.next_pause;
            if self.next_pause {
                DbOp::Resume
            } else {
                DbOp::Pause(spec(&mut self.rng))
            }
        }
    }

    /// Draws the nodes `spec` names among `n`.
    pub(crate) fn pick(&mut self, spec: NodeSpec, n: u16) -> Vec<u16> {
        spec.pick(n, &mut self.rng)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::rng::{self, Stream};
    use std::time::Duration;

    #[test]
    fn specs_name_jepsens_counts() {
        let mut rng = rng::stream(3, Stream::DbNemesis);
        let count = |s: NodeSpec, n: u16, rng: &mut Rng| s.pick(n, rng).len();
        assert_eq!(count(NodeSpec::One, 5, &mut rng), 1);
        assert_eq!(count(NodeSpec::MinorityThird, 5, &mut rng), 1);
        assert_eq!(count(NodeSpec::MinorityThird, 3, &mut rng), 0);
        assert_eq!(count(NodeSpec::Minority, 5, &mut rng), 2);
        assert_eq!(count(NodeSpec::Majority, 5, &mut rng), 3);
        assert_eq!(count(NodeSpec::All, 5, &mut rng), 5);
        for _ in 0..50 {
            let some = NodeSpec::Some.pick(5, &mut rng);
            assert!((1..=5).contains(&some.len()));
            assert!(some.windows(2).all(|w| w[0] < w[1]), "distinct, sorted");
        }
    }

    #[test]
    fn each_flip_flop_alternates_within_the_mix() {
        let mut nem = DbNemesis::new(
            rng::stream(1, Stream::DbNemesis),
            Duration::from_secs(1),
            true,
            true,
        );
        let (mut down, mut paused) = (false, false);
        let (mut kills, mut pauses) = (0, 0);
        for _ in 0..200 {
            match nem.next_op() {
                DbOp::Kill(_) => {
                    assert!(!down, "a kill follows a start");
                    down = true;
                    kills += 1;
                }
                DbOp::Start => {
                    assert!(down);
                    down = false;
                }
                DbOp::Pause(_) => {
                    assert!(!paused);
                    paused = true;
                    pauses += 1;
                }
                DbOp::Resume => {
                    assert!(paused);
                    paused = false;
                }
            }
            assert!(nem.gap() < Duration::from_secs(2));
        }
        assert!(
            kills > 20 && pauses > 20,
            "both modes drawn: {kills} {pauses}"
        );
        let mut only_kill = DbNemesis::new(
            rng::stream(1, Stream::DbNemesis),
            Duration::from_secs(1),
            true,
            false,
        );
        let ops: Vec<&str> = (0..4).map(|_| only_kill.next_op().f()).collect();
        assert_eq!(ops, ["kill", "start", "kill", "start"]);
    }
}
