#!/usr/bin/env python3
"""probe_deploy.py -- offline validation of docs/deploy/ (Kubernetes manifests + Grafana).

Usage: probe_deploy.py SRC_DIR

kubectl cannot validate offline (it needs the API server's discovery even with
--dry-run=client; docs/deploy/README.md), so this checks what a wrong edit would break:
  1. yamllint (strict, 120 columns) on every docs/deploy/*.yaml;
  2. structure, with python3-yaml: the Indexed Job (batch/v1 Job, completionMode Indexed,
     completions == parallelism == SEGMENTS env, restartPolicy Never, the command derives
     --segment from JOB_COMPLETION_INDEX and passes --start-at $START_AT, results written
     under /results), the merge Job (replay merge of seg-*.json with -o and --report), the
     PVC (ReadWriteMany), the ConfigMap (scenario.json is a stampede-scenario); every
     volumeMount names a declared volume and every claim/configMap referenced exists;
  3. the Grafana dashboard parses, and every metric it queries is documented in
     docs/deploy/README.md; those listed as exported by replay/live.c appear there.
Prints one line per problem; exits 1 if any, 0 otherwise. Missing tools fail (never skip).
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys

problems = []


def bad(msg):
    problems.append(msg)


def get(obj, path, where):
    cur = obj
    for k in path:
        if isinstance(cur, dict) and k in cur:
            cur = cur[k]
        elif isinstance(cur, list) and isinstance(k, int) and k < len(cur):
            cur = cur[k]
        else:
            bad(f"{where}: missing {'.'.join(str(p) for p in path)}")
            return None
    return cur


def env_of(container):
    return {e.get("name"): e for e in container.get("env") or []}


def check_mounts(spec, where):
    vols = {v.get("name"): v for v in spec.get("volumes") or []}
    for c in (spec.get("initContainers") or []) + (spec.get("containers") or []):
        for m in c.get("volumeMounts") or []:
            if m.get("name") not in vols:
                bad(f"{where}: container {c.get('name')} mounts undeclared volume {m.get('name')}")
    return vols


def script_of(container):
    return " ".join((container.get("command") or []) + (container.get("args") or []))


def check_replay_job(doc, where, names):
    if doc.get("apiVersion") != "batch/v1":
        bad(f"{where}: apiVersion {doc.get('apiVersion')!r}, expected batch/v1")
    spec = doc.get("spec") or {}
    if spec.get("completionMode") != "Indexed":
        bad(f"{where}: spec.completionMode must be Indexed")
    comp, par = spec.get("completions"), spec.get("parallelism")
    if not isinstance(comp, int) or comp < 1 or comp != par:
        bad(f"{where}: completions ({comp}) and parallelism ({par}) must be equal and >= 1")
    pod = get(spec, ["template", "spec"], where) or {}
    if pod.get("restartPolicy") != "Never":
        bad(f"{where}: restartPolicy must be Never (a restarted segment starts late)")
    containers = pod.get("containers") or []
    if len(containers) != 1:
        bad(f"{where}: expected one container, got {len(containers)}")
        return
    c = containers[0]
    env = env_of(c)
    seg = (env.get("SEGMENTS") or {}).get("value")
    if str(seg) != str(comp):
        bad(f"{where}: env SEGMENTS={seg!r} must equal completions={comp}")
    if "START_AT" not in env:
        bad(f"{where}: env START_AT missing (the common --start-at)")
    sh = script_of(c)
    if not re.search(r"\$\(\(\s*JOB_COMPLETION_INDEX\s*\+\s*1\s*\)\)", sh):
        bad(f"{where}: the command must compute the segment as $((JOB_COMPLETION_INDEX+1))")
    if not re.search(r"replay run\b", sh):
        bad(f"{where}: the command does not run `replay run`")
    for needle, what in ((r"--segment\s+\"?\$SEG/\$SEGMENTS", "--segment $SEG/$SEGMENTS"),
                         (r"--start-at\s+\"?\$START_AT", "--start-at $START_AT"),
                         (r"-o\s+\"?\$OUT/seg-\$SEG\.json", "-o $OUT/seg-$SEG.json"),
                         (r"OUT=/results/", "results under /results/"),
                         (r"--metrics-addr\s+0\.0\.0\.0:", "--metrics-addr 0.0.0.0:PORT")):
        if not re.search(needle, sh):
            bad(f"{where}: the command lacks {what}")
    vols = check_mounts(pod, where)
    mounts = {m.get("mountPath"): m.get("name") for m in c.get("volumeMounts") or []}
    rv = vols.get(mounts.get("/results")) or {}
    claim = (rv.get("persistentVolumeClaim") or {}).get("claimName")
    if not claim:
        bad(f"{where}: /results must be a persistentVolumeClaim volume")
    elif claim not in names.get("PersistentVolumeClaim", set()):
        bad(f"{where}: claim {claim} is not defined in docs/deploy")
    sv = vols.get(mounts.get("/scenario")) or {}
    cm = (sv.get("configMap") or {}).get("name")
    if not cm or cm not in names.get("ConfigMap", set()):
        bad(f"{where}: /scenario must mount a ConfigMap defined in docs/deploy (got {cm})")
    return comp


def check_merge_job(doc, where, names, segments):
    spec = doc.get("spec") or {}
    pod = get(spec, ["template", "spec"], where) or {}
    if pod.get("restartPolicy") != "Never":
        bad(f"{where}: restartPolicy must be Never")
    check_mounts(pod, where)
    scripts = [script_of(c) for c in pod.get("containers") or []]
    if not any(re.search(r"replay merge /results/\$START_AT/seg-\*\.json", s) and
               re.search(r"-o /results/\$START_AT/merged\.json", s) and
               re.search(r"--report /results/\$START_AT/merged\.html", s) for s in scripts):
        bad(f"{where}: no `replay merge /results/$START_AT/seg-*.json -o .../merged.json "
            f"--report .../merged.html`")
    for c in pod.get("initContainers") or []:
        seg = (env_of(c).get("SEGMENTS") or {}).get("value")
        if segments is not None and str(seg) != str(segments):
            bad(f"{where}: init container SEGMENTS={seg!r}, the replay Job has {segments}")


def main(argv):
    if len(argv) != 2:
        print("usage: probe_deploy.py SRC_DIR", file=sys.stderr)
        return 2
    src = argv[1]
    ddir = os.path.join(src, "docs", "deploy")
    try:
        import yaml
    except ImportError:
        print("probe_deploy: python3-yaml is not installed (./check installs it)")
        return 1
    files = sorted(glob.glob(os.path.join(ddir, "*.yaml")))
    if not files:
        print(f"probe_deploy: no manifests in {ddir}")
        return 1
    lint = shutil.which("yamllint")
    if not lint:
        bad("yamllint is not installed (./check installs it)")
    else:
        cfg = ("{extends: default, rules: {line-length: {max: 120}, document-start: disable, "
               "comments: {min-spaces-from-content: 1}}}")
        r = subprocess.run([lint, "-s", "-f", "parsable", "-d", cfg] + files,
                           capture_output=True, text=True, timeout=60)
        for line in (r.stdout + r.stderr).splitlines():
            bad(f"yamllint: {line}")
        if r.returncode != 0 and not (r.stdout + r.stderr).strip():
            bad(f"yamllint exited {r.returncode}")
    docs = []
    for f in files:
        try:
            with open(f, encoding="utf-8") as fh:
                for d in yaml.safe_load_all(fh):
                    if d is not None:
                        docs.append((os.path.basename(f), d))
        except yaml.YAMLError as e:
            bad(f"{os.path.basename(f)}: {e}")
    names = {}
    for f, d in docs:
        if not isinstance(d, dict) or not d.get("kind") or not get(d, ["metadata", "name"], f):
            bad(f"{f}: every document needs kind and metadata.name")
            continue
        names.setdefault(d["kind"], set()).add(d["metadata"]["name"])
    jobs = [(f, d) for f, d in docs if isinstance(d, dict) and d.get("kind") == "Job"]
    indexed = [(f, d) for f, d in jobs if (d.get("spec") or {}).get("completionMode") == "Indexed"]
    if len(indexed) != 1:
        bad(f"expected exactly one Indexed Job, found {len(indexed)}")
    segments = None
    for f, d in indexed:
        segments = check_replay_job(d, f"{f} (Job {d['metadata']['name']})", names)
    merges = [(f, d) for f, d in jobs if (f, d) not in indexed]
    if len(merges) != 1:
        bad(f"expected one merge Job, found {len(merges)}")
    for f, d in merges:
        check_merge_job(d, f"{f} (Job {d['metadata']['name']})", names, segments)
    for f, d in docs:
        if d.get("kind") == "PersistentVolumeClaim" and \
                "ReadWriteMany" not in ((d.get("spec") or {}).get("accessModes") or []):
            bad(f"{f}: the results claim must be ReadWriteMany (pods on several nodes)")
        if d.get("kind") == "ConfigMap":
            sc = (d.get("data") or {}).get("scenario.json")
            try:
                j = json.loads(sc or "")
                if j.get("format") != "stampede-scenario":
                    bad(f"{f}: scenario.json format is {j.get('format')!r}")
            except ValueError as e:
                bad(f"{f}: scenario.json is not JSON: {e}")

    # Grafana: parses, and queries only documented metrics.
    with open(os.path.join(ddir, "README.md"), encoding="utf-8") as fh:
        readme = fh.read()
    documented, exported, section = set(), set(), None
    for line in readme.splitlines():
        if line.startswith("### "):
            section = "exported" if "Exported" in line else "proposed"
        m = re.match(r"\|\s*`(replay_[a-z0-9_]+)`", line)
        if m and section:
            documented.add(m.group(1))
            if section == "exported":
                exported.add(m.group(1))
    if not exported:
        bad("README.md: no exported metrics table found")
    try:
        with open(os.path.join(ddir, "grafana-dashboard.json"), encoding="utf-8") as fh:
            dash = json.load(fh)
    except (OSError, ValueError) as e:
        bad(f"grafana-dashboard.json: {e}")
        dash = {}
    exprs = [t.get("expr", "") for p in dash.get("panels", []) for t in p.get("targets", [])]
    exprs += [v.get("query", "") for v in (dash.get("templating") or {}).get("list", [])
              if isinstance(v.get("query"), str)]
    if not exprs:
        bad("grafana-dashboard.json: no panel queries")
    for e in exprs:
        for name in re.findall(r"\b(replay_[a-z0-9_]+)", e):
            base = re.sub(r"_(bucket|count|sum)$", "", name)
            if name not in documented and base not in documented:
                bad(f"grafana-dashboard.json: {name} is not documented in docs/deploy/README.md")
    live = os.path.join(src, "replay", "live.c")
    if os.path.exists(live):
        with open(live, encoding="utf-8") as fh:
            code = fh.read()
        for name in sorted(exported):
            if name not in code:
                bad(f"README.md lists {name} as exported, but replay/live.c does not write it")
    for p in problems:
        print(f"probe_deploy: {p}")
    if not problems:
        print(f"probe_deploy: ok: {len(docs)} manifests, Indexed Job with {segments} segments, "
              f"{len(exprs)} dashboard queries over {len(documented)} documented metrics")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
