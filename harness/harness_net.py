"""Simulated Maelstrom network: journal, latency, per-recipient delivery.

Model (spec section 7 and 11):

* Every accepted message gets a network-wide integer id (from 0) and is
  journaled as a *send* the moment it is accepted, before any partition
  decision.  Each delivery is journaled as a *recv*.
* Latency is drawn per message at send time: 0 ms when a client (id starting
  with ``c``) is at either end, otherwise constant / uniform [0, 2L) /
  exponential(mean L) truncated to whole ms.
* Messages to a node go into that node's priority queue ordered by deadline
  (ties broken by message id).  A single delivery worker per node takes the
  earliest message as soon as one is queued, drops it if its ``src`` is in
  the node's current partition set (checked at take time), otherwise sleeps
  until its deadline and writes it to the node's stdin.  While it sleeps
  nothing else reaches that node (head-of-line blocking).
* Messages to a client go straight into the client's inbox; the client
  journals the recv when it takes the message.
"""

import heapq
import json
import threading
import time


def now_ns():
    """Monotonic clock in nanoseconds (the harness' single time source)."""
    return time.monotonic_ns()


def is_client(node_id):
    """Maelstrom's rule: an id is a client iff it starts with ``c``."""
    return isinstance(node_id, str) and node_id.startswith("c")


def involves_client(src, dest):
    """True when a message belongs to the ``:clients`` group."""
    return is_client(src) or is_client(dest)


class InvalidMessage(Exception):
    """A message naming a src/dest that does not currently exist."""


class LatencyModel:
    """Per-message latency draw (whole milliseconds)."""

    def __init__(self, latency_ms, dist, rng):
        if dist not in ("constant", "uniform", "exponential"):
            raise ValueError("unknown latency distribution %r" % (dist,))
        if dist != "constant" and latency_ms <= 0:
            raise ValueError("--latency-dist %s needs --latency > 0" % dist)
        self.latency_ms = int(latency_ms)
        self.dist = dist
        self.rng = rng
        self._lock = threading.Lock()

    def draw(self, src, dest):
        """Latency in ms for one message from ``src`` to ``dest``."""
        if involves_client(src, dest):
            return 0
        if self.dist == "constant":
            return self.latency_ms
        with self._lock:
            if self.dist == "uniform":
                return self.rng.randrange(0, 2 * self.latency_ms)
            return int(self.rng.expovariate(1.0 / self.latency_ms))


class Journal:
    """Counts sends/receives per group (``all``, ``clients``, ``servers``).

    ``msg_count`` is the number of distinct message ids seen in a group.
    Optionally also writes every event as a JSON line to ``path``.
    Once closed (at teardown, after nodes are killed) nothing more counts.
    """

    GROUPS = ("all", "clients", "servers")

    def __init__(self, path=None, t0=0):
        self._lock = threading.Lock()
        self._counts = {g: {"send": 0, "recv": 0, "ids": set()} for g in self.GROUPS}
        self._closed = False
        self._t0 = t0
        self._file = open(path, "w", encoding="utf-8") if path else None

    def record(self, kind, msg_id, src, dest):
        """Journal one ``send`` or ``recv`` event."""
        with self._lock:
            if self._closed:
                return
            group = "clients" if involves_client(src, dest) else "servers"
            for g in ("all", group):
                c = self._counts[g]
                c[kind] += 1
                c["ids"].add(msg_id)
            if self._file:
                self._file.write(json.dumps({"type": kind, "id": msg_id, "src": src,
                                             "dest": dest, "time": now_ns() - self._t0}) + "\n")

    def close(self):
        """Stop journaling (teardown)."""
        with self._lock:
            self._closed = True
            if self._file:
                self._file.close()
                self._file = None

    def stats(self):
        """``{group: {send_count, recv_count, msg_count}}`` for all groups."""
        with self._lock:
            return {g: {"send_count": c["send"], "recv_count": c["recv"],
                        "msg_count": len(c["ids"])} for g, c in self._counts.items()}


class Message:
    """One message in flight."""

    __slots__ = ("id", "src", "dest", "body", "deadline")

    def __init__(self, msg_id, src, dest, body, deadline):
        self.id = msg_id
        self.src = src
        self.dest = dest
        self.body = body
        self.deadline = deadline

    def to_line(self):
        """Wire form for a node's stdin: keys in the order id, src, dest, body."""
        return json.dumps({"id": self.id, "src": self.src, "dest": self.dest,
                           "body": self.body}, separators=(",", ":"))


class ClientInbox:
    """A Maelstrom client's receive queue (no partition, no delay)."""

    def __init__(self, client_id, journal):
        self.id = client_id
        self._journal = journal
        self._cond = threading.Condition()
        self._queue = []

    def put(self, msg):
        """Called by the network when a node sends to this client."""
        with self._cond:
            self._queue.append(msg)
            self._cond.notify()

    def take(self, deadline_ns):
        """Take the next message, waiting until ``deadline_ns`` at most.

        Returns ``(message, receive_time_ns)`` or ``(None, now)`` on timeout.
        Each taken message is journaled as received.
        """
        with self._cond:
            while not self._queue:
                remaining = deadline_ns - now_ns()
                if remaining <= 0:
                    return None, now_ns()
                self._cond.wait(remaining / 1e9)
            msg = self._queue.pop(0)
        t = now_ns()
        self._journal.record("recv", msg.id, msg.src, msg.dest)
        return msg, t


class _NodeQueue:
    """A node's deadline-ordered queue plus its single delivery worker."""

    def __init__(self, network, node_id, deliver):
        self.network = network
        self.node_id = node_id
        self.deliver = deliver
        self.cond = threading.Condition()
        self.heap = []
        self.thread = threading.Thread(target=self._run, name="deliver-" + node_id,
                                       daemon=True)

    def push(self, msg):
        with self.cond:
            heapq.heappush(self.heap, (msg.deadline, msg.id, msg))
            self.cond.notify()

    def _run(self):
        net = self.network
        stopping = net.stopping
        while True:
            with self.cond:
                while not self.heap and not stopping.is_set():
                    self.cond.wait()
                if stopping.is_set():
                    return
                _, _, msg = heapq.heappop(self.heap)
            # Partition check at take time.
            if msg.src in net.partition.get(self.node_id, ()):
                continue
            remaining = msg.deadline - now_ns()
            if remaining > 0 and stopping.wait(remaining / 1e9):
                return
            if self.deliver(msg.to_line()):
                net.journal.record("recv", msg.id, msg.src, msg.dest)


class Network:
    """Routes messages between nodes and clients, with Maelstrom's semantics."""

    def __init__(self, latency, journal):
        self.latency = latency
        self.journal = journal
        self.partition = {}          # receiver -> frozenset(senders); replaced atomically
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._next_id = 0
        self._next_client = 0
        self._nodes = {}
        self._clients = {}

    # -- membership -------------------------------------------------------
    def add_node(self, node_id, deliver):
        """Register a node; ``deliver(line) -> bool`` writes to its stdin."""
        q = _NodeQueue(self, node_id, deliver)
        self._nodes[node_id] = q
        q.thread.start()

    def open_client(self):
        """Allocate the next client id (c0, c1, ...) and its inbox."""
        with self._lock:
            cid = "c%d" % self._next_client
            self._next_client += 1
            inbox = ClientInbox(cid, self.journal)
            self._clients[cid] = inbox
            return inbox

    def close_client(self, client_id):
        """Remove a client: later messages to it are invalid."""
        with self._lock:
            self._clients.pop(client_id, None)

    def exists(self, node_id):
        """Is ``node_id`` a known node or an open client?"""
        return node_id in self._nodes or node_id in self._clients

    @property
    def client_count(self):
        """How many client ids have been allocated so far."""
        return self._next_client

    # -- traffic ----------------------------------------------------------
    def send(self, src, dest, body):
        """Accept one message: validate ids, journal the send, route it.

        Raises ``InvalidMessage`` if ``src`` or ``dest`` does not exist.
        """
        with self._lock:
            if not (self.exists(src) and self.exists(dest)):
                raise InvalidMessage("Invalid dest/source for message %s -> %s" % (src, dest))
            msg_id = self._next_id
            self._next_id += 1
            self.journal.record("send", msg_id, src, dest)
            sent = now_ns()
            msg = Message(msg_id, src, dest, body,
                          sent + self.latency.draw(src, dest) * 1_000_000)
            node_q = self._nodes.get(dest)
            if node_q is not None:
                node_q.push(msg)
            else:
                self._clients[dest].put(msg)
        return msg

    # -- partitions -------------------------------------------------------
    def set_partition(self, grudge):
        """Install a grudge ``receiver -> senders`` (node ids only)."""
        self.partition = {r: frozenset(s) for r, s in grudge.items()}

    def heal(self):
        """Remove all partitions (nothing is resent)."""
        self.partition = {}

    def stop(self):
        """Stop all delivery workers."""
        self.stopping.set()
        for q in self._nodes.values():
            with q.cond:
                q.cond.notify_all()
        for q in self._nodes.values():
            q.thread.join(timeout=2)
