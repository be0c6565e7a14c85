//! `messages.svg`: Maelstrom's spacetime diagram. One vertical line per node, service and
//! client, time flowing down; each message an arrow from where and when it was sent to where
//! and when it was delivered, coloured by type, the message itself in the arrow's `<title>`
//! (shown on hover). Messages never delivered end in a cross halfway. Partitions and the time
//! after the time limit are shaded. Past [`MAX_MESSAGES`], a window of the run is drawn and
//! the file says which.

use std::fmt::Write;
use std::ops::Range;

use super::messages::{Message, Role, is_server_message, role};
use super::svg::{self, Legend};
use super::{Frame, escape, nice_step};

/// The most messages one diagram draws.
pub const MAX_MESSAGES: usize = 3000;
/// The longest message text shown on hover.
const MAX_TITLE: usize = 600;
const LANE_W: f64 = 18.0;
const GROUP_GAP: f64 = 14.0;
const LEFT: f64 = 78.0;
const LABELS: f64 = 44.0;

/// The messages to draw: all of them, or the `max` consecutive ones (in send order) holding
/// the most node↔node messages, the earliest such window on ties (so a run with no node↔node
/// traffic shows its beginning, setup included).
pub fn select_window(msgs: &[Message], max: usize) -> Range<usize> {
    if msgs.len() <= max {
        return 0..msgs.len();
    }
    let server: Vec<u32> = msgs
        .iter()
        .map(|m| u32::from(is_server_message(m)))
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

/// Where everything goes: lanes left to right, time top to bottom.
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
    /// Vertical scale.
    pub px_per_ms: f64,
    /// The y of `t0_us`.
    pub top: f64,
    /// Total width.
    pub width: f64,
}

impl Layout {
    /// Lanes for every node of the run (`nodes`) and every other endpoint of `window`; a time
    /// scale that makes a typical message `≥ 40 px` tall, capped at 20 000 px in all.
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
        let t0_us = window.iter().map(|m| m.sent_us).min().unwrap_or(0);
        let t1_us = window
            .iter()
            .flat_map(|m| m.received_us.iter().copied().chain([m.sent_us]))
            .max()
            .unwrap_or(0)
            .max(t0_us + 1000);
        let mut lat: Vec<u64> = window
            .iter()
            .flat_map(|m| {
                m.received_us
                    .iter()
                    .map(move |r| r.saturating_sub(m.sent_us))
            })
            .collect();
        lat.sort_unstable();
        let typical_ms = lat
            .get(lat.len() / 2)
            .map_or(100.0, |&us| us as f64 / 1000.0);
        let span_ms = (t1_us - t0_us) as f64 / 1000.0;
        let px_per_ms = (40.0 / typical_ms.max(1.0))
            .clamp(0.05, 2.0)
            .min(20_000.0 / span_ms);
        Layout {
            lanes,
            xs,
            t0_us,
            t1_us,
            px_per_ms,
            top,
            width: (x + 30.0).max(760.0),
        }
    }

    /// The y of time `us`.
    pub fn y(&self, us: u64) -> f64 {
        self.top + (us as f64 - self.t0_us as f64) / 1000.0 * self.px_per_ms
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

/// Every node of the run, from the messages (`init` messages name them all).
fn nodes(msgs: &[Message]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in msgs {
        for id in [&m.from, &m.to] {
            if role(id).0 == Role::Node && !out.contains(id) {
                out.push(id.clone());
            }
        }
    }
    out
}

/// One message type in the window: its name, how many messages, its colour index (a request
/// type gets an even index, its `_ok` reply the odd index after it: two shades of one colour).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kind {
    /// The body's `type`.
    pub name: String,
    /// Messages of this type in the window.
    pub count: usize,
    /// Index into the palette.
    pub colour: usize,
}

/// The message types of `window`, by first appearance of their request type, each reply right
/// after its request.
pub fn kinds(window: &[Message]) -> Vec<Kind> {
    let mut bases: Vec<&str> = Vec::new();
    let mut out: Vec<Kind> = Vec::new();
    for m in window {
        let base = m.kind.strip_suffix("_ok").unwrap_or(&m.kind);
        let b = bases.iter().position(|x| *x == base).unwrap_or_else(|| {
            bases.push(base);
            bases.len() - 1
        });
        match out.iter_mut().find(|k| k.name == m.kind) {
            Some(k) => k.count += 1,
            None => out.push(Kind {
                name: m.kind.clone(),
                count: 1,
                colour: 2 * b + usize::from(base.len() != m.kind.len()),
            }),
        }
    }
    out.sort_by_key(|k| k.colour);
    out
}

/// The diagram's note on what it shows.
fn window_note(all: &[Message], range: &Range<usize>, layout: &Layout) -> String {
    let secs = |us: u64| us as f64 / 1e6;
    if range.len() == all.len() {
        return format!(
            "All {} messages of the run ({:.3}–{:.3} s).",
            all.len(),
            secs(layout.t0_us),
            secs(layout.t1_us)
        );
    }
    format!(
        "{} messages in all: showing messages {}–{} in send order ({:.3}–{:.3} s), the window \
         of {} consecutive messages with the most node↔node messages. Every message: --trace FILE.",
        all.len(),
        range.start + 1,
        range.end,
        secs(layout.t0_us),
        secs(layout.t1_us),
        range.len()
    )
}

/// The hover text of one delivery (or of a message never delivered).
fn title(m: &Message, received: Option<u64>, nth: usize) -> String {
    let secs = |us: u64| us as f64 / 1e6;
    let when = match received {
        Some(r) => format!(
            "received {:.3} s ({:.1} ms){}",
            secs(r),
            r.saturating_sub(m.sent_us) as f64 / 1000.0,
            if nth > 0 {
                " (a duplicate delivery)"
            } else {
                ""
            }
        ),
        None => "never delivered (dropped, or still queued when the nodes stopped)".into(),
    };
    let mut line: String = m.line.chars().take(MAX_TITLE).collect();
    if line.len() < m.line.len() {
        let _ = write!(line, "… ({} bytes in all)", m.line.len());
    }
    format!(
        "#{} {} → {} {}\nsent {:.3} s, {when}\n{line}",
        m.id,
        m.from,
        m.to,
        m.kind,
        secs(m.sent_us)
    )
}

/// Renders `messages.svg` for the run's messages (in send order).
pub fn render(msgs: &[Message], frame: &Frame) -> String {
    let range = select_window(msgs, MAX_MESSAGES);
    let window = &msgs[range.clone()];
    let kinds = kinds(window);
    let mut legend = Legend::default();
    for k in &kinds {
        legend.swatch(svg::colour(k.colour), &format!("{} ({})", k.name, k.count));
    }
    let nodes = nodes(msgs);
    // The header's height depends on the width, which depends on the lanes, not on the top.
    let probe = Layout::new(&nodes, window, 0.0);
    let note = window_note(msgs, &range, &probe);
    let head = svg::header_height(probe.width, &note);
    legend.wrap(probe.width - 32.0);
    let layout = Layout::new(&nodes, window, head + legend.height() + 16.0 + LABELS);
    let height = layout.bottom() + LABELS + 24.0;
    let colours = kinds.iter().map(|k| k.colour + 1).max().unwrap_or(0);
    let mut out = svg::open(layout.width, height, colours);
    let heading = "Messages between nodes, services and clients (time flows down)";
    svg::header(&mut out, layout.width, heading, frame, &note);
    legend.draw(&mut out, 16.0, head);
    let (x0, x1) = (LEFT - 6.0, layout.width - 16.0);
    let band = |a: f64, b: f64| {
        let a = (a * 1e6).max(layout.t0_us as f64) as u64;
        let b = (b * 1e6).min(layout.t1_us as f64) as u64;
        (a < b).then(|| (layout.y(a), layout.y(b)))
    };
    if let Some(ys) = band(frame.limit_s, f64::MAX / 1e7) {
        svg::hband(&mut out, x0, x1, ys, "after", "after the time limit");
    }
    for &(s, e) in &frame.partitions {
        if let Some(ys) = band(s, e) {
            svg::hband(&mut out, x0, x1, ys, "part", "partition in force");
        }
    }
    time_axis(&mut out, &layout, x1);
    lanes(&mut out, &layout);
    for m in window {
        let k = kinds
            .iter()
            .find(|k| k.name == m.kind)
            .map_or(0, |k| k.colour);
        let client = if is_server_message(m) { "" } else { " c" };
        let (x1, y1, x2) = (layout.x(&m.from), layout.y(m.sent_us), layout.x(&m.to));
        for (nth, &r) in m.received_us.iter().enumerate() {
            let _ = writeln!(
                out,
                r#"<line class="m k{k}{client}" x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{:.1}"><title>{}</title></line>"#,
                layout.y(r),
                escape(&title(m, Some(r), nth))
            );
        }
        if m.received_us.is_empty() {
            let _ = writeln!(
                out,
                r#"<line class="m k{k}{client} lost" x1="{x1:.1}" y1="{y1:.1}" x2="{:.1}" y2="{:.1}"><title>{}</title></line>"#,
                (x1 + x2) / 2.0,
                y1 + 20.0,
                escape(&title(m, None, 0))
            );
        }
    }
    out.push_str("</svg>\n");
    out
}

/// Horizontal grid lines with time labels on the left.
fn time_axis(out: &mut String, layout: &Layout, x_end: f64) {
    let step_ms = nice_step(60.0 / layout.px_per_ms);
    let first = (layout.t0_us as f64 / 1000.0 / step_ms).ceil() as u64;
    let mut k = first;
    loop {
        let us = (k as f64 * step_ms * 1000.0) as u64;
        if us > layout.t1_us {
            break;
        }
        let y = layout.y(us);
        let _ = writeln!(
            out,
            r#"<line class="grid" x1="{LEFT}" y1="{y:.1}" x2="{x_end:.1}" y2="{y:.1}"/><text class="tick" x="{:.1}" y="{:.1}">{:.3} s</text>"#,
            LEFT - 8.0,
            y + 4.0,
            us as f64 / 1e6
        );
        k += 1;
    }
}

/// The vertical lines with their names at both ends.
fn lanes(out: &mut String, layout: &Layout) {
    let (top, bottom) = (layout.top - 8.0, layout.bottom() + 8.0);
    for (id, &x) in layout.lanes.iter().zip(&layout.xs) {
        let class = match role(id).0 {
            Role::Node => "node",
            Role::Service => "service",
            Role::Client => "client",
        };
        let id = escape(id);
        let _ = writeln!(
            out,
            r#"<line class="lane {class}" x1="{x:.1}" y1="{top:.1}" x2="{x:.1}" y2="{bottom:.1}"/><text class="lbl {class}" transform="translate({x:.1},{:.1}) rotate(-60)">{id}</text><text class="lbl {class}" transform="translate({x:.1},{:.1}) rotate(60)">{id}</text>"#,
            top - 4.0,
            bottom + 4.0,
        );
    }
}
