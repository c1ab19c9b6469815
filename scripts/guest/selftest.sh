#!/usr/bin/env bash
# Host self-test of the guest workload (no VM): proves that a clean run verifies with
# errors=0 and that a flipped byte is detected (LMCORRUPT, errors>0). ~10 s at most.
# Exit 0 only if both hold; prints a one-line summary.
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

last_field() { grep '^LMHB ' "$1" | tail -n1 | grep -oE " $2=[0-9]+" | cut -d= -f2; }

clean_hb=$(grep -c '^LMHB ' "$TMP/clean.log" || true)
clean_err=$(last_field "$TMP/clean.log" errors)
clean_sweeps=$(last_field "$TMP/clean.log" sweeps)
bad_hb_err=$(grep '^LMHB ' "$TMP/clean.log" | grep -vc ' errors=0 ' || true)
corrupt_lines=$(grep -c '^LMCORRUPT page=' "$TMP/corrupt.log" || true)
corrupt_err=$(last_field "$TMP/corrupt.log" errors)

ok=1
[ "$clean_hb" -ge 2 ] && [ "${clean_err:-x}" = 0 ] && [ "$bad_hb_err" = 0 ] && [ "${clean_sweeps:-0}" -gt 0 ] || ok=0
[ "$corrupt_lines" -ge 1 ] && [ "${corrupt_err:-0}" -gt 0 ] || ok=0

summary="clean: heartbeats=$clean_hb errors=${clean_err:-?} sweeps=${clean_sweeps:-?}; injected: LMCORRUPT lines=$corrupt_lines errors=${corrupt_err:-?}"
if [ "$ok" = 1 ]; then
  echo "selftest: PASS ($summary)"
else
  echo "selftest: FAIL ($summary)"
  echo "--- clean run ---";   cat "$TMP/clean.log"
  echo "--- corrupt run ---"; cat "$TMP/corrupt.log"
  exit 1
fi
