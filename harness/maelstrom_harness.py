#!/usr/bin/env python3
"""Independent, Maelstrom-faithful test harness (echo, unique-ids, broadcast).

Written only from a written description of Maelstrom's behaviour (its
doc/protocol.md, doc/workloads.md and the workload sources), never from its code
or this repository's simulator; it runs a node binary in
real time the way Maelstrom would and reports Maelstrom-like results, so the
project's own simulator can be cross-checked against a second implementation.

Usage (mirrors ``maelstrom test``)::

    python3 harness/maelstrom_harness.py test -w broadcast --bin ./node \\
        --node-count 25 --time-limit 20 --rate 100 --latency 100 --json out.json

Timeline (spec §9): start nodes, init (10 s), topology (broadcast, 5 s), main
phase with a global ``U(0, 2/rate)`` stagger and optional partition nemesis,
then for broadcast the final phase (wait idle, heal, 10 s, one final read
per client thread), then teardown (close clients, heal, SIGKILL nodes),
then the checkers.  Exit status 0 valid, 1 invalid/aborted, 2 unknown.

This file is the entry point only: the options live in ``harness_cli.py``,
the run itself in ``harness_runner.py`` (clients in ``harness_clients.py``).
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness_cli import parse_args  # noqa: E402
from harness_nodes import resolve_bin  # noqa: E402
from harness_report import exit_status, log, summary_text  # noqa: E402
from harness_runner import Runner  # noqa: E402


def main(argv=None):
    """Entry point; returns the process exit status."""
    try:
        opts = parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as e:          # argparse: keep status 2 for :unknown only
        return 0 if e.code == 0 else 254
    try:
        resolve_bin(opts.bin)
    except ValueError as e:
        print(str(e), file=sys.stderr)
        return 254
    runner = Runner(opts)
    log("seed %d" % opts.seed)
    result = runner.run()
    print(summary_text(result))
    with open(os.path.join(runner.results_dir, "results.json"), "w", encoding="utf-8") as fh:
        json.dump(result, fh, indent=1, default=str)
    if opts.json:
        with open(opts.json, "w", encoding="utf-8") as fh:
            json.dump(result, fh, indent=1, default=str)
    return exit_status(result["valid"])


if __name__ == "__main__":
    sys.exit(main())
