package io.livemig.orchestrator.placement;

/**
 * One planned migration.
 *
 * @param gain how much the move lowers the cluster {@link Spread} (negative when a drain has to
 *     make it worse)
 * @param estimatedCostBytes see {@link RebalanceSettings#estimatedCostBytes}
 */
public record PlannedMove(
        String vm, String from, String to, String reason, double gain, double estimatedCostBytes) {}
