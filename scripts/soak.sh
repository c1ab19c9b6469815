#!/usr/bin/env bash
# Soak: migrate 3 dirtying guests at random among 3 lab hosts in random modes, through the lab's
# orchestrator (mutual TLS, as a user), checking every guest after every migration.
#
#   scripts/soak.sh --minutes N [--seed S] [--max-migrations M] [--keep]
#
# Bounded twice: it stops starting migrations after N minutes or M migrations (default 1000),
# whichever comes first, and every migration has a time limit (5 min). The same seed gives the
# same sequence of choices. The lab must be built (mvn package); soak brings it up with 3 hosts.
#
# After each migration, `lab.sh vm check` classifies the guest:
#   failed     the migration did not succeed, but the guest runs intact on one host
#   lost       the guest is not running, alive and answering on exactly one host
#   corrupted  the guest's memory check or kernel log shows corruption
# The last line is `migrations=N failed=N lost=N corrupted=N`. Exit 0 when lost and corrupted
# are 0, 1 otherwise, 2 on bad usage.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage() { echo "soak: $*" >&2; echo "usage: scripts/soak.sh --minutes N [--seed S] [--max-migrations M] [--keep]" >&2; exit 2; }

minutes='' seed=$$ max=1000 keep=0
while [ $# -gt 0 ]; do
  case $1 in
    --minutes) minutes=${2:-}; shift 2 || usage "--minutes needs a number" ;;
    --seed) seed=${2:-}; shift 2 || usage "--seed needs a number" ;;
    --max-migrations) max=${2:-}; shift 2 || usage "--max-migrations needs a number" ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,19s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) usage "unknown option: $1" ;;
  esac
done
[[ $minutes =~ ^[0-9]+$ ]] && [ "$minutes" -ge 1 ] && [ "$minutes" -le 1440 ] || usage "--minutes must be 1..1440"
[[ $seed =~ ^[0-9]+$ ]] && [ "$seed" -le 2147483647 ] || usage "--seed must be 0..2147483647"
[[ $max =~ ^[0-9]+$ ]] && [ "$max" -ge 1 ] && [ "$max" -le 100000 ] || usage "--max-migrations must be 1..100000"
[ "$(id -u)" -eq 0 ] || usage "must run as root (the lab needs it)"

LAB=scripts/lab.sh
LIVEMIG=cli/target/livemig/bin/livemig
[ -x "$LIVEMIG" ] || { echo "soak: livemig is not built (mvn package)" >&2; exit 2; }
HOSTS=(lab-a lab-b lab-c)
MODES=(precopy stopcopy postcopy auto)
GUESTS=(soak-1 soak-2 soak-3)
RANDOM=$seed

"$LAB" up --hosts 3 >/dev/null
cleanup() { [ $keep -eq 1 ] || for g in "${GUESTS[@]}"; do "$LAB" vm destroy "$g" >/dev/null 2>&1 || true; done; }
trap cleanup EXIT
for i in "${!GUESTS[@]}"; do
  g=${GUESTS[$i]}
  "$LAB" vm destroy "$g" >/dev/null 2>&1 || true
  # Different memory and dirtying per guest: 32..96 MiB dirtied at 4..16 MiB/s.
  "$LAB" vm create "$g" --host "${HOSTS[$i]}" --mem 256 --dirty-mib $((32 * (i + 1))) --dirty-rate $((4 << i)) \
    --disk shared >/dev/null
done

# Where the guest runs, from vm check ("host=lab-x"); empty when vm check does not say one host.
host_of() { sed -n 's/.* host=\(lab-[a-z]\) .*/\1/p' <<<"$1"; }

# vm check until it passes, at most ~30 s (a guest needs a moment to answer ping on a new host).
check() {
  local out i
  for i in 1 2 3 4 5 6 7 8 9 10; do
    out=$("$LAB" vm check "$1" 2>&1) && { echo "$out"; return 0; }
    sleep 3
  done
  echo "$out"; return 1
}

migrations=0 failed=0 lost=0 corrupted=0
end=$((SECONDS + minutes * 60))
echo "soak: seed=$seed minutes=$minutes max_migrations=$max guests=${GUESTS[*]}"
while [ $SECONDS -lt $end ] && [ $migrations -lt "$max" ]; do
  g=${GUESTS[$((RANDOM % ${#GUESTS[@]}))]}
  before=$(check "$g") || true
  from=$(host_of "$before")
  if [ -z "$from" ]; then
    echo "soak: $g is not on one host before its migration: $before" >&2
    lost=$((lost + 1)); break
  fi
  others=(); for h in "${HOSTS[@]}"; do [ "$h" = "$from" ] || others+=("$h"); done
  to=${others[$((RANDOM % ${#others[@]}))]}
  mode=${MODES[$((RANDOM % ${#MODES[@]}))]}
  migrations=$((migrations + 1))
  started=$SECONDS
  if out=$(timeout 300 "$LIVEMIG" migrate "$g" --to "$to" --mode "$mode" 2>&1); then result=ok; else result="exit $?"; fi
  after=$(check "$g") && state=ok || state=bad
  summary=$(head -1 <<<"$out")
  printf 'soak: %3d %-6s %s -> %s %-8s %3d s %s | %s\n' "$migrations" "$g" "$from" "$to" "$mode" \
    $((SECONDS - started)) "$result" "$(sed -n 's/.*verdict=/verdict=/p' <<<"$after")"
  if [ "$result" != ok ]; then
    failed=$((failed + 1)); echo "soak:     $summary"
    # Why it failed, as the CLI said it: the error line, else its last line.
    why=$(grep -m1 '^  error: ' <<<"$out" || tail -1 <<<"$out")
    echo "soak:     ${why# }"
    # What both hosts' libvirt daemons logged last (errors and warnings only), to tell a
    # daemon that stopped answering from a refused migration.
    for h in "$from" "$to"; do
      echo "soak:     $h libvirtd.log:"
      tail -4 "/var/lib/livemig-lab/hosts/$h/log/libvirtd.log" 2>/dev/null | cut -c1-300 | sed 's/^/soak:       /'
    done
  fi
  if grep -q 'integrity=corrupted' <<<"$after"; then
    corrupted=$((corrupted + 1)); echo "soak:     corrupted: $after" >&2
  elif [ $state = bad ]; then
    lost=$((lost + 1)); echo "soak:     lost: $after" >&2
  elif [ "$result" = ok ] && [ "$(host_of "$after")" != "$to" ]; then
    lost=$((lost + 1)); echo "soak:     reported success but the guest is on $(host_of "$after"), not $to" >&2
  fi
  # A guest that is lost or corrupted is not migrated again: the rest would only add noise.
  [ $((lost + corrupted)) -eq 0 ] || break
done
echo "migrations=$migrations failed=$failed lost=$lost corrupted=$corrupted"
[ $((lost + corrupted)) -eq 0 ]
