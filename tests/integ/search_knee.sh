#!/usr/bin/env bash
# `replay search` finds a knee that is known in advance. The reference shop gets a pool of
# P = 8 connections and a fixed database cost of c = 50 ms per request (--db-cost: pg_sleep on
# the pooled connection), so it serves at most P / c = 160 requests/s; the knee scale is
# K = 160 / (the scenario's steady planned rate at 1x, from `replay plan` at 10x / 10). The threshold is the error
# rate, and past capacity requests wait longer than --acquire-timeout and get 503.
# Checks: the grid finds the knee within one step of K; bisection narrows it to --precision;
# --require above the knee exits 1; the steps were settled by the probe; SEARCH.json names the
# threshold that broke and the failing step's "what happened"; SEARCH.html marks the knee and
# links every step's own report.
# Usage (ctest, under scripts/with-pg): search_knee.sh SHOP REPLAY
SHOP=${1:-}
REPLAY=${2:-}
. "$(dirname "$0")/shop_lib.sh"
. "$(dirname "$0")/search_lib.sh"
setup_db
start_shop knee --pool 8 --db-cost 50ms --acquire-timeout 250ms --threads 300
S=$TMP/s.json
mk_scenario "$S" 0 '["rate(errors) < 2%"]'
r10=$(rate_at "$S" 10 6)
r1=$(awk -v r="$r10" 'BEGIN { printf "%.3f", r / 10 }')
K=$(awk -v r="$r1" 'BEGIN { printf "%.2f", 160 / r }')
step=$(awk -v k="$K" 'BEGIN { printf "%.0f", k / 4 }')
from=$(awk -v k="$K" -v s="$step" 'BEGIN { printf "%.0f", k - 2 * s }')
to=$(awk -v k="$K" -v s="$step" 'BEGIN { printf "%.0f", k + 3 * s }')
echo "planned rate at 1x: $r1/s; capacity 160/s; expected knee K = ${K}x; grid ${from}x..${to}x by ${step}x"
"$REPLAY" search "$S" --from "${from}x" --to "${to}x" --step "${step}x" --bisect --precision 1x --hold 6s \
  --require "${to}x" --db-probe "dbname=$DB" -o "$TMP/search.json" --report "$TMP/search.html" \
  >"$TMP/search.out" 2>"$TMP/search.err"
rc=$?
cat "$TMP/search.out"
O=$TMP/search.json
hp=$(j "$O" '.knee.highest_pass'); lf=$(j "$O" '.knee.lowest_fail')
check "--require ${to}x above the knee: exit 1 (exit $rc)" test "$rc" = 1
check "the summary says the requirement is not met" grep -q 'require .*NOT met (exit 1)' "$TMP/search.out"
check "knee found (highest pass $hp, lowest fail $lf)" test "$(j "$O" '.knee.status')" = found
check "the knee is within one step (${step}x) of K = ${K}x" \
  awk -v h="$hp" -v l="$lf" -v k="$K" -v s="$step" 'BEGIN { exit !(h >= k - s && l <= k + s) }'
check "bisection narrowed it to the precision (1x)" awk -v h="$hp" -v l="$lf" 'BEGIN { exit !(l - h <= 1 + 1e-9 && l > h) }'
check "bisection steps were run" test "$(j "$O" '[.steps[] | select(.phase == "bisect")] | length')" -ge 1
check "the threshold that broke is named" test "$(j "$O" '.knee.broke_first[0].expr')" = "rate(errors) < 2%"
check "what happened at the failing step says which rule failed" grep -q 'FAIL rate(errors) < 2%' <(j "$O" '.knee.what_happened[]')
check "what happened at the failing step says the errors were 5xx" grep -qE '% were 5xx' <(j "$O" '.knee.what_happened[]')
check "a degradation verdict" grep -qE '^(graceful|cascade)$' <(j "$O" '.knee.degradation.verdict')
check "steps after the first were settled by the probe" \
  test "$(j "$O" '[.steps[1:][] | select(.settle.mode == "probe" and .settle.settled)] | length')" = "$(( $(j "$O" '.steps | length') - 1 ))"
check "every step's results and report exist" \
  bash -c "for f in \$(jq -r '.steps[].results_file' '$O'); do test -s \"\$f\" && test -s \"\${f%.json}.html\" || exit 1; done"
check "every step keeps its full results (db section included)" \
  test "$(j "$O" '[.steps[] | select(.results.format == "stampede-replay-results" and .results.db != null)] | length')" = "$(j "$O" '.steps | length')"
H=$TMP/search.html
check "SEARCH.html: one row per step" test "$(grep -c '<tr data-scale=' "$H")" = "$(j "$O" '.steps | length')"
check "SEARCH.html: the knee is marked on the charts" grep -q '>knee<' "$H"
check "SEARCH.html: latency, errors, database and rate charts drawn" \
  bash -c "grep -q 'Latency p50 / p95 / p99 per step' '$H' && grep -q 'Error rate by class per step' '$H' && grep -q 'DB connections, active backends' '$H' && grep -q 'planned vs sent vs completed' '$H'"
check "SEARCH.html: each step links its own report" \
  bash -c "cd '$TMP' && for l in \$(grep -o 'href=\"[^\"]*\"' '$H' | sed 's/href=\"//; s/\"\$//'); do test -s \"\$l\" || exit 1; done"
stop_shop
[ "$FAILS" = 0 ] || die "$FAILS check(s) failed"
echo "search_knee: all checks passed"
