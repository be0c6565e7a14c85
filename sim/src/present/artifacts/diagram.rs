//! `messages.svg`: Maelstrom's spacetime diagram. One vertical line per node, service and
//! client, time flowing down; each message an arrow from where and when it was sent to where
//! and when it was delivered, coloured by type, the message itself in the arrow's `<title>`
//! (shown on hover). A message never delivered is dashed and ends in a cross at its recipient
//! one typical latency later. Partitions and the time
//! after the time limit are shaded; a node the nemesis killed or paused has a dark (killed)
//! or blue (paused) strip over its lane meanwhile. Past [`MAX_MESSAGES`], a window of the run is drawn and
//! the file says which.

use std::fmt::Write;
use std::ops::Range;

use super::layout::{LEFT, Layout, select_window};
use super::messages::{Message, Role, is_server_message, role};
use super::svg::{self, Legend};
use super::{Frame, escape, nice_step};

/// The most messages one diagram draws.
pub const MAX_MESSAGES: usize = 3000;
const LABELS: f64 = 44.0;

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
         of {} consecutive messages with the most node↔node and node↔service messages. Every \
         message: --trace FILE.",
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
    let mut line = m.line.clone();
    if line.len() < m.line_len {
        let _ = write!(line, "… ({} bytes in all)", m.line_len);
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
    let lost = window.iter().filter(|m| m.received_us.is_empty()).count();
    if lost > 0 {
        legend.lost(&format!("never delivered ({lost})"));
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
    for &(node, killed, s, e) in &frame.outages {
        if let Some((y0, y1)) = band(s, e) {
            // A strip over the node's lane: no message reaches it or leaves it meanwhile.
            let x = layout.x(&format!("n{node}"));
            let label = super::outage_label(node, killed);
            let class = if killed { "down" } else { "paused" };
            let _ = writeln!(
                out,
                r#"<rect class="{class}" x="{:.1}" y="{y0:.1}" width="8" height="{:.1}"><title>{label}</title></rect>"#,
                x - 4.0,
                y1 - y0
            );
        }
    }
    time_axis(&mut out, &layout, x1);
    lanes(&mut out, &layout);
    cuts(&mut out, &layout, (x0, x1));
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
                x2,
                y1 + (layout.typical_ms * layout.px_per_ms).max(20.0),
                escape(&title(m, None, 0))
            );
        }
    }
    out.push_str("</svg>\n");
    out
}

/// Horizontal grid lines with time labels on the left, none inside a cut.
fn time_axis(out: &mut String, layout: &Layout, x_end: f64) {
    let step_us = (nice_step(60.0 / layout.px_per_ms) * 1000.0) as u64;
    let mut us = layout.t0_us.div_ceil(step_us) * step_us;
    while us <= layout.t1_us {
        if let Some(&(_, end)) = layout.cuts.iter().find(|&&(a, b)| a < us && us < b) {
            us = end.div_ceil(step_us) * step_us;
            continue;
        }
        let y = layout.y(us);
        let _ = writeln!(
            out,
            r#"<line class="grid" x1="{LEFT}" y1="{y:.1}" x2="{x_end:.1}" y2="{y:.1}"/><text class="tick" x="{:.1}" y="{:.1}">{:.3} s</text>"#,
            LEFT - 8.0,
            y + 4.0,
            us as f64 / 1e6
        );
        us += step_us;
    }
}

/// Each cut silence: a white band with a zigzag edge and how long it was.
fn cuts(out: &mut String, layout: &Layout, (x0, x1): (f64, f64)) {
    for &(a, b) in &layout.cuts {
        let (ya, yb) = (layout.y(a) + 6.0, layout.y(b) - 6.0);
        let mut zig = format!("M{x0:.1},{ya:.1}");
        let mut x = x0;
        let mut up = true;
        while x < x1 {
            x = (x + 8.0).min(x1);
            let _ = write!(zig, "L{x:.1},{:.1}", if up { ya - 3.0 } else { ya });
            up = !up;
        }
        let _ = writeln!(
            out,
            r#"<rect class="cut" x="{x0:.1}" y="{ya:.1}" width="{:.1}" height="{:.1}"/><path class="zig" d="{zig}"/><path class="zig" d="{zig}" transform="translate(0,{:.1})"/><text class="cutlbl" x="{:.1}" y="{:.1}">… {:.3} s without a message sent or delivered (not to scale) …</text>"#,
            x1 - x0,
            yb - ya,
            yb - ya,
            x0 + 4.0,
            (ya + yb) / 2.0 + 4.0,
            (b - a) as f64 / 1e6
        );
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

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(id: u64, from: &str, to: &str, kind: &str, sent_us: u64, received: &[u64]) -> Message {
        Message::new(id, (from, to), kind, sent_us, received)
    }

    #[test]
    fn replies_share_their_requests_colour_in_a_lighter_shade() {
        let window = [
            msg(0, "c0", "n0", "read", 0, &[1]),
            msg(1, "n0", "n1", "gossip", 0, &[1]),
            msg(2, "n0", "c0", "read_ok", 0, &[1]),
            msg(3, "n0", "c0", "read_ok", 0, &[1]),
        ];
        let k = kinds(&window);
        let names: Vec<(&str, usize, usize)> = k
            .iter()
            .map(|k| (k.name.as_str(), k.count, k.colour))
            .collect();
        assert_eq!(names, [("read", 1, 0), ("read_ok", 2, 1), ("gossip", 1, 2)]);
    }

    #[test]
    fn every_delivery_is_an_arrow_with_the_message_escaped_on_hover() {
        let mut evil = msg(1, "n0", "n1", "gossip", 1_000, &[101_000, 150_000]);
        evil.line = r#"{"body":{"type":"gossip","x":"</title><script>alert(1)</script>&"}}"#.into();
        evil.line_len = evil.line.len() + 100;
        let cut_note = format!("… ({} bytes in all)", evil.line_len);
        let msgs = [
            msg(0, "c4", "n0", "init", 0, &[0]),
            evil,
            msg(2, "n1", "seq-kv", "read", 2_000, &[]),
        ];
        let frame = Frame {
            subtitle: "a <test>".into(),
            partitions: vec![(0.05, 0.12)],
            outages: vec![(1, true, 0.001, 0.002), (0, false, 0.0015, 0.003)],
            limit_s: 0.14,
            end_s: 1.0,
        };
        let svg = render(&msgs, &frame);
        assert!(
            svg.contains("<title>n1 killed</title>") && svg.contains("<title>n0 paused</title>"),
            "the nemesis's kills and pauses are strips over the lanes"
        );
        assert_eq!(
            svg.matches("<line class=\"m ").count(),
            4,
            "3 deliveries + 1 lost"
        );
        assert_eq!(svg.matches(" lost\"").count(), 1);
        assert!(svg.contains("never delivered (1)"), "the legend names them");
        assert_eq!(svg.matches("(a duplicate delivery)").count(), 1);
        assert_eq!(
            svg.matches(&cut_note).count(),
            2,
            "both deliveries say it was cut"
        );
        assert!(svg.contains("&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;"));
        assert!(!svg.contains("<script") && !svg.contains("a <test>"));
        assert!(svg.contains("a &lt;test&gt;"));
        assert_eq!(svg.matches("class=\"lane node\"").count(), 2);
        assert_eq!(svg.matches("class=\"lane service\"").count(), 1);
        assert_eq!(svg.matches("class=\"lane client\"").count(), 1);
        assert!(svg.contains("partition in force") && svg.contains("after the time limit"));
        assert!(svg.contains("All 3 messages of the run"));
        assert!(svg.starts_with("<svg ") && svg.trim_end().ends_with("</svg>"));
    }

    #[test]
    fn a_run_without_messages_still_gets_a_diagram() {
        let svg = render(&[], &Frame::default());
        assert!(svg.contains("All 0 messages of the run"));
        assert_eq!(svg.matches("<line class=\"m ").count(), 0);
        assert!(svg.trim_end().ends_with("</svg>"));
    }

    #[test]
    fn past_the_cap_a_window_is_drawn_and_named() {
        let n = MAX_MESSAGES as u64 + 500;
        let msgs: Vec<Message> = (0..n)
            .map(|i| {
                let server = (3300..3400).contains(&i);
                let (from, to) = if server { ("n0", "n1") } else { ("c1", "n1") };
                msg(i, from, to, "echo", i * 1000, &[i * 1000 + 500])
            })
            .collect();
        let svg = render(&msgs, &Frame::default());
        assert_eq!(svg.matches("<line class=\"m ").count(), MAX_MESSAGES);
        let note: Vec<&str> = svg
            .split("<text class=\"note\"")
            .skip(1)
            .filter_map(|t| t.split_once('>')?.1.split_once("</text>").map(|p| p.0))
            .collect();
        let note = note.join(" ");
        let expected =
            format!("{n} messages in all: showing messages 401–3400 in send order (0.400–3.400 s)");
        assert!(note.starts_with(&expected), "{note}");
    }
}
