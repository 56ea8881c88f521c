#!/usr/bin/env bash
# deb_chroot.sh BUILD_DIR -- the Debian package, installed as a user would install it.
#
# Builds the .deb from BUILD_DIR with CPack, unpacks a fresh Debian 12 (bookworm) minbase
# root, installs the package there with apt (so its Depends must name every runtime
# library: nothing from this machine is visible inside), then runs, inside the chroot and
# from the installed files only: --help of every tool, a small `datagen fill --out`, a
# `modeler fit` of the installed example log and a `replay plan` of an installed scenario.
#
# Cache: the debootstrap'ed root (with apt lists) is kept as a tarball, and the .debs apt
# downloads are kept beside it, under $STAMPEDE_CHROOT_CACHE (default
# /var/cache/stampede), so a second run needs no network and takes well under a minute.
# The first run needs the Debian mirror ($STAMPEDE_DEBIAN_MIRROR, default deb.debian.org)
# and takes a few minutes. Needs root (chroot, mount). Label: integ, nosan.
set -euo pipefail
build=${1:?usage: deb_chroot.sh BUILD_DIR}
build=$(cd "$build" && pwd)
cache=${STAMPEDE_CHROOT_CACHE:-/var/cache/stampede}
mirror=${STAMPEDE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
base=$cache/bookworm-minbase.tar.gz
archives=$cache/apt-archives
t0=$(date +%s)

die() { echo "deb_chroot: FAIL: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, mount); run ./check as root"
for c in debootstrap cpack chroot tar; do
  command -v "$c" >/dev/null || die "$c not found (scripts/deps.sh installs debootstrap)"
done
mkdir -p "$cache" "$archives"

work=$(mktemp -d /var/tmp/stampede-deb.XXXXXX)
root=$work/root
cleanup() {
  # Unmount before removing anything, and never cross into another file system.
  for m in "$root/proc" "$root/dev/pts"; do
    if mountpoint -q "$m" 2>/dev/null; then umount -l "$m" || true; fi
  done
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT

# One base root per cache, made once; a lock keeps two runs from building it together.
exec 9>"$cache/.lock"
flock -w 900 9 || die "timed out waiting for $cache/.lock"
if [ ! -s "$base" ]; then
  echo "deb_chroot: no cached root at $base: debootstrap bookworm from $mirror (first run only)"
  mk=$work/mk
  debootstrap --variant=minbase bookworm "$mk" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; die "debootstrap failed (log above)"; }
  cp /etc/resolv.conf "$mk/etc/resolv.conf"
  printf 'deb %s bookworm main\n' "$mirror" >"$mk/etc/apt/sources.list"
  chroot "$mk" apt-get update -qq || die "apt-get update in the new root failed"
  chroot "$mk" apt-get clean
  tar -C "$mk" -czf "$base.tmp" . && mv "$base.tmp" "$base"
  rm -rf --one-file-system "$mk"
  echo "deb_chroot: cached root made in $(( $(date +%s) - t0 ))s"
fi

# The package, made as a user would make it (docs/guides/install.md).
(cd "$build" && cpack -G DEB -B "$work/pkg" >"$work/cpack.log" 2>&1) \
  || { tail -20 "$work/cpack.log" >&2; die "cpack -G DEB failed"; }
deb=$(ls "$work"/pkg/*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || die "cpack made no .deb"
echo "deb_chroot: built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"
dpkg-deb -f "$deb" Depends | grep -q libpq5 || die "Depends lacks libpq5: $(dpkg-deb -f "$deb" Depends)"

mkdir -p "$root"
tar -C "$root" -xzf "$base"
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$archives"/*.deb "$root/var/cache/apt/archives/" 2>/dev/null || true
cp "$deb" "$root/tmp/stampede.deb"
mount -t proc proc "$root/proc"

# apt resolves Depends from the Debian archive (or the cached .debs): a missing or wrong
# package name fails here, as it would for a user.
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  /tmp/stampede.deb >"$work/apt.log" 2>&1 || { tail -30 "$work/apt.log" >&2; die "apt-get install of the .deb failed"; }
cp -n "$root"/var/cache/apt/archives/*.deb "$archives/" 2>/dev/null || true

in_root() { chroot "$root" env -i PATH=/usr/bin:/bin HOME=/tmp LANG=C.UTF-8 sh -c "cd /tmp && $1"; }
n=0
check() { # DESCRIPTION COMMAND: the command must succeed inside the root
  n=$((n + 1))
  if ! out=$(in_root "$2" 2>&1); then
    printf '%s\n' "$out" | tail -15 >&2
    die "$1: '$2' failed in the chroot"
  fi
  echo "ok $n - $1"
}
for t in modeler datagen replay stampede-shop; do
  check "$t --help" "$t --help | grep -q usage:"
done
for t in modeler datagen replay; do
  for c in $(in_root "$t --help" | awk '/^commands:/{f=1;next} f&&/^$/{exit} f{print $1}'); do
    check "$t $c --help" "$t $c --help >/dev/null"
  done
done
share=/usr/share/stampede
check "datagen fill --out" "datagen fill --shape $share/models/shapes/shop.json --scale 0.001 --out /tmp/csv >/dev/null && test -s /tmp/csv/products.csv"
check "modeler fit" "modeler fit $share/logs/shop-synthetic.access.log.gz -o /tmp/m.json >/dev/null 2>&1 && grep -q stampede-traffic-model /tmp/m.json"
check "replay plan" "replay plan $share/models/scenarios/shop-campaign.json --duration 120s >/tmp/plan.ndjson && test \$(wc -l </tmp/plan.ndjson) -gt 10"
check "man pages installed" "test -s /usr/share/man/man1/replay-run.1.gz && test -s /usr/share/man/man1/modeler.1.gz"
check "bash completions installed" "test -s /usr/share/bash-completion/completions/replay"
echo "deb_chroot: $n checks passed in $(( $(date +%s) - t0 ))s"
