#!/usr/bin/env bash
# Installs what livemig, its lab and its guest image need on Debian 12 (bookworm), as root.
# Idempotent: packages already at the wanted version are left alone.
#   QEMU >= 10 and libvirt >= 11 from bookworm-backports (Debian 12's own QEMU 7.2 corrupts
#   fast-dirtying guests during live pre-copy under TCG), JDK 17, Maven, and the tools the lab
#   (iproute2, tc, ping, uuidgen) and the guest build (gcc for a static binary, cpio) use.
set -euo pipefail

die() { echo "install-deps: $*" >&2; exit 2; }

[ "$(id -u)" -eq 0 ] || die "must run as root (it installs Debian packages)"
[ -r /etc/os-release ] || die "unsupported system: /etc/os-release missing (Debian 12 required)"
. /etc/os-release
[ "${ID:-}" = debian ] && [ "${VERSION_ID:-}" = 12 ] \
  || die "unsupported system: ${PRETTY_NAME:-unknown}; livemig's scripts support Debian 12 (bookworm)"
[ "$(dpkg --print-architecture)" = amd64 ] || die "unsupported architecture $(dpkg --print-architecture); amd64 required"

export DEBIAN_FRONTEND=noninteractive
BACKPORTS=/etc/apt/sources.list.d/bookworm-backports.sources
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  cat >"$BACKPORTS" <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  rm -f /var/lib/livemig-apt-updated
fi

# One apt-get update per day is enough for an idempotent re-run.
stamp=/var/lib/livemig-apt-updated
if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +1440)" ] || ! apt-cache policy qemu-system-x86 | grep bpo12 >/dev/null; then  # not -q: an early exit would SIGPIPE apt-cache under pipefail
  apt-get update -q
  touch "$stamp"
fi

BASE_PKGS=(openjdk-17-jdk-headless maven iproute2 iputils-ping uuid-runtime procps psmisc
  gcc libc6-dev cpio gzip xz-utils kmod util-linux ca-certificates
  protobuf-compiler   # Debian's protoc: the build checks that the .proto files compile with it too
  tini)               # the lab's hosts reap their QEMU processes at once, as systemd does (scripts/lab.sh)
BPO_PKGS=(qemu-system-x86 qemu-utils libvirt-daemon libvirt-daemon-driver-qemu libvirt-daemon-log
  libvirt-clients libvirt0)

missing=()
for p in "${BASE_PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

version_ok() { # package, minimum upstream major
  local v
  v=$(dpkg-query -W -f='${Version}' "$1" 2>/dev/null) || return 1
  v=${v#*:}
  [ "${v%%.*}" -ge "$2" ] 2>/dev/null
}
if ! version_ok qemu-system-x86 10 || ! version_ok libvirt-daemon 11 || ! version_ok libvirt-clients 11; then
  # policy-rc.d keeps package scripts from starting a host-wide libvirtd: the lab runs its own.
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  apt-get install -y -q --no-install-recommends -t bookworm-backports "${BPO_PKGS[@]}"
fi

version_ok qemu-system-x86 10 || die "QEMU >= 10 could not be installed from bookworm-backports"
version_ok libvirt-daemon 11 || die "libvirt >= 11 could not be installed from bookworm-backports"
echo "install-deps: ok (QEMU $(dpkg-query -W -f='${Version}' qemu-system-x86), libvirt $(dpkg-query -W -f='${Version}' libvirt-daemon), $(javac -version 2>&1), $(mvn -v 2>/dev/null | head -1))"
