//! Where the spacetime diagram puts things: which messages (the window), the lanes left to
//! right, and time top to bottom, with long silences cut short.

use std::ops::Range;

use super::messages::{Message, is_server_message, is_server_traffic, role};

/// Width of one lane.
pub const LANE_W: f64 = 18.0;
/// Extra space between the nodes, the services and the clients.
pub const GROUP_GAP: f64 = 14.0;
/// Left margin (the time labels).
pub const LEFT: f64 = 78.0;
/// Height a silence is cut down to.
pub const CUT_PX: f64 = 36.0;
/// The tallest drawing, in pixels.
pub const MAX_HEIGHT: f64 = 20_000.0;

/// The messages to draw: all of them, or the `max` consecutive ones (in send order) holding
/// the most server traffic (node↔node and node↔service messages), the earliest such window
/// on ties (so a run without server traffic shows its beginning, setup included).
pub fn select_window(msgs: &[Message], max: usize) -> Range<usize> {
    if msgs.len() <= max {
        return 0..msgs.len();
    }
    let server: Vec<u32> = msgs
        .iter()
        .map(|m| u32::from(is_server_traffic(m)))
        .collect();
    let mut count: u32 = server[..max].iter().sum();
    let (mut best, mut best_start) = (count, 0);
    for start in 1..=msgs.len() - max {
        count = count + server[start + max - 1] - server[start - 1];
        if count > best {
            (best, best_start) = (count, start);
        }
    }
    best_start..best_start + max
}

/// Lanes left to right, time top to bottom.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    /// Endpoint ids, in lane order: nodes, then services, then clients, each by number.
    pub lanes: Vec<String>,
    /// Each lane's x.
    pub xs: Vec<f64>,
    /// The time at the top of the drawing (µs).
    pub t0_us: u64,
    /// The time at the bottom (µs).
    pub t1_us: u64,
    /// Vertical scale outside the cuts.
    pub px_per_ms: f64,
    /// The median latency the scale was chosen for ([`typical_latency_ms`]).
    pub typical_ms: f64,
    /// Silences (no send, no delivery) drawn [`CUT_PX`] tall whatever their length: (start,
    /// end) in µs, in time order.
    pub cuts: Vec<(u64, u64)>,
    /// The y of `t0_us`.
    pub top: f64,
    /// Total width.
    pub width: f64,
}

impl Layout {
    /// Lanes for every node of the run (`nodes`) and every other endpoint of `window`.
    ///
    /// The scale makes a typical node↔node message (any message, if there are none) at least
    /// 40 px tall and leaves about 6 px per message, within 0.05–2 px per ms and
    /// [`MAX_HEIGHT`] in all. A silence longer than 400 ms and five typical latencies is cut.
    pub fn new(nodes: &[String], window: &[Message], top: f64) -> Layout {
        let mut lanes: Vec<String> = nodes.to_vec();
        for m in window {
            for id in [&m.from, &m.to] {
                if !lanes.contains(id) {
                    lanes.push(id.clone());
                }
            }
        }
        lanes.sort_by(|a, b| role(a).cmp(&role(b)).then_with(|| a.cmp(b)));
        let mut xs = Vec::with_capacity(lanes.len());
        let mut x = LEFT + LANE_W / 2.0;
        for (i, id) in lanes.iter().enumerate() {
            if i > 0 && role(id).0 != role(&lanes[i - 1]).0 {
                x += GROUP_GAP;
            }
            xs.push(x);
            x += LANE_W;
        }
        let mut events: Vec<u64> = window
            .iter()
            .flat_map(|m| m.received_us.iter().copied().chain([m.sent_us]))
            .collect();
        events.sort_unstable();
        let t0_us = events.first().copied().unwrap_or(0);
        let t1_us = events.last().copied().unwrap_or(0).max(t0_us + 1000);
        let typical_ms = typical_latency_ms(window);
        let min_cut = (5.0 * typical_ms).max(400.0) * 1000.0;
        let cuts: Vec<(u64, u64)> = events
            .windows(2)
            .filter(|w| (w[1] - w[0]) as f64 > min_cut)
            .map(|w| (w[0], w[1]))
            .collect();
        let cut_us: u64 = cuts.iter().map(|(a, b)| b - a).sum();
        let drawn_ms = ((t1_us - t0_us - cut_us) as f64 / 1000.0).max(1.0);
        let room = (MAX_HEIGHT - CUT_PX * cuts.len() as f64).max(MAX_HEIGHT / 4.0);
        let px_per_ms = (40.0 / typical_ms.max(1.0))
            .max(6.0 * window.len() as f64 / drawn_ms)
            .clamp(0.05, 2.0)
            .min(room / drawn_ms);
        Layout {
            lanes,
            xs,
            t0_us,
            t1_us,
            px_per_ms,
            typical_ms,
            cuts,
            top,
            width: (x + 30.0).max(760.0),
        }
    }

    /// The y of time `us`.
    pub fn y(&self, us: u64) -> f64 {
        let mut y = self.top;
        let mut from = self.t0_us;
        for &(a, b) in &self.cuts {
            if us <= a {
                break;
            }
            y += (a - from) as f64 / 1000.0 * self.px_per_ms;
            if us < b {
                return y + CUT_PX * (us - a) as f64 / (b - a) as f64;
            }
            y += CUT_PX;
            from = b;
        }
        y + (us.saturating_sub(from)) as f64 / 1000.0 * self.px_per_ms
    }

    /// Whether `us` falls strictly inside a cut.
    #[cfg(test)]
    pub fn in_cut(&self, us: u64) -> bool {
        self.cuts.iter().any(|&(a, b)| a < us && us < b)
    }

    /// The x of endpoint `id` (the first lane if unknown).
    pub fn x(&self, id: &str) -> f64 {
        let i = self.lanes.iter().position(|l| l == id).unwrap_or(0);
        self.xs[i]
    }

    /// The y of the bottom of the drawing.
    pub fn bottom(&self) -> f64 {
        self.y(self.t1_us)
    }
}

/// The median latency of the node↔node deliveries of `window` (of every delivery if none),
/// 100 ms if nothing was delivered.
pub fn typical_latency_ms(window: &[Message]) -> f64 {
    let median = |server_only: bool| {
        let mut lat: Vec<u64> = window
            .iter()
            .filter(|m| !server_only || is_server_message(m))
            .flat_map(|m| m.received_us.iter().map(|r| r.saturating_sub(m.sent_us)))
            .collect();
        lat.sort_unstable();
        lat.get(lat.len() / 2).map(|&us| us as f64 / 1000.0)
    };
    median(true).or_else(|| median(false)).unwrap_or(100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(id: u64, from: &str, to: &str, sent_us: u64, received: &[u64]) -> Message {
        Message::new(id, (from, to), "gossip", sent_us, received)
    }

    #[test]
    fn the_window_is_the_busiest_stretch_of_node_messages() {
        let mut msgs: Vec<Message> = (0..10).map(|i| msg(i, "c1", "n0", i, &[i])).collect();
        assert_eq!(select_window(&msgs, 20), 0..10, "few messages: all of them");
        assert_eq!(
            select_window(&msgs, 4),
            0..4,
            "no node traffic: the beginning"
        );
        msgs[6] = msg(6, "n1", "n0", 6, &[7]);
        msgs[8] = msg(8, "n0", "n1", 8, &[9]);
        assert_eq!(
            select_window(&msgs, 4),
            5..9,
            "earliest window holding both"
        );
        assert_eq!(select_window(&msgs, 2), 5..7);
        // A node that only talks to a service (seq-kv) is placed by that traffic.
        let mut kv: Vec<Message> = (0..10).map(|i| msg(i, "c1", "n0", i, &[i])).collect();
        kv[7] = msg(7, "n0", "seq-kv", 7, &[8]);
        kv[8] = msg(8, "seq-kv", "n0", 8, &[9]);
        assert_eq!(select_window(&kv, 3), 6..9);
    }

    #[test]
    fn lanes_are_nodes_then_services_then_clients_in_number_order() {
        let nodes: Vec<String> = ["n10", "n2", "n0", "n1"].map(String::from).to_vec();
        let window = [
            msg(0, "c12", "n2", 0, &[100_000]),
            msg(1, "n1", "lin-kv", 0, &[100_000]),
            msg(2, "c3", "n0", 0, &[100_000]),
        ];
        let l = Layout::new(&nodes, &window, 50.0);
        assert_eq!(l.lanes, ["n0", "n1", "n2", "n10", "lin-kv", "c3", "c12"]);
        assert!(l.xs.windows(2).all(|w| w[1] - w[0] >= LANE_W));
        assert_eq!(l.xs[1] - l.xs[0], LANE_W);
        assert_eq!(
            l.xs[4] - l.xs[3],
            LANE_W + GROUP_GAP,
            "a gap between groups"
        );
        assert_eq!(l.x("c12"), l.xs[6]);
        assert_eq!(l.y(0), 50.0);
        assert!(l.bottom() > l.y(50_000) && l.y(50_000) > 50.0);
    }

    #[test]
    fn time_flows_down_at_a_scale_that_shows_each_message() {
        // Node messages of 100 ms; one every 50 ms for 10 s.
        let window: Vec<Message> = (0..200)
            .map(|i| msg(i, "n0", "n1", i * 50_000, &[i * 50_000 + 100_000]))
            .collect();
        let l = Layout::new(&["n0".into(), "n1".into()], &window, 0.0);
        assert!(l.cuts.is_empty());
        assert!((l.px_per_ms - 0.4).abs() < 1e-9, "{}", l.px_per_ms);
        assert!(l.y(100_000) - l.y(0) >= 40.0);
        assert!(l.bottom() <= MAX_HEIGHT);
    }

    #[test]
    fn long_silences_are_cut_short() {
        let window = [
            msg(0, "n0", "n1", 0, &[100_000]),
            msg(1, "n1", "n0", 10_000_000, &[10_100_000]),
        ];
        let l = Layout::new(&["n0".into(), "n1".into()], &window, 0.0);
        assert_eq!(l.cuts, vec![(100_000, 10_000_000)]);
        let arrow = l.y(100_000) - l.y(0);
        assert!((l.y(10_000_000) - l.y(100_000) - CUT_PX).abs() < 1e-9);
        assert!((l.y(10_100_000) - l.y(10_000_000) - arrow).abs() < 1e-9);
        assert!(l.in_cut(5_000_000) && !l.in_cut(100_000));
        let mid = l.y(5_050_000);
        assert!(
            mid > l.y(100_000) && mid < l.y(10_000_000),
            "monotonic inside a cut"
        );
    }
}
