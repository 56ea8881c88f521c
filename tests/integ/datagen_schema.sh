#!/usr/bin/env bash
# `datagen fill --from-schema` (issue 3) on the Chinook and Northwind schemas from
# ../shared/data/dbs: each script is loaded into a fresh database (Chinook's DROP/CREATE
# DATABASE and \c lines are stripped so it loads into ours), ANALYZEd so the catalog knows
# the original sizes, then refilled with --replace at SCALE times those sizes (default 100,
# DG_SCHEMA_SCALE overrides). Then every constraint is re-checked by query, independently of PostgreSQL's
# own validation: each foreign key has no orphan, each primary key / unique constraint has no
# duplicate and no NULL, and each table has about SCALE times its rows (or the logged cap).
# Before that, a small schema of our own exercises CHECK handling (ranges narrowed, an
# unsatisfiable CHECK refused with its name, fixed by a --shape override), generated columns,
# an enum, jsonb, uuid, --schema, and leaves a table outside the schema untouched.
. "$(dirname "$0")/datagen_lib.sh"
DATA=${ST_DATA_DIR:?ST_DATA_DIR not set}
[ -r "$DATA/dbs/chinook/Chinook_PostgreSql.sql" ] || { echo "FAIL: $DATA/dbs/chinook missing" >&2; exit 1; }
[ -r "$DATA/dbs/northwind/northwind.sql" ] || { echo "FAIL: $DATA/dbs/northwind missing" >&2; exit 1; }

check_constraints() { # DB -> number of violated constraints (prints each)
  local db=$1 bad=0 sql total=0
  while IFS= read -r sql; do
    [ -n "$sql" ] || continue
    total=$((total + 1))
    n=$(psql -d "$db" -XAtq -c "$sql") || { echo "  query failed: $sql" >&2; bad=$((bad + 1)); continue; }
    [ "$n" = 0 ] || { echo "  violated ($n): $sql" >&2; bad=$((bad + 1)); }
  done < <(psql -d "$db" -XAtq <<'SQL'
SELECT format('SELECT count(*) FROM %s c WHERE c.%I IS NOT NULL AND NOT EXISTS (SELECT 1 FROM %s p WHERE p.%I = c.%I)',
              conrelid::regclass, a.attname, confrelid::regclass, b.attname, a.attname)
FROM pg_constraint k
JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
JOIN pg_attribute b ON b.attrelid = k.confrelid AND b.attnum = k.confkey[1]
WHERE contype = 'f' AND connamespace IN ('public'::regnamespace, coalesce(to_regnamespace('s1'), 0))
UNION ALL
SELECT format('SELECT count(*) - count(DISTINCT (%s)) + count(*) FILTER (WHERE (%s) IS NULL) FROM %s',
              string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum), string_agg(quote_ident(a.attname), ', '), conrelid::regclass)
FROM pg_constraint k JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)
WHERE contype IN ('p', 'u') AND connamespace IN ('public'::regnamespace, coalesce(to_regnamespace('s1'), 0))
GROUP BY k.oid, conrelid
SQL
)
  echo "$bad $total"
}

run_db() { # NAME SQLFILE SCALE MINROWS
  local name=$1 file=$2 scale=$3 db
  db=$(newdb "$name")
  sed -e '/^DROP DATABASE/d' -e '/^CREATE DATABASE/d' -e '/^\\c /d' "$file" \
    | psql -d "$db" -XAq -v ON_ERROR_STOP=1 >/dev/null 2>"$TMPD/$name.load" || { fail "$name: loading the script: $(head -3 "$TMPD/$name.load")"; return; }
  q "$db" "ANALYZE"
  q "$db" "SELECT relname || ' ' || reltuples::bigint FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY 1" >"$TMPD/$name.before"
  local nfk
  nfk=$(q "$db" "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace")
  local t0=$(date +%s.%N)
  "$DG" fill --db "dbname=$db" --from-schema --replace --scale "$scale" --jobs 2 --hot-ids none --json \
    >"$TMPD/$name.json" 2>"$TMPD/$name.err" || { fail "$name: fill exited $?: $(grep error "$TMPD/$name.err" | head -3)"; return; }
  local secs=$(echo "$(date +%s.%N) - $t0" | bc)
  grep -q '"complete":true' "$TMPD/$name.json" || fail "$name: fill incomplete"
  local rows=$(sed -n 's/.*"total_rows":\([0-9]*\).*/\1/p' "$TMPD/$name.json")
  echo "$name: ${scale}x = $rows rows in ${secs}s"
  grep warning "$TMPD/$name.err" | sed 's/^/  /'
  [ "$(q "$db" "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace")" = "$nfk" ] \
    && ok "$name: all $nfk foreign keys rebuilt" || fail "$name: foreign keys lost"
  [ "$(q "$db" "SELECT count(*) FROM pg_constraint WHERE NOT convalidated")" = 0 ] || fail "$name: unvalidated constraints"
  local bad total
  read -r bad total < <(check_constraints "$db")
  [ "$bad" = 0 ] && [ "$total" -gt "$nfk" ] && ok "$name: all $total FK, PK and unique constraints hold (re-checked by query)" \
    || fail "$name: $bad of $total constraints violated"
  # Sizes: SCALE x the original (reltuples), unless a key type capped it (a warning says so).
  while read -r t n; do
    local got want
    got=$(q "$db" "SELECT count(*) FROM \"$t\"")
    want=$(( (n > 0 ? n : 1000) * ${scale%.*} ))
    if [ "$got" != "$want" ] && ! grep -q "table '$t'" "$TMPD/$name.err"; then
      fail "$name.$t: $got rows, want $want (${scale}x $n)"
    fi
  done <"$TMPD/$name.before"
}

# A schema of our own: CHECK constraints datagen understands (ranges) and one it does not,
# a generated column, jsonb (text COPY), uuid, a non-default schema, an unrelated table.
ds=$(newdb checks)
q "$ds" "CREATE SCHEMA s1; CREATE TYPE s1.mood AS ENUM ('sad', 'ok', 'happy'); CREATE TABLE s1.items (id bigint PRIMARY KEY, mood s1.mood NOT NULL, qty int NOT NULL CHECK (qty > 0 AND qty <= 10), price numeric(8,2) CHECK (price >= 5), code varchar(3) UNIQUE, created date NOT NULL, doc jsonb, tag uuid NOT NULL, total int GENERATED ALWAYS AS (qty * 2) STORED); CREATE TABLE s1.strict (id int PRIMARY KEY, item_id bigint REFERENCES s1.items (id), body text NOT NULL CHECK (body LIKE 'X%')); CREATE TABLE public.other (x int); INSERT INTO public.other VALUES (7)"
"$DG" fill --db "dbname=$ds" --from-schema --schema s1 --rows items=900 --rows strict=300 --hot-ids none --quiet 2>"$TMPD/c.err"; rc=$?
[ $rc = 2 ] && grep -q 'violates check constraint "strict_body_check"' "$TMPD/c.err" && grep -q "give the column a generator in --shape" "$TMPD/c.err" \
  && ok "an unsatisfiable CHECK stops the load with the constraint's name (exit 2)" || fail "unsatisfiable CHECK: exit $rc: $(cat "$TMPD/c.err")"
echo '{"format":"stampede-shape","version":1,"tables":[{"name":"strict","columns":[{"name":"body","gen":{"kind":"text","pattern":"X{row}"}}]}]}' >"$TMPD/ov.json"
"$DG" fill --db "dbname=$ds" --from-schema --schema s1 --shape "$TMPD/ov.json" --replace --rows items=900 --rows strict=300 --hot-ids none --quiet \
  || fail "fill with an override for the CHECK column"
[ "$(q "$ds" "SELECT min(qty) || ' ' || max(qty) || ' ' || (min(price) >= 5) || ' ' || count(DISTINCT code) || ' ' || count(*) || ' ' || bool_and(total = qty * 2) FROM s1.items")" = "1 10 true 900 900 true" ] \
  && ok "range CHECKs narrowed the defaults; varchar(3) key unique; generated column computed" || fail "s1.items: $(q "$ds" "SELECT min(qty), max(qty), min(price), count(DISTINCT code), count(*) FROM s1.items")"
[ "$(q "$ds" "SELECT count(*) FROM s1.strict WHERE body LIKE 'X%'")" = 300 ] && ok "--shape override satisfies the CHECK" || fail "s1.strict"
[ "$(q "$ds" "SELECT count(DISTINCT mood) FROM s1.items")" = 3 ] && ok "enum column filled from its labels" || fail "enum labels"
[ "$(q "$ds" "SELECT string_agg(x::text, ',') FROM public.other")" = 7 ] && ok "table outside the schema untouched" || fail "public.other changed"
read -r bad total < <(check_constraints "$ds")
[ "$bad" = 0 ] || fail "checks schema: $bad violated"

run_db northwind "$DATA/dbs/northwind/northwind.sql" "${DG_SCHEMA_SCALE:-100}"
run_db chinook "$DATA/dbs/chinook/Chinook_PostgreSql.sql" "${DG_SCHEMA_SCALE:-100}"
finish
