//! Knossos's linearizability analysis on hand-made lin-kv histories (`[k v]` tuples): the
//! semantics Maelstrom's lin-kv checker has, each shown a case it must reject.

use glomers_sim::Validity;
use glomers_sim::checkers::linearizable::{self, Budget, KeyOutcome, Model};
use glomers_sim::history::{History, OpF, OpType, OpValue, Process};
use glomers_sim::workloads::lin_kv::{CAS, READ, WRITE};
use serde_json::{Value, json};

struct H(History, u64);

impl H {
    fn new() -> H {
        H(History::new(), 0)
    }
    fn tick(&mut self) -> u64 {
        self.1 += 1_000_000;
        self.1
    }
    fn invoke(&mut self, p: u64, f: OpF, k: i64, v: Value) -> &mut H {
        let t = self.tick();
        self.0
            .invoke(t, Process::Client(p), f, OpValue::Json(json!([k, v])));
        self
    }
    fn end(&mut self, p: u64, kind: OpType, f: OpF, k: i64, v: Value) -> &mut H {
        let t = self.tick();
        let c = Process::Client(p);
        self.0
            .complete(t, c, kind, f, OpValue::Json(json!([k, v])), None);
        self
    }
    /// An operation that completes `kind` right away (a read's `v` is what it returned).
    fn op(&mut self, p: u64, f: OpF, k: i64, v: Value, kind: OpType) -> &mut H {
        let invoked = if f == READ { Value::Null } else { v.clone() };
        self.invoke(p, f, k, invoked).end(p, kind, f, k, v)
    }
    fn check(&self) -> linearizable::LinearizableResult {
        linearizable::check(self.0.ops(), &Budget::default())
    }
}

const OK: OpType = OpType::Ok;

#[test]
fn a_stale_read_is_named_with_the_previous_ok_and_final_paths() {
    let mut h = H::new();
    h.op(0, WRITE, 0, json!(1), OK)
        .op(1, WRITE, 0, json!(2), OK)
        .op(2, READ, 0, json!(1), OK);
    let r = h.check();
    assert_eq!(r.valid, Validity::False);
    assert_eq!(r.failures, vec![json!(0)]);
    let KeyOutcome::NotLinearizable(f) = &r.results[0].outcome else {
        panic!("{:?}", r.results[0].outcome)
    };
    assert_eq!(
        (f.op.f, f.op.process, f.op.value.clone()),
        (READ, 2, json!(1))
    );
    assert_eq!(f.op.index, 5, "the read's :ok completion");
    let prev = f.previous_ok.as_ref().expect("the write of 2");
    assert_eq!((prev.f, prev.value.clone()), (WRITE, json!(2)));
    let path = &f.final_paths[0];
    assert_eq!(path[0].model, Model::Register(json!(2)));
    assert_eq!(
        path.last().map(|s| s.model.clone()),
        Some(Model::Inconsistent("can't read 1 from register 2".into()))
    );
}

#[test]
fn nil_reads_are_always_legal_and_the_register_starts_at_nil() {
    let mut h = H::new();
    h.op(0, WRITE, 0, json!(3), OK)
        .op(1, READ, 0, Value::Null, OK);
    assert_eq!(h.check().valid, Validity::True);
    // A cas from nil succeeds on a fresh register; one from 0 cannot.
    let mut h = H::new();
    h.op(0, CAS, 0, json!([null, 2]), OK);
    assert_eq!(h.check().valid, Validity::True);
    let mut h = H::new();
    h.op(0, CAS, 0, json!([0, 2]), OK);
    let r = h.check();
    assert_eq!(r.valid, Validity::False);
    let KeyOutcome::NotLinearizable(f) = &r.results[0].outcome else {
        panic!()
    };
    assert_eq!(
        f.final_paths[0].last().map(|s| s.model.clone()),
        Some(Model::Inconsistent("can't CAS  from 0 to 2".into())),
        "Clojure's str of nil is empty"
    );
}

#[test]
fn values_compare_as_clojure_does() {
    let mut h = H::new();
    h.op(0, WRITE, 0, json!(1), OK)
        .op(1, READ, 0, json!(1.0), OK);
    assert_eq!(h.check().valid, Validity::False, "1 and 1.0 differ");
}

#[test]
fn failed_operations_are_dropped_and_crashed_ones_stay_pending_forever() {
    // A failed write never happened: reading its value is not linearizable.
    let mut h = H::new();
    h.invoke(0, WRITE, 0, json!(4))
        .end(0, OpType::Fail, WRITE, 0, json!(4))
        .op(1, READ, 0, json!(4), OK);
    assert_eq!(h.check().valid, Validity::False);
    // A crashed one may take effect long after it began …
    let mut h = H::new();
    h.invoke(0, WRITE, 0, json!(4))
        .end(0, OpType::Info, WRITE, 0, json!(4))
        .op(1, WRITE, 0, json!(1), OK)
        .op(2, READ, 0, json!(1), OK)
        .op(3, READ, 0, json!(4), OK);
    assert_eq!(h.check().valid, Validity::True);
    // … but only once: 4, then 1, then 4 again is impossible.
    h.op(4, WRITE, 0, json!(1), OK).op(5, READ, 0, json!(4), OK);
    assert_eq!(h.check().valid, Validity::False);
}

#[test]
fn keys_are_independent_and_merged() {
    let mut h = H::new();
    h.op(0, WRITE, 0, json!(1), OK)
        .op(1, WRITE, 1, json!(2), OK)
        .op(2, READ, 0, json!(1), OK)
        .op(3, READ, 1, json!(1), OK);
    let r = h.check();
    assert_eq!(r.results.len(), 2);
    assert_eq!(r.results[0].valid, Validity::True);
    assert_eq!(r.results[1].valid, Validity::False);
    assert_eq!(r.failures, vec![json!(1)]);
    assert_eq!(r.valid, Validity::False);
}

#[test]
fn a_search_over_budget_is_unknown_with_the_budget_named() {
    // Forty crashed writes, then a read no subset of them explains.
    let mut h = H::new();
    for p in 0..40 {
        h.invoke(p, WRITE, 0, json!(p % 4))
            .end(p, OpType::Info, WRITE, 0, json!(p % 4));
    }
    h.op(99, READ, 0, json!(7), OK);
    let tiny = Budget {
        max_steps: 10_000,
        ..Budget::default()
    };
    let r = linearizable::check(h.0.ops(), &tiny);
    assert_eq!(r.valid, Validity::Unknown);
    assert!(r.failures.is_empty(), "an unknown key is not a failure");
    let KeyOutcome::Unknown(cause) = &r.results[0].outcome else {
        panic!()
    };
    assert!(cause.contains("step budget"), "{cause}");
    let mut text = String::new();
    glomers_sim::checkers::Verdict::summary(&r, &mut text);
    assert!(
        text.contains(":valid? :unknown, :cause \"step budget"),
        "{text}"
    );
}
