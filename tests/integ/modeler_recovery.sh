#!/usr/bin/env bash
# Recovery: simulate logs from known parameters (tests/sim/logsim.c) with several seeds,
# refit them with `modeler fit`, and require every parameter within the issue's tolerance
# (Zipf s +-0.05, think median +-10%, transitions +-0.03, branching ratio +-0.1, burst onset
# +-30 s, hot-set share +-5 points, WebSocket median +-10%). Also checks that the .gz and
# the several-files paths give the same model as the plain file.
set -u
bin=${ST_BIN_DIR:?}/modeler/modeler
sim=${ST_BIN_DIR}/tests/logsim
seeds=${MODELER_RECOVERY_SEEDS:-1 2 3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
for seed in $seeds; do
  "$sim" gen --out "$tmp/s.log" --truth "$tmp/t.json" --seed "$seed" --rate 2 --span 3h || exit 1
  "$bin" fit "$tmp/s.log" -o "$tmp/m.json" --quiet --seed 7 || { echo "fit failed (seed $seed)"; exit 1; }
  "$sim" check "$tmp/t.json" "$tmp/m.json" || fail=1
done
# The same log through gzip and split into two files must give the same counts and fits.
gzip -1 -c "$tmp/s.log" >"$tmp/s.log.gz"
n=$(wc -l <"$tmp/s.log")
head -n $((n / 2)) "$tmp/s.log" >"$tmp/a.log"
tail -n +$((n / 2 + 1)) "$tmp/s.log" | gzip -1 >"$tmp/b.log.gz"
"$bin" fit "$tmp/s.log.gz" -o "$tmp/mgz.json" --quiet --seed 7 || exit 1
"$bin" fit "$tmp/a.log" "$tmp/b.log.gz" -o "$tmp/m2.json" --quiet --seed 7 || exit 1
for key in source.lines sessions.count hawkes.branching_ratio routes.0.share; do
  a=$("$sim" get "$tmp/m.json" $key); b=$("$sim" get "$tmp/mgz.json" $key); c=$("$sim" get "$tmp/m2.json" $key)
  if [ "$a" != "$b" ] || [ "$a" != "$c" ]; then
    echo "FAIL plain/gz/split differ at $key: $a $b $c"; fail=1
  fi
done
# Drift: the same behaviour with another seed is no drift; steeper product popularity is.
"$sim" gen --out "$tmp/d.log" --seed 11 --rate 2 --span 1h 2>/dev/null || exit 1
"$bin" fit "$tmp/d.log" -o "$tmp/d1.json" --quiet || exit 1
"$bin" diff "$tmp/m.json" "$tmp/d1.json" >"$tmp/diff1.txt"
rc=$?
if [ $rc != 0 ]; then echo "FAIL diff of same-parameter models exited $rc"; cat "$tmp/diff1.txt"; fail=1; fi
"$sim" gen --out "$tmp/d.log" --seed 11 --rate 2 --span 1h --prod-s 1.3 2>/dev/null || exit 1
"$bin" fit "$tmp/d.log" -o "$tmp/d2.json" --quiet || exit 1
"$bin" diff "$tmp/m.json" "$tmp/d2.json" >"$tmp/diff2.txt"
rc=$?
if [ $rc != 1 ] || ! grep -qE '^popularity +zipf s /products/\{id\} id .*DRIFT' "$tmp/diff2.txt"; then
  echo "FAIL diff did not flag the Zipf change (exit $rc)"; cat "$tmp/diff2.txt"; fail=1
else
  echo "ok   diff: same parameters -> exit 0; products zipf 1.0 -> 1.3 -> exit 1 (DRIFT)"
fi
[ $fail = 0 ] && echo "recovery: all seeds passed ($seeds)"
exit $fail
