//! The round schedule a latency budget gives, and how the cluster agrees on it.
//!
//! # The model
//!
//! In a rooted overlay of height `H` (a star: `H = 1`) a value takes this path: it waits at
//! most one round period `P` at the node a client gave it to (leaves flush at the round
//! boundary); it climbs `H` levels, each parent flushing one step `S = w + g` after its
//! children (`w` the wait for their deltas, `g` the gather window); and it comes down `H` hops
//! of latency `d`, each inner node relaying after `g`. So the last node holds it at most
//!
//! ```text
//! P + H·(w + g) + H·d + (H − 1)·g      after it reached the first node,
//! ```
//!
//! an upper bound of what Maelstrom reports as the stable latency (its reads are sampled, so
//! it sees a little less). `d` is taken at the budget's quantile `q` of the observed one-way
//! latency (`timing.latency_quantile`, 0.995 by default), and the round period is the longest
//! that keeps the sum within `timing.max_latency_ms` (and half a round plus the path at the
//! median latency within `timing.median_latency_ms`, if set). The longest period is the
//! cheapest: every link carries one message per round whatever the period.
//!
//! The wait `w` trades rounds for late deltas. A delta that reaches a parent after its flush
//! is not held for a round (that would break the budget): it goes on at once, one extra
//! message on every link down. The root picks `w` among the observed latencies between the
//! median and `d` to minimise the expected messages per second,
//!
//! ```text
//! (2·C + C·C·late(w)) / P(w)        C children, late(w) = fraction of samples above w,
//! ```
//!
//! so on a constant network `w = d` (nothing is late), on a uniform one `w` is near its top,
//! and on a heavy-tailed one (exponential) the root accepts a few late deltas rather than
//! shortening every round for the rare slow one. (A redundant path for the tail, a second
//! copy of each delta by another route, would double every round's messages to spare the
//! few late deltas of a run, each of which costs one extra flush: it cannot pay here.)
//!
//! # Estimates
//!
//! Quantiles are read off the samples of the root's links (`latency.rs`) and its children's
//! reports ("Reports"). Before there are any, a prior stands in ([`prior`]:
//! `timing.prior_latency_ms`, or the slowest network the budget can serve with a round as long
//! as a hop). While there are fewer samples than the quantile needs (fewer than 1/(1 − q)),
//! the estimate is widened by the spread seen so far, fading as samples accumulate: a constant
//! network is believed once two draws agree ("Bursts"), a heavy tail is budgeted before it has
//! shown itself, and past that point by its own scale ("The tail").
//!
//! # Bursts
//!
//! Samples are not all independent draws. Every leaf flushes at the same instant, and
//! Maelstrom's delivery worker sleeps on the first message queued for the root until its
//! deadline before it takes the next; every delta with a shorter latency than that first one is
//! then delivered right behind it and reads as its latency (`latency.rs`). A round's 24 deltas
//! can so be one draw: on exponential 100 ms, seed 7 of the 3e test, the first measured plan
//! saw a delta at 0 ms and 21 at exactly 145 ms, believed a 145 ms network and planned 1550 ms
//! rounds, and values of that round reached the last node 2.0–2.4 s after they were given
//! (the tail, 530 ms at 0.995, had not been drawn yet). One burst cannot tell a constant
//! network from a heavy tail whose slow head hides everything behind it: a constant 100 ms
//! network also delivers its 24 deltas back to back.
//!
//! So the root counts draws: a sample delivered within a millisecond of the one before was
//! queued behind it and is no draw of its own ([`latency::draws`](super::latency::draws)).
//! While the samples are fewer than [`MIN_DRAWS`] independent draws and do not all agree (to
//! 2 ms + 2 %), the descent budgeted is at least [`TAIL_FACTOR`] times the longest sample, at
//! most the prior: a tail stays budgeted until the samples could show one (seed 7's first
//! plan: 1260 ms rounds budgeting 435 ms, instead of 1550 ms budgeting 145 ms; its worst value
//! then took 1712 ms, not 2009). A tail budget within a quarter of the estimate is left out: on
//! a bounded network it is sampling noise, and taking it would cost 3d on uniform 100 ms about
//! 0.01 msgs-per-op. Samples that all agree, in at least [`AGREEING_DRAWS`] independent draws,
//! are a constant network and are believed at once. One burst that agrees with itself is not
//! enough: its head can be the longest of the deltas that have arrived while slower ones are
//! still on their way (exponential 150 ms, seed 1: eleven deltas at exactly 313 ms when the
//! root planned, two more at 489 and 537 ms after it; believed, that plan's rounds of 1214 ms
//! took a value 2125 ms). The first plan made once the draws suffice, if longer, replaces the
//! provisional one from the round under way, like the first measured plan replaces the
//! prior's, even when they differ by less than a change is worth otherwise.
//!
//! Counting draws alone took 3e's runs at 2 s or more over seeds 1–200 on exponential 100 ms
//! from 5 to 1, on exponential 150 ms from 14 to 9; what it left was not a burst but first
//! plans from a dozen independent draws that happened to lie low, and single slow descents
//! mid-run. The reports and the tail below address those; the figures are under "The tail".
//!
//! Measured and rejected: keeping the prior for every plan until two rounds had been seen
//! (3e at a constant 100 ms: 0.330 → 0.343 msgs-per-op); keeping it while the draws are
//! fewer than two without reports (0.328 → 0.334 over seeds 1–10; with the reports, keeping
//! the prior until they came still cost 0.328 → 0.334, as the root's first review often has
//! none yet); counting draws instead of samples in the widening below (3e on uniform 100 ms:
//! 0.415 → 0.424, a burst's queued samples being most of a bounded network's).
//!
//! # Reports
//!
//! The way down has none of that queueing: the root sends its children one message each, to
//! 24 receivers whose workers are idle, so every child's sample of the root's message is an
//! independent draw of exactly the latency the descent pays. A child of the root reports them:
//! its next message up carries `lat: [ms, …]`, every sample of the root's messages since its
//! last report, once each ([`latency::REPORTED`](super::latency::REPORTED) at most). Reporting
//! only the latest sample would be biased low: a slow message straddles the child's flush and
//! is then overtaken in recency by the next round's, so on exponential 150 ms (seed 90) the
//! reported samples' largest was 415 ms where the root's messages down reached 1222 ms. The
//! root pools the reports with its own samples, for the quantile and for the wait alike, and
//! counts each report as a draw. A round thus gives about 24 draws, not one burst, from the
//! second round on, or the first if the root sent anything down before its children's first
//! flush. (Choosing the wait from the deltas' own latencies up alone, burst-inflated as they
//! are, cost 3e on uniform 100 ms 0.424 msgs-per-op over seeds 1–5 against 0.399 pooled: a
//! burst's queued deltas arrive together and cost one late flush between them, not one each
//! as the model counts.)
//! Reports cost no message: they ride on deltas and acknowledgements that leave anyway, and
//! only the root's children send them. An older node neither sends nor reads them.
//!
//! # The tail
//!
//! The widening above ends where the samples first reach the quantile (n = 1/(1 − q), 200 at
//! 0.995), and there the quantile read off them is one of the two largest samples: on an
//! exponential tail it falls 15 % short one time in three (2 000 draws of 200 samples of a
//! 150 ms exponential; 8 % of the time at 384 samples, 3 % at 768). With the reports a root
//! reaches 200 samples in its fourth or fifth round, and misses clustered there. So the
//! quantile is also extrapolated from the tail's own scale: above `u`, the sample below the
//! largest `k` (5 % of them, at least 5), the mean excess of those `k` is an exponential
//! tail's scale (memoryless: any threshold gives the same), and the quantile lies that scale
//! times ln((k/n)/(1 − q')) above `u`, for q' = 1 − (1 − q)/[`TAIL_DEPTH`]: the descents
//! that miss the limit are the rare ones, so the tail is budgeted five times deeper than the
//! quantile (0.999 for 0.995). The scale is shrunk by the ratio of that excess to the excess
//! of the largest `4k` when it is smaller: an exponential tail keeps its excess at any height,
//! a bounded one (uniform) loses it towards its top (to a quarter), so there the extrapolation
//! stays below the samples already drawn and costs nothing. A constant network has no excess.
//! The budget is the larger of the quantile (widened) and the extrapolation.
//!
//! Over seeds 1–200 of 3e, runs at 2 s or more and mean msgs-per-op, before (counting draws
//! alone) → now: exponential 100 ms 1 → 0 (0.666 → 0.704), exponential 150 ms 9 → 12
//! (1.065 → 1.159), uniform 200 ms 0 → 0 (0.528 → 0.504), exponential 200 ms 95 → 78
//! (1.761 → 1.776). The README's constant and uniform rows (seeds 1–5) move by at most
//! +0.003 msgs-per-op (3e at a constant 100 ms: 0.330 → 0.333, a single burst being one draw
//! when the root's first review has no reports yet); the uniform ones get cheaper (3e uniform
//! 100 ms 0.418 → 0.399, 200 ms 0.563 → 0.505): with the reports the samples the widening
//! waits for come in twice as fast. What exponential 150 ms still misses is not an
//! estimate: a delta that climbs for over a second behind a slow message the root's single
//! delivery worker sleeps on (seed 59 of a run budgeting the 0.999 quantile: 1651 ms up), a
//! first measured plan that lengthens the round already under way (seed 74), descents past
//! the 0.999 quantile. Budgeting the 0.999 quantile outright still missed 2 of seeds 1–100 at
//! 1.73 msgs-per-op; what is left to try is a second path racing the slow hop.
//!
//! Measured and rejected here: the wait chosen from the deltas' own latencies up alone
//! (exponential 150 ms 6 misses at 1.16 msgs-per-op, but 3e uniform 100 ms 0.418 → 0.424),
//! and with it the tail extrapolated only to the quantile itself, unshrunk (12 misses at 1.04;
//! exponential 100 ms 0 at 0.663); reporting only each child's latest sample (biased low,
//! above).
//!
//! # The path
//!
//! The model budgets the wait and the descent one at a time, but a value pays its climb and
//! its descent together: a delta later than the wait goes on at once, so a value that waited a
//! whole round at its leaf reaches the last node `P + max(climb, w) + g + descent` after it was
//! given. On a heavy tail the wait is well below the descent budgeted (a few late deltas are
//! cheaper than shorter rounds), and a slow climb then eats the descent's margin. Worse, the
//! root's delivery worker sleeps on the slowest message queued for it (`latency.rs`): once a
//! delta drawn at over a second is the only one left, the root hears nothing else until it
//! arrives. Every one of the twelve runs of exponential 150 ms that reached 2 s over seeds
//! 1–200 had such a climb: 740–1759 ms up (traced with `--trace`).
//!
//! So the root also budgets a climb and a descent together: the quantile, five times deeper
//! ([`PATH_DEPTH`]: 0.999 for 0.995), of the sum of a climb drawn from its children's deltas
//! as it received them (queueing included: that is what a value pays) and a descent drawn from
//! its children's reports ([`sum_quantile`], over every pair). The round is the longest that
//! keeps that, plus the gathers, within the budget too. On a constant network the sum is the
//! wait plus the descent, and on a uniform one it stays below them: nothing changes there (the
//! constant and uniform rows and every reference trace are unchanged). A stall that leaves no
//! round at all (a paused node) is not budgeted: shortest rounds would not bring its value any
//! sooner, only cost messages (3e with faults, `scripts/reference-traces.sh`: 1.90 → 3.08
//! msgs-per-op before that guard).
//!
//! It does not hurry a climb that is slow: over seeds 1–200 of 3e, exponential 150 ms went
//! from 12 runs at 2 s or more to 11 (mean msgs-per-op 1.159 → 1.149); exponential 100 ms and
//! uniform 200 ms stay at 0 (0.704 → 0.706, 0.504 → 0.504). The misses left are single climbs
//! of 0.7–1.8 s that no budget short of the limit itself covers: only a second path that
//! bypasses the root's queue (a sibling, or a second hub) could race them.
//!
//! # Agreement
//!
//! Every node starts from the same [`Plan`], computed from the configuration alone with the
//! prior. The root is the only node that measures (its children's deltas are a sample each
//! per round) and decides, once a round, at its flush; it announces a new plan on its
//! messages down as `round: [from, period, step]`. A plan starts at `from`, a round boundary:
//! normally the next one; the first measured plan takes over the round that has just begun
//! (if the announcement can reach every node before that round's new end), so the prior
//! costs one round, not two. Inner nodes pass the plan on; a node that hears of it after its
//! `from` switches at once and re-times the values it had queued for the old boundary. Every
//! node switches at the same wall-clock instant, so rounds stay aligned cluster-wide. Changes
//! under a few percent are not announced, so the schedule does not flap with sampling noise.
//! Links are assumed symmetric in distribution (Maelstrom draws every node-to-node message
//! from the same one): the root's samples of its children's messages stand for the way down.
//!
//! Explicit `tick_ms`/`hop_ms` pin the period and the per-level latency; with both set the
//! schedule is fixed and nothing is announced. Meshes have no root: they need `tick_ms`.

use std::time::Duration;

use super::Settings;
use super::latency::{fraction_above, quantile};
use super::overlay::Overlay;
use crate::config::NodeConfig;
use crate::time::Time;

/// The most the prior assumes, however loose the budget.
pub(crate) const PRIOR_CAP: Duration = Duration::from_millis(600);

/// The one-way latency assumed before the root has samples: `hop_ms` if pinned, else
/// `prior_latency_ms` if set, else the budget shared equally by the round and the `2·levels`
/// hops it must fit (at most [`PRIOR_CAP`]): the slowest network on which the budget still
/// leaves a round as long as a hop. The first round is the only one planned on it, and its
/// values must hold the budget on a network nobody has measured yet (3d's 580 ms give
/// 193 ms, a uniform network's top at a 100 ms mean).
pub(crate) fn prior(s: &Settings, levels: u32) -> Duration {
    match (s.hop, s.prior, s.max_latency) {
        (Some(hop), _, _) => hop,
        (None, Some(prior), _) => prior,
        (None, None, Some(max)) => (max / (2 * levels.max(1) + 1)).min(PRIOR_CAP),
        (None, None, None) => Duration::from_millis(250),
    }
}

/// Samples needed before the observed latency replaces the prior.
pub(crate) const MIN_SAMPLES: usize = 4;

/// The shortest round period the node will use, whatever the budget says.
pub(crate) const MIN_PERIOD: Duration = Duration::from_millis(50);

/// A round schedule: boundaries at `from + k·period`, each level one `step` after the one
/// below.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Plan {
    /// When this plan takes effect (a boundary of the plan before it).
    pub(crate) from: Time,
    /// The round period.
    pub(crate) period: Duration,
    /// From one level's flush to its parent's.
    pub(crate) step: Duration,
}

impl Plan {
    /// The plan as sent on the wire: `[from_ms, period_ms, step_ms]`.
    pub(crate) fn to_wire(self) -> [u64; 3] {
        [
            self.from.as_micros() / 1000,
            self.period.as_millis() as u64,
            self.step.as_millis() as u64,
        ]
    }

    /// A plan received on the wire; `None` if it makes no sense (a zero period).
    pub(crate) fn from_wire([from, period, step]: [u64; 3]) -> Option<Plan> {
        (period > 0).then(|| Plan {
            from: Time::from_millis(from),
            period: Duration::from_millis(period),
            step: Duration::from_millis(step),
        })
    }

    /// Where the boundaries fall, as a phase of `period` counted from the epoch.
    pub(crate) fn offset(&self) -> Duration {
        let period = self.period.as_micros() as u64;
        Duration::from_micros(self.from.as_micros() % period.max(1))
    }
}

/// What the root decided, and why (for logs and tests).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Choice {
    /// The round period.
    pub(crate) period: Duration,
    /// How long a parent waits for its children's deltas after they flush.
    pub(crate) wait: Duration,
    /// The one-way latency budgeted per hop down (the quantile).
    pub(crate) descent: Duration,
    /// Whether the budget holds at the quantile (false: the period is [`MIN_PERIOD`]).
    pub(crate) fits: bool,
    /// Whether the descent is a tail budget the samples cannot show yet (module docs,
    /// "Bursts"), not their estimate.
    pub(crate) tail_unseen: bool,
}

impl Choice {
    /// The plan this choice gives, from `from`.
    pub(crate) fn plan(&self, from: Time, gather: Duration) -> Plan {
        Plan {
            from,
            period: self.period,
            step: self.wait + gather,
        }
    }
}

/// The schedule for a tree of height `levels` whose root has `children` links down, given the
/// observed one-way latencies `sorted` (µs, ascending), each an independent draw. See the
/// module docs for the model.
pub(crate) fn choose(s: &Settings, levels: u32, children: usize, sorted: &[u32]) -> Choice {
    choose_drawn(s, levels, children, sorted, sorted.len())
}

/// Independent draws the samples must be before their spread stands for the tail: fewer keep
/// a tail budgeted (unless every sample agrees; see the module docs, "Bursts").
pub(crate) const MIN_DRAWS: usize = 8;

/// Independent draws that must agree before samples that all agree are believed at once: one
/// burst is one draw, however many samples it holds (module docs, "Reports").
pub(crate) const AGREEING_DRAWS: usize = 2;

/// While the draws cannot show a tail, the descent budgeted is at least this many times the
/// longest sample (at most the prior).
pub(crate) const TAIL_FACTOR: u32 = 3;

/// Whether `sorted` (µs, ascending, `draws` independent draws among them) can show the
/// latency's tail: enough draws, or samples that all agree to within a delivery's jitter (a
/// constant network, or a burst that nothing arrived apart from: nothing it could hide).
fn shows_tail(sorted: &[u32], draws: usize) -> bool {
    let (Some(&lo), Some(&hi)) = (sorted.first(), sorted.last()) else {
        return false;
    };
    let jitter = 2_000 + hi / 50;
    draws >= MIN_DRAWS || (draws >= AGREEING_DRAWS && hi - lo <= jitter)
}

/// The fraction of the largest samples whose excess over the next one gives the tail's scale.
pub(crate) const TAIL_FRACTION: f64 = 0.05;

/// The fewest largest samples the tail's scale is read from.
pub(crate) const TAIL_SAMPLES: usize = 5;

/// How much rarer than the quantile's own a descent the extrapolated tail budgets: a heavy
/// tail's rare descents are what miss the limit (module docs, "The tail").
pub(crate) const TAIL_DEPTH: f64 = 5.0;

/// How much rarer than the quantile's own a climb and descent together are budgeted (module
/// docs, "The path").
pub(crate) const PATH_DEPTH: f64 = 5.0;

/// The mean excess of the largest `k` of `sorted` (ascending, more than `k`) over the next one,
/// and that next one.
fn mean_excess(sorted: &[u32], k: usize) -> (f64, f64) {
    let n = sorted.len();
    let u = f64::from(sorted[n - k - 1]);
    let excess = sorted[n - k..]
        .iter()
        .map(|&x| f64::from(x) - u)
        .sum::<f64>()
        / k as f64;
    (excess, u)
}

/// The `1 − (1 − q)/TAIL_DEPTH` quantile of `sorted` (µs, ascending) extrapolated from its
/// largest samples as an exponential tail: above `u`, the sample below the largest `k`, their
/// mean excess is the tail's scale, and the quantile lies that scale times
/// ln((k/n)/(1 − q')) above `u`. The scale is shrunk by how much the excess itself shrinks
/// towards the top (against the largest `4k`): not at all on an exponential tail, which is
/// memoryless, to a quarter on a uniform one, which ends (module docs, "The tail"). Zero on
/// fewer samples than the tail needs.
fn tail_extrapolated(sorted: &[u32], q: f64) -> Duration {
    let n = sorted.len();
    let k = TAIL_SAMPLES.max((TAIL_FRACTION * n as f64).round() as usize);
    if n <= 4 * k || q >= 1.0 {
        return Duration::ZERO;
    }
    let (top, u) = mean_excess(sorted, k);
    let (wide, _) = mean_excess(sorted, 4 * k);
    let scale = if wide > 0.0 {
        top * (top / wide).min(1.0)
    } else {
        0.0
    };
    let rare = (1.0 - q) / TAIL_DEPTH;
    let reach = ((k as f64 / n as f64) / rare).ln().max(0.0);
    Duration::from_millis(((u + scale * reach) / 1000.0).ceil() as u64)
}

/// The `q`-quantile of `a + b` for `a` drawn from `ups` and `b` from `downs` independently
/// (µs, each ascending): of all `ups.len() · downs.len()` sums, the smallest with at least a
/// fraction `q` of them at or below it. `None` if either is empty.
pub(crate) fn sum_quantile(ups: &[u32], downs: &[u32], q: f64) -> Option<Duration> {
    let (&a0, &b0) = (ups.first()?, downs.first()?);
    let (&a1, &b1) = (ups.last()?, downs.last()?);
    let total = ups.len() as u64 * downs.len() as u64;
    let want = ((q * total as f64).ceil() as u64).clamp(1, total);
    // How many sums are at most `x`: for each `a`, ascending, the `b`s up to `x − a` (their
    // count only falls as `a` grows).
    let at_most = |x: u64| {
        let mut j = downs.len();
        let mut n = 0u64;
        for &a in ups {
            while j > 0 && u64::from(a) + u64::from(downs[j - 1]) > x {
                j -= 1;
            }
            n += j as u64;
        }
        n
    };
    let (mut lo, mut hi) = (u64::from(a0) + u64::from(b0), u64::from(a1) + u64::from(b1));
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if at_most(mid) >= want {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    Some(Duration::from_micros(lo))
}

/// [`choose`] for samples of which only `draws` are independent draws (the others arrived
/// queued behind one: `latency.rs`).
pub(crate) fn choose_drawn(
    s: &Settings,
    levels: u32,
    children: usize,
    sorted: &[u32],
    draws: usize,
) -> Choice {
    choose_paths(s, levels, children, sorted, draws, Duration::ZERO)
}

/// [`choose_drawn`], with `path` the budget for one climb and one descent together (module
/// docs, "The path"): the round's period leaves at least that, per level, whatever the wait.
pub(crate) fn choose_paths(
    s: &Settings,
    levels: u32,
    children: usize,
    sorted: &[u32],
    draws: usize,
    path: Duration,
) -> Choice {
    let enough = sorted.len() >= MIN_SAMPLES;
    let q = |p: f64| match (s.hop, enough) {
        (Some(hop), _) => hop,
        (None, true) => quantile(sorted, p).unwrap_or_else(|| prior(s, levels)),
        (None, false) => prior(s, levels),
    };
    let (mut d, median) = (q(s.quantile), q(0.5));
    // Fewer samples than the quantile needs (n < 1/(1 − q)) cannot show its tail: widen the
    // estimate by the spread seen so far, fading as samples accumulate. Nothing changes on
    // a constant network (no spread); a heavy tail is budgeted before it has been seen.
    let shortfall = 1.0 - sorted.len() as f64 * (1.0 - s.quantile);
    if enough && s.hop.is_none() && shortfall > 0.0 {
        d += (d - median).mul_f64(shortfall);
    }
    // The widening ends where the samples first reach the quantile, and there the quantile
    // is one of the largest two samples: on a heavy tail 15 % too low one time in three.
    // The tail's own scale says how far it goes on (module docs, "The tail").
    if enough && s.hop.is_none() {
        d = d.max(tail_extrapolated(sorted, s.quantile));
    }
    // Too few independent draws to show a tail (a burst is one draw): a tail stays budgeted
    // until they can, or unless every sample agrees (module docs, "Bursts").
    // A tail budget within a quarter of the estimate is noise, not a tail the burst hid.
    let mut tail_unseen = false;
    if enough && s.hop.is_none() && !shows_tail(sorted, draws) {
        let longest = Duration::from_micros(u64::from(sorted.last().copied().unwrap_or(0)));
        let tail = prior(s, levels).min(longest * TAIL_FACTOR);
        if tail > d.mul_f64(1.25) {
            (d, tail_unseen) = (tail, true);
        }
    }
    let h = levels.max(1);
    let g = s.gather;
    let descent = |d: Duration| d * h + g * (h - 1);
    let period = |w: Duration| -> Option<Duration> {
        let climb = (w + g) * h;
        if let Some(tick) = s.tick {
            return Some(tick);
        }
        let max = s.max_latency?;
        let mut p = max.checked_sub(climb + descent(d))?;
        // A climb and a descent together within the budget too, unless that leaves no round
        // at all: a network that stalls for seconds (a paused node) must not make every round
        // the shortest (module docs, "The path").
        if let Some(short) = max.checked_sub((path + g) * h + g * (h - 1))
            && short >= MIN_PERIOD
        {
            p = p.min(short);
        }
        if let Some(m) = s.median_latency {
            p = p.min(m.checked_sub(climb + descent(median))? * 2);
        }
        let p = Duration::from_millis(p.as_millis() as u64);
        (p >= MIN_PERIOD).then_some(p)
    };
    let late_cost = |w: Duration| {
        let c = children.max(1) as f64;
        let late = if enough && s.hop.is_none() {
            fraction_above(sorted, w)
        } else {
            0.0
        };
        2.0 * c + c * c * late
    };
    let mut candidates: Vec<Duration> = Vec::new();
    if enough && s.hop.is_none() && s.tick.is_none() {
        let lo = sorted.partition_point(|&x| u128::from(x) < median.as_micros());
        let hi = sorted.partition_point(|&x| u128::from(x) <= d.as_micros());
        candidates.extend(
            sorted[lo..hi]
                .iter()
                .map(|&x| Duration::from_micros(u64::from(x))),
        );
        candidates.dedup();
    }
    candidates.push(d);
    // Waiting longer than half the budget never helps (the round would have to be shorter
    // than the wait), and a network that stalls for seconds (a paused node) must not make
    // every round wait for seconds.
    let w_cap = s.max_latency.map_or(Duration::MAX, |m| m / 2);
    let mut best: Option<(f64, Duration, Duration)> = None;
    for w in candidates {
        let w = Duration::from_millis(w.as_micros().div_ceil(1000) as u64);
        if w > w_cap {
            continue;
        }
        let Some(p) = period(w) else { continue };
        let cost = late_cost(w) / p.as_secs_f64();
        if best.is_none_or(|(c, bp, _)| cost < c || (cost == c && p > bp)) {
            best = Some((cost, p, w));
        }
    }
    match best {
        Some((_, period, wait)) => Choice {
            period,
            wait,
            descent: d,
            fits: true,
            tail_unseen,
        },
        // Nothing holds the budget: the shortest rounds, and the wait at the quantile, but
        // never more than half the budget.
        None => Choice {
            period: s.tick.unwrap_or(MIN_PERIOD),
            wait: d.min(w_cap).max(median.min(w_cap)),
            descent: d,
            fits: false,
            tail_unseen,
        },
    }
}

/// Whether `new` differs from `old` enough to be worth announcing: the period by more than
/// 4 %, or the step by more than 10 % and 2 ms.
pub(crate) fn worth_changing(old: &Plan, new: &Plan) -> bool {
    let differs = |a: Duration, b: Duration, frac: f64, floor: Duration| {
        let gap = a.abs_diff(b);
        gap > floor && gap.as_secs_f64() > frac * a.as_secs_f64()
    };
    differs(old.period, new.period, 0.04, Duration::ZERO)
        || differs(old.step, new.step, 0.10, Duration::from_millis(2))
}

/// What a node of an `nodes`-node cluster configured by `config` would use, as a few
/// comment lines for `--print-config`: the plan it starts with (the prior), and the plan the
/// root settles on for `example_ms` of constant latency.
pub fn describe(config: &NodeConfig, nodes: u16) -> String {
    let s = Settings::from_config(config);
    let kind = config.overlay.kind;
    let overlay = Overlay::build(kind, nodes.max(1), 0, config.overlay.fanout.unwrap_or(4));
    let (levels, children) = (overlay.height(0), overlay.neighbours(0).len());
    let line = |c: &Choice| {
        format!(
            "rounds of {} ms, each level flushing {} ms after the one below{}",
            c.period.as_millis(),
            (c.wait + s.gather).as_millis(),
            if c.fits {
                ""
            } else {
                " (the budget cannot be held: shortest rounds)"
            }
        )
    };
    let start = choose(&s, levels, children, &[]);
    let mut out = format!("# What the node uses ({nodes} nodes, a {kind:?} overlay):\n");
    if !kind.is_rooted() {
        out += &format!(
            "# - always: rounds of {} ms (fixed; a mesh relays what it receives after {} ms)\n",
            start.period.as_millis(),
            s.gather.as_millis()
        );
        return out;
    }
    if s.tick.is_some() && s.hop.is_some() {
        out += &format!("# - always: {} (fixed)\n", line(&start));
        return out;
    }
    out += &format!(
        "# - at start, before measuring (prior latency {} ms): {}\n",
        prior(&s, levels).as_millis(),
        line(&start)
    );
    out += "# - then the root re-plans once a round from the latencies it observes, announces\n\
            #   each change to the cluster and logs it (\"timing: rounds of …\"). For example:\n";
    for ms in [20u32, 100, 200] {
        let settled = choose(&s, levels, children, &[ms * 1000; MIN_SAMPLES]);
        out += &format!("#   at a constant {ms} ms: {}\n", line(&settled));
    }
    out
}

#[cfg(test)]
mod tests;
