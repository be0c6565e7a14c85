//! What a node does with a gossip message: it observes the sender's latency, follows a round
//! plan announced from above, settles acknowledgements, and absorbs the values it carries
//! (queueing the new ones for every other link). A message from a node it holds no link with
//! makes a link (a mesh neighbour, an adoptee) or is answered as from a former relay.

use smallvec::SmallVec;

use super::leader;
use super::link::{self, LinkKind};
use super::rounds::{Dues, Origin, Sent};
use super::{Broadcast, Inserted, Kind};
use crate::node::message::Gossip;
use crate::node::outbox::{Outbox, Pending};
use crate::time::Time;

impl<K: Kind> Broadcast<K> {
    /// A gossip message from node `from` (never this node itself).
    pub(crate) fn on_gossip(
        &mut self,
        now: Time,
        from: u16,
        mut gossip: Gossip<K::Item>,
        out: &mut Outbox,
    ) {
        let items = std::mem::take(&mut gossip.items);
        let li = match self.links.of(from) {
            Some(li) => li,
            // A goodbye from a node we already forgot: keep whatever it carries.
            None if gossip.detach => return self.absorb(now, items, None, None),
            None => match self.unlinked_kind(from) {
                Some(kind) => self.links.add(from, kind, &self.settings),
                None => return self.answer_former_relay(now, from, gossip, items, out),
            },
        };
        let link = self.links.get_mut(li);
        if let Some(sent) = gossip.sent {
            link.latency.observe(sent, now);
        }
        if link.kind.is_down() {
            for &ms in &gossip.latency {
                let micros = u32::try_from(ms.saturating_mul(1000)).unwrap_or(u32::MAX);
                link.reported.record(micros, now);
            }
        }
        if let Some(round) = gossip.round
            && link.kind.is_up()
        {
            leader::follow(&mut self.rounds, &mut self.links, round, now);
        }
        let link = self.links.get_mut(li);
        link.peer_incarnation(gossip.incarnation, now, &self.settings);
        link.heard(now, &self.settings);
        link.on_acks(&gossip.acks, &self.settings);
        if let Some(seq) = gossip.seq {
            link.owe_ack(seq, now, &self.settings);
        }
        let sent = gossip.sent.map(Time::from_millis);
        self.absorb(now, items, Some(li), sent);
        let kind = self.links.get(li).kind;
        if gossip.detach && kind == LinkKind::Adoptee {
            self.links.remove(li);
        } else if gossip.adopt && kind == LinkKind::Adoptee {
            // A new adoptee may lack anything: send it everything it is not known to hold.
            self.queue_everything(li, now + self.settings.gather);
        }
    }

    /// Stores items that arrived over link `from` (or from a node we hold no link with),
    /// marks them known to that neighbour, and queues the new ones for everyone else.
    fn absorb(&mut self, now: Time, items: Vec<K::Item>, from: Option<usize>, sent: Option<Time>) {
        let kind = from.map_or(LinkKind::Relay, |li| self.links.get(li).kind);
        let sender_height = from
            .and_then(|li| self.heights.get(usize::from(self.links.get(li).peer)))
            .copied()
            .unwrap_or(0);
        let origin = Origin::Link(
            kind,
            sent.map(|at| Sent {
                at,
                height: sender_height,
            }),
        );
        // The due times depend on the message, not on the item: computed once for all of them.
        let mut dues = Dues::new(origin, now, self.acting_root(now));
        for item in items {
            let pos = match self.store.insert(item) {
                Inserted::New(pos) => {
                    self.forget_superseded();
                    self.spread(pos, from, &mut dues);
                    pos
                }
                Inserted::Known(pos) => pos,
                Inserted::Stale => continue,
            };
            if let Some(li) = from {
                self.links.get_mut(li).mark_known(pos);
            }
        }
        self.spread_made(&mut dues);
    }

    /// What a node we have no link with is to us when it gossips: on a mesh, a neighbour whose
    /// topology arrived before ours; on a rooted overlay, a node ranked after us asking us (or,
    /// after our lease on it ran out, still expecting us) to relay for it. `None` for a node
    /// ranked before us: a relay we dropped that still serves us.
    fn unlinked_kind(&self, from: u16) -> Option<LinkKind> {
        if !self.kind.is_rooted() {
            return Some(LinkKind::Peer);
        }
        (self.rank[usize::from(from)] > self.rank[usize::from(self.me)])
            .then_some(LinkKind::Adoptee)
    }

    /// A former relay still sends us items: keep them (they may be new), and tell it to stop.
    fn answer_former_relay(
        &mut self,
        now: Time,
        from: u16,
        gossip: Gossip<K::Item>,
        items: Vec<K::Item>,
        out: &mut Outbox,
    ) {
        self.absorb(now, items, None, None);
        out.gossip(
            from,
            Pending::Gossip {
                seq: None,
                positions: Vec::new(),
                acks: gossip.seq.into_iter().collect(),
                adopt: false,
                detach: true,
                sent: Some(link::stamp(now)),
                round: None,
                latency: SmallVec::new(),
            },
        );
    }
}
