//! `history.txt` and `history.jsonl`: the history, one entry a line.
//!
//! `history.txt` is Jepsen's (and so Maelstrom's) layout: process, type, f, value and, for
//! failures, the error, separated by tabs, values in EDN ([`crate::report::edn`]: `nil`, `[1 2 3]`,
//! `"text"`, a transaction as `[[:r 1 nil] [:w 2 3]]`, the nemesis's names as keywords):
//!
//! ```text
//! 3  :invoke  :broadcast  17
//! 3  :ok  :broadcast  17
//! :nemesis  :info  :start-partition  :majority
//! :nemesis  :info  :start-partition  [:isolated {"n0" #{"n1"}, "n1" #{"n0"}}]
//! 5  :info  :read  nil  :net-timeout
//! ```
//!
//! `history.jsonl` holds one object per entry: `index`, `time` (ns since the run started),
//! `process` (a number, or `"nemesis"`), `type`, `f`, `value`, and `error` and `final` when
//! set.

use std::fmt::Write;

use serde_json::{Value, json};

use crate::history::{History, Op, OpValue, Process};
use crate::report::edn::{edn, nemesis_edn, write_edn};

/// An operation's value as JSON (read results: the integers, then anything else the node
/// listed).
pub fn value_json(value: &OpValue) -> Value {
    // Every variant spelled out: a new one must say how it prints.
    match value {
        OpValue::None => Value::Null,
        OpValue::Int(v) => json!(v),
        OpValue::Text(s) => json!(s),
        OpValue::Json(v) => v.clone(),
        OpValue::Read(r) => {
            let other = r
                .other
                .iter()
                .map(|t| serde_json::from_str(t).unwrap_or_else(|_| json!(t)));
            Value::Array(r.ints.iter().map(|&i| json!(i)).chain(other).collect())
        }
    }
}

/// An operation's value as EDN (`edn`) or JSON text. A read's integers are written directly:
/// a long broadcast run's reads hold millions of them.
pub fn value_text(value: &OpValue, edn_form: bool) -> String {
    let OpValue::Read(r) = value else {
        let v = value_json(value);
        return if edn_form { edn(&v) } else { v.to_string() };
    };
    let sep = if edn_form { " " } else { "," };
    let mut out = String::with_capacity(8 * r.ints.len() + 2);
    out.push('[');
    for (i, v) in r.ints.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        let _ = write!(out, "{v}");
    }
    for (i, t) in r.other.iter().enumerate() {
        if i > 0 || !r.ints.is_empty() {
            out.push_str(sep);
        }
        let v = serde_json::from_str(t).unwrap_or_else(|_| json!(t));
        if edn_form {
            write_edn(&mut out, &v);
        } else {
            out.push_str(&v.to_string());
        }
    }
    out.push(']');
    out
}

/// How the workload prints its own operations' values in EDN, when it does
/// ([`crate::checkers::Verdict::value_edn`]).
pub type OwnEdn<'a> = &'a dyn Fn(&Op) -> Option<String>;

/// An operation's value in `history.txt`: EDN, the workload's own form first (a transaction's
/// micro-op functions as keywords, `[[:r 1 nil] [:w 2 3]]`, as Jepsen prints them).
pub fn op_value_edn(op: &Op, own: OwnEdn<'_>) -> String {
    if let Some(text) = own(op) {
        return text;
    }
    match &op.value {
        OpValue::Text(text) if op.process == Process::Nemesis => nemesis_edn(text),
        value => value_text(value, true),
    }
}

fn process_text(p: Process) -> String {
    match p {
        Process::Client(n) => n.to_string(),
        Process::Nemesis => ":nemesis".into(),
    }
}

/// One `history.txt` line (without the newline).
pub fn text_line(op: &Op, own: OwnEdn<'_>) -> String {
    let mut line = format!(
        "{}\t:{}\t:{}\t{}",
        process_text(op.process),
        op.kind.name(),
        op.f.name(),
        op_value_edn(op, own)
    );
    if let Some(e) = &op.error {
        line.push('\t');
        line.push_str(e);
    }
    line
}

/// Writes `history.txt` to `out`.
pub fn write_text(
    history: &History,
    own: OwnEdn<'_>,
    out: &mut impl std::io::Write,
) -> std::io::Result<()> {
    write_lines(history, &|op| text_line(op, own), out)
}

/// `history.txt` as a string.
#[cfg(test)]
pub fn text(history: &History, own: OwnEdn<'_>) -> String {
    lines(history, &|op| text_line(op, own))
}

/// One `history.jsonl` line (without the newline), keys in Jepsen's order.
pub fn json_line(op: &Op) -> String {
    let process = match op.process {
        Process::Client(n) => n.to_string(),
        Process::Nemesis => "\"nemesis\"".into(),
    };
    let mut line = format!(
        "{{\"index\":{},\"time\":{},\"process\":{process},\"type\":{},\"f\":{},\"value\":{}",
        op.index,
        op.time_ns,
        json!(op.kind.name()),
        json!(op.f.name()),
        match &op.value {
            // The nemesis's "nothing" (a stop's invocation) is null, as in Jepsen.
            OpValue::Text(t) if t.is_empty() && op.process == Process::Nemesis => "null".into(),
            v => value_text(v, false),
        }
    );
    if let Some(e) = &op.error {
        let _ = write!(line, ",\"error\":{}", json!(e));
    }
    if op.final_read {
        line.push_str(",\"final\":true");
    }
    line.push('}');
    line
}

/// Writes `history.jsonl` to `out`.
pub fn write_jsonl(history: &History, out: &mut impl std::io::Write) -> std::io::Result<()> {
    write_lines(history, &json_line, out)
}

/// `history.jsonl` as a string.
#[cfg(test)]
pub fn jsonl(history: &History) -> String {
    lines(history, &json_line)
}

/// Writes `line` of each entry, and a newline, to `out` (streamed: a history can be large).
fn write_lines(
    history: &History,
    line: &dyn Fn(&Op) -> String,
    out: &mut impl std::io::Write,
) -> std::io::Result<()> {
    for op in history.ops() {
        writeln!(out, "{}", line(op))?;
    }
    Ok(())
}

/// What [`write_lines`] writes, as a string.
#[cfg(test)]
fn lines(history: &History, line: &dyn Fn(&Op) -> String) -> String {
    let mut out = Vec::new();
    let _ = write_lines(history, line, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{OpF, OpType, ReadValues};

    fn sample() -> History {
        let mut h = History::new();
        h.invoke(5, Process::Client(3), OpF::BROADCAST, OpValue::Int(17));
        h.complete(
            9,
            Process::Client(3),
            OpType::Ok,
            OpF::BROADCAST,
            OpValue::Int(17),
            None,
        );
        let read = ReadValues {
            ints: vec![1, 2],
            other: vec!["\"x\"".into(), "{\"a\":null}".into()],
        };
        h.invoke(10, Process::Client(4), OpF::READ, OpValue::None);
        let i = h.complete(
            12,
            Process::Client(4),
            OpType::Ok,
            OpF::READ,
            OpValue::Read(read),
            None,
        );
        h.mark_final(i);
        let desc = OpValue::Text("Cut off {\"n1\" #{\"n2\"}}".into());
        h.complete(
            20,
            Process::Nemesis,
            OpType::Info,
            OpF::START_PARTITION,
            desc,
            None,
        );
        let err = Some("[:crash \"boom\"]".to_owned());
        h.complete(
            30,
            Process::Client(5),
            OpType::Fail,
            OpF::READ,
            OpValue::None,
            err,
        );
        h
    }

    #[test]
    fn history_txt_is_jepsens_tab_separated_layout() {
        let text = text(&sample(), &|_| None);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 6);
        assert_eq!(lines[0], "3\t:invoke\t:broadcast\t17");
        assert_eq!(lines[1], "3\t:ok\t:broadcast\t17");
        assert_eq!(lines[2], "4\t:invoke\t:read\tnil");
        assert_eq!(lines[3], "4\t:ok\t:read\t[1 2 \"x\" {:a nil}]");
        assert_eq!(
            lines[4],
            ":nemesis\t:info\t:start-partition\t\"Cut off {\\\"n1\\\" #{\\\"n2\\\"}}\""
        );
        assert_eq!(lines[5], "5\t:fail\t:read\tnil\t[:crash \"boom\"]");
    }

    #[test]
    fn history_jsonl_has_one_object_per_entry() {
        let h = sample();
        let text = jsonl(&h);
        let docs: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("each line is JSON"))
            .collect();
        assert_eq!(docs.len(), h.ops().len());
        assert_eq!(docs[1]["process"], 3);
        assert_eq!(docs[1]["type"], "ok");
        assert_eq!(docs[1]["time"], 9);
        assert_eq!(docs[3]["value"], json!([1, 2, "x", {"a": null}]));
        assert_eq!(docs[3]["final"], true);
        assert_eq!(docs[4]["process"], "nemesis");
        assert_eq!(docs[5]["error"], "[:crash \"boom\"]");
        assert!(docs[0].get("error").is_none() && docs[0].get("final").is_none());
        assert!(text.starts_with(
            r#"{"index":0,"time":5,"process":3,"type":"invoke","f":"broadcast","value":17}"#
        ));
    }

    #[test]
    fn the_workloads_own_form_comes_first() {
        let mut h = History::new();
        let txn = OpF::new("txn");
        let mops = json!([["r", 1, null], ["w", 2, 3]]);
        h.invoke(1, Process::Client(0), txn, OpValue::Json(mops));
        let add = OpF::new("add");
        h.invoke(3, Process::Client(1), add, OpValue::Int(-4));
        let own = |op: &Op| (op.f == txn).then(|| "[own form]".to_string());
        let text = text(&h, &own);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "0\t:invoke\t:txn\t[own form]");
        assert_eq!(lines[1], "1\t:invoke\t:add\t-4");
        let generic = super::text(&h, &|_| None);
        assert!(generic.starts_with("0\t:invoke\t:txn\t[[\"r\" 1 nil] [\"w\" 2 3]]"));
        // history.jsonl keeps the JSON form Maelstrom's clients send.
        assert!(jsonl(&h).contains(r#""value":[["r",1,null],["w",2,3]]"#));
    }

    #[test]
    fn nemesis_values_print_as_jepsen_prints_them() {
        let mut h = History::new();
        let p = Process::Nemesis;
        let f = OpF::STOP_PARTITION;
        h.complete(1, p, OpType::Info, f, OpValue::Text(String::new()), None);
        h.complete(
            1,
            p,
            OpType::Info,
            f,
            OpValue::Text(":network-healed".into()),
            None,
        );
        assert!(jsonl(&h).starts_with(
            r#"{"index":0,"time":1,"process":"nemesis","type":"info","f":"stop-partition","value":null}"#
        ));
        assert_eq!(
            text(&h, &|_| None),
            ":nemesis\t:info\t:stop-partition\tnil\n:nemesis\t:info\t:stop-partition\t:network-healed\n"
        );
        // A client's text (an echo) stays a string.
        let mut e = History::new();
        e.invoke(1, Process::Client(0), OpF::ECHO, OpValue::Text("hi".into()));
        assert_eq!(text(&e, &|_| None), "0\t:invoke\t:echo\t\"hi\"\n");
    }
}
