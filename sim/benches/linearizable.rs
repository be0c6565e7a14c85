//! The lin-kv checker's speed: Knossos's analysis (Wing-Gong-Lowe search, per key, keys in
//! parallel) over histories the simulator records from in-process lin-kv nodes on the
//! virtual clock.
//!
//! The nodes proxy to Maelstrom's `lin-kv` service (linearizable) but never answer every
//! 7th write or cas (half of those applied, half dropped), so each key carries crashed
//! operations that may take effect any time after their invocation, or never: the case
//! that makes linearizability checking exponential. Cases: the Raft chapter's heaviest
//! command (`-w lin-kv --node-count 3 --concurrency 4n --rate 30 --time-limit 60 --nemesis
//! partition`), the same at `--concurrency 10n --rate 100`, and growth with the time limit
//! and the concurrency; and invalid histories (every third write lost, reads from a cache),
//! where the search must exhaust a failing key.
//!
//! `cargo bench -p glomers-sim --bench linearizable`; each case first prints its history's
//! size (operations, keys, crashed operations).

#[path = "../tests/common/kv_register.rs"]
#[allow(dead_code)]
mod kv_register;

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use glomers_sim::checkers::linearizable::{self, Budget, KeyOutcome};
use glomers_sim::history::Op;
use glomers_sim::{SimBuilder, Workload};
use kv_register::{KvRegister, Mode};

fn history(threads_per_node: usize, rate: f64, secs: u64) -> Vec<Op> {
    history_of(Mode::Unanswered(7), threads_per_node, rate, secs)
}

fn history_of(mode: Mode, threads_per_node: usize, rate: f64, secs: u64) -> Vec<Op> {
    let mut cfg = SimBuilder::new(Workload::named("lin-kv").expect("registered"))
        .nodes(3)
        .concurrency(3 * threads_per_node)
        .rate(rate)
        .secs(secs)
        .seed(1)
        .nodes_of(KvRegister::nodes(mode))
        .build();
    cfg.partition = true;
    let report = glomers_sim::run(&cfg).expect("the run completes");
    let ops = report.history.ops().to_vec();
    let r = linearizable::check(&ops, &Budget::default());
    let keys = r.results.len();
    let checked: usize = r.results.iter().map(|k| k.op_count).sum();
    let crashed: usize = r.results.iter().map(|k| k.crashed_count).sum();
    let unknown = r
        .results
        .iter()
        .filter(|k| matches!(k.outcome, KeyOutcome::Unknown(_)))
        .count();
    eprintln!(
        "{mode:?} {threads_per_node}n rate {rate} {secs} s: {} history entries, {checked} ops on {keys} keys, \
         {crashed} crashed, valid {}, {unknown} keys unknown",
        ops.len(),
        r.valid
    );
    ops
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("lin-kv check");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    let raft = history(4, 30.0, 60);
    g.bench_function("raft chapter: 4n rate 30 60 s partition", |b| {
        b.iter(|| linearizable::check(&raft, &Budget::default()))
    });
    let heavy = history(10, 100.0, 60);
    g.bench_function("10n rate 100 60 s partition", |b| {
        b.iter(|| linearizable::check(&heavy, &Budget::default()))
    });
    for secs in [30, 120, 240] {
        let h = history(4, 30.0, secs);
        g.bench_with_input(
            BenchmarkId::new("4n rate 30, time limit", secs),
            &h,
            |b, h| b.iter(|| linearizable::check(h, &Budget::default())),
        );
    }
    for per_node in [2, 20] {
        let h = history(per_node, 100.0, 60);
        g.bench_with_input(
            BenchmarkId::new("rate 100 60 s, threads per node", per_node),
            &h,
            |b, h| b.iter(|| linearizable::check(h, &Budget::default())),
        );
    }
    // Invalid histories: the search must exhaust a failing key before it can say so.
    for (name, mode) in [
        ("lost writes", Mode::LoseEvery(3)),
        ("stale reads", Mode::CachedReads),
    ] {
        for per_node in [4, 10] {
            let h = history_of(mode, per_node, if per_node == 4 { 30.0 } else { 100.0 }, 60);
            g.bench_with_input(
                BenchmarkId::new(format!("invalid, {name}, 60 s, threads per node"), per_node),
                &h,
                |b, h| b.iter(|| linearizable::check(h, &Budget::default())),
            );
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
