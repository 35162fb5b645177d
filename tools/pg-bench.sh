#!/usr/bin/env bash
# The ledger on PostgreSQL beside a raw PostgreSQL ceiling, and on sled beside a raw
# sled ceiling, measured in ONE run of `flexledger-bench --store URL` on a throwaway
# cluster; every line is a ratio to its ceiling from that run (absolute numbers on a
# shared 2-core machine are noise).
#
#   tools/pg-bench.sh [--keep DIR] [--http SECONDS] [MEMBERS] [MONTHS]  (defaults: 20000 12)
#
# What each line measures: see `flexledger-bench --help` and tools/bench/pg.rs's docs.
# In short, on both engines: (a) bulk submit of the region's commands, 1,000 per
# append, two in flight, through the group-commit writer; (b) 64 concurrent appenders,
# one pay at a time each; (c) one command per durable append, p50 / p99; (d) a full
# fold of the log; member reads from the stored state and folded from the member's
# streams; (e) bytes per event. On PostgreSQL the ceiling inserts the rows the ledger
# stored (log entries, command records) into tables of the same shape, in the same
# transactions (the ledger's batches for (a), one command per commit for (c), 64
# connections committing one command at a time for (b)), synchronous_commit = on, no
# ledger work. (a) has a second ceiling that writes every row the ledger wrote (state
# rows, feed items and head too), in the ledger's own transactions, captured from a
# second, untimed import (tools/bench/pg_rows.rs). (e) is pg_total_relation_size of
# the tables, and the WAL the import wrote (pg_current_wal_lsn after minus before).
# The cluster loads pg_stat_statements when the server has it, and the bench prints
# the server's time executing each side's statements during (a).
#
# --http SECONDS: then, as tools/load.sh does for sled, with wrk (Debian's package,
# installed if missing) at 64 connections for SECONDS each, on the same database seeded
# with MEMBERS (at least 100,000) enrolled members: coverage reads (GET /v1/members/{random id}) from
# `serve --store URL` (the writer) and from `serve --store URL --read-only` beside it
# (the same database: a true standby is tools/pg-replicas.sh's), commands through the
# writer (POST /v1/commands, one pay each), and the library's group commit on the same
# database (`flexledger-bench --concurrent-only --store URL`, 64 appenders) as the
# commands' baseline. A second table.
#
# Needs: cargo; Debian's PostgreSQL server, any version (`apt-get install -y
# postgresql`). Nothing is configured or started system-wide: initdb makes a cluster in
# this script's temp dir with no TCP listener (only its socket, in that dir, so no port
# is taken), stopped and removed on exit, failure or Ctrl-C. As root the cluster runs
# as the `postgres` user the package creates (initdb refuses root). Disk: the sled and
# PostgreSQL stores of the run, in $TMPDIR or /tmp (or --keep DIR: new or empty, kept
# with the sled stores and the server log; the cluster itself is removed).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  echo "usage: tools/pg-bench.sh [--keep DIR] [--http SECONDS] [MEMBERS] [MONTHS]" >&2
  exit 2
}
fail() {
  echo "pg-bench: $*" >&2
  exit 2
}
# shellcheck source=tools/pg-cluster.sh
. "$(dirname "$0")/pg-cluster.sh"

keep=""
http=""
positional=()
while [ $# -gt 0 ]; do
  case $1 in
    --keep) [ $# -ge 2 ] || usage; keep=$2; shift 2 ;;
    --keep=*) keep=${1#--keep=}; shift ;;
    --http) [ $# -ge 2 ] || usage; http=$2; shift 2 ;;
    --http=*) http=${1#--http=}; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) usage ;;
    *) positional+=("$1"); shift ;;
  esac
done
[ ${#positional[@]} -le 2 ] || usage
members=${positional[0]:-20000}
months=${positional[1]:-12}
case "$members$months$http" in *[!0-9]*) usage ;; esac
if [ -n "$http" ]; then
  command -v wrk >/dev/null || apt-get install -y wrk >/dev/null || fail "wrk is not installed: apt-get install -y wrk"
  command -v curl >/dev/null || fail "curl is not installed"
fi

pg_find_server
command -v cargo >/dev/null || fail "cargo is not on PATH"
pg_find_user

pg_work_dir pg-bench
servers=()

cleanup() {
  local status=$?
  local server
  for server in "${servers[@]}"; do kill "$server" 2>/dev/null || true; done
  stop_pg
  if [ -z "$keep" ]; then
    rm -rf "$work"
  else
    [ -f "$pg/server.log" ] && cp "$pg/server.log" "$work/server.log"
    rm -rf "$pg"
    echo "pg-bench: the sled stores and the server log are kept in $work" >&2
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "pg-bench: building release binaries ..." >&2
cargo build --release --bin flexledger-bench --bin flexledger
target=${CARGO_TARGET_DIR:-$PWD/target}
bin=$target/release/flexledger
bench=$target/release/flexledger-bench

# A new cluster in $pg, running, with PostgreSQL's default durability checked: 64
# appenders' connections for the ceiling, the writer's, a reader pool, the bench's;
# the server's time per statement, so the run can say where an append's time goes.
statements=""
[ ! -f "$pgbin/../lib/pg_stat_statements.so" ] || statements="shared_preload_libraries = 'pg_stat_statements'"
pg_start tools/pg-bench.sh "max_connections = 200" "$statements"
"${psql[@]}" -c "CREATE DATABASE flexledger_bench"
if [ -f "$pgbin/../lib/pg_stat_statements.so" ]; then
  "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h "$pg" -U postgres -d flexledger_bench -c "CREATE EXTENSION pg_stat_statements"
fi
url=$(pg_url flexledger_bench)
"$bin" --store "$url" migrate >/dev/null

cat <<HEAD
pg-bench: $(date -u +%Y-%m-%d), $(nproc) cores, $(uname -sr), sled 0.34.7
stores in: $work ($(df -T "$work" | awk 'NR == 2 { print $2 " on " $1 }'))
command: tools/pg-bench.sh${http:+ --http $http} $members $months
HEAD
"$bench" --store "$url" --members "$members" --months "$months" --dir "$work/bench"

[ -n "$http" ] || exit 0

# serve_on NAME ARGS...: starts `flexledger serve` on the database (its data dir under
# $work/NAME), waits for its address, and sets $address.
serve_on() {
  local name=$1
  shift
  FLEXLEDGER_STORE=$url "$bin" --data-dir "$work/$name" serve --listen 127.0.0.1:0 \
    --auth "$work/tokens.toml" "$@" >"$work/$name.out" 2>"$work/$name.err" &
  servers+=($!)
  local _
  for _ in $(seq 100); do grep -q listening "$work/$name.out" 2>/dev/null && break; sleep 0.1; done
  address=$(head -n 1 "$work/$name.out" | sed 's/listening on //')
  [ -n "$address" ] || { tail -n 5 "$work/$name.err" >&2; fail "$name did not start"; }
}

echo "pg-bench: library baseline, 64 concurrent appenders ..." >&2
baseline=$(FLEXLEDGER_STORE=$url "$bench" --concurrent-only --appenders 64 --appender-commands 100 2>/dev/null)
# Enrolled members for wrk's pays: the i-th pay pays member i mod $seeded for month
# 2025-01 + i div $seeded, in the open month 2025-01 (R6: months oldest first, at most
# 11 ahead), so all of the first 12 x $seeded pays are accepted however fast a build
# sends them.
seeded=$((members > 100000 ? members : 100000))
echo "pg-bench: seeding $seeded enrolled members ..." >&2
"$bench" --members "$seeded" --months 0 --emit "$work/region.jsonl" 2>/dev/null
FLEXLEDGER_STORE=$url "$bin" --data-dir "$work/seed" submit "$work/region.jsonl" >/dev/null
printf 'operator-load-token' >"$work/op"
printf 'subscriber-load-token' >"$work/sub"
{
  printf '[[token]]\nrole = "operator"\nsha256 = "%s"\n\n' "$(sha256sum <"$work/op" | cut -d' ' -f1)"
  printf '[[token]]\nrole = "subscriber"\nsha256 = "%s"\n' "$(sha256sum <"$work/sub" | cut -d' ' -f1)"
} >"$work/tokens.toml"
serve_on writer
writer=$address
serve_on reader --read-only --writer-url "$writer"
reader=$address

cat >"$work/read.lua" <<LUA
math.randomseed(42)
wrk.headers["Authorization"] = "Bearer subscriber-load-token"
request = function()
  return wrk.format("GET", string.format("/v1/members/70000000-0000-4000-8000-%012x", math.random(0, $seeded - 1)))
end
response = function(status) if status ~= 200 then io.write("failed: ", status, "\n") end end
LUA
cat >"$work/pay.lua" <<LUA
local counter = 0
local threads = 0
function setup(thread) thread:set("thread_offset", threads) threads = threads + 1 end
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer operator-load-token"
wrk.headers["Content-Type"] = "application/json"
request = function()
  local index = (thread_offset or 0) + 2 * counter
  counter = counter + 1
  local member = index % $seeded
  local months = math.floor(index / $seeded)
  local month = string.format("2025-%02d", months + 1)
  local body = string.format('{"command":"pay","member_id":"70000000-0000-4000-8000-%012x","months":["%s"],"amount":"600.00","paid_on":"2025-01-15"}', member, month)
  return wrk.format(nil, nil, nil, body)
end
response = function(status) if status ~= 200 then io.write("failed: ", status, "\n") end end
LUA
echo "pg-bench: coverage reads from the writer, then from the read-only server, ${http}s each ..." >&2
wrk -t2 -c64 -d"${http}s" --latency -s "$work/read.lua" "$writer" >"$work/read-writer.txt"
wrk -t2 -c64 -d"${http}s" --latency -s "$work/read.lua" "$reader" >"$work/read-reader.txt"
echo "pg-bench: commands through the writer, ${http}s ..." >&2
wrk -t2 -c64 -d"${http}s" --latency -s "$work/pay.lua" "$writer/v1/commands" >"$work/pay.txt"

rate() { awk '/Requests\/sec/ { print $2 }' "$1"; }
percentile() { awk -v p="$2" '$1 == p { print $2 }' "$1"; }
failed() { grep -c '^failed' "$1" || true; }
library=$(printf '%s' "$baseline" | sed 's/.*"commands_per_second":\([0-9.]*\).*/\1/' | xargs printf '%.0f')
share() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f%%", 100 * a / b; else print "n/a" }'; }
cat <<TABLE

HTTP on PostgreSQL: $seeded enrolled members, wrk at 64 connections, ${http}s per phase

| measurement | result |
|---|---|
| coverage reads/s from the writer (p50 / p99) | $(rate "$work/read-writer.txt") ($(percentile "$work/read-writer.txt" 50%) / $(percentile "$work/read-writer.txt" 99%)), $(failed "$work/read-writer.txt") failed |
| coverage reads/s from \`serve --read-only\` (p50 / p99) | $(rate "$work/read-reader.txt") ($(percentile "$work/read-reader.txt" 50%) / $(percentile "$work/read-reader.txt" 99%)), $(failed "$work/read-reader.txt") failed |
| read-only ÷ writer, reads/s | $(share "$(rate "$work/read-reader.txt")" "$(rate "$work/read-writer.txt")") |
| commands/s through HTTP (p99) | $(rate "$work/pay.txt") ($(percentile "$work/pay.txt" 99%)), $(failed "$work/pay.txt") not accepted |
| library group commit, 64 concurrent appenders, commands/s | $library |
| HTTP ÷ library | $(share "$(rate "$work/pay.txt")" "$library") |
TABLE
