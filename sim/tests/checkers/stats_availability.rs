//! `:stats` (an `:ok` for every kind of operation), `--availability`, and how verdicts combine.

use glomers_sim::checkers::{self, Validity, WorkloadResult};
use glomers_sim::config::Availability;
use glomers_sim::history::{History, OpF, OpType, OpValue, Process};
use glomers_sim::workloads::unique_ids;

fn op(h: &mut History, p: u64, f: OpF, kind: OpType) {
    let c = Process::Client(p);
    h.invoke(0, c, f, OpValue::None);
    h.complete(1, c, kind, f, OpValue::None, None);
}

#[test]
fn stats_need_an_ok_for_every_f() {
    let mut h = History::new();
    op(&mut h, 0, OpF::GENERATE, OpType::Ok);
    op(&mut h, 1, OpF::GENERATE, OpType::Fail);
    let s = checkers::stats(h.ops());
    assert_eq!(s.valid, Validity::True);
    assert_eq!(
        (s.total.count, s.total.ok_count, s.total.fail_count),
        (2, 1, 1)
    );
    op(&mut h, 2, OpF::READ, OpType::Info);
    assert_eq!(checkers::stats(h.ops()).valid, Validity::False);
}

#[test]
fn availability_total_fraction_and_none() {
    let mut h = History::new();
    for p in 0..3 {
        op(&mut h, p, OpF::GENERATE, OpType::Ok);
    }
    op(&mut h, 3, OpF::GENERATE, OpType::Info);
    let a = checkers::availability(Some(Availability::Total), h.ops());
    assert_eq!((a.valid, a.ok_fraction), (Validity::False, Some(0.75)));
    let a = checkers::availability(Some(Availability::Fraction(0.75)), h.ops());
    assert_eq!(a.valid, Validity::True);
    let a = checkers::availability(Some(Availability::Fraction(0.8)), h.ops());
    assert_eq!(a.valid, Validity::False);
    assert_eq!(checkers::availability(None, h.ops()).valid, Validity::True);
    let empty = History::new();
    let a = checkers::availability(Some(Availability::Total), empty.ops());
    assert_eq!(a.valid, Validity::Unknown);
}

#[test]
fn overall_validity_is_false_then_unknown_then_true() {
    use Validity::{False, True, Unknown};
    assert_eq!(Validity::all([True, Unknown, True]), Unknown);
    assert_eq!(Validity::all([Unknown, False]), False);
    assert_eq!(Validity::all([True, True]), True);
    let mut h = History::new();
    for p in 0..3 {
        op(&mut h, p, OpF::GENERATE, OpType::Ok);
    }
    op(&mut h, 3, OpF::GENERATE, OpType::Fail);
    // The workload is fine but availability total is not.
    let workload = WorkloadResult::new(unique_ids::check(h.ops()));
    let r = checkers::check_all(workload, Some(Availability::Total), h.ops());
    assert_eq!((r.workload.valid(), r.valid), (True, False));
}
