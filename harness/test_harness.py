"""Unit tests for the pure parts of the harness.

Run with ``python3 -m unittest discover -s harness`` from the crate root.
"""

import random
import time
import unittest

import harness_checkers as ck
import harness_rpc as rpc
from harness_net import Journal, LatencyModel, Network, involves_client
from harness_nodes import EnvelopeError, parse_envelope
from harness_shapes import (line_topology, partition_shape, random_partition, topology,
                            total_topology)
from maelstrom_harness import node_ids, parse_args, parse_concurrency

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


def links(topo):
    return sum(len(v) for v in topo.values())


class TopologyTests(unittest.TestCase):
    def test_grid_5(self):
        self.assertEqual(topology("grid", node_ids(5)), {
            "n0": ["n3", "n1"], "n1": ["n4", "n2", "n0"], "n2": ["n1"],
            "n3": ["n0", "n4"], "n4": ["n1", "n3"]})

    def test_grid_25_has_80_symmetric_links(self):
        nodes = node_ids(25)
        topo = topology("grid", nodes)
        self.assertEqual(links(topo), 80)
        for a, ns in topo.items():
            for b in ns:
                self.assertIn(a, topo[b])
        self.assertEqual(topo["n0"], ["n5", "n1"])
        self.assertEqual(topo["n12"], ["n17", "n7", "n13", "n11"])

    def test_grid_single_node(self):
        self.assertEqual(topology("grid", ["n0"]), {"n0": []})

    def test_line(self):
        self.assertEqual(line_topology(["n0"]), {})
        self.assertEqual(line_topology(["n0", "n1", "n2"]),
                         {"n0": ["n1"], "n1": ["n0", "n2"], "n2": ["n1"]})

    def test_total(self):
        self.assertEqual(total_topology(["n0", "n1", "n2"]),
                         {"n0": ["n1", "n2"], "n1": ["n0", "n2"], "n2": ["n0", "n1"]})

    def test_tree4_25(self):
        topo = topology("tree4", node_ids(25))
        self.assertEqual(topo["n0"], ["n1", "n2", "n3", "n4"])
        self.assertEqual(topo["n1"], ["n0", "n5", "n6", "n7", "n8"])
        self.assertEqual(topo["n5"], ["n1", "n21", "n22", "n23", "n24"])
        self.assertEqual(topo["n6"], ["n1"])
        self.assertEqual(links(topo), 2 * 24)

    def test_tree_is_tree2(self):
        nodes = node_ids(7)
        self.assertEqual(topology("tree", nodes), topology("tree2", nodes))
        self.assertEqual(topology("tree", nodes)["n1"], ["n0", "n3", "n4"])
        self.assertEqual(topology("tree3", nodes)["n0"], ["n1", "n2", "n3"])


class PartitionTests(unittest.TestCase):
    def test_one(self):
        for n in (3, 5, 25):
            nodes = node_ids(n)
            g = partition_shape("one", nodes, random.Random(n))
            lonely = [x for x in nodes if len(g.get(x, ())) == n - 1]
            self.assertEqual(len(lonely), 1)
            for x in nodes:
                if x != lonely[0]:
                    self.assertEqual(g[x], {lonely[0]})

    def test_minority_third(self):
        for n, k in ((3, 0), (5, 1), (25, 8)):
            nodes = node_ids(n)
            g = partition_shape("minority-third", nodes, random.Random(n))
            if k == 0:
                self.assertEqual(g, {})
                continue
            small = [x for x in nodes if len(g[x]) == n - k]
            big = [x for x in nodes if len(g[x]) == k]
            self.assertEqual((len(small), len(big)), (k, n - k))

    def test_majority(self):
        for n, k in ((3, 1), (5, 2), (25, 12)):
            nodes = node_ids(n)
            g = partition_shape("majority", nodes, random.Random(n))
            small = [x for x in nodes if len(g[x]) == n - k]
            self.assertEqual(len(small), k)
            for x in nodes:
                for y in g[x]:
                    self.assertIn(x, g[y])          # symmetric

    def test_majorities_ring_5(self):
        nodes = node_ids(5)
        g = partition_shape("majorities-ring", nodes, random.Random(1))
        for x in nodes:
            self.assertEqual(len(g[x]), 2)
            for y in g[x]:
                self.assertIn(x, g[y])
        heard = {frozenset(set(nodes) - g[x]) for x in nodes}
        self.assertEqual(len(heard), 5)                # no two keep the same majority

    def test_majorities_ring_3_one_directional(self):
        nodes = node_ids(3)
        g = partition_shape("majorities-ring", nodes, random.Random(2))
        for x in nodes:
            self.assertEqual(len(g[x]), 1)
            (y,) = g[x]
            self.assertNotIn(x, g[y])

    def test_majorities_ring_25(self):
        nodes = node_ids(25)
        for seed in range(5):
            g = partition_shape("majorities-ring", nodes, random.Random(seed))
            for x in nodes:
                peers = set(nodes) - g.get(x, set()) - {x}
                self.assertGreaterEqual(len(peers), 12)
                for y in g.get(x, ()):
                    self.assertIn(x, g[y])

    def test_random_partition_uses_all_shapes(self):
        rng = random.Random(0)
        shapes = {random_partition(node_ids(5), rng)[0] for _ in range(100)}
        self.assertEqual(len(shapes), 4)


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


class NetTests(unittest.TestCase):
    def test_classification_and_stats(self):
        j = Journal()
        j.record("send", 0, "c0", "n0")
        j.record("recv", 0, "c0", "n0")
        j.record("send", 1, "n0", "n1")
        j.record("send", 2, "n0", "lin-kv")
        j.record("recv", 1, "n0", "n1")
        s = j.stats()
        self.assertEqual(s["clients"], {"send_count": 1, "recv_count": 1, "msg_count": 1})
        self.assertEqual(s["servers"], {"send_count": 2, "recv_count": 1, "msg_count": 2})
        self.assertEqual(s["all"], {"send_count": 3, "recv_count": 2, "msg_count": 3})
        r = ck.net_stats(s, 2)
        self.assertEqual(r["all"]["msgs_per_op"], 1.5)
        self.assertNotIn("msgs_per_op", r["clients"])
        self.assertEqual(ck.net_stats(s, 0)["all"].get("msgs_per_op"), None)
        j.close()
        j.record("send", 3, "n0", "n1")
        self.assertEqual(j.stats()["all"]["send_count"], 3)
        self.assertTrue(involves_client("n1", "c7"))
        self.assertFalse(involves_client("n1", "lin-kv"))

    def test_float32(self):
        self.assertEqual(ck.float32(129592 / 1990), 65.121605)

    def test_latency_draws(self):
        rng = random.Random(0)
        self.assertEqual(LatencyModel(100, "constant", rng).draw("n0", "n1"), 100)
        self.assertEqual(LatencyModel(100, "constant", rng).draw("c1", "n1"), 0)
        u = LatencyModel(10, "uniform", rng)
        draws = {u.draw("n0", "n1") for _ in range(2000)}
        self.assertEqual(draws, set(range(20)))
        e = LatencyModel(50, "exponential", rng)
        xs = [e.draw("n0", "n1") for _ in range(5000)]
        self.assertTrue(all(isinstance(x, int) and x >= 0 for x in xs))
        self.assertAlmostEqual(sum(xs) / len(xs), 49.5, delta=3)
        with self.assertRaises(ValueError):
            LatencyModel(0, "uniform", rng)

    def _network(self, latency):
        delivered = []
        net = Network(LatencyModel(latency, "constant", random.Random(0)), Journal())
        t0 = time.monotonic()

        def deliver(line):
            delivered.append((time.monotonic() - t0, line))
            return True
        for n in ("n0", "n1"):
            net.add_node(n, deliver)
        return net, delivered

    def test_head_of_line_blocking(self):
        net, delivered = self._network(200)
        client = net.open_client()
        net.send("n0", "n1", {"type": "gossip"})
        time.sleep(0.02)
        net.send(client.id, "n1", {"type": "read", "msg_id": 1})
        time.sleep(0.35)
        net.stop()
        self.assertEqual(len(delivered), 2)
        self.assertIn('"gossip"', delivered[0][1])
        self.assertGreaterEqual(delivered[1][0], 0.19)      # waited behind the gossip
        self.assertTrue(delivered[1][1].startswith('{"id":1,"src":"c0","dest":"n1"'))

    def test_partition_checked_at_take_time(self):
        net, delivered = self._network(100)
        net.send("n0", "n1", {"type": "a"})          # taken at once, before the partition
        time.sleep(0.02)
        net.set_partition({"n1": {"n0"}})
        net.send("n0", "n1", {"type": "b"})          # dropped when taken
        time.sleep(0.25)
        net.heal()
        net.stop()
        self.assertEqual([line for _, line in delivered],
                         ['{"id":0,"src":"n0","dest":"n1","body":{"type":"a"}}'])
        stats = net.journal.stats()
        self.assertEqual((stats["servers"]["send_count"], stats["servers"]["recv_count"]), (2, 1))

    def test_unknown_destination_and_closed_client(self):
        from harness_net import InvalidMessage
        net, _ = self._network(0)
        c = net.open_client()
        net.close_client(c.id)
        with self.assertRaises(InvalidMessage):
            net.send("n0", c.id, {"type": "echo_ok"})
        with self.assertRaises(InvalidMessage):
            net.send("n0", "n9", {"type": "x"})
        net.stop()


class RpcTests(unittest.TestCase):
    def test_reply_schemas(self):
        ok = rpc.completion("echo", "x", {"type": "echo_ok", "echo": "x", "in_reply_to": 1,
                                          "msg_id": 3})
        self.assertEqual(ok, {"type": "ok", "value": "x"})
        bad = rpc.completion("broadcast", 0, {"type": "broadcast_ok", "in_reply_to": 1,
                                               "extra": 1})
        self.assertEqual(bad["type"], "info")
        self.assertIn("exception", bad)
        bad = rpc.completion("read", None, {"type": "read_ok", "in_reply_to": 1,
                                             "messages": {"a": 1}})
        self.assertEqual(bad["type"], "info")
        missing = rpc.completion("generate", None, {"type": "generate_ok", "in_reply_to": 1})
        self.assertEqual(missing["type"], "info")

    def test_errors_and_timeouts(self):
        self.assertEqual(rpc.completion("read", None, None)["type"], "fail")
        self.assertEqual(rpc.completion("broadcast", 1, None),
                         {"type": "info", "value": 1, "error": "net-timeout"})
        err = {"type": "error", "in_reply_to": 1, "code": 11, "text": "busy", "more": 1}
        self.assertEqual(rpc.completion("broadcast", 1, err)["type"], "fail")
        crash = {"type": "error", "in_reply_to": 1, "code": 13}
        self.assertEqual(rpc.completion("broadcast", 1, crash)["type"], "info")
        self.assertEqual(rpc.completion("read", None, crash)["type"], "fail")
        custom = rpc.completion("generate", None, {"type": "error", "in_reply_to": 1,
                                                    "code": 1000})
        self.assertEqual((custom["type"], custom["error"]), ("info", ["unknown", None]))

    def test_matches(self):
        self.assertTrue(rpc.matches({"in_reply_to": 3}, 3))
        self.assertFalse(rpc.matches({"in_reply_to": 3.0}, 3))
        self.assertFalse(rpc.matches({"in_reply_to": True}, 1))

    def test_envelope(self):
        self.assertEqual(parse_envelope(b'{"src":"n0","dest":"c1","body":{"type":"x"},"id":4}'),
                         ("n0", "c1", {"type": "x"}))
        for bad in (b"", b"  ", b"nope", b"[1]", b'{"src":"n0","dest":"c1"}',
                    b'{"src":"n0","dest":"c1","body":{},"extra":1}',
                    b'{"src":"n0","dest":"c1","body":{},"id":"7"}',
                    b'{"src":1,"dest":"c1","body":{}}'):
            with self.assertRaises(EnvelopeError):
                parse_envelope(bad)


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
