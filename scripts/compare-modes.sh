#!/usr/bin/env bash
# Agreement check between the three ways of running the 3d/3e broadcast test:
#
#   in-process  glomers-sim with in-process nodes on a virtual clock
#   process     glomers-sim --bin target/release/glomers (real processes, real time)
#   harness     the independent Python harness in harness/ (real processes, real time)
#
# For each preset and seed it runs the Fly.io 3d/3e command (25 nodes, rate 100, latency 100,
# time limit 20 s) in all three and prints Markdown tables: one row per run, then per preset the
# means over seeds with their ratios. Targets: process vs in-process msgs-per-op within 5% and
# median stable latency within 10%; harness vs glomers-sim within 10%.
#
# Usage: scripts/compare-modes.sh [SEED…]            (default seeds: 1 2 3)
# Environment: PRESETS (default "3d 3e"), OUT (default: a new temp dir; keeps every JSON
# result and the glomers-sim results folders with their plots).
# Each real-time run takes about 31 s; the default set takes about 7 minutes.

set -euo pipefail

cd "$(dirname "$0")/.."
seeds=("$@")
[ ${#seeds[@]} -gt 0 ] || seeds=(1 2 3)
presets=(${PRESETS:-3d 3e})
out=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/compare-modes.XXXXXX")}
mkdir -p "$out"

cargo build --release --quiet --bin glomers --bin glomers-sim

test_flags=(-w broadcast --node-count 25 --time-limit 20 --rate 100 --latency 100)
sim=target/release/glomers-sim
node=target/release/glomers

for preset in "${presets[@]}"; do
    for seed in "${seeds[@]}"; do
        tag="$preset-seed$seed"
        echo "== $tag: in-process" >&2
        "$sim" test "${test_flags[@]}" --seed "$seed" --topology-file "$preset" \
            --json "$out/$tag-in-process.json" --results-dir "$out/$tag-in-process" \
            >"$out/$tag-in-process.txt" || true
        echo "== $tag: process" >&2
        "$sim" test "${test_flags[@]}" --seed "$seed" --no-progress \
            --json "$out/$tag-process.json" --results-dir "$out/$tag-process" \
            --bin "$node" -- --topology-file "$preset" >"$out/$tag-process.txt" || true
        echo "== $tag: harness" >&2
        python3 harness/maelstrom_harness.py test "${test_flags[@]}" --seed "$seed" \
            --bin "$node" --json "$out/$tag-harness.json" -- --topology-file "$preset" \
            >"$out/$tag-harness.txt" 2>&1 || true
    done
done

python3 - "$out" "${presets[*]}" "${seeds[*]}" <<'EOF'
import json, os, sys

out, presets, seeds = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()
modes = ["in-process", "process", "harness"]

def load(preset, seed, mode):
    path = os.path.join(out, f"{preset}-seed{seed}-{mode}.json")
    try:
        d = json.load(open(path))
    except (OSError, ValueError):
        return None
    lat = d.get("stable_latencies") or {}
    return {
        "mpo": d["net"]["servers"]["msgs_per_op"],
        "median": lat.get("0.5"),
        "max": lat.get("1"),
        "lost": d.get("lost_count"),
        "ops": d.get("op_count"),
        "valid": d.get("valid"),
    }

def ratio(a, b):
    return f"{a / b:.3f}" if a is not None and b else "–"

def fmt(v, spec=""):
    return "–" if v is None else format(v, spec)

print(f"Runs: 25 nodes, rate 100, latency 100 ms, time limit 20 s; results in {out}\n")
print("| preset | seed | mode | valid | servers msgs-per-op | median stable (ms) | max stable (ms) | lost | ops | mpo ÷ in-process | median ÷ in-process |")
print("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
runs = {}
for p in presets:
    for s in seeds:
        base = load(p, s, "in-process")
        for m in modes:
            r = load(p, s, m)
            runs[(p, s, m)] = r
            if r is None:
                print(f"| {p} | {s} | {m} | failed | | | | | | | |")
                continue
            print(f"| {p} | {s} | {m} | {r['valid']} | {r['mpo']:.4f} | {fmt(r['median'])} | {fmt(r['max'])} "
                  f"| {fmt(r['lost'])} | {fmt(r['ops'])} | {ratio(r['mpo'], base and base['mpo'])} "
                  f"| {ratio(r['median'], base and base['median'])} |")

def mean(p, m, key):
    vals = [runs[(p, s, m)][key] for s in seeds if runs.get((p, s, m)) and runs[(p, s, m)][key] is not None]
    return sum(vals) / len(vals) if vals else None

print("\nMeans over seeds, and ratios (target: process ÷ in-process within 5% for msgs-per-op and 10% "
      "for the median; harness ÷ glomers-sim within 10%):\n")
print("| preset | figure | in-process | process | harness | process ÷ in-process | harness ÷ in-process | harness ÷ process |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
for p in presets:
    for key, name, spec in [("mpo", "servers msgs-per-op", ".4f"), ("median", "median stable (ms)", ".0f"),
                            ("max", "max stable (ms)", ".0f"), ("ops", "op count", ".0f")]:
        i, q, h = (mean(p, m, key) for m in modes)
        print(f"| {p} | {name} | {fmt(i, spec)} | {fmt(q, spec)} | {fmt(h, spec)} | {ratio(q, i)} | {ratio(h, i)} | {ratio(h, q)} |")
EOF
