#!/usr/bin/env bash
# The incident end to end, at a small scale: the same flow as ./demo (scripts/demo-run):
# datagen fill -> modeler fit -> shop (shared pool) + replay with WebSockets and the DB probe
# -> shop (separate pool) + replay. Asserts what the demo claims:
#  - the shared-pool run breaches its thresholds (exit 1), with 5xx errors while the
#    WebSockets hold the pool;
#  - the separate-pool run passes every threshold (exit 0);
#  - both leave results.json + an HTML report, and no process of the run is left behind;
#  - the closing replay search (one 20 s step at 4.5x here) breaks the shared pool where the
#    separate pool passes, and the demo prints both knees.
set -u
SRC=${ST_SRC_DIR:?}
BIN=${ST_BIN_DIR:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "e2e_demo: FAIL: $*" >&2; exit 1; }
# Each test gets its own database on the shared server, so parallel tests never collide.
db=e2e_demo_$$
createdb "$db" || fail "createdb $db"
trap 'dropdb --if-exists "$db" >/dev/null 2>&1; rm -rf "$T"' EXIT
export PGDATABASE=$db
ST_DEMO_SCALE=0.02 ST_DEMO_DURATION=40s ST_DEMO_WS=95 ST_DEMO_SEARCH_HOLD=20s ST_DEMO_SEARCH_FROM=4.5x ST_DEMO_SEARCH_TO=4.5x \
  bash "$SRC/scripts/demo-run" "$BIN" "$T/out" >"$T/log" 2>&1
rc=$?
tail -40 "$T/log"
[ $rc -eq 0 ] || fail "demo-run exited $rc (0 = shared pool breached and separate pool passed)"
for m in shared separate; do
  [ -s "$T/out/$m/results.json" ] || fail "$m: no results.json"
  [ -s "$T/out/$m/results.html" ] || fail "$m: no HTML report"
done
# The report the demo points the user at must be the file it wrote (it once named a
# shared/report.html that never existed).
why=$(sed -n 's/.*thresholds FAILED, as in the incident (why: \(.*\))$/\1/p' "$T/log")
[ -n "$why" ] || fail "the demo does not say where the shared-pool report is"
[ -s "$why" ] || fail "the demo points at $why, which does not exist"
[ -s "$T/out/model.json" ] && [ -s "$T/out/model.html" ] || fail "no fitted model or its report"
[ -s "$T/out/hot/products.csv" ] || fail "no hot-id catalog"
# Shared: thresholds failed because of 5xx (pool acquire timeouts), WebSockets were open.
jq -e '[.thresholds[] | select(.ok == false)] | length > 0' "$T/out/shared/results.json" >/dev/null \
  || fail "shared: no failed threshold in results.json"
grep -qE '5xx [1-9]' "$T/out/shared/summary.txt" || fail "shared: no 5xx errors in the summary"
grep -qE 'peak 9[0-9] open' "$T/out/shared/summary.txt" || fail "shared: the WebSockets did not hold"
# Separate: every threshold passed.
jq -e '[.thresholds[] | select(.ok != true)] | length == 0' "$T/out/separate/results.json" >/dev/null \
  || fail "separate: a threshold failed"
# The search on both variants: two knees, the shared pool's below the separate pool's.
for m in shared separate; do
  [ -s "$T/out/search-$m/search.json" ] && [ -s "$T/out/search-$m/search.html" ] || fail "search $m: no SEARCH.json/.html"
done
grep -q 'knee, shared pool:' "$T/log" && grep -q 'knee, separate pool:' "$T/log" || fail "the demo did not print both knees"
jq -e -n --slurpfile a "$T/out/search-shared/search.json" --slurpfile b "$T/out/search-separate/search.json" \
  '$a[0].knee.lowest_fail != null and ($b[0].knee.highest_pass // 0) >= $a[0].knee.lowest_fail' >/dev/null \
  || fail "search: the shared pool did not break where the separate pool passes"
# The shop of each run is gone (demo-run stops what it started).
if pgrep -f "$BIN/fixtures/shop/shop" >/dev/null; then fail "a shop process survived"; fi
echo "e2e_demo: shared pool breached, separate pool passed"
