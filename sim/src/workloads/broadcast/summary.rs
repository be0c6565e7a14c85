//! The broadcast result's sections of the summary (Maelstrom's `:workload` map, with
//! `:worst-stale` in its shape) and of the JSON document, its figures, its stable-latency
//! curve and its plots (`super::plot`).

use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use crate::checkers::quantiles::Quantiles;
use crate::checkers::{Validity, Verdict};
use crate::figures::{Figure, Series};
use crate::workloads::broadcast::set_full::{ElementResult, Mark, SetFullResult};

impl Verdict for SetFullResult {
    fn valid(&self) -> Validity {
        self.valid
    }

    fn summary(&self, out: &mut String) {
        summary(out, self);
    }

    fn json(&self) -> Map<String, Value> {
        let r = self;
        let doc = json!({
            "workload_valid": r.valid.json(),
            "attempt_count": r.attempt_count,
            "stable_count": r.stable_count,
            "lost_count": r.lost_count,
            "never_read_count": r.never_read_count,
            "stale_count": r.stale_count,
            "duplicated_count": r.duplicated_count,
            "lost": r.lost,
            "never_read": r.never_read,
            "stable_latencies": r.stable_latencies.map(|q| q.json()),
            "lost_latencies": r.lost_latencies.map(|q| q.json()),
            "stale": r.stale,
            "worst_stale": r.worst_stale.iter().map(|e| json!({
                "element": e.element,
                "outcome": e.outcome.name(),
                "stable_latency_ms": e.stable_latency_ms,
                "lost_latency_ms": e.lost_latency_ms,
                "known_ns": e.known.map(|k| k.time_ns),
                "last_absent_ns": e.last_absent.map(|m| m.time_ns),
            })).collect::<Vec<_>>(),
        });
        match doc {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    fn figures(&self) -> Vec<Figure> {
        let quantiles = |q: &Option<Quantiles>| {
            q.map(|q| {
                let v: Vec<String> = q.points().iter().map(|p| p.1.to_string()).collect();
                v.join(" / ")
            })
        };
        let mut out = Vec::new();
        if let Some(q) = quantiles(&self.stable_latencies) {
            out.push(Figure::new(
                "stable_latencies",
                "stable latency 0/0.5/0.95/0.99/1 (ms)",
                q,
            ));
        }
        if let Some(q) = quantiles(&self.lost_latencies) {
            out.push(Figure::new(
                "lost_latencies",
                "lost latency 0/0.5/0.95/0.99/1 (ms)",
                q,
            ));
        }
        out.extend([
            Figure::new("lost_count", "lost", self.lost_count),
            Figure::new("stale_count", "stale", self.stale_count),
            Figure::new("never_read_count", "never read", self.never_read_count),
            Figure::new("duplicated_count", "duplicated", self.duplicated_count),
        ]);
        out
    }

    fn series(&self) -> Vec<Series> {
        vec![Series {
            key: "stable_latency".into(),
            label: "stable latency".into(),
            time_label: "time the value became known".into(),
            samples: self
                .stable_samples()
                .iter()
                .map(|&(_, known_ns, ms)| (known_ns, ms))
                .collect(),
        }]
    }

    #[cfg(feature = "present")]
    fn plots(
        &self,
        run: &crate::figures::PlotInput<'_>,
    ) -> Result<Vec<crate::figures::Plot>, String> {
        super::plot::plots(self, run)
    }
}

fn set(items: &[i64]) -> String {
    const SHOWN: usize = 24;
    let mut s = String::from("#{");
    for (i, v) in items.iter().take(SHOWN).enumerate() {
        let _ = write!(s, "{}{v}", if i > 0 { " " } else { "" });
    }
    if items.len() > SHOWN {
        let _ = write!(s, " … {} more", items.len() - SHOWN);
    }
    s.push('}');
    s
}

fn summary(out: &mut String, r: &SetFullResult) {
    let _ = writeln!(out, " :workload {{:valid? {},", r.valid);
    let _ = writeln!(out, "            :attempt-count {},", r.attempt_count);
    let _ = writeln!(out, "            :stable-count {},", r.stable_count);
    let _ = writeln!(
        out,
        "            :lost-count {}, :lost {},",
        r.lost_count,
        set(&r.lost)
    );
    let _ = writeln!(
        out,
        "            :never-read-count {}, :never-read {},",
        r.never_read_count,
        set(&r.never_read)
    );
    let _ = writeln!(
        out,
        "            :stale-count {}, :stale {},",
        r.stale_count,
        set(&r.stale)
    );
    let _ = writeln!(out, "            :duplicated-count {},", r.duplicated_count);
    if let Some(q) = &r.stable_latencies {
        let _ = writeln!(out, "            :stable-latencies {},", q.edn());
    }
    if let Some(q) = &r.lost_latencies {
        let _ = writeln!(out, "            :lost-latencies {},", q.edn());
    }
    let indent = "                           ";
    let worst: Vec<String> = r.worst_stale.iter().map(element_edn).collect();
    let _ = writeln!(
        out,
        "            :worst-stale ({})}},",
        worst.join(&format!("\n{indent}"))
    );
}

/// One element of `:worst-stale` in Maelstrom's shape; `:known` and `:last-absent` show the
/// history index and time (ns) of the operation Maelstrom would print in full.
fn element_edn(e: &ElementResult) -> String {
    let mark = |m: Option<Mark>| {
        m.map_or("nil".to_string(), |m| {
            format!("{{:index {}, :time {}}}", m.index, m.time_ns)
        })
    };
    let ms = |v: Option<u64>| v.map_or("nil".to_string(), |v| v.to_string());
    format!(
        "{{:element {}, :outcome :{}, :stable-latency {}, :lost-latency {}, :known {}, :last-absent {}}}",
        e.element,
        e.outcome.name(),
        ms(e.stable_latency_ms),
        ms(e.lost_latency_ms),
        mark(e.known),
        mark(e.last_absent)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workloads::broadcast::set_full::Outcome;

    #[test]
    fn worst_stale_elements_print_in_maelstroms_shape() {
        let e = ElementResult {
            element: 391,
            outcome: Outcome::Stable,
            known: Some(Mark {
                index: 1591,
                time_ns: 7_923_444_000,
            }),
            last_present: None,
            last_absent: Some(Mark {
                index: 1922,
                time_ns: 9_624_815_000,
            }),
            stable_latency_ms: Some(1701),
            lost_latency_ms: None,
        };
        assert_eq!(
            element_edn(&e),
            "{:element 391, :outcome :stable, :stable-latency 1701, :lost-latency nil, \
             :known {:index 1591, :time 7923444000}, :last-absent {:index 1922, :time 9624815000}}"
        );
        let never_read = ElementResult {
            outcome: Outcome::NeverRead,
            known: None,
            last_absent: None,
            stable_latency_ms: None,
            ..e
        };
        assert_eq!(
            element_edn(&never_read),
            "{:element 391, :outcome :never-read, :stable-latency nil, :lost-latency nil, \
             :known nil, :last-absent nil}"
        );
    }
}
