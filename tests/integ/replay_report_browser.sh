#!/usr/bin/env bash
# The HTML reports in a real browser (tests/integ/report_browser.sh: headless Chromium,
# screenshot + DOM): every chart has data, nothing loads from outside, and the thresholds
# table matches results.json, for
#  - the report `replay run` writes next to its results, which is `replay report`'s, of a run with a flash crowd, one failing and two passing thresholds
#    (and its "what happened" names the failed rule; no --db-probe is said in text);
#  - `replay merge --report` of two segments;
#  - `modeler fit ... --report` (the same svg module: both reports look like one product).
. "$(dirname "$0")/replay_lib.sh"
HARNESS=$SRC/tests/integ/report_browser.sh
MODELER=$ST_BIN_DIR/modeler/modeler
[ -x "$MODELER" ] || fail "modeler not built: $MODELER"
start_nginx
make_scenario 3s 15 '[{"name":"flash","at":"1s","sessions":20,"ramp":"1s","hold":"0s","decay":"1s","hot":{"feeder":"products","ranks":[1,2,3]}}]' \
  ', "thresholds": ["p95(latency) < 5s", "p99(latency) < 1us", "rate(errors) < 1%"]'

"$REPLAY" run "$T/s.json" -q -o "$T/r.json"; rc=$?
[ $rc = 1 ] || fail "run with a failing threshold exited $rc, want 1"
[ -s "$T/r.html" ] || fail "run did not write its report next to the results (r.html)"
mv "$T/r.html" "$T/run.html"
"$REPLAY" report "$T/r.json" -o "$T/r.html" || fail "report exited $?"
cmp -s "$T/run.html" "$T/r.html" || fail "run's report differs from 'replay report' of its results"
grep -q 'FAIL p99(latency) &lt; 1us: measured' "$T/r.html" || fail "what happened does not name the failed threshold"
grep -q 'no --db-probe' "$T/r.html" || fail "no 'no --db-probe' text"
grep -q 'flash crowds shaded' "$T/r.html" || fail "the flash crowd is not shaded (scenario not found?)"
grep -q 'src=\|href=' "$T/r.html" && fail "the report references an asset"
bash "$HARNESS" "$T/r.html" "$T/r.json" || fail "replay report failed the browser check"

at=$(( $(date +%s) + 2 ))
"$REPLAY" run "$T/s.json" -q --threads 1 --segment 1/2 --start-at "$at" -o "$T/a.json" &
p1=$!
"$REPLAY" run "$T/s.json" -q --threads 1 --segment 2/2 --start-at "$at" -o "$T/b.json"
wait $p1
"$REPLAY" merge "$T/a.json" "$T/b.json" -o "$T/m.json" --report "$T/m.html" -q 2>"$T/m.err"; rc=$?
[ $rc = 1 ] || fail "merge exited $rc, want 1 (p99 < 1us fails)"
# Exit 1 is also what a sanitizer report gives: the verdict must come from the threshold.
grep -qE 'Sanitizer|runtime error' "$T/m.err" && { cat "$T/m.err"; fail "merge: sanitizer report"; }
jq -e '[.thresholds[].ok] == [true, false, true]' "$T/m.json" >/dev/null || fail "merged verdicts: $(jq -c '[.thresholds[].ok]' "$T/m.json")"
bash "$HARNESS" "$T/m.html" "$T/m.json" || fail "merge --report failed the browser check"

"$MODELER" fit "$SRC/fixtures/logs/shop-synthetic.access.log.gz" -o "$T/model.json" --report "$T/model.html" -q \
  || fail "modeler fit exited $?"
bash "$HARNESS" "$T/model.html" || fail "modeler report failed the browser chart check"
echo "PASS replay report browser (replay report, merge --report, modeler report)"
