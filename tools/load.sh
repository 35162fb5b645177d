#!/usr/bin/env bash
# HTTP load benchmark: a real load tool (wrk) against a running `flexledger serve`.
#
#   tools/load.sh [MEMBERS] [SECONDS]      (defaults: 300000 members, 10 s per phase)
#
# Measures, in one run: coverage reads/s and latency at 64 connections; accepted
# commands/s at 64 connections (each request pays one month for a fresh member);
# the library's own group-commit throughput with 64 concurrent appenders (the
# baseline the HTTP number is compared with); and feed fan-out to 100 subscribers.
# Needs wrk (Debian's package; installed here if missing) and curl.
set -euo pipefail
cd "$(dirname "$0")/.."
members=${1:-300000}
seconds=${2:-10}
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null
cargo build --release --bins -q
bin=target/release/flexledger
bench=target/release/flexledger-bench
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT

printf 'operator-load-token' > "$work/op"; printf 'subscriber-load-token' > "$work/sub"
{
  printf '[[token]]\nrole = "operator"\nsha256 = "%s"\n\n' "$(sha256sum < "$work/op" | cut -d' ' -f1)"
  printf '[[token]]\nrole = "subscriber"\nsha256 = "%s"\n' "$(sha256sum < "$work/sub" | cut -d' ' -f1)"
} > "$work/tokens.toml"

echo "seeding $members enrolled members ..." >&2
$bench --members "$members" --months 0 --emit "$work/region.jsonl" 2>/dev/null
$bin --data-dir "$work/data" submit "$work/region.jsonl" > /dev/null

$bin --data-dir "$work/data" serve --listen 127.0.0.1:0 --auth "$work/tokens.toml" > "$work/serve.out" 2> "$work/serve.err" &
server=$!
for _ in $(seq 50); do grep -q listening "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
base=$(head -1 "$work/serve.out" | sed 's/listening on //')

cat > "$work/read.lua" <<LUA
math.randomseed(42)
wrk.headers["Authorization"] = "Bearer subscriber-load-token"
request = function()
  return wrk.format("GET", string.format("/v1/members/70000000-0000-4000-8000-%012x", math.random(0, $members - 1)))
end
LUA
cat > "$work/pay.lua" <<LUA
local counter = 0
local threads = 0
local base = tonumber(os.getenv("PAY_FIRST_MEMBER") or "0")
function setup(thread) thread:set("thread_offset", threads) threads = threads + 1 end
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer operator-load-token"
wrk.headers["Content-Type"] = "application/json"
request = function()
  local member = base + (thread_offset or 0) + 2 * counter
  counter = counter + 1
  local body = string.format('{"command":"pay","member_id":"70000000-0000-4000-8000-%012x","months":["2025-01"],"amount":"600.00","paid_on":"2025-01-15"}', member)
  return wrk.format(nil, nil, nil, body)
end
response = function(status) if status ~= 200 then io.write("refused or failed: ", status, "\n") end end
LUA

echo "coverage reads, 64 connections, ${seconds}s ..." >&2
wrk -t2 -c64 -d"${seconds}s" --latency -s "$work/read.lua" "$base" > "$work/read.txt"
echo "commands, 64 connections, ${seconds}s ..." >&2
PAY_FIRST_MEMBER=0 wrk -t2 -c64 -d"${seconds}s" --latency -s "$work/pay.lua" "$base/v1/commands" > "$work/pay.txt"
echo "feed fan-out: 100 subscribers while commands run ..." >&2
subscribers=100
for i in $(seq $subscribers); do
  curl -s -N -H "Authorization: Bearer subscriber-load-token" "$base/v1/feed?types=ContributionPaid" > "$work/feed.$i" &
done
sleep 1
PAY_FIRST_MEMBER=$((members / 2)) wrk -t2 -c64 -d"$((seconds / 2))s" --latency -s "$work/pay.lua" "$base/v1/commands" > "$work/fanout.txt"
sleep 2
sent=$(awk '/requests in/ {print $1}' "$work/fanout.txt")
min_delivered=$(for i in $(seq $subscribers); do grep -c '^id:' "$work/feed.$i" || true; done | sort -n | head -1)
kill $(jobs -p) 2>/dev/null || true
echo "library baseline, 64 concurrent appenders ..." >&2
baseline=$($bench --concurrent-only --appenders 64 --appender-commands 100 2>/dev/null)

reads_per_s=$(awk '/Requests\/sec/ {print $2}' "$work/read.txt")
read_p99=$(awk '/ 99%/ {print $2}' "$work/read.txt")
read_p50=$(awk '/ 50%/ {print $2}' "$work/read.txt")
pay_per_s=$(awk '/Requests\/sec/ {print $2}' "$work/pay.txt")
pay_p99=$(awk '/ 99%/ {print $2}' "$work/pay.txt")
refused=$(grep -c 'refused or failed' "$work/pay.txt" || true)
lib_per_s=$(printf '%s' "$baseline" | sed 's/.*"commands_per_second":\([0-9.]*\).*/\1/')
echo
echo "| measurement | result |"
echo "|---|---|"
echo "| coverage reads/s at 64 connections (p50 / p99) | $reads_per_s ($read_p50 / $read_p99) |"
echo "| commands/s through HTTP at 64 connections (p99) | $pay_per_s ($pay_p99), $refused not accepted |"
echo "| library group commit, 64 concurrent appenders, commands/s | $lib_per_s |"
echo "| HTTP ÷ library | $(awk -v h="$pay_per_s" -v l="$lib_per_s" 'BEGIN { if (l > 0) printf "%.0f%%", 100 * h / l; else print "n/a" }') |"
echo "| feed fan-out: $subscribers subscribers; commands/s meanwhile; payments the slowest subscriber received / commands sent | $(awk '/Requests\/sec/ {print $2}' "$work/fanout.txt"); $min_delivered / $sent |"
