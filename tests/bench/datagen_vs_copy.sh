#!/usr/bin/env bash
# Benchmark (not a test): `datagen fill` against plain COPY, and the shop shape at scale 1.
#
# 1. The same rows through `datagen fill` and through psql `\copy ... FROM` a pre-generated
#    file (text and binary COPY formats; the faster one is the peer), into the same kind of
#    table: a fresh, empty, logged `products` table without indexes (datagen builds keys after
#    the load; its post-load step is switched off here). The file is the table datagen itself
#    wrote, dumped with `\copy ... TO`, so the rows are byte-identical. Runs alternate
#    A B C A B C and the best of each is kept (the machine is shared: quote ratios, not times).
#    Goal (issue 14): datagen >= 0.95x the faster plain COPY, single stream.
# 1b. With BENCH_CALLGRIND=1 (needs valgrind): the noise-free figure, instructions per row of
#    `datagen fill` of 100,000 of those rows under callgrind (whole process, libpq included).
# 2. models/shapes/shop.json at scale 1 with --jobs 1 and --jobs 2: rows/s per table, total
#    time, and the --jobs 2 / --jobs 1 ratio.
#
# Usage: tests/bench/datagen_vs_copy.sh [BUILD_DIR]   (default: build)
# Environment: BENCH_ROWS (default 1000000), BENCH_REPS (default 2), BENCH_SHOP=0 skips part 2,
# BENCH_CALLGRIND=1 adds part 1b.
# Without PGHOST it starts its own PostgreSQL through scripts/with-pg.
set -u
cd "$(dirname "$0")/../.." || exit 2
SRC=$PWD
if [ -z "${PGHOST:-}" ]; then
  exec scripts/with-pg bash "$0" "$@"
fi
BUILD=${1:-build}
DG=$SRC/$BUILD/datagen/datagen
[ -x "$DG" ] || { echo "datagen not built: $DG (cmake --build $BUILD --target datagen)" >&2; exit 2; }
ROWS=${BENCH_ROWS:-1000000}
REPS=${BENCH_REPS:-2}
TMPD=$(mktemp -d /tmp/dgbench.XXXXXX)
DB=dgbench_$$
trap 'dropdb --if-exists $DB >/dev/null 2>&1; for j in 1 2; do dropdb --if-exists ${DB}_shop$j >/dev/null 2>&1; done; rm -rf "$TMPD"' EXIT
createdb "$DB" || exit 3
now() { date +%s.%N; }
rate() { echo "$1 / ($3 - $2)" | bc -l; }
q() { psql -d "$DB" -XAtq -v ON_ERROR_STOP=1 -c "$*"; }

# A products shape without keys (the bench measures loading, not index builds).
python3 - "$SRC/models/shapes/shop.json" "$TMPD/bench.json" <<'PY' || exit 2
import json, sys
d = json.load(open(sys.argv[1]))
p = [t for t in d["tables"] if t["name"] == "products"][0]
for k in ("primary_key", "foreign_keys", "checks", "indexes", "hot_ids", "popularity"):
    p.pop(k, None)
for c in p["columns"]:
    if c["name"] == "category_id":
        c["gen"] = {"kind": "zipf", "n": 2000, "s": 1.0}
    if c["name"] == "featured":
        c["gen"] = {"kind": "bool", "p": 0.03}
    if c["name"] == "price":
        c["gen"].pop("group", None)
d["tables"] = [p]
json.dump(d, open(sys.argv[2], "w"))
PY
echo "== 1. datagen fill vs psql \\copy: $ROWS products rows (8 columns, ~$(( ROWS / 1000 ))k), one stream"
"$DG" fill --shape "$TMPD/bench.json" --rows products="$ROWS" --db "dbname=$DB" --no-vacuum --hot-ids none --quiet \
  || exit 3
psql -d "$DB" -XAq -c "\\copy products TO '$TMPD/p.txt'" || exit 3
psql -d "$DB" -XAq -c "\\copy products TO '$TMPD/p.bin' WITH (FORMAT binary)" || exit 3
echo "files: text $(du -h "$TMPD/p.txt" | cut -f1), binary $(du -h "$TMPD/p.bin" | cut -f1)"
DDL=$(psql -d "$DB" -XAtq -c "SELECT 'CREATE TABLE products (' || string_agg(quote_ident(attname) || ' ' || format_type(atttypid, atttypmod) || CASE WHEN attnotnull THEN ' NOT NULL' ELSE '' END, ', ' ORDER BY attnum) || ')' FROM pg_attribute WHERE attrelid = 'products'::regclass AND attnum > 0 AND NOT attisdropped")
best_dg=0 best_txt=0 best_bin=0 best_dgt=0
fresh() { q "DROP TABLE IF EXISTS products; DROP TABLE IF EXISTS stampede_datagen_progress; $DDL; CHECKPOINT"; }
max() { echo "if ($1 > $2) $1 else $2" | bc -l; }
for rep in $(seq 1 "$REPS"); do
  fresh; t0=$(now)
  "$DG" fill --shape "$TMPD/bench.json" --rows products="$ROWS" --db "dbname=$DB" --no-vacuum --hot-ids none --quiet --chunk-rows "$ROWS" || exit 3
  t1=$(now); r=$(rate "$ROWS" "$t0" "$t1"); best_dg=$(max "$best_dg" "$r")
  printf '  run %d: datagen (binary COPY) %8.0f rows/s\n' "$rep" "$r"
  fresh; t0=$(now)
  "$DG" fill --shape "$TMPD/bench.json" --rows products="$ROWS" --db "dbname=$DB" --no-vacuum --hot-ids none --quiet --chunk-rows "$ROWS" --copy-format text || exit 3
  t1=$(now); r=$(rate "$ROWS" "$t0" "$t1"); best_dgt=$(max "$best_dgt" "$r")
  printf '  run %d: datagen (text COPY)   %8.0f rows/s\n' "$rep" "$r"
  fresh; t0=$(now)
  psql -d "$DB" -XAq -v ON_ERROR_STOP=1 -c "\\copy products FROM '$TMPD/p.txt'" || exit 3
  t1=$(now); r=$(rate "$ROWS" "$t0" "$t1"); best_txt=$(max "$best_txt" "$r")
  printf '  run %d: psql \\copy text       %8.0f rows/s\n' "$rep" "$r"
  fresh; t0=$(now)
  psql -d "$DB" -XAq -v ON_ERROR_STOP=1 -c "\\copy products FROM '$TMPD/p.bin' WITH (FORMAT binary)" || exit 3
  t1=$(now); r=$(rate "$ROWS" "$t0" "$t1"); best_bin=$(max "$best_bin" "$r")
  printf '  run %d: psql \\copy binary     %8.0f rows/s\n' "$rep" "$r"
done
peer=$(max "$best_txt" "$best_bin")
pname=text; [ "$(echo "$best_bin > $best_txt" | bc -l)" = 1 ] && pname=binary
printf 'best: datagen %.0f rows/s (text mode %.0f); psql \\copy text %.0f, binary %.0f rows/s\n' "$best_dg" "$best_dgt" "$best_txt" "$best_bin"
printf 'RATIO datagen / faster plain COPY (%s) = %.2fx   (goal >= 0.95x)\n' "$pname" "$(echo "$best_dg / $peer" | bc -l)"
rm -f "$TMPD/p.txt" "$TMPD/p.bin"

if [ "${BENCH_CALLGRIND:-0}" = 1 ]; then
  command -v valgrind >/dev/null || { echo "BENCH_CALLGRIND=1 needs valgrind" >&2; exit 2; }
  fresh
  valgrind --tool=callgrind --callgrind-out-file="$TMPD/cg.out" "$DG" fill --shape "$TMPD/bench.json" \
    --rows products=100000 --db "dbname=$DB" --no-vacuum --hot-ids none --quiet --chunk-rows 100000 \
    2>"$TMPD/cg.log" || { cat "$TMPD/cg.log" >&2; exit 3; }
  ir=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$TMPD/cg.log")
  printf 'INSTRUCTIONS per row (callgrind, 100,000 rows, whole process) = %.0f\n' "$(echo "$ir / 100000" | bc -l)"
fi

[ "${BENCH_SHOP:-1}" = 1 ] || exit 0
echo
echo "== 2. models/shapes/shop.json at scale 1: --jobs 1 vs --jobs 2"
declare -A tot
for j in 1 2; do
  createdb "${DB}_shop$j" || exit 3
  t0=$(now)
  "$DG" fill --shape "$SRC/models/shapes/shop.json" --db "dbname=${DB}_shop$j" --jobs $j --hot-ids none --json >"$TMPD/shop$j.json" || exit 3
  t1=$(now)
  tot[$j]=$(echo "$t1 - $t0" | bc -l)
  python3 - "$TMPD/shop$j.json" "$j" "${tot[$j]}" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(f"--jobs {sys.argv[2]}: {d['total_rows']:,} rows; load {d['load_seconds']:.1f}s ({d['rows_per_s']:,.0f} rows/s), "
      f"keys+indexes+VACUUM ANALYZE {d['post_seconds']:.1f}s, total {float(sys.argv[3]):.1f}s")
for t in d["tables"]:
    print(f"    {t['name']:<12} {t['rows']:>10,} rows  {t['rows_per_s']:>10,.0f} rows/s per stream  {t['seconds']:6.2f}s")
PY
  dropdb "${DB}_shop$j"
done
printf 'RATIO shop scale 1 total time --jobs 1 / --jobs 2 = %.2fx\n' "$(echo "${tot[1]} / ${tot[2]}" | bc -l)"
