#!/usr/bin/env bash
# datagen on a schema with richer DDL than Chinook and Northwind (issue 13): an enum, two
# domains with CHECKs (one under a UNIQUE constraint), text[] under GIN, tsvector under GIN
# and GiST, jsonb (jsonb_path_ops GIN), inet, interval, int4range, bit(4), expression and
# partial indexes (one unique), and two skewed child tables of one
# parent (tests/integ/datagen_real/schema.sql). The round trip:
#   profile (plain and --mask) -> the types are kept, the enum and domains declared;
#   fill 1x and 10x -> every index and constraint builds (no failure after the load);
#   compare 1x exits 0 (plain; masked is reported), and fails naming each structural change;
#   plans 1x identical for the fixture's queries; identity/serial sequences past the maximum;
#   fill --check passes the profile and reports a broken copy of it, writing nothing.
. "$(dirname "$0")/datagen_plans_lib.sh"
D=$SRC/tests/integ/datagen_real
start=$(date +%s)
src=$(newdb real_src)
psql -q -X -v ON_ERROR_STOP=1 -d "$src" -f "$D/schema.sql" >/dev/null 2>"$TMPD/load.err" \
  || { cat "$TMPD/load.err" >&2; echo "FAIL: loading the fixture" >&2; exit 1; }
vacuum "$src"
p=$TMPD/real.json m=$TMPD/real.masked.json
"$DG" profile --db "dbname=$src" -o "$p" --quiet || { echo "FAIL: profile" >&2; exit 1; }
"$DG" profile --db "dbname=$src" -o "$m" --mask --quiet || { echo "FAIL: profile --mask" >&2; exit 1; }
# The types survive the profile: a column's type as the source has it.
types=$(python3 -c 'import json,sys
s=json.load(open(sys.argv[1]))
print(" ".join(sorted(t["name"] for t in s.get("types", []))))
print(" ".join(c["name"]+":"+c["type"] for t in s["tables"] for c in t["columns"] if c["name"] in ("mood","karma","name","tags","body_tsv","prefs","ip","took","valid","flags")))' "$p")
want_cols="name:handle mood:mood karma:score ip:inet tags:text[] prefs:jsonb flags:bit(4) body_tsv:tsvector kind:mood took:interval valid:int4range"
[ "$(echo "$types" | head -1)" = "handle mood score" ] && ok "profile declares the enum and both domains" \
  || fail "profile types: $(echo "$types" | head -1)"
for c in name:handle mood:mood karma:score tags:text[] prefs:jsonb flags:bit\(4\) body_tsv:tsvector took:interval valid:int4range; do
  echo "$types" | tail -1 | tr ' ' '\n' | grep -qxF "$c" || fail "profile lost column type $c (have: $(echo "$types" | tail -1))"
done
: "$want_cols"
# Nothing of the data's values in the masked profile (enum labels are schema: kept).
psql -X -At -d "$src" -c "SELECT DISTINCT v FROM pg_stats s, unnest(coalesce(s.most_common_vals::text::text[], '{}')
  || coalesce(s.histogram_bounds::text::text[], '{}')) v WHERE s.schemaname = 'public'
  AND s.attname NOT IN ('mood', 'kind') AND length(v) >= 4 AND v !~ '^[0-9.:+ -]+$'" >"$TMPD/lit.txt"
hidden=$(grep -c -F -f "$TMPD/lit.txt" "$m"); shown=$(grep -c -F -f "$TMPD/lit.txt" "$p")
[ "$hidden" = 0 ] && [ "$shown" -gt 0 ] && ok "masked profile holds none of $(wc -l <"$TMPD/lit.txt") literals (plain: $shown lines)" \
  || fail "masked profile: $hidden lines with literals (plain: $shown)"
# fill --check: the profile would build (exit 0); a broken copy of it (tsvector declared as
# text under its GIN/GiST indexes, an invalid inet literal, a CHECK the ids break) is
# reported statement by statement (exit 1); neither leaves anything in the database.
python3 - "$p" "$TMPD/bad.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
for t in s["tables"]:
    for c in t["columns"]:
        if c["name"] == "body_tsv": c["type"] = "text"
        if c["name"] == "ip": c["gen"] = {"kind": "categorical", "values": ["10.0.0.1", "not-an-ip"]}
    if t["name"] == "badges": t["checks"] = ["id < 100"]
json.dump(s, open(sys.argv[2], "w"))
PY
fc=$(newdb real_check)
"$DG" fill --shape "$p" --db "dbname=$fc" --check 2>"$TMPD/chk.txt" && grep -q "0 problems" "$TMPD/chk.txt" \
  && ok "fill --check: the profile builds ($(grep -o '[0-9]* post-load steps' "$TMPD/chk.txt"))" \
  || fail "fill --check on the profile: $(cat "$TMPD/chk.txt")"
"$DG" fill --shape "$TMPD/bad.json" --db "dbname=$fc" --check 2>"$TMPD/chk.txt"
rc=$?
if [ $rc = 1 ] && grep -q 'index posts_tsv_gist: ERROR:  data type text has no default operator class for access method "gist"' "$TMPD/chk.txt" \
   && grep -q 'sample of users: COPY: ERROR:  invalid input syntax for type inet: "not-an-ip"' "$TMPD/chk.txt" \
   && grep -q 'on the sample: check badges_check1' "$TMPD/chk.txt" && grep -q "4 problems" "$TMPD/chk.txt"; then
  ok "fill --check: a broken shape is reported statement by statement (exit 1)"
else fail "fill --check on a broken shape: exit $rc: $(cat "$TMPD/chk.txt")"; fi
# Without --check the same shape fails at its first bad row: SQLSTATE 22P02 (invalid input),
# classified as the shape's fault: exit 2 with the hint, not 3 with "--resume".
fb=$(newdb real_bad)
"$DG" fill --shape "$TMPD/bad.json" --db "dbname=$fb" --quiet 2>"$TMPD/bad.txt"
rc=$?
[ $rc = 2 ] && grep -q "invalid input syntax for type inet" "$TMPD/bad.txt" && grep -q "give the column a generator" "$TMPD/bad.txt" \
  && ! grep -q -- "--resume" "$TMPD/bad.txt" && ok "a row the type refuses: exit 2 by SQLSTATE, no --resume hint" \
  || fail "fill of a bad shape: exit $rc: $(cat "$TMPD/bad.txt")"
left=$(psql -X -At -d "$fc" -c "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')")
[ "$left" = 0 ] && ok "fill --check wrote nothing" || fail "fill --check left $left relations"
for prof in "$p" "$m"; do
  tag=$([ "$prof" = "$p" ] && echo plain || echo masked)
  f1=$(newdb "real_${tag}_1x")
  "$DG" fill --shape "$prof" --db "dbname=$f1" --quiet || { fail "$tag: fill 1x"; continue; }
  n=$(psql -X -At -d "$f1" -c "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public' AND tablename NOT LIKE 'stampede_datagen_%'")
  [ "$n" = "$(psql -X -At -d "$src" -c "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'")" ] \
    && ok "$tag: all $n indexes built (GIN, GiST, jsonb_path_ops, expression, partial, unique on a domain)" || fail "$tag: $n indexes"
  defs() { psql -X -At -d "$1" -c "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'
    AND tablename NOT LIKE 'stampede_datagen_%' ORDER BY indexname"; }
  [ "$(defs "$f1")" = "$(defs "$src")" ] && ok "$tag: every index definition as on the source" \
    || fail "$tag: index definitions differ: $(diff <(defs "$src") <(defs "$f1") | head -5 | tr '\n' '|')"
  vacuum "$f1"
  "$DG" compare --shape "$prof" --db "dbname=$f1" >"$TMPD/cmp.txt" 2>&1
  rc=$?
  if [ "$tag" = plain ]; then
    [ $rc = 0 ] && ok "$tag: compare 1x within tolerance" || { fail "$tag: compare 1x exit $rc"; cat "$TMPD/cmp.txt" >&2; }
  else
    # Reported, not asserted (docs/datagen.md, "Types"): masked literals are shorter than the
    # source's lexemes (posts pages ~0.82x) and a masked integer domain over 1001 distinct
    # values comes out at ~1.56x n_distinct (limit 1.5).
    [ $rc -le 1 ] || fail "$tag: compare 1x exit $rc"
    echo "info: $tag compare 1x exit $rc"; grep FAIL "$TMPD/cmp.txt" | sed 's/^/info:   /'
  fi
  "$DG" plans --queries "$D/queries.sql" --db "dbname=$f1" --against "dbname=$src" >"$TMPD/plans.txt" 2>&1
  rc=$?
  if [ "$tag" = plain ]; then
    [ $rc = 0 ] && ok "$tag: plans 1x identical: $(tail -1 "$TMPD/plans.txt")" \
      || { fail "$tag: plans 1x exit $rc"; grep -A5 "PLAN DIFFERS" "$TMPD/plans.txt" >&2; }
  else
    echo "info: $tag plans 1x exit $rc ($(grep -c "PLAN DIFFERS" "$TMPD/plans.txt") differences)"
  fi
done
# The foreign key keeps its ON DELETE action and deferrability.
fkdef() { psql -X -At -d "$1" -c "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'badges_user_id_fkey'"; }
[ "$(fkdef "$f1")" = "$(fkdef "$src")" ] && ok "foreign key as on the source: $(fkdef "$f1")" \
  || fail "foreign key: '$(fkdef "$f1")' vs '$(fkdef "$src")'"
# The view and the materialized view exist after the fill, the latter refreshed.
got=$(psql -X -At -d "$f1" -c "SELECT (SELECT count(*) FROM active_users) > 0,
  (SELECT sum(n) FROM user_post_counts) = (SELECT count(*) FROM posts)")
[ "$got" = "t|t" ] && ok "view and refreshed materialized view after the fill" || fail "views after fill: '$got'"
# Identity and serial sequences are past the loaded maximum; the generated column is
# computed by the server.
f1=$(newdb real_seq)
if "$DG" fill --shape "$p" --db "dbname=$f1" --quiet; then
  got=$(psql -X -At -d "$f1" -c "INSERT INTO posts (user_id, body_tsv, kind, took, valid)
      VALUES (1, '', 'ok', '1 minute', 'empty') RETURNING id = (SELECT max(id) FROM posts WHERE id <> currval(pg_get_serial_sequence('posts', 'id'))) + 1" \
    -c "INSERT INTO badges (user_id, label) VALUES (1, 'x') RETURNING id" \
    -c "SELECT count(*) FROM users WHERE name_len IS DISTINCT FROM length(name)" 2>&1 | grep -v '^INSERT' | tr '\n' ' ')
  [ "$got" = "t 8001 0 " ] && ok "identity and serial continue after the loaded maximum; generated column computed" \
    || fail "sequences/generated column after fill: '$got' (want 't 8001 0 ')"
else
  fail "fill for the sequence check"
fi
# The partitioned table: declared with its key and every partition's bound, rows routed by
# PostgreSQL into the partitions in the source's proportions (within 10%), and --jobs 3 gives
# the same rows as --jobs 1.
python3 - "$p" >"$TMPD/parts.txt" <<'PY'
import json, sys
t = next(t for t in json.load(open(sys.argv[1]))["tables"] if t["name"] == "events")
print(t.get("partition_by"), " ".join(p["name"] + "=" + p["bound"].split()[0] for p in t.get("partitions", [])))
PY
[ "$(cat "$TMPD/parts.txt")" = "RANGE (at) events_2025h1=FOR events_2025h2=FOR events_other=DEFAULT" ] \
  && ok "profile: events partitioned by RANGE (at) with its 3 partitions (one DEFAULT)" \
  || fail "profile partitions: $(cat "$TMPD/parts.txt")"
share() { psql -X -At -d "$1" -c "SELECT string_agg(tableoid::regclass || '=' || n, ' ' ORDER BY 1) FROM
  (SELECT tableoid, count(*) n FROM events GROUP BY 1) x"; }
python3 - "$(share "$src")" "$(share "$f1")" <<'PY' && ok "rows routed into the partitions as on the source ($(share "$f1"))" \
  || fail "partition shares: source $(share "$src"), fill $(share "$f1")"
import sys
a = dict(x.split("=") for x in sys.argv[1].split()); b = dict(x.split("=") for x in sys.argv[2].split())
sys.exit(0 if a.keys() == b.keys() and all(abs(int(b[k]) - int(a[k])) <= 0.1 * int(a[k]) for k in a) else 1)
PY
rowsum() { psql -X -At -d "$1" -c "SELECT count(*) || ' ' || md5(string_agg(e::text, ',' ORDER BY e::text)) FROM events e"; }
fj=$(newdb real_jobs)
"$DG" fill --shape "$p" --db "dbname=$fj" --quiet --jobs 3 --chunk-rows 1000 || fail "fill --jobs 3"
[ "$(rowsum "$fj")" = "$(rowsum "$f1")" ] && ok "partitioned table: --jobs 3 --chunk-rows 1000 gives the rows of --jobs 1" \
  || fail "partitioned --jobs differ: $(rowsum "$fj") vs $(rowsum "$f1")"
# compare checks structure before statistics: a dropped index, a changed type and a dropped
# foreign key each fail it, named.
psql -q -X -d "$f1" -c "DROP INDEX users_lang; ALTER TABLE users ALTER COLUMN flags TYPE bit(8)
  USING flags::bit(8); ALTER TABLE badges DROP CONSTRAINT badges_user_id_fkey;
  ALTER TABLE events DETACH PARTITION events_other" \
  || fail "altering the filled database"
"$DG" compare --shape "$p" --db "dbname=$f1" >"$TMPD/cmps.txt" 2>&1
rc=$?
if [ $rc = 1 ] && grep -q "users: index 'users_lang' is missing" "$TMPD/cmps.txt" \
   && grep -q "users: column 'flags' is bit(4) in the shape, bit(8) in the database" "$TMPD/cmps.txt" \
   && grep -q "badges: foreign key (user_id...) -> users is missing" "$TMPD/cmps.txt" \
   && grep -q "events: partition 'events_other' is missing" "$TMPD/cmps.txt"; then
  ok "compare: structural differences fail it (exit 1), each named"
else fail "compare after structural changes: exit $rc: $(cat "$TMPD/cmps.txt")"; fi
# Triggers are left as they are (they fire on every row) unless --disable-triggers, which
# turns them off for the load and back on after it.
ft=$(newdb real_trig)
python3 - "$SRC/tests/integ/datagen_shapes/tiny.json" "$TMPD/tiny_nc.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
for t in s["tables"]:
    t["create"] = False
json.dump(s, open(sys.argv[2], "w"))
PY
"$DG" fill --shape "$SRC/tests/integ/datagen_shapes/tiny.json" --db "dbname=$ft" --quiet --hot-ids none \
  && psql -q -X -d "$ft" -c "CREATE FUNCTION no_rows() RETURNS trigger LANGUAGE plpgsql AS
       \$\$BEGIN RAISE EXCEPTION 'no rows here'; END\$\$;
     CREATE TRIGGER books_guard BEFORE INSERT ON books FOR EACH ROW EXECUTE FUNCTION no_rows()" \
  || fail "trigger setup"
"$DG" fill --shape "$TMPD/tiny_nc.json" --db "dbname=$ft" --quiet --hot-ids none --replace 2>"$TMPD/trig.txt"
rc=$?
if [ $rc != 0 ] && grep -q "no rows here" "$TMPD/trig.txt"; then
  ok "triggers left as they are: the table's trigger fires during the fill (exit $rc)"
else fail "without --disable-triggers: exit $rc: $(cat "$TMPD/trig.txt")"; fi
"$DG" fill --shape "$TMPD/tiny_nc.json" --db "dbname=$ft" --quiet --hot-ids none --replace --disable-triggers 2>"$TMPD/trig.txt"
rc=$?
st=$(psql -X -At -d "$ft" -c "SELECT tgenabled FROM pg_trigger WHERE tgname = 'books_guard'")
[ $rc = 0 ] && [ "$st" = O ] && ok "--disable-triggers: the fill passes and the trigger is enabled again" \
  || fail "--disable-triggers: exit $rc, trigger state '$st': $(cat "$TMPD/trig.txt")"
# Issue 13 leftover: the exclusion constraint is kept and holds after the fill; an exclusion
# its generators cannot hold is refused before any row (exit 2, the field path named).
got=$(psql -X -At -d "$f1" -c "SELECT count(*) FROM pg_constraint WHERE contype = 'x' AND conrelid = 'bookings'::regclass")
[ "$got" = 1 ] && ok "exclusion constraint built after the fill" || fail "exclusion after fill: '$got'"
python3 - "$p" "$TMPD/excl.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
for t in s["tables"]:
    if t["name"] == "bookings":
        for c in t["columns"]:
            if c["name"] == "during": c["gen"] = {"kind": "const", "value": "[2025-01-01,2025-02-01)"}
json.dump(s, open(sys.argv[2], "w"))
PY
fr=$(newdb real_refuse)
"$DG" fill --shape "$TMPD/excl.json" --db "dbname=$fr" --quiet 2>"$TMPD/excl.txt"; rc=$?
[ $rc = 2 ] && grep -q "exclusions\\[0\\]: table 'bookings'" "$TMPD/excl.txt" \
  && ok "an exclusion the generators cannot hold: refused before the load (exit 2)" || fail "exclusion refusal: exit $rc: $(cat "$TMPD/excl.txt")"
left=$(psql -X -At -d "$fr" -c "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'")
[ "$left" = 0 ] && ok "the refused shape wrote nothing" || fail "the refused shape left $left relations"
# Keys made only of references, hand-written (issue 13 item 3): `ref` cycles asking for more
# rows than distinct combinations, and a `distinct` column whose run is longer than the
# values its generator gives, are both refused before any row (exit 2, the field named).
cat >"$TMPD/junc.json" <<'JS'
{"format": "stampede-shape", "version": 1, "name": "junc", "seed": 7, "tables": [
 {"name": "a", "rows": 10, "primary_key": ["id"], "columns": [{"name": "id", "type": "bigint", "gen": {"kind": "sequence", "start": 1}}]},
 {"name": "b", "rows": 20, "primary_key": ["id"], "columns": [{"name": "id", "type": "bigint", "gen": {"kind": "sequence", "start": 1}}]},
 {"name": "ab", "rows": 500, "primary_key": ["a_id", "b_id"], "columns": [
   {"name": "a_id", "type": "bigint", "gen": {"kind": "ref", "table": "a", "column": "id", "dist": "cycle", "div": 20}},
   {"name": "b_id", "type": "bigint", "gen": {"kind": "ref", "table": "b", "column": "id", "dist": "cycle"}}],
  "foreign_keys": [{"columns": ["a_id"], "table": "a", "ref_columns": ["id"]}, {"columns": ["b_id"], "table": "b", "ref_columns": ["id"]}]}]}
JS
sed -e 's/"dist": "cycle", "div": 20}/"dist": "cycle", "div": 50}/' \
    -e 's/{"kind": "ref", "table": "b", "column": "id", "dist": "cycle"}/{"kind": "distinct", "of": "a_id", "gen": {"kind": "ref", "table": "b", "column": "id", "dist": "zipf", "s": 1.1}}/' \
    "$TMPD/junc.json" >"$TMPD/junc_d.json"
"$DG" fill --shape "$TMPD/junc.json" --db "dbname=$fr" --quiet 2>"$TMPD/junc.txt"; rc=$?
[ $rc = 2 ] && grep -q "tables\[2\].primary_key: table 'ab' asks for 500 rows" "$TMPD/junc.txt" && grep -q "200 distinct combinations" "$TMPD/junc.txt" \
  && ok "ref cycles asking for more rows than distinct pairs: refused before the load (exit 2)" || fail "cycle-key refusal: exit $rc: $(cat "$TMPD/junc.txt")"
"$DG" fill --shape "$TMPD/junc_d.json" --db "dbname=$fr" --quiet 2>"$TMPD/juncd.txt"; rc=$?
[ $rc = 2 ] && grep -q "tables\[2\].columns\[1\].gen: table 'ab': a value of 'a_id' has 50 rows, but 'b_id' gives only" "$TMPD/juncd.txt" \
  && ok "a distinct run longer than the values it can draw: refused before the load (exit 2)" || fail "distinct refusal: exit $rc: $(cat "$TMPD/juncd.txt")"
left=$(psql -X -At -d "$fr" -c "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'")
[ "$left" = 0 ] && ok "the refused key shapes wrote nothing" || fail "the refused key shapes left $left relations"
# The same junction within its means: unique by construction and skewed like its generator.
# (4 runs of 25 over 1,000 b rows, Zipf 1.1: the top value is certain in every run.)
sed -e 's/"rows": 500/"rows": 100/' -e 's/"div": 50/"div": 25/' -e 's/"name": "b", "rows": 20/"name": "b", "rows": 1000/' \
  "$TMPD/junc_d.json" >"$TMPD/junc_ok.json"
fjk=$(newdb real_junc)
"$DG" fill --shape "$TMPD/junc_ok.json" --db "dbname=$fjk" --quiet 2>"$TMPD/junck.txt"; rc=$?
got=$(psql -X -At -d "$fjk" -c "SELECT (SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'ab'::regclass AND contype = 'p'),
  (SELECT count(DISTINCT a_id) FROM ab), (SELECT max(n) FROM (SELECT count(*) n FROM ab GROUP BY b_id) x),
  (SELECT count(DISTINCT b_id) < 90 FROM ab)" 2>&1)
[ $rc = 0 ] && [ "$got" = "PRIMARY KEY (a_id, b_id)|4|4|t" ] \
  && ok "distinct junction: primary key built, 4 runs of 25, the Zipf head in every run" || fail "distinct junction: exit $rc, '$got': $(cat "$TMPD/junck.txt")"
fjj=$(newdb real_junc_jobs)
"$DG" fill --shape "$TMPD/junc_ok.json" --db "dbname=$fjj" --quiet --jobs 3 --chunk-rows 7 || fail "distinct junction: fill --jobs 3"
abrows() { psql -X -At -d "$1" -c "SELECT md5(string_agg(a_id || ',' || b_id, ';' ORDER BY a_id, b_id)) FROM ab"; }
[ "$(abrows "$fjj")" = "$(abrows "$fjk")" ] && ok "distinct junction: --jobs 3 --chunk-rows 7 gives the rows of --jobs 1" \
  || fail "distinct junction: --jobs 3 rows differ"
f10=$(newdb real_10x)
"$DG" fill --shape "$p" --db "dbname=$f10" --scale 10 --quiet && ok "fill 10x: every index and constraint built" \
  || fail "fill 10x"
# Issue 13's proof at 10x: compare's structure (types, keys, indexes, partitions) and every
# table's row count hold; the column statistics are reported only (id quantiles describe the
# 1x range, FK values keep the 1x ids: docs/datagen/plans.md, "At 10x").
vacuum "$f10"
"$DG" compare --shape "$p" --db "dbname=$f10" --scale 10 --json >"$TMPD/cmp10.json" 2>"$TMPD/cmp10.err"; rc=$?
python3 - "$TMPD/cmp10.json" <<'PY' && ok "compare 10x: structure identical and every table's rows within tolerance (exit $rc)" || fail "compare 10x: exit $rc: $(cat "$TMPD/cmp10.err")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["structure"] == [], d["structure"]
bad = [l["table"] for l in d["lines"] if not l.get("column") and not l["metrics"].get("rows", {}).get("ok", True)]
assert not bad, bad
print("info: compare 10x: %d of %d lines outside tolerance (column statistics)" % (d["failed"], d["checked"]))
PY
# The same database profiled with --fanout (posts, badges and events referencing users with
# correlated activity): plans identical at 1x, and the rank correlation of the per-user
# counts of posts and badges within 0.15 of the source's; compare is reported (the activity
# draws which users are heavy, so the FK value histograms differ from the source's).
pf=$TMPD/real.fanout.json
"$DG" profile --db "dbname=$src" --fanout -o "$pf" --quiet || fail "profile --fanout"
ff=$(newdb real_fanout)
"$DG" fill --shape "$pf" --db "dbname=$ff" --quiet || fail "fill of the --fanout profile"
vacuum "$ff"
"$DG" plans --queries "$D/queries.sql" --db "dbname=$ff" --against "dbname=$src" >"$TMPD/plansf.txt" 2>&1; rc=$?
[ $rc = 0 ] && ok "--fanout: plans 1x identical: $(tail -1 "$TMPD/plansf.txt")" \
  || { fail "--fanout: plans 1x exit $rc"; grep -A3 "PLAN DIFFERS" "$TMPD/plansf.txt" >&2; }
"$DG" compare --shape "$pf" --db "dbname=$ff" >"$TMPD/cmpf.txt" 2>&1
echo "info: --fanout compare 1x exit $?: $(grep -c '^FAIL' "$TMPD/cmpf.txt") lines outside tolerance"
rho() { psql -X -At -d "$1" -c "SELECT round(corr(a, b)::numeric, 3) FROM (SELECT cume_dist() OVER (ORDER BY
  (SELECT count(*) FROM posts p WHERE p.user_id = u.id)) a, cume_dist() OVER (ORDER BY
  (SELECT count(*) FROM badges b WHERE b.user_id = u.id)) b FROM users u) x"; }
rs=$(rho "$src") rf=$(rho "$ff")
python3 -c "import sys; sys.exit(0 if abs($rs - $rf) <= 0.15 else 1)" \
  && ok "--fanout: posts/badges per-user count correlation $rf (source $rs)" || fail "--fanout correlation $rf vs source $rs"
echo "real: $FAILS failure(s) in $(( $(date +%s) - start ))s"
[ "$FAILS" = 0 ]
