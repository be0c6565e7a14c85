#!/usr/bin/env bash
# The crash targets of docs/reliability.md: each standard run under no nemesis, --nemesis kill
# and --nemesis kill,partition for seeds 1-5, one line per run (valid, what its checker counts
# lost or duplicated, server msgs-per-op, kills, availability). In process by default; BIN=path
# runs the node as real processes (e.g. BIN=target/release/glomers).
#
#   scripts/crash-targets.sh [workload-name ...]   # default: every row below
#
# Environment: SIM (default target/release/glomers-sim), SEEDS (default "1 2 3 4 5"),
# NEMESES (default "none kill partition,kill"), BIN.
set -euo pipefail
cd "$(dirname "$0")/.."
sim=${SIM:-target/release/glomers-sim}
seeds=${SEEDS:-1 2 3 4 5}
nemeses=${NEMESES:-none kill partition,kill}
out=$(mktemp -d "${TMPDIR:-/tmp}/crash-targets.XXXXXX")

declare -A rows=(
  [unique-ids]="-w unique-ids --node-count 3 --time-limit 20 --rate 1000 --availability total"
  [3c]="-w broadcast --node-count 5 --time-limit 20 --rate 10"
  [3d]="-w broadcast --node-count 25 --time-limit 20 --rate 100 --latency 100 --topology-file 3d"
  [3e]="-w broadcast --node-count 25 --time-limit 20 --rate 100 --latency 100 --topology-file 3e"
  [g-counter]="-w g-counter --node-count 3 --rate 100 --time-limit 20"
  [5b]="-w kafka --node-count 2 --concurrency 2n --time-limit 20 --rate 1000"
  [6c]="-w txn-rw-register --node-count 2 --concurrency 2n --time-limit 20 --rate 1000 --consistency-models read-committed --availability total"
)
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(unique-ids 3c 3d 3e g-counter 5b 6c)

for name in "${names[@]}"; do
  for nemesis in $nemeses; do
    for seed in $seeds; do
      # shellcheck disable=SC2206
      args=(${rows[$name]} --seed "$seed")
      [ "$nemesis" = none ] || args+=(--nemesis "$nemesis")
      node_args=()
      if [ -n "${BIN:-}" ]; then
        # The topology file is the node's flag: after `--`.
        case $name in
          3d|3e) args=(${rows[$name]/--topology-file $name/} --seed "$seed")
                  [ "$nemesis" = none ] || args+=(--nemesis "$nemesis")
                  node_args=(-- --topology-file "$name");;
        esac
        args+=(--bin "$BIN")
      fi
      f=$out/$name-$nemesis-$seed
      "$sim" test "${args[@]}" --no-results --json "$f.json" "${node_args[@]}" >"$f.txt" 2>&1 || true
      late=$(grep -o '[0-9]* late replies' "$f.txt" | cut -d' ' -f1 || true)
      python3 - "$f.json" "$name" "$nemesis" "$seed" "${late:-0}" <<'PY'
import json, sys
path, name, nemesis, seed, late = sys.argv[1:]
try:
    d = json.load(open(path))
except Exception as e:
    print(f"{name:10} {nemesis:15} seed {seed}: NO RESULT ({e})"); sys.exit()
k = d.get("kills") or {}
srv = d["net"]["servers"]["msgs_per_op"] or 0
av = d.get("availability") or {}
extra = []
if "lost_count" in d: extra.append(f"lost {d['lost_count']}")
if "duplicated_count" in d: extra.append(f"dup-ids {d['duplicated_count']}")
st = d.get("stats") or {}
print(f"{name:10} {nemesis:15} seed {seed}: valid {str(d['valid']):5} {' '.join(extra):12} "
      f"msgs-per-op {srv:.3f} kills {k.get('kills', 0):2} ok-fraction {av.get('ok_fraction', 1):.5f} "
      f"late {late} workload-valid {d.get('workload_valid')}")
PY
    done
  done
done
