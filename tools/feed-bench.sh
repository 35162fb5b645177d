#!/usr/bin/env bash
# The feed through a month close at scale: LIVE subscribers follow the feed live
# while a region of MEMBERS members (nine in ten missing the month) is closed under
# `serve`, and CATCH_UP subscribers start after the close from its position and catch
# up from the store. Every subscriber reads until a marker event appended after the
# close. Reports the server's peak RSS and, per subscriber, the messages received; it
# fails unless every subscriber received the same messages, each id once, in order.
#
#   tools/feed-bench.sh [MEMBERS] [CATCH_UP] [LIVE]     (default: 200000 100 3)
#
# FEED_BENCH_PAYING_PERCENT=P (default 10) of every 100 members pay the month;
# FEED_BENCH_GRANTED_PERCENT=G (default 0) of every 100 are granted a subsidy first, so
# the close accrues it for each of them who paid: with both at 100, every coverage
# change of the close is at its one position, written ahead of its append (D90), and
# the live subscribers read them from the store. FLEXLEDGER_BIN=PATH measures another
# build.
set -euo pipefail
cd "$(dirname "$0")/.."
members=${1:-200000}
catch_up=${2:-100}
live=${3:-3}
paying_percent=${FEED_BENCH_PAYING_PERCENT:-10}
granted_percent=${FEED_BENCH_GRANTED_PERCENT:-0}
if [ -n "${FLEXLEDGER_BIN:-}" ]; then
  bin=$FLEXLEDGER_BIN
else
  cargo build --release --bins -q
  bin=${CARGO_TARGET_DIR:-$PWD/target}/release/flexledger
fi
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

awk -v n="$members" -v paying="$paying_percent" -v granted="$granted_percent" 'BEGIN {
  print "{\"command\":\"publish_policy\",\"region\":\"province\",\"effective_from\":\"2025-01\",\"average_monthly_wage\":\"10000.00\",\"contribution_rate\":\"0.10\",\"base_ratio_min\":\"0.60\",\"base_ratio_max\":\"3.00\",\"grace_months\":3,\"benefit_delay_first\":6,\"benefit_delay_reenroll\":1,\"backpay_restores\":\"retroactive\",\"benefit_tiers\":[{\"min_continuous_months\":0,\"tier\":\"basic\"}]}"
  for (i = 0; i < n; i++) {
    id = sprintf("00000000-0000-4000-8000-%012x", i)
    printf "{\"command\":\"enroll\",\"member_id\":\"%s\",\"region\":\"province\",\"month\":\"2025-01\",\"base_ratio\":\"0.60\",\"labor_relationship\":\"none\"}\n", id
    if (i % 100 < granted)
      printf "{\"command\":\"grant_subsidy\",\"member_id\":\"%s\",\"from_month\":\"2025-01\",\"months\":12,\"share\":\"0.5\",\"category\":\"hardship\"}\n", id
  }
  for (i = 0; i < n; i++)
    if (i % 100 < paying)
      printf "{\"command\":\"pay\",\"member_id\":\"00000000-0000-4000-8000-%012x\",\"months\":[\"2025-01\"],\"amount\":\"600.00\",\"paid_on\":\"2025-01-15\"}\n", i
}' > "$work/import.jsonl"
"$bin" --data-dir "$work/data" submit "$work/import.jsonl" > /dev/null

"$bin" --data-dir "$work/data" serve --demo --listen 127.0.0.1:0 > "$work/serve.out" 2> "$work/serve.err" &
serve_pid=$!
for _ in $(seq 600); do grep -q 'subscriber token' "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
base=$(sed -n 's/^listening on //p' "$work/serve.out")
operator=$(sed -n 's/^operator token: //p' "$work/serve.out")
subscriber=$(sed -n 's/^subscriber token: //p' "$work/serve.out")
rss_before=$(awk '/^VmRSS/ {print int($2 / 1024)}' "/proc/$serve_pid/status")
command() {
  curl -s -H "authorization: Bearer $operator" -H 'content-type: application/json' -d "$1" "$base/v1/commands"
}

# mawk reads its input in blocks: without -W interactive it would sit on the
# marker's line until more of the (never-ending) stream arrived.
line_awk=(awk)
if awk -W version 2>&1 | grep -q mawk; then line_awk=(awk -W interactive); fi

# subscribe NAME QUERY: reads the feed until the marker's id; writes "count last ok".
subscribe() {
  curl -sN -H "authorization: Bearer $subscriber" "$base/v1/feed$2" | "${line_awk[@]}" -v out="$work/$1.result" -v marker_file="$work/marker" '
    /^id: / {
      # An id is P-TAG or P.N-TAG (D91): the tag is left aside.
      split($2, tagged, "-"); id = tagged[1]
      split(id, part, "."); position = part[1] + 0; sub_id = (part[2] == "" ? 0 : part[2] + 0)
      if (count > 0 && (position < last_position || (position == last_position && sub_id <= last_sub))) bad++
      count++; last_position = position; last_sub = sub_id
      if (marker == "") { getline marker < marker_file; close(marker_file) }
      if (marker != "" && id == marker) { printf "%d %s %s\n", count, id, (bad ? "DISORDER" : "ok") > out; exit }
    }'
}

for i in $(seq "$live"); do subscribe "live-$i" "" & done
sleep 1
close_position=$(( $(wc -l < "$work/import.jsonl") + 1 ))
command '{"command":"close_month","region":"province","month":"2025-01"}' > /dev/null
for i in $(seq "$catch_up"); do subscribe "catch-up-$i" "?from=$close_position" & done
while curl -s -H "authorization: Bearer $operator" "$base/v1/regions/province" | grep -q '"closing"'; do sleep 0.5; done
# The marker's position is known before it is appended (the head + 1), and written
# first: a subscriber may read the marker before the command's answer arrives.
head=$(curl -s -H "authorization: Bearer $operator" "$base/metrics" | awk '/^flexledger_log_head_position/ {print $2}')
echo "$(( head + 1 ))" > "$work/marker.tmp" && mv "$work/marker.tmp" "$work/marker"
command '{"command":"enroll","member_id":"00000000-0000-4000-8000-ffffffffffff","region":"province","month":"2025-02","base_ratio":"0.60","labor_relationship":"none"}' > /dev/null
deadline=$(( $(date +%s) + 1800 ))
while [ "$(ls "$work"/*.result 2>/dev/null | wc -l)" -lt $(( catch_up + live )) ] && [ "$(date +%s)" -lt "$deadline" ]; do
  sleep 1
done
peak=$(awk '/^VmHWM/ {print int($2 / 1024)}' "/proc/$serve_pid/status")
after=$(awk '/^VmRSS/ {print int($2 / 1024)}' "/proc/$serve_pid/status")
results=$(cat "$work"/*.result | sort | uniq -c)
echo "feed through a close of $members members: $live live + $catch_up catch-up subscribers; server RSS before ${rss_before} MiB, peak ${peak} MiB, after ${after} MiB"
echo "messages received (count, last id, order) by number of subscribers:"
echo "$results"
received=$(ls "$work"/*.result | wc -l)
[ "$received" -eq $(( catch_up + live )) ] || { echo "only $received subscribers reached the marker"; exit 1; }
[ "$(cat "$work"/*.result | sort -u | wc -l)" -eq 1 ] && grep -q ' ok$' "$work/live-1.result" || { echo "subscribers disagree"; exit 1; }
