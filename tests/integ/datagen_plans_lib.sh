# Shared helpers of the datagen_plans integration scripts (sourced, not run).
# They fail loudly, never skip: a suite that silently runs without its database would hide
# every plan regression.
set -u
DG=${ST_BIN_DIR:?ST_BIN_DIR not set: run through ctest}/datagen/datagen
SRC=${ST_SRC_DIR:?ST_SRC_DIR not set: run through ctest}
if [ -z "${PGHOST:-}" ] || [ -z "${PGPORT:-}" ]; then
  echo "FAIL: PGHOST/PGPORT not set: run the suite through ./check or scripts/with-pg" >&2
  exit 1
fi
command -v psql >/dev/null || { echo "FAIL: psql not found" >&2; exit 1; }
TMPD=$(mktemp -d)
DBS=()
# A unique database name for this run; dropped on exit.
newdb() {
  local name="dgp_$1_$$"
  dropdb --if-exists "$name" >/dev/null 2>&1
  createdb "$name" || { echo "FAIL: createdb $name" >&2; exit 1; }
  DBS+=("$name")
  echo "$name"
}
cleanup() {
  # newdb runs inside $(...), where its DBS+= is lost: find this run's databases by name too.
  local d
  for d in "${DBS[@]:-}" $(psql -X -At -d postgres -c \
    "SELECT datname FROM pg_database WHERE datname LIKE 'dgp\\_%\\_$$'" 2>/dev/null); do
    [ -n "$d" ] && dropdb --if-exists "$d" >/dev/null 2>&1
  done
  rm -rf "$TMPD"
}
trap cleanup EXIT
FAILS=0
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
ok() { echo "ok: $*"; }
# shape_of JSON QUERY SAMPLE: the db plan shape of one run in a 'plans --json' report.
shape_of() {
  python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
print(next(r["db"]["shape"] for r in d["results"] if r["query"]==sys.argv[2] and r["sample"]==sys.argv[3]))' "$@"
}
# `datagen fill` ends with VACUUM (ANALYZE), but its tables come out with relallvisible = 0
# (reported to the fill's owner: the VACUUM seems to run while the load still holds a
# snapshot), which makes index-only scans look dearer than in the source. A second VACUUM
# fixes the visibility map; this test is about profile/compare/plans, so it runs one.
# VACUUM can only mark pages all-visible once no snapshot older than their rows remains, and a
# backend that has just closed may still hold one for a moment: retry until the visibility
# map covers every table (source and fills alike, so plans compare like with like).
vacuum() {
  local i left
  for i in 1 2 3 4 5 6 7 8 9 10; do
    psql -q -X -d "$1" -c "VACUUM ANALYZE" || { echo "FAIL: VACUUM ANALYZE $1" >&2; exit 1; }
    left=$(psql -X -At -d "$1" -c "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON
      n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relpages > 0
      AND c.relallvisible < c.relpages")
    [ "$left" = 0 ] && return 0
    sleep 0.5
  done
  echo "FAIL: $1: visibility map still incomplete after 10 VACUUMs" >&2
  exit 1
}
# fixture_db NAME SQLFILE: a fresh database loaded from a fixture and analysed (prints its
# name); a fixture that does not load ends the test.
fixture_db() {
  local db
  db=$(newdb "$1") || exit 1
  psql -q -X -v ON_ERROR_STOP=1 -d "$db" -f "$2" >/dev/null \
    || { echo "FAIL: loading the fixture" >&2; exit 1; }
  psql -q -X -d "$db" -c "VACUUM ANALYZE" >&2 || { echo "FAIL: VACUUM ANALYZE" >&2; exit 1; }
  echo "$db"
}
# same_bytes NAME SHAPE REFDB WHAT TABLE...: same seed, same bytes: fills SHAPE with --jobs 3
# and small chunks, and as two --part halves, and compares the md5 of each table (in id
# order) with REFDB's, a fill of SHAPE with --jobs 1. WHAT names the columns in the failure.
same_bytes() {
  local name=$1 shape=$2 ref=$3 what=$4 j3 pt a b c
  shift 4
  j3=$(newdb "${name}_j3") pt=$(newdb "${name}_part")
  "$DG" fill --shape "$shape" --db "dbname=$j3" --hot-ids none --quiet --jobs 3 --chunk-rows 7000 \
    || fail "fill --jobs 3"
  "$DG" fill --shape "$shape" --db "dbname=$pt" --hot-ids none --quiet --part 1/2 --chunk-rows 7000 \
    && "$DG" fill --shape "$shape" --db "dbname=$pt" --hot-ids none --quiet --part 2/2 \
      --chunk-rows 7000 || fail "fill --part"
  a=$(table_md5s "$ref" "$@") b=$(table_md5s "$j3" "$@") c=$(table_md5s "$pt" "$@")
  [ "$a" = "$b" ] && [ "$a" = "$c" ] && ok "--jobs 3 and --part 1/2 + 2/2 give the bytes of --jobs 1" \
    || fail "$what differ between --jobs 1 ($a), --jobs 3 ($b) and --part ($c)"
}
table_md5s() { # DB TABLE...: one md5 per table, on one line
  local db=$1 t
  shift
  for t in "$@"; do
    psql -X -At -d "$db" -c "SELECT md5(string_agg(x::text, ',' ORDER BY x.id)) FROM $t x"
  done | tr '\n' ' '
}
