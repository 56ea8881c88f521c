# Sourced by ./check, ./demo and tests/bench/run: installs the Debian packages that are
# missing, and nothing when all are present (so a second run is fast).
# Usage: . scripts/deps.sh; st_ensure_packages pkg...

ST_BUILD_PACKAGES="build-essential cmake pkg-config libpq-dev libgsl-dev libcurl4-openssl-dev \
libcsv-dev libjansson-dev libwslay-dev zlib1g-dev libcivetweb-dev libcmocka-dev libssl-dev \
clang clang-format dpkg-dev"
ST_RUNTIME_PACKAGES="postgresql-15 postgresql-common nginx apache2 haproxy python3 python3-websockets curl procps jq bc libwebsockets-test-server chromium python3-yaml yamllint openssl \
man-db debootstrap nodejs"

st_ensure_packages() {
  local missing=() p st
  for p in "$@"; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$st" in *" installed") ;; *) missing+=("$p") ;; esac
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "stampede: installing missing packages: ${missing[*]}" >&2
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo=(sudo -n); else
      echo "stampede: need root or sudo to install: ${missing[*]}" >&2; return 3; fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq || return 3
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || return 3
  # Debian starts a default cluster and nginx on install; we never use them, and they would
  # take ports and memory during tests.
  if [ -x /usr/sbin/service ] || command -v systemctl >/dev/null 2>&1; then
    "${sudo[@]}" service nginx stop >/dev/null 2>&1 || true
    "${sudo[@]}" service apache2 stop >/dev/null 2>&1 || true
    "${sudo[@]}" service haproxy stop >/dev/null 2>&1 || true
  fi
}

# npm: Debian's package, unless an npm is already there (a NodeSource nodejs ships its own,
# and Debian's npm would conflict with it).
st_ensure_npm() {
  command -v npm >/dev/null 2>&1 && return 0
  st_ensure_packages npm
}

# The pinned npm packages of tests/k8s (kubernetes-models: the Kubernetes OpenAPI schema,
# for tests/k8s/run.sh), installed from the registry into tests/k8s/node_modules (ignored
# by git) exactly as package-lock.json says; skipped when that lock is already installed.
# Fails loudly: a ./check without the schema would be a silent skip.
st_ensure_node_modules() {
  local d=${1:-tests/k8s}
  st_ensure_npm || return 3
  if [ -f "$d/node_modules/.stampede-lock" ] && cmp -s "$d/package-lock.json" "$d/node_modules/.stampede-lock"; then
    return 0
  fi
  echo "stampede: npm ci in $d (kubernetes-models, pinned)" >&2
  (cd "$d" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) \
    || { echo "stampede: npm ci in $d failed: the Kubernetes schema check cannot run" >&2; return 3; }
  cp "$d/package-lock.json" "$d/node_modules/.stampede-lock"
}
