#!/usr/bin/env python3
"""Rewrites a combined + $request_time log (the simulator's) into another format, the same
requests and times, for the format rows of tests/bench/modeler_vs_goaccess.sh.
usage: log_convert.py json|apache IN OUT
  json   - nginx escape=json field names (what the nginx-json preset reads);
  apache - apache-usec: [%Y-%m-%d %H:%M:%S.usec] times, %D (microseconds) at the end."""
import json, re, sys, calendar

MON = {m: i + 1 for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())}
RX = re.compile(r'(\S+) \S+ \S+ \[(\d\d)/(\w\w\w)/(\d{4}):(\d\d):(\d\d):(\d\d)(?:\.(\d+))? ([+-]\d{4})\] '
                r'"((?:[^"\\]|\\.)*)" (\d{3}) (\S+) "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)" ?(\S*)')


def main():
    kind, src, dst = sys.argv[1:4]
    n = 0
    with open(src, encoding="utf-8", errors="replace") as fi, open(dst, "w") as fo:
        for line in fi:
            m = RX.match(line)
            if not m:
                continue
            ip, d, mo, y, hh, mi, ss, frac, z, req, st, b, ref, ua, rt = m.groups()
            frac = (frac or "0")
            t = calendar.timegm((int(y), MON[mo], int(d), int(hh), int(mi), int(ss))) + float("0." + frac)
            rt = rt or "0"
            if kind == "json":
                fo.write(json.dumps({"msec": "%.3f" % t, "remote_addr": ip, "request": req,
                                     "status": st, "body_bytes_sent": b, "request_time": rt,
                                     "http_referer": ref, "http_user_agent": ua},
                                    separators=(",", ":")) + "\n")
            else:
                us = int(round(float(rt) * 1e6))
                fo.write('%s - - [%s-%02d-%s %s:%s:%s.%06d] "%s" %s %s "%s" "%s" %d\n' % (
                    ip, y, MON[mo], d, hh, mi, ss, int(round(float("0." + frac) * 1e6)) % 1000000,
                    req, st, b, ref, ua, us))
            n += 1
    print(n)


if __name__ == "__main__":
    main()
