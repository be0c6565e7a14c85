//! Properties of a link's bookkeeping under random sequences of queueing, flushing,
//! acknowledgements, values learnt from the neighbour, and time passing. A model keeps what
//! was queued and what the neighbour is known to hold; after every step:
//!
//! - nothing queued is dropped unless the neighbour acknowledged it or sent it to us: it is
//!   still queued or in flight;
//! - every message carries exactly what is due: the queued values if the flush is due, plus
//!   the values of the overdue batches, minus whatever the neighbour is known to hold (so
//!   nothing acknowledged or known is ever sent again), each value once;
//! - what waits on the link is only ever values that were queued and the neighbour lacks.

use std::collections::BTreeSet;
use std::time::Duration;

use proptest::prelude::*;

use super::{Link, LinkKind};
use crate::config::NodeConfig;
use crate::node::broadcast::Settings;
use crate::node::outbox::Pending;
use crate::time::Time;

#[derive(Clone, Debug)]
enum Op {
    Queue {
        pos: u32,
        due_ms: u16,
    },
    Poll,
    /// Acknowledge the k-th most recent batch sent (or a made-up number).
    Ack(u8),
    MarkKnown(u32),
    Advance(u16),
    OweAck(u8),
    Heard,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u32..40, 0u16..3000).prop_map(|(pos, due_ms)| Op::Queue { pos, due_ms }),
        4 => Just(Op::Poll),
        3 => any::<u8>().prop_map(Op::Ack),
        2 => (0u32..40).prop_map(Op::MarkKnown),
        4 => (0u16..12_000).prop_map(Op::Advance),
        1 => any::<u8>().prop_map(Op::OweAck),
        1 => Just(Op::Heard),
    ]
}

struct Model {
    link: Link,
    settings: Settings,
    now: Time,
    queued_ever: BTreeSet<u32>,
    known: BTreeSet<u32>,
    sent_seqs: Vec<u64>,
}

impl Model {
    fn pending(&self) -> Vec<u32> {
        let in_flight = self.link.in_flight.iter().flat_map(|b| b.positions.iter());
        self.link.queued.iter().chain(in_flight).copied().collect()
    }

    /// What a message sent now must carry, as a set.
    fn due(&self) -> BTreeSet<u32> {
        let mut due = BTreeSet::new();
        if self.link.flush_at.is_some_and(|t| t <= self.now) {
            due.extend(self.link.queued.iter().copied());
        }
        for b in &self.link.in_flight {
            if b.sent_at + self.link.rto <= self.now {
                due.extend(b.positions.iter().copied());
            }
        }
        due.retain(|p| !self.known.contains(p));
        due
    }

    fn poll(&mut self) -> Result<(), TestCaseError> {
        let due = self.due();
        let message = self.link.poll(self.now, &self.settings);
        let Some(Pending::Gossip { seq, positions, .. }) = message else {
            prop_assert!(message.is_none(), "a link only sends gossip");
            prop_assert!(
                due.is_empty(),
                "{due:?} due at {:?} but nothing sent",
                self.now
            );
            return Ok(());
        };
        let sent: BTreeSet<u32> = positions.iter().copied().collect();
        prop_assert_eq!(
            sent.len(),
            positions.len(),
            "a value twice in {:?}",
            positions
        );
        prop_assert_eq!(&sent, &due, "sent {:?}, due {:?}", positions, due);
        prop_assert_eq!(seq.is_some(), !positions.is_empty());
        self.sent_seqs.extend(seq);
        Ok(())
    }

    fn ack(&mut self, k: u8) {
        let seq = match self.sent_seqs.len().checked_sub(1 + usize::from(k) % 4) {
            Some(i) => self.sent_seqs[i],
            None => u64::from(k) + 1000,
        };
        // The link can only honour acknowledgements of batches it still holds: a batch merged
        // into a resend is forgotten, so a late acknowledgement of it teaches nothing.
        if let Some(b) = self.link.in_flight.iter().find(|b| b.seq == seq) {
            self.known.extend(b.positions.iter().copied());
        }
        self.link.on_acks(&[seq], &self.settings);
    }

    fn check(&self) -> Result<(), TestCaseError> {
        let pending = self.pending();
        let waiting: BTreeSet<u32> = pending.iter().copied().collect();
        for p in &self.queued_ever {
            prop_assert!(
                self.known.contains(p) || waiting.contains(p),
                "{p} was dropped without being acknowledged or known"
            );
        }
        for p in &waiting {
            prop_assert!(self.queued_ever.contains(p), "{p} was never queued");
        }
        prop_assert_eq!(self.link.pending_len(), pending.len());
        prop_assert_eq!(
            self.link.is_idle(),
            pending.is_empty() && self.link.acks_owed.is_empty()
        );
        if let Some(d) = self.link.deadline() {
            prop_assert!(
                !pending.is_empty() || self.link.ack_at.is_some(),
                "{d:?} for nothing"
            );
        }
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn a_link_sends_what_is_due_drops_nothing_and_never_resends_what_is_known(
        ops in proptest::collection::vec(op(), 1..120)
    ) {
        let settings = Settings::from_config(&NodeConfig::default());
        let mut m = Model {
            link: Link::new(1, LinkKind::Child, &settings),
            settings,
            now: Time::from_millis(1_000_000),
            queued_ever: BTreeSet::new(),
            known: BTreeSet::new(),
            sent_seqs: Vec::new(),
        };
        for op in ops {
            match op {
                Op::Queue { pos, due_ms } => {
                    if !m.known.contains(&pos) {
                        m.queued_ever.insert(pos);
                    }
                    let due = m.now + Duration::from_millis(u64::from(due_ms));
                    m.link.queue(pos, due);
                }
                Op::Poll => m.poll()?,
                Op::Ack(k) => m.ack(k),
                Op::MarkKnown(pos) => {
                    m.known.insert(pos);
                    m.link.mark_known(pos);
                }
                Op::Advance(ms) => {
                    m.now += Duration::from_millis(u64::from(ms));
                    // As `Broadcast::on_time` does: poll whenever the deadline has come.
                    while m.link.deadline().is_some_and(|d| d <= m.now) {
                        m.poll()?;
                    }
                }
                Op::OweAck(seq) => m.link.owe_ack(u64::from(seq), m.now, &m.settings),
                Op::Heard => m.link.heard(m.now, &m.settings),
            }
            m.check()?;
        }
        // Long after everything: one resend carries exactly what the neighbour still lacks.
        m.now += Duration::from_secs(3600);
        let lacks: BTreeSet<u32> = m.queued_ever.difference(&m.known).copied().collect();
        prop_assert_eq!(&m.due(), &lacks);
        m.poll()?;
        let distinct: BTreeSet<u32> = m.pending().into_iter().collect();
        prop_assert_eq!(distinct, lacks);
    }
}
