#!/usr/bin/env bash
# replay accuracy, witnessed by nginx's own access log ($msec):
#  1. every planned request arrives, and none extra (multiset of method + URI);
#  2. per-second counts match the plan within +-2% (seconds with >= 200 planned requests);
#  3. the flash crowd is visible where the scenario put it (its window holds the peak second
#     and carries > 3x the baseline rate);
#  4. results.json agrees with nginx: sent = done = planned, all 2xx.
. "$(dirname "$0")/replay_lib.sh"
start_nginx
# A moderate rate (this 2-core machine also runs nginx and, often, other builds): baseline
# ~500 req/s for 8 s, plus 900 sessions (15 x scale 60) over 3 s from 4 s.
make_scenario 8s 60 '[{"name":"flash","at":"4s","sessions":15,"ramp":"1s","hold":"1s","decay":"1s","hot_share":0.6,"hot":{"feeder":"products","ranks":[1,2,5]}}]'
"$REPLAY" plan "$T/s.json" -q -o "$T/plan.ndjson" || fail "plan failed"
"$REPLAY" run "$T/s.json" -q --threads 2 -o "$T/r.json" || fail "run exited $?"
sleep 0.3
start=$(jq .start "$T/r.json")
planned=$(wc -l <"$T/plan.ndjson")
arrived=$(wc -l <"$T/access.log")
echo "planned $planned, nginx saw $arrived"
[ "$planned" -gt 3000 ] || fail "plan too small to test ($planned)"

# 1. Same multiset of requests.
# (The plan cannot know captured values: the server's cart id is c-42.)
jq -r '[.method, (.url | sub("^http://[^/]+"; "") | sub("\\{\\$cart_id\\}"; "c-42"))] | join(" ")' \
  "$T/plan.ndjson" | sort >"$T/want"
awk '{print $2, $3}' "$T/access.log" | sort >"$T/got"
if ! cmp -s "$T/want" "$T/got"; then
  diff "$T/want" "$T/got" | head -5
  diff "$T/want" "$T/got" | sed -n 's/^[<>] //p' | head -3 | while read -r m u; do grep -h " $m $u " "$T/access.log"; done
  fail "nginx's log differs from the plan ($(diff "$T/want" "$T/got" | grep -c '^[<>]') lines)"
fi

# 2. Per-second counts within +-2% (plus 2 requests for the boundary: a request planned at
#    x.9995 s may be logged by nginx in the next second).
jq -r '.t | floor' "$T/plan.ndjson" | sort -n | uniq -c | awk '{print $2, $1}' >"$T/plan_sec"
awk -v s="$start" '{printf "%d\n", int($1 - s)}' "$T/access.log" | sort -n | uniq -c | awk '{print $2, $1}' >"$T/log_sec"
join -a1 -e 0 -o 0,1.2,2.2 "$T/plan_sec" "$T/log_sec" >"$T/joined"
cat "$T/joined" | tr '\n' ';'; echo
awk '$2 >= 200 { d = $3 - $2; if (d < 0) d = -d; if (d > 0.02 * $2 + 2) { print "second " $1 ": planned " $2 ", nginx " $3; bad = 1 } }
     END { exit bad }' "$T/joined" || fail "per-second counts off by more than 2%"
checked=$(awk '$2 >= 200' "$T/joined" | wc -l)
[ "$checked" -ge 6 ] || fail "only $checked seconds had enough requests to compare"

# 3. The flash crowd: peak second in [4, 7), window rate > 2x the rate of seconds 1-3.
peak=$(sort -k3 -n "$T/joined" | tail -1 | cut -d' ' -f1)
[ "$peak" -ge 4 ] && [ "$peak" -lt 7 ] || fail "peak second $peak is outside the event window [4,7)"
awk '$1 >= 1 && $1 < 4 { b += $3; nb++ } $1 >= 4 && $1 < 7 { e += $3; ne++ }
     END { printf "baseline %.0f/s, event window %.0f/s\n", b / nb, e / ne; exit !(e / ne > 2 * b / nb) }' \
  "$T/joined" || fail "flash crowd not visible in nginx's log"
hot=$(jq -r 'select(.event == "flash" and .route == "/products/{id}") | .url' "$T/plan.ndjson" | sort | uniq -c | sort -rn | head -3 | awk '{s += $1} END {print s}')
all=$(jq -r 'select(.event == "flash" and .route == "/products/{id}") | .url' "$T/plan.ndjson" | wc -l)
echo "flash-crowd product requests on the 3 hot items: $hot of $all"
[ $((hot * 100)) -ge $((all * 55)) ] || fail "hot set share below 55%"

# 5. Sessions as the server sees them: one W3C trace id per session (traceparent on every
#    request), and cookies kept per session: a request carries the sid cookie iff an earlier
#    request of the same session fetched "/" (which sets it); nothing leaks across sessions,
#    although sessions share pooled libcurl handles.
sessions=$(jq .counts.sessions_started "$T/r.json")
traces=$(awk '{split($5, a, "-"); print a[2]}' "$T/access.log" | sort -u | wc -l)
[ "$traces" = "$sessions" ] || fail "$traces distinct trace ids for $sessions sessions"
awk '{ n = split($5, a, "-") } n != 4 || a[1] != "00" || length(a[2]) != 32 || length(a[3]) != 16 || a[4] != "01" || a[2] !~ /^[0-9a-f]+$/ {
  print "bad traceparent: " $0; exit 1 }' "$T/access.log" || fail "traceparent missing or malformed"
sort -k1,1n "$T/access.log" | awk '{ split($5, a, "-"); t = a[2]
    if (seen[t] && $6 == "sid=-") { print "cookie lost: " $0; bad = 1 }
    if (!seen[t] && $6 != "sid=-") { print "cookie leaked: " $0; bad = 1 }
    if ($3 == "/") seen[t] = 1 }
  END { exit bad }' | head -3
sort -k1,1n "$T/access.log" | awk '{ split($5, a, "-"); t = a[2]
    if (seen[t] && $6 == "sid=-") bad = 1; if (!seen[t] && $6 != "sid=-") bad = 1; if ($3 == "/") seen[t] = 1 }
  END { exit bad }' || fail "cookies are not kept per session"
with=$(grep -vc ' sid=-$' "$T/access.log")
echo "$traces sessions (one trace id each); $with requests carried their session's cookie"
[ "$with" -gt 100 ] || fail "too few requests with cookies to test ($with)"

# 4. results.json agrees.
jq -e --argjson n "$planned" '.counts.requests_planned == $n and .counts.requests_sent == $n and
  .counts.requests_done == $n and .counts.status["2xx"] == $n and .stopped == "completed"' "$T/r.json" >/dev/null \
  || fail "results.json counts disagree: $(jq -c .counts "$T/r.json")"
echo "PASS replay accuracy"
