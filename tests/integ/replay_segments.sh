#!/usr/bin/env bash
# --segment: four processes with segments 1/4..4/4, started together with --start-at, send
# exactly what one process sends (nginx's access log, as a multiset of method + URI), and the
# counts in their results add up to the single run's. Their plans partition the whole plan.
. "$(dirname "$0")/replay_lib.sh"
start_nginx
make_scenario 4s 20 '[{"name":"flash","at":"1s","sessions":10,"ramp":"1s","hold":"0s","decay":"1s","hot":{"feeder":"products","ranks":[1,2,3]}}]'
norm() { awk '{print $2, $3}' "$1" | sort; }

# Plans: the four segments partition the single plan exactly.
"$REPLAY" plan "$T/s.json" -q | sort >"$T/plan_all"
for i in 1 2 3 4; do "$REPLAY" plan "$T/s.json" -q --segment $i/4; done | sort >"$T/plan_segs"
cmp -s "$T/plan_all" "$T/plan_segs" || fail "segment plans do not partition the plan"
for i in 1 2 3 4; do
  n=$("$REPLAY" plan "$T/s.json" -q --segment $i/4 | wc -l)
  [ "$n" -gt 0 ] || fail "segment $i/4 is empty"
done

# One process.
at=$(( $(date +%s) + 2 ))
"$REPLAY" run "$T/s.json" -q --start-at "$at" -o "$T/one.json" || fail "single run exited $?"
sleep 0.3
norm "$T/access.log" >"$T/log_one"
cp "$T/access.log" "$T/access_one.log"
: >"$T/access.log"

# Four processes together.
run_segments "$T/s.json" 4
sleep 0.3
norm "$T/access.log" >"$T/log_four"
n1=$(wc -l <"$T/log_one"); n4=$(wc -l <"$T/log_four")
echo "one process: $n1 requests at nginx; four segments: $n4"
[ "$n1" -gt 500 ] || fail "too few requests to test ($n1)"
cmp -s "$T/log_one" "$T/log_four" || { diff "$T/log_one" "$T/log_four" | head -5
  diff "$T/log_one" "$T/log_four" | sed -n 's/^[<>] //p' | head -3 | while read -r m u; do grep -h " $m $u " "$T/access_one.log" "$T/access.log"; done; false; } || fail "the four segments sent something else than the single run ($(diff "$T/log_one" "$T/log_four" | grep -c '^[<>]') lines differ)"

# Counts add up exactly; the series align on wall-clock seconds.
for k in sessions_planned sessions_started requests_planned requests_sent requests_done checks; do
  one=$(jq ".counts.$k" "$T/one.json")
  sum=$(jq -s "map(.counts.$k) | add" "$T"/seg[1-4].json)
  [ "$one" = "$sum" ] || fail "counts.$k: single run $one, segments add to $sum"
done
one=$(jq -c '[.routes[] | {route, planned, sent}]' "$T/one.json")
sum=$(jq -s -c '[.[].routes] | transpose | map({route: .[0].route, planned: (map(.planned) | add), sent: (map(.sent) | add)})' "$T"/seg[1-4].json)
[ "$one" = "$sum" ] || fail "per-route counts differ: $one vs $sum"
one=$(jq -c '[.series[] | {t: (.t - '"0"'), planned}] | map(.planned)' "$T/one.json")
sum=$(jq -s -c '[.[].series[]] | group_by(.t) | map(map(.planned) | add)' "$T"/seg[1-4].json)
[ "$one" = "$sum" ] || fail "per-second planned counts differ: $one vs $sum"
jq -s -e 'map(.scenario.hash) | unique | length == 1' "$T"/seg[1-4].json >/dev/null || fail "scenario hashes differ"
echo "PASS replay segments"
