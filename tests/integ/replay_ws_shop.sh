#!/usr/bin/env bash
# replay's WebSocket sessions against the reference shop (fixtures/shop) and PostgreSQL:
#  1. push: 3 sessions subscribe to product 7 (subscribe message from the feeder) and hold;
#     a checkout of product 7 during the run reaches all three, with a measured push delay;
#     they close with 1000 when the run ends.
#  2. the incident in miniature: `--pool 4 --ws-pool shared`, 5 WebSocket sessions: four
#     hold the whole pool (the fifth upgrade gets 503), HTTP gets 503 after the acquire
#     timeout, the thresholds fail (exit 1), and --db-probe shows the held connections
#     (db.idle >= 4, LISTENing) in results.json's db section and the --series CSV.
# Usage (from ctest, under scripts/with-pg): replay_ws_shop.sh SHOP REPLAY
SHOP=${1:-}
REPLAY=${2:-}
. "$(dirname "$0")/shop_lib.sh"
[ -x "$REPLAY" ] || die "replay binary not found ($REPLAY)"
command -v jq >/dev/null || die "jq missing"
setup_db
printf 'rank,id\n1,7\n' >"$TMP/p7.csv"
jqt() { jq -e "$@" >/dev/null; }

# scenario NAME DURATION SCALE WEBSOCKETS_JSON THRESHOLDS_JSON -> $TMP/NAME.json
scenario() {
  cat >"$TMP/$1.json" <<JSON
{
  "format": "stampede-scenario", "version": 1, "name": "$1",
  "model": "$SRC/models/shop.model.json",
  "target": "http://127.0.0.1:$PORT", "seed": 5, "duration": "$2", "scale": $3,
  "feeders_dir": "$TMP",
  "feeders": {"products": {"file": "p7.csv"}},
  "routes": {"/products/{id}": {"path": "/products/{products}"}, "/categories/{id}": {"path": "/categories/1"}},
  "sessions": {"think_scale": 0.2},
  "http": {"timeout": "3s"},
  "limits": {"grace": "3s"},
  "websockets": $4,
  "thresholds": $5
}
JSON
}

# --- 1. pushes ----------------------------------------------------------------------------------
start_shop push --pool 4 --ws-pool separate --ws-pool-size 8 --acquire-timeout 500ms
scenario push 4s 0.5 '{"count": 3, "ramp": "300ms", "path": "/ws/inventory", "subscribe": "{\"subscribe\":\"inventory\",\"sku\":{$products}}", "duration": "run", "reconnect": {"max": 0}}' \
  '["max(ws_open) >= 3", "count(ws_errors) <= 0", "p95(ws_push_delay) < 1s", "rate(errors) < 1%"]'
at=$(( $(date +%s) + 1 ))
"$REPLAY" run "$TMP/push.json" -q --start-at "$at" -o "$TMP/push.out.json" 2>"$TMP/push-replay.err" &
RP=$!
PIDS+=("$RP")
sleep 2.5
JAR="$TMP/jar"
http POST '/cart?product_id=7&qty=1' -c "$JAR" -b "$JAR"
[ "$CODE" = 200 ] || die "cart: $CODE $BODY"
http POST /checkout -c "$JAR" -b "$JAR"
[ "$CODE" = 200 ] || die "checkout: $CODE $BODY"
wait "$RP"; rc=$?
[ "$rc" = 0 ] || { jq -c '.thresholds, .websockets' "$TMP/push.out.json" >&2; die "push run exited $rc"; }
R="$TMP/push.out.json"
check "push: 3 WebSockets opened and held to the end (closed 1000)" \
  jqt '.websockets | .opened == 3 and .ends.run_end == 3 and .closes."1000" == 3' "$R"
check "push: the checkout's NOTIFY reached all 3 ($(jq .websockets.pushes "$R") pushes)" \
  jqt '.websockets.pushes == 3 and .websockets.push_delay.total == 3' "$R"
check "push: push delay measured ($(jq .websockets.push_delay.max "$R") us max) and under 1 s" \
  jqt '.websockets.push_delay.max < 1000000' "$R"
check "push: HTTP traffic ran beside them (2xx $(jq '.counts.status["2xx"]' "$R"))" jqt '.counts.status."2xx" > 0' "$R"
stop_shop

# --- 2. the incident in miniature -----------------------------------------------------------------
start_shop shared --pool 4 --ws-pool shared --acquire-timeout 300ms
scenario shared 5s 2 '{"count": 5, "ramp": "400ms", "path": "/ws/inventory?product_id={$products}", "duration": "run", "reconnect": {"max": 0}}' \
  '["rate(errors) < 1%", "count(ws_handshake_failed) <= 0", "max(db.idle) < 4", "max(db.waiting) < 5"]'
"$REPLAY" run "$TMP/shared.json" -q -o "$TMP/shared.out.json" --series "$TMP/shared.csv" \
  --db-probe "dbname=$DB" 2>"$TMP/shared-replay.err"
rc=$?
R="$TMP/shared.out.json"
check "shared: thresholds fail -> exit 1 (got $rc)" test "$rc" = 1
check "shared: 4 WebSockets hold the pool, the 5th upgrade got 503" \
  jqt '.websockets | .opened == 4 and .handshake_failures."503" == 1' "$R"
check "shared: HTTP got 503 ($(jq '.counts.status."5xx"' "$R") of $(jq .counts.requests_done "$R"))" \
  jqt '.counts.errors."5xx" > 0 and .counts.status."5xx" > 0' "$R"
check "shared: rate(errors) and ws_handshake_failed fail, db.waiting passes" \
  jqt '[.thresholds[].ok] == [false, false, false, true]' "$R"
check "shared: the probe saw the held connections (max db.idle $(jq '.db.summary."db.idle".max' "$R"))" \
  jqt '.db.summary."db.idle".max >= 4 and .db.counters.samples >= 3' "$R"
check "shared: the series CSV carries the probe's columns on the same seconds" \
  awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "db_idle") c = i; next } c && $c >= 4 { n++ } END { exit !(n >= 2) }' "$TMP/shared.csv"
stop_shop
[ "$FAILS" = 0 ] || { jq -c '.websockets | del(.handshake, .push_delay)' "$TMP"/*.out.json >&2; die "$FAILS check(s) failed"; }
echo "replay_ws_shop: all checks passed"
