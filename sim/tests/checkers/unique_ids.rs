//! The unique-ids checker: duplicates among `:ok` ids fail; ids must be comparable.

use glomers_sim::Validity;
use glomers_sim::history::{History, OpF, OpType, OpValue, Process};
use glomers_sim::workloads::unique_ids;
use serde_json::json;

fn history(ids: &[serde_json::Value], failed: usize) -> History {
    let mut h = History::new();
    for (p, id) in ids.iter().enumerate() {
        let c = Process::Client(p as u64);
        h.invoke(0, c, OpF::GENERATE, OpValue::None);
        h.complete(
            1,
            c,
            OpType::Ok,
            OpF::GENERATE,
            OpValue::Json(id.clone()),
            None,
        );
    }
    for k in 0..failed {
        let c = Process::Client(1000 + k as u64);
        h.invoke(2, c, OpF::GENERATE, OpValue::None);
        h.complete(3, c, OpType::Info, OpF::GENERATE, OpValue::None, None);
    }
    h
}

#[test]
fn distinct_ids_are_valid_and_ranged() {
    let h = history(&[json!(5), json!(-2), json!(40)], 1);
    let r = unique_ids::check(h.ops());
    assert_eq!(r.valid, Validity::True);
    assert_eq!((r.attempted_count, r.acknowledged_count), (4, 3));
    assert_eq!(r.range, Some(("-2".into(), "40".into())));
}

#[test]
fn a_duplicate_fails_and_is_counted_once() {
    let h = history(&[json!("a"), json!("b"), json!("a"), json!("a")], 0);
    let r = unique_ids::check(h.ops());
    assert_eq!(r.valid, Validity::False);
    assert_eq!(r.duplicated_count, 1);
    assert_eq!(r.duplicated, vec![("\"a\"".to_string(), 3)]);
}

#[test]
fn equal_looking_values_of_different_json_types_are_distinct() {
    let h = history(&[json!(1), json!(1.0), json!("1")], 0);
    let r = unique_ids::check(h.ops());
    assert_eq!(r.duplicated_count, 0);
    // A string cannot be compared with numbers: the range cannot be computed.
    assert_eq!(r.valid, Validity::Unknown);
}
