//! `lww-kv`: Maelstrom's `Eventual` wrapper around two last-write-wins replicas.
//!
//! Each replica maps keys to `{ts, value}` and keeps a Lamport counter that stamps every write
//! and successful cas, then increments. Each request goes to one replica chosen uniformly and
//! is handled there like `lin-kv`, except that `create_if_not_exists` is ignored and the
//! error 22 text prints `from` with `str` (a string appears unquoted).
//!
//! Maelstrom also merges a random replica into another on every request, but it builds the
//! new replica vector from the pre-merge one, so the merge is thrown away: **the replicas
//! never converge**. This reproduces that. A key written once is found with probability ½ per
//! read; concurrent writers can leave the two replicas different for ever. (Maelstrom's
//! `doc/services.md` describes five gossiping replicas; the code runs two that never merge.)

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::edn;
use super::kv::{self, field};
use crate::world::rng::Rng;

/// How many replicas Maelstrom's `lww-kv` runs.
pub(crate) const REPLICAS: usize = 2;

#[derive(Clone, Debug, Default)]
struct Replica {
    clock: u64,
    /// Canonical key text → (timestamp, value).
    m: BTreeMap<String, (u64, Value)>,
}

impl Replica {
    fn handle(&mut self, body: &Map<String, Value>) -> Option<Map<String, Value>> {
        let k = kv::key_of(body);
        let kind = body.get("type").and_then(Value::as_str)?;
        Some(match kind {
            "read" => match self.m.get(&k) {
                Some((_, v)) => kv::body(json!({"type": "read_ok", "value": v})),
                None => kv::no_such_key(),
            },
            "write" => {
                self.stamp(k, field(body, "value").clone());
                kv::body(json!({"type": "write_ok"}))
            }
            "cas" => {
                let from = field(body, "from");
                match self.m.get(&k) {
                    Some((_, cur)) if cur == from => {
                        self.stamp(k, field(body, "to").clone());
                        kv::cas_ok()
                    }
                    Some((_, cur)) => kv::precondition_failed(format!(
                        "current value {} is not {}",
                        edn::pr_str(cur),
                        edn::str_of(from)
                    )),
                    None => kv::no_such_key(),
                }
            }
            _ => return None,
        })
    }

    fn stamp(&mut self, k: String, v: Value) {
        self.m.insert(k, (self.clock, v));
        self.clock += 1;
    }
}

/// The state of `lww-kv`.
#[derive(Debug)]
pub(crate) struct LwwKv {
    replicas: [Replica; REPLICAS],
    rng: Rng,
}

impl LwwKv {
    /// Two empty replicas with their own random stream.
    pub(crate) fn new(rng: Rng) -> LwwKv {
        LwwKv {
            replicas: Default::default(),
            rng,
        }
    }

    /// Handles one request; `None` if its type is unknown (no reply).
    pub(crate) fn handle(&mut self, body: &Map<String, Value>) -> Option<Map<String, Value>> {
        // Maelstrom draws a merge source and destination, merges, and discards the result.
        let _merge_source = self.rng.below(REPLICAS as u64);
        let _merge_dest = self.rng.below(REPLICAS as u64);
        let i = self.rng.below(REPLICAS as u64) as usize;
        // Replicas are persistent values in Maelstrom: a throwing handler changes nothing,
        // and no handler here changes a replica before deciding to reply.
        self.replicas[i].handle(body)
    }

    /// The value replica `i` holds for `key` (canonical JSON text), for tests.
    #[cfg(test)]
    fn peek(&self, i: usize, key: &str) -> Option<&Value> {
        self.replicas[i].m.get(key).map(|(_, v)| v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::rng::{self, Stream};

    fn req(v: Value) -> Map<String, Value> {
        kv::body(v)
    }

    #[test]
    fn replicas_never_converge_and_reads_find_a_single_write_half_the_time() {
        let mut s = LwwKv::new(rng::stream(3, Stream::Workload));
        s.handle(&req(json!({"type": "write", "key": "k", "value": 7})));
        let holders = (0..REPLICAS)
            .filter(|&i| s.peek(i, "\"k\"").is_some())
            .count();
        assert_eq!(holders, 1, "a write lands on one replica");
        let mut found = 0;
        for _ in 0..2000 {
            let r = s.handle(&req(json!({"type": "read", "key": "k"}))).unwrap();
            if r["type"] == "read_ok" {
                assert_eq!(r["value"], 7);
                found += 1;
            } else {
                assert_eq!(r["code"], 20);
            }
        }
        assert!((850..1150).contains(&found), "about half: {found}");
        let holders = (0..REPLICAS)
            .filter(|&i| s.peek(i, "\"k\"").is_some())
            .count();
        assert_eq!(
            holders, 1,
            "2000 requests later the other replica still lacks it"
        );
    }

    #[test]
    fn cas_ignores_create_and_prints_from_with_str() {
        let mut s = LwwKv::new(rng::stream(4, Stream::Workload));
        let create = req(json!({"type": "cas", "key": "c", "from": 0, "to": 1,
                                 "create_if_not_exists": true}));
        for _ in 0..20 {
            assert_eq!(s.handle(&create).unwrap()["code"], 20);
        }
        for i in 0..REPLICAS {
            s.replicas[i].stamp("\"c\"".into(), json!("cur"));
        }
        let r = s
            .handle(&req(
                json!({"type": "cas", "key": "c", "from": "x", "to": 1}),
            ))
            .unwrap();
        assert_eq!(r["text"], "current value \"cur\" is not x");
        let r = s
            .handle(&req(
                json!({"type": "cas", "key": "c", "from": "cur", "to": 1}),
            ))
            .unwrap();
        assert_eq!(r, kv::cas_ok());
        assert!(s.handle(&req(json!({"type": "ts"}))).is_none());
    }

    #[test]
    fn the_lamport_counter_stamps_then_increments() {
        let mut r = Replica::default();
        r.handle(&req(json!({"type": "write", "key": 1, "value": "a"})));
        r.handle(&req(json!({"type": "write", "key": 2, "value": "b"})));
        assert_eq!(r.clock, 2);
        assert_eq!(r.m.get("1").map(|e| e.0), Some(0));
        assert_eq!(r.m.get("2").map(|e| e.0), Some(1));
    }
}
