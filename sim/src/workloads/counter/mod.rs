//! The `g-counter` and `pn-counter` workloads (Maelstrom's `g_counter.clj` and
//! `pn_counter.clj`).
//!
//! Requests are `{"type":"add","delta":d}` → `add_ok` and `{"type":"read"}` →
//! `{"type":"read_ok","value":<integer>}`. The client is not reusable after an `:info`, times
//! out after 5 s, and turns every error reply or timeout into `:info` (never `:fail`). After
//! the main phase come the heal, 10 s of quiet and one final read per client thread. The
//! [`checker`] accepts final reads equal to the acknowledged adds plus any subset of the
//! indeterminate ones; [`present`] prints its result and gives its figures; `plot` (feature
//! `present`) draws it; [`generator`] draws the operations.

pub mod checker;
pub mod generator;
#[cfg(feature = "present")]
mod plot;
pub mod present;

pub use checker::{CounterResult, check};
pub use generator::Counter;

use serde_json::{Map, Value};

use crate::checkers::{Validity, Verdict, WorkloadResult};
use crate::history::{Op, OpF, OpValue};
use crate::workloads::boundary::{ClientRules, Entry, Setup, WorkloadRun};
use crate::workloads::rpc::{self, Reply};
use crate::world::rng::Rng;

/// The counters' `add` operation (its value is the delta).
pub const ADD: OpF = OpF::new("add");

/// The registry's entry for `g-counter`.
pub const G_COUNTER: Entry = Entry {
    name: "g-counter",
    about: "a grow-only counter: every final read must be the sum of the adds",
    options: &[],
    build: build_grow,
};

/// The registry's entry for `pn-counter`.
pub const PN_COUNTER: Entry = Entry {
    name: "pn-counter",
    about: "a counter with increments and decrements: every final read must be the sum",
    options: &[],
    build: build_pos_neg,
};

fn build_grow(_: &Setup<'_>) -> Result<Box<dyn WorkloadRun>, String> {
    Ok(Box::new(CounterRun(Counter::Grow)))
}

fn build_pos_neg(_: &Setup<'_>) -> Result<Box<dyn WorkloadRun>, String> {
    Ok(Box::new(CounterRun(Counter::PosNeg)))
}

/// A counter workload set up for one run.
#[derive(Debug)]
pub struct CounterRun(pub Counter);

impl WorkloadRun for CounterRun {
    fn next_op(&mut self, rng: &mut Rng) -> (OpF, OpValue) {
        generator::next_op(self.0, rng)
    }

    fn request(&self, f: OpF, value: &OpValue) -> String {
        match value {
            OpValue::Int(delta) if f == ADD => format!("{{\"type\":\"add\",\"delta\":{delta}}}"),
            _ => "{\"type\":\"read\"}".into(),
        }
    }

    /// `add_ok` carries nothing; `read_ok`'s `value` must be an integer (`5.0` fails
    /// Maelstrom's schema).
    fn reply(&self, f: OpF, body: &Map<String, Value>) -> Reply {
        if f == ADD {
            return rpc::check_reply("add_ok", None, body);
        }
        match rpc::check_reply("read_ok", Some("value"), body) {
            Reply::Ok(OpValue::Json(v)) => match v.as_i64() {
                Some(i) => Reply::Ok(OpValue::Int(i)),
                None => rpc::malformed(format_args!("value must be an integer, not {v}")),
            },
            other => other,
        }
    }

    fn client_rules(&self) -> ClientRules {
        ClientRules {
            reusable_after_info: false,
            timeout: None,
            definite_errors_fail: false,
        }
    }

    fn final_phase(&self) -> bool {
        true
    }

    fn check(&self, ops: &[Op]) -> WorkloadResult {
        WorkloadResult::new(check(ops))
    }
}

impl Verdict for CounterResult {
    fn valid(&self) -> Validity {
        self.valid
    }

    fn summary(&self, out: &mut String) {
        present::workload_edn(out, self);
    }

    fn json(&self) -> Map<String, Value> {
        match present::workload_json(self) {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    fn figures(&self) -> Vec<crate::figures::Figure> {
        present::figures(self)
    }

    #[cfg(feature = "present")]
    fn plots(
        &self,
        run: &crate::figures::PlotInput<'_>,
    ) -> Result<Vec<crate::figures::Plot>, String> {
        plot::plots(run)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn requests_and_reply_schemas() {
        let run = CounterRun(Counter::PosNeg);
        assert_eq!(
            run.request(ADD, &OpValue::Int(-3)),
            r#"{"type":"add","delta":-3}"#
        );
        assert_eq!(run.request(OpF::READ, &OpValue::None), r#"{"type":"read"}"#);
        let ok = body(json!({"type": "add_ok", "in_reply_to": 1}));
        assert_eq!(run.reply(ADD, &ok), Reply::Ok(OpValue::None));
        let read = body(json!({"type": "read_ok", "value": 12, "in_reply_to": 2, "msg_id": 5}));
        assert_eq!(run.reply(OpF::READ, &read), Reply::Ok(OpValue::Int(12)));
        for bad in [
            json!({"type": "read_ok", "value": 12.0, "in_reply_to": 2}),
            json!({"type": "read_ok", "value": "12", "in_reply_to": 2}),
            json!({"type": "read_ok", "in_reply_to": 2}),
            json!({"type": "read_ok", "value": 1, "extra": 1, "in_reply_to": 2}),
        ] {
            assert!(
                matches!(
                    run.reply(OpF::READ, &body(bad.clone())),
                    Reply::Malformed(_)
                ),
                "{bad}"
            );
        }
        let extra = body(json!({"type": "add_ok", "value": 1, "in_reply_to": 1}));
        assert!(matches!(run.reply(ADD, &extra), Reply::Malformed(_)));
        let error = body(json!({"type": "error", "code": 11, "in_reply_to": 1}));
        assert!(matches!(
            run.reply(ADD, &error),
            Reply::Error { definite: true, .. }
        ));
    }

    #[test]
    fn maelstroms_client_rules_and_final_phase() {
        let run = CounterRun(Counter::Grow);
        let rules = run.client_rules();
        assert!(!rules.reusable_after_info);
        assert!(!rules.definite_errors_fail, "every error is :info");
        assert_eq!(rules.timeout, None, "the configured 5 s");
        assert!(!run.idempotent(OpF::READ) && !run.idempotent(ADD));
        assert!(run.final_phase());
        let mut run = run;
        assert_eq!(run.final_op(), (OpF::READ, OpValue::None));
    }
}
