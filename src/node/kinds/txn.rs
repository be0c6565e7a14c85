//! The transaction workload (challenges 6a–6c, Maelstrom's txn-rw-register,
//! `maelstrom/src/maelstrom/workload/txn_rw_register.clj`): totally available
//! read-uncommitted and read-committed transactions over registers.
//!
//! A `txn` runs entirely on the node that receives it and is answered at once, `txn_ok`, even
//! when the node is cut off from every peer: nothing waits for another node, nothing aborts.
//!
//! ## How it works
//! - Every node keeps a Lamport clock: it advances past the timestamp of every transaction the
//!   node stores. A transaction that writes gets `ts = clock + 1` and the id `(ts, node)`.
//! - Reads are served from the local store, except that a read of a key the transaction has
//!   already written returns that write (its own write, not yet visible to anyone else).
//! - When the transaction ends, its *final* write to each key becomes a [`TxnRecord`]
//!   `(ts, node, writes)`, which is applied to the local store at once and disseminated as one
//!   item by the gossip engine (`"txns":[[ts, node, [[k, v], …]], …]` on the wire) (batched rounds, per-link acknowledgements, resends
//!   of what is missing). A receiving node applies a record's writes all at once, within the
//!   handling of one message.
//! - Per key the store keeps the write of the highest `(ts, node)`: a total order every node
//!   agrees on, so all nodes converge to the same state once they hold the same records.
//! - A record all of whose writes were overwritten is superseded: the engine stops sending it,
//!   because the records that overwrote it are on their way to every node anyway; one that
//!   arrives already overwritten everywhere it writes is not stored at all.
//!
//! ## Why no G0, G1a, G1b or G1c (read uncommitted and read committed)
//! - **Timestamps follow dependencies.** A record is applied to a node before any transaction
//!   there can read it, and applying it moves the clock to at least its `ts`. So a transaction
//!   that reads a value, or overwrites one in its node's store, gets a larger `ts` than that
//!   value's writer: every wr edge (T₂ read T₁'s write) and every ww edge Elle can infer (T₂
//!   read T₁'s value of k and wrote k) goes from a smaller to a larger `ts`. Read-only
//!   transactions write nothing, so no edge leaves them.
//! - **G0 (write cycle) and G1c (cycle of ww and wr edges)**: a cycle would need `ts` to
//!   increase all the way round, which is impossible. (Independently of the timestamps: a
//!   transaction runs at one instant on one node, and an edge T₁ → T₂ means T₁'s record was
//!   applied there before T₂ ran, so edges also follow the order in which transactions ran.)
//!   For the same reason the version order Elle infers from "writes follow reads" (a
//!   transaction read k = v₁ then wrote k = v₂) always increases in `ts`, so there are no
//!   `:cyclic-versions` either, and the version order agrees with the one every node applies.
//! - **G1a (aborted read)**: no transaction ever aborts. A malformed request is refused whole by
//!   the decoder before anything runs (error 12), and nothing of it is applied or sent.
//! - **G1b (intermediate read)**: only a transaction's final write of each key leaves it; its
//!   intermediate writes are visible to its own later reads only.
//! - Beyond the models asked for, a node also never shows part of a remote transaction (its
//!   writes are applied together), and its own reads of a key see its own latest write.
//!
//! Two concurrent transactions writing the same key on two sides of a partition both succeed;
//! the one with the higher `(ts, node)` wins everywhere after the heal (a lost update, which
//! read committed allows and Maelstrom does not report for these models).

use hashbrown::HashMap;

use crate::node::kind::{Inserted, Kind, Refusal};
use crate::wire::{DecodeErrorKind, Field, Fields, Value, write_joined, write_u64};

/// The writes of one committed transaction, as gossiped: `[ts, node, [[k, v], …]]` on the wire.
///
/// `(ts, node)` identifies the transaction and orders conflicting writes: per key, the write of
/// the transaction with the highest `(ts, node)` wins on every node. Only each key's final
/// write in the transaction is listed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TxnRecord {
    /// The transaction's Lamport timestamp.
    pub ts: u64,
    /// The index of the node that ran it.
    pub node: u16,
    /// `(key, value)` for each key it wrote, each key once.
    pub writes: Vec<(Value, Value)>,
}

/// A micro-operation's function: `"r"` or `"w"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OpKind {
    /// `"r"`: read the key.
    Read,
    /// `"w"`: write the key.
    Write,
}

/// One micro-operation of a transaction: `["r", key, value-or-null]` or `["w", key, value]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MicroOp {
    /// Read or write.
    pub f: OpKind,
    /// The key (Maelstrom sends integers; any JSON value is kept as [`Value`]).
    pub key: Value,
    /// The value written, or the value read (`None` is JSON `null`: not read yet, or never
    /// written).
    pub value: Option<Value>,
}

const TXN: &str = "an array of [\"r\" or \"w\", key, value] triples";

/// A `txn` request: every micro-op is `["r", key, value]` or `["w", key, value]`; the value
/// of a read is ignored (Maelstrom sends `null`), that of a write kept (`null` included).
fn txn_from(v: Field<'_, '_>) -> Result<Vec<MicroOp>, DecodeErrorKind> {
    let bad = || DecodeErrorKind::Invalid {
        field: "txn",
        expected: TXN,
    };
    v.elements()
        .ok_or_else(bad)?
        .map(|op| {
            let [f, key, value] = op.exactly().ok_or_else(bad)?;
            let (f, value) = match f.as_str() {
                Some("r") => (OpKind::Read, None),
                Some("w") => (OpKind::Write, Some(value.value())),
                _ => return Err(bad()),
            };
            Ok(MicroOp {
                f,
                key: key.value(),
                value,
            })
        })
        .collect()
}

/// The write that currently wins for one key.
#[derive(Clone, Copy, Debug)]
struct Winner {
    ts: u64,
    node: u16,
    /// The record's position, and the write's index in it.
    pos: u32,
    index: u32,
}

/// Every transaction record this node holds, and per key the winning write.
#[derive(Debug, Default)]
pub struct Txn {
    /// Records in arrival order (positions never move). A superseded record's writes are
    /// dropped to save memory: it is never sent again.
    records: Vec<TxnRecord>,
    /// `(ts, node)` → position, to recognise a record seen before.
    ids: HashMap<(u64, u16), u32>,
    /// For each record, how many of its writes still win.
    live: Vec<u32>,
    keys: HashMap<Value, Winner>,
    /// The Lamport clock: at least the `ts` of every record stored.
    clock: u64,
    /// Positions superseded since the engine last asked.
    superseded: Vec<u32>,
}

impl Txn {
    /// Every record (gossip positions index this).
    pub fn records(&self) -> &[TxnRecord] {
        &self.records
    }

    /// The value of `key` in the store, if it was ever written.
    pub fn read(&self, key: &Value) -> Option<&Value> {
        let w = self.keys.get(key)?;
        let record = self.records.get(w.pos as usize)?;
        record.writes.get(w.index as usize).map(|(_, v)| v)
    }

    /// Runs `txn` as node `me`: fills in its reads and returns the record of its final writes,
    /// if it wrote anything. The caller stores the record (through the engine) before handling
    /// anything else, which makes the transaction atomic.
    fn execute(&self, me: u16, txn: &mut [MicroOp]) -> Option<TxnRecord> {
        // The transaction's writes so far, each key once, and where each key stands in it.
        let mut own: Vec<(Value, Value)> = Vec::new();
        let mut slot: HashMap<Value, usize> = HashMap::new();
        for op in txn.iter_mut() {
            match op.f {
                OpKind::Read => {
                    op.value = match slot.get(&op.key) {
                        Some(&i) => Some(own[i].1.clone()),
                        None => self.read(&op.key).cloned(),
                    };
                }
                OpKind::Write => {
                    let value = op.value.clone().unwrap_or(Value::Json("null".into()));
                    match slot.get(&op.key) {
                        Some(&i) => own[i].1 = value,
                        None => {
                            slot.insert(op.key.clone(), own.len());
                            own.push((op.key.clone(), value));
                        }
                    }
                }
            }
        }
        (!own.is_empty()).then(|| TxnRecord {
            ts: self.clock.saturating_add(1),
            node: me,
            writes: own,
        })
    }

    /// Whether `(ts, node)` beats the current winner of `key`.
    fn wins(&self, key: &Value, ts: u64, node: u16) -> bool {
        self.keys
            .get(key)
            .is_none_or(|w| (ts, node) > (w.ts, w.node))
    }
}

impl Kind for Txn {
    const NAME: &'static str = "txn-rw-register";
    const ALIASES: &'static [&'static str] = &["txn"];
    const REQUESTS: &'static [&'static str] = &["txn"];
    const FIELD: &'static str = "txns";
    const FIELD_EXPECTED: &'static str = "an array of [ts, node, [[key, value], ...]]";

    type Item = TxnRecord;
    /// The micro-operations, in order; reads carry no value yet.
    type Request = Vec<MicroOp>;
    /// The transaction as executed, reads filled in (`txn_ok`).
    type Reply = Vec<MicroOp>;

    fn decode_request(
        kind: &str,
        fields: &Fields<'_, '_>,
    ) -> Option<Result<Vec<MicroOp>, DecodeErrorKind>> {
        (kind == "txn").then(|| Field::required(fields.get("txn"), "txn").and_then(txn_from))
    }

    fn request_type(_: &Vec<MicroOp>) -> &'static str {
        "txn"
    }

    fn tells(_: &Vec<MicroOp>) -> bool {
        true
    }

    fn decode_item(item: Field<'_, '_>) -> Option<TxnRecord> {
        let [ts, node, writes] = item.exactly()?;
        let writes = writes
            .elements()?
            .map(|w| w.exactly().map(|[k, v]| (k.value(), v.value())))
            .collect::<Option<Vec<_>>>()?;
        Some(TxnRecord {
            ts: ts.as_u64()?,
            node: u16::try_from(node.as_u64()?).ok()?,
            writes,
        })
    }

    fn accepts(item: &TxnRecord, nodes: usize) -> bool {
        usize::from(item.node) < nodes
    }

    /// Runs the transaction at once against the local store; its record (if it wrote) is
    /// stored and spread by the engine before anything else happens.
    fn serve(
        &self,
        me: u16,
        mut txn: Vec<MicroOp>,
    ) -> Result<(Vec<MicroOp>, Option<TxnRecord>), Refusal> {
        let record = self.execute(me, &mut txn);
        Ok((txn, record))
    }

    /// `"txn_ok","txn":[["r",k,v],["w",k,v],…]`, `null` for a read of nothing.
    fn write_reply(&self, txn: &Vec<MicroOp>, out: &mut Vec<u8>) {
        out.extend_from_slice(b"\"txn_ok\",\"txn\":");
        write_joined(out, txn.iter(), |out, op| {
            out.extend_from_slice(match op.f {
                OpKind::Read => b"[\"r\",",
                OpKind::Write => b"[\"w\",",
            });
            op.key.write_json(out);
            out.push(b',');
            match &op.value {
                Some(v) => v.write_json(out),
                None => out.extend_from_slice(b"null"),
            }
            out.push(b']');
        });
    }

    /// `[[ts,node,[[k,v],…]],…]`.
    fn write_items(&self, positions: &[u32], out: &mut Vec<u8>) {
        let records = &self.records;
        let picked = positions.iter().filter_map(|&p| records.get(p as usize));
        write_joined(out, picked, |out, r| {
            out.push(b'[');
            write_u64(out, r.ts);
            out.push(b',');
            write_u64(out, u64::from(r.node));
            out.push(b',');
            write_joined(out, r.writes.iter(), |out, (k, v)| {
                out.push(b'[');
                k.write_json(out);
                out.push(b',');
                v.write_json(out);
                out.push(b']');
            });
            out.push(b']');
        });
    }

    fn insert(&mut self, mut record: TxnRecord) -> Inserted {
        let id = (record.ts, record.node);
        if let Some(&pos) = self.ids.get(&id) {
            return Inserted::Known(pos);
        }
        self.clock = self.clock.max(record.ts);
        // A record listing a key twice keeps its last write of it (ours never do).
        let keep: Vec<bool> = {
            let mut seen = hashbrown::HashSet::new();
            let mut keep: Vec<bool> = (record.writes.iter().rev())
                .map(|(k, _)| seen.insert(k))
                .collect();
            keep.reverse();
            keep
        };
        let mut keep = keep.into_iter();
        record.writes.retain(|_| keep.next().unwrap_or(true));
        if !record
            .writes
            .iter()
            .any(|(k, _)| self.wins(k, record.ts, record.node))
        {
            return Inserted::Stale;
        }
        let pos = self.records.len() as u32;
        let mut live = 0;
        for (index, (key, _)) in record.writes.iter().enumerate() {
            if !self.wins(key, record.ts, record.node) {
                continue;
            }
            let winner = Winner {
                ts: record.ts,
                node: record.node,
                pos,
                index: index as u32,
            };
            live += 1;
            if let Some(old) = self.keys.insert(key.clone(), winner) {
                let left = &mut self.live[old.pos as usize];
                *left -= 1;
                if *left == 0 {
                    self.superseded.push(old.pos);
                    self.records[old.pos as usize].writes = Vec::new();
                }
            }
        }
        self.records.push(record);
        self.live.push(live);
        self.ids.insert(id, pos);
        Inserted::New(pos)
    }

    fn len(&self) -> usize {
        self.records.len()
    }

    fn is_live(&self, pos: u32) -> bool {
        self.live.get(pos as usize).is_some_and(|&n| n > 0)
    }

    fn drain_superseded(&mut self, out: &mut Vec<u32>) {
        out.append(&mut self.superseded);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(f: OpKind, key: i64, value: Option<i64>) -> MicroOp {
        MicroOp {
            f,
            key: Value::Int(key),
            value: value.map(Value::Int),
        }
    }

    fn r(key: i64) -> MicroOp {
        op(OpKind::Read, key, None)
    }

    fn w(key: i64, value: i64) -> MicroOp {
        op(OpKind::Write, key, Some(value))
    }

    fn record(ts: u64, node: u16, writes: &[(i64, i64)]) -> TxnRecord {
        TxnRecord {
            ts,
            node,
            writes: writes
                .iter()
                .map(|&(k, v)| (Value::Int(k), Value::Int(v)))
                .collect(),
        }
    }

    fn run(s: &mut Txn, me: u16, mut txn: Vec<MicroOp>) -> Vec<MicroOp> {
        if let Some(rec) = s.execute(me, &mut txn) {
            assert!(matches!(s.insert(rec), Inserted::New(_)));
        }
        txn
    }

    #[test]
    fn reads_see_own_writes_and_only_final_writes_leave() {
        let mut s = Txn::default();
        let mut txn = vec![r(1), w(1, 5), r(1), w(1, 6), w(2, 7), r(3)];
        let rec = s.execute(0, &mut txn).expect("writes");
        assert_eq!(txn[0].value, None);
        assert_eq!(txn[2].value, Some(Value::Int(5)));
        assert_eq!(txn[5].value, None);
        assert_eq!(rec, record(1, 0, &[(1, 6), (2, 7)]));
        // Nothing is visible before the record is stored.
        assert_eq!(s.read(&Value::Int(1)), None);
        s.insert(rec);
        let out = run(&mut s, 0, vec![r(1), r(2)]);
        assert_eq!(out[0].value, Some(Value::Int(6)));
        assert_eq!(out[1].value, Some(Value::Int(7)));
    }

    #[test]
    fn the_highest_ts_then_node_wins_in_any_arrival_order() {
        let records = [
            record(3, 1, &[(1, 10), (2, 20)]),
            record(3, 0, &[(1, 11)]),
            record(2, 5, &[(2, 21), (3, 30)]),
        ];
        for order in [[0, 1, 2], [2, 1, 0], [1, 2, 0]] {
            let mut s = Txn::default();
            for i in order {
                s.insert(records[i].clone());
            }
            let read = |k| s.read(&Value::Int(k)).cloned();
            assert_eq!(read(1), Some(Value::Int(10)), "{order:?}");
            assert_eq!(read(2), Some(Value::Int(20)), "{order:?}");
            assert_eq!(read(3), Some(Value::Int(30)), "{order:?}");
        }
    }

    #[test]
    fn a_transaction_is_stamped_after_everything_it_read_or_overwrote() {
        let mut s = Txn::default();
        s.insert(record(41, 3, &[(1, 1)]));
        let mut txn = vec![r(1), w(1, 2)];
        let rec = s.execute(0, &mut txn).expect("writes");
        assert!(rec.ts > 41);
        assert_eq!(s.insert(rec), Inserted::New(1));
        assert_eq!(s.read(&Value::Int(1)), Some(&Value::Int(2)));
        // Read-only transactions make no record.
        assert!(s.execute(0, &mut [r(1), r(9)]).is_none());
    }

    #[test]
    fn a_record_listing_a_key_twice_keeps_its_last_write() {
        let mut s = Txn::default();
        s.insert(record(1, 1, &[(1, 1), (2, 2), (1, 3)]));
        assert_eq!(s.read(&Value::Int(1)), Some(&Value::Int(3)));
        assert_eq!(s.records()[0], record(1, 1, &[(2, 2), (1, 3)]));
    }

    #[test]
    fn overwritten_records_are_superseded_and_stale_ones_refused() {
        let mut s = Txn::default();
        assert_eq!(s.insert(record(1, 0, &[(1, 1), (2, 1)])), Inserted::New(0));
        assert_eq!(s.insert(record(2, 0, &[(1, 2)])), Inserted::New(1));
        let mut gone = Vec::new();
        s.drain_superseded(&mut gone);
        assert!(gone.is_empty(), "key 2 still reads record 0");
        assert_eq!(s.insert(record(3, 1, &[(2, 3)])), Inserted::New(2));
        s.drain_superseded(&mut gone);
        assert_eq!(gone, [0]);
        assert!(!s.is_live(0) && s.is_live(1));
        assert_eq!(s.insert(record(1, 1, &[(1, 9)])), Inserted::Stale);
        assert_eq!(s.insert(record(2, 0, &[(1, 2)])), Inserted::Known(1));
        assert_eq!(s.read(&Value::Int(1)), Some(&Value::Int(2)));
        assert_eq!(s.read(&Value::Int(2)), Some(&Value::Int(3)));
    }
}
