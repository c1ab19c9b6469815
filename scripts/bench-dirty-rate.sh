#!/usr/bin/env bash
# How close QEMU's dirty-rate measurements come to what a guest really dirties: one lab guest
# whose workload dirties a known number of MiB per second, measured again and again for 1 s in
# each of QEMU's modes that libvirt offers here (virsh domdirtyrate-calc): page sampling (QEMU's
# default, which livemig's agents use: 512 pages per GiB are hashed before and after) and dirty
# bitmap (every page dirtied, counted through the dirty log). Prints every reading, then per mode
# the median, the range and the readings off by more than 25 % from the workload's rate.
#
#   scripts/bench-dirty-rate.sh [--readings N] [--rate MiBps] [--dirty-mib N]
#
# The lab is brought up with 2 hosts if it is not. The lab's orchestrator is stopped meanwhile
# (its polls make the agents measure too, and two measurements of a guest must not overlap) and
# started again at the end. Bounded: each reading waits at most 10 s.
# Exit 0 when every reading was taken, 1 otherwise, 2 on bad usage.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage() { echo "bench-dirty-rate: $*" >&2; echo "usage: scripts/bench-dirty-rate.sh [--readings N] [--rate MiBps] [--dirty-mib N]" >&2; exit 2; }
readings=20 rate=8 dirty=64
while [ $# -gt 0 ]; do
  case $1 in
    --readings) readings=${2:-}; shift 2 || usage "--readings needs a number" ;;
    --rate) rate=${2:-}; shift 2 || usage "--rate needs a number" ;;
    --dirty-mib) dirty=${2:-}; shift 2 || usage "--dirty-mib needs a number" ;;
    -h|--help) sed -n '2,15s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) usage "unknown option: $1" ;;
  esac
done
[[ $readings =~ ^[0-9]+$ ]] && [ "$readings" -ge 1 ] && [ "$readings" -le 100 ] || usage "--readings must be 1..100"
[[ $rate =~ ^[0-9]+$ ]] && [ "$rate" -ge 1 ] && [ "$rate" -le 200 ] || usage "--rate must be 1..200"
[[ $dirty =~ ^[0-9]+$ ]] && [ "$dirty" -ge 1 ] && [ "$dirty" -le 192 ] || usage "--dirty-mib must be 1..192"
[ "$(id -u)" -eq 0 ] || usage "must run as root (the lab needs it)"

LAB=scripts/lab.sh
VM=dirty-rate-1
if ! "$LAB" status >/dev/null 2>&1; then "$LAB" up --hosts 2 >/dev/null; fi
URI=$(awk '$1 == "-" && $2 == "name:" { cur = $3 } cur == "lab-a" && $1 == "libvirt_uri:" { print $2; exit }' /var/lib/livemig-lab/cluster.yaml)
[ -n "$URI" ] || { echo "bench-dirty-rate: no libvirt URI for lab-a in the cluster file" >&2; exit 1; }
cleanup() {
  "$LAB" vm destroy "$VM" >/dev/null 2>&1 || true
  "$LAB" restart-orchestrator >/dev/null 2>&1 || true
}
trap cleanup EXIT
"$LAB" fault kill-orchestrator >/dev/null 2>&1 || true
"$LAB" vm destroy "$VM" >/dev/null 2>&1 || true
"$LAB" vm create "$VM" --host lab-a --mem 256 --dirty-mib "$dirty" --dirty-rate "$rate" >/dev/null

echo "bench-dirty-rate: commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown), $(date -u +%FT%TZ), $(virsh --version 2>/dev/null | sed 's/^/libvirt /'), $(qemu-system-x86_64 --version | head -1)"
echo "bench-dirty-rate: guest $VM on lab-a: 256 MiB, its workload dirties $dirty MiB at $rate MiB/s; $readings readings of 1 s per mode"

bad=0
reading() { # mode: starts a 1 s measurement, waits for its end, prints MiB/s
  local i out
  virsh -c "$URI" domdirtyrate-calc "$VM" --seconds 1 --mode "$1" >/dev/null
  for i in $(seq 1 100); do
    out=$(virsh -c "$URI" domstats "$VM" --dirtyrate)
    if grep -q 'dirtyrate.calc_status=2' <<<"$out"; then
      sed -n 's/.*dirtyrate.megabytes_per_second=\([0-9]*\).*/\1/p' <<<"$out"; return 0
    fi
    sleep 0.1
  done
  return 1
}
summary() { # mode readings...
  local mode=$1; shift
  printf '%s\n' "$@" | sort -n | awk -v m="$mode" -v r="$rate" '
    { v[NR] = $1; if ($1 > 1.25 * r || $1 < 0.75 * r) off++ }
    END { printf "%-14s median %5.1f MiB/s  range %d-%d MiB/s  off by more than 25%%: %d of %d\n", m,
          (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[1], v[NR], off + 0, NR }'
}
declare -A got
for mode in page-sampling dirty-bitmap; do
  vals=()
  for _ in $(seq 1 "$readings"); do
    if v=$(reading "$mode") && [ -n "$v" ]; then vals+=("$v"); else bad=1; fi
  done
  echo "$mode: ${vals[*]}"
  got[$mode]="${vals[*]}"
done
echo
echo "per mode, against the workload's $rate MiB/s:"
for mode in page-sampling dirty-bitmap; do
  # shellcheck disable=SC2086 # the readings, one word each
  [ -n "${got[$mode]}" ] && summary "$mode" ${got[$mode]}
done
exit $bad
