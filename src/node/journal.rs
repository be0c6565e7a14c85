//! The node's log: what it must not lose when its process dies, as records the driver writes
//! before it releases the replies that depend on them (see [`crate::storage`] and
//! `docs/reliability.md`, "Durability").
//!
//! A record is one JSON line, `{"body":{…}}` (the envelope the wire decoder reads, so the
//! items are read and written by their kind exactly as in gossip):
//!
//! | record | written |
//! |---|---|
//! | `{"body":{"incarnation":e}}` | at `init`, before `init_ok`: this process is the node's `e`-th life |
//! | `{"body":{"workload":"broadcast","values":[…]}}` | the items stored since the last record, under the kind's gossip field |
//! | `{"body":{"workload":"broadcast","neighbours":[1,3]}}` | at `topology`, before `topology_ok`: this node's neighbours in it (Maelstrom sends `topology` once, and never to a restarted node) |
//!
//! A snapshot is the same records: the incarnation, then one record of every live item.
//!
//! ## What is logged, and why received gossip is logged too
//! Every item the store takes is logged: the ones the node made for a client's request
//! (`broadcast`, `add`, a `txn`'s writes) and the ones gossip brought. The records of a batch
//! of input are written before any message of that batch leaves, so everything this node ever
//! acknowledged (to a client, or to a neighbour by a gossip `ack`) or sent was logged first.
//! A restarted node therefore still holds everything a neighbour believes it holds, and the
//! neighbours' per-link "known" sets stay true: on seeing its new incarnation they resend only
//! the batches they had in flight to it and it had not acknowledged (which it may or may not
//! have received), and drop the acknowledgements owed to its previous life. Logging only the
//! client-acknowledged items would instead make every neighbour forget what the restarted node
//! had acknowledged to it, and resend all of that: more messages under `kill`, for a log
//! write that the group commit makes nearly free (one write per batch of input either way).
//! What the restarted node itself lost is its view of the links (who holds what, what it
//! owed whom): it queues everything it holds for every neighbour once (`Broadcast::restarted`,
//! one batch per link), and numbers its batches from `incarnation << 32` so that an
//! acknowledgement meant for its previous life matches none of its new batches.

use crate::node::kind::Kind;
use crate::wire::{Decoder, Fields, INPUT_PADDING, write_u64};

/// Appends the record of the items at `positions` of `store`.
pub(crate) fn write_items<K: Kind>(store: &K, positions: &[u32], out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"body\":{\"workload\":\"");
    out.extend_from_slice(K::NAME.as_bytes());
    out.extend_from_slice(b"\",\"");
    out.extend_from_slice(K::FIELD.as_bytes());
    out.extend_from_slice(b"\":");
    store.write_items(positions, out);
    out.extend_from_slice(b"}}\n");
}

/// Appends the record of this process's incarnation.
pub(crate) fn write_incarnation(incarnation: u64, out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"body\":{\"incarnation\":");
    write_u64(out, incarnation);
    out.extend_from_slice(b"}}\n");
}

/// Appends the record of this node's neighbours in Maelstrom's `topology` message (indices
/// into `init`'s `node_ids`), for a node of kind `workload`.
pub(crate) fn write_neighbours(workload: &str, neighbours: &[u16], out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"body\":{\"workload\":\"");
    out.extend_from_slice(workload.as_bytes());
    out.extend_from_slice(b"\",\"neighbours\":[");
    for (i, &n) in neighbours.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_u64(out, u64::from(n));
    }
    out.extend_from_slice(b"]}}\n");
}

/// The neighbours of a record written by [`write_neighbours`], if it is one.
pub(crate) fn read_neighbours(fields: &Fields<'_, '_>) -> Option<Vec<u16>> {
    fields
        .get("neighbours")?
        .elements()?
        .map(|f| f.as_u64().and_then(|n| u16::try_from(n).ok()))
        .collect()
}

/// What a first pass over a log tells: the last incarnation, the workload.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    /// The highest incarnation recorded, if any.
    pub(crate) incarnation: Option<u64>,
    /// The workload of the first items record.
    pub(crate) workload: Option<String>,
    /// Lines that are not records (a torn last line, say).
    pub(crate) unreadable: usize,
}

/// Reads the log's incarnation and workload.
pub(crate) fn scan(log: &[u8]) -> Scan {
    let mut scan = Scan::default();
    scan.unreadable = for_each_record(log, |fields| {
        if let Some(e) = fields.get("incarnation").and_then(|f| f.as_u64()) {
            scan.incarnation = Some(scan.incarnation.map_or(e, |m| m.max(e)));
        }
        if scan.workload.is_none()
            && let Some(w) = fields.get("workload").and_then(|f| f.as_str())
        {
            scan.workload = Some(w.to_string());
        }
    });
    scan
}

/// Calls `f` with the body of every record of `log`; returns how many lines were not records.
pub(crate) fn for_each_record(log: &[u8], mut f: impl FnMut(&Fields<'_, '_>)) -> usize {
    let mut decoder = Decoder::new();
    let mut buf = Vec::new();
    let mut unreadable = 0;
    for line in log.split(|&b| b == b'\n') {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        buf.clear();
        buf.extend_from_slice(line);
        buf.resize(line.len() + INPUT_PADDING, b' ');
        let ok = decoder.with_envelope(&mut buf, Some(line.len()), |envelope| match envelope {
            Ok(envelope) => {
                f(envelope.fields());
                true
            }
            Err(_) => false,
        });
        if !ok {
            unreadable += 1;
        }
    }
    unreadable
}
