#!/usr/bin/env bash
# shellcheck disable=SC2034 # `bytes` is read only through the nameref in of()
# The ledger beside the stores a user could put the same events in, measured in ONE run
# on ONE workload, every rate also given as a ratio to PostgreSQL measured in that run
# (absolute numbers on a shared 2-core machine are noise; ratios are what to compare).
#
#   tools/store-bench.sh [--rounds N] [--keep DIR] [--baseline BIN] [MEMBERS] [MONTHS]
#                                                      (defaults: 3 rounds, 20000 12)
#
# Workload: flexledger-bench's region, MEMBERS members over MONTHS months (20000 x 12 =
# 240,013 commands, 249,013 events). The ledger imports the commands; the envelopes it
# stored are then exported with `flexledger events`, and those exact bytes are what every
# peer loads. Every peer makes 1,000 events durable per commit, as the ledger makes up
# to 1,000 commands durable per fsync. What each line of the table measures:
#
# - ledger import: `flexledger submit` of the commands into an empty --data-dir: parse,
#   decide, hash-chain, append the events with their stream index, command records,
#   state rows and feed rows; one flush + fdatasync per batch. Bytes: the whole data dir.
# - ledger rebuild: `flexledger rebuild` of that store: read and hash-check every event,
#   decode, fold, and replace every state row. Bytes: the same store, not counted again.
#   The first open after the import is timed apart, before it (`first_open`: sled
#   replays the import's log then); "with the first open" adds the two.
# - PostgreSQL COPY: psql loads the envelopes into
#     events (position bigint PRIMARY KEY, stream text NOT NULL, version bigint NOT NULL,
#             envelope jsonb NOT NULL, UNIQUE (stream, version))
#   one `BEGIN; COPY ... FROM STDIN; COMMIT;` per 1,000 rows, through the Unix socket of a
#   throwaway cluster with PostgreSQL's default durability: fsync=on,
#   synchronous_commit=on, full_page_writes=on (wal_sync_method fdatasync on Linux),
#   set explicitly so the log shows them. Collation C (bytewise, like sled's keys). The
#   position, stream and version columns are cut out of each line before the clock
#   starts (an application has them at hand). Bytes: pg_total_relation_size('events')
#   (heap, TOAST and both indexes), and that plus the WAL the load wrote
#   (pg_current_wal_lsn() after minus before). Peak RSS: the backend that ran the COPY
#   (its VmHWM, which counts the shared buffers it touched; shared_buffers is 128 MB),
#   and psql's. Each round starts from a new, empty table after a CHECKPOINT.
# - PostgreSQL COPY + CHECKPOINT: the same load plus a CHECKPOINT right after it. A
#   COMMIT makes the rows durable in the WAL only; the heap and index pages are written
#   and fsynced by a later checkpoint, which this line adds to the load's time.
# - raw sled, 1 key/event: `flexledger-bench --raw-load FILE --raw-keys 1`: sled 0.34.7
#   with the ledger's cache size, position -> envelope bytes, 1,000 keys per batch,
#   flush + sync_data of sled's db file per batch (tools/bench/raw_sled.rs).
# - raw sled, 2 keys/event: the same plus (stream, version) -> position per event: the
#   index the table's UNIQUE (stream, version) keeps too.
# - file + fdatasync: `--raw-keys 0`: the lines appended to one file, fdatasync per
#   1,000 lines: the floor under any store on this disk.
#
# Every round runs all seven, one after the other, so they share the machine's load of
# the moment; the table gives medians over the rounds, and each ratio is the median of
# the rounds' own ratios to that round's COPY. events/s is events / wall seconds of the
# one command that does the load, from its start to its exit (opening the store, or
# connecting, counts for everyone; the raw loads and the ledger also read and parse
# their input file inside that time). Peak RSS is that command's (GNU time's %M),
# except for PostgreSQL as said above; the largest of the rounds.
#
# Needs: cargo; GNU time (`apt-get install -y time`); Debian's PostgreSQL server,
# any version (`apt-get install -y postgresql`). Nothing is configured or started
# system-wide: initdb makes a cluster in this script's temp dir, with no TCP listener
# (only its socket, in that dir, so no port is taken), and it is stopped and removed on
# exit, failure or Ctrl-C. As root the cluster runs as the `postgres` user the package
# creates (initdb refuses root). Disk: about 7 KB per event at a time, in $TMPDIR or
# /tmp: point either (or --keep) at the disk you mean to measure, not at a tmpfs.
# --keep DIR: work in DIR (new or empty) and leave the last round's stores there.
# --baseline BIN: another build's `flexledger` binary (an older commit's, built with
# `cargo build --release` in a worktree): its import and rebuild of the same commands
# run in every round too, so a change to the ledger is measured against the build
# before it in the same run (two more lines in the table).
# A commit before D46 has no LTO in its release profile: to compare the code alone, build
# it with CARGO_PROFILE_RELEASE_LTO=fat CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1; built
# as it was, the baseline is the binaries as that commit shipped them.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  echo "usage: tools/store-bench.sh [--rounds N] [--keep DIR] [--baseline BIN] [MEMBERS] [MONTHS]" >&2
  exit 2
}
fail() {
  echo "store-bench: $*" >&2
  exit 2
}
# shellcheck source=tools/pg-cluster.sh
. "$(dirname "$0")/pg-cluster.sh"

keep=""
baseline=""
rounds=3
positional=()
while [ $# -gt 0 ]; do
  case $1 in
    --keep) [ $# -ge 2 ] || usage; keep=$2; shift 2 ;;
    --keep=*) keep=${1#--keep=}; shift ;;
    --baseline) [ $# -ge 2 ] || usage; baseline=$2; shift 2 ;;
    --baseline=*) baseline=${1#--baseline=}; shift ;;
    --rounds) [ $# -ge 2 ] || usage; rounds=$2; shift 2 ;;
    --rounds=*) rounds=${1#--rounds=}; shift ;;
    -h | --help) sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) usage ;;
    *) positional+=("$1"); shift ;;
  esac
done
[ ${#positional[@]} -le 2 ] || usage
members=${positional[0]:-20000}
months=${positional[1]:-12}
case "$members$months$rounds" in *[!0-9]*) usage ;; esac
[ "$rounds" -ge 1 ] && [ "$rounds" -le 20 ] || fail "--rounds: 1 to 20"
[ -z "$baseline" ] || [ -x "$baseline" ] || fail "--baseline $baseline: not an executable flexledger binary"

# Everything that can be missing is checked before the long part starts.
pg_find_server
[ -x "$pgbin/psql" ] || fail "no psql beside $initdb; install it with:  apt-get install -y postgresql-client"
[ -x /usr/bin/time ] || fail "GNU time is not installed (/usr/bin/time); install it with:  apt-get install -y time"
command -v cargo >/dev/null || fail "cargo is not on PATH"
pg_find_user

pg_work_dir store-bench

cleanup() {
  local status=$?
  stop_pg
  if [ -z "$keep" ]; then
    rm -rf "$work"
  else
    echo "store-bench: the stores are kept in $work" >&2
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Measurements, keyed NAME:ROUND: wall seconds, peak RSS in KiB, bytes on disk.
declare -A seconds rss_kib bytes
# timed NAME OUT COMMAND...: runs COMMAND with its stdout to OUT and its stderr to
# $work/NAME.err; records its wall seconds and its peak RSS under NAME. A failing
# command ends the script with its last error lines.
timed() {
  local name=$1 out=$2 start end status=0
  shift 2
  start=$(date +%s%N)
  /usr/bin/time -f %M -o "$work/$name.rss" "$@" >"$out" 2>"$work/$name.err" || status=$?
  if [ "$status" -ne 0 ]; then
    tail -n 20 "$work/$name.err" >&2
    fail "$name exited with $status (for submit, 1 means a command was refused): $*"
  fi
  end=$(date +%s%N)
  seconds[$name]=$(awk -v ns="$((end - start))" 'BEGIN { printf "%.3f", ns / 1e9 }')
  rss_kib[$name]=$(tail -n 1 "$work/$name.rss")
}
# json_field NAME FILE: the number NAME holds in the one JSON line of FILE.
json_field() {
  sed -nE "s/.*\"$1\":([0-9.eE+-]+).*/\\1/p" "$2"
}

echo "store-bench: building release binaries ..." >&2
cargo build --release --bin flexledger --bin flexledger-bench
bin=$PWD/target/release/flexledger
bench=$PWD/target/release/flexledger-bench

echo "store-bench: generating $members members x $months months ..." >&2
"$bench" --members "$members" --months "$months" --emit "$work/commands.jsonl" 2>/dev/null
commands=$(wc -l <"$work/commands.jsonl")

# import_into NAME BIN STORE R: BIN imports the commands into a new STORE, timed as NAME.
import_into() {
  local name=$1 binary=$2 store=$3 round=$4
  rm -rf "$store"
  echo "store-bench: round $round: $name of $commands commands ($binary) ..." >&2
  timed "$name:$round" /dev/null "$binary" submit --data-dir "$store" "$work/commands.jsonl"
  bytes[$name:$round]=$(du -sb "$store" | cut -f1)
}

# first_open NAME BIN STORE R: BIN's first open of STORE after its import, timed as
# NAME: sled 0.34.7 writes its snapshot only when it opens a store, so the first open
# after an import replays the import's whole log (here ~0.4 s for the ledger). It reads
# the last events (`events --from COMMANDS`: ~9,000 lines), which any build can.
first_open() {
  local name=$1 binary=$2 store=$3 round=$4
  echo "store-bench: round $round: $name ($binary) ..." >&2
  timed "$name:$round" /dev/null "$binary" events --data-dir "$store" --from "$commands"
}

# rebuild_of NAME BIN STORE R OPEN_NAME: BIN rebuilds STORE, timed as NAME; it must fold
# every event. NAME_with_open: that time plus the first open's (OPEN_NAME) before it.
rebuild_of() {
  local name=$1 binary=$2 store=$3 round=$4 open_name=$5
  echo "store-bench: round $round: $name ($binary) ..." >&2
  timed "$name:$round" "$work/$name.json" "$binary" rebuild --data-dir "$store"
  [ "$(json_field events "$work/$name.json")" = "$events" ] ||
    fail "$name folded $(json_field events "$work/$name.json") events, not $events"
  seconds[${name}_with_open:$round]=$(awk -v a="${seconds[$name:$round]}" \
    -v b="${seconds[$open_name:$round]}" 'BEGIN { printf "%.3f", a + b }')
}

# ledger_round R: import into a new store, open it once, export its envelopes (round 1: the peers'
# input), rebuild it; the same for the --baseline build.
ledger_round() {
  local round=$1 store=$work/ledger
  import_into import "$bin" "$store" "$round"
  first_open open "$bin" "$store" "$round"
  if [ "$round" = 1 ]; then
    "$bin" events --data-dir "$store" --from 1 >"$work/envelopes.jsonl"
    events=$(wc -l <"$work/envelopes.jsonl")
    local head_position
    head_position=$(tail -n 1 "$work/envelopes.jsonl" | sed -nE 's/^\{"position":([0-9]+),.*/\1/p')
    [ "$events" -gt 0 ] && [ "$head_position" = "$events" ] || # either one false fails
      fail "the export has $events lines but ends at position '$head_position'"
  fi
  rebuild_of rebuild "$bin" "$store" "$round" open
  if [ -n "$baseline" ]; then
    import_into base_import "$baseline" "$work/baseline" "$round"
    first_open base_open "$baseline" "$work/baseline" "$round"
    rebuild_of base_rebuild "$baseline" "$work/baseline" "$round" base_open
    rm -rf "$work/baseline"
  fi
}

# start_pg: a new cluster in $pg, running, with the durability settings checked.
start_pg() {
  pg_start tools/store-bench.sh
  postgres_version=$("${psql[@]}" -Atc "SHOW server_version")
}
psql=("$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h "$pg" -U postgres -d postgres)

# write_copy_script: $work/copy.sql loads the envelopes, one transaction per 1,000 rows,
# then prints the backend's peak RSS. COPY's text format needs backslashes doubled; the
# columns are cut by splitting the canonical envelope on '"', and a line that does not
# start {"position":N,"stream":"S","version":V, stops the run.
write_copy_script() {
  sed 's/\\/\\\\/g' "$work/envelopes.jsonl" | awk -F'"' -v rows=1000 '
    BEGIN { print "\\set ON_ERROR_STOP on" }
    $2 != "position" || $4 != "stream" || $8 != "version" {
      print "store-bench: envelope line " NR " does not start as flexledger events prints it" > "/dev/stderr"
      failed = 1; exit 1
    }
    {
      position = $3; gsub(/[:,]/, "", position)
      version = $9; gsub(/[:,]/, "", version)
      if ((NR - 1) % rows == 0) {
        if (NR > 1) print "\\.\nCOMMIT;"
        print "BEGIN;\nCOPY events (position, stream, version, envelope) FROM STDIN;"
      }
      print position "\t" $6 "\t" version "\t" $0
    }
    END {
      if (failed) exit 1
      print "\\.\nCOMMIT;"
      print "SELECT pg_backend_pid() AS backend_pid \\gset"
      print "\\setenv STORE_BENCH_BACKEND :backend_pid"
      print "\\! grep VmHWM /proc/$STORE_BENCH_BACKEND/status"
    }' >"$work/copy.sql"
}

# pg_round R: a new, empty table; COPY; CHECKPOINT; checks and sizes.
pg_round() {
  local round=$1 wal_before wal rows head table_bytes
  echo "store-bench: round $round: PostgreSQL COPY ..." >&2
  "${psql[@]}" -c "DROP TABLE IF EXISTS events" -c "CREATE TABLE events (position bigint PRIMARY KEY,
    stream text NOT NULL, version bigint NOT NULL, envelope jsonb NOT NULL, UNIQUE (stream, version))" \
    -c CHECKPOINT
  wal_before=$("${psql[@]}" -Atc "SELECT pg_current_wal_lsn()")
  timed "pg_copy:$round" "$work/pg_copy.out" "${psql[@]}" -f "$work/copy.sql"
  wal=$("${psql[@]}" -Atc "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '$wal_before')")
  timed "pg_checkpoint:$round" /dev/null "${psql[@]}" -c CHECKPOINT
  seconds[pg_copy_checkpoint:$round]=$(awk -v a="${seconds[pg_copy:$round]}" \
    -v b="${seconds[pg_checkpoint:$round]}" 'BEGIN { printf "%.3f", a + b }')
  read -r rows head table_bytes < <("${psql[@]}" -AtF ' ' -c \
    "SELECT count(*), max(position), pg_total_relation_size('events') FROM events")
  [ "$rows" = "$events" ] && [ "$head" = "$events" ] || # either one false fails
    fail "PostgreSQL holds $rows rows up to position $head, not $events"
  bytes[pg_copy:$round]=$table_bytes
  bytes[pg_wal:$round]=$((table_bytes + wal))
  rss_kib[pg_psql:$round]=${rss_kib[pg_copy:$round]}
  rss_kib[pg_copy:$round]=$(awk '/^VmHWM:/ { print $2 }' "$work/pg_copy.out")
  [ -n "${rss_kib[pg_copy:$round]}" ] || fail "no VmHWM of the PostgreSQL backend in $work/pg_copy.out"
}

# raw_round R: the three loads of flexledger-bench --raw-load, each into a new dir.
raw_round() {
  local round=$1 keys
  for keys in 1 2 0; do
    echo "store-bench: round $round: raw load, --raw-keys $keys ..." >&2
    rm -rf "$work/raw$keys"
    timed "raw$keys:$round" "$work/raw$keys.json" "$bench" --raw-load "$work/envelopes.jsonl" \
      --raw-keys "$keys" --dir "$work/raw$keys"
    [ "$(json_field events "$work/raw$keys.json")" = "$events" ] ||
      fail "--raw-keys $keys loaded $(json_field events "$work/raw$keys.json") events, not $events"
    bytes[raw$keys:$round]=$(json_field bytes_on_disk "$work/raw$keys.json")
  done
}

events=0
postgres_version=""
for round in $(seq 1 "$rounds"); do
  ledger_round "$round"
  if [ "$round" = 1 ]; then
    start_pg
    write_copy_script
  fi
  pg_round "$round"
  raw_round "$round"
done
stop_pg

# of NAME ARRAY: the rounds' values of NAME in ARRAY (seconds, rss_kib, bytes), one a line.
of() {
  local -n values=$2
  local round
  for round in $(seq 1 "$rounds"); do echo "${values[$1:$round]:-}"; done
}
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
largest() { sort -g | tail -n 1; }
grouped() {
  awk -v n="$1" 'BEGIN {
    s = sprintf("%.0f", n); out = ""
    while (length(s) > 3) { out = "," substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) }
    print s out }'
}
per_second() { grouped "$(awk -v e="$events" -v s="$1" 'BEGIN { print e / s }')"; }
per_event() { grouped "$(awk -v e="$events" -v b="$1" 'BEGIN { print b / e }')"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.0f MiB", k / 1024 }'; }
# ratio NAME: the median over the rounds of (COPY's seconds / NAME's seconds).
ratio() {
  local round
  for round in $(seq 1 "$rounds"); do
    awk -v a="${seconds[pg_copy:$round]}" -v b="${seconds[$1:$round]}" 'BEGIN { print a / b }'
  done | median | awk '{ printf "%.2f×", $1 }'
}
# row NAME LABEL BYTES_TEXT RSS_TEXT
row() {
  printf '| %s | %s | %s | %s | %s |\n' "$2" "$(per_second "$(of "$1" seconds | median)")" \
    "$(ratio "$1")" "$3" "$4"
}
bytes_of() { per_event "$(of "$1" bytes | median)"; }
rss_of() { mib "$(of "$1" rss_kib | largest)"; }

cat <<HEAD

store-bench: $(date -u +%Y-%m-%d), $(nproc) cores, $(uname -sr), PostgreSQL $postgres_version, sled 0.34.7
stores in: $work ($(df -T "$work" | awk 'NR == 2 { print $2 " on " $1 }'))
workload: $members members × $months months: $commands commands, $events events ($(du -b "$work/envelopes.jsonl" | cut -f1) bytes of envelopes); $rounds rounds
command: tools/store-bench.sh --rounds $rounds${baseline:+ --baseline $baseline} $members $months

| measurement | events/s | ÷ PostgreSQL COPY | bytes on disk per event | peak RSS |
|---|---|---|---|---|
HEAD
row import "ledger import (\`flexledger submit\`)" "$(bytes_of import)" "$(rss_of import)"
row rebuild "ledger rebuild (\`flexledger rebuild\`)" "same store" "$(rss_of rebuild)"
row rebuild_with_open "ledger rebuild, with the first open before it" "same store" "n/a"
if [ -n "$baseline" ]; then
  row base_import "baseline import ($baseline)" "$(bytes_of base_import)" "$(rss_of base_import)"
  row base_rebuild "baseline rebuild" "same store" "$(rss_of base_rebuild)"
  row base_rebuild_with_open "baseline rebuild, with the first open before it" "same store" "n/a"
fi
row pg_copy "PostgreSQL COPY, COMMIT per 1,000 rows" \
  "$(bytes_of pg_copy) (table) / $(bytes_of pg_wal) (+ WAL)" \
  "backend $(rss_of pg_copy), psql $(rss_of pg_psql)"
row pg_copy_checkpoint "PostgreSQL COPY, then CHECKPOINT" "as above" "n/a"
row raw1 "raw sled, 1 key per event" "$(bytes_of raw1)" "$(rss_of raw1)"
row raw2 "raw sled, 2 keys per event" "$(bytes_of raw2)" "$(rss_of raw2)"
row raw0 "file, fdatasync per 1,000 lines" "$(bytes_of raw0)" "$(rss_of raw0)"

echo
echo "Seconds in each round:"
for name in import open rebuild ${baseline:+base_import base_open base_rebuild} pg_copy pg_checkpoint raw1 raw2 raw0; do
  echo "  $name: $(of "$name" seconds | paste -sd ' ')"
done
cat <<FOOT
The ledger's bytes are its whole store (events with their hashes, stream index, command
records, state rows, feed rows); PostgreSQL's WAL is recycled after checkpoints.
open: the first open after the import (sled replays the import's log), timed apart, so
that every round's rebuild opens a store opened once already.
FOOT
