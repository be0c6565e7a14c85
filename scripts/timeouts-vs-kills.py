#!/usr/bin/env python3
"""Which node each non-:ok client operation of a run went to, and whether the kill nemesis
had that node down for the operation's whole life (from its invocation to its completion).

    scripts/timeouts-vs-kills.py store/<workload>/<run>/history.jsonl NODES THREADS

THREADS is the run's concurrency (Maelstrom's default: as many as nodes; 6c's `2n`: twice).
A thread t always talks to node t mod NODES, and Jepsen's process p is thread p mod THREADS.
Prints one line per non-:ok operation and a last line saying whether all of them were sent
to a node that was down throughout: such a request no node could have answered.
"""
import json
import re
import sys

path, n, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ops = [json.loads(line) for line in open(path)]
down = {}  # node -> [[killed at, started at or None], ...]
for o in ops:
    if o["process"] == "nemesis" and isinstance(o["value"], str) and o["value"].startswith("{"):
        for name, what in re.findall(r"n(\d+) :([a-z-]+)", o["value"]):
            node = int(name)
            if what == "killed":
                down.setdefault(node, []).append([o["time"], None])
            elif what == "started":
                down[node][-1][1] = o["time"]
invokes, bad = {}, []
for o in ops:
    if o["process"] == "nemesis":
        continue
    if o["type"] == "invoke":
        invokes[o["process"]] = o
    elif o["type"] != "ok":
        t0, t1 = invokes[o["process"]]["time"], o["time"]
        node = (o["process"] % threads) % n
        spans = [s for s in down.get(node, []) if s[0] <= t0 + 1 and (s[1] is None or s[1] >= t1 - 1)]
        bad.append((o["process"], node, t0 / 1e9, t1 / 1e9, o.get("error"), bool(spans)))
for b in bad:
    print("process %s to n%d: invoked %.3f s, completed %.3f s, %s; node down throughout: %s" % b)
print("non-ok:", len(bad), "; all sent to a node down throughout:", all(b[5] for b in bad))
