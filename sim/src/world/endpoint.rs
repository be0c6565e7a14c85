//! Who can send and receive: nodes `n0 … n(N−1)` and Maelstrom's clients `c0, c1, …`.
//! Maelstrom treats any id starting with `c` as a client and anything else as a server.
//! Services (`seq-kv`, …) would be a third kind: see "Where services go" in [`crate::world`].

use std::fmt;

/// A message's sender or recipient.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Endpoint {
    /// Node `n<i>`.
    Node(u16),
    /// Client `c<i>`.
    Client(u32),
}

impl Endpoint {
    /// Parses `n<i>` or `c<i>` (decimal, no sign, no leading zero). Anything else is not an
    /// id the simulator ever creates, so it names nobody.
    pub fn parse(id: &str) -> Option<Endpoint> {
        let (kind, digits) = id.split_at_checked(1)?;
        if digits.is_empty()
            || !digits.bytes().all(|b| b.is_ascii_digit())
            || (digits.len() > 1 && digits.starts_with('0'))
        {
            return None;
        }
        match kind {
            "n" => digits.parse().ok().map(Endpoint::Node),
            "c" => digits.parse().ok().map(Endpoint::Client),
            _ => None,
        }
    }

    /// Whether this is a client.
    pub fn is_client(self) -> bool {
        matches!(self, Endpoint::Client(_))
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Node(i) => write!(f, "n{i}"),
            Endpoint::Client(i) => write!(f, "c{i}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_canonical_ids() {
        assert_eq!(Endpoint::parse("n0"), Some(Endpoint::Node(0)));
        assert_eq!(Endpoint::parse("c17"), Some(Endpoint::Client(17)));
        for bad in ["", "n", "n01", "x1", "n-1", "lin-kv", "n99999999"] {
            assert_eq!(Endpoint::parse(bad), None, "{bad}");
        }
        assert_eq!(Endpoint::Node(3).to_string(), "n3");
    }
}
