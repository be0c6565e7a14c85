//! Faults beyond Maelstrom's partition nemesis: the `--faults` spec, the schedule of one-way
//! partitions and node pauses, and what the faults did in a run.
//!
//! A spec is `none` or a comma-separated list of items, each enabling one fault of
//! [`Faults`]:
//!
//! | item | fault | default parameter |
//! |---|---|---|
//! | `loss=P` | each node↔node message is lost with probability P | — |
//! | `dup=P` | each is delivered twice with probability P | — |
//! | `reorder=P[:MS]` | each is held in transit for U(0, MS) ms with probability P, so later ones overtake it | 500 ms |
//! | `spike=P[:MS]` | each gets MS ms of extra latency with probability P | 1000 ms |
//! | `oneway[=S]` | one-way partitions start and heal every U(0, 2·S) s | 5 s |
//! | `pause[=S[:E]]` | a random node is paused for S s, every U(0, 2·E) s | 3 s every 10 s |
//!
//! `loss=0.2,reorder=0.3:400,pause=2` parses, prints back in this canonical form
//! (`loss=0.2,reorder=0.3:400,pause=2:10`), and replays exactly with the same seed.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use crate::config::{Faults, Pause};

pub(crate) const DEFAULT_REORDER: Duration = Duration::from_millis(500);
const DEFAULT_SPIKE: Duration = Duration::from_millis(1000);
pub(crate) const DEFAULT_ONEWAY: Duration = Duration::from_secs(5);
const DEFAULT_PAUSE: Pause = Pause {
    length: Duration::from_secs(3),
    every: Duration::from_secs(10),
};

/// What the extra faults did during a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FaultCounts {
    /// Messages delivered a second time.
    pub duplicated: u64,
    /// Messages held in transit so that later ones could overtake them.
    pub reordered: u64,
    /// Messages given a latency spike.
    pub spiked: u64,
    /// One-way partitions started.
    pub oneway_partitions: u64,
    /// Node pauses.
    pub pauses: u64,
    /// Lines lost with a killed process: given to it (on its stdin, or held for it while it
    /// was paused) and not yet read. What is sent to a dead node waits in its queue.
    pub killed_drops: u64,
    /// Replies a node sent, after a kill or pause nemesis held it, to a client that had
    /// timed out and closed: dropped (see `Cluster::on_node_line`).
    pub late_replies: u64,
    /// Node kills by the kill nemesis (a node counted once per kill).
    pub kills: u64,
}

fn probability(key: &str, text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!(
            "{key}: probability must be a number in [0, 1], not {text:?}"
        )),
    }
}

fn millis(key: &str, text: &str) -> Result<Duration, String> {
    text.parse::<u64>()
        .map(Duration::from_millis)
        .map_err(|_| format!("{key}: expected whole milliseconds, not {text:?}"))
}

fn seconds(key: &str, text: &str) -> Result<Duration, String> {
    match text
        .parse::<f64>()
        .ok()
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
    {
        Some(d) if !d.is_zero() => Ok(d),
        _ => Err(format!(
            "{key}: expected a positive number of seconds, not {text:?}"
        )),
    }
}

/// Splits `P[:X]` into the probability and the optional second part.
fn with_param<'a>(key: &str, value: Option<&'a str>) -> Result<(f64, Option<&'a str>), String> {
    let value = value.ok_or_else(|| format!("{key} needs a probability: {key}=P"))?;
    let (p, x) = match value.split_once(':') {
        Some((p, x)) => (p, Some(x)),
        None => (value, None),
    };
    Ok((probability(key, p)?, x))
}

impl FromStr for Faults {
    type Err = String;

    fn from_str(spec: &str) -> Result<Faults, String> {
        let mut f = Faults::default();
        let spec = spec.trim();
        if spec.is_empty() || spec == "none" {
            return Ok(f);
        }
        for item in spec.split(',').map(str::trim) {
            let (key, value) = match item.split_once('=') {
                Some((k, v)) => (k.trim(), Some(v.trim())),
                None => (item, None),
            };
            match key {
                "loss" => f.loss = with_param(key, value)?.0,
                "dup" => f.duplicate = with_param(key, value)?.0,
                "reorder" => {
                    let (p, ms) = with_param(key, value)?;
                    f.reorder = p;
                    f.reorder_max = ms.map_or(Ok(DEFAULT_REORDER), |ms| millis(key, ms))?;
                }
                "spike" => {
                    let (p, ms) = with_param(key, value)?;
                    f.spike_probability = p;
                    f.spike = ms.map_or(Ok(DEFAULT_SPIKE), |ms| millis(key, ms))?;
                }
                "oneway" => {
                    f.oneway = Some(value.map_or(Ok(DEFAULT_ONEWAY), |s| seconds(key, s))?);
                }
                "pause" => {
                    let mut pause = DEFAULT_PAUSE;
                    if let Some(v) = value {
                        let (length, every) = match v.split_once(':') {
                            Some((l, e)) => (l, Some(e)),
                            None => (v, None),
                        };
                        pause.length = seconds(key, length)?;
                        if let Some(e) = every {
                            pause.every = seconds(key, e)?;
                        }
                    }
                    f.pause = Some(pause);
                }
                other => {
                    return Err(format!(
                        "unknown fault {other:?} (loss, dup, reorder, spike, oneway, pause, none)"
                    ));
                }
            }
        }
        Ok(f)
    }
}

impl fmt::Display for Faults {
    /// The canonical spec: enabled faults in a fixed order, every parameter explicit.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut items = Vec::new();
        if self.loss > 0.0 {
            items.push(format!("loss={}", self.loss));
        }
        if self.duplicate > 0.0 {
            items.push(format!("dup={}", self.duplicate));
        }
        if self.reorder > 0.0 && !self.reorder_max.is_zero() {
            items.push(format!(
                "reorder={}:{}",
                self.reorder,
                self.reorder_max.as_millis()
            ));
        }
        if self.spike_probability > 0.0 && !self.spike.is_zero() {
            let ms = self.spike.as_millis();
            items.push(format!("spike={}:{ms}", self.spike_probability));
        }
        if let Some(every) = self.oneway {
            items.push(format!("oneway={}", every.as_secs_f64()));
        }
        if let Some(p) = self.pause {
            let (l, e) = (p.length.as_secs_f64(), p.every.as_secs_f64());
            items.push(format!("pause={l}:{e}"));
        }
        if items.is_empty() {
            f.write_str("none")
        } else {
            f.write_str(&items.join(","))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_and_print_canonically() {
        let f: Faults = "loss=0.2, reorder=0.3:400,pause=2,oneway"
            .parse()
            .expect("valid");
        assert_eq!(f.loss, 0.2);
        assert_eq!(f.reorder_max, Duration::from_millis(400));
        assert_eq!(f.pause.map(|p| p.length), Some(Duration::from_secs(2)));
        assert_eq!(f.oneway, Some(DEFAULT_ONEWAY));
        let canonical = f.to_string();
        assert_eq!(canonical, "loss=0.2,reorder=0.3:400,oneway=5,pause=2:10");
        assert_eq!(canonical.parse::<Faults>(), Ok(f));
        let all = "loss=0.05,dup=0.1,reorder=1:50,spike=0.01:2000,oneway=1.5,pause=0.5:4";
        assert_eq!(all.parse::<Faults>().expect("valid").to_string(), all);
        assert_eq!("none".parse::<Faults>(), Ok(Faults::default()));
        assert_eq!(Faults::default().to_string(), "none");
    }

    #[test]
    fn bad_specs_say_what_is_wrong() {
        for (spec, says) in [
            ("loss=2", "loss"),
            ("dup", "dup=P"),
            ("reorder=0.1:x", "milliseconds"),
            ("pause=0", "seconds"),
            ("jitter=0.1", "unknown fault"),
        ] {
            let e = spec.parse::<Faults>().expect_err(spec);
            assert!(e.contains(says), "{spec}: {e}");
        }
    }
}
