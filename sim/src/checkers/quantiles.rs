//! Latency quantiles as Jepsen computes them, and their EDN and JSON forms.

use serde_json::{Value, json};

/// Latency quantiles in ms at Jepsen's points 0, 0.5, 0.95, 0.99 and 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quantiles {
    /// Point 0: the minimum.
    pub q0: u64,
    /// Point 0.5: the upper median.
    pub q50: u64,
    /// Point 0.95.
    pub q95: u64,
    /// Point 0.99.
    pub q99: u64,
    /// Point 1: the maximum.
    pub q100: u64,
}

impl Quantiles {
    /// The points and values, in order.
    pub fn points(&self) -> [(&'static str, u64); 5] {
        [
            ("0", self.q0),
            ("0.5", self.q50),
            ("0.95", self.q95),
            ("0.99", self.q99),
            ("1", self.q100),
        ]
    }
}

/// Jepsen's quantiles: sorted ascending, point p takes index min(n − 1, ⌊n·p⌋). `None` when
/// there are no values.
pub fn quantiles(values: &[u64]) -> Option<Quantiles> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let n = sorted.len();
    let at = |p: f64| sorted[((n as f64 * p).floor() as usize).min(n - 1)];
    Some(Quantiles {
        q0: at(0.0),
        q50: at(0.5),
        q95: at(0.95),
        q99: at(0.99),
        q100: at(1.0),
    })
}

impl Quantiles {
    /// Maelstrom's map form: `{0 0, 0.5 230, 0.95 440, 0.99 447, 1 458}`.
    pub fn edn(&self) -> String {
        let parts: Vec<String> = self
            .points()
            .iter()
            .map(|(p, v)| format!("{p} {v}"))
            .collect();
        format!("{{{}}}", parts.join(", "))
    }

    /// The JSON object `{"0": …, "0.5": …, …}`.
    pub fn json(&self) -> Value {
        Value::Object(
            self.points()
                .iter()
                .map(|(p, v)| (p.to_string(), json!(v)))
                .collect(),
        )
    }
}
