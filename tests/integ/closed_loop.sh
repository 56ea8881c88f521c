#!/usr/bin/env bash
# The closed loop (issue 12): what a server sees from a rehearsal must refit to the model it
# came from.
#  1. the simulator (tests/sim/logsim) writes two days of a shop's log with a daily profile,
#     Hawkes children, static assets after every page, WebSockets and a gamma-shaped flash
#     crowd whose sessions keep browsing and have children; `modeler fit` fits it;
#  2. `replay init` writes the scenario (every route mapped, assets fetched, a distinct
#     client per session, model_clock at the busiest hour);
#  3. three rehearsals at --scale 4x run side by side, each against its own witness that
#     writes the log that is refitted:
#     A. nginx (combined + $request_time, realip from X-Forwarded-For), model_clock
#        compressed (one model hour per minute): `modeler diff --rate-scale 4 --clock START
#        --clock-speed 60` must exit 0, every checked component compared;
#     B. nginx without realip, clients told apart by --source-addrs 127.0.0.0/8 only, and
#        the model's flash crowd as an event `from_model`: the refit's burst episode must
#        come back with onset, ramp, peak (4x) and hot share within the modeler's recovery
#        tolerances;
#     C. the reference shop (fixtures/shop --real-ip-from 127.0.0.0/8) and PostgreSQL: the
#        WebSocket share and duration of its log must match the model.
#     In all three witnesses' logs the WebSocket handshakes come from many distinct client
#     addresses (B: the sockets' own source addresses) with the User-Agents of their sessions.
# The diff tables are printed. Sessions are short (think median 2 s) so that a rehearsal of
# two minutes holds whole sessions: a refit's session length and journeys are biased by the
# sessions the log's end cuts, about (session duration / rehearsal length).
# Usage (ctest, under scripts/with-pg): closed_loop.sh SHOP REPLAY MODELER LOGSIM
SHOP=${1:-}
REPLAY=${2:-}
MODELER=${3:-}
LOGSIM=${4:-}
. "$(dirname "$0")/shop_lib.sh"
. "$(dirname "$0")/closed_loop_lib.sh"
for b in "$REPLAY" "$MODELER" "$LOGSIM"; do [ -x "$b" ] || die "binary not found: $b"; done
command -v jq >/dev/null || die "jq missing"
jqt() { jq -e "$@" >/dev/null; }
# A: >= 1,500 sessions at 4x; the refit's edge bias (cut sessions) stays < 5%. 180 s: the
# lines written as the run ends (WebSocket closes) open a fourth one-minute bin of the
# refit's series for a second or so; diff weighs bins by the seconds the log covers and
# leaves such a sliver of a model hour out of the profile row (it says so in the row).
SECS=180
SECS_B=230 # B: the burst detector's baseline is a moving median: the crowd must be a minority
SPEED=60  # A: one model hour per minute (one bin of the refit's series), three model hours

# --- 1. the production log and its model -------------------------------------------------------
"$LOGSIM" gen --out "$TMP/prod.log" --truth "$TMP/truth.json" --seed 3 --rate 1.5 --span 2d \
  --period 24h --think-median 2s --ws-median 10s --crowd-gamma 2 --crowd-sessions >"$TMP/sim.err" 2>&1 \
  || die "logsim: $(cat "$TMP/sim.err")"
"$MODELER" fit "$TMP/prod.log" -o "$TMP/m.json" --quiet --seed 7 || die "modeler fit failed"
rm -f "$TMP/prod.log"
jq -e '.arrivals.profile.kind == "hour_of_day" and (.bursts.episodes | length) >= 1
       and (.routes | map(select(.assets)) | length) >= 3 and .sessions.client_classes.mobile > 0' \
  "$TMP/m.json" >/dev/null || die "the fitted model lacks a daily profile, a burst, assets or client classes"
ok "model: $(jq -r '"\(.sessions.count) sessions, \(.arrivals.session_rate) sessions/s, profile \(.arrivals.profile.kind), \(.bursts.episodes | length) burst(s)"' "$TMP/m.json")"

# --- 2. replay init ------------------------------------------------------------------------------
"$REPLAY" init "$TMP/m.json" -o "$TMP/init.json" --duration "${SECS}s" 2>"$TMP/init.err" \
  || { cat "$TMP/init.err"; die "replay init failed"; }
cat "$TMP/init.err"
START=$(jq -r '.model_clock.start' "$TMP/init.json")
PEAK=$(jq -r '.arrivals.profile.multipliers | to_entries | max_by(.value) | .key' "$TMP/m.json")
check "init: model_clock starts at the busiest hour ($START, profile peak at hour $PEAK)" \
  test "$(printf '%02d:00' "$PEAK")" = "${START#* }"
check "init: every model route is sent (coverage 100%)" grep -q 'sends 100.0% of the model' "$TMP/init.err"
jq -e '.sessions.assets == "fetch" and .http.user_agent == "model" and .http.client_ip.header' \
  "$TMP/init.json" >/dev/null || die "init did not turn on assets, User-Agent classes and client addresses"

# A: the compressed clock. B: no X-Forwarded-For (source addresses only), the crowd at 60 s,
# the clock at real speed from the hour the crowd came in the model (the burst is measured
# against the baseline it had). C: as init wrote it.
ONSET=$(jq '.bursts.episodes[0].onset | floor' "$TMP/m.json")
# A starts where the three replayed hours average to the day's mean, on a slope of the
# profile (not its flat top): that is what a wrong clock would get wrong. The session-rate
# row follows the clock (4 x the model's rate x the mean multiplier of the replayed hours).
START_A=$(jq -r '.arrivals.profile.multipliers as $m | [range(24) | {h: ., d: ((($m[.] + $m[(. + 1) % 24]
  + $m[(. + 2) % 24]) / 3 - 1) | fabs)}] | min_by(.d) | .h | tostring | if length < 2 then "0" + . else . end
  | . + ":00"' "$TMP/m.json")
jq --argjson sp "$SPEED" --arg st "$START_A" '.model_clock.speed = $sp | .model_clock.start = $st' \
  "$TMP/init.json" >"$TMP/a.json"
jq --arg st "$(date -u -d "@$((ONSET - 60))" +%H:%M)" --arg d "${SECS_B}s" \
  '.duration = $d | .model_clock.start = $st | .http.client_ip |= del(.header)
   | .events = [{"name": "crowd", "at": "60s", "from_model": 0, "hot": {"feeder": "products_id"}}]' \
  "$TMP/init.json" >"$TMP/b.json"
jq '.duration = "120s"' "$TMP/init.json" >"$TMP/c.json"

# --- 3. the witnesses and the three rehearsals, side by side -----------------------------------
setup_db
# A's WebSockets, behind nginx, on their own pool: at 4x some 20-40 are open at once, and a
# shared pool of 16 refused a third of the handshakes with 503 (each retry had less of its
# planned time left, which cut the logged durations by 6%).
start_shop wsa --pool 16 --ws-pool separate --ws-pool-size 200
start_witness "$TMP/wa" realip "127.0.0.1:$PORT"; TA=$TARGET; PIDS+=("$NGINX_PID")
start_witness "$TMP/wb"; TB=$TARGET; PIDS+=("$NGINX_PID")
start_shop shop --real-ip-from 127.0.0.0/8 --access-log "$TMP/shop.log"
TC=http://127.0.0.1:$PORT
run() { # run NAME TARGET ARGS...
  local n=$1 t=$2; shift 2
  "$REPLAY" run "$TMP/$n.json" --target "$t" --scale 4x --no-progress -o "$TMP/r$n.json" "$@" \
    >"$TMP/run$n.out" 2>&1
  echo $? >"$TMP/run$n.rc"
}
run a "$TA" & p1=$!
run b "$TB" --source-addrs 127.0.0.0/8 & p2=$!
run c "$TC" & p3=$!
wait $p1 $p2 $p3
for n in a b c; do
  rc=$(cat "$TMP/run$n.rc")
  # c: the shop answers 404 to catalog ids it does not have; only its WebSockets matter here.
  if [ "$rc" != 0 ] && { [ "$n" != c ] || [ "$rc" != 1 ]; }; then
    cat "$TMP/run$n.out"; die "rehearsal $n exited $rc"
  fi
  ok "rehearsal $n: $(jq -r '"\(.counts.sessions_started) sessions, \(.counts.requests_done) requests, coverage \(.coverage.share)"' "$TMP/r$n.json")"
done
kill -TERM "$SHOP_PID" 2>/dev/null
sleep 0.5 # nginx writes its log lines at once; the shop flushes at exit

# ws_ident NAME LOG: the WebSocket handshakes in LOG are their sessions' clients.
WS_PRE=$(jq -r '.websockets.path | split("?")[0] | split("{")[0]' "$TMP/init.json")
ws_ident() {
  local n=$1 ns na nu un lo
  read -r ns na nu un lo <<<"$(ws_clients "$2" "$WS_PRE")"
  echo "$n: $ns WebSocket handshake lines ($WS_PRE) from $na distinct client addresses, $nu User-Agents; $un not one of an HTTP client's (address, User-Agent), $lo from 127.0.0.1"
  check "$n: WebSocket handshakes from >= 100 distinct client addresses ($na of $ns lines), none 127.0.0.1 ($lo)" \
    test "$na" -ge 100 -a "$lo" = 0
  check "$n: WebSocket handshakes carry >= 2 User-Agent classes ($nu)" test "$nu" -ge 2
  # Every socket opens with its session's first request, which the log holds too.
  check "$n: every WebSocket client is one of the log's HTTP clients ($un of $ns are not)" test "$un" = 0
}
ws_ident A "$TMP/wa/access.log"
ws_ident B "$TMP/wb/access.log"

# --- A: the diff through the compressed clock ----------------------------------------------------
"$MODELER" fit "$TMP/wa/access.log" -o "$TMP/ma.json" --quiet --seed 7 || die "refit A failed"
NS=$(jq .sessions.count "$TMP/ma.json")
check "A: nginx's log holds >= 1,500 distinct sessions ($NS)" test "$NS" -ge 1500
# The branching ratio of ~1,800 arrivals is known to about +-0.2 (the refit's own 95%
# interval; two days of log give +-0.02). Measured on this scenario's replayed arrivals
# (replay plan -> log -> modeler fit, seeds 1-40, no server): sd 0.22 and bias +0.12 at
# clock x60 (the Hawkes baseline, smoothed over +-5 min, cannot follow a profile compressed
# 60 times), sd 0.16 and bias -0.03 at x1; a 0.1 threshold would fail about half the seeds.
# So the threshold is that half-width when wider than diff's 0.1: "is the model's ratio
# inside what the rehearsal can tell", not a resolution two minutes of traffic do not have.
BR=$(jq '.hawkes.branching_ci95 as $c | if $c then ([0.1, ($c[1] - $c[0]) / 2] | max) else 0.1 end' "$TMP/ma.json")
DIFF_A=(--rate-scale 4 --clock "$START_A" --clock-speed "$SPEED" --branching "$BR")
echo "A: branching threshold $BR: the refit's 95% half-width (measured sd 0.16-0.22 at this size, see above)"
echo "== modeler diff model.json refit-A.json ${DIFF_A[*]}"
"$MODELER" diff "$TMP/m.json" "$TMP/ma.json" "${DIFF_A[@]}" | tee "$TMP/diffa.txt"
rc=${PIPESTATUS[0]}
"$MODELER" diff "$TMP/m.json" "$TMP/ma.json" "${DIFF_A[@]}" --json >"$TMP/diffa.json"
# WebSocket durations: the run's end cuts the sockets still open (replay closes them), and
# the refit takes the sockets closing in the log's last second as censored (modeler
# wsdur.h). What remains is the sample: ~270 sockets of sigma 0.7 know their median to
# +-8% (95%), and a seed's draws are what they are (plan below).
check "A: modeler diff exits 0, every row ok, WebSocket duration included (exit $rc)" test "$rc" = 0
jq -r '"A: WebSocket duration median \(.websockets.duration.median_s) s, \(.websockets.duration.censored) censored of \(.websockets.count)"' "$TMP/ma.json"
"$REPLAY" plan "$TMP/a.json" --scale 4x -q | jq -s -r '[.[] | select(.kind == "ws")]
  | "A: plan: \(length) WebSockets, geometric mean of planned durations \(map(.duration_s | log) | add / length | exp) s, \(map(select(.end != "planned")) | length) cut at the run end"'
# Every checked component is compared (a row with a threshold, not "missing"/"not in").
for comp in "arrivals:session rate" "arrivals:profile" "hawkes:branching" "sessions:think-time median" \
            "sessions:session length" "routes:route mix" "popularity:zipf s /products" \
            "popularity:zipf s /categories" "assets:assets per view /products" "journeys:row /products" \
            "clients:total-variation" "websockets:share" "websockets:duration median"; do
  c=${comp%%:*} m=${comp#*:}
  check "A: $c '$m' compared and ok" jqt -n --slurpfile d "$TMP/diffa.json" --arg c "$c" --arg m "$m" \
    '[$d[0].rows[] | select(.component == $c and (.metric | contains($m)))]
     | length > 0 and all(.verdict == "ok") and all(.metric | contains("not in") | not)' 
done
NJ=$(jq '[.rows[] | select(.component == "journeys" and (.metric | startswith("row ")))] | length' "$TMP/diffa.json")
check "A: every journey row with >= 0.5% of traffic compared ($NJ rows)" test "$NJ" -ge 5

# --- B: the flash crowd comes back as a burst -----------------------------------------------------
"$MODELER" fit "$TMP/wb/access.log" -o "$TMP/mb.json" --quiet --seed 7 || die "refit B failed"
NB=$(jq .sessions.count "$TMP/mb.json")
check "B: --source-addrs alone gives distinct clients ($NB sessions)" test "$NB" -ge 1500
T0=$(awk 'NR == 1 { print substr($4, 2) }' "$TMP/wb/access.log")
T0=$(date -u -d "$(echo "$T0" | sed 's#/# #g; s#:# #')" +%s 2>/dev/null || echo 0)
# Hot shares compared in one reading: modeler reads convergence per crowd session
# ("follows": "sessions") or over the episode's window (crowd and baseline mixed); a
# per-session share is brought to the window's as share x excess / sessions.
jq -n --slurpfile o "$TMP/m.json" --slurpfile n "$TMP/mb.json" --argjson t0 "$T0" '
  def win: if .convergence.follows == "sessions" and (.excess_sessions // null) != null
           then .convergence.hot_share * .excess_sessions / .sessions else .convergence.hot_share end;
  ($o[0].bursts.episodes[0]) as $e | ($n[0].bursts.episodes // [] | max_by(.peak_rate)) as $f
  | if $f == null then "none"
    else "\($f.onset - $t0 - 60) \($e.ramp_s) \($f.ramp_s) \($e.peak_rate) \($f.peak_rate) \($e | win) \($f | win) \($e.convergence.follows // "-") \($f.convergence.follows // "-")" end' -r \
  >"$TMP/burst.txt"
read -r don ro rn po pn ho hn fo fn <"$TMP/burst.txt"
echo "== burst: onset - planned $don s; ramp $ro -> $rn s; peak $po x 4 -> $pn /s; hot share (window reading; read as $fo -> $fn) $ho -> $hn"
check "B: the crowd is refitted as a burst episode" test "$don" != none
if [ "$don" != none ]; then
  check "B: onset within 30 s of the event's start" awk -v d="$don" 'BEGIN { exit !(d >= -30 && d <= 30) }'
  check "B: ramp within 30 s" awk -v a="$ro" -v b="$rn" 'BEGIN { exit !((b - a) <= 30 && (a - b) <= 30) }'
  check "B: peak rate within 25% of 4 x the model's" \
    awk -v a="$po" -v b="$pn" 'BEGIN { r = b / (4 * a) - 1; exit !(r <= 0.25 && r >= -0.25) }'
  check "B: hot share within 0.05" awk -v a="$ho" -v b="$hn" 'BEGIN { exit !((b - a) <= 0.05 && (a - b) <= 0.05) }'
fi

# --- C: WebSockets against the reference shop -----------------------------------------------------
for _ in $(seq 50); do kill -0 "$SHOP_PID" 2>/dev/null || break; sleep 0.1; done
ws_ident C "$TMP/shop.log" # the shop writes its WebSocket lines at close, flushed by now
"$MODELER" fit "$TMP/shop.log" -o "$TMP/mc.json" --quiet --seed 7 || die "refit C failed"
echo "== modeler diff model.json refit-C.json --rate-scale 4 (the shop's log; websockets rows)"
"$MODELER" diff "$TMP/m.json" "$TMP/mc.json" --rate-scale 4 --json >"$TMP/diffc.json"
jq -r '.rows[] | select(.component == "websockets" or .component == "clients") | "\(.component)  \(.metric)  \(.old) -> \(.new)  \(.verdict)"' "$TMP/diffc.json"
check "C: the shop's log holds sessions opening WebSockets" jqt '.websockets.count > 50' "$TMP/mc.json"
check "C: the shop's log has the WebSocket share of the model" jqt \
  '[.rows[] | select(.component == "websockets" and (.metric | startswith("share")))] | length == 1 and all(.verdict == "ok")' "$TMP/diffc.json"
check "C: the shop's log has the WebSocket duration of the model" jqt \
  '[.rows[] | select(.component == "websockets" and (.metric | startswith("duration median")))] | length == 1 and all(.verdict == "ok")' "$TMP/diffc.json"
jq -r '"C: WebSocket duration median \(.websockets.duration.median_s) s, \(.websockets.duration.censored) censored of \(.websockets.count)"' "$TMP/mc.json"
check "C: the shop logs the replayed clients (X-Forwarded-For) and User-Agents" jqt \
  '.sessions.count >= 1000 and .sessions.client_classes.mobile > 0.1' "$TMP/mc.json"

[ "$FAILS" = 0 ] || die "$FAILS check(s) failed"
echo "closed loop: all checks passed"
