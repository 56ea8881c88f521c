#!/usr/bin/env bash
# datagen_plans_flip.sh BUILD_DIR -- where does the shop listing query's plan really flip?
# Fills the shop shape (categories + products, models/shapes/shop.json) at a ladder of
# scales, without and with products_listing_idx, and prints the plan shape for the hot,
# median and cold category at each, with the table's rows and pages. Run under
# scripts/with-pg. Not a test: it takes a few minutes and asserts nothing
# (tests/integ/datagen_plans_incident.sh asserts the two ends).
set -u
build=${1:?usage: datagen_plans_flip.sh BUILD_DIR [SCALE...]}
shift
scales=("$@")
[ ${#scales[@]} -gt 0 ] || scales=(0.035 0.1 0.2 0.25 0.3 0.31 0.32 0.33 0.34 0.35 0.36 0.38 0.4 0.42 0.44 0.46 0.5 1 2)
src=$(cd "$(dirname "$0")/../.." && pwd)
dg=$build/datagen/datagen
tmp=$(mktemp -d)
db=dgp_flip_$$
trap 'dropdb --if-exists $db >/dev/null 2>&1; rm -rf "$tmp"' EXIT
python3 - "$src/models/shapes/shop.json" "$tmp" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["tables"] = [t for t in d["tables"] if t["name"] in ("categories", "products")]
json.dump(d, open(sys.argv[2] + "/idx.json", "w"))
for t in d["tables"]:
    t.pop("indexes", None) if t["name"] == "products" else None
json.dump(d, open(sys.argv[2] + "/noidx.json", "w"))
PY
printf '%-6s %-6s %8s %6s  %-6s %s\n' scale index rows pages sample plan
for sc in "${scales[@]}"; do
  for v in noidx idx; do
    dropdb --if-exists $db >/dev/null 2>&1; createdb $db
    "$dg" fill --shape "$tmp/$v.json" --db "dbname=$db" --scale "$sc" --quiet || exit 3
    rp=$(psql -XAt -d $db -c "SELECT reltuples::bigint || ' ' || relpages FROM pg_class WHERE relname = 'products'")
    "$dg" plans --queries "$src/models/queries/shop.sql" --db "dbname=$db" --json --quiet |
      python3 -c 'import json, sys
d = json.load(sys.stdin)
for r in d["results"]:
    print(sys.argv[1], r["sample"], "$1=" + r["db"]["params"][0], "cost", round(r["db"]["cost"], 1), r["db"]["shape"])' "$sc $v $rp" |
      while read -r s i r p sample par c cost shape; do
        printf '%-6s %-6s %8s %6s  %-6s %-8s %9s  %s\n' "$s" "$i" "$r" "$p" "$sample" "$par" "$cost" "$shape"
      done
  done
done
