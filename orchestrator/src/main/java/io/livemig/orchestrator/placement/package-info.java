/**
 * Placement and rebalancing as pure code over value types: {@link
 * io.livemig.orchestrator.placement.Placement} picks a host for one VM and explains why, {@link
 * io.livemig.orchestrator.placement.Rebalancer} plans moves that even out the cluster's {@link
 * io.livemig.orchestrator.placement.Spread} or empty a host. Nothing here performs I/O or runs a
 * migration; callers pass the cluster state and the time in and act on the returned plan.
 */
package io.livemig.orchestrator.placement;
