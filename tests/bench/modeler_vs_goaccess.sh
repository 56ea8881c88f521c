#!/usr/bin/env bash
# Benchmark (not a test): `modeler fit` against GoAccess (Debian's goaccess) on the same
# multi-million-line nginx log written by the simulator, in one run, so the ratio is fair
# on a shared machine. Both tools are pinned to the same core when taskset exists and run
# alternately (A B A B); medians of the two runs are reported. Then the RSS of modeler on a
# 10M-line log.
#
# usage: tests/bench/modeler_vs_goaccess.sh [BUILD_DIR]
#   env: BENCH_RATE (sessions/s, default 10), BENCH_SPAN (default 4h): ~2.7M lines;
#        BENCH_BIG_RATE / BENCH_BIG_SPAN (default 20/s, 8h): ~10M lines for the RSS figure;
#        BENCH_SKIP_BIG=1 skips the 10M-line run;
#        BENCH_FMT_LINES (default 1000000): lines of that log rewritten as nginx JSON lines
#        and as an Apache custom LogFormat (usec times, %D) for the format rows, each run
#        against GoAccess reading the same file; BENCH_SKIP_FORMATS=1 skips them.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build-bench}
. "$root/scripts/deps.sh"
st_ensure_packages goaccess
command -v goaccess >/dev/null || { echo "bench: goaccess not available" >&2; exit 3; }
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target modeler logsim >/dev/null
modeler=$build/modeler/modeler
logsim=$build/tests/logsim
tmp=$(mktemp -d /tmp/modeler-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pin=()
command -v taskset >/dev/null && pin=(taskset -c 1)

"$logsim" gen --out "$tmp/access.log" --seed 42 --rate "${BENCH_RATE:-10}" --span "${BENCH_SPAN:-4h}" 2>"$tmp/gen.txt"
lines=$(wc -l <"$tmp/access.log")
bytes=$(stat -c %s "$tmp/access.log")
cat "$tmp/access.log" >/dev/null # warm the page cache for both tools

gfmt='%h %^[%d:%t %^] "%r" %s %b "%R" "%u" %T'
run_goaccess() {
  /usr/bin/time -f "%e %M" -o "$tmp/t.txt" "${pin[@]}" goaccess "$tmp/access.log" --log-format="$gfmt" \
    --date-format=%d/%b/%Y --time-format=%T --no-progress -o "$tmp/goaccess.json" >/dev/null 2>&1
  cat "$tmp/t.txt"
}
run_modeler() {
  /usr/bin/time -f "%e %M" -o "$tmp/t.txt" "${pin[@]}" "$modeler" fit "$tmp/access.log" \
    -o "$tmp/model.json" --quiet
  cat "$tmp/t.txt"
}
g1=$(run_goaccess); m1=$(run_modeler); g2=$(run_goaccess); m2=$(run_modeler)
med() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (a + b) / 2 }'; }
gs=$(med "${g1% *}" "${g2% *}")
ms=$(med "${m1% *}" "${m2% *}")
gr=$(awk -v l="$lines" -v s="$gs" 'BEGIN { printf "%.0f", l / s }')
mr=$(awk -v l="$lines" -v s="$ms" 'BEGIN { printf "%.0f", l / s }')
ratio=$(awk -v a="$mr" -v b="$gr" 'BEGIN { printf "%.1f", a / b }')
valid=$(grep -o '"valid_requests": *[0-9]*' "$tmp/goaccess.json" | grep -o '[0-9]*$' || echo "?")
echo "log: $lines lines, $((bytes / 1048576)) MiB (nginx combined + \$request_time, simulator seed 42)"
echo "goaccess 1 core: ${gs} s  -> $gr lines/s  (runs ${g1% *} s, ${g2% *} s; RSS ${g2#* } KB; valid requests $valid)"
echo "modeler fit 1 core: ${ms} s  -> $mr lines/s  (runs ${m1% *} s, ${m2% *} s; RSS ${m2#* } KB; parse + every fit)"
echo "ratio modeler/goaccess: ${ratio}x"

# Format rows: the same requests as JSON lines and as an Apache custom format.
fmt_row() { # fmt_row LABEL FILE MODELER_FORMAT GOACCESS_ARGS...
  local label=$1 file=$2 mfmt=$3 a b c d n
  shift 3
  n=$(wc -l <"$file")
  # Wall time, and CPU time (user + system): on a shared machine the CPU rate is the
  # lines/s/core figure, the wall rate also counts the time other jobs held the core.
  gx() { /usr/bin/time -f "%e %U %S" -o "$tmp/t.txt" "${pin[@]}" goaccess "$file" "$@" --no-progress \
           -o "$tmp/g.json" >/dev/null 2>&1; awk '{ printf "%s %.2f", $1, $2 + $3 }' "$tmp/t.txt"; }
  mx() { /usr/bin/time -f "%e %U %S" -o "$tmp/t.txt" "${pin[@]}" "$modeler" fit "$file" --format "$mfmt" \
           -o "$tmp/fm.json" --quiet; awk '{ printf "%s %.2f", $1, $2 + $3 }' "$tmp/t.txt"; }
  a=$(gx "$@"); b=$(mx); c=$(gx "$@"); d=$(mx)
  local gs2 ms2 gc mc
  gs2=$(med "${a% *}" "${c% *}"); ms2=$(med "${b% *}" "${d% *}")
  gc=$(med "${a#* }" "${c#* }"); mc=$(med "${b#* }" "${d#* }")
  rate() { awk -v l="$n" -v s="$1" 'BEGIN { printf "%.0f", l / s }'; }
  echo "$label ($n lines): goaccess $(rate "$gs2") lines/s ($(rate "$gc") per CPU-s)," \
       "modeler fit --format $mfmt $(rate "$ms2") lines/s ($(rate "$mc") per CPU-s)" \
       "(ratio $(awk -v g="$gs2" -v m="$ms2" 'BEGIN { printf "%.1f", g / m }')x; wall runs ${a% *}/${c% *} s," \
       "${b% *}/${d% *} s)"
}
if [ "${BENCH_SKIP_FORMATS:-0}" != 1 ]; then
  head -n "${BENCH_FMT_LINES:-1000000}" "$tmp/access.log" >"$tmp/part.log"
  python3 "$root/tests/bench/log_convert.py" json "$tmp/part.log" "$tmp/access.json" >/dev/null
  python3 "$root/tests/bench/log_convert.py" apache "$tmp/part.log" "$tmp/access.apache" >/dev/null
  rm -f "$tmp/part.log"
  fmt_row "combined + \$request_time" "$tmp/access.log" combined --log-format="$gfmt" \
    --date-format=%d/%b/%Y --time-format=%T
  fmt_row "JSON lines (nginx escape=json)" "$tmp/access.json" nginx-json \
    --log-format='{"msec":"%x.%^","remote_addr":"%h","request":"%r","status":"%s","body_bytes_sent":"%b","request_time":"%T","http_referer":"%R","http_user_agent":"%u"}' \
    --datetime-format=%s
  fmt_row "Apache LogFormat (usec times, %D)" "$tmp/access.apache" apache-usec \
    --log-format='%h %^ %^ [%d %t.%^] "%r" %s %b "%R" "%u" %D' --date-format=%Y-%m-%d --time-format=%H:%M:%S
  rm -f "$tmp/access.json" "$tmp/access.apache"
fi

if [ "${BENCH_SKIP_BIG:-0}" != 1 ]; then
  rm -f "$tmp/access.log"
  "$logsim" gen --out "$tmp/big.log" --seed 43 --rate "${BENCH_BIG_RATE:-20}" --span "${BENCH_BIG_SPAN:-8h}" 2>/dev/null
  big=$(wc -l <"$tmp/big.log")
  /usr/bin/time -f "%e %M" -o "$tmp/t.txt" "${pin[@]}" "$modeler" fit "$tmp/big.log" -o "$tmp/big.json" --quiet
  read -r bs brss <"$tmp/t.txt"
  echo "modeler fit on $big lines: ${bs} s ($(awk -v l="$big" -v s="$bs" 'BEGIN { printf "%.0f", l / s }') lines/s), max RSS $((brss / 1024)) MiB"
fi
