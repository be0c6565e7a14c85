"""Result assembly, Maelstrom-like (EDN-ish) printing, and progress messages."""

import json
import sys

from harness_checkers import QUANTILE_KEYS

GOOD = "Everything looks good! ヽ(‘ー`)ノ"
BAD = "Analysis invalid! (test failed)"
UNKNOWN = "Errors occurred during analysis, but no anomalies found. (valid? :unknown)"
ABORTED = "Test aborted before analysis:"

_LIST_LIMIT = 24


def log(msg):
    """Harness progress messages go to stderr."""
    print("[harness] " + msg, file=sys.stderr, flush=True)


def _key(k):
    """``valid`` -> ``:valid?``, ``lost_count`` -> ``:lost-count``;
    quantile keys stay numbers."""
    if k in QUANTILE_KEYS:
        return k
    if k == "valid":
        return ":valid?"
    return ":" + str(k).replace("_", "-")


def edn(x, indent=0, top=False):
    """Render a JSON-ish value in an EDN-like style (keywords, nil, vectors).

    Long lists are cut after a few elements; the top-level map puts one key
    per line, nested maps too when they are large.
    """
    if x is None:
        return "nil"
    if x is True:
        return "true"
    if x is False:
        return "false"
    if isinstance(x, str):
        if x == "unknown":
            return ":unknown"
        return json.dumps(x, ensure_ascii=False)
    if isinstance(x, (int, float)):
        return repr(x)
    if isinstance(x, (list, tuple)):
        items = [edn(v, indent + 1) for v in x[:_LIST_LIMIT]]
        if len(x) > _LIST_LIMIT:
            items.append("... (%d more)" % (len(x) - _LIST_LIMIT))
        flat = "[" + " ".join(items) + "]"
        if "\n" not in flat and len(flat) + indent < 100:
            return flat
        return "[" + ("\n" + " " * (indent + 1)).join(items) + "]"
    if isinstance(x, dict):
        parts = []
        for k, v in x.items():
            key = _key(k)
            parts.append(key + " " + edn(v, indent + len(key) + 2))
        flat = "{" + ", ".join(parts) + "}"
        if not top and len(flat) + indent < 100:
            return flat
        return "{" + (",\n" + " " * (indent + 1)).join(parts) + "}"
    return json.dumps(x)


def exit_status(valid):
    """Maelstrom's exit codes: 0 valid, 1 invalid, 2 unknown."""
    if valid is True:
        return 0
    if valid == "unknown":
        return 2
    return 1


def summary_text(result):
    """The text printed at the end of a run."""
    shown = {}
    for key in ("availability", "stats", "net", "workload", "valid"):
        if key in result and result[key] is not None:
            shown[key] = result[key]
    lines = [edn(shown, top=True), ""]
    if result.get("violations"):
        lines.append("Node output violations (the node's stdout was ignored afterwards):")
        for v in result["violations"]:
            lines.append("  %s at %.3fs: %s" % (v["node"], v["time"] / 1e9, v["error"]))
        lines.append("")
    lines.append("op-count %s, msgs-per-op all %s, servers %s" % (
        result.get("op_count"),
        result.get("net", {}).get("all", {}).get("msgs_per_op"),
        result.get("net", {}).get("servers", {}).get("msgs_per_op")))
    if result.get("stable_latencies"):
        lines.append("stable-latencies (ms) %s" % edn(result["stable_latencies"]))
    if result.get("aborted"):
        lines.append("%s %s" % (ABORTED, result["aborted"]))
    elif result["valid"] is True:
        lines.append(GOOD)
    elif result["valid"] == "unknown":
        lines.append(UNKNOWN)
    else:
        lines.append(BAD)
    return "\n".join(lines)


def flatten(result):
    """Copy the headline workload fields to the top level of the JSON result."""
    wl = result.get("workload") or {}
    for key in ("lost_count", "stable_count", "attempt_count", "never_read_count",
                "stale_count", "stable_latencies", "duplicated_count", "errors"):
        result.setdefault(key, wl.get(key))
    return result
