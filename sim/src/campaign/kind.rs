//! The kinds of fault a campaign tries, each with parameters drawn from the run's seed.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use crate::config::{Faults, Pause};

/// The kinds of fault a campaign tries, one per run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FaultKind {
    /// No fault at all: Maelstrom's network.
    Clean,
    /// Maelstrom's partition nemesis, interval 1–5 s.
    Partition,
    /// Message loss, 5–30 %.
    Loss,
    /// Duplication, 5–30 %.
    Dup,
    /// Reordering: 10–50 % of messages held in transit up to 100–1000 ms.
    Reorder,
    /// Latency spikes: 1–10 % of messages delayed 0.5–3 s.
    Spike,
    /// One-way partitions, started and healed every 1–5 s on average.
    Oneway,
    /// Pauses of 1–4 s, every 3–10 s on average. Longer than a client's 5 s timeout, any
    /// node fails: its late reply goes to a client Maelstrom has closed, and Maelstrom stops
    /// reading that node (Maelstrom's `maelstrom/src/maelstrom/net.clj` rejects a message to a missing client, and `process.clj` stops reading that node).
    Pause,
    /// All of them at once, milder: loss 5–15 %, dup 5 %, reorder, spikes, one-way
    /// partitions, pauses and the partition nemesis.
    Mixed,
    /// Maelstrom's kill nemesis (`--nemesis kill`), interval 1–5 s: nodes killed and started
    /// again with `init`, what was sent to them meanwhile read after it.
    Kill,
    /// Crashes mixed with everything else: [`FaultKind::Mixed`]'s faults with
    /// `--nemesis partition,kill`, interval 2–6 s. (The pause nemesis is left to the tests:
    /// its pauses last until the next resume, often past a client's 5 s timeout, which
    /// tests the clients' timeouts more than the node.)
    Crash,
}

/// A run's `--nemesis` faults and `--nemesis-interval`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NemesisSpec {
    /// `partition`.
    pub partition: bool,
    /// `kill`.
    pub kill: bool,
    /// `--nemesis-interval`.
    pub interval: Duration,
}

impl FaultKind {
    /// Every kind, in the order campaigns run them.
    pub const ALL: [FaultKind; 11] = [
        FaultKind::Clean,
        FaultKind::Partition,
        FaultKind::Loss,
        FaultKind::Dup,
        FaultKind::Reorder,
        FaultKind::Spike,
        FaultKind::Oneway,
        FaultKind::Pause,
        FaultKind::Mixed,
        FaultKind::Kill,
        FaultKind::Crash,
    ];

    /// The kinds that kill no node: what a node keeping its state in memory only survives.
    pub const NETWORK: [FaultKind; 9] = [
        FaultKind::Clean,
        FaultKind::Partition,
        FaultKind::Loss,
        FaultKind::Dup,
        FaultKind::Reorder,
        FaultKind::Spike,
        FaultKind::Oneway,
        FaultKind::Pause,
        FaultKind::Mixed,
    ];

    /// The kind's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Clean => "clean",
            FaultKind::Partition => "partition",
            FaultKind::Loss => "loss",
            FaultKind::Dup => "dup",
            FaultKind::Reorder => "reorder",
            FaultKind::Spike => "spike",
            FaultKind::Oneway => "oneway",
            FaultKind::Pause => "pause",
            FaultKind::Mixed => "mixed",
            FaultKind::Kill => "kill",
            FaultKind::Crash => "crash",
        }
    }

    /// The faults of this kind for `seed`, and the nemesis if one runs.
    pub fn faults(self, seed: u64) -> (Faults, Option<NemesisSpec>) {
        let mut h = Mix(seed ^ (self as u64).wrapping_mul(0x51_7cc1_b727_220a));
        let pct = |h: &mut Mix, lo: u64, hi: u64| h.within(lo, hi) as f64 / 100.0;
        let ms = |h: &mut Mix, lo: u64, hi: u64, step: u64| {
            Duration::from_millis(h.within(lo / step, hi / step) * step)
        };
        let secs = |h: &mut Mix, lo: u64, hi: u64| Duration::from_secs(h.within(lo, hi));
        let mut f = Faults::default();
        let mut partition = None;
        let mut kill = None;
        match self {
            FaultKind::Clean => {}
            FaultKind::Partition => partition = Some(secs(&mut h, 1, 5)),
            FaultKind::Loss => f.loss = pct(&mut h, 5, 30),
            FaultKind::Dup => f.duplicate = pct(&mut h, 5, 30),
            FaultKind::Reorder => {
                f.reorder = pct(&mut h, 10, 50);
                f.reorder_max = ms(&mut h, 100, 1000, 100);
            }
            FaultKind::Spike => {
                f.spike_probability = pct(&mut h, 1, 10);
                f.spike = ms(&mut h, 500, 3000, 250);
            }
            FaultKind::Oneway => f.oneway = Some(secs(&mut h, 1, 5)),
            FaultKind::Pause => {
                let length = secs(&mut h, 1, 4);
                let every = secs(&mut h, 3, 10);
                f.pause = Some(Pause { length, every });
            }
            FaultKind::Mixed => {
                f.loss = pct(&mut h, 5, 15);
                f.duplicate = 0.05;
                f.reorder = 0.2;
                f.reorder_max = Duration::from_millis(300);
                f.spike_probability = 0.02;
                f.spike = Duration::from_secs(1);
                f.oneway = Some(secs(&mut h, 2, 6));
                f.pause = Some(Pause {
                    length: secs(&mut h, 1, 4),
                    every: secs(&mut h, 4, 10),
                });
                partition = Some(secs(&mut h, 2, 6));
            }
            FaultKind::Kill => kill = Some(secs(&mut h, 1, 5)),
            FaultKind::Crash => {
                // The same draws as Mixed for the same seed, then the kills.
                let (mixed, _) = FaultKind::Mixed.faults(seed);
                f = mixed;
                let every = secs(&mut h, 2, 6);
                partition = Some(every);
                kill = Some(every);
            }
        }
        let nemesis = match (partition, kill) {
            (None, None) => None,
            (p, k) => Some(NemesisSpec {
                partition: p.is_some(),
                kill: k.is_some(),
                interval: p.or(k).unwrap_or(Duration::from_secs(10)),
            }),
        };
        (f, nemesis)
    }
}

impl FromStr for FaultKind {
    type Err = String;
    fn from_str(s: &str) -> Result<FaultKind, String> {
        FaultKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = FaultKind::ALL.iter().map(|k| k.name()).collect();
                format!("unknown fault kind {s:?} ({})", names.join(", "))
            })
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// splitmix64 over the seed: a kind's parameters without touching the run's own streams.
struct Mix(u64);

impl Mix {
    /// A value in [lo, hi].
    fn within(&mut self, lo: u64, hi: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        lo + (z ^ (z >> 31)) % (hi - lo + 1)
    }
}
