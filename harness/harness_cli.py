"""Command line of the harness: Maelstrom-like ``test`` options and what they mean.

``parse_args`` turns ``test -w W --bin B [options] [-- args for the binary]``
into the options object the runner reads; ``node_ids`` and
``parse_concurrency`` interpret ``--node-count`` and ``--concurrency``.
"""

import argparse
import random

from harness_shapes import TOPOLOGIES

WORKLOADS = ("echo", "unique-ids", "broadcast")


def node_ids(node_count):
    """``--node-count N`` gives n0..n(N-1); without it Jepsen's n1..n5."""
    if node_count is None:
        return ["n%d" % i for i in range(1, 6)]
    return ["n%d" % i for i in range(node_count)]


def parse_concurrency(text, n_nodes):
    """``--concurrency``: an integer, or ``Kn`` meaning K times the node count."""
    text = str(text)
    if text.endswith("n"):
        return int(text[:-1] or 1) * n_nodes
    return int(text)


def parse_args(argv):
    """Maelstrom-like CLI: ``test -w W --bin B [options] [-- args for the binary]``."""
    extra = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    p = argparse.ArgumentParser(prog="maelstrom_harness.py",
                                description="Maelstrom-faithful test harness (Python).")
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser("test", help="run a test")
    t.add_argument("-w", "--workload", required=True, choices=WORKLOADS)
    t.add_argument("--bin", required=True, help="node binary (executed directly)")
    t.add_argument("--node-count", type=int, default=None,
                   help="nodes n0..n(N-1); default: Jepsen's n1..n5")
    t.add_argument("--time-limit", type=float, default=60, help="seconds (default 60)")
    t.add_argument("--rate", type=float, default=5, help="ops/s (default 5)")
    t.add_argument("--latency", type=int, default=0, help="node<->node ms (default 0)")
    t.add_argument("--latency-dist", default="constant",
                   choices=("constant", "uniform", "exponential"))
    t.add_argument("--nemesis", default=None, choices=("partition",))
    t.add_argument("--nemesis-interval", type=float, default=10, help="seconds (default 10)")
    t.add_argument("--topology", default="grid", choices=TOPOLOGIES)
    t.add_argument("--concurrency", default="1n", help="threads: int or Kn (default 1n)")
    t.add_argument("--availability", default=None, help="'total' or a fraction")
    t.add_argument("--seed", type=int, default=None, help="random seed (default: random)")
    t.add_argument("--json", default=None, help="write the result as JSON to this file")
    t.add_argument("--results-dir", default=None,
                   help="where history/node logs go (default: a new temp dir)")
    t.add_argument("--journal", action="store_true",
                   help="also write every send/recv event to journal.jsonl")
    t.add_argument("--op-lag-ms", type=float, default=0.15,
                   help="extra per-op scheduling lag mimicking Maelstrom's overhead "
                        "(default 0.15 ms; 0 disables)")
    opts = p.parse_args(argv)
    opts.args = extra
    if opts.availability not in (None, "total"):
        opts.availability = float(opts.availability)
    if opts.seed is None:
        opts.seed = random.SystemRandom().randrange(2 ** 31)
    if opts.latency_dist != "constant" and opts.latency <= 0:
        p.error("--latency-dist %s requires --latency > 0" % opts.latency_dist)
    if opts.node_count is not None and opts.node_count < 1:
        p.error("--node-count must be >= 1")
    return opts

