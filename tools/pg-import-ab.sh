#!/usr/bin/env bash
# Two builds' `flexledger submit` of the same import into PostgreSQL, side by side:
# ROUNDS alternating rounds (A B, then B A, …: both see the same noise of a shared
# machine, and neither always runs second: each run into a cluster that grows is a
# little slower than the one before, 8.4 s to 10.3 s over six runs here), each into a fresh database of one throwaway cluster with PostgreSQL's
# default durability and its writer's own data directory; then each build's median
# wall time, the ratio B/A, and each run's peak RSS. For a change to what a writer does
# per append (the head witness it keeps beside its key, D86, measured 1.02x).
#
#   tools/pg-import-ab.sh FLEXLEDGER_A FLEXLEDGER_B [ROUNDS] [MEMBERS] [MONTHS]
#     (default: 3 5000 6; the import is `flexledger-bench --emit` of that region)
#
# FLEXLEDGER_A/B are flexledger binaries, e.g. one built at an older commit:
#   git worktree add /tmp/old <commit> && cargo build --bin flexledger \
#     --manifest-path /tmp/old/Cargo.toml
# Build both the same way (both `cargo build`, or both --release): a binary that
# `cargo test` built is optimized differently. The import is written by this
# checkout's flexledger-bench (built here, dev profile), the same for both builds.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  echo "usage: tools/pg-import-ab.sh FLEXLEDGER_A FLEXLEDGER_B [ROUNDS] [MEMBERS] [MONTHS]" >&2
  exit 2
}
fail() {
  echo "pg-import-ab: $*" >&2
  exit 2
}
# shellcheck source=tools/pg-cluster.sh
. "$(dirname "$0")/pg-cluster.sh"

case ${1:-} in -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac
[ $# -ge 2 ] && [ $# -le 5 ] || usage
a=$(realpath "$1")
b=$(realpath "$2")
rounds=${3:-3}
members=${4:-5000}
months=${5:-6}
case "$rounds$members$months" in *[!0-9]*) usage ;; esac
[ -x "$a" ] || fail "$1 is not an executable"
[ -x "$b" ] || fail "$2 is not an executable"
[ -x /usr/bin/time ] || fail "GNU time (/usr/bin/time) is not installed: apt-get install -y time"

pg_find_server
pg_find_user
keep=""
pg_work_dir pg-import-ab
cleanup() {
  local status=$?
  stop_pg
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "pg-import-ab: writing the import ($members members x $months months) ..." >&2
cargo build --bin flexledger-bench || fail "cannot build flexledger-bench"
"${CARGO_TARGET_DIR:-$PWD/target}/debug/flexledger-bench" --members "$members" --months "$months" \
  --emit "$work/import.jsonl" 2>/dev/null
lines=$(wc -l <"$work/import.jsonl")

pg_start tools/pg-import-ab.sh

echo "pg-import-ab: $(date -u +%Y-%m-%d), $(nproc) cores, $lines commands, $rounds rounds"
echo "A: $a"
echo "B: $b"
for round in $(seq "$rounds"); do
  order="a b"
  [ $((round % 2)) -eq 0 ] && order="b a"
  for side in $order; do
    bin=$a
    [ "$side" = b ] && bin=$b
    database=import_${side}_$round
    "${psql[@]}" -c "CREATE DATABASE $database"
    url=$(pg_url "$database")
    "$bin" --store "$url" migrate >/dev/null
    mkdir "$work/data-$database"
    /usr/bin/time -f "%e %M" -o "$work/time-$side-$round" \
      "$bin" --data-dir "$work/data-$database" --store "$url" submit "$work/import.jsonl" \
      >/dev/null 2>"$work/err-$side-$round" ||
      { tail -n 5 "$work/err-$side-$round" >&2; fail "$bin: submit failed in round $round"; }
    read -r seconds rss_kib <"$work/time-$side-$round"
    echo "round $round $side: $seconds s, peak RSS $((rss_kib / 1024)) MiB"
  done
done

median() { sort -n | awk '{ value[NR] = $1 } END { print (NR % 2) ? value[(NR + 1) / 2] : (value[NR / 2] + value[NR / 2 + 1]) / 2 }'; }
median_a=$(cat "$work"/time-a-* | cut -d' ' -f1 | median)
median_b=$(cat "$work"/time-b-* | cut -d' ' -f1 | median)
echo "median: A $median_a s, B $median_b s; B/A $(awk -v a="$median_a" -v b="$median_b" 'BEGIN { printf "%.2f", b / a }')x"
