//! Jepsen set-full on hand-made histories: the subtleties Maelstrom's broadcast checker has.

use glomers_sim::Validity;
use glomers_sim::history::{History, OpF, OpType, OpValue, Process, ReadValues};
use glomers_sim::workloads::broadcast::set_full::{self, Outcome};

const MS: u64 = 1_000_000;

struct H(History);

impl H {
    fn new() -> H {
        H(History::new())
    }
    fn add(&mut self, t: u64, p: u64, v: i64) -> usize {
        self.0
            .invoke(t, Process::Client(p), OpF::BROADCAST, OpValue::Int(v))
    }
    fn add_ok(&mut self, t: u64, p: u64, v: i64) -> usize {
        let (c, ok) = (Process::Client(p), OpType::Ok);
        self.0
            .complete(t, c, ok, OpF::BROADCAST, OpValue::Int(v), None)
    }
    fn read(&mut self, t: u64, p: u64) -> usize {
        self.0
            .invoke(t, Process::Client(p), OpF::READ, OpValue::None)
    }
    fn read_ok(&mut self, t: u64, p: u64, seen: &[i64]) -> usize {
        let value = OpValue::Read(ReadValues {
            ints: seen.to_vec(),
            other: Vec::new(),
        });
        let (c, ok) = (Process::Client(p), OpType::Ok);
        self.0.complete(t, c, ok, OpF::READ, value, None)
    }
    fn read_fail(&mut self, t: u64, p: u64) -> usize {
        let (c, fail) = (Process::Client(p), OpType::Fail);
        let e = Some(":net-timeout".into());
        self.0.complete(t, c, fail, OpF::READ, OpValue::None, e)
    }
    fn check(&self) -> set_full::SetFullResult {
        set_full::check(self.0.ops())
    }
}

#[test]
fn final_reads_count_in_invocation_order() {
    // Two final reads invoked at the same instant; the one invoked last decides.
    let mut h = H::new();
    h.add(0, 0, 7);
    h.add_ok(MS, 0, 7);
    h.read(100 * MS, 0);
    h.read(100 * MS, 1);
    h.read_ok(101 * MS, 1, &[]); // the last-invoked read misses 7
    h.read_ok(102 * MS, 0, &[7]);
    let r = h.check();
    assert_eq!(r.lost, vec![7]);
    assert_eq!(r.valid, Validity::False);
    assert_eq!(r.lost_latencies.expect("lost").q100, 99);

    let mut h = H::new();
    h.add(0, 0, 7);
    h.add_ok(MS, 0, 7);
    h.read(100 * MS, 0);
    h.read(100 * MS, 1);
    h.read_ok(101 * MS, 0, &[]); // the first-invoked read misses 7, the last sees it
    h.read_ok(102 * MS, 1, &[7]);
    let r = h.check();
    assert_eq!((r.stable_count, r.lost_count), (1, 0));
    assert_eq!(r.elements[0].outcome, Outcome::Stable);
    // Stable after the missing read's invocation: 100 ms + 1 ns − 1 ms → 99 ms.
    assert_eq!(r.elements[0].stable_latency_ms, Some(99));
    assert_eq!(r.stale, vec![7]);
    assert_eq!(r.valid, Validity::True);
}

#[test]
fn a_read_can_make_an_element_known_before_its_broadcast_ok() {
    let mut h = H::new();
    h.add(0, 0, 3);
    h.read(5 * MS, 1);
    h.read_ok(6 * MS, 1, &[3]); // known here, at 6 ms
    h.read(20 * MS, 2);
    h.read_ok(21 * MS, 2, &[]); // invoked at 20 ms, misses it
    h.read(30 * MS, 1);
    h.read_ok(31 * MS, 1, &[3]);
    h.add_ok(50 * MS, 0, 3); // the ack comes last
    let r = h.check();
    let e = &r.elements[0];
    assert_eq!(e.known.expect("known").time_ns, 6 * MS);
    assert_eq!(e.outcome, Outcome::Stable);
    // 20 ms + 1 ns − 6 ms, truncated; with known = the ack (50 ms) it would be 0.
    assert_eq!(e.stable_latency_ms, Some(14));
}

#[test]
fn stale_latency_adds_one_nanosecond_and_truncates_to_ms() {
    let mut h = H::new();
    h.add(0, 0, 1);
    h.add_ok(10 * MS, 0, 1);
    h.read(11 * MS - 1, 1); // 0.999999 ms after known: 1 ms only thanks to the +1 ns
    h.read_ok(12 * MS, 1, &[]);
    h.read(13 * MS, 1);
    h.read_ok(14 * MS, 1, &[1]);
    let r = h.check();
    assert_eq!(r.elements[0].stable_latency_ms, Some(1));

    let mut h = H::new();
    h.add(0, 0, 1);
    h.read(MS, 1); // invoked before known: latency clamps to 0, not negative
    h.add_ok(5 * MS, 0, 1);
    h.read_ok(6 * MS, 1, &[]);
    h.read(7 * MS, 1);
    h.read_ok(8 * MS, 1, &[1]);
    let r = h.check();
    assert_eq!(r.elements[0].stable_latency_ms, Some(0));
    assert_eq!(r.stale_count, 0);
}

#[test]
fn only_ok_reads_of_existing_elements_count() {
    let mut h = H::new();
    h.read(0, 1);
    h.read_ok(MS, 1, &[5]); // 5 does not exist yet: ignored
    h.add(2 * MS, 0, 5);
    h.add_ok(3 * MS, 0, 5);
    h.read(4 * MS, 1);
    h.read_fail(5 * MS, 1); // failed reads say nothing
    let r = h.check();
    assert_eq!(r.never_read, vec![5]);
    assert_eq!(r.valid, Validity::Unknown, "nothing stable");
}

#[test]
fn a_miss_before_the_element_was_known_is_not_a_loss() {
    let mut h = H::new();
    h.add(0, 0, 9);
    h.read(MS, 1);
    h.read_ok(2 * MS, 1, &[]); // missed before known
    h.add_ok(3 * MS, 0, 9);
    let r = h.check();
    assert_eq!(r.never_read, vec![9]);
    assert_eq!(r.lost_count, 0);
    // An unacknowledged broadcast missed by every read is never-read as well.
    let mut h = H::new();
    h.add(0, 0, 4);
    h.read(MS, 1);
    h.read_ok(2 * MS, 1, &[]);
    assert_eq!(h.check().never_read, vec![4]);
}

#[test]
fn reads_created_mid_flight_count_from_their_invocation() {
    // The element is created between the read's invocation and its completion: the read
    // still counts as a miss, dated by its invocation.
    let mut h = H::new();
    h.read(0, 1);
    h.add(MS, 0, 2);
    h.add_ok(2 * MS, 0, 2);
    h.read_ok(3 * MS, 1, &[]);
    h.read(4 * MS, 1);
    h.read_ok(5 * MS, 1, &[2]);
    let r = h.check();
    assert_eq!(r.elements[0].last_absent.expect("missed").index, 0);
    assert_eq!(r.elements[0].outcome, Outcome::Stable);
    assert_eq!(r.elements[0].stable_latency_ms, Some(0));
}

#[test]
fn worst_stale_lists_the_stalest_first_and_counts_are_consistent() {
    let mut h = H::new();
    for v in 0..10 {
        h.add(0, 0, v);
        h.add_ok(0, 0, v);
    }
    // Element v is missed by a read invoked at v·10 ms, then everything is seen.
    for v in 0..10 {
        let seen: Vec<i64> = (0..10).filter(|&x| x != v).collect();
        h.read(v as u64 * 10 * MS, 1);
        h.read_ok(v as u64 * 10 * MS + 1, 1, &seen);
    }
    h.read(200 * MS, 1);
    h.read_ok(201 * MS, 1, &(0..10).collect::<Vec<_>>());
    let r = h.check();
    assert_eq!(r.attempt_count, 10);
    assert_eq!(r.stable_count, 10);
    assert_eq!(r.stale_count, 9);
    assert_eq!(r.worst_stale.len(), 8);
    assert_eq!(r.worst_stale[0].element, 9);
    assert_eq!(r.worst_stale[0].stable_latency_ms, Some(90));
    let q = r.stable_latencies.expect("stable");
    assert_eq!((q.q0, q.q50, q.q100), (0, 50, 90));
    assert_eq!(r.duplicated_count, 0);
}
