#!/usr/bin/env bash
# `serve`'s memory under many requests for one long member: a member paid and closed
# for MONTHS months (one policy, 2 commands a month), then PARALLEL clients ask for its
# audit page at once and read it, then STALLED clients ask for it and never read.
# Reports the server's RSS before, its peak (VmHWM) through the parallel pages, RSS
# and the kernel's TCP buffers (where a written response waits for its client) while
# the stalled clients hold their sockets, and both once the send-stall timeout
# (`RESPONSE_SEND_STALL_TIMEOUT_SECONDS`, 60 s) has cut them. D81 records a run.
#
#   tools/long-member-bench.sh [MONTHS] [PARALLEL] [STALLED]     (default: 6000 200 150)
#
# FLEXLEDGER_BIN=PATH measures another build (e.g. an older commit's) on the same
# store; DATA=DIR keeps the store between runs (its import takes minutes in debug).
set -euo pipefail
cd "$(dirname "$0")/.."
months=${1:-6000}
parallel=${2:-200}
stalled=${3:-150}
if [ -z "${FLEXLEDGER_BIN:-}" ]; then
  cargo build --release --bin flexledger -q
fi
bin=${FLEXLEDGER_BIN:-$PWD/target/release/flexledger}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
data=${DATA:-$work/data}
member=8a3b4c5d-6e7f-4a81-9b2c-3d4e5f6a7b83

if [ ! -d "$data" ]; then
  awk -v n="$months" -v m="$member" 'BEGIN {
    print "{\"command\":\"publish_policy\",\"region\":\"demo\",\"effective_from\":\"1990-01\",\"average_monthly_wage\":\"10000.00\",\"contribution_rate\":\"0.10\",\"base_ratio_min\":\"0.60\",\"base_ratio_max\":\"3.00\",\"grace_months\":3,\"benefit_delay_first\":6,\"benefit_delay_reenroll\":1,\"backpay_restores\":\"retroactive\",\"benefit_tiers\":[{\"min_continuous_months\":0,\"tier\":\"basic\"}]}"
    printf "{\"command\":\"enroll\",\"member_id\":\"%s\",\"region\":\"demo\",\"month\":\"1990-01\",\"base_ratio\":\"0.60\",\"labor_relationship\":\"none\"}\n", m
    for (i = 0; i < n; i++) {
      month = sprintf("%04d-%02d", 1990 + int(i / 12), i % 12 + 1)
      printf "{\"command\":\"pay\",\"member_id\":\"%s\",\"months\":[\"%s\"],\"amount\":\"600.00\",\"paid_on\":\"%s-10\"}\n", m, month, month
      printf "{\"command\":\"close_month\",\"region\":\"demo\",\"month\":\"%s\"}\n", month
    }
  }' > "$work/import.jsonl"
  "$bin" --data-dir "$data" submit "$work/import.jsonl" > /dev/null
fi

token=bench-auditor
printf '[[token]]\nrole = "auditor"\nsha256 = "%s"\n' "$(printf %s "$token" | sha256sum | cut -d' ' -f1)" > "$work/auth.toml"
"$bin" --data-dir "$data" serve --auth "$work/auth.toml" --listen 127.0.0.1:0 > "$work/serve.out" 2> "$work/serve.err" &
serve_pid=$!
for _ in $(seq 600); do grep -q '^listening on' "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
address=$(sed -n 's|^listening on http://||p' "$work/serve.out")

python3 - "$serve_pid" "$address" "$token" "$member" "$parallel" "$stalled" <<'EOF'
import socket, sys, threading, time
pid, address, token, member, parallel, stalled = sys.argv[1:]
host, port = address.rsplit(":", 1)
parallel, stalled = int(parallel), int(stalled)
request = (f"GET /audit/members/{member} HTTP/1.1\r\nHost: {address}\r\n"
           f"Authorization: Bearer {token}\r\nConnection: close\r\n\r\n").encode()

def status(field):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(field):
            return int(line.split()[1]) // 1024
    return -1

def kernel_tcp_mib():
    # Socket buffers live in the kernel, not in RSS: a response written into them
    # is still held for a client that does not read (`TCP: ... mem PAGES`).
    for line in open("/proc/net/sockstat"):
        if line.startswith("TCP:"):
            fields = line.split()
            return int(fields[fields.index("mem") + 1]) * 4096 // (1 << 20)
    return -1

def connect():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect((host, int(port)))
    s.sendall(request)
    return s

sizes = []
def read_page():
    s = connect()
    total = 0
    while chunk := s.recv(1 << 16):
        total += len(chunk)
    sizes.append(total)
    s.close()

print(f"rss before: {status('VmRSS')} MiB")
start = time.time()
threads = [threading.Thread(target=read_page) for _ in range(parallel)]
for t in threads: t.start()
for t in threads: t.join()
print(f"{parallel} pages read at once: {time.time() - start:.1f} s, {min(sizes)}..{max(sizes)} bytes each; "
      f"peak rss {status('VmHWM')} MiB, rss after {status('VmRSS')} MiB")
held = [connect() for _ in range(stalled)]
time.sleep(10)
print(f"{stalled} clients asking and not reading: rss {status('VmRSS')} MiB, kernel TCP buffers {kernel_tcp_mib()} MiB after 10 s")
time.sleep(60)
tcp_after = kernel_tcp_mib()
full, cut = max(sizes), 0
for s in held:
    # Cut by the server: the page ends before its last byte.
    s.settimeout(5)
    total = 0
    try:
        while chunk := s.recv(1 << 20):
            total += len(chunk)
    except OSError:
        pass
    cut += total < full
print(f"after 70 s: rss {status('VmRSS')} MiB, kernel TCP buffers {tcp_after} MiB, {cut} of {stalled} cut by the server; peak rss {status('VmHWM')} MiB")
EOF
