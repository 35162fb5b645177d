#!/usr/bin/env bash
# The failover acceptance check, repeated: runs the three tests of tests/it/failover.rs
# (a primary and a synchronous hot standby on loopback, the primary killed under a load
# of payments, the standby promoted; a standby that stops; two read-only servers) RUNS
# times in a row, each a fresh pair of clusters, and stops at the first failure with
# its log. Prints, per run, what the test printed: the commands acknowledged before the
# crash (each must be found exactly once after it) and the feed delay of the replicas.
#
#   tools/failover-loop.sh [RUNS]     (default: 10)
#
# Needs what the tests need: Debian's PostgreSQL server package (.ci/run installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
cargo test -q --test it failover:: --no-run
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for run in $(seq 1 "$runs"); do
  start=$(date +%s)
  if ! cargo test -q --test it failover:: -- --test-threads=1 --nocapture > "$log" 2>&1; then
    cat "$log"
    echo "failover-loop: run $run of $runs FAILED (its log above)" >&2
    exit 1
  fi
  echo "run $run: passed in $(( $(date +%s) - start )) s"
  grep -h -o 'failover: .*\|feed delay.*' "$log" | sed 's/^/  /'
done
echo "failover-loop: $runs of $runs runs passed"
