# Shared by the shop's integration tests (sourced, not run). Needs PG* from scripts/with-pg
# (./check), the shop binary as $SHOP and Debian's python3 with python3-websockets.
# Set KEEP_TMP=1 to keep the temporary directory (logs, client output) for a post-mortem.
# Provides: a private database with the catalog schema and a small seed, a free port,
# shop start/stop helpers, HTTP helpers, assertions, and a cleanup trap that stops every
# process started here (by pid) and drops the database.
set -u
SRC=${ST_SRC_DIR:?ST_SRC_DIR not set (run through ctest)}
PY=/usr/bin/python3
WS="$PY $SRC/tests/integ/shop_ws.py"
TMP=$(mktemp -d /tmp/stampede-shop.XXXXXX)
DB="shop_t_$$_$RANDOM"
PIDS=()
FAILS=0

die() {
  echo "FAIL: $*" >&2
  local f
  for f in "$TMP"/*.err; do [ -s "$f" ] && { echo "--- $f" >&2; tail -20 "$f" >&2; }; done
  exit 1
}
ok() { echo "ok: $*"; }
check() { # check DESCRIPTION COMMAND...: records a failure instead of stopping
  local what=$1; shift
  if "$@"; then ok "$what"; else echo "FAIL: $what" >&2; FAILS=$((FAILS + 1)); fi
}

cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  [ -n "${PGPORT:-}" ] && dropdb --if-exists "$DB" 2>/dev/null
  [ -n "${KEEP_TMP:-}" ] || rm -rf "$TMP"
}
trap cleanup EXIT

# A test that cannot reach its peers fails loudly, never passes.
[ -n "${PGHOST:-}" ] && [ -n "${PGPORT:-}" ] || die "no PostgreSQL (PG* unset): run through ./check or scripts/with-pg"
[ -x "${SHOP:-}" ] || die "shop binary not found (SHOP=${SHOP:-})"
$PY -c 'import websockets' 2>/dev/null || die "python3-websockets missing: apt-get install python3-websockets"
command -v curl >/dev/null || die "curl missing"

setup_db() {
  createdb "$DB" || die "createdb $DB"
  psql -q -v ON_ERROR_STOP=1 -d "$DB" -f "$SRC/docs/formats/shop-schema.sql" >/dev/null \
    || die "loading shop-schema.sql"
  psql -q -v ON_ERROR_STOP=1 -d "$DB" -f "$SRC/tests/integ/shop_seed.sql" >/dev/null \
    || die "loading shop_seed.sql"
}

sql() { psql -qAtX -v ON_ERROR_STOP=1 -d "$DB" -c "$1"; }

free_port() {
  $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_shop NAME ARGS...: starts shop on a free port with the test database; sets PORT and
# SHOP_PID; waits for the "listening" line (10 s). A port taken between free_port and the
# bind (another test won the race) is retried with a new port, twice.
start_shop() {
  local name=$1; shift
  local attempt i
  for attempt in 1 2 3; do
    PORT=$(free_port)
    "$SHOP" --db "dbname=$DB" --listen "127.0.0.1:$PORT" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
    SHOP_PID=$!
    PIDS+=("$SHOP_PID")
    for i in $(seq 1 100); do
      grep -q "shop: listening on 127.0.0.1:$PORT" "$TMP/$name.err" && return 0
      kill -0 "$SHOP_PID" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$SHOP_PID" 2>/dev/null; then die "shop $name did not print 'listening' within 10 s"; fi
    grep -q 'cannot listen' "$TMP/$name.err" || { cat "$TMP/$name.err" >&2; die "shop $name exited at start-up"; }
  done
  die "shop $name: no free port after 3 attempts"
}

# stop_shop: SIGTERM, then requires exit 0 within 10 s. Sets STOP_MS.
stop_shop() {
  local t0 rc
  t0=$(date +%s%N)
  kill -TERM "$SHOP_PID"
  for _ in $(seq 1 100); do kill -0 "$SHOP_PID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$SHOP_PID" 2>/dev/null; then
    kill -KILL "$SHOP_PID"; die "shop did not stop within 10 s of SIGTERM"
  fi
  wait "$SHOP_PID"; rc=$?
  STOP_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
  [ "$rc" = 0 ] || die "shop exited $rc after SIGTERM (want 0)"
}

# http METHOD PATH [curl args...]: sets CODE, BODY, HDRS (file), TIME (seconds).
http() {
  local m=$1 p=$2; shift 2
  local out
  out=$(curl -s -o "$TMP/body" -D "$TMP/hdrs" -w '%{http_code} %{time_total}' -X "$m" \
        --max-time 20 "$@" "http://127.0.0.1:$PORT$p") || true
  CODE=${out%% *}
  TIME=${out#* }
  BODY=$(cat "$TMP/body" 2>/dev/null)
  HDRS="$TMP/hdrs"
}

# wait_for FILE PATTERN SECONDS
wait_for() {
  local i
  for i in $(seq 1 $(( $3 * 10 ))); do grep -q -- "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}

# The access-log line shape: nginx combined + $request_time.
LOG_RE='^[0-9.]+ - - \[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}\] "[A-Z]+ [^ "]+ HTTP/1\.[01]" [0-9]{3} [0-9]+ "[^"]*" "[^"]*" [0-9]+\.[0-9]{3}$'
