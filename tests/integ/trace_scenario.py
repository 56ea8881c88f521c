#!/usr/bin/python3
# trace_scenario.py MODEL.json TARGET FEEDERS_DIR OUT.json [WS_PATH]
# Writes a scenario that maps every route of a fitted model onto a test nginx: item
# parameters come from feeders whose row of rank r holds the id r (so a refit sees the same
# ranks), other parameters get fixed values, and every request carries the session in its
# User-Agent (a distinct client per session, as the modeler keys clients by address and agent).
# The feeders (one per item parameter name) are written into FEEDERS_DIR.
import json
import os
import re
import sys

model_path, target, fdir, out = sys.argv[1:5]
m = json.load(open(model_path))
os.makedirs(fdir, exist_ok=True)
feeders, routes = {}, {}
for r in m["routes"]:
    t = r["template"]
    if r["kind"] == "websocket" or t == "{other}":
        continue
    items = {p["name"] for p in r.get("params", []) if p.get("popularity", {}).get("dist") == "zipf"}
    def sub(mo):
        name = mo.group(1)
        if name in items:
            feeders.setdefault("f_" + name, True)
            return "{f_" + name + "}"
        return {"n": "1", "s": "x", "file": "site"}.get(name, "v")
    path = re.sub(r"\{([a-z_]+)\}", sub, t)
    routes[t] = {"method": r.get("method", "GET"), "path": path}
for f in feeders:
    with open(os.path.join(fdir, f + ".csv"), "w") as fh:
        fh.write("rank,id\n")
        for k in range(1, 200001):
            fh.write(f"{k},{k}\n")
sc = {
    "format": "stampede-scenario", "version": 1, "name": "trace-integ",
    "model": os.path.abspath(model_path), "target": target, "seed": 3, "duration": "10s",
    "feeders_dir": os.path.abspath(fdir),
    "feeders": {f: {"file": f + ".csv"} for f in feeders},
    "routes": routes,
    "http": {"headers": {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) trace-session/{session}"}},
}
if len(sys.argv) > 5:
    sc["websockets"] = {"share": 0, "path": sys.argv[5], "duration": "session"}
json.dump(sc, open(out, "w"), indent=1)
