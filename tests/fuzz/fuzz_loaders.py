#!/usr/bin/env python3
"""Mutation fuzzing of Stampede's file loaders through the real command lines.

Takes the project's valid input files (models, scenarios, shape, a results file, hot-id
feeder CSVs, an access log), derives mutants from each (truncations, every JSON value
replaced by null/true/0/-1/1e308/"x"/[]/{} in turn, deleted keys, 1 MB strings, deep
nesting; for CSV and logs: broken lines, huge fields, NULs, random bytes, a gzip cut
mid-stream) and runs the owning command on each. A run violates the product rule when:
  - stderr carries a sanitizer report, or the process died of a signal (exit >= 128);
  - it did not finish within --timeout seconds;
  - its exit code is not one the command may return for an input file (0, 1 where the
    command reports a failed check, 2 for bad input);
  - exit 2 came without exactly one 'error:' line on stderr naming the file, a field path
    or FILE:LINE:COL.
Deterministic: the mutants are chosen by --seed. Exits 1 on any violation (listed, with
the mutant kept under --work for reproduction), 0 otherwise.

usage: fuzz_loaders.py --bin BUILD_DIR --src SOURCE_DIR [--seed N] [--per-input N]
                       [--only NAME[,NAME]] [--work DIR] [--timeout S] [-j N]
"""
import argparse
import concurrent.futures
import gzip
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

REPLACEMENTS = ['null', 'true', '0', '-1', '1e308', '"x"', '[]', '{}']
HUGE = 1 << 20
SAN_RE = re.compile(r'ERROR: (Address|Leak)Sanitizer|runtime error:|AddressSanitizer|'
                    r'UndefinedBehaviorSanitizer')
# What names the culprit: a field path (a.b[1].c, x["k"], or a root like 'scenario:' right
# after 'error: '), FILE:LINE[:COL], 'line N', or a file-system path.
PATH_RE = re.compile(r'\bline [0-9]+|[A-Za-z_][\w-]*(\.[\w-]+|\[[0-9]+\]|\["[^"]*"\])+|'
                     r'\.[a-z]+:[0-9]+(:[0-9]+)?|error: [a-z_]+: |/[^ :]+: ')


# ---------------------------------------------------------------- JSON mutants
def json_paths(v, path=()):
    """Yields every value's path in v (objects by key, arrays by index), root first."""
    yield path
    if isinstance(v, dict):
        for k, x in v.items():
            yield from json_paths(x, path + (k,))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from json_paths(x, path + (i,))


def json_set(doc, path, fn):
    """Returns a deep copy of doc with the value at path replaced by fn(old) (or deleted
    when fn returns the DELETE marker)."""
    doc = json.loads(json.dumps(doc))
    if not path:
        return fn(doc)
    cur = doc
    for p in path[:-1]:
        cur = cur[p]
    new = fn(cur[path[-1]])
    if new is DELETE:
        del cur[path[-1]]
    else:
        cur[path[-1]] = new
    return doc


class Raw:
    """A JSON text fragment to splice verbatim (1e308 must stay 1e308, not inf)."""

    def __init__(self, text):
        self.text = text


DELETE = object()


def dumps(doc):
    """json.dumps that splices Raw fragments verbatim."""
    frags = []

    def enc(o):
        if isinstance(o, Raw):
            frags.append(o.text)
            return '\u0000RAW%d\u0000' % (len(frags) - 1)
        raise TypeError

    s = json.dumps(doc, indent=1, default=enc)
    return re.sub(r'"\\u0000RAW([0-9]+)\\u0000"', lambda m: frags[int(m.group(1))], s)


def json_mutants(text, rng):
    """Yields (kind, description, bytes) per mutation class, each class lazily."""
    doc = json.loads(text)
    data = text.encode()
    classes = {}
    n = len(data)
    cuts = sorted({int(n * i / 50) for i in range(50)} | {n - 1})
    classes['truncate'] = [('truncate', 'cut at byte %d' % c, (lambda c=c: data[:c])) for c in cuts]
    paths = [p for p in json_paths(doc)]
    repl = []
    for p in paths:
        for r in REPLACEMENTS:
            repl.append(('replace', '%s := %s' % (fmt_path(p), r),
                         (lambda p=p, r=r: dumps(json_set(doc, p, lambda _o, r=r: Raw(r))).encode())))
    classes['replace'] = repl
    dels = []
    for p in paths:
        if p and isinstance(p[-1], str):
            dels.append(('delete', 'delete %s' % fmt_path(p),
                         (lambda p=p: dumps(json_set(doc, p, lambda _o: DELETE)).encode())))
    classes['delete'] = dels
    huge = []
    for p in paths:
        huge.append(('huge', '%s := 1 MB string' % fmt_path(p),
                     (lambda p=p: dumps(json_set(doc, p, lambda _o: 'A' * HUGE)).encode())))
    # A key duplicated with a huge value: textual splice after the first '{'.
    huge.append(('huge', 'duplicate first key with a 1 MB string',
                 (lambda: dup_first_key(data))))
    classes['huge'] = huge
    deep = []
    for depth in (64, 1000, 100000):
        deep.append(('deep', 'root wrapped in %d arrays' % depth,
                     (lambda d=depth: b'[' * d + data + b']' * d)))
        deep.append(('deep', '%d open brackets' % depth, (lambda d=depth: b'[' * d)))
    for p in paths[1:]:
        deep.append(('deep', '%s := 2000 nested arrays' % fmt_path(p),
                     (lambda p=p: dumps(json_set(doc, p, lambda _o: Raw('[' * 2000 + ']' * 2000))).encode())))
        deep.append(('deep', '%s := 2000 nested objects' % fmt_path(p),
                     (lambda p=p: dumps(json_set(doc, p, lambda _o: Raw('{"a":' * 2000 + '0' + '}' * 2000))).encode())))
    classes['deep'] = deep
    misc = [('misc', 'empty file', lambda: b''),
            ('misc', 'NUL in the middle', lambda: data[:n // 2] + b'\0' + data[n // 2:]),
            ('misc', 'invalid UTF-8', lambda: data.replace(b'"', b'"\xff\xfe', 3)),
            ('misc', 'trailing garbage', lambda: data + b'}x'),
            ('misc', 'bare value', lambda: b'42')]
    classes['misc'] = misc
    return classes


def dup_first_key(data):
    i = data.index(b'{')
    return data[:i + 1] + b'"format": "' + b'B' * HUGE + b'", ' + data[i + 1:]


def fmt_path(p):
    s = '$'
    for x in p:
        s += '[%d]' % x if isinstance(x, int) else '.' + x
    return s


# ---------------------------------------------------------------- line mutants
def line_mutants(data, rng, header_lines):
    """Mutants of a line-oriented file (CSV, access log)."""
    lines = data.split(b'\n')
    classes = {}
    n = len(data)
    classes['truncate'] = [('truncate', 'cut at byte %d' % c, (lambda c=c: data[:c]))
                           for c in sorted({int(n * i / 50) for i in range(50)})]
    body = list(range(header_lines, len(lines)))
    picks = rng.sample(body, min(len(body), 40)) if body else []
    per = []
    junk = [b'', b'\0\0\0', b'x' * HUGE, b',,,,', b'-1,5,0.1', b'abc,def,ghi', b'1e308,1e308,1e308',
            b'99999999999999999999,1,1', b'1,-5,nan', b'"unterminated,1,2', b'\xff\xfe\xfd',
            b'1,2,3,4,5,6,7,8,9', b'0,0,0']
    for i in picks:
        for j, r in enumerate(junk):
            per.append(('line', 'line %d := junk %d' % (i + 1, j),
                        (lambda i=i, r=r: b'\n'.join(lines[:i] + [r] + lines[i + 1:]))))
        per.append(('line', 'line %d random bytes' % (i + 1),
                    (lambda i=i, s=rng.getrandbits(32): b'\n'.join(
                        lines[:i] + [random.Random(s).randbytes(200)] + lines[i + 1:]))))
        per.append(('line', 'line %d field replaced by 1 MB' % (i + 1),
                    (lambda i=i: b'\n'.join(lines[:i] + [re.sub(rb'[^, ]+', b'9' * HUGE, lines[i], count=1)]
                                            + lines[i + 1:]))))
        per.append(('line', 'line %d with NUL' % (i + 1),
                    (lambda i=i: b'\n'.join(lines[:i] + [lines[i][:10] + b'\0' + lines[i][10:]] + lines[i + 1:]))))
    classes['line'] = per
    head = []
    for h in range(header_lines):
        head.append(('header', 'line %d deleted' % (h + 1), (lambda h=h: b'\n'.join(lines[:h] + lines[h + 1:]))))
        head.append(('header', 'line %d := garbage' % (h + 1),
                     (lambda h=h: b'\n'.join(lines[:h] + [b'rank;id;weight'] + lines[h + 1:]))))
    head += [('header', 'empty file', lambda: b''),
             ('header', 'only NULs', lambda: b'\0' * 4096),
             ('header', 'one 4 MB line', lambda: b'y' * (4 * HUGE)),
             ('header', 'CRLF line ends', lambda: data.replace(b'\n', b'\r\n')),
             ('header', 'random bytes', (lambda s=rng.getrandbits(32): random.Random(s).randbytes(65536)))]
    classes['header'] = head
    return classes


# ---------------------------------------------------------------- targets
class Target:
    """One input file, how it is mutated and how the command runs on a mutant."""

    def __init__(self, name, src, kind, argv, codes, header_lines=0, fname=None, gz=False):
        self.name, self.src, self.kind, self.argv = name, src, kind, argv
        self.codes, self.header_lines, self.gz = codes, header_lines, gz
        self.fname = fname or os.path.basename(src)


def targets(B, S):
    R = os.path.join(B, 'replay', 'replay')
    M = os.path.join(B, 'modeler', 'modeler')
    D = os.path.join(B, 'datagen', 'datagen')
    scen = os.path.join(S, 'models', 'scenarios')
    t = []
    for model in ('shop.model.json', 'shop-synthetic.model.json'):
        src = os.path.join(S, 'models', model)
        t.append(Target('plan-model:' + model, src, 'json',
                        lambda f, d: [R, 'plan', plan_scenario(d, S, f), '--feeders', scen,
                                      '--duration', '30s', '-q', '-o', os.path.join(d, 'plan.ndjson')],
                        {0, 2}))
        t.append(Target('diff:' + model, src, 'json',
                        lambda f, d, src=src: [M, 'diff', f, src, '-q'], {0, 1, 2}))
        t.append(Target('report:' + model, src, 'json',
                        lambda f, d: [M, 'report', f, '-o', os.path.join(d, 'r.html'), '-q'], {0, 2}))
    for sc in sorted(os.listdir(scen)):
        if not sc.endswith('.json'):
            continue
        src = os.path.join(scen, sc)
        t.append(Target('plan-scenario:' + sc, src, 'json',
                        lambda f, d: [R, 'plan', f, '--feeders', scen, '--duration', '30s', '-q',
                                      '-o', os.path.join(d, 'plan.ndjson')], {0, 2}))
    t.append(Target('fill-shape', os.path.join(S, 'models', 'shapes', 'shop.json'), 'json',
                    lambda f, d: [D, 'fill', '--shape', f, '--dry-run', '--scale', '0.001'], {0, 2}))
    res = os.path.join(S, 'tests', 'fuzz', 'cases', 'results.json')
    t.append(Target('replay-report', res, 'json',
                    lambda f, d: [R, 'report', f, '-o', os.path.join(d, 'r.html'), '-q'], {0, 2}))
    t.append(Target('replay-merge', res, 'json',
                    lambda f, d: [R, 'merge', f, '-o', os.path.join(d, 'm.json'), '-q'], {0, 1, 2}))
    seg1 = os.path.join(S, 'tests', 'fuzz', 'cases', 'seg1.json')
    seg2 = os.path.join(S, 'tests', 'fuzz', 'cases', 'seg2.json')
    t.append(Target('replay-merge-segments', seg1, 'json',
                    lambda f, d: [R, 'merge', f, seg2, '-o', os.path.join(d, 'm.json'),
                                  '--report', os.path.join(d, 'm.html'), '-q'], {0, 1, 2}))
    srch = os.path.join(S, 'tests', 'fuzz', 'cases', 'search.json')
    t.append(Target('replay-merge-search', srch, 'json',
                    lambda f, d: [R, 'merge', f, '-o', os.path.join(d, 'm.json'),
                                  '--report', os.path.join(d, 'm.html'), '-q'], {0, 1, 2, 3}))
    for csv in ('products.csv', 'categories.csv'):
        t.append(Target('feeder:' + csv, os.path.join(scen, 'hot', csv), 'lines',
                        lambda f, d: [R, 'plan', os.path.join(scen, 'shop-campaign.json'), '--feeders',
                                      os.path.dirname(os.path.dirname(f)), '--duration', '4m', '-q',
                                      '-o', os.path.join(d, 'plan.ndjson')],
                        {0, 2}, header_lines=2, fname='hot/' + csv))
    log = os.path.join(S, 'fixtures', 'logs', 'shop-synthetic.access.log.gz')
    t.append(Target('fit-log', log, 'lines',
                    lambda f, d: [M, 'fit', f, '-o', os.path.join(d, 'm.json'), '-q'], {0, 2},
                    fname='access.log'))
    t.append(Target('fit-log-gz', log, 'gz',
                    lambda f, d: [M, 'fit', f, '-o', os.path.join(d, 'm.json'), '-q'], {0, 2},
                    fname='access.log.gz'))
    # Rate traces (modeler fit --rates) and a model fitted from one alone.
    cases = os.path.join(S, 'tests', 'fuzz', 'cases')
    t.append(Target('fit-rates-csv', os.path.join(cases, 'rates.csv'), 'lines',
                    lambda f, d: [M, 'fit', '--rates', f, '--rates-format', 'csv:time=time,count=count',
                                  '-o', os.path.join(d, 'm.json'), '--fitted-rates',
                                  os.path.join(d, 'f.csv'), '-q'], {0, 2}, header_lines=1))
    t.append(Target('fit-rates-limbo', os.path.join(cases, 'rates.limbo'), 'lines',
                    lambda f, d: [M, 'fit', '--rates', f, '--rates-format', 'limbo', '--rates-bin', '1h',
                                  '-o', os.path.join(d, 'm.json'), '-q'], {0, 2}))
    t.append(Target('fit-rates-prometheus', os.path.join(cases, 'rates-prometheus.json'), 'json',
                    lambda f, d: [M, 'fit', '--rates', f, '-o', os.path.join(d, 'm.json'), '-q'], {0, 2}))
    tm = os.path.join(cases, 'trace.model.json')
    t.append(Target('report:trace.model.json', tm, 'json',
                    lambda f, d: [M, 'report', f, '-o', os.path.join(d, 'r.html'), '-q'], {0, 2}))
    t.append(Target('diff:trace.model.json', tm, 'json',
                    lambda f, d: [M, 'diff', f, tm, '-q'], {0, 1, 2}))
    t.append(Target('plan-model:trace.model.json', tm, 'json',
                    lambda f, d: [R, 'plan', plan_scenario(d, S, f), '--feeders', scen,
                                  '--duration', '30s', '-q', '-o', os.path.join(d, 'plan.ndjson')],
                    {2}))
    return t


def plan_scenario(d, S, model_file):
    """Writes shop-campaign's scenario, loading model_file, into d; returns its path."""
    sc = json.load(open(os.path.join(S, 'models', 'scenarios', 'shop-campaign.json')))
    sc['model'] = model_file
    p = os.path.join(d, 'scenario.json')
    with open(p, 'w') as f:
        json.dump(sc, f)
    return p


def source_bytes(t):
    """The valid input, absolutised where it refers to files next to it."""
    if t.gz or t.name == 'fit-log':
        with gzip.open(t.src, 'rb') as f:
            data = b''.join(f.readline() for _ in range(2000))
        return data
    data = open(t.src, 'rb').read()
    if t.name.startswith('plan-scenario:'):
        doc = json.loads(data)
        doc['model'] = os.path.normpath(os.path.join(os.path.dirname(t.src), doc['model']))
        data = json.dumps(doc, indent=1).encode()
    return data


def mutants(t, rng, per_input):
    """Up to per_input (kind, desc, thunk) mutants of t, classes interleaved, order fixed by rng."""
    data = source_bytes(t)
    if t.kind == 'json':
        classes = json_mutants(data.decode(), rng)
    else:
        classes = line_mutants(data, rng, t.header_lines)
        if t.kind == 'gz':
            gzdata = gzip.compress(data, mtime=0)
            n = len(gzdata)
            classes = {k: [(kk, dd, (lambda th=th: gzip.compress(th(), mtime=0))) for kk, dd, th in v]
                       for k, v in classes.items() if k != 'truncate'}
            classes['gzcut'] = [('gzcut', 'gzip cut at byte %d' % c, (lambda c=c: gzdata[:c]))
                                for c in sorted({int(n * i / 50) for i in range(1, 50)})]
            classes['gzflip'] = [('gzflip', 'gzip byte %d flipped' % c,
                                  (lambda c=c: gzdata[:c] + bytes([gzdata[c] ^ 0x5a]) + gzdata[c + 1:]))
                                 for c in sorted({int(n * i / 30) for i in range(30)})]
    for v in classes.values():
        rng.shuffle(v)
    out = []
    lists = [v for _, v in sorted(classes.items())]
    while len(out) < per_input and any(lists):
        for v in lists:
            if v and len(out) < per_input:
                out.append(v.pop())
    return out


def check(t, kind, desc, rc, err, timed_out):
    """Returns None when the run keeps the product rule, else a one-line reason."""
    if timed_out:
        return 'hang (timeout)'
    if SAN_RE.search(err):
        line = next((l for l in err.splitlines() if SAN_RE.search(l)), '')
        return 'sanitizer: ' + line.strip()[:300]
    if rc < 0 or rc >= 128:
        return 'died (exit %d)' % rc
    if rc not in t.codes:
        return 'exit %d (allowed %s): %s' % (rc, sorted(t.codes), err.strip()[:300])
    if rc == 2:
        errs = [l for l in err.splitlines() if ' error: ' in l or l.startswith('error:')]
        if len(errs) != 1:
            return 'exit 2 with %d error lines: %s' % (len(errs), err.strip()[:300])
        e = errs[0]
        if len(e) > 2000:
            return 'exit 2 with a %d-byte error line' % len(e)
        base = os.path.basename(t.fname)
        if base not in e and not PATH_RE.search(e):
            return 'exit 2 without a path: ' + e[:300]
    return None


def run_one(job):
    t, idx, kind, desc, thunk, work, timeout = job
    d = os.path.join(work, '%s-%04d' % (re.sub(r'[^\w.-]', '_', t.name), idx))
    os.makedirs(d, exist_ok=True)
    f = os.path.join(d, t.fname)
    os.makedirs(os.path.dirname(f), exist_ok=True)
    if t.name.startswith('feeder:'):
        other = 'categories.csv' if t.fname.endswith('products.csv') else 'products.csv'
        shutil.copy(os.path.join(os.path.dirname(t.src), other), os.path.join(os.path.dirname(f), other))
    with open(f, 'wb') as fh:
        fh.write(thunk())
    argv = t.argv(f, d)
    env = dict(os.environ)
    env['ASAN_OPTIONS'] = env.get('ASAN_OPTIONS', 'detect_leaks=1')
    timed_out = False
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, timeout=timeout, env=env, cwd=d)
        rc, err = p.returncode, p.stderr.decode('utf-8', 'replace')
    except subprocess.TimeoutExpired as e:
        rc, err, timed_out = -9, (e.stderr or b'').decode('utf-8', 'replace'), True
    why = check(t, kind, desc, rc, err, timed_out)
    if why is None:
        shutil.rmtree(d, ignore_errors=True)
        return None
    return '%s #%d [%s] %s: %s\n    reproduce: %s' % (t.name, idx, kind, desc, why,
                                                      ' '.join(argv))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bin', required=True)
    ap.add_argument('--src', required=True)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--per-input', type=int, default=150)
    ap.add_argument('--only', default='')
    ap.add_argument('--work', default='')
    ap.add_argument('--timeout', type=float, default=20)
    ap.add_argument('-j', type=int, default=2)
    a = ap.parse_args()
    B, S = os.path.abspath(a.bin), os.path.abspath(a.src)
    work = a.work or tempfile.mkdtemp(prefix='st-fuzz-')
    os.makedirs(work, exist_ok=True)
    jobs = []
    for t in targets(B, S):
        if a.only and not any(o in t.name for o in a.only.split(',')):
            continue
        rng = random.Random('%d:%s' % (a.seed, t.name))
        for i, (kind, desc, thunk) in enumerate(mutants(t, rng, a.per_input)):
            jobs.append((t, i, kind, desc, thunk, work, a.timeout))
    bad = []
    per = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.j) as ex:
        for job, res in zip(jobs, ex.map(run_one, jobs)):
            per.setdefault(job[0].name, [0, 0])
            per[job[0].name][0] += 1
            if res:
                per[job[0].name][1] += 1
                bad.append(res)
                print('VIOLATION ' + res, flush=True)
    for name, (n, b) in per.items():
        print('%-40s %5d runs %4d violations' % (name, n, b))
    print('fuzz_loaders: seed %d, %d runs, %d violations%s' % (
        a.seed, len(jobs), len(bad), (' (mutants kept in %s)' % work) if bad else ''))
    if not bad and not a.work:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
