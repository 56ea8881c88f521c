#!/usr/bin/env bash
# ws_conformance.sh -- replay/ws.h against WebSocket servers nobody here wrote.
#   python: python3-websockets echo server (tests/integ/ws_echo_server.py): text, binary,
#           fragmented both ways, pings both ways, close both ways, oversize -> 1009,
#           dropped connection -> 1006, refused connect, wrong Sec-WebSocket-Accept, a frame
#           in the same segment as the 101 (a raw asyncio server, Python's SHA-1); the
#           main exchange runs twice: bare descriptor after the handshake, and --keep-curl
#           (curl_easy_send/recv throughout); then wss:// with a throwaway certificate
#           (exchange, server close, drop, and an untrusted certificate refused).
#   lws:    Debian's libwebsockets-test-server (lws-mirror-protocol echoes to every client).
# 127.0.0.1 only; every server is killed on exit; each driver run is bounded by `timeout`.
# A peer that cannot be started is a failure, never a skip.
# Usage: ws_conformance.sh python|lws WS_DRIVER
set -u
peer=${1:?usage: ws_conformance.sh python|lws WS_DRIVER}
drv=${2:?usage: ws_conformance.sh python|lws WS_DRIVER}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
fail=0
run() { # run NAME ARGS...: one bounded driver run
  local name=$1; shift
  echo "== $name"
  local t0=$SECONDS r=0
  timeout 20 "$drv" "$@" || r=$?
  if [ $r = 0 ]; then echo "== $name: pass ($((SECONDS - t0)) s)"; else echo "== $name: FAIL (exit $r)"; fail=1; fi
}
# wait_log PATTERN FILE: the server logs a close when its handler ends, a moment after our
# driver has finished; wait up to 3 s for it.
wait_log() {
  for _ in $(seq 30); do grep -q "$1" "$2" && return 0; sleep 0.1; done
  return 1
}
# Starts a python server with ARGS; sets $port. Fails loudly when it cannot start.
start_py() {
  local log=$tmp/py$#.$RANDOM
  /usr/bin/python3 "$here/ws_echo_server.py" "$@" >"$log.out" 2>"$log.err" &
  pids+=($!)
  for _ in $(seq 50); do
    port=$(sed -n 's/^PORT //p' "$log.out" 2>/dev/null)
    [ -n "$port" ] && { srvlog=$log.err; return 0; }
    sleep 0.1
  done
  echo "ws_conformance: python3-websockets server did not start:" >&2; cat "$log.err" >&2
  exit 1
}

case $peer in
python)
  /usr/bin/python3 -c 'import websockets' 2>/dev/null \
    || { echo "ws_conformance: python3-websockets missing (apt-get install python3-websockets)" >&2; exit 1; }
  start_py
  url=ws://127.0.0.1:$port/echo
  run conformance conformance "$url"
  wait_log 'server: closed 4000 client done' "$srvlog" \
    && echo "ok   server saw our close 4000 'client done'" \
    || { echo "FAIL server did not see close 4000 'client done'"; cat "$srvlog"; fail=1; }
  run conformance-keep-curl conformance "$url" --keep-curl
  run server-close server-close "$url"
  run oversize oversize "$url"
  wait_log 'server: closed 1009' "$srvlog" \
    && echo "ok   server saw our close 1009" \
    || { echo "FAIL server did not see close 1009"; cat "$srvlog"; fail=1; }
  run drop drop "$url"
  # A port that was just free: bind-and-release by python, nothing listens there.
  dead=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  run refused refused "ws://127.0.0.1:$dead/"
  # wss://: the same exchange over libcurl's TLS (OpenSSL), against a throwaway certificate
  # for 127.0.0.1 that the driver trusts through --ca (verification stays on).
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null \
    || { echo "ws_conformance: openssl could not make a test certificate" >&2; exit 1; }
  start_py --tls "$tmp/cert.pem" "$tmp/key.pem"
  run wss-conformance conformance "wss://127.0.0.1:$port/echo" --ca "$tmp/cert.pem"
  run wss-server-close server-close "wss://127.0.0.1:$port/echo" --ca "$tmp/cert.pem"
  run wss-drop drop "wss://127.0.0.1:$port/echo" --ca "$tmp/cert.pem"
  run wss-untrusted refused-tls "wss://127.0.0.1:$port/echo"
  start_py --bad-accept
  run bad-accept bad-accept "ws://127.0.0.1:$port/"
  start_py --early-frame
  run early-frame early-frame "ws://127.0.0.1:$port/"
  run early-frame-keep-curl early-frame "ws://127.0.0.1:$port/" --keep-curl
  run early-frame-seed-7 early-frame "ws://127.0.0.1:$port/" --seed 7
  # Sec-WebSocket-Key comes from the seeded stream: the same seed gives the same key.
  wait_log 'server: key .*' "$srvlog"
  for _ in $(seq 30); do [ "$(grep -c 'server: key' "$srvlog")" -ge 3 ] && break; sleep 0.1; done
  mapfile -t keys < <(sed -n 's/^server: key //p' "$srvlog")
  if [ "${#keys[@]}" = 3 ] && [ "${keys[0]}" = "${keys[1]}" ] && [ "${keys[0]}" != "${keys[2]}" ]; then
    echo "ok   Sec-WebSocket-Key reproducible per seed (${keys[0]}), different for another seed"
  else
    echo "FAIL Sec-WebSocket-Key not reproducible per seed: ${keys[*]}"; fail=1
  fi
  ;;
lws)
  bin=$(command -v libwebsockets-test-server || echo /usr/bin/libwebsockets-test-server)
  [ -x "$bin" ] || { echo "ws_conformance: libwebsockets-test-server missing (apt-get install libwebsockets-test-server)" >&2; exit 1; }
  port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  (cd "$tmp" && exec "$bin" -p "$port" --interface lo -d 1 >"$tmp/lws.log" 2>&1) &
  pids+=($!)
  for _ in $(seq 50); do
    (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break
    sleep 0.1
  done
  (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null \
    || { echo "ws_conformance: libwebsockets-test-server did not start:" >&2; cat "$tmp/lws.log" >&2; exit 1; }
  run lws-mirror lws "ws://127.0.0.1:$port/"
  run lws-mirror-keep-curl lws "ws://127.0.0.1:$port/" --keep-curl
  ;;
*) echo "usage: ws_conformance.sh python|lws WS_DRIVER" >&2; exit 2 ;;
esac
[ $fail = 0 ] && echo "ws_conformance $peer: all passed" || echo "ws_conformance $peer: FAILED"
exit $fail
