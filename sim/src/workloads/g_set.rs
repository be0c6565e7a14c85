//! The `g-set` workload (Maelstrom's `src/maelstrom/workload/g_set.clj`): a grow-only set.
//!
//! Requests: `{"type":"add","element":E}` → `add_ok`, and `{"type":"read"}` →
//! `{"type":"read_ok","value":[…]}` (the key is `value`, as the schema and every demo have it,
//! though the docstring says `elements`), closed schemas. Each operation is an add (½) of the
//! next integer 0, 1, 2, … in dispatch order, or a read (½). The client is not reusable and
//! has no `with-errors`: any error reply, even a definite one, and any timeout (5 s) makes
//! the operation `:info` (reads too) and the thread opens a new client. After the main
//! phase: heal, 10 s of quiet, then one read per client thread (`gen/each-thread`, not
//! tagged `:final?`). The checker is Jepsen's `set-full` exactly as for broadcast
//! ([`crate::workloads::broadcast::set_full::check_adds`]); `:stats` needs an `:ok` add
//! and an `:ok` read.

use serde_json::{Map, Value};

use crate::checkers::WorkloadResult;
use crate::history::{Op, OpF, OpValue, ReadValues};
use crate::workloads::boundary::{ClientRules, Entry, Setup, WorkloadRun};
use crate::workloads::broadcast::set_full;
use crate::workloads::rpc::{self, Reply};
use crate::world::rng::Rng;

/// g-set's `add` operation (its value is the element).
pub const ADD: OpF = OpF::new("add");

/// The registry's entry.
pub const ENTRY: Entry = Entry {
    name: "g-set",
    about: "a grow-only set: every acknowledged add must eventually be read (Jepsen's set-full)",
    options: &[],
    build,
};

fn build(_: &Setup<'_>) -> Result<Box<dyn WorkloadRun>, String> {
    Ok(Box::new(GSet::default()))
}

/// The g-set workload: the next element to add.
#[derive(Debug, Default)]
pub struct GSet {
    next_element: i64,
}

impl WorkloadRun for GSet {
    fn next_op(&mut self, rng: &mut Rng) -> (OpF, OpValue) {
        if rng.below(2) == 0 {
            let e = self.next_element;
            self.next_element += 1;
            (ADD, OpValue::Int(e))
        } else {
            (OpF::READ, OpValue::None)
        }
    }

    fn request(&self, f: OpF, value: &OpValue) -> String {
        match (f, value) {
            (ADD, OpValue::Int(e)) => format!("{{\"type\":\"add\",\"element\":{e}}}"),
            _ => "{\"type\":\"read\"}".into(),
        }
    }

    fn reply(&self, f: OpF, body: &Map<String, Value>) -> Reply {
        if f == ADD {
            return rpc::check_reply("add_ok", None, body);
        }
        match rpc::check_reply("read_ok", Some("value"), body) {
            Reply::Ok(OpValue::Json(Value::Array(items))) => {
                let mut read = ReadValues::default();
                for item in &items {
                    match item.as_i64() {
                        Some(i) => read.ints.push(i),
                        None => read.other.push(item.to_string()),
                    }
                }
                Reply::Ok(OpValue::Read(read))
            }
            Reply::Ok(_) => rpc::malformed("value must be an array"),
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

    fn final_op_tagged(&self) -> bool {
        false
    }

    fn check(&self, ops: &[Op]) -> WorkloadResult {
        WorkloadResult::new(set_full::check_adds(ops, ADD))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::rng::{self, Stream};
    use serde_json::json;

    fn body(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn requests_and_closed_replies() {
        let run = GSet::default();
        assert_eq!(
            run.request(ADD, &OpValue::Int(7)),
            r#"{"type":"add","element":7}"#
        );
        assert_eq!(run.request(OpF::READ, &OpValue::None), r#"{"type":"read"}"#);
        let ok = body(json!({"type": "add_ok", "in_reply_to": 1}));
        assert_eq!(run.reply(ADD, &ok), Reply::Ok(OpValue::None));
        let read = body(json!({"type": "read_ok", "value": [3, 1], "in_reply_to": 2}));
        let Reply::Ok(OpValue::Read(r)) = run.reply(OpF::READ, &read) else {
            panic!()
        };
        assert_eq!(r.ints, vec![3, 1]);
        for bad in [
            json!({"type": "read_ok", "elements": [1], "in_reply_to": 2}),
            json!({"type": "read_ok", "value": [1], "elements": [1], "in_reply_to": 2}),
            json!({"type": "read_ok", "value": 1, "in_reply_to": 2}),
        ] {
            assert!(
                matches!(
                    run.reply(OpF::READ, &body(bad.clone())),
                    Reply::Malformed(_)
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn every_error_is_info_with_a_new_client_and_final_reads_are_untagged() {
        let run = GSet::default();
        let rules = run.client_rules();
        assert!(!rules.reusable_after_info && !rules.definite_errors_fail);
        assert_eq!(rules.timeout, None, "the configured 5 s");
        assert!(!run.idempotent(OpF::READ) && !run.idempotent(ADD));
        assert!(run.final_phase() && !run.final_op_tagged());
    }

    #[test]
    fn half_adds_of_consecutive_elements() {
        let mut run = GSet::default();
        let mut rng = rng::stream(3, Stream::Workload);
        let mut next = 0;
        let mut adds = 0;
        for _ in 0..10_000 {
            if let (ADD, OpValue::Int(e)) = run.next_op(&mut rng) {
                assert_eq!(e, next);
                next += 1;
                adds += 1;
            }
        }
        assert!((4_800..5_200).contains(&adds), "{adds}");
    }
}
