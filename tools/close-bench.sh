#!/usr/bin/env bash
# A month close at a province's scale (D17): MEMBERS enrolled members, most of whom
# miss the month, closed from `submit` and under `serve`, measured in one run next to
# the bulk import of the same members (the baseline: the same machine, the same
# minute). Reports time, peak RSS of the whole process, and RSS after the close.
#
#   tools/close-bench.sh [MEMBERS] [KILL_AFTER_SECONDS]   (default: 1000000 20)
#
# CLOSE_BENCH_PARTS="submit serve kill verify" (the default) names the parts to run;
# e.g. CLOSE_BENCH_PARTS=serve for faster iterations on the server's memory.
# CLOSE_BENCH_WARM_READS=N (default 20000): coverage reads the server answers before
# the close, so that "before" is a running server's level (0: a just-started one's).
#
# Three copies of the enrolled region are closed:
#   1. `flexledger submit` of the close (it exits once every consequence is durable);
#   2. `flexledger serve`: the close is answered at once, its chunks are recorded in
#      the background; RSS is sampled until the region shows no close in progress;
#   3. `submit` killed with SIGKILL after KILL_AFTER_SECONDS, then `flexledger verify`
#      (opening the store finishes the close) and a count of the consequences: each
#      member must have exactly one `ContributionMissed` for the month.
# Then (part `verify`, after part `submit`) the store closed in 1 is verified and
# rebuilt from its log (`flexledger verify`, `flexledger rebuild`): time and peak RSS
# of a whole-log fold of the region (D44).
# Every tenth member pays the month before the close; the rest miss it.
# CLOSE_BENCH_PAYING_PERCENT=P (default 10): P of every 100 members pay instead, e.g.
# 98 for a month where most pay on time and the close finds few consequences.
# CLOSE_BENCH_GRANTED_PERCENT=G (default 0): G of every 100 members are granted a
# subsidy from 2025-01 (R16) before they would pay, so the close accrues it for each
# of them who paid: CLOSE_BENCH_PAYING_PERCENT=100 CLOSE_BENCH_GRANTED_PERCENT=100 is a
# region where every member is granted and paid (each one's coverage change is written
# ahead of the MonthClosed append, D90).
# CLOSE_BENCH_STORE=postgres runs every part on PostgreSQL instead of sled: a
# throwaway cluster as tools/pg-bench.sh starts (Debian's server package, default
# durability), one database per copy of the region (CREATE DATABASE … TEMPLATE);
# RSS is the flexledger process's alone, not the database server's.
set -euo pipefail
cd "$(dirname "$0")/.."
members=${1:-1000000}
kill_after=${2:-20}
# CLOSE_BENCH_WARM_READS=N: member reads the server answers before the close (below).
warm_reads=${CLOSE_BENCH_WARM_READS:-20000}
# FLEXLEDGER_BIN=PATH measures another build (e.g. an older commit's, for an A/B run).
if [ -n "${FLEXLEDGER_BIN:-}" ]; then
  bin=$FLEXLEDGER_BIN
else
  cargo build --release --bins -q
  bin=${CARGO_TARGET_DIR:-$PWD/target}/release/flexledger
fi
fail() {
  echo "close-bench: $*" >&2
  exit 2
}
engine=${CLOSE_BENCH_STORE:-sled}
case $engine in sled | postgres) ;; *) fail "CLOSE_BENCH_STORE=$engine: sled or postgres" ;; esac
if [ "$engine" = postgres ]; then
  [ -z "${CLOSE_BENCH_IMPORTED:-}" ] || fail "CLOSE_BENCH_IMPORTED keeps a sled store only"
  # shellcheck source=tools/pg-cluster.sh
  . "$(dirname "$0")/pg-cluster.sh"
  pg_find_server
  pg_find_user
  keep=""
  pg_work_dir close-bench
else
  work=$(mktemp -d)
fi
trap 'kill $(jobs -p) 2>/dev/null || true; [ "$engine" = sled ] || stop_pg; rm -rf "$work"' EXIT
[ "$engine" = sled ] || pg_start tools/close-bench.sh
# on NAME: sets ledger to the flexledger command line on the copy of the region NAME.
on() {
  ledger=("$bin" --data-dir "$work/$1")
  [ "$engine" = sled ] || ledger+=(--store "$(pg_url "$1")")
}
# copy FROM TO: a copy of the region's store FROM (and its data directory) as TO.
copy() {
  # Called in `runs … && copy …`, where `set -e` does not reach: each failure said.
  [ ! -d "$work/$1" ] || cp -r "$work/$1" "$work/$2" || fail "could not copy $work/$1 to $work/$2"
  [ "$engine" = sled ] || "${psql[@]}" -c "CREATE DATABASE $2 TEMPLATE $1" ||
    fail "could not copy the database $1 to $2"
}
ms() { date +%s%3N; }
parts=" ${CLOSE_BENCH_PARTS:-submit serve kill verify} "
runs() { [[ $parts == *" $1 "* ]]; }

# The import: a policy, MEMBERS enrollments, PAYING_PERCENT of them paying January.
paying_percent=${CLOSE_BENCH_PAYING_PERCENT:-10}
granted_percent=${CLOSE_BENCH_GRANTED_PERCENT:-0}
awk -v n="$members" -v paying="$paying_percent" -v granted="$granted_percent" 'BEGIN {
  print "{\"command\":\"publish_policy\",\"region\":\"province\",\"effective_from\":\"2025-01\",\"average_monthly_wage\":\"10000.00\",\"contribution_rate\":\"0.10\",\"base_ratio_min\":\"0.60\",\"base_ratio_max\":\"3.00\",\"grace_months\":3,\"benefit_delay_first\":6,\"benefit_delay_reenroll\":1,\"backpay_restores\":\"retroactive\",\"benefit_tiers\":[{\"min_continuous_months\":0,\"tier\":\"basic\"}]}"
  for (i = 0; i < n; i++) {
    id = sprintf("00000000-0000-4000-8000-%012x", i)
    printf "{\"command\":\"enroll\",\"command_id\":\"10000000-0000-4000-8000-%012x\",\"member_id\":\"%s\",\"region\":\"province\",\"month\":\"2025-01\",\"base_ratio\":\"0.60\",\"labor_relationship\":\"none\"}\n", i, id
    if (i % 100 < granted)
      printf "{\"command\":\"grant_subsidy\",\"command_id\":\"30000000-0000-4000-8000-%012x\",\"member_id\":\"%s\",\"from_month\":\"2025-01\",\"months\":12,\"share\":\"0.5\",\"category\":\"hardship\"}\n", i, id
  }
  for (i = 0; i < n; i++) {
    if (i % 100 >= paying) continue
    id = sprintf("00000000-0000-4000-8000-%012x", i)
    printf "{\"command\":\"pay\",\"command_id\":\"20000000-0000-4000-8000-%012x\",\"member_id\":\"%s\",\"months\":[\"2025-01\"],\"amount\":\"600.00\",\"paid_on\":\"2025-01-15\"}\n", i, id
  }
}' > "$work/import.jsonl"
lines=$(wc -l < "$work/import.jsonl")
echo '{"command":"close_month","region":"province","month":"2025-01"}' > "$work/close.jsonl"

start_serve() { # NAME: serves the copy NAME, sets serve_pid, base and operator
  on "$1"
  "${ledger[@]}" serve --demo --listen 127.0.0.1:0 > "$work/serve.out" 2> "$work/serve.err" &
  serve_pid=$!
  for _ in $(seq 1200); do grep -q 'operator token' "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
  base=$(sed -n 's/^listening on //p' "$work/serve.out")
  operator=$(sed -n 's/^operator token: //p' "$work/serve.out")
}
rss_of() { awk '/^VmRSS/ {print int($2 / 1024)}' "/proc/$serve_pid/status"; }
hwm_of() { awk '/^VmHWM/ {print int($2 / 1024)}' "/proc/$serve_pid/status"; }
# CPU time of the server so far, user + system, in clock ticks.
cpu_of() { sed 's/.*) //' "/proc/$serve_pid/stat" | awk '{print $12 + $13}'; }

# CLOSE_BENCH_IMPORTED=DIR reuses the store imported into DIR by an earlier run with
# the same MEMBERS, CLOSE_BENCH_PAYING_PERCENT and CLOSE_BENCH_GRANTED_PERCENT (and
# keeps this run's import there when DIR does not exist yet); nothing checks that
# they match, so name one DIR per workload.
imported=${CLOSE_BENCH_IMPORTED:-}
if [ -n "$imported" ] && [ -d "$imported" ]; then
  cp -r "$imported" "$work/a"
  echo "import: reused $imported ($lines commands)"
else
  on a
  if [ "$engine" = postgres ]; then
    "${psql[@]}" -c "CREATE DATABASE a"
    "${ledger[@]}" migrate > /dev/null
  fi
  start=$(ms)
  import_rss=$( { /usr/bin/time -f '%M' "${ledger[@]}" submit "$work/import.jsonl" > /dev/null; } 2>&1 | tail -1 )
  import_ms=$(( $(ms) - start ))
  [ -z "$imported" ] || cp -r "$work/a" "$imported"
  echo "import: $lines commands in ${import_ms} ms ($(( lines * 1000 / import_ms )) commands/s), peak RSS $((import_rss / 1024)) MiB"
fi
runs serve && copy a b
runs kill && copy a c

# 1. submit
if runs submit; then
  start=$(ms)
  on a
  close_rss=$( { /usr/bin/time -f '%M' "${ledger[@]}" submit "$work/close.jsonl" > "$work/close-result.json"; } 2>&1 | tail -1 )
  close_ms=$(( $(ms) - start ))
  echo "close from submit: ${close_ms} ms for $members members ($(( members * 1000 / close_ms )) members/s), peak RSS $((close_rss / 1024)) MiB; result: $(cat "$work/close-result.json")"
fi

# 2. serve, then the same store served again after the close (what the store alone
# costs a server once the close is in it).
if runs serve; then
  start_serve b
  fresh=$(rss_of)
  # A server that has run for a month has read members before its close, so sled's
  # page cache (SLED_CACHE_BYTES_MAX) is full: WARM_READS coverage reads spread over the
  # region (one curl, one connection) make "before" that level, not a just-started
  # server's, whose cache is still empty.
  if [ "$warm_reads" -gt 0 ]; then
    awk -v n="$warm_reads" -v m="$members" -v base="$base" 'BEGIN {
      for (i = 0; i < n; i++)
        printf "url = \"%s/v1/members/00000000-0000-4000-8000-%012x\"\noutput = \"/dev/null\"\n", base, int(i * (m / n))
    }' > "$work/warm.curl"
    curl -s -H "authorization: Bearer $operator" -K "$work/warm.curl"
  fi
  before=$(rss_of)
  cpu_before=$(cpu_of)
  start=$(ms)
  curl -s -H "authorization: Bearer $operator" -H 'content-type: application/json' \
    -d @"$work/close.jsonl" "$base/v1/commands" > "$work/serve-result.json"
  answered_ms=$(( $(ms) - start ))
  while curl -s -H "authorization: Bearer $operator" "$base/v1/regions/province" | grep -q '"closing"'; do sleep 0.5; done
  serve_ms=$(( $(ms) - start ))
  sleep 2
  after=$(rss_of)
  peak=$(hwm_of)
  cpu_ms=$(( ($(cpu_of) - cpu_before) * 1000 / $(getconf CLK_TCK) ))
  kill "$serve_pid"; wait "$serve_pid" 2>/dev/null || true
  start_serve b
  reopened=$(rss_of)
  kill "$serve_pid"; wait "$serve_pid" 2>/dev/null || true
  echo "close under serve: answered in ${answered_ms} ms, recorded to the end in ${serve_ms} ms (CPU ${cpu_ms} ms); RSS just started ${fresh} MiB, before (after ${warm_reads} member reads) ${before} MiB, peak ${peak} MiB, after ${after} MiB (served again: ${reopened} MiB)"
fi

# 3. kill -9 mid-close, then reopen
if runs kill; then
  on c
  "${ledger[@]}" submit "$work/close.jsonl" > /dev/null 2>&1 &
  victim=$!
  sleep "$kill_after"
  kill -9 "$victim" 2>/dev/null && killed=yes || killed="no (the close had finished)"
  wait "$victim" 2>/dev/null || true
  "${ledger[@]}" verify > "$work/verify.json" || { echo "verify failed: $(cat "$work/verify.json")"; exit 1; }
  missed=$("${ledger[@]}" events | { grep '"type":"ContributionMissed"' | grep -o '"member_id":"[^"]*"' || true; } | sort | uniq -c | awk '{count[$1]++} END {for (c in count) printf "%s member(s) missed %s time(s); ", count[c], c}')
  # Those who did not pay: i % 100 >= PAYING_PERCENT (the import above).
  rest=$(( members % 100 - paying_percent ))
  expected=$(( members / 100 * (100 - paying_percent) + (rest > 0 ? rest : 0) ))
  echo "kill -9 after ${kill_after} s (killed: $killed), then verify: $(cat "$work/verify.json"); ContributionMissed per member: ${missed}expected ${expected} members once each"
fi

# 4. verify and rebuild the store closed in 1
if runs verify && runs submit; then
  for command in verify rebuild; do
    start=$(ms)
    on a
    peak=$( { /usr/bin/time -f '%M' "${ledger[@]}" "$command" > "$work/$command.json"; } 2>&1 | tail -1 )
    echo "$command of the closed store: $(( $(ms) - start )) ms, peak RSS $((peak / 1024)) MiB: $(head -c 160 "$work/$command.json")"
  done
fi
