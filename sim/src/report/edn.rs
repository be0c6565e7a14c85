//! EDN, as Jepsen's `history.txt` and Maelstrom's summaries write values: `nil`, `[vectors]`,
//! `{:keyword value}` maps, the nemesis's names as keywords. It knows JSON values only: an
//! operation's value (a transaction's micro-ops as `[:r 1 nil]`) is put together by
//! `present::artifacts::history_files::op_value_edn` (feature `present`) from these pieces.

use std::fmt::Write;

use serde_json::Value;

/// JSON as EDN: `nil`, `true`, numbers, `"strings"`, `[vectors]`, `{:keyword value}` maps.
pub fn edn(value: &Value) -> String {
    let mut out = String::new();
    write_edn(&mut out, value);
    out
}

/// Appends `value` as EDN ([`edn`]) to `out`.
pub(crate) fn write_edn(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("nil"),
        Value::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        // JSON string escapes are EDN's for everything a history holds.
        Value::String(s) => out.push_str(&Value::String(s.clone()).to_string()),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_edn(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let keyword = !k.is_empty()
                    && k.chars()
                        .all(|c| c.is_alphanumeric() || "-_?!*+.".contains(c))
                    && !k.starts_with(|c: char| c.is_ascii_digit());
                if keyword {
                    let _ = write!(out, ":{k} ");
                } else {
                    let _ = write!(out, "{} ", Value::String(k.clone()));
                }
                write_edn(out, v);
            }
            out.push('}');
        }
    }
}

/// A nemesis value as Jepsen prints it: nothing as `nil`, a name as a keyword (`:majority`),
/// a description already in EDN (`[:isolated {"n0" #{"n1"}}]`, `:network-healed`) as is,
/// with node ids quoted; anything else as a string.
#[cfg_attr(not(feature = "present"), allow(dead_code))]
pub fn nemesis_edn(text: &str) -> String {
    let is_name = |t: &str| {
        t.starts_with(|c: char| c.is_ascii_lowercase())
            && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if text.is_empty() {
        return "nil".into();
    }
    if is_name(text) {
        return format!(":{text}");
    }
    if !text.starts_with(['[', ':']) || text.contains('"') {
        return Value::String(text.to_owned()).to_string();
    }
    // Quote the node ids (`n0` → `"n0"`), not the keywords (`:isolated`).
    let mut out = String::with_capacity(text.len() + 16);
    let mut word = String::new();
    let mut keyword = false;
    let flush = |word: &mut String, keyword: bool, out: &mut String| {
        let node = word
            .strip_prefix('n')
            .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
        if node && !keyword {
            let _ = write!(out, "\"{word}\"");
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '-' {
            if word.is_empty() {
                keyword = out.ends_with(':');
            }
            word.push(c);
        } else {
            flush(&mut word, keyword, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, keyword, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nemesis_names_become_keywords_and_node_ids_strings() {
        assert_eq!(nemesis_edn(""), "nil");
        assert_eq!(nemesis_edn("majorities-ring"), ":majorities-ring");
        assert_eq!(nemesis_edn(":network-healed"), ":network-healed");
        assert_eq!(
            nemesis_edn("[:isolated {n0 #{n1 n12}, n1 #{n0}}]"),
            r#"[:isolated {"n0" #{"n1" "n12"}, "n1" #{"n0"}}]"#
        );
        assert_eq!(nemesis_edn("Cut off n1"), r#""Cut off n1""#);
    }

    #[test]
    fn edn_keywords_only_where_they_read_back() {
        let v = json!({"ok": true, "2x": 1, "a b": [null, 1.5]});
        assert_eq!(edn(&v), r#"{"2x" 1, "a b" [nil 1.5], :ok true}"#);
    }
}
