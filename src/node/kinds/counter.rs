//! The counter workloads (challenge 4, g-counter; and Maelstrom's pn-counter,
//! `maelstrom/src/maelstrom/workload/pn_counter.clj`): `add` and `read` on one cluster-wide
//! integer, totally available and exact once the network heals.
//!
//! Each node owns one share of the counter: the signed sum of the deltas added *at that node*,
//! with a version that counts its changes. The counter's value is the sum of every node's
//! latest share. A share only ever changes at its owner, so there are no conflicts: the entry
//! with the higher version replaces the other whole (a state-based CRDT, a PN-counter whose
//! per-node increments and decrements travel as one signed total).
//!
//! Shares travel on the gossip engine as items of a [`Counter`] (`"counts":[[node, version,
//! total], …]` on the wire): every change
//! is appended at a new position and spread like a broadcast value (batched on the same aligned
//! rounds, acknowledged per link, resent while unacknowledged), and the position it replaces is
//! reported superseded, so a batch or a resend carries only each node's latest share: at most
//! one entry per node, however many adds happened since. Partitions only delay shares; after
//! the heal every node holds every latest share and every `read` returns the exact total.
//!
//! - `add` changes this node's share and is acknowledged at once (`add_ok`, never delayed).
//! - `read` answers at once from the local shares (`read_ok` with `value`): during a partition
//!   it may miss the other side's recent adds, which Maelstrom's checker allows (only final
//!   reads are checked).

use crate::node::kind::{Inserted, Kind, Refusal};
use crate::wire::{DecodeErrorKind, ErrorCode, Field, Fields, write_i64, write_joined, write_u64};

/// One node's share of a counter, as gossiped: `[node, version, total]` on the wire.
///
/// `total` is the sum of every delta added at node `node` (signed: pn-counter deltas may be
/// negative), and `version` counts the changes made to it, so the entry with the higher
/// version is the newer one and replaces the other whole.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Count {
    /// The node's index in `init`'s `node_ids`.
    pub node: u16,
    /// How many times the node's total has changed.
    pub version: u64,
    /// The sum of the node's deltas.
    pub total: i64,
}

/// A client request of the counter workloads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Request {
    /// `add`: add `delta` (possibly negative: pn-counter) to the counter.
    Add {
        /// The amount.
        delta: i64,
    },
    /// `read`: the counter's value.
    Read,
}

/// A reply of the counter workloads.
#[derive(Clone, Copy, Debug)]
pub enum Reply {
    /// `add_ok`.
    AddOk,
    /// `read_ok` with the counter's value at the time of the read (the sum of every node's
    /// total, which may exceed an `i64`).
    ReadOk(i128),
}

/// Every counter share this node has seen, each version at its own position.
#[derive(Debug, Default)]
pub struct Counter {
    /// Every share version stored, in arrival order (positions never move).
    entries: Vec<Count>,
    /// For each node index, the position of its latest share, if any.
    latest: Vec<Option<u32>>,
    /// Positions replaced since the engine last asked.
    superseded: Vec<u32>,
}

impl Counter {
    /// The counter's value: the sum of every node's latest share.
    pub fn value(&self) -> i128 {
        self.latest
            .iter()
            .flatten()
            .map(|&p| i128::from(self.entries[p as usize].total))
            .sum()
    }

    /// The latest share of node `node`.
    fn share(&self, node: u16) -> Count {
        match self.latest.get(usize::from(node)).copied().flatten() {
            Some(p) => self.entries[p as usize],
            None => Count {
                node,
                version: 0,
                total: 0,
            },
        }
    }

    /// The share node `me` has after adding `delta` to its current one, or `None` if its total
    /// would leave the `i64` range (the request is refused, nothing changes).
    fn after_add(&self, me: u16, delta: i64) -> Option<Count> {
        let share = self.share(me);
        Some(Count {
            node: me,
            version: share.version + 1,
            total: share.total.checked_add(delta)?,
        })
    }
}

impl Kind for Counter {
    const NAME: &'static str = "counter";
    const ALIASES: &'static [&'static str] = &["g-counter", "pn-counter"];
    const REQUESTS: &'static [&'static str] = &["add", "read"];
    const FIELD: &'static str = "counts";
    const FIELD_EXPECTED: &'static str = "an array of [node, version, total] integer triples";

    type Item = Count;
    type Request = Request;
    type Reply = Reply;

    fn decode_request(
        kind: &str,
        fields: &Fields<'_, '_>,
    ) -> Option<Result<Request, DecodeErrorKind>> {
        Some(match kind {
            "add" => Field::required(fields.get("delta"), "delta").and_then(|d| {
                let bad = DecodeErrorKind::Invalid {
                    field: "delta",
                    expected: "an integer",
                };
                d.as_i64().map(|delta| Request::Add { delta }).ok_or(bad)
            }),
            "read" => Ok(Request::Read),
            _ => return None,
        })
    }

    fn request_type(request: &Request) -> &'static str {
        match request {
            Request::Add { .. } => "add",
            Request::Read => "read",
        }
    }

    fn tells(request: &Request) -> bool {
        matches!(request, Request::Add { .. })
    }

    fn decode_item(item: Field<'_, '_>) -> Option<Count> {
        let [node, version, total] = item.exactly()?;
        Some(Count {
            node: u16::try_from(node.as_u64()?).ok()?,
            version: version.as_u64()?,
            total: total.as_i64()?,
        })
    }

    fn accepts(item: &Count, nodes: usize) -> bool {
        usize::from(item.node) < nodes
    }

    /// `add` changes this node's share and is acknowledged at once; `read` answers from the
    /// local shares.
    fn serve(&self, me: u16, request: Request) -> Result<(Reply, Option<Count>), Refusal> {
        match request {
            Request::Add { delta: 0 } => Ok((Reply::AddOk, None)),
            Request::Add { delta } => match self.after_add(me, delta) {
                Some(share) => Ok((Reply::AddOk, Some(share))),
                None => Err(Refusal {
                    code: ErrorCode::PreconditionFailed,
                    text: format!("adding {delta} would take this node's share past 64 bits"),
                }),
            },
            Request::Read => Ok((Reply::ReadOk(self.value()), None)),
        }
    }

    fn write_reply(&self, reply: &Reply, out: &mut Vec<u8>) {
        match reply {
            Reply::AddOk => out.extend_from_slice(b"\"add_ok\""),
            Reply::ReadOk(value) => {
                out.extend_from_slice(b"\"read_ok\",\"value\":");
                out.extend_from_slice(itoa::Buffer::new().format(*value).as_bytes());
            }
        }
    }

    /// `[[node,version,total],…]`.
    fn write_items(&self, positions: &[u32], out: &mut Vec<u8>) {
        let entries = &self.entries;
        let picked = positions.iter().filter_map(|&p| entries.get(p as usize));
        write_joined(out, picked, |out, c| {
            out.push(b'[');
            write_u64(out, u64::from(c.node));
            out.push(b',');
            write_u64(out, c.version);
            out.push(b',');
            write_i64(out, c.total);
            out.push(b']');
        });
    }

    fn insert(&mut self, item: Count) -> Inserted {
        let node = usize::from(item.node);
        if self.latest.len() <= node {
            self.latest.resize(node + 1, None);
        }
        let pos = self.entries.len() as u32;
        match self.latest[node] {
            Some(p) if self.entries[p as usize].version > item.version => return Inserted::Stale,
            Some(p) if self.entries[p as usize].version == item.version => {
                return Inserted::Known(p);
            }
            Some(p) => self.superseded.push(p),
            None => {}
        }
        self.entries.push(item);
        self.latest[node] = Some(pos);
        Inserted::New(pos)
    }

    fn len(&self) -> usize {
        self.entries.len()
    }

    fn is_live(&self, pos: u32) -> bool {
        self.entries
            .get(pos as usize)
            .is_some_and(|c| self.latest.get(usize::from(c.node)).copied().flatten() == Some(pos))
    }

    fn drain_superseded(&mut self, out: &mut Vec<u32>) {
        out.append(&mut self.superseded);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(node: u16, version: u64, total: i64) -> Count {
        Count {
            node,
            version,
            total,
        }
    }

    #[test]
    fn the_newest_share_of_each_node_counts_and_replaces_the_older() {
        let mut s = Counter::default();
        assert_eq!(s.value(), 0);
        assert_eq!(s.insert(count(1, 1, 5)), Inserted::New(0));
        assert_eq!(s.insert(count(0, 2, -3)), Inserted::New(1));
        assert_eq!(s.value(), 2);
        assert_eq!(s.insert(count(1, 3, 4)), Inserted::New(2));
        let mut gone = Vec::new();
        s.drain_superseded(&mut gone);
        assert_eq!(gone, [0]);
        assert!(!s.is_live(0) && s.is_live(1) && s.is_live(2));
        assert_eq!(s.value(), 1);
        // An older share arriving late changes nothing; the same share again is known.
        assert_eq!(s.insert(count(1, 1, 5)), Inserted::Stale);
        assert_eq!(s.insert(count(1, 3, 4)), Inserted::Known(2));
        assert_eq!(s.value(), 1);
    }

    #[test]
    fn adds_build_on_the_local_share_and_refuse_to_overflow() {
        let mut s = Counter::default();
        let a = s.after_add(2, 7).expect("fits");
        assert_eq!(a, count(2, 1, 7));
        s.insert(a);
        assert_eq!(s.after_add(2, -9), Some(count(2, 2, -2)));
        s.insert(count(2, 2, i64::MAX));
        assert_eq!(s.after_add(2, 1), None);
        s.insert(count(0, 1, i64::MAX));
        assert_eq!(s.value(), 2 * i128::from(i64::MAX), "the sum does not wrap");
    }
}
