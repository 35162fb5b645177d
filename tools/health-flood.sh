#!/usr/bin/env bash
# A liveness probe under a connection flood: `serve` with its API connections capped
# at CAP and `--health-listen` on a second address, while FLOOD clients hold partial
# request heads on the API's address and reconnect whenever they are cut (a slowloris
# beyond the cap and the 8 connections kept for /healthz). SAMPLES probes of /healthz,
# one every 200 ms, on each address; reports p50, p99 and max seconds per address and
# how many got no 200 within 5 s. The health address is the one to give a supervisor.
#
#   tools/health-flood.sh [CAP] [FLOOD] [SAMPLES]     (default: 20 400 50)
#
# FLEXLEDGER_BIN=PATH measures another build (default: the debug build, made here:
# the flood is about queueing, not speed).
set -euo pipefail
cd "$(dirname "$0")/.."
cap=${1:-20}
flood=${2:-400}
samples=${3:-50}
if [ -n "${FLEXLEDGER_BIN:-}" ]; then
  bin=$FLEXLEDGER_BIN
else
  cargo build --bins -q
  bin=${CARGO_TARGET_DIR:-$PWD/target}/debug/flexledger
fi
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
ulimit -n 4096 2>/dev/null || true

FLEXLEDGER_CONNECTIONS_OPEN_MAX=$cap "$bin" --data-dir "$work/data" serve --demo \
  --listen 127.0.0.1:0 --health-listen 127.0.0.1:0 > "$work/out" 2> "$work/err" &
for _ in $(seq 100); do
  [ "$(wc -l < "$work/out")" -ge 2 ] && break
  sleep 0.1
done
api=$(sed -n 's|^listening on http://||p' "$work/out")
health=$(sed -n 's|^healthz on http://\(.*\)/healthz$|\1|p' "$work/out")

python3 - "$api" "$health" "$flood" "$samples" <<'EOF'
import socket, statistics, sys, threading, time
api, health, flood, samples = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
def address(text):
    host, port = text.rsplit(":", 1)
    return host, int(port)
done = threading.Event()
def slowloris():
    while not done.is_set():
        try:
            s = socket.create_connection(address(api), timeout=5)
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            while not done.is_set():
                s.settimeout(1)
                try:
                    if s.recv(1) == b"":
                        break
                except socket.timeout:
                    continue
        except OSError:
            time.sleep(0.05)
threads = [threading.Thread(target=slowloris, daemon=True) for _ in range(flood)]
for thread in threads:
    thread.start()
time.sleep(2)
def probe(target):
    started = time.monotonic()
    try:
        s = socket.create_connection(address(target), timeout=5)
        s.settimeout(5 - (time.monotonic() - started))
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = s.recv(12)
        ok = answer == b"HTTP/1.1 200"
    except OSError:
        ok = False
    return time.monotonic() - started, ok
for name, target in (("api address", api), ("health address", health)):
    results = []
    for _ in range(samples):
        results.append(probe(target))
        time.sleep(0.2)
    times = sorted(seconds for seconds, _ in results)
    failed = sum(1 for _, ok in results if not ok)
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    print(f"{name}: p50 {statistics.median(times):.3f} s, p99 {p99:.3f} s, max {times[-1]:.3f} s, "
          f"no 200 within 5 s: {failed} of {samples}")
done.set()
EOF
