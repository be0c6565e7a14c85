"""Unit tests for the network: journal stats, latency draws, delivery queues.

Run with ``python3 -m unittest discover -s harness -p 'test_*.py'`` from the
repository root.
"""

import random
import time
import unittest

import harness_checkers as ck
from harness_net import Journal, LatencyModel, Network, involves_client


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


if __name__ == "__main__":
    unittest.main()
