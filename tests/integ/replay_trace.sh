#!/usr/bin/env bash
# replay --trace, witnessed by nginx (issue 17's proof, on a short window to fit ./check):
#  1. modeler extract turns the simulator's log into a trace; replay plan --trace sends
#     exactly the trace's (method, template) multiset;
#  2. replayed at speed 1 and at speed 4, nginx's log has the same requests, per-second
#     (speed 4: per quarter-second) counts within +-2%, and every session's order kept;
#  3. refitting nginx's log of the speed-1 run with the same options gives the model of the
#     original log: modeler diff exits 0, think-time median and session length within 2%;
#  4. --segment 1/2 + 2/2 plan exactly the whole; a trace with a time going backwards is
#     refused before anything is sent, naming the line (exit 2).
# TRACE_SPAN (default 90s) sets the window; the issue's 10-minute window is TRACE_SPAN=10m
# (about 13 minutes of replay at speed 1 and 4).
. "$(dirname "$0")/replay_lib.sh"
MODELER=$ST_BIN_DIR/modeler/modeler
LOGSIM=$ST_BIN_DIR/tests/logsim
SPAN=${TRACE_SPAN:-90s}
PY=/usr/bin/python3
[ -x "$PY" ] && "$PY" -c 'import websockets' 2>/dev/null || fail "python3-websockets is required"
WSPID=
trap 'kill $WSPID 2>/dev/null; [ -n "${KEEP_T:-}" ] && cp -r "$T" "$KEEP_T"; cleanup' EXIT
WS_ECHO_LIFETIME=900 "$PY" "$SRC/tests/integ/ws_echo_server.py" >"$T/ws.out" 2>"$T/ws.err" &
WSPID=$!
for _ in $(seq 50); do grep -q '^PORT' "$T/ws.out" && break; sleep 0.1; done
WSPORT=$(awk '/^PORT/{print $2}' "$T/ws.out")
[ -n "$WSPORT" ] || fail "WebSocket server did not start"
# nginx logs what it received twice: combined + $request_time (what the simulator writes, for
# the refit) and a millisecond log with the session number replay puts in the User-Agent.
start_nginx "location / { return 200 'ok'; }
    location /ws/ { proxy_pass http://127.0.0.1:$WSPORT; proxy_http_version 1.1;
      proxy_set_header Upgrade \$http_upgrade; proxy_set_header Connection upgrade;
      proxy_read_timeout 1h; access_log $T/combined.log refit; access_log $T/msec.log ms; }
    access_log $T/combined.log refit; access_log $T/msec.log ms;" \
  "log_format refit '\$remote_addr - \$remote_user [\$time_local] \"\$request\" \$status \$body_bytes_sent \"\$http_referer\" \"\$http_user_agent\" \$request_time';
  map \$http_user_agent \$ua_session { ~trace-session/(?<s>[0-9a-f]+) \$s; default -; }
  log_format ms '\$msec \$request_method \$request_uri \$status ua=\$ua_session';"
: >"$T/combined.log"; : >"$T/msec.log"

# The simulator's sessions outlive its span by minutes: the trace and the reference model are
# both the log's first $SPAN (a window, as a user extracts "18:00-19:00").
"$LOGSIM" gen --out "$T/sim.log" --truth "$T/truth.json" --seed 5 --span "$SPAN" --rate 4/s || fail "logsim"
secs=$(awk -v s="$SPAN" 'BEGIN{n=s+0; u=substr(s,length(s)); print (u=="m") ? n*60 : n}')
"$PY" "$SRC/tests/integ/trace_check.py" window "$T/sim.log" "$secs" "$T/win.log" || fail "window"
"$MODELER" fit "$T/win.log" -o "$T/orig.model.json" -q || fail "fit of the simulator's log"
"$MODELER" extract "$T/sim.log" -o "$T/t.ndjson" --bots drop --to "$SPAN" || fail "extract exited $?"
reqs=$(jq -s '.[0].requests' "$T/t.ndjson"); wss=$(jq -s '.[0].websockets' "$T/t.ndjson")
echo "trace: $reqs requests, $wss WebSockets"
[ "$reqs" -gt 3000 ] || fail "trace too small to test ($reqs requests)"
"$PY" "$SRC/tests/integ/trace_scenario.py" "$T/orig.model.json" "$TARGET" "$T/feeders" "$T/s.json" /ws/inventory \
  || fail "scenario"

# 1. The plan is the trace.
"$REPLAY" plan "$T/s.json" --trace "$T/t.ndjson" -q -o "$T/plan1.ndjson" || fail "plan --trace exited $?"
"$PY" "$SRC/tests/integ/trace_check.py" multiset "$T/t.ndjson" "$T/plan1.ndjson" || fail "plan differs from the trace"
for i in 1 2; do "$REPLAY" plan "$T/s.json" --trace "$T/t.ndjson" --segment $i/2 -q -o "$T/seg$i.ndjson" || fail "segment $i"; done
cat "$T/seg1.ndjson" "$T/seg2.ndjson" | sort >"$T/segs"; sort "$T/plan1.ndjson" >"$T/whole"
cmp -s "$T/segs" "$T/whole" || fail "segments 1/2 + 2/2 differ from the whole plan"
[ -s "$T/seg1.ndjson" ] && [ -s "$T/seg2.ndjson" ] || fail "a segment is empty"

# 2. Speed 1, witnessed by nginx.
"$REPLAY" run "$T/s.json" --trace "$T/t.ndjson" -q --threads 2 -o "$T/r1.json" || fail "run --trace exited $?"
sleep 0.5
cp "$T/combined.log" "$T/combined1.log"; cp "$T/msec.log" "$T/msec1.log"
: >"$T/combined.log"; : >"$T/msec.log"
jq -e '.stopped == "completed"' "$T/r1.json" >/dev/null || fail "speed-1 run did not complete: $(jq -c .counts "$T/r1.json")"
jq -e --argjson n "$reqs" '.trace.requests == $n and .trace.speed == 1 and .trace.unmapped_requests == 0 and .counts.requests_sent == $n' \
  "$T/r1.json" >/dev/null || fail "results.json's trace section or counts: $(jq -c '{trace, sent: .counts.requests_sent}' "$T/r1.json")"
"$REPLAY" merge "$T/r1.json" -o "$T/m1.json" -q && jq -e '.trace.requests' "$T/m1.json" >/dev/null \
  || fail "replay merge lost the trace section"
"$PY" "$SRC/tests/integ/trace_check.py" order "$T/plan1.ndjson" "$T/msec1.log" || fail "session order not kept"
"$PY" "$SRC/tests/integ/trace_check.py" bins "$T/t.ndjson" "$T/msec1.log" "$(jq .start "$T/r1.json")" 1 1 \
  || fail "speed 1: per-second counts off"
ws_logged=$(grep -c '" 101 ' "$T/combined1.log")
echo "WebSockets: $wss in the trace, nginx logged $ws_logged upgrades"
[ "$ws_logged" = "$wss" ] || fail "WebSocket sessions: nginx logged $ws_logged, the trace has $wss"

# 3. Refit: the server's log gives the model of the original log.
"$MODELER" fit "$T/combined1.log" -o "$T/re.model.json" -q || fail "refit of nginx's log"
# Trace mode sends one User-Agent per session, the trace-session tag the witness reads
# (not the recorded client's), so the client-class row (modeler diff since issue 12) is not
# a property of the replay here: its threshold is opened; every other row is checked.
"$MODELER" diff "$T/orig.model.json" "$T/re.model.json" --class-tv 1 >"$T/diff.txt"; drc=$?
cat "$T/diff.txt"
[ $drc = 0 ] || fail "modeler diff exited $drc: the replayed traffic drifted from the original"
jq -n --slurpfile a "$T/orig.model.json" --slurpfile b "$T/re.model.json" '
  def rel(x; y): ((x - y) | fabs) / (if x == 0 then 1 else x end);
  {think: rel($a[0].sessions.think_time.median_s; $b[0].sessions.think_time.median_s),
   length: rel($a[0].sessions.length.mean; $b[0].sessions.length.mean)}' >"$T/rel.json"
echo "relative differences: $(jq -c . "$T/rel.json")"
jq -e '.think <= 0.02 and .length <= 0.02' "$T/rel.json" >/dev/null || fail "think-time median or session length beyond 2%"

# 2b. Speed 4: per quarter-second.
"$REPLAY" run "$T/s.json" --trace "$T/t.ndjson" --speed 4 -q --threads 2 -o "$T/r4.json" || fail "run --speed 4 exited $?"
sleep 0.5
"$REPLAY" plan "$T/s.json" --trace "$T/t.ndjson" --speed 4 -q -o "$T/plan4.ndjson" || fail "plan --speed 4"
"$PY" "$SRC/tests/integ/trace_check.py" order "$T/plan4.ndjson" "$T/msec.log" || fail "speed 4: session order not kept"
for r in r1 r4; do
  jq -e --argjson n "$wss" '.websockets.opened == $n and .websockets.errors == 0' "$T/$r.json" >/dev/null \
    || fail "$r: WebSockets not all opened and closed cleanly: $(jq -c '.websockets | {planned, opened, errors, ends}' "$T/$r.json")"
done
"$PY" "$SRC/tests/integ/trace_check.py" bins "$T/t.ndjson" "$T/msec.log" "$(jq .start "$T/r4.json")" 4 0.25 \
  || fail "speed 4: per-quarter-second counts off"

# 4. A trace going backwards is refused before anything is sent.
{ head -1 "$T/t.ndjson"; echo '{"t":5,"s":0,"m":"GET","r":"/"}'; echo '{"t":4,"s":1,"m":"GET","r":"/"}'; } >"$T/back.ndjson"
: >"$T/msec.log"
"$REPLAY" run "$T/s.json" --trace "$T/back.ndjson" -q -o "$T/rb.json" 2>"$T/back.err"; rc=$?
[ $rc = 2 ] || fail "a backwards trace: exit $rc, expected 2"
grep -q "back.ndjson line 3: field 't'" "$T/back.err" || fail "backwards trace error does not name line 3: $(cat "$T/back.err")"
[ ! -s "$T/msec.log" ] || fail "a refused trace still sent requests"
echo "PASS replay trace"
