#!/usr/bin/env bash
# The incident's mechanism, small: with --ws-pool shared, WebSockets that hold pooled
# connections starve HTTP (503 with Retry-After after --acquire-timeout, and refused
# upgrades), and HTTP recovers when they close; with --ws-pool separate the same WebSockets
# leave HTTP alone, and their own pool is bounded the same way.
# Usage (from ctest): shop_pool.sh SHOP_BINARY
SHOP=${1:-}
. "$(dirname "$0")/shop_lib.sh"

setup_db

# json_get FIELD.PATH: reads /healthz and prints one field.
health() {
  http GET /healthz
  $PY -c 'import json,sys; v=json.loads(sys.argv[1])
for k in sys.argv[2].split("."): v=v[k]
print(v)' "$BODY" "$1"
}

# --- shared: two WebSockets eat a pool of two ----------------------------------------------
LOG="$TMP/shared.log"
start_shop shared --pool 2 --ws-pool shared --acquire-timeout 500ms --access-log "$LOG"
$WS hold "$PORT" 2 30 >"$TMP/hold2.out" 2>&1 &
H2=$!
PIDS+=("$H2")
wait_for "$TMP/hold2.out" '^ready' 10 || die "hold client not ready"
check "shared: both WebSockets open" test "$(grep -c '^open' "$TMP/hold2.out")" = 2
check "shared: they hold the whole HTTP pool" test "$(health pool.in_use)" = 2

http GET /products/5
check "shared: HTTP gets 503 when the pool is held ($CODE after ${TIME}s)" test "$CODE" = 503
check "shared: the 503 carries Retry-After" grep -qi '^Retry-After: 1' "$HDRS"
check "shared: the 503 came after the acquire timeout (>= 0.45 s)" \
  $PY -c 'import sys; assert float(sys.argv[1]) >= 0.45' "$TIME"
http GET /categories/1
check "shared: the listing is 503 too" test "$CODE" = 503
http GET /
check "shared: the home page needs no connection and stays 200" test "$CODE" = 200

$WS hold "$PORT" 1 5 >"$TMP/hold3.out" 2>&1
check "shared: a third WebSocket upgrade is refused with 503" grep -q '^refused 503' "$TMP/hold3.out"
check "shared: timeouts are counted" test "$(health pool.timeouts)" -ge 3

kill "$H2"; wait "$H2" 2>/dev/null
for _ in $(seq 1 50); do [ "$(health pool.in_use)" = 0 ] && break; sleep 0.1; done
http GET /products/5
check "shared: HTTP recovers once the WebSockets close" test "$CODE" = 200
stop_shop
check "shared: refused upgrade logged as 503" grep -q '"GET /ws/inventory?product_id=1 HTTP/1.1" 503 ' "$LOG"
check "shared: 503s logged for the starved requests" test "$(grep -c '"GET /products/5 HTTP/1.1" 503 ' "$LOG")" = 1

# --- separate: the same WebSockets, their own pool --------------------------------------------
LOG="$TMP/separate.log"
start_shop separate --pool 2 --ws-pool separate --ws-pool-size 4 --acquire-timeout 500ms \
  --access-log "$LOG"
$WS hold "$PORT" 2 30 >"$TMP/hold2.out" 2>&1 &
H2=$!
PIDS+=("$H2")
wait_for "$TMP/hold2.out" '^ready' 10 || die "hold client not ready"
check "separate: both WebSockets open" test "$(grep -c '^open' "$TMP/hold2.out")" = 2
check "separate: they hold the WebSocket pool, not the HTTP pool" \
  test "$(health ws.pool_in_use),$(health pool.in_use)" = "2,0"
http GET /products/5
check "separate: HTTP is 200 while WebSockets are held" test "$CODE" = 200
check "separate: and fast (${TIME}s < 0.4 s)" $PY -c 'import sys; assert float(sys.argv[1]) < 0.4' "$TIME"
http GET /categories/1
check "separate: the listing is 200" test "$CODE" = 200
$WS hold "$PORT" 3 1 >"$TMP/hold3.out" 2>&1
check "separate: the WebSocket pool is bounded too (2 more open, 1 refused)" \
  test "$(grep -c '^open' "$TMP/hold3.out"),$(grep -c '^refused 503' "$TMP/hold3.out")" = "2,1"
stop_shop
wait "$H2"
check "separate: SIGTERM closed the held WebSockets with 1001" \
  test "$(grep -c '^closed 1001' "$TMP/hold2.out")" = 2

[ "$FAILS" = 0 ] || die "$FAILS check(s) failed"
echo "shop_pool: all checks passed"
