#!/usr/bin/env bash
# The report explains an incident: the reference shop (fixtures/shop) with one shared pool of
# 4 PostgreSQL connections for HTTP and WebSockets, 5 WebSocket sessions that each hold one,
# HTTP requests behind them getting 503, and --db-probe sampling the server. The report that
# `replay run` writes next to its results must render in headless Chromium with data in every
# chart (the DB and WebSocket charts included) and a thresholds table that matches
# results.json, and its "what happened" must say, from the numbers: which thresholds failed,
# that the errors are 5xx, the WebSockets opened, and what the database held at their peak.
# Also: results_read round trip on these results (WebSocket fields and the db section).
# Usage (from ctest, under scripts/with-pg): replay_report_incident.sh SHOP REPLAY RT_DRIVER
SHOP=${1:-}
REPLAY=${2:-}
RT=${3:-}
. "$(dirname "$0")/shop_lib.sh"
[ -x "$REPLAY" ] || die "replay binary not found ($REPLAY)"
[ -x "$RT" ] || die "round-trip driver not found ($RT)"
command -v jq >/dev/null || die "jq missing"
setup_db
printf 'rank,id\n1,7\n' >"$TMP/p7.csv"
cat >"$TMP/incident.json" <<JSON
{
  "format": "stampede-scenario", "version": 1, "name": "incident",
  "model": "$SRC/models/shop.model.json",
  "target": "http://127.0.0.1:PORT", "seed": 5, "duration": "6s", "scale": 2,
  "feeders_dir": "$TMP",
  "feeders": {"products": {"file": "p7.csv"}},
  "routes": {"/products/{id}": {"path": "/products/{products}"}, "/categories/{id}": {"path": "/categories/1"}},
  "sessions": {"think_scale": 0.2},
  "http": {"timeout": "3s"},
  "limits": {"grace": "3s"},
  "events": [{"name": "campaign", "at": "2s", "sessions": 20, "ramp": "1s", "hold": "1s", "decay": "1s",
              "hot": {"feeder": "products", "ranks": [1]}}],
  "websockets": {"count": 5, "ramp": "400ms", "path": "/ws/inventory?product_id={\$products}", "duration": "run", "reconnect": {"max": 0}},
  "thresholds": ["rate(errors) < 1%", "p95(latency) < 10s", "max(db.idle) < 4"]
}
JSON
start_shop incident --pool 4 --ws-pool shared --acquire-timeout 300ms
sed -i "s/127.0.0.1:PORT/127.0.0.1:$PORT/" "$TMP/incident.json"
"$REPLAY" run "$TMP/incident.json" -q -o "$TMP/incident.out.json" --db-probe "dbname=$DB" 2>"$TMP/replay.err"
rc=$?
R="$TMP/incident.out.json"; H="$TMP/incident.out.html"
check "the run fails its thresholds (exit $rc)" test "$rc" = 1
check "run wrote its report next to the results" test -s "$H"
check "the DB section is drawn (no 'no --db-probe')" bash -c "! grep -q 'no --db-probe' '$H' && grep -q 'data-chart=\"DB connections by state\"' '$H'"
check "the WebSocket chart is drawn" grep -q 'data-chart="Open WebSockets' "$H"
check "what happened: the failed rules" bash -c "grep -q 'FAIL rate(errors) &lt; 1%: measured' '$H' && grep -q 'FAIL max(db.idle) &lt; 4: measured' '$H'"
check "what happened: the errors are 5xx" grep -qE '[0-9]+% were 5xx' "$H"
check "what happened: WebSockets opened and peaked" grep -qE 'WebSockets: 4 opened of 5 planned, at most 4 open' "$H"
check "what happened: the database at the WebSockets' peak" grep -qE 'At the peak of open WebSockets \(4 at \+[0-9]+ s\) the database had [0-9]+ client connections' "$H"
check "flash crowd shaded" grep -q 'flash crowds shaded' "$H"
sed -n '/id="what-happened"/,/<\/ul>/p' "$H" | sed 's/<[^>]*>//g' | grep -v '^$'
jq '.thresholds |= map(. + {pass: .ok})' "$R" >"$TMP/with_pass.json"   # the harness reads "pass"
check "the report passes the browser check" bash "$SRC/tests/integ/report_browser.sh" "$H" "$TMP/with_pass.json"
check "round trip: results_build(results_read(x)) == x with websockets and db" \
  bash -c "'$RT' '$R' '$TMP/rt.json' && cmp '$R' '$TMP/rt.json'"
stop_shop
[ "$FAILS" = 0 ] || die "$FAILS check(s) failed"
echo "replay_report_incident: all checks passed"
