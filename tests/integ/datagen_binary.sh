#!/usr/bin/env bash
# datagen fill, binary COPY against text COPY (issue 14 item 3): floats, numerics and uuids go
# into the binary tuples as bits and digit groups, not through their text; the tables must be
# the same as those the text COPY of the same seed gives (the server's own text dump, with
# float digits enough to tell every bit apart, and its md5 per column). Covers float8/float4
# at magnitudes inside and outside the direct path, numeric with and without typmod (scale 0,
# 2, 6, 9, 11) and uuid, with NULLs. Then --freeze: the first chunk of an empty table by COPY
# FREEZE leaves every page all-visible and frozen before any VACUUM, with the same contents.
. "$(dirname "$0")/datagen_lib.sh"
SHAPE=$SHAPES/numbers.json
dt=$(newdb text); db=$(newdb bin)
"$DG" fill --shape "$SHAPE" --db "dbname=$dt" --copy-format text --jobs 2 --chunk-rows 20000 --hot-ids none --quiet \
  || fail "fill --copy-format text"
"$DG" fill --shape "$SHAPE" --db "dbname=$db" --copy-format binary --jobs 2 --chunk-rows 20000 --hot-ids none --quiet \
  || fail "fill --copy-format binary"
cols=$(q "$db" "SELECT string_agg(attname, ' ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'measures'::regclass AND attnum > 0")
[ "$(echo "$cols" | wc -w)" = 13 ] || fail "measures has columns: $cols"
for c in $cols; do
  # extra_float_digits 3: every float printed with enough digits to round-trip its bits.
  st=$(PGOPTIONS='-c extra_float_digits=3' psql -d "$dt" -XAtq -c "COPY (SELECT $c FROM measures ORDER BY id) TO STDOUT" | md5sum)
  sb=$(PGOPTIONS='-c extra_float_digits=3' psql -d "$db" -XAtq -c "COPY (SELECT $c FROM measures ORDER BY id) TO STDOUT" | md5sum)
  [ "$st" = "$sb" ] && ok "column $c: binary == text" || fail "column $c differs between binary and text COPY"
done
n=$(q "$db" "SELECT count(*) FROM measures WHERE f8 IS NOT NULL AND f8 <> 0 AND u IS NOT NULL")
[ "$n" -gt 50000 ] && ok "$n rows with values" || fail "only $n rows with values"
# The rows the first example row holds in the text dump, for the log.
q "$db" "SELECT f8, f4, m2, m9, u FROM measures WHERE id = 1"

# --freeze: the first chunk of an empty table goes in by COPY FREEZE, all-visible and frozen
# before any VACUUM (--no-vacuum here); one chunk per table, so every page. Without --freeze
# no page is. Same contents either way. pg_visibility reads the visibility map itself.
dz=$(newdb freeze)
"$DG" fill --shape "$SHAPE" --db "dbname=$dz" --freeze --no-vacuum --hot-ids none --json >"$TMPD/z.json" || fail "fill --freeze"
grep -q '"rows_frozen":60000' "$TMPD/z.json" && ok "--freeze: 60000 rows frozen" || fail "--freeze: $(grep -o '"rows_frozen":[0-9]*' "$TMPD/z.json")"
grep -q '"rows_frozen":0' <("$DG" fill --shape "$SHAPE" --db "dbname=$dz" --replace --no-vacuum --hot-ids none --json) \
  && ok "no --freeze: 0 rows frozen" || fail "without --freeze rows were frozen"
q "$dz" "CREATE EXTENSION IF NOT EXISTS pg_visibility" >/dev/null || fail "pg_visibility"
vis() { q "$dz" "SELECT count(*) FILTER (WHERE all_visible AND all_frozen) || ' ' || count(*) FROM pg_visibility_map('measures')"; }
"$DG" fill --shape "$SHAPE" --db "dbname=$dz" --freeze --replace --no-vacuum --hot-ids none --quiet || fail "refill --freeze"
set -- $(vis)
[ "$1" = "$2" ] && [ "$2" -gt 100 ] && ok "--freeze: $1 of $2 pages all-visible and frozen without VACUUM" || fail "--freeze: only $1 of $2 pages all-visible"
sz=$(q "$dz" "COPY (SELECT * FROM measures ORDER BY id) TO STDOUT" | md5sum)
"$DG" fill --shape "$SHAPE" --db "dbname=$dz" --replace --no-vacuum --hot-ids none --quiet || fail "refill plain"
set -- $(vis)
[ "$1" = 0 ] && [ "$2" -gt 100 ] && ok "plain load: 0 of $2 pages all-visible before VACUUM" || fail "plain load: $1 of $2 pages all-visible"
[ "$(q "$dz" "COPY (SELECT * FROM measures ORDER BY id) TO STDOUT" | md5sum)" = "$sz" ] && ok "--freeze: same contents" || fail "--freeze changed contents"
finish
