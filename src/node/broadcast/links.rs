//! Every link this node holds, found by the neighbour's index: the overlay's links, and the
//! relays and adoptees of the fallback. Owns what is true of all of them at once: when the next
//! one needs attention, whether any has work left, which neighbours look unreachable.

use super::Settings;
use super::link::{Link, LinkKind, earliest};
use crate::node::outbox::{Outbox, Pending};
use crate::time::Time;

const NO_LINK: u32 = u32::MAX;

/// This node's links, by position, and the position of the link to each node.
#[derive(Debug)]
pub(crate) struct Links {
    links: Vec<Link>,
    /// Node index → position in `links`, or `NO_LINK`.
    index: Vec<u32>,
}

impl Links {
    /// No links yet, in a cluster of `n` nodes.
    pub(crate) fn new(n: u16) -> Links {
        Links {
            links: Vec::new(),
            index: vec![NO_LINK; usize::from(n)],
        }
    }

    /// The position of the link to `node`, if there is one.
    #[inline]
    pub(crate) fn of(&self, node: u16) -> Option<usize> {
        match self.index.get(usize::from(node)) {
            Some(&i) if i != NO_LINK => Some(i as usize),
            _ => None,
        }
    }

    /// The link at position `li`.
    #[inline]
    pub(crate) fn get(&self, li: usize) -> &Link {
        &self.links[li]
    }

    /// The link at position `li`.
    #[inline]
    pub(crate) fn get_mut(&mut self, li: usize) -> &mut Link {
        &mut self.links[li]
    }

    /// Every link.
    pub(crate) fn iter(&self) -> std::slice::Iter<'_, Link> {
        self.links.iter()
    }

    /// Every link.
    pub(crate) fn iter_mut(&mut self) -> std::slice::IterMut<'_, Link> {
        self.links.iter_mut()
    }

    /// Adds a link to `peer` (which has none); returns its position.
    pub(crate) fn add(&mut self, peer: u16, kind: LinkKind, settings: &Settings) -> usize {
        let li = self.links.len();
        self.links.push(Link::new(peer, kind, settings));
        self.index[usize::from(peer)] = li as u32;
        li
    }

    /// Drops the link at `li` (the last link takes its position).
    pub(crate) fn remove(&mut self, li: usize) {
        let gone = self.links.swap_remove(li);
        self.index[usize::from(gone.peer)] = NO_LINK;
        if let Some(moved) = self.links.get(li) {
            self.index[usize::from(moved.peer)] = li as u32;
        }
    }

    /// Records on every link that the neighbour no longer needs `pos` (an item superseded by
    /// a newer one, which is queued everywhere instead).
    pub(crate) fn forget(&mut self, pos: u32) {
        for link in &mut self.links {
            link.mark_known(pos);
        }
    }

    /// Queues item `pos` on every link but `except`, to leave by `due(kind)` for a link of
    /// that kind.
    #[inline]
    pub(crate) fn spread(
        &mut self,
        pos: u32,
        except: Option<usize>,
        mut due: impl FnMut(LinkKind) -> Time,
    ) {
        // `due` depends on the link's kind only, and links of one kind mostly come together:
        // reuse the last kind's time rather than recompute it (a division) for every link.
        let mut last: Option<(LinkKind, Time)> = None;
        for (i, link) in self.links.iter_mut().enumerate() {
            if Some(i) != except {
                let at = match last {
                    Some((kind, at)) if kind == link.kind => at,
                    _ => {
                        let at = due(link.kind);
                        last = Some((link.kind, at));
                        at
                    }
                };
                link.queue(pos, at);
            }
        }
    }

    /// Sends what is due on every link at `now`; messages down carry `plan`, and with `report`
    /// messages to the parent carry the latency of its last message, once (`schedule.rs`,
    /// "Reports").
    pub(crate) fn poll(
        &mut self,
        now: Time,
        settings: &Settings,
        plan: Option<[u64; 3]>,
        report: bool,
        out: &mut Outbox,
    ) {
        for link in &mut self.links {
            if link.deadline().is_some_and(|t| t <= now)
                && let Some(mut message) = link.poll(now, settings)
            {
                if let Pending::Gossip { round, latency, .. } = &mut message {
                    if link.kind.is_down() {
                        *round = plan;
                    } else if report && link.kind == LinkKind::Parent {
                        *latency = link
                            .latency
                            .take_unreported()
                            .map(|us| (u64::from(us) + 500) / 1000)
                            .collect();
                    }
                }
                out.gossip(link.peer, message);
            }
        }
    }

    /// The next time a link needs attention: its own deadline, or an adoptee's lease ending.
    pub(crate) fn deadline(&self, settings: &Settings) -> Option<Time> {
        // One pass: the node asks after every input, and the root has a link per child.
        let mut at = None;
        for l in &self.links {
            at = earliest(at, l.deadline());
            if l.kind == LinkKind::Adoptee {
                at = earliest(at, l.last_heard.map(|t| t + settings.lease));
            }
        }
        at
    }

    /// Drops the adoptees not heard from for a lease.
    pub(crate) fn expire_adoptees(&mut self, now: Time, settings: &Settings) {
        let lease = settings.lease;
        while let Some(li) = self.links.iter().position(|l| {
            l.kind == LinkKind::Adoptee && l.last_heard.is_some_and(|t| t + lease <= now)
        }) {
            self.remove(li);
        }
    }

    /// When the link to `node` becomes suspect: `fallback_after` after the oldest value it
    /// left unacknowledged was first sent (`None`: nothing unacknowledged, or no link).
    pub(crate) fn suspect_at(&self, node: u16, settings: &Settings) -> Option<Time> {
        self.of(node)
            .and_then(|li| self.links[li].unacked_since())
            .map(|t| t + settings.fallback_after)
    }

    /// Whether the link to `node` has left values unacknowledged for `fallback_after`.
    pub(crate) fn suspect(&self, node: u16, now: Time, settings: &Settings) -> bool {
        self.suspect_at(node, settings).is_some_and(|t| t <= now)
    }

    /// Whether no message is queued, unacknowledged or owed on any link.
    pub(crate) fn is_idle(&self) -> bool {
        self.links.iter().all(Link::is_idle)
    }

    /// Items queued or unacknowledged, summed over links.
    pub(crate) fn pending_len(&self) -> usize {
        self.links.iter().map(Link::pending_len).sum()
    }
}
