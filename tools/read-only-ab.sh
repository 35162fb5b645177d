#!/usr/bin/env bash
# Two builds' read-only servers answering the same member reads, side by side: one
# throwaway PostgreSQL cluster seeded with MEMBERS enrolled members, `serve
# --read-only` of build A and of build B on it at once, and wrk at 64 connections
# reading GET /v1/members/{random id} from A, B, A, B, ... for SECONDS each, so both
# see the same noise of a shared machine. Prints each round and the median of each
# side's reads/s, and B ÷ A.
#
#   tools/read-only-ab.sh BIN_A BIN_B [ROUNDS] [SECONDS] [MEMBERS]   (default: 3 10 100000)
#
# BIN_A/B are flexledger binaries, e.g. one built at an older commit:
#   git worktree add /tmp/old <commit> && CARGO_TARGET_DIR=/tmp/old-target \
#     cargo build --release --bin flexledger --manifest-path /tmp/old/Cargo.toml
# The database is seeded (and migrated) by BIN_B; both builds must read its state
# rows' format (a read-only server answers 503 to rows of another build's, D89).
set -euo pipefail
usage() { echo "usage: tools/read-only-ab.sh BIN_A BIN_B [ROUNDS] [SECONDS] [MEMBERS]" >&2; exit 2; }
fail() { echo "read-only-ab: $*" >&2; exit 1; }
[ $# -ge 2 ] && [ $# -le 5 ] || usage
a=$1 b=$2 rounds=${3:-3} seconds=${4:-10} members=${5:-100000}
case "$rounds$seconds$members" in *[!0-9]*) usage ;; esac
[ "$rounds" -ge 1 ] && [ "$seconds" -ge 1 ] && [ "$members" -ge 1 ] || usage
for bin in "$a" "$b"; do [ -x "$bin" ] || fail "$bin is not an executable"; done
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null || fail "wrk is not installed: apt-get install -y wrk"
cd "$(dirname "$0")/.."
# shellcheck source=tools/pg-cluster.sh
. tools/pg-cluster.sh
keep=""
pg_find_server
pg_find_user
pg_work_dir read-only-ab
servers=()
cleanup() {
  local server
  for server in "${servers[@]}"; do kill "$server" 2>/dev/null || true; done
  stop_pg
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

pg_start tools/read-only-ab.sh
"${psql[@]}" -c "CREATE DATABASE flexledger_ab"
url=$(pg_url flexledger_ab)
"$b" --store "$url" migrate >/dev/null
echo "read-only-ab: seeding $members enrolled members ..." >&2
awk -v n="$members" 'BEGIN {
  print "{\"command\":\"publish_policy\",\"region\":\"demo\",\"effective_from\":\"2025-01\",\"average_monthly_wage\":\"10000.00\",\"contribution_rate\":\"0.10\",\"base_ratio_min\":\"0.60\",\"base_ratio_max\":\"3.00\",\"grace_months\":3,\"benefit_delay_first\":6,\"benefit_delay_reenroll\":1,\"backpay_restores\":\"retroactive\",\"benefit_tiers\":[{\"min_continuous_months\":0,\"tier\":\"basic\"}]}"
  for (i = 0; i < n; i++)
    printf "{\"command\":\"enroll\",\"member_id\":\"70000000-0000-4000-8000-%012x\",\"region\":\"demo\",\"month\":\"2025-01\",\"base_ratio\":\"0.60\",\"labor_relationship\":\"none\"}\n", i
}' >"$work/region.jsonl"
"$b" --store "$url" --data-dir "$work/seed" submit "$work/region.jsonl" >/dev/null
printf 'subscriber-load-token' >"$work/sub"
printf '[[token]]\nrole = "subscriber"\nsha256 = "%s"\n' "$(sha256sum <"$work/sub" | cut -d' ' -f1)" >"$work/tokens.toml"

# serve_on NAME BIN: a read-only server of BIN on the database; sets $address.
serve_on() {
  "$2" --store "$url" --data-dir "$work/$1" serve --read-only --listen 127.0.0.1:0 \
    --auth "$work/tokens.toml" >"$work/$1.out" 2>"$work/$1.err" &
  servers+=($!)
  local _
  for _ in $(seq 100); do grep -q listening "$work/$1.out" 2>/dev/null && break; sleep 0.1; done
  address=$(head -n 1 "$work/$1.out" 2>/dev/null | sed 's/listening on //' || true)
  [ -n "$address" ] || { tail -n 5 "$work/$1.err" >&2; fail "$1 did not start"; }
}
serve_on a "$a"
address_a=$address
serve_on b "$b"
address_b=$address
cat >"$work/read.lua" <<LUA
math.randomseed(42)
wrk.headers["Authorization"] = "Bearer subscriber-load-token"
request = function()
  return wrk.format("GET", string.format("/v1/members/70000000-0000-4000-8000-%012x", math.random(0, $members - 1)))
end
response = function(status) if status ~= 200 then io.write("failed: ", status, "\n") end end
LUA
rate() { awk '/Requests\/sec/ { print $2 }' "$1"; }
percentile() { awk -v p="$2" '$1 == p { print $2 }' "$1"; }
failed() { grep -c '^failed' "$1" || true; }
echo "read-only-ab: $(date -u +%Y-%m-%d), $(nproc) cores, $members members, $rounds rounds of ${seconds}s a side"
echo "A: $a"
echo "B: $b"
for round in $(seq "$rounds"); do
  for side in a b; do
    target=$address_a
    [ $side = b ] && target=$address_b
    wrk -t2 -c64 -d"${seconds}s" --latency -s "$work/read.lua" "$target" >"$work/$side-$round.txt"
    echo "round $round $side: $(rate "$work/$side-$round.txt") reads/s, p50 $(percentile "$work/$side-$round.txt" 50%), p99 $(percentile "$work/$side-$round.txt" 99%), $(failed "$work/$side-$round.txt") failed"
  done
done
python3 - "$work" "$rounds" <<'EOF'
import statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
def median(side):
    rates = []
    for round in range(1, rounds + 1):
        for line in open(f"{work}/{side}-{round}.txt"):
            if line.startswith("Requests/sec:"):
                rates.append(float(line.split()[1]))
    return statistics.median(rates)
a, b = median("a"), median("b")
print(f"median reads/s: A {a:.0f}, B {b:.0f}; B ÷ A = {b / a:.2f}")
EOF
