#!/usr/bin/env bash
# Builds livemig's test guest from Debian packages only:
#   OUTDIR/vmlinuz     Debian 12's cloud kernel (linux-image-6.1.0-NN-cloud-amd64)
#   OUTDIR/initrd.img  gzip'd newc cpio: busybox-static, virtio NIC modules, /init, the workload
# Usage: build-guest.sh [OUTDIR]   (default ${LIVEMIG_GUEST_DIR:-/var/lib/livemig-lab/guest})
# Idempotent: skips the build when both outputs are newer than this script, init.sh and
# workload.c and were built from the same .deb files. The .debs are kept in OUTDIR/cache,
# so a rerun needs no network unless Debian has published a newer kernel.
# Needs: apt (for the download), dpkg, gcc + libc6-dev (static libc), cpio, gzip.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUTDIR=${1:-${LIVEMIG_GUEST_DIR:-/var/lib/livemig-lab/guest}}
CACHE=$OUTDIR/cache
MANIFEST=$OUTDIR/.build-manifest
INPUTS=("$HERE/build-guest.sh" "$HERE/init.sh" "$HERE/workload.c")
# Load order of the virtio NIC stack (each needs the ones before it; no modules.dep in the .deb).
MODULES=(virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci failover net_failover virtio_net)

log() { echo "build-guest: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

for tool in apt-cache apt-get dpkg-deb gcc cpio gzip; do
  command -v "$tool" >/dev/null || die "missing tool '$tool' (run scripts/install-deps.sh)"
done
mkdir -p "$OUTDIR" "$CACHE"
OUTDIR=$(cd "$OUTDIR" && pwd)
CACHE=$OUTDIR/cache
MANIFEST=$OUTDIR/.build-manifest

# --- 1. Which kernel? Ask the bookworm meta package, never hard-code the ABI number. -------
KPAT='linux-image-6\.1\.0-[0-9]+-cloud-amd64'
resolve_kernel() {
  local k
  k=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | grep -oE "$KPAT" | head -n1 || true)
  # The candidate may come from bookworm-backports (6.12) if someone pins it: then pick the
  # newest 6.1.0-NN that any known version of the meta package depends on.
  [ -n "$k" ] || k=$(apt-cache show linux-image-cloud-amd64 2>/dev/null | grep -oE "$KPAT" | sort -uV | tail -n1 || true)
  echo "$k"
}
KPKG=$(resolve_kernel)
if [ -z "$KPKG" ] && [ "$(id -u)" -eq 0 ]; then
  log "apt lists know no linux-image-cloud-amd64: running apt-get update"
  apt-get update -q >&2 || true
  KPKG=$(resolve_kernel)
fi

# cached_deb PKG [VERSION]: path of a cached .deb of PKG (that VERSION if given, else newest).
cached_deb() {
  local f best= bestv= v
  for f in "$CACHE/$1"_*.deb; do
    [ -f "$f" ] || continue
    [ "$(dpkg-deb -f "$f" Package 2>/dev/null)" = "$1" ] || continue
    v=$(dpkg-deb -f "$f" Version)
    if [ -n "${2:-}" ]; then [ "$v" = "$2" ] && { echo "$f"; return; }; continue; fi
    if [ -z "$bestv" ] || dpkg --compare-versions "$v" gt "$bestv"; then best=$f bestv=$v; fi
  done
  [ -z "${2:-}" ] && [ -n "$best" ] && echo "$best"
  return 0
}

# fetch_deb PKG: the .deb of the apt candidate of PKG, downloaded into the cache only if
# that exact version is not there yet; offline fallback: the newest cached one.
fetch_deb() {
  local pkg=$1 ver f dl
  ver=$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2}')
  if [ -n "$ver" ] && [ "$ver" != "(none)" ]; then
    f=$(cached_deb "$pkg" "$ver")
    if [ -z "$f" ]; then
      log "downloading $pkg $ver"
      # apt drops privileges to _apt for downloads: give it a directory it may write to.
      dl=$(mktemp -d "$CACHE/.dl.XXXXXX")
      id _apt >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ] && chown _apt "$dl"
      if (cd "$dl" && apt-get download -q "$pkg=$ver" >&2); then
        rm -f "$CACHE/$pkg"_*.deb          # keep only the current version in the cache
        mv "$dl"/*.deb "$CACHE/"
        f=$(cached_deb "$pkg" "$ver")
      fi
      rm -rf "$dl"
    fi
  fi
  [ -n "${f:-}" ] || f=$(cached_deb "$pkg")
  [ -n "$f" ] || die "cannot get package $pkg (no apt candidate/download and nothing cached)"
  echo "$f"
}

if [ -z "$KPKG" ]; then
  # No apt metadata at all (e.g. offline, lists cleaned): use whatever kernel is cached.
  f=$(ls -1 "$CACHE"/linux-image-6.1.0-*-cloud-amd64_*.deb 2>/dev/null | sort -V | tail -n1 || true)
  [ -n "$f" ] || die "cannot resolve linux-image-cloud-amd64's kernel package and none is cached"
  KPKG=$(dpkg-deb -f "$f" Package)
fi
KDEB=$(fetch_deb "$KPKG")
BDEB=$(fetch_deb busybox-static)
log "kernel package: $(basename "$KDEB")"
log "busybox:        $(basename "$BDEB")"

# --- 2. Up to date? ------------------------------------------------------------------------
want_manifest="$(basename "$KDEB") $(basename "$BDEB")"
up_to_date() {
  local out in
  [ -f "$MANIFEST" ] && [ "$(cat "$MANIFEST")" = "$want_manifest" ] || return 1
  for out in "$OUTDIR/vmlinuz" "$OUTDIR/initrd.img"; do
    [ -s "$out" ] || return 1
    for in in "${INPUTS[@]}" "$KDEB" "$BDEB"; do [ "$out" -nt "$in" ] || return 1; done
  done
}
if up_to_date; then
  log "up to date, nothing to do"
  echo "$OUTDIR/vmlinuz"
  echo "$OUTDIR/initrd.img"
  exit 0
fi

# --- 3. Build in a scratch dir; outputs are replaced atomically at the end. ----------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/livemig-guest.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
dpkg-deb -x "$KDEB" "$WORK/kernel"
dpkg-deb -x "$BDEB" "$WORK/busybox"

KVER=$(ls -1 "$WORK/kernel/lib/modules" | head -n1)
[ -n "$KVER" ] && [ -f "$WORK/kernel/boot/vmlinuz-$KVER" ] || die "no kernel image in $(basename "$KDEB")"
MODDIR=$WORK/kernel/lib/modules/$KVER
BUSYBOX=$WORK/busybox/bin/busybox
[ -x "$BUSYBOX" ] || die "no bin/busybox in $(basename "$BDEB")"

ROOT=$WORK/root
mkdir -p "$ROOT"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root,etc,lib/modules/livemig}
# /dev/console must exist in the initramfs for PID 1 to get a console (needs root to mknod;
# otherwise the kernel's built-in initramfs one is used).
[ "$(id -u)" -eq 0 ] && mknod -m 600 "$ROOT/dev/console" c 5 1

# busybox with a symlink per applet (the static binary runs on the build host to list them).
cp "$BUSYBOX" "$ROOT/bin/busybox"
while read -r applet; do
  [ "$applet" = bin/busybox ] && continue
  mkdir -p "$ROOT/$(dirname "$applet")"
  ln -sf /bin/busybox "$ROOT/$applet"
done < <("$BUSYBOX" --list-full)

# virtio NIC modules, flattened, decompressed if the package ships them compressed.
: >"$ROOT/lib/modules/livemig/order"
for m in "${MODULES[@]}"; do
  if grep -qE "/$m\.ko(\.(xz|zst|gz))?$" "$MODDIR/modules.builtin" 2>/dev/null; then
    log "module $m is built into the kernel"; continue
  fi
  src=$(find "$MODDIR/kernel" \( -name "$m.ko" -o -name "$m.ko.xz" -o -name "$m.ko.zst" -o -name "$m.ko.gz" \) | head -n1)
  [ -n "$src" ] || die "module $m neither built in nor found in $(basename "$KDEB")"
  dst=$ROOT/lib/modules/livemig/$m.ko
  case "$src" in
    *.ko.xz)  xz -dc "$src" >"$dst" ;;
    *.ko.zst) zstd -qdc "$src" >"$dst" ;;
    *.ko.gz)  gzip -dc "$src" >"$dst" ;;
    *)        cp "$src" "$dst" ;;
  esac
  echo "$m" >>"$ROOT/lib/modules/livemig/order"
done

install -m 755 "$HERE/init.sh" "$ROOT/init"
# Static, so the initramfs needs no libc.
gcc -O2 -static -Wall -Wextra -o "$ROOT/bin/lm-workload" "$HERE/workload.c"
strip "$ROOT/bin/lm-workload" 2>/dev/null || true

# newc cpio (the format the kernel unpacks), root-owned, sorted for stable output.
(cd "$ROOT" && find . -mindepth 1 -print0 | LC_ALL=C sort -z \
  | cpio --null -o -H newc --owner=0:0 --reproducible --quiet) | gzip -9n >"$OUTDIR/initrd.img.tmp"
cp "$WORK/kernel/boot/vmlinuz-$KVER" "$OUTDIR/vmlinuz.tmp"
mv -f "$OUTDIR/vmlinuz.tmp" "$OUTDIR/vmlinuz"
mv -f "$OUTDIR/initrd.img.tmp" "$OUTDIR/initrd.img"
echo "$want_manifest" >"$MANIFEST"
log "built kernel $KVER, initrd $(stat -c %s "$OUTDIR/initrd.img") bytes"

echo "$OUTDIR/vmlinuz"
echo "$OUTDIR/initrd.img"
