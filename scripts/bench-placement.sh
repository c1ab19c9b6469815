#!/usr/bin/env bash
# Placement and rebalance planning on synthetic clusters of 100, 1,000 and 10,000 hosts (10 VMs
# each): decision time and plan quality beside a greedy baseline measured in the same run.
# A benchmark, not a test: it prints figures. Build first (mvn package).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ -d orchestrator/target/classes ] || mvn -B -q -ntp -pl orchestrator -am package -DskipTests
exec java -cp orchestrator/target/classes io.livemig.orchestrator.placement.PlacementBenchmark "$@"
