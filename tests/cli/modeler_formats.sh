#!/usr/bin/env bash
# Every --format preset on its sample (fixtures/logs/formats, written from each vendor's
# documented field list by make_samples.py; W3C times are whole seconds, so span 8 s): fitted with the preset and with --format auto,
# the model must hold the seven requests of the sample -- 5 on /products/{id} with a median
# request time of 16 ms, 1 POST /cart at 31 ms, 1 /search at 45 ms -- and span 7.875 s, and
# auto must pick that preset. Then the issue-11 cases: the CSV export with a
# "[29/Nov/2017:06:58:55" time column, no zone and CRLF (with --time-format and --tz), the
# Apache log with [2015-09-02 10:42:51.003372] times, auto on the real Apache log (must pick
# combined), auto refusing an unknown format with the three best candidates, an unknown
# Apache directive as a warning, and malformed lines reported with line, field and column.
set -u
bin=${ST_BIN_DIR:?}/modeler/modeler
src=${ST_SRC_DIR:?}
data=${ST_DATA_DIR:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }

# check MODEL.json LINES SPAN: requests per route and medians, from the model itself.
check() {
  python3 - "$@" <<'PY'
import json, sys
m = json.load(open(sys.argv[1])); want_lines = int(sys.argv[2]); span = float(sys.argv[3])
src, q = m["source"], m["quality"]
errs = []
if src["parsed"] != 7: errs.append("parsed %s, want 7" % src["parsed"])
if q["lines"] != want_lines: errs.append("lines %s, want %d" % (q["lines"], want_lines))
if q["malformed"]["total"] != 0: errs.append("malformed %s" % q["malformed"])
if abs(src["span_s"] - span) > 1e-3: errs.append("span %s, want %s" % (src["span_s"], span))
want = {"/products/{id}": (5, 0.016), "/cart": (1, 0.031), "/search?q={s}": (1, 0.045)}
got = {r["template"]: (round(r["share"] * 7), r.get("latency", {}).get("median_s")) for r in m["routes"]}
for t, (n, med) in want.items():
    g = got.get(t)
    if not g or g[0] != n or g[1] is None or abs(g[1] - med) > 1e-6:
        errs.append("%s: got %s, want %d requests, median %.3f s" % (t, g, n, med))
print("; ".join(errs) if errs else "")
sys.exit(1 if errs else 0)
PY
}

for spec in caddy:caddy:7:7.875 traefik:traefik:7:7.875 envoy:envoy:7:7.875 \
            nginx-json:nginx-json:7:7.875 alb:alb:7:7.875 haproxy:haproxy:7:7.875 \
            apache-usec:apache-usec:7:7.875 w3c-iis:w3c:13:8 w3c-cloudfront:w3c:9:8 \
            traefik-clf:traefik-clf:7:8 envoy-text:envoy-text:7:7.875; do
  IFS=: read -r file preset lines span <<<"$spec"
  log="$src/fixtures/logs/formats/$file.log"
  for fmt in "$preset" auto; do
    if ! "$bin" fit "$log" --format "$fmt" --k-min 1 -o "$tmp/$file.json" >"$tmp/out" 2>&1; then
      bad "$file --format $fmt: exit $?: $(tail -3 "$tmp/out")"; continue
    fi
    if msg=$(check "$tmp/$file.json" "$lines" "$span"); then ok "$file --format $fmt"
    else bad "$file --format $fmt: $msg"; fi
    if [ "$fmt" = auto ]; then
      if grep -q -- "--format auto: $preset (100.0%" "$tmp/out"; then ok "$file: auto picked $preset"
      else bad "$file: auto did not pick $preset: $(grep auto "$tmp/out")"; fi
    fi
  done
done

# The CSV export of issue 11: no zone, a stray bracket, CRLF line ends.
printf 'ip,time,request,status\r\n10.128.2.1,[29/Nov/2017:06:58:55,GET /login.php HTTP/1.1,200\r\n10.128.2.1,[29/Nov/2017:06:59:02,POST /process.php HTTP/1.1,302\r\n' >"$tmp/export.csv"
"$bin" fit "$tmp/export.csv" --format csv:ip=ip,time=time,request=request,status=status \
  --time-format '[%d/%b/%Y:%H:%M:%S' --k-min 1 -o "$tmp/csv.json" >"$tmp/out" 2>&1 || bad "csv: $(cat "$tmp/out")"
python3 -c "
import json,sys; m=json.load(open('$tmp/csv.json')); s=m['source']
assert s['parsed']==2 and s['first_ts']==1511938735 and s['last_ts']==1511938742, s
f=' '.join(m['quality']['findings']); assert 'without a zone: read as UTC (assumed' in f, f
assert '3 CRLF' in f, f" && ok "csv export: times as UTC, assumption and CRLF stated" || bad "csv export"
"$bin" fit "$tmp/export.csv" --format csv:ip=ip,time=time,request=request,status=status \
  --time-format '[%d/%b/%Y:%H:%M:%S' --tz Europe/Berlin --k-min 1 -o "$tmp/csv2.json" >/dev/null 2>&1
python3 -c "
import json; s=json.load(open('$tmp/csv2.json'))['source']; assert s['first_ts']==1511938735-3600, s" \
  && ok "csv export --tz Europe/Berlin: one hour earlier" || bad "csv --tz"

# Apache custom LogFormat with microsecond times (the first log of issue 11).
printf '10.0.0.1 - - [2015-09-02 10:42:51.003372] "GET /a HTTP/1.1" 200 5 "-" "x"\n10.0.0.2 - - [2015-09-02 10:42:52.503372] "GET /b HTTP/1.1" 200 5 "-" "y"\n' >"$tmp/usec.log"
"$bin" fit "$tmp/usec.log" --format 'apache:%h %l %u [%{%Y-%m-%d %H:%M:%S}t.%{usec_frac}t] "%r" %>s %b "%{Referer}i" "%{User-Agent}i"' \
  --k-min 1 -o "$tmp/usec.json" >/dev/null 2>&1
python3 -c "
import json; s=json.load(open('$tmp/usec.json'))['source']; assert abs(s['first_ts']-1441190571.003372)<1e-3 and s['parsed']==2, s" \
  && ok "apache microsecond times" || bad "apache microsecond times"

# auto on the real Apache log picks combined.
"$bin" fit "$data/logs/apache_combined_2015.log" --format auto -o "$tmp/real.json" >"$tmp/out" 2>&1
grep -q -- "--format auto: combined (100.0% of the first 2000 lines)" "$tmp/out" && ok "real log: auto picked combined" \
  || bad "real log auto: $(grep -i auto "$tmp/out")"

# auto between near-equals: 199 combined lines and one common line (combined 99.5%, common
# 100%) must give combined, which keeps the user agents.
python3 -c "
for i in range(199):
    print('10.0.0.%d - - [17/May/2015:10:%02d:%02d +0000] \"GET /p/%d HTTP/1.1\" 200 5 \"-\" \"Mozilla/5.0\"' % (i % 50, i // 60, i % 60, i))
print('10.0.0.9 - - [17/May/2015:10:59:00 +0000] \"GET /p/1 HTTP/1.1\" 200 5')
" >"$tmp/near.log"
"$bin" fit "$tmp/near.log" --format auto -o "$tmp/near.json" >"$tmp/out" 2>&1
grep -q -- "--format auto: combined (99.5% of the first 200 lines)" "$tmp/out" && ok "auto: combined 99.5% over common 100%" \
  || bad "auto near-equals: $(grep -i auto "$tmp/out")"

# auto refusing: exit 2, three candidates each with a first failing line.
printf 'Dec  3 05:00:00 host app: started\nDec  3 05:00:01 host app: ready\n' >"$tmp/junk.log"
"$bin" fit "$tmp/junk.log" --format auto -o "$tmp/junk.json" >"$tmp/out" 2>&1; rc=$?
n=$(grep -c "first failing line 1:" "$tmp/out")
[ "$rc" = 2 ] && [ "$n" = 3 ] && ok "auto refuses with 3 candidates" || bad "auto refusal: rc $rc, $n candidates: $(cat "$tmp/out")"

# An unknown Apache directive warns and the fit goes on; malformed lines name line/field/column.
printf '1.2.3.4 [02/Sep/2015:10:42:51 +0000] "GET /x HTTP/1.1" 200 zz 5\n1.2.3.4 [02/Sep/2015:10:42:52 +0000] "GET /x HTTP/1.1" 2OO zz 5\n' >"$tmp/unk.log"
"$bin" fit "$tmp/unk.log" --format 'apache:%h %t "%r" %>s %J %b' --k-min 1 -o "$tmp/unk.json" >"$tmp/out" 2>&1; rc=$?
grep -q "unknown directive(s) %J" "$tmp/out" && [ "$rc" = 0 ] && ok "unknown directive: warning, exit 0" || bad "unknown directive: rc $rc $(cat "$tmp/out")"
grep -q "line 2: bad_status at byte 56 (field %>s)" "$tmp/out" && ok "malformed line on stderr with byte column" || bad "fail position: $(cat "$tmp/out")"
python3 -c "
import json; q=json.load(open('$tmp/unk.json'))['quality']['malformed']
assert q['first']==[{'line':2,'reason':'bad_status','field':'%>s','column':56}], q" && ok "quality.malformed.first" || bad "quality.malformed.first"

# modeler formats: every preset listed, and one preset's spec is accepted by --format.
"$bin" formats >"$tmp/formats" || bad "formats exit"
for p in combined common apache-usec apache-vhost traefik-clf envoy-text nginx-json caddy traefik envoy w3c alb haproxy; do
  grep -q "^$p " "$tmp/formats" || bad "formats: $p missing"
done
"$bin" fit "$src/fixtures/logs/formats/caddy.log" --format "$("$bin" formats caddy)" --k-min 1 -o "$tmp/c.json" >/dev/null 2>&1 \
  && ok "formats caddy spec fits" || bad "formats caddy spec"
exit $fail
