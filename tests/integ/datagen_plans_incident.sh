#!/usr/bin/env bash
# The incident as a test (issue 7): the shop's listing query
#   SELECT id, name, price FROM products WHERE category_id = $1 AND active
#   ORDER BY featured DESC, created_at DESC LIMIT 20
# planned on the shop shape (models/shapes/shop.json, categories + products) filled by
# `datagen fill` at --scale 0.035 (11,900 products, the toy catalog) and --scale 1 (340,000,
# production), without and with products_listing_idx, for the hot, median and cold category
# drawn from each database's own statistics.
#
# What PostgreSQL 15 really does here (docs/datagen/plans.md, "The incident"), and all we assert:
#   no composite index, 0.035: Limit(Sort(Seq Scan))                   -- hot, median, cold
#   no composite index, 1:     Limit(Gather Merge(Sort(Parallel Seq Scan))) -- all three
#   composite index, 1:        Limit(Index Scan using the composite index) -- all three, no Sort
#   composite index, 0.035:    hot uses the index scan; cold a Bitmap Heap Scan + Sort
# and `plans --against` between the two scales without the index exits 1. Finally the scale-1
# databases are profiled with --mask and refilled: the copies must plan like "production".
. "$(dirname "$0")/datagen_plans_lib.sh"
start=$(date +%s)
python3 - "$SRC/models/shapes/shop.json" "$TMPD" <<'PY' || { echo "FAIL: deriving shapes" >&2; exit 1; }
import json, sys
d = json.load(open(sys.argv[1]))
d["tables"] = [t for t in d["tables"] if t["name"] in ("categories", "products")]
json.dump(d, open(sys.argv[2] + "/idx.json", "w"))
for t in d["tables"]:
    if t["name"] == "products":
        assert any(i["name"] == "products_listing_idx" for i in t.pop("indexes"))
json.dump(d, open(sys.argv[2] + "/noidx.json", "w"))
PY
Q=$SRC/models/queries/shop.sql
for v in noidx idx; do
  for sc in 0.035 1; do
    db=$(newdb "inc_${v}_${sc/./}")
    "$DG" fill --shape "$TMPD/$v.json" --db "dbname=$db" --scale "$sc" --quiet \
      || { fail "fill $v scale $sc"; continue; }
    "$DG" plans --queries "$Q" --db "dbname=$db" --json --quiet >"$TMPD/$v-$sc.json" \
      || fail "plans $v scale $sc exited $?"
    eval "db_${v}_${sc/./}=$db"
  done
done
IDX='(category_id, active, featured DESC, created_at DESC)'
expect() { # FILE SAMPLE WANTED-SHAPE
  local got
  got=$(shape_of "$TMPD/$1.json" listing "$2" 2>/dev/null)
  if [ "$got" = "$3" ]; then ok "$1 $2: $got"; else fail "$1 $2: got '$got', want '$3'"; fi
}
for s in hot median cold; do
  expect noidx-0.035 $s "Limit(Sort(Seq Scan on products))"
  expect noidx-1 $s "Limit(Gather Merge(Sort(Parallel Seq Scan on products)))"
  expect idx-1 $s "Limit(Index Scan using $IDX on products)"
done
expect idx-0.035 hot "Limit(Index Scan using $IDX on products)"
expect idx-0.035 cold "Limit(Sort(Bitmap Heap Scan on products(Bitmap Index Scan using $IDX)))"
# The hot category really is hot: its estimated matching rows dwarf the cold one's.
rows() { python3 -c 'import json,sys
d=json.load(open(sys.argv[1])); print(next(r["db"]["params"][0] for r in d["results"] if r["sample"]==sys.argv[2]))' "$@"; }
hot=$(rows "$TMPD/noidx-1.json" hot) cold=$(rows "$TMPD/noidx-1.json" cold)
nhot=$(psql -Atd "$db_noidx_1" -c "SELECT count(*) FROM products WHERE category_id = $hot")
ncold=$(psql -Atd "$db_noidx_1" -c "SELECT count(*) FROM products WHERE category_id = $cold")
if [ "${nhot:-0}" -gt $(( ${ncold:-0} * 20 )) ]; then ok "hot category $hot has $nhot products, cold $cold has $ncold"
else fail "hot category $hot ($nhot products) is not >20x the cold one $cold ($ncold)"; fi
# Plan regression across scales is exit 1 with the first differing node named.
"$DG" plans --queries "$Q" --db "dbname=$db_noidx_0035" --against "dbname=$db_noidx_1" >"$TMPD/diff.txt" 2>&1
rc=$?
if [ $rc = 1 ] && grep -q "PLAN DIFFERS" "$TMPD/diff.txt" && grep -q "Gather Merge" "$TMPD/diff.txt"; then
  ok "plans --against across scales: exit 1, Gather Merge named"
else fail "plans --against across scales: exit $rc"; cat "$TMPD/diff.txt" >&2; fi
# The same comparison through a saved baseline (CI use).
"$DG" plans --queries "$Q" --db "dbname=$db_idx_1" --baseline "$TMPD/idx-1.json" --quiet >/dev/null
rc=$?; [ $rc = 0 ] && ok "baseline of itself: exit 0" || fail "baseline of itself: exit $rc"
"$DG" plans --queries "$Q" --db "dbname=$db_idx_0035" --baseline "$TMPD/idx-1.json" --quiet >/dev/null
rc=$?; [ $rc = 1 ] && ok "small scale against the large-scale baseline: exit 1" || fail "baseline across scales: exit $rc"
# compare also reads hand-written shapes: the fill of shop.json matches what its generators
# imply (row counts, null shares, bool frequencies, the timestamp's correlation).
for sc in 0.035 1; do
  eval "d=\$db_idx_${sc/./}"
  "$DG" compare --shape "$TMPD/idx.json" --db "dbname=$d" --scale "$sc" >"$TMPD/c.txt" 2>&1
  rc=$?; [ $rc = 0 ] && ok "compare shop shape at scale $sc: within tolerance" \
    || { fail "compare shop shape at scale $sc: exit $rc"; cat "$TMPD/c.txt" >&2; }
done

# The same across scales in one command: --shape --scales fills each scale into a schema of
# its own and compares with the first. With the index, the hot category keeps its plan and
# the median and cold ones change (Bitmap Heap Scan + Sort at 0.035, Index Scan at 1).
sdb=$(newdb inc_scales)
"$DG" plans --queries "$Q" --db "dbname=$sdb" --shape "$TMPD/idx.json" --scales 0.035,1 \
  --json --quiet >"$TMPD/scales.json"
rc=$?
got=$(python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
print(" ".join("%s=%s" % (r["sample"], "same" if r["same"] else "differs") for r in d["results"]))' \
  "$TMPD/scales.json" 2>&1)
left=$(psql -X -At -d "$sdb" -c "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'stampede_plans_%'")
if [ $rc = 1 ] && [ "$got" = "hot=same median=differs cold=differs" ] && [ "$left" = 0 ]; then
  ok "plans --scales 0.035,1: exit 1, $got, schemas dropped"
else fail "plans --scales: exit $rc, '$got', $left schemas left"; fi

# Production profiled (masked: statistics only, no values) and refilled at 1x gives
# production's plans back -- with and without the index, hot, median and cold.
for v in noidx idx; do
  eval "prod=\$db_${v}_1"
  "$DG" profile --db "dbname=$prod" --mask -o "$TMPD/$v.profile.json" --quiet \
    || { fail "profile $v"; continue; }
  copy=$(newdb "inc_${v}_copy")
  "$DG" fill --shape "$TMPD/$v.profile.json" --db "dbname=$copy" --quiet \
    || { fail "fill from the $v profile"; continue; }
  vacuum "$copy"
  "$DG" compare --shape "$TMPD/$v.profile.json" --db "dbname=$copy" >"$TMPD/cmp.txt" 2>&1
  rc=$?; [ $rc = 0 ] && ok "$v: refill from the masked profile within tolerance" \
    || { fail "$v: compare exit $rc"; cat "$TMPD/cmp.txt" >&2; }
  "$DG" plans --queries "$Q" --db "dbname=$copy" --against "dbname=$prod" >"$TMPD/pp.txt" 2>&1
  rc=$?; [ $rc = 0 ] && ok "$v: refill from the masked profile plans like production" \
    || { fail "$v: plans against production exit $rc"; cat "$TMPD/pp.txt" >&2; }
done
echo "incident: $FAILS failure(s) in $(( $(date +%s) - start ))s"
[ $FAILS = 0 ]
