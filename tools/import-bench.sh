#!/usr/bin/env bash
# A long bulk import: is it flat? Imports the synthetic region of flexledger-bench
# (MEMBERS members over MONTHS months; 210,000 × 24 ≈ 5 million commands) with one
# `flexledger submit`, and samples, every second, the result lines written so far
# (one per command) and the process's RSS. Reports the rate of each million commands
# and the RSS at each million, so the first million can be compared with the last.
#
#   tools/import-bench.sh [MEMBERS] [MONTHS]     (default: 210000 24)
#
# FLEXLEDGER_STORE=postgres://… imports into that (migrated, empty) PostgreSQL database
# instead of a sled directory; the disk line then gives the database's size.
# IMPORT_BENCH_KEEP=DIR keeps the sled store in DIR (which must not exist), e.g. to
# time `flexledger --data-dir DIR verify` or `rebuild` on it.
set -euo pipefail
cd "$(dirname "$0")/.."
members=${1:-210000}
months=${2:-24}
cargo build --release --bins -q
# FLEXLEDGER_BIN=PATH imports with another build (e.g. an older commit's, for an A/B run).
bin=${FLEXLEDGER_BIN:-$PWD/target/release/flexledger}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
target/release/flexledger-bench --members "$members" --months "$months" --emit "$work/import.jsonl" 2>/dev/null
total=$(wc -l < "$work/import.jsonl")
echo "importing $total commands ($members members, $months months)"
"$bin" --data-dir "$work/data" submit "$work/import.jsonl" > "$work/results.jsonl" 2> "$work/submit.err" &
pid=$!
start=$(date +%s%3N)
next=1000000
last_ms=$start
last_lines=0
while kill -0 "$pid" 2>/dev/null; do
  sleep 1
  lines=$(wc -l < "$work/results.jsonl")
  rss=$(awk '/^VmRSS/ {print int($2 / 1024)}' "/proc/$pid/status" 2>/dev/null || echo 0)
  now=$(date +%s%3N)
  if [ "$lines" -ge "$next" ]; then
    rate=$(( (lines - last_lines) * 1000 / (now - last_ms) ))
    echo "commands $((last_lines / 1000))k–$((lines / 1000))k: ${rate} commands/s, RSS ${rss} MiB"
    last_ms=$now
    last_lines=$lines
    next=$(( next + 1000000 ))
  fi
done
status=0
wait "$pid" || status=$?
now=$(date +%s%3N)
lines=$(wc -l < "$work/results.jsonl")
if [ "$status" -ne 0 ]; then
  # A rate of an import that stopped part way is no measurement: say why it stopped.
  echo "submit exited with $status after $lines of $total commands; its last words:" >&2
  tail -n 5 "$work/submit.err" >&2
  exit 1
fi
echo "commands $((last_lines / 1000))k–$((lines / 1000))k: $(( (lines - last_lines) * 1000 / (now - last_ms) )) commands/s"
if [ -n "${FLEXLEDGER_STORE:-}" ]; then
  disk="$(psql -Atq "$FLEXLEDGER_STORE" -c 'SELECT pg_database_size(current_database()) / 1048576') MiB (the database)"
else
  disk="$(du -sm "$work/data" | cut -f1) MiB"
fi
echo "all $lines commands in $(( (now - start) / 1000 )) s: $(( lines * 1000 / (now - start) )) commands/s; disk $disk"
if [ -n "${IMPORT_BENCH_KEEP:-}" ] && [ -z "${FLEXLEDGER_STORE:-}" ]; then
  mv "$work/data" "$IMPORT_BENCH_KEEP"
  echo "store kept in $IMPORT_BENCH_KEEP"
fi
