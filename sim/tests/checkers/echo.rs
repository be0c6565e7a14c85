//! The echo checker: every request must come back `:ok` with the same payload.

use glomers_sim::Validity;
use glomers_sim::history::{History, OpF, OpType, OpValue, Process};
use glomers_sim::workloads::echo;
use serde_json::json;

fn echo_op(h: &mut History, p: u64, sent: &str, kind: OpType, got: OpValue) {
    let c = Process::Client(p);
    h.invoke(0, c, OpF::ECHO, OpValue::Text(sent.into()));
    h.complete(1, c, kind, OpF::ECHO, got, None);
}

#[test]
fn matching_echoes_are_valid() {
    let mut h = History::new();
    echo_op(
        &mut h,
        0,
        "Please echo 1",
        OpType::Ok,
        OpValue::Json(json!("Please echo 1")),
    );
    let r = echo::check(h.ops());
    assert_eq!((r.valid, r.attempt_count), (Validity::True, 1));
}

#[test]
fn a_wrong_payload_a_timeout_or_a_missing_completion_is_an_error() {
    let mut h = History::new();
    echo_op(
        &mut h,
        0,
        "Please echo 1",
        OpType::Ok,
        OpValue::Json(json!("Please echo 2")),
    );
    echo_op(&mut h, 1, "Please echo 3", OpType::Info, OpValue::None);
    h.invoke(2, Process::Client(2), OpF::ECHO, OpValue::Text("x".into()));
    let r = echo::check(h.ops());
    assert_eq!(r.valid, Validity::False);
    assert_eq!(r.errors.len(), 3);
}
