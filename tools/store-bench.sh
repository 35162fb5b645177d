#!/usr/bin/env bash
# The ledger beside the stores a user could put the same events in, measured in ONE run
# on ONE workload, every rate also given as a ratio to PostgreSQL measured in that run
# (absolute numbers on a shared 2-core machine are noise; ratios are what to compare).
#
#   tools/store-bench.sh [--keep DIR] [MEMBERS] [MONTHS]     (defaults: 20000 12)
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
# - PostgreSQL COPY: psql loads the envelopes into
#     events (position bigint PRIMARY KEY, stream text NOT NULL, version bigint NOT NULL,
#             envelope jsonb NOT NULL, UNIQUE (stream, version))
#   one `BEGIN; COPY ... FROM STDIN; COMMIT;` per 1,000 rows, through the Unix socket of a
#   throwaway cluster with PostgreSQL's default durability: fsync=on,
#   synchronous_commit=on, full_page_writes=on (wal_sync_method fdatasync on Linux);
#   set explicitly so the log shows them. Collation C (bytewise, like sled's keys). The
#   position, stream and version columns are cut out of each line before the clock
#   starts (an application has them at hand). Bytes: pg_total_relation_size('events')
#   (heap, TOAST and both indexes), and that plus the WAL the load wrote
#   (pg_current_wal_lsn() after minus before). Peak RSS: the backend that ran the COPY
#   (its VmHWM, which counts the shared buffers it touched; shared_buffers is 128 MB).
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
# events/s is events / wall seconds of the one command that does the load, from its
# start to its exit (opening the store, or connecting, counts for everyone; the raw
# loads and the ledger also read and parse their input file inside that time). Peak
# RSS is that command's (GNU time's %M), except for PostgreSQL as said above.
#
# Needs: cargo; GNU time (`apt-get install -y time`); Debian's PostgreSQL server,
# any version (`apt-get install -y postgresql`). Nothing is configured or started
# system-wide: initdb makes a cluster in this script's temp dir, with no TCP listener
# (only its socket, in that dir, so no port is taken), and it is stopped and removed on
# exit, failure or Ctrl-C. As root the cluster runs as the `postgres` user the package
# creates (initdb refuses root). About 10 KB of disk per event during the run.
# --keep DIR: work in DIR (new or empty) and leave the stores there afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  echo "usage: tools/store-bench.sh [--keep DIR] [MEMBERS] [MONTHS]" >&2
  exit 2
}
fail() {
  echo "store-bench: $*" >&2
  exit 2
}

keep=""
positional=()
while [ $# -gt 0 ]; do
  case $1 in
    --keep) [ $# -ge 2 ] || usage; keep=$2; shift 2 ;;
    --keep=*) keep=${1#--keep=}; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) usage ;;
    *) positional+=("$1"); shift ;;
  esac
done
[ ${#positional[@]} -le 2 ] || usage
members=${positional[0]:-20000}
months=${positional[1]:-12}
case "$members$months" in *[!0-9]*) usage ;; esac

# Everything that can be missing is checked before the long part starts.
initdb=$(printf '%s\n' /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)
[ -x "$initdb" ] || fail "PostgreSQL's server is not installed (no /usr/lib/postgresql/*/bin/initdb).
Install Debian's package, then run this again:  apt-get install -y postgresql"
pgbin=$(dirname "$initdb")
[ -x "$pgbin/psql" ] || fail "no psql beside $initdb; install it with:  apt-get install -y postgresql-client"
[ -x /usr/bin/time ] || fail "GNU time is not installed (/usr/bin/time); install it with:  apt-get install -y time"
command -v cargo >/dev/null || fail "cargo is not on PATH"
pg_user=""
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 ||
    fail "running as root, and initdb refuses root; the 'postgres' user Debian's package creates is missing. Run as another user."
  pg_user=postgres
fi

if [ -n "$keep" ]; then
  if [ -e "$keep" ] && [ -n "$(ls -A "$keep")" ]; then fail "--keep $keep: not empty"; fi
  mkdir -p "$keep"
  work=$(cd "$keep" && pwd)
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/store-bench.XXXXXX")
fi
chmod 711 "$work" # the cluster's user must reach $work/pg, and read nothing else
pg=$work/pg
pg_running=""

# as_pg COMMAND...: runs COMMAND as the cluster's user (from inside its directory, so
# the user never needs to read the current one).
as_pg() {
  if [ -n "$pg_user" ]; then
    (cd "$pg" && runuser -u "$pg_user" -- "$@")
  else
    (cd "$pg" && "$@")
  fi
}
stop_pg() {
  if [ -n "$pg_running" ]; then
    as_pg "$pgbin/pg_ctl" -D "$pg/data" -m fast -w stop >/dev/null 2>&1 ||
      as_pg "$pgbin/pg_ctl" -D "$pg/data" -m immediate -w stop >/dev/null 2>&1 ||
      echo "store-bench: could not stop the PostgreSQL cluster in $pg/data" >&2
    pg_running=""
  fi
}
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

# timed NAME OUT COMMAND...: runs COMMAND with its stdout to OUT and its stderr to
# $work/NAME.err; records its wall seconds in seconds[NAME] and its peak RSS in KiB
# in rss_kib[NAME]. A failing command ends the script with its last error lines.
declare -A seconds rss_kib
timed() {
  local name=$1 out=$2 start end
  shift 2
  start=$(date +%s%N)
  if ! /usr/bin/time -f %M -o "$work/$name.rss" "$@" >"$out" 2>"$work/$name.err"; then
    tail -n 20 "$work/$name.err" >&2
    fail "$name failed: $*"
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

echo "store-bench: ledger import of $commands commands ..." >&2
timed import /dev/null "$bin" submit --data-dir "$work/ledger" "$work/commands.jsonl"
ledger_bytes=$(du -sb "$work/ledger" | cut -f1)

echo "store-bench: exporting the stored envelopes ..." >&2
"$bin" events --data-dir "$work/ledger" --from 1 >"$work/envelopes.jsonl"
events=$(wc -l <"$work/envelopes.jsonl")
head_position=$(tail -n 1 "$work/envelopes.jsonl" | sed -nE 's/^\{"position":([0-9]+),.*/\1/p')
[ "$events" -gt 0 ] && [ "$head_position" = "$events" ] || # either one false fails
  fail "the export has $events lines but ends at position '$head_position'"

echo "store-bench: ledger rebuild ..." >&2
timed rebuild "$work/rebuild.json" "$bin" rebuild --data-dir "$work/ledger"
[ "$(json_field events "$work/rebuild.json")" = "$events" ] ||
  fail "rebuild folded $(json_field events "$work/rebuild.json") events, not $events"

echo "store-bench: PostgreSQL peer ($("$pgbin/postgres" --version)) ..." >&2
mkdir "$pg"
[ -z "$pg_user" ] || chown "$pg_user" "$pg"
as_pg "$initdb" -D "$pg/data" -U postgres --auth=trust -E UTF8 --locale=C >"$work/initdb.log" 2>&1 ||
  { tail -n 20 "$work/initdb.log" >&2; fail "initdb failed"; }
cat >>"$pg/data/postgresql.conf" <<CONF
# tools/store-bench.sh: a throwaway cluster, reached only through the socket in its dir.
listen_addresses = ''
unix_socket_directories = '$pg'
unix_socket_permissions = 0700
# PostgreSQL's default durability, written out so the run shows what it measured.
fsync = on
synchronous_commit = on
full_page_writes = on
CONF
pg_running=yes
as_pg "$pgbin/pg_ctl" -D "$pg/data" -l "$pg/server.log" -w start >/dev/null ||
  { tail -n 20 "$pg/server.log" >&2; fail "the PostgreSQL cluster did not start"; }
psql=("$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h "$pg" -U postgres -d postgres)
durability=$("${psql[@]}" -Atc "SELECT current_setting('fsync') || current_setting('synchronous_commit') || current_setting('full_page_writes')")
[ "$durability" = "ononon" ] || fail "fsync, synchronous_commit, full_page_writes are not all on: $durability"
"${psql[@]}" -c "CREATE TABLE events (position bigint PRIMARY KEY, stream text NOT NULL,
  version bigint NOT NULL, envelope jsonb NOT NULL, UNIQUE (stream, version))"

# The load script: COPY text format escapes backslashes, then one transaction per 1,000
# rows. The fields are cut by splitting the canonical envelope on '"'; a line that does
# not start {"position":N,"stream":"S","version":V, stops the run.
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
    # The peak RSS of this backend, read by psql after the last COMMIT.
    print "SELECT pg_backend_pid() AS backend_pid \\gset"
    print "\\setenv STORE_BENCH_BACKEND :backend_pid"
    print "\\! grep VmHWM /proc/$STORE_BENCH_BACKEND/status"
  }' >"$work/copy.sql"

wal_before=$("${psql[@]}" -Atc "SELECT pg_current_wal_lsn()")
timed pg_copy "$work/pg_copy.out" "${psql[@]}" -f "$work/copy.sql"
wal_bytes=$("${psql[@]}" -Atc "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '$wal_before')")
timed pg_checkpoint /dev/null "${psql[@]}" -c CHECKPOINT
read -r pg_rows pg_head table_bytes < <("${psql[@]}" -AtF ' ' -c \
  "SELECT count(*), max(position), pg_total_relation_size('events') FROM events")
[ "$pg_rows" = "$events" ] && [ "$pg_head" = "$events" ] || # either one false fails
  fail "PostgreSQL holds $pg_rows rows up to position $pg_head, not $events"
backend_kib=$(awk '/^VmHWM:/ { print $2 }' "$work/pg_copy.out")
[ -n "$backend_kib" ] || fail "no VmHWM of the PostgreSQL backend in $work/pg_copy.out"
postgres_version=$("${psql[@]}" -Atc "SHOW server_version")
stop_pg

declare -A raw_bytes
for keys in 1 2 0; do
  echo "store-bench: raw load, --raw-keys $keys ..." >&2
  timed "raw$keys" "$work/raw$keys.json" "$bench" --raw-load "$work/envelopes.jsonl" \
    --raw-keys "$keys" --dir "$work/raw$keys"
  [ "$(json_field events "$work/raw$keys.json")" = "$events" ] ||
    fail "--raw-keys $keys loaded $(json_field events "$work/raw$keys.json") events, not $events"
  raw_bytes[$keys]=$(json_field bytes_on_disk "$work/raw$keys.json")
done

# The table. Rates are events over wall seconds; ratios are against PostgreSQL's COPY.
awk_table() {
  awk -v events="$events" -F '|' '
    function grouped(n,   s, out) {
      s = sprintf("%.0f", n); out = ""
      while (length(s) > 3) { out = "," substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) }
      return s out
    }
    function mib(kib) { return kib == "" ? "n/a" : sprintf("%.0f MiB", kib / 1024) }
    function per_event(bytes) { return grouped(bytes / events) }
    NR == 1 { baseline = events / $2; next }
    {
      rate = events / $3
      bytes = $4 == "" ? "" : per_event($4)
      if ($5 != "") bytes = bytes " (table) / " per_event($5) " (+ WAL)"
      if ($4 == "") bytes = "same store"
      rss = mib($6)
      if ($7 != "") rss = "backend " rss ", psql " mib($7)
      printf "| %s | %s | %.2f× | %s | %s |\n", $2, grouped(rate), rate / baseline, bytes, rss
    }'
}
copy_and_checkpoint=$(awk -v a="${seconds[pg_copy]}" -v b="${seconds[pg_checkpoint]}" 'BEGIN { printf "%.3f", a + b }')

cat <<HEAD

store-bench: $(date -u +%Y-%m-%d), $(nproc) cores, $(uname -sr), PostgreSQL $postgres_version, sled 0.34.7
workload: $members members × $months months: $commands commands, $events events ($(du -b "$work/envelopes.jsonl" | cut -f1) bytes of envelopes)
command: tools/store-bench.sh $members $months

| measurement | events/s | ÷ PostgreSQL COPY | bytes on disk per event | peak RSS |
|---|---|---|---|---|
HEAD
awk_table <<ROWS
baseline|${seconds[pg_copy]}
|ledger import (\`flexledger submit\`)|${seconds[import]}|$ledger_bytes||${rss_kib[import]}|
|ledger rebuild (\`flexledger rebuild\`)|${seconds[rebuild]}|||${rss_kib[rebuild]}|
|PostgreSQL COPY, COMMIT per 1,000 rows|${seconds[pg_copy]}|$table_bytes|$((table_bytes + wal_bytes))|$backend_kib|${rss_kib[pg_copy]}
|PostgreSQL COPY, then CHECKPOINT (${seconds[pg_checkpoint]} s)|$copy_and_checkpoint|$table_bytes|$((table_bytes + wal_bytes))||
|raw sled, 1 key per event|${seconds[raw1]}|${raw_bytes[1]}||${rss_kib[raw1]}|
|raw sled, 2 keys per event|${seconds[raw2]}|${raw_bytes[2]}||${rss_kib[raw2]}|
|file, fdatasync per 1,000 lines|${seconds[raw0]}|${raw_bytes[0]}||${rss_kib[raw0]}|
ROWS
cat <<FOOT

Seconds: import ${seconds[import]}, rebuild ${seconds[rebuild]}, COPY ${seconds[pg_copy]}, CHECKPOINT ${seconds[pg_checkpoint]}, raw sled 1 key ${seconds[raw1]}, 2 keys ${seconds[raw2]}, file ${seconds[raw0]}.
The ledger's bytes are its whole store (events with their hashes, stream index, command
records, state rows, feed rows); PostgreSQL's WAL is recycled after checkpoints.
FOOT
