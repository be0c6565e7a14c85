//! The main phase's operations (Maelstrom's `kafka.clj` over `jepsen/tests/kafka.clj`, whose
//! base stream is Elle's list-append generator with one micro-operation per operation).
//!
//! 1. Base stream: each operation is a `send` or a `poll` with even odds. Its key comes from
//!    `key_count` active slots (default 10), slot i drawn with probability
//!    2^(i+1) / (2·(2^key_count − 1)), so the last slot about half the time. Per key the sent
//!    messages are 1, 2, … up to `max_writes_per_key` (default 16); a send that would go
//!    beyond retires that slot's key (replaced by the largest active key + 1) and the draw
//!    is repeated (so sends and polls come 16 : 17). A poll's key matters only for the assign
//!    below.
//! 2. Before each base operation, with probability 1/8, an `assign` of that operation's key
//!    comes instead, and the base operation is offered again next time (where the 1/8 draw
//!    repeats). Maelstrom 0.2.4+ (Jepsen 0.3.7) uses 1/64; `--kafka-assign-odds 64` selects it.
//! 3. Catch-up: each assign, with probability 1/3, also lists every key whose highest offset
//!    in an `:ok` send exceeds the highest offset any `:ok` poll returned for it. Jepsen's
//!    `poll-unseen` puts those keys first and the assign's own key after them, duplicates
//!    removed (`(distinct (concat (keys sent) keys))`); Jepsen keeps them in a Clojure map,
//!    whose order we read as ascending.
//! 4. Crashes: a separate stream of `crash` operations, the first at the start and each next
//!    one a gap uniform in [0, 2·30/concurrency) s later; an operation slot due at or after
//!    the next crash takes the crash (Jepsen's `any` merges streams by due time).
//!
//! Keys are decimal strings on the wire ("0", "1", …) and `u64` here.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use crate::world::rng::Rng;

/// Maelstrom's generator options for kafka.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KafkaOptions {
    /// Active keys at any time (`--key-count`, default 10).
    pub key_count: usize,
    /// Messages per key before it retires (`--max-writes-per-key`, default 16).
    pub max_writes_per_key: i64,
    /// One assign in this many operation slots (8 in Maelstrom 0.2.3, 64 in 0.2.4+).
    pub assign_odds: u32,
    /// Jepsen's crash interval: crash gaps are uniform in [0, 2·interval/concurrency).
    pub crash_interval: Duration,
}

impl Default for KafkaOptions {
    fn default() -> KafkaOptions {
        KafkaOptions {
            key_count: 10,
            max_writes_per_key: 16,
            assign_odds: 8,
            crash_interval: Duration::from_secs(30),
        }
    }
}

impl KafkaOptions {
    /// Why these options are unusable, if they are.
    pub fn validate(&self) -> Result<(), String> {
        if self.key_count == 0 || self.key_count > 60 {
            return Err(format!(
                "--key-count must be in 1..=60, not {}",
                self.key_count
            ));
        }
        if self.max_writes_per_key < 1 {
            return Err("--max-writes-per-key must be positive".into());
        }
        if self.assign_odds == 0 {
            return Err("--kafka-assign-odds must be positive".into());
        }
        Ok(())
    }
}

/// One operation of the main phase, before it becomes a history value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KafkaOp {
    /// Send message `msg` to key `key`.
    Send {
        /// The key.
        key: u64,
        /// The message (1, 2, … per key).
        msg: i64,
    },
    /// Poll from the client's offsets.
    Poll,
    /// Assign these keys (the first is the base operation's key).
    Assign(Vec<u64>),
    /// Crash the client: the thread opens a fresh one.
    Crash,
}

/// The main phase's generator state.
#[derive(Clone, Debug)]
pub struct KafkaGenerator {
    opts: KafkaOptions,
    active: Vec<u64>,
    /// Per key, the last message drawn for it.
    written: HashMap<u64, i64>,
    /// 2·(2^key_count − 1): the span of the slot draw.
    scale: f64,
    /// The base operation an assign displaced, with its key.
    pending: Option<(KafkaOp, u64)>,
    /// When the next crash is due, from the start of the main phase.
    next_crash: Duration,
    /// The crash gap's upper bound in µs.
    crash_span: u64,
    /// Per key, the highest offset of an `:ok` send and of an `:ok` poll.
    sent_max: BTreeMap<u64, i64>,
    polled_max: BTreeMap<u64, i64>,
    /// Keys whose highest sent offset exceeds the highest polled one.
    lagging: BTreeSet<u64>,
}

impl KafkaGenerator {
    /// A generator for `threads` client threads, keys 0 … key_count−1 active.
    pub fn new(opts: KafkaOptions, threads: usize) -> KafkaGenerator {
        let crash_span =
            (2 * opts.crash_interval.as_micros() as u64 / threads.max(1) as u64).max(1);
        KafkaGenerator {
            opts,
            active: (0..opts.key_count as u64).collect(),
            written: HashMap::new(),
            scale: ((2f64).powi(opts.key_count as i32) - 1.0) * 2.0,
            pending: None,
            next_crash: Duration::ZERO,
            crash_span,
            sent_max: BTreeMap::new(),
            polled_max: BTreeMap::new(),
            lagging: BTreeSet::new(),
        }
    }

    /// The active slot drawn: floor(log2(U·scale + 2)) − 1.
    fn slot(&self, rng: &mut Rng) -> usize {
        let i = (rng.unit() * self.scale + 2.0).log2().floor() as usize;
        i.saturating_sub(1).min(self.opts.key_count - 1)
    }

    /// A fresh base operation and its key.
    fn base(&mut self, rng: &mut Rng) -> (KafkaOp, u64) {
        loop {
            let send = rng.below(2) == 0;
            let slot = self.slot(rng);
            let key = self.active[slot];
            if !send {
                return (KafkaOp::Poll, key);
            }
            let msg = self.written.get(&key).copied().unwrap_or(0) + 1;
            if msg > self.opts.max_writes_per_key {
                let fresh = self.active.iter().copied().max().unwrap_or(0) + 1;
                self.active[slot] = fresh;
                continue;
            }
            self.written.insert(key, msg);
            return (KafkaOp::Send { key, msg }, key);
        }
    }

    /// The operation for a slot due `at` after the main phase began.
    pub fn next_op(&mut self, rng: &mut Rng, at: Duration) -> KafkaOp {
        if at >= self.next_crash {
            self.next_crash = at + Duration::from_micros(rng.below(self.crash_span));
            return KafkaOp::Crash;
        }
        let (op, key) = match self.pending.take() {
            Some(p) => p,
            None => self.base(rng),
        };
        if rng.below(u64::from(self.opts.assign_odds)) == 0 {
            let mut keys = Vec::new();
            if rng.below(3) == 0 {
                keys.extend(self.lagging.iter().copied());
            }
            if !keys.contains(&key) {
                keys.push(key);
            }
            self.pending = Some((op, key));
            return KafkaOp::Assign(keys);
        }
        op
    }

    /// An `:ok` send put `key` at `offset`.
    pub fn saw_send(&mut self, key: u64, offset: i64) {
        let sent = self.sent_max.entry(key).or_insert(offset);
        *sent = (*sent).max(offset);
        let sent = *sent;
        self.update_lag(key, sent);
    }

    /// An `:ok` poll returned `key` up to `offset` (−1: an empty list).
    pub fn saw_poll(&mut self, key: u64, offset: i64) {
        let polled = self.polled_max.entry(key).or_insert(offset);
        *polled = (*polled).max(offset);
        if let Some(&sent) = self.sent_max.get(&key) {
            self.update_lag(key, sent);
        }
    }

    fn update_lag(&mut self, key: u64, sent: i64) {
        if self.polled_max.get(&key).is_none_or(|p| *p < sent) {
            self.lagging.insert(key);
        } else {
            self.lagging.remove(&key);
        }
    }

    /// The final phase's targets: per key, the highest offset seen in any `:ok` send or poll.
    pub fn targets(&self) -> BTreeMap<u64, i64> {
        let mut t = self.sent_max.clone();
        for (k, o) in &self.polled_max {
            let e = t.entry(*k).or_insert(*o);
            *e = (*e).max(*o);
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::rng::{self, Stream};

    fn mix(opts: KafkaOptions, n: usize) -> (usize, usize, usize, usize, KafkaGenerator) {
        let mut g = KafkaGenerator::new(opts, 4);
        let mut rng = rng::stream(7, Stream::Workload);
        let (mut sends, mut polls, mut assigns, mut crashes) = (0, 0, 0, 0);
        for i in 0..n {
            match g.next_op(&mut rng, Duration::from_millis(1 + i as u64)) {
                KafkaOp::Send { .. } => sends += 1,
                KafkaOp::Poll => polls += 1,
                KafkaOp::Assign(_) => assigns += 1,
                KafkaOp::Crash => crashes += 1,
            }
        }
        (sends, polls, assigns, crashes, g)
    }

    #[test]
    fn the_mix_is_an_eighth_assign_and_sends_and_polls_sixteen_to_seventeen() {
        let n = 64_000;
        let (s, p, a, c, _) = mix(KafkaOptions::default(), n);
        let frac = |x: usize| x as f64 / n as f64;
        // Every 17th send draw on a slot retires its key and is drawn again (send or poll):
        // sends : polls = 16 : 17 among the 7/8 of slots that are not assigns.
        assert!(
            (frac(s) - 7.0 / 8.0 * 16.0 / 33.0).abs() < 0.006,
            "{s} {p} {a} {c}"
        );
        assert!((frac(p) - 7.0 / 8.0 * 17.0 / 33.0).abs() < 0.006, "{p}");
        assert!((frac(a) - 1.0 / 8.0).abs() < 0.01, "{a}");
        // 64 s of slots, crash gaps U(0, 15 s) at concurrency 4: about 64 / 7.5 crashes.
        assert!((4..=20).contains(&c), "{c}");
        let opts = KafkaOptions {
            assign_odds: 64,
            ..KafkaOptions::default()
        };
        let (_, _, a, _, _) = mix(opts, n);
        assert!((frac(a) - 1.0 / 64.0).abs() < 0.004, "{a}");
    }

    #[test]
    fn keys_retire_after_sixteen_messages_and_the_last_slot_is_drawn_half_the_time() {
        let mut g = KafkaGenerator::new(KafkaOptions::default(), 2);
        let mut rng = rng::stream(3, Stream::Workload);
        let mut per_key: BTreeMap<u64, Vec<i64>> = BTreeMap::new();
        let at = Duration::from_millis(1);
        g.next_crash = Duration::from_secs(1 << 30);
        for _ in 0..20_000 {
            if let KafkaOp::Send { key, msg } = g.next_op(&mut rng, at) {
                per_key.entry(key).or_default().push(msg);
            }
        }
        for msgs in per_key.values() {
            assert!(msgs.len() <= 16);
            assert!(msgs.iter().copied().eq(1..=msgs.len() as i64), "{msgs:?}");
        }
        assert!(per_key.len() > 500, "keys retire and fresh ones follow");
        let mut rng = rng::stream(5, Stream::Workload);
        let last = (0..20_000).filter(|_| g.slot(&mut rng) == 9).count();
        assert!((9_000..11_000).contains(&last), "{last}");
    }

    #[test]
    fn assigns_repeat_the_displaced_operation_and_catch_up_lists_lagging_keys() {
        let opts = KafkaOptions {
            assign_odds: 1,
            ..KafkaOptions::default()
        };
        let mut g = KafkaGenerator::new(opts, 2);
        g.next_crash = Duration::from_secs(1 << 30);
        g.saw_send(40, 3);
        g.saw_send(41, 0);
        g.saw_poll(41, 0);
        g.saw_send(42, 5);
        g.saw_poll(42, 2);
        let mut rng = rng::stream(9, Stream::Workload);
        let at = Duration::from_millis(1);
        let mut extended = 0;
        for _ in 0..300 {
            let KafkaOp::Assign(keys) = g.next_op(&mut rng, at) else {
                panic!("every slot is an assign at odds 1");
            };
            let base = g.pending.as_ref().map(|p| p.1).unwrap();
            if keys.len() > 1 {
                extended += 1;
                // Jepsen's `(distinct (concat (keys sent) keys))`: the lagging keys, then
                // the displaced operation's own key.
                assert_eq!(keys, [40, 42, base]);
            } else {
                assert_eq!(keys, [base], "the displaced operation's key");
            }
        }
        assert!((70..130).contains(&extended), "a third: {extended}");
        assert_eq!(g.targets(), BTreeMap::from([(40, 3), (41, 0), (42, 5)]));
    }

    /// Elle's key distribution as `jepsen/tests/kafka.clj` uses it: slot i of 10 with
    /// probability 2^(i+1)/2046, every slot, not just the last.
    #[test]
    fn every_slot_is_drawn_with_weight_two_to_the_i_plus_one() {
        let g = KafkaGenerator::new(KafkaOptions::default(), 4);
        let mut rng = rng::stream(11, Stream::Workload);
        let n = 200_000;
        let mut counts = [0usize; 10];
        for _ in 0..n {
            counts[g.slot(&mut rng)] += 1;
        }
        for (i, c) in counts.iter().enumerate() {
            let p = f64::from(1u32 << (i + 1)) / 2046.0;
            let sd = (p * (1.0 - p) / n as f64).sqrt();
            let got = *c as f64 / n as f64;
            assert!((got - p).abs() < 5.0 * sd + 1e-4, "slot {i}: {got} vs {p}");
        }
    }

    /// A retired slot takes the largest active key + 1, so fresh keys are 10, 11, 12, …
    /// (never a key that was used before), and each key's sends are 1…16 in order.
    #[test]
    fn retired_keys_are_replaced_by_the_next_unused_key() {
        let mut g = KafkaGenerator::new(KafkaOptions::default(), 2);
        g.next_crash = Duration::from_secs(1 << 30);
        let mut rng = rng::stream(4, Stream::Workload);
        let mut retired = 0;
        for _ in 0..5_000 {
            let before = g.active.clone();
            let largest = before.iter().copied().max().unwrap();
            g.next_op(&mut rng, Duration::ZERO);
            let mut fresh: Vec<u64> = (0..10)
                .filter(|i| g.active[*i] != before[*i])
                .map(|i| g.active[i])
                .collect();
            fresh.sort_unstable();
            retired += fresh.len();
            assert!(
                fresh
                    .iter()
                    .copied()
                    .eq(largest + 1..largest + 1 + fresh.len() as u64),
                "{before:?} -> {:?}",
                g.active
            );
        }
        assert!(retired > 100, "{retired}");
        let mut active = g.active.clone();
        active.sort_unstable();
        active.dedup();
        assert_eq!(active.len(), 10, "ten distinct active keys");
    }

    /// Jepsen's crash stream: the first crash at the start, then gaps uniform in
    /// [0, 2·30 s / concurrency), merged by due time with the other operations.
    #[test]
    fn crashes_start_at_once_and_follow_uniform_gaps() {
        let threads = 4;
        let mut g = KafkaGenerator::new(KafkaOptions::default(), threads);
        let mut rng = rng::stream(6, Stream::Workload);
        assert_eq!(g.next_op(&mut rng, Duration::ZERO), KafkaOp::Crash);
        let span = Duration::from_secs(2 * 30) / threads as u32;
        let mut due = g.next_crash;
        assert!(due < span);
        let mut gaps = Vec::new();
        let step = Duration::from_millis(10);
        let mut at = Duration::ZERO;
        while gaps.len() < 400 {
            at += step;
            if g.next_op(&mut rng, at) == KafkaOp::Crash {
                assert!(at >= due && at < due + step, "a crash as soon as it is due");
                gaps.push(g.next_crash - at);
                due = g.next_crash;
            } else {
                assert!(at < due);
            }
        }
        assert!(gaps.iter().all(|gap| *gap < span));
        let mean = gaps.iter().sum::<Duration>().as_secs_f64() / gaps.len() as f64;
        assert!(
            (mean - 7.5).abs() < 0.6,
            "U(0, 15 s) has mean 7.5 s: {mean}"
        );
    }
}
