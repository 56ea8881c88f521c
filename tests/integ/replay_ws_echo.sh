#!/usr/bin/env bash
# replay's WebSocket sessions against a peer nobody here wrote (python3-websockets, through
# tests/integ/ws_echo_server.py): the plan's "kind":"ws" lines are deterministic and
# segments partition them; sessions open, send their subscribe message and hold until the
# run ends (closed with 1000); a server that closes is reconnected per the policy and
# counted; two segments add up to the single run and `replay merge` keeps the websockets
# section; Ctrl-C closes with 1001; --db-probe that cannot connect is exit 3; an unknown
# db.* metric in a threshold is exit 2.
. "$(dirname "$0")/replay_lib.sh"
PY=/usr/bin/python3
$PY -c 'import websockets' 2>/dev/null || fail "python3-websockets missing (apt-get install python3-websockets)"
$PY "$SRC/tests/integ/ws_echo_server.py" >"$T/echo.out" 2>"$T/echo.err" &
ECHO_PID=$!
trap 'kill $ECHO_PID 2>/dev/null; wait $ECHO_PID 2>/dev/null; cleanup' EXIT
for _ in $(seq 50); do PORT=$(sed -n 's/^PORT //p' "$T/echo.out"); [ -n "$PORT" ] && break; sleep 0.1; done
[ -n "$PORT" ] || fail "echo server did not start: $(cat "$T/echo.err")"
TARGET=http://127.0.0.1:$PORT

# ws_scenario WEBSOCKETS_JSON [THRESHOLDS_JSON]: 3 s, little HTTP (the echo server answers 426).
ws_scenario() {
  make_scenario 3s 0.2 '[]' ", \"websockets\": $1, \"thresholds\": ${2:-[]}"
}

# --- plan: deterministic, seed-dependent, partitioned by segments ------------------------------
ws_scenario '{"count": 40, "ramp": "2s", "path": "/echo?p={$products}", "subscribe": "sub {$products}", "duration": "fixed 1s"}'
"$REPLAY" plan "$T/s.json" -q | grep '"kind":"ws"' >"$T/ws1"
"$REPLAY" plan "$T/s.json" -q | grep '"kind":"ws"' >"$T/ws2"
"$REPLAY" plan "$T/s.json" -q --seed 12 | grep '"kind":"ws"' >"$T/ws3"
[ "$(wc -l <"$T/ws1")" = 40 ] || fail "plan: expected 40 ws lines, got $(wc -l <"$T/ws1")"
cmp -s "$T/ws1" "$T/ws2" || fail "plan: ws lines differ between two runs with the same seed"
cmp -s "$T/ws1" "$T/ws3" && fail "plan: another seed gave the same ws lines"
jq -e -s 'all(.[]; .url == ("ws://127.0.0.1:'"$PORT"'/echo?p=" + (.subscribe | ltrimstr("sub "))) and .duration_s == 1)' "$T/ws1" >/dev/null \
  || fail "plan: ws lines do not carry the session's item in URL and subscribe: $(head -1 "$T/ws1")"
for i in 1 2 3; do "$REPLAY" plan "$T/s.json" -q --segment $i/3 | grep '"kind":"ws"'; done | sort >"$T/wsseg"
sort "$T/ws1" | cmp -s - "$T/wsseg" || fail "plan: the 3 segments' ws lines are not a partition of the plan's"
make_scenario 3s 4 '[]' ', "websockets": {"share": 0.5, "path": "/echo", "duration": "session"}'
n_sess=$("$REPLAY" plan "$T/s.json" -q | jq -s '[.[] | select(.kind == null) | .session] | unique | length')
n_ws=$("$REPLAY" plan "$T/s.json" -q | jq -s '[.[] | select(.kind == "ws")] | length')
echo "share 0.5: $n_ws WebSockets for $n_sess sessions"
[ "$n_ws" -gt 0 ] && [ "$n_ws" -lt "$n_sess" ] || fail "share 0.5: $n_ws WebSockets for $n_sess sessions"
echo "ok: plan ws lines deterministic, seed-dependent, partitioned by segments"

# --- hold: open, subscribe, messages, closed with 1000 at the end -------------------------------
ws_scenario '{"count": 4, "ramp": "500ms", "path": "/echo", "subscribe": "{\"subscribe\":\"inventory\",\"sku\":{$products}}", "messages_per_min": 120, "duration": "run", "ping_interval": "500ms"}' \
  '["max(ws_open) >= 4", "count(ws_errors) <= 0", "p95(ws_handshake) < 1s", "min(ws_open) >= 0"]'
"$REPLAY" run "$T/s.json" -q -o "$T/hold.json" --series "$T/hold.csv" || fail "hold run exited $?"
jq -e '.websockets | .opened == 4 and .attempts == 4 and .ends.run_end == 4 and .closes."1000" == 4 and .messages_in == .messages_out and .messages_out >= 8' "$T/hold.json" >/dev/null \
  || fail "hold: $(jq -c '.websockets | del(.handshake, .push_delay)' "$T/hold.json")"
[ "$(grep -c 'server: closed 1000' "$T/echo.err")" = 4 ] || fail "hold: the server saw $(grep -c 'server: closed 1000' "$T/echo.err") closes with 1000 (want 4)"
jq -e '[.series[].ws_open] | max == 4' "$T/hold.json" >/dev/null || fail "hold: series ws_open never reached 4"
head -1 "$T/hold.csv" | grep -q ',ws_open,ws_opened,ws_messages_in,ws_errors$' || fail "hold: series CSV lacks the ws columns"
echo "ok: 4 sessions opened, subscribed, sent $(jq .websockets.messages_out "$T/hold.json") messages, held, closed with 1000"

# --- reconnect: the server closes each connection; max 2 reconnects per session ----------------
: >"$T/echo.err"
ws_scenario '{"count": 6, "path": "/echo", "subscribe": "close:4001:bye", "duration": "run", "reconnect": {"max": 2, "backoff": "100ms"}}' \
  '["count(ws_reconnects) <= 0"]'
"$REPLAY" run "$T/s.json" -q -o "$T/rec.json"
rc=$?
[ "$rc" = 1 ] || fail "reconnect: want exit 1 (threshold on reconnects), got $rc"
jq -e '.websockets | .reconnects == 12 and .attempts == 18 and .opened == 18 and .ends.server_close == 18 and .closes."4001" == 18 and .errors == 18' "$T/rec.json" >/dev/null \
  || fail "reconnect: $(jq -c '.websockets | del(.handshake, .push_delay)' "$T/rec.json")"
[ "$(grep -c 'server: closed 4001 bye' "$T/echo.err")" = 18 ] || fail "reconnect: server saw $(grep -c 'server: closed 4001' "$T/echo.err") closes (want 18)"
jq -e '.thresholds[0].ok == false and .thresholds[0].value == 12' "$T/rec.json" >/dev/null || fail "reconnect: threshold not evaluated"
echo "ok: server closes reconnected per policy (6 sessions x 2 reconnects), counted, threshold failed"

# --- segments: two processes add up to one, and replay merge keeps every WebSocket count --------
at=$(( $(date +%s) + 2 ))
"$REPLAY" run "$T/s.json" -q --segment 1/2 --start-at "$at" -o "$T/seg1.json" &
s1=$!
"$REPLAY" run "$T/s.json" -q --segment 2/2 --start-at "$at" -o "$T/seg2.json"
wait $s1
for k in planned attempts opened reconnects errors messages_out; do
  one=$(jq ".websockets.$k" "$T/rec.json"); sum=$(jq -s "map(.websockets.$k) | add" "$T/seg1.json" "$T/seg2.json")
  [ "$one" = "$sum" ] || fail "segments: websockets.$k single run $one, segments add to $sum"
done
[ "$(jq .websockets.planned "$T/seg1.json")" -gt 0 ] && [ "$(jq .websockets.planned "$T/seg2.json")" -gt 0 ] || fail "segments: one segment has no WebSocket sessions"
"$REPLAY" merge "$T/seg1.json" "$T/seg2.json" -q -o "$T/merged.json"
[ -s "$T/merged.json" ] || fail "replay merge wrote nothing"
[ "$(jq -c '.websockets | del(.handshake)' "$T/merged.json")" = "$(jq -c '.websockets | del(.handshake)' "$T/rec.json")" ] \
  || fail "merge: $(jq -c '.websockets | del(.handshake)' "$T/merged.json") vs single $(jq -c '.websockets | del(.handshake)' "$T/rec.json")"
jq -e '.websockets.handshake.total == 18' "$T/merged.json" >/dev/null || fail "merge: handshake histogram lost counts"
echo "ok: 2 segments add up to the single run; replay merge keeps the websockets section exactly"

# --- Ctrl-C: 1001 ---------------------------------------------------------------------------------
: >"$T/echo.err"
ws_scenario '{"count": 2, "path": "/echo", "duration": "run"}'
"$REPLAY" run "$T/s.json" -q --duration 30s -o "$T/int.json" &
p=$!
sleep 2.5
kill -INT $p
wait $p
jq -e '.stopped == "interrupted" and .websockets.ends.interrupted == 2 and .websockets.closes."1001" == 2' "$T/int.json" >/dev/null \
  || fail "Ctrl-C: $(jq -c '[.stopped, .websockets.ends, .websockets.closes]' "$T/int.json")"
[ "$(grep -c 'server: closed 1001' "$T/echo.err")" = 2 ] || fail "Ctrl-C: the server did not see two 1001 closes"
echo "ok: Ctrl-C closed both WebSockets with 1001 and wrote results"

# --- probe and threshold errors ---------------------------------------------------------------------
ws_scenario '{"count": 1, "path": "/echo"}' '["max(db.waitng) < 5"]'
"$REPLAY" run "$T/s.json" 2>"$T/err"; rc=$?
[ "$rc" = 2 ] && grep -q "unknown probe metric 'db.waitng'" "$T/err" || fail "unknown db metric: exit $rc: $(cat "$T/err")"
ws_scenario '{"count": 1, "path": "/echo", "duration": "run"}' '["max(db.waiting) < 5"]'
"$REPLAY" run "$T/s.json" 2>"$T/err"; rc=$?
[ "$rc" = 2 ] && grep -q "needs --db-probe" "$T/err" || fail "db threshold without --db-probe: exit $rc: $(cat "$T/err")"
"$REPLAY" run "$T/s.json" --no-progress --db-probe "host=127.0.0.1 port=1 dbname=x connect_timeout=2" 2>"$T/err"; rc=$?
[ "$rc" = 3 ] && grep -q -- "--db-probe" "$T/err" || fail "unreachable probe: exit $rc: $(cat "$T/err")"
ws_scenario '{"count": 1, "path": "/echo", "reconect": {}}'
"$REPLAY" plan "$T/s.json" 2>"$T/err" >/dev/null; rc=$?
[ "$rc" = 2 ] && grep -q "scenario.websockets" "$T/err" || fail "typo in websockets: exit $rc: $(cat "$T/err")"
echo "ok: probe unreachable -> 3; unknown db metric, db threshold without probe, typo -> 2"
echo "PASS replay ws echo"
