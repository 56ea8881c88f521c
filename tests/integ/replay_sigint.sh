#!/usr/bin/env bash
# The live /metrics endpoint serves Prometheus text during the run. Ctrl-C: arrivals stop, in-flight requests drain within the grace period, results.json is
# still written (stopped = "interrupted") and accounts for every planned request
# (sent + unsent = planned, every sent request done). An unreachable target is exit 3, fast.
. "$(dirname "$0")/replay_lib.sh"
start_nginx
make_scenario 60s 10
mport=$(free_port)
"$REPLAY" run "$T/s.json" --no-progress --grace 2s -o "$T/r.json" --metrics-addr "127.0.0.1:$mport" >"$T/out" 2>"$T/err" &
pid=$!
sleep 3
# The live Prometheus endpoint answers while the run goes on.
curl -sf "http://127.0.0.1:$mport/metrics" >"$T/metrics" || fail "no /metrics endpoint on 127.0.0.1:$mport"
grep -q '^replay_requests_sent_total [1-9]' "$T/metrics" || fail "/metrics lacks replay_requests_sent_total: $(head -3 "$T/metrics")"
grep -q '^replay_latency_seconds_bucket{le="+Inf"}' "$T/metrics" || fail "/metrics lacks the latency histogram"
kill -INT "$pid"
t0=$(date +%s)
wait "$pid"
rc=$?
t1=$(date +%s)
cat "$T/err"
[ $((t1 - t0)) -le 4 ] || fail "took $((t1 - t0)) s to stop after SIGINT (grace 2 s)"
[ "$rc" = 0 ] || fail "exit $rc after SIGINT (no thresholds: expected 0)"
[ -s "$T/r.json" ] || fail "no results.json after SIGINT"
jq -e '.stopped == "interrupted" and .counts.requests_sent > 0 and
       .counts.requests_sent == .counts.requests_done and .counts.requests_unsent > 0 and
       .counts.requests_sent + .counts.requests_unsent == .counts.requests_planned' "$T/r.json" >/dev/null \
  || fail "results after SIGINT are inconsistent: $(jq -c '{stopped, counts}' "$T/r.json")"
grep -q "interrupted" "$T/err" || fail "no 'interrupted' message on stderr"
sent=$(jq .counts.requests_sent "$T/r.json")
logged=$(wc -l <"$T/access.log")
[ "$sent" = "$logged" ] || fail "results say $sent sent, nginx logged $logged"

# --max-rps: a plan of ~60 requests/s capped at 20/s for 3 s (+1 s grace) sends at most ~81,
# counts the held-back sends and says the engine fell behind.
make_scenario 3s 15
"$REPLAY" run "$T/s.json" -q --max-rps 20/s --grace 1s -o "$T/m.json" || fail "--max-rps run exited $?"
jq -e '.counts.requests_sent <= 85 and .counts.throttled > 0 and .counts.requests_planned > 120 and
       (.warnings | length) > 0' "$T/m.json" >/dev/null \
  || fail "--max-rps 20/s not enforced: $(jq -c '.counts | {requests_planned, requests_sent, throttled}' "$T/m.json")"

# An abort threshold stops a failing run early (exit 1, results written, stopped = aborted).
make_scenario 30s 10 '[]' ',"thresholds": [{"expr": "rate(errors) < 5%", "abort": true}], "limits": {"abort_after": "1s", "grace": "1s"}'
sed -i 's|"/products/{products}"|"/nope/{products}"|' "$T/s.json"
t0=$(date +%s)
"$REPLAY" run "$T/s.json" -q -o "$T/a.json"
rc=$?
t1=$(date +%s)
[ "$rc" = 1 ] || fail "abort threshold: exit $rc, want 1"
[ $((t1 - t0)) -le 8 ] || fail "abort threshold: the run went on for $((t1 - t0)) s"
jq -e '.stopped == "aborted" and .counts.errors["4xx"] > 0 and (.thresholds[0].ok | not)' "$T/a.json" >/dev/null \
  || fail "abort threshold: $(jq -c '{stopped, e: .counts.errors}' "$T/a.json")"

# Unreachable target: a clear error and exit 3 within the connect timeout, not a hang.
port=$(free_port)
t0=$(date +%s%N)
"$REPLAY" run "$T/s.json" --target "http://127.0.0.1:$port" -o "$T/x.json" 2>"$T/err2"
rc=$?
t1=$(date +%s%N)
cat "$T/err2"
[ "$rc" = 3 ] || fail "unreachable target: exit $rc, want 3"
grep -q "cannot reach target" "$T/err2" || fail "unreachable target: unclear message"
[ $(( (t1 - t0) / 1000000 )) -lt 5000 ] || fail "unreachable target took too long"
echo "PASS replay SIGINT and unreachable target"
