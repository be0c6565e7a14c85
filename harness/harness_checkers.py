"""Checkers (spec sections 4, 10, 11), as pure functions over a history.

A history is a list of op dicts in history order, each with ``index``,
``type`` (``invoke``/``ok``/``fail``/``info``), ``f``, ``value``, ``process``
(an int for client threads, ``"nemesis"`` for the nemesis) and ``time``
(ns since the run started).  A completion belongs to the latest preceding
invocation of the same process.

Validity values are ``True``, ``False`` or the string ``"unknown"``.
"""

import json
import math
import struct

QUANTILE_POINTS = (0, 0.5, 0.95, 0.99, 1)
QUANTILE_KEYS = ("0", "0.5", "0.95", "0.99", "1")
NS_PER_MS = 1_000_000


def is_client_op(op):
    """Client ops have integer processes; the nemesis' process is a string."""
    p = op.get("process")
    return isinstance(p, int) and not isinstance(p, bool)


def merge_valid(values):
    """Overall validity: False if any False, else unknown if any, else True."""
    values = list(values)
    if any(v is False for v in values):
        return False
    if any(v == "unknown" for v in values):
        return "unknown"
    return True


def quantiles(values, points=QUANTILE_POINTS):
    """Jepsen-style quantiles: sorted ascending, point p -> index
    min(n-1, floor(n*p)).  Returns ``{key: value}`` (keys as in
    ``QUANTILE_KEYS``) or ``{}`` for no values."""
    xs = sorted(values)
    n = len(xs)
    if n == 0:
        return {}
    out = {}
    for key, p in zip(QUANTILE_KEYS, points):
        out[key] = xs[min(n - 1, int(math.floor(n * p)))]
    return out


def pair_ops(history):
    """Yield ``(invocation, completion)`` for client ops in completion order;
    invocations never completed are yielded last with completion ``None``."""
    open_inv = {}
    for op in history:
        if not is_client_op(op):
            continue
        if op["type"] == "invoke":
            open_inv[op["process"]] = op
        else:
            inv = open_inv.pop(op["process"], None)
            if inv is not None:
                yield inv, op
    for inv in sorted(open_inv.values(), key=lambda o: o["index"]):
        yield inv, None


# --------------------------------------------------------------------------
# Broadcast: Jepsen set-full (non-linearizable), broadcast = add
# --------------------------------------------------------------------------

def _ms(ns):
    """Truncate a non-negative ns duration to whole ms."""
    return int(ns // NS_PER_MS)


def set_full(history, add_f="broadcast", read_f="read"):
    """Jepsen ``set-full`` checker over client ops, exactly as in spec §10.

    * an element is created at its add's invocation;
    * each ``:ok`` read completion updates every element created so far, using
      the read's *invocation*: ``last_present`` / ``last_absent`` = the latest
      (by history index) such invocation;
    * ``known`` = first of the add's ``:ok`` completion and the completion of
      the first read that contained the element;
    * stable / lost / never-read, latencies with the +1 ns and ms truncation,
      floor(n*p) quantiles, validity (lost -> False, none stable -> unknown).
    """
    elements = {}           # value -> state
    order = []              # values in creation order
    invocations = {}        # process -> its open invocation
    attempt_count = 0
    for op in history:
        if not is_client_op(op):
            continue
        if op["type"] == "invoke":
            invocations[op["process"]] = op
            if op["f"] == add_f:
                attempt_count += 1
                v = op["value"]
                if v not in elements:
                    elements[v] = {"element": v, "known": None, "last_present": None,
                                   "last_absent": None}
                    order.append(v)
            continue
        inv = invocations.pop(op["process"], None)
        if inv is None or op["type"] != "ok":
            continue
        if op["f"] == add_f:
            st = elements.get(inv["value"])
            if st is not None and st["known"] is None:
                st["known"] = op
        elif op["f"] == read_f:
            seen = {x for x in (op["value"] or []) if type(x) is int}
            for st in elements.values():
                if st["element"] in seen:
                    if st["known"] is None:
                        st["known"] = op
                    lp = st["last_present"]
                    if lp is None or lp["index"] < inv["index"]:
                        st["last_present"] = inv
                else:
                    la = st["last_absent"]
                    if la is None or la["index"] < inv["index"]:
                        st["last_absent"] = inv

    stable, lost, never_read, stale = [], [], [], []
    stable_lat, lost_lat, outcomes = [], [], []
    for v in order:
        st = elements[v]
        known, lp, la = st["known"], st["last_present"], st["last_absent"]
        if lp is not None and (la is None or la["index"] < lp["index"]):
            lat = 0 if la is None else _ms(max(0, la["time"] + 1 - known["time"]))
            stable.append(v)
            stable_lat.append(lat)
            if lat > 0:
                stale.append(v)
            outcomes.append({"element": v, "outcome": "stable", "stable_latency": lat,
                             "lost_latency": None, "known": known["time"],
                             "last_absent": la["time"] if la else None})
        elif (known is not None and la is not None
              and (lp is None or la["index"] > lp["index"])
              and la["index"] > known["index"]):
            lat = 0 if lp is None else _ms(max(0, lp["time"] + 1 - known["time"]))
            lost.append(v)
            lost_lat.append(lat)
            outcomes.append({"element": v, "outcome": "lost", "stable_latency": None,
                             "lost_latency": lat, "known": known["time"],
                             "last_absent": la["time"]})
        else:
            never_read.append(v)

    worst = sorted((o for o in outcomes if o["outcome"] == "stable" and o["stable_latency"] > 0),
                   key=lambda o: -o["stable_latency"])[:8]
    if lost:
        valid = False
    elif not stable:
        valid = "unknown"
    else:
        valid = True
    result = {
        "valid": valid,
        "attempt_count": attempt_count,
        "stable_count": len(stable),
        "lost_count": len(lost),
        "lost": sorted(lost),
        "never_read_count": len(never_read),
        "never_read": sorted(never_read),
        "stale_count": len(stale),
        "stale": sorted(stale),
        "worst_stale": worst,
        "duplicated_count": 0,
        "duplicated": {},
    }
    if stable_lat:
        result["stable_latencies"] = quantiles(stable_lat)
    if lost_lat:
        result["lost_latencies"] = quantiles(lost_lat)
    return result


# --------------------------------------------------------------------------
# unique-ids
# --------------------------------------------------------------------------

def _canonical(x):
    """Hashable key distinguishing JSON types (1 and 1.0 differ, as in Clojure)."""
    return json.dumps(x, sort_keys=True)


def clj_compare(a, b):
    """A Clojure-``compare``-like total order over JSON values of one kind.

    nil sorts first; numbers compare numerically; strings by UTF-16 code
    units; booleans false < true; arrays by length then element-wise.  Other
    mixtures (e.g. string vs number, objects) raise ``TypeError``.
    """
    if a is None or b is None:
        return (a is not None) - (b is not None)
    num = lambda x: isinstance(x, (int, float)) and not isinstance(x, bool)
    if num(a) and num(b):
        return (a > b) - (a < b)
    if isinstance(a, bool) and isinstance(b, bool):
        return int(a) - int(b)
    if isinstance(a, str) and isinstance(b, str):
        ea, eb = a.encode("utf-16-be"), b.encode("utf-16-be")
        return (ea > eb) - (ea < eb)
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return (len(a) > len(b)) - (len(a) < len(b))
        for x, y in zip(a, b):
            c = clj_compare(x, y)
            if c:
                return c
        return 0
    raise TypeError("cannot compare %r with %r" % (a, b))


def unique_ids(history, f="generate"):
    """Jepsen ``unique-ids``: valid iff no id appears in two ``:ok`` replies."""
    attempted = sum(1 for op in history
                    if is_client_op(op) and op["type"] == "invoke" and op["f"] == f)
    ids = [op["value"] for op in history
           if is_client_op(op) and op["type"] == "ok" and op["f"] == f]
    counts, first = {}, {}
    for x in ids:
        k = _canonical(x)
        counts[k] = counts.get(k, 0) + 1
        first.setdefault(k, x)
    dups = [(first[k], c) for k, c in counts.items() if c > 1]
    dups.sort(key=lambda kc: -kc[1])
    result = {
        "attempted_count": attempted,
        "acknowledged_count": len(ids),
        "duplicated_count": len(dups),
        "duplicated": [[x, c] for x, c in dups[:48]],
        "range": None,
    }
    try:
        if ids:
            lo = hi = ids[0]
            for x in ids[1:]:
                if clj_compare(x, lo) < 0:
                    lo = x
                if clj_compare(x, hi) > 0:
                    hi = x
            result["range"] = [lo, hi]
        result["valid"] = not dups
    except TypeError as e:
        result["valid"] = "unknown"
        result["error"] = "checker threw: %s" % e
    return result


# --------------------------------------------------------------------------
# echo, stats, availability, net
# --------------------------------------------------------------------------

def echo_checker(history):
    """Every echo invocation must complete ``:ok`` with the same payload."""
    errors = []
    for inv, comp in pair_ops(history):
        if inv["f"] != "echo":
            continue
        if comp is None:
            errors.append({"invocation": inv["value"], "error": "never completed"})
        elif comp["type"] != "ok":
            errors.append({"invocation": inv["value"], "completion": comp["type"],
                           "error": comp.get("error") or comp.get("exception")})
        elif not (isinstance(comp["value"], str) and comp["value"] == inv["value"]):
            errors.append({"invocation": inv["value"], "completion": comp["value"],
                           "error": "echo mismatch"})
    return {"valid": not errors, "errors": errors}


def stats_checker(history):
    """``:stats``: per-:f counts; valid iff every client :f has >= 1 :ok."""
    by_f = {}
    for op in history:
        if not is_client_op(op) or op["type"] == "invoke":
            continue
        s = by_f.setdefault(op["f"], {"count": 0, "ok_count": 0, "fail_count": 0,
                                      "info_count": 0})
        s["count"] += 1
        s[op["type"] + "_count"] += 1
    for s in by_f.values():
        s["valid"] = s["ok_count"] > 0
    return {"valid": all(s["valid"] for s in by_f.values()), "by_f": by_f}


def availability_checker(history, spec):
    """``--availability``: None -> valid; "total" -> all ok; p -> ok-fraction >= p."""
    invokes = sum(1 for op in history if is_client_op(op) and op["type"] == "invoke")
    oks = sum(1 for op in history if is_client_op(op) and op["type"] == "ok")
    frac = (oks / invokes) if invokes else None
    if spec is None:
        valid = True
    elif spec == "total":
        valid = oks == invokes
    else:
        valid = frac is None or frac >= float(spec)
    return {"valid": valid, "ok_fraction": frac}


def op_count(history):
    """Number of :invoke entries from non-nemesis processes."""
    return sum(1 for op in history if is_client_op(op) and op["type"] == "invoke")


def float32(x):
    """Round to an IEEE single and return the shortest decimal that
    round-trips to it (how a JVM prints a float)."""
    packed = struct.pack("<f", x)
    single = struct.unpack("<f", packed)[0]
    for digits in range(1, 10):
        cand = float("%.*g" % (digits, single))
        if struct.pack("<f", cand) == packed:
            return cand
    return struct.unpack("<f", packed)[0]


def net_stats(journal_stats, ops):
    """``:net`` result: groups plus msgs_per_op for ``all`` and ``servers``."""
    out = {g: dict(v) for g, v in journal_stats.items()}
    if ops > 0:
        for g in ("all", "servers"):
            out[g]["msgs_per_op"] = float32(out[g]["msg_count"] / ops)
    out["valid"] = True
    return out
