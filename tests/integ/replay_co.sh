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

# Pooled connections: while the server stalls, both pooled connections are held, and sends of
# other sessions wait for one to come free. Those waits are the server's delay: counted in
# queued_sends and the pool_wait histogram, and left out of lateness_unqueued (the generator's
# own delay), while lateness itself keeps them (coordinated-omission correct).
PORT2=$(free_port)
python3 "$(dirname "$0")/replay_stall_server.py" "$PORT2" 1.0 1.0 >"$T/stall2.out" &
echo $! >"$T/stall2.pid"
for _ in $(seq 50); do grep -q ready "$T/stall2.out" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$T/stall2.out" || fail "second stall server did not start"
TARGET=http://127.0.0.1:$PORT2
make_scenario 4s 4 '[]'
jq '.sessions.connection = "pooled" | .sessions.pool_size = 2' "$T/s.json" >"$T/p.json"
"$REPLAY" run "$T/p.json" -o "$T/rp.json" --threads 1 --no-progress >"$T/rp.out" \
  || fail "pooled run failed: $(cat "$T/rp.out")"
jq -c '{queued: .counts.queued_sends, pool_wait: .summary.pool_wait_us,
        lateness: .summary.lateness_us, unqueued: .summary.lateness_unqueued_us}' "$T/rp.json"
jq -e '.counts.queued_sends > 0 and .summary.pool_wait_us.max > 500000
       and .pool_wait.total == .counts.queued_sends' "$T/rp.json" >/dev/null \
  || fail "sends held by the stall must count as pool waits of more than 500 ms"
jq -e '.summary.lateness_us.max > 500000 and .summary.lateness_unqueued_us.max < 500000' \
  "$T/rp.json" >/dev/null \
  || fail "lateness must keep the pool waits, lateness_unqueued must leave them out"
grep -q 'waited for a free pooled connection' "$T/rp.out" \
  || fail "the run's summary must say how many sends waited for a pooled connection"
echo "PASS replay coordinated omission"
