#!/usr/bin/env bash
# What the open-time check of sled's segment headers (D55) costs: reading each
# segment's 20-byte header of sled's data file `db`, as `SledStore::open` does after
# sled's own recovery read the same headers, next to the whole open of the same store
# (`flexledger events --from` beyond the head: open, read nothing). Best of 20 scans
# (python's pread, an upper bound on the Rust loop) and of 5 opens, in one run.
#
#   tools/segment-header-bench.sh [MEMBERS] [MONTHS]     (default: 10000 12)
#   PROFILE=debug tools/segment-header-bench.sh        (the dev build: no release build)
set -euo pipefail
cd "$(dirname "$0")/.."
members=${1:-10000}
months=${2:-12}
profile=${PROFILE:-release}
if [ "$profile" = release ]; then cargo build --release --bins -q; else cargo build --bins -q; fi
bin=target/$profile/flexledger
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
target/$profile/flexledger-bench --members "$members" --months "$months" --emit "$work/commands.jsonl" >/dev/null
"$bin" --data-dir "$work/data" submit "$work/commands.jsonl" >/dev/null
open_ms=""
for _ in 1 2 3 4 5; do
  start=$(date +%s%N)
  "$bin" --data-dir "$work/data" events --from 999999999999 >/dev/null
  took=$(( ($(date +%s%N) - start) / 1000 ))
  if [ -z "$open_ms" ] || [ "$took" -lt "$open_ms" ]; then open_ms=$took; fi
done
python3 - "$work/data/sled/db" "$open_ms" <<'PY'
import os, sys, time
path, open_us = sys.argv[1], int(sys.argv[2])
segment = 524_288  # sled 0.34.7's default, which flexledger never changes
size = os.path.getsize(path)
descriptor = os.open(path, os.O_RDONLY)
best = float("inf")
for _ in range(20):
    start = time.perf_counter()
    for index in range(size // segment):
        os.pread(descriptor, 20, index * segment)
    best = min(best, time.perf_counter() - start)
scan_us = best * 1e6
print(f"db_bytes={size} segments={size // segment} header_scan_us={scan_us:.0f} "
      f"open_us={open_us} scan_share_of_open={scan_us / open_us:.4f}")
PY
