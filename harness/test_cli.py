"""Unit tests for the command line (harness_cli).

Run with ``python3 -m unittest discover -s harness -p 'test_*.py'`` from the
repository root.
"""

import unittest

from harness_cli import node_ids, parse_args, parse_concurrency


class CliTests(unittest.TestCase):
    def test_defaults(self):
        o = parse_args(["test", "-w", "broadcast", "--bin", "x", "--", "--flag", "v"])
        self.assertEqual((o.rate, o.time_limit, o.latency, o.latency_dist, o.topology,
                          o.nemesis_interval, o.concurrency, o.nemesis, o.availability),
                         (5, 60, 0, "constant", "grid", 10, "1n", None, None))
        self.assertEqual(o.args, ["--flag", "v"])
        self.assertEqual(node_ids(None), ["n1", "n2", "n3", "n4", "n5"])
        self.assertEqual(node_ids(3), ["n0", "n1", "n2"])
        self.assertEqual(parse_concurrency("1n", 25), 25)
        self.assertEqual(parse_concurrency("2n", 5), 10)
        self.assertEqual(parse_concurrency("7", 5), 7)


if __name__ == "__main__":
    unittest.main()
