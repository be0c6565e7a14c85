#!/usr/bin/env python3
"""A grow-only counter node for Maelstrom's g-counter workload (Gossip Glomers challenge 4),
built on the seq-kv service. Python standard library only; any Maelstrom (or glomers-sim)
can run it:

    glomers-sim test -w g-counter --bin examples/python/g_counter.py \
        --node-count 3 --rate 100 --time-limit 20 --nemesis partition

How it works: the whole count lives under one seq-kv key, "counter".

* add(delta): read the counter (a missing key counts as 0), then compare-and-set it from the
  value read to value + delta, creating it if missing; if the cas fails (the read was stale
  or another node got there first), read again and retry. Reply add_ok once a cas succeeds.
* read: seq-kv may answer a read from an older state. A write that changes the store moves
  this node's session to the newest state, so first write a fresh value to a key of its own,
  then read the counter: the result includes every add acknowledged before the write.

It never talks to other nodes, so partitions between nodes do not affect it (services are
never partitioned). One thread reads stdin; each request is handled on its own thread,
which blocks on its service calls.
"""

import itertools
import json
import queue
import sys
import threading

COUNTER = "counter"
KEY_DOES_NOT_EXIST = 20
PRECONDITION_FAILED = 22


class Node:
    def __init__(self):
        self.node_id = None
        self.out = threading.Lock()
        self.lock = threading.Lock()
        self.msg_ids = itertools.count(1)
        self.pending = {}  # msg_id -> Queue receiving the reply body
        self.syncs = itertools.count(1)

    def send(self, dest, body):
        line = json.dumps({"src": self.node_id, "dest": dest, "body": body})
        with self.out:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    def reply(self, request, body):
        body["in_reply_to"] = request["body"]["msg_id"]
        self.send(request["src"], body)

    def call(self, dest, body):
        """Sends an RPC and blocks until its reply arrives (services never lose messages)."""
        inbox = queue.Queue(maxsize=1)
        with self.lock:
            msg_id = next(self.msg_ids)
            self.pending[msg_id] = inbox
        body["msg_id"] = msg_id
        self.send(dest, body)
        return inbox.get()

    def kv_read(self, key):
        reply = self.call("seq-kv", {"type": "read", "key": key})
        if reply["type"] == "read_ok":
            return reply["value"]
        if reply.get("code") == KEY_DOES_NOT_EXIST:
            return 0
        raise RuntimeError(f"seq-kv read failed: {reply}")

    def add(self, delta):
        while True:
            current = self.kv_read(COUNTER)
            reply = self.call("seq-kv", {
                "type": "cas", "key": COUNTER, "from": current,
                "to": current + delta, "create_if_not_exists": True,
            })
            if reply["type"] == "cas_ok":
                return
            if reply.get("code") not in (KEY_DOES_NOT_EXIST, PRECONDITION_FAILED):
                raise RuntimeError(f"seq-kv cas failed: {reply}")

    def read(self):
        token = f"{self.node_id}-{next(self.syncs)}"
        self.call("seq-kv", {"type": "write", "key": f"sync-{self.node_id}", "value": token})
        return self.kv_read(COUNTER)

    def handle(self, request):
        body = request["body"]
        kind = body["type"]
        try:
            if kind == "init":
                self.node_id = body["node_id"]
                self.reply(request, {"type": "init_ok"})
            elif kind == "add":
                self.add(body["delta"])
                self.reply(request, {"type": "add_ok"})
            elif kind == "read":
                self.reply(request, {"type": "read_ok", "value": self.read()})
            else:
                self.reply(request, {"type": "error", "code": 10,
                                     "text": f"unsupported type {kind}"})
        except Exception as exc:  # an error reply, never a crash
            print(f"error handling {body}: {exc}", file=sys.stderr, flush=True)
            self.reply(request, {"type": "error", "code": 13, "text": str(exc)})

    def run(self):
        for line in sys.stdin:
            if not line.strip():
                continue
            message = json.loads(line)
            in_reply_to = message["body"].get("in_reply_to")
            if in_reply_to is not None:
                with self.lock:
                    inbox = self.pending.pop(in_reply_to, None)
                if inbox is not None:
                    inbox.put(message["body"])
            elif message["body"].get("type") == "init":
                self.handle(message)  # before anything else can need node_id
            else:
                threading.Thread(target=self.handle, args=(message,), daemon=True).start()


if __name__ == "__main__":
    Node().run()
