"""Unit tests for topologies and partition shapes (harness_shapes).

Run with ``python3 -m unittest discover -s harness -p 'test_*.py'`` from the
repository root.
"""

import random
import unittest

from harness_cli import node_ids
from harness_shapes import (line_topology, partition_shape, random_partition, topology,
                            total_topology)


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


if __name__ == "__main__":
    unittest.main()
