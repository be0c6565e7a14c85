//! The part of Elle's result map (`elle/txn.clj` `result-map`) that both transactional
//! workloads print alike in the summary: the `:anomalies` map, a few cases per type, then
//! `:not` and `:also-not`. What comes before it differs (Maelstrom's txn-rw-register wrapper
//! prints `:anomaly-types` and `:anomalies nil` on its own terms; list-append is Elle's map
//! unwrapped), so each workload writes its own opening.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::kinds::AnomalyType;

/// Cases shown per anomaly type in the summary (all of them are in the JSON and the files).
pub const SHOWN_CASES: usize = 4;

/// A set of model names as EDN: `#{:read-committed :serializable}`.
pub fn models_edn(models: &[&str]) -> String {
    let m: Vec<String> = models.iter().map(|m| format!(":{m}")).collect();
    format!("#{{{}}}", m.join(" "))
}

/// Appends `,\n :anomalies {type [case …] …}` with the first [`SHOWN_CASES`] cases of each of
/// `types` (as `edn` prints a case), then `:not` and `:also-not`, closing the `:workload` map.
pub fn write_anomalies<C>(
    out: &mut String,
    types: &[AnomalyType],
    anomalies: &BTreeMap<AnomalyType, Vec<C>>,
    edn: impl Fn(&C) -> String,
    not: &[&str],
    also_not: &[&str],
) {
    let _ = writeln!(out, ",\n            :anomalies {{");
    for t in types {
        let cases = anomalies.get(t).map_or(&[][..], Vec::as_slice);
        let _ = writeln!(out, "              {t} [ ; {} case(s)", cases.len());
        for c in cases.iter().take(SHOWN_CASES) {
            let _ = writeln!(out, "                {}", edn(c));
        }
        if cases.len() > SHOWN_CASES {
            let _ = writeln!(out, "                … {} more]", cases.len() - SHOWN_CASES);
        } else {
            let _ = writeln!(out, "                ]");
        }
    }
    let _ = writeln!(out, "            }},");
    let _ = writeln!(
        out,
        "            :not {}, :also-not {}}},",
        models_edn(not),
        models_edn(also_not)
    );
}
