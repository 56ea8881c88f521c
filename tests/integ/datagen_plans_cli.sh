#!/usr/bin/env bash
# datagen profile / compare / plans against a real server: the contract parts a CLI table
# cannot express -- a password never reaches the output, bad SQL in a query file is bad
# input (exit 2) naming the query, a shape that does not match the database is exit 1,
# --json is valid JSON, and the --analyze flags fire on a planner estimate PostgreSQL really
# gets wrong (two perfectly correlated columns, which single-column statistics cannot see).
. "$(dirname "$0")/datagen_plans_lib.sh"
start=$(date +%s)
db=$(newdb cli)

# 1. Passwords: wrong user with a password, and an unreachable port with one.
for ci in "host=$PGHOST port=$PGPORT dbname=$db user=no_such_role_$$ password=s3cr3t-pw" \
          "host=127.0.0.1 port=1 connect_timeout=2 password=s3cr3t-pw"; do
  for cmd in "profile -o $TMPD/p.json" "compare --shape $SRC/models/shapes/shop.json" \
             "plans --queries $SRC/models/queries/shop.sql"; do
    # shellcheck disable=SC2086
    "$DG" $cmd --db "$ci" >"$TMPD/out" 2>"$TMPD/err"
    rc=$?
    if [ $rc = 3 ] && ! grep -q "s3cr3t" "$TMPD/out" "$TMPD/err" && grep -q "cannot connect" "$TMPD/err"; then
      ok "${cmd%% *}: exit 3, password not printed"
    else fail "${cmd%% *} with a bad connection: exit $rc: $(cat "$TMPD/err")"; fi
  done
done

# 2. An empty schema is bad input for profile.
"$DG" profile --db "dbname=$db" -o "$TMPD/p.json" 2>"$TMPD/err"
rc=$?; [ $rc = 2 ] && grep -q "has no tables" "$TMPD/err" && ok "profile of an empty schema: exit 2" \
  || fail "profile of an empty schema: exit $rc"

# 3. A database that does not match the shape: compare exits 1 and names what is missing.
"$DG" compare --shape "$SRC/models/shapes/shop.json" --db "dbname=$db" >"$TMPD/out" 2>&1
rc=$?; [ $rc = 1 ] && grep -q "products .*missing in the database" "$TMPD/out" \
  && ok "compare against a database without the shape's tables: exit 1" \
  || fail "compare against an empty database: exit $rc"

# 4. A correlated pair the planner cannot see: a = b in every row.
psql -q -X -d "$db" -c "CREATE TABLE pairs AS SELECT g % 1000 AS a, g % 1000 AS b, g AS id
  FROM generate_series(1, 100000) g; ANALYZE pairs" || { echo "FAIL: setup" >&2; exit 1; }
cat >"$TMPD/q.sql" <<'SQL'
-- query: correlated
-- $1: pairs.a
SELECT id FROM pairs WHERE a = $1 AND b = $1;
-- query: broken
SELECT nosuchcolumn FROM pairs;
SQL
"$DG" plans --queries "$TMPD/q.sql" --db "dbname=$db" --only broken >"$TMPD/out" 2>"$TMPD/err"
rc=$?; [ $rc = 2 ] && grep -q "query 'broken' (line 5) failed: .*nosuchcolumn" "$TMPD/err" \
  && ok "bad SQL: exit 2 naming the query and line" || fail "bad SQL: exit $rc: $(cat "$TMPD/err")"
"$DG" plans --queries "$TMPD/q.sql" --db "dbname=$db" --only correlated --analyze --json \
  --max-rows 50000 >"$TMPD/a.json" 2>"$TMPD/err"
rc=$?
python3 - "$TMPD/a.json" <<'PY' >"$TMPD/check" 2>&1
import json, sys
d = json.load(open(sys.argv[1]))
assert d["analyze"] is True and d["summary"]["runs"] == 3, d["summary"]
kinds = [f["kind"] for r in d["results"] for f in r["db"]["flags"]]
assert kinds.count("estimate") == 3, kinds   # ~1 row estimated, 100 actual, every sample
assert kinds.count("seq-scan") == 3, kinds   # 100,000 rows read > --max-rows 50000
assert all(r["db"]["exec_ms"] >= 0 for r in d["results"])
print("flags:", sorted(set(kinds)))
PY
prc=$?
if [ $rc = 0 ] && [ $prc = 0 ]; then ok "--analyze --json: $(cat "$TMPD/check")"
else fail "--analyze --json: exit $rc: $(cat "$TMPD/check" "$TMPD/err")"; fi
# ANALYZE ran inside a rolled-back transaction: nothing is left open or changed.
n=$(psql -X -At -d "$db" -c "SELECT count(*) FROM pairs")
[ "$n" = 100000 ] && ok "EXPLAIN ANALYZE left the data alone" || fail "pairs has $n rows"

# 5. A generated column is declared and left to the server, the expression index is kept
#    (issue 13) and built as the source has it, and the profile fills.
psql -q -X -d "$db" -c "CREATE TABLE gen (id int PRIMARY KEY, a int,
  b int GENERATED ALWAYS AS (a * 2) STORED); CREATE INDEX ON gen ((a + 1));
  INSERT INTO gen SELECT g, g % 10 FROM generate_series(1, 1000) g; ANALYZE gen" \
  || { echo "FAIL: setup gen" >&2; exit 1; }
"$DG" profile --db "dbname=$db" --tables gen -o "$TMPD/gen.json" 2>"$TMPD/err"
rc=$?
g2=$(newdb cli_gen)
if [ $rc = 0 ] && ! grep -q "left out" "$TMPD/err" \
   && "$DG" fill --shape "$TMPD/gen.json" --db "dbname=$g2" --quiet --hot-ids none \
   && [ "$(psql -X -At -d "$g2" -c "SELECT count(*) FROM pg_indexes WHERE tablename = 'gen'
         AND indexdef LIKE '%((a + 1))%'")" = 1 ] \
   && [ "$(psql -X -At -d "$g2" -c "SELECT count(*) FROM gen WHERE b IS DISTINCT FROM a * 2")" = 0 ]; then
  ok "generated column declared and computed by the server, expression index kept, profile fills"
else fail "generated column profile: exit $rc: $(cat "$TMPD/err")"; fi
"$DG" profile --db "dbname=$db" --tables gen,nosuch -o "$TMPD/x.json" 2>"$TMPD/err"
rc=$?; [ $rc = 2 ] && grep -q "no table 'nosuch'" "$TMPD/err" && ok "--tables with a missing table: exit 2" \
  || fail "--tables nosuch: exit $rc"

echo "cli: $FAILS failure(s) in $(( $(date +%s) - start ))s"
[ $FAILS = 0 ]
