//! The shipped 3d and 3e files hold their latency budgets on every network of the README's
//! table (constant 20, 100 and 200 ms; uniform and exponential with a 100 ms mean), on the
//! deterministic simulator: valid, nothing lost, within the challenge's limits, and at a
//! message cost near the sweep's figures (bounds with margin; the figures live in the sweep).

use crate::common;

use glomers_sim::{LatencyDist, Report};

const SEEDS: [u64; 2] = [1, 2];

struct Case {
    preset: &'static str,
    latency: u64,
    dist: LatencyDist,
    /// Highest msgs-per-op accepted (the target plus a margin).
    msgs_per_op: f32,
    /// Limits on the median and max stable latency (ms), if the network allows them.
    limits: Option<(u64, u64)>,
}

fn run(c: &Case, seed: u64) -> Report {
    let mut cfg = common::broadcast(25, 100.0, 20, c.latency, seed);
    cfg.latency_dist = c.dist;
    common::run(&common::with_nodes(cfg, common::preset(c.preset)))
}

fn check(cases: &[Case]) {
    for c in cases {
        for seed in SEEDS {
            let r = run(c, seed);
            let what = format!("{} on {:?} {} ms, seed {seed}", c.preset, c.dist, c.latency);
            common::assert_within_budget(&r, &what, c.msgs_per_op, c.limits);
        }
    }
}

#[test]
fn three_e_holds_its_budget_on_every_network() {
    use LatencyDist::*;
    let case = |latency, dist, msgs_per_op| Case {
        preset: "3e",
        latency,
        dist,
        msgs_per_op,
        limits: Some((1_000, 2_000)),
    };
    check(&[
        case(20, Constant, 0.33),
        case(200, Constant, 0.42),
        case(100, Uniform, 0.48),
        case(100, Exponential, 0.95),
    ]);
}

#[test]
fn three_d_holds_its_budget_where_the_network_allows() {
    use LatencyDist::*;
    let case = |latency, dist, msgs_per_op, limits| Case {
        preset: "3d",
        latency,
        dist,
        msgs_per_op,
        limits,
    };
    check(&[
        case(20, Constant, 1.0, Some((400, 600))),
        case(100, Uniform, 2.6, Some((400, 600))),
        // Two hops alone take 400 ms, and an exponential tail beats any 600 ms bound: valid
        // and bounded in cost, with the limits the network allows.
        case(200, Constant, 2.5, Some((600, 1_000))),
        case(100, Exponential, 3.5, Some((400, 1_500))),
    ]);
}

#[test]
fn faster_networks_get_longer_rounds_and_fewer_messages() {
    // The same run on three constant networks: the slack a faster network leaves goes into
    // longer rounds, so each costs less than the next slower one.
    let cost = |latency| {
        let r = run(
            &Case {
                preset: "3e",
                latency,
                dist: LatencyDist::Constant,
                msgs_per_op: f32::MAX,
                limits: None,
            },
            1,
        );
        r.net.servers.msgs_per_op.expect("ops ran")
    };
    let (fast, standard, slow) = (cost(20), cost(100), cost(200));
    assert!(
        fast < standard && standard < slow,
        "{fast} {standard} {slow}"
    );
}
