#!/usr/bin/env bash
# How long after an orphaned process ends it is reaped: by PID 1 (or the nearest child subreaper
# above this shell), and under `tini -s` when tini is installed. libvirt daemonizes every QEMU it
# starts and, when it stops one, waits until the process is gone, zombie included; so this delay
# is part of every migration's source_cleanup and of every destroy (README, "The lab").
#
#   scripts/reap-delay.sh [RUNS]     (default 5; each orphan lives 0.3 s)
set -euo pipefail
ONE=; runs=5
case ${1:-} in
  --one) ONE=1 ;;
  '') ;;
  *) runs=$1
     [[ $runs =~ ^[0-9]+$ ]] && [ "$runs" -ge 1 ] && [ "$runs" -le 50 ] || { echo "reap-delay: RUNS must be 1..50" >&2; exit 2; } ;;
esac

one() { # prints the ms from an orphan's end (0.3 s after its start) until it is gone
  local f pid t0 t1
  f=$(mktemp)
  t0=$(date +%s%N)
  ( sleep 0.3 & echo $! >"$f" )   # the subshell exits: sleep is orphaned
  pid=$(cat "$f"); rm -f "$f"
  for _ in $(seq 1 2000); do kill -0 "$pid" 2>/dev/null || break; sleep 0.005; done   # at most ~10 s
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 - 300 ))
}

if [ -n "$ONE" ]; then one; exit 0; fi
echo "reap-delay: PID 1 is $(tr '\0' ' ' </proc/1/cmdline | cut -c1-60)"
printf 'reaped by PID 1:        '; for _ in $(seq 1 "$runs"); do printf '%s ms  ' "$(one)"; done; echo
if command -v tini >/dev/null; then
  printf 'reaped under tini -s:   '; for _ in $(seq 1 "$runs"); do printf '%s ms  ' "$(tini -s -- "$0" --one)"; done; echo
else
  echo "reaped under tini -s:   (tini is not installed)"
fi
