//! The node tunes its rounds to the network it finds: on a small test network whose latency
//! changes mid-run, the root re-plans within a few rounds, every node follows it, and nothing
//! is lost across the switch.

mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use glomers::Time;
use glomers::config::NodeConfig;
use support::Net;

/// The round period (ms) a timing note announces: "timing: rounds of 1640 ms …".
fn period_of(note: &str) -> u64 {
    note.strip_prefix("timing: rounds of ")
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a timing note: {note}"))
}

/// Every leaf broadcasts once, then the cluster runs for `span`.
fn round_of_values(net: &mut Net, next: &mut i64, span: Duration) {
    for leaf in 1..net.nodes.len() {
        net.broadcast(leaf, *next);
        *next += 1;
    }
    net.run_for(span);
}

fn last_period_since(net: &Net, since: Time) -> Option<u64> {
    net.timing_notes
        .iter()
        .rev()
        .find(|(at, node, _)| *at >= since && *node == 0)
        .map(|(_, _, note)| period_of(note))
}

#[test]
fn the_root_stretches_rounds_on_a_fast_network_and_shrinks_them_when_it_slows() {
    let config = NodeConfig::load("3e").expect("preset");
    let budget = config.timing.max_latency_ms.expect("a budget");
    let mut net = Net::new(9, &config, 3);
    let mut value = 0;

    net.latency = Duration::from_millis(20);
    for _ in 0..4 {
        round_of_values(&mut net, &mut value, Duration::from_millis(1_000));
    }
    let fast = last_period_since(&net, Time::ZERO).expect("the root planned");
    // 1850 − (20 + 10) climbing − 20 descending.
    assert!((1_790..=1_800).contains(&fast), "{fast} ms rounds at 20 ms");
    assert!(
        net.timing_notes.iter().all(|(_, node, _)| *node == 0),
        "only the root plans"
    );

    // The network slows down to 200 ms: within a few rounds the root shortens them.
    net.latency = Duration::from_millis(200);
    let switched = net.now;
    let mut rounds = 0;
    while last_period_since(&net, switched).is_none_or(|p| p > 1_450) {
        round_of_values(&mut net, &mut value, Duration::from_millis(fast));
        rounds += 1;
        assert!(
            rounds <= 3,
            "still planning for a fast network: {:?}",
            net.timing_notes
        );
    }
    let slow = last_period_since(&net, switched).expect("re-planned");
    assert!(slow <= budget - 410, "{slow} ms rounds at 200 ms");

    assert!(net.settle(Duration::from_secs(60)), "never went idle");
    let all: BTreeSet<i64> = (0..value).collect();
    for i in 0..net.nodes.len() {
        let held = net.read(i);
        let missing: Vec<_> = all.difference(&held).collect();
        assert!(missing.is_empty(), "n{i} lacks {missing:?}");
    }
}

#[test]
fn pinned_timing_is_never_re_planned() {
    let mut config = NodeConfig::load("3e").expect("preset");
    config.timing.tick_ms = Some(1_600);
    config.timing.hop_ms = Some(100);
    let mut net = Net::new(5, &config, 1);
    let mut value = 0;
    net.latency = Duration::from_millis(20);
    for _ in 0..4 {
        round_of_values(&mut net, &mut value, Duration::from_millis(1_600));
    }
    assert!(net.settle(Duration::from_secs(30)));
    assert!(net.timing_notes.is_empty(), "{:?}", net.timing_notes);
}
