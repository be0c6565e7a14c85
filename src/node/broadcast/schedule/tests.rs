use super::*;
use crate::config::NodeConfig;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn budget(max: u64) -> Settings {
    let mut c = NodeConfig::default();
    c.timing.max_latency_ms = Some(max);
    c.timing.latency_quantile = 0.99;
    c.timing.prior_latency_ms = None;
    Settings::from_config(&c)
}

/// `n` samples in ms, sorted, as µs.
fn samples(ms: impl IntoIterator<Item = u64>) -> Vec<u32> {
    let mut v: Vec<u32> = ms.into_iter().map(|m| (m * 1000) as u32).collect();
    v.sort_unstable();
    v
}

#[test]
fn without_samples_the_prior_plans_conservatively() {
    let c = choose(&budget(1850), 1, 24, &[]);
    // 1850 − (600 + 10) climbing − 600 descending.
    assert_eq!(c.period, ms(640));
    assert_eq!((c.wait, c.descent, c.fits), (PRIOR_CAP, PRIOR_CAP, true));
    // A tight budget is shared equally by the round and the hops.
    let tight = choose(&budget(580), 1, 24, &[]);
    // 580 / 3 = 193.3 ms: the wait rounds up to 194, the period down to 182.
    assert_eq!((tight.wait, tight.period), (ms(194), ms(182)));
    // An explicit prior replaces the rule.
    let mut s = budget(1850);
    s.prior = Some(ms(460));
    assert_eq!(choose(&s, 1, 24, &[]).period, ms(1850 - 470 - 460));
    let tree = choose(&budget(1850), 3, 4, &[]);
    assert_eq!(tree.wait, ms(265), "1850 / 7 = 264.3, rounded up");
    // Too few samples are not trusted yet.
    let few = samples([100; MIN_SAMPLES - 1]);
    assert_eq!(choose(&budget(1850), 1, 24, &few), c);
}

#[test]
fn a_constant_network_waits_exactly_one_latency_and_gets_the_longest_round() {
    let s = samples([100; 200]);
    let c = choose(&budget(1850), 1, 24, &s);
    assert_eq!((c.wait, c.descent), (ms(100), ms(100)));
    assert_eq!(c.period, ms(1850 - 110 - 100));
    // A faster network stretches the rounds, a slower one shrinks them.
    assert_eq!(
        choose(&budget(1850), 1, 24, &samples([20; 200])).period,
        ms(1800)
    );
    assert_eq!(
        choose(&budget(1850), 1, 24, &samples([200; 200])).period,
        ms(1440)
    );
}

#[test]
fn a_uniform_network_waits_near_its_top_rather_than_flush_late_deltas() {
    let s = samples((0..200).chain(0..200));
    let c = choose(&budget(1850), 1, 24, &s);
    // The 0.99 quantile is sample 396 of 400 (197 ms); the tail read off the largest 20
    // (mean excess 5.5 ms over 189 ms, times ln 5) reaches a little further, short of the top.
    assert!(
        (ms(197)..=ms(199)).contains(&c.descent),
        "{c:?}: the 0.99 quantile, or just above it"
    );
    assert!(c.wait >= ms(190), "{c:?}");
    assert_eq!(c.period, ms(1850) - c.wait - ms(10) - c.descent);
}

#[test]
fn a_heavy_tail_accepts_a_few_late_deltas_for_longer_rounds() {
    // Roughly exponential, mean 100 ms: quantiles at −100·ln(1 − p).
    let s = samples((1..1000).map(|i| (-100.0 * (1.0 - i as f64 / 1000.0).ln()) as u64));
    let c = choose(&budget(1850), 1, 24, &s);
    // The 0.99 quantile is 460 ms; its tail, extrapolated five times deeper (0.998: 621 ms),
    // is what the descent budgets.
    assert!((ms(600)..=ms(640)).contains(&c.descent), "{c:?}");
    let d = c.descent;
    assert!(c.wait < d && c.wait > ms(230), "{c:?}");
    let all_in = ms(1850 - 10) - d * 2;
    assert!(c.period > all_in, "{c:?}");
    // The choice is the cheapest of all the candidates the model considers.
    let cost = |w: Duration, p: Duration| (48.0 + 576.0 * fraction_above(&s, w)) / p.as_secs_f64();
    let chosen = cost(c.wait, c.period);
    for w in [300u64, 350, 400, 460] {
        let p = ms(1850 - 10 - w) - d;
        assert!(chosen <= cost(ms(w), p) + 1e-9, "wait {w}: {c:?}");
    }
}

#[test]
fn overrides_pin_the_period_or_the_latency() {
    let mut s = budget(1850);
    s.tick = Some(ms(1600));
    let c = choose(&s, 1, 24, &samples([150; 100]));
    assert_eq!((c.period, c.wait), (ms(1600), ms(150)));
    let mut s = budget(1850);
    s.hop = Some(ms(100));
    let c = choose(&s, 1, 24, &samples([300; 100]));
    assert_eq!(
        (c.period, c.wait),
        (ms(1640), ms(100)),
        "observations are ignored"
    );
}

#[test]
fn a_median_goal_can_bind() {
    let mut s = budget(1850);
    s.median_latency = Some(ms(700));
    let c = choose(&s, 1, 24, &samples([100; 100]));
    // Half a round + 110 + 100 ≤ 700.
    assert_eq!(c.period, ms(980));
}

#[test]
fn deeper_trees_budget_every_level() {
    // Height 3: 3 climbs of (w + g), 3 descents of d, 2 relays of g on the way down.
    let c = choose(&budget(1850), 3, 4, &samples([100; 100]));
    assert_eq!(c.period, ms(1850 - 3 * 110 - 3 * 100 - 2 * 10));
}

#[test]
fn an_unreachable_budget_says_so_and_keeps_rounds_short() {
    let c = choose(&budget(300), 1, 24, &samples([200; 100]));
    assert_eq!((c.period, c.fits), (MIN_PERIOD, false));
    // A network that stalls for seconds (a paused node) never makes rounds wait for seconds.
    let stalls = samples((0..100).map(|i| if i < 60 { 20 } else { 7_000 }));
    let c = choose(&budget(1850), 1, 24, &stalls);
    assert!(!c.fits && c.wait <= ms(925), "{c:?}");
}

#[test]
fn plans_cross_the_wire_and_small_changes_are_not_announced() {
    let p = Plan {
        from: Time::from_millis(1_234_567),
        period: ms(1640),
        step: ms(110),
    };
    assert_eq!(Plan::from_wire(p.to_wire()), Some(p));
    assert_eq!(Plan::from_wire([5, 0, 5]), None);
    assert_eq!(p.offset(), ms(1_234_567 % 1640));
    let nudge = |period: u64, step: u64| Plan {
        period: ms(period),
        step: ms(step),
        ..p
    };
    assert!(!worth_changing(&p, &nudge(1660, 112)));
    assert!(worth_changing(&p, &nudge(1500, 110)));
    assert!(worth_changing(&p, &nudge(1640, 130)));
}

#[test]
fn a_few_samples_of_a_spread_network_are_widened_until_the_tail_can_show() {
    // 20 samples, 0.99 quantile: a fifth of the samples the quantile needs. The estimate is
    // the largest sample plus 80 % of its distance from the median.
    let s = samples((1..=20).map(|i| i * 10));
    let c = choose(&budget(1850), 1, 24, &s);
    assert_eq!(c.descent, ms(200 + (200 - 100) * 8 / 10));
    // A constant network has no spread to widen.
    assert_eq!(
        choose(&budget(1850), 1, 24, &samples([100; 20])).descent,
        ms(100)
    );
}

#[test]
fn a_heavy_tail_is_extrapolated_where_the_widening_ends() {
    // 200 samples spread as an exponential of mean 100 ms: at 0.99, 200 samples end the
    // widening, and the quantile read off them is sample 198 (438 ms). The tail's scale, the
    // mean excess of the largest ten over the 11th (295 ms), extrapolates the budget to the
    // distribution's 0.998 quantile (621 ms): five times rarer descents than the quantile's.
    let s = samples((0..200).map(|i| (-100.0 * (1.0 - (i as f64 + 0.5) / 200.0).ln()) as u64));
    assert_eq!(quantile(&s, 0.99), Some(ms(438)));
    let c = choose(&budget(1850), 1, 24, &s);
    assert!((ms(560)..=ms(660)).contains(&c.descent), "{c:?}");
    // A uniform one's excess shrinks towards its top: nothing is added past what was drawn.
    let u = samples((0..200).map(|i| i + 100));
    assert_eq!(
        choose(&budget(1850), 1, 24, &u).descent,
        ms(297),
        "sample 198"
    );
    // A constant network has no tail to extrapolate.
    assert_eq!(
        choose(&budget(1850), 1, 24, &samples([100; 400])).descent,
        ms(100)
    );
}

#[test]
fn the_quantile_of_a_climb_and_a_descent_together_counts_every_pair() {
    // Ups 0, 100, 200 and downs 0, 1000: the six sums are 0, 100, 200, 1000, 1100, 1200.
    let (ups, downs) = (samples([0, 100, 200]), samples([0, 1000]));
    assert_eq!(sum_quantile(&ups, &downs, 0.5), Some(ms(200)));
    assert_eq!(sum_quantile(&ups, &downs, 0.51), Some(ms(1000)));
    assert_eq!(sum_quantile(&ups, &downs, 0.999), Some(ms(1200)));
    assert_eq!(sum_quantile(&ups, &downs, 0.0), Some(ms(0)));
    assert_eq!(sum_quantile(&ups, &[], 0.5), None);
    // Against a brute force over pairs, on two spread samples.
    let a = samples((0..150).map(|i| (i * 37) % 500));
    let b = samples((0..90).map(|i| (i * i) % 700));
    let mut all: Vec<u32> = a
        .iter()
        .flat_map(|&x| b.iter().map(move |&y| x + y))
        .collect();
    all.sort_unstable();
    for q in [0.1, 0.5, 0.9, 0.995, 0.999] {
        assert_eq!(sum_quantile(&a, &b, q), quantile(&all, q), "q {q}");
    }
}

#[test]
fn a_slow_climb_and_descent_together_shorten_the_rounds_but_never_to_nothing() {
    // Exponential (mean 100 ms): the model budgets a 450 ms wait and a 600 ms descent one at
    // a time; a climb and a descent that reach 1200 ms together (a climb the root's delivery
    // worker slept on) bind instead.
    let s = samples((1..1000).map(|i| (-100.0 * (1.0 - i as f64 / 1000.0).ln()) as u64));
    let alone = choose_drawn(&budget(1850), 1, 24, &s, s.len());
    let path = ms(1200);
    assert!(path > alone.wait + alone.descent, "{alone:?}");
    let c = choose_paths(&budget(1850), 1, 24, &s, s.len(), path);
    assert_eq!(c.period, ms(1850 - 10) - path);
    assert!(c.period < alone.period);
    // On a constant network the path is the wait plus the descent: nothing changes.
    let k = samples([100; 200]);
    let path = sum_quantile(&k, &k, 0.999).expect("samples");
    assert_eq!(
        choose_paths(&budget(1850), 1, 24, &k, k.len(), path),
        choose(&budget(1850), 1, 24, &k)
    );
    // A stall (a paused node: 3 s) leaves no round at all: it is ignored, not the shortest
    // rounds.
    let stalled = choose_paths(&budget(1850), 1, 24, &s, s.len(), ms(3_000));
    assert_eq!(stalled, alone);
}
