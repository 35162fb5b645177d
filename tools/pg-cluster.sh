# shellcheck shell=bash
# What the PostgreSQL tools (store-bench, pg-bench, pg-import-ab, close-bench, read-only-ab) share about
# their throwaway PostgreSQL cluster: finding Debian's server binaries and the user the
# cluster runs as (initdb refuses root), the work directory, running a command as that
# user, and starting and stopping the cluster. Sourced, never run; the caller defines fail() first.

# pg_find_server: sets initdb and pgbin (its directory: the newest
# /usr/lib/postgresql/N/bin), or fails saying what to install.
pg_find_server() {
  initdb=$(printf '%s\n' /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)
  [ -x "$initdb" ] || fail "PostgreSQL's server is not installed (no /usr/lib/postgresql/*/bin/initdb).
Install Debian's package, then run this again:  apt-get install -y postgresql"
  pgbin=$(dirname "$initdb")
}

# pg_find_user: sets pg_user: `postgres` when running as root (initdb refuses root),
# else empty (the current user).
pg_find_user() {
  pg_user=""
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 ||
      fail "running as root, and initdb refuses root; the 'postgres' user Debian's package creates is missing. Run as another user."
    pg_user=postgres
  fi
}

# pg_work_dir NAME: sets work (--keep's $keep, new or empty, else a new temp dir named
# after NAME) and pg (the cluster's directory inside it); the cluster's user may reach
# $work/pg and read nothing else of it.
pg_work_dir() {
  if [ -n "$keep" ]; then
    if [ -e "$keep" ] && [ -n "$(ls -A "$keep")" ]; then fail "--keep $keep: not empty"; fi
    mkdir -p "$keep"
    work=$(cd "$keep" && pwd)
  else
    work=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
  fi
  chmod 711 "$work"
  pg=$work/pg
  pg_running=""
}

# pg_url DATABASE: prints the URL of DATABASE on the cluster, as its superuser, through
# the cluster's Unix socket in $pg. The socket's directory is percent-encoded: a TMPDIR
# holding a space, `&`, `#` or `%` would otherwise end the URL's host early or be read
# as an escape.
pg_url() {
  # Byte by byte: a non-ASCII character is encoded as its UTF-8 bytes, not its code point.
  local LC_ALL=C host="" char i
  for ((i = 0; i < ${#pg}; i++)); do
    char=${pg:i:1}
    case "$char" in
      [A-Za-z0-9/._~-]) host+=$char ;;
      *) host+=$(printf '%%%02X' "'$char") ;;
    esac
  done
  printf 'postgresql:///%s?host=%s&user=postgres\n' "$1" "$host"
}

# as_pg COMMAND...: runs COMMAND as the cluster's user (from inside its directory, so
# the user never needs to read the current one).
as_pg() {
  if [ -n "$pg_user" ]; then
    (cd "$pg" && runuser -u "$pg_user" -- "$@")
  else
    (cd "$pg" && "$@")
  fi
}

# stop_pg: stops the cluster if it runs (fast, else immediate), saying so if it cannot.
stop_pg() {
  if [ -n "$pg_running" ]; then
    as_pg "$pgbin/pg_ctl" -D "$pg/data" -m fast -w stop >/dev/null 2>&1 ||
      as_pg "$pgbin/pg_ctl" -D "$pg/data" -m immediate -w stop >/dev/null 2>&1 ||
      echo "$(basename "$0" .sh): could not stop the PostgreSQL cluster in $pg/data" >&2
    pg_running=""
  fi
}

# pg_start TOOL [CONF_LINE...]: a new cluster in $pg, running, reached only through
# the socket in its directory, with PostgreSQL's default durability written out (so
# the run shows what it measured) and checked; each CONF_LINE is one more line of its
# postgresql.conf. Sets pg_running and psql (database postgres, as postgres).
pg_start() {
  local tool=$1 durability
  shift
  mkdir "$pg"
  [ -z "$pg_user" ] || chown "$pg_user" "$pg"
  as_pg "$initdb" -D "$pg/data" -U postgres --auth=trust -E UTF8 --locale=C >"$work/initdb.log" 2>&1 ||
    { tail -n 20 "$work/initdb.log" >&2; fail "initdb failed"; }
  {
    cat <<CONF
# $tool: a throwaway cluster, reached only through the socket in its dir.
listen_addresses = ''
unix_socket_directories = '$pg'
unix_socket_permissions = 0700
# PostgreSQL's default durability, written out so the run shows what it measured.
fsync = on
synchronous_commit = on
full_page_writes = on
CONF
    [ $# -eq 0 ] || printf '%s\n' "$@"
  } >>"$pg/data/postgresql.conf"
  pg_running=yes
  as_pg "$pgbin/pg_ctl" -D "$pg/data" -l "$pg/server.log" -w start >/dev/null ||
    { tail -n 20 "$pg/server.log" >&2; fail "the PostgreSQL cluster did not start"; }
  psql=("$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h "$pg" -U postgres -d postgres)
  durability=$("${psql[@]}" -Atc "SELECT current_setting('fsync') || current_setting('synchronous_commit') || current_setting('full_page_writes')")
  [ "$durability" = "ononon" ] || fail "fsync, synchronous_commit, full_page_writes are not all on: $durability"
}
