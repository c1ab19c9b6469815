#!/usr/bin/env bash
# All of livemig's tests: the guest workload's self-test, the unit tests of every module
# (fast, first), then the integration tests, which bring the lab up and migrate real QEMU guests
# between real libvirt daemons. Integration tests need root; without it they are reported as
# skipped with the reason.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ "$(id -u)" -eq 0 ]; then
  scripts/install-deps.sh
elif [ "${CI:-}" = true ]; then
  echo "test: CI must run the integration tests, which need root; run as root" >&2
  exit 2
else
  echo "test: not root: dependencies are not installed and the integration tests will be skipped" >&2
fi

scripts/guest/selftest.sh
# -fae: a unit-test failure in one module still lets the others report.
mvn -B -ntp -fae verify "$@"
