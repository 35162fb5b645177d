#!/usr/bin/env bash
# Are two builds' outputs byte-identical on the demo? For a restructuring that must not
# change behaviour: every read command of both binaries, in text and JSON, and every
# read route of the HTTP API, run by each build against its own copy of one store, then
# diffed. The store is written once, by the first build, from examples/demo.jsonl and
# the tour's money commands, so event ids, times and hashes are the same for both; the
# `submit` results of each build are compared too, with ids, times and hashes masked.
#
#   tools/output-diff.sh BASE_BIN_DIR NEW_BIN_DIR     (each holds flexledger and flexledger-audit)
#   tools/output-diff.sh BASE_BIN_DIR                 (NEW: this checkout's release build)
#
# Exit 0 when every output matches, 1 with the diff otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:?usage: tools/output-diff.sh BASE_BIN_DIR [NEW_BIN_DIR]}
if [ -n "${2:-}" ]; then
  new=$2
else
  cargo build --release --bins -q
  new=$PWD/target/release
fi
work=$(mktemp -d)
# OUTPUT_DIFF_KEEP=1 keeps the outputs (the script prints where).
trap 'kill $(jobs -p) 2>/dev/null || true; [ -n "${OUTPUT_DIFF_KEEP:-}" ] && echo "outputs kept in $work" || rm -rf "$work"' EXIT
zhao=826711ec-7418-56f6-92df-8cb182127a27
qian=0b53af7d-bb50-5037-9d21-49eba4cb5782
commands=(examples/demo.jsonl examples/refusals.jsonl examples/subsidy.jsonl)

# What changes from run to run in a submit result: ids, times and hashes.
mask() { sed -E 's/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/<uuid>/g; s/[0-9a-f]{64}/<hash>/g; s/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z/<time>/g'; }

for file in "${commands[@]}"; do "$base/flexledger" --data-dir "$work/store" submit "$file" >/dev/null 2>&1 || true; done

# Each build's outputs: one file per command line of `run_all`.
run_all() {
  local bin=$1 out=$2 data=$3
  mkdir -p "$out"
  local n=0
  run() {
    n=$((n + 1))
    local status=0
    "$@" >"$out/$n.out" 2>"$out/$n.err" || status=$?
    echo "exit $status" >>"$out/$n.out"
    echo "$n: $*" >>"$out/commands.txt"
  }
  local fl="$bin/flexledger --data-dir $data" au="$bin/flexledger-audit --data-dir $data"
  for member in $zhao $qian; do
    run $fl member $member
    run $fl member $member --as-of 20
    run $fl events --member $member
    run $au replay --member $member
    run $au replay --member $member --json
    run $au replay --member $member --as-of 25
    run $au timeline --member $member --svg -
    for month in 2025-01 2025-04 2025-05 2025-07 2025-08 2025-09 2025-10; do
      run $au explain --member $member --month $month
      run $au explain --member $member --month $month --json
    done
  done
  run $fl events
  run $fl events --from 30
  run $fl region demo --month 2025-09
  run $fl region demo --month 2025-06
  run $fl verify
  run $au verify
  run $au verify --json
  run $au public-key --json
  for policy in examples/whatif-*.json; do
    run $au whatif --policy "$policy" --region demo
    run $au whatif --policy "$policy" --region demo --json
  done
  run $fl member 00000000-0000-0000-0000-000000000000
  run $au explain --member $zhao --month 2031-01
  # The HTTP API, read routes, as the auditor.
  $bin/flexledger --data-dir $data serve --listen 127.0.0.1:0 --demo >"$out/serve.txt" 2>/dev/null &
  local pid=$!
  for _ in $(seq 100); do [ -s "$out/serve.txt" ] && grep -q 'auditor token' "$out/serve.txt" && break; sleep 0.1; done
  local server token
  server=$(head -1 "$out/serve.txt" | sed 's/listening on //')
  token=$(sed -n 's/^auditor token: //p' "$out/serve.txt")
  for route in /v1/members/$zhao /v1/members/$zhao?as_of=20 /v1/members/$zhao/months/2025-05 \
      /v1/members/$qian/events /v1/members/$qian/timeline.svg /audit/members/$zhao \
      /v1/regions/demo /v1/regions/demo/months/2025-06 /v1/regions/demo/months/2031-01 \
      /v1/members/nope /v1/nothing /v1/openapi.json "/v1/feed?from=30" /healthz; do
    run curl -s -i --max-time 2 -H "Authorization: Bearer $token" "$server$route"
  done
  kill $pid; wait $pid 2>/dev/null || true
  rm -f "$out/serve.txt"
}

# Both servers answer to the same tokens (serve --demo reads them from here).
printf '%s\n' operator-output-diff auditor-output-diff subscriber-output-diff >"$work/store/demo-tokens"
cp -r "$work/store" "$work/store-base"
cp -r "$work/store" "$work/store-new"
run_all "$base" "$work/base" "$work/store-base"
run_all "$new" "$work/new" "$work/store-new"
# Paths differ by side; an HTTP date header by the second, a request id by request.
for side in base new; do
  bin=$base; [ $side = new ] && bin=$new
  sed -i -E "s|$work/store-$side|DATA|g; s|$bin/||g; s|127.0.0.1:[0-9]+|SERVER|g; /^date: /Id; /^x-request-id: /Id" "$work/$side"/*
done

# submit through each build, from an empty store, masked.
for side in base new; do
  bin=$base; [ $side = new ] && bin=$new
  for file in "${commands[@]}"; do "$bin/flexledger" --data-dir "$work/submit-$side" submit "$file" 2>&1 | mask >>"$work/$side/submit.out" || true; done
done

count=$(ls "$work/base"/*.out | wc -l)
if diff -r "$work/base" "$work/new" >"$work/diff.txt"; then
  echo "identical: $count outputs ($(cat "$work"/base/*.out | wc -c) bytes) of $base and $new"
else
  cat "$work/diff.txt"
  echo "DIFFERENT (above): $count outputs compared"
  exit 1
fi
