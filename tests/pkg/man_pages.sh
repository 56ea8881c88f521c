#!/usr/bin/env bash
# man_pages.sh BUILD_DIR -- the generated man pages (packaging/gen-man.sh) are complete and
# render cleanly: one page per tool and per command the dispatcher lists, each rendered by
# `MANWIDTH=80 man --warnings -l` with nothing on stderr, and each page carrying the
# options of the --help text it was made from.
set -u
b=${1:?usage: man_pages.sh BUILD_DIR}
fail=0 n=0
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
command -v man >/dev/null || { echo "FAIL: man not found (scripts/deps.sh installs man-db)"; exit 1; }
pages() { # TOOL_BINARY PAGE_NAME: the pages that tool must have
  echo "$2"
  "$1" --help | awk -v p="$2" '/^commands:$/ {f = 1; next} f && /^$/ {exit} f {print p "-" $1}'
}
check_page() { # PAGE HELP_COMMAND...
  local page=$1; shift
  local f=$b/man/$page.1.gz err out
  n=$((n + 1))
  [ -s "$f" ] || { bad "$page: no $f"; return; }
  out=$(MANWIDTH=80 man --warnings -l "$f" 2>"$b/man/.err") || bad "$page: man -l failed"
  err=$(cat "$b/man/.err")
  [ -z "$err" ] || bad "$page: man --warnings: $(printf '%s' "$err" | head -3)"
  printf '%s\n' "$out" | grep -q '^NAME' || bad "$page: no NAME section"
  # Every long option the help text names is on the page (man renders \- as '-').
  for o in $("$@" --help | grep '^ ' | grep -oE -- '--[a-z][-a-z0-9]*' | sort -u); do
    printf '%s\n' "$out" | grep -qF -- "$o" || bad "$page: option $o of '$* --help' missing"
  done
}
for spec in modeler:modeler/modeler datagen:datagen/datagen replay:replay/replay stampede-shop:fixtures/shop/shop; do
  name=${spec%%:*} bin=$b/${spec#*:}
  for p in $(pages "$bin" "$name"); do
    if [ "$p" = "$name" ]; then check_page "$p" "$bin"; else check_page "$p" "$bin" "${p#"$name"-}"; fi
  done
done
extra=$(comm -13 <(for spec in modeler:modeler/modeler datagen:datagen/datagen replay:replay/replay stampede-shop:fixtures/shop/shop; do
  pages "$b/${spec#*:}" "${spec%%:*}"; done | sort) <(cd "$b/man" && ls *.1.gz | sed 's/\.1\.gz$//' | sort))
[ -z "$extra" ] || bad "pages for no command: $extra"
echo "man_pages: $((n - fail))/$n pages render without warnings and carry their options"
[ $fail -eq 0 ]
