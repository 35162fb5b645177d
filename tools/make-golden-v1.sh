#!/usr/bin/env bash
# Makes tests/golden/NAME-store.tar.gz: a store written by the v1 release from
# tests/golden/NAME-commands.jsonl, which every later build must still open, verify and
# read (stored bytes are a contract). NAME is `v1` (the default: the main golden v1
# store) or `v1-close` (a month close whose member consequences v1 recorded before its
# MonthClosed, in one record).
#
# Usage: tools/make-golden-v1.sh PATH/TO/v1/flexledger [NAME]
# The v1 binary is the build of commit 1f698c1 (the last v1 release), e.g.
#   git worktree add /tmp/v1 1f698c1 && (cd /tmp/v1 && cargo build --bin flexledger)
#   tools/make-golden-v1.sh /tmp/v1/target/debug/flexledger
# The signing key the v1 build makes is left out: a build that opens the store makes its own.
set -euo pipefail
binary=${1:?usage: tools/make-golden-v1.sh PATH/TO/v1/flexledger [NAME]}
name=${2:-v1}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$binary" --data-dir "$work/$name-store" submit "$repo/tests/golden/$name-commands.jsonl" > "$work/results.jsonl" || true
"$binary" --data-dir "$work/$name-store" verify
rm -f "$work/$name-store/audit-signing-key"*
tar -C "$work" --sort=name --owner=0 --group=0 --numeric-owner --mtime=2026-01-01 -czf "$repo/tests/golden/$name-store.tar.gz" "$name-store"
cp "$work/results.jsonl" "$repo/tests/golden/$name-results.jsonl"
echo "wrote tests/golden/$name-store.tar.gz ($(du -h "$repo/tests/golden/$name-store.tar.gz" | cut -f1))"
