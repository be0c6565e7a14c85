//! The history as the kafka checker reads it: client completions of `send`, `poll`, `assign`
//! and `crash`, each with its invocation time, keys interned to small integers and messages as
//! integers, poll results flattened into one array. Memory is proportional to the history;
//! nothing is indexed by offset value (Maelstrom's analysis builds dense vectors indexed by
//! offset, which blows up on sparse offsets: jepsen-io/maelstrom#51).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;

use serde_json::Value;

use crate::history::{Op, OpType, OpValue, Process};
use crate::workloads::kafka::{ASSIGN, CRASH, POLL, SEND};

/// A small multiplicative hasher for the checker's integer-keyed maps (the default SipHash
/// dominates the analysis otherwise).
#[derive(Default, Clone, Copy)]
pub struct IntHasher(u64);

impl Hasher for IntHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_i64(&mut self, n: i64) {
        self.write_u64(n as u64);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

/// A `HashMap` with [`IntHasher`].
pub type IntMap<K, V> = HashMap<K, V, BuildHasherDefault<IntHasher>>;

/// A message: its integer value, or for any other JSON an interned id at the bottom of the
/// `i64` range ([`Parsed::msg_json`] gives it back).
pub type Msg = i64;

/// Interned key index.
pub type Key = u32;

const OTHER_BASE: i64 = i64::MIN / 2;

/// What a client operation does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `send`.
    Send,
    /// `poll`.
    Poll,
    /// `assign`.
    Assign,
    /// `crash`.
    Crash,
}

/// One completion.
#[derive(Clone, Debug)]
pub struct Completion {
    /// Its index in the history.
    pub index: usize,
    /// `:ok`, `:fail` or `:info`.
    pub kind: OpType,
    /// Its operation.
    pub f: Kind,
    /// Jepsen's process.
    pub process: u64,
    /// Completion time, ns.
    pub time: u64,
    /// The invocation's time, ns.
    pub invoked: u64,
    /// A send's key, message and (for `:ok`) offset.
    pub send: Option<(Key, Msg, Option<i64>)>,
    /// An `:ok` poll's per-key lists: a range of [`Parsed::reads`].
    pub reads: Range<u32>,
    /// An assign's keys: a range of [`Parsed::assigned`].
    pub assigned: Range<u32>,
    /// The completion's error, if any.
    pub error: Option<String>,
}

/// One key's list in one poll: a range of [`Parsed::pairs`].
#[derive(Clone, Copy, Debug)]
pub struct ReadList {
    /// The key.
    pub key: Key,
    /// Its `[offset, msg]` pairs.
    pub start: u32,
    /// How many.
    pub len: u32,
}

/// The parsed history.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Completions in history order.
    pub ops: Vec<Completion>,
    /// Every poll's lists.
    pub reads: Vec<ReadList>,
    /// Every returned `(offset, msg)`.
    pub pairs: Vec<(i64, Msg)>,
    /// Every assigned key list, flattened.
    pub assigned: Vec<Key>,
    /// Key names by index.
    pub keys: Vec<String>,
    key_ids: HashMap<String, Key>,
    others: Vec<String>,
    other_ids: HashMap<String, i64>,
}

impl Parsed {
    /// Parses the client operations of `ops`.
    pub fn new(ops: &[Op]) -> Parsed {
        let mut p = Parsed::default();
        let mut invoked: IntMap<u64, u64> = IntMap::default();
        for op in ops {
            let Process::Client(process) = op.process else {
                continue;
            };
            let f = match op.f {
                SEND => Kind::Send,
                POLL => Kind::Poll,
                ASSIGN => Kind::Assign,
                CRASH => Kind::Crash,
                _ => continue,
            };
            if op.kind == OpType::Invoke {
                invoked.insert(process, op.time_ns);
                continue;
            }
            let mut c = Completion {
                index: op.index,
                kind: op.kind,
                f,
                process,
                time: op.time_ns,
                invoked: invoked.get(&process).copied().unwrap_or(op.time_ns),
                send: None,
                reads: 0..0,
                assigned: 0..0,
                error: op.error.clone(),
            };
            let value = match &op.value {
                OpValue::Json(v) => Some(v),
                _ => None,
            };
            match (f, value) {
                (Kind::Send, Some(v)) => c.send = p.send_of(v),
                (Kind::Poll, Some(v)) if op.kind == OpType::Ok => {
                    let start = p.reads.len() as u32;
                    p.push_reads(v);
                    c.reads = start..p.reads.len() as u32;
                }
                (Kind::Assign, Some(Value::Array(keys))) => {
                    let start = p.assigned.len() as u32;
                    for k in keys.iter().filter_map(Value::as_str) {
                        let k = p.key(k);
                        p.assigned.push(k);
                    }
                    c.assigned = start..p.assigned.len() as u32;
                }
                _ => {}
            }
            p.ops.push(c);
        }
        p
    }

    /// The interned index of key `name`.
    pub fn key(&mut self, name: &str) -> Key {
        if let Some(k) = self.key_ids.get(name) {
            return *k;
        }
        let k = self.keys.len() as Key;
        self.keys.push(name.to_string());
        self.key_ids.insert(name.to_string(), k);
        k
    }

    fn msg(&mut self, v: &Value) -> Msg {
        if let Some(i) = v.as_i64().filter(|i| *i > OTHER_BASE) {
            return i;
        }
        let text = v.to_string();
        if let Some(m) = self.other_ids.get(&text) {
            return *m;
        }
        let m = OTHER_BASE - 1 - self.others.len() as i64;
        self.others.push(text.clone());
        self.other_ids.insert(text, m);
        m
    }

    /// A message as JSON.
    pub fn msg_json(&self, m: Msg) -> Value {
        if m > OTHER_BASE {
            return Value::from(m);
        }
        let i = (OTHER_BASE - 1 - m) as usize;
        self.others
            .get(i)
            .and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or(Value::Null)
    }

    /// `[["send", key, msg]]` or `[["send", key, [offset, msg]]]`.
    fn send_of(&mut self, v: &Value) -> Option<(Key, Msg, Option<i64>)> {
        let key = v.pointer("/0/1")?.as_str()?;
        let key = self.key(key);
        let sent = v.pointer("/0/2")?;
        match sent.as_array().map(Vec::as_slice) {
            Some([o, m]) => {
                let m = self.msg(m);
                Some((key, m, o.as_i64()))
            }
            _ => Some((key, self.msg(sent), None)),
        }
    }

    /// `[["poll", {key: [[offset, msg], …]}]]`.
    fn push_reads(&mut self, v: &Value) {
        let Some(msgs) = v.pointer("/0/1").and_then(Value::as_object) else {
            return;
        };
        for (key, pairs) in msgs {
            let key = self.key(key);
            let start = self.pairs.len() as u32;
            for pair in pairs.as_array().into_iter().flatten() {
                if let Some([o, m]) = pair.as_array().map(Vec::as_slice) {
                    let m = self.msg(m);
                    self.pairs.push((o.as_i64().unwrap_or(-1), m));
                }
            }
            let len = self.pairs.len() as u32 - start;
            self.reads.push(ReadList { key, start, len });
        }
    }

    /// The pairs of one list.
    pub fn pairs_of(&self, r: &ReadList) -> &[(i64, Msg)] {
        &self.pairs[r.start as usize..(r.start + r.len) as usize]
    }

    /// The lists of completion `c`.
    pub fn reads_of(&self, c: &Completion) -> &[ReadList] {
        &self.reads[c.reads.start as usize..c.reads.end as usize]
    }

    /// The keys of assign `c`.
    pub fn assigned_of(&self, c: &Completion) -> &[Key] {
        &self.assigned[c.assigned.start as usize..c.assigned.end as usize]
    }
}
