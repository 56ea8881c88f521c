#!/usr/bin/env bash
# `replay search` against the two shop variants of the incident: a pool of 8 connections with a
# 50 ms database cost per request (160 requests/s), and 6 WebSockets that each hold a pooled
# connection for the whole run. With one shared pool they leave 2 connections to HTTP (about
# 40 requests/s); with a separate WebSocket pool HTTP keeps all 8. (--threads 300: civetweb's
# workers, which keep-alive sessions hold, must not be the bottleneck instead of the pool.) The search must find the
# shared-pool knee below the separate-pool knee (well below: at most the separate pool's highest
# pass), exit 0 for the separate pool and 1 for the shared one at --require 8x, and say, for
# the shared pool's failing step, what the WebSockets held.
# Usage (ctest, under scripts/with-pg): search_pools.sh SHOP REPLAY
SHOP=${1:-}
REPLAY=${2:-}
. "$(dirname "$0")/shop_lib.sh"
. "$(dirname "$0")/search_lib.sh"
setup_db
declare -A LF HP RC
for mode in shared separate; do
  start_shop "$mode" --pool 8 --db-cost 50ms --acquire-timeout 250ms --ws-pool "$mode" --ws-pool-size 8 --threads 300
  mk_scenario "$TMP/$mode.json" 6 '["rate(errors) < 2%"]'
  "$REPLAY" search "$TMP/$mode.json" --from 2x --to 20x --step 3x --hold 6s --require 8x \
    --db-probe "dbname=$DB" -o "$TMP/$mode.out.json" --report "$TMP/$mode.html" >"$TMP/$mode.out" 2>"$TMP/$mode.err"
  RC[$mode]=$?
  cat "$TMP/$mode.out"
  LF[$mode]=$(j "$TMP/$mode.out.json" '.knee.lowest_fail')
  HP[$mode]=$(j "$TMP/$mode.out.json" '.knee.highest_pass')
  stop_shop
done
check "shared pool: a knee (lowest fail ${LF[shared]})" test "${LF[shared]}" != null
# The separate pool's search may also end at --to, or inconclusive when this shared machine's
# generator falls behind at its higher rates: then it has no lowest fail, and its knee is above
# its highest pass.
echo "separate pool: stopped $(j "$TMP/separate.out.json" '.stopped'), highest pass ${HP[separate]}, lowest fail ${LF[separate]}"
check "shared-pool knee below the separate-pool knee (${LF[shared]}x < ${LF[separate]}x)" \
  awk -v a="${LF[shared]}" -v b="${LF[separate]}" 'BEGIN { exit !(b == "null" || a < b) }'
check "well below: the shared pool fails where the separate pool still passed (${LF[shared]}x <= ${HP[separate]}x)" \
  awk -v a="${LF[shared]}" -v b="${HP[separate]}" 'BEGIN { exit !(b != "null" && a <= b) }'
check "separate pool meets --require 8x (exit ${RC[separate]})" test "${RC[separate]}" = 0
check "shared pool misses --require 8x (exit ${RC[shared]})" test "${RC[shared]}" = 1
check "shared pool: what happened names the WebSockets" grep -q 'WebSockets' <(j "$TMP/shared.out.json" '.knee.what_happened[]')
[ "$FAILS" = 0 ] || die "$FAILS check(s) failed"
echo "search_pools: all checks passed"
