#!/usr/bin/env bash
# ws_idle_sessions.sh -- how many idle WebSocket sessions replay/ws.h holds from one process,
# and what each costs in client memory. A benchmark, not a test (never registered in ctest).
#
# Goal (issue 6): 50,000 concurrent idle sessions from one process on this 2-core machine,
# <= 16 KiB of client memory per session. Peers (ANCHORS.md): k6 0.36-0.8 MB per VU, Tsung
# ~84 KiB per user, a CONNECT_ONLY+wslay prototype here ~25 kB per session.
#
# What it does:
#   1. builds ws_bench_server and ws_bench_client into BUILD (default build-ws);
#   2. starts ws_bench_server (tests/bench/ws_bench_server.c, ours: an epoll idle/echo server;
#      fixtures/shop keeps a civetweb thread and a pooled database connection per WebSocket,
#      so it cannot hold tens of thousands) on 127.0.0.1, 8 ports, so 4-tuples never run out;
#   3. runs ws_bench_client: N sessions on one epoll loop, at most 256 connecting at once,
#      holds them idle for HOLD seconds, closes them all with 1000;
#   4. repeats at KEEP_N sessions with --keep-curl (libcurl handles kept after the handshake,
#      as wss:// always does) for comparison;
#   5. wss://: WSS_N sessions (default 500) against the python3-websockets echo server over
#      TLS (tests/integ/ws_echo_server.py, throwaway certificate): libcurl and its OpenSSL
#      state stay for the session's life, so this is the wss:// cost per session;
#   6. with --procs P, also splits N over P client processes (and P servers): this shows
#      what the machine holds when one process's descriptor limit is the wall.
# Every process it starts is killed by pid on exit.
#
# Usage: tests/bench/ws_idle_sessions.sh [-n N] [--hold S] [--keep-n M] [--wss-n M] [--procs P]
#                                        [--build DIR]
# Example: tests/bench/ws_idle_sessions.sh -n 50000 --procs 3
set -u
cd "$(dirname "$0")/../.." || exit 2
n=50000 hold=10 keep_n=2000 wss_n=500 procs=1 build=build-ws
while [ $# -gt 0 ]; do
  case $1 in
    -n) n=$2; shift ;;
    --hold) hold=$2; shift ;;
    --keep-n) keep_n=$2; shift ;;
    --wss-n) wss_n=$2; shift ;;
    --procs) procs=$2; shift ;;
    --build) build=$2; shift ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "ws_idle_sessions: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
[ -d "$build" ] || cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 3
cmake --build "$build" -j2 --target ws_bench_server ws_bench_client >/dev/null || exit 3
srv=$build/tests/ws_bench_server cli=$build/tests/ws_bench_client
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT

# start_server IDX BASEPORT: 8 ports from BASEPORT; waits for READY.
start_server() {
  local args=() p
  for p in $(seq "$2" $(($2 + 7))); do args+=(--port "$p"); done
  "$srv" "${args[@]}" >"$tmp/srv$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do grep -qs READY "$tmp/srv$1.log" && return 0; sleep 0.1; done
  echo "ws_idle_sessions: server $1 did not start:" >&2; cat "$tmp/srv$1.log" >&2; exit 3
}
ports() { local p; for p in $(seq "$1" $(($1 + 7))); do printf -- '--port %s ' "$p"; done; }
val() { sed -n "s/^$1=//p" "$2" | head -1; }

echo "ws_idle_sessions: $(date -u +%FT%TZ) $(nproc) cores, kernel $(uname -r), libcurl $(curl-config --version 2>/dev/null | cut -d' ' -f2)"
echo "descriptor limit of this shell: soft $(ulimit -Sn), hard $(ulimit -Hn); ip_local_port_range $(cat /proc/sys/net/ipv4/ip_local_port_range | tr '\t' '-')"
base=21100 # below the ephemeral range (32768-60999), so no client socket holds it
start_server 0 $base
echo
echo "== one process, $n sessions requested, idle ${hold}s"
/usr/bin/time -v "$cli" --sessions "$n" $(ports $base) --hold "$hold" >"$tmp/one.out" 2>"$tmp/one.time"
rc=$?
grep -vE '^stuck_session' "$tmp/one.out"
echo "max_rss_kib=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/one.time")"
opened=$(val sessions_opened "$tmp/one.out"); per=$(val rss_bytes_per_session "$tmp/one.out")
echo
echo "== one process, $keep_n sessions, --keep-curl (what wss:// costs before TLS state)"
"$cli" --sessions "$keep_n" $(ports $base) --hold 1 --keep-curl >"$tmp/keep.out" 2>&1
grep -E '^(sessions_opened|rss_bytes_per_session|heap_bytes_per_session|fd_limit=)' "$tmp/keep.out"
kper=$(val rss_bytes_per_session "$tmp/keep.out")

wper=
if [ "$wss_n" -gt 0 ]; then
  echo
  echo "== one process, $wss_n wss:// sessions (server: python3-websockets over TLS)"
  if openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
       -addext subjectAltName=IP:127.0.0.1 -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null; then
    /usr/bin/python3 tests/integ/ws_echo_server.py --tls "$tmp/cert.pem" "$tmp/key.pem" >"$tmp/tls.out" 2>"$tmp/tls.err" &
    pids+=($!)
    for _ in $(seq 50); do grep -q PORT "$tmp/tls.out" && break; sleep 0.1; done
    tport=$(sed -n 's/^PORT //p' "$tmp/tls.out")
    "$cli" --sessions "$wss_n" --port "$tport" --hold 1 --inflight 32 --tls-ca "$tmp/cert.pem" >"$tmp/wss.out" 2>&1
    grep -E '^(sessions_opened|open_seconds|handshake_us_p50|rss_bytes_per_session|heap_bytes_per_session|first_error)=' "$tmp/wss.out"
    wper=$(val rss_bytes_per_session "$tmp/wss.out")
  else
    echo "openssl could not make a test certificate: wss:// not measured"
  fi
fi

if [ "$procs" -gt 1 ]; then
  echo
  echo "== $n sessions over $procs processes (one server process each)"
  for i in $(seq 1 $((procs - 1))); do start_server "$i" $((base + 100 * i)); done
  cpids=()
  for i in $(seq 0 $((procs - 1))); do
    share=$((n / procs + (i < n % procs ? 1 : 0)))
    "$cli" --sessions "$share" $(ports $((base + 100 * i))) --hold "$hold" >"$tmp/p$i.out" 2>&1 &
    cpids+=($!); pids+=($!)
  done
  tot=0 held=0
  for i in $(seq 0 $((procs - 1))); do
    wait "${cpids[$i]}"
    o=$(val sessions_opened "$tmp/p$i.out"); h=$(val "held_after_${hold}s" "$tmp/p$i.out")
    echo "process $i: opened $o, held ${h:-0} after ${hold}s, open $(val open_seconds "$tmp/p$i.out") s, rss/session $(val rss_bytes_per_session "$tmp/p$i.out") B, closed clean $(val closed_clean "$tmp/p$i.out") in $(val close_seconds "$tmp/p$i.out") s $(grep -E '^(first_error|stuck_session)=' "$tmp/p$i.out" | head -2 | tr '\n' ' ')"
    tot=$((tot + ${o:-0})); held=$((held + ${h:-0}))
  done
  echo "total: $tot opened, $held held concurrently after ${hold}s across $procs processes"
fi

echo
echo "== summary"
echo "one process: $opened of $n sessions; client RSS per session ${per:-?} B (goal 16384 B)"
[ -n "${per:-}" ] && awk -v p="$per" -v k="${kper:-0}" -v w="${wper:-0}" 'BEGIN {
  printf "ratios (per-session memory, lower is better): vs goal 16 KiB %.2fx; vs prototype 25 kB %.2fx; vs Tsung 84 KiB %.3fx; vs k6 0.36 MB %.4fx\n", p/16384, p/25000, p/86016, p/360000
  if (k > 0) printf "keep-curl mode: %.0f B per session, %.2fx the default mode\n", k, k/p
  if (w > 0) printf "wss:// : %.0f B per session, %.2fx the default (ws://) mode\n", w, w/p }'
if [ "${opened:-0}" -lt "$n" ]; then
  echo "why it stopped at ${opened:-0}: $(grep -E '^(note|fd_limit_raise|first_error)=' "$tmp/one.out" | tr '\n' ' ')"
fi
exit 0
