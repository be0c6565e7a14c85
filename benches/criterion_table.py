#!/usr/bin/env python3
"""Prints the Markdown tables of docs/benchmarks.md from criterion's saved estimates.

Usage: python3 benches/criterion_table.py [--baseline NAME] [--compare OLD] [ROOT]

Reads `ROOT/<bench>/<NAME>/{benchmark,estimates}.json` (ROOT defaults to target/criterion,
NAME to `new`, the last run; `cargo bench -- --save-baseline NAME` keeps a named one) and
prints the median time of each bench: one table pairing glomers' codec with the serde_json
baseline (ratio = serde_json time / glomers time, so > 1 means glomers is faster), and one
table of node throughput in messages per second. With `--compare OLD`, a third table shows
glomers' own benches in baseline OLD against NAME.
"""

import argparse
import json
import os


def load(root, baseline):
    results = {}
    for dirpath, _dirs, files in os.walk(root):
        if os.path.basename(dirpath) != baseline or "estimates.json" not in files:
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


KINDS = ["init", "init_ok", "echo", "echo_ok", "generate", "generate_ok", "broadcast",
         "broadcast_ok", "read", "read_ok", "topology", "gossip"]


def order(full_id):
    parts = full_id.split("/")
    op, kind = parts[0], parts[1]
    size = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else 0
    return (["decode", "encode", "node"].index(op) if op in ("decode", "encode", "node") else 9,
            KINDS.index(kind) if kind in KINDS else kind, size, full_id)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("root", nargs="?", default="target/criterion")
    parser.add_argument("--baseline", default="new")
    parser.add_argument("--compare")
    args = parser.parse_args()
    results = load(args.root, args.baseline)
    groups = {}
    for full_id, (group, function, ns, thr) in results.items():
        groups.setdefault(group, {})[function] = (ns, thr)

    print("| bench | glomers | serde_json | ratio (serde_json / glomers) | glomers throughput |")
    print("|---|---:|---:|---:|---:|")
    for group in sorted((g for g in groups if g.split("/")[0] in ("decode", "encode")),
                        key=order):
        fns = groups[group]
        ours_name = "simd-json" if group.startswith("decode") else "hand-written"
        if ours_name not in fns or "serde_json" not in fns:
            continue
        ours, thr = fns[ours_name]
        theirs, _ = fns["serde_json"]
        per = ""
        if "Bytes" in thr:
            per = f"{thr['Bytes'] / ours * 1e9 / 2**20:.0f} MiB/s ({thr['Bytes']:,} B)"
        print(f"| `{group}/{{{ours_name},serde_json}}` | {fmt_time(ours)} | "
              f"{fmt_time(theirs)} | {theirs / ours:.2f}× | {per} |")

    node = sorted(g for g in groups if g.startswith("node/"))
    if node:
        print()
        print("| bench | time per run | messages per run | messages/s |")
        print("|---|---:|---:|---:|")
        variants = ["handle+drain", "handle+drain+encode", "decode+handle+drain+encode"]
        for group in node:
            for function in variants:
                if function not in groups[group]:
                    continue
                ns, thr = groups[group][function]
                n = thr.get("Elements", 0)
                print(f"| `{group}/{function}` | {fmt_time(ns)} | {n:,} | "
                      f"{n / ns * 1e9:,.0f} |")

    if args.compare:
        old = load(args.root, args.compare)
        print()
        print(f"| bench | {args.compare} | {args.baseline} | speed-up |")
        print("|---|---:|---:|---:|")
        for full_id in sorted(results, key=order):
            if full_id.endswith("/serde_json") or full_id not in old:
                continue
            before, after = old[full_id][2], results[full_id][2]
            print(f"| `{full_id}` | {fmt_time(before)} | {fmt_time(after)} | "
                  f"{before / after:.2f}× |")


if __name__ == "__main__":
    main()
