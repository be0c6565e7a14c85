//! What a node does with a gossip message: it observes the sender's latency, follows a round
//! plan announced from above, settles acknowledgements, and absorbs the values it carries
//! (queueing the new ones for every other link). A message from a node it holds no link with
//! makes a link (a mesh neighbour, an adoptee) or is answered as from a former relay.

use super::leader;
use super::link::{self, LinkKind};
use super::rounds::{Origin, Sent};
use super::{Broadcast, Inserted, Kind};
use crate::node::message::Gossip;
use crate::node::outbox::{Outbox, Pending};
use crate::time::Time;

/// A gossip message from node `from` (never this node itself).
pub(super) fn receive<K: Kind>(
    b: &mut Broadcast<K>,
    now: Time,
    from: u16,
    mut gossip: Gossip<K::Item>,
    out: &mut Outbox,
) {
    let items = std::mem::take(&mut gossip.items);
    let li = match b.link_of(from) {
        Some(li) => li,
        // A goodbye from a node we already forgot: keep whatever it carries.
        None if gossip.detach => return absorb(b, now, items, None, None),
        None => match unlinked_kind(b, from) {
            Some(kind) => b.add_link(from, kind),
            None => return answer_former_relay(b, now, from, gossip, items, out),
        },
    };
    let link = &mut b.links[li];
    if let Some(sent) = gossip.sent {
        link.latency.observe(sent, now);
    }
    if let Some(round) = gossip.round
        && b.links[li].kind.is_up()
    {
        leader::follow(b, round, now);
    }
    let link = &mut b.links[li];
    link.peer_incarnation(gossip.incarnation, now, &b.settings);
    link.heard(now, &b.settings);
    link.on_acks(&gossip.acks, &b.settings);
    if let Some(seq) = gossip.seq {
        link.owe_ack(seq, now, &b.settings);
    }
    let sent = gossip.sent.map(Time::from_millis);
    absorb(b, now, items, Some(li), sent);
    let kind = b.links[li].kind;
    if gossip.detach && kind == LinkKind::Adoptee {
        b.remove_link(li);
    } else if gossip.adopt && kind == LinkKind::Adoptee {
        // A new adoptee may lack anything: send it everything it is not known to hold.
        b.queue_everything(li, now + b.settings.gather);
    }
}

/// Stores values that arrived over link `from` (or from a node we hold no link with),
/// marks them known to that neighbour, and queues the new ones for everyone else.
fn absorb<K: Kind>(
    b: &mut Broadcast<K>,
    now: Time,
    values: Vec<K::Item>,
    from: Option<usize>,
    sent: Option<Time>,
) {
    let kind = from.map_or(LinkKind::Relay, |li| b.links[li].kind);
    let sender_height = from
        .and_then(|li| b.heights.get(usize::from(b.links[li].peer)))
        .copied()
        .unwrap_or(0);
    let origin = Origin::Link(
        kind,
        sent.map(|at| Sent {
            at,
            height: sender_height,
        }),
    );
    for value in values {
        let pos = match b.store.insert(value) {
            Inserted::New(pos) => {
                b.forget_superseded();
                b.spread(now, pos, origin, from);
                pos
            }
            Inserted::Known(pos) => pos,
            Inserted::Stale => continue,
        };
        if let Some(li) = from {
            b.links[li].mark_known(pos);
        }
    }
}

/// What a node we have no link with is to us when it gossips: on a mesh, a neighbour whose
/// topology arrived before ours; on a rooted overlay, a node ranked after us asking us (or,
/// after our lease on it ran out, still expecting us) to relay for it. `None` for a node
/// ranked before us: a relay we dropped that still serves us.
fn unlinked_kind<K: Kind>(b: &Broadcast<K>, from: u16) -> Option<LinkKind> {
    if !b.kind.is_rooted() {
        return Some(LinkKind::Peer);
    }
    (b.rank[usize::from(from)] > b.rank[usize::from(b.me)]).then_some(LinkKind::Adoptee)
}

/// A former relay still sends us values: keep them (they may be new), and tell it to stop.
fn answer_former_relay<K: Kind>(
    b: &mut Broadcast<K>,
    now: Time,
    from: u16,
    gossip: Gossip<K::Item>,
    items: Vec<K::Item>,
    out: &mut Outbox,
) {
    absorb(b, now, items, None, None);
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
        },
    );
}
