#!/usr/bin/env bash
# Correlated fan-out (issue 13 item 6). A Stack-Exchange-like database
# (tests/integ/datagen_fanout/schema.sql: users; posts, comments and badges referencing users,
# heavy users heavy everywhere) is profiled with and without --fanout and filled from both
# profiles; the cardinalities of the 2-, 3- and 4-way joins through users (whole, and for
# four ranges of user ids) are compared with the source's:
#   q-error = max(synthetic/source, source/synthetic), p50/p90/max printed per join arity;
#   with --fanout every join within q-error 2; without it the 3-/4-way joins much worse.
# The cardinality of users JOIN a JOIN b ... is sum over users of count_a * count_b * ...
# (checked against a real count(*) on the source). Also: the profile records its sample,
# and --jobs/--part fills are byte-identical to --jobs 1.
. "$(dirname "$0")/datagen_plans_lib.sh"
start=$(date +%s)
src=$(fixture_db fan_src "$SRC/tests/integ/datagen_fanout/schema.sql") || exit 1
F=$TMPD/fan.json P=$TMPD/plain.json
t0=$(date +%s.%N)
"$DG" profile --db "dbname=$src" --fanout --fanout-sample 0 -o "$F" 2>"$TMPD/prof.err" \
  || { cat "$TMPD/prof.err" >&2; echo "FAIL: profile --fanout" >&2; exit 1; }
t1=$(date +%s.%N)
cat "$TMPD/prof.err"
echo "profile --fanout took $(python3 -c "print(round($t1-$t0,2))") s"
"$DG" profile --db "dbname=$src" -o "$P" --quiet || { echo "FAIL: profile" >&2; exit 1; }
grep -q 'parents sampled of 40000' "$TMPD/prof.err" && ok "profile prints the sample size" \
  || fail "profile --fanout printed no sample size"
python3 - "$F" <<'PY' && ok "the profile records the TABLESAMPLE sample and three activity columns" || fail "profile --fanout records"
import json, sys
s = json.load(open(sys.argv[1]))
f = s["_fanout"]
assert len(f) == 1 and f[0]["parent"] == "users", f
assert f[0]["sample"] == 40000, f[0]["sample"]
acts = [c for t in s["tables"] for c in t["columns"] if c.get("gen", {}).get("kind") == "activity"]
assert len(acts) == 3, len(acts)
assert all(c["_fanout"]["sample"] == f[0]["sample"] and 0 < c["gen"]["corr"] < 1 for c in acts)
print("sample", f[0]["sample"], "of", f[0]["parent_rows"], "parents;", f[0]["seconds"], "s")
PY
# On a sample (TABLESAMPLE BERNOULLI over a quarter of the users): recorded and printed.
S=$TMPD/sampled.json
"$DG" profile --db "dbname=$src" --fanout --fanout-sample 10000 -o "$S" 2>"$TMPD/samp.err" || fail "profile --fanout-sample"
grep 'parents sampled' "$TMPD/samp.err"
python3 -c 'import json,sys
f=json.load(open(sys.argv[1]))["_fanout"][0]
assert f["tablesample"] and 5000 < f["sample"] < 15000, f' "$S" && ok "--fanout-sample 10000: TABLESAMPLE, sample recorded" \
  || fail "--fanout-sample 10000 did not sample"
fan=$(newdb fan_fill) plain=$(newdb fan_plain)
"$DG" fill --shape "$F" --db "dbname=$fan" --hot-ids none --quiet || fail "fill from the --fanout profile"
"$DG" fill --shape "$P" --db "dbname=$plain" --hot-ids none --quiet || fail "fill from the plain profile"
# The join cardinalities: one row per (join, users range).
card() {
  psql -X -At -F ' ' -d "$1" -c "
WITH p AS (SELECT owner_user_id AS k, count(*) AS n FROM posts GROUP BY 1),
     c AS (SELECT user_id AS k, count(*) AS n FROM comments GROUP BY 1),
     b AS (SELECT user_id AS k, count(*) AS n FROM badges GROUP BY 1),
     u AS (SELECT u.id, coalesce(p.n, 0)::numeric AS p, coalesce(c.n, 0)::numeric AS c,
                  coalesce(b.n, 0)::numeric AS b
           FROM users u LEFT JOIN p ON p.k = u.id LEFT JOIN c ON c.k = u.id LEFT JOIN b ON b.k = u.id),
     r(lo, hi) AS (VALUES (1, 40000), (1, 20000), (20001, 40000))
SELECT r.lo || '-' || r.hi, sum(p), sum(c), sum(b), sum(p * c), sum(p * b), sum(c * b), sum(p * c * b)
FROM r JOIN u ON u.id BETWEEN r.lo AND r.hi GROUP BY r.lo, r.hi ORDER BY r.lo, r.hi"
}
card "$src" >"$TMPD/src.txt" && card "$fan" >"$TMPD/fan.txt" && card "$plain" >"$TMPD/plain.txt" \
  || fail "join cardinality queries"
# The sums are the joins' count(*): checked for a 2- and a 3-way join on the source.
real3=$(psql -X -At -d "$src" -c "SELECT count(*) FROM users u JOIN posts p ON p.owner_user_id = u.id
  JOIN badges b ON b.user_id = u.id WHERE u.id BETWEEN 1 AND 20000")
real2=$(psql -X -At -d "$src" -c "SELECT count(*) FROM users u JOIN comments c ON c.user_id = u.id")
[ "$real3" = "$(awk '$1=="1-20000"{print $6}' "$TMPD/src.txt")" ] && [ "$real2" = "$(awk '$1=="1-40000"{print $3}' "$TMPD/src.txt")" ] \
  && ok "sums of per-user products equal count(*) of the joins ($real2, $real3)" \
  || fail "count(*) $real2/$real3 differ from the per-user sums"
python3 - "$TMPD/src.txt" "$TMPD/fan.txt" "$TMPD/plain.txt" <<'PY' || FAILS=$((FAILS + 1))
import sys
names = ["users*posts", "users*comments", "users*badges", "users*posts*comments",
         "users*posts*badges", "users*comments*badges", "users*posts*comments*badges"]
arity = [2, 2, 2, 3, 3, 3, 4]
def load(f):
    return {l.split()[0]: [float(x) for x in l.split()[1:]] for l in open(f) if l.strip()}
src, fan, plain = (load(f) for f in sys.argv[1:4])
def q(a, b):
    a, b = max(a, 1), max(b, 1)
    return max(a / b, b / a)
def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(p * (len(v) - 1) + 0.5))]
res = {}
print(f"{'join':32} {'users':12} {'source':>14} {'--fanout':>14} {'q':>6} {'plain':>14} {'q':>7}")
for r in src:
    for j, n in enumerate(names):
        qf, qp = q(fan[r][j], src[r][j]), q(plain[r][j], src[r][j])
        res.setdefault(arity[j], []).append((qf, qp))
        print(f"{n:32} {r:12} {src[r][j]:14.0f} {fan[r][j]:14.0f} {qf:6.2f} {plain[r][j]:14.0f} {qp:7.2f}")
bad = 0
for a in sorted(res):
    f = [x[0] for x in res[a]]; p = [x[1] for x in res[a]]
    print(f"{a}-way joins ({len(f)}): q-error --fanout p50 {pct(f,.5):.2f} p90 {pct(f,.9):.2f} max {max(f):.2f}"
          f" | without --fanout p50 {pct(p,.5):.2f} p90 {pct(p,.9):.2f} max {max(p):.2f}")
    if max(f) > 2:
        print(f"FAIL: {a}-way joins: q-error {max(f):.2f} > 2 with --fanout", file=sys.stderr); bad = 1
    if a == 3 and max(p) < 1.5 * max(f):
        print(f"FAIL: {a}-way joins: without --fanout q-error {max(p):.2f} is not much worse than {max(f):.2f}",
              file=sys.stderr); bad = 1
sys.exit(bad)
PY
# Same seed, same bytes: --jobs 3 with small chunks, and two --part halves, as --jobs 1.
same_bytes fan "$F" "$fan" "activity columns" posts comments badges
# A hand-written shape says the same with a table-level "activity" (sugar for the kind): the
# per-user counts of posts and badges (both `ref` zipf) correlate only with it.
A=$SRC/tests/integ/datagen_shapes/activity_sugar.json
sed 's/"activity": "users", //; s/"activity": {"table": "users", "corr": 0.95}, //' "$A" >"$TMPD/nosugar.json"
"$DG" fill --shape "$A" --out "$TMPD/sugar" --quiet && "$DG" fill --shape "$TMPD/nosugar.json" --out "$TMPD/nosugar" --quiet \
  || fail "fill --out of the activity shapes"
python3 - "$TMPD/sugar" "$TMPD/nosugar" <<'PY' && ok "table-level activity: posts/badges per-user counts correlate" || fail "table-level activity correlation"
import csv, sys
def counts(d, f):
    c = [0] * 2000
    for r in csv.DictReader(open(d + "/" + f)): c[int(r["user_id"]) - 1] += 1
    return c
def spearman(x, y):
    def ranks(v):
        o = sorted(range(len(v)), key=lambda i: v[i]); r = [0.0] * len(v); i = 0
        while i < len(o):
            j = i
            while j < len(o) and v[o[j]] == v[o[i]]: j += 1
            for k in range(i, j): r[o[k]] = (i + j - 1) / 2
            i = j
        return r
    a, b = ranks(x), ranks(y); m = (len(a) - 1) / 2
    num = sum((p - m) * (q - m) for p, q in zip(a, b))
    return num / (sum((p - m) ** 2 for p in a) * sum((q - m) ** 2 for q in b)) ** 0.5
w, wo = (spearman(counts(d, "posts.csv"), counts(d, "badges.csv")) for d in sys.argv[1:3])
print("spearman with activity %.3f, without %.3f" % (w, wo))
assert w > 0.5 and abs(wo) < 0.1, (w, wo)
PY
echo "datagen_fanout: $(( $(date +%s) - start )) s"
[ "$FAILS" = 0 ] || { echo "$FAILS failures" >&2; exit 1; }
