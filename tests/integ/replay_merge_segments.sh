#!/usr/bin/env bash
# replay merge on one machine: a single process and four segment processes (started
# together with --start-at) run the same scenario against a private nginx; then
#  - merge(4 segments) == the single run for every count, per route and per second (exact),
#    merged percentiles equal those of the union of the segments' histograms (recomputed here),
#    and p50 is close to the single run's (two measurements of one plan: a loose check);
#  - the merged thresholds are re-evaluated on the merged data (a threshold that only the
#    merged data fails makes merge exit 1, and its verdict and value are in merged.json);
#  - merging 3 of 4 segments warns and names the missing one;
#  - results_read round trip: results_build(results_read(x)) is byte-identical to x, for a
#    real run's results.json and for merged.json.
# usage: replay_merge_segments.sh RT_DRIVER
. "$(dirname "$0")/replay_lib.sh"
RT=${1:?usage: replay_merge_segments.sh RT_DRIVER}
start_nginx
make_scenario 4s 20 '[{"name":"flash","at":"1s","sessions":10,"ramp":"1s","hold":"0s","decay":"1s","hot":{"feeder":"products","ranks":[1,2,3]}}]' \
  ', "thresholds": ["p95(latency) < 5s", "rate(errors) < 1%", "count(errors) <= 0"]'

at=$(( $(date +%s) + 2 ))
"$REPLAY" run "$T/s.json" -q --start-at "$at" -o "$T/one.json" || fail "single run exited $?"
run_segments "$T/s.json" 4

t0=$(date +%s.%N)
"$REPLAY" merge "$T"/seg[1-4].json -o "$T/merged.json" >"$T/merge.out" 2>"$T/merge.err" \
  || { cat "$T/merge.err"; fail "merge exited $?"; }
echo "merge of 4 segments: $(echo "$(date +%s.%N) - $t0" | bc) s"
cat "$T/merge.out"

# Counts: exact.
for k in sessions_all_segments sessions_planned sessions_started requests_planned requests_sent requests_done checks checks_failed bytes_in status errors; do
  one=$(jq -c ".counts.$k" "$T/one.json"); m=$(jq -c ".counts.$k" "$T/merged.json")
  [ "$one" = "$m" ] || fail "counts.$k: single run $one, merged $m"
done
sum=$(jq -s '[.[].counts.requests_sent] | add' "$T"/seg[1-4].json)
[ "$sum" = "$(jq .counts.requests_sent "$T/merged.json")" ] || fail "merged requests_sent is not the segments' sum"
[ "$sum" -gt 300 ] || fail "too few requests to test ($sum)"
one=$(jq -c '[.routes[] | {route, planned, sent, done, status}]' "$T/one.json")
m=$(jq -c '[.routes[] | {route, planned, sent, done, status}]' "$T/merged.json")
[ "$one" = "$m" ] || fail "per-route counts differ: $one vs $m"
# Per second: aligned on wall-clock seconds (relative to each run's start), exact.
one=$(jq -c '.start as $s | [.series[] | [.t - $s, .planned, .sessions]]' "$T/one.json")
m=$(jq -c '.start as $s | [.series[] | [.t - $s, .planned, .sessions]]' "$T/merged.json")
[ "$one" = "$m" ] || fail "per-second planned/sessions differ: $one vs $m"
# Histograms merged bucket by bucket: the merged total per route equals the sum of segments.
m=$(jq -c '[.routes[] | [.latency[].total] | add]' "$T/merged.json")
s=$(jq -s -c '[.[].routes] | transpose | map(map([.latency[].total] | add // 0) | add)' "$T"/seg[1-4].json)
[ "$m" = "$s" ] || fail "merged histogram totals $m, segments add to $s"
# Percentiles. merged.json's p50/p95/p99 must be exactly those of the union of the segments'
# histograms, computed here independently (python, common/hist.c's bucket geometry): this is
# the "within histogram precision" claim, and it holds exactly. Against the single process
# (a second measurement of the same plan) only a loose check is possible: p50 within 3x + 5 ms.
python3 - "$T/merged.json" "$T"/seg[1-4].json <<'PY' || fail "merged percentiles are not those of the segments' union"
import json, math, sys
SUB, EXACT, HALF = 11, 1 << 11, 1 << 10
def low(i):
    if i < EXACT: return i
    j = i - EXACT; e = SUB + j // HALF
    return (HALF + j % HALF) << (e - SUB + 1)
counts, mx = {}, 0
for f in sys.argv[2:]:
    for r in json.load(open(f))["routes"]:
        for h in r["latency"].values():
            mx = max(mx, h["max"])
            for i, c in h["buckets"]:
                counts[i] = counts.get(i, 0) + c
total = sum(counts.values())
merged = json.load(open(sys.argv[1]))["summary"]["latency_us"]
for p in (50, 95, 99):
    rank = max(1, min(total, math.ceil(p * total / 100.0 * (1 - 1e-12))))
    seen = 0
    for i in sorted(counts):
        seen += counts[i]
        if seen >= rank:
            v = min(low(i + 1) - 1 if i >= EXACT else i, mx)
            break
    print(f"p{p}: merged {merged[f'p{p}']} us, union of segments {v} us")
    if merged[f"p{p}"] != v:
        sys.exit(1)
PY
a=$(jq .summary.latency_us.p50 "$T/one.json"); b=$(jq .summary.latency_us.p50 "$T/merged.json")
echo "latency p50: single process $a us, merged segments $b us"
awk -v a="$a" -v b="$b" 'BEGIN { exit !(b <= 3 * a + 5000 && a <= 3 * b + 5000) }' \
  || fail "latency p50: single $a us vs merged $b us (beyond 3x + 5 ms)"
# The merged summary is recomputed from the merged histograms, not copied.
rt_ok() { "$RT" "$1" "$T/rt.json" || fail "round trip of $1: driver exited $?"
  cmp -s "$1" "$T/rt.json" || { diff "$1" "$T/rt.json" | head; fail "round trip of $(basename "$1") is not byte-identical"; }; }
rt_ok "$T/one.json"; rt_ok "$T/seg2.json"; rt_ok "$T/merged.json"
echo "round trip: one.json, seg2.json, merged.json byte-identical"

# Thresholds re-evaluated on merged data: a rule on the merged count that every segment passes.
n=$(jq .counts.requests_sent "$T/merged.json"); half=$(( n / 2 ))
for f in seg1 seg2 seg3 seg4; do
  jq --arg e "count(requests) < $half" '.thresholds += [{"expr": $e, "abort": false, "value": 0, "display": "0", "ok": true}]' \
    "$T/$f.json" >"$T/t_$f.json"
done
"$REPLAY" merge "$T"/t_seg[1-4].json -o "$T/tmerged.json" -q; rc=$?
[ $rc = 1 ] || fail "merge with a threshold failing on merged data exited $rc, want 1"
jq -e --argjson n "$n" '.thresholds[-1] | .ok == false and .value == $n' "$T/tmerged.json" >/dev/null \
  || fail "re-evaluated threshold: $(jq -c '.thresholds[-1]' "$T/tmerged.json")"
jq -e '.thresholds[0:3] | map(.ok) == [true, true, true]' "$T/tmerged.json" >/dev/null || fail "merged thresholds: $(jq -c .thresholds "$T/tmerged.json")"

# Three of four: allowed, with a warning naming the missing segment.
"$REPLAY" merge "$T/seg1.json" "$T/seg2.json" "$T/seg4.json" -o "$T/m3.json" -q 2>"$T/m3.err"; rc=$?
[ $rc = 0 ] || fail "merge of 3 of 4 exited $rc"
"$REPLAY" merge "$T/seg1.json" "$T/seg2.json" "$T/seg4.json" -o "$T/m3.json" 2>"$T/m3.err" >/dev/null
grep -q "merged 3 of 4 segments; missing: 3/4" "$T/m3.err" || fail "no missing-segment warning: $(cat "$T/m3.err")"
jq -e '.merged == {"segments": [1, 2, 4], "missing": [3]}' "$T/m3.json" >/dev/null || fail "m3.json merged: $(jq -c .merged "$T/m3.json")"
# ... and the 4th merges into it to give the same counts.
"$REPLAY" merge "$T/m3.json" "$T/seg3.json" -o "$T/m4.json" -q || fail "merging a merge with the missing segment exited $?"
[ "$(jq -c .counts "$T/m4.json")" = "$(jq -c .counts "$T/merged.json")" ] || fail "merge of (3 merged + 1) differs from merge of 4"

# The report of the merge (checked in a browser by replay_report_browser).
"$REPLAY" report "$T/merged.json" -o "$T/merged.html" -q || fail "report exited $?"
grep -q 'merged 4 of 4' "$T/merged.html" || fail "report does not name the segments"
echo "PASS replay merge segments"
