"""Pure shape functions: broadcast topologies and partition grudges.

Everything here is deterministic given its inputs (partition shapes take an
explicit ``random.Random``), so it is unit-tested directly.

Topologies follow Maelstrom's ``topology`` shapes as its ``doc/workloads.md`` and
``src/maelstrom/workload/broadcast.clj`` describe them; partition shapes follow Jepsen's ``jepsen/nemesis.clj`` grudges.

A *grudge* is a dict ``receiver -> set(senders)``: the receiver's delivery
worker drops every message whose ``src`` is in that set.
"""

TOPOLOGIES = ("grid", "line", "total", "tree", "tree2", "tree3", "tree4")
PARTITION_SHAPES = ("one", "minority-third", "majority", "majorities-ring")


# --------------------------------------------------------------------------
# Topologies
# --------------------------------------------------------------------------

def _ceil_sqrt(n):
    """Smallest integer s with s*s >= n (exact, no floating point)."""
    s = 0
    while s * s < n:
        s += 1
    return s


def grid_topology(nodes):
    """Grid: side = ceil(sqrt N), node k at (k div side, k mod side).

    Neighbours are listed in the order below, above, right, left.
    """
    n = len(nodes)
    side = _ceil_sqrt(n)
    topo = {}
    for k, node in enumerate(nodes):
        col = k % side
        neighbours = []
        if k + side < n:
            neighbours.append(nodes[k + side])
        if k - side >= 0:
            neighbours.append(nodes[k - side])
        if col + 1 < side and k + 1 < n:
            neighbours.append(nodes[k + 1])
        if col > 0:
            neighbours.append(nodes[k - 1])
        topo[node] = neighbours
    return topo


def line_topology(nodes):
    """Line: first -> [second], last -> [previous], others -> [left, right].

    Fewer than two nodes gives an empty map.
    """
    n = len(nodes)
    if n < 2:
        return {}
    topo = {}
    for k, node in enumerate(nodes):
        if k == 0:
            topo[node] = [nodes[1]]
        elif k == n - 1:
            topo[node] = [nodes[k - 1]]
        else:
            topo[node] = [nodes[k - 1], nodes[k + 1]]
    return topo


def total_topology(nodes):
    """Total: every node lists all the others, in node order."""
    return {node: [o for o in nodes if o != node] for node in nodes}


def tree_topology(nodes, branching):
    """Tree with tiers of size 1, b, b^2, ... filled in node order.

    The j-th node of a tier has children j*b .. j*b+b-1 of the next tier;
    neighbours are [parent, children...].
    """
    tiers = []
    i, size = 0, 1
    while i < len(nodes):
        tiers.append(nodes[i:i + size])
        i += size
        size *= branching
    topo = {}
    for t, tier in enumerate(tiers):
        nxt = tiers[t + 1] if t + 1 < len(tiers) else []
        for j, node in enumerate(tier):
            neighbours = []
            if t > 0:
                neighbours.append(tiers[t - 1][j // branching])
            neighbours.extend(nxt[j * branching:(j + 1) * branching])
            topo[node] = neighbours
    return topo


def topology(name, nodes):
    """Return the ``--topology`` map named ``name`` over ``nodes`` (in order)."""
    if name == "grid":
        return grid_topology(nodes)
    if name == "line":
        return line_topology(nodes)
    if name == "total":
        return total_topology(nodes)
    if name in ("tree", "tree2"):
        return tree_topology(nodes, 2)
    if name == "tree3":
        return tree_topology(nodes, 3)
    if name == "tree4":
        return tree_topology(nodes, 4)
    raise ValueError("unknown topology %r" % (name,))


# --------------------------------------------------------------------------
# Partition grudges
# --------------------------------------------------------------------------

def complete_grudge(components):
    """Grudge for a clean split: each node drops every node outside its part.

    Empty components are ignored; a split with a single non-empty component
    therefore drops nothing.
    """
    components = [list(c) for c in components if c]
    everyone = [n for c in components for n in c]
    grudge = {}
    for comp in components:
        members = set(comp)
        outsiders = {n for n in everyone if n not in members}
        for node in comp:
            if outsiders:
                grudge[node] = set(outsiders)
    return grudge


def partition_one(nodes, rng):
    """``:one`` - one random node cut off from all the others."""
    shuffled = list(nodes)
    rng.shuffle(shuffled)
    if not shuffled:
        return {}
    return complete_grudge([shuffled[:1], shuffled[1:]])


def partition_minority_third(nodes, rng):
    """``:minority-third`` - floor((N-1)/3) random nodes cut off from the rest."""
    shuffled = list(nodes)
    rng.shuffle(shuffled)
    k = max(0, (len(shuffled) - 1) // 3)
    return complete_grudge([shuffled[:k], shuffled[k:]])


def partition_majority(nodes, rng):
    """``:majority`` - split into floor(N/2) random nodes and the rest."""
    shuffled = list(nodes)
    rng.shuffle(shuffled)
    k = len(shuffled) // 2
    return complete_grudge([shuffled[:k], shuffled[k:]])


def partition_majorities_ring(nodes, rng):
    """``:majorities-ring`` - everyone keeps a majority, no two the same one.

    N <= 5: shuffle into a ring; with majority m = floor(N/2)+1 each node
    hears only the m-node window centred on it (positions i - m//2 ..
    i - m//2 + m - 1), dropping everybody else.  With 5 nodes that is the two
    ring neighbours; with 3 nodes (m = 2) each node hears only its
    predecessor, so drops are one-directional.

    N > 5: grow a random symmetric graph until every node has at least m-1
    peers; each node drops every non-peer.
    """
    shuffled = list(nodes)
    rng.shuffle(shuffled)
    n = len(shuffled)
    if n == 0:
        return {}
    m = n // 2 + 1
    grudge = {}
    if n <= 5:
        for i, node in enumerate(shuffled):
            start = i - m // 2
            window = {shuffled[(start + d) % n] for d in range(m)}
            drop = {o for o in shuffled if o not in window}
            if drop:
                grudge[node] = drop
        return grudge
    adj = {node: set() for node in shuffled}
    while True:
        deficient = [x for x in shuffled if len(adj[x]) < m - 1]
        if not deficient:
            break
        a = rng.choice(deficient)
        candidates = [x for x in shuffled if x != a and x not in adj[a]]
        preferred = [x for x in candidates if len(adj[x]) < m - 1]
        b = rng.choice(preferred or candidates)
        adj[a].add(b)
        adj[b].add(a)
    for node in shuffled:
        drop = {o for o in shuffled if o != node and o not in adj[node]}
        if drop:
            grudge[node] = drop
    return grudge


_SHAPE_FNS = {
    "one": partition_one,
    "minority-third": partition_minority_third,
    "majority": partition_majority,
    "majorities-ring": partition_majorities_ring,
}


def partition_shape(shape, nodes, rng):
    """Grudge for the named shape (nodes are shuffled anew by ``rng``)."""
    return _SHAPE_FNS[shape](nodes, rng)


def random_partition(nodes, rng):
    """Pick one of the four shapes uniformly; return ``(shape, grudge)``."""
    shape = rng.choice(PARTITION_SHAPES)
    return shape, partition_shape(shape, nodes, rng)
