//! What Jepsen's kafka analysis costs here: runs kafka on the virtual clock against the
//! correct in-process log of the tests (two nodes forwarding to `n0`, four client threads),
//! then times the checker alone on the finished history and reads the process's peak memory.
//!
//! ```text
//! cargo run --release -p glomers-sim --example kafka_checker_cost -- 20 1000   # 5b
//! cargo run --release -p glomers-sim --example kafka_checker_cost -- 120 5000
//! ```

#[allow(dead_code)]
#[path = "../tests/common/kafka_log.rs"]
mod kafka_log;

use std::time::{Duration, Instant};

use glomers_sim::workloads::kafka;
use glomers_sim::{SimConfig, Workload};
use kafka_log::{KafkaLog, Mode};

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let secs: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(20);
    let rate: f64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(1000.0);
    let cfg = SimConfig {
        workload: Workload::named("kafka").expect("registered"),
        node_count: 2,
        concurrency: Some(4),
        rate,
        time_limit: Duration::from_secs(secs),
        seed: 1,
        nodes: KafkaLog::nodes(Mode::Correct),
        ..SimConfig::default()
    };
    let t = Instant::now();
    let report = glomers_sim::run(&cfg).expect("runs");
    let run = t.elapsed();
    let before = peak_rss_mib();
    let t = Instant::now();
    let result = kafka::check(report.history.ops());
    let check = t.elapsed();
    println!(
        "kafka --time-limit {secs} --rate {rate}: {} history entries, {} sends; run (simulation \
         + checks) {:.2} s; checker alone {:.3} s, valid {}; peak RSS {:.0} MiB before the \
         second check, {:.0} MiB after",
        report.history.ops().len(),
        result.sends,
        run.as_secs_f64(),
        check.as_secs_f64(),
        result.valid,
        before.unwrap_or(0.0),
        peak_rss_mib().unwrap_or(0.0)
    );
}
