#!/usr/bin/env bash
# The region month report's cost (R12, R16, R17): answering
# `flexledger region NAME --month M` reads two stored rows whatever the region's size.
# Measured in one run, for each region size, as a ratio against `flexledger member ID`
# (one member's rows, the cheapest read there is), and against folding every member of
# the region (`flexledger-audit export --region`: what a per-request sum would cost).
#
#   tools/region-report-bench.sh [MEMBERS...]     (default: 10000 100000; 6 months each)
#
# Prints one line per size, plus the import's peak RSS (the import itself is not what
# is measured here: flexledger-bench measures imports and month closes at scale).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
months=6
command -v bc >/dev/null || apt-get install -y bc >/dev/null
cargo build --release --bins -q
bin=target/release/flexledger
bench=target/release/flexledger-bench
audit=target/release/flexledger-audit
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# best_of N COMMAND...: the fastest of N runs, in milliseconds (the machine is shared).
best_of() {
  local runs=$1; shift
  local best=""
  for _ in $(seq "$runs"); do
    local start end took
    start=$(date +%s%N)
    "$@" > /dev/null
    end=$(date +%s%N)
    took=$(( (end - start) / 1000000 ))
    if [ -z "$best" ] || [ "$took" -lt "$best" ]; then best=$took; fi
  done
  echo "$best"
}

printf '%-9s %-14s %-12s %-12s %-16s %-10s\n' members report_ms member_ms ratio fold_region_ms import_rss
for members in "${sizes[@]}"; do
  data="$work/data-$members"
  $bench --members "$members" --months "$months" --emit "$work/commands.jsonl" 2>/dev/null
  rss=$( { /usr/bin/time -f '%M' $bin --data-dir "$data" submit "$work/commands.jsonl" > /dev/null; } 2>&1 | tail -1 )
  member=$($bin --data-dir "$data" events --from 1 | grep -m1 -o '"stream":"member-[^"]*"' | cut -d- -f2- | tr -d '"')
  report=$(best_of 5 $bin --data-dir "$data" region bench --month 2025-03)
  one=$(best_of 5 $bin --data-dir "$data" member "$member")
  # The per-request alternative: every member of the region folded (the audit tool's
  # region export folds each member's streams and writes its coverage).
  sum=$(best_of 1 $audit --data-dir "$data" export --region bench --out "$work/region.bundle")
  printf '%-9s %-14s %-12s %-12s %-16s %-10s\n' "$members" "$report" "$one" \
    "$(echo "scale=2; $report / $one" | bc)" "$sum" "$((rss / 1024))MiB"
  rm -rf "$data"
done
