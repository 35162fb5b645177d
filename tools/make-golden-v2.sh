#!/usr/bin/env bash
# Makes tests/golden/v2-store.tar.gz: a store written by the last build before compact
# log entries, coverage rows and postcard member rows (commit b7de687), which every
# later build must still open, verify and read exactly as it was written (stored
# bytes are a contract): log entries of canonical JSON, one feed item per key in
# JSON, member rows in JSON under state format 2.
#
# Usage: tools/make-golden-v2.sh PATH/TO/b7de687/flexledger
#   git worktree add /tmp/v2 b7de687 && (cd /tmp/v2 && cargo build --bin flexledger)
#   tools/make-golden-v2.sh /tmp/v2/target/debug/flexledger
# The commands are tests/golden/v2-commands.jsonl (`flexledger-bench --members 30
# --months 8 --emit`: every line has a command id, so a fresh import by any build
# records the same coverage changes). The signing key is left out.
set -euo pipefail
binary=${1:?usage: tools/make-golden-v2.sh PATH/TO/b7de687/flexledger}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$binary" --data-dir "$work/v2-store" submit "$repo/tests/golden/v2-commands.jsonl" > /dev/null || true
"$binary" --data-dir "$work/v2-store" verify
rm -f "$work/v2-store/audit-signing-key"*
tar -C "$work" --sort=name --owner=0 --group=0 --numeric-owner --mtime=2026-01-01 -czf "$repo/tests/golden/v2-store.tar.gz" v2-store
echo "wrote tests/golden/v2-store.tar.gz ($(du -h "$repo/tests/golden/v2-store.tar.gz" | cut -f1))"
