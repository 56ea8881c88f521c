#!/usr/bin/env bash
# Data quality: the real Apache log (every timestamp at minute 05 of its hour) must parse
# without a crash, have the quantisation detected, and have Hawkes, burst and think-time
# fitting refused with the reason; bots and malformed lines must be reported. Junk input
# (random bytes, truncated lines, a 200 KB line, NULs, CRLF, empty lines) must never crash
# and must be counted by reason with first line numbers. Other formats (nginx log_format
# string, CSV with a column mapping) must parse the same requests.
set -u
bin=${ST_BIN_DIR:?}/modeler/modeler
sim=${ST_BIN_DIR}/tests/logsim
data=${ST_DATA_DIR:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
expect() { # expect FILE PATH VALUE
  got=$("$sim" get "$1" "$2")
  if [ "$got" != "$3" ]; then echo "FAIL $2: got '$got', want '$3'"; fail=1; else echo "ok   $2 = $3"; fi
}
expect_ge() { # expect_ge FILE PATH MIN
  got=$("$sim" get "$1" "$2")
  if ! awk -v g="$got" -v m="$3" 'BEGIN { exit !(g + 0 >= m + 0) }'; then
    echo "FAIL $2: got '$got', want >= $3"; fail=1; else echo "ok   $2 = $got (>= $3)"; fi
}

# 1. The real log.
log="$data/logs/apache_combined_2015.log"
[ -r "$log" ] || { echo "FAIL: $log not readable (ST_DATA_DIR)"; exit 1; }
"$bin" fit "$log" -o "$tmp/apache.json" >"$tmp/apache.out" 2>&1 || { cat "$tmp/apache.out"; exit 1; }
expect "$tmp/apache.json" source.lines 10000
expect "$tmp/apache.json" hawkes.fitted false
expect "$tmp/apache.json" hawkes.refused "timestamps quantised: every line has minute 05"
expect "$tmp/apache.json" bursts.refused "timestamps quantised: every line has minute 05"
expect "$tmp/apache.json" quality.timestamp_findings.0.kind constant_minute
expect "$tmp/apache.json" quality.timestamp_findings.0.minute 5
expect_ge "$tmp/apache.json" quality.bot_share 0.05
expect_ge "$tmp/apache.json" quality.malformed.total 1
expect_ge "$tmp/apache.json" quality.out_of_order_share 0.3
expect_ge "$tmp/apache.json" privacy.folded_routes 1
grep -q "minute 05" "$tmp/apache.out" || { echo "FAIL: summary does not name the minute-05 finding"; fail=1; }
# Privacy: no address or user agent of the log may appear in the model.
if grep -qE '83\.149\.9\.216|Mozilla|Googlebot' "$tmp/apache.json"; then
  echo "FAIL: the model leaks an IP or a user agent"; fail=1
fi

# 2. Junk never crashes, and is counted by reason.
"$sim" gen --out "$tmp/s.log" --seed 3 --rate 0.2 --span 20m 2>/dev/null || exit 1
{
  head -n 200 "$tmp/s.log"
  head -c 3000 /dev/urandom | tr -d '\n'; echo          # line 201: random bytes
  sed -n 210p "$tmp/s.log" | cut -c1-40                  # 202: truncated
  printf '%0200000d\n' 0                                 # 203: 200 KB line
  printf '\0\0\0 - - [xx] "GET / HTTP/1.1" 200 1\n'      # 204: NULs and a bad time
  printf '\r\n\n'                                        # 205-206: empty
  sed -n 211p "$tmp/s.log" | sed 's/ 200 / 9999 /'       # 207: bad status
  sed -n 212p "$tmp/s.log" | sed 's/"GET [^"]*"/"NONSENSE"/' # 208: bad request
  tail -n +213 "$tmp/s.log" | sed 's/$/\r/'              # CRLF from here on
  printf '1.2.3.4 - - [02/Mar/2026:08:19:59 +0000] "GET /unterminated'  # no final newline
} >"$tmp/junk.log"
head -c 1000000 /dev/urandom >"$tmp/random.bin"
"$bin" fit "$tmp/junk.log" "$tmp/random.bin" -o "$tmp/junk.json" --quiet || { echo "FAIL: fit on junk exited $?"; fail=1; }
expect "$tmp/junk.json" quality.malformed.by_reason.too_long.first_lines.0 203
expect "$tmp/junk.json" quality.malformed.by_reason.bad_status.first_lines.0 207
expect "$tmp/junk.json" quality.malformed.by_reason.bad_request.first_lines.0 208
expect_ge "$tmp/junk.json" quality.malformed.by_reason.truncated.count 3
expect_ge "$tmp/junk.json" quality.malformed.total 8
expect_ge "$tmp/junk.json" sessions.count 10

# 3. The same requests through an nginx log_format string and through CSV.
fmt='$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time'
"$bin" fit "$tmp/s.log" -o "$tmp/a.json" --quiet || exit 1
"$bin" fit "$tmp/s.log" -o "$tmp/b.json" --quiet --format "$fmt" || exit 1
awk 'BEGIN { print "when,client,verb,url,code,size,agent,dur" }
     { split($4, t, "[[/:]"); q = index($0, "\""); r = substr($0, q + 1); split(r, req, " ");
       m = index(r, "\" "); rest = substr(r, m + 2); split(rest, sb, " ");
       ua = $0; sub(/^[^"]*"[^"]*"[^"]*"[^"]*" "/, "", ua); sub(/" [0-9.]+$/, "", ua);
       printf "%s,%s,%s,%s,%s,%s,\"%s\",%s\n", substr($4, 2) " " substr($5, 1, 5), $1, req[1], req[2], sb[1], sb[2], ua, $NF }' \
  "$tmp/s.log" | sed 's/^\([^,]*\) \([^,]*\),/"\1 \2",/' >"$tmp/s.csv"
"$bin" fit "$tmp/s.csv" -o "$tmp/c.json" --quiet \
  --format csv:time=when,ip=client,method=verb,path=url,status=code,bytes=size,ua=agent,request_time=dur || exit 1
for key in source.parsed sessions.count routes.0.template journeys.transitions.2.0; do
  a=$("$sim" get "$tmp/a.json" $key); b=$("$sim" get "$tmp/b.json" $key); c=$("$sim" get "$tmp/c.json" $key)
  if [ "$a" != "$b" ] || [ "$a" != "$c" ]; then
    echo "FAIL formats differ at $key: combined=$a nginx=$b csv=$c"; fail=1
  else echo "ok   $key same for combined, nginx format, csv ($a)"; fi
done
# 4. Files given newest first: the disorder is reported and the timing fits are refused.
n=$(wc -l <"$tmp/s.log")
head -n $((n / 2)) "$tmp/s.log" >"$tmp/old.log"
tail -n +$((n / 2 + 1)) "$tmp/s.log" >"$tmp/new.log"
"$bin" fit "$tmp/new.log" "$tmp/old.log" -o "$tmp/rev.json" --quiet || { echo "FAIL: fit exited $?"; fail=1; }
expect "$tmp/rev.json" hawkes.fitted false
expect_ge "$tmp/rev.json" quality.too_late 1000
# 5. Everyone behind one NAT address: low client cardinality is flagged.
sed -E 's/^[0-9.]+ /192.0.2.7 /' "$tmp/s.log" >"$tmp/nat.log"
"$bin" fit "$tmp/nat.log" -o "$tmp/nat.json" --quiet || { echo "FAIL: fit exited $?"; fail=1; }
expect "$tmp/nat.json" quality.low_client_cardinality true
exit $fail
