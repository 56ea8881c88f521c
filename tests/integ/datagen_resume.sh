#!/usr/bin/env bash
# Interrupted fill (issue 3): kill -9 the loader in the middle of a load, then
#  - a plain rerun is refused (exit 2) and says to use --resume;
#  - the rerun with --resume (and another --jobs) completes: exact row counts, no duplicate
#    keys, every constraint built, and table contents identical (md5) to an uninterrupted fill;
#  - the same for a --from-schema fill of Northwind (the shape read before the crash is reused).
. "$(dirname "$0")/datagen_lib.sh"
SHOP=$SRC/models/shapes/shop.json
TABLES="categories products inventory users orders order_items"
SC=0.04
# kill_mid_load DB PID N: kill -9 the fill PID once N of its chunks are recorded in DB (the
# bookkeeping rows of tables, not '$fromschema' or the markers), waiting for it either way;
# sets killed=1, or 0 when it ended first or ~30 s passed.
kill_mid_load() {
  local db=$1 pid=$2 want=$3 n
  killed=0
  for _ in $(seq 1 600); do
    n=$(psql -d "$db" -XAtq -c "SELECT count(*) FROM stampede_datagen_progress WHERE chunk >= 0 AND tbl NOT LIKE '\$%'" 2>/dev/null || echo 0)
    if [ "${n:-0}" -ge "$want" ]; then kill -9 "$pid" 2>/dev/null && killed=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  wait "$pid" 2>/dev/null
}
dk=$(newdb killed); dc=$(newdb clean)
"$DG" fill --shape "$SHOP" --scale $SC --db "dbname=$dk" --chunk-rows 3000 --hot-ids none --quiet &
kill_mid_load "$dk" $! 8
[ $killed = 1 ] || { fail "could not kill the fill mid-load (it finished or never started)"; finish; }
chunks=$(q "$dk" "SELECT count(*) FROM stampede_datagen_progress WHERE chunk >= 0")
marker=$(q "$dk" "SELECT count(*) FROM stampede_datagen_progress WHERE tbl = '\$post'")
[ "$marker" = 0 ] && ok "killed mid-load after $chunks chunks" || fail "the fill had already finished"
"$DG" fill --shape "$SHOP" --scale $SC --db "dbname=$dk" --chunk-rows 3000 --hot-ids none 2>"$TMPD/err"; rc=$?
[ $rc = 2 ] && grep -q -- "--resume" "$TMPD/err" && ok "plain rerun refused, pointing at --resume" || fail "plain rerun: exit $rc: $(cat "$TMPD/err")"
"$DG" fill --shape "$SHOP" --scale $SC --db "dbname=$dk" --chunk-rows 3000 --hot-ids none --resume --jobs 2 --json >"$TMPD/r.json" || fail "--resume failed"
grep -q '"complete":true' "$TMPD/r.json" || fail "resume incomplete: $(cat "$TMPD/r.json")"
skipped=$(sed -n 's/.*"chunks_skipped":\([0-9]*\).*/\1/p' "$TMPD/r.json")
[ "${skipped:-0}" -ge 8 ] && ok "resume skipped $skipped recorded chunks" || fail "resume skipped ${skipped:-?} chunks"
"$DG" fill --shape "$SHOP" --scale $SC --db "dbname=$dc" --chunk-rows 3000 --hot-ids none --quiet || fail "clean fill"
"$DG" fill --shape "$SHOP" --scale $SC --dry-run --json >"$TMPD/dry.json"
for t in $TABLES; do
  want=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print([x['rows'] for x in d['tables'] if x['name']==sys.argv[2]][0])" "$TMPD/dry.json" "$t")
  got=$(q "$dk" "SELECT count(*) FROM $t")
  [ "$got" = "$want" ] || fail "$t: $got rows after resume, want $want"
done
[ "$(q "$dk" "SELECT count(*) - count(DISTINCT (order_id, line)) FROM order_items")" = 0 ] || fail "duplicate order_items keys"
[ "$(q "$dk" "SELECT count(*) FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid WHERE r.relname = 'order_items' AND contype IN ('p', 'f', 'c')")" = 4 ] || fail "order_items constraints missing"
[ "$(dbsum "$dk" $TABLES)" = "$(dbsum "$dc" $TABLES)" ] && ok "resumed tables identical to an uninterrupted fill" || fail "resumed tables differ from a clean fill"

# --from-schema: the interrupted load changed the catalog (statistics, foreign keys dropped
# for the load), so --resume must reuse the shape read at the start, not re-read it.
DATA=${ST_DATA_DIR:?ST_DATA_DIR not set}
dn=$(newdb nw)
psql -d "$dn" -XAq -v ON_ERROR_STOP=1 -f "$DATA/dbs/northwind/northwind.sql" >/dev/null 2>&1 || fail "loading northwind"
q "$dn" "ANALYZE"
nfk=$(q "$dn" "SELECT count(*) FROM pg_constraint WHERE contype = 'f'")
"$DG" fill --db "dbname=$dn" --from-schema --replace --scale 60 --chunk-rows 2000 --hot-ids none --quiet 2>/dev/null &
kill_mid_load "$dn" $! 6
if [ $killed = 1 ]; then
  q "$dn" "ANALYZE"  # what autovacuum would do: the statistics now describe the partial load
  "$DG" fill --db "dbname=$dn" --from-schema --resume --scale 60 --chunk-rows 2000 --hot-ids none --json >"$TMPD/nw.json" 2>"$TMPD/nw.err" \
    || fail "--from-schema --resume: $(grep error "$TMPD/nw.err" | head -2)"
  grep -q '"complete":true' "$TMPD/nw.json" && ok "--from-schema fill resumed after kill -9" || fail "from-schema resume incomplete"
  [ "$(q "$dn" "SELECT count(*) FROM pg_constraint WHERE contype = 'f'")" = "$nfk" ] && ok "all $nfk foreign keys back after resume" || fail "foreign keys lost"
  [ "$(q "$dn" "SELECT count(*) FROM products")" = 4620 ] || fail "products: $(q "$dn" "SELECT count(*) FROM products") rows, want 60 x 77"
  [ "$(q "$dn" "SELECT count(*) FROM order_details d WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.order_id = d.order_id)")" = 0 ] || fail "orphan order_details"
else
  fail "could not kill the --from-schema fill mid-load"
fi
finish
