#!/usr/bin/env bash
# Audit tools benchmark: what checkpoints, proofs and bundles cost on a large ledger,
# as ratios against a baseline measured in the same run (`flexledger verify`, the
# ledger's own full walk of the log; and `flexledger events --member`, reading one
# member's stream).
#
#   tools/audit-bench.sh [MEMBERS] [MONTHS]     (defaults: 20000 members, 24 months)
set -euo pipefail
cd "$(dirname "$0")/.."
members=${1:-20000}
months=${2:-24}
command -v bc >/dev/null || apt-get install -y bc >/dev/null
cargo build --release --bins -q
bin=target/release/flexledger
audit=target/release/flexledger-audit
bench=target/release/flexledger-bench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "generating and importing $members members x $months months ..." >&2
$bench --members "$members" --months "$months" --emit "$work/commands.jsonl" 2>/dev/null
$bin --data-dir "$work/data" submit "$work/commands.jsonl" > /dev/null
events=$($bin --data-dir "$work/data" events --from 1 | wc -l)
member=$($bin --data-dir "$work/data" events --from 1 | grep -m1 -o '"stream":"member-[^"]*"' | cut -d- -f2- | tr -d '"')

# seconds NAME COMMAND...: runs the command, prints and records its wall time.
declare -A took
seconds() {
  local name=$1; shift
  local start end
  start=$(date +%s.%N)
  "$@" > "$work/$name.out"
  end=$(date +%s.%N)
  took[$name]=$(echo "$end - $start" | bc)
}
ratio() { echo "scale=2; ${took[$1]} / ${took[$2]}" | bc; }

seconds verify_baseline $bin --data-dir "$work/data" verify
seconds member_events_baseline $bin --data-dir "$work/data" events --member "$member"
seconds checkpoint $audit --data-dir "$work/data" checkpoint
seconds audit_verify $audit --data-dir "$work/data" verify
seconds export_member $audit --data-dir "$work/data" export --member "$member" --out "$work/member.bundle"
key=$($audit --data-dir "$work/data" public-key | head -1)
seconds verify_bundle_member $audit verify-bundle "$work/member.bundle" --public-key "$key"
seconds export_all $audit --data-dir "$work/data" export --all --out "$work/all.bundle"
seconds verify_bundle_all $audit verify-bundle "$work/all.bundle" --public-key "$key"
seconds explain $audit --data-dir "$work/data" explain --member "$member" --month 2025-06
seconds replay $audit --data-dir "$work/data" replay --member "$member"
seconds csv_all $audit --data-dir "$work/data" export --all --format csv --out "$work/all.csv"

cat <<TABLE
ledger: $events events, $members members, $months months; member $member
| operation | seconds | ratio |
|---|---|---|
| baseline: flexledger verify (full walk + fold) | ${took[verify_baseline]} | 1.00 |
| checkpoint (walk, two trees, sign) | ${took[checkpoint]} | $(ratio checkpoint verify_baseline) × verify |
| audit verify (verify + checkpoint roots) | ${took[audit_verify]} | $(ratio audit_verify verify_baseline) × verify |
| export --all ($(du -h "$work/all.bundle" | cut -f1)) | ${took[export_all]} | $(ratio export_all verify_baseline) × verify |
| verify-bundle --all | ${took[verify_bundle_all]} | $(ratio verify_bundle_all verify_baseline) × verify |
| export --format csv --all | ${took[csv_all]} | $(ratio csv_all verify_baseline) × verify |
| baseline: flexledger events --member | ${took[member_events_baseline]} | 1.00 |
| export --member ($(du -h "$work/member.bundle" | cut -f1)) | ${took[export_member]} | $(ratio export_member member_events_baseline) × events --member |
| verify-bundle (member) | ${took[verify_bundle_member]} | $(ratio verify_bundle_member member_events_baseline) × events --member |
| explain (one month) | ${took[explain]} | $(ratio explain member_events_baseline) × events --member |
| replay | ${took[replay]} | $(ratio replay member_events_baseline) × events --member |
TABLE
