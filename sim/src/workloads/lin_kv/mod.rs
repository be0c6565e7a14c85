//! The `lin-kv` workload (Maelstrom's `src/maelstrom/workload/lin_kv.clj` over Jepsen's
//! `tests/linearizable_register.clj`): independent linearizable registers, one per key.
//!
//! Requests: `{"type":"read","key":K}` → `{"type":"read_ok","value":V}`,
//! `{"type":"write","key":K,"value":V}` → `write_ok`, `{"type":"cas","key":K,"from":A,"to":B}`
//! → `cas_ok`, each reply checked against its closed schema. Keys are the integers 0, 1, …;
//! values 0…4. History values are `[k v]` tuples: a read invokes `[k nil]` and completes
//! `[k v]`, a write is `[k v]`, a cas `[k [from to]]`.
//!
//! The client is reusable after `:info`; its RPC timeout is max(10 × `--latency`, 1000) ms;
//! a read that errors or times out is `:fail`, a write or cas with a definite error code is
//! `:fail`, otherwise `:info` (`client.clj`'s `with-errors` with `#{:read}` idempotent). The
//! [`generator`] is Jepsen's independent concurrent generator; there is no final phase. The
//! checker is Knossos's linearizability over a CAS register per key
//! ([`crate::checkers::linearizable`]).

pub mod generator;

use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::checkers::WorkloadResult;
use crate::checkers::linearizable;
use crate::history::{Op, OpF, OpValue};
use crate::workloads::boundary::{ClientRules, Entry, Setup, ThreadView, WorkloadRun};
use crate::workloads::rpc::{self, Reply};
use crate::world::rng::Rng;
pub use generator::{CAS, Independent, READ, WRITE};

/// The registry's entry.
pub const ENTRY: Entry = Entry {
    name: "lin-kv",
    about: "independent linearizable registers: every key's history must be linearizable (Knossos)",
    options: &[],
    build,
};

fn build(setup: &Setup<'_>) -> Result<Box<dyn WorkloadRun>, String> {
    let generator = Independent::new(usize::from(setup.node_count), setup.threads)?;
    Ok(Box::new(LinKv {
        generator,
        timeout: Duration::from_millis((10 * setup.latency_ms).max(1000)),
    }))
}

/// The lin-kv workload set up for one run.
#[derive(Debug)]
pub struct LinKv {
    generator: Independent,
    timeout: Duration,
}

fn tuple(value: &OpValue) -> (Value, Value) {
    match value {
        OpValue::Json(Value::Array(kv)) if kv.len() == 2 => (kv[0].clone(), kv[1].clone()),
        _ => (Value::Null, Value::Null),
    }
}

impl WorkloadRun for LinKv {
    fn next_op(&mut self, rng: &mut Rng) -> (OpF, OpValue) {
        // Only reached if the cluster ignores `picks_threads`: every thread free.
        let threads = vec![
            ThreadView {
                busy: false,
                process: 0
            };
            self.generator_threads()
        ];
        self.generator
            .next(&threads, rng)
            .map_or((READ, OpValue::None), |(_, f, v)| (f, v))
    }

    fn picks_threads(&self) -> bool {
        true
    }

    fn next_op_on(
        &mut self,
        threads: &[ThreadView],
        rng: &mut Rng,
    ) -> Option<(usize, OpF, OpValue)> {
        self.generator.next(threads, rng)
    }

    fn request(&self, f: OpF, value: &OpValue) -> String {
        let (k, v) = tuple(value);
        match f {
            WRITE => format!("{{\"type\":\"write\",\"key\":{k},\"value\":{v}}}"),
            CAS => format!(
                "{{\"type\":\"cas\",\"key\":{k},\"from\":{},\"to\":{}}}",
                v[0], v[1]
            ),
            _ => format!("{{\"type\":\"read\",\"key\":{k}}}"),
        }
    }

    fn reply(&self, f: OpF, body: &Map<String, Value>) -> Reply {
        match f {
            WRITE => rpc::check_reply("write_ok", None, body),
            CAS => rpc::check_reply("cas_ok", None, body),
            _ => rpc::check_reply("read_ok", Some("value"), body),
        }
    }

    /// A read completes as `[k v]` with the key it asked for.
    fn reply_to(&self, f: OpF, invoked: &OpValue, body: &Map<String, Value>) -> Reply {
        match self.reply(f, body) {
            Reply::Ok(OpValue::Json(v)) if f == READ => {
                Reply::Ok(OpValue::Json(json!([tuple(invoked).0, v])))
            }
            other => other,
        }
    }

    fn idempotent(&self, f: OpF) -> bool {
        f == READ
    }

    fn client_rules(&self) -> ClientRules {
        ClientRules {
            reusable_after_info: true,
            timeout: Some(self.timeout),
            definite_errors_fail: true,
        }
    }

    fn check(&self, ops: &[Op]) -> WorkloadResult {
        WorkloadResult::new(linearizable::check(ops, &linearizable::Budget::default()))
    }
}

impl LinKv {
    fn generator_threads(&self) -> usize {
        self.generator.threads()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workloads::WorkloadOptions;

    fn body(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    fn run(latency_ms: u64) -> Box<dyn WorkloadRun> {
        let options = WorkloadOptions::new();
        build(&Setup {
            options: &options,
            node_count: 3,
            threads: 6,
            latency_ms,
        })
        .expect("6 = 2 × 3 threads")
    }

    #[test]
    fn requests_replies_and_tuples() {
        let run = run(0);
        let read = OpValue::Json(json!([3, null]));
        assert_eq!(run.request(READ, &read), r#"{"type":"read","key":3}"#);
        let cas = OpValue::Json(json!([1, [2, 4]]));
        assert_eq!(
            run.request(CAS, &cas),
            r#"{"type":"cas","key":1,"from":2,"to":4}"#
        );
        let write = OpValue::Json(json!([0, 3]));
        assert_eq!(
            run.request(WRITE, &write),
            r#"{"type":"write","key":0,"value":3}"#
        );
        let ok = body(json!({"type": "read_ok", "value": 2, "in_reply_to": 1}));
        assert_eq!(
            run.reply_to(READ, &read, &ok),
            Reply::Ok(OpValue::Json(json!([3, 2])))
        );
        let null = body(json!({"type": "read_ok", "value": null, "in_reply_to": 1}));
        assert_eq!(
            run.reply_to(READ, &read, &null),
            Reply::Ok(OpValue::Json(json!([3, null])))
        );
        for (f, bad) in [
            (READ, json!({"type": "read_ok", "in_reply_to": 1})),
            (
                READ,
                json!({"type": "read_ok", "value": 1, "key": 3, "in_reply_to": 1}),
            ),
            (WRITE, json!({"type": "read_ok", "in_reply_to": 1})),
            (CAS, json!({"type": "cas_ok", "value": 1, "in_reply_to": 1})),
        ] {
            assert!(
                matches!(
                    run.reply_to(f, &cas, &body(bad.clone())),
                    Reply::Malformed(_)
                ),
                "{bad}"
            );
        }
        let ok = body(json!({"type": "cas_ok", "in_reply_to": 1}));
        assert_eq!(run.reply_to(CAS, &cas, &ok), Reply::Ok(OpValue::None));
    }

    #[test]
    fn client_rules_and_timeout() {
        let rules = run(0).client_rules();
        assert!(rules.reusable_after_info);
        assert!(rules.definite_errors_fail);
        assert_eq!(rules.timeout, Some(Duration::from_millis(1000)));
        assert_eq!(
            run(250).client_rules().timeout,
            Some(Duration::from_millis(2500))
        );
        let r = run(0);
        assert!(r.idempotent(READ) && !r.idempotent(WRITE) && !r.idempotent(CAS));
        assert!(!r.final_phase());
        assert!(r.picks_threads());
    }
}
