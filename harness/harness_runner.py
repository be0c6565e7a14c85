"""One test run end to end (spec §9): setup, main phase, nemesis, final phase,
teardown, then the checkers.

Setup starts the nodes, sends ``init`` (10 s) and, for broadcast,
``topology`` (5 s). The main phase dispatches ops on one global
``U(0, 2/rate)`` schedule to free client threads, with the optional
partition nemesis running beside it. Broadcast then waits idle, heals,
waits 10 s and runs one final read per thread. Teardown closes clients,
heals, notes crashed nodes and SIGKILLs every node.
"""

import json
import os
import random
import tempfile
import threading
import time

from harness_checkers import (availability_checker, echo_checker, merge_valid,
                              net_stats, op_count, set_full, stats_checker, unique_ids)
from harness_cli import node_ids, parse_concurrency
from harness_clients import History, RpcClient, Worker, Workload
from harness_net import Journal, LatencyModel, Network, now_ns
from harness_nodes import NodeProcess, resolve_bin
from harness_report import flatten, log
from harness_rpc import validate_reply, MalformedReply
from harness_shapes import random_partition, topology

INIT_TIMEOUT_S = 10.0
TOPOLOGY_TIMEOUT_S = 5.0
RECOVERY_S = 10.0


class Aborted(Exception):
    """The test aborts without analysis (setup failure, crashed node)."""


class Runner:
    """Runs one test end to end and returns the result dict."""

    def __init__(self, opts):
        self.opts = opts
        self.t0 = now_ns()
        self.nodes = node_ids(opts.node_count)
        self.concurrency = parse_concurrency(opts.concurrency, len(self.nodes))
        seed = opts.seed
        self.rng_ops = random.Random("%d:ops" % seed)
        self.rng_sched = random.Random("%d:schedule" % seed)
        self.rng_nemesis = random.Random("%d:nemesis" % seed)
        self.workload = Workload(opts.workload, self.rng_ops)
        self.history = History()
        self.violations = []
        self.results_dir = opts.results_dir or tempfile.mkdtemp(prefix="maelstrom-harness-")
        os.makedirs(os.path.join(self.results_dir, "node-logs"), exist_ok=True)
        journal_path = os.path.join(self.results_dir, "journal.jsonl") if opts.journal else None
        self.journal = Journal(journal_path, self.t0)
        latency = LatencyModel(opts.latency, opts.latency_dist,
                               random.Random("%d:latency" % seed))
        self.network = Network(latency, self.journal)
        self.procs = {}
        self.workers = []
        self.free_cond = threading.Condition()
        self.nemesis_thread = None
        self.partitioned = False
        self.teardown_started = False

    # -- setup ---------------------------------------------------------------
    def start_nodes(self):
        """Spawn every node (cwd = temp dir, stderr -> node-logs/<node>.log)."""
        argv = [resolve_bin(self.opts.bin)] + list(self.opts.args)
        cwd = tempfile.gettempdir()
        for node in self.nodes:
            log_path = os.path.join(self.results_dir, "node-logs", node + ".log")
            p = NodeProcess(node, argv, cwd, log_path, self.network, self.violations, self.t0)
            p.start()
            self.procs[node] = p
            self.network.add_node(node, p.write_line)

    def _parallel_rpc(self, f, values, timeout_s, check):
        """One fresh client per node (allocated in node order), calls in
        parallel, clients closed on reply; ``check(node, reply)`` raises
        ``Aborted`` on failure."""
        clients = [RpcClient(self.network, node) for node in self.nodes]
        errors = {}

        def one(client, node):
            try:
                reply, _ = client.call(f, values[node], timeout_s)
                client.close()
                check(node, reply)
            except Aborted as e:
                errors[node] = str(e)

        threads = [threading.Thread(target=one, args=(c, n), daemon=True)
                   for c, n in zip(clients, self.nodes)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise Aborted("; ".join("%s: %s" % kv for kv in sorted(errors.items())))

    def init_nodes(self):
        """Send init to every node in parallel; abort without init_ok in 10 s."""
        def check(node, reply):
            if reply is None:
                raise Aborted("no init_ok within %gs" % INIT_TIMEOUT_S)
            if reply.get("type") != "init_ok":
                raise Aborted("bad init reply %s" % json.dumps(reply))

        values = {n: (n, self.nodes) for n in self.nodes}
        self._parallel_rpc("init", values, INIT_TIMEOUT_S, check)

    def send_topology(self):
        """Broadcast only: topology to every node; abort without topology_ok in 5 s."""
        topo = topology(self.opts.topology, self.nodes)

        def check(node, reply):
            if reply is None:
                raise Aborted("no topology_ok within %gs" % TOPOLOGY_TIMEOUT_S)
            try:
                validate_reply(reply, "topology_ok")
            except MalformedReply as e:
                raise Aborted("bad topology reply: %s" % e) from None

        self._parallel_rpc("topology", {n: topo for n in self.nodes},
                           TOPOLOGY_TIMEOUT_S, check)

    # -- client threads ---------------------------------------------------------
    def mark_free(self, worker):
        with self.free_cond:
            worker.busy = False
            self.free_cond.notify_all()

    def wait_idle(self):
        """Block until no client thread has an outstanding op."""
        with self.free_cond:
            while any(w.busy for w in self.workers):
                self.free_cond.wait()

    def _dispatch(self, worker, f, value, t, final=False):
        """Record the invocation (time ``t``) and hand it to ``worker``."""
        inv = {"type": "invoke", "f": f, "value": value, "process": worker.process,
               "time": t - self.t0}
        if final:
            inv["final"] = True
        self.history.append(inv)
        worker.inbox.put(inv)

    def main_phase(self):
        """Global stagger: gaps U(0, 2/rate) (+ lag), round-robin over free
        threads, no op at/after the time limit (counted from the first op)."""
        opts = self.opts
        start = now_ns()
        self.main_start = start
        limit = start + int(opts.time_limit * 1e9)
        self.main_limit = limit
        if opts.nemesis == "partition":
            self.nemesis_thread = threading.Thread(target=self._nemesis, args=(start, limit),
                                                   daemon=True, name="nemesis")
            self.nemesis_thread.start()
        if opts.rate <= 0:
            time.sleep(max(0, (limit - now_ns()) / 1e9))
            return
        lag_ns = int(opts.op_lag_ms * 1e6)
        next_t, rr, n = start, 0, len(self.workers)
        while next_t < limit:
            delay = next_t - now_ns()
            if delay > 0:
                time.sleep(delay / 1e9)
            waited = False
            with self.free_cond:
                while all(w.busy for w in self.workers):
                    waited = True
                    self.free_cond.wait()
                for i in range(n):
                    w = self.workers[(rr + i) % n]
                    if not w.busy:
                        break
                base = now_ns() if waited else next_t
                if base >= limit:
                    break
                w.busy = True
                rr = (w.index + 1) % n
            f, value = self.workload.next_op()
            self._dispatch(w, f, value, base)
            next_t = base + int(self.rng_sched.uniform(0, 2.0 / opts.rate) * 1e9) + lag_ns

    def _nemesis(self, start, limit):
        """Partition nemesis: start at t~0, then alternate stop/start with
        U(0, 2*interval) gaps; no op at/after the time limit."""
        interval = self.opts.nemesis_interval
        t, starting = start, True
        while t < limit and not self.teardown_started:
            delay = t - now_ns()
            if delay > 0:
                time.sleep(delay / 1e9)
            if starting:
                shape, grudge = random_partition(self.nodes, self.rng_nemesis)
                self.network.set_partition(grudge)
                self.partitioned = True
                self._nemesis_op("start-partition", shape,
                                 ["isolated", {k: sorted(v) for k, v in grudge.items()}])
                log("partition %s: %s" % (shape, {k: sorted(v) for k, v in sorted(grudge.items())}))
            else:
                self._heal()
            starting = not starting
            t = now_ns() + int(self.rng_nemesis.uniform(0, 2.0 * interval) * 1e9)

    def _nemesis_op(self, f, value, result):
        t = now_ns() - self.t0
        self.history.append({"type": "info", "f": f, "value": value, "process": "nemesis",
                             "time": t})
        self.history.append({"type": "info", "f": f, "value": result, "process": "nemesis",
                             "time": t})

    def _heal(self):
        self.network.heal()
        if self.partitioned:
            self.partitioned = False
            self._nemesis_op("stop-partition", None, "network-healed")
            log("partition healed")

    def final_phase(self):
        """Broadcast: wait idle, heal, 10 s recovery, one final read per thread."""
        self.wait_idle()
        if self.nemesis_thread:
            self.nemesis_thread.join()
        self._heal()
        log("Waiting for recovery...")
        time.sleep(RECOVERY_S)
        t = now_ns()
        with self.free_cond:
            for w in self.workers:
                w.busy = True
        for w in self.workers:
            self._dispatch(w, "read", None, t, final=True)
        self.wait_idle()

    # -- teardown ----------------------------------------------------------------
    def teardown(self):
        """Close clients, heal, detect crashed nodes, SIGKILL, stop journal and
        network.  Returns the list of nodes that had exited by themselves."""
        self.teardown_started = True
        for w in self.workers:
            w.client.close()
        if self.nemesis_thread:
            self.nemesis_thread.join(timeout=2 * self.opts.nemesis_interval + 1)
        self._heal()
        crashed = []
        for node, p in self.procs.items():
            status = p.exit_status()
            if status is not None:
                crashed.append({"node": node, "exit_status": status})
        n_before = len(self.violations)
        for p in self.procs.values():
            p.kill()
        self.journal.close()
        self.network.stop()
        for c in crashed:
            c["stderr_tail"] = tail_lines(self.procs[c["node"]].log_path, 32)
        for w in self.workers:
            w.inbox.put(None)
        for v in self.violations[n_before:]:
            v["during_teardown"] = True
        return crashed

    # -- run -------------------------------------------------------------------
    def run(self):
        """Run the whole test; returns the result dict."""
        opts = self.opts
        aborted, crashed = None, []
        try:
            log("starting %d nodes: %s (results in %s)" % (len(self.nodes), " ".join(self.nodes),
                                                          self.results_dir))
            self.start_nodes()
            self.init_nodes()
            if opts.workload == "broadcast":
                self.send_topology()
            self.workers = [Worker(self, i) for i in range(self.concurrency)]
            for w in self.workers:
                w.thread.start()
            log("main phase: %s s at rate %s" % (opts.time_limit, opts.rate))
            self.main_phase()
            log("time limit reached; waiting for outstanding ops")
            if opts.workload == "broadcast":
                self.final_phase()
            else:
                self.wait_idle()
        except Aborted as e:
            aborted = str(e)
            log("ABORTED: " + aborted)
        except KeyboardInterrupt:
            aborted = "interrupted"
        finally:
            crashed = self.teardown()
        if crashed and not aborted:
            aborted = "; ".join("Node %s crashed with exit status %s" % (c["node"], c["exit_status"])
                                for c in crashed)
            log("ABORTED: " + aborted)
        return self.analyze(aborted, crashed)

    def analyze(self, aborted, crashed):
        """Run the checkers and assemble the result."""
        hist = self.history.ops
        ops = op_count(hist)
        if self.opts.workload == "broadcast":
            wl = set_full(hist)
        elif self.opts.workload == "unique-ids":
            wl = unique_ids(hist)
        else:
            wl = echo_checker(hist)
        result = {
            "availability": availability_checker(hist, self.opts.availability),
            "stats": stats_checker(hist),
            "net": net_stats(self.journal.stats(), ops),
            "workload": wl,
        }
        valid = merge_valid(result[k]["valid"] for k in ("availability", "stats", "net", "workload"))
        if aborted:
            valid = False
        result.update({
            "valid": valid, "aborted": aborted, "crashed": crashed, "op_count": ops,
            "workload_name": self.opts.workload, "nodes": self.nodes, "seed": self.opts.seed,
            "results_dir": self.results_dir,
            "violations": [v for v in self.violations if not v.get("during_teardown")],
            "teardown_violations": [v for v in self.violations if v.get("during_teardown")],
            "client_ids_allocated": self.network.client_count,
        })
        with open(os.path.join(self.results_dir, "history.jsonl"), "w", encoding="utf-8") as fh:
            for op in hist:
                fh.write(json.dumps(op) + "\n")
        return flatten(result)


def tail_lines(path, n):
    """The last ``n`` lines of a text file (for crash reports)."""
    try:
        with open(path, "r", encoding="utf-8", errors="replace") as fh:
            return fh.read().splitlines()[-n:]
    except OSError:
        return []

