#!/usr/bin/env python3
"""validate_deploy.py -- every Kubernetes object in the given YAML files (default: the
source's docs/deploy/*.yaml), validated against the Kubernetes OpenAPI schema offline.

Usage: validate_deploy.py SRC_DIR [FILE.yaml...]

Parses the YAML with python3-yaml (every document of every file), hands the objects to
tests/k8s/validate.cjs (kubernetes-models, installed by ./check from package-lock.json
into tests/k8s/node_modules) and exits with its verdict: 0 all valid, 1 a schema error or
an unknown kind, 2 usage or a missing tool. The structure checks of the deploy (segments,
commands, volumes) are tests/integ/probe_deploy.py's.
"""
import glob
import json
import os
import shutil
import subprocess
import sys

import yaml

if len(sys.argv) < 2:
    print(__doc__, file=sys.stderr)
    sys.exit(2)
src = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
files = sys.argv[2:] or sorted(glob.glob(os.path.join(src, "docs", "deploy", "*.yaml")))
if not files:
    print("FAIL: no manifests found", file=sys.stderr)
    sys.exit(1)
if not os.path.isdir(os.path.join(here, "node_modules", "kubernetes-models")):
    print("FAIL: tests/k8s/node_modules/kubernetes-models missing: run ./check (npm ci in tests/k8s)",
          file=sys.stderr)
    sys.exit(2)
node = shutil.which("node")
if not node:
    print("FAIL: node not found (scripts/deps.sh installs nodejs)", file=sys.stderr)
    sys.exit(2)
items = []
for f in files:
    with open(f, encoding="utf-8") as fh:
        for i, doc in enumerate(yaml.safe_load_all(fh)):
            if doc is not None:
                items.append({"where": f"{os.path.basename(f)}#{i}", "object": doc})
r = subprocess.run([node, os.path.join(here, "validate.cjs")], input=json.dumps(items), text=True,
                   capture_output=True, timeout=120)
sys.stdout.write(r.stdout)
sys.stderr.write(r.stderr)
print(f"validate_deploy: {len(items)} objects in {len(files)} files, "
      f"{'all valid' if r.returncode == 0 else 'INVALID'}")
sys.exit(r.returncode)
