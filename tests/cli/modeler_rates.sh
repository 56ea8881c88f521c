#!/usr/bin/env bash
# modeler fit --rates, end to end through the CLI: a LIMBO-style two-month hourly trace from
# tests/sim/ratesim (daily + weekly pattern, trend, noise, two bursts) must be fitted with a
# median relative error of fitted against observed of at most 12.4% (LIMBO's median over
# nine real traces), recomputed here from the --fitted-rates CSV, not read from the model;
# the bursts must be found where they were put; the same counts as csv, limbo and prometheus
# must give the same fit; same seed, same bytes; bad lines are counted with their line
# number and the run goes on; a trace with no usable bin exits 2; replay refuses a
# trace-only model (exit 2) and accepts a log model whose arrivals come from a trace.
set -u
bin=${ST_BIN_DIR:?}/modeler/modeler
sim=${ST_BIN_DIR}/tests/ratesim
logsim=${ST_BIN_DIR}/tests/logsim
replay=${ST_BIN_DIR}/replay/replay
src=${ST_SRC_DIR:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }
get() { python3 -c 'import json,sys
v=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    v=v[int(k)] if isinstance(v,list) else v[k]
print(v)' "$1" "$2"; }
check() { # check DESC PYTHON-EXPR (with x bound to the value at PATH in FILE) FILE PATH
  local v; v=$(get "$3" "$4") || { bad "$1: no $4 in $3"; return; }
  if python3 -c "import sys; x=sys.argv[1]
try: x=float(x)
except ValueError: pass
sys.exit(0 if ($2) else 1)" "$v"; then ok "$1 ($4 = $v)"; else bad "$1 ($4 = $v)"; fi
}

# 0. The options are in --help, with an example.
help=$("$bin" fit --help)
for o in --rates --rates-format --rates-bin --rates-start --rates-of --fitted-rates "modeler fit --rates"; do
  grep -q -- "$o" <<<"$help" && ok "--help has $o" || bad "--help lacks $o"
done

# 1. The LIMBO-style trace: 61 days from Monday 2026-01-05, hourly, bursts at hours 300 (3 h,
# x3) and 900 (6 h, x2.5).
"$sim" --out "$tmp/t.limbo" --seed 7 --days 61 --bin 1h --noise 0.12 \
  --burst 300:3:3 --burst 900:6:2.5 || { echo "FAIL: ratesim"; exit 1; }
run() { "$bin" fit --rates "$tmp/t.limbo" --rates-bin 1h --rates-start 2026-01-05T00:00Z "$@"; }
run -o "$tmp/m.json" --fitted-rates "$tmp/f.csv" >"$tmp/out" 2>&1 || { cat "$tmp/out"; exit 1; }
cat "$tmp/out"
med=$(python3 -c 'import csv,sys
e=sorted(abs(float(r["fitted"])-float(r["observed"]))/float(r["observed"])
         for r in csv.DictReader(open(sys.argv[1])) if r["observed"] and float(r["observed"])>0)
n=len(e); print(e[n//2] if n%2 else (e[n//2-1]+e[n//2])/2)' "$tmp/f.csv")
echo "median relative error of fitted vs observed: $med (LIMBO: 0.124)"
python3 -c "import sys; sys.exit(0 if float('$med') <= 0.124 else 1)" \
  && ok "median relative error $med <= 0.124" || bad "median relative error $med > 0.124"
check "the model states the same error" "abs(x - $med) < 1e-4" "$tmp/m.json" arrivals.gof.profile_median_rel_err
check "CSV has one row per bin" "x == 1464" "$tmp/m.json" source.rates.bins
[ "$(wc -l <"$tmp/f.csv")" = 1465 ] && ok "fitted CSV rows" || bad "fitted CSV has $(wc -l <"$tmp/f.csv") lines"
[ "$(head -1 "$tmp/f.csv")" = "t_mid,observed,fitted" ] && ok "fitted CSV header" || bad "fitted CSV header"
check "weekly profile found" "x == 'hour_of_week'" "$tmp/m.json" arrivals.profile.kind
check "trend 0.005/day" "abs(x - 0.005) < 0.001" "$tmp/m.json" arrivals.trend.per_day
check "level 50/s" "abs(x / 50 - 1) < 0.03" "$tmp/m.json" arrivals.request_rate
python3 - "$tmp/m.json" <<'EOF' && ok "bursts at hours 300 (3 h) and 900 (6 h)" || bad "bursts not recovered"
import json, sys
m = json.load(open(sys.argv[1]))
eps = m["bursts"]["episodes"]
t0 = 1767571200
got = [((e["onset"] - t0) / 3600, e["duration_s"] / 3600, e["peak_rate"] / e["baseline_rate"]) for e in eps]
print("  episodes (onset h, length h, peak/baseline):", got)
assert len(got) == 2
assert got[0][0] == 300 and got[0][1] == 3 and 2.4 < got[0][2] < 3.6
assert got[1][0] == 900 and got[1][1] == 6 and 2.0 < got[1][2] < 3.0
EOF
check "source says where arrivals came from" "x == 'rates:t.limbo'" "$tmp/m.json" source.arrivals
check "sessions are not in a trace" "x == 'not in a rate trace'" "$tmp/m.json" sessions.not_fitted
check "journeys are not in a trace" "x == 'not in a rate trace'" "$tmp/m.json" journeys.not_fitted
check "hawkes refused" "x == 'not in a rate trace'" "$tmp/m.json" hawkes.refused

# 2. Determinism: same input, same bytes.
cp "$tmp/m.json" "$tmp/m1.json"
cp "$tmp/f.csv" "$tmp/f1.csv"
run -o "$tmp/m.json" --fitted-rates "$tmp/f.csv" >/dev/null 2>&1
cmp -s "$tmp/m.json" "$tmp/m1.json" && cmp -s "$tmp/f.csv" "$tmp/f1.csv" && ok "same bytes twice" \
  || bad "two fits of one trace differ"

# 3. The same counts as csv and prometheus (two series to sum) fit the same.
"$sim" --out "$tmp/t.csv" --format csv --seed 7 --days 61 --noise 0.12 --burst 300:3:3 --burst 900:6:2.5
"$sim" --out "$tmp/t.json" --format prometheus --seed 7 --days 61 --noise 0.12 --burst 300:3:3 --burst 900:6:2.5
"$bin" fit --rates "$tmp/t.csv" --rates-format csv:time=time,count=count -o "$tmp/c.json" -q \
  && ok "csv fits" || bad "csv fit failed"
"$bin" fit --rates "$tmp/t.json" -o "$tmp/p.json" >"$tmp/pout" 2>&1 && ok "prometheus fits" || bad "prometheus fit failed"
grep -q "summed (several series)" "$tmp/pout" && ok "prometheus says it summed series" || bad "no word on summed series"
lv=$(get "$tmp/m.json" arrivals.request_rate)
check "csv level = limbo level" "abs(x - $lv) < 1e-3 * $lv" "$tmp/c.json" arrivals.request_rate
check "prometheus level = limbo level" "abs(x - $lv) < 1e-3 * $lv" "$tmp/p.json" arrivals.request_rate
n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["bursts"]["episodes"]))' "$tmp/c.json")
[ "$n" = 2 ] && ok "csv: 2 episodes" || bad "csv: $n episodes"

# 4. Bad lines are counted with their line number; the run goes on. No usable bin: exit 2.
{ echo "time,count"; head -50 "$tmp/t.csv" | tail -n +2; echo "2026-01-07T02:00:00Z,lots"; \
  echo "someday,5"; tail -n +51 "$tmp/t.csv" | head -100; } >"$tmp/bad.csv"
"$bin" fit --rates "$tmp/bad.csv" --rates-format csv:time=time,count=count -o "$tmp/b.json" >"$tmp/bout" 2>&1
rc=$?
[ $rc = 0 ] && ok "bad lines: exit 0" || bad "bad lines: exit $rc"
grep -q "line 51: count: expected a number" "$tmp/bout" && ok "bad value named with line and field" \
  || { bad "bad value not reported"; cat "$tmp/bout"; }
grep -q "line 52: time: expected epoch seconds or ISO 8601" "$tmp/bout" && ok "bad time named" || bad "bad time not reported"
check "bad lines in the model" "x == 2" "$tmp/b.json" quality.malformed.total
printf 'time,count\nnope,1\nnever,2\n' >"$tmp/none.csv"
"$bin" fit --rates "$tmp/none.csv" --rates-format csv:time=time,count=count -o "$tmp/n.json" 2>"$tmp/nerr"
rc=$?
[ $rc = 2 ] && grep -q "no usable bin" "$tmp/nerr" && ok "no usable bin: exit 2" || bad "no usable bin: exit $rc: $(cat "$tmp/nerr")"
"$bin" fit --rates "$tmp/t.csv" --rates-format csv:time=when,count=count -o "$tmp/n.json" 2>"$tmp/nerr"
rc=$?
[ $rc = 2 ] && grep -q "no column 'when'" "$tmp/nerr" && ok "unknown column: exit 2" || bad "unknown column: exit $rc"
"$bin" fit --rates "$tmp/t.csv" --rates-format csv:time=time -o "$tmp/n.json" 2>/dev/null
[ $? = 2 ] && ok "incomplete spec: exit 2" || bad "incomplete spec accepted"
"$bin" fit --fitted-rates "$tmp/x.csv" "$tmp/t.csv" -o "$tmp/n.json" 2>"$tmp/nerr"
[ $? = 2 ] && grep -q "needs --rates" "$tmp/nerr" && ok "--fitted-rates without --rates: exit 2" || bad "--fitted-rates alone"

# 5. replay refuses a trace-only model; a log model with a trace's arrivals runs.
mkdir -p "$tmp/sc"
cp -r "$src/models/scenarios/hot" "$tmp/sc/" 2>/dev/null
mk_scen() { python3 -c 'import json,sys
s=json.load(open(sys.argv[1])); s["model"]=sys.argv[2]; json.dump(s,open(sys.argv[3],"w"))' \
  "$src/models/scenarios/shop-campaign.json" "$1" "$2"; }
mk_scen "$tmp/m.json" "$tmp/sc/trace.json"
"$replay" plan "$tmp/sc/trace.json" --duration 5s >/dev/null 2>"$tmp/rerr"
rc=$?
[ $rc = 2 ] && grep -q "rate trace alone" "$tmp/rerr" && ok "replay refuses a trace-only model (exit 2)" \
  || bad "replay on a trace-only model: exit $rc: $(cat "$tmp/rerr")"
"$logsim" gen --out "$tmp/l.log" --truth "$tmp/truth.json" --span 30m >/dev/null 2>&1 || bad "logsim"
"$sim" --out "$tmp/year.csv" --format csv --start 1769904000 --days 60 --seed 3
"$bin" fit "$tmp/l.log" --rates "$tmp/year.csv" --rates-format csv:time=time,count=count \
  -o "$tmp/lm.json" -q || bad "log + trace fit failed"
check "merged: arrivals from the trace" "x == 'rates:year.csv'" "$tmp/lm.json" source.arrivals
check "merged: sessions from the log" "x == 'log'" "$tmp/lm.json" source.sessions
check "merged: kind" "x == 'logs+rates'" "$tmp/lm.json" source.kind
check "merged: weekly profile from the trace" "x == 'hour_of_week'" "$tmp/lm.json" arrivals.profile.kind
check "merged: requests converted to sessions" "x < 50" "$tmp/lm.json" arrivals.session_rate
mk_scen "$tmp/lm.json" "$tmp/sc/merged.json"
"$replay" plan "$tmp/sc/merged.json" --duration 5s >/dev/null 2>"$tmp/rerr" && ok "replay plans a merged model" \
  || bad "replay plan on a merged model: $(cat "$tmp/rerr")"

# 6. A real series: the hourly request counts of the real Apache log (10,000 lines, 17-20 May
# 2015, ../shared/data), as a metrics export would give them. Its level must be the lines per
# second over the span, and the fit within LIMBO's 12.4%.
log="${ST_DATA_DIR:?}/logs/apache_combined_2015.log"
if [ -r "$log" ]; then
  python3 - "$log" "$tmp/real.csv" <<'EOF'
import collections, datetime, re, sys
c = collections.Counter()
for line in open(sys.argv[1], errors="replace"):
    m = re.search(r"\[(\d+)/(\w+)/(\d+):(\d+):", line)
    if m:
        c[datetime.datetime.strptime("%s/%s/%s %s" % m.groups(), "%d/%b/%Y %H")] += 1
with open(sys.argv[2], "w") as f:
    f.write("hour,requests\n")
    for k in sorted(c):
        f.write("%s,%d\n" % (k.strftime("%Y-%m-%dT%H:%M:%SZ"), c[k]))
EOF
  "$bin" fit --rates "$tmp/real.csv" --rates-format csv:time=hour,count=requests -o "$tmp/real.json" \
    --fitted-rates "$tmp/realf.csv" -q || bad "real hourly series: fit failed"
  hours=$(($(wc -l <"$tmp/real.csv") - 1))
  check "real series: level = lines / span" "abs(x - 10000 / ($hours * 3600)) < 1e-3 * x" "$tmp/real.json" arrivals.request_rate
  check "real series: median relative error <= 12.4%" "x <= 0.124" "$tmp/real.json" arrivals.gof.profile_median_rel_err
else
  bad "$log not readable (ST_DATA_DIR)"
fi

# 7. modeler report and diff read trace models.
"$bin" report "$tmp/m.json" -o "$tmp/r.html" 2>/dev/null && grep -q "fitted" "$tmp/r.html" \
  && ok "report shows observed vs fitted" || bad "report on a trace-only model"
"$bin" diff "$tmp/m.json" "$tmp/c.json" >/dev/null 2>&1; rc=$?
[ $rc -le 1 ] && ok "diff reads trace-only models (exit $rc)" || bad "diff on trace-only models: exit $rc"

[ $fail = 0 ] && echo "PASS" || echo "FAILED"
exit $fail
