package io.livemig.agent.service;

import io.livemig.common.input.Inputs;
import io.livemig.agent.core.migration.MigrationSpec.Compression;
import io.livemig.agent.core.policy.CopyMode;

/**
 * The knobs a caller may set for one migration; zero/null means the agent's default.
 *
 * @param timeoutS completion timeout for the whole migration, 0: scaled per GiB of memory
 */
public record MigrationOptionsValue(
        CopyMode mode,
        long maxDowntimeMs,
        long bandwidthMiBps,
        long timeoutS,
        boolean autoConverge,
        Compression compression,
        int parallelConnections,
        boolean allowPostcopy,
        boolean allowSuspend) {

    public MigrationOptionsValue {
        mode = mode == null ? CopyMode.AUTO : mode;
        // compression null: the policy chooses (auto compresses when the link is the bottleneck)
    }

    /** Rejects values no migration can use; the message names the field. */
    public void validate() throws AgentException {
        var problem = Inputs.migrationNumbers(maxDowntimeMs, bandwidthMiBps, timeoutS,
                Integer.toUnsignedLong(parallelConnections));
        if (problem.isPresent()) {
            throw new AgentException(AgentException.Code.INVALID_ARGUMENT, problem.get());
        }
    }
}
