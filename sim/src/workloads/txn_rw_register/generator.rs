//! The transaction generator: Elle's `wr-txns` as Maelstrom's txn-rw-register uses it.
//!
//! Each transaction has a length uniform in `min_txn_length..=max_txn_length`; each
//! micro-operation is a read (`["r", k, null]`) or a write (`["w", k, v]`) with even odds. Keys
//! come from `key_count` active slots, slot i drawn with probability
//! 2^(i+1) / (2·(2^key_count − 1)) (so the last slot about half the time). Per key the written
//! values are 1, 2, … up to `max_writes_per_key`; a write that would go beyond retires that
//! slot's key (replaced by the largest active key + 1) and the micro-operation is drawn again.
//! A key may repeat within a transaction.

use std::collections::HashMap;

use super::elle::history::{Key, Mop};
use crate::world::rng::Rng;

/// Maelstrom's generator options (`--key-count`, `--min-txn-length`, `--max-txn-length`,
/// `--max-writes-per-key`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TxnOptions {
    /// Active keys at any time (default 10).
    pub key_count: usize,
    /// Shortest transaction (default 1).
    pub min_txn_length: usize,
    /// Longest transaction (default 4).
    pub max_txn_length: usize,
    /// Writes per key before it is retired (default 16).
    pub max_writes_per_key: i64,
}

impl Default for TxnOptions {
    fn default() -> TxnOptions {
        TxnOptions {
            key_count: 10,
            min_txn_length: 1,
            max_txn_length: 4,
            max_writes_per_key: 16,
        }
    }
}

impl TxnOptions {
    /// The options `setup`'s flags give (`--key-count`, `--max-txn-length`,
    /// `--max-writes-per-key`, and `--min-txn-length` if the workload takes it, else 1),
    /// validated.
    pub(crate) fn from_flags(
        setup: &crate::workloads::boundary::Setup<'_>,
        min_length_flag: bool,
    ) -> Result<TxnOptions, String> {
        let d = TxnOptions::default();
        let options = TxnOptions {
            key_count: setup.option("key-count", d.key_count)?,
            min_txn_length: if min_length_flag {
                setup.option("min-txn-length", d.min_txn_length)?
            } else {
                1
            },
            max_txn_length: setup.option("max-txn-length", d.max_txn_length)?,
            max_writes_per_key: setup.option("max-writes-per-key", d.max_writes_per_key)?,
        };
        options.validate()?;
        Ok(options)
    }

    /// Why these options are unusable, if they are.
    pub fn validate(&self) -> Result<(), String> {
        if self.key_count == 0 || self.key_count > 60 {
            return Err(format!(
                "--key-count must be in 1..=60, not {}",
                self.key_count
            ));
        }
        if self.min_txn_length == 0 || self.min_txn_length > self.max_txn_length {
            return Err(format!(
                "need 1 <= --min-txn-length ({}) <= --max-txn-length ({})",
                self.min_txn_length, self.max_txn_length
            ));
        }
        if self.max_writes_per_key < 1 {
            return Err("--max-writes-per-key must be positive".into());
        }
        Ok(())
    }
}

/// Generates the workload's transactions (requests: reads carry no value).
#[derive(Clone, Debug)]
pub struct TxnGenerator {
    opts: TxnOptions,
    active: Vec<Key>,
    /// Per key, the last value written (absent: none yet).
    written: HashMap<Key, i64>,
    /// 2·(2^key_count − 1): the span of the slot draw.
    scale: f64,
}

impl TxnGenerator {
    /// A generator with keys 0 … key_count−1 active.
    pub fn new(opts: TxnOptions) -> TxnGenerator {
        TxnGenerator {
            opts,
            active: (0..opts.key_count as Key).collect(),
            written: HashMap::new(),
            scale: ((2f64).powi(opts.key_count as i32) - 1.0) * 2.0,
        }
    }

    /// The active slot drawn: floor(log2(U·scale + 2)) − 1.
    fn slot(&self, rng: &mut Rng) -> usize {
        let i = (rng.unit() * self.scale + 2.0).log2().floor() as usize;
        i.saturating_sub(1).min(self.opts.key_count - 1)
    }

    /// The next transaction.
    pub(crate) fn next_txn(&mut self, rng: &mut Rng) -> Vec<Mop> {
        let span = (self.opts.max_txn_length - self.opts.min_txn_length + 1) as u64;
        let len = self.opts.min_txn_length + rng.below(span) as usize;
        let mut txn = Vec::with_capacity(len);
        while txn.len() < len {
            let read = rng.below(2) == 0;
            let slot = self.slot(rng);
            let k = self.active[slot];
            if read {
                txn.push(Mop::Read(k, None));
                continue;
            }
            let v = self.written.get(&k).copied().unwrap_or(0) + 1;
            if v > self.opts.max_writes_per_key {
                let fresh = self.active.iter().copied().max().unwrap_or(-1) + 1;
                self.active[slot] = fresh;
                continue;
            }
            self.written.insert(k, v);
            txn.push(Mop::Write(k, v));
        }
        txn
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::rng::{self, Stream};

    #[test]
    fn lengths_mix_slots_and_values_follow_elle() {
        let mut rng = rng::stream(3, Stream::Workload);
        let mut g = TxnGenerator::new(TxnOptions::default());
        let (mut reads, mut writes) = (0usize, 0usize);
        let mut lengths = [0usize; 5];
        let mut last: HashMap<Key, i64> = HashMap::new();
        let n = 40_000;
        for _ in 0..n {
            let t = g.next_txn(&mut rng);
            lengths[t.len()] += 1;
            for m in t {
                match m {
                    Mop::Read(_, v) => {
                        assert_eq!(v, None);
                        reads += 1;
                    }
                    Mop::Write(k, v) => {
                        let prev = last.insert(k, v).unwrap_or(0);
                        assert_eq!(v, prev + 1, "values per key are 1, 2, …");
                        assert!(v <= 16);
                        writes += 1;
                    }
                }
            }
        }
        assert_eq!(lengths[0], 0);
        for (l, &c) in lengths.iter().enumerate().skip(1) {
            let share = c as f64 / n as f64;
            assert!((share - 0.25).abs() < 0.02, "length {l}: {share}");
        }
        let share = reads as f64 / (reads + writes) as f64;
        assert!((share - 0.5).abs() < 0.02, "reads {share}");
        // Every key retired so far was written exactly 16 times; a fresh key appears only
        // when one retires.
        let retired = last.values().filter(|&&v| v == 16).count();
        assert!(retired > 100, "{retired}");
        assert!(last.keys().max().copied().unwrap_or(0) as usize <= retired + 9);
    }

    #[test]
    fn slots_are_drawn_with_exponential_weights() {
        let mut rng = rng::stream(5, Stream::Workload);
        let g = TxnGenerator::new(TxnOptions::default());
        let mut counts = [0usize; 10];
        let n = 200_000;
        for _ in 0..n {
            counts[g.slot(&mut rng)] += 1;
        }
        for (i, &c) in counts.iter().enumerate() {
            let expected = 2f64.powi(i as i32 + 1) / 2046.0;
            let got = c as f64 / n as f64;
            assert!(
                (got - expected).abs() < 0.01 + expected * 0.1,
                "slot {i}: {got} vs {expected}"
            );
        }
    }

    #[test]
    fn options_bound_lengths_and_keys() {
        let opts = TxnOptions {
            key_count: 2,
            min_txn_length: 3,
            max_txn_length: 3,
            max_writes_per_key: 2,
        };
        opts.validate().expect("valid");
        let mut rng = rng::stream(1, Stream::Workload);
        let mut g = TxnGenerator::new(opts);
        for _ in 0..100 {
            let t = g.next_txn(&mut rng);
            assert_eq!(t.len(), 3);
            for m in t {
                if let Mop::Write(_, v) = m {
                    assert!(v <= 2);
                }
            }
        }
        assert!(
            TxnOptions {
                min_txn_length: 5,
                ..opts
            }
            .validate()
            .is_err()
        );
        assert!(
            TxnOptions {
                key_count: 0,
                ..opts
            }
            .validate()
            .is_err()
        );
    }
}
