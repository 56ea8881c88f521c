#!/usr/bin/env bash
# check_sources.sh SOURCE_ROOT [--columns N]
#
# Without --columns: fails when a C source uses a banned function (STYLE.md: curl's checksrc
# habit). With --columns N: fails when a C source has a line longer than N columns, naming
# each FILE:LINE, outside the one escape: a table or --help text between the lines
# `/* clang-format off */` and `/* clang-format on */` (the markers clang-format itself
# honours, so what the formatter leaves alone the limit leaves alone too; see
# docs/dev/CONTRIBUTING.md, "Layout"). Either way it fails when it finds no sources: a checker
# that checks nothing must not pass.
set -u
root=${1:?usage: check_sources.sh SOURCE_ROOT [--columns N]}
columns=
if [ $# -ge 2 ]; then
  case "$2" in
    --columns) columns=${3:-}
               case "$columns" in ''|*[!0-9]*) echo "check_sources: --columns: expected a number, got '$columns'" >&2; exit 2 ;; esac ;;
    *) echo "check_sources: unknown option '$2' (usage: check_sources.sh SOURCE_ROOT [--columns N])" >&2; exit 2 ;;
  esac
fi
cd "$root" || exit 2
files=$(find common modeler datagen replay fixtures tests -name '*.[ch]' -not -path '*/build*' | sort)
n=$(printf '%s\n' "$files" | grep -c . || true)
if [ "$n" -lt 5 ]; then
  echo "check_sources: only $n C files found under $root; refusing to pass" >&2
  exit 1
fi

if [ -n "$columns" ]; then
  # Columns are characters, as clang-format counts them: a UTF-8 continuation byte (a "§" in
  # a comment) adds none. Tabs count as one (the tree uses none).
  long=$(printf '%s\n' "$files" | LC_ALL=C xargs awk -v max="$columns" '
    FNR == 1 { off = 0 }
    /^[ \t]*(\/\*|\/\/) clang-format off/ { off = 1 }
    /^[ \t]*(\/\*|\/\/) clang-format on/ { off = 0 }
    !off && length($0) > max {
      t = $0; w = length($0) - gsub(/[\200-\277]/, "", t)
      if (w > max) printf "%s:%d: %d columns (limit %d)\n", FILENAME, FNR, w, max
    }')
  if [ -n "$long" ]; then
    echo "check_sources: lines over $columns columns (wrap them, or run scripts/format; a table or help text may sit between /* clang-format off */ and /* clang-format on */):" >&2
    printf '%s\n' "$long" >&2
    echo "check_sources: $(printf '%s\n' "$long" | grep -c .) line(s) over $columns columns in $n files" >&2
    exit 1
  fi
  echo "check_sources: $n files within $columns columns"
  exit 0
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
