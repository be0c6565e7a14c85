//! Consistency models: which anomalies each forbids, and which models a set of anomalies
//! rules out (Elle's `:not` / `:also-not`).
//!
//! The data are Elle's model hierarchy, direct prohibitions and anomaly implications (by
//! friendly model name, `elle/consistency_model.clj`), with Elle 0.2.2's `:future-read` (which
//! Maelstrom 0.2.4 brings; it implies G1c) but without its `*-cycle-exists` anomalies.

use std::collections::BTreeSet;

/// Models and the weaker models each implies.
const IMPLIES: &[(&str, &[&str])] = &[
    ("causal-cerone", &["read-atomic"]),
    ("consistent-view", &["cursor-stability", "monotonic-view"]),
    ("cursor-stability", &["read-committed"]),
    ("forward-consistent-view", &["consistent-view"]),
    ("read-committed", &["read-uncommitted"]),
    (
        "serializable",
        &[
            "repeatable-read",
            "update-serializable",
            "snapshot-isolation",
            "view-serializable",
        ],
    ),
    ("update-serializable", &["forward-consistent-view"]),
    ("monotonic-atomic-view", &["read-committed"]),
    ("monotonic-view", &["read-committed"]),
    ("monotonic-snapshot-read", &["read-committed"]),
    ("parallel-snapshot-isolation", &["causal-cerone", "ROLA"]),
    ("prefix", &["causal-cerone"]),
    ("read-atomic", &["monotonic-atomic-view"]),
    (
        "repeatable-read",
        &["cursor-stability", "monotonic-atomic-view"],
    ),
    ("ROLA", &["read-atomic"]),
    ("session-serializable", &["1SR"]),
    (
        "snapshot-isolation",
        &[
            "forward-consistent-view",
            "monotonic-atomic-view",
            "monotonic-snapshot-read",
            "parallel-snapshot-isolation",
            "prefix",
        ],
    ),
    (
        "strict-serializable",
        &[
            "serializable",
            "linearizable",
            "snapshot-isolation",
            "strong-snapshot-isolation",
            "strong-session-serializable",
            "session-serializable",
        ],
    ),
    ("strong-session-read-uncommitted", &["read-uncommitted"]),
    (
        "strong-session-read-committed",
        &["read-committed", "strong-session-read-uncommitted"],
    ),
    (
        "strong-read-uncommitted",
        &["strong-session-read-uncommitted"],
    ),
    (
        "strong-read-committed",
        &["strong-session-read-committed", "strong-read-uncommitted"],
    ),
    (
        "strong-session-serializable",
        &["serializable", "strong-session-snapshot-isolation"],
    ),
    (
        "strong-session-snapshot-isolation",
        &["snapshot-isolation", "strong-session-read-committed"],
    ),
    (
        "strong-snapshot-isolation",
        &["strong-session-snapshot-isolation", "strong-read-committed"],
    ),
    ("linearizable", &["sequential"]),
    ("sequential", &["causal"]),
    ("causal", &["writes-follow-reads", "PRAM"]),
    (
        "PRAM",
        &["monotonic-reads", "monotonic-writes", "read-your-writes"],
    ),
];

/// Other names of models, and the name used here.
const ALIASES: &[(&str, &str)] = &[
    ("conflict-serializable", "serializable"),
    ("strong-serializable", "strict-serializable"),
    ("PL-1", "read-uncommitted"),
    ("PL-2", "read-committed"),
    ("PL-3", "serializable"),
    ("PL-SI", "snapshot-isolation"),
    ("PL-SS", "strict-serializable"),
];

/// Anomalies each model forbids directly (on top of the models it implies).
const FORBIDS: &[(&str, &[&str])] = &[
    ("causal-cerone", &["internal", "G1a"]),
    ("cursor-stability", &["G1", "G-cursor", "lost-update"]),
    ("monotonic-view", &["G1", "G-monotonic"]),
    ("monotonic-snapshot-read", &["G1", "G-MSR"]),
    ("consistent-view", &["G1", "G-single"]),
    ("forward-consistent-view", &["G1", "G-SIb"]),
    ("parallel-snapshot-isolation", &["internal", "G1a"]),
    ("serializable", &["G1", "G2", "internal"]),
    ("read-committed", &["G1"]),
    (
        "read-uncommitted",
        &["G0", "duplicate-elements", "cyclic-versions"],
    ),
    ("prefix", &["internal", "G1a"]),
    (
        "snapshot-isolation",
        &["internal", "G1", "G-SI", "G-nonadjacent"],
    ),
    ("read-atomic", &["internal", "G1a"]),
    ("repeatable-read", &["G1", "G2-item", "lost-update"]),
    ("ROLA", &["lost-update"]),
    (
        "strict-serializable",
        &["G1", "G1c-realtime", "G2-realtime"],
    ),
    ("strong-session-read-uncommitted", &["G0-process"]),
    ("strong-session-read-committed", &["G1c-process"]),
    ("strong-read-uncommitted", &["G0-realtime"]),
    ("strong-read-committed", &["G1c-realtime"]),
    (
        "strong-session-snapshot-isolation",
        &["internal", "G1-process", "G-nonadjacent-process"],
    ),
    (
        "strong-snapshot-isolation",
        &["internal", "G1-realtime", "G-nonadjacent-realtime"],
    ),
    ("strong-session-serializable", &["G1-process", "G2-process"]),
    ("update-serializable", &["G1", "G-update"]),
];

/// Anomalies and the anomalies their presence implies.
const IMPLIED: &[(&str, &[&str])] = &[
    ("G0", &["G1c", "G0-process"]),
    ("G0-process", &["G1c-process", "G0-realtime"]),
    ("G0-realtime", &["G1c-realtime"]),
    ("G1a", &["G1"]),
    ("G1b", &["G1"]),
    ("G1c", &["G1", "G1c-process"]),
    ("G1c-process", &["G1c-realtime", "G1-process"]),
    ("G1c-realtime", &["G1-realtime"]),
    ("G1", &["G1-process"]),
    ("G1-process", &["G1-realtime"]),
    ("G-single", &["G-nonadjacent", "GSIb", "G-single-process"]),
    (
        "G-single-process",
        &["G-nonadjacent-process", "G-single-realtime"],
    ),
    ("G-single-realtime", &["G-nonadjacent-realtime"]),
    ("G-nonadjacent", &["G2", "G-nonadjacent-process"]),
    (
        "G-nonadjacent-process",
        &["G2-process", "G-nonadjacent-realtime"],
    ),
    ("G-nonadjacent-realtime", &["G2-realtime"]),
    ("G2", &["G2-process"]),
    ("G2-item", &["G2", "G2-item-process"]),
    ("G2-item-process", &["G2-process", "G2-item-realtime"]),
    ("G2-item-realtime", &["G2-realtime"]),
    ("G2-process", &["G2-realtime"]),
    ("GSIa", &["GSI"]),
    ("GSIb", &["GSI"]),
    ("incompatible-order", &["G1a"]),
    // A read of one's own later append: a cycle T -wr-> T, which the graph has no room for.
    ("future-read", &["G1c"]),
    ("dirty-update", &["G1a"]),
    ("lost-update", &["write-skew", "G2-item"]),
    ("write-skew", &["G2"]),
];

/// Every vertex reachable from `start` (included) along `next`.
fn reach<'a>(
    start: impl IntoIterator<Item = &'a str>,
    next: impl Fn(&str) -> Vec<&'a str>,
) -> BTreeSet<&'a str> {
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut todo: Vec<&str> = start.into_iter().collect();
    while let Some(x) = todo.pop() {
        if seen.insert(x) {
            todo.extend(next(x));
        }
    }
    seen
}

fn out<'a>(table: &'a [(&'a str, &'a [&'a str])], x: &str) -> Vec<&'a str> {
    table
        .iter()
        .filter(|(a, _)| *a == x)
        .flat_map(|(_, bs)| bs.iter().copied())
        .collect()
}

fn into<'a>(table: &'a [(&'a str, &'a [&'a str])], x: &str) -> Vec<&'a str> {
    table
        .iter()
        .filter(|(_, bs)| bs.contains(&x))
        .map(|(a, _)| *a)
        .collect()
}

/// The model `name` refers to, if Elle knows it.
pub fn canonical(name: &str) -> Option<&'static str> {
    if let Some((_, to)) = ALIASES.iter().find(|(a, _)| *a == name) {
        return Some(to);
    }
    IMPLIES
        .iter()
        .flat_map(|(a, bs)| std::iter::once(*a).chain(bs.iter().copied()))
        .find(|m| *m == name)
}

/// The anomalies that cannot be present if all `models` hold: those the models (and the
/// models they imply) forbid, plus every anomaly implying one of those.
pub fn prohibited(models: &[&'static str]) -> BTreeSet<&'static str> {
    let implied = reach(models.iter().copied(), |m| out(IMPLIES, m));
    let direct: Vec<&str> = implied.iter().flat_map(|m| out(FORBIDS, m)).collect();
    reach(direct, |a| into(IMPLIED, a))
}

/// Elle's boundary: the weakest models the anomalies rule out (`:not`) and the stronger
/// ones they also rule out (`:also-not`), each sorted.
pub fn boundary<'a>(
    anomalies: impl IntoIterator<Item = &'a str>,
) -> (Vec<&'static str>, Vec<&'static str>) {
    let names: Vec<&'static str> = anomalies
        .into_iter()
        .filter_map(|a| {
            IMPLIED
                .iter()
                .flat_map(|(x, ys)| std::iter::once(*x).chain(ys.iter().copied()))
                .chain(FORBIDS.iter().flat_map(|(_, ys)| ys.iter().copied()))
                .find(|x| *x == a)
        })
        .collect();
    let anomalies = reach(names, |a| out(IMPLIED, a));
    let direct: Vec<&str> = anomalies.iter().flat_map(|a| into(FORBIDS, a)).collect();
    let impossible = reach(direct, |m| into(IMPLIES, m));
    let not: Vec<&'static str> = impossible
        .iter()
        .copied()
        .filter(|m| {
            let below = reach([*m], |x| out(IMPLIES, x));
            !below.iter().any(|b| b != m && impossible.contains(b))
        })
        .collect();
    let also: Vec<&'static str> = impossible
        .iter()
        .copied()
        .filter(|m| !not.contains(m))
        .collect();
    (not, also)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_uncommitted_and_read_committed_forbid_what_the_spec_lists() {
        let ru: Vec<&str> = prohibited(&["read-uncommitted"]).into_iter().collect();
        assert_eq!(ru, ["G0", "cyclic-versions", "duplicate-elements"]);
        let rc: Vec<&str> = prohibited(&["read-committed"]).into_iter().collect();
        assert_eq!(
            rc,
            [
                "G0",
                "G1",
                "G1a",
                "G1b",
                "G1c",
                "cyclic-versions",
                "dirty-update",
                "duplicate-elements",
                "future-read",
                "incompatible-order"
            ]
        );
        assert_eq!(canonical("PL-2"), Some("read-committed"));
        assert_eq!(canonical("read-committed,serializable"), None);
    }

    #[test]
    fn serializable_and_strict_serializable_forbid_what_list_append_reports() {
        let ser = prohibited(&["serializable"]);
        for a in [
            "G0",
            "G1a",
            "G1b",
            "G1c",
            "G-single",
            "G-nonadjacent",
            "G2-item",
            "G2",
            "internal",
            "future-read",
            "dirty-update",
            "incompatible-order",
            "duplicate-elements",
            "cyclic-versions",
            "lost-update",
        ] {
            assert!(ser.contains(a), "serializable forbids {a}");
        }
        assert!(!ser.iter().any(|a| a.ends_with("-realtime")), "{ser:?}");
        let strict = prohibited(&["strict-serializable"]);
        assert!(strict.is_superset(&ser));
        for base in ["G0", "G1c", "G-single", "G-nonadjacent", "G2-item"] {
            for suffix in ["-process", "-realtime"] {
                assert!(
                    strict.contains(format!("{base}{suffix}").as_str()),
                    "{base}{suffix}"
                );
            }
        }
    }

    #[test]
    fn a_g1c_rules_out_read_committed_and_everything_above_it() {
        let (not, also) = boundary(["G1c"]);
        assert_eq!(not, ["read-committed"]);
        for m in [
            "serializable",
            "snapshot-isolation",
            "strict-serializable",
            "repeatable-read",
        ] {
            assert!(also.contains(&m), "{m} in {also:?}");
        }
        assert!(!also.contains(&"read-uncommitted"));
        let (not, _) = boundary(["G-single"]);
        assert_eq!(not, ["consistent-view"]);
        let (not, also) = boundary(["empty-transaction-graph"]);
        assert!(not.is_empty() && also.is_empty());
    }
}
