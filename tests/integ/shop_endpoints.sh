#!/usr/bin/env bash
# The reference shop end to end against a real PostgreSQL (its command-line contract is
# tests/cli/shop.tsv): every endpoint's status and body, checkout's transaction (stock
# taken, never below zero, order rows written), the NOTIFY reaching a subscribed WebSocket peer (python3-websockets), the
# access log's shape, and a clean stop on SIGTERM that closes a WebSocket with 1001.
# Usage (from ctest): shop_endpoints.sh SHOP_BINARY
SHOP=${1:-}
. "$(dirname "$0")/shop_lib.sh"

setup_db
LOG="$TMP/access.log"
start_shop main --pool 4 --access-log "$LOG"

# --- read endpoints ------------------------------------------------------------------------
http GET /
check "GET / is 200 HTML" test "$CODE" = 200 -a -n "$(echo "$BODY" | grep -l 'Stampede reference shop')"
check "GET / sets a sid cookie" grep -qi '^Set-Cookie: sid=' "$HDRS"

http GET /categories/1
want=$(sql "SELECT string_agg(id::text, ',') FROM (SELECT id FROM products WHERE category_id = 1
            AND active ORDER BY featured DESC, created_at DESC LIMIT 20) t")
got=$(echo "$BODY" | $PY -c 'import json,sys; print(",".join(str(p["id"]) for p in json.load(sys.stdin)["products"]))')
check "GET /categories/1 is 200" test "$CODE" = 200
check "listing = the incident's query, same ids in the same order ($got)" test "$got" = "$want"
http GET /categories/77
check "an empty category lists nothing" test "$CODE" = 200 -a "$BODY" = '{"category_id":77,"products":[]}'

http GET /products/5
check "GET /products/5 is 200" test "$CODE" = 200
check "product 5 body" $PY -c '
import json,sys; p=json.loads(sys.argv[1])
assert p["id"]==5 and p["category_id"]==6 and p["name"]=="Product 5" and p["description"] is None
assert p["price"]==5.99 and p["active"] is True and p["stock"]==5, p' "$BODY"
http GET /products/4
check "JSON escaping of a description with quotes" $PY -c '
import json,sys; assert json.loads(sys.argv[1])["description"]=="A \"quoted\" thing"' "$BODY"
http GET /products/3
check "a product without inventory has stock 0" $PY -c '
import json,sys; assert json.loads(sys.argv[1])["stock"]==0' "$BODY"
http GET /products/999999
check "missing product is 404" test "$CODE" = 404
http GET /products/12abc
check "non-numeric product id is 404" test "$CODE" = 404
http GET /nowhere
check "unknown path is 404" test "$CODE" = 404
http GET '/no%20where%22'
check "an encoded odd path is 404" test "$CODE" = 404
http POST /products/5
check "POST to a read endpoint is 405" test "$CODE" = 405
http GET /checkout
check "GET /checkout is 405" test "$CODE" = 405
http GET /healthz
check "GET /healthz is 200 with pool counters" $PY -c '
import json,sys; h=json.loads(sys.argv[1]); assert h["status"]=="ok" and h["pool"]["size"]==4, h' "$BODY"

# --- cart, checkout, and the push ------------------------------------------------------------
JAR="$TMP/jar"
$WS push "$PORT" 7 8 10 >"$TMP/push.out" 2>&1 &
WS_PID=$!
PIDS+=("$WS_PID")
wait_for "$TMP/push.out" '^ready' 10 || { cat "$TMP/push.out" >&2; die "WebSocket client not ready"; }
check "ping is answered with pong" grep -q '^pong ok' "$TMP/push.out"
http GET /healthz
check "two open WebSockets hold two pooled connections" $PY -c '
import json,sys; h=json.loads(sys.argv[1]); assert h["ws"]["open"]==2 and h["pool"]["in_use"]==2, h' "$BODY"

http POST /checkout -c "$JAR" -b "$JAR"
check "checkout without a cart is 400" test "$CODE" = 400
http POST /cart -c "$JAR" -b "$JAR" -d 'product_id=7&qty=2'
check "POST /cart (form body) is 200" test "$CODE" = 200
http POST /cart -c "$JAR" -b "$JAR" -H 'Content-Type: application/json' -d '{"product_id":8}'
check "POST /cart (JSON body, qty defaults to 1) is 200" test "$CODE" = 200 -a -n "$(echo "$BODY" | grep -l '"qty":1')"
http POST '/cart?product_id=999999' -c "$JAR" -b "$JAR"
check "adding a missing product is 404" test "$CODE" = 404
http POST '/cart?product_id=7&qty=0' -c "$JAR" -b "$JAR"
check "qty 0 is 400" test "$CODE" = 400
http POST /checkout -c "$JAR" -b "$JAR"
check "checkout is 200" test "$CODE" = 200
order=$(echo "$BODY" | $PY -c 'import json,sys; print(json.load(sys.stdin)["order_id"])')
check "order id comes from shop_order_id_seq (>= 10^12)" test "$order" -ge 1000000000000
check "stock taken: product 7 at 3, product 8 at 4" \
  test "$(sql 'SELECT string_agg(stock::text, $$,$$ ORDER BY product_id) FROM inventory WHERE product_id IN (7, 8)')" = "3,4"
check "order and its two lines are written, cart emptied" \
  test "$(sql "SELECT (SELECT count(*) FROM order_items WHERE order_id = $order) || ',' || (SELECT total FROM orders WHERE id = $order) || ',' || (SELECT count(*) FROM shop_cart_items)")" = "2,24.97,0"
wait "$WS_PID"; rc=$?
cat "$TMP/push.out"
check "WebSocket client finished cleanly" test "$rc" = 0
check "subscriber by URL got {sku 7, stock 3}" grep -qE '^push 7 3 ' "$TMP/push.out"
check "subscriber by message got {sku 8, stock 4}" grep -qE '^push 8 4 ' "$TMP/push.out"
check "push delay under 2 s" awk '/^push/ { if ($4 > 2000 || $4 < -50) bad=1 } END { exit bad }' "$TMP/push.out"
check "client close 1000 is answered with 1000" test "$(grep -c '^closed 1000' "$TMP/push.out")" = 2

# Never below zero: product 2 has stock 1.
http POST '/cart?product_id=2&qty=2' -c "$JAR" -b "$JAR"
http POST /checkout -c "$JAR" -b "$JAR"
check "overselling is 409" test "$CODE" = 409
check "a refused checkout changes no stock" test "$(sql 'SELECT stock FROM inventory WHERE product_id = 2')" = 1
http POST /cart -c "$JAR" -b "$JAR" -d 'product_id=2&qty=1'
http POST /cart -c "$JAR" -b "$JAR" -d 'product_id=2&qty=-1'
check "negative qty is 400" test "$CODE" = 400

# --- SIGTERM with a WebSocket open -----------------------------------------------------------
$WS hold "$PORT" 1 20 >"$TMP/hold.out" 2>&1 &
HOLD_PID=$!
PIDS+=("$HOLD_PID")
wait_for "$TMP/hold.out" '^ready' 10 || die "hold client not ready"
sleep 0.3 # a life long enough to tell from a handshake in the log
stop_shop
check "SIGTERM: exit 0 in ${STOP_MS} ms (< 5 s)" test "$STOP_MS" -lt 5000
wait "$HOLD_PID"
check "SIGTERM closes the WebSocket with 1001" grep -q '^closed 1001' "$TMP/hold.out"

# --- the access log ----------------------------------------------------------------------------
check "every access-log line is combined + request_time" \
  bash -c "! grep -vE '$LOG_RE' '$LOG' | grep -q ."
grep -vE "$LOG_RE" "$LOG" | head -3 >&2
check "three WebSockets logged with 101 at close" test "$(grep -c '"GET /ws/inventory[^"]*" 101 ' "$LOG")" = 3
check "the pushed bytes are counted on the subscribers' lines" \
  awk '/" 101 / && $10 > 0 { n++ } END { exit n < 2 }' "$LOG"
check "a WebSocket's request_time is its life (> 0.1 s)" \
  awk '/" 101 / && $NF > 0.1 { n++ } END { exit n < 3 }' "$LOG"
check "statuses are logged (checkout 200, 409, 400)" \
  bash -c "grep -q '\"POST /checkout HTTP/1.1\" 200' '$LOG' && grep -q '\"POST /checkout HTTP/1.1\" 409' '$LOG' && grep -q '\"POST /checkout HTTP/1.1\" 400' '$LOG'"
check "the query string is part of \$request" grep -q '"POST /cart?product_id=999999 HTTP/1.1" 404' "$LOG"
check "a decoded path is logged re-encoded, as one token" grep -q '"GET /no%20where%22 HTTP/1.1" 404' "$LOG"
# The modeler reads the shop's log as written (combined + $request_time is its default).
if "$ST_BIN_DIR/modeler/modeler" fit "$LOG" -o "$TMP/model.json" --quiet --seed 1 >"$TMP/fit.out" 2>&1; then
  get() { "$ST_BIN_DIR/tests/logsim" get "$TMP/model.json" "$1"; }
  check "modeler fit parses every line of the shop's log ($(wc -l <"$LOG") lines)" \
    test "$(get source.parsed)" = "$(wc -l <"$LOG")" -a "$(get quality.malformed.total)" = 0
else
  check "modeler fit reads the shop's log" false
  cat "$TMP/fit.out" >&2
fi

[ "$FAILS" = 0 ] || die "$FAILS check(s) failed"
echo "shop_endpoints: all checks passed"
