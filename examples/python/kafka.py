#!/usr/bin/env python3
"""A replicated-log node for Maelstrom's kafka workload (Gossip Glomers challenges 5a-5c).
Python standard library only; any Maelstrom (or glomers-sim) can run it:

    glomers-sim test -w kafka --bin examples/python/kafka.py \
        --node-count 2 --concurrency 2n --time-limit 20 --rate 1000

How it works: every key has one owner node, chosen from the key (its integer value modulo the
node count, over the sorted node ids). The owner holds the key's whole log as a list, so the
offset of a message is its position: offsets are 0, 1, 2, ... with no gaps, each message is
stored once, and a poll returns a contiguous run in ascending order from the requested offset.
Committed offsets live with the owner too.

A node that receives a client request for keys it does not own forwards the part for each
owner as an internal RPC and answers the client once every owner has answered; a poll or a
commit over keys of several owners is split and merged. Every poll reply therefore reflects
the owner's log at some instant between request and reply, which is all Jepsen's kafka checker
asks (no lost or duplicated messages, monotonic offsets, nothing acknowledged left unseen).

The design sends one extra round trip for each request on a key owned elsewhere, and is not
available under partitions (a forwarded request waits for its owner). One thread reads stdin;
each request is handled on its own thread, which blocks on its internal calls.
"""

import itertools
import json
import queue
import sys
import threading

FORWARD_TIMEOUT_S = 2.0
CRASH = 13  # indefinite: the request may or may not have taken effect


class Node:
    def __init__(self):
        self.node_id = None
        self.node_ids = []
        self.out = threading.Lock()
        self.lock = threading.Lock()
        self.msg_ids = itertools.count(1)
        self.pending = {}  # msg_id -> Queue receiving the reply body
        self.logs = {}  # key -> [msg, ...] for keys this node owns
        self.committed = {}  # key -> committed offset, for keys this node owns

    # Messaging.

    def send(self, dest, body):
        line = json.dumps({"src": self.node_id, "dest": dest, "body": body})
        with self.out:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    def reply(self, request, body):
        body["in_reply_to"] = request["body"]["msg_id"]
        self.send(request["src"], body)

    def call(self, dest, body):
        """Sends an RPC and waits for its reply (None after a timeout)."""
        inbox = queue.Queue(maxsize=1)
        with self.lock:
            msg_id = next(self.msg_ids)
            self.pending[msg_id] = inbox
        body["msg_id"] = msg_id
        self.send(dest, body)
        try:
            return inbox.get(timeout=FORWARD_TIMEOUT_S)
        except queue.Empty:
            with self.lock:
                self.pending.pop(msg_id, None)
            return None

    # Ownership.

    def owner(self, key):
        try:
            h = int(key)
        except ValueError:
            h = sum(key.encode())
        return self.node_ids[h % len(self.node_ids)]

    def by_owner(self, keys):
        groups = {}
        for key in keys:
            groups.setdefault(self.owner(key), []).append(key)
        return groups

    # The owner's operations (on keys this node owns).

    def local_send(self, key, msg):
        with self.lock:
            log = self.logs.setdefault(key, [])
            log.append(msg)
            return len(log) - 1

    def local_poll(self, offsets):
        msgs = {}
        with self.lock:
            for key, start in offsets.items():
                log = self.logs.get(key, [])
                start = max(start, 0)
                msgs[key] = [[o, log[o]] for o in range(start, len(log))]
        return msgs

    def local_commit(self, offsets):
        with self.lock:
            for key, offset in offsets.items():
                self.committed[key] = max(offset, self.committed.get(key, -1))

    def local_list(self, keys):
        with self.lock:
            return {k: self.committed[k] for k in keys if k in self.committed}

    def owned(self, body):
        """Handles an internal request for keys this node owns; returns the reply body."""
        kind = body["type"]
        if kind == "own_send":
            return {"type": "own_send_ok", "offset": self.local_send(body["key"], body["msg"])}
        if kind == "own_poll":
            return {"type": "own_poll_ok", "msgs": self.local_poll(body["offsets"])}
        if kind == "own_commit":
            self.local_commit(body["offsets"])
            return {"type": "own_commit_ok"}
        if kind == "own_list":
            return {"type": "own_list_ok", "offsets": self.local_list(body["keys"])}
        return {"type": "error", "code": 10, "text": f"unsupported type {kind}"}

    def at_owners(self, keys, make_body, field):
        """Runs one internal request per owner of `keys` and merges the replies' `field`.
        make_body(owned_keys) builds the request; this node serves its own keys directly."""
        merged = {}
        for owner, owned_keys in self.by_owner(keys).items():
            body = make_body(owned_keys)
            reply = self.owned(body) if owner == self.node_id else self.call(owner, body)
            if reply is None or reply.get("type") == "error":
                raise TimeoutError(f"{owner} did not answer {body['type']}")
            merged.update(reply.get(field, {}))
        return merged

    # Client requests.

    def handle(self, request):
        body = request["body"]
        kind = body["type"]
        try:
            if kind.startswith("own_"):
                self.reply(request, self.owned(body))
            elif kind == "send":
                key = body["key"]
                own = {"type": "own_send", "key": key, "msg": body["msg"]}
                owner = self.owner(key)
                reply = self.owned(own) if owner == self.node_id else self.call(owner, own)
                if reply is None:
                    raise TimeoutError(f"{owner} did not answer")
                self.reply(request, {"type": "send_ok", "offset": reply["offset"]})
            elif kind == "poll":
                offsets = body["offsets"]
                msgs = self.at_owners(
                    offsets.keys(),
                    lambda ks: {"type": "own_poll", "offsets": {k: offsets[k] for k in ks}},
                    "msgs")
                self.reply(request, {"type": "poll_ok", "msgs": msgs})
            elif kind == "commit_offsets":
                offsets = body["offsets"]
                self.at_owners(
                    offsets.keys(),
                    lambda ks: {"type": "own_commit", "offsets": {k: offsets[k] for k in ks}},
                    "offsets")
                self.reply(request, {"type": "commit_offsets_ok"})
            elif kind == "list_committed_offsets":
                found = self.at_owners(
                    body["keys"], lambda ks: {"type": "own_list", "keys": ks}, "offsets")
                self.reply(request, {"type": "list_committed_offsets_ok", "offsets": found})
            else:
                self.reply(request, {"type": "error", "code": 10,
                                     "text": f"unsupported type {kind}"})
        except Exception as exc:  # an error reply, never a crash
            print(f"error handling {body}: {exc}", file=sys.stderr, flush=True)
            self.reply(request, {"type": "error", "code": CRASH, "text": str(exc)})

    def run(self):
        for line in sys.stdin:
            if not line.strip():
                continue
            message = json.loads(line)
            body = message["body"]
            in_reply_to = body.get("in_reply_to")
            if in_reply_to is not None:
                with self.lock:
                    inbox = self.pending.pop(in_reply_to, None)
                if inbox is not None:
                    inbox.put(body)
            elif body.get("type") == "init":
                self.node_id = body["node_id"]
                self.node_ids = sorted(body["node_ids"])
                self.reply(message, {"type": "init_ok"})
            else:
                threading.Thread(target=self.handle, args=(message,), daemon=True).start()


if __name__ == "__main__":
    Node().run()
