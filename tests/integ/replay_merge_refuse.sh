#!/usr/bin/env bash
# replay merge refuses results that are not slices of one run, with exit 2 and a message
# naming the files (a CLI contract table below: ARGS | EXIT | STDERR_ERE), and validates its
# input files field by field. The inputs are two real segment results of a short run
# against a private nginx, and variants of them edited with jq.
. "$(dirname "$0")/replay_lib.sh"
start_nginx
make_scenario 2s 10 '[]' ', "thresholds": ["rate(errors) < 1%"]'
at=$(( $(date +%s) + 2 ))
"$REPLAY" run "$T/s.json" -q --threads 1 --segment 1/2 --start-at "$at" -o "$T/a.json" &
p1=$!
"$REPLAY" run "$T/s.json" -q --threads 1 --segment 2/2 --start-at "$at" -o "$T/b.json" || fail "segment 2 exited $?"
wait $p1 || fail "segment 1 exited non-zero"
"$REPLAY" run "$T/s.json" -q --threads 1 --segment 1/4 -o "$T/q1.json" || fail "segment 1/4 exited $?"
"$REPLAY" run "$T/s.json" -q --threads 1 --seed 12 --segment 2/2 -o "$T/seed12.json" || fail "seed 12 exited $?"
ed() { jq "$2" "$T/$1" >"$T/$3"; }
ed b.json '.scenario.hash = "0123456789abcdef" | .scenario.name = "other"' other.json
ed b.json '.tool.version = "9.9.9"' ver.json
ed b.json '.version = 2' fmt2.json
ed b.json '.format = "k6-summary"' fmt.json
ed b.json '.scenario.scale = 3' scale.json
ed b.json '.counts.requests_sent += 1' sent.json
ed b.json '.routes[1].latency["2xx"].buckets[0][1] = -1' bucket.json
ed b.json '.routes[0].statsu = 1' typo.json
ed b.json '.db = {"format": "stampede-db-probe"}' db_b.json
ed a.json '.db = {"format": "stampede-db-probe"}' db_a.json
printf '{"format": "stampede-replay-results",' >"$T/trunc.json"
merge_ok=$("$REPLAY" merge "$T/a.json" "$T/b.json" -o "$T/ok.json" -q; echo $?)
[ "$merge_ok" = 0 ] || fail "merging the two good segments exited $merge_ok"

fails=0; n=0
while IFS='|' read -r args code pat; do
  case "$args" in ''|'#'*) continue ;; esac
  n=$((n + 1))
  eval "set -- $args"
  err=$(cd "$T" && "$REPLAY" merge "$@" -o "$T/out.json" 2>&1 >/dev/null); rc=$?
  if [ "$rc" != "$code" ] || ! printf '%s' "$err" | grep -qE -- "$pat"; then
    echo "FAIL: merge $args: exit $rc (want $code): $err"; fails=$((fails + 1))
  fi
done <<'TABLE'
# ARGS | EXIT | STDERR_ERE
a.json seed12.json|2|different seeds: 11 in a.json, 12 in seed12.json
a.json other.json|2|different scenarios: a.json ran "integ" \(hash [0-9a-f]{16}\), other.json ran "other" \(hash 0123456789abcdef\)
a.json a.json|2|segment 1/2 is in both a.json and a.json \(duplicate or overlapping segments\)
a.json q1.json|2|different splits: a.json is of 2 segments, q1.json of 4: their sessions overlap
ok.json b.json|2|segment 2/2 is in both ok.json and b.json
a.json ver.json|2|different replay versions: .* in a.json, 9.9.9 in ver.json
a.json fmt2.json|2|fmt2.json: results.version: format version 2 is newer
a.json fmt.json|2|fmt.json: results.format: expected "stampede-replay-results", got "k6-summary"
a.json scale.json|2|different --scale or --duration
a.json sent.json|2|sent.json: results.counts.requests_sent: [0-9]+, but the routes add up to [0-9]+
a.json bucket.json|2|bucket.json: results.routes\[1\].latency.2xx
a.json typo.json|2|typo.json: results.routes\[0\].statsu: unknown key
db_a.json db_b.json|2|both db_a.json and db_b.json have a "db" section: only one segment may run --db-probe
a.json trunc.json|2|trunc.json:1:
a.json missing.json|2|missing.json
a.json|0|merged 1 of 2 segments; missing: 2/2
a.json b.json --bogus|2|--bogus: unknown option
TABLE
err=$("$REPLAY" merge "$T/a.json" "$T/b.json" 2>&1); rc=$?
n=$((n + 1))
[ $rc = 2 ] && printf '%s' "$err" | grep -q 'missing -o MERGED.json' || { echo "FAIL: merge without -o: exit $rc: $err"; fails=$((fails + 1)); }
[ $fails = 0 ] || fail "$fails of $n refusal cases"
# The db section of the one segment that probed is copied as it is.
"$REPLAY" merge "$T/db_a.json" "$T/b.json" -o "$T/dbm.json" -q || fail "merge with one db section exited $?"
jq -e '.db == {"format": "stampede-db-probe"}' "$T/dbm.json" >/dev/null || fail "db section not copied"
echo "PASS replay merge refuse ($n cases)"
