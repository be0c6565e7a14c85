#!/usr/bin/env bash
# Reference traces: the same seed must give the same trace, byte for byte, across a change that
# is meant to move code and not behaviour. Runs a fixed set of in-process tests with --trace and
# prints one SHA-256 per run (of the trace: every journaled message with its µs time) and of the
# results JSON with its wall-clock fields removed. Compare the output before and after a change:
#
#   scripts/reference-traces.sh > before.txt   # on the old commit
#   scripts/reference-traces.sh > after.txt    # on the new one
#   diff before.txt after.txt                  # empty: same behaviour
#
# Environment: SIM (default target/release/glomers-sim, built if missing), OUT (default: a temp dir).
set -euo pipefail
cd "$(dirname "$0")/.."
sim=${SIM:-target/release/glomers-sim}
[ -n "${SIM:-}" ] || cargo build --release --quiet --bin glomers-sim
out=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/reference-traces.XXXXXX")}
mkdir -p "$out"

run() {
    local name=$1; shift
    "$sim" test "$@" --no-results --trace "$out/$name.trace" --json "$out/$name.json" >"$out/$name.txt" 2>&1 || true
    local t j
    t=$(sha256sum <"$out/$name.trace" | cut -c1-16)
    # Wall-clock fields (start time, elapsed seconds, checker timings) differ run to run.
    j=$(python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
def strip(v):
    if isinstance(v,dict): return {k:strip(x) for k,x in v.items() if k not in ("started","start_time","elapsed_s","wall_s","duration_s","checker_ms","results_dir","date","wall_ms")}
    if isinstance(v,list): return [strip(x) for x in v]
    return v
print(json.dumps(strip(d),sort_keys=True))' "$out/$name.json" | sha256sum | cut -c1-16)
    printf '%-28s trace %s  json %s\n' "$name" "$t" "$j"
}

b=(-w broadcast --node-count 25 --time-limit 20 --rate 100 --latency 100)
run 3d-partition "${b[@]}" --topology-file 3d --nemesis partition --seed 1
run 3e-faults "${b[@]}" --topology-file 3e --seed 2 --faults loss=0.1,dup=0.05,reorder=0.1,spike=0.05,oneway,pause
run 3e-exponential-grid "${b[@]}" --topology-file 3e --latency-dist exponential --topology grid --seed 3
run unique-ids-partition -w unique-ids --node-count 3 --time-limit 20 --rate 1000 --availability total --nemesis partition --seed 4
run g-counter-partition -w g-counter --node-count 3 --rate 100 --time-limit 20 --nemesis partition --seed 5
run pn-counter-latency -w pn-counter --node-count 5 --rate 100 --time-limit 20 --latency 100 --seed 6
run txn-6c -w txn-rw-register --node-count 2 --concurrency 2n --time-limit 20 --rate 1000 --consistency-models read-committed --availability total --nemesis partition --seed 7
