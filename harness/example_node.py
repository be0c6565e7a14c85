#!/usr/bin/env python3
"""Tiny reference Maelstrom node, used only to exercise the harness.

Handles init, echo, generate (ids = counter * N + node index, so unique
integers), topology (ignored), read, and broadcast: every value a client
broadcasts is forwarded immediately to *all* other nodes as ``gossip``; each
forward is retried every second until its ``gossip_ok`` arrives.  Values
received by gossip are stored and acknowledged, not re-forwarded.

Fault-injection flags (for testing the harness itself):
  --extra-key       add a disallowed key to every client reply
  --no-gossip       never forward broadcasts (values get lost)
  --broadcast-reply-delay S   answer broadcasts only after S seconds
  --crash-after S   exit(3) S seconds after init
  --bad-line-after S   print a non-JSON stdout line S seconds after init
"""

import json
import os
import sys
import threading
import time


class Node:
    """All node state; one thread reads stdin, one retries gossip."""

    def __init__(self, argv):
        self.extra_key = "--extra-key" in argv
        self.no_gossip = "--no-gossip" in argv
        self.reply_delay = self._flag(argv, "--broadcast-reply-delay")
        self.crash_after = self._flag(argv, "--crash-after")
        self.bad_line_after = self._flag(argv, "--bad-line-after")
        self.lock = threading.Lock()
        self.out = threading.Lock()
        self.node_id, self.node_ids, self.index = None, [], 0
        self.counter = 0
        self.next_msg_id = 1
        self.values = []
        self.seen = set()
        self.unacked = {}      # msg_id -> [dest, body, last_sent]

    @staticmethod
    def _flag(argv, name):
        return float(argv[argv.index(name) + 1]) if name in argv else None

    def emit(self, dest, body):
        """Write one message to stdout (one line, flushed)."""
        line = json.dumps({"src": self.node_id, "dest": dest, "body": body})
        with self.out:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    def reply(self, req, body):
        """Reply to a request, echoing its msg_id as in_reply_to."""
        body["in_reply_to"] = req["body"]["msg_id"]
        if self.extra_key and req["src"].startswith("c") and body["type"] != "init_ok":
            body["extra"] = 1
        self.emit(req["src"], body)

    def gossip(self, value):
        """Forward a new value to every other node, tracking acks."""
        for other in self.node_ids:
            if other == self.node_id:
                continue
            with self.lock:
                mid = self.next_msg_id
                self.next_msg_id += 1
                body = {"type": "gossip", "message": value, "msg_id": mid}
                self.unacked[mid] = [other, body, time.monotonic()]
            self.emit(other, body)

    def retry_loop(self):
        """Resend unacknowledged gossip older than one second."""
        while True:
            time.sleep(0.25)
            now = time.monotonic()
            due = []
            with self.lock:
                for entry in self.unacked.values():
                    if now - entry[2] >= 1.0:
                        entry[2] = now
                        due.append((entry[0], entry[1]))
            for dest, body in due:
                self.emit(dest, body)

    def faults(self):
        """Optional self-sabotage for harness tests."""
        start = time.monotonic()
        if self.bad_line_after is not None:
            time.sleep(max(0, self.bad_line_after - (time.monotonic() - start)))
            with self.out:
                sys.stdout.write("this is not json\n")
                sys.stdout.flush()
        if self.crash_after is not None:
            time.sleep(max(0, self.crash_after - (time.monotonic() - start)))
            sys.stdout.flush()
            os._exit(3)

    def handle(self, msg):
        """Dispatch one incoming message."""
        body = msg["body"]
        t = body.get("type")
        if t == "init":
            self.node_id = body["node_id"]
            self.node_ids = body["node_ids"]
            self.index = self.node_ids.index(self.node_id)
            self.reply(msg, {"type": "init_ok"})
            threading.Thread(target=self.retry_loop, daemon=True).start()
            threading.Thread(target=self.faults, daemon=True).start()
        elif t == "echo":
            self.reply(msg, {"type": "echo_ok", "echo": body["echo"]})
        elif t == "generate":
            with self.lock:
                new_id = self.counter * len(self.node_ids) + self.index
                self.counter += 1
            self.reply(msg, {"type": "generate_ok", "id": new_id})
        elif t == "topology":
            self.reply(msg, {"type": "topology_ok"})
        elif t == "broadcast":
            v = body["message"]
            with self.lock:
                new = v not in self.seen
                if new:
                    self.seen.add(v)
                    self.values.append(v)
            if new and not self.no_gossip:
                self.gossip(v)
            if self.reply_delay:
                threading.Timer(self.reply_delay, self.reply,
                                (msg, {"type": "broadcast_ok"})).start()
            else:
                self.reply(msg, {"type": "broadcast_ok"})
        elif t == "read":
            with self.lock:
                values = list(self.values)
            self.reply(msg, {"type": "read_ok", "messages": values})
        elif t == "gossip":
            v = body["message"]
            with self.lock:
                if v not in self.seen:
                    self.seen.add(v)
                    self.values.append(v)
            self.emit(msg["src"], {"type": "gossip_ok", "in_reply_to": body["msg_id"]})
        elif t == "gossip_ok":
            with self.lock:
                self.unacked.pop(body["in_reply_to"], None)
        else:
            print("unknown message %r" % (msg,), file=sys.stderr, flush=True)


def main():
    node = Node(sys.argv[1:])
    print("example node starting, argv=%r" % (sys.argv[1:],), file=sys.stderr, flush=True)
    for line in sys.stdin:
        line = line.strip()
        if line:
            node.handle(json.loads(line))


if __name__ == "__main__":
    main()
