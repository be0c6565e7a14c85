"""Unit tests for the checkers (harness_checkers) on hand-made histories.

Run with ``python3 -m unittest discover -s harness -p 'test_*.py'`` from the
repository root.
"""

import unittest

import harness_checkers as ck

MS = 1_000_000


class Hist:
    """Builds hand-made histories; times are given in ns."""

    def __init__(self):
        self.ops = []

    def _add(self, typ, p, f, value, t):
        self.ops.append({"index": len(self.ops), "type": typ, "f": f, "value": value,
                         "process": p, "time": t})
        return self

    def inv(self, p, f, value, t):
        return self._add("invoke", p, f, value, t)

    def ok(self, p, f, value, t):
        return self._add("ok", p, f, value, t)

    def fail(self, p, f, value, t):
        return self._add("fail", p, f, value, t)

    def info(self, p, f, value, t):
        return self._add("info", p, f, value, t)



class QuantileTests(unittest.TestCase):
    def test_floor_index(self):
        q = ck.quantiles(list(range(10)))
        self.assertEqual(q, {"0": 0, "0.5": 5, "0.95": 9, "0.99": 9, "1": 9})
        q = ck.quantiles(list(range(100)))
        self.assertEqual(q, {"0": 0, "0.5": 50, "0.95": 95, "0.99": 99, "1": 99})
        self.assertEqual(ck.quantiles([7, 3]), {"0": 3, "0.5": 7, "0.95": 7, "0.99": 7, "1": 7})
        self.assertEqual(ck.quantiles([]), {})


class SetFullTests(unittest.TestCase):
    def test_stable_zero_latency(self):
        h = Hist().inv(0, "broadcast", 0, 0).ok(0, "broadcast", 0, 1 * MS) \
            .inv(1, "read", None, 2 * MS).ok(1, "read", [0], 3 * MS)
        r = ck.set_full(h.ops)
        self.assertIs(r["valid"], True)
        self.assertEqual((r["stable_count"], r["lost_count"], r["stale_count"]), (1, 0, 0))
        self.assertEqual(r["stable_latencies"]["1"], 0)

    def test_stale_latency_plus_one_ns_and_truncation(self):
        h = Hist().inv(0, "broadcast", 0, 0).ok(0, "broadcast", 0, 10 * MS) \
            .inv(1, "read", None, 11 * MS - 1).ok(1, "read", [], 12 * MS) \
            .inv(1, "read", None, 20 * MS).ok(1, "read", [0], 21 * MS)
        r = ck.set_full(h.ops)
        # (11ms - 1ns + 1ns) - 10ms = exactly 1 ms
        self.assertEqual(r["stable_latencies"]["1"], 1)
        self.assertEqual(r["stale"], [0])
        h2 = Hist().inv(0, "broadcast", 0, 0).ok(0, "broadcast", 0, 10 * MS) \
            .inv(1, "read", None, 11 * MS - 2).ok(1, "read", [], 12 * MS) \
            .inv(1, "read", None, 20 * MS).ok(1, "read", [0], 21 * MS)
        self.assertEqual(ck.set_full(h2.ops)["stable_latencies"]["1"], 0)   # 999999 ns -> 0

    def test_lost(self):
        h = Hist().inv(0, "broadcast", 5, 0).ok(0, "broadcast", 5, MS) \
            .inv(1, "read", None, 2 * MS).ok(1, "read", [5], 3 * MS) \
            .inv(1, "read", None, 4 * MS).ok(1, "read", [], 5 * MS)
        r = ck.set_full(h.ops)
        self.assertIs(r["valid"], False)
        self.assertEqual(r["lost"], [5])

    def test_never_read_and_unknown(self):
        h = Hist().inv(0, "broadcast", 0, 0).info(0, "broadcast", 0, 5000 * MS)
        r = ck.set_full(h.ops)
        self.assertEqual(r["never_read"], [0])
        self.assertEqual(r["valid"], "unknown")

    def test_only_ok_reads_count_and_foreign_values_ignored(self):
        h = Hist().inv(0, "broadcast", 0, 0).ok(0, "broadcast", 0, MS) \
            .inv(1, "read", None, 2 * MS).fail(1, "read", None, 3 * MS) \
            .inv(1, "read", None, 4 * MS).ok(1, "read", [0, 99, 1.0], 5 * MS)
        r = ck.set_full(h.ops)
        self.assertEqual((r["stable_count"], r["attempt_count"]), (1, 1))
        h = Hist().inv(0, "broadcast", 1, 0).ok(0, "broadcast", 1, MS) \
            .inv(1, "read", None, 2 * MS).ok(1, "read", [1.0, True], 3 * MS)
        r = ck.set_full(h.ops)
        self.assertEqual(r["lost"], [1])      # 1.0 and true are not 1: a miss after known

    def test_final_read_order_dependence(self):
        def hist(first_sees):
            h = Hist().inv(0, "broadcast", 0, 0).ok(0, "broadcast", 0, MS)
            h.inv(1, "read", None, 10 * MS).inv(2, "read", None, 10 * MS)
            h.ok(2, "read", [0] if not first_sees else [], 11 * MS)
            h.ok(1, "read", [0] if first_sees else [], 12 * MS)
            return ck.set_full(h.ops)
        # process 1 invoked first; what matters is the later-invoked read (process 2)
        self.assertEqual(hist(first_sees=True)["lost"], [0])
        self.assertEqual(hist(first_sees=False)["stable_count"], 1)

    def test_element_created_at_invoke(self):
        # A read invoked before the broadcast was invoked, completing after it,
        # still updates the element (its completion comes later in history).
        h = Hist().inv(1, "read", None, 0).inv(0, "broadcast", 0, MS) \
            .ok(1, "read", [], 2 * MS).ok(0, "broadcast", 0, 3 * MS) \
            .inv(1, "read", None, 4 * MS).ok(1, "read", [0], 5 * MS)
        r = ck.set_full(h.ops)
        self.assertEqual(r["stable_count"], 1)
        # the miss was invoked before known, so latency clamps to 0
        self.assertEqual(r["stable_latencies"]["0"], 0)
        # A read completed before the broadcast invocation does not touch it.
        h = Hist().inv(1, "read", None, 0).ok(1, "read", [], MS) \
            .inv(0, "broadcast", 0, 2 * MS).ok(0, "broadcast", 0, 3 * MS)
        self.assertEqual(ck.set_full(h.ops)["never_read"], [0])

    def test_miss_before_known_is_not_lost(self):
        h = Hist().inv(0, "broadcast", 0, 0).inv(1, "read", None, MS) \
            .ok(1, "read", [], 2 * MS).ok(0, "broadcast", 0, 3 * MS)
        r = ck.set_full(h.ops)
        self.assertEqual((r["lost_count"], r["never_read"]), (0, [0]))

    def test_known_by_first_sighting(self):
        h = Hist().inv(0, "broadcast", 0, 0) \
            .inv(1, "read", None, 1 * MS).ok(1, "read", [0], 2 * MS) \
            .inv(2, "read", None, 5 * MS).ok(2, "read", [], 6 * MS) \
            .inv(1, "read", None, 7 * MS).ok(1, "read", [0], 8 * MS) \
            .ok(0, "broadcast", 0, 9 * MS)
        r = ck.set_full(h.ops)
        # known = first sighting's completion at 2 ms; last miss invoked at 5 ms
        self.assertEqual(r["stable_latencies"]["1"], 3)


class OtherCheckerTests(unittest.TestCase):
    def test_unique_ids(self):
        h = Hist().inv(0, "generate", None, 0).ok(0, "generate", 1, 1) \
            .inv(0, "generate", None, 2).ok(0, "generate", 1.0, 3) \
            .inv(0, "generate", None, 4).info(0, "generate", None, 5)
        r = ck.unique_ids(h.ops)
        self.assertIs(r["valid"], True)
        self.assertEqual((r["attempted_count"], r["acknowledged_count"]), (3, 2))
        h.inv(0, "generate", None, 6).ok(0, "generate", 1, 7)
        r = ck.unique_ids(h.ops)
        self.assertIs(r["valid"], False)
        self.assertEqual((r["duplicated_count"], r["duplicated"]), (1, [[1, 2]]))
        self.assertEqual(r["range"], [1, 1])

    def test_unique_ids_mixed_types_unknown(self):
        h = Hist().inv(0, "generate", None, 0).ok(0, "generate", "a", 1) \
            .inv(0, "generate", None, 2).ok(0, "generate", 2, 3)
        self.assertEqual(ck.unique_ids(h.ops)["valid"], "unknown")
        h = Hist().inv(0, "generate", None, 0).ok(0, "generate", "n1-2", 1) \
            .inv(0, "generate", None, 2).ok(0, "generate", "n1-10", 3)
        self.assertEqual(ck.unique_ids(h.ops)["range"], ["n1-10", "n1-2"])

    def test_echo(self):
        h = Hist().inv(0, "echo", "Please echo 1", 0).ok(0, "echo", "Please echo 1", 1)
        self.assertIs(ck.echo_checker(h.ops)["valid"], True)
        h.inv(0, "echo", "Please echo 2", 2).info(0, "echo", "Please echo 2", 3)
        self.assertIs(ck.echo_checker(h.ops)["valid"], False)
        h = Hist().inv(0, "echo", "Please echo 1", 0).ok(0, "echo", "Please echo 9", 1)
        self.assertEqual(len(ck.echo_checker(h.ops)["errors"]), 1)
        h = Hist().inv(0, "echo", "Please echo 1", 0)
        self.assertIs(ck.echo_checker(h.ops)["valid"], False)

    def test_stats_and_availability(self):
        h = Hist().inv(0, "broadcast", 0, 0).ok(0, "broadcast", 0, 1) \
            .inv(0, "read", None, 2).fail(0, "read", None, 3)
        h.ops.append({"index": 4, "type": "info", "f": "start-partition", "value": "one",
                      "process": "nemesis", "time": 4})
        self.assertIs(ck.stats_checker(h.ops)["valid"], False)
        self.assertIs(ck.availability_checker(h.ops, None)["valid"], True)
        self.assertIs(ck.availability_checker(h.ops, "total")["valid"], False)
        self.assertIs(ck.availability_checker(h.ops, 0.5)["valid"], True)
        self.assertIs(ck.availability_checker(h.ops, 0.6)["valid"], False)
        self.assertEqual(ck.op_count(h.ops), 2)

    def test_merge_valid(self):
        self.assertIs(ck.merge_valid([True, True]), True)
        self.assertEqual(ck.merge_valid([True, "unknown"]), "unknown")
        self.assertIs(ck.merge_valid(["unknown", False]), False)


if __name__ == "__main__":
    unittest.main()
