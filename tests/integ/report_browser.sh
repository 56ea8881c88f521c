#!/usr/bin/env bash
# report_browser.sh -- renders an HTML report in Debian's headless Chromium and checks it.
#
#   report_browser.sh [--shot PNG] REPORT.html [RESULTS.json]
#   report_browser.sh --selftest PAGE_GENERATOR     (tests/integ/report_browser.c)
#
# Takes a screenshot at a laptop width (1366 px) and dumps the DOM after parsing, then
# report_browser.py checks: the screenshot is a real, non-blank PNG; every <svg data-chart>
# has data-points > 0 (and there is at least one); nothing loads from outside the file; and,
# with RESULTS.json, the thresholds table matches it. The contract a report must follow:
#   - charts: <svg data-chart="..." data-points="N"> (common/svg.h writes these);
#   - thresholds: one <table id="thresholds">, one <tr data-expr="EXPR" data-pass="true|false">
#     per entry of results.json "thresholds": [{"expr": EXPR, "pass": BOOL, ...}], same order.
# --selftest proves the harness: a good page passes, and a page with an empty chart or a
# threshold verdict that disagrees with results.json fails.
# Chromium runs with a fresh profile, no network services, and `timeout 60`. A missing
# chromium is a failure (exit 1), never a skip. Exit: 0 ok, 1 a check failed, 2 usage.
set -u
here=$(cd "$(dirname "$0")" && pwd)
die() { echo "report_browser: $*" >&2; exit 1; }

browser=$(command -v chromium || true)
[ -n "$browser" ] || die "chromium is not installed (Debian package 'chromium'; ./check installs it)"
command -v python3 >/dev/null || die "python3 is not installed"

work=$(mktemp -d /tmp/stampede-browser.XXXXXX) || exit 1
trap 'rm -rf "$work"' EXIT

# render URL-OR-FILE MODE OUT: MODE is "shot" or "dom".
render() {
  local prof; prof=$(mktemp -d "$work/profile.XXXXXX")
  local flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
    --disable-background-networking --disable-component-update --disable-sync
    --disable-dev-shm-usage --hide-scrollbars --user-data-dir="$prof" --window-size=1366,2400)
  local url="file://$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
  if [ "$2" = shot ]; then
    timeout 60 "$browser" "${flags[@]}" --screenshot="$3" "$url" >"$work/chromium.log" 2>&1 \
      || { tail -5 "$work/chromium.log" >&2; die "chromium failed or timed out (screenshot of $1)"; }
  else
    timeout 60 "$browser" "${flags[@]}" --dump-dom "$url" >"$3" 2>"$work/chromium.log" \
      || { tail -5 "$work/chromium.log" >&2; die "chromium failed or timed out (DOM of $1)"; }
  fi
}

# check HTML [RESULTS] [SHOT]: 0 when every check passes.
check() {
  local html=$1 res=${2:-} shot=${3:-$work/shot.png}
  [ -r "$html" ] || die "cannot read $html"
  rm -f "$shot"
  render "$html" shot "$shot"
  render "$html" dom "$work/dom.html"
  [ -s "$work/dom.html" ] || die "chromium dumped an empty DOM for $html"
  if [ -n "$res" ]; then
    python3 "$here/report_browser.py" "$shot" "$work/dom.html" "$res"
  else
    python3 "$here/report_browser.py" "$shot" "$work/dom.html"
  fi
}

if [ "${1:-}" = --selftest ]; then
  gen=${2:-}
  [ -x "$gen" ] || { echo "usage: report_browser.sh --selftest PAGE_GENERATOR" >&2; exit 2; }
  fails=0
  for variant in good --empty-chart --wrong-threshold; do
    d="$work/$variant"; mkdir -p "$d"
    if [ "$variant" = good ]; then "$gen" "$d" || die "page generator failed"
    else "$gen" "$d" "$variant" || die "page generator failed ($variant)"; fi
    check "$d/report.html" "$d/results.json" "$d/shot.png" >"$d/out.txt" 2>&1
    rc=$?
    sed "s/^/  [$variant] /" "$d/out.txt"
    if [ "$variant" = good ] && [ $rc -ne 0 ]; then
      echo "report_browser: FAIL: the good page did not pass"; fails=$((fails + 1))
    elif [ "$variant" != good ] && [ $rc -ne 1 ]; then
      echo "report_browser: FAIL: the $variant page was not caught (rc $rc)"; fails=$((fails + 1))
    fi
    [ "$variant" = good ] && [ -n "${ST_REPORT_SHOT:-}" ] && cp "$d/shot.png" "$ST_REPORT_SHOT"
  done
  [ $fails -eq 0 ] && echo "report_browser: selftest passed (1 good page accepted, 2 broken pages caught)"
  [ $fails -eq 0 ]; exit $?
fi

shot_out=
if [ "${1:-}" = --shot ]; then shot_out=${2:-}; shift 2; fi
case "${1:-}" in
  -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
  ''|-*) echo "usage: report_browser.sh [--shot PNG] REPORT.html [RESULTS.json] (try --help)" >&2; exit 2 ;;
esac
check "$1" "${2:-}" "${shot_out:-$work/shot.png}"
