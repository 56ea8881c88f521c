#!/usr/bin/env bash
# HTTP/2 and TLS in replay against Debian's nginx (issue 15, item 3). One case per run:
#   tls      "2" over TLS with a CA file the test makes (openssl), target https://localhost
#            (SNI), per-session connections: nginx logs HTTP/2.0 for every request, its count
#            equals what replay reports, each session used exactly one connection.
#   insecure "2" over TLS with tls.insecure, pooled: HTTP/2.0 everywhere, at most pool_size
#            connections (multiplexing under load is what tests/bench/replay_vs_wrk.sh's h2
#            row exercises).
#   h2c      cleartext HTTP/2 with prior knowledge (nginx `listen ... http2` without ssl).
#   require  "2" + require_version against an HTTPS listener that offers HTTP/1.1 only: every
#            response is refused, counted per route, reported, and the run fails its threshold;
#            without require_version the same run falls back to 1.1 and passes.
#   mtls     nginx requires a client certificate; with tls.client_cert/client_key every request
#            passes, without them nginx answers 400 to each one.
#   ws       WebSocket sessions next to "2": the upgrades go over HTTP/1.1, the requests over h2;
#            nginx requires a client certificate from both.
# Each run is a few seconds of the shop model at a small scale.
. "$(dirname "$0")/replay_lib.sh"
CASE=${1:?usage: replay_http2.sh tls|insecure|h2c|require|mtls|ws}
command -v openssl >/dev/null || fail "openssl is required"

# A CA and a server certificate for localhost/127.0.0.1 signed by it; a client certificate too.
make_certs() {
  local d=$T/pki
  mkdir -p "$d"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj "/CN=stampede test CA" -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null || fail "openssl CA"
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=localhost" \
    -keyout "$d/srv.key" -out "$d/srv.csr" 2>/dev/null || fail "openssl server key"
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$d/san.ext"
  openssl x509 -req -in "$d/srv.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
    -extfile "$d/san.ext" -out "$d/srv.pem" 2>/dev/null || fail "openssl server cert"
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=replay client" \
    -keyout "$d/cli.key" -out "$d/cli.csr" 2>/dev/null || fail "openssl client key"
  openssl x509 -req -in "$d/cli.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
    -out "$d/cli.pem" 2>/dev/null || fail "openssl client cert"
}

# start_h2_nginx LISTEN_OPTS SCHEME HOST [EXTRA] -> PORT, TARGET; log fields:
# protocol connection:requests sni=NAME end_time duration uri status
start_h2_nginx() {
  local opts=$1 scheme=$2 host=$3 extra=${4:-} user_line=""
  PORT=$(free_port)
  BPORT=$(free_port)
  while [ "$BPORT" = "$PORT" ]; do BPORT=$(free_port); done
  TARGET=$scheme://$host:$PORT
  mkdir -p "$T/ngx/logs" "$T/ngx/www"
  head -c 200 /dev/zero | tr '\0' x >"$T/ngx/www/index.html"
  [ "$(id -u)" = 0 ] && user_line="user root;"
  cat >"$T/ngx/nginx.conf" <<CONF
$user_line
worker_processes 1;
daemon off;
pid $T/ngx/nginx.pid;
error_log $T/ngx/logs/error.log warn;
events { worker_connections 1024; }
http {
  log_format h2 '\$server_protocol \$connection:\$connection_requests sni=\$ssl_server_name \$msec \$request_time \$request_uri \$status';
  access_log $T/access.log h2;
  keepalive_requests 1000000;
  client_body_temp_path $T/ngx/body;
  proxy_temp_path $T/ngx/proxy;
  fastcgi_temp_path $T/ngx/fcgi;
  uwsgi_temp_path $T/ngx/uwsgi;
  scgi_temp_path $T/ngx/scgi;
  server {
    listen 127.0.0.1:$PORT $opts;
    ssl_certificate $T/pki/srv.pem;
    ssl_certificate_key $T/pki/srv.key;
    $extra
    root $T/ngx/www;
    location = / { try_files /index.html =404; }
    location /categories/ { return 200 "category"; }
    location /products/ { return 200 "product"; }
    # POSTs go through proxy_pass, which reads the whole body before answering: nginx's
    # \`return\` answers before the body has arrived and resets the stream (RFC 9113 §8.1
    # allows that), which libcurl 7.88 now and then reports as CURLE_HTTP2_STREAM.
    location = /cart { proxy_pass http://127.0.0.1:$BPORT; }
    location = /checkout { proxy_pass http://127.0.0.1:$BPORT; }
  }
  server {
    listen 127.0.0.1:$BPORT;
    access_log off;
    location = /cart { return 200 '{"cart_id":"c-42"}'; }
    location = /checkout { return 200 '{"ok":true}'; }
  }
}
CONF
  "$NGINX" -p "$T/ngx" -c "$T/ngx/nginx.conf" &
  NGINX_PID=$!
  local probe=(curl -s -o /dev/null --cacert "$T/pki/ca.pem")
  [ "$scheme" = http ] && [ -n "$opts" ] && probe+=(--http2-prior-knowledge)
  case $CASE in mtls | ws) probe+=(--cert "$T/pki/cli.pem" --key "$T/pki/cli.key") ;; esac
  for _ in $(seq 50); do
    "${probe[@]}" "$TARGET/__ready" && break
    sleep 0.1
  done
  "${probe[@]}" "$TARGET/__ready" || fail "nginx did not start (see $T/ngx/logs/error.log)"
  for _ in $(seq 50); do
    [ "$(grep -c ' /__ready ' "$T/access.log" 2>/dev/null)" -ge 1 ] && break
    sleep 0.05
  done
  : >"$T/access.log"
}

# run_replay JQ_EDIT [replay flags...]: edits $T/s.json with jq, runs, waits for nginx's log.
run_replay() {
  local edit=$1
  shift
  jq "$edit" "$T/s.json" >"$T/s2.json" || fail "jq edit of the scenario"
  set +e
  "$REPLAY" run "$T/s2.json" --no-progress -o "$T/r.json" "$@" >"$T/out.txt" 2>"$T/err.txt"
  RC=$?
  set -e
  cat "$T/err.txt" >&2
  sleep 0.3 # nginx writes a request's log line just after the response
}

done_n() { jq '.counts.requests_done' "$T/r.json"; }
v2_n() { jq '[.routes[].http_versions["2"] // 0] | add' "$T/r.json"; }
log_n() { wc -l <"$T/access.log"; }
conns() { awk '{ split($2, a, ":"); print a[1] }' "$T/access.log" | sort -u | wc -l; }
# Requests that were in flight on their connection while an earlier one there was still being
# answered: streams multiplexed at once (HTTP/1.1 cannot have any).
overlaps() {
  awk '{ split($2, a, ":"); printf "%s %.3f %.3f\n", a[1], $4 - $5, $4 }' "$T/access.log" | sort -k1,1n -k2,2n |
    awk '$1 != c { c = $1; e = 0 } { if ($2 < e) n++; if ($3 > e) e = $3 } END { print n + 0 }'
}
check_all_h2() {
  local n d
  n=$(log_n)
  d=$(done_n)
  [ "$n" -gt 50 ] || fail "only $n requests reached nginx"
  [ "$n" = "$d" ] || fail "nginx logged $n requests, replay reports $d done"
  [ "$(grep -vc '^HTTP/2.0 ' "$T/access.log")" = 0 ] || fail "nginx logged a request that is not HTTP/2.0: $(grep -v '^HTTP/2.0 ' "$T/access.log" | head -1)"
  [ "$(v2_n)" = "$d" ] || fail "results.json: $(v2_n) responses over HTTP/2 of $d done"
  jq -e '.scenario.http_version == "'"$1"'"' "$T/r.json" >/dev/null || fail "results.scenario.http_version is not $1"
  grep -q "responses by version: HTTP/2 $d" "$T/out.txt" || fail "summary lacks the version line: $(grep http "$T/out.txt")"
}

set -e
make_certs
case $CASE in
tls)
  start_h2_nginx "ssl http2" https localhost
  make_scenario 4s 8
  run_replay '.http.version = "2" | .tls.ca_file = "'"$T"'/pki/ca.pem"'
  [ "$RC" = 0 ] || fail "replay exited $RC"
  check_all_h2 2
  [ "$(grep -vc ' sni=localhost ' "$T/access.log")" = 0 ] || fail "a request came without SNI localhost"
  s=$(jq '.counts.sessions_started' "$T/r.json")
  c=$(conns)
  # per-session: each session multiplexes on its own connection, never on another's.
  [ "$c" = "$s" ] || fail "per-session HTTP/2: $c connections for $s sessions"
  # The report's per-route table shows the version.
  "$REPLAY" report "$T/r.json" -o "$T/r.html" -q || fail "report failed"
  grep -q '<th>HTTP</th>' "$T/r.html" && grep -q '</code></td><td>2</td>' "$T/r.html" || fail "report lacks the HTTP column"
  # A CA file that did not sign the server's certificate: the pre-flight check fails, exit 3.
  run_replay '.http.version = "2" | .tls.ca_file = "'"$T"'/pki/cli.pem"'
  [ "$RC" = 3 ] && grep -q "cannot reach target https://localhost:$PORT: .*certificate" "$T/err.txt" \
    || fail "a wrong tls.ca_file: exit $RC, want 3 naming the certificate problem"
  echo "PASS https h2 with ca_file: $(log_n) requests, all HTTP/2.0, $c connections for $s sessions, SNI localhost; a wrong CA is exit 3"
  ;;
insecure)
  # The home page is slowed to ~0.3 s per response (64 KB at 200 KB/s), so that sessions'
  # requests overlap and must share the pool's connections as concurrent streams.
  start_h2_nginx "ssl http2" https 127.0.0.1 "limit_rate 200k;"
  head -c 65536 /dev/zero | tr '\0' x >"$T/ngx/www/index.html"
  make_scenario 4s 8
  run_replay '.http.version = "2" | .http.max_streams = 8 | .tls.insecure = true | .sessions.connection = "pooled" | .sessions.pool_size = 2' --threads 1
  [ "$RC" = 0 ] || fail "replay exited $RC"
  check_all_h2 2
  c=$(conns)
  o=$(overlaps)
  [ "$c" -le 2 ] || fail "pooled h2 with pool_size 2 opened $c connections"
  [ "$o" -ge 5 ] || fail "pooled h2: only $o requests overlapped another on its connection (no multiplexing?)"
  echo "PASS https h2 insecure pooled: $(log_n) requests, all HTTP/2.0, $c connections (pool 2), $o sent while another was in flight on the same connection"
  ;;
h2c)
  start_h2_nginx "http2" http 127.0.0.1
  make_scenario 4s 8
  run_replay '.http.version = "h2c"'
  [ "$RC" = 0 ] || fail "replay exited $RC"
  check_all_h2 h2c
  n=$(log_n)
  s=$(jq '.counts.sessions_started' "$T/r.json")
  # A session's later requests reuse its connection (libcurl < 8.0: asked for as plain HTTP/2).
  [ "$(conns)" = "$s" ] && [ "$n" -gt "$s" ] || fail "per-session h2c: $(conns) connections for $s sessions, $n requests"
  # Pooled h2c: libcurl < 8.0 cannot reuse a prior-knowledge connection, so replay refuses it
  # (exit 2, naming the field); a newer libcurl runs it over HTTP/2.
  : >"$T/access.log"
  run_replay '.http.version = "h2c" | .sessions.connection = "pooled" | .sessions.pool_size = 2'
  libcurl=$(curl -V | sed -n '1s/.* libcurl\/\([0-9]*\)\..*/\1/p')
  if [ "${libcurl:-0}" -lt 8 ]; then
    [ "$RC" = 2 ] && grep -q 'scenario.http.version: "h2c" with sessions.connection "pooled" needs libcurl 8.0' "$T/err.txt" \
      || fail "pooled h2c on libcurl $libcurl: exit $RC, want 2 with the reason"
    echo "PASS h2c prior knowledge: $n requests, all HTTP/2.0; pooled h2c refused on libcurl $libcurl"
  else
    [ "$RC" = 0 ] || fail "pooled h2c: replay exited $RC"
    check_all_h2 h2c
    echo "PASS h2c prior knowledge: $n requests per-session and $(log_n) pooled, all HTTP/2.0"
  fi
  ;;
require)
  start_h2_nginx "ssl" https localhost
  make_scenario 3s 8
  run_replay '.http.version = "2" | .http.require_version = true | .tls.ca_file = "'"$T"'/pki/ca.pem" | .thresholds = ["rate(errors) < 1%"]'
  [ "$RC" = 1 ] || fail "replay exited $RC, want 1 (the error threshold fails)"
  d=$(done_n)
  [ "$(grep -vc '^HTTP/1.1 ' "$T/access.log")" = 0 ] || fail "the 1.1-only listener logged another protocol"
  jq -e '[.routes[] | .version_refused == (.http_versions["1.1"] // 0) and .version_refused == .errors.other] | all' "$T/r.json" >/dev/null \
    || fail "per-route refusals do not match the 1.1 responses and the errors: $(jq -c '[.routes[] | {version_refused, http_versions, errors}]' "$T/r.json")"
  r=$(jq '[.routes[].version_refused] | add' "$T/r.json")
  [ "$r" = "$d" ] && [ "$d" -gt 10 ] || fail "$r refused of $d done"
  grep -q "REFUSED   $d responses came over a connection that fell back to HTTP/1.x" "$T/out.txt" || fail "summary does not report the refusals"
  "$REPLAY" report "$T/r.json" -o "$T/r.html" -q || fail "report failed"
  grep -q "but $d of $d responses (100.0%) came over HTTP/1.x: http.require_version refused them" "$T/r.html" \
    || fail "the report's summary does not explain the refusals"
  # Without require_version the fallback is allowed: every response counted as 1.1, no error
  # (pooled, so that the engine's in-flight cap drops to one request per connection).
  : >"$T/access.log"
  run_replay '.http.version = "2" | .tls.ca_file = "'"$T"'/pki/ca.pem" | .thresholds = ["rate(errors) < 1%"] | .sessions.connection = "pooled" | .sessions.pool_size = 2 | .http.max_streams = 50'
  [ "$RC" = 0 ] || fail "fallback allowed: replay exited $RC"
  f=$(jq '[.routes[].http_versions["1.1"] // 0] | add' "$T/r.json")
  [ "$f" = "$(done_n)" ] && [ "$f" = "$(log_n)" ] && [ "$(jq '[.routes[].version_refused] | add' "$T/r.json")" = 0 ] \
    || fail "fallback allowed: $f responses over 1.1 of $(done_n) done, $(log_n) logged"
  "$REPLAY" report "$T/r.json" -o "$T/r.html" -q || fail "report failed"
  grep -q "came over HTTP/1.x: the server did not negotiate HTTP/2" "$T/r.html" || fail "the report does not say the run fell back to 1.1"
  echo "PASS require_version: $r of $d responses refused over HTTP/1.1, per route, exit 1; without it $f over 1.1, exit 0"
  ;;
mtls)
  start_h2_nginx "ssl http2" https localhost "ssl_client_certificate $T/pki/ca.pem; ssl_verify_client on;"
  make_scenario 3s 8
  run_replay '.http.version = "2" | .tls.ca_file = "'"$T"'/pki/ca.pem" | .tls.client_cert = "'"$T"'/pki/cli.pem" | .tls.client_key = "'"$T"'/pki/cli.key"'
  [ "$RC" = 0 ] || fail "replay exited $RC"
  check_all_h2 2
  [ "$(grep -vc ' 200$' "$T/access.log")" = 0 ] || fail "a request with the client certificate was not 200"
  : >"$T/access.log"
  run_replay '.http.version = "2" | .tls.ca_file = "'"$T"'/pki/ca.pem"'
  n=$(jq '[.routes[].status["4xx"]] | add' "$T/r.json")
  [ "$n" = "$(done_n)" ] && [ "$n" -gt 10 ] || fail "without a client certificate: $n 4xx of $(done_n)"
  echo "PASS client certificate: accepted with tls.client_cert, $n x 400 without"
  ;;
ws)
  # WebSockets next to HTTP/2: the upgrade needs HTTP/1.1 (RFC 6455; nginx 1.22 has no RFC 8441),
  # so the WebSocket client must offer http/1.1 by ALPN on the same h2 listener while the
  # session's requests go over HTTP/2. nginx proxies the upgrade to python3-websockets.
  /usr/bin/python3 -c 'import websockets' 2>/dev/null || fail "python3-websockets missing"
  /usr/bin/python3 "$SRC/tests/integ/ws_echo_server.py" >"$T/echo.out" 2>"$T/echo.err" &
  ECHO_PID=$!
  # nginx first: the echo server waits for its open connections to close before it exits.
  trap 'rc=$?; cleanup; kill $ECHO_PID 2>/dev/null; wait $ECHO_PID 2>/dev/null || true; exit $rc' EXIT
  for _ in $(seq 50); do EP=$(sed -n 's/^PORT //p' "$T/echo.out"); [ -n "$EP" ] && break; sleep 0.1; done
  [ -n "$EP" ] || fail "echo server did not start: $(cat "$T/echo.err")"
  # nginx also requires a client certificate, so the upgrades must present scenario.tls's too.
  start_h2_nginx "ssl http2" https localhost "ssl_client_certificate $T/pki/ca.pem; ssl_verify_client on; location /echo { proxy_pass http://127.0.0.1:$EP; proxy_http_version 1.1; proxy_set_header Upgrade \$http_upgrade; proxy_set_header Connection upgrade; }"
  make_scenario 3s 4
  run_replay '.http.version = "2" | .tls.ca_file = "'"$T"'/pki/ca.pem" | .tls.client_cert = "'"$T"'/pki/cli.pem" | .tls.client_key = "'"$T"'/pki/cli.key" | .websockets = {"count": 5, "ramp": "1s", "path": "/echo?p={$products}", "subscribe": "sub {$products}", "duration": "fixed 1s"}'
  [ "$RC" = 0 ] || fail "replay exited $RC"
  o=$(jq '.websockets.opened' "$T/r.json")
  [ "$o" = 5 ] && [ "$(jq '.websockets.handshake_failed' "$T/r.json")" = 0 ] || fail "WebSockets: $o of 5 opened: $(jq -c .websockets.handshake_failures "$T/r.json")"
  w=$(grep -c '^HTTP/1.1 .* /echo?p=[0-9]* 101$' "$T/access.log" || true)
  [ "$w" = 5 ] || fail "nginx logged $w HTTP/1.1 upgrades (101) of 5: $(grep /echo "$T/access.log" | head -2)"
  h=$(grep -vc ' /echo?' "$T/access.log" || true)
  [ "$(grep -v ' /echo?' "$T/access.log" | grep -vc '^HTTP/2.0 ' || true)" = 0 ] && [ "$h" = "$(done_n)" ] && [ "$h" -gt 10 ] \
    || fail "the HTTP requests next to the WebSockets: $h logged, $(done_n) done, not all HTTP/2.0"
  [ "$(grep -vc ' 101$\| 200$' "$T/access.log" || true)" = 0 ] || fail "a request or upgrade was refused (client certificate?)"
  echo "PASS WebSockets keep HTTP/1.1 next to HTTP/2: 5 upgrades over HTTP/1.1 (101), $h requests over HTTP/2.0, all with the client certificate"
  ;;
*) fail "unknown case $CASE" ;;
esac
