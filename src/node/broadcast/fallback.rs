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

use super::Settings;
use super::link::LinkKind;
use super::links::Links;
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
    /// The search over `candidates`, in order (see the module docs).
    pub(crate) fn new(candidates: Vec<u16>) -> Fallback {
        Fallback {
            candidates,
            next: 0,
            relay: None,
            resume_at: None,
        }
    }

    /// Drops the relay when it is no longer needed or no longer answers, and adopts the next
    /// candidate while `parent` is unreachable: returns the new relay's link, which the caller
    /// queues everything for.
    pub(crate) fn step(
        &mut self,
        links: &mut Links,
        parent: u16,
        settings: &Settings,
        now: Time,
        out: &mut Outbox,
    ) -> Option<usize> {
        if !settings.fallback_enabled {
            return None;
        }
        let parent_suspect = links.suspect(parent, now, settings);
        if let Some(relay) = self.relay {
            let relay_suspect = links.suspect(relay, now, settings);
            if !parent_suspect || relay_suspect {
                if let Some(li) = links.of(relay) {
                    // Also to a relay that stopped answering: if the goodbye gets through, it
                    // stops serving us; if not, its messages will get another one.
                    let goodbye = links.get_mut(li).detach_message(now);
                    out.gossip(relay, goodbye);
                    links.remove(li);
                }
                if !parent_suspect {
                    self.next = 0;
                }
                self.relay = None;
            }
        }
        if self.relay.is_some() || !parent_suspect || self.resume_at.is_some_and(|t| now < t) {
            return None;
        }
        self.resume_at = None;
        let Some(&candidate) = self.candidates.get(self.next) else {
            self.next = 0;
            self.resume_at = Some(now + settings.retry_max);
            return None;
        };
        self.next += 1;
        if links.of(candidate).is_some() {
            // Candidates rank before us, so no link to one can exist (adoptees rank after
            // their relay); skip it rather than reuse a link with state of its own.
            return None;
        }
        let li = links.add(candidate, LinkKind::Relay, settings);
        links.get_mut(li).adopt_pending = true;
        self.relay = Some(candidate);
        Some(li)
    }

    /// When the fallback next needs a look: at once if a relay is held though `parent`
    /// answers again (the relay must hear `detach` now, not at some later timer); when the
    /// parent (or the relay) becomes suspect; or when a pause after trying every candidate
    /// ends.
    pub(crate) fn deadline(
        &self,
        links: &Links,
        parent: u16,
        settings: &Settings,
        now: Time,
    ) -> Option<Time> {
        if !settings.fallback_enabled {
            return None;
        }
        match self.relay {
            Some(_) if !links.suspect(parent, now, settings) => Some(now),
            Some(relay) => links.suspect_at(relay, settings),
            None => {
                let at = links.suspect_at(parent, settings)?;
                Some(self.resume_at.map_or(at, |r| r.max(at)))
            }
        }
    }
}
