#!/usr/bin/env bash
# Every WebSocket is the client of the session it belongs to (issue 12 item 4), as servers
# nobody here wrote see it:
#  1. python3-websockets (tests/integ/ws_echo_server.py logs each handshake's peer address,
#     X-Forwarded-For and User-Agent), dedicated sessions, --source-addrs 127.0.0.0/8: the
#     peer address and the header are the plan's client address of that socket, all
#     distinct, and the User-Agent is its class's string (one string per class);
#  2. nginx with realip from X-Forwarded-For, proxying /ws/ to that server: nginx's own log
#     shows the WebSocket handshakes (101) from the plan's addresses, many distinct ones, and
#     each (address, User-Agent) pair is one that the session's HTTP requests sent too;
#  3. nginx without realip and --source-addrs only (no header): nginx's $remote_addr of the
#     handshakes is the socket's own source address, again the session's;
#  4. trace mode (`replay plan --trace`): a trace session's sockets are its client too.
. "$(dirname "$0")/replay_lib.sh"
export LC_ALL=C # sort, join and comm agree on one order
PY=/usr/bin/python3
$PY -c 'import websockets' 2>/dev/null || fail "python3-websockets missing (apt-get install python3-websockets)"
ECHO_PID=
stop_all() {
  [ -n "$ECHO_PID" ] && { kill "$ECHO_PID" 2>/dev/null; wait "$ECHO_PID" 2>/dev/null; }
  cleanup # replay_lib.sh: stops nginx ($NGINX_PID) and removes $T
}
trap stop_all EXIT
$PY "$SRC/tests/integ/ws_echo_server.py" >"$T/echo.out" 2>"$T/echo.err" &
ECHO_PID=$!
for _ in $(seq 50); do EPORT=$(sed -n 's/^PORT //p' "$T/echo.out"); [ -n "$EPORT" ] && break; sleep 0.1; done
[ -n "$EPORT" ] || fail "echo server did not start: $(cat "$T/echo.err")"

# A model with client classes (the shipped shop model has none, so every session would be
# "desktop"): half desktop, a third mobile, the rest scripts.
jq '.sessions.client_classes = {"desktop": 0.5, "mobile": 0.33, "script": 0.17, "bot": 0}' \
  "$SRC/models/shop.model.json" >"$T/model.json"

# scenario FILE TARGET WEBSOCKETS_JSON CLIENT_IP_JSON: 5 s, every route answered by nginx.
scenario() {
  cat >"$1" <<JSON
{
  "format": "stampede-scenario", "version": 1, "model": "$T/model.json",
  "target": "$2", "seed": 5, "duration": "5s", "scale": 6,
  "feeders_dir": "$SRC/models/scenarios",
  "feeders": {"products": {"file": "hot/products.csv"}, "categories": {"file": "hot/categories.csv"}},
  "routes": {
    "/": {"path": "/"}, "/categories/{id}": {"path": "/categories/{categories}"},
    "/products/{id}": {"path": "/products/{products}"},
    "/cart": {"method": "POST", "path": "/cart", "body": "{\"product_id\": {\$products}}"},
    "/checkout": {"method": "POST", "path": "/checkout"}
  },
  "sessions": {"think_scale": 0.2},
  "http": {"client_ip": $4, "user_agent": "model"},
  "websockets": $3
}
JSON
}

# The plan's WebSocket clients: "ADDRESS CLASS" per socket, sorted.
plan_clients() {
  "$REPLAY" plan "$1" -q "${@:2}" | jq -r 'select(.kind == "ws") | "\(.client_ip) \(.ua_class)"' | sort
}

# same_clients PLAN_PAIRS SERVER_PAIRS WHAT: the server saw the plan's addresses, one per
# socket, and each address's User-Agent is one string per class, a different one per class.
same_clients() {
  local want=$1 got=$2 what=$3
  [ -s "$got" ] || fail "$what: the server logged no WebSocket handshake"
  cmp -s <(cut -d' ' -f1 "$want") <(cut -d' ' -f1 "$got") \
    || fail "$what: the server's handshake addresses are not the plan's: $(diff <(cut -d' ' -f1 "$want") <(cut -d' ' -f1 "$got") | head -5)"
  join "$want" "$got" | cut -d' ' -f2- | sort -u >"$T/classmap"
  [ "$(cut -d' ' -f1 "$T/classmap" | sort -u | wc -l)" = "$(wc -l <"$T/classmap")" ] \
    && [ "$(cut -d' ' -f2- "$T/classmap" | sort -u | wc -l)" = "$(wc -l <"$T/classmap")" ] \
    || fail "$what: User-Agents do not follow the sockets' classes: $(cat "$T/classmap")"
  [ "$(wc -l <"$T/classmap")" -ge 2 ] || fail "$what: one User-Agent class only: $(cat "$T/classmap")"
}

# --- 1. python3-websockets, dedicated sessions, header and source address ------------------------
scenario "$T/s1.json" "http://127.0.0.1:$EPORT" \
  '{"count": 60, "ramp": "2s", "path": "/echo?c={client_ip}", "subscribe": "ua={user_agent}", "duration": "fixed 1s"}' \
  '{"header": "X-Forwarded-For", "range": "10.0.0.0/8"}'
plan_clients "$T/s1.json" --source-addrs 127.0.0.0/8 >"$T/p1"
[ "$(wc -l <"$T/p1")" = 60 ] || fail "plan 1: $(wc -l <"$T/p1") WebSockets (want 60)"
plan_clients "$T/s1.json" --source-addrs 127.0.0.0/8 | cmp -s - "$T/p1" || fail "plan 1: not deterministic"
: >"$T/echo.err"
"$REPLAY" run "$T/s1.json" -q --source-addrs 127.0.0.0/8 -o "$T/r1.json" || true
jq -e '.websockets.opened == 60 and .websockets.errors == 0' "$T/r1.json" >/dev/null \
  || fail "run 1: $(jq -c '.websockets | del(.handshake, .push_delay)' "$T/r1.json")"
grep '^server: open ' "$T/echo.err" | sed 's/^server: open //' >"$T/o1"
awk '{ p = $1; x = substr($2, 5); sub(/^[^ ]+ [^ ]+ ua=/, ""); print p, x, $0 }' "$T/o1" >"$T/o1b"
awk '$1 != $2' "$T/o1b" | head -3 >"$T/o1bad"
[ -s "$T/o1bad" ] && fail "1: peer address differs from X-Forwarded-For: $(cat "$T/o1bad")"
cut -d' ' -f2- "$T/o1b" | sort >"$T/s1pairs"
same_clients "$T/p1" "$T/s1pairs" "1 (python3-websockets)"
n1=$(cut -d' ' -f1 "$T/s1pairs" | sort -u | wc -l)
[ "$n1" = 60 ] || fail "1: $n1 distinct client addresses for 60 sockets"
echo "ok: python3-websockets saw 60 handshakes from 60 distinct source addresses = X-Forwarded-For = the plan's, $(wc -l <"$T/classmap") User-Agents one per class"

# --- 2. nginx, realip from X-Forwarded-For, /ws/ proxied to python3-websockets -------------------
# nginx as the closed loop's witness (closed_loop_lib.sh: combined + $request_time).
. "$SRC/tests/integ/closed_loop_lib.sh"

# pairs LOG WS|HTTP: "ADDRESS USER_AGENT" of the log's WebSocket handshakes (101 on /ws/),
# or of its other lines (the HTTP requests).
pairs() {
  awk -v want="$2" '{ split($0, q, "\""); split(q[2], r, " ")
    ws = index(r[2], "/ws/") == 1 && $9 == 101
    if ((want == "WS") == ws) print $1, q[6] }' "$1"
}

# check_nginx LOG PLAN_PAIRS WHAT: handshakes (101) from the plan's addresses, every (address,
# User-Agent) pair also one of the HTTP requests' (the session's own requests).
check_nginx() {
  local log=$1 plan=$2 what=$3
  pairs "$log" WS | sort >"$T/wsl"
  pairs "$log" HTTP | sort -u >"$T/httpl"
  same_clients "$plan" "$T/wsl" "$what"
  local nws na nu un lo nhttp
  read -r nws na nu un lo <<<"$(ws_clients "$log" /ws/)"
  nhttp=$(cut -d' ' -f1 "$T/httpl" | sort -u | wc -l)
  [ "$lo" = 0 ] || fail "$what: $lo handshakes logged as 127.0.0.1"
  [ "$un" = 0 ] || fail "$what: $un WebSocket clients sent no HTTP request as that client: $(sort -u "$T/wsl" | comm -23 - "$T/httpl" | head -3)"
  [ "$na" -ge 40 ] && [ "$na" = "$nws" ] || fail "$what: $na distinct addresses for $nws handshakes"
  echo "ok: $what: nginx logged $nws WebSocket handshakes from $na distinct addresses (the plan's), $nu User-Agents one per class, each pair one of the $nhttp HTTP clients'"
}

WS_SHARE='{"share": 0.6, "path": "/ws/echo", "duration": "fixed 1s"}'
start_witness "$T/n2" realip "127.0.0.1:$EPORT"
scenario "$T/s2.json" "$TARGET" "$WS_SHARE" '{"header": "X-Forwarded-For", "range": "10.0.0.0/8"}'
plan_clients "$T/s2.json" >"$T/p2"
"$REPLAY" run "$T/s2.json" -q -o "$T/r2.json" || true
jq -e '.websockets.opened > 40 and .websockets.errors == 0' "$T/r2.json" >/dev/null \
  || fail "run 2: $(jq -c '.websockets | del(.handshake, .push_delay)' "$T/r2.json")"
kill "$NGINX_PID"; wait "$NGINX_PID" 2>/dev/null; NGINX_PID=
check_nginx "$T/n2/access.log" "$T/p2" "2 (nginx realip)"

# --- 3. nginx without realip, --source-addrs only --------------------------------------------------
start_witness "$T/n3" "" "127.0.0.1:$EPORT"
scenario "$T/s3.json" "$TARGET" "$WS_SHARE" '{"range": "10.0.0.0/8"}'
plan_clients "$T/s3.json" --source-addrs 127.0.0.0/8 >"$T/p3"
"$REPLAY" run "$T/s3.json" -q --source-addrs 127.0.0.0/8 -o "$T/r3.json" || true
jq -e '.websockets.opened > 40 and .websockets.errors == 0' "$T/r3.json" >/dev/null \
  || fail "run 3: $(jq -c '.websockets | del(.handshake, .push_delay)' "$T/r3.json")"
kill "$NGINX_PID"; wait "$NGINX_PID" 2>/dev/null; NGINX_PID=
check_nginx "$T/n3/access.log" "$T/p3" "3 (nginx \$remote_addr, --source-addrs)"
# --- 4. trace mode: each session's requests and sockets are one client ------------------------------
{
  echo '{"format":"stampede-trace","version":1,"t0":1790000000.0}'
  for k in 0 1 2 3 4 5; do
    echo "{\"t\":$k.1,\"s\":$k,\"m\":\"GET\",\"r\":\"/products/{id}\",\"i\":[$((k + 1))]}"
    echo "{\"t\":$k.2,\"s\":$k,\"ws\":\"/ws/inventory\",\"dur\":2.0}"
    echo "{\"t\":$k.3,\"s\":$k,\"m\":\"GET\",\"r\":\"/\",\"i\":[]}"
  done
} | jq -c -s 'sort_by(.t) | .[]' >"$T/t.ndjson"
"$REPLAY" plan "$T/s2.json" --trace "$T/t.ndjson" -q -o "$T/pt.ndjson" || fail "plan --trace exited $?"
jq -e -s '[.[] | select(.kind == "ws")] | length == 6' "$T/pt.ndjson" >/dev/null \
  || fail "4: $(jq -s -c '[.[] | select(.kind == "ws")] | length' "$T/pt.ndjson") WebSocket lines (want 6)"
jq -e -s 'group_by(.session) | length == 6 and all(.[]; ([.[] | [.client_ip, .ua_class]] | unique | length) == 1 and .[0].client_ip != null)
          and ([.[][0].client_ip] | unique | length) == 6' "$T/pt.ndjson" >/dev/null \
  || fail "4: a trace session's sockets are not its client: $(jq -s -c 'group_by(.session) | map([.[] | .client_ip] | unique)' "$T/pt.ndjson")"
echo "ok: trace mode: 6 sessions, each one client across its requests and its WebSocket, 6 distinct"
echo "PASS replay ws ident"
