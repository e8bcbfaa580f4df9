#!/usr/bin/env bash
# A throwaway local PostgreSQL for tests, benchmarks and the local cluster.
#   scripts/postgres.sh start [DATA_DIR] [PORT]   prints the connection string on stdout
#   scripts/postgres.sh restart DATA_DIR PORT     pg_ctl restart (fast shutdown: sessions are cut)
#   scripts/postgres.sh stop  [DATA_DIR]
# Installs PostgreSQL with apt-get when no server binaries are found. initdb refuses to run as
# root, so as root the server runs as the `postgres` user.
set -euo pipefail

cmd=${1:?usage: postgres.sh start|stop [DATA_DIR] [PORT]}
data=${2:-${TMPDIR:-/tmp}/ciopulse-pg}
port=${3:-55432}

find_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/pg_ctl" ] && { echo "$dir"; return 0; }
  done
  return 1
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

bin=$(find_bin || true)
if [ -z "$bin" ]; then
  if [ "$cmd" = stop ]; then exit 0; fi
  echo "PostgreSQL server not found; installing it with apt-get" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >&2
  bin=$(find_bin)
fi

case "$cmd" in
  start)
    mkdir -p "$data"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$data"
    chmod 700 "$data"
    if [ ! -f "$data/PG_VERSION" ]; then
      as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if ! as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
      as_owner "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
        -o "-p $port -k $data -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=on" start >/dev/null
    fi
    echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
    ;;
  restart)
    as_owner "$bin/pg_ctl" -D "$data" -l "$data/server.log" -m fast -w -t 60 \
      -o "-p $port -k $data -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=on" restart >/dev/null
    ;;
  stop)
    if [ -f "$data/PG_VERSION" ]; then
      as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    ;;
  *)
    echo "usage: postgres.sh start|restart|stop [DATA_DIR] [PORT]" >&2
    exit 2
    ;;
esac
