#!/usr/bin/env bash
# Shared helpers of the datagen fill integration tests (sourced). Usage: script DATAGEN_BINARY.
# Needs the PostgreSQL of ./check (PG* environment): without it the test fails loudly.
# Every database is created under a unique name and dropped on exit.
set -u
DG=${1:?usage: $0 DATAGEN_BINARY}
SRC=${ST_SRC_DIR:?ST_SRC_DIR not set}
SHAPES=$SRC/tests/integ/datagen_shapes
[ -n "${PGHOST:-}" ] || { echo "FAIL: no PostgreSQL (PGHOST unset); run under ./check or scripts/with-pg" >&2; exit 1; }
psql -Atqc 'select 1' >/dev/null 2>&1 || { echo "FAIL: cannot reach PostgreSQL at $PGHOST:${PGPORT:-}" >&2; exit 1; }
TMPD=$(mktemp -d)
DBS=()
failures=0
cleanup() {
  local db
  # newdb runs inside $(...), where its DBS+= is lost: find this run's databases by name too.
  for db in "${DBS[@]}" $(psql -X -At -d postgres -c \
    "SELECT datname FROM pg_database WHERE datname LIKE 'dg\\_%\\_$$'" 2>/dev/null); do
    dropdb --if-exists "$db" >/dev/null 2>&1
  done
  rm -rf "$TMPD"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
newdb() { # NAME -> prints a fresh database name
  local db="dg_$1_$$"
  dropdb --if-exists "$db" >/dev/null 2>&1
  createdb "$db" || { echo "FAIL: createdb $db" >&2; exit 1; }
  DBS+=("$db")
  echo "$db"
}
q() { local db=$1; shift; psql -d "$db" -XAtq -v ON_ERROR_STOP=1 -c "$*"; }
# md5 of every table of a shape's table list, dumped in key order.
dbsum() { # DB TABLE...
  local db=$1 t; shift
  for t in "$@"; do
    echo "$t $(psql -d "$db" -XAtq -c "COPY (SELECT * FROM \"$t\" ORDER BY 1, 2) TO STDOUT" | md5sum)"
  done
}
finish() {
  if [ "$failures" -gt 0 ]; then echo "$failures failure(s)" >&2; exit 1; fi
  echo "all passed"
  exit 0
}
