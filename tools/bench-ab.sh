#!/usr/bin/env bash
# Two builds' flexledger-bench ratios side by side: ROUNDS alternating runs of each
# (A, B, A, B, …, so both see the same noise of a shared machine), then the median
# ratio of every row for each build. The ratios are each build against the raw sled
# ceiling measured in its own run, so they compare across builds.
#
#   tools/bench-ab.sh BENCH_A BENCH_B [ROUNDS] [MEMBERS] [MONTHS]   (default: 3 10000 12)
#
# BENCH_A/B are flexledger-bench binaries, e.g. one built at an older commit:
#   git worktree add /tmp/old <commit> && cargo build --release --bin flexledger-bench \
#     --manifest-path /tmp/old/Cargo.toml
# (a commit before D46 builds without LTO: add CARGO_PROFILE_RELEASE_LTO=fat
# CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 to compare the code alone).
set -euo pipefail
a=${1:?usage: tools/bench-ab.sh BENCH_A BENCH_B [ROUNDS] [MEMBERS] [MONTHS]}
b=${2:?usage: tools/bench-ab.sh BENCH_A BENCH_B [ROUNDS] [MEMBERS] [MONTHS]}
rounds=${3:-3}
members=${4:-10000}
months=${5:-12}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for round in $(seq "$rounds"); do
  for side in a b; do
    bin=$a; [ $side = b ] && bin=$b
    if ! "$bin" --members "$members" --months "$months" --samples 300 >"$work/$side-$round.md" 2>"$work/err"; then
      echo "$bin failed:" >&2; cat "$work/err" >&2; exit 2
    fi
    echo "round $round/$rounds: $side done" >&2
  done
done
# Rows are "| name | ledger | ceiling | NN% |": the median of NN per row and side.
python3 - "$work" "$rounds" "$a" "$b" <<'EOF'
import statistics, sys
work, rounds, a, b = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
def ratios(side):
    rows = {}
    for round in range(1, rounds + 1):
        for line in open(f"{work}/{side}-{round}.md"):
            cells = [cell.strip() for cell in line.strip().strip('|').split('|')]
            if len(cells) == 4 and cells[3].endswith('%') and cells[3][:-1].isdigit():
                rows.setdefault(cells[0], []).append(int(cells[3][:-1]))
    return rows
ra, rb = ratios('a'), ratios('b')
print(f"A = {a}\nB = {b}\n{rounds} alternating rounds each; median ratio to the raw sled ceiling (runs)\n")
print("| measurement | A | B | B ÷ A |\n|---|---|---|---|")
for name in ra:
    ma, mb = statistics.median(ra[name]), statistics.median(rb.get(name, [0]))
    print(f"| {name} | {ma:.0f}% ({', '.join(map(str, ra[name]))}) | {mb:.0f}% ({', '.join(map(str, rb.get(name, [])))}) | {mb / ma:.2f} |")
EOF
