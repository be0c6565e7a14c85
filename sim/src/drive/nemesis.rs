//! The partitions acting on the cluster ([`Partitions`]): Maelstrom's partition nemesis
//! during the main phase, or a fixed script of partitions, each recorded in the history as
//! Jepsen's nemesis records it; and the heal before the final phase.

use std::time::Duration;

use crate::config::SimConfig;
use crate::drive::clients::ns;
use crate::drive::events::Event;
use crate::drive::wire::Wire;
use crate::history::{History, OpF, OpType, OpValue, Process};
use crate::world::nemesis::{Nemesis, NemesisOp};
use crate::world::partition::Partition;
use crate::world::rng::{self, Stream};

/// The partition nemesis (if `--nemesis partition`) and the partition script.
#[derive(Debug)]
pub(crate) struct Partitions {
    nemesis: Option<Nemesis>,
    /// The nemesis will do nothing more before the time limit (or there is none).
    exhausted: bool,
    script: Vec<(Duration, Partition)>,
    n: u16,
}

impl Partitions {
    /// The partitions `cfg` asks for, none started.
    pub(crate) fn new(cfg: &SimConfig) -> Partitions {
        let nemesis = cfg
            .partition
            .then(|| Nemesis::new(rng::stream(cfg.seed, Stream::Nemesis), cfg.nemesis_interval));
        Partitions {
            exhausted: nemesis.is_none(),
            nemesis,
            script: cfg.partition_script.clone(),
            n: cfg.node_count,
        }
    }

    /// Whether the nemesis will do nothing more before the time limit.
    pub(crate) fn exhausted(&self) -> bool {
        self.exhausted
    }

    /// The main phase starts now: the nemesis acts at once, the script's entries when due.
    pub(crate) fn start(&mut self, wire: &mut Wire) {
        let now = wire.now;
        if self.nemesis.is_some() {
            wire.schedule(now, Event::Nemesis);
        }
        for (i, (after, _)) in self.script.iter().enumerate() {
            wire.schedule(now + *after, Event::Scripted(i));
        }
    }

    /// The nemesis acts: starts a partition or heals the network, then schedules its next
    /// step, unless that falls at or after `deadline`. Returns whether it is now exhausted.
    pub(crate) fn on_nemesis(
        &mut self,
        wire: &mut Wire,
        history: &mut History,
        deadline: glomers::time::Time,
    ) -> bool {
        if self.exhausted {
            return false;
        }
        let Some(nemesis) = self.nemesis.as_mut() else {
            return false;
        };
        let op = nemesis.next_op(self.n);
        let gap = nemesis.gap();
        let t = ns(wire.now);
        match op {
            NemesisOp::Start(shape, partition) => {
                let description = format!("[:isolated {partition}]");
                record(
                    history,
                    t,
                    OpF::START_PARTITION,
                    shape.name().into(),
                    description,
                );
                wire.net.set_partition(partition);
            }
            NemesisOp::Stop => {
                wire.net.heal();
                let healed = ":network-healed".into();
                record(history, t, OpF::STOP_PARTITION, String::new(), healed);
            }
        }
        let next = wire.now + gap;
        if next >= deadline {
            self.exhausted = true;
            true
        } else {
            wire.schedule(next, Event::Nemesis);
            false
        }
    }

    /// Entry `i` of the partition script is due, recorded in the history as the nemesis's
    /// steps are.
    pub(crate) fn on_scripted(&mut self, wire: &mut Wire, history: &mut History, i: usize) {
        let partition = self.script[i].1.clone();
        let t = ns(wire.now);
        if partition.is_healed() {
            wire.net.heal();
            let healed = ":network-healed".into();
            record(history, t, OpF::STOP_PARTITION, String::new(), healed);
        } else {
            let description = format!("[:isolated {partition}]");
            record(
                history,
                t,
                OpF::START_PARTITION,
                "scripted".into(),
                description,
            );
            wire.net.set_partition(partition);
        }
    }

    /// Before the final phase: the network heals, if partitions were in play.
    pub(crate) fn heal(&mut self, wire: &mut Wire, history: &mut History) {
        if self.nemesis.is_some() || !self.script.is_empty() {
            wire.net.heal();
            let t = ns(wire.now);
            let healed = ":network-healed".into();
            record(history, t, OpF::STOP_PARTITION, String::new(), healed);
        }
    }
}

/// Records a nemesis step as Jepsen does: its invocation and its completion, both `:info`.
fn record(history: &mut History, t: u64, f: OpF, value: String, result: String) {
    let p = Process::Nemesis;
    history.complete(t, p, OpType::Info, f, OpValue::Text(value), None);
    history.complete(t, p, OpType::Info, f, OpValue::Text(result), None);
}
