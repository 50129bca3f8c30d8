#!/usr/bin/env bash
# Checks the OpenAPI document against the real server with Schemathesis (PyPI, pinned below,
# installed once into .venv-schemathesis/): every check (`--checks all`), the examples,
# coverage, fuzzing and stateful phases (capture → share → claim through the document's
# links), with the demo generator's API key, on SQLite and on the shared PostgreSQL of
# scripts/postgres.sh. Any failure fails the script. Bounded: EC_SCHEMATHESIS_EXAMPLES
# cases per operation (default 40) and EC_SCHEMATHESIS_MAX_TIME seconds per database
# (default 90). The seed is printed; EC_SCHEMATHESIS_SEED replays one.
#   usage: scripts/schemathesis.sh [sqlite] [postgres]     (default: both)
#   needs: target/debug/expressconsent-server (cargo build -p expressconsent-server)
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=4.32.5
VENV=.venv-schemathesis
EXAMPLES=${EC_SCHEMATHESIS_EXAMPLES:-40}
MAX_TIME=${EC_SCHEMATHESIS_MAX_TIME:-90}
SEED=${EC_SCHEMATHESIS_SEED:-$(python3 -c 'import secrets; print(secrets.randbelow(2**31))')}
SERVER=target/debug/expressconsent-server

if [ "$("$VENV/bin/schemathesis" --version 2>/dev/null || true)" != "schemathesis, version $VERSION" ]; then
  printf '==> installing schemathesis %s into %s\n' "$VERSION" "$VENV" >&2
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION"
fi
[ -x "$SERVER" ] || { echo "$SERVER is missing: cargo build -p expressconsent-server" >&2; exit 1; }

work=$(mktemp -d)
server_pid=
pg_db=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "$pg_db" ]; then "$PGBIN/psql" -q "$pg_admin" -c "DROP DATABASE IF EXISTS $pg_db" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Starts the server with the demo orgs on a free port; sets $base, EC_ST_CID, EC_ST_API_KEY.
start_server() {
  local data="$work/$1" url=$2
  mkdir -p "$data"
  # Rendering off: every capture Schemathesis makes would otherwise start a Chromium render
  # on the same 2 cores; /image and /report then answer their documented 412 (the API tests
  # and the end-to-end tests cover the rendered answers).
  "$SERVER" serve --demo --bind 127.0.0.1:0 --data-dir "$data" --sdk-dir pkg --www-dir www \
    --render off ${url:+--database-url "$url"} >"$data/server.out" 2>"$data/server.err" &
  server_pid=$!
  base=
  for _ in $(seq 1 300); do
    base=$(sed -n 's/^listening on \(http:[^ ]*\).*/\1/p' "$data/server.out")
    [ -n "$base" ] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$base" ] || { cat "$data/server.err" >&2; echo "the server did not start" >&2; exit 1; }
  read -r EC_ST_CID EC_ST_API_KEY < <(python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["generator"]
print(c["orgId"], c["apiKey"])' "$data/demo-credentials.json")
  export EC_ST_CID EC_ST_API_KEY
}

stop_server() {
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=
}

run_schemathesis() {
  printf '\n==> schemathesis on %s (seed %s)\n' "$1" "$SEED" >&2
  "$VENV/bin/schemathesis" --no-color --config-file scripts/schemathesis.toml run \
    "$base/v1/openapi.json" \
    --checks all \
    --phases examples,coverage,fuzzing,stateful \
    --max-examples "$EXAMPLES" \
    --max-time "$MAX_TIME" \
    --seed "$SEED" \
    --generation-database none \
    --workers 1
}

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(sqlite postgres)
for target in "${targets[@]}"; do
  case "$target" in
    sqlite)
      start_server sqlite ""
      run_schemathesis SQLite
      stop_server
      ;;
    postgres)
      PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
      pg_admin=$(bash scripts/postgres.sh start)
      pg_db="ec_schemathesis_$$"
      "$PGBIN/psql" -q "$pg_admin" -c "CREATE DATABASE $pg_db" >/dev/null
      start_server postgres "${pg_admin%/*}/$pg_db"
      run_schemathesis PostgreSQL
      stop_server
      ;;
    *) echo "unknown target $target (sqlite or postgres)" >&2; exit 2 ;;
  esac
done
