//! The broadcast final phase: once every thread is idle after the time limit, heal, wait 10 s,
//! then one final read per thread, all invoked at the same instant; teardown right after.

use crate::common;

use glomers_sim::history::{OpF, OpType, Process};

#[test]
fn final_reads_come_ten_seconds_after_the_last_op_one_per_thread() {
    let mut cfg = common::broadcast(5, 10.0, 5, 0, 4);
    cfg.partition = true;
    cfg.nemesis_interval = std::time::Duration::from_secs(1);
    let cfg = common::with_nodes(cfg, common::preset("3e"));
    let r = common::run(&cfg);
    let ops = r.history.ops();
    let finals: Vec<_> = ops
        .iter()
        .filter(|o| o.final_read && o.kind == OpType::Invoke)
        .collect();
    assert_eq!(finals.len(), 5);
    assert!(
        finals
            .iter()
            .all(|o| o.f == OpF::READ && o.time_ns == finals[0].time_ns)
    );
    let first_final = finals[0].index;
    let last_main = ops[..first_final]
        .iter()
        .filter(|o| o.is_client())
        .map(|o| o.time_ns)
        .max()
        .expect("main ops");
    assert_eq!(finals[0].time_ns - last_main, 10_000_000_000);
    // The heal precedes the quiet period.
    let heal = ops[..first_final]
        .iter()
        .rev()
        .find(|o| o.process == Process::Nemesis);
    assert_eq!(heal.expect("a nemesis op").f, OpF::STOP_PARTITION);
    // Teardown right after the last final read completes.
    let last = ops.last().expect("ops");
    assert!(last.final_read && last.kind == OpType::Ok);
    assert_eq!(r.end.as_micros() * 1000, last.time_ns);
    common::assert_broadcast_valid(&r);
}
