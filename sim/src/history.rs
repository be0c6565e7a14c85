//! The history: Jepsen's record of operations, one entry per invocation and one per
//! completion, in the order the interpreter saw them. Checkers read nothing else.
//!
//! Times are nanoseconds since the run started. An invocation's time is its scheduled dispatch
//! time; a completion's is when the reply (or the timeout) reached the client.

use std::fmt;

/// The kind of history entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpType {
    /// The operation started.
    Invoke,
    /// It succeeded.
    Ok,
    /// It certainly did not happen.
    Fail,
    /// Unknown whether it happened (timeout, indefinite error, malformed reply).
    Info,
}

impl OpType {
    /// Jepsen's keyword for it.
    pub fn name(self) -> &'static str {
        match self {
            OpType::Invoke => "invoke",
            OpType::Ok => "ok",
            OpType::Fail => "fail",
            OpType::Info => "info",
        }
    }
}

/// What an operation does (Jepsen's `:f`), by Maelstrom's name. The set is open: a workload
/// names its own (`const ADD: OpF = OpF::new("add")`). Ordered by name, as Maelstrom's
/// `:stats` lists them.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OpF(&'static str);

impl OpF {
    /// Echo workload.
    pub const ECHO: OpF = OpF("echo");
    /// Unique-ids workload.
    pub const GENERATE: OpF = OpF("generate");
    /// Broadcast a value (the set checker's add).
    pub const BROADCAST: OpF = OpF("broadcast");
    /// Read every value a node holds.
    pub const READ: OpF = OpF("read");
    /// Nemesis: start a partition.
    pub const START_PARTITION: OpF = OpF("start-partition");
    /// Nemesis: heal the network.
    pub const STOP_PARTITION: OpF = OpF("stop-partition");
    /// The nemesis kills nodes (Jepsen's `db-package`).
    pub const KILL: OpF = OpF("kill");
    /// The nemesis starts the nodes it killed.
    pub const START: OpF = OpF("start");
    /// The nemesis pauses nodes.
    pub const PAUSE: OpF = OpF("pause");
    /// The nemesis resumes paused nodes.
    pub const RESUME: OpF = OpF("resume");

    /// The operation Maelstrom calls `name`.
    pub const fn new(name: &'static str) -> OpF {
        OpF(name)
    }

    /// Maelstrom's name for it.
    pub fn name(self) -> &'static str {
        self.0
    }
}

impl fmt::Debug for OpF {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// Who performed an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Process {
    /// A client worker's process number (thread t starts as t, and gains `concurrency` after
    /// each `:info`).
    Client(u64),
    /// The nemesis.
    Nemesis,
}

/// The values a read returned, split into what the set checker compares (integers) and the
/// rest (kept as JSON text; never equal to a broadcast value).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadValues {
    /// Integer elements, in the order the node listed them.
    pub ints: Vec<i64>,
    /// Every other element, as compact JSON text.
    pub other: Vec<String>,
}

/// An operation's value.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum OpValue {
    /// No value (a read's invocation, a generate's invocation, failures).
    #[default]
    None,
    /// A broadcast value.
    Int(i64),
    /// An echo payload, or a nemesis description.
    Text(String),
    /// What a read returned.
    Read(ReadValues),
    /// A generated id, or a returned echo, as JSON.
    Json(serde_json::Value),
}

/// One history entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Op {
    /// Position in the history.
    pub index: usize,
    /// Invocation or completion type.
    pub kind: OpType,
    /// What the operation does.
    pub f: OpF,
    /// Who did it.
    pub process: Process,
    /// Nanoseconds since the run started.
    pub time_ns: u64,
    /// The operation's value.
    pub value: OpValue,
    /// For failures: `[name text]`, `net-timeout` or the exception, as text.
    pub error: Option<String>,
    /// Whether this is one of the broadcast workload's final reads.
    pub final_read: bool,
}

impl Op {
    /// Whether the operation is a client's (not the nemesis's).
    pub fn is_client(&self) -> bool {
        matches!(self.process, Process::Client(_))
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let process = match self.process {
            Process::Client(p) => p.to_string(),
            Process::Nemesis => "nemesis".into(),
        };
        write!(
            f,
            "{} {} :{} :{} {:?}",
            self.index,
            process,
            self.kind.name(),
            self.f.name(),
            self.value
        )?;
        if let Some(e) = &self.error {
            write!(f, " {e}")?;
        }
        Ok(())
    }
}

/// A history under construction: entries get their index as they are appended.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    ops: Vec<Op>,
}

impl History {
    /// An empty history.
    pub fn new() -> History {
        History::default()
    }

    /// Appends an invocation and returns its index.
    pub fn invoke(&mut self, time_ns: u64, process: Process, f: OpF, value: OpValue) -> usize {
        self.push(Op {
            index: 0,
            kind: OpType::Invoke,
            f,
            process,
            time_ns,
            value,
            error: None,
            final_read: false,
        })
    }

    /// Appends a completion and returns its index.
    pub fn complete(
        &mut self,
        time_ns: u64,
        process: Process,
        kind: OpType,
        f: OpF,
        value: OpValue,
        error: Option<String>,
    ) -> usize {
        self.push(Op {
            index: 0,
            kind,
            f,
            process,
            time_ns,
            value,
            error,
            final_read: false,
        })
    }

    /// Appends `op`, overwriting its index, and returns that index.
    pub fn push(&mut self, mut op: Op) -> usize {
        op.index = self.ops.len();
        self.ops.push(op);
        self.ops.len() - 1
    }

    /// Marks entry `index` as a final read.
    pub fn mark_final(&mut self, index: usize) {
        self.ops[index].final_read = true;
    }

    /// Every entry, in order.
    pub fn ops(&self) -> &[Op] {
        &self.ops
    }

    /// How many client invocations the history holds (Maelstrom's op-count for msgs-per-op).
    pub fn client_invocations(&self) -> u64 {
        self.ops
            .iter()
            .filter(|o| o.kind == OpType::Invoke && o.is_client())
            .count() as u64
    }
}
