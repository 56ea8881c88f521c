#!/usr/bin/env bash
# replay's loop drives WebSocket sessions (replay/ws.c via replay/loop_ws.c) next to libcurl
# HTTP transfers: against tests/integ/ws_echo_server.py (python3-websockets), which also
# answers plain HTTP (426), so one server serves both.
set -u
drv=${1:?usage: replay_loop_ws.sh DRIVER}
here=$(cd "$(dirname "$0")" && pwd)
/usr/bin/python3 -c 'import websockets' 2>/dev/null || { echo "FAIL: python3-websockets missing (apt-get install python3-websockets)"; exit 1; }
tmp=$(mktemp -d)
/usr/bin/python3 "$here/ws_echo_server.py" >"$tmp/out" 2>"$tmp/err" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
port=
for _ in $(seq 50); do
  port=$(sed -n 's/^PORT //p' "$tmp/out" 2>/dev/null)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "FAIL: echo server did not start: $(cat "$tmp/err")"; exit 1; }
timeout 30 "$drv" "ws://127.0.0.1:$port/echo" "http://127.0.0.1:$port/"
