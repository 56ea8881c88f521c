#!/usr/bin/env python3
"""report_browser.py -- the checks of report_browser.sh on what Chromium rendered.

Usage: report_browser.py SCREENSHOT.png DOM.html [RESULTS.json]

1. The screenshot is a real PNG of at least 600x400 whose pixels are not one flat colour
   (a blank or crashed render fails).
2. The DOM (Chromium's --dump-dom, i.e. after parsing) has at least one <svg data-chart>, and
   every one of them has data-points > 0.
3. Nothing loads from outside: no src/href/xlink:href that is an http(s) or protocol-relative
   URL (the reports are one self-contained file).
4. With RESULTS.json: <table id="thresholds"> has one <tr data-expr data-pass> per entry of
   results "thresholds" ([{"expr": STR, "ok": BOOL, ...}]), in the same order, with the
   same expression and verdict (data-pass is "true" or "false").
Prints one line per problem and exits 1 if there is any; 2 on unusable arguments.
"""
import json
import struct
import sys
import zlib
from html.parser import HTMLParser


class Dom(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.charts = []      # (data-chart, data-points) per <svg data-chart>
        self.svgs = 0
        self.external = []    # offending URLs
        self.in_thr = 0       # depth inside <table id="thresholds">
        self.thr_tables = 0
        self.rows = []        # (data-expr, data-pass) per <tr> with data-expr

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg":
            self.svgs += 1
            if "data-chart" in a:
                self.charts.append((a.get("data-chart"), a.get("data-points")))
        for k in ("src", "href", "xlink:href"):
            v = (a.get(k) or "").strip().lower()
            if v.startswith(("http:", "https:", "//")):
                self.external.append(v)
        if tag == "table":
            if self.in_thr:
                self.in_thr += 1
            elif a.get("id") == "thresholds":
                self.in_thr = 1
                self.thr_tables += 1
        if tag == "tr" and self.in_thr and "data-expr" in a:
            self.rows.append((a.get("data-expr"), a.get("data-pass")))

    def handle_endtag(self, tag):
        if tag == "table" and self.in_thr:
            self.in_thr -= 1


def check_png(path, problems):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        problems.append(f"screenshot: {e}")
        return
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        problems.append(f"screenshot: {path} is not a PNG")
        return
    w, h = struct.unpack(">II", data[16:24])
    if w < 600 or h < 400:
        problems.append(f"screenshot: {w}x{h} is smaller than 600x400")
    idat, pos = b"", 8
    while pos + 8 <= len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + n]
        pos += 12 + n
    try:
        px = zlib.decompress(idat)
    except zlib.error as e:
        problems.append(f"screenshot: bad image data: {e}")
        return
    counts = [0] * 256
    for b in px[:: max(1, len(px) // 2000000)]:
        counts[b] += 1
    total = sum(counts)
    if not total or max(counts) / total > 0.995 or sum(1 for c in counts if c) < 16:
        problems.append("screenshot: the page rendered as (nearly) one flat colour")


def main(argv):
    if len(argv) not in (3, 4):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    problems = []
    check_png(argv[1], problems)
    try:
        with open(argv[2], encoding="utf-8") as f:
            dom_text = f.read()
    except OSError as e:
        print(f"report_browser: DOM: {e}")
        return 1
    dom = Dom()
    dom.feed(dom_text)
    if not dom.charts:
        problems.append(f"charts: no <svg data-chart> in the page ({dom.svgs} <svg> in all)")
    for name, pts in dom.charts:
        try:
            n = int(pts)
        except (TypeError, ValueError):
            n = -1
        if n <= 0:
            problems.append(f"chart \"{name}\": data-points={pts!r}, expected > 0 (no data)")
    for url in dom.external:
        problems.append(f"external asset: {url} (the report must be self-contained)")
    if len(argv) == 4:
        try:
            with open(argv[3], encoding="utf-8") as f:
                res = json.load(f)
        except (OSError, ValueError) as e:
            print(f"report_browser: results: {e}")
            return 2
        want = res.get("thresholds") if isinstance(res, dict) else None
        if not isinstance(want, list):
            problems.append("results: no \"thresholds\" array")
            want = []
        if dom.thr_tables != 1:
            problems.append(f"thresholds: {dom.thr_tables} <table id=\"thresholds\">, expected 1")
        if len(dom.rows) != len(want):
            problems.append(f"thresholds: table has {len(dom.rows)} rows, results.json has "
                            f"{len(want)}")
        for i, (row, t) in enumerate(zip(dom.rows, want)):
            # results.json (docs/formats/results.md) names the verdict "ok"; "pass" is
            # accepted too, for hand-written fixtures.
            if isinstance(t, dict) and "pass" not in t and "ok" in t:
                t = dict(t, **{"pass": t["ok"]})
            if not isinstance(t, dict) or not isinstance(t.get("expr"), str) \
                    or not isinstance(t.get("pass"), bool):
                problems.append(f"results.thresholds[{i}]: expected {{\"expr\": str, "
                                f"\"ok\": bool}}")
                continue
            expr, verdict = row
            if expr != t["expr"]:
                problems.append(f"thresholds row {i}: data-expr {expr!r} != results "
                                f"{t['expr']!r}")
            want_pass = "true" if t["pass"] else "false"
            if verdict != want_pass:
                problems.append(f"thresholds row {i} ({t['expr']}): data-pass={verdict!r}, "
                                f"results say {want_pass}")
    for p in problems:
        print(f"report_browser: {p}")
    if not problems:
        print(f"report_browser: ok: {len(dom.charts)} charts with data, {len(dom.rows)} "
              f"threshold rows")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
