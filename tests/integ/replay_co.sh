#!/usr/bin/env bash
# Coordinated omission: a server that stalls for 1 s (replay_stall_server.py) must show up in
# the corrected latency (from the intended send time), not only in the service time. Requests
# of a session that fall due during the stall wait behind the stalled one: their service time
# is short, but their corrected latency carries the stall. Also checks threshold exit codes.
. "$(dirname "$0")/replay_lib.sh"
PORT=$(free_port)
TARGET=http://127.0.0.1:$PORT
python3 "$(dirname "$0")/replay_stall_server.py" "$PORT" 1.5 1.0 >"$T/stall.out" &
echo $! >"$T/stall.pid"
for _ in $(seq 50); do grep -q ready "$T/stall.out" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$T/stall.out" || fail "stall server did not start"
# Very short think times (median ~25 ms): a session has several requests due during the
# stall, held behind its stalled request. Those have short service times but carry the stall
# in corrected latency, so p90 separates the two measures.
make_scenario 5s 4 '[]' ',"thresholds": ["p90(latency) > 400ms", "p90(service) < 100ms", "p99(latency) > 800ms", "p99(service) < 1ms"]'
sed -i 's/"think_scale": 0.2/"think_scale": 0.005/' "$T/s.json"
"$REPLAY" run "$T/s.json" -o "$T/r.json" --threads 1 --no-progress
rc=$?
[ $rc = 1 ] || fail "expected exit 1 (the p99(service) < 1ms threshold must fail), got $rc"
jq -r '.thresholds[] | "\(.ok) \(.expr) = \(.display)"' "$T/r.json"
jq -e '.thresholds[0].ok and .thresholds[1].ok and .thresholds[2].ok and (.thresholds[3].ok | not)' "$T/r.json" >/dev/null \
  || fail "the stall must dominate corrected p90/p99 while the service-time p90 stays under 100 ms"
blocked=$(jq .counts.blocked_sends "$T/r.json")
[ "$blocked" -gt 0 ] || fail "no request waited behind the stall (blocked_sends = 0)"
echo "$blocked sends waited behind a stalled response"
echo "PASS replay coordinated omission"
