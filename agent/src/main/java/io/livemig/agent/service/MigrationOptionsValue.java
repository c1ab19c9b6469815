package io.livemig.agent.service;

import io.livemig.agent.core.migration.MigrationSpec.Compression;
import io.livemig.agent.core.policy.MigrationMode;

/**
 * The knobs a caller may set for one migration; zero/null means the agent's default.
 *
 * @param timeoutS completion timeout for the whole migration, 0: scaled per GiB of memory
 */
public record MigrationOptionsValue(
        MigrationMode mode,
        long maxDowntimeMs,
        long bandwidthMiBps,
        long timeoutS,
        boolean autoConverge,
        Compression compression,
        int parallelConnections,
        boolean allowPostcopy,
        boolean allowSuspend) {

    public MigrationOptionsValue {
        mode = mode == null ? MigrationMode.AUTO : mode;
        // compression null: the policy chooses (auto compresses when the link is the bottleneck)
    }

    /** Rejects values no migration can use; the message names the field. */
    public void validate() throws AgentException {
        check(maxDowntimeMs <= 60_000, "max_downtime_ms must be 0..60000, got " + maxDowntimeMs);
        check(bandwidthMiBps <= 100_000, "bandwidth_mibps must be 0..100000, got " + bandwidthMiBps);
        check(timeoutS <= 86_400, "timeout_s must be 0..86400, got " + timeoutS);
        check(parallelConnections == 0 || (parallelConnections >= 2 && parallelConnections <= 32),
                "parallel_connections must be 0 or 2..32, got " + parallelConnections);
    }

    private static void check(boolean ok, String message) throws AgentException {
        if (!ok) {
            throw new AgentException(AgentException.Code.INVALID_ARGUMENT, message);
        }
    }
}
