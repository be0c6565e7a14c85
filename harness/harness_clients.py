"""The client side of a run: the history, Maelstrom clients, op generation and
the client threads (spec §4, §9).

A ``Worker`` is one client thread; it talks to node ``t mod N`` through an
``RpcClient`` and records invocations' completions in the runner's
``History``, then tells the runner it is free again.
"""

import queue
import threading

from harness_net import now_ns
from harness_report import log
from harness_rpc import completion, matches, request_body

CLIENT_TIMEOUT_S = 5.0


class History:
    """Thread-safe, append-only history; assigns each op its index."""

    def __init__(self):
        self._lock = threading.Lock()
        self.ops = []

    def append(self, op):
        with self._lock:
            op["index"] = len(self.ops)
            self.ops.append(op)
        return op


class RpcClient:
    """A Maelstrom client: its own id, msg_ids 1, 2, ... and one call at a time."""

    def __init__(self, network, node):
        self.network = network
        self.node = node
        self.inbox = network.open_client()
        self.id = self.inbox.id
        self.next_msg_id = 1

    def call(self, f, value, timeout_s):
        """Send one request; return ``(reply_body or None, completion_time_ns)``.

        Replies whose ``in_reply_to`` is not this request's ``msg_id`` are
        taken (and journaled) but discarded.
        """
        msg_id = self.next_msg_id
        self.next_msg_id += 1
        self.network.send(self.id, self.node, request_body(f, value, msg_id))
        deadline = now_ns() + int(timeout_s * 1e9)
        while True:
            msg, t = self.inbox.take(deadline)
            if msg is None:
                return None, t
            if matches(msg.body, msg_id):
                return msg.body, t

    def close(self):
        """Remove the client from the network."""
        self.network.close_client(self.id)


class Workload:
    """Op generation for one workload (spec §4, §9)."""

    def __init__(self, name, rng):
        self.name = name
        self.rng = rng
        self.next_value = 0
        self.reusable = name == "unique-ids"

    def next_op(self):
        """``(f, value)`` for the next dispatched op."""
        if self.name == "echo":
            return "echo", "Please echo %d" % self.rng.randrange(128)
        if self.name == "unique-ids":
            return "generate", None
        if self.rng.random() < 0.5:
            v = self.next_value
            self.next_value += 1
            return "broadcast", v
        return "read", None


class Worker:
    """One client thread: process id, node ``t mod N``, one op at a time."""

    def __init__(self, runner, index):
        self.runner = runner
        self.index = index
        self.process = index
        self.node = runner.nodes[index % len(runner.nodes)]
        self.client = RpcClient(runner.network, self.node)
        self.needs_new_client = False
        self.busy = False
        self.inbox = queue.Queue()
        self.thread = threading.Thread(target=self._run, daemon=True, name="worker-%d" % index)

    def _run(self):
        r = self.runner
        while True:
            inv = self.inbox.get()
            if inv is None:
                return
            if self.needs_new_client:
                self.client.close()
                self.client = RpcClient(r.network, self.node)
                self.needs_new_client = False
            reply, t = self.client.call(inv["f"], inv["value"], CLIENT_TIMEOUT_S)
            comp = completion(inv["f"], inv["value"], reply)
            if comp.get("exception"):
                log("client %s: %s" % (self.client.id, comp["exception"]))
            op = {"type": comp.pop("type"), "f": inv["f"], "process": inv["process"],
                  "time": t - r.t0}
            op.update(comp)
            if inv.get("final"):
                op["final"] = True
            r.history.append(op)
            if op["type"] == "info":
                self.process += r.concurrency
                if not r.workload.reusable:
                    self.needs_new_client = True
            r.mark_free(self)

