#!/usr/bin/env bash
# A private PostgreSQL server for tests and the local profile, on 127.0.0.1 only.
#   deploy/pg-local.sh start DIR PORT   installs PostgreSQL (Debian package) if missing, creates a
#                                       cluster in DIR if there is none, starts it on PORT and prints
#                                       the connection string (database "postgres", user "postgres").
#   deploy/pg-local.sh stop DIR         stops the server started from DIR (fast shutdown).
#   deploy/pg-local.sh pause DIR / resume DIR   SIGSTOP / SIGCONT the postmaster (fault tests).
# PostgreSQL refuses to run as root, so as root the server runs as the "postgres" user.
set -euo pipefail

find_bin() { # name
  local b
  b=$(command -v "$1" 2>/dev/null || true)
  [[ -n "$b" ]] && { echo "$b"; return; }
  b=$(ls -d /usr/lib/postgresql/*/bin/"$1" 2>/dev/null | sort -V | tail -n 1 || true)
  [[ -n "$b" ]] && echo "$b"
}

ensure_installed() {
  if [[ -z "$(find_bin initdb)" ]]; then
    echo "pg-local: installing PostgreSQL (Debian package postgresql)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq postgresql >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq postgresql >/dev/null; }
    # The package starts its own cluster on 5432; we do not use it and leave it alone.
  fi
}

as_pg() { # command...
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cmd=${1:-}; dir=${2:-}
[[ -n "$cmd" && -n "$dir" ]] || { sed -n '2,8p' "$0"; exit 2; }
case "$cmd" in
  start)
    port=${3:?port required}
    ensure_installed
    initdb=$(find_bin initdb); pg_ctl=$(find_bin pg_ctl)
    mkdir -p "$dir"
    if [[ $(id -u) -eq 0 ]]; then
      chown postgres:postgres "$dir" && chmod 700 "$dir"
      runuser -u postgres -- test -w "$dir" || {
        echo "pg-local: the postgres user cannot reach $dir; every folder above it must be searchable (chmod 755)" >&2; exit 1; }
    fi
    if [[ ! -f "$dir/PG_VERSION" ]]; then
      as_pg "$initdb" -D "$dir" -A trust -U postgres --no-sync -E UTF8 >"$dir.initdb.log" 2>&1 \
        || { cat "$dir.initdb.log" >&2; exit 1; }
    fi
    # fsync off: test data is disposable; max_connections covers several silos and gateways.
    as_pg "$pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
      start >/dev/null || { tail -n 30 "$dir/server.log" >&2; exit 1; }
    echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
    ;;
  stop)
    pg_ctl=$(find_bin pg_ctl)
    [[ -f "$dir/postmaster.pid" ]] && as_pg "$pg_ctl" -D "$dir" -m fast -w -t 30 stop >/dev/null || true
    ;;
  pause|resume)
    pid=$(head -n 1 "$dir/postmaster.pid")
    # The postmaster and every backend it forked: a stopped server holds its connections open.
    for p in "$pid" $(pgrep -P "$pid" || true); do kill "-$([[ $cmd == pause ]] && echo STOP || echo CONT)" "$p"; done
    ;;
  *) sed -n '2,8p' "$0"; exit 2 ;;
esac
