//! Who can send and receive: nodes `n0 … n(N−1)`, Maelstrom's clients `c0, c1, …` and its
//! services (`lin-kv`, `seq-kv`, `lww-kv`, `lin-tso`). Maelstrom treats any id starting with
//! `c` as a client and anything else as a server.

use std::fmt;

use crate::world::services::Service;

/// A message's sender or recipient.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Endpoint {
    /// Node `n<i>`.
    Node(u16),
    /// Client `c<i>`.
    Client(u32),
    /// A Maelstrom service, by its name.
    Service(Service),
}

impl Endpoint {
    /// Parses `n<i>` or `c<i>` (decimal, no sign, no leading zero) or a service's name.
    /// Anything else is not an id the simulator ever creates, so it names nobody.
    pub fn parse(id: &str) -> Option<Endpoint> {
        if let Some(service) = Service::from_name(id) {
            return Some(Endpoint::Service(service));
        }
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
            Endpoint::Service(s) => f.write_str(s.name()),
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
        assert_eq!(
            Endpoint::parse("lin-kv"),
            Some(Endpoint::Service(Service::LinKv))
        );
        assert_eq!(Endpoint::Service(Service::LwwKv).to_string(), "lww-kv");
        assert!(!Endpoint::Service(Service::SeqKv).is_client());
        for bad in ["", "n", "n01", "x1", "n-1", "lin_kv", "n99999999"] {
            assert_eq!(Endpoint::parse(bad), None, "{bad}");
        }
        assert_eq!(Endpoint::Node(3).to_string(), "n3");
    }
}
