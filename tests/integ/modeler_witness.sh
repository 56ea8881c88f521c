#!/usr/bin/env bash
# Witness test: a real server writes the log in its own format, and modeler fit must read
# back exactly what was sent. Usage: modeler_witness.sh apache|nginx|haproxy
#   apache  - Debian's /usr/sbin/apache2 with a custom LogFormat: microsecond times through
#             %{%Y-%m-%d %H:%M:%S}t.%{usec_frac}t in local time (TZ=Europe/Berlin, fitted
#             with --tz Europe/Berlin), %D, and extra fields (%{ms}T, %v:%p, %k, a header);
#   nginx   - a log_format with escape=json, fitted with the nginx-json preset;
#   haproxy - option httplog, logging to stdout in rfc3164 syslog form, fitted as haproxy.
# Each front server is started by this test on a private loopback port with its own config
# and proxies to witness_backend.py, whose routes answer after known delays (20 ms, 60 ms,
# none). A fixed sequence of 36 requests is sent with curl (measuring each); then:
#   - requests per route in the model equal the requests sent per route;
#   - each route's fitted request-time median equals the median of the server's own logged
#     values (read from the raw log by an independent Python parser), and lies between the
#     backend's delay and the median the client measured;
#   - the fitted first request time is within 2 s of the client's clock at the first send.
# haproxy also logs the readiness probe's empty connection as "<BADREQ>": a real malformed
# line, counted as bad_request and not a request (the counts above prove it).
set -u
which=${1:?usage: modeler_witness.sh apache|nginx|haproxy}
bin=${ST_BIN_DIR:?}/modeler/modeler
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  [ -f "$tmp/front.pid" ] && kill "$(cat "$tmp/front.pid")" 2>/dev/null
  sleep 0.3
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
chmod 755 "$tmp"
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
wait_port() { # wait_port PORT: up to 10 s
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

python3 "$here/witness_backend.py" "$tmp/bport" & pids+=($!)
for _ in $(seq 50); do [ -s "$tmp/bport" ] && break; sleep 0.1; done
bport=$(cat "$tmp/bport" 2>/dev/null) || { echo "FAIL: backend did not start"; exit 1; }
port=$(free_port)
log=$tmp/access.log

case "$which" in
apache)
  user=""
  [ "$(id -u)" = 0 ] && user="User nobody
Group nogroup"
  cat >"$tmp/httpd.conf" <<CONF
ServerRoot $tmp
ServerName witness.local
Listen 127.0.0.1:$port
PidFile $tmp/front.pid
DefaultRuntimeDir $tmp
Mutex file:$tmp default
ErrorLog $tmp/error.log
$user
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so
LoadModule proxy_http_module /usr/lib/apache2/modules/mod_proxy_http.so
LogFormat "%a %l %u [%{%Y-%m-%d %H:%M:%S}t.%{usec_frac}t] \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\" %D %{ms}T %v:%p %k \"%{X-Witness}i\"" witness
CustomLog $log witness
ProxyPass "/" "http://127.0.0.1:$bport/"
CONF
  TZ=Europe/Berlin /usr/sbin/apache2 -f "$tmp/httpd.conf" -DFOREGROUND >"$tmp/front.out" 2>&1 & pids+=($!)
  fmt='apache:%a %l %u [%{%Y-%m-%d %H:%M:%S}t.%{usec_frac}t] "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D %{ms}T %v:%p %k "%{X-Witness}i"'
  extra=(--tz Europe/Berlin)
  ;;
nginx)
  mkdir -p "$tmp/nginx"
  cat >"$tmp/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $tmp/front.pid;
error_log $tmp/error.log;
events { worker_connections 64; }
http {
  client_body_temp_path $tmp/nginx/body; proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fcgi; uwsgi_temp_path $tmp/nginx/uwsgi; scgi_temp_path $tmp/nginx/scgi;
  log_format witness escape=json '{"time_iso8601":"\$time_iso8601","msec":"\$msec",'
    '"remote_addr":"\$remote_addr","request":"\$request","status":"\$status",'
    '"body_bytes_sent":"\$body_bytes_sent","request_time":"\$request_time",'
    '"http_referer":"\$http_referer","http_user_agent":"\$http_user_agent",'
    '"upstream_response_time":"\$upstream_response_time"}';
  access_log $log witness;
  server {
    listen 127.0.0.1:$port;
    location / { proxy_pass http://127.0.0.1:$bport; proxy_http_version 1.1; }
  }
}
CONF
  nginx -e "$tmp/error.log" -p "$tmp" -c "$tmp/nginx.conf" >"$tmp/front.out" 2>&1 & pids+=($!)
  fmt=nginx-json
  extra=()
  ;;
haproxy)
  cat >"$tmp/haproxy.cfg" <<CONF
global
  log stdout format rfc3164 local0
  pidfile $tmp/front.pid
defaults
  mode http
  log global
  option httplog
  timeout connect 5s
  timeout client 30s
  timeout server 30s
frontend fe
  bind 127.0.0.1:$port
  default_backend be
backend be
  server s1 127.0.0.1:$bport
CONF
  haproxy -db -f "$tmp/haproxy.cfg" >"$log" 2>"$tmp/front.out" & pids+=($!)
  fmt=haproxy
  extra=()
  ;;
*) echo "usage: modeler_witness.sh apache|nginx|haproxy"; exit 2 ;;
esac
wait_port "$port" || { echo "FAIL: $which did not start"; cat "$tmp/front.out" "$tmp/error.log" 2>/dev/null; exit 1; }

# The request sequence: route label, method, path. 15 + 9 + 5 + 7 = 36 requests.
: >"$tmp/sent"
send() { # send LABEL METHOD PATH
  local t0 out
  t0=$(date +%s.%N)
  out=$(curl -s -o /dev/null -X "$2" -A 'Mozilla/5.0 (X11; witness)' -H 'X-Witness: yes' \
        -w '%{http_code} %{time_total}' --max-time 10 "http://127.0.0.1:$port$3")
  echo "$1 $t0 $out" >>"$tmp/sent"
}
for i in $(seq 1 15); do send products GET "/products/$i"; done
for i in $(seq 1 9); do send slow GET "/api/slow/$((i * 7))"; done
for i in $(seq 1 5); do send search GET "/search?q=lamp$i"; done
for i in $(seq 1 7); do send cart POST "/cart"; done
sleep 1 # nginx and apache write the log line after the response; haproxy at stream end
for p in "${pids[@]:1}"; do kill "$p" 2>/dev/null; done
sleep 1

if ! "$bin" fit "$log" --format "$fmt" "${extra[@]}" --k-min 1 -o "$tmp/m.json" >"$tmp/fit.out" 2>&1; then
  echo "FAIL: modeler fit exited $?"; cat "$tmp/fit.out"; head -3 "$log"; exit 1
fi
cat "$tmp/fit.out"
python3 - "$which" "$log" "$tmp/sent" "$tmp/m.json" <<'PY'
import json, re, statistics, sys
which, logf, sentf, modelf = sys.argv[1:]
m = json.load(open(modelf))
sent = [l.split() for l in open(sentf)]
delay = {"products": 0.020, "slow": 0.060, "search": 0.0, "cart": 0.0}
tmpl = {"products": "/products/{id}", "slow": "/api/slow/{id}", "search": "/search?q={s}",
        "cart": "/cart"}
fail = 0
def check(ok, what):
    global fail
    print(("ok   " if ok else "FAIL ") + what)
    fail |= not ok
bad = [s for s in sent if s[2] not in ("200", "302")]
check(not bad, "every request answered (%d sent)" % len(sent))

# The server's own request times, read from the raw log independently of the modeler.
logged = {k: [] for k in delay}
def route_of(path):
    for k, p in (("products", "/products/"), ("slow", "/api/slow/"), ("search", "/search"),
                 ("cart", "/cart")):
        if path.startswith(p):
            return k
for line in open(logf, encoding="utf-8", errors="replace"):
    if which == "nginx":
        j = json.loads(line); path = j["request"].split()[1]; rt = float(j["request_time"])
    elif which == "apache":
        mm = re.search(r'"[A-Z]+ (\S+) HTTP/[0-9.]+" \d+ \S+ "[^"]*" "[^"]*" (\d+) ', line)
        path, rt = mm.group(1), int(mm.group(2)) / 1e6
    else:
        mm = re.search(r' \d+/\d+/\d+/\d+/(\d+) \d{3} .*"[A-Z]+ (\S+) HTTP', line)
        if not mm:
            continue
        path, rt = mm.group(2), int(mm.group(1)) / 1e3
    logged[route_of(path)].append(rt)

routes = {r["template"]: r for r in m["routes"]}
total = m["source"]["parsed"]
check(total == len(sent), "parsed %d lines = %d requests sent" % (total, len(sent)))
for k, t in tmpl.items():
    n_sent = sum(1 for s in sent if s[0] == k)
    r = routes.get(t)
    if not r:
        check(False, "route %s in the model (routes: %s)" % (t, list(routes)))
        continue
    n_model = round(r["share"] * total)
    check(n_model == n_sent, "%s: %d requests in the model, %d sent" % (t, n_model, n_sent))
    med_log = statistics.median(logged[k])
    med_fit = r.get("latency", {}).get("median_s")
    med_client = statistics.median(float(s[3]) for s in sent if s[0] == k)
    check(med_fit is not None and abs(med_fit - med_log) <= max(2e-6, 1e-3 * med_log),
          "%s: fitted median %s s = the log's own median %.6f s" % (t, med_fit, med_log))
    # nginx and haproxy log whole milliseconds; Apache's %D runs until the line is logged,
    # after the last byte went out, so it may pass what the client saw by a little.
    lo, hi = (0.0011, 0.0011) if which != "apache" else (1e-6, 0.003)
    check(delay[k] - lo <= med_log <= med_client + hi,
          "%s: backend delay %.3f s <= logged median %.6f s <= client-measured %.6f s"
          % (t, delay[k], med_log, med_client))
first_sent = min(float(s[1]) for s in sent)
d = m["source"]["first_ts"] - first_sent
check(abs(d) < 2, "first request at the client's clock (off by %.3f s)" % d)
sys.exit(fail)
PY
