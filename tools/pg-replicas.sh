#!/usr/bin/env bash
# The production shape of flexledger on PostgreSQL, on one machine (docs/deploy.md):
# a primary and a synchronous hot standby, one writer and two read-only servers.
#
#   tools/pg-replicas.sh up DIR      start everything in DIR (made if missing, must be empty)
#   tools/pg-replicas.sh status DIR  what runs, replication state, the servers' URLs
#   tools/pg-replicas.sh failover DIR crash the primary, promote the standby, restart
#                                    the writer on it (and the read-only servers, to name it)
#   tools/pg-replicas.sh down DIR    stop everything started in DIR (DIR is kept)
#
# `up`: initdb a primary (wal_level = replica, synchronous_commit = remote_apply,
# hot_standby = on), clone it with `pg_basebackup -R` into a hot standby, name the
# standby in the primary's synchronous_standby_names, migrate a database `ledger`,
# then start `flexledger serve` on the primary (the writer) and two
# `flexledger serve --read-only` on the standby. Every port is picked free at run time
# (loopback only); the servers' URLs and the tokens (an --auth file of digests written
# in DIR) are printed and kept in DIR/env. PostgreSQL runs as the `postgres` user when
# this runs as root (initdb refuses root). Binaries: FLEXLEDGER (default: a debug
# build, built if missing) and PG_BIN (default: the newest /usr/lib/postgresql/*/bin).
set -euo pipefail

usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -eq 2 ] || usage
action=$1
dir=$(realpath -m "$2")
repo=$(cd "$(dirname "$0")/.." && pwd)

pg_bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
[ -x "$pg_bin/initdb" ] || { echo "no PostgreSQL server binaries (set PG_BIN, or apt-get install -y postgresql)" >&2; exit 2; }
flexledger=${FLEXLEDGER:-}
if [ -z "$flexledger" ]; then
  flexledger=${CARGO_TARGET_DIR:-$repo/target}/debug/flexledger
  [ -x "$flexledger" ] || (cd "$repo" && cargo build -q --bin flexledger)
fi

# Runs a PostgreSQL program as the cluster's owner.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# A loopback port nothing listens on now (the kernel's pick for port 0).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Starts the cluster in $dir/$1 on a free port (retried: another process may take it
# first); prints the port.
start_cluster() {
  local node=$1 port
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    echo "port = $port" >> "$dir/$node/postgresql.conf"
    if as_pg "$pg_bin/pg_ctl" -D "$dir/$node" -l "$dir/$node.log" -w start >/dev/null; then
      echo "$port"; return 0
    fi
  done
  echo "$node did not start; see $dir/$node.log" >&2; return 1
}

# Starts `flexledger serve` with the store $1 and more arguments; waits for its address.
start_server() {
  local name=$1 url=$2; shift 2
  # A restart (failover) would otherwise find the previous process's "listening on"
  # line before the shell truncates the file, and report the old, dead address.
  rm -f "$dir/$name.out" "$dir/$name.err"
  FLEXLEDGER_STORE=$url nohup "$flexledger" --data-dir "$dir/$name-data" serve \
    --listen 127.0.0.1:0 --auth "$dir/tokens.toml" "$@" > "$dir/$name.out" 2> "$dir/$name.err" &
  echo $! > "$dir/$name.pid"
  for _ in $(seq 100); do grep -q '^listening on' "$dir/$name.out" 2>/dev/null && break; sleep 0.1; done
  grep -q '^listening on' "$dir/$name.out" || { echo "$name did not start:" >&2; cat "$dir/$name.err" >&2; return 1; }
  sed -n 's/^listening on //p' "$dir/$name.out"
}

# Tokens: random secrets, one per role, in DIR/tokens (mode 0600); the server gets
# only their SHA-256 digests (DIR/tokens.toml).
write_tokens() {
  : > "$dir/tokens.toml"
  ( umask 077; : > "$dir/tokens" )
  for role in operator auditor subscriber; do
    local secret; secret=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
    echo "$role=$secret" >> "$dir/tokens"
    printf '[[token]]\nrole = "%s"\nsha256 = "%s"\n\n' "$role" "$(printf %s "$secret" | sha256sum | cut -d' ' -f1)" >> "$dir/tokens.toml"
  done
}

up() {
  mkdir -p "$dir"
  [ -z "$(ls -A "$dir")" ] || { echo "$dir is not empty (tools/pg-replicas.sh down $dir, then remove it)" >&2; exit 2; }
  [ "$(id -u)" != 0 ] || chown postgres: "$dir"
  chmod 0755 "$dir"
  as_pg "$pg_bin/initdb" -D "$dir/primary" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
  # The settings docs/deploy.md explains. trust on loopback only: an example, not a
  # production authentication setup (use scram-sha-256 and a password file there).
  cat >> "$dir/primary/postgresql.conf" <<CONF

# tools/pg-replicas.sh: a primary with a synchronous hot standby (docs/deploy.md).
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
max_connections = 100            # 1 writer + 8 per read-only server, with room for operators
fsync = on
full_page_writes = on
wal_level = replica
max_wal_senders = 4
wal_keep_size = '1GB'
hot_standby = on
hot_standby_feedback = on
max_standby_streaming_delay = 30s
synchronous_commit = remote_apply
cluster_name = 'primary'
CONF
  primary_port=$(start_cluster primary)
  as_pg "$pg_bin/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U postgres -D "$dir/standby" -X stream -c fast -R
  echo "cluster_name = 'standby1'" >> "$dir/standby/postgresql.conf"
  standby_port=$(start_cluster standby)
  # Only on the primary (its postgresql.auto.conf, after the clone): a promoted standby
  # must not wait for a standby of its own.
  as_pg "$pg_bin/psql" -qX -h 127.0.0.1 -p "$primary_port" -U postgres -c "ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 (standby1)'"
  as_pg "$pg_bin/psql" -qAtX -h 127.0.0.1 -p "$primary_port" -U postgres -c "SELECT pg_reload_conf()" >/dev/null
  for _ in $(seq 100); do
    state=$(as_pg "$pg_bin/psql" -qAtX -h 127.0.0.1 -p "$primary_port" -U postgres \
      -c "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby1'")
    [ "$state" = sync ] && break; sleep 0.1
  done
  [ "$state" = sync ] || { echo "the standby did not become synchronous" >&2; exit 1; }
  as_pg "$pg_bin/psql" -qX -h 127.0.0.1 -p "$primary_port" -U postgres -c "CREATE DATABASE ledger"
  primary_url="postgresql://postgres@127.0.0.1:$primary_port/ledger"
  standby_url="postgresql://postgres@127.0.0.1:$standby_port/ledger"
  "$flexledger" --store "$primary_url" migrate >/dev/null
  write_tokens
  writer=$(start_server writer "$primary_url" --demo)
  reader1=$(start_server reader1 "$standby_url" --read-only --writer-url "$writer")
  reader2=$(start_server reader2 "$standby_url" --read-only --writer-url "$writer")
  cat > "$dir/env" <<ENV
PRIMARY_URL=$primary_url
STANDBY_URL=$standby_url
WRITER=$writer
READER1=$reader1
READER2=$reader2
ENV
  cat "$dir/env" "$dir/tokens"
  echo "try: curl -H \"Authorization: Bearer \$(sed -n 's/^operator=//p' $dir/tokens)\" $writer/v1/members/0b53af7d-bb50-5037-9d21-49eba4cb5782"
}

status() {
  [ -f "$dir/env" ] && cat "$dir/env"
  for node in primary standby; do
    [ -d "$dir/$node" ] || continue
    printf "%s: " "$node"; { as_pg "$pg_bin/pg_ctl" -D "$dir/$node" status || true; } | head -1
  done
  if [ -f "$dir/env" ]; then
    port=$(sed -n 's/^PRIMARY_URL=.*:\([0-9]*\)\/ledger$/\1/p' "$dir/env")
    as_pg "$pg_bin/psql" -qX -h 127.0.0.1 -p "$port" -U postgres \
      -c "SELECT application_name, state, sync_state, replay_lag FROM pg_stat_replication" 2>/dev/null || true
  fi
  for name in writer reader1 reader2; do
    [ -f "$dir/$name.pid" ] || continue
    if kill -0 "$(cat "$dir/$name.pid")" 2>/dev/null; then echo "$name: running (pid $(cat "$dir/$name.pid"))"
    else echo "$name: stopped"; fi
  done
}

down() {
  for name in reader2 reader1 writer; do stop_server "$name"; done
  for node in standby primary; do
    [ -f "$dir/$node/postmaster.pid" ] && as_pg "$pg_bin/pg_ctl" -D "$dir/$node" -m fast -w stop >/dev/null
  done
  echo "stopped; $dir is kept (remove it to start afresh)"
}

# Stops one of the servers (SIGTERM: it finishes requests in flight).
stop_server() {
  local name=$1 pid
  [ -f "$dir/$name.pid" ] || return 0
  pid=$(cat "$dir/$name.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$dir/$name.pid"
}

# docs/deploy.md's failover, step by step: the primary is lost (here: crashed), the
# standby is promoted, the writer restarts against it. The new primary has no standby
# of its own: until one is cloned from it, commits there are durable on it alone.
failover() {
  . "$dir/env"
  as_pg "$pg_bin/pg_ctl" -D "$dir/primary" -m immediate -w stop >/dev/null
  stop_server writer
  as_pg "$pg_bin/pg_ctl" -D "$dir/standby" -w promote >/dev/null
  writer=$(start_server writer "$STANDBY_URL")
  stop_server reader1; stop_server reader2
  reader1=$(start_server reader1 "$STANDBY_URL" --read-only --writer-url "$writer")
  reader2=$(start_server reader2 "$STANDBY_URL" --read-only --writer-url "$writer")
  sed -i -e "s|^WRITER=.*|WRITER=$writer|" -e "s|^READER1=.*|READER1=$reader1|" \
    -e "s|^READER2=.*|READER2=$reader2|" -e "s|^PRIMARY_URL=.*|PRIMARY_URL=$STANDBY_URL|" "$dir/env"
  cat "$dir/env"
}

case $action in
  up) up ;;
  failover) failover ;;
  status) status ;;
  down) down ;;
  *) usage ;;
esac
