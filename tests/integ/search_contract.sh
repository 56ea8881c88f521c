#!/usr/bin/env bash
# `replay search` contract against the reference shop (a large pool, no database cost, so every
# step passes unless the generator is capped):
#  - determinism: two searches with the same seed plan the same requests, second by second, at
#    every step, and each step's plan is what `replay plan --scale S` prints (per route, per
#    second);
#  - a generator capped by a low --max-rps is reported inconclusive (re-run once), the search
#    stops, and it is not counted as the system's failure (no lowest fail; exit 3);
#  - --segment 1/2 and 2/2 run together (--start-at), and `replay merge` of their SEARCH files
#    gives the merged search: every step's results merged (planned = the whole plan), knee
#    computed again, SEARCH.html with one row per step.
# Usage (ctest, under scripts/with-pg): search_contract.sh SHOP REPLAY
SHOP=${1:-}
REPLAY=${2:-}
. "$(dirname "$0")/shop_lib.sh"
. "$(dirname "$0")/search_lib.sh"
setup_db
start_shop contract --pool 50 --acquire-timeout 2s
S=$TMP/s.json
mk_scenario "$S" 0 '["rate(errors) < 5%"]'

# 1. Determinism and plan equality (1x and 2x, 3 s each).
for run in a b; do
  "$REPLAY" search "$S" --from 1x --to 2x --step 1x --hold 3s --cooldown 0s -o "$TMP/$run.json" \
    2>"$TMP/search-$run.err" >"$TMP/search-$run.out"
  rc=$?
  check "search $run passes every step (exit $rc)" test "$rc" = 0
done
check "two scales each" test "$(j "$TMP/a.json" '[.steps[].scale] | unique | length')" = 2
# The last step run at a scale (a step re-run after its generator fell behind plans the same).
step_file() { j "$1" "[.steps[] | select(.scale == $2)] | last | .results_file"; }
for k in 0 1; do
  sc=$((k + 1))
  # planned per second (relative to the step's start) and per route, from the step's results
  jq -r '.start as $s | .series[] | select(.planned > 0) | "\(.t - $s) \(.planned)"' \
    "$(step_file "$TMP/a.json" $sc)" >"$TMP/a$k.sec"
  jq -r '.start as $s | .series[] | select(.planned > 0) | "\(.t - $s) \(.planned)"' \
    "$(step_file "$TMP/b.json" $sc)" >"$TMP/b$k.sec"
  check "step $sc: same seed, same plan per second" cmp -s "$TMP/a$k.sec" "$TMP/b$k.sec"
  "$REPLAY" plan "$S" --scale "$sc" --duration 3s -q >"$TMP/plan$k.ndjson"
  jq -r 'select(.kind != "ws") | .t | floor' "$TMP/plan$k.ndjson" | sort -n | uniq -c | awk '{print $2, $1}' >"$TMP/p$k.sec"
  check "step $sc: replay plan --scale $sc has the same requests per second" cmp -s "$TMP/a$k.sec" "$TMP/p$k.sec"
  jq -r '.routes[] | select(.planned > 0) | "\(.route) \(.planned)"' "$(step_file "$TMP/a.json" $sc)" | sort >"$TMP/a$k.rt"
  jq -r 'select(.kind != "ws") | .route' "$TMP/plan$k.ndjson" | sort | uniq -c | awk '{print $2, $1}' >"$TMP/p$k.rt"
  check "step $sc: replay plan --scale $sc has the same requests per route" cmp -s "$TMP/a$k.rt" "$TMP/p$k.rt"
done
check "the 2x step plans more than the 1x step" \
  test "$(jq '.counts.requests_planned' "$(step_file "$TMP/a.json" 2)")" -gt "$(jq '.counts.requests_planned' "$(step_file "$TMP/a.json" 1)")"
check "nothing failed up to --to: no lowest fail, require met" \
  test "$(j "$TMP/a.json" '(.knee.lowest_fail|tostring) + " " + (.knee.meets_require|tostring)')" = "null true"

# 2. A capped generator: --max-rps far below the planned rate.
"$REPLAY" search "$S" --from 2x --to 3x --step 1x --hold 3s --cooldown 0s --max-rps 3/s -o "$TMP/cap.json" \
  2>"$TMP/cap.err" >"$TMP/cap.out"
rc=$?
check "capped generator: exit 3, not 1 (exit $rc)" test "$rc" = 3
check "capped generator: the step was run twice, both inconclusive" \
  test "$(j "$TMP/cap.json" '[.steps[] | .verdict] | join(",")')" = "inconclusive,inconclusive"
check "capped generator: the why names the cap" grep -q 'capped' <(j "$TMP/cap.json" '.steps[1].why')
check "capped generator: no failure is recorded" test "$(j "$TMP/cap.json" '.knee.lowest_fail')" = null
check "capped generator: knee inconclusive at 2x" \
  test "$(j "$TMP/cap.json" '.knee.status + " " + (.knee.lowest_inconclusive|tostring)')" = "inconclusive 2"
check "capped generator: the summary says so" grep -q 'inconclusive at 2x' "$TMP/cap.out"

# 3. Two segments together, then replay merge of their SEARCH files.
at=$(( $(date +%s) + 3 ))
for i in 1 2; do
  "$REPLAY" search "$S" --from 1x --to 2x --step 1x --hold 3s --cooldown 1s --segment "$i/2" --start-at "$at" \
    -o "$TMP/seg$i.json" 2>"$TMP/seg$i.err" >"$TMP/seg$i.out" &
  PIDS+=($!)
done
wait "${PIDS[-1]}"; rc2=$?
wait "${PIDS[-2]}"; rc1=$?
check "segments ran (exit $rc1 $rc2)" test "$rc1$rc2" = 00
"$REPLAY" merge "$TMP/seg1.json" "$TMP/seg2.json" -o "$TMP/merged.json" --report "$TMP/merged.html" \
  >"$TMP/merge.out" 2>"$TMP/merge.err"
rc=$?
check "merge of SEARCH files (exit $rc)" test "$rc" = 0
check "merged search lists both segments" test "$(j "$TMP/merged.json" '.merged.segments | join(",")')" = "1,2"
for k in 0 1; do
  sc=$(j "$TMP/merged.json" ".steps[$k].scale")
  want=$("$REPLAY" plan "$S" --scale "$sc" --duration 3s -q | grep -vc '"kind":"ws"')
  check "merged step $sc plans the whole plan ($want requests)" \
    test "$(j "$TMP/merged.json" ".steps[$k].results.counts.requests_planned")" = "$want"
  check "merged step $sc is segment 0 of 2" test "$(j "$TMP/merged.json" ".steps[$k].results.segment.n")" = 2
done
check "merged knee computed again" test "$(j "$TMP/merged.json" '.knee.status')" = not_reached
check "merged SEARCH.html has one row per step" test "$(grep -c '<tr data-scale=' "$TMP/merged.html")" = 2
"$REPLAY" merge "$TMP/seg1.json" "$TMP/a.json" -o "$TMP/bad.json" 2>"$TMP/bad.err"
check "merging different searches is refused (exit 2)" test $? = 2
stop_shop
[ "$FAILS" = 0 ] || die "$FAILS check(s) failed"
echo "search_contract: all checks passed"
