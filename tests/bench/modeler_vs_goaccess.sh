#!/usr/bin/env bash
# Benchmark (not a test): `modeler fit` speed on a 10M-line log, in three formats carrying
# the same traffic (nginx combined + $request_time, nginx JSON lines, an Apache custom
# LogFormat), against GoAccess (Debian's goaccess, which reads all three) in the same run,
# plus instructions per line from valgrind as the figure that does not move with the load
# of a shared machine (`perf stat -e instructions` is "not supported" in this container).
#
# Per format it prints:
#   - modeler fit on the whole log, pinned to one core, two runs: wall seconds and lines/s
#     (the single-threaded figure: fit is one thread) and lines per CPU-second (user +
#     system: the per-core figure, which leaves out the time other jobs held the core);
#   - GoAccess and modeler alternating A B A B on the first BENCH_GOACCESS_LINES lines
#     (GoAccess reads ~40k lines/s: the whole 10M-line log would take minutes per run),
#     both pinned to the same core, and the ratio of their rates;
#   - instructions per line on the first BENCH_INSTR_LINES lines (valgrind callgrind): the
#     whole `fit` (read, parse, sessionize and every fit) and its streaming pass alone
#     (ingest_run, inclusive): the fits cost a near-constant amount, so on a short slice
#     they dominate the whole figure.
#
# The logs are made once and kept in BENCH_CACHE (deterministic: the simulator with a fixed
# seed, then tests/bench/log_convert.py), so a second run (e.g. BEFORE and AFTER a change)
# reads the same bytes without regenerating them. About 2 GB per format.
#
# usage: tests/bench/modeler_vs_goaccess.sh [BUILD_DIR]
#   env: BENCH_SEED (43), BENCH_RATE (sessions/s, 20), BENCH_SPAN (8h): 10,178,480 lines;
#        BENCH_CACHE (/tmp/stampede-bench): where the logs are kept;
#        BENCH_GOACCESS_LINES (1000000), BENCH_INSTR_LINES (200000);
#        BENCH_FORMATS ("combined nginx-json apache-usec"): which rows to run;
#        BENCH_SKIP_GOACCESS=1, BENCH_SKIP_INSTR=1, BENCH_SKIP_FULL=1 (the two runs on the
#        whole log): leave those parts out (said in the output);
#        BENCH_MODELER: a modeler binary to measure instead of BUILD_DIR's (to measure an
#        older build against the same logs).
# example: BENCH_FORMATS=combined tests/bench/modeler_vs_goaccess.sh build-bench
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build-bench}
. "$root/scripts/deps.sh"
st_ensure_packages goaccess valgrind
command -v goaccess >/dev/null || { echo "bench: goaccess not available" >&2; exit 3; }
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target modeler logsim >/dev/null
modeler=${BENCH_MODELER:-$build/modeler/modeler}
logsim=$build/tests/logsim
seed=${BENCH_SEED:-43} rate=${BENCH_RATE:-20} span=${BENCH_SPAN:-8h}
cache=${BENCH_CACHE:-/tmp/stampede-bench}
glines=${BENCH_GOACCESS_LINES:-1000000}
ilines=${BENCH_INSTR_LINES:-200000}
mkdir -p "$cache"
tmp=$(mktemp -d /tmp/modeler-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pin=()
command -v taskset >/dev/null && pin=(taskset -c 1)

# The logs, written under a temporary name and renamed, so an interrupted run never leaves
# a half log for the next one to trust.
base=$cache/sim-$seed-$rate-$span
if [ ! -s "$base.combined" ]; then
  "$logsim" gen --out "$base.combined.part" --seed "$seed" --rate "$rate" --span "$span" 2>/dev/null
  mv "$base.combined.part" "$base.combined"
fi
convert() { # convert KIND FILE: the combined log's requests rewritten by log_convert.py
  if [ ! -s "$2" ]; then
    python3 "$root/tests/bench/log_convert.py" "$1" "$base.combined" "$2.part" >/dev/null
    mv "$2.part" "$2"
  fi
}

# Runs a command pinned to the core; prints "wall cpu max_rss_kb".
timed() {
  /usr/bin/time -f "%e %U %S %M" -o "$tmp/t.txt" "${pin[@]}" "$@" >/dev/null 2>"$tmp/err.txt" ||
    { echo "bench: failed: $*" >&2; cat "$tmp/err.txt" >&2; exit 1; }
  awk '{ printf "%s %.2f %s", $1, $2 + $3, $4 }' "$tmp/t.txt"
}
avg() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (a + b) / 2 }'; }
rate() { awk -v l="$1" -v s="$2" 'BEGIN { printf "%.0f", l / s }'; }
word() { echo "$1" | awk -v i="$2" '{ print $i }'; }

row() { # row MODELER_FORMAT FILE GOACCESS_ARGS...
  local mfmt=$1 file=$2 n bytes a b w c
  shift 2
  n=$(wc -l <"$file")
  bytes=$(stat -c %s "$file")
  cat "$file" >/dev/null # warm the page cache
  echo "$mfmt: $n lines, $((bytes / 1048576)) MiB"
  if [ "${BENCH_SKIP_FULL:-0}" = 1 ]; then
    echo "  modeler fit on the whole log: left out (BENCH_SKIP_FULL=1)"
  else
    a=$(timed "$modeler" fit "$file" --format "$mfmt" -o "$tmp/m.json" --quiet)
    b=$(timed "$modeler" fit "$file" --format "$mfmt" -o "$tmp/m.json" --quiet)
    w=$(avg "$(word "$a" 1)" "$(word "$b" 1)")
    c=$(avg "$(word "$a" 2)" "$(word "$b" 2)")
    echo "  modeler fit, 1 core: $w s wall (runs $(word "$a" 1), $(word "$b" 1)) -> $(rate "$n" "$w") lines/s;" \
         "$c CPU-s -> $(rate "$n" "$c") lines per CPU-s; max RSS $(($(word "$b" 3) / 1024)) MiB"
  fi
  if [ "${BENCH_SKIP_GOACCESS:-0}" = 1 ]; then
    echo "  goaccess: left out (BENCH_SKIP_GOACCESS=1)"
  else
    head -n "$glines" "$file" >"$tmp/slice"
    local g1 m1 g2 m2 gw mw gc mc
    gx() { timed goaccess "$tmp/slice" "$@" --no-progress -o "$tmp/g.json"; }
    mx() { timed "$modeler" fit "$tmp/slice" --format "$mfmt" -o "$tmp/m.json" --quiet; }
    g1=$(gx "$@"); m1=$(mx); g2=$(gx "$@"); m2=$(mx)
    gw=$(avg "$(word "$g1" 1)" "$(word "$g2" 1)"); mw=$(avg "$(word "$m1" 1)" "$(word "$m2" 1)")
    gc=$(avg "$(word "$g1" 2)" "$(word "$g2" 2)"); mc=$(avg "$(word "$m1" 2)" "$(word "$m2" 2)")
    local valid
    valid=$(grep -o '"valid_requests": *[0-9]*' "$tmp/g.json" | grep -o '[0-9]*$' || echo "?")
    echo "  first $glines lines, A B A B: goaccess $(rate "$glines" "$gw") lines/s ($(rate "$glines" "$gc") per CPU-s," \
         "valid requests $valid), modeler fit $(rate "$glines" "$mw") lines/s ($(rate "$glines" "$mc") per CPU-s):" \
         "ratio $(awk -v g="$gw" -v m="$mw" 'BEGIN { printf "%.1f", g / m }')x wall," \
         "$(awk -v g="$gc" -v m="$mc" 'BEGIN { printf "%.1f", g / m }')x CPU"
    rm -f "$tmp/slice"
  fi
  if [ "${BENCH_SKIP_INSTR:-0}" = 1 ]; then
    echo "  instructions per line: left out (BENCH_SKIP_INSTR=1)"
  else
    head -n "$ilines" "$file" >"$tmp/islice"
    valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$modeler" fit "$tmp/islice" \
      --format "$mfmt" -o "$tmp/m.json" --quiet >/dev/null 2>&1
    local tot ing
    tot=$(callgrind_annotate "$tmp/cg.out" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
    ing=$(callgrind_annotate --inclusive=yes "$tmp/cg.out" 2>/dev/null |
          awk '/[: ]ingest_run( |$)/ { gsub(",", "", $1); print $1; exit }')
    echo "  instructions per line (callgrind, first $ilines lines): whole fit" \
         "$(rate "${tot:-0}" "$ilines"), streaming pass (ingest_run) $(rate "${ing:-0}" "$ilines")"
    rm -f "$tmp/islice" "$tmp/cg.out"
  fi
}

echo "modeler: $modeler; logs: $base.* (logsim seed $seed, $rate sessions/s, $span); $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for f in ${BENCH_FORMATS:-combined nginx-json apache-usec}; do
  case $f in
  combined)
    row combined "$base.combined" --log-format='%h %^[%d:%t %^] "%r" %s %b "%R" "%u" %T' \
      --date-format=%d/%b/%Y --time-format=%T ;;
  nginx-json)
    convert json "$base.json"
    row nginx-json "$base.json" \
      --log-format='{"msec":"%x.%^","remote_addr":"%h","request":"%r","status":"%s","body_bytes_sent":"%b","request_time":"%T","http_referer":"%R","http_user_agent":"%u"}' \
      --datetime-format=%s ;;
  apache-usec)
    convert apache "$base.apache"
    row apache-usec "$base.apache" --log-format='%h %^ %^ [%d %t.%^] "%r" %s %b "%R" "%u" %D' \
      --date-format=%Y-%m-%d --time-format=%H:%M:%S ;;
  *) echo "bench: unknown format in BENCH_FORMATS: $f" >&2; exit 2 ;;
  esac
done
