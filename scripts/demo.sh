#!/usr/bin/env bash
# The main job, end to end on a fresh Debian 12 machine (as root): install what is needed,
# build livemig, bring up a lab of libvirt hosts with an agent on each and an orchestrator, start a
# guest that dirties its memory, migrate it live from lab-a to lab-b, then let the orchestrator
# move it again to the host it picks by load; print each migration's figures and the history.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
step() { printf '\n== %s\n' "$*"; }

VM=${DEMO_VM:-demo}
step "installing dependencies (QEMU and libvirt from bookworm-backports, JDK 17, Maven)"
scripts/install-deps.sh
step "building livemig"
mvn -B -ntp -q package -DskipTests
LIVEMIG=cli/target/livemig/bin/livemig
"$LIVEMIG" --version

step "bringing the lab up"
scripts/lab.sh up
scripts/lab.sh restart-agents >/dev/null   # the agents of a lab that was already up run this build
scripts/lab.sh vm destroy "$VM" >/dev/null 2>&1 || true   # a previous demo's guest

step "starting guest '$VM' on lab-a (256 MiB, dirtying 64 MiB at 32 MiB/s, verifying its memory)"
scripts/lab.sh vm create "$VM" --host lab-a --mem 256 --dirty-mib 64 --dirty-rate 32
scripts/lab.sh vm check "$VM"

step "the lab's hosts and VMs, as the orchestrator sees them (it reaches every host's agent)"
"$LIVEMIG" hosts
"$LIVEMIG" vms

step "migrating '$VM' live: lab-a -> lab-b (auto mode; the bridge and log file are rebound)"
"$LIVEMIG" migrate "$VM" --to lab-b

step "checking the guest after the migration"
scripts/lab.sh vm check "$VM"

step "moving '$VM' on, to the host the orchestrator picks by load (no --to)"
"$LIVEMIG" migrate "$VM"
scripts/lab.sh vm check "$VM"

step "the orchestrator's history of these migrations"
"$LIVEMIG" history --vm "$VM"

# The command on the PATH: /usr/local/bin/livemig, a link to this build's launcher, unless that
# name is already something else (then the demo says where the launcher is).
onpath=/usr/local/bin/livemig
launcher=$(cd "$(dirname "$LIVEMIG")" && pwd)/$(basename "$LIVEMIG")
if [ ! -e "$onpath" ] || { [ -L "$onpath" ] && [ "$(basename "$(readlink "$onpath")")" = livemig ]; }; then
  ln -sfn "$launcher" "$onpath"
  cmd=livemig
else
  echo "demo: $onpath is not a link to a livemig launcher; left as it is"
  cmd=$launcher
fi
echo
echo "demo: done. Look around with: scripts/lab.sh status; scripts/lab.sh vm list; $cmd hosts"
echo "demo: from the second command on, commands answer in tens of milliseconds: the resident client (README; LIVEMIG_RESIDENT=0 turns it off)"
echo "demo: remove the lab with: scripts/lab.sh down"
