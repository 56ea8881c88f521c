#!/usr/bin/env bash
# Benchmark (not a test): trace mode's cost against model mode's, on the same traffic.
#
# A one-route model (sessions of ~20 requests, think ~50 ms) is planned in model mode; the
# plan is written as a trace (same sessions, same times); both are run against nginx (one
# worker on core 0, replay on core 1) and compared in requests per generator CPU-second
# (user + sys of the whole process, plan building included), alternating A B A B.
# Issue 17's goal: trace mode within 10% of model mode.
# Usage: tests/bench/replay_trace_vs_model.sh [BUILD_DIR] (default build); RUNS=3 SECS=10 RATE=3000.
set -u
cd "$(dirname "$0")/../.." || exit 2
B=${1:-build}
REPLAY=$PWD/$B/replay/replay
RUNS=${RUNS:-3}
SECS=${SECS:-10}
RATE=${RATE:-3000}
. scripts/deps.sh
st_ensure_packages nginx jq || exit 3
[ -x "$REPLAY" ] || { echo "build replay first: cmake --build $B --target replay" >&2; exit 2; }
[ "$(nproc)" -ge 2 ] || { echo "needs 2 cores" >&2; exit 3; }
T=$(mktemp -d /tmp/rp-bench.XXXXXX)
NGX=
trap '[ -n "$NGX" ] && kill $NGX 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT
mkdir -p "$T/www" "$T/logs"
head -c 200 /dev/zero | tr '\0' x >"$T/www/index.html"
cat >"$T/nginx.conf" <<CONF
$([ "$(id -u)" = 0 ] && echo "user root;")
worker_processes 1; daemon off; pid $T/nginx.pid; error_log $T/logs/error.log;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 10000000;
  server { listen 127.0.0.1:$PORT; root $T/www; location / { } } }
CONF
taskset -c 0 /usr/sbin/nginx -p "$T" -c "$T/nginx.conf" &
NGX=$!
sleep 0.5
curl -sf -o /dev/null "$URL/index.html" || { echo "nginx did not start" >&2; exit 3; }

cat >"$T/m.json" <<JSON
{"format":"stampede-traffic-model","version":1,
 "arrivals":{"session_rate":$(awk -v r="$RATE" 'BEGIN { print r / 20 }')},"hawkes":{"fitted":false},
 "sessions":{"think_time":{"dist":"lognormal","params":{"mu":-3.0,"sigma":0.3}}},
 "routes":[{"template":"/","method":"GET","kind":"page","params":[]}],
 "journeys":{"entry":[1],"transitions":[[0.95,0.05]]}}
JSON
cat >"$T/s.json" <<JSON
{"format":"stampede-scenario","version":1,"name":"bench","model":"$T/m.json","target":"$URL","seed":1,
 "duration":"${SECS}s","routes":{"/":{"path":"/index.html"}},
 "sessions":{"connection":"per-session","cookies":false},"limits":{"grace":"1s"}}
JSON
"$REPLAY" plan "$T/s.json" -q -o "$T/plan.ndjson" || exit 2
python3 - "$T/plan.ndjson" "$T/t.ndjson" <<'PY'
import json, sys
rank, lines = {}, []
for l in open(sys.argv[1]):
    o = json.loads(l)
    if "route" not in o:
        continue
    s = rank.setdefault(o["session"], len(rank))
    lines.append((o["t"], s, o["method"], o["route"]))
lines.sort()
with open(sys.argv[2], "w") as f:
    f.write(json.dumps({"format": "stampede-trace", "version": 1, "t0": 0, "sessions": len(rank),
                        "requests": len(lines)}) + "\n")
    for t, s, m, r in lines:
        f.write(json.dumps({"t": t, "s": s, "m": m, "r": r}) + "\n")
PY
cpu() { awk '{print $1 + $2}' "$1"; }
run() { # run EXTRA-ARGS...
  /usr/bin/time -f "%U %S" -o "$T/t" taskset -c 1 "$REPLAY" run "$T/s.json" -q --threads 1 -o "$T/r.json" "$@" >/dev/null 2>&1
  echo "$(jq '.counts.requests_done' "$T/r.json") $(cpu "$T/t") $(jq '.summary.lateness_us.p99 // 0' "$T/r.json")"
}
echo "== $(uptime | sed 's/.*load/load/') (a shared machine: compare ratios within one run)"
echo "== $(jq -s 'length' "$T/plan.ndjson") planned requests in ${SECS}s, model mode vs the same plan as a trace"
for i in $(seq "$RUNS"); do
  read -r mn mc ml <<<"$(run)"
  read -r tn tc tl <<<"$(run --trace "$T/t.ndjson")"
  awk -v mn="$mn" -v mc="$mc" -v tn="$tn" -v tc="$tc" -v ml="$ml" -v tl="$tl" 'BEGIN {
    printf "run %d: model %d req, %.0f req/CPU-s, lateness p99 %d us | trace %d req, %.0f req/CPU-s, lateness p99 %d us | trace/model %.2fx\n",
      '"$i"', mn, mn / mc, ml, tn, tn / tc, tl, (tn / tc) / (mn / mc) }'
done
