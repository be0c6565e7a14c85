#!/usr/bin/env python3
"""Prints the Markdown tables of docs/benchmarks.md from criterion's saved estimates.

Usage: python3 benches/criterion_table.py [target/criterion]

Reads every `<bench>/new/{benchmark,estimates}.json` that `cargo bench --bench codec` and
`cargo bench --bench node` wrote, and prints the median time of each bench: one table pairing
glomers' codec with the serde_json baseline (ratio = serde_json time / glomers time, so > 1
means glomers is faster), and one table of node throughput in messages per second.
"""

import json
import os
import sys


def load(root):
    results = {}
    for dirpath, _dirs, files in os.walk(root):
        if os.path.basename(dirpath) != "new" or "estimates.json" not in files:
            continue
        with open(os.path.join(dirpath, "benchmark.json")) as f:
            bench = json.load(f)
        with open(os.path.join(dirpath, "estimates.json")) as f:
            est = json.load(f)
        results[bench["full_id"]] = (
            bench["group_id"],
            bench["function_id"],
            est["median"]["point_estimate"],  # ns per iteration
            bench.get("throughput") or {},
        )
    return results


def fmt_time(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.0f} ns"


def group_order(group):
    op, kind, *size = group.split("/")
    kinds = ["init", "init_ok", "echo", "echo_ok", "generate", "generate_ok", "broadcast",
             "broadcast_ok", "read", "read_ok", "topology", "gossip"]
    return (op != "decode", kinds.index(kind) if kind in kinds else 99,
            int(size[0]) if size else 0)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "target/criterion"
    results = load(root)
    groups = {}
    for full_id, (group, function, ns, thr) in results.items():
        groups.setdefault(group, {})[function] = (ns, thr)

    print("| bench | glomers | serde_json | ratio (serde_json / glomers) | glomers throughput |")
    print("|---|---:|---:|---:|---:|")
    for group in sorted((g for g in groups if g.split("/")[0] in ("decode", "encode")),
                        key=group_order):
        fns = groups[group]
        ours_name = "simd-json" if group.startswith("decode") else "hand-written"
        if ours_name not in fns or "serde_json" not in fns:
            continue
        ours, thr = fns[ours_name]
        theirs, _ = fns["serde_json"]
        per = ""
        if "Bytes" in thr:
            per = f"{thr['Bytes'] / ours * 1e9 / 2**20:.0f} MiB/s ({thr['Bytes']} B)"
        print(f"| `{group}/{{{ours_name},serde_json}}` | {fmt_time(ours)} | "
              f"{fmt_time(theirs)} | {theirs / ours:.2f}× | {per} |")

    node = sorted(g for g in groups if g.startswith("node/"))
    if node:
        print()
        print("| scenario | variant | time per run | messages per run | messages/s |")
        print("|---|---|---:|---:|---:|")
        for group in node:
            for function, (ns, thr) in sorted(groups[group].items()):
                n = thr.get("Elements", 0)
                print(f"| `{group}` | `{function}` | {fmt_time(ns)} | {n} | "
                      f"{n / ns * 1e9:,.0f} |")


if __name__ == "__main__":
    main()
