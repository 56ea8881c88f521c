#!/usr/bin/env bash
# Shared helpers for replay's integration tests (sourced, not run): a private nginx on
# 127.0.0.1 with an access log that has $msec, started and stopped by the test itself.
set -u
REPLAY=${ST_BIN_DIR:?ST_BIN_DIR not set}/replay/replay
SRC=${ST_SRC_DIR:?ST_SRC_DIR not set}
NGINX=${NGINX:-/usr/sbin/nginx}
[ -x "$NGINX" ] || { echo "FAIL: nginx not found at $NGINX (apt-get install nginx)"; exit 1; }
[ -x "$REPLAY" ] || { echo "FAIL: replay binary not built: $REPLAY"; exit 1; }
command -v jq >/dev/null || { echo "FAIL: jq is required"; exit 1; }
T=$(mktemp -d /tmp/rp-integ.XXXXXX)
NGINX_PID=
cleanup() {
  if [ -n "$NGINX_PID" ]; then kill "$NGINX_PID" 2>/dev/null; wait "$NGINX_PID" 2>/dev/null; fi
  for pf in "$T"/stall*.pid; do [ -f "$pf" ] && kill "$(cat "$pf")" 2>/dev/null; done
  [ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# start_nginx [EXTRA_SERVER_CONFIG] -> sets PORT, TARGET; access log in $T/access.log with
# "$msec $request_method $request_uri $status $http_traceparent sid=$cookie_sid c=CONN:N t=S";
# "/" sets a cookie "sid".
start_nginx() {
  local extra=${1:-} http_extra=${2:-}
  PORT=$(free_port)
  TARGET=http://127.0.0.1:$PORT
  mkdir -p "$T/ngx/logs" "$T/ngx/www"
  head -c 200 /dev/zero | tr '\0' x >"$T/ngx/www/index.html"
  local user_line=""
  [ "$(id -u)" = 0 ] && user_line="user root;"
  cat >"$T/ngx/nginx.conf" <<CONF
$user_line
worker_processes 1;
daemon off;
pid $T/ngx/nginx.pid;
error_log $T/ngx/logs/error.log warn;
events { worker_connections 4096; }
http {
  log_format rp '\$msec \$request_method \$request_uri \$status \$http_traceparent sid=\$cookie_sid c=\$connection:\$connection_requests t=\$request_time';
  access_log $T/access.log rp;
  $http_extra
  keepalive_requests 1000000;
  client_body_temp_path $T/ngx/body;
  proxy_temp_path $T/ngx/proxy;
  fastcgi_temp_path $T/ngx/fcgi;
  uwsgi_temp_path $T/ngx/uwsgi;
  scgi_temp_path $T/ngx/scgi;
  server {
    listen 127.0.0.1:$PORT;
    root $T/ngx/www;
    location = / { add_header Set-Cookie "sid=\$connection-\$connection_requests"; try_files /index.html =404; }
    location /categories/ { return 200 "category"; }
    location /products/ { return 200 "product"; }
    location = /cart { return 200 '{"cart_id":"c-42"}'; }
    location = /checkout { return 200 '{"ok":true}'; }
    $extra
  }
}
CONF
  "$NGINX" -p "$T/ngx" -c "$T/ngx/nginx.conf" &
  NGINX_PID=$!
  for _ in $(seq 50); do
    curl -s -o /dev/null "$TARGET/__ready" && break
    sleep 0.1
  done
  curl -s -o /dev/null "$TARGET/__ready" || fail "nginx did not start (see $T/ngx/logs/error.log)"
  # nginx logs a request just after answering it: wait for the probes' lines before emptying
  # the log, or one would land in the test's log.
  for _ in $(seq 50); do
    [ "$(grep -c ' /__ready ' "$T/access.log" 2>/dev/null)" -ge 2 ] && break
    sleep 0.05
  done
  : >"$T/access.log"
}

# A scenario for the reference shop model with a given body; writes $T/s.json.
# make_scenario DURATION SCALE [EVENTS_JSON] [EXTRA_TOP_LEVEL_JSON]
make_scenario() {
  local dur=$1 scale=$2 events=${3:-[]} extra=${4:-}
  cat >"$T/s.json" <<JSON
{
  "format": "stampede-scenario", "version": 1, "name": "integ",
  "model": "$SRC/models/shop.model.json",
  "target": "$TARGET", "seed": 11, "duration": "$dur", "scale": $scale,
  "feeders_dir": "$SRC/models/scenarios",
  "feeders": {"products": {"file": "hot/products.csv"}, "categories": {"file": "hot/categories.csv"}},
  "routes": {
    "/": {"path": "/"},
    "/categories/{id}": {"path": "/categories/{categories}"},
    "/products/{id}": {"path": "/products/{products}", "checks": {"status": [200]}},
    "/cart": {"method": "POST", "path": "/cart", "body": "{\"product_id\": {\$products}}",
              "captures": [{"var": "cart_id", "from": "json", "pointer": "/cart_id"}]},
    "/checkout": {"method": "POST", "path": "/checkout?cart={\$cart_id}", "checks": {"json": {"pointer": "/ok", "equals": true}}}
  },
  "sessions": {"think_scale": 0.2},
  "events": $events
  $extra
}
JSON
}
# run_segments SCENARIO N: N `replay run --segment i/N` processes (one thread each) started
# together 2 s from now (--start-at), as N machines would; results in $T/seg<i>.json. Fails
# the test when one exits non-zero.
run_segments() {
  local scen=$1 n=$2 at i p pids=()
  at=$(($(date +%s) + 2))
  for i in $(seq 1 "$n"); do
    "$REPLAY" run "$scen" -q --threads 1 --segment "$i/$n" --start-at "$at" -o "$T/seg$i.json" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || fail "a segment run exited non-zero"; done
}
