//! g-set end to end on the virtual clock: a correct CRDT node is valid under partitions,
//! one that forgets adds is rejected with the lost elements named; the client rules and
//! the final phase are Maelstrom's.

use glomers_sim::history::{OpType, OpValue};
use glomers_sim::workloads::broadcast::set_full::SetFullResult;
use glomers_sim::workloads::g_set::ADD;
use glomers_sim::{Report, SimBuilder, SimConfig, Validity, Workload};

use crate::common::gset_node::GSetNode;
use crate::common::run;

fn g_set(forget_every: u32, seed: u64) -> SimConfig {
    let mut cfg = SimBuilder::new(Workload::named("g-set").expect("registered"))
        .nodes(3)
        .rate(10.0)
        .secs(30)
        .seed(seed)
        .nodes_of(GSetNode::nodes(forget_every))
        .build();
    cfg.partition = true;
    cfg
}

fn set_full(r: &Report) -> &SetFullResult {
    r.workload.get().expect("a set-full result")
}

#[test]
fn a_gossiping_crdt_is_valid_under_partitions() {
    for seed in 1..=3 {
        let r = run(&g_set(0, seed));
        let sf = set_full(&r);
        assert_eq!(sf.lost_count, 0, "seed {seed}: {:?}", sf.lost);
        assert_eq!(r.valid, Validity::True, "seed {seed}: {:?}", r.stats);
        assert_eq!(sf.stable_count, sf.attempt_count, "seed {seed}");
        assert!(sf.attempt_count > 100);
        assert!(r.stats.by_f.get(&ADD).is_some_and(|c| c.ok_count > 0));
        // Two client messages per operation, plus init and init_ok per node.
        assert_eq!(
            r.net.clients.msg_count,
            2 * 3 + 2 * r.op_count,
            "seed {seed}"
        );
    }
}

#[test]
fn a_node_that_forgets_adds_is_rejected_with_the_lost_elements() {
    let r = run(&g_set(7, 4));
    let sf = set_full(&r);
    assert_eq!(sf.valid, Validity::False);
    assert_eq!(r.valid, Validity::False);
    assert!(!sf.lost.is_empty());
    // Every lost element was acknowledged, and no :ok read after its add saw it.
    for e in &sf.lost {
        let acked = r
            .history
            .ops()
            .iter()
            .any(|o| o.f == ADD && o.kind == OpType::Ok && o.value == OpValue::Int(*e));
        assert!(acked, "{e} was acknowledged");
    }
    let mut text = String::new();
    r.workload.verdict().summary(&mut text);
    assert!(text.contains(&format!(":lost #{{{}", sf.lost[0])), "{text}");
}

#[test]
fn final_reads_one_per_thread_after_recovery_untagged() {
    let r = run(&g_set(0, 5));
    let ops = r.history.ops();
    assert!(
        ops.iter().all(|o| !o.final_read),
        "g-set's final reads are not tagged"
    );
    // The last client invocations: one read per thread, all at one instant.
    let invokes: Vec<_> = ops
        .iter()
        .filter(|o| o.is_client() && o.kind == OpType::Invoke)
        .collect();
    let last = &invokes[invokes.len() - 3..];
    assert!(last.iter().all(|o| o.f.name() == "read"));
    assert!(last.iter().all(|o| o.time_ns == last[0].time_ns));
    let before = invokes[invokes.len() - 4].time_ns;
    assert!(
        last[0].time_ns - before >= 10_000_000_000,
        "10 s of recovery"
    );
}

#[test]
fn named_nodes_are_told_their_ids_and_address_each_other_by_them() {
    let mut cfg = g_set(0, 6);
    cfg.node_names = vec!["n1".into(), "n2".into(), "n3".into()];
    cfg.trace = true;
    let r = run(&cfg);
    assert!(r.node_errors.is_empty(), "{:?}", r.node_errors);
    assert_eq!(r.valid, Validity::True);
    let trace = String::from_utf8_lossy(r.trace.as_deref().unwrap_or_default()).into_owned();
    assert!(
        trace.contains(r#""node_id":"n3","node_ids":["n1","n2","n3"]"#),
        "init uses the names"
    );
    assert!(!trace.contains(r#""node_id":"n0""#));
    assert!(
        trace.contains(r#""src":"n1","dest":"n3""#),
        "gossip between named nodes"
    );
    cfg.node_names = vec!["n1".into(), "c2".into(), "n3".into()];
    let e = glomers_sim::run(&cfg).expect_err("c2 would be a client");
    assert!(e.to_string().contains("c2"), "{e}");
}

#[test]
fn results_json_carries_the_set_full_section_and_reads_back_as_written() {
    use glomers_sim::report::document::ResultsJson;
    use glomers_sim::report::output::to_json;
    for forget_every in [0, 3] {
        let mut cfg = g_set(forget_every, 2);
        cfg.time_limit = std::time::Duration::from_secs(10);
        let r = run(&cfg);
        let doc = to_json(&r);
        let back = ResultsJson::parse(&doc.to_text()).expect("it parses");
        assert_eq!(back, doc);
        let lost = set_full(&r).lost_count;
        assert_eq!(back.workload_fields["lost_count"], lost);
        assert_eq!(forget_every == 0, lost == 0);
        let figure = back.figures.iter().find(|f| f.key == "lost_count");
        assert_eq!(figure.map(|f| f.value.clone()), Some(lost.to_string()));
    }
}

/// The issue's command with the glomers node in process: `-w g-set --node-count 3 --rate 100
/// --time-limit 20 --nemesis partition`.
fn glomers_under_partitions(seed: u64) -> SimConfig {
    let mut cfg = SimBuilder::new(Workload::named("g-set").expect("registered"))
        .nodes(3)
        .rate(100.0)
        .secs(20)
        .seed(seed)
        .build();
    cfg.partition = true;
    cfg
}

/// The glomers node in process serves g-set because the simulator names the run's workload
/// in its settings: a first `read` is answered with a set, not a counter's `value: 0` (which
/// the closed reply schema turns into `:info`), and the gossip engine loses nothing.
#[test]
fn glomers_nodes_serve_g_set_from_the_first_read() {
    for seed in 1..=3 {
        let r = run(&glomers_under_partitions(seed));
        let sf = set_full(&r);
        assert_eq!(r.stats.total.info_count, 0, "seed {seed}: {:?}", r.stats);
        assert_eq!(sf.lost_count, 0, "seed {seed}: {:?}", sf.lost);
        assert_eq!(r.valid, Validity::True, "seed {seed}");
    }
}

/// The issue's cost target for the glomers node: g-set under Maelstrom's partitions costs no
/// more than 0.05 server messages per operation, as the g-counter does. Seeds 1 and 3 cost
/// 0.060 and 0.091 when each unacknowledged batch was resent on its own and a cut-off node
/// fell back to a relay; they cost 0.036 and 0.043 now, asserted with a margin under 0.05.
#[test]
fn glomers_g_set_under_partitions_costs_no_more_than_the_counter_target() {
    for seed in [1, 3] {
        let r = run(&glomers_under_partitions(seed));
        assert_eq!(r.valid, Validity::True, "seed {seed}");
        assert_eq!(set_full(&r).lost_count, 0, "seed {seed}");
        let per_op = r.net.servers.msgs_per_op.expect("operations ran");
        assert!(per_op <= 0.046, "seed {seed}: {per_op} msgs-per-op");
    }
}
