#!/usr/bin/env bash
# Plan determinism: the same seed gives the same bytes; another seed gives another plan; the
# n segments partition the plan for several n; event sizes are exact (sessions x scale).
. "$(dirname "$0")/replay_lib.sh"
S="$SRC/models/scenarios/shop-campaign.json"
"$REPLAY" plan "$S" -q --duration 5m -o "$T/a" || fail "plan failed"
"$REPLAY" plan "$S" -q --duration 5m -o "$T/b" || fail "plan failed"
cmp -s "$T/a" "$T/b" || fail "same seed, different plan bytes"
"$REPLAY" plan "$S" -q --duration 5m --seed 43 -o "$T/c" || fail "plan failed"
cmp -s "$T/a" "$T/c" && fail "seeds 42 and 43 gave the same plan"
n=$(wc -l <"$T/a")
[ "$n" -gt 5000 ] || fail "plan unexpectedly small ($n lines)"
# Request lines, and the scenario's WebSocket opens ("kind":"ws", issue 6) on the same host.
jq -e -s 'all(.[]; .session and (.t >= 0) and (.t < 300) and (if .kind == "ws" then (.url | startswith("ws://127.0.0.1:8080/ws/inventory?product_id=")) and .duration_s > 0
          else .route and .method and (.url | startswith("http://127.0.0.1:8080/")) end)) and any(.[]; .kind == "ws")' "$T/a" >/dev/null \
  || fail "plan lines lack a field or leave the window/target"
jq -s -e '. == (sort_by(.t))' "$T/a" >/dev/null || fail "plan is not sorted by intended time"
for parts in 2 3 7; do
  for i in $(seq "$parts"); do "$REPLAY" plan "$S" -q --duration 5m --segment "$i/$parts"; done | sort >"$T/segs"
  sort "$T/a" | cmp -s - "$T/segs" || fail "--segment i/$parts does not partition the plan"
done
# The flash crowd is exactly 4,000 sessions at 1x and 6,000 at 1.5x.
for sc in 1x:4000 1.5x:6000; do
  got=$("$REPLAY" plan "$S" -q --scale "${sc%%:*}" | jq -r 'select(.event) | .session' | sort -u | wc -l)
  [ "$got" = "${sc##*:}" ] || fail "--scale ${sc%%:*}: $got flash-crowd sessions, want ${sc##*:}"
done
# --scale doubles the baseline (within Poisson noise).
b1=$("$REPLAY" plan "$S" -q | jq -r 'select(.origin != "event") | .session' | sort -u | wc -l)
b2=$("$REPLAY" plan "$S" -q --scale 2x | jq -r 'select(.origin != "event") | .session' | sort -u | wc -l)
awk -v a="$b1" -v b="$b2" 'BEGIN { r = b / a; printf "baseline sessions %d -> %d at 2x (ratio %.2f)\n", a, b, r; exit !(r > 1.85 && r < 2.15) }' \
  || fail "--scale 2x did not double the baseline sessions"
echo "PASS replay plan determinism"
