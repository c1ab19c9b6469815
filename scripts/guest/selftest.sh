#!/usr/bin/env bash
# Host self-test of the guest workload (no VM): proves that a clean run verifies with
# errors=0 and that a flipped byte is detected (LMCORRUPT, errors>0), whether the flip comes from
# the --inject-corruption-after timer or from the debug hook's "corrupt" command on its TCP port
# (what `lab.sh vm corrupt` sends to a running guest). ~15 s at most.
# Exit 0 only if all hold; prints a one-line summary.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/livemig-selftest.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# Host build; static like in the guest so the same libc code paths are tested.
gcc -O2 -static -Wall -Wextra -o "$TMP/workload" "$HERE/workload.c"

# --seconds bounds the run; timeout is only a backstop against a hung binary.
# The workload exits non-zero when it saw errors, which the corrupt run expects: ignore rc.
timeout 10 "$TMP/workload" --mib 8 --rate 8 --content random --seconds 3 >"$TMP/clean.log" 2>&1 || true
timeout 10 "$TMP/workload" --mib 8 --rate 8 --content compressible --seconds 3 \
  --inject-corruption-after 1 >"$TMP/corrupt.log" 2>&1 || true

# The debug hook: a third run listens on a loopback port; "corrupt" sent to it must be answered
# with LMINJECT and then be reported as LMCORRUPT. Port: a free one picked by the kernel is not
# knowable in advance, so try a few from a range until the workload says it listens.
hook_reply= hook_port=
for attempt in 1 2 3 4 5; do
  hook_port=$(( 20000 + (RANDOM % 20000) ))
  timeout 10 "$TMP/workload" --mib 8 --rate 8 --content random --seconds 4 --debug-port "$hook_port" \
    >"$TMP/hook.log" 2>&1 &
  hook_pid=$!
  deadline=$((SECONDS + 3))
  until grep -q '^LMDEBUG' "$TMP/hook.log" 2>/dev/null || [ $SECONDS -ge $deadline ]; do sleep 0.05; done
  if grep -q '^LMDEBUG listening' "$TMP/hook.log"; then
    hook_reply=$(timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$1; echo corrupt >&3; IFS= read -r -t 3 l <&3; echo "$l"' \
      sh "$hook_port" 2>/dev/null || true)
    wait "$hook_pid" || true
    break
  fi
  wait "$hook_pid" || true
done

last_field() { grep '^LMHB ' "$1" | tail -n1 | grep -oE " $2=[0-9]+" | cut -d= -f2; }

clean_hb=$(grep -c '^LMHB ' "$TMP/clean.log" || true)
clean_err=$(last_field "$TMP/clean.log" errors)
clean_sweeps=$(last_field "$TMP/clean.log" sweeps)
bad_hb_err=$(grep '^LMHB ' "$TMP/clean.log" | grep -vc ' errors=0 ' || true)
corrupt_lines=$(grep -c '^LMCORRUPT page=' "$TMP/corrupt.log" || true)
corrupt_err=$(last_field "$TMP/corrupt.log" errors)
hook_lines=$(grep -c '^LMCORRUPT page=' "$TMP/hook.log" || true)
hook_err=$(last_field "$TMP/hook.log" errors)

ok=1
[ "$clean_hb" -ge 2 ] && [ "${clean_err:-x}" = 0 ] && [ "$bad_hb_err" = 0 ] && [ "${clean_sweeps:-0}" -gt 0 ] || ok=0
[ "$corrupt_lines" -ge 1 ] && [ "${corrupt_err:-0}" -gt 0 ] || ok=0
[[ $hook_reply == "LMINJECT page="*" via=debug-port" ]] && [ "$hook_lines" -ge 1 ] && [ "${hook_err:-0}" -gt 0 ] || ok=0

summary="clean: heartbeats=$clean_hb errors=${clean_err:-?} sweeps=${clean_sweeps:-?}; injected: LMCORRUPT lines=$corrupt_lines errors=${corrupt_err:-?}; debug hook: reply='$hook_reply' LMCORRUPT lines=$hook_lines errors=${hook_err:-?}"
if [ "$ok" = 1 ]; then
  echo "selftest: PASS ($summary)"
else
  echo "selftest: FAIL ($summary)"
  echo "--- clean run ---";   cat "$TMP/clean.log"
  echo "--- corrupt run ---"; cat "$TMP/corrupt.log"
  echo "--- debug hook run (port $hook_port) ---"; cat "$TMP/hook.log" 2>/dev/null || true
  exit 1
fi
