//! One overlay link as seen from this node: what to send the neighbour, what it is known to
//! hold, what it has not acknowledged yet, and what we owe it acknowledgements for.
//!
//! The rules that keep the message count down live here:
//! - values queue up and leave together when the link's flush time comes (see `rounds.rs`
//!   for when that is), never as an empty message;
//! - every data message carries the acknowledgements we owe the neighbour, so an ack goes
//!   alone only when nothing has flowed its way for `ack_delay`;
//! - a batch unacknowledged after the retry timeout is resent, minus whatever the neighbour
//!   is by then known to hold, with the timeout growing by `backoff` each time (and, for a
//!   kind that asks, every later unacknowledged batch with it: one message, not one per
//!   batch, after a partition);
//! - hearing from a neighbour whose batches look lost means the path is back: the resend
//!   happens at once and the timeout starts over.

use std::collections::VecDeque;
use std::time::Duration;

use smallvec::SmallVec;

use super::Settings;
use super::bitset::BitSet;
use super::latency::LatencyWindow;
use crate::node::outbox::Pending;
use crate::time::Time;

/// What the neighbour at the other end of a link is to this node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LinkKind {
    /// Our parent in a rooted overlay.
    Parent,
    /// Our child in a rooted overlay.
    Child,
    /// A mesh neighbour.
    Peer,
    /// A node we asked to relay for us because our parent stopped answering.
    Relay,
    /// A node that asked us to relay for it.
    Adoptee,
}

impl LinkKind {
    /// How many kinds there are.
    pub(crate) const COUNT: usize = 5;

    /// The kind's index, below [`LinkKind::COUNT`].
    #[inline]
    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// Values sent on this link travel towards the root.
    pub(crate) fn is_up(self) -> bool {
        matches!(self, LinkKind::Parent | LinkKind::Relay)
    }

    /// Values sent on this link travel away from the root.
    pub(crate) fn is_down(self) -> bool {
        matches!(self, LinkKind::Child | LinkKind::Adoptee)
    }
}

/// A batch of values sent and not yet acknowledged.
#[derive(Debug)]
struct Batch {
    seq: u64,
    positions: Vec<u32>,
    sent_at: Time,
    /// When the oldest of these values was first sent (resends keep it).
    first_sent: Time,
}

/// The state of one link.
#[derive(Debug)]
pub(crate) struct Link {
    pub(crate) peer: u16,
    pub(crate) kind: LinkKind,
    /// Positions the neighbour is known to hold: it acknowledged them or sent them to us.
    known: BitSet,
    /// Positions to send at the next flush.
    queued: Vec<u32>,
    /// How many positions the last flush sent.
    last_flush: u32,
    flush_at: Option<Time>,
    in_flight: VecDeque<Batch>,
    next_seq: u64,
    acks_owed: SmallVec<[u64; 4]>,
    ack_at: Option<Time>,
    rto: Duration,
    pub(crate) last_heard: Option<Time>,
    /// Ask the neighbour to adopt us on every data message until it acknowledges one.
    pub(crate) adopt_pending: bool,
    /// The recent one-way latencies of messages from the neighbour.
    pub(crate) latency: LatencyWindow,
    /// The latencies the neighbour reported for our messages to it (a child's reports, kept
    /// by the root: `schedule.rs`, "Reports").
    pub(crate) reported: LatencyWindow,
    /// The neighbour's incarnation, as its last message said (0: never restarted).
    peer_incarnation: u64,
}

impl Link {
    pub(crate) fn new(peer: u16, kind: LinkKind, settings: &Settings) -> Link {
        Link {
            peer,
            kind,
            known: BitSet::default(),
            queued: Vec::new(),
            last_flush: 0,
            flush_at: None,
            in_flight: VecDeque::new(),
            next_seq: settings.seq_base,
            acks_owed: SmallVec::new(),
            ack_at: None,
            rto: settings.retry_timeout,
            last_heard: None,
            adopt_pending: false,
            latency: LatencyWindow::default(),
            reported: LatencyWindow::default(),
            peer_incarnation: 0,
        }
    }

    /// Numbers this link's batches from `base` (a restarted node, before it sends any).
    pub(crate) fn renumber(&mut self, base: u64) {
        self.next_seq = base;
    }

    /// A message from the neighbour says it is incarnation `incarnation`. If that is newer
    /// than the last one heard, its process restarted: it kept everything it had
    /// acknowledged or sent (it logs what it stores before any message about it leaves), so
    /// what it is known to hold stands; it lost only the batches in flight to it that it had
    /// not acknowledged, which are resent at once, and the acknowledgements owed to its
    /// previous life, which are dropped.
    pub(crate) fn peer_incarnation(&mut self, incarnation: u64, now: Time, settings: &Settings) {
        if incarnation <= self.peer_incarnation {
            return;
        }
        self.peer_incarnation = incarnation;
        self.acks_owed.clear();
        self.ack_at = None;
        self.rto = settings.retry_timeout;
        let due = now.saturating_sub(self.rto);
        for batch in &mut self.in_flight {
            batch.sent_at = batch.sent_at.min(due);
        }
    }

    /// Records that the neighbour holds the value at `pos` (it sent it to us).
    #[inline]
    pub(crate) fn mark_known(&mut self, pos: u32) {
        self.known.insert(pos);
    }

    /// Queues `pos` for the neighbour unless it holds it, to leave no later than `due`.
    #[inline]
    pub(crate) fn queue(&mut self, pos: u32, due: Time) {
        if self.known.contains(pos) {
            return;
        }
        if self.queued.capacity() == 0 {
            // The next round queues about as many as the last: room for them at once, rather
            // than one doubling at a time (and no room held between rounds).
            self.queued.reserve(self.last_flush as usize);
        }
        self.queued.push(pos);
        self.flush_at = Some(self.flush_at.map_or(due, |t| t.min(due)));
    }

    /// Moves the flush of the queued values to `due` (the rounds changed under them), or
    /// only brings it forward to `due` if `only_earlier`.
    pub(crate) fn retime(&mut self, due: Time, only_earlier: bool) {
        if let Some(at) = self.flush_at {
            self.flush_at = Some(if only_earlier { at.min(due) } else { due });
        }
    }

    /// The neighbour sent us a batch numbered `seq`: we owe it an acknowledgement.
    pub(crate) fn owe_ack(&mut self, seq: u64, now: Time, settings: &Settings) {
        /// Past this many owed acknowledgements they go at once: the list stays short (and the
        /// duplicate check cheap) even when a neighbour floods us with batches.
        const MAX_OWED: usize = 64;
        if !self.acks_owed.contains(&seq) {
            self.acks_owed.push(seq);
        }
        if self.acks_owed.len() >= MAX_OWED {
            self.ack_at = Some(now);
        } else if self.ack_at.is_none() {
            self.ack_at = Some(now + settings.ack_delay);
        }
    }

    /// The neighbour acknowledged these batches of ours.
    pub(crate) fn on_acks(&mut self, acks: &[u64], settings: &Settings) {
        for &seq in acks {
            if let Some(i) = self.in_flight.iter().position(|b| b.seq == seq) {
                if let Some(batch) = self.in_flight.remove(i) {
                    for p in batch.positions {
                        self.known.insert(p);
                    }
                }
                self.adopt_pending = false;
            }
        }
        if self.in_flight.is_empty() {
            self.rto = settings.retry_timeout;
        }
    }

    /// Any message from the neighbour arrived. If batches to it look lost (older than a
    /// first timeout) the path has just healed: the backed-off timeout starts over, which
    /// makes them due at once.
    pub(crate) fn heard(&mut self, now: Time, settings: &Settings) {
        self.last_heard = Some(now);
        if self
            .in_flight
            .front()
            .is_some_and(|b| b.sent_at + settings.retry_timeout <= now)
        {
            self.rto = settings.retry_timeout;
        }
    }

    /// When the oldest unacknowledged value was first sent. (Resent batches move to the back
    /// of the queue but keep their first-send time, so this is not always the front's.)
    pub(crate) fn unacked_since(&self) -> Option<Time> {
        self.in_flight.iter().map(|b| b.first_sent).min()
    }

    /// The next time this link needs attention.
    #[inline]
    pub(crate) fn deadline(&self) -> Option<Time> {
        // Pairwise rather than `[a, b, c].into_iter().flatten().min()`: that array iterator
        // was spilled to the stack and read back wider than written (a store-forwarding
        // stall), a third of the runtime's cycles at the root of a 25-node star.
        let retry_at = self.in_flight.front().map(|b| b.sent_at + self.rto);
        earliest(earliest(self.flush_at, self.ack_at), retry_at)
    }

    /// Builds the message due on this link at `now`, if any: queued values, plus resent
    /// overdue batches, plus owed acknowledgements; or the owed acknowledgements alone once
    /// they have waited `ack_delay`. Returns `None` rather than an empty message.
    pub(crate) fn poll(&mut self, now: Time, settings: &Settings) -> Option<Pending> {
        let flush_due = self.flush_at.is_some_and(|t| t <= now);
        let retry_due = self
            .in_flight
            .front()
            .is_some_and(|b| b.sent_at + self.rto <= now);
        let ack_due = self.ack_at.is_some_and(|t| t <= now);
        if !(flush_due || retry_due || ack_due) {
            return None;
        }
        let mut positions = Vec::new();
        let mut first_sent = now;
        if flush_due {
            positions = std::mem::take(&mut self.queued);
            self.last_flush = positions.len() as u32;
            self.flush_at = None;
        }
        // Resend overdue batches with whatever else is leaving now (every unacknowledged
        // batch, overdue or not, if the kind asks for resends together).
        let mut resent = false;
        while let Some(b) = self.in_flight.front()
            && (b.sent_at + self.rto <= now || (resent && settings.resend_together))
        {
            let Some(b) = self.in_flight.pop_front() else {
                break;
            };
            first_sent = first_sent.min(b.first_sent);
            positions.extend(b.positions);
            resent = true;
        }
        if resent {
            let next = self.rto.as_secs_f64() * settings.retry_backoff;
            self.rto = Duration::from_secs_f64(next).min(settings.retry_max);
        }
        // A value queued twice (a node asking twice to be adopted gets everything queued
        // twice) or both queued and overdue leaves once.
        // Queued in store order, so usually sorted already.
        if !positions.is_sorted() {
            positions.sort_unstable();
        }
        positions.dedup();
        positions.retain(|&p| !self.known.contains(p));
        if positions.is_empty() {
            if !ack_due {
                return None;
            }
            self.ack_at = None;
            if self.acks_owed.is_empty() {
                return None;
            }
            return Some(Pending::Gossip {
                seq: None,
                positions,
                acks: std::mem::take(&mut self.acks_owed),
                adopt: false,
                detach: false,
                sent: Some(stamp(now)),
                round: None,
                latency: SmallVec::new(),
            });
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.in_flight.push_back(Batch {
            seq,
            positions: positions.clone(),
            sent_at: now,
            first_sent,
        });
        self.ack_at = None;
        Some(Pending::Gossip {
            seq: Some(seq),
            positions,
            acks: std::mem::take(&mut self.acks_owed),
            adopt: self.adopt_pending,
            detach: false,
            sent: Some(stamp(now)),
            round: None,
            latency: SmallVec::new(),
        })
    }

    /// The goodbye message to a relay we no longer need: owed acknowledgements and `detach`.
    pub(crate) fn detach_message(&mut self, now: Time) -> Pending {
        self.ack_at = None;
        Pending::Gossip {
            seq: None,
            positions: Vec::new(),
            acks: std::mem::take(&mut self.acks_owed),
            adopt: false,
            detach: true,
            sent: Some(stamp(now)),
            round: None,
            latency: SmallVec::new(),
        }
    }

    /// Nothing queued, nothing unacknowledged, no acknowledgement owed.
    pub(crate) fn is_idle(&self) -> bool {
        self.queued.is_empty() && self.in_flight.is_empty() && self.acks_owed.is_empty()
    }

    /// How many values wait to be sent or acknowledged (for tests and memory checks).
    pub(crate) fn pending_len(&self) -> usize {
        self.queued.len()
            + self
                .in_flight
                .iter()
                .map(|b| b.positions.len())
                .sum::<usize>()
    }
}

/// `now` as the `sent` stamp of a message: whole ms on the driver's clock.
pub(crate) fn stamp(now: Time) -> u64 {
    now.as_micros() / 1000
}

/// The earlier of two optional times.
#[inline]
pub(crate) fn earliest(a: Option<Time>, b: Option<Time>) -> Option<Time> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

#[cfg(test)]
mod props;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::NodeConfig;

    fn settings() -> Settings {
        Settings::from_config(&NodeConfig::default())
    }

    fn sent(p: Option<Pending>) -> (Option<u64>, Vec<u32>, Vec<u64>) {
        match p {
            Some(Pending::Gossip {
                seq,
                positions,
                acks,
                ..
            }) => (seq, positions, acks.to_vec()),
            other => panic!("expected gossip, got {other:?}"),
        }
    }

    #[test]
    fn flushes_queued_values_once_due_and_never_sends_empty() {
        let s = settings();
        let mut l = Link::new(1, LinkKind::Child, &s);
        assert!(l.poll(Time::from_millis(5), &s).is_none());
        l.queue(3, Time::from_millis(10));
        l.queue(4, Time::from_millis(20));
        assert_eq!(l.deadline(), Some(Time::from_millis(10)));
        assert!(l.poll(Time::from_millis(9), &s).is_none());
        let (seq, pos, acks) = sent(l.poll(Time::from_millis(10), &s));
        assert_eq!((seq, pos, acks), (Some(0), vec![3, 4], vec![]));
        assert!(l.poll(Time::from_millis(11), &s).is_none());
    }

    #[test]
    fn acks_ride_on_data_and_go_alone_only_after_the_delay() {
        let s = settings();
        let mut l = Link::new(1, LinkKind::Parent, &s);
        l.owe_ack(7, Time::ZERO, &s);
        l.queue(1, Time::from_millis(100));
        let (_, _, acks) = sent(l.poll(Time::from_millis(100), &s));
        assert_eq!(acks, vec![7]);
        l.owe_ack(8, Time::from_millis(200), &s);
        let alone_at = Time::from_millis(200) + s.ack_delay;
        assert!(
            l.poll(alone_at.saturating_sub(Duration::from_millis(1)), &s)
                .is_none()
        );
        let (seq, pos, acks) = sent(l.poll(alone_at, &s));
        assert_eq!((seq, pos, acks), (None, vec![], vec![8]));
    }

    #[test]
    fn resends_only_what_is_unacknowledged_and_unknown_with_backoff() {
        let s = settings();
        let mut l = Link::new(1, LinkKind::Child, &s);
        for p in [1, 2, 3] {
            l.queue(p, Time::ZERO);
        }
        sent(l.poll(Time::ZERO, &s));
        l.queue(4, Time::from_millis(10));
        sent(l.poll(Time::from_millis(10), &s));
        l.on_acks(&[1], &s); // the second batch (value 4) arrived
        l.mark_known(2); // the neighbour sent us 2 meanwhile
        let retry = Time::ZERO + s.retry_timeout;
        assert_eq!(l.deadline(), Some(retry));
        let (seq, pos, _) = sent(l.poll(retry, &s));
        assert_eq!((seq, pos), (Some(2), vec![1, 3]));
        // Backed off: the next resend waits longer than the first timeout.
        let next = l.deadline().expect("still unacknowledged");
        assert!(next - retry > s.retry_timeout);
        l.on_acks(&[2], &s);
        assert!(l.is_idle());
        assert_eq!(l.deadline(), None);
    }

    #[test]
    fn a_kind_that_asks_resends_every_unacknowledged_batch_in_one_message() {
        for together in [false, true] {
            let s = Settings {
                resend_together: together,
                ..settings()
            };
            let mut l = Link::new(1, LinkKind::Parent, &s);
            // One batch a second while the neighbour is cut off.
            for (i, p) in [1, 2, 3].into_iter().enumerate() {
                let at = Time::from_millis(1000 * i as u64);
                l.queue(p, at);
                sent(l.poll(at, &s));
            }
            let retry = Time::ZERO + s.retry_timeout;
            let (_, pos, _) = sent(l.poll(retry, &s));
            if together {
                assert_eq!(pos, vec![1, 2, 3]);
                assert_eq!(l.in_flight.len(), 1, "one batch left to acknowledge");
            } else {
                assert_eq!(pos, vec![1], "only the overdue batch");
                assert_eq!(l.in_flight.len(), 3);
            }
        }
    }

    #[test]
    fn hearing_from_the_neighbour_after_a_loss_resends_at_once() {
        let s = settings();
        let mut l = Link::new(1, LinkKind::Child, &s);
        l.queue(1, Time::ZERO);
        sent(l.poll(Time::ZERO, &s));
        let first = Time::ZERO + s.retry_timeout;
        sent(l.poll(first, &s)); // resent once, timeout now backed off
        let later = first + s.retry_timeout;
        assert!(l.deadline() > Some(later));
        l.heard(later, &s);
        assert_eq!(l.deadline(), Some(later));
        let (_, pos, _) = sent(l.poll(later, &s));
        assert_eq!(pos, vec![1]);
    }
}
