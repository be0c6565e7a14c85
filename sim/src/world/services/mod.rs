//! Maelstrom's services: `lin-kv`, `seq-kv`, `lww-kv` and `lin-tso`, as sans-IO state
//! machines (request body in, reply body out; randomness from seeded streams passed in).
//!
//! Every test has all four, whatever the workload. A node calls one with an ordinary message
//! addressed to its name; the reply is the handler's body plus `in_reply_to` copied from the
//! request's `msg_id` (JSON `null` if it had none) and never carries a `msg_id`. A request
//! whose `type` the service does not know makes Maelstrom's handler throw: the worker logs
//! "Error in service worker!" and sends nothing, so the caller can only time out.
//!
//! | service | consistency | module |
//! |---|---|---|
//! | `lin-kv` | linearizable: one state, requests applied in the order the worker takes them | `kv` |
//! | `seq-kv` | sequential: reads may see any state since the caller's last one | `seq_kv` |
//! | `lww-kv` | two last-write-wins replicas that never merge | `lww_kv` |
//! | `lin-tso` | `ts` → 0, 1, 2, … across all callers | here |
//!
//! On the network each sits after the nodes with its own deadline queue and delivery worker,
//! draws latency on both legs, is never partitioned, and its traffic counts as `:servers`
//! (`world::network`); `drive::service_worker` hands delivered requests to these state
//! machines.

pub(crate) mod edn;
pub(crate) mod kv;
pub(crate) mod lww_kv;
pub(crate) mod seq_kv;

use std::fmt;

use serde_json::{Map, Value, json};

use crate::world::rng::{self, Rng, Stream};

/// One of Maelstrom's services.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Service {
    /// `lin-kv`: a linearizable key-value store.
    LinKv,
    /// `seq-kv`: a sequentially consistent key-value store.
    SeqKv,
    /// `lww-kv`: an eventually consistent (in fact never converging) key-value store.
    LwwKv,
    /// `lin-tso`: a linearizable timestamp oracle.
    LinTso,
}

impl Service {
    /// Every service, in a fixed order (their index in [`Service::index`]).
    pub const ALL: [Service; 4] = [
        Service::LinKv,
        Service::SeqKv,
        Service::LwwKv,
        Service::LinTso,
    ];

    /// Its network id.
    pub fn name(self) -> &'static str {
        match self {
            Service::LinKv => "lin-kv",
            Service::SeqKv => "seq-kv",
            Service::LwwKv => "lww-kv",
            Service::LinTso => "lin-tso",
        }
    }

    /// The service with network id `id`, if any.
    pub fn from_name(id: &str) -> Option<Service> {
        Service::ALL.into_iter().find(|s| s.name() == id)
    }

    /// Its position in [`Service::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The four services' states.
#[derive(Debug)]
pub struct Services {
    lin_kv: kv::KvMap,
    seq_kv: seq_kv::SeqKv,
    lww_kv: lww_kv::LwwKv,
    lin_tso: u64,
}

impl Services {
    /// Fresh services for the run seeded with `seed`.
    pub fn new(seed: u64) -> Services {
        Services::with_rngs(
            rng::stream(seed, Stream::SeqKv),
            rng::stream(seed, Stream::LwwKv),
        )
    }

    /// Fresh services; `seq-kv` and `lww-kv` draw from these streams.
    pub(crate) fn with_rngs(seq_rng: Rng, lww_rng: Rng) -> Services {
        Services {
            lin_kv: kv::KvMap::new(),
            seq_kv: seq_kv::SeqKv::new(seq_rng),
            lww_kv: lww_kv::LwwKv::new(lww_rng),
            lin_tso: 0,
        }
    }

    /// `service` handles one request body from caller `src`. Returns the reply body
    /// (with `in_reply_to`), or `None` when Maelstrom's worker would send nothing.
    pub fn handle(
        &mut self,
        service: Service,
        src: &str,
        body: &Map<String, Value>,
    ) -> Option<Map<String, Value>> {
        let mut reply = match service {
            Service::LinKv => kv::step(&self.lin_kv, body)?.apply(&mut self.lin_kv),
            Service::SeqKv => self.seq_kv.handle(src, body)?,
            Service::LwwKv => self.lww_kv.handle(body)?,
            Service::LinTso => {
                if body.get("type").and_then(Value::as_str) != Some("ts") {
                    return None;
                }
                let ts = self.lin_tso;
                self.lin_tso += 1;
                kv::body(json!({"type": "ts_ok", "ts": ts}))
            }
        };
        let in_reply_to = body.get("msg_id").cloned().unwrap_or(Value::Null);
        reply.insert("in_reply_to".into(), in_reply_to);
        Some(reply)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn services() -> Services {
        Services::new(1)
    }

    fn call(s: &mut Services, svc: Service, v: Value) -> Option<Value> {
        s.handle(svc, "n0", &kv::body(v)).map(Value::Object)
    }

    #[test]
    fn names_round_trip() {
        for s in Service::ALL {
            assert_eq!(Service::from_name(s.name()), Some(s));
        }
        assert_eq!(Service::from_name("n0"), None);
        assert_eq!(Service::SeqKv.to_string(), "seq-kv");
    }

    #[test]
    fn replies_copy_msg_id_into_in_reply_to_and_carry_no_msg_id() {
        let mut s = services();
        let r = call(
            &mut s,
            Service::LinKv,
            json!({"type": "write", "key": 1, "value": 2, "msg_id": 7}),
        );
        assert_eq!(r, Some(json!({"type": "write_ok", "in_reply_to": 7})));
        let r = call(&mut s, Service::LinKv, json!({"type": "read", "key": 1}));
        assert_eq!(
            r,
            Some(json!({"type": "read_ok", "value": 2, "in_reply_to": null}))
        );
        for svc in Service::ALL {
            let r = call(&mut s, svc, json!({"type": "read", "key": 9, "msg_id": 3}));
            if let Some(r) = r {
                assert!(r.get("msg_id").is_none());
                assert_eq!(r["in_reply_to"], 3);
            }
        }
    }

    #[test]
    fn lin_tso_counts_from_zero_across_callers_and_ignores_other_types() {
        let mut s = services();
        for (i, src) in ["n0", "n1", "n2", "n0"].into_iter().enumerate() {
            let b = kv::body(json!({"type": "ts", "msg_id": i}));
            let r = s.handle(Service::LinTso, src, &b).map(Value::Object);
            assert_eq!(r, Some(json!({"type": "ts_ok", "ts": i, "in_reply_to": i})));
        }
        assert_eq!(
            call(&mut s, Service::LinTso, json!({"type": "read", "key": 1})),
            None
        );
        assert_eq!(call(&mut s, Service::LinKv, json!({"type": "ts"})), None);
        assert_eq!(call(&mut s, Service::SeqKv, json!({"msg_id": 1})), None);
        assert_eq!(call(&mut s, Service::LwwKv, json!({"type": "txn"})), None);
    }

    #[test]
    fn create_if_not_exists_is_honoured_by_lin_kv_and_seq_kv_only() {
        let mut s = services();
        let create =
            json!({"type": "cas", "key": "k", "from": 5, "to": 1, "create_if_not_exists": true});
        for svc in [Service::LinKv, Service::SeqKv] {
            assert_eq!(
                call(&mut s, svc, create.clone()).unwrap()["type"],
                "cas_ok",
                "{svc}"
            );
        }
        assert_eq!(call(&mut s, Service::LwwKv, create).unwrap()["code"], 20);
    }

    #[test]
    fn lin_kv_is_one_state_seen_by_every_caller_at_once() {
        let mut s = services();
        for v in 0..50 {
            let w = kv::body(json!({"type": "write", "key": "x", "value": v}));
            s.handle(Service::LinKv, "n0", &w);
            let r = kv::body(json!({"type": "read", "key": "x"}));
            assert_eq!(s.handle(Service::LinKv, "n1", &r).unwrap()["value"], v);
        }
    }
}
