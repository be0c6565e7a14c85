//! The g-counter and pn-counter workloads end to end on the virtual clock, with a counter node
//! built on the KV services, and broken variants the checker must reject (workloads spec §3,
//! checklist §9.6–7).

use crate::common;
use crate::common::kv_counter;

use std::time::Duration;

use glomers_sim::history::{OpF, OpType, Process};
use glomers_sim::workloads::counter::{ADD, Counter};
use glomers_sim::{Availability, Report, SimConfig, Validity, Workload};
use kv_counter::{KvCounter, Mode};

fn cfg(counter: Counter, seed: u64) -> SimConfig {
    SimConfig {
        workload: Workload::named(counter.name()).expect("registered"),
        node_count: 3,
        rate: 100.0,
        time_limit: Duration::from_secs(10),
        partition: true,
        seed,
        ..SimConfig::default()
    }
}

fn run(cfg: &SimConfig, service: &'static str, mode: Mode) -> Report {
    let cfg = SimConfig {
        nodes: KvCounter::nodes(service, mode),
        ..cfg.clone()
    };
    glomers_sim::run(&cfg).expect("the test runs")
}

#[test]
fn a_correct_counter_on_lin_kv_or_seq_kv_is_valid_with_exact_final_reads() {
    for (counter, service) in [
        (Counter::Grow, "seq-kv"),
        (Counter::Grow, "lin-kv"),
        (Counter::PosNeg, "seq-kv"),
    ] {
        for seed in common::SEEDS {
            let r = run(&cfg(counter, seed), service, Mode::Correct);
            let c = r
                .workload
                .get::<glomers_sim::workloads::counter::CounterResult>()
                .expect("a counter report");
            let why = glomers_sim::report::output::summary(&r);
            assert_eq!(r.valid, Validity::True, "{why}");
            let sum = kv_counter::add_sum(&r, OpType::Ok);
            assert_eq!(c.final_reads, vec![sum; 3], "{why}");
            assert_eq!(c.acceptable, vec![[sum, sum]]);
            assert!(r.partition_drops == 0, "the node never talks to its peers");
            // Every RPC is node↔service traffic: at least two per operation. Clients: init and
            // init_ok per node, request and reply per operation.
            assert!(r.net.servers.msgs_per_op.unwrap() >= 2.0);
            assert_eq!(r.net.clients.msg_count, 2 * 3 + 2 * r.op_count);
        }
    }
}

#[test]
fn a_counter_that_forgets_adds_is_invalid() {
    let r = run(&cfg(Counter::Grow, 1), "lin-kv", Mode::ForgetEvery(5));
    let c = r
        .workload
        .get::<glomers_sim::workloads::counter::CounterResult>()
        .expect("counter");
    assert_eq!(r.valid, Validity::False);
    assert_eq!(c.valid, Validity::False);
    let sum = kv_counter::add_sum(&r, OpType::Ok);
    assert_eq!(c.acceptable, vec![[sum, sum]]);
    assert_eq!(c.errors.len(), 3, "every node's final read is short");
    assert!(
        c.final_reads.iter().all(|&v| v < sum),
        "{:?} vs {sum}",
        c.final_reads
    );
}

#[test]
fn a_counter_that_double_counts_is_invalid() {
    let r = run(&cfg(Counter::PosNeg, 2), "lin-kv", Mode::DoubleCount);
    let c = r
        .workload
        .get::<glomers_sim::workloads::counter::CounterResult>()
        .expect("counter");
    assert_eq!(c.valid, Validity::False);
    assert_eq!(r.valid, Validity::False);
    assert_eq!(
        c.final_reads,
        vec![2 * kv_counter::add_sum(&r, OpType::Ok); 3]
    );
    assert_eq!(c.errors.len(), 3);
}

#[test]
fn reading_seq_kv_without_a_fresh_write_first_gives_stale_final_reads() {
    // seq-kv never shows a caller the newest state unless its own last call made it: after
    // the quiet period, nodes whose session lags read an old count.
    let mut invalid = 0;
    for seed in common::SEEDS {
        let r = run(&cfg(Counter::Grow, seed), "seq-kv", Mode::NoSyncRead);
        let c = r
            .workload
            .get::<glomers_sim::workloads::counter::CounterResult>()
            .expect("counter");
        if c.valid == Validity::False {
            invalid += 1;
            assert!(!c.errors.is_empty());
        }
    }
    assert_eq!(invalid, common::SEEDS.len(), "stale on every seed");
    // The same node on lin-kv is fine: lin-kv has one state.
    let r = run(&cfg(Counter::Grow, 1), "lin-kv", Mode::NoSyncRead);
    assert_eq!(r.valid, Validity::True);
}

#[test]
fn unanswered_adds_are_info_with_a_new_client_and_count_as_maybe() {
    let mut c = cfg(Counter::Grow, 3);
    c.availability = Some(Availability::Total);
    c.time_limit = Duration::from_secs(20);
    let r = run(&c, "lin-kv", Mode::SilentAdds);
    let stats = &r.stats.by_f[&ADD];
    assert_eq!(stats.ok_count, 0);
    assert_eq!(stats.info_count, stats.count);
    assert!(stats.count >= 3, "{stats:?}");
    // Every :info opens a fresh client for that thread's next operation (not reusable):
    // 3 init clients, 3 workers' first clients, one more per timed-out add (each is followed
    // by another operation, the final reads at the latest).
    assert_eq!(r.clients_opened, 3 + 3 + stats.info_count);
    let counter = r
        .workload
        .get::<glomers_sim::workloads::counter::CounterResult>()
        .expect("counter");
    assert_eq!(counter.valid, Validity::True, "0 is a possible total");
    assert_eq!(counter.final_reads, vec![0; 3]);
    // Any subset of the timed-out deltas is acceptable.
    let max = kv_counter::add_sum(&r, OpType::Info);
    assert_eq!(counter.acceptable.first().map(|i| i[0]), Some(0));
    assert_eq!(counter.acceptable.last().map(|i| i[1]), Some(max));
    assert_eq!(r.stats.valid, Validity::False, "no add succeeded");
    assert_eq!(
        r.availability.valid,
        Validity::False,
        "--availability total"
    );
    assert_eq!(r.valid, Validity::False);
}

#[test]
fn definite_errors_on_reads_are_info_never_fail() {
    let r = run(&cfg(Counter::PosNeg, 1), "lin-kv", Mode::ReadError(11));
    let reads = &r.stats.by_f[&OpF::READ];
    assert_eq!(reads.fail_count, 0);
    assert_eq!(reads.info_count, reads.count);
    assert!(r.history.ops().iter().all(|o| o.kind != OpType::Fail));
    let c = r
        .workload
        .get::<glomers_sim::workloads::counter::CounterResult>()
        .expect("counter");
    assert!(c.final_reads.is_empty(), "errored final reads are absent");
    assert_eq!(c.valid, Validity::True);
    assert_eq!(r.valid, Validity::False, ":stats needs an ok read");
}

#[test]
fn the_final_phase_heals_waits_ten_seconds_and_reads_once_per_thread() {
    let mut c = cfg(Counter::Grow, 2);
    c.concurrency = Some(6);
    let r = run(&c, "seq-kv", Mode::Correct);
    let ops = r.history.ops();
    let finals: Vec<_> = ops
        .iter()
        .filter(|o| o.final_read && o.kind == OpType::Invoke)
        .collect();
    assert_eq!(finals.len(), 6, "one per client thread");
    assert!(finals.iter().all(|o| o.f == OpF::READ));
    assert!(
        finals.windows(2).all(|w| w[0].time_ns == w[1].time_ns),
        "all at once"
    );
    let last_main = ops
        .iter()
        .filter(|o| o.is_client() && !o.final_read)
        .map(|o| o.time_ns)
        .max()
        .unwrap_or(0);
    assert!(
        finals[0].time_ns >= last_main + 10_000_000_000,
        "10 s of quiet"
    );
    let heal = ops
        .iter()
        .filter(|o| o.process == Process::Nemesis && o.f == OpF::STOP_PARTITION)
        .map(|o| o.time_ns)
        .max()
        .expect("a heal");
    assert!(heal >= last_main && heal + 10_000_000_000 <= finals[0].time_ns);
    assert_eq!(
        r.workload
            .get::<glomers_sim::workloads::counter::CounterResult>()
            .expect("counter")
            .final_reads
            .len(),
        6
    );
    assert_eq!(r.valid, Validity::True);
}

#[test]
fn a_seed_replays_the_services_choices_exactly() {
    let traced = |seed| {
        let mut c = cfg(Counter::PosNeg, seed);
        c.trace = true;
        c.latency_ms = 5;
        c.latency_dist = glomers_sim::LatencyDist::Uniform;
        run(&c, "seq-kv", Mode::NoSyncRead).trace
    };
    let a = traced(7);
    assert!(a.as_ref().is_some_and(|t| !t.is_empty()));
    assert_eq!(a, traced(7), "same seed, same messages at the same times");
    assert_ne!(a, traced(8));
}
