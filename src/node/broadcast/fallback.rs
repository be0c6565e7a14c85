//! Asking another node to relay when the parent stops answering.
//!
//! Resends on the overlay's own links already guarantee that every value arrives once the
//! network heals; a fallback only keeps values moving while it is partitioned. When the parent
//! has left values unacknowledged for `fallback.after_ms`, the node picks the next candidate
//! (its ancestors above the parent, then the nodes ranked before it; see
//! [`Overlay::fallback_candidates`](super::overlay::Overlay::fallback_candidates)), sends it
//! everything it holds with `adopt: true`, and from then on treats it as a second parent. The
//! candidate answers with everything the node lacks and relays for it like for a child. A
//! candidate that does not answer either is dropped for the next one; after the last, the node
//! waits for the longest retry timeout and starts over. Once the parent acknowledges again the
//! node says `detach` to the relay and drops it; a relay also forgets an adoptee it has not
//! heard from for `fallback.lease_ms`.
//!
//! A node notices that its parent is gone only through its own unacknowledged values: there are
//! no heartbeats, because an idle cluster must send nothing. A node with nothing to send keeps
//! waiting for its parent; under Maelstrom's workload every node has a client broadcasting, so
//! every node cut off from its parent soon has values in flight and falls back.

use super::link::LinkKind;
use super::{Broadcast, Kind};
use crate::node::outbox::Outbox;
use crate::time::Time;

/// Where the search for a relay stands.
#[derive(Debug)]
pub(crate) struct Fallback {
    candidates: Vec<u16>,
    /// Index in `candidates` of the next one to try.
    next: usize,
    /// The relay in use, if any.
    relay: Option<u16>,
    /// After trying every candidate: not before this time again.
    resume_at: Option<Time>,
}

impl Fallback {
    pub(crate) fn new(candidates: Vec<u16>) -> Fallback {
        Fallback {
            candidates,
            next: 0,
            relay: None,
            resume_at: None,
        }
    }
}

/// Drops `b`'s relay when it is no longer needed or no longer answers, and adopts the next
/// candidate while the parent is unreachable.
pub(super) fn step<K: Kind>(b: &mut Broadcast<K>, now: Time, out: &mut Outbox) {
    if !b.settings.fallback_enabled {
        return;
    }
    let Some(parent) = b.parent else {
        return;
    };
    let parent_suspect = b.suspect(parent, now);
    if let Some(relay) = b.fallback.relay {
        let relay_suspect = b.suspect(relay, now);
        if !parent_suspect || relay_suspect {
            if let Some(li) = b.link_of(relay) {
                // Also to a relay that stopped answering: if the goodbye gets through, it
                // stops serving us; if not, its messages will get another one.
                let goodbye = b.links[li].detach_message(now);
                out.gossip(relay, goodbye);
                b.remove_link(li);
            }
            if !parent_suspect {
                b.fallback.next = 0;
            }
            b.fallback.relay = None;
        }
    }
    if b.fallback.relay.is_some()
        || !parent_suspect
        || b.fallback.resume_at.is_some_and(|t| now < t)
    {
        return;
    }
    b.fallback.resume_at = None;
    let Some(&candidate) = b.fallback.candidates.get(b.fallback.next) else {
        b.fallback.next = 0;
        b.fallback.resume_at = Some(now + b.settings.retry_max);
        return;
    };
    b.fallback.next += 1;
    if b.link_of(candidate).is_some() {
        // Candidates rank before us, so no link to one can exist (adoptees rank after
        // their relay); skip it rather than reuse a link with state of its own.
        return;
    }
    let li = b.add_link(candidate, LinkKind::Relay);
    b.links[li].adopt_pending = true;
    b.fallback.relay = Some(candidate);
    b.queue_everything(li, now);
}

/// When `b`'s fallback next needs a look: at once if a relay is held though the parent
/// answers again (the relay must hear `detach` now, not at some later timer); when the
/// parent (or the relay) becomes suspect; or when a pause after trying every candidate ends.
pub(super) fn deadline<K: Kind>(b: &Broadcast<K>, now: Time) -> Option<Time> {
    if !b.settings.fallback_enabled {
        return None;
    }
    let parent = b.parent?;
    let after = b.settings.fallback_after;
    let suspect_at = |node: u16| {
        b.link_of(node)
            .and_then(|li| b.links[li].unacked_since())
            .map(|t| t + after)
    };
    match b.fallback.relay {
        Some(_) if !b.suspect(parent, now) => Some(now),
        Some(relay) => suspect_at(relay),
        None => {
            let at = suspect_at(parent)?;
            Some(b.fallback.resume_at.map_or(at, |r| r.max(at)))
        }
    }
}
