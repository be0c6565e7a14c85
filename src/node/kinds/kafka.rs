//! Maelstrom's replicated-log workload (`kafka`, challenges 5a–5c,
//! `maelstrom/src/maelstrom/workload/kafka.clj`, checked by Jepsen's `jepsen/tests/kafka.clj`):
//! `send` appends a message to a key's log and answers its offset, `poll` returns each
//! requested key's messages from an offset on, `commit_offsets` and `list_committed_offsets`
//! keep a committed offset per key.
//!
//! Every request is answered at once, without a message to any other node: a send is not
//! forwarded, sequenced or replicated before its `send_ok`. What makes that possible is that
//! offsets are assigned without coordination and become visible to polls only when it is
//! safe; the log then travels on the gossip engine like any other kind (batched on the aligned
//! rounds, acknowledged per link, resent while missing, relayed over the overlay), so the
//! messages per operation are those of the rounds, not of the sends.
//!
//! ## How it works
//! - **Lanes.** Node `i` of `n` assigns offsets `o = k·n + i` on every key (its *lane*), with
//!   `k` from a per-key counter: a send uses `k = max(own next k, every k any lane is known to
//!   have promised)`, and the node's next `k` becomes `k + 1`. Offsets are unique by
//!   construction (only node `i` assigns in lane `i`, each `k` once), a node's offsets on a
//!   key increase, and gaps are allowed (Maelstrom's offsets need only increase).
//! - **Entries.** A send makes one [`Item::Entry`] `(key, offset, seq, msg)`, `seq` the number
//!   of entries its lane made on the key before it. An entry also states its lane's promise:
//!   "lane `i` will never again assign a `k` at or below this one, and has made `seq + 1`
//!   entries so far".
//! - **Promises.** When a node learns that some lane reached a higher `k` on a key than its
//!   own lane promised, it raises its own promise to that `k` (it would never assign lower
//!   anyway) and spreads it as an [`Item::Promise`] `(key, lane, next, count)`: lane `lane`
//!   will never assign a `k` below `next`, and has made exactly `count` entries below it. The
//!   raise is made once per key per gossip message received ([`Kind::drain_made`]).
//! - **Visibility.** For each lane `j` of a key a node knows a *bound* `b_j`: the highest `k`
//!   such that lane `j` will never assign below it *and* the node holds every entry lane `j`
//!   made below it (an entry's `seq`, a promise's `count` say how many there are). The key's
//!   *frontier* is `min_j(b_j·n + j)`: every offset below it that will ever hold a message is
//!   held already. A `poll` returns only entries below the frontier. Bounds only grow, so the
//!   frontier only grows.
//! - On one node (5a) the frontier is the node's own next offset: a send is visible at once,
//!   and no message is ever sent. On two, an offset is visible at its own node after a round
//!   trip of gossip (its entry out, the other node's raised promise back), and at the other
//!   node when the entry arrives.
//! - **Committed offsets** are an [`Item::Commit`] per `commit_offsets` request, kept per key
//!   as the highest offset committed (a max-register, superseded commits are not sent again);
//!   `list_committed_offsets` answers what this node holds. A client talks to one node, and
//!   that node's value for a key only grows, so a client never sees it go back.
//! - Entries (a set), promises (a max per key and lane) and commits (a max per key) are each
//!   a state-based CRDT: merging a duplicate or an old item changes nothing, in any order.
//!
//! ## Why every rule of Jepsen's kafka checker holds
//! A client (a Jepsen process) talks to one node for its whole life.
//! - **`:inconsistent-offsets`, `:duplicate`**: an offset is assigned once, by the one node
//!   whose lane it is, to the one send that made it; entries are copied, never re-assigned, so
//!   every node holds the same message at an offset, and a message (each send is made once by
//!   the client, never retried by the node) at one offset. The node's lane counters survive a
//!   restart: its entries and promises are in its log before any reply or gossip leaves
//!   (`journal.rs`), and replaying them puts the counters back.
//! - **`:int-poll-skip`, `:int-nonmonotonic-poll`**: a poll's list for a key is the held
//!   entries between the requested offset and the frontier, ascending; every offset below the
//!   frontier that will ever hold a message is held, so no later message can fall between two
//!   listed ones or before the first.
//! - **`:poll-skip`, `:nonmonotonic-poll`**: a client's next poll of a key asks from the last
//!   offset it was given plus one, at the same node; the first entry returned is the lowest
//!   held at or above it, below a frontier at least as high as before, so no message will ever
//!   stand between the two polls' lists, and the new list starts after the old one. (A key
//!   the client did not hold starts from a committed offset, or 0: the checker starts that
//!   key's chain afresh at an assign.)
//! - **`:nonmonotonic-send`**: a client's sends go to one node, whose lane offsets on a key
//!   increase.
//! - **`:G1a`, `:G1c-realtime`**: no send ever fails after making an entry (a malformed one is
//!   refused before anything is made), and an entry exists only once its send reached a node,
//!   so no poll returns a message whose send had not been invoked.
//! - **`:lost-write`, `:unseen`**: an acknowledged entry is stored at its node before the
//!   reply and reaches every node once the network heals (resends of what is missing). Each
//!   node that holds an entry of lane `i` with counter `k` raises its own promise above `k`,
//!   and those promises reach every node too, so eventually every lane's bound exceeds `k` on
//!   every node and the entry is below every node's frontier: the final polls see it. During a
//!   partition sends, commits and polls stay available, but an offset a key reaches after the
//!   cut becomes visible only once every node has promised past it, on either side: after the
//!   heal (until then polls show the prefix before it, never a gap).
//! - **Realtime lag** is about a round trip of gossip: an offset's visibility needs its entry
//!   to go out and a promise to come back, up to two rounds. So the kind fixes its own rounds
//!   when `[timing]` is left at its default: 250 ms ([`Kind::TICK_MS`]), the levels phased by
//!   the latency the root measures, a parent waiting at most 200 ms for its children (half the
//!   400 ms budget, [`Kind::MAX_LATENCY_MS`]). On 5b the worst realtime lag is then about
//!   0.5 s (Maelstrom's goal: 1 s) for 0.01 messages per operation. A budget alone (the
//!   longest rounds that hold it) was measured and rejected: 400 ms gave 0.74 s of lag at
//!   0.0065 on 5b, but a network whose tail cannot fit the budget (uniform or exponential
//!   100 ms latency) falls back to the engine's shortest rounds, 50 ms: 0.33 msgs-per-op on
//!   5 nodes at uniform 100 ms, against 0.041 with the fixed period.
//!
//! On the wire a gossip carries `"log":[["s",key,offset,seq,msg],["p",key,lane,next,count],
//! ["c",[[key,offset],…]],…]`.

use std::collections::BTreeMap;

use hashbrown::HashMap;

use crate::node::kind::{Inserted, Kind, Refusal};
use crate::wire::{DecodeErrorKind, Field, Fields, Value, write_joined, write_str, write_u64};

/// One gossiped item of the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// A message sent to `key` at `offset` (lane `offset mod n`): `["s",key,offset,seq,msg]`.
    Entry {
        /// The key.
        key: Box<str>,
        /// Its offset, `k·n + lane`.
        offset: u64,
        /// How many entries its lane made on the key before it.
        seq: u64,
        /// The message.
        msg: Value,
    },
    /// Lane `lane` will never assign a `k` below `next` on `key`, and made `count` entries
    /// below it: `["p",key,lane,next,count]`.
    Promise {
        /// The key.
        key: Box<str>,
        /// The promising node's index.
        lane: u16,
        /// The lowest `k` it may still assign.
        next: u64,
        /// How many entries it made below `next`.
        count: u64,
    },
    /// One `commit_offsets` request: `["c",[[key,offset],…]]`.
    Commit {
        /// The offsets committed, each key once.
        offsets: Vec<(Box<str>, u64)>,
    },
}

/// A client request of the kafka workload.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    /// `send`: append `msg` to `key`'s log.
    Send {
        /// The key.
        key: Box<str>,
        /// The message.
        msg: Value,
    },
    /// `poll`: each key's messages from its offset on.
    Poll {
        /// Key → the first offset wanted.
        offsets: Vec<(Box<str>, i64)>,
    },
    /// `commit_offsets`: key → offset.
    Commit {
        /// Key → the offset committed.
        offsets: Vec<(Box<str>, i64)>,
    },
    /// `list_committed_offsets`: the committed offset of each key.
    List {
        /// The keys.
        keys: Vec<Box<str>>,
    },
}

/// A reply of the kafka workload.
#[derive(Clone, Debug)]
pub enum Reply {
    /// `send_ok` with the offset assigned.
    SendOk(u64),
    /// `poll_ok`: per key, the held entries in `[from, upto)` (upto the frontier when served:
    /// every entry below it was held then, so the range is the same when it is written).
    PollOk(Vec<(Box<str>, u64, u64)>),
    /// `commit_offsets_ok`.
    CommitOk,
    /// `list_committed_offsets_ok` with key → committed offset.
    ListOk(Vec<(Box<str>, u64)>),
}

/// What a node knows of one lane of one key.
#[derive(Clone, Debug, Default)]
struct Lane {
    /// Entries of this lane with `seq` below this are all held.
    prefix: u64,
    /// One more than the `k` of the entry with `seq = prefix − 1` (0 when `prefix` is 0).
    prefix_next: u64,
    /// Held entries beyond the prefix (they arrived out of order): `seq` → `k`.
    ahead: BTreeMap<u64, u64>,
    /// The lane's latest promise: `(next, count, position)`.
    promise: Option<(u64, u64, u32)>,
}

impl Lane {
    /// The highest `k` below which the lane assigns nothing more and every entry it made is
    /// held.
    fn bound(&self) -> u64 {
        let promised = match self.promise {
            Some((next, count, _)) if count <= self.prefix => next,
            _ => 0,
        };
        promised.max(self.prefix_next)
    }

    /// The highest `k` the lane is known to have promised (entries imply one).
    fn known(&self) -> u64 {
        let ahead = self.ahead.last_key_value().map_or(0, |(_, k)| k + 1);
        let promised = self.promise.map_or(0, |(next, _, _)| next);
        self.prefix_next.max(ahead).max(promised)
    }

    /// How many entries the lane is known to have made.
    fn made(&self) -> u64 {
        let ahead = self.ahead.last_key_value().map_or(0, |(seq, _)| seq + 1);
        let promised = self.promise.map_or(0, |(_, count, _)| count);
        self.prefix.max(ahead).max(promised)
    }

    /// Takes an entry `seq` with counter `k`.
    fn take(&mut self, seq: u64, k: u64) {
        if seq < self.prefix {
            return;
        }
        self.ahead.insert(seq, k);
        while let Some(entry) = self.ahead.first_entry() {
            if *entry.key() != self.prefix {
                break;
            }
            self.prefix_next = entry.remove() + 1;
            self.prefix += 1;
        }
    }
}

/// One key's log as this node holds it.
#[derive(Clone, Debug, Default)]
struct KeyLog {
    /// Offset → position of its entry.
    entries: BTreeMap<u64, u32>,
    /// Per node index.
    lanes: Vec<Lane>,
    /// The highest `k` any lane is known to have promised.
    top: u64,
    /// Queued for a raise of this node's promise.
    dirty: bool,
    /// The highest committed offset, and the position and index of the commit that says so.
    committed: Option<(u64, u32, u32)>,
}

/// Every item of the log this node holds, and per key what they say.
#[derive(Debug, Default)]
pub struct Kafka {
    me: u16,
    /// The cluster's size (at least 1).
    nodes: u64,
    /// Items in arrival order (positions never move).
    items: Vec<Item>,
    /// Per position: how many of its facts still stand (an entry always 1; a promise 1 until
    /// a higher one of its lane; a commit the number of its keys it still wins).
    live: Vec<u32>,
    logs: HashMap<Box<str>, KeyLog>,
    /// Keys whose `top` rose past this node's own promise, to raise.
    dirty: Vec<Box<str>>,
    /// Positions superseded since the engine last asked.
    superseded: Vec<u32>,
}

impl Kafka {
    fn lanes(&self) -> usize {
        self.nodes.max(1) as usize
    }

    fn log_mut(&mut self, key: &str) -> &mut KeyLog {
        let lanes = self.lanes();
        if !self.logs.contains_key(key) {
            self.logs.insert(key.into(), KeyLog::default());
        }
        let log = self.logs.get_mut(key).expect("just inserted");
        if log.lanes.len() < lanes {
            log.lanes.resize(lanes, Lane::default());
        }
        log
    }

    /// The offset below which `key`'s log is complete and final on this node.
    pub fn frontier(&self, key: &str) -> u64 {
        let Some(log) = self.logs.get(key) else {
            return 0;
        };
        let n = self.nodes.max(1);
        (0..n)
            .map(|j| {
                let bound = log.lanes.get(j as usize).map_or(0, Lane::bound);
                bound.saturating_mul(n).saturating_add(j)
            })
            .min()
            .unwrap_or(0)
    }

    /// The messages of `key` a poll from `from` would return now: `(offset, msg)`, ascending.
    pub fn visible(&self, key: &str, from: u64) -> Vec<(u64, &Value)> {
        let upto = self.frontier(key);
        self.range(key, from, upto).collect()
    }

    fn range<'s>(
        &'s self,
        key: &str,
        from: u64,
        upto: u64,
    ) -> impl Iterator<Item = (u64, &'s Value)> {
        let entries = self
            .logs
            .get(key)
            .filter(|_| from < upto)
            .map(|log| log.entries.range(from..upto));
        entries
            .into_iter()
            .flatten()
            .filter_map(|(&o, &pos)| match self.items.get(pos as usize) {
                Some(Item::Entry { msg, .. }) => Some((o, msg)),
                _ => None,
            })
    }

    /// The committed offset of `key` this node knows.
    pub fn committed(&self, key: &str) -> Option<u64> {
        self.logs.get(key)?.committed.map(|(o, _, _)| o)
    }

    /// The entry a send of `msg` to `key` makes on this node.
    fn next_entry(&self, key: &str, msg: Value) -> Item {
        let me = usize::from(self.me);
        let (k, seq) = match self.logs.get(key) {
            None => (0, 0),
            Some(log) => match log.lanes.get(me) {
                Some(own) => (own.known().max(log.top), own.made()),
                None => (log.top, 0),
            },
        };
        Item::Entry {
            key: key.into(),
            offset: k
                .saturating_mul(self.nodes.max(1))
                .saturating_add(u64::from(self.me)),
            seq,
            msg,
        }
    }

    /// Notes that some lane of `key` reached `k`: raises `top`, and queues a raise of this
    /// node's own promise if it is now below.
    fn saw(&mut self, key: &str, k: u64) {
        let me = usize::from(self.me);
        let log = self.log_mut(key);
        log.top = log.top.max(k);
        let own = log.lanes.get(me).map_or(0, Lane::known);
        if own < log.top && !log.dirty {
            log.dirty = true;
            self.dirty.push(key.into());
        }
    }

    fn push(&mut self, item: Item, live: u32) -> u32 {
        let pos = self.items.len() as u32;
        self.items.push(item);
        self.live.push(live);
        pos
    }

    fn supersede(&mut self, pos: u32, by: u32) {
        let left = &mut self.live[pos as usize];
        *left = left.saturating_sub(by);
        if *left == 0 {
            self.superseded.push(pos);
            if let Some(Item::Commit { offsets }) = self.items.get_mut(pos as usize) {
                // Never sent again: drop its keys to save memory.
                *offsets = Vec::new();
            }
        }
    }

    fn insert_entry(&mut self, key: Box<str>, offset: u64, seq: u64, msg: Value) -> Inserted {
        let n = self.nodes.max(1);
        let (lane, k) = ((offset % n) as usize, offset / n);
        if let Some(&pos) = self.logs.get(&key).and_then(|l| l.entries.get(&offset)) {
            return Inserted::Known(pos);
        }
        let pos = self.items.len() as u32;
        let log = self.log_mut(&key);
        log.entries.insert(offset, pos);
        log.lanes[lane].take(seq, k);
        self.saw(&key, k + 1);
        self.push(
            Item::Entry {
                key,
                offset,
                seq,
                msg,
            },
            1,
        );
        Inserted::New(pos)
    }

    fn insert_promise(&mut self, key: Box<str>, lane: u16, next: u64, count: u64) -> Inserted {
        let pos = self.items.len() as u32;
        let log = self.log_mut(&key);
        let Some(l) = log.lanes.get_mut(usize::from(lane)) else {
            return Inserted::Stale;
        };
        let old = match l.promise {
            Some((n, c, pos)) if n == next && c == count => return Inserted::Known(pos),
            Some((n, c, _)) if n > next || (n == next && c >= count) => return Inserted::Stale,
            Some((_, _, pos)) => Some(pos),
            None => None,
        };
        l.promise = Some((next, count, pos));
        if let Some(old) = old {
            self.supersede(old, 1);
        }
        self.saw(&key, next);
        self.push(
            Item::Promise {
                key,
                lane,
                next,
                count,
            },
            1,
        );
        Inserted::New(pos)
    }

    fn insert_commit(&mut self, offsets: Vec<(Box<str>, u64)>) -> Inserted {
        let wins = |s: &Kafka, key: &str, o: u64| s.committed(key).is_none_or(|c| o > c);
        let mut kept: Vec<(Box<str>, u64)> = Vec::with_capacity(offsets.len());
        for (key, o) in offsets {
            match kept.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = slot.1.max(o),
                None => kept.push((key, o)),
            }
        }
        kept.retain(|(key, o)| wins(self, key, *o));
        if kept.is_empty() {
            return Inserted::Stale;
        }
        let pos = self.items.len() as u32;
        for (index, (key, o)) in kept.iter().enumerate() {
            let log = self.log_mut(key);
            let old = log.committed.replace((*o, pos, index as u32));
            if let Some((_, old, _)) = old {
                self.supersede(old, 1);
            }
        }
        let live = kept.len() as u32;
        self.push(Item::Commit { offsets: kept }, live);
        Inserted::New(pos)
    }
}

/// A key as the node keeps it: a string as is, anything else as its JSON text.
fn key_of(f: Field<'_, '_>) -> Box<str> {
    match f.as_str() {
        Some(s) => s.into(),
        None => f.json_text(),
    }
}

/// An object of key → integer offset.
fn offsets_from(
    fields: &Fields<'_, '_>,
    name: &'static str,
) -> Result<Vec<(Box<str>, i64)>, DecodeErrorKind> {
    let bad = DecodeErrorKind::Invalid {
        field: name,
        expected: "an object of key to integer offset",
    };
    let f = Field::required(fields.get(name), name)?;
    let members = f.members().ok_or_else(|| bad.clone())?;
    members
        .map(|(k, o)| o.as_i64().map(|o| (k.into(), o)).ok_or_else(|| bad.clone()))
        .collect()
}

impl Kind for Kafka {
    const NAME: &'static str = "kafka";
    const REQUESTS: &'static [&'static str] =
        &["send", "poll", "commit_offsets", "list_committed_offsets"];
    const FIELD: &'static str = "log";
    const FIELD_EXPECTED: &'static str = "an array of [\"s\", key, offset, seq, msg], \
         [\"p\", key, lane, next, count] and [\"c\", [[key, offset], ...]]";
    const MAX_LATENCY_MS: Option<u64> = Some(400);
    const TICK_MS: Option<u64> = Some(250);

    type Item = Item;
    type Request = Request;
    type Reply = Reply;

    fn decode_request(
        kind: &str,
        fields: &Fields<'_, '_>,
    ) -> Option<Result<Request, DecodeErrorKind>> {
        Some(match kind {
            "send" => Field::required(fields.get("key"), "key").and_then(|key| {
                let msg = Field::required(fields.get("msg"), "msg")?;
                Ok(Request::Send {
                    key: key_of(key),
                    msg: msg.value(),
                })
            }),
            "poll" => offsets_from(fields, "offsets").map(|offsets| Request::Poll { offsets }),
            "commit_offsets" => {
                offsets_from(fields, "offsets").map(|offsets| Request::Commit { offsets })
            }
            "list_committed_offsets" => {
                Field::required(fields.get("keys"), "keys").and_then(|keys| {
                    let bad = DecodeErrorKind::Invalid {
                        field: "keys",
                        expected: "an array of keys",
                    };
                    let keys = keys.elements().ok_or(bad)?.map(key_of).collect();
                    Ok(Request::List { keys })
                })
            }
            _ => return None,
        })
    }

    fn request_type(request: &Request) -> &'static str {
        match request {
            Request::Send { .. } => "send",
            Request::Poll { .. } => "poll",
            Request::Commit { .. } => "commit_offsets",
            Request::List { .. } => "list_committed_offsets",
        }
    }

    fn tells(_: &Request) -> bool {
        true
    }

    fn decode_item(item: Field<'_, '_>) -> Option<Item> {
        let mut parts = item.elements()?;
        let tag = parts.next()?.as_str()?;
        let item = match (tag, parts.len()) {
            ("s", 4) => Item::Entry {
                key: key_of(parts.next()?),
                offset: parts.next()?.as_u64()?,
                seq: parts.next()?.as_u64()?,
                msg: parts.next()?.value(),
            },
            ("p", 4) => Item::Promise {
                key: key_of(parts.next()?),
                lane: u16::try_from(parts.next()?.as_u64()?).ok()?,
                next: parts.next()?.as_u64()?,
                count: parts.next()?.as_u64()?,
            },
            ("c", 1) => Item::Commit {
                offsets: parts
                    .next()?
                    .elements()?
                    .map(|p| {
                        let [k, o] = p.exactly()?;
                        Some((key_of(k), o.as_u64()?))
                    })
                    .collect::<Option<_>>()?,
            },
            _ => return None,
        };
        Some(item)
    }

    fn accepts(item: &Item, nodes: usize) -> bool {
        match item {
            Item::Promise { lane, .. } => usize::from(*lane) < nodes,
            _ => true,
        }
    }

    /// A send makes its entry, a commit its record; polls and lists read the local store.
    /// Nothing waits for another node.
    fn serve(&self, _me: u16, request: Request) -> Result<(Reply, Option<Item>), Refusal> {
        Ok(match request {
            Request::Send { key, msg } => {
                let entry = self.next_entry(&key, msg);
                let Item::Entry { offset, .. } = entry else {
                    unreachable!("next_entry makes entries")
                };
                (Reply::SendOk(offset), Some(entry))
            }
            Request::Poll { offsets } => {
                let mut msgs = Vec::new();
                for (key, from) in offsets {
                    let from = u64::try_from(from).unwrap_or(0);
                    let upto = self.frontier(&key);
                    if self.range(&key, from, upto).next().is_some() {
                        msgs.push((key, from, upto));
                    }
                }
                (Reply::PollOk(msgs), None)
            }
            Request::Commit { offsets } => {
                let offsets: Vec<(Box<str>, u64)> = offsets
                    .into_iter()
                    .filter_map(|(k, o)| u64::try_from(o).ok().map(|o| (k, o)))
                    .filter(|(k, o)| self.committed(k).is_none_or(|c| *o > c))
                    .collect();
                let item = (!offsets.is_empty()).then_some(Item::Commit { offsets });
                (Reply::CommitOk, item)
            }
            Request::List { keys } => {
                let offsets = keys
                    .into_iter()
                    .filter_map(|k| self.committed(&k).map(|o| (k, o)))
                    .collect();
                (Reply::ListOk(offsets), None)
            }
        })
    }

    fn write_reply(&self, reply: &Reply, out: &mut Vec<u8>) {
        match reply {
            Reply::SendOk(offset) => {
                out.extend_from_slice(b"\"send_ok\",\"offset\":");
                write_u64(out, *offset);
            }
            Reply::PollOk(msgs) => {
                out.extend_from_slice(b"\"poll_ok\",\"msgs\":{");
                for (i, (key, from, upto)) in msgs.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    write_str(out, key);
                    out.push(b':');
                    write_joined(out, self.range(key, *from, *upto), |out, (o, msg)| {
                        out.push(b'[');
                        write_u64(out, o);
                        out.push(b',');
                        msg.write_json(out);
                        out.push(b']');
                    });
                }
                out.push(b'}');
            }
            Reply::CommitOk => out.extend_from_slice(b"\"commit_offsets_ok\""),
            Reply::ListOk(offsets) => {
                out.extend_from_slice(b"\"list_committed_offsets_ok\",\"offsets\":{");
                for (i, (key, o)) in offsets.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    write_str(out, key);
                    out.push(b':');
                    write_u64(out, *o);
                }
                out.push(b'}');
            }
        }
    }

    fn write_items(&self, positions: &[u32], out: &mut Vec<u8>) {
        let items = &self.items;
        let picked = positions.iter().filter_map(|&p| items.get(p as usize));
        write_joined(out, picked, |out, item| match item {
            Item::Entry {
                key,
                offset,
                seq,
                msg,
            } => {
                out.extend_from_slice(b"[\"s\",");
                write_str(out, key);
                out.push(b',');
                write_u64(out, *offset);
                out.push(b',');
                write_u64(out, *seq);
                out.push(b',');
                msg.write_json(out);
                out.push(b']');
            }
            Item::Promise {
                key,
                lane,
                next,
                count,
            } => {
                out.extend_from_slice(b"[\"p\",");
                write_str(out, key);
                out.push(b',');
                write_u64(out, u64::from(*lane));
                out.push(b',');
                write_u64(out, *next);
                out.push(b',');
                write_u64(out, *count);
                out.push(b']');
            }
            Item::Commit { offsets } => {
                out.extend_from_slice(b"[\"c\",");
                write_joined(out, offsets.iter(), |out, (key, o)| {
                    out.push(b'[');
                    write_str(out, key);
                    out.push(b',');
                    write_u64(out, *o);
                    out.push(b']');
                });
                out.push(b']');
            }
        });
    }

    fn init(&mut self, me: u16, nodes: usize) {
        self.me = me;
        self.nodes = nodes.max(1) as u64;
    }

    fn insert(&mut self, item: Item) -> Inserted {
        match item {
            Item::Entry {
                key,
                offset,
                seq,
                msg,
            } => self.insert_entry(key, offset, seq, msg),
            Item::Promise {
                key,
                lane,
                next,
                count,
            } => self.insert_promise(key, lane, next, count),
            Item::Commit { offsets } => self.insert_commit(offsets),
        }
    }

    fn len(&self) -> usize {
        self.items.len()
    }

    fn is_live(&self, pos: u32) -> bool {
        self.live.get(pos as usize).is_some_and(|&n| n > 0)
    }

    fn drain_superseded(&mut self, out: &mut Vec<u32>) {
        out.append(&mut self.superseded);
    }

    /// Raises this node's promise on every key where another lane got ahead of it.
    fn drain_made(&mut self, out: &mut Vec<u32>) {
        let me = usize::from(self.me);
        for key in std::mem::take(&mut self.dirty) {
            let Some(log) = self.logs.get_mut(&key) else {
                continue;
            };
            log.dirty = false;
            let own = &log.lanes[me];
            let (next, count) = (log.top, own.made());
            if own.known() >= next {
                continue;
            }
            if let Inserted::New(pos) = self.insert_promise(key, self.me, next, count) {
                out.push(pos);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::journal;

    fn node(me: u16, nodes: usize) -> Kafka {
        let mut s = Kafka::default();
        s.init(me, nodes);
        s
    }

    /// A send served and stored as the engine does; its offset.
    fn send(s: &mut Kafka, key: &str, msg: i64) -> u64 {
        let request = Request::Send {
            key: key.into(),
            msg: Value::Int(msg),
        };
        let (reply, item) = s.serve(s.me, request).expect("served");
        assert!(matches!(
            s.insert(item.expect("an entry")),
            Inserted::New(_)
        ));
        match reply {
            Reply::SendOk(offset) => offset,
            other => panic!("{other:?}"),
        }
    }

    /// Gossip: every item of `from` (in `order`) taken by `to`, then its raises made.
    fn gossip(from: &Kafka, to: &mut Kafka, order: &[usize]) -> Vec<u32> {
        for &i in order {
            to.insert(from.items[i].clone());
        }
        let mut made = Vec::new();
        to.drain_made(&mut made);
        made
    }

    fn all(s: &Kafka) -> Vec<usize> {
        (0..s.items.len()).collect()
    }

    fn offsets(s: &Kafka, key: &str) -> Vec<u64> {
        s.visible(key, 0).into_iter().map(|(o, _)| o).collect()
    }

    #[test]
    fn each_node_assigns_its_own_lane_and_jumps_past_what_it_has_seen() {
        let (mut a, mut b) = (node(0, 2), node(1, 2));
        assert_eq!([send(&mut a, "k", 1), send(&mut a, "k", 2)], [0, 2]);
        assert_eq!(send(&mut a, "other", 3), 0, "keys are independent");
        assert_eq!(send(&mut b, "k", 4), 1);
        // b learns that lane 0 reached k = 1: its next k is 2, past it.
        gossip(&a, &mut b, &all(&a));
        assert_eq!(send(&mut b, "k", 5), 5);
        assert_eq!(
            send(&mut b, "k", 6),
            7,
            "a node's offsets on a key increase"
        );
        let seqs: Vec<u64> = (b.items.iter())
            .filter_map(|i| match i {
                Item::Entry { offset, seq, .. } if offset % 2 == 1 => Some(*seq),
                _ => None,
            })
            .collect();
        assert_eq!(seqs, [0, 1, 2], "seq counts the lane's entries on the key");
    }

    #[test]
    fn one_node_sees_its_sends_at_once_and_makes_nothing() {
        let mut a = node(0, 1);
        for m in 1..=5 {
            send(&mut a, "k", m);
        }
        assert_eq!(offsets(&a, "k"), [0, 1, 2, 3, 4]);
        assert_eq!(a.frontier("k"), 5);
        let mut made = Vec::new();
        a.drain_made(&mut made);
        assert!(made.is_empty());
    }

    #[test]
    fn an_offset_is_visible_once_every_lane_promised_past_it_and_nothing_below_is_missing() {
        let (mut a, mut b) = (node(0, 2), node(1, 2));
        send(&mut a, "k", 10);
        send(&mut a, "k", 11);
        // Offset 0 is below anything lane 1 can assign; offset 2 is not.
        assert_eq!(offsets(&a, "k"), [0]);
        // b takes a's entries, raises its promise to k = 2 and sees both.
        let made = gossip(&a, &mut b, &all(&a));
        assert_eq!(made.len(), 1);
        assert_eq!(
            b.items[made[0] as usize],
            Item::Promise {
                key: "k".into(),
                lane: 1,
                next: 2,
                count: 0
            }
        );
        assert_eq!(offsets(&b, "k"), [0, 2]);
        // a sees offset 2 once b's promise is back, and makes nothing in return.
        let made = gossip(&b, &mut a, &all(&b));
        assert!(made.is_empty());
        assert_eq!(offsets(&a, "k"), [0, 2]);
        // b's next send lands at 5, which a does not hold: a shows its own 4 (lane 1
        // promised nothing below 5) and nothing past it.
        assert_eq!(send(&mut b, "k", 12), 5);
        assert_eq!(send(&mut a, "k", 13), 4);
        assert_eq!(send(&mut a, "k", 14), 6);
        assert_eq!(offsets(&a, "k"), [0, 2, 4], "6 waits for lane 1's promise");
        assert_eq!(
            a.visible("k", 3).len(),
            1,
            "a poll from an offset starts there"
        );
        gossip(&b, &mut a, &all(&b));
        gossip(&a, &mut b, &all(&a));
        gossip(&b, &mut a, &all(&b));
        assert_eq!(offsets(&a, "k"), [0, 2, 4, 5, 6]);
        assert_eq!(offsets(&a, "k"), offsets(&b, "k"), "one log everywhere");
    }

    #[test]
    fn a_lane_counts_only_up_to_its_first_missing_entry() {
        let (mut a, mut b) = (node(0, 2), node(1, 2));
        for m in 0..3 {
            send(&mut a, "k", m);
        }
        // a's own promise, as it would make one after seeing lane 1 at k = 5.
        a.insert(Item::Promise {
            key: "k".into(),
            lane: 0,
            next: 5,
            count: 3,
        });
        // b holds entries 0 and 2 and the promise, not entry 1 (offset 2).
        gossip(&a, &mut b, &[0, 2, 3]);
        assert_eq!(b.logs["k"].lanes[0].bound(), 1);
        assert_eq!(offsets(&b, "k"), [0], "offset 4 waits for offset 2");
        gossip(&a, &mut b, &[1]);
        assert_eq!(b.logs["k"].lanes[0].bound(), 5, "the promise counts now");
        assert_eq!(offsets(&b, "k"), [0, 2, 4]);
    }

    #[test]
    fn merging_duplicates_and_old_items_changes_nothing() {
        let (mut a, mut b) = (node(0, 2), node(1, 2));
        for m in 0..4 {
            send(&mut a, "k", m);
        }
        let commit = |k: &str, o: i64| Request::Commit {
            offsets: vec![(k.into(), o)],
        };
        for (k, o) in [("k", 2), ("j", 7), ("k", 4)] {
            let (_, item) = a.serve(0, commit(k, o)).expect("served");
            a.insert(item.expect("a commit"));
        }
        let (_, stale) = a.serve(0, commit("k", 1)).expect("served");
        assert!(stale.is_none(), "a lower commit makes nothing");
        let mut gone = Vec::new();
        a.drain_superseded(&mut gone);
        assert_eq!(gone, [4], "the commit of k = 2 is superseded");
        gossip(&a, &mut b, &all(&a));
        gossip(&b, &mut a, &all(&b));
        let (len, before) = (b.items.len(), offsets(&b, "k"));
        let reversed: Vec<usize> = all(&a).into_iter().rev().collect();
        assert!(gossip(&a, &mut b, &reversed).is_empty());
        assert!(gossip(&a, &mut b, &all(&a)).is_empty());
        assert_eq!(b.items.len(), len, "nothing new stored");
        assert_eq!(offsets(&b, "k"), before);
        assert_eq!(before, [0, 2, 4, 6]);
        assert_eq!((b.committed("k"), b.committed("j")), (Some(4), Some(7)));
        for i in all(&a) {
            let again = b.insert(a.items[i].clone());
            assert!(matches!(again, Inserted::Known(_) | Inserted::Stale), "{i}");
        }
    }

    #[test]
    fn a_log_replayed_into_a_fresh_store_continues_where_it_stopped() {
        let (mut a, mut b) = (node(0, 2), node(1, 2));
        send(&mut b, "k", 1);
        gossip(&b, &mut a, &all(&b));
        send(&mut a, "k", 2);
        let (_, item) = a
            .serve(
                0,
                Request::Commit {
                    offsets: vec![("k".into(), 2)],
                },
            )
            .expect("served");
        a.insert(item.expect("a commit"));
        let live: Vec<u32> = (0..a.items.len() as u32)
            .filter(|&p| a.is_live(p))
            .collect();
        let mut record = Vec::new();
        journal::write_items(&a, &live, &mut record);
        let mut replayed = node(0, 2);
        journal::for_each_record(&record, |fields| {
            let items = Field::optional_list(
                fields.get(Kafka::FIELD),
                Kafka::FIELD,
                Kafka::FIELD_EXPECTED,
                Kafka::decode_item,
            )
            .expect("well formed");
            for item in items {
                replayed.insert(item);
            }
        });
        assert_eq!(replayed.items, a.items);
        assert_eq!(replayed.committed("k"), Some(2));
        assert_eq!(offsets(&replayed, "k"), offsets(&a, "k"));
        assert_eq!(send(&mut replayed, "k", 3), send(&mut a, "k", 3));
        assert_eq!(
            send(&mut replayed, "k", 4),
            6,
            "never an offset used before"
        );
    }

    #[test]
    fn replies_are_maelstroms() {
        let mut a = node(0, 1);
        send(&mut a, "1", 5);
        send(&mut a, "1", 6);
        send(&mut a, "2", 7);
        let write = |s: &Kafka, r: &Reply| {
            let mut out = Vec::new();
            s.write_reply(r, &mut out);
            String::from_utf8(out).expect("utf-8")
        };
        let poll = Request::Poll {
            offsets: vec![("1".into(), 1), ("2".into(), -3), ("3".into(), 0)],
        };
        let (reply, none) = a.serve(0, poll).expect("served");
        assert!(none.is_none());
        assert_eq!(
            write(&a, &reply),
            r#""poll_ok","msgs":{"1":[[1,6]],"2":[[0,7]]}"#
        );
        let list = Request::List {
            keys: vec!["1".into(), "2".into()],
        };
        let (_, commit) = a
            .serve(
                0,
                Request::Commit {
                    offsets: vec![("1".into(), 1)],
                },
            )
            .expect("served");
        a.insert(commit.expect("a commit"));
        let (reply, _) = a.serve(0, list).expect("served");
        assert_eq!(
            write(&a, &reply),
            r#""list_committed_offsets_ok","offsets":{"1":1}"#
        );
        let mut out = Vec::new();
        a.write_items(&[0, 3], &mut out);
        assert_eq!(out, br#"[["s","1",0,0,5],["c",[["1",1]]]]"#);
    }
}
