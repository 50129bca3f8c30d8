#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server from Debian's packages for the test suite (idempotent:
# a running one is reused) and prints its admin URL. Tests create one database each in it.
#   usage: scripts/postgres.sh start|stop
set -euo pipefail
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$PGBIN" ] || { echo "PostgreSQL is not installed (scripts/setup.sh installs it)" >&2; exit 1; }
PGDATA=${EC_PG_DIR:-/tmp/expressconsent-pg}
PORT=${EC_PG_PORT:-55432}

# initdb and postgres refuse to run as root; use Debian's postgres account then.
run() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-start}" in
  start)
    if [ ! -f "$PGDATA/PG_VERSION" ]; then
      mkdir -p "$PGDATA"
      [ "$(id -u)" = 0 ] && chown postgres:postgres "$PGDATA"
      run "$PGBIN/initdb" -D "$PGDATA" -U ec --auth=trust -E UTF8 >/dev/null
    fi
    if ! run "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
      # fsync off: a test database is disposable, and the suite runs much faster without it.
      run "$PGBIN/pg_ctl" -D "$PGDATA" -w -l "$PGDATA/server.log" \
        -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null
    fi
    echo "postgres://ec@127.0.0.1:$PORT/postgres"
    ;;
  stop)
    run "$PGBIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null 2>&1 || true
    ;;
esac
