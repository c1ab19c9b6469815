/**
 * The orchestrator will hold placement (which host a VM should run on) and scheduling (which
 * migrations to run, in what order and how many at once), as pure code over value types, with
 * the agents reached through gRPC adapters. Placement and rebalance planning live in {@code
 * placement}; scheduling and the gRPC adapters are not written yet.
 */
package io.livemig.orchestrator;
