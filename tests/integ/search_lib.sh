# Shared by the `replay search` integration tests (sourced after shop_lib.sh): a scenario on the
# shop's by-id endpoints with Poisson arrivals (hawkes off, so that the offered rate at a scale is
# steady and the knee is computable), and helpers to read SEARCH.json with jq.
command -v jq >/dev/null || die "jq missing"
[ -x "${REPLAY:-}" ] || die "replay binary not found (REPLAY=${REPLAY:-})"
printf 'rank,id\n1,7\n2,8\n3,9\n4,10\n' >"$TMP/p.csv"

# mk_scenario FILE WEBSOCKETS THRESHOLDS_JSON: the knee scenario against 127.0.0.1:$PORT.
mk_scenario() {
  local ws=""
  [ "$2" -gt 0 ] && ws="\"websockets\": {\"count\": $2, \"ramp\": \"300ms\", \"path\": \"/ws/inventory?product_id={\$products}\", \"duration\": \"run\", \"reconnect\": {\"max\": 0}},"
  cat >"$1" <<JSON
{
  "format": "stampede-scenario", "version": 1, "name": "knee",
  "model": "$SRC/models/shop.model.json",
  "target": "http://127.0.0.1:$PORT", "seed": 11, "duration": "8s",
  "feeders_dir": "$TMP",
  "feeders": {"products": {"file": "p.csv"}},
  "routes": {"/products/{id}": {"path": "/products/{products}"}, "/categories/{id}": {"path": "/categories/1"}},
  "sessions": {"think_scale": 0.2, "hawkes": false},
  "http": {"timeout": "5s"},
  "limits": {"grace": "2s"},
  $ws
  "thresholds": $3
}
JSON
}

# rate_at SCENARIO SCALE DURATION_S: the steady planned HTTP request rate per second at that scale
# (replay plan), counted over the second half of the run: sessions bring several requests, so
# the rate builds up over the first seconds, and what saturates the server is the steady rate.
rate_at() {
  "$REPLAY" plan "$1" --scale "$2" --duration "${3}s" -q |
    jq -r --argjson d "$3" 'select(.kind != "ws" and .t >= $d / 2) | 1' | wc -l |
    awk -v d="$3" '{ printf "%.3f", $1 / (d / 2) }'
}

# j FILE FILTER: jq -r
j() { jq -r "$2" "$1"; }
