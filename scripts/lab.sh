#!/usr/bin/env bash
# livemig's lab on one machine: N libvirt hosts, each in its own network + mount + UTS
# namespace with its own libvirtd (own host UUID and runtime/state/log/config dirs), joined by
# a bridge in the root namespace that plays the lab LAN.
#
#   lab.sh up [--hosts N] [--link-mbit M]   start (idempotent; recovers from a crashed run)
#   lab.sh down                             remove everything up created
#   lab.sh status                           hosts, addresses, libvirt URIs; exit 0 iff all up
#   lab.sh restart-agents                   restart the hosts' agents and the orchestrator (after a rebuild)
#   lab.sh restart-orchestrator             restart the lab's orchestrator (its history stays)
#   lab.sh vm create NAME --host HOST [--mem MiB] [--dirty-mib N] [--dirty-rate MiBps]
#                    [--content random|compressible] [--vcpus N] [--disk none|shared|local]
#   lab.sh vm check NAME [--since SWEEPS:VERIFIED_PAGES]
#                    where it runs, alive, heartbeat, integrity, ping, and that the workload
#                    makes progress: its sweeps and verified_pages (from its LMHB heartbeat
#                    lines) must grow past a first reading taken at the start of the check, or
#                    past the reading given with --since (e.g. from an earlier check's output:
#                    sweeps=S verified_pages=V -> --since S:V); awaited at most
#                    LIVEMIG_CHECK_PROGRESS_S (20) seconds
#   lab.sh vm corrupt NAME                  debug hook: flip one byte of a page of the running
#                    guest's workload behind its verifier (vm check then says corrupted)
#   lab.sh vm destroy NAME
#   lab.sh vm list
#   lab.sh fault link-down|link-up|kill-libvirtd|start-libvirtd|kill-agent|start-agent HOST
#   lab.sh fault kill-orchestrator          (kill -9; restart-orchestrator brings it back)
#   lab.sh fault hog-memory HOST LEAVE_FREE_MiB
#                    a memory hog in HOST's namespaces holds the machine's free memory (MemFree,
#                    which libvirt and so the agents report as a host's free memory; the lab's
#                    hosts share the machine's) near LEAVE_FREE_MiB, giving memory back when
#                    something else needs it; returns once it holds (bounded by
#                    LIVEMIG_HOG_WAIT_S, 300 s). It ends at
#                    release-memory, at down, or by itself after LIVEMIG_HOG_MAX_S (600) s
#   lab.sh fault release-memory HOST        end HOST's memory hog (no-op without one)
#
# Exit codes: 0 ok; 1 not healthy (status: a host is down; vm check: dead, lost, duplicated,
# corrupted or stalled); 2 bad usage or input; 3 an operation failed.
#
# Environment: LIVEMIG_LAB_DIR (state, default /var/lib/livemig-lab), LIVEMIG_LAB_NET (first
# three octets of the lab /24, default 10.213.77), LIVEMIG_VIRT_TYPE (kvm|qemu: skip the probe),
# LIVEMIG_LAB_INSECURE=1 (at up: agents and orchestrator serve plaintext gRPC with --insecure;
# remembered in lab.env for restart-agents / restart-orchestrator).
#
# gRPC between livemig's parts uses mutual TLS: up makes a CA and certificates in $LAB_DIR/pki
# with scripts/pki.sh (kept by down, so certificates handed out stay valid): one per host (its
# LAN IP and name as SANs), "orchestrator" ($NET.1), "operator" (client.yaml uses it) and
# "intruder" (from the CA but in no allow list, for tests). libvirt's own migration stream
# stays plain TCP in the lab.
set -euo pipefail

LAB_DIR=${LIVEMIG_LAB_DIR:-/var/lib/livemig-lab}
NET=${LIVEMIG_LAB_NET:-10.213.77}
LAN_BR=lmlan0
NS_PREFIX=livemig-
AGENT_PORT=${LIVEMIG_AGENT_PORT:-7070}
ORCH_PORT=${LIVEMIG_ORCHESTRATOR_PORT:-7080}
# Prometheus metrics (plain HTTP, no control): each agent on its host's address, the orchestrator on the LAN bridge's.
AGENT_METRICS_PORT=${LIVEMIG_AGENT_METRICS_PORT:-9170}
ORCH_METRICS_PORT=${LIVEMIG_ORCHESTRATOR_METRICS_PORT:-9180}
LIVEMIG_BIN=${LIVEMIG_BIN:-}
SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GUEST_DIR=${LIVEMIG_GUEST_DIR:-$LAB_DIR/guest}
HB_MAX_AGE_S=${LIVEMIG_HB_MAX_AGE_S:-5}
# vm check: how long the workload's counters may take to grow past the first (or given) reading.
CHECK_PROGRESS_S=${LIVEMIG_CHECK_PROGRESS_S:-20}
# TCP port of the guest workload's debug hook (lm.debug_port; lab.sh vm corrupt uses it).
GUEST_DEBUG_PORT=7777

die() { echo "lab: $*" >&2; exit "${2:-3}"; }
usage() { echo "lab: $*" >&2; echo "usage: lab.sh up [--hosts N] [--link-mbit M] | down | status | vm create|check|corrupt|destroy|list ..." >&2; exit 2; }
log() { echo "lab: $*" >&2; }

host_name() { printf 'lab-%s' "$(printf "\\x$(printf %x $((97 + $1)))")"; }   # 0 -> lab-a
host_index() { local c=${1#lab-}; [[ $1 =~ ^lab-[a-z]$ ]] || return 1; echo $(( $(printf %d "'$c") - 97 )); }
host_ip() { echo "$NET.$((11 + $1))"; }
host_uri() { echo "qemu+tcp://$(host_ip "$1")/system"; }
ns_of() { echo "$NS_PREFIX$(host_name "$1")"; }
# Each host names its bridge differently, as real hosts may: resource rebinding maps between them.
bridge_of() { echo "lmbr-${1#lab-}"; }   # lab-a -> lmbr-a
host_dir() { echo "$LAB_DIR/hosts/$1"; }
# Paths at which a host sees the lab's shared storage and the guests' log directory: different
# on every host (bind mounts inside its mount namespace), like NFS mounted at different places.
shared_mount() { echo "$(host_dir "$1")/mnt/shared"; }
logs_mount() { echo "$(host_dir "$1")/mnt/logs"; }
veth_of() { echo "lmv-${1}"; }   # root-namespace end, index-based: lmv-0, lmv-1, ...

lab_hosts() { # number of hosts of the lab that is up (0 if none)
  if [ -f "$LAB_DIR/lab.env" ]; then (. "$LAB_DIR/lab.env"; echo "$HOSTS"); else echo 0; fi
}
lab_var() { (. "$LAB_DIR/lab.env"; eval echo "\${$1:-}"); }

# --- PKI and transport security --------------------------------------------------------------
PKI_DIR=$LAB_DIR/pki

lab_insecure() { # true when the lab serves plaintext (LIVEMIG_LAB_INSECURE=1 at up)
  local v=
  [ ! -f "$LAB_DIR/lab.env" ] || v=$(lab_var INSECURE)
  [ "${v:-${LIVEMIG_LAB_INSECURE:-0}}" = 1 ]
}

make_pki() { # hosts: the CA once, then every certificate (pki.sh keeps those that exist)
  local n=$1 i
  "$SCRIPTS/pki.sh" init "$PKI_DIR" 2>/dev/null || die "cannot make the lab CA in $PKI_DIR"
  for ((i = 0; i < n; i++)); do
    "$SCRIPTS/pki.sh" issue "$PKI_DIR" "$(host_name "$i")" --ip "$(host_ip "$i")" 2>/dev/null \
      || die "cannot issue the certificate of $(host_name "$i") in $PKI_DIR"
  done
  "$SCRIPTS/pki.sh" issue "$PKI_DIR" orchestrator --ip "$NET.1" 2>/dev/null \
    || die "cannot issue the orchestrator's certificate in $PKI_DIR"
  "$SCRIPTS/pki.sh" issue "$PKI_DIR" operator 2>/dev/null || die "cannot issue the operator's certificate in $PKI_DIR"
  "$SCRIPTS/pki.sh" issue "$PKI_DIR" intruder 2>/dev/null || die "cannot issue the intruder's certificate in $PKI_DIR"
}

tls_section() { # name: the tls line of a configuration file using that certificate
  printf 'tls: {ca: %s, cert: %s, key: %s}\n' "$PKI_DIR/ca.pem" "$PKI_DIR/$1.pem" "$PKI_DIR/$1.key"
}

virsh_on() { local i=$1; shift; timeout 30 virsh -q -c "$(host_uri "$i")" "$@"; }

need_root() { [ "$(id -u)" -eq 0 ] || die "must run as root (namespaces, bridges, libvirt daemons)" 2; }

# --- KVM probe ------------------------------------------------------------------------------
# /dev/kvm may exist and KVM_CREATE_VM succeed while a guest still hangs at boot (nested
# virtualisation): boot the real guest kernel under KVM and wait for it to print.
probe_virt_type() {
  if [ -n "${LIVEMIG_VIRT_TYPE:-}" ]; then echo "$LIVEMIG_VIRT_TYPE"; return; fi
  local cache=$GUEST_DIR/virt-probe key
  key="$(stat -c %Y "$GUEST_DIR/vmlinuz" "$GUEST_DIR/initrd.img" | tr '\n' ' ')$(qemu-system-x86_64 --version | head -1)"
  if [ -f "$cache" ] && [ "$(head -1 "$cache")" = "$key" ]; then tail -1 "$cache"; return; fi
  local type=qemu
  if [ -c /dev/kvm ]; then
    local out pid deadline
    out=$(mktemp)
    qemu-system-x86_64 -accel kvm -m 256 -display none -monitor none -serial "file:$out" -nic none \
      -kernel "$GUEST_DIR/vmlinuz" -initrd "$GUEST_DIR/initrd.img" \
      -append "console=ttyS0 lm.dirty_mib=1 lm.dirty_rate=0" >/dev/null 2>&1 &
    pid=$!
    deadline=$((SECONDS + 20))
    while [ $SECONDS -lt $deadline ] && kill -0 "$pid" 2>/dev/null; do
      if grep -q 'LMHB' "$out" 2>/dev/null; then type=kvm; break; fi
      sleep 0.5
    done
    kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
    rm -f "$out"
  fi
  printf '%s\n%s\n' "$key" "$type" >"$cache"
  echo "$type"
}

# --- up / down --------------------------------------------------------------------------------
host_up() { # index: the daemon answers, and the agent too when the lab runs agents
  local i=$1
  ip netns list 2>/dev/null | grep -qw "$(ns_of "$i")" || return 1
  timeout 5 virsh -q -c "$(host_uri "$i")" version >/dev/null 2>&1 || return 1
  [ "$(lab_var AGENTS)" != yes ] || agent_up "$i"
}

all_up() {
  local n; n=$(lab_hosts)
  [ "$n" -gt 0 ] || return 1
  ip link show "$LAN_BR" >/dev/null 2>&1 || return 1
  for ((i = 0; i < n; i++)); do host_up "$i" || return 1; done
}

write_host_config() { # index dir
  local i=$1 d=$2
  rm -rf "$d/etc/libvirt"; mkdir -p "$d/etc"
  cp -a /etc/libvirt "$d/etc/libvirt"
  cat >"$d/etc/libvirt/libvirtd.conf" <<EOF
# lab host $(host_name "$i"): plain TCP without authentication, for the lab LAN only
listen_tls = 0
listen_tcp = 1
auth_tcp = "none"
listen_addr = "$(host_ip "$i")"
host_uuid = "$(cat "$d/host-uuid")"
log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
EOF
  cat >"$d/etc/libvirt/qemu.conf" <<'EOF'
security_driver = "none"
user = "root"
group = "root"
EOF
}

start_host() { # index link_mbit
  local i=$1 mbit=$2 name ns veth ip d
  name=$(host_name "$i"); ns=$(ns_of "$i"); veth=$(veth_of "$i"); ip=$(host_ip "$i")
  d=$LAB_DIR/hosts/$name
  mkdir -p "$d"/{run,lib/images,log,cache,mnt/shared,mnt/logs} "$LAB_DIR/shared" "$LAB_DIR/guest-logs"
  [ -f "$d/host-uuid" ] || uuidgen >"$d/host-uuid"
  write_host_config "$i" "$d"

  ip netns add "$ns"
  ip link add "$veth" type veth peer name eth0 netns "$ns"
  ip link set "$veth" master "$LAN_BR" up
  ip -n "$ns" link set lo up
  local br; br=$(bridge_of "$name")
  ip -n "$ns" link add "$br" type bridge
  ip -n "$ns" link set eth0 master "$br" up
  ip -n "$ns" addr add "$ip/24" dev "$br"
  ip -n "$ns" link set "$br" up
  if [ -n "$mbit" ]; then # both directions: egress of each veth end
    local burst=$(( mbit * 1000000 / 8 / 100 )); [ $burst -ge 131072 ] || burst=131072
    tc qdisc replace dev "$veth" root tbf rate "${mbit}mbit" burst "$burst" latency 200ms
    ip netns exec "$ns" tc qdisc replace dev eth0 root tbf rate "${mbit}mbit" burst "$burst" latency 200ms
  fi
  # Names of the lab hosts resolve inside every host namespace (ip netns exec binds this file).
  mkdir -p "/etc/netns/$ns"
  { echo "127.0.0.1 localhost"; for ((j = 0; j < $(lab_hosts); j++)); do echo "$(host_ip "$j") $(host_name "$j")"; done; } \
    >"/etc/netns/$ns/hosts"

  mkdir -p /run/libvirt /var/lib/libvirt /var/log/libvirt /var/cache/libvirt
  # A private mount namespace gives the daemon its own /run/libvirt (sockets, pid files),
  # state, logs, cache and config; the lab dir itself stays shared so that guest kernels and
  # serial logs are at the same path on every host.
  # The daemons run under a child subreaper (reaper_cmd) that stays for the host's life.
  # shellcheck disable=SC2046 # reaper_cmd is words or nothing
  ip netns exec "$ns" $(reaper_cmd) unshare --mount --uts --propagation private sh -euc '
    d=$1; hostname "$2"
    mount --bind "$d/run" /run/libvirt
    mount --bind "$d/lib" /var/lib/libvirt
    mount --bind "$d/log" /var/log/libvirt
    mount --bind "$d/cache" /var/cache/libvirt
    mount --bind "$d/etc/libvirt" /etc/libvirt
    mount --bind "$3" "$d/mnt/shared"
    mount --bind "$4" "$d/mnt/logs"
    virtlogd -d -p /run/libvirt/virtlogd.pid
    libvirtd -d --listen -p /run/libvirt/libvirtd.pid
    echo started
    exec sleep infinity
  ' sh "$d" "$name" "$LAB_DIR/shared" "$LAB_DIR/guest-logs" </dev/null >"$d/host.log" 2>&1 &
  local starter=$!

  local deadline=$((SECONDS + 60))
  until host_up "$i"; do
    kill -0 "$starter" 2>/dev/null || die "$name: the host's daemons did not start: $(tail -3 "$d/host.log")"
    [ $SECONDS -lt $deadline ] || die "$name: libvirtd did not answer at $(host_uri "$i") within 60 s (see $d/log/libvirtd.log)"
    sleep 0.3
  done
}

# The command that starts a host's daemons: under tini as a child subreaper (-s) where tini is
# installed. libvirt daemonizes every QEMU it starts, so a QEMU that ends is reaped by the
# nearest subreaper above it, or else by PID 1. systemd reaps at once; the init of a container or
# micro-VM may not: on one such machine PID 1 reaped about 1.7 s late, and libvirt waits for the
# reaping when it stops a QEMU (every migration's source, every destroy). tini reaps at once.
reaper_cmd() {
  if command -v tini >/dev/null; then echo "tini -s --"; fi
}

# --- agents -------------------------------------------------------------------------------
livemig_bin() {
  local b=${LIVEMIG_BIN:-$SCRIPTS/../cli/target/livemig/bin/livemig}
  [ -x "$b" ] && echo "$b"
}

write_cluster_file() { # hosts
  local n=$1 cpus="0-$(( $(nproc) - 1 ))" mbit link_mibps=0
  mbit=$(lab_var LINK_MBIT); [ -z "$mbit" ] || link_mibps=$(( mbit * 1000000 / 8 / 1048576 ))
  {
    echo "# livemig cluster file of the lab, written by scripts/lab.sh up."
    echo "# Logical names: network 'lan' and storage 'shared' are the same everywhere; each host"
    echo "# says what they are called locally, which is what resource rebinding maps between."
    echo "hosts:"
    for ((i = 0; i < n; i++)); do
      local name ip; name=$(host_name "$i"); ip=$(host_ip "$i")
      cat <<EOF
  - name: $name
    agent: $ip:$AGENT_PORT
    libvirt_uri: $(host_uri "$i")
    migration_address: $ip
    networks: {lan: $(bridge_of "$name")}
    storage: {shared: $(shared_mount "$name")}
    log_dir: $(logs_mount "$name")
    graphics_listen: $ip
    cpus: "$cpus"
    allow_disk_copy: true
    max_outgoing: 2
    max_incoming: 2
    link_mibps: $link_mibps
EOF
    done
  } >"$LAB_DIR/cluster.yaml"
}

agent_up() { timeout 2 bash -c "exec 3<>/dev/tcp/$(host_ip "$1")/$AGENT_PORT" 2>/dev/null; }

# The agent runs inside the host's namespaces (network, mount, UTS), next to its libvirtd, and
# talks to it over qemu:///system exactly as on a real host.
start_agent() { # index bin
  local i=$1 bin=$2 name d pid
  name=$(host_name "$i"); d=$(host_dir "$name")
  local security=()
  if lab_insecure; then security=(--insecure); else make_pki "$(lab_hosts)"; fi
  {
    echo "host: $name"
    echo "listen: $(host_ip "$i"):$AGENT_PORT"
    echo "metrics_listen: $(host_ip "$i"):$AGENT_METRICS_PORT"
    echo "libvirt_uri: qemu:///system"
    echo "cluster: $LAB_DIR/cluster.yaml"
    if lab_insecure; then
      echo "# LIVEMIG_LAB_INSECURE=1: no tls; the agent is started with --insecure"
    else
      tls_section "$name"
      echo "allow: [orchestrator, operator]"
    fi
  } >"$d/agent.yaml"
  pid=$(cat "$d/run/libvirtd.pid")
  LIVEMIG_JAVA_OPTS="${LIVEMIG_JAVA_OPTS:--Xmx192m -XX:+UseSerialGC}" setsid nsenter -t "$pid" -m -u -n -- \
    "$bin" agent ${security[@]+"${security[@]}"} --config "$d/agent.yaml" >"$d/agent.log" 2>&1 </dev/null &
  local agent_pid=$! deadline=$((SECONDS + 60))
  echo "$agent_pid" >"$d/agent.pid"
  until agent_up "$i"; do
    kill -0 "$agent_pid" 2>/dev/null || die "$name: agent exited: $(tail -1 "$d/agent.log")"
    [ $SECONDS -lt $deadline ] || die "$name: agent did not listen on $(host_ip "$i"):$AGENT_PORT within 60 s (see $d/agent.log)"
    sleep 0.3
  done
}

# --- orchestrator ---------------------------------------------------------------------------
# One orchestrator for the lab, in the root namespace, listening on the LAN bridge's address
# (reachable from the hosts too). Its history lives in $LAB_DIR/orchestrator/ until lab.sh down.
# lab.sh up also writes $LAB_DIR/client.yaml, where livemig looks for its orchestrator by default.
orch_addr() { echo "$NET.1:$ORCH_PORT"; }
orch_up() { timeout 2 bash -c "exec 3<>/dev/tcp/$NET.1/$ORCH_PORT" 2>/dev/null; }

stop_orchestrator() {
  local pid deadline
  [ -f "$LAB_DIR/orchestrator.pid" ] || return 0
  pid=$(cat "$LAB_DIR/orchestrator.pid")
  kill "$pid" 2>/dev/null || true
  deadline=$((SECONDS + 15))
  while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$LAB_DIR/orchestrator.pid"
}

start_orchestrator() { # bin
  local bin=$1
  mkdir -p "$LAB_DIR/orchestrator"
  cat >"$LAB_DIR/orchestrator.yaml" <<EOF
# livemig orchestrator of the lab, written by scripts/lab.sh up.
listen: $(orch_addr)
metrics_listen: $NET.1:$ORCH_METRICS_PORT
cluster: cluster.yaml
database: orchestrator/history.db
policy: balance
limits: {cluster: 2, per_host_outgoing: 1, per_host_incoming: 1}
load: {interval_s: 2, window: 3}
rebalance: {interval_s: 0, dry_run: false, threshold: 0.05, min_gain: 0.005, max_moves: 2, cooldown_s: 300}
EOF
  local security=()
  if lab_insecure; then
    security=(--insecure)
    echo "# LIVEMIG_LAB_INSECURE=1: no tls; the orchestrator is started with --insecure" >>"$LAB_DIR/orchestrator.yaml"
  else
    make_pki "$(lab_hosts)"
    { tls_section orchestrator; echo "allow: [operator]"; } >>"$LAB_DIR/orchestrator.yaml"
  fi
  LIVEMIG_JAVA_OPTS="${LIVEMIG_JAVA_OPTS:--Xmx256m -XX:+UseSerialGC}" setsid \
    "$bin" orchestrator ${security[@]+"${security[@]}"} --config "$LAB_DIR/orchestrator.yaml" >>"$LAB_DIR/orchestrator.log" 2>&1 </dev/null &
  local pid=$! deadline=$((SECONDS + 60))
  echo "$pid" >"$LAB_DIR/orchestrator.pid"
  until orch_up; do
    kill -0 "$pid" 2>/dev/null || die "orchestrator exited: $(tail -1 "$LAB_DIR/orchestrator.log")"
    [ $SECONDS -lt $deadline ] || die "orchestrator did not listen on $(orch_addr) within 60 s (see $LAB_DIR/orchestrator.log)"
    sleep 0.3
  done
  {
    printf '# written by scripts/lab.sh up: livemig reaches the lab orchestrator by default\norchestrator: %s\n' \
      "$(orch_addr)"
    if lab_insecure; then echo "insecure: true"; else tls_section operator; fi
  } >"$LAB_DIR/client.yaml"
}

cmd_restart_orchestrator() {
  [ $# -eq 0 ] || usage "restart-orchestrator takes no arguments"
  need_root
  [ "$(lab_var AGENTS)" = yes ] || die "the lab runs no agents (lab.sh up after mvn package)" 3
  local bin; bin=$(livemig_bin) || die "livemig is not built (mvn package)" 3
  stop_orchestrator
  start_orchestrator "$bin"
  log "orchestrator: $(orch_addr) (history kept in $LAB_DIR/orchestrator/)"
}

cmd_restart_agents() { # after a rebuild: the running agents still have the old jars open
  [ $# -eq 0 ] || usage "restart-agents takes no arguments"
  need_root
  [ "$(lab_var AGENTS)" = yes ] || die "the lab runs no agents (lab.sh up after mvn package)" 3
  local bin n; bin=$(livemig_bin) || die "livemig is not built (mvn package)" 3
  n=$(lab_hosts)
  for ((i = 0; i < n; i++)); do
    local d; d=$(host_dir "$(host_name "$i")")
    if [ -f "$d/agent.pid" ]; then
      kill "$(cat "$d/agent.pid")" 2>/dev/null || true
      local deadline=$((SECONDS + 15))
      while agent_up "$i" && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    fi
    start_agent "$i" "$bin"
  done
  stop_orchestrator
  start_orchestrator "$bin"
  cmd_status
}

cmd_up() {
  local n=3 mbit=""
  while [ $# -gt 0 ]; do
    case $1 in
      --hosts) n=${2:-}; shift 2 || usage "--hosts needs a number" ;;
      --link-mbit) mbit=${2:-}; shift 2 || usage "--link-mbit needs a number" ;;
      *) usage "unknown option for up: $1" ;;
    esac
  done
  [[ $n =~ ^[0-9]+$ ]] && [ "$n" -ge 2 ] && [ "$n" -le 8 ] || usage "--hosts must be 2..8, got '$n'"
  [ -z "$mbit" ] || { [[ $mbit =~ ^[0-9]+$ ]] && [ "$mbit" -ge 1 ] && [ "$mbit" -le 100000 ]; } \
    || usage "--link-mbit must be 1..100000, got '$mbit'"
  need_root
  command -v libvirtd >/dev/null && command -v qemu-system-x86_64 >/dev/null \
    || die "libvirt or QEMU missing: run scripts/install-deps.sh first" 2

  if all_up && [ "$(lab_hosts)" = "$n" ] && [ "$(lab_var LINK_MBIT)" = "$mbit" ] \
     && { { [ "$(lab_var AGENTS)" = yes ] && orch_up; } || ! livemig_bin >/dev/null; }; then
    log "already up with $n hosts"
    # The guest image is rebuilt whenever its sources changed (cheap when they did not), so
    # that guests created from now on run the current workload.
    "$SCRIPTS/guest/build-guest.sh" "$GUEST_DIR" >&2
    cmd_status
    return
  fi
  cleanup   # whatever a previous (possibly crashed) run left behind

  "$SCRIPTS/guest/build-guest.sh" "$GUEST_DIR" >&2
  local virt; virt=$(probe_virt_type)
  log "virtualisation: $virt$([ "$virt" = qemu ] && echo ' (TCG: KVM absent or a guest does not boot under it)')"

  mkdir -p "$LAB_DIR/hosts" "$LAB_DIR/vms"
  printf 'HOSTS=%s\nLINK_MBIT=%s\nVIRT_TYPE=%s\nINSECURE=%s\n' "$n" "$mbit" "$virt" \
    "$([ "${LIVEMIG_LAB_INSECURE:-0}" = 1 ] && echo 1 || echo 0)" >"$LAB_DIR/lab.env"
  ip link add "$LAN_BR" type bridge
  ip addr add "$NET.1/24" dev "$LAN_BR"
  ip link set "$LAN_BR" up
  for ((i = 0; i < n; i++)); do start_host "$i" "$mbit"; done
  write_cluster_file "$n"
  if lab_insecure; then
    log "INSECURE (LIVEMIG_LAB_INSECURE=1): agents and orchestrator serve plaintext gRPC without authentication"
  else
    make_pki "$n"
    log "mutual TLS: CA and certificates in $PKI_DIR (client.yaml uses operator's; intruder is allowed nowhere)"
  fi
  local bin
  if bin=$(livemig_bin); then
    for ((i = 0; i < n; i++)); do start_agent "$i" "$bin"; done
    echo "AGENTS=yes" >>"$LAB_DIR/lab.env"
    start_orchestrator "$bin"
    log "orchestrator: $(orch_addr); client configuration: $LAB_DIR/client.yaml"
  else
    log "agents not started: build livemig first (mvn package), then run lab.sh up again"
  fi
  log "cluster file: $LAB_DIR/cluster.yaml"
  log "up: $n hosts$([ -n "$mbit" ] && echo ", links limited to $mbit Mbit/s")"
  cmd_status
}

kill_ns_processes() { # ns
  local pids deadline
  pids=$(ip netns pids "$1" 2>/dev/null || true)
  [ -n "$pids" ] || return 0
  kill $pids 2>/dev/null || true
  deadline=$((SECONDS + 15))
  while [ -n "$(ip netns pids "$1" 2>/dev/null)" ] && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  pids=$(ip netns pids "$1" 2>/dev/null || true)
  [ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
  deadline=$((SECONDS + 5))
  while [ -n "$(ip netns pids "$1" 2>/dev/null)" ] && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
}

cleanup() { # everything up creates, whether or not lab.env survived
  local ns
  stop_orchestrator
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^${NS_PREFIX}lab-" || true); do
    kill_ns_processes "$ns"   # libvirtd, virtlogd and every QEMU they started
    ip netns delete "$ns" 2>/dev/null || true   # takes the veth pair with it
    rm -rf "/etc/netns/$ns"
  done
  for l in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep '^lmv-' || true); do
    ip link delete "$l" 2>/dev/null || true
  done
  ip link delete "$LAN_BR" 2>/dev/null || true
  rm -rf "$LAB_DIR/hosts" "$LAB_DIR/vms" "$LAB_DIR/lab.env" "$LAB_DIR/shared" "$LAB_DIR/guest-logs" "$LAB_DIR/cluster.yaml" \
    "$LAB_DIR/orchestrator" "$LAB_DIR/orchestrator.yaml" "$LAB_DIR/orchestrator.log" "$LAB_DIR/client.yaml"
}

cmd_down() {
  [ $# -eq 0 ] || usage "down takes no arguments"
  need_root
  cleanup
  log "down"
}

cmd_status() {
  local n ok=0; n=$(lab_hosts)
  if [ "$n" -eq 0 ]; then echo "lab is down"; return 1; fi
  local mbit; mbit=$(lab_var LINK_MBIT)
  [ ! -f "$LAB_DIR/cluster.yaml" ] || echo "# cluster file: $LAB_DIR/cluster.yaml"
  echo "# lab: $n hosts, LAN $NET.0/24 on $LAN_BR, virt=$(lab_var VIRT_TYPE), link=$([ -n "$mbit" ] && echo "$mbit Mbit/s" || echo unlimited)"
  if [ "$(lab_var AGENTS)" = yes ]; then
    if orch_up; then echo "# orchestrator: $(orch_addr) up"; else echo "# orchestrator: $(orch_addr) down"; ok=1; fi
  fi
  for ((i = 0; i < n; i++)); do
    if host_up "$i"; then s=up; else s=down; ok=1; fi
    echo "$(host_name "$i") $(host_ip "$i") $(host_uri "$i") $s$([ "$(lab_var AGENTS)" = yes ] && echo " agent=$(host_ip "$i"):$AGENT_PORT")"
  done
  return $ok
}

# --- VMs ------------------------------------------------------------------------------------
valid_vm_name() { [[ $1 =~ ^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$ ]]; }

# Hosts (indexes) on which the domain is defined, each with its state: "i state"
vm_locations() {
  local name=$1 n st; n=$(lab_hosts)
  for ((i = 0; i < n; i++)); do
    st=$(timeout 10 virsh -q -c "$(host_uri "$i")" domstate "$name" 2>/dev/null | head -1) || continue
    [ -n "$st" ] && echo "$i ${st// /_}"
  done
  return 0
}

vm_xml() { # name mem vcpus bridge mac cmdline serial virt disk-path
  local disk=""
  [ -z "${9:-}" ] || disk="
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw' cache='none'/>
      <source file='$9'/>
      <target dev='vda' bus='virtio'/>
    </disk>"
  cat <<EOF
<domain type='$8'>
  <name>$1</name>
  <memory unit='MiB'>$2</memory>
  <vcpu>$3</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$GUEST_DIR/vmlinuz</kernel>
    <initrd>$GUEST_DIR/initrd.img</initrd>
    <cmdline>$6</cmdline>
  </os>
  <features><acpi/></features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>$disk
    <interface type='bridge'>
      <source bridge='$4'/>
      <mac address='$5'/>
      <model type='virtio'/>
    </interface>
    <serial type='file'>
      <source path='$7' append='on'/>
      <target port='0'/>
    </serial>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
}

vm_create() {
  local name=${1:-} host="" mem=256 dmib=32 drate=8 content=random vcpus=1 disk=none
  [ -n "$name" ] || usage "vm create needs a NAME"
  shift
  while [ $# -gt 0 ]; do
    case $1 in
      --host) host=${2:-}; shift 2 || usage "--host needs a value" ;;
      --mem) mem=${2:-}; shift 2 || usage "--mem needs MiB" ;;
      --dirty-mib) dmib=${2:-}; shift 2 || usage "--dirty-mib needs MiB" ;;
      --dirty-rate) drate=${2:-}; shift 2 || usage "--dirty-rate needs MiB/s" ;;
      --content) content=${2:-}; shift 2 || usage "--content needs random|compressible" ;;
      --vcpus) vcpus=${2:-}; shift 2 || usage "--vcpus needs a number" ;;
      --disk) disk=${2:-}; shift 2 || usage "--disk needs none|shared|local" ;;
      *) usage "unknown option for vm create: $1" ;;
    esac
  done
  valid_vm_name "$name" || usage "invalid VM name '$name' (letters, digits, _ . -; at most 63)"
  [ -n "$host" ] || usage "vm create needs --host lab-X"
  local hi; hi=$(host_index "$host") && [ "$hi" -lt "$(lab_hosts)" ] || usage "unknown host '$host' (lab has $(lab_hosts) hosts; see lab.sh status)"
  [[ $mem =~ ^[0-9]+$ ]] && [ "$mem" -ge 128 ] && [ "$mem" -le 16384 ] || usage "--mem must be 128..16384 MiB"
  [[ $dmib =~ ^[0-9]+$ ]] && [ "$dmib" -ge 1 ] && [ "$dmib" -le $((mem - 96)) ] || usage "--dirty-mib must be 1..$((mem - 96)) for a $mem MiB guest"
  [[ $drate =~ ^[0-9]+$ ]] && [ "$drate" -le 4096 ] || usage "--dirty-rate must be 0..4096 MiB/s"
  [[ $content =~ ^(random|compressible)$ ]] || usage "--content must be random or compressible"
  [[ $vcpus =~ ^[0-9]+$ ]] && [ "$vcpus" -ge 1 ] && [ "$vcpus" -le 8 ] || usage "--vcpus must be 1..8"
  [[ $disk =~ ^(none|shared|local)$ ]] || usage "--disk must be none, shared or local"
  need_root
  all_up || die "lab is not up (scripts/lab.sh up)" 3
  [ -z "$(vm_locations "$name")" ] && [ ! -d "$LAB_DIR/vms/$name" ] || die "VM '$name' already exists" 2

  # Guest addresses: .100 upwards, the lowest free one.
  local octet=100
  while grep -qsx "$NET.$octet" "$LAB_DIR"/vms/*/ip; do octet=$((octet + 1)); done
  [ $octet -le 250 ] || die "no free guest address left in $NET.0/24"
  local vd=$LAB_DIR/vms/$name ip=$NET.$octet mac
  mac=$(printf '52:54:00:4c:4d:%02x' "$octet")
  mkdir -p "$vd"
  echo "$ip" >"$vd/ip"
  # The serial log lives in the lab's shared log directory, which each host sees at its own
  # path; vms/NAME/serial.log points at it for the tools of the root namespace.
  : >"$LAB_DIR/guest-logs/$name.log"
  ln -sfn "$LAB_DIR/guest-logs/$name.log" "$vd/serial.log"
  # A 64 MiB data disk, on the shared storage or on the host's own (local) storage.
  local disk_path=""
  case $disk in
    shared) truncate -s 64M "$LAB_DIR/shared/$name.img"; disk_path=$(shared_mount "$host")/$name.img ;;
    local) truncate -s 64M "$(host_dir "$host")/lib/images/$name.img"; disk_path=/var/lib/libvirt/images/$name.img ;;
  esac
  echo "$disk" >"$vd/disk"
  local cmdline="console=ttyS0 panic=-1 lm.name=$name lm.ip=$ip/24 lm.dirty_mib=$dmib lm.dirty_rate=$drate lm.content=$content lm.debug_port=$GUEST_DEBUG_PORT"
  vm_xml "$name" "$mem" "$vcpus" "$(bridge_of "$host")" "$mac" "$cmdline" "$(logs_mount "$host")/$name.log" \
    "$(lab_var VIRT_TYPE)" "$disk_path" >"$vd/domain.xml"
  if ! virsh_on "$hi" define "$vd/domain.xml" >/dev/null || ! virsh_on "$hi" start "$name" >/dev/null; then
    virsh_on "$hi" undefine "$name" >/dev/null 2>&1 || true
    rm -rf "$vd"
    die "could not start VM '$name' on $host"
  fi
  # Up means: the workload's heartbeat is on the serial log and the guest answers ping.
  local deadline=$((SECONDS + 90))
  until grep -q '^LMHB' "$vd/serial.log" && ping -c 1 -W 1 "$ip" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || die "VM '$name' started on $host but did not come up within 90 s (serial log: $vd/serial.log)"
    sleep 0.5
  done
  echo "vm $name host=$host ip=$ip mem_mib=$mem dirty_mib=$dmib dirty_rate_mibps=$drate content=$content"
}

hb_field() { sed -n "s/.* $2=\([0-9]*\).*/\1/p" <<<"$1"; }   # line key -> number
last_hb() { grep -a '^LMHB' "$1" 2>/dev/null | tail -1 || true; }

vm_check() {
  local name=${1:-} since=""
  [ -n "$name" ] || usage "vm check needs a NAME"
  shift
  while [ $# -gt 0 ]; do
    case $1 in
      --since) since=${2:-}; shift 2 || usage "--since needs SWEEPS:VERIFIED_PAGES" ;;
      *) usage "unknown option for vm check: $1" ;;
    esac
  done
  valid_vm_name "$name" || usage "invalid VM name '$name'"
  [ -z "$since" ] || [[ $since =~ ^[0-9]+:[0-9]+$ ]] \
    || usage "--since must be SWEEPS:VERIFIED_PAGES (numbers, e.g. from an earlier check's sweeps= and verified_pages=), got '$since'"
  [ "$(lab_hosts)" -gt 0 ] || die "lab is not up" 3
  local vd=$LAB_DIR/vms/$name running=() other=() loc i st
  while read -r i st; do
    [ -n "$i" ] || continue
    if [ "$st" = running ]; then running+=("$(host_name "$i")"); else other+=("$(host_name "$i"):$st"); fi
  done < <(vm_locations "$name")

  local verdict=ok reasons=() host=none state=absent
  case ${#running[@]} in
    0) if [ ${#other[@]} -gt 0 ]; then host=${other[0]%%:*}; state=${other[0]#*:}; reasons+=("not running ($state)")
       else reasons+=("lost: defined on no lab host"); fi ;;
    1) host=${running[0]}; state=running ;;
    *) host=$(IFS=,; echo "${running[*]}"); state=running; reasons+=("duplicated: running on ${#running[@]} hosts") ;;
  esac

  local age=-1 seq=- errors=0 integrity=unknown ping=no alive=no
  local sweeps=- verified=- base_sweeps=- base_verified=- progress=no
  if [ -f "$vd/serial.log" ]; then
    local last; last=$(last_hb "$vd/serial.log")
    # Progress: the workload's counters must grow past a baseline, the reading given with
    # --since or else the first one taken now; a later heartbeat is awaited, bounded. Only a
    # guest that is running and has a heartbeat is waited for: the others fail anyway.
    if [ -n "$since" ]; then base_sweeps=${since%%:*}; base_verified=${since#*:}
    elif [ -n "$last" ]; then base_sweeps=$(hb_field "$last" sweeps); base_verified=$(hb_field "$last" verified_pages); fi
    if [ -n "$last" ] && [ "$state" = running ] && [ -n "$base_sweeps" ] && [ -n "$base_verified" ] && [ "$base_sweeps" != - ]; then
      local deadline=$((SECONDS + CHECK_PROGRESS_S)) s v
      while :; do
        s=$(hb_field "$last" sweeps); v=$(hb_field "$last" verified_pages)
        if [ -n "$s" ] && [ -n "$v" ] && [ "$s" -gt "$base_sweeps" ] && [ "$v" -gt "$base_verified" ]; then
          progress=yes; break
        fi
        [ $SECONDS -lt $deadline ] || break
        sleep 0.2
        last=$(last_hb "$vd/serial.log")
      done
    fi
    if [ -n "$last" ]; then
      # Heartbeat age from the host's clock: the log's modification time (guest time stops while paused).
      age=$(( $(date +%s%N) / 1000000 - $(stat -L -c %.3Y "$vd/serial.log" | tr -d .) ))
      age=$(awk -v ms="$age" 'BEGIN { printf "%.1f", ms / 1000 }')
      seq=$(hb_field "$last" seq)
      errors=$(hb_field "$last" errors)
      sweeps=$(hb_field "$last" sweeps); sweeps=${sweeps:--}
      verified=$(hb_field "$last" verified_pages); verified=${verified:--}
    fi
    if grep -aqE 'LMCORRUPT|Kernel panic|Oops|BUG:|general protection fault' "$vd/serial.log" || [ "${errors:-0}" -gt 0 ]; then
      integrity=corrupted; reasons+=("corrupted: $(grep -aE 'LMCORRUPT|Kernel panic|Oops|BUG:|general protection fault' "$vd/serial.log" | head -1 | cut -c1-120)")
    elif [ -n "$last" ]; then integrity=ok; fi
    if [ "$state" = running ] && [ -n "$last" ] && awk -v a="$age" -v m="$HB_MAX_AGE_S" 'BEGIN { exit !(a >= 0 && a <= m) }'; then
      alive=yes
    elif [ "$state" = running ]; then
      reasons+=("dead: no heartbeat for ${age}s")
    fi
    if [ "$alive" = yes ] && [ "$progress" != yes ]; then
      reasons+=("stalled: sweeps $base_sweeps -> $sweeps, verified_pages $base_verified -> $verified in ${CHECK_PROGRESS_S}s (both must grow)")
    fi
    local ip; ip=$(cat "$vd/ip" 2>/dev/null || true)
    # ping exits 0 when at least one of the probes is answered.
    if [ -n "$ip" ] && ping -c 3 -i 0.2 -W 1 "$ip" >/dev/null 2>&1; then ping=ok; fi
  else
    reasons+=("no serial log: not created by lab.sh")
  fi
  [ "$integrity" = unknown ] && [ ${#reasons[@]} -eq 0 ] && reasons+=("no heartbeat yet")
  [ "$ping" = ok ] || [ "$state" != running ] || reasons+=("does not answer ping")
  [ ${#reasons[@]} -eq 0 ] || verdict=$(IFS=';'; echo "${reasons[*]}")
  echo "vm $name host=$host state=$state alive=$alive heartbeat_age_s=$age heartbeat_seq=$seq" \
    "sweeps=$sweeps verified_pages=$verified since=$base_sweeps:$base_verified progress=$progress" \
    "integrity=$integrity ping=$ping verdict=\"$verdict\""
  [ "$verdict" = ok ]
}

# Debug hook of lab guests: the workload flips one byte of one of its pages without updating the
# page's generation or checksum, as a migration that lost or mangled a page would leave it; its
# verifier reports LMCORRUPT on the next pass, and vm check says integrity=corrupted.
vm_corrupt() {
  local name=${1:-}
  [ -n "$name" ] && [ $# -eq 1 ] || usage "vm corrupt needs exactly one NAME"
  valid_vm_name "$name" || usage "invalid VM name '$name'"
  need_root
  local vd=$LAB_DIR/vms/$name ip reply
  [ -f "$vd/ip" ] || die "no VM '$name' in the lab" 2
  ip=$(cat "$vd/ip")
  grep -aq '^LMDEBUG listening' "$vd/serial.log" 2>/dev/null \
    || die "VM '$name' runs a workload without its debug hook listening (a guest image older than the hook? lab.sh up rebuilds it; recreate the VM)" 3
  reply=$(timeout 10 bash -c 'exec 3<>"/dev/tcp/$1/$2" || exit 1; echo corrupt >&3; IFS= read -r -t 5 l <&3; echo "$l"' \
    sh "$ip" "$GUEST_DEBUG_PORT" 2>/dev/null) || true
  [[ $reply == LMINJECT* ]] || die "VM '$name': the debug hook at $ip:$GUEST_DEBUG_PORT did not confirm the corruption (reply: '${reply:-none}')" 3
  echo "vm $name corrupted: ${reply#LMINJECT }"
}

vm_destroy() {
  local name=${1:-}
  [ -n "$name" ] && [ $# -eq 1 ] || usage "vm destroy needs exactly one NAME"
  valid_vm_name "$name" || usage "invalid VM name '$name'"
  need_root
  local i st found=0
  while read -r i st; do
    [ -n "$i" ] || continue
    found=1
    virsh_on "$i" destroy "$name" >/dev/null 2>&1 || true
    virsh_on "$i" undefine "$name" >/dev/null 2>&1 || true
  done < <(vm_locations "$name")
  [ $found -eq 1 ] || [ -d "$LAB_DIR/vms/$name" ] || die "no VM '$name' in the lab" 2
  rm -rf "${LAB_DIR:?}/vms/$name" "$LAB_DIR/guest-logs/$name.log" "$LAB_DIR/shared/$name.img" "$LAB_DIR"/hosts/*/lib/images/"$name.img"
  echo "vm $name destroyed"
}

vm_list() {
  local n; n=$(lab_hosts)
  for ((i = 0; i < n; i++)); do
    timeout 10 virsh -q -c "$(host_uri "$i")" list --all 2>/dev/null | awk -v h="$(host_name "$i")" '{ $1=""; sub(/^ /, ""); n=$1; $1=""; sub(/^ /, ""); print n, h, $0 }'
  done
}

# --- faults ---------------------------------------------------------------------------------
# For fault-injection tests: break one part of a lab host, then mend it. Each command acts once
# and returns; none loops.
fault_host() { # name -> index, or usage error
  local i; i=$(host_index "${1:-}") && [ "$i" -lt "$(lab_hosts)" ] || usage "fault needs a lab host (lab-a ...), got '${1:-}'"
  echo "$i"
}

# The memory hog (scripts/lab/memhog.c), built into the lab dir when missing or older than its source.
memhog_bin() {
  local src=$SCRIPTS/lab/memhog.c bin=$LAB_DIR/bin/memhog
  if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ]; then
    mkdir -p "$LAB_DIR/bin"
    gcc -O2 -Wall -o "$bin.tmp" "$src" >&2 && mv -f "$bin.tmp" "$bin" || die "cannot build $src (gcc)" 3
  fi
  echo "$bin"
}

stop_memhog() { # host dir: ends the host's hog, bounded
  local d=$1 pid deadline
  [ -f "$d/memhog.pid" ] || return 0
  pid=$(cat "$d/memhog.pid")
  kill "$pid" 2>/dev/null || true
  deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$d/memhog.pid"
}

fault_cmd() {
  [ $# -ge 1 ] || usage "fault needs link-down|link-up|kill-libvirtd|start-libvirtd|kill-agent|start-agent|kill-orchestrator|hog-memory|release-memory"
  need_root
  local what=$1; shift
  local i d pid bin
  case $what in
    kill-orchestrator)
      [ -f "$LAB_DIR/orchestrator.pid" ] || die "the lab runs no orchestrator" 3
      kill -9 "$(cat "$LAB_DIR/orchestrator.pid")" 2>/dev/null || true
      rm -f "$LAB_DIR/orchestrator.pid"
      echo "fault: orchestrator killed"; return ;;
  esac
  if [ "$what" = hog-memory ]; then
    [ $# -eq 2 ] && [[ $2 =~ ^[0-9]+$ ]] || usage "fault hog-memory needs a host and the MiB to leave free"
    i=$(fault_host "$1"); d=$(host_dir "$1")
    local bin max=${LIVEMIG_HOG_MAX_S:-600} deadline
    bin=$(memhog_bin)
    stop_memhog "$d"
    # In the host's network namespace: lab.sh down ends it with the host's other processes.
    ip netns exec "$(ns_of "$i")" setsid "$bin" "$2" "$max" >"$d/memhog.log" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$d/memhog.pid"
    # Memory a machine has never touched can be slow to hand out (a VM whose own host backs it
    # lazily); LIVEMIG_HOG_WAIT_S bounds the wait.
    local wait_s=${LIVEMIG_HOG_WAIT_S:-300}
    deadline=$((SECONDS + wait_s))
    until grep -q '^LMHOG ready' "$d/memhog.log" 2>/dev/null; do
      kill -0 "$pid" 2>/dev/null || { rm -f "$d/memhog.pid"; die "$1: memory hog exited: $(tail -1 "$d/memhog.log")" 3; }
      [ $SECONDS -lt $deadline ] || { stop_memhog "$d"; die "$1: memory hog did not bring free memory down to ${2} MiB within ${wait_s} s" 3; }
      sleep 0.2
    done
    echo "fault: $1 memory hog: $(grep '^LMHOG ready' "$d/memhog.log" | cut -d' ' -f3-) (ends by itself after ${max} s)"
    return
  fi
  [ $# -eq 1 ] || usage "fault $what needs exactly one host"
  i=$(fault_host "$1"); d=$(host_dir "$1")
  case $what in
    link-down) ip link set "$(veth_of "$i")" down; echo "fault: $1 cut from the lab LAN" ;;
    link-up) ip link set "$(veth_of "$i")" up; echo "fault: $1 back on the lab LAN" ;;
    kill-libvirtd)
      pid=$(cat "$d/run/libvirtd.pid" 2>/dev/null) || die "$1: no libvirtd pid file" 3
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$d/run/libvirtd.pid"
      echo "fault: $1 libvirtd killed (its QEMU processes keep running)" ;;
    start-libvirtd)
      # virtlogd holds the host's private mount namespace; start libvirtd in it again.
      pid=$(cat "$d/run/virtlogd.pid" 2>/dev/null) || die "$1: no virtlogd pid file" 3
      # shellcheck disable=SC2046 # reaper_cmd is words or nothing
      nsenter -t "$pid" -m -u -n -- $(reaper_cmd) sh -c 'libvirtd -d --listen -p /run/libvirt/libvirtd.pid && exec sleep infinity' \
        </dev/null >>"$d/host.log" 2>&1 &
      local deadline=$((SECONDS + 60))
      until host_up "$i" || virsh_on "$i" version >/dev/null 2>&1; do
        [ $SECONDS -lt $deadline ] || die "$1: libvirtd did not answer within 60 s" 3
        sleep 0.3
      done
      echo "fault: $1 libvirtd started" ;;
    kill-agent)
      [ -f "$d/agent.pid" ] || die "$1: runs no agent" 3
      kill -9 "$(cat "$d/agent.pid")" 2>/dev/null || true
      rm -f "$d/agent.pid"
      echo "fault: $1 agent killed" ;;
    start-agent)
      bin=$(livemig_bin) || die "livemig is not built (mvn package)" 3
      start_agent "$i" "$bin"
      echo "fault: $1 agent started" ;;
    release-memory)
      if [ -f "$d/memhog.pid" ]; then
        stop_memhog "$d"
        echo "fault: $1 memory hog ended ($(grep -a '^LMHOG end' "$d/memhog.log" 2>/dev/null | cut -d' ' -f3- || true))"
      else
        echo "fault: $1 runs no memory hog"
      fi ;;
    *) usage "unknown fault: $what" ;;
  esac
}

main() {
  [ $# -ge 1 ] || usage "missing command"
  local cmd=$1; shift
  case $cmd in
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    status) cmd_status "$@" ;;
    restart-agents) cmd_restart_agents "$@" ;;
    restart-orchestrator) cmd_restart_orchestrator "$@" ;;
    fault) fault_cmd "$@" ;;
    vm)
      [ $# -ge 1 ] || usage "vm needs create|check|corrupt|destroy|list"
      local sub=$1; shift
      case $sub in
        create) vm_create "$@" ;;
        check) vm_check "$@" ;;
        corrupt) vm_corrupt "$@" ;;
        destroy) vm_destroy "$@" ;;
        list) vm_list ;;
        *) usage "unknown vm command: $sub" ;;
      esac ;;
    -h|--help|help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}" ;;
    *) usage "unknown command: $cmd" ;;
  esac
}

main "$@"
