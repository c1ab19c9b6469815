#!/usr/bin/env bash
# Overhead around libvirt: livemig end to end against plain virsh, on the lab.
#
#   scripts/bench-overhead.sh [--pairs N] [--calls N] [--idle-s S] [--dirty-rate R] [--sides LIST]
#
# One guest, overhead-1 (256 MiB, dirtying 64 MiB at R MiB/s, default 32; 0 keeps it quiet), moves
# between lab-a and lab-b.
# Each of the N rounds ("pairs", default 5) is three migrations: one pre-copy migration by
# `livemig migrate --to X --mode precopy --json` (through the lab's orchestrator, mutual TLS, as a
# user would) in a JVM of its own ("livemig", LIVEMIG_RESIDENT=0), the same through the resident
# client (the default, "resident"; its server is started and has run a command before anything
# is timed), and one by `virsh migrate --live`, as an operator does it by hand (--sides, a
# comma-separated subset of livemig,resident,virsh, keeps some of them; virsh is always kept):
#   virsh -c SRC migrate --live --persistent --undefinesource --unsafe --xml F --persistent-xml F \
#     VM DST --migrateuri tcp:DSTIP
# with F the VM's `dumpxml --migratable` rewritten for the target with sed (its bridge and its
# host's paths), prepared before the clock starts. The order inside a round rotates, and the
# direction alternates (the guest goes back and forth). Both run with libvirt's defaults otherwise (no
# bandwidth limit, default allowed downtime). Timed: the command from start to exit (wall clock);
# from libvirt, the job's total time and downtime (livemig's JSON; for virsh, the target's
# `domjobinfo --completed --rawstats`, as the source no longer has the VM). After every
# migration `lab.sh vm check` must pass (not timed).
#
# Then N calls each of `livemig hosts`, `livemig vms`, `livemig history` (orchestrator, TLS; a
# JVM each, and through the resident client) and `virsh list`, interleaved; then the agent of lab-a: resident memory, and CPU used while idle
# (no migration) over S seconds, as a share of one core.
#
# Prints every run (for livemig's, the phases besides libvirt's job and cleanup that took 100 ms
# or more), then medians and ratios (livemig / virsh, resident / virsh), the time outside libvirt's
# job among them (each migration's wall clock less its job time). The lab must be built (mvn package);
# it is brought up with 2 hosts if it is not. Bounded: each migration 5 min, each call 1 min.
# Exit 0 when every migration succeeded and every check passed, 1 otherwise, 2 on bad usage.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage() {
  echo "bench-overhead: $*" >&2
  echo "usage: scripts/bench-overhead.sh [--pairs N] [--calls N] [--idle-s S] [--dirty-rate R] [--sides LIST]" >&2
  exit 2
}
pairs=5 calls=10 idle=30 rate=32 sides=livemig,resident,virsh
while [ $# -gt 0 ]; do
  case $1 in
    --pairs) pairs=${2:-}; shift 2 || usage "--pairs needs a number" ;;
    --calls) calls=${2:-}; shift 2 || usage "--calls needs a number" ;;
    --idle-s) idle=${2:-}; shift 2 || usage "--idle-s needs a number" ;;
    --dirty-rate) rate=${2:-}; shift 2 || usage "--dirty-rate needs MiB/s" ;;
    --sides) sides=${2:-}; shift 2 || usage "--sides needs a list" ;;
    -h|--help) sed -n '2,31s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) usage "unknown option: $1" ;;
  esac
done
[[ $pairs =~ ^[0-9]+$ ]] && [ "$pairs" -ge 1 ] && [ "$pairs" -le 200 ] || usage "--pairs must be 1..200"
[[ $calls =~ ^[0-9]+$ ]] && [ "$calls" -ge 1 ] && [ "$calls" -le 100 ] || usage "--calls must be 1..100"
[[ $idle =~ ^[0-9]+$ ]] && [ "$idle" -ge 5 ] && [ "$idle" -le 600 ] || usage "--idle-s must be 5..600"
[[ $rate =~ ^[0-9]+$ ]] && [ "$rate" -le 64 ] || usage "--dirty-rate must be 0..64 MiB/s"
[[ ,$sides, =~ ^(,(livemig|resident|virsh))+,$ ]] || usage "--sides must list livemig, resident or virsh, comma-separated"
sides=virsh,$sides
keep() { [[ ,$sides, == *,$1,* ]]; }
[ "$(id -u)" -eq 0 ] || usage "must run as root (the lab needs it)"

LAB=scripts/lab.sh
LAB_DIR=/var/lib/livemig-lab
LIVEMIG=cli/target/livemig/bin/livemig
[ -x "$LIVEMIG" ] || { echo "bench-overhead: livemig is not built (mvn package)" >&2; exit 2; }
VM=overhead-1
WORK=$(mktemp -d /tmp/bench-overhead.XXXXXX)

if ! "$LAB" status >/dev/null 2>&1; then "$LAB" up --hosts 2 >/dev/null; fi
cleanup() {
  "$LAB" vm destroy "$VM" >/dev/null 2>&1 || true
  if [ -s "$WORK/resident/resident" ]; then kill "$(cut -d' ' -f3 "$WORK/resident/resident")" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
"$LAB" vm destroy "$VM" >/dev/null 2>&1 || true
"$LAB" vm create "$VM" --host lab-a --mem 256 --dirty-mib 64 --dirty-rate "$rate" --disk shared >/dev/null

echo "bench-overhead: commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (modified)'), $(date -u +%FT%TZ)"
echo "bench-overhead: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(virsh --version 2>/dev/null | sed 's/^/libvirt /'), $(java -version 2>&1 | head -1)"
echo "bench-overhead: pairs=$pairs calls=$calls idle_s=$idle sides=${sides#virsh,} guest=$VM (256 MiB, 64 MiB dirtied at $rate MiB/s)"

# The cluster file's value of KEY for HOST.
host_value() { awk -v h="$1" -v k="$2" '$1 == "-" && $2 == "name:" { cur = $3 } cur == h && $1 == k ":" { print $2; exit }' "$LAB_DIR/cluster.yaml"; }
# The host's local name of the lab network ("networks: {lan: lmbr-a}").
bridge_of() { awk -v h="$1" '$1 == "-" && $2 == "name:" { cur = $3 } cur == h && $1 == "networks:" { gsub(/[{}]/, "", $3); print $3; exit }' "$LAB_DIR/cluster.yaml"; }
# Integer value of a JSON key in the first object of livemig's output ("key" : 123).
json_num() { sed -n "s/^  \"$1\" : \\([0-9]*\\),\\{0,1\\}\$/\\1/p" | head -1; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# vm check until it passes, at most ~30 s; prints the host the guest runs on.
where() {
  local out i
  for i in 1 2 3 4 5 6 7 8 9 10; do
    out=$("$LAB" vm check "$VM" 2>&1) && { sed -n 's/.* host=\(lab-[a-z]\) .*/\1/p' <<<"$out"; return 0; }
    sleep 3
  done
  echo "bench-overhead: $VM fails its check: $out" >&2
  return 1
}
other() { [ "$1" = lab-a ] && echo lab-b || echo lab-a; }

bad=0
: >"$WORK/livemig.tsv"; : >"$WORK/resident.tsv"; : >"$WORK/virsh.tsv"
: >"$WORK/phases-livemig.tsv"; : >"$WORK/phases-resident.tsv"

# The resident client: started by a first command, and serving before anything is timed.
RESIDENT_DIR=$WORK/resident
RESIDENT=(env -u LIVEMIG_JAVA_OPTS LIVEMIG_RESIDENT=1 "LIVEMIG_RESIDENT_DIR=$RESIDENT_DIR")
"${RESIDENT[@]}" "$LIVEMIG" hosts >/dev/null 2>&1 || true
for _ in $(seq 1 120); do [ -s "$RESIDENT_DIR/resident" ] && break; sleep 0.5; done
[ -s "$RESIDENT_DIR/resident" ] || { echo "bench-overhead: the resident client did not start" >&2; exit 1; }
"${RESIDENT[@]}" "$LIVEMIG" hosts >/dev/null 2>&1 || true
grep -q 'livemig hosts' "$RESIDENT_DIR/resident.log" \
  || { echo "bench-overhead: the resident client did not run a command" >&2; exit 1; }

run_livemig() { # from to [resident]: a JVM per command, or the resident client's
  local side=${3:-livemig} t0 t1 out
  local -a env=(env LIVEMIG_RESIDENT=0)
  [ "$side" = resident ] && env=("${RESIDENT[@]}")
  t0=$(now_ms)
  if ! out=$(timeout 300 "${env[@]}" "$LIVEMIG" migrate "$VM" --to "$2" --mode precopy --json 2>&1); then
    echo "bench-overhead: livemig migrate ($side) failed: $out" >&2; bad=1; return
  fi
  t1=$(now_ms)
  local total down
  total=$(json_num total_ms <<<"$out"); down=$(json_num downtime_ms <<<"$out")
  printf '%s\t%s\t%s\n' $((t1 - t0)) "$total" "$down" >>"$WORK/$side.tsv"
  # One line per phase: name, duration.
  local phases
  phases=$(awk '/"name" :/ { gsub(/[",]/, "", $3); n = $3 } /"duration_ms" :/ { gsub(/,/, "", $3); print n "\t" $3 }' \
    <<<"$out")
  printf '%s\n' "$phases" >>"$WORK/phases-$side.tsv"
  # The phases besides libvirt's job and cleanup that took 100 ms or more.
  local slow
  slow=$(awk '$2 >= 100 && $1 != "job" && $1 != "source_cleanup" { printf "%s%s %s ms", sep, $1, $2; sep = ", " }' \
    <<<"$phases")
  printf '  %-8s %s -> %s  wall %6d ms  job %6s ms  downtime %5s ms%s\n' "$side" "$1" "$2" $((t1 - t0)) "$total" \
    "$down" "${slow:+  (over 100 ms: $slow)}"
}
run_resident() { run_livemig "$1" "$2" resident; }

run_virsh() { # from to
  local src dst dstip xml t0 t1 out stats
  src=$(host_value "$1" libvirt_uri); dst=$(host_value "$2" libvirt_uri); dstip=$(host_value "$2" migration_address)
  xml=$WORK/dest.xml
  # What an operator rewrites by hand: the bridge and the host's own directory in every path.
  virsh -c "$src" dumpxml --migratable "$VM" \
    | sed -e "s|/hosts/$1/|/hosts/$2/|g" -e "s|'$(bridge_of "$1")'|'$(bridge_of "$2")'|g" >"$xml"
  t0=$(now_ms)
  if ! out=$(timeout 300 virsh -c "$src" migrate --live --persistent --undefinesource --unsafe --xml "$xml" \
      --persistent-xml "$xml" "$VM" "$dst" --migrateuri "tcp:$dstip" 2>&1); then
    echo "bench-overhead: virsh migrate failed: $out" >&2; bad=1; return
  fi
  t1=$(now_ms)
  stats=$(virsh -c "$dst" domjobinfo "$VM" --completed --rawstats 2>&1 || true)
  local total down
  total=$(sed -n 's/^time_elapsed *[:=] *\([0-9]*\).*/\1/p' <<<"$stats" | head -1)
  down=$(sed -n 's/^downtime *[:=] *\([0-9]*\).*/\1/p' <<<"$stats" | head -1)
  printf '%s\t%s\t%s\n' $((t1 - t0)) "${total:-0}" "${down:-0}" >>"$WORK/virsh.tsv"
  printf '  %-8s %s -> %s  wall %6d ms  job %6s ms  downtime %5s ms\n' virsh "$1" "$2" $((t1 - t0)) "${total:-?}" "${down:-?}"
}

echo "migrations:"
for ((i = 1; i <= pairs; i++)); do
  case $((i % 3)) in
    1) order="livemig resident virsh" ;;
    2) order="resident virsh livemig" ;;
    0) order="virsh livemig resident" ;;
  esac
  for side in $order; do
    keep "$side" || continue
    from=$(where) || { bad=1; break 2; }
    to=$(other "$from")
    "run_$side" "$from" "$to"
    [ "$(where)" = "$to" ] || { echo "bench-overhead: $VM is not on $to after $side" >&2; bad=1; break 2; }
  done
done

echo "calls:"
: >"$WORK/calls.tsv"
call() { # label command...
  local t0 t1
  t0=$(now_ms)
  timeout 60 "${@:2}" >/dev/null 2>&1 || { echo "bench-overhead: $1 failed" >&2; bad=1; }
  t1=$(now_ms)
  printf '%s\t%s\n' "$1" $((t1 - t0)) >>"$WORK/calls.tsv"
}
src_uri=$(host_value lab-a libvirt_uri)
for ((i = 1; i <= calls; i++)); do
  call hosts env LIVEMIG_RESIDENT=0 "$LIVEMIG" hosts
  call resident-hosts "${RESIDENT[@]}" "$LIVEMIG" hosts
  call list virsh -c "$src_uri" list
  call vms env LIVEMIG_RESIDENT=0 "$LIVEMIG" vms
  call resident-vms "${RESIDENT[@]}" "$LIVEMIG" vms
  call history env LIVEMIG_RESIDENT=0 "$LIVEMIG" history
  call resident-history "${RESIDENT[@]}" "$LIVEMIG" history
done

# Median of the numbers on stdin (the lower middle one for an even count).
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else print a[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a != "-") printf "%.2f", a / b; else print "-" }'; }

echo
echo "figure (median of $pairs each)          livemig  resident     virsh  livemig/virsh  resident/virsh"
for col in 1:"migration wall clock (ms)" 2:"libvirt job total time (ms)" 3:"libvirt downtime (ms)"; do
  n=${col%%:*} label=${col#*:}
  l=$(cut -f"$n" "$WORK/livemig.tsv" | median); r=$(cut -f"$n" "$WORK/resident.tsv" | median)
  v=$(cut -f"$n" "$WORK/virsh.tsv" | median)
  printf '%-38s %8s  %8s  %8s  %13s  %14s\n' "$label" "$l" "$r" "$v" "$(ratio "$l" "$v")" "$(ratio "$r" "$v")"
done
# How far a ratio of medians moves with the luck of the draw: the rounds resampled with
# replacement (each round keeps its three migrations), 2000 times with a fixed seed; the 2.5th and
# 97.5th percentiles of the ratio. Prints "lo-hi".
interval() { # side column
  [ -s "$WORK/$1.tsv" ] || { echo -; return; }
  paste "$WORK/$1.tsv" "$WORK/virsh.tsv" | awk -F'\t' -v c="$2" -v w=3 '
    function med(x, n,   i, j, t) {
      for (i = 2; i <= n; i++) { t = x[i]; for (j = i - 1; j >= 1 && x[j] > t; j--) x[j + 1] = x[j]; x[j + 1] = t }
      return x[int((n + 1) / 2)]
    }
    { a[NR] = $c; b[NR] = $(w + c) }
    END {
      srand(1); draws = 2000
      for (d = 1; d <= draws; d++) {
        for (i = 1; i <= NR; i++) { k = int(rand() * NR) + 1; x[i] = a[k]; y[i] = b[k] }
        my = med(y, NR); r[d] = my > 0 ? med(x, NR) / my : 0
      }
      med(r, draws)
      printf "%.2f-%.2f", r[int(draws * 0.025) + 1], r[int(draws * 0.975)]
    }'
}
echo "95 % interval of each ratio (the $pairs rounds resampled 2000 times):"
for col in 1:"migration wall clock" 2:"libvirt job total time" 3:"libvirt downtime"; do
  printf '  %-36s livemig/virsh %s  resident/virsh %s\n' "${col#*:}" "$(interval livemig "${col%%:*}")" \
    "$(interval resident "${col%%:*}")"
done
# What each side spends outside libvirt's job: every migration's wall clock less its job total time.
outside() { awk -F'\t' '{ print $1 - $2 }' "$WORK/$1.tsv" | median; }
l=$(outside livemig); r=$(outside resident); v=$(outside virsh)
printf '%-38s %8s  %8s  %8s  %13s  %14s\n' "wall clock less the job (ms)" "$l" "$r" "$v" "$(ratio "$l" "$v")" \
  "$(ratio "$r" "$v")"
list=$(awk '$1 == "list" { print $2 }' "$WORK/calls.tsv" | median)
echo
echo "call (median of $calls each, ms)          livemig  resident  virsh list  livemig/list  resident/list"
for c in hosts vms history; do
  l=$(awk -v c="$c" '$1 == c { print $2 }' "$WORK/calls.tsv" | median)
  r=$(awk -v c="resident-$c" '$1 == c { print $2 }' "$WORK/calls.tsv" | median)
  printf '%-38s %8s  %8s  %10s  %12s  %13s\n' "livemig $c" "$l" "$r" "$list" "$(ratio "$l" "$list")" "$(ratio "$r" "$list")"
done

echo
echo "timeline of the livemig migrations (median ms per phase):"
echo "  phase             livemig  resident"
awk '{ print $1 }' "$WORK/phases-livemig.tsv" "$WORK/phases-resident.tsv" | awk '!seen[$1]++' | while read -r phase; do
  printf '  %-16s %8s  %8s\n' "$phase" "$(awk -v p="$phase" '$1 == p { print $2 }' "$WORK/phases-livemig.tsv" | median)" \
    "$(awk -v p="$phase" '$1 == p { print $2 }' "$WORK/phases-resident.tsv" | median)"
done

pid=$(cat "$LAB_DIR/hosts/lab-a/agent.pid")
rss=$(awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status")
ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
c0=$(ticks); sleep "$idle"; c1=$(ticks)
hz=$(getconf CLK_TCK)
echo
echo "agent of lab-a (pid $pid): resident memory $rss MiB; idle CPU over $idle s:" \
  "$(awk -v d=$((c1 - c0)) -v hz="$hz" -v s="$idle" 'BEGIN { printf "%.2f%% of one core", 100 * d / hz / s }')"
[ $bad -eq 0 ]
