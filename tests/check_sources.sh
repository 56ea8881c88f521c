#!/usr/bin/env bash
# Fails when a C source uses a banned function (STYLE.md: curl's checksrc habit) or when the
# checker itself finds no sources (a checker that checks nothing must not pass).
set -u
root=${1:?usage: check_sources.sh SOURCE_ROOT}
cd "$root" || exit 2
files=$(find common modeler datagen replay fixtures tests -name '*.[ch]' -not -path '*/build*' | sort)
n=$(printf '%s\n' "$files" | grep -c . || true)
if [ "$n" -lt 5 ]; then
  echo "check_sources: only $n C files found under $root; refusing to pass" >&2
  exit 1
fi
# Strip // comments and string literals crudely before matching, so prose may name them.
bad=$(printf '%s\n' "$files" | xargs grep -nE '(^|[^_[:alnum:]])(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|atoll|strtok)[[:space:]]*\(' \
      | grep -vE '^[^:]+:[0-9]+:[[:space:]]*(\*|/\*|//)' || true)
if [ -n "$bad" ]; then
  echo "check_sources: banned functions (use snprintf, units_parse_*, strtok_r):" >&2
  printf '%s\n' "$bad" >&2
  exit 1
fi
echo "check_sources: $n files clean"
