//! lin-kv end to end on the virtual clock: correct in-process nodes are linearizable, broken
//! ones are rejected with the operation that cannot be linearized named; Maelstrom's client
//! rules, generator and output hold.

use std::time::Duration;

use glomers_sim::checkers::linearizable::{KeyOutcome, LinearizableResult};
use glomers_sim::history::{OpType, OpValue, Process};
use glomers_sim::workloads::lin_kv::{CAS, READ, WRITE};
use glomers_sim::{NodeKind, Report, SimBuilder, SimConfig, Validity, Workload};
use serde_json::Value;

use crate::common::kv_register::{KvRegister, Mode};
use crate::common::run;

fn lin_kv(nodes: u16, threads: usize, mode: Mode, seed: u64) -> SimConfig {
    SimBuilder::new(Workload::named("lin-kv").expect("registered"))
        .nodes(nodes)
        .concurrency(threads)
        .rate(30.0)
        .secs(20)
        .seed(seed)
        .nodes_of(KvRegister::nodes(mode))
        .build()
}

fn result(r: &Report) -> &LinearizableResult {
    r.workload.get().expect("a lin-kv report")
}

/// The summary's `:workload` section.
fn workload_text(r: &Report) -> String {
    let mut s = String::new();
    r.workload.verdict().summary(&mut s);
    s
}

#[test]
fn a_proxy_to_the_lin_kv_service_is_linearizable_even_under_partitions() {
    for seed in 1..=3 {
        let mut cfg = lin_kv(3, 12, Mode::Proxy, seed);
        cfg.partition = true;
        let r = run(&cfg);
        let lin = result(&r);
        assert_eq!(
            lin.valid,
            Validity::True,
            "seed {seed}: {}",
            workload_text(&r)
        );
        assert_eq!(r.valid, Validity::True, "seed {seed}: stats {:?}", r.stats);
        assert!(lin.failures.is_empty());
        assert!(
            lin.results.len() >= 2,
            "two groups of 6 threads: keys 0 and 1"
        );
        assert!(lin.results.iter().map(|k| k.op_count).sum::<usize>() > 400);
        // One request and one reply per operation, plus init and init_ok per node.
        assert_eq!(
            r.net.clients.msg_count,
            2 * 3 + 2 * r.op_count,
            "seed {seed}"
        );
    }
}

#[test]
fn one_node_with_its_own_registers_is_linearizable() {
    let r = run(&lin_kv(1, 2, Mode::Local, 4));
    assert_eq!(result(&r).valid, Validity::True, "{}", workload_text(&r));
}

fn assert_rejected(r: &Report, what: &str) -> String {
    let lin = result(r);
    assert_eq!(lin.valid, Validity::False, "{what}: {}", workload_text(r));
    assert_eq!(r.valid, Validity::False);
    assert!(!lin.failures.is_empty());
    let key = &lin.failures[0];
    let k = lin
        .results
        .iter()
        .find(|k| &k.key == key)
        .expect("a failing key");
    let KeyOutcome::NotLinearizable(f) = &k.outcome else {
        panic!("{what}: {:?}", k.outcome)
    };
    assert_eq!(f.op.kind, OpType::Ok, "Knossos names an :ok operation");
    assert!(f.previous_ok.is_some());
    assert!(!f.final_paths.is_empty(), "{what}: final paths");
    // The named operation is in the history, with this key.
    let op = &r.history.ops()[f.op.index];
    assert_eq!(op.kind, OpType::Ok);
    assert_eq!(op.process, Process::Client(f.op.process));
    let OpValue::Json(Value::Array(kv)) = &op.value else {
        panic!("{op}")
    };
    assert_eq!(&kv[0], key);
    // Its diagram goes into the results folder.
    let plots = glomers_sim::present::plot::render(r).expect("the plots draw");
    assert!(
        plots
            .iter()
            .any(|p| p.file_name.starts_with("linear-") && p.svg.contains("is not linearizable")),
        "{what}: {:?}",
        plots.iter().map(|p| &p.file_name).collect::<Vec<_>>()
    );
    workload_text(r)
}

#[test]
fn stale_reads_are_rejected() {
    // Every node keeps its own registers: a read on one node misses another's write.
    let r = run(&lin_kv(3, 6, Mode::Local, 5));
    let text = assert_rejected(&r, "separate registers");
    assert!(text.contains(":failures ["), "{text}");
    // A cache of values each node saw itself: reads go stale behind other nodes' writes.
    let r = run(&lin_kv(2, 4, Mode::CachedReads, 6));
    let text = assert_rejected(&r, "cached reads");
    assert!(text.contains("can't read"), "{text}");
}

#[test]
fn lost_writes_are_rejected() {
    let r = run(&lin_kv(2, 4, Mode::LoseEvery(3), 7));
    assert_rejected(&r, "every third write lost");
}

#[test]
fn a_cas_that_ignores_its_from_value_is_rejected() {
    let r = run(&lin_kv(2, 4, Mode::BlindCas, 8));
    let text = assert_rejected(&r, "blind cas");
    assert!(
        text.contains("can't CAS") || text.contains("can't read"),
        "{text}"
    );
}

#[test]
fn concurrency_that_is_not_a_multiple_of_two_n_aborts_as_maelstrom_does() {
    let mut cfg = lin_kv(3, 3, Mode::Proxy, 1);
    let e = glomers_sim::run(&cfg).expect_err("1n on 3 nodes");
    assert!(e.to_string().contains("at least 6"), "{e}");
    cfg.concurrency = Some(9);
    let e = glomers_sim::run(&cfg).expect_err("9 threads");
    assert!(e.to_string().contains("a multiple of 6"), "{e}");
}

#[test]
fn client_rules_history_tuples_and_no_final_phase() {
    // Every other node never answers: its reads :fail and its writes/cas :info after 1 s;
    // the thread keeps its client (reusable) and gains a new process.
    let cfg = SimBuilder::new(Workload::named("lin-kv").expect("registered"))
        .nodes(2)
        .concurrency(4)
        .rate(20.0)
        .secs(10)
        .seed(3)
        .nodes_of(NodeKind::custom("n1 silent", |i| {
            if i == 1 {
                Box::new(crate::common::Silent)
            } else {
                Box::new(KvRegister::new(i, Mode::Proxy))
            }
        }))
        .build();
    let r = run(&cfg);
    let ops = r.history.ops();
    let mut open = std::collections::BTreeMap::new();
    let (mut read_fail, mut write_info) = (0, 0);
    for op in ops.iter().filter(|o| o.is_client()) {
        let OpValue::Json(Value::Array(kv)) = &op.value else {
            panic!("a [k v] tuple: {op}")
        };
        assert_eq!(kv.len(), 2);
        assert!(kv[0].is_i64());
        if op.kind == OpType::Invoke {
            open.insert(op.process, op.time_ns);
            continue;
        }
        let began = open.remove(&op.process).expect("an invocation");
        match (op.f, op.kind) {
            (READ, OpType::Fail) if op.error.as_deref() == Some(":net-timeout") => {
                read_fail += 1;
                let waited = Duration::from_nanos(op.time_ns - began);
                assert!(waited >= Duration::from_millis(1000), "{waited:?}");
                assert!(waited < Duration::from_millis(1100), "{waited:?}");
            }
            (WRITE | CAS, OpType::Info) => write_info += 1,
            // Key 20 (key-does-not-exist) from the service is definite: :fail.
            (_, OpType::Ok | OpType::Fail) => {}
            other => panic!("{other:?}: {op}"),
        }
    }
    assert!(read_fail > 5 && write_info > 5, "{read_fail} {write_info}");
    // Reusable: no client beyond the two init clients and four workers.
    assert_eq!(r.clients_opened, 2 + 4);
    assert!(ops.iter().all(|o| !o.final_read), "no final phase");
}

#[test]
fn crashed_writes_that_did_or_did_not_take_effect_are_linearizable() {
    // Every 5th write or cas is never answered: half applied, half dropped.
    let mut cfg = lin_kv(3, 6, Mode::Unanswered(5), 9);
    cfg.partition = true;
    let r = run(&cfg);
    let lin = result(&r);
    assert_eq!(lin.valid, Validity::True, "{}", workload_text(&r));
    let crashed: usize = lin.results.iter().map(|k| k.crashed_count).sum();
    assert!(crashed > 20, "{crashed} crashed operations");
    // Each crash gives a thread a new process; a key retires once more than 20 processes
    // would have used it (after about 21 − 2·3 = 15 crashes).
    assert!(lin.results.len() >= 2, "{} keys", lin.results.len());
    let mut procs: std::collections::BTreeMap<i64, std::collections::BTreeSet<u64>> =
        Default::default();
    for op in r.history.ops().iter().filter(|o| o.kind == OpType::Invoke) {
        if let (OpValue::Json(Value::Array(kv)), Process::Client(p)) = (&op.value, op.process) {
            procs
                .entry(kv[0].as_i64().unwrap_or(-1))
                .or_default()
                .insert(p);
        }
    }
    assert!(procs.values().all(|p| p.len() <= 20), "{procs:?}");
    assert!(procs.values().any(|p| p.len() > 12), "some key saw crashes");
}

#[test]
fn results_json_carries_the_lin_kv_section_and_reads_back_as_written() {
    use glomers_sim::report::document::ResultsJson;
    use glomers_sim::report::output::to_json;
    for (mode, valid) in [(Mode::Proxy, true), (Mode::Local, false)] {
        let mut cfg = lin_kv(3, 6, mode, 2);
        cfg.time_limit = Duration::from_secs(5);
        let r = run(&cfg);
        let doc = to_json(&r);
        let back = ResultsJson::parse(&doc.to_text()).expect("it parses");
        assert_eq!(back, doc);
        assert_eq!(back.workload_valid, Some(r.workload.valid()));
        assert_eq!(r.workload.valid() == Validity::True, valid);
        let keys = back.workload_fields["keys"].as_array().expect("keys");
        assert_eq!(keys.len(), result(&r).results.len());
        assert!(back.workload_fields["key_count"].is_number());
        let figure = |k: &str| back.figures.iter().find(|f| f.key == k).map(|f| &f.value);
        let bad = result(&r)
            .results
            .iter()
            .filter(|k| k.valid == Validity::False)
            .count();
        assert_eq!(figure("nonlinearizable_key_count"), Some(&bad.to_string()));
        assert_eq!(valid, bad == 0);
        if !valid {
            assert!(keys.iter().any(|k| k["final_paths"].is_array()));
        }
    }
}

#[test]
fn history_txt_prints_independent_tuples_in_edn() {
    let r = run(&lin_kv(2, 4, Mode::Proxy, 3));
    let dir = std::env::temp_dir().join(format!("glomers-lin-kv-edn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let doc = glomers_sim::report::output::to_json(&r);
    glomers_sim::present::results::write_run(&dir, &r, &doc, "").expect("the folder is written");
    let text = std::fs::read_to_string(dir.join("history.txt")).expect("history.txt");
    let _ = std::fs::remove_dir_all(&dir);
    // Jepsen's independent tuples: `[k nil]` for a read's invocation, `[k [from to]]` for a cas.
    assert!(
        text.lines()
            .any(|l| l.contains(":invoke\t:read\t[") && l.contains(" nil]")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.contains("\t:cas\t[") && l.contains(" [")),
        "{text}"
    );
}
