package io.livemig.orchestrator.placement;

import java.util.Objects;

/**
 * Tunables of the rebalancer.
 *
 * @param spreadThreshold rebalance only while the {@link Spread} is above this
 * @param minGain a move must lower the spread by at least this much
 * @param maxMovesPerRound at most this many moves per plan (K)
 * @param cooldownMs a VM moved less than this long ago is left alone
 * @param migrationBandwidthBytesPerSec assumed migration bandwidth, for the cost estimate
 * @param maxSourceHosts how many of the most loaded hosts are searched for a move, which bounds
 *     the work per move on large clusters
 * @param placement the weights and headroom used for loads and feasibility
 */
public record RebalanceSettings(
        double spreadThreshold,
        double minGain,
        int maxMovesPerRound,
        long cooldownMs,
        long migrationBandwidthBytesPerSec,
        int maxSourceHosts,
        PlacementSettings placement) {

    /** 0.10 threshold, 0.002 min gain, 5 moves, 10 min cooldown, 10 Gbit/s, 5 source hosts. */
    public static final RebalanceSettings DEFAULT = new RebalanceSettings(
            0.10, 0.002, 5, 10 * 60_000L, 1_250_000_000L, 5, PlacementSettings.DEFAULT);

    public RebalanceSettings {
        Objects.requireNonNull(placement, "placement");
        if (spreadThreshold < 0 || minGain < 0 || maxMovesPerRound < 0 || cooldownMs < 0
                || migrationBandwidthBytesPerSec <= 0 || maxSourceHosts <= 0) {
            throw new IllegalArgumentException("invalid rebalance settings");
        }
    }

    public RebalanceSettings withMaxMovesPerRound(int k) {
        return new RebalanceSettings(spreadThreshold, minGain, k, cooldownMs,
                migrationBandwidthBytesPerSec, maxSourceHosts, placement);
    }

    public RebalanceSettings withMinGain(double gain) {
        return new RebalanceSettings(spreadThreshold, gain, maxMovesPerRound, cooldownMs,
                migrationBandwidthBytesPerSec, maxSourceHosts, placement);
    }

    /**
     * Estimated bytes sent to migrate {@code vm} by pre-copy: each round resends what was dirtied
     * during the previous one, a geometric series {@code memory / (1 - dirtyRate / bandwidth)},
     * with the ratio capped at 0.9 (a VM dirtying faster would need post-copy or throttling; we
     * count it as ten times its memory).
     */
    public double estimatedCostBytes(VmLoad vm) {
        double ratio = Math.min(0.9, (double) vm.dirtyRateBytesPerSec() / migrationBandwidthBytesPerSec);
        return vm.memoryBytes() / (1 - ratio);
    }
}
