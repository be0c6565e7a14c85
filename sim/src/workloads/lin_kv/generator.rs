//! lin-kv's generator: Jepsen's `independent/concurrent-generator` over
//! `tests/linearizable_register.clj`'s per-key generator (`jepsen/independent.clj`,
//! `jepsen/generator.clj`).
//!
//! The client threads, sorted, are cut into contiguous groups of 2·N (N nodes); the
//! concurrency must be a positive multiple of 2·N, else Jepsen's assertion aborts the run.
//! Group g starts on key g; when its key retires it takes the next key never used
//! (groups, groups + 1, …). Inside a group (`gen/reserve N r (gen/mix [w cas cas])`) the N
//! lowest threads only read; the other N write (⅓, a value 0…4) or compare-and-set (⅔, from
//! and to each 0…4). A due operation goes to a group with a free thread, chosen uniformly
//! (equal weights 2·N), then to one of that group's halves with a free thread (equal weights
//! N), then to the half's next free thread in round-robin order.
//!
//! `gen/process-limit 20`: whenever a group is asked for an operation, the processes of its
//! threads join the set its key has seen; once that set would exceed 20, the key retires and
//! the group moves to a fresh key (every `:info` gives a thread a new process, so a key
//! retires after 21 − 2·N crashes). There is no per-key operation limit and no final phase.

use std::collections::BTreeSet;

use crate::history::{OpF, OpValue};
use crate::workloads::boundary::ThreadView;
use crate::world::rng::Rng;
use serde_json::{Value, json};

/// `read`.
pub const READ: OpF = OpF::READ;
/// `write`.
pub const WRITE: OpF = OpF::new("write");
/// `cas`.
pub const CAS: OpF = OpF::new("cas");

/// Maelstrom's per-key process limit (`linearizable_register.clj`'s default).
pub const PROCESS_LIMIT: usize = 20;

/// One group of threads and the key it works on.
#[derive(Clone, Debug)]
struct Group {
    key: i64,
    /// Processes the key has seen while this group worked on it.
    procs: BTreeSet<u64>,
    /// Round-robin cursors of the reader and writer halves.
    cursor: [usize; 2],
}

/// The generator's state.
#[derive(Clone, Debug)]
pub struct Independent {
    /// Threads per half (the node count).
    half: usize,
    groups: Vec<Group>,
    next_key: i64,
}

impl Independent {
    /// The generator for `threads` client threads on `nodes` nodes, or Jepsen's assertion
    /// message when the threads do not split into groups of 2·`nodes` (and the message of a
    /// run that would never start an operation when 2·`nodes` exceeds the process limit).
    pub fn new(nodes: usize, threads: usize) -> Result<Independent, String> {
        let size = 2 * nodes;
        if size > threads {
            return Err(format!(
                "Assert failed: With {threads} worker threads, this \
                 jepsen.concurrent/concurrent-generator cannot run a key with {size} threads \
                 concurrently. Consider raising your test's :concurrency to at least {size}."
            ));
        }
        let groups = threads / size;
        if groups * size != threads {
            return Err(format!(
                "Assert failed: This jepsen.independent/concurrent-generator has {threads} \
                 threads to work with, but can only use {} of those threads to run {groups} \
                 concurrent keys with {size} threads apiece. Consider raising or lowering the \
                 test's :concurrency to a multiple of {size}.",
                groups * size
            ));
        }
        if size > PROCESS_LIMIT {
            return Err(format!(
                "with {nodes} nodes a key's group has {size} processes, more than the per-key \
                 process limit of {PROCESS_LIMIT}: Maelstrom's generator would retire every \
                 key at once and never start an operation"
            ));
        }
        Ok(Independent {
            half: nodes,
            groups: (0..groups as i64)
                .map(|key| Group {
                    key,
                    procs: BTreeSet::new(),
                    cursor: [0, 0],
                })
                .collect(),
            next_key: groups as i64,
        })
    }

    /// How many client threads the generator serves.
    pub fn threads(&self) -> usize {
        self.groups.len() * 2 * self.half
    }

    /// The key group `g` works on now.
    pub fn key_of(&self, g: usize) -> i64 {
        self.groups[g].key
    }

    /// The next operation: (thread, f, value) with the value a `[k v]` tuple, or `None`
    /// when no thread is free.
    pub fn next(&mut self, threads: &[ThreadView], rng: &mut Rng) -> Option<(usize, OpF, OpValue)> {
        let size = 2 * self.half;
        let free = |t: usize| threads.get(t).is_some_and(|w| !w.busy);
        let offering: Vec<usize> = (0..self.groups.len())
            .filter(|&g| (g * size..(g + 1) * size).any(free))
            .collect();
        // Every free group is asked: the process limit may retire its key now.
        for &g in &offering {
            let seen = self.seen(g, threads);
            if seen.len() > PROCESS_LIMIT {
                let group = &mut self.groups[g];
                group.key = self.next_key;
                group.procs.clear();
                self.next_key += 1;
            }
        }
        let &g = offering.get(rng.below(offering.len() as u64) as usize)?;
        self.groups[g].procs = self.seen(g, threads);
        let base = g * size;
        let halves: Vec<usize> = (0..2)
            .filter(|&h| (0..self.half).any(|i| free(base + h * self.half + i)))
            .collect();
        let h = halves[rng.below(halves.len() as u64) as usize];
        let group = &mut self.groups[g];
        let start = group.cursor[h];
        let i = (0..self.half)
            .map(|k| (start + k) % self.half)
            .find(|&i| free(base + h * self.half + i))?;
        group.cursor[h] = (i + 1) % self.half;
        let thread = base + h * self.half + i;
        let key = group.key;
        let (f, v) = if h == 0 {
            (READ, Value::Null)
        } else if rng.below(3) == 0 {
            (WRITE, json!(rng.below(5)))
        } else {
            let from = rng.below(5);
            (CAS, json!([from, rng.below(5)]))
        };
        Some((thread, f, OpValue::Json(json!([key, v]))))
    }

    /// The processes key `g` would have seen after this request.
    fn seen(&self, g: usize, threads: &[ThreadView]) -> BTreeSet<u64> {
        let size = 2 * self.half;
        let mut procs = self.groups[g].procs.clone();
        procs.extend(threads[g * size..(g + 1) * size].iter().map(|w| w.process));
        procs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::rng::{self, Stream};

    fn idle(n: usize) -> Vec<ThreadView> {
        (0..n)
            .map(|t| ThreadView {
                busy: false,
                process: t as u64,
            })
            .collect()
    }

    #[test]
    fn concurrency_must_be_a_positive_multiple_of_twice_the_nodes() {
        let e = Independent::new(3, 3).unwrap_err();
        assert!(
            e.contains("raising your test's :concurrency to at least 6"),
            "{e}"
        );
        let e = Independent::new(3, 9).unwrap_err();
        assert!(e.contains("can only use 6 of those threads"), "{e}");
        assert!(e.contains("a multiple of 6"), "{e}");
        assert!(Independent::new(3, 12).is_ok());
        assert!(
            Independent::new(11, 22).is_err(),
            "22 processes > the limit of 20"
        );
    }

    #[test]
    fn readers_and_writers_per_group_on_keys_in_order() {
        let mut g = Independent::new(2, 8).expect("8 = 2 × 4");
        let mut rng = rng::stream(5, Stream::Workload);
        let threads = idle(8);
        let (mut reads, mut writes, mut cas) = (0, 0, 0);
        for _ in 0..30_000 {
            let (t, f, v) = g.next(&threads, &mut rng).expect("free threads");
            let OpValue::Json(Value::Array(kv)) = &v else {
                panic!("{v:?}")
            };
            assert_eq!(
                kv[0],
                json!(t / 4),
                "group {} works on key {}",
                t / 4,
                t / 4
            );
            match f {
                READ => {
                    assert!(t % 4 < 2, "thread {t} is a writer");
                    assert_eq!(kv[1], Value::Null);
                    reads += 1;
                }
                WRITE => {
                    assert!(t % 4 >= 2);
                    assert!(kv[1].as_u64().is_some_and(|v| v < 5));
                    writes += 1;
                }
                _ => {
                    assert!(t % 4 >= 2);
                    assert!(kv[1].as_array().is_some_and(|a| a.len() == 2));
                    cas += 1;
                }
            }
        }
        assert!((14_400..15_600).contains(&reads), "½ reads: {reads}");
        assert!((4_600..5_400).contains(&writes), "⅙ writes: {writes}");
        assert!((9_400..10_600).contains(&cas), "⅓ cas: {cas}");
    }

    #[test]
    fn a_key_retires_after_twenty_one_minus_two_n_crashes() {
        // 3 nodes: groups of 6; 15 crashes bring the key's processes to 21.
        let mut g = Independent::new(3, 6).expect("one group");
        let mut rng = rng::stream(1, Stream::Workload);
        let mut threads = idle(6);
        for crash in 0..15u64 {
            let (_, _, v) = g.next(&threads, &mut rng).expect("a thread");
            assert_eq!(key(&v), 0, "{} processes so far", 6 + crash);
            threads[0].process += 6;
        }
        let (_, _, v) = g.next(&threads, &mut rng).expect("a thread");
        assert_eq!(
            key(&v),
            1,
            "21 processes: the key retired, the group took key 1"
        );
    }

    fn key(v: &OpValue) -> i64 {
        match v {
            OpValue::Json(kv) => kv[0].as_i64().expect("an integer key"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn busy_groups_wait() {
        let mut g = Independent::new(1, 2).expect("one group");
        let mut rng = rng::stream(1, Stream::Workload);
        let mut threads = idle(2);
        threads[0].busy = true;
        threads[1].busy = true;
        assert!(g.next(&threads, &mut rng).is_none());
        threads[1].busy = false;
        let (t, f, _) = g.next(&threads, &mut rng).expect("the writer is free");
        assert_eq!(t, 1);
        assert_ne!(f, READ);
    }
}
