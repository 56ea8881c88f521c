#!/usr/bin/env python3
# trace_check.py: the checks of replay_trace.sh, on files only (no network).
#   multiset TRACE PLAN                 plan sends exactly the trace's (method, template)s
#   order PLAN NGINX_MSEC_LOG           every session's requests reach nginx in trace order
#                                       (up to ties in the trace's times)
#   bins TRACE NGINX_MSEC_LOG START SPEED BIN   per-bin counts within +-2% (+2)
#   window LOG SECONDS OUT              the first SECONDS of a combined log (+ request time),
#                                       cut as a trace window is: a request belongs by its start,
#                                       a WebSocket (101, logged at close) still open at the end
#                                       closes there. Written independently of modeler extract,
#                                       so the test's reference model does not trust it.
import datetime
import collections
import json
import sys


def trace_lines(path):
    with open(path) as f:
        next(f)
        for line in f:
            yield json.loads(line)


def plan_lines(path):
    with open(path) as f:
        for line in f:
            o = json.loads(line)
            if "route" in o:
                yield o


def nginx(path):
    # "$msec $request_method $request_uri $status ua=<session>"
    out = []
    with open(path) as f:
        for line in f:
            p = line.split()
            # WebSocket upgrades are logged at close, not at their send time; their count is
            # checked on its own.
            if len(p) >= 5 and p[4].startswith("ua=") and not p[2].startswith("/ws/"):
                out.append((float(p[0]), p[1], p[2], p[3], p[4][3:]))
    return out


def multiset(trace, plan):
    want = collections.Counter((o["m"], o["r"]) for o in trace_lines(trace) if "r" in o)
    got = collections.Counter((o["method"], o["route"]) for o in plan_lines(plan))
    if want != got:
        d = (want - got) + (got - want)
        print("FAIL: plan and trace differ:", list(d.items())[:5])
        return 1
    print(f"plan sends the trace's {sum(want.values())} requests ({len(want)} method+template pairs)")
    return 0


def order(plan, log):
    by_sess = collections.defaultdict(list)
    for o in plan_lines(plan):
        url = o["url"].split("/", 3)
        by_sess[int(o["session"], 16)].append((o["t"], "/" + url[3] if len(url) > 3 else "/"))
    seen = collections.defaultdict(list)
    stray = 0
    for ms, m, uri, st, sess in sorted(nginx(log)):
        if sess == "-":
            stray += 1
        else:
            seen[int(sess, 16)].append(uri)
    if stray:
        print(f"FAIL: {stray} requests reached nginx without their session's User-Agent")
        return 1
    bad = 0
    for s, reqs in by_sess.items():
        pending = sorted(reqs)
        last_t = -1.0
        for uri in seen.get(s, []):
            k = next((i for i, (t, u) in enumerate(pending) if u == uri), None)
            if k is None:
                bad += 1
                break
            t, _ = pending.pop(k)
            if t < last_t:
                bad += 1
                break
            last_t = t
        if pending and not bad:
            bad += 1
    print(f"{len(by_sess)} sessions, {bad} with requests out of order or missing")
    return 1 if bad else 0


def bins(trace, log, start, speed, width):
    start, speed, width = float(start), float(speed), float(width)
    want = collections.Counter(int(o["t"] / speed / width) for o in trace_lines(trace) if "r" in o)
    got = collections.Counter(int((ms - start) / width) for ms, *_ in nginx(log))
    checked = bad = 0
    for b, n in sorted(want.items()):
        if n < 50:
            continue
        checked += 1
        if abs(got.get(b, 0) - n) > 0.02 * n + 2:
            bad += 1
            if bad <= 5:
                print(f"  bin {b}: trace {n}, nginx {got.get(b, 0)}")
    print(f"{checked} bins of {width:g} s with >= 50 requests compared, {bad} off by more than 2%")
    return 1 if bad or checked < 5 else 0


def window(log, seconds, out):
    seconds = float(seconds)
    t0, kept = None, 0
    with open(log) as f, open(out, "w") as o:
        for line in f:
            a = line.index("[")
            b = line.index("]", a)
            ts = datetime.datetime.strptime(line[a + 1:b], "%d/%b/%Y:%H:%M:%S %z").timestamp()
            head, rt = line.rstrip("\n").rsplit(" ", 1)
            rt = float(rt)
            ws = '" 101 ' in line
            start = ts - rt if ws else ts
            if t0 is None:
                t0 = ts
            if start >= t0 + seconds:
                continue
            if ws and start + rt > t0 + seconds:
                rt = t0 + seconds - start
                stamp = datetime.datetime.fromtimestamp(start + rt, datetime.timezone.utc)
                head = head[:a + 1] + stamp.strftime("%d/%b/%Y:%H:%M:%S +0000") + head[b:]
            o.write(f"{head} {rt:.3f}\n")
            kept += 1
    print(f"window: {kept} lines in the first {seconds:g} s")
    return 0


cmd = sys.argv[1]
sys.exit({"multiset": multiset, "order": order, "bins": bins, "window": window}[cmd](*sys.argv[2:]))
