#!/usr/bin/env bash
# completion.sh BUILD_DIR -- packaging/bash-completion completes what the tools accept:
# the dispatcher's commands after `TOOL `, a command's options after `TOOL COMMAND -`,
# and stampede-shop's options; nothing for an unknown command.
set -u
b=${1:?usage: completion.sh BUILD_DIR}
src=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=/dev/null
. "$src/packaging/bash-completion"
mkdir -p "$b/completion-bin"
ln -sf "$b/fixtures/shop/shop" "$b/completion-bin/stampede-shop"
PATH=$b/modeler:$b/datagen:$b/replay:$b/completion-bin:$PATH
fail=0
want() { # WANT WORD... : completing the last WORD must offer WANT
  local w=$1; shift
  COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
  _stampede
  case " ${COMPREPLY[*]} " in *" $w "*) ;; *) echo "FAIL: '$*' does not offer $w (got: ${COMPREPLY[*]})"; fail=1 ;; esac
}
want fit modeler ""
want report replay re
want plans datagen ""
want --db-probe replay run --db
want --segment replay run -
want --quiet replay run -
want --shape datagen fill --sh
want --ws-pool stampede-shop --ws
COMP_WORDS=(replay nosuch -); COMP_CWORD=2; COMPREPLY=(); _stampede
[ ${#COMPREPLY[@]} = 0 ] || { echo "FAIL: an unknown command completed: ${COMPREPLY[*]}"; fail=1; }
[ $fail = 0 ] && echo "completion: commands and options complete from the tools' --help"
exit $fail
