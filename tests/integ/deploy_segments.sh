#!/usr/bin/env bash
# deploy_segments.sh -- the many-machine run of docs/deploy/, with the deploy's own command
# lines, on one machine. The container scripts are read from docs/deploy/replay-job.yaml and
# merge-job.yaml (python3-yaml), not copied here, so an edit to the manifests is what runs:
#  - 4 processes run the replay Job's script with JOB_COMPLETION_INDEX 0..3 and the Job's
#    own env (SEGMENTS, START_AT, DB_PROBE from the test's PostgreSQL), on the demo's scenario
#    (models/scenarios/demo-incident.json, with its `min(db.headroom) > 20` rule) at a small
#    scale against the reference shop on loopback; every pod must exit 0 (it once exited 2 on
#    every segment but the probing one: issue 15);
#  - segments 2..4 say once that they leave the db.* rule to the probing segment and merge,
#    and record it as deferred; segment 1 judges it;
#  - the merge Job's init container and merge container run their scripts; the merged
#    verdicts (per threshold) equal a single-process run's of the same scenario, and the
#    merge's exit code is that run's (a rule that surely fails is added, so that both 0 and
#    1 verdicts are compared).
# Paths of the pods' volume mounts (/scenario, /results) are mapped to directories of the
# test, and the metrics listener to a private loopback port per pod (each pod has its own
# network namespace in Kubernetes; here they share one): the only edits to the scripts.
set -u
ts() { echo "deploy_segments: [$(( $(date +%s) - T0 ))s] $*"; }
T0=$(date +%s)
SRC=${ST_SRC_DIR:?}
BIN=${ST_BIN_DIR:?}
T=$(mktemp -d)
pids=() shop_pid=
db=deploy_seg_$$
fail() { echo "deploy_segments: FAIL: $*" >&2; exit 1; }
cleanup() {
  for p in "${pids[@]}" $shop_pid; do kill -TERM "$p" 2>/dev/null; done
  for p in "${pids[@]}" $shop_pid; do wait "$p" 2>/dev/null; done
  dropdb --if-exists "$db" >/dev/null 2>&1
  rm -rf "$T"
}
trap cleanup EXIT
for b in replay/replay datagen/datagen fixtures/shop/shop; do [ -x "$BIN/$b" ] || fail "$BIN/$b not built"; done
createdb "$db" || fail "createdb $db"
export PGDATABASE=$db
conninfo="host=$PGHOST port=$PGPORT user=$PGUSER dbname=$db"

# The scenario volume, laid out as the scenario ConfigMap's keys would be.
mkdir -p "$T/scenario" "$T/results" "$T/bin"
"$BIN/datagen/datagen" fill --shape "$SRC/models/shapes/shop.json" --db "$conninfo" --scale 0.01 --jobs 2 \
  --hot-ids "$T/scenario" -q >"$T/fill.log" 2>&1 || { tail "$T/fill.log"; fail "datagen fill"; }
cp "$SRC/models/shop-synthetic.model.json" "$T/scenario/model.json"
# Small scale (12 s, 10 WebSockets), the demo's thresholds plus one that surely fails.
jq '.model = "model.json" | .websockets.count = 10 | .events[0].sessions = 400
    | .thresholds += ["p99(latency) < 1us"]' \
  "$SRC/models/scenarios/demo-incident.json" >"$T/scenario/scenario.json" || fail "jq scenario"
grep -q 'db.headroom' "$T/scenario/scenario.json" || fail "the demo scenario has no db.* threshold any more"

# The reference shop, separate pools (the demo's passing configuration).
for _ in 1 2 3 4 5; do
  port=$(( 20000 + RANDOM % 12000 ))
  "$BIN/fixtures/shop/shop" --db "$conninfo" --listen "127.0.0.1:$port" --pool 50 --ws-pool separate \
    --ws-pool-size 20 --quiet >"$T/shop.out" 2>&1 &
  shop_pid=$!
  for _ in $(seq 50); do
    (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break
    kill -0 "$shop_pid" 2>/dev/null || break
    sleep 0.1
  done
  (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break
  kill "$shop_pid" 2>/dev/null; wait "$shop_pid" 2>/dev/null; shop_pid=
done
[ -n "$shop_pid" ] || { cat "$T/shop.out"; fail "the shop did not start"; }
jq --arg t "http://127.0.0.1:$port" '.target = $t' "$T/scenario/scenario.json" >"$T/s.tmp" \
  && mv "$T/s.tmp" "$T/scenario/scenario.json"
dur=12s
jq --arg d "$dur" '.duration = $d | .stages = [{"duration": $d, "to": 1.0}] | .events[0].at = "2s" | .events[0].ramp = "2s"
    | .events[0].hold = "4s" | .events[0].decay = "2s"' "$T/scenario/scenario.json" >"$T/s.tmp" \
  && mv "$T/s.tmp" "$T/scenario/scenario.json"

# The scripts and env of the manifests' containers, as shell-quoted files.
python3 - "$SRC/docs/deploy" "$T" <<'PY' || fail "cannot read the container commands from docs/deploy"
import os, re, shlex, sys, yaml
deploy, t = sys.argv[1], sys.argv[2]
def containers(f):
    doc = yaml.safe_load(open(os.path.join(deploy, f)))
    pod = doc["spec"]["template"]["spec"]
    return doc, pod.get("initContainers") or [], pod["containers"]
def write(name, c):
    cmd = (c.get("command") or []) + (c.get("args") or [])
    assert cmd[:2] == ["/bin/sh", "-c"] and len(cmd) == 3, f"{name}: expected /bin/sh -c SCRIPT, got {cmd[:2]}"
    script = cmd[2]
    for m in c.get("volumeMounts") or []:
        # Only where the path starts (after a space, a quote or '='): /scenario/scenario.json
        # maps to T/scenario/scenario.json, not twice.
        script = re.sub(r'(?<![\w/.])' + re.escape(m["mountPath"]) + r'(?![\w.])',
                        lambda _: os.path.join(t, os.path.basename(m["mountPath"])), script)
    open(os.path.join(t, name + ".sh"), "w").write(script)
    env = [f"export {e['name']}={shlex.quote(str(e['value']))}" for e in c.get("env") or [] if "value" in e]
    open(os.path.join(t, name + ".env"), "w").write("\n".join(env) + "\n")
job, _, cs = containers("replay-job.yaml")
assert job["spec"]["completionMode"] == "Indexed"
open(os.path.join(t, "completions"), "w").write(str(job["spec"]["completions"]))
write("replay", cs[0])
_, inits, cs = containers("merge-job.yaml")
write("wait", inits[0])
write("merge", cs[0])
PY
n=$(cat "$T/completions")
[ "$n" = 4 ] || fail "the Indexed Job has $n completions; this test runs 4 local pods"
grep -q 'replay run' "$T/replay.sh" && grep -q 'replay merge' "$T/merge.sh" || fail "unexpected container scripts"
export PATH=$BIN/replay:$PATH

# The reference: one process, the whole plan, with the probe.
at=$(( $(date +%s) + 2 ))
replay run "$T/scenario/scenario.json" --start-at "$at" --db-probe "$conninfo" --no-progress -q \
  -o "$T/one.json" 2>"$T/one.err"
rc_one=$?
[ $rc_one -le 1 ] || { cat "$T/one.err" >&2; fail "single run exited $rc_one"; }

ts "single process: exit $rc_one"
# The 4 pods: the Job's script, each with its index and the Job's env.
at=$(( $(date +%s) + 3 ))
for k in 0 1 2 3; do
  mport=$(( 20000 + (port - 20000 + 100 + k) % 12000 ))
  sed "s/0\.0\.0\.0:9464/127.0.0.1:$mport/" "$T/replay.sh" >"$T/replay-$k.sh"
  ( . "$T/replay.env"; export START_AT=$at JOB_COMPLETION_INDEX=$k DB_PROBE="$conninfo"
    exec /bin/sh "$T/replay-$k.sh" ) >"$T/pod-$k.out" 2>"$T/pod-$k.err" &
  pids+=($!)
done
for k in 0 1 2 3; do
  wait "${pids[$k]}"; rc=$?
  [ $rc = 0 ] || { cat "$T/pod-$k.err" >&2; fail "pod $k (segment $((k + 1))/4) exited $rc"; }
done
pids=()
ts "4 pods done"
out=$T/results/$at
for s in 1 2 3 4; do [ -s "$out/seg-$s.json" ] || fail "no $out/seg-$s.json"; done
for s in 2 3 4; do
  k=$((s - 1))
  c=$(grep -c 'left to the probing segment and to replay merge' "$T/pod-$k.err")
  [ "$c" = 1 ] || { cat "$T/pod-$k.err"; fail "segment $s said $c times that db.* rules are left to merge (want once)"; }
  jq -e '[.thresholds[] | select(.expr | startswith("min(db.")) | .deferred] == [true]' "$out/seg-$s.json" >/dev/null \
    || fail "segment $s: the db.* rule is not recorded as deferred"
  jq -e 'has("db") | not' "$out/seg-$s.json" >/dev/null || fail "segment $s has a db section without a probe"
done
jq -e '[.thresholds[] | select(.expr | startswith("min(db.")) | has("deferred")] == [false]' "$out/seg-1.json" >/dev/null \
  || fail "segment 1 (the probing one) deferred its db.* rule"

# The merge Job: its init container (waits for the 4 files), then the merge.
( . "$T/wait.env"; export START_AT=$at WAIT_S=30; exec /bin/sh "$T/wait.sh" ) || fail "the merge Job's wait step failed"
( . "$T/merge.env"; export START_AT=$at; exec /bin/sh "$T/merge.sh" ) >"$T/merge.out" 2>"$T/merge.err"
rc_merge=$?
cat "$T/merge.out"
[ -s "$out/merged.json" ] && [ -s "$out/merged.html" ] || { cat "$T/merge.err"; fail "merge wrote no merged.json/merged.html"; }
sent=$(jq .counts.requests_sent "$out/merged.json")
[ "$sent" -gt 100 ] || fail "too few requests to compare ($sent)"
[ "$sent" = "$(jq -s '[.[].counts.requests_sent] | add' "$out"/seg-[1-4].json)" ] || fail "merged requests are not the pods' sum"
v_one=$(jq -c '[.thresholds[] | {expr, ok}]' "$T/one.json")
v_merged=$(jq -c '[.thresholds[] | {expr, ok}]' "$out/merged.json")
echo "single process: $v_one (exit $rc_one)"
echo "merged 4 pods:  $v_merged (exit $rc_merge)"
[ "$v_one" = "$v_merged" ] || fail "merged verdicts differ from the single process's"
[ "$rc_merge" = "$rc_one" ] || fail "merge exited $rc_merge, the single run $rc_one"
jq -e '[.thresholds[] | select(.expr | startswith("min(db.")) | .deferred // false] == [false]' "$out/merged.json" >/dev/null \
  || fail "merge left the db.* rule deferred"
jq -e '.thresholds[] | select(.expr == "p99(latency) < 1us") | .ok == false' "$out/merged.json" >/dev/null \
  || fail "the rule that must fail passed"
[ "$rc_merge" = 1 ] || fail "merge exited $rc_merge, want 1 (a threshold fails)"
echo "deploy_segments: 4 pods + merge with the manifests' commands: verdicts equal the single run's"
