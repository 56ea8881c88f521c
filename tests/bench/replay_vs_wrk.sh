#!/usr/bin/env bash
# Benchmark (not a test): replay's efficiency against wrk and hey, and its send precision.
#
# nginx runs one worker pinned to core 0; the load generator is pinned to core 1; a 200-byte
# static file over keep-alive. Figures:
#  1. requests per generator CPU-second (user + sys of the whole process, /usr/bin/time),
#     replay vs wrk alternating A B A B (ANCHORS.md: a bare libcurl multi loop reached
#     ~0.6x wrk here, so that is the ceiling; goal >= 0.55x), and replay vs hey (goal >= 1.5x);
#     replay runs 50 long sessions sending back to back over pooled keep-alive connections,
#     the same shape as wrk -c50;
#  2. the achieved rate and the send-lateness p99 of an open model (single-request sessions
#     arriving as a Poisson process) at 25%, 50% and 80% of replay's max rate
#     (goal: p99 lateness <= 1 ms at 50%);
#  3. HTTP/2 over TLS (ALPN h2, a self-signed certificate made here with openssl) on the same
#     nginx: replay (pooled, H2_CONNS connections x H2_STREAMS streams, http.version "2") vs
#     h2load (nghttp2-client) with the same -c/-m, requests per generator CPU-second.
# Usage: tests/bench/replay_vs_wrk.sh [BUILD_DIR] (default build); RUNS=2 SECS=10 adjust.
set -u
cd "$(dirname "$0")/../.." || exit 2
B=${1:-build}
REPLAY=${REPLAY:-$PWD/$B/replay/replay} # REPLAY=path compares another build (before/after)
RUNS=${RUNS:-2}
SECS=${SECS:-10}
. scripts/deps.sh
st_ensure_packages nginx wrk hey jq nghttp2-client openssl || exit 3
[ -x "$REPLAY" ] || { echo "build replay first: cmake --build $B --target replay" >&2; exit 2; }
[ "$(nproc)" -ge 2 ] || { echo "needs 2 cores" >&2; exit 3; }
T=$(mktemp -d /tmp/rp-bench.XXXXXX)
NGX=
trap '[ -n "$NGX" ] && kill $NGX 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT
H2PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
H2_CONNS=${H2_CONNS:-4}
H2_STREAMS=${H2_STREAMS:-16}
mkdir -p "$T/www" "$T/logs"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null || { echo "openssl failed" >&2; exit 3; }
head -c 200 /dev/zero | tr '\0' x >"$T/www/index.html"
cat >"$T/nginx.conf" <<CONF
$([ "$(id -u)" = 0 ] && echo "user root;")
worker_processes 1; daemon off; pid $T/nginx.pid; error_log $T/logs/error.log;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 10000000;
  server { listen 127.0.0.1:$PORT; root $T/www; location / { } }
  server { listen 127.0.0.1:$H2PORT ssl http2; http2_max_concurrent_streams 1000;
    ssl_certificate $T/cert.pem; ssl_certificate_key $T/key.pem; root $T/www; location / { } } }
CONF
taskset -c 0 /usr/sbin/nginx -p "$T" -c "$T/nginx.conf" &
NGX=$!
sleep 0.5
curl -sf -o /dev/null "$URL/index.html" || { echo "nginx did not start" >&2; exit 3; }

# A one-route model; think time lognormal(mu, 0.1) (mu set per scenario below).
model() { # model FILE MU P_EXIT
  cat >"$1" <<JSON
{"format":"stampede-traffic-model","version":1,
 "arrivals":{"session_rate":1000},"hawkes":{"fitted":false},
 "sessions":{"think_time":{"dist":"lognormal","params":{"mu":$2,"sigma":0.1}}},
 "routes":[{"template":"/","method":"GET","kind":"page","params":[]}],
 "journeys":{"entry":[1],"transitions":[[$(awk -v p="$3" 'BEGIN { printf "%.9f", 1 - p }'),$3]]}}
JSON
}
scenario() { # scenario FILE MODEL SCALE EXTRA [TARGET]
  cat >"$1" <<JSON
{"format":"stampede-scenario","version":1,"name":"bench","model":"$2","target":"${5:-$URL}","seed":1,
 "duration":"${SECS}s","scale":$3,"routes":{"/":{"path":"/index.html"}},
 "sessions":{"connection":"pooled","cookies":false,"max_requests":100000,"max_active":100000},
 "http":{"traceparent":true},"limits":{"grace":"1s"} $4}
JSON
}
# Closed shape: 50 sessions at t = 0 (an event), each sending back to back for the whole run
# (think ~0.5 ms: 100k/s planned, above capacity, so they are always behind, like wrk's
# connections; the CPU figure includes building the 1M-request plan).
model "$T/closed.model.json" -7.6 0.0000001
scenario "$T/closed.json" "$T/closed.model.json" 1 \
  ',"stages":[{"duration":"1s","to":0}],"events":[{"at":"0s","sessions":50,"ramp":"10ms","hot":{"feeder":"f","ranks":[1]}}],"feeders":{"f":{"file":"f.csv"}}'
printf 'rank,id\n1,1\n' >"$T/f.csv"

cpu() { awk '{print $1 + $2}' "$1"; } # user + sys seconds from /usr/bin/time -f "%U %S"

run_wrk() {
  /usr/bin/time -f "%U %S" -o "$T/t" taskset -c 1 wrk -t1 -c50 -d"${SECS}s" "$URL/index.html" >"$T/w" 2>&1
  local n; n=$(awk '/requests in/ {print $1}' "$T/w")
  echo "$n $(cpu "$T/t")"
}
run_hey() {
  /usr/bin/time -f "%U %S" -o "$T/t" taskset -c 1 hey -c 50 -z "${SECS}s" "$URL/index.html" >"$T/h" 2>&1
  local n; n=$(awk '/\[200\]/ {print $2}' "$T/h")
  echo "$n $(cpu "$T/t")"
}
run_replay() {
  /usr/bin/time -f "%U %S" -o "$T/t" taskset -c 1 "$REPLAY" run "$T/closed.json" -q --threads 1 -o "$T/r.json" >/dev/null 2>&1
  echo "$(jq '.counts.requests_done' "$T/r.json") $(cpu "$T/t") $(jq .elapsed_s "$T/r.json")"
}

echo "== $(uptime | sed 's/.*load/load/') (a shared machine: compare ratios within one run)"
echo "== requests per generator CPU-second (nginx on core 0, generator on core 1, ${SECS}s runs)"
for i in $(seq "$RUNS"); do
  read -r wn wc <<<"$(run_wrk)"
  read -r rn rc re <<<"$(run_replay)"
  read -r hn hc <<<"$(run_hey)"
  awk -v wn="$wn" -v wc="$wc" -v rn="$rn" -v rc="$rc" -v re="$re" -v hn="$hn" -v hc="$hc" -v s="$SECS" 'BEGIN {
    w = wn / wc; r = rn / rc; h = hn / hc;
    printf "run %d: wrk %.0f req/s, %.0f req/CPU-s | replay %.0f req/s, %.0f req/CPU-s | hey %.0f req/s, %.0f req/CPU-s | replay/wrk %.2fx  replay/hey %.2fx\n",
      '"$i"', wn / s, w, rn / re, r, hn / s, h, r / w, r / h }' | tee -a "$T/ratios"
done
MAX=$(awk '{ split($0, a, "replay "); split(a[2], b, " "); if (b[1] > m) m = b[1] } END { print int(m) }' "$T/ratios")
echo "replay max (closed shape): $MAX req/s"

# With static assets fetched (issue 12): the same closed shape, but every page view pulls
# 4 assets over asset lanes (pooled connections), so 4 in 5 planned requests are assets (the
# plan is far above capacity: lanes and pages compete for the pool, and the line prints how
# many assets were done); the figure to compare with the row above is requests per CPU-second.
# ASSETS=0 skips it (a build without sessions.assets refuses the scenario).
if [ "${ASSETS:-1}" = 1 ]; then
  cat >"$T/assets.model.json" <<JSON
{"format":"stampede-traffic-model","version":1,
 "arrivals":{"session_rate":1000},"hawkes":{"fitted":false},
 "sessions":{"think_time":{"dist":"lognormal","params":{"mu":-5.3,"sigma":0.1}}},
 "routes":[{"template":"/","method":"GET","kind":"page","params":[],"share":0.2,
   "assets":{"window_s":2,"mean":4,"count_dist":[[4,1]],"templates":[{"route":1,"share":1}]}},
  {"template":"/s.css","method":"GET","kind":"static","params":[],"share":0.8}],
 "journeys":{"entry":[1,0],"transitions":[[0.9999999,0,0.0000001],[0,0,1]]}}
JSON
  scenario "$T/assets.json" "$T/assets.model.json" 1 \
    ',"stages":[{"duration":"1s","to":0}],"events":[{"at":"0s","sessions":50,"ramp":"10ms","hot":{"feeder":"f","ranks":[1]}}],"feeders":{"f":{"file":"f.csv"}}'
  jq '.routes["/s.css"] = {"path": "/index.html"} | .sessions.assets = "fetch"' "$T/assets.json" >"$T/a2.json"
  for i in $(seq "$RUNS"); do
    /usr/bin/time -f "%U %S" -o "$T/t" taskset -c 1 "$REPLAY" run "$T/a2.json" -q --threads 1 -o "$T/ra.json" >/dev/null 2>&1
    jq -r --argjson c "$(cpu "$T/t")" '"assets run \('"$i"'): \(.counts.requests_done) requests (\(.routes | map(select(.route == "/s.css")) | .[0].done // 0) assets) in \(.elapsed_s) s, \(.counts.requests_done / $c | floor) req/CPU-s"' "$T/ra.json"
  done
fi

echo "== open model: achieved rate and send lateness at 25/50/80% of max"
model "$T/open.model.json" 0 1
for pct in 25 50 80; do
  rate=$((MAX * pct / 100))
  scenario "$T/open.json" "$T/open.model.json" "$(awk -v r="$rate" 'BEGIN { printf "%.6f", r / 1000 }')" ""
  taskset -c 1 "$REPLAY" run "$T/open.json" -q --threads 1 -o "$T/o.json" >/dev/null 2>&1
  jq -r --arg p "$pct" --argjson r "$rate" '"\($p)% of max (\($r)/s planned): achieved \(.counts.requests_done / .elapsed_s | floor)/s, send lateness p50 \(.summary.lateness_us.p50) us, p99 \(.summary.lateness_us.p99) us, late>10ms \(.counts.late_sends), errors \(.counts.errors | add)"' "$T/o.json"
done

echo "== HTTP/2 over TLS: replay vs h2load, $H2_CONNS connections x $H2_STREAMS streams (same nginx)"
H2N=$((H2_CONNS * H2_STREAMS))
scenario "$T/h2.json" "$T/closed.model.json" 1 \
  ',"stages":[{"duration":"1s","to":0}],"events":[{"at":"0s","sessions":'"$H2N"',"ramp":"10ms","hot":{"feeder":"f","ranks":[1]}}],"feeders":{"f":{"file":"f.csv"}},"tls":{"insecure":true}' \
  "https://127.0.0.1:$H2PORT"
jq '.http.version = "2" | .http.max_streams = '"$H2_STREAMS"' | .sessions.pool_size = '"$H2_CONNS" "$T/h2.json" >"$T/h2b.json"
for i in $(seq "$RUNS"); do
  /usr/bin/time -f "%U %S" -o "$T/t" taskset -c 1 h2load -t1 -c"$H2_CONNS" -m"$H2_STREAMS" -D"$SECS" \
    "https://127.0.0.1:$H2PORT/index.html" >"$T/h2load" 2>&1
  hn=$(awk '/^requests:/ {print $8}' "$T/h2load")
  hc=$(cpu "$T/t")
  /usr/bin/time -f "%U %S" -o "$T/t" taskset -c 1 "$REPLAY" run "$T/h2b.json" -q --threads 1 -o "$T/r2.json" >/dev/null 2>&1
  rn=$(jq '.routes[0].http_versions["2"] // 0' "$T/r2.json")
  rc=$(cpu "$T/t")
  re=$(jq .elapsed_s "$T/r2.json")
  re_err=$(jq '.counts.errors | add' "$T/r2.json")
  awk -v hn="$hn" -v hc="$hc" -v rn="$rn" -v rc="$rc" -v re="$re" -v s="$SECS" 'BEGIN {
    h = hn / hc; r = rn / rc;
    printf "h2 run %d: h2load %.0f req/s, %.0f req/CPU-s | replay %.0f req/s, %.0f req/CPU-s (HTTP/2 responses only, %d errors) | replay/h2load %.2fx\n",
      '"$i"', hn / s, h, rn / re, r, '"$re_err"', r / h }'
done
