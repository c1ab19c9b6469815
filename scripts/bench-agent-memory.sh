#!/usr/bin/env bash
# An agent's memory over long service, on the lab.
#
#   scripts/bench-agent-memory.sh [--rounds N] [--every K]
#
# Restarts the lab's agents (and its orchestrator) so that they start afresh, then moves one guest,
# memory-1 (256 MiB, dirtying 64 MiB at 32 MiB/s), from lab-a to lab-b and back N times (default
# 40: 80 pre-copy migrations, at most 100 round trips) with `livemig migrate --to X --mode
# precopy`, and every K round trips (default 10), after 20 s of quiet, prints the resident memory
# (VmRSS, and its anonymous part) of both agents. It does so twice: with the launcher's daemon
# options ("default"), and with native memory never given back to the system
# (`-XX:TrimNativeHeapInterval=0` in LIVEMIG_JAVA_OPTS, which comes after the launcher's options;
# "no-trim"). Both sides run with the lab's own LIVEMIG_JAVA_OPTS for its agents otherwise
# (-Xmx192m -XX:+UseSerialGC). The lab must be built (mvn package); it is brought up with 2 hosts if
# it is not, and its agents are restarted with the lab's options at the end. Bounded: each
# migration 5 min. Exit 0 when every migration succeeded, 1 otherwise, 2 on bad usage.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage() { echo "bench-agent-memory: $*" >&2; echo "usage: scripts/bench-agent-memory.sh [--rounds N] [--every K]" >&2; exit 2; }
rounds=40 every=10
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) rounds=${2:-}; shift 2 || usage "--rounds needs a number" ;;
    --every) every=${2:-}; shift 2 || usage "--every needs a number" ;;
    -h|--help) sed -n '2,18s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) usage "unknown option: $1" ;;
  esac
done
[[ $rounds =~ ^[0-9]+$ ]] && [ "$rounds" -ge 1 ] && [ "$rounds" -le 100 ] || usage "--rounds must be 1..100"
[[ $every =~ ^[0-9]+$ ]] && [ "$every" -ge 1 ] && [ "$every" -le "$rounds" ] || usage "--every must be 1..rounds"
[ "$(id -u)" -eq 0 ] || usage "must run as root (the lab needs it)"

LAB=scripts/lab.sh
LAB_DIR=/var/lib/livemig-lab
LIVEMIG=cli/target/livemig/bin/livemig
[ -x "$LIVEMIG" ] || { echo "bench-agent-memory: livemig is not built (mvn package)" >&2; exit 2; }
VM=memory-1
LAB_OPTS="-Xmx192m -XX:+UseSerialGC"

if ! "$LAB" status >/dev/null 2>&1; then "$LAB" up --hosts 2 >/dev/null; fi
cleanup() {
  "$LAB" vm destroy "$VM" >/dev/null 2>&1 || true
  LIVEMIG_JAVA_OPTS="$LAB_OPTS" "$LAB" restart-agents >/dev/null 2>&1 || true
}
trap cleanup EXIT

echo "bench-agent-memory: commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (modified)'), $(date -u +%FT%TZ)"
echo "bench-agent-memory: $(nproc) CPUs, $(java -version 2>&1 | head -1); rounds=$rounds every=$every guest=$VM (256 MiB, 64 MiB dirtied at 32 MiB/s)"

mib() { awk -v k="$1" '$1 == k":" { printf "%.1f", $2 / 1024 }' "/proc/$2/status"; }
report() { # config round-trips
  sleep 20
  local h pid
  for h in lab-a lab-b; do
    pid=$(cat "$LAB_DIR/hosts/$h/agent.pid")
    printf '%-8s after %3d round trips: agent of %s: resident %6s MiB (anonymous %6s MiB)\n' "$1" "$2" "$h" \
      "$(mib VmRSS "$pid")" "$(mib RssAnon "$pid")"
  done
}

bad=0
for config in default no-trim; do
  opts=$LAB_OPTS
  [ "$config" = no-trim ] && opts="$LAB_OPTS -XX:TrimNativeHeapInterval=0"
  "$LAB" vm destroy "$VM" >/dev/null 2>&1 || true
  LIVEMIG_JAVA_OPTS="$opts" "$LAB" restart-agents >/dev/null
  "$LAB" vm create "$VM" --host lab-a --mem 256 --dirty-mib 64 --dirty-rate 32 --disk shared >/dev/null
  report "$config" 0
  for ((i = 1; i <= rounds; i++)); do
    for to in lab-b lab-a; do
      if ! env -u LIVEMIG_JAVA_OPTS timeout 300 "$LIVEMIG" migrate "$VM" --to "$to" --mode precopy >/dev/null 2>&1; then
        echo "bench-agent-memory: $config: migration $i to $to failed" >&2
        bad=1
        break 3
      fi
    done
    if [ $((i % every)) -eq 0 ] || [ "$i" -eq "$rounds" ]; then report "$config" "$i"; fi
  done
done
exit $bad
