#!/usr/bin/env python3
"""Compares every number of two model files (modeler fit output) and prints the largest
relative changes: the figure docs/modeler.md quotes for a change that moves the last digits
of fitted values (e.g. the Hawkes likelihood's log-of-product). Structure changes (a key or
an array length that differs) are printed too; exit 1 if there is one.

usage: tests/bench/model_numdiff.py BEFORE.json AFTER.json [TOP]
example: tests/bench/model_numdiff.py /tmp/m-before.json /tmp/m-after.json 5
"""
import json
import sys


def walk(a, b, path, out, bad):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                bad.append(f"{path}.{k}: only in {'after' if k in b else 'before'}")
            else:
                walk(a[k], b[k], f"{path}.{k}", out, bad)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            bad.append(f"{path}: {len(a)} -> {len(b)} elements")
        for i, (x, y) in enumerate(zip(a, b)):
            walk(x, y, f"{path}[{i}]", out, bad)
    elif isinstance(a, (int, float)) and isinstance(b, (int, float)) and \
            not isinstance(a, bool) and not isinstance(b, bool):
        if a != b:
            den = max(abs(a), abs(b))
            out.append((abs(a - b) / den, path, a, b))
    elif a != b:
        bad.append(f"{path}: {a!r} -> {b!r}")


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        sys.exit(2)
    with open(sys.argv[1]) as f:
        a = json.load(f)
    with open(sys.argv[2]) as f:
        b = json.load(f)
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    out, bad = [], []
    walk(a, b, "", out, bad)
    out.sort(reverse=True)
    print(f"{len(out)} numbers changed; max relative change "
          f"{out[0][0]:.3g}" if out else "0 numbers changed")
    for r, p, x, y in out[:top]:
        print(f"  {r:.3g}  {p}: {x!r} -> {y!r}")
    for s in bad:
        print(f"  structure: {s}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
