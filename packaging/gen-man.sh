#!/bin/sh
# gen-man.sh TOOL_BINARY PAGE_NAME OUTDIR VERSION -- the man pages of one tool, from its
# --help texts (packaging/help2man.awk): PAGE_NAME.1.gz, and PAGE_NAME-COMMAND.1.gz for
# every command the tool's dispatcher lists (common/cmd.c prints them under "commands:").
# gzip -n keeps the pages byte-identical from one build to the next.
set -eu
bin=$1 name=$2 out=$3 version=$4
awkf=$(dirname "$0")/help2man.awk
mkdir -p "$out"
# A binary installed under another name (shop -> stampede-shop): its help texts say the
# installed name, as a user types it.
base=$(basename "$bin")
rename() {
  if [ "$base" = "$name" ]; then cat; else
    sed -e "s/^usage: $base /usage: $name /" -e "s/^\(  *\)$base /\1$name /"; fi
}
help=$("$bin" --help | rename)
# The tool's one-line summary: the first paragraph after the usage line.
summary=$(printf '%s\n' "$help" | awk 'NR > 2 && /^$/ {exit} NR > 2 {printf "%s%s", (n++ ? " " : ""), $0}')
# man(7) style for NAME: lower-case first word, no final period.
summary=$(printf '%s' "$summary" | sed -e 's/\. .*//' -e 's/\.$//' -e 's/^\([A-Z]\)\([a-z]\)/\L\1\E\2/')
cmds=$(printf '%s\n' "$help" | awk '/^commands:$/ {f = 1; next} f && /^$/ {exit} f {print $1}')
see=""
for c in $cmds; do see="$see${see:+,}$name-$c"; done
page() { # NAME TITLE SEE -- reads the help text on stdin
  awk -v name="$1" -v title="$2" -v version="$version" -v see="$3" -f "$awkf" >"$out/$1.1.tmp"
  gzip -9nf "$out/$1.1.tmp" && mv "$out/$1.1.tmp.gz" "$out/$1.1.gz"
}
printf '%s\n' "$help" | page "$name" "$summary" "$see"
for c in $cmds; do
  title=$(printf '%s\n' "$help" | awk -v c="$c" '/^commands:$/ {f = 1; next} f && /^$/ {exit}
    f && $1 == c {sub(/^  [^ ].*[^ ]   */, ""); sub(/^  [^ ]+  +/, ""); print; exit}')
  "$bin" "$c" --help | rename | page "$name-$c" "$title" "$name"
done
