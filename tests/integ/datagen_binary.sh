#!/usr/bin/env bash
# datagen fill, binary COPY against text COPY (issue 14 item 3): floats, numerics and uuids go
# into the binary tuples as bits and digit groups, not through their text; the tables must be
# the same as those the text COPY of the same seed gives (the server's own text dump, with
# float digits enough to tell every bit apart, and its md5 per column). Covers float8/float4
# at magnitudes inside and outside the direct path, numeric with and without typmod (scale 0,
# 2, 6, 9, 11) and uuid, with NULLs.
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
finish
