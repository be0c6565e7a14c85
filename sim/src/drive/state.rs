//! The cluster core's state, as parts that each own their fields and the operations on them:
//! the [`Wire`] (clock, timers, network, journal), the [`ClientSide`] (clients, worker threads,
//! generator, workload), the [`Partitions`] (nemesis and script), the extra [`Faults`],
//! Maelstrom's [`Services`], the [`History`], the nodes' [`Rejections`], and where the run is
//! ([`Progress`]). The test's timeline ([`crate::drive::phases`]) drives the parts; the public
//! [`Cluster`](crate::drive::cluster::Cluster) wraps it.

use crate::SimError;
use crate::config::SimConfig;
use crate::drive::clients::ClientSide;
use crate::drive::events::Phase;
use crate::drive::faults::Faults;
use crate::drive::nemesis::Partitions;
use crate::drive::wire::Wire;
use crate::history::History;
use crate::report::NodeError;
use crate::workloads::Setup;
use crate::workloads::generator::Generator;
use crate::world::endpoint::Endpoint;
use crate::world::rng::{self, Stream};
use crate::world::services::Services;
use glomers::time::Time;

/// Where the run is: its phase, the setup replies awaited, when the main phase started and
/// the nodes were torn down, and why the test aborted.
#[derive(Debug)]
pub(crate) struct Progress {
    /// The phase.
    pub(crate) phase: Phase,
    /// Setup replies still awaited in the `init` or `topology` step.
    pub(crate) setup_pending: usize,
    /// When the main phase started.
    pub(crate) main_start: Option<Time>,
    /// When the nodes were torn down.
    pub(crate) end: Option<Time>,
    /// Why the test aborted, if it did.
    pub(crate) abort: Option<String>,
}

/// The nodes that printed a line Maelstrom would have rejected: it stops reading them.
#[derive(Debug)]
pub(crate) struct Rejections {
    deaf: Vec<bool>,
    errors: Vec<NodeError>,
}

impl Rejections {
    fn new(n: u16) -> Rejections {
        Rejections {
            deaf: vec![false; usize::from(n)],
            errors: Vec::new(),
        }
    }

    /// Whether `node`'s output is no longer read.
    pub(crate) fn is_deaf(&self, node: u16) -> bool {
        self.deaf[usize::from(node)]
    }

    /// `node` printed `line` at `now`, rejected for `reason`: its output is no longer read.
    pub(crate) fn reject(&mut self, now: Time, node: u16, line: &[u8], reason: String) {
        self.deaf[usize::from(node)] = true;
        let mut text = String::from_utf8_lossy(line).into_owned();
        if text.len() > 200 {
            let cut = (0..=200)
                .rev()
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(0);
            text.truncate(cut);
            text.push('…');
        }
        self.errors.push(NodeError {
            node,
            time: now,
            line: text,
            reason,
        });
    }

    /// The rejected lines so far, in order.
    pub(crate) fn errors(&self) -> &[NodeError] {
        &self.errors
    }

    /// The rejected lines, in order.
    pub(crate) fn take_errors(&mut self) -> Vec<NodeError> {
        std::mem::take(&mut self.errors)
    }
}

/// Everything the cluster core holds.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) cfg: SimConfig,
    pub(crate) n: u16,
    pub(crate) wire: Wire,
    /// Maelstrom's services, on the network after the nodes.
    pub(crate) services: Services,
    pub(crate) history: History,
    pub(crate) clients: ClientSide,
    pub(crate) partitions: Partitions,
    pub(crate) faults: Faults,
    pub(crate) rejections: Rejections,
    pub(crate) progress: Progress,
}

impl State {
    /// The state at time zero, before anything was sent.
    pub(crate) fn new(cfg: &SimConfig) -> Result<State, SimError> {
        cfg.validate().map_err(SimError::Config)?;
        let n = cfg.node_count;
        let wire = Wire::new(cfg);
        let workload = cfg
            .workload
            .build(&Setup {
                options: &cfg.workload_options,
                node_count: n,
                threads: cfg.threads(),
                latency_ms: cfg.latency_ms,
            })
            .map_err(SimError::Config)?;
        let generator = Generator::new(
            rng::stream(cfg.seed, Stream::Workload),
            cfg.rate,
            cfg.op_lag,
        );
        let clients = ClientSide::new(workload, generator, cfg.threads(), cfg.client_timeout, n);
        Ok(State {
            cfg: cfg.clone(),
            n,
            wire,
            services: Services::new(cfg.seed),
            history: History::new(),
            clients,
            partitions: Partitions::new(cfg),
            faults: Faults::new(cfg),
            rejections: Rejections::new(n),
            progress: Progress {
                phase: Phase::Init,
                setup_pending: 0,
                main_start: None,
                end: None,
                abort: None,
            },
        })
    }

    /// The endpoint an id names, if it exists on the network now.
    pub(crate) fn endpoint(&self, id: &str) -> Option<Endpoint> {
        if let Some(i) = self.wire.names().iter().position(|name| name == id) {
            return Some(Endpoint::Node(i as u16));
        }
        match Endpoint::parse(id)? {
            Endpoint::Node(i) if i < self.n && self.cfg.node_names.is_empty() => {
                Some(Endpoint::Node(i))
            }
            Endpoint::Client(c) if self.clients.exists(c) => Some(Endpoint::Client(c)),
            Endpoint::Service(s) => Some(Endpoint::Service(s)),
            _ => None,
        }
    }

    /// The test aborts for `reason`.
    pub(crate) fn abort(&mut self, reason: String) {
        self.progress.abort = Some(reason);
        self.teardown();
    }

    /// Kills the nodes: nothing is sent, delivered or journaled any more.
    pub(crate) fn teardown(&mut self) {
        self.progress.phase = Phase::Done;
        self.progress.end = Some(self.wire.now);
        self.clients.close_all();
        self.wire.close();
    }
}
