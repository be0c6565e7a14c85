//! `timeline.html`: each process's operations as a column, time flowing down, each operation
//! a box from invocation to completion coloured by outcome (ok, info, fail, never completed),
//! the operation itself on hover. One self-contained page: inline CSS, no script, no asset.

use std::fmt::Write;

use super::history_files::{OwnEdn, op_value_edn};
use super::spans::Span;
use super::{Frame, escape, nice_step};
use crate::history::{Op, OpType, OpValue, Process};

const HEAD: f64 = 36.0;
const RULER: f64 = 70.0;
const MAX_VALUE: usize = 300;

const STYLE: &str = "body{font-family:sans-serif;margin:16px;color:#222}\
h1{font-size:20px;margin:0 0 4px}.sub{color:#555;margin:0 0 8px;font-size:13px}\
.note{font-size:13px;margin:0 0 8px}\
.key span{display:inline-block;padding:1px 8px;margin-right:6px;font-size:12px;border-radius:3px}\
.tl{position:relative;font-size:10px}\
.head{position:sticky;top:0;height:26px;background:#fff;z-index:3;border-bottom:1px solid #bbb}\
.head div{position:absolute;top:6px;font-weight:bold;font-size:11px;text-align:center;overflow:hidden}\
.op{position:absolute;box-sizing:border-box;border:1px solid rgba(0,0,0,.35);border-radius:2px;\
overflow:hidden;white-space:nowrap;padding:0 2px;line-height:12px;min-height:2px}\
.op:hover{outline:2px solid #000;z-index:2}\
.ok{background:#9bdb8d}.info{background:#ffc36b}.fail{background:#f4868a}.open{background:#ccc}\
.band{position:absolute;z-index:0}.part{background:rgba(214,39,40,.12)}.after{background:rgba(0,0,0,.07)}\
.band span{color:#933;font-size:11px;padding-left:2px}\
.tick{position:absolute;left:0;width:62px;text-align:right;color:#555;font-size:11px}\
.grid{position:absolute;height:1px;background:rgba(0,0,0,.07)}";

/// The columns: client processes by number, then the nemesis.
pub fn columns(spans: &[Span<'_>]) -> Vec<Process> {
    let mut out: Vec<Process> = spans.iter().map(Span::process).collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn class(outcome: Option<OpType>) -> &'static str {
    match outcome {
        Some(OpType::Ok) => "ok",
        Some(OpType::Info) => "info",
        Some(OpType::Fail) => "fail",
        Some(OpType::Invoke) | None => "open",
    }
}

/// An operation's value as text, in EDN as `history.txt` writes it (`[[:r 1 nil]]`), cut at
/// `max` characters (nothing for no value).
fn short(op: &Op, max: usize, own: OwnEdn<'_>) -> String {
    let text = match &op.value {
        OpValue::None => String::new(),
        OpValue::Text(s) => s.clone(),
        _ => op_value_edn(op, own),
    };
    if text.chars().count() <= max {
        return text;
    }
    let cut: String = text.chars().take(max).collect();
    format!("{cut}… ({} characters)", text.chars().count())
}

fn process_name(p: Process) -> String {
    match p {
        Process::Client(n) => n.to_string(),
        Process::Nemesis => "nemesis".into(),
    }
}

/// The hover text of one operation.
pub fn hover(span: &Span<'_>, own: OwnEdn<'_>) -> String {
    let inv = span.invoke;
    let at = |ns: u64| ns as f64 / 1e9;
    let mut text = format!(
        "process {} · {}\ninvoke {} at {:.3} s",
        process_name(inv.process),
        inv.f.name(),
        short(inv, MAX_VALUE, own),
        at(inv.time_ns)
    );
    match span.complete {
        Some(c) => {
            let _ = write!(
                text,
                "\n{} {} at {:.3} s ({:.1} ms)",
                c.kind.name(),
                short(c, MAX_VALUE, own),
                at(c.time_ns),
                c.time_ns.saturating_sub(inv.time_ns) as f64 / 1e6
            );
            if let Some(e) = &c.error {
                let _ = write!(text, "\nerror {e}");
            }
        }
        None => text.push_str("\nnever completed"),
    }
    text
}

/// Renders `timeline.html` for the run's operations.
pub fn render(spans: &[Span<'_>], frame: &Frame, own: OwnEdn<'_>) -> String {
    let cols = columns(spans);
    let col_w = (1200.0 / cols.len().max(1) as f64).clamp(22.0, 120.0);
    let end_ns = spans
        .iter()
        .map(|s| s.complete.map_or(s.start_ns(), |c| c.time_ns))
        .max()
        .unwrap_or(0)
        .max((frame.end_s * 1e9) as u64);
    let span_ms = (end_ns as f64 / 1e6).max(1.0);
    let px_per_ms = 0.25f64.min(16_000.0 / span_ms);
    let y = |ns: u64| HEAD + ns as f64 / 1e6 * px_per_ms;
    let width = RULER + col_w * cols.len() as f64 + 10.0;
    let height = y(end_ns) + 20.0;
    let title = format!("Timeline · {}", frame.subtitle);
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\
         <style>{STYLE}</style></head><body>\n<h1>Timeline of operations</h1>\
         <p class=\"sub\">{}</p><p class=\"note\">One column per process (a client thread \
         becomes a new process after an indeterminate result), time flowing down at {:.2} px \
         per ms; each box an operation from invocation to completion. Hover for the \
         operation.</p>\n<p class=\"key\"><span class=\"ok\">ok</span><span class=\"info\">\
         info (indeterminate)</span><span class=\"fail\">fail</span><span class=\"open\">never \
         completed</span><span class=\"part\">partition in force</span><span class=\"after\">\
         after the time limit</span></p>\n<div class=\"tl\" style=\"width:{width:.0}px;\
         height:{height:.0}px\">\n<div class=\"head\">",
        escape(&title),
        escape(&frame.subtitle),
        px_per_ms
    );
    for (i, p) in cols.iter().enumerate() {
        let _ = write!(
            out,
            "<div style=\"left:{:.1}px;width:{:.1}px\">{}</div>",
            RULER + col_w * i as f64,
            col_w,
            process_name(*p)
        );
    }
    out.push_str("</div>\n");
    let full = width - RULER;
    let mut band = |a: f64, b: f64, class: &str, label: &str| {
        let (a, b) = ((a * 1e9) as u64, ((b * 1e9) as u64).min(end_ns));
        if a < b {
            let _ = writeln!(
                out,
                "<div class=\"band {class}\" style=\"left:{RULER}px;width:{full:.0}px;top:{:.1}px;\
                 height:{:.1}px\"><span>{label}</span></div>",
                y(a),
                y(b) - y(a)
            );
        }
    };
    band(
        frame.limit_s,
        end_ns as f64 / 1e9,
        "after",
        "after the time limit",
    );
    for &(a, b) in &frame.partitions {
        band(a, b, "part", "partition in force");
    }
    let step_ms = nice_step(80.0 / px_per_ms);
    let mut t_ms = 0.0;
    while t_ms * 1e6 <= end_ns as f64 {
        let ty = y((t_ms * 1e6) as u64);
        let _ = writeln!(
            out,
            "<div class=\"grid\" style=\"left:{RULER}px;width:{full:.0}px;top:{ty:.1}px\"></div>\
             <div class=\"tick\" style=\"top:{:.1}px\">{:.1} s</div>",
            ty - 7.0,
            t_ms / 1000.0
        );
        t_ms += step_ms;
    }
    for s in spans {
        let col = cols.iter().position(|p| *p == s.process()).unwrap_or(0);
        let top = y(s.start_ns());
        let bottom = y(s.complete.map_or(end_ns, |c| c.time_ns));
        let label = format!("{} {}", s.invoke.f.name(), short(s.invoke, 12, own));
        let _ = writeln!(
            out,
            "<div class=\"op {}\" style=\"left:{:.1}px;width:{:.1}px;top:{top:.1}px;\
             height:{:.1}px\" title=\"{}\">{}</div>",
            class(s.outcome()),
            RULER + col_w * col as f64 + 1.0,
            col_w - 2.0,
            bottom - top,
            escape(&hover(s, own)),
            escape(label.trim_end())
        );
    }
    out.push_str("</div>\n</body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{History, OpF, OpValue};
    use crate::present::artifacts::spans;

    #[test]
    fn each_process_is_a_column_and_each_operation_a_box() {
        let mut h = History::new();
        h.invoke(
            0,
            Process::Client(1),
            OpF::ECHO,
            OpValue::Text("<b>&\"".into()),
        );
        h.complete(
            2_000_000,
            Process::Client(1),
            OpType::Ok,
            OpF::ECHO,
            OpValue::None,
            None,
        );
        h.invoke(1_000_000, Process::Client(0), OpF::READ, OpValue::None);
        let err = Some("net-timeout".to_owned());
        h.complete(
            9_000_000,
            Process::Client(0),
            OpType::Info,
            OpF::READ,
            OpValue::None,
            err,
        );
        h.invoke(10_000_000, Process::Client(2), OpF::READ, OpValue::None);
        let txn = OpF::new("txn");
        let mops = OpValue::Json(serde_json::json!([["r", 1, null], ["w", 1, 2]]));
        h.invoke(11_000_000, Process::Client(3), txn, mops.clone());
        h.complete(11_000_000, Process::Client(3), OpType::Ok, txn, mops, None);
        let spans = spans::pair(&h);
        assert_eq!(
            columns(&spans),
            vec![
                Process::Client(0),
                Process::Client(1),
                Process::Client(2),
                Process::Client(3)
            ]
        );
        let frame = Frame {
            end_s: 0.02,
            limit_s: 0.015,
            ..Frame::default()
        };
        let own = |op: &Op| (op.f.name() == "txn").then(|| "[[:r 1 nil] [:w 1 2]]".to_string());
        let html = render(&spans, &frame, &own);
        assert_eq!(html.matches("<div class=\"op ").count(), 4);
        assert_eq!(html.matches("class=\"op ok\"").count(), 2);
        assert!(
            html.contains("invoke [[:r 1 nil] [:w 1 2]] at 0.011 s"),
            "a transaction in the workload's own EDN form, as history.txt writes it"
        );
        assert_eq!(html.matches("class=\"op info\"").count(), 1);
        assert_eq!(html.matches("class=\"op open\"").count(), 1);
        assert!(html.contains("error net-timeout"));
        assert!(
            html.contains("invoke &lt;b&gt;&amp;&quot; at 0.000 s"),
            "escaped value"
        );
        assert!(!html.contains("<b>"), "no markup from a value");
        assert!(html.contains("after the time limit"));
        assert!(
            !html.contains("<script") && !html.contains("http"),
            "self-contained"
        );
    }
}
