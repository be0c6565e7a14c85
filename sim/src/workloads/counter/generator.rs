//! The counter workloads' operation mix (Jepsen's `gen/mix` of adds and reads).
//!
//! `pn-counter`: each operation is independently an `add` (½) with a delta uniform in the
//! integers −5…4, or a `read` (½). `g-counter` puts a filter rejecting negative adds behind the
//! same mix; a rejected draw is drawn again from the mix, so operations are ⅓ `add` with a
//! delta uniform in 0…4 (zero included) and ⅔ `read`.

use std::fmt;
use std::str::FromStr;

use crate::history::{OpF, OpValue};
use crate::workloads::counter::ADD;
use crate::world::rng::Rng;

/// Which counter workload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counter {
    /// `g-counter`: grow-only.
    Grow,
    /// `pn-counter`: increments and decrements.
    PosNeg,
}

impl Counter {
    /// Maelstrom's name for the workload.
    pub fn name(self) -> &'static str {
        match self {
            Counter::Grow => "g-counter",
            Counter::PosNeg => "pn-counter",
        }
    }
}

impl FromStr for Counter {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "g-counter" => Ok(Counter::Grow),
            "pn-counter" => Ok(Counter::PosNeg),
            other => Err(format!("not a counter workload: {other:?}")),
        }
    }
}

impl fmt::Display for Counter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The next operation of `counter`'s main phase: `(Add, Int(delta))` or `(Read, None)`.
pub(crate) fn next_op(counter: Counter, rng: &mut Rng) -> (OpF, OpValue) {
    loop {
        if rng.below(2) == 1 {
            return (OpF::READ, OpValue::None);
        }
        let delta = rng.below(10) as i64 - 5;
        if counter == Counter::PosNeg || delta >= 0 {
            return (ADD, OpValue::Int(delta));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::rng::{self, Stream};

    /// Draws `n` operations: (reads, histogram of deltas −5…4).
    fn mix(counter: Counter, n: usize) -> (usize, [usize; 10]) {
        let mut rng = rng::stream(11, Stream::Workload);
        let (mut reads, mut deltas) = (0, [0usize; 10]);
        for _ in 0..n {
            match next_op(counter, &mut rng) {
                (OpF::READ, OpValue::None) => reads += 1,
                (ADD, OpValue::Int(d)) => deltas[(d + 5) as usize] += 1,
                other => panic!("unexpected {other:?}"),
            }
        }
        (reads, deltas)
    }

    #[test]
    fn pn_counter_is_half_adds_of_minus_five_to_four() {
        let n = 60_000;
        let (reads, deltas) = mix(Counter::PosNeg, n);
        assert!((29_000..31_000).contains(&reads), "{reads}");
        for (i, &c) in deltas.iter().enumerate() {
            assert!((2_600..3_400).contains(&c), "delta {}: {c}", i as i64 - 5);
        }
    }

    #[test]
    fn g_counter_is_a_third_adds_of_zero_to_four() {
        let n = 60_000;
        let (reads, deltas) = mix(Counter::Grow, n);
        assert!((39_000..41_000).contains(&reads), "{reads}");
        assert_eq!(deltas[..5], [0; 5], "no negative delta");
        for &c in &deltas[5..] {
            assert!((3_600..4_400).contains(&c), "{c}: zero included, uniform");
        }
    }

    #[test]
    fn names_parse() {
        for c in [Counter::Grow, Counter::PosNeg] {
            assert_eq!(c.name().parse::<Counter>(), Ok(c));
        }
        assert!("broadcast".parse::<Counter>().is_err());
    }
}
