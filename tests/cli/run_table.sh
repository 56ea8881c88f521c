#!/usr/bin/env bash
# Runs a CLI contract table against one binary (pgbench's TAP habit, as a data file).
#
# Table format: one case per line, fields separated by TABs:
#   ARGS <TAB> EXIT_CODE <TAB> STDERR_ERE [<TAB> STDOUT_ERE]
# ARGS are shell words (quotes allowed) and may use $DATA (../shared/data), $SRC (source
# root), $TMP (a fresh temporary directory for this table) and $BIN (build dir). An empty
# pattern or "-" means "not checked". ARGS "(none)" runs the binary with no arguments. Lines starting with # and blank lines are ignored.
# A case that feeds stdin ends ARGS with the word '<'FILE (quote the '<' so that eval keeps
# it as a word instead of performing the redirection itself).
set -u
bin=${1:?usage: run_table.sh BINARY TABLE}
table=${2:?usage: run_table.sh BINARY TABLE}
DATA=${ST_DATA_DIR:-}
SRC=${ST_SRC_DIR:-}
BIN=${ST_BIN_DIR:-}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export DATA SRC TMP BIN
fail=0
n=0
lineno=0
while IFS= read -r line || [ -n "$line" ]; do
  lineno=$((lineno + 1))
  case "$line" in ''|'#'*) continue ;; esac
  IFS=$'\t' read -r args code errpat outpat <<<"$line"
  n=$((n + 1))
  # "(none)" is a case with no arguments at all (a leading TAB would be eaten by read).
  if [ "$args" = "(none)" ]; then set --; else eval "set -- $args"; fi
  stdin=/dev/null
  if [ $# -gt 0 ]; then
    last=${!#}
    case "$last" in '<'*) stdin=${last#<}; set -- "${@:1:$#-1}" ;; esac
  fi
  out=$(cd "$TMP" && timeout 60 "$bin" "$@" <"$stdin" 2>"$TMP/.stderr")
  rc=$?
  err=$(cat "$TMP/.stderr")
  ok=1
  [ "$rc" = "$code" ] || ok=0
  if [ -n "${errpat:-}" ] && [ "$errpat" != "-" ]; then
    printf '%s' "$err" | grep -qE -- "$errpat" || ok=0
  fi
  if [ -n "${outpat:-}" ] && [ "$outpat" != "-" ]; then
    printf '%s' "$out" | grep -qE -- "$outpat" || ok=0
  fi
  # A sanitizer report is always a failure, whatever the exit code.
  if printf '%s' "$err" | grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:'; then ok=0; fi
  if [ $ok = 0 ]; then
    fail=$((fail + 1))
    echo "FAIL $table:$lineno: $(basename "$bin") $args"
    echo "  exit $rc (want $code)"
    echo "  stderr: $(printf '%s' "$err" | head -5)"
    [ -n "${outpat:-}" ] && echo "  stdout: $(printf '%s' "$out" | head -5)"
  fi
done <"$table"
if [ $n -eq 0 ]; then echo "no cases in $table"; exit 1; fi
echo "$(basename "$bin"): $((n - fail))/$n CLI cases passed"
[ $fail -eq 0 ]
