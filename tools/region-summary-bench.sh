#!/usr/bin/env bash
# The latency of `GET /v1/regions/{name}` (members by standing and the arrears total)
# at a region size, through a real `flexledger serve`: a build that keeps the summary
# as a state row reads one row per request; a build that folds every enrolled member
# per request (pass it as BEFORE) reads every member's row.
#
#   tools/region-summary-bench.sh [MEMBERS] [BEFORE_BINARY]
#       MEMBERS        region size (default 20000; 2 months, so some are in arrears)
#       BEFORE_BINARY  another build's `flexledger` to measure on a copy of the same
#                      data (e.g. one built from the commit before the summary row)
#
# Uses the debug build in $CARGO_TARGET_DIR (or target/) unless FLEXLEDGER_BIN_DIR
# names another. Prints, per binary, the best and the median of REQUESTS (default 50)
# requests in milliseconds, and the response body's digest so the bodies can be
# compared (they must be identical). Not a test: timings on a shared machine vary.
#
# Measured once, debug builds, 20,000 members (19,600 active, 400 in arrears), 50
# requests each: folding per request (the build before the summary row) best 376 ms,
# median 553 ms; the summary row best 0.42 ms, median 0.59 ms; identical bodies.
set -euo pipefail
cd "$(dirname "$0")/.."
members=${1:-20000}
before=${2:-}
requests=${REQUESTS:-50}
months=2
bin_dir=${FLEXLEDGER_BIN_DIR:-${CARGO_TARGET_DIR:-target}/debug}
if [ -z "${FLEXLEDGER_BIN_DIR:-}" ]; then cargo build --bins -q; fi
after="$bin_dir/flexledger"
work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

token=bench-operator-token
digest=$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)
printf '[[token]]\nrole = "operator"\nsha256 = "%s"\n' "$digest" > "$work/tokens.toml"

"$bin_dir/flexledger-bench" --members "$members" --months "$months" --emit "$work/commands.jsonl" 2>/dev/null
"$after" --data-dir "$work/data" submit "$work/commands.jsonl" > /dev/null
cp -r "$work/data" "$work/data-before"

# measure LABEL BINARY DATA_DIR: serve, GET the region REQUESTS times, stop.
measure() {
  local label=$1 binary=$2 data=$3
  "$binary" --data-dir "$data" serve --listen 127.0.0.1:0 --auth "$work/tokens.toml" \
    > "$work/serve.out" 2> "$work/serve.err" &
  server=$!
  for _ in $(seq 600); do [ -s "$work/serve.out" ] && break; sleep 0.1; done
  local address
  address=$(head -1 "$work/serve.out" | grep -oE '[0-9]+(\.[0-9]+){3}:[0-9]+' | head -1)
  local url="http://$address/v1/regions/bench"
  local body
  body=$(curl -sf -H "authorization: Bearer $token" "$url")
  for _ in $(seq "$requests"); do
    curl -sf -o /dev/null -w '%{time_total}\n' -H "authorization: Bearer $token" "$url"
  done | sort -n > "$work/times"
  local best median
  best=$(head -1 "$work/times")
  median=$(sed -n "$(( (requests + 1) / 2 ))p" "$work/times")
  printf '%-7s members=%s best_ms=%.2f median_ms=%.2f body_sha256=%s\n' "$label" "$members" \
    "$(echo "$best * 1000" | bc -l)" "$(echo "$median * 1000" | bc -l)" \
    "$(printf '%s' "$body" | sha256sum | cut -c1-16)"
  echo "        $(printf '%s' "$body" | grep -oE '"members":\{[^}]*\},"arrears_total":"[0-9.]*"')"
  kill "$server"
  wait "$server" 2>/dev/null || true
  server=""
}

if [ -n "$before" ]; then measure before "$before" "$work/data-before"; fi
measure after "$after" "$work/data"
