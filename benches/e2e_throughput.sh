#!/usr/bin/env bash
# End-to-end throughput of the release binary over pipes.
#
#   benches/e2e_throughput.sh [LINES] [MIX] [DISTINCT] [SEQ_WINDOW]
#
# Generates LINES Maelstrom input lines for one node (init first, then MIX: root | clients |
# echo, see examples/maelstrom_lines.rs; values repeat after DISTINCT, each gossip sender's
# sequence numbers after SEQ_WINDOW, 0 for never), pipes them through
# target/release/glomers with `cat file | glomers | wc`, and reports input lines per second
# (wall clock of the glomers process, start-up included) and its peak RSS, both from GNU time.
# Defaults: 2,000,000 lines, mix root, 1,000 distinct values, a window of 8.
# DURABILITY=write|sync|off (default write, the binary's default) picks the node's log mode;
# the log goes to target/e2e/glomers-n0.log (removed before the run). PIN=CPU runs the node
# (only it: `cat` and `wc` stay free) under `taskset -c CPU`.
set -euo pipefail
cd "$(dirname "$0")/.."

lines=${1:-2000000}
mix=${2:-root}
distinct=${3:-1000}
window=${4:-8}
durability=${DURABILITY:-write}

if ! /usr/bin/time -v true >/dev/null 2>&1; then
    echo "needs GNU time at /usr/bin/time (Debian/Ubuntu: apt-get install time)" >&2
    exit 1
fi

cargo build --quiet --release --bin glomers --example maelstrom_lines
mkdir -p target/e2e
input=target/e2e/lines-$mix-$lines-$distinct-$window.jsonl
if [ ! -s "$input" ]; then
    target/release/examples/maelstrom_lines --lines "$lines" --mix "$mix" \
        --distinct "$distinct" --seq-window "$window" >"$input"
fi
report=$(mktemp)
trap 'rm -f "$report"' EXIT

# The file is read once beforehand so the page cache, not the disk, feeds `cat`.
cat "$input" >/dev/null
rm -f target/e2e/glomers-n0.log
read -r out_lines out_bytes < <(cat "$input" |
    GLOMERS_LOG=warn /usr/bin/time -v -o "$report" ${PIN:+taskset -c "$PIN"} target/release/glomers \
        --durability "$durability" --log-dir target/e2e 2>/dev/null |
    wc -lc)
log_bytes=$(stat -c %s target/e2e/glomers-n0.log 2>/dev/null || echo 0)

in_lines=$(wc -l <"$input")
in_bytes=$(wc -c <"$input")
wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$report")
rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$report")
user=$(sed -n 's/.*User time (seconds): //p' "$report")
sys=$(sed -n 's/.*System time (seconds): //p' "$report")
seconds=$(awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }' <<<"$wall")

awk -v mix="$mix" -v l="$in_lines" -v b="$in_bytes" -v ol="$out_lines" -v ob="$out_bytes" \
    -v s="$seconds" -v u="$user" -v sy="$sys" -v rss="$rss_kb" -v d="$distinct" \
    -v dur="$durability" -v lb="$log_bytes" 'BEGIN {
    printf "mix %s (%d distinct values): %d lines in (%.1f MB), %d lines out (%.1f MB)\n", mix, d, l, b / 1e6, ol, ob / 1e6
    printf "durability %s: log %.1f KB at the end\n", dur, lb / 1e3
    printf "wall %.2f s (user %.2f s, sys %.2f s): %.0f lines/s, %.0f MB/s in, %.0f MB/s out\n", s, u, sy, l / s, b / 1e6 / s, ob / 1e6 / s
    printf "peak RSS %.1f MiB\n", rss / 1024
}'
