#!/usr/bin/env bash
# datagen fill against PostgreSQL (issue 3):
#  - determinism: md5 of every table (COPY ... ORDER BY key) is identical for --jobs 1,
#    (binary COPY), the --out CSV loaded by psql (text),
#    --jobs 4 and two --part halves, and --out CSV is byte-identical across runs;
#  - the shop shape creates exactly the tables of docs/formats/shop-schema.sql, with every
#    constraint built after the load and holding; exact row counts;
#  - Zipf skew is in the data: the 1% hottest products hold a large share of order_items, and
#    the hot-id catalog's rank 1 is the most ordered product;
#  - the closing VACUUM leaves every page all-visible (relallvisible = relpages), as in a
#    production database at rest, for --jobs 1 and --part fills (with --jobs 4: every page
#    holding rows), also retrying and warning while another transaction holds the horizon;
#  - --schema: the same shape filled into two schemas of one database gets every index of
#    shop-schema.sql in both (the "index exists" check is per schema);
#  - safety: a non-empty target is refused without --replace (exit 2, nothing written), an
#    unrelated table is untouched by --replace, and a read-only database is refused (exit 3).
. "$(dirname "$0")/datagen_lib.sh"
SHOP=$SRC/models/shapes/shop.json
TABLES="categories products inventory users orders order_items"
SC=0.01

# -- determinism across --jobs and --part ---------------------------------------------------
d1=$(newdb j1); d4=$(newdb j4); dp=$(newdb parts)
"$DG" fill --shape "$SHOP" --scale $SC --db "dbname=$d1" --jobs 1 --chunk-rows 4000 --hot-ids "$TMPD/h1" --quiet || fail "fill jobs 1"
"$DG" fill --shape "$SHOP" --scale $SC --db "dbname=$d4" --jobs 4 --chunk-rows 4000 --hot-ids none --quiet || fail "fill jobs 4"
"$DG" fill --shape "$SHOP" --scale $SC --db "dbname=$dp" --part 1/2 --chunk-rows 4000 --hot-ids none --json >"$TMPD/p1.json" || fail "part 1/2"
grep -q '"complete":false' "$TMPD/p1.json" || fail "part 1/2 alone must not be complete"
"$DG" fill --shape "$SHOP" --scale $SC --db "dbname=$dp" --part 2/2 --chunk-rows 4000 --hot-ids none --json >"$TMPD/p2.json" || fail "part 2/2"
grep -q '"complete":true' "$TMPD/p2.json" || fail "part 2/2 must complete the fill"
s1=$(dbsum "$d1" $TABLES); s4=$(dbsum "$d4" $TABLES); sp=$(dbsum "$dp" $TABLES)
[ "$s1" = "$s4" ] && ok "jobs 1 == jobs 4" || fail "jobs 1 and jobs 4 differ: $(diff <(echo "$s1") <(echo "$s4") | head -4)"
[ "$s1" = "$sp" ] && ok "jobs 1 == part 1/2 + part 2/2" || fail "parts differ: $(diff <(echo "$s1") <(echo "$sp") | head -4)"
"$DG" fill --shape "$SHOP" --scale $SC --out "$TMPD/o1" --quiet || fail "--out run 1"
"$DG" fill --shape "$SHOP" --scale $SC --out "$TMPD/o2" --quiet --hot-ids none || fail "--out run 2"
diff -r -x hot "$TMPD/o1" "$TMPD/o2" >/dev/null && ok "--out CSV identical across runs" || fail "--out differs across runs"
cmp -s "$TMPD/o1/hot/products.csv" "$TMPD/h1/hot/products.csv" && ok "hot-id catalog identical for --db and --out" || fail "hot-id catalogs differ"
# The CSV files load with psql and give the same table contents.
dc=$(newdb csv)
(cd "$TMPD/o1" && psql -d "$dc" -XAq -v ON_ERROR_STOP=1 -f load.sql >/dev/null 2>&1) || fail "psql -f load.sql"
sc=$(dbsum "$dc" $TABLES)
[ "$s1" = "$sc" ] && ok "--out loaded by psql == --db" || fail "--out CSV loads differently: $(diff <(echo "$s1") <(echo "$sc") | head -4)"

# -- the shop schema, constraints, counts ---------------------------------------------------
got=$(q "$d1" "SELECT string_agg(table_name || '.' || column_name || ':' || data_type || ':' || is_nullable, ',' ORDER BY table_name, ordinal_position) FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'stampede_datagen_progress'")
ref=$(newdb ref)
psql -d "$ref" -XAq -v ON_ERROR_STOP=1 -f "$SRC/docs/formats/shop-schema.sql" >/dev/null || fail "load shop-schema.sql"
want=$(q "$ref" "SELECT string_agg(table_name || '.' || column_name || ':' || data_type || ':' || is_nullable, ',' ORDER BY table_name, ordinal_position) FROM information_schema.columns WHERE table_schema = 'public'")
[ "$got" = "$want" ] && ok "tables and columns == docs/formats/shop-schema.sql" || fail "schema differs from shop-schema.sql: $(diff <(tr , '\n' <<<"$got") <(tr , '\n' <<<"$want") | head -6)"
cons=$(q "$d1" "SELECT string_agg(contype::text, '' ORDER BY contype) FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid WHERE r.relname IN ('categories','products','inventory','users','orders','order_items') AND contype IN ('p','u','f','c')")
wcons=$(q "$ref" "SELECT string_agg(contype::text, '' ORDER BY contype) FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid WHERE r.relname IN ('categories','products','inventory','users','orders','order_items') AND contype IN ('p','u','f','c')")
[ "$cons" = "$wcons" ] && ok "same kinds and numbers of constraints as shop-schema.sql ($cons)" || fail "constraints $cons, want $wcons"
[ "$(q "$d1" "SELECT count(*) FROM pg_constraint WHERE NOT convalidated")" = 0 ] || fail "unvalidated constraints"
# The post-load's tasks over 4 connections build the same constraints and indexes as one.
cdef="SELECT string_agg(conname || ' ' || pg_get_constraintdef(oid), '; ' ORDER BY conname) FROM pg_constraint WHERE connamespace = 'public'::regnamespace"
idef="SELECT string_agg(indexdef, '; ' ORDER BY indexname) FROM pg_indexes WHERE schemaname = 'public'"
[ "$(q "$d1" "$cdef")" = "$(q "$d4" "$cdef")" ] && [ "$(q "$d1" "$idef")" = "$(q "$d4" "$idef")" ] \
  && ok "--jobs 4 post-load: the same constraints and indexes as --jobs 1" || fail "--jobs 4 built other constraints or indexes than --jobs 1"
q "$d1" "SELECT 1 FROM pg_indexes WHERE indexname = 'products_listing_idx'" | grep -q 1 || fail "products_listing_idx missing"
n=$(q "$d1" "SELECT count(*) FROM products"); [ "$n" = 3400 ] && ok "3400 products at scale $SC" || fail "products: $n rows, want 3400"
[ "$(q "$d1" "SELECT count(*) FROM inventory")" = 3400 ] || fail "inventory rows != products"
[ "$(q "$d1" "SELECT count(*) FROM pg_class WHERE relname = 'products' AND reltuples = 3400")" = 1 ] && ok "VACUUM (ANALYZE) ran" || fail "products not analyzed"
act=$(q "$d1" "SELECT round(avg(active::int), 2) || ' ' || round(avg(featured::int), 3) FROM products")
echo "products active/featured: $act"

# -- visibility map -------------------------------------------------------------------------
# relallvisible < relpages made index-only scans dearer than in production. The fill re-vacuums
# (bounded) when a concurrent session holds the horizon back; each fill is in its own database,
# and PostgreSQL 15 ignores other databases' transactions for it, so this is exact under ctest -j.
allvis() { # DB SCHEMA -> "table:relpages/relallvisible" of every shop table not all-visible
  q "$1" "SELECT coalesce(string_agg(relname || ':' || relpages || '/' || relallvisible, ' ' ORDER BY relname), '') FROM pg_class WHERE relnamespace = '$2'::regnamespace AND relkind = 'r' AND relname IN ('categories','products','inventory','users','orders','order_items') AND relallvisible < relpages"
}
for d in "$d1" "$dp"; do
  nv=$(allvis "$d" public)
  [ -z "$nv" ] && ok "every page all-visible after the fill (${d#dg_})" || fail "pages not all-visible after the fill in $d: $nv"
done
# Known residual (reported): with several jobs COPYing into one table, PostgreSQL bulk-extends
# the table under contention and may leave never-initialized pages the load did not need;
# VACUUM never marks such pages all-visible. Assert that those are the only ones left.
q "$d4" "CREATE EXTENSION IF NOT EXISTS pageinspect; CREATE EXTENSION IF NOT EXISTS pg_visibility" >/dev/null || fail "contrib extensions pageinspect/pg_visibility missing"
nv=$(q "$d4" "SELECT coalesce(string_agg(c.relname || ':' || v.blkno, ' '), '') FROM pg_class c, pg_visibility(c.oid) v WHERE c.relname IN ('categories','products','inventory','users','orders','order_items') AND c.relnamespace = 'public'::regnamespace AND NOT v.all_visible AND (SELECT upper FROM page_header(get_raw_page(c.relname, v.blkno::int))) <> 0")
new4=$(q "$d4" "SELECT count(*) FROM pg_class c, pg_visibility(c.oid) v WHERE c.relname IN ('categories','products','inventory','users','orders','order_items') AND c.relnamespace = 'public'::regnamespace AND NOT v.all_visible")
[ -z "$nv" ] && ok "jobs 4: every page with rows all-visible ($new4 never-initialized page(s) left by concurrent extension)" || fail "jobs 4: pages with rows not all-visible: $nv"
[ "$(q "$d1" "SELECT sum(relpages) > 100 FROM pg_class WHERE relname IN ('users','orders','order_items')")" = t ] || fail "too few pages to test visibility"
# An open transaction in the same database holds the horizon back for the whole fill: the fill
# still succeeds, retries VACUUM a bounded number of times and says honestly what is left.
dh=$(newdb hold)
PGAPPNAME=dg_hold psql -d "$dh" -XAtq -c "SELECT txid_current(); SELECT pg_sleep(20)" >/dev/null 2>&1 &
hold=$!
for _ in $(seq 1 100); do
  [ "$(q "$dh" "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'dg_hold' AND backend_xid IS NOT NULL")" = 1 ] && break
  sleep 0.05
done
"$DG" fill --shape "$SHOP" --scale 0.001 --db "dbname=$dh" --hot-ids none --json >"$TMPD/hold.json" 2>"$TMPD/hold.err"; rc=$?
q "$dh" "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'dg_hold'" >/dev/null
wait $hold 2>/dev/null
npv=$(sed -n 's/.*"pages_not_all_visible":\([0-9]*\).*/\1/p' "$TMPD/hold.json")
[ $rc = 0 ] && [ "${npv:-0}" -gt 0 ] && grep -q '"vacuum_retries":[1-9]' "$TMPD/hold.json" && grep -q "page(s) not all-visible after VACUUM" "$TMPD/hold.err" \
  && ok "a horizon held back by another transaction: bounded retries, then a warning ($npv pages)" \
  || fail "held horizon: exit $rc, $(cat "$TMPD/hold.json" "$TMPD/hold.err" | head -5)"

# -- --schema: two schemas of one database ---------------------------------------------------
dsc=$(newdb schemas)
q "$dsc" "CREATE SCHEMA a; CREATE SCHEMA b"
for s in a b; do
  "$DG" fill --shape "$SHOP" --scale 0.001 --db "dbname=$dsc" --schema $s --jobs 2 --hot-ids none --quiet || fail "fill --schema $s"
done
# Want: the keys of shop-schema.sql plus the shape's own index (commented out in that file).
widx=$(q "$ref" "SELECT string_agg(i, ',' ORDER BY i) FROM (SELECT indexname FROM pg_indexes WHERE schemaname = 'public' UNION SELECT 'products_listing_idx') x(i)")
for s in a b; do
  gidx=$(q "$dsc" "SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE schemaname = '$s' AND tablename <> 'stampede_datagen_progress'")
  [ "$gidx" = "$widx" ] && ok "schema $s has every key and index of the shape ($(tr , '\n' <<<"$gidx" | wc -l) indexes)" || fail "schema $s indexes: $(diff <(tr , '\n' <<<"$gidx") <(tr , '\n' <<<"$widx") | grep '^[<>]' | tr '\n' ' ')"
  nv=$(allvis "$dsc" $s); [ -z "$nv" ] || fail "schema $s: pages not all-visible: $nv"
done
[ "$(grep -c '"indexes"' "$SHOP")" = 1 ] && grep -q '"name": "products_listing_idx"' "$SHOP" || fail "the shop shape's indexes changed: update this test"

# -- skew ------------------------------------------------------------------------------------
share=$(q "$d1" "WITH c AS (SELECT product_id, count(*) n FROM order_items GROUP BY 1), r AS (SELECT n, row_number() OVER (ORDER BY n DESC) rk FROM c) SELECT round(sum(n) FILTER (WHERE rk <= (SELECT count(*) / 100 FROM products)) / sum(n), 3) FROM r")
echo "top 1% of products hold $share of order_items"
awk -v s="$share" 'BEGIN { exit !(s > 0.35) }' && ok "Zipf skew present (top-1% share $share)" || fail "top-1% share $share too low for Zipf s=1.1"
hot1=$(sed -n 3p "$TMPD/h1/hot/products.csv" | cut -d, -f2)
most=$(q "$d1" "SELECT product_id FROM order_items GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
[ "$hot1" = "$most" ] && ok "hot-id rank 1 ($hot1) is the most ordered product" || fail "hot rank 1 $hot1, most ordered $most"
head -1 "$TMPD/h1/hot/products.csv" | grep -q '^# stampede hot-id catalog v1 table=products column=id total=3400 dist=zipf s=1.1 seed=42$' || fail "hot-id header: $(head -1 "$TMPD/h1/hot/products.csv")"

# -- safety ----------------------------------------------------------------------------------
ds=$(newdb safety)
q "$ds" "CREATE TABLE keepme (x int); INSERT INTO keepme VALUES (1), (2); CREATE TABLE authors (id int); INSERT INTO authors VALUES (42)"
"$DG" fill --shape "$SHAPES/tiny.json" --db "dbname=$ds" --hot-ids none 2>"$TMPD/err"; rc=$?
[ $rc = 2 ] && grep -q "table 'authors' is not empty (1 rows); refusing without --replace" "$TMPD/err" && ok "non-empty target refused" || fail "non-empty target: exit $rc, $(cat "$TMPD/err")"
[ "$(q "$ds" "SELECT count(*) FROM pg_class WHERE relname IN ('books', 'stampede_datagen_progress')")" = 0 ] && ok "nothing written when refused" || fail "refused fill wrote something"
"$DG" fill --shape "$SHAPES/tiny.json" --db "dbname=$ds" --hot-ids none --replace 2>"$TMPD/err2" || fail "--replace: $(cat "$TMPD/err2")"
grep -q "target host=.* port=.* dbname=$ds user=" "$TMPD/err2" && ok "target printed before writing" || fail "target line missing"
[ "$(q "$ds" "SELECT string_agg(x::text, ',' ORDER BY x) FROM keepme")" = "1,2" ] && ok "unrelated table untouched" || fail "keepme changed"
[ "$(q "$ds" "SELECT count(*) FROM authors")" = 100 ] || fail "authors not replaced"
q "$ds" "CREATE TABLE refs (a int REFERENCES authors (id))"
"$DG" fill --shape "$SHAPES/tiny.json" --db "dbname=$ds" --hot-ids none --replace 2>"$TMPD/err3"; rc=$?
[ $rc != 0 ] && [ "$(q "$ds" "SELECT count(*) FROM authors")" = 100 ] && ok "--replace never cascades into a table outside the shape (exit $rc)" || fail "--replace with an outside FK: exit $rc"
dr=$(newdb ro)
q "$dr" "ALTER DATABASE $dr SET default_transaction_read_only = on"
"$DG" fill --shape "$SHAPES/tiny.json" --db "dbname=$dr" --hot-ids none 2>"$TMPD/err4"; rc=$?
[ $rc = 3 ] && grep -q "read-only" "$TMPD/err4" && ok "read-only database refused" || fail "read-only: exit $rc, $(cat "$TMPD/err4")"
grep -qi password "$TMPD/err2" && fail "a password-ish word was printed"
finish
