#!/usr/bin/env bash
# The ledger on PostgreSQL beside a raw PostgreSQL ceiling, and on sled beside a raw
# sled ceiling, measured in ONE run of `flexledger-bench --store URL` on a throwaway
# cluster; every line is a ratio to its ceiling from that run (absolute numbers on a
# shared 2-core machine are noise).
#
#   tools/pg-bench.sh [--keep DIR] [MEMBERS] [MONTHS]      (defaults: 20000 12)
#
# What each line measures: see `flexledger-bench --help` and tools/bench/pg.rs's docs.
# In short, on both engines: (a) bulk submit of the region's commands, 1,000 per
# append, two in flight, through the group-commit writer; (b) 64 concurrent appenders,
# one pay at a time each; (c) one command per durable append, p50 / p99; (d) a full
# fold of the log; member reads from the stored state and folded from the member's
# streams; (e) bytes per event. On PostgreSQL the ceiling inserts the rows the ledger
# stored (log entries, command records) into tables of the same shape, in the same
# transactions (the ledger's batches for (a), one command per commit for (c), 64
# connections committing one command at a time for (b)), synchronous_commit = on, no
# ledger work; (e) is pg_total_relation_size of the tables, and the WAL the import
# wrote (pg_current_wal_lsn after minus before).
#
# Not measured here: HTTP commands and reads against `serve --store` (tools/load.sh
# does that for sled with wrk).
#
# Needs: cargo; Debian's PostgreSQL server, any version (`apt-get install -y
# postgresql`). Nothing is configured or started system-wide: initdb makes a cluster in
# this script's temp dir with no TCP listener (only its socket, in that dir, so no port
# is taken), stopped and removed on exit, failure or Ctrl-C. As root the cluster runs
# as the `postgres` user the package creates (initdb refuses root). Disk: the sled and
# PostgreSQL stores of the run, in $TMPDIR or /tmp (or --keep DIR: new or empty, kept
# with the sled stores and the server log; the cluster itself is removed).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  echo "usage: tools/pg-bench.sh [--keep DIR] [MEMBERS] [MONTHS]" >&2
  exit 2
}
fail() {
  echo "pg-bench: $*" >&2
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

initdb=$(printf '%s\n' /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)
[ -x "$initdb" ] || fail "PostgreSQL's server is not installed (no /usr/lib/postgresql/*/bin/initdb).
Install Debian's package, then run this again:  apt-get install -y postgresql"
pgbin=$(dirname "$initdb")
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
  work=$(mktemp -d "${TMPDIR:-/tmp}/pg-bench.XXXXXX")
fi
chmod 711 "$work" # the cluster's user must reach $work/pg, and read nothing else
pg=$work/pg
pg_running=""

# as_pg COMMAND...: runs COMMAND as the cluster's user, from inside its directory.
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
      echo "pg-bench: could not stop the PostgreSQL cluster in $pg/data" >&2
    pg_running=""
  fi
}
cleanup() {
  local status=$?
  stop_pg
  if [ -z "$keep" ]; then
    rm -rf "$work"
  else
    [ -f "$pg/server.log" ] && cp "$pg/server.log" "$work/server.log"
    rm -rf "$pg"
    echo "pg-bench: the sled stores and the server log are kept in $work" >&2
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "pg-bench: building release binaries ..." >&2
cargo build --release --bin flexledger-bench --bin flexledger
target=${CARGO_TARGET_DIR:-$PWD/target}
bin=$target/release/flexledger
bench=$target/release/flexledger-bench

# A new cluster in $pg, running, with PostgreSQL's default durability checked.
mkdir "$pg"
[ -z "$pg_user" ] || chown "$pg_user" "$pg"
as_pg "$initdb" -D "$pg/data" -U postgres --auth=trust -E UTF8 --locale=C >"$work/initdb.log" 2>&1 ||
  { tail -n 20 "$work/initdb.log" >&2; fail "initdb failed"; }
cat >>"$pg/data/postgresql.conf" <<CONF
# tools/pg-bench.sh: a throwaway cluster, reached only through the socket in its dir.
listen_addresses = ''
unix_socket_directories = '$pg'
unix_socket_permissions = 0700
# 64 appenders' connections for the ceiling, the writer's, a reader pool, the bench's.
max_connections = 200
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
"${psql[@]}" -c "CREATE DATABASE flexledger_bench"
url="postgresql:///flexledger_bench?host=$pg&user=postgres"
"$bin" --store "$url" migrate >/dev/null

cat <<HEAD
pg-bench: $(date -u +%Y-%m-%d), $(nproc) cores, $(uname -sr), sled 0.34.7
stores in: $work ($(df -T "$work" | awk 'NR == 2 { print $2 " on " $1 }'))
command: tools/pg-bench.sh $members $months
HEAD
"$bench" --store "$url" --members "$members" --months "$months" --dir "$work/bench"
