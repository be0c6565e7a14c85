//! `seq-kv`: Maelstrom's `Sequential` wrapper around the KV state machine.
//!
//! It keeps the 32 most recent states in a ring, the index `last` of the newest (0 is the
//! empty initial state), and per caller id the index `seen` of the state it last observed.
//! For each request from `src`:
//!
//! 1. it picks `idx = seen + rand-int(last − seen)`, i.e. uniformly in `[seen, last)`, or
//!    `last` itself when `seen = last` (Clojure's `rand-int n` is in `[0, n)`: a caller that
//!    is behind never sees the newest state on a read; Maelstrom's
//!    `maelstrom/src/maelstrom/service.clj` excludes `last`);
//! 2. it runs the request on state `idx`; if that leaves the state equal (reads, errors, a
//!    failed cas, a write of the value the key already has *there*), the reply is that
//!    result and `seen = idx`;
//! 3. otherwise it runs the request again on the newest state, appends the result as state
//!    `last + 1` (evicting the oldest beyond 32), and sets `seen = last`.
//!
//! A state more than 31 changes behind `last` is no longer held; the ring lookup then wraps
//! to the retained state whose index is congruent modulo 32 (amalloy's ring buffer indexes
//! modulo its length), so a long-silent caller can see a newer state than `idx`.

use std::collections::{BTreeMap, VecDeque};

use serde_json::{Map, Value};

use super::kv::{self, KvMap};
use crate::world::rng::Rng;

/// How many states the ring keeps.
pub(crate) const RING: usize = 32;

/// The state of `seq-kv`.
#[derive(Debug)]
pub(crate) struct SeqKv {
    /// Oldest first; the back is state `last`.
    ring: VecDeque<KvMap>,
    last: u64,
    seen: BTreeMap<String, u64>,
    rng: Rng,
}

impl SeqKv {
    /// The empty store (state 0) with its own random stream.
    pub(crate) fn new(rng: Rng) -> SeqKv {
        SeqKv {
            ring: VecDeque::from([KvMap::new()]),
            last: 0,
            seen: BTreeMap::new(),
            rng,
        }
    }

    /// The index of the newest state.
    #[cfg(test)]
    pub(crate) fn last(&self) -> u64 {
        self.last
    }

    /// The state index `src` last observed (0 if it never called).
    pub(crate) fn seen(&self, src: &str) -> u64 {
        self.seen.get(src).copied().unwrap_or(0)
    }

    /// The state the ring returns for index `idx ≤ last`.
    fn state(&self, idx: u64) -> &KvMap {
        let len = self.ring.len() as u64;
        let back = (self.last - idx) % len;
        &self.ring[(len - 1 - back) as usize]
    }

    /// Handles one request from `src`; `None` if its type is unknown (no reply).
    pub(crate) fn handle(
        &mut self,
        src: &str,
        body: &Map<String, Value>,
    ) -> Option<Map<String, Value>> {
        let seen = self.seen(src);
        let idx = seen + self.rng.below(self.last - seen);
        let old = self.state(idx);
        let step = kv::step(old, body)?;
        if !step.changes(old) {
            self.seen.insert(src.to_string(), idx);
            return Some(step.reply);
        }
        let mut newest = self.ring.back().cloned().unwrap_or_default();
        let reply = kv::step(&newest, body)?.apply(&mut newest);
        if self.ring.len() == RING {
            self.ring.pop_front();
        }
        self.ring.push_back(newest);
        self.last += 1;
        self.seen.insert(src.to_string(), self.last);
        Some(reply)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::rng::{self, Stream};
    use serde_json::json;

    fn req(v: Value) -> Map<String, Value> {
        kv::body(v)
    }

    fn store() -> SeqKv {
        SeqKv::new(rng::stream(9, Stream::Workload))
    }

    fn write(s: &mut SeqKv, src: &str, key: &str, v: i64) -> Value {
        let b = req(json!({"type": "write", "key": key, "value": v}));
        Value::Object(s.handle(src, &b).unwrap())
    }

    fn read(s: &mut SeqKv, src: &str, key: &str) -> Value {
        let b = req(json!({"type": "read", "key": key}));
        Value::Object(s.handle(src, &b).unwrap())
    }

    #[test]
    fn a_writer_reads_its_own_writes_and_the_state_index_advances() {
        let mut s = store();
        for v in 1..=5 {
            assert_eq!(write(&mut s, "n0", "x", v)["type"], "write_ok");
            assert_eq!((s.last(), s.seen("n0")), (v as u64, v as u64));
            assert_eq!(
                read(&mut s, "n0", "x")["value"],
                v,
                "seen = last: newest state"
            );
        }
    }

    #[test]
    fn another_caller_reads_any_state_from_its_last_up_to_but_not_the_newest() {
        let mut s = store();
        for v in 1..=10 {
            write(&mut s, "n0", "x", v);
        }
        // n1 never called: seen 0, so it reads one of states 0..=9, uniformly, never 10.
        let mut counts = [0u32; 11];
        for trial in 0..2000 {
            let mut s2 = SeqKv::new(rng::stream(trial, Stream::Workload));
            for v in 1..=10 {
                write(&mut s2, "n0", "x", v);
            }
            let r = read(&mut s2, "n1", "x");
            counts[r.get("value").and_then(Value::as_i64).unwrap_or(0) as usize] += 1;
            assert_eq!(
                s2.seen("n1"),
                r.get("value").and_then(Value::as_u64).unwrap_or(0)
            );
        }
        assert_eq!(
            counts[10], 0,
            "the newest state is out of reach: {counts:?}"
        );
        for (state, &c) in counts[..10].iter().enumerate() {
            assert!(
                (140..260).contains(&c),
                "state {state}: {c} of 2000 ({counts:?})"
            );
        }
        // Reads never go backwards for one caller.
        let mut prev = 0;
        for _ in 0..50 {
            let v = read(&mut s, "n1", "x")
                .get("value")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            assert!(v >= prev, "monotonic per caller");
            prev = v;
            assert!(s.seen("n1") < s.last());
        }
    }

    #[test]
    fn a_write_equal_to_the_old_state_is_answered_from_it_and_not_applied() {
        let mut s = store();
        write(&mut s, "n0", "x", 1); // state 1: x=1
        write(&mut s, "n0", "x", 2); // state 2: x=2
        // n1 has seen state 1: it picks idx in [1, 2) = 1, where x is already 1.
        s.seen.insert("n1".into(), 1);
        assert_eq!(write(&mut s, "n1", "x", 1)["type"], "write_ok");
        assert_eq!(s.last(), 2, "nothing appended");
        assert_eq!(s.seen("n1"), 1);
        assert_eq!(
            read(&mut s, "n0", "x")["value"],
            2,
            "the newest state still says 2"
        );
        // A cas judged against the old state fails with 22 although the newest matches.
        let cas = req(json!({"type": "cas", "key": "x", "from": 2, "to": 3}));
        let r = s.handle("n1", &cas).unwrap();
        assert_eq!(r["code"], 22);
        assert_eq!(r["text"], "current value 1 is not 2");
    }

    #[test]
    fn the_ring_keeps_32_states_and_wraps_modulo_32() {
        let mut s = store();
        for v in 1..=40 {
            write(&mut s, "n0", "x", v);
        }
        assert_eq!(s.ring.len(), RING);
        // Index 3 is long evicted: the lookup returns state 35 (3 ≡ 35 mod 32).
        assert_eq!(s.state(3).get("\"x\""), Some(&json!(35)));
        assert_eq!(s.state(40).get("\"x\""), Some(&json!(40)));
        assert_eq!(s.state(9).get("\"x\""), Some(&json!(9)));
    }

    #[test]
    fn unknown_types_get_no_reply_and_change_nothing() {
        let mut s = store();
        assert!(s.handle("n0", &req(json!({"type": "ts"}))).is_none());
        assert_eq!((s.last(), s.seen("n0")), (0, 0));
    }
}
