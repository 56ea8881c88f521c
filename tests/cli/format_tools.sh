#!/usr/bin/env bash
# format_tools.sh SOURCE_ROOT -- scripts/format and the line-length check of
# tests/check_sources.sh, on a scratch tree with the repository's .clang-format: --check fails
# on a misformatted file and names it, apply fixes it and is idempotent, --protect wraps only
# the tables clang-format would re-lay out (once), and a line over 100 columns fails naming
# FILE:LINE unless it sits in a clang-format off/on region. The whole tree is checked by
# source_format / source_line_length (STAMPEDE_FORMAT_CHECK=ON).
set -u
src=${1:?usage: format_tools.sh SOURCE_ROOT}
fmt="$src/scripts/format"
T=$(mktemp -d "${TMPDIR:-/tmp}/st-format.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
fails=0
ok() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

cp "$src/.clang-format" "$T/" || exit 1
mkdir -p "$T/common" "$T/modeler" "$T/datagen" "$T/replay" "$T/fixtures" "$T/tests"
for i in 1 2 3 4; do printf 'int f%d(int x)\n{\n    return x + %d;\n}\n' $i $i > "$T/common/ok$i.c"; done
printf 'int  g( int x ){return x;}\n' > "$T/common/bad.c"

out=$(python3 "$fmt" --root "$T" --check 2>&1); rc=$?
[ $rc = 1 ] && grep -q '^common/bad.c: ' <<<"$out" && ! grep -q 'ok1.c' <<<"$out" \
  && ok "--check: exit 1, names common/bad.c only" || fail "--check on a misformatted file: rc $rc: $out"
cp "$T/common/bad.c" "$T/bad.before"
python3 "$fmt" --root "$T" >/dev/null 2>&1; rc=$?
want=$(printf 'int g(int x)\n{\n    return x;\n}')
[ $rc = 0 ] && [ "$(cat "$T/common/bad.c")" = "$want" ] && ok "apply: bad.c rewritten to the house layout" \
  || fail "apply: rc $rc, got: $(cat "$T/common/bad.c")"
out=$(python3 "$fmt" --root "$T" --check 2>&1); rc=$?
[ $rc = 0 ] && ok "--check after apply: exit 0 ($out)" || fail "--check after apply: rc $rc: $out"
sum1=$(cat "$T"/common/*.c | md5sum)
python3 "$fmt" --root "$T" >/dev/null 2>&1
[ "$(cat "$T"/common/*.c | md5sum)" = "$sum1" ] && ok "apply is idempotent" || fail "a second apply changed files"

# --protect: an option table clang-format would re-lay out, and one it would leave alone.
cat > "$T/common/tab.c" <<'EOF'
struct opt {
    const char *name;
    int id;
};
static const struct opt opts[] = {
    {"alpha", 1},   {"beta", 2},
    {"gamma", 3},   {"delta", 4},
};
static const int small[] = {1, 2, 3};
EOF
cp "$T/common/tab.c" "$T/tab.before"
out=$(python3 "$fmt" --root "$T" --protect 2>&1); rc=$?
n=$(grep -c 'clang-format off' "$T/common/tab.c")
[ $rc = 0 ] && [ "$n" = 1 ] && grep -B1 -q '^static const struct opt opts' <(grep -A1 'clang-format off' "$T/common/tab.c") \
  && ok "--protect: wraps the re-laid-out table only ($out)" || fail "--protect: rc $rc, $n marker(s): $(cat "$T/common/tab.c")"
python3 "$fmt" --root "$T" --protect >/dev/null 2>&1
[ "$(grep -c 'clang-format off' "$T/common/tab.c")" = 1 ] && ok "--protect is idempotent" || fail "--protect twice added markers"
python3 "$fmt" --root "$T" >/dev/null 2>&1
grep -q '^    {"alpha", 1},   {"beta", 2},$' "$T/common/tab.c" && ok "apply leaves the protected table as written" \
  || fail "apply changed the protected table: $(cat "$T/common/tab.c")"

# Line length: 100 columns pass, 101 fail with FILE:LINE, a protected region and a
# multi-byte character do not count against it.
l100=$(printf '%*s' 97 '' | tr ' ' x)
printf '/* %s */\n' "${l100:0:94}" > "$T/common/len.c"           # 100 columns
printf '/* %s § */\n' "${l100:0:92}" >> "$T/common/len.c"        # 100 characters, 101 bytes
out=$(bash "$src/tests/check_sources.sh" "$T" --columns 100 2>&1); rc=$?
[ $rc = 0 ] && ok "--columns 100: 100 columns pass ($out)" || fail "--columns 100 on 100 columns: rc $rc: $out"
printf '/* %s */\n' "${l100:0:95}" >> "$T/common/len.c"          # line 3: 101 columns
out=$(bash "$src/tests/check_sources.sh" "$T" --columns 100 2>&1); rc=$?
[ $rc = 1 ] && grep -q 'common/len.c:3: 101 columns' <<<"$out" && ok "--columns 100: a 101-column line fails as common/len.c:3" \
  || fail "--columns 100 on 101 columns: rc $rc: $out"
{ echo '/* clang-format off */'; printf 'static const char *t = "%s";\n' "$l100"; echo '/* clang-format on */'; } > "$T/common/len.c"
out=$(bash "$src/tests/check_sources.sh" "$T" --columns 100 2>&1); rc=$?
[ $rc = 0 ] && ok "--columns 100: a long line between clang-format off/on passes" || fail "protected long line: rc $rc: $out"
out=$(bash "$src/tests/check_sources.sh" "$T" --columns 1x 2>&1); rc=$?
[ $rc = 2 ] && ok "--columns 1x: exit 2" || fail "--columns 1x: rc $rc"

# The format is clang-format 14's: another binary is refused, not trusted.
out=$(CLANG_FORMAT=/nonexistent/clang-format python3 "$fmt" --root "$T" --check 2>&1); rc=$?
[ $rc = 2 ] && grep -q 'cannot run' <<<"$out" && ok "missing clang-format: exit 2" || fail "missing clang-format: rc $rc: $out"
out=$(python3 "$fmt" --root "$T" --nope 2>&1); rc=$?
[ $rc = 2 ] && ok "unknown option: exit 2" || fail "unknown option: rc $rc: $out"

[ $fails = 0 ] && echo "format_tools: all checks passed" && exit 0
echo "format_tools: $fails check(s) failed"
exit 1
