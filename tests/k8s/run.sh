#!/usr/bin/env bash
# run.sh SRC_DIR -- docs/deploy/*.yaml are valid Kubernetes objects (schema, offline), and
# the validator can fail: every object of tests/k8s/broken/*.yaml must be rejected, each
# with the field path of its error.
set -u
src=${1:?usage: run.sh SRC_DIR}
here=$(cd "$(dirname "$0")" && pwd)
fail=0
python3 "$here/validate_deploy.py" "$src" || { echo "FAIL: docs/deploy/ does not validate"; fail=1; }
for f in "$here"/broken/*.yaml; do
  out=$(python3 "$here/validate_deploy.py" "$src" "$f"); rc=$?
  printf '%s\n' "$out"
  [ $rc = 1 ] || { echo "FAIL: $(basename "$f") exit $rc, want 1 (schema errors)"; fail=1; }
  objs=$(python3 -c 'import sys, yaml; print(sum(1 for d in yaml.safe_load_all(open(sys.argv[1])) if d))' "$f")
  rejected=$(printf '%s\n' "$out" | grep -E '^FAIL [^ ]+#[0-9]+: /' | cut -d: -f1 | sort -u | wc -l)
  [ "$rejected" = "$objs" ] || { echo "FAIL: $(basename "$f"): $rejected of $objs broken objects rejected with a field path"; fail=1; }
done
[ $fail = 0 ] && echo "k8s_schema: docs/deploy valid; every broken object rejected"
exit $fail
