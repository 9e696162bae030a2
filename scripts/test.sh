#!/usr/bin/env bash
# `make test`: install what the tests need (Debian packages, Python and Node packages),
# start a throw-away PostgreSQL on 127.0.0.1, and run the suite on SQLite, on
# PostgreSQL and in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

need=()
command -v chromium >/dev/null || need+=(chromium)
# Debian's python3 and its venv module: the Makefile makes .venv from it (faster).
/usr/bin/python3 -c 'import ensurepip, venv' 2>/dev/null || need+=(python3 python3-venv)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql postgresql-contrib)
command -v redis-server >/dev/null || need+=(redis-server)
command -v node >/dev/null || need+=(nodejs npm)
# grep -c reads all (grep -q would stop fc-list with SIGPIPE, failing the pipe)
fc-list 2>/dev/null | grep -ci "Noto Sans Arabic" >/dev/null || need+=(fonts-noto-core)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing ${need[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

echo "== Python packages"
make -s venv-dev
echo "== Node packages"
npm ci --silent --no-audit --no-fund

PG_BIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n1)")
PG_DIR=$(mktemp -d /tmp/samverkan-pg.XXXXXX)
PG_PORT=${PG_PORT:-55432}
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" -eq 0 ] && chown postgres "$PG_DIR"
stop_pg() { as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$PG_DIR"; }
trap stop_pg EXIT
echo "== PostgreSQL on 127.0.0.1:$PG_PORT"
as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
  -o "-h 127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off -c max_connections=200" start >/dev/null

PYTEST=(.venv/bin/python -m pytest -q -n auto -p no:cacheprovider)
status=0
echo "== tests on SQLite (and in Chromium)"
"${PYTEST[@]}" tests || status=1
echo "== tests on PostgreSQL"
DATABASE_URL="postgresql://postgres@127.0.0.1:$PG_PORT/postgres" \
  "${PYTEST[@]}" tests --ignore=tests/browser || status=1
exit $status
