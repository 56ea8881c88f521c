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
  for d in "${DBS[@]:-}"; do [ -n "$d" ] && dropdb --if-exists "$d" >/dev/null 2>&1; done
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
