//! Times Elle's list-append check on a synthetic strict-serializable history.
//!
//! `cargo run --release -p glomers-sim --example list_append_check -- 100000 [concurrency] [seed]`
//! prints the history's size and the check's own time (wall and CPU) (the generation is not
//! timed; time the whole process, e.g. with `/usr/bin/time -v`, for the end-to-end figure).

use std::time::Instant;

use glomers_sim::workloads::txn_list_append::check::{Options, check_owned};
use glomers_sim::workloads::txn_list_append::synth;

/// This thread's CPU time so far, s (Linux `/proc/thread-self/schedstat`; 0 elsewhere): on a
/// shared machine the wall clock also counts other processes' turns.
fn cpu_secs() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns / 1e9)
}

fn main() {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<u64>().ok());
    let n = args.next().flatten().unwrap_or(100_000) as usize;
    let concurrency = args.next().flatten().unwrap_or(10) as usize;
    let seed = args.next().flatten().unwrap_or(1);
    let txns = synth::strict_serializable(n, concurrency, seed);
    let (start, cpu) = (Instant::now(), cpu_secs());
    let res = check_owned(&Options::default(), txns);
    let (secs, cpu) = (start.elapsed().as_secs_f64(), cpu_secs() - cpu);
    println!(
        "{n} txns, concurrency {concurrency}: :valid? {} in {secs:.3} s wall, {cpu:.3} s CPU \
         ({:.2} µs/txn); anomalies {:?}",
        res.valid,
        cpu * 1e6 / n as f64,
        res.anomaly_types
    );
    if let Some(e) = &res.error {
        println!("error: {}", &e[..e.len().min(300)]);
    }
}
