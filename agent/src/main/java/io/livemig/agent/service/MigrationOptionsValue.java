package io.livemig.agent.service;

import io.livemig.agent.core.migration.MigrationSpec.Compression;
import io.livemig.agent.core.policy.CopyMode;
import io.livemig.common.input.Inputs;
import io.livemig.common.predict.Objective;

/**
 * The knobs a caller may set for one migration; zero/null means the agent's default. A value of
 * this type is within the ranges of {@link Inputs}: they are checked once, here, where the
 * request enters the agent, and trusted from then on.
 *
 * @param timeoutS  completion timeout for the whole migration, 0: scaled per GiB of memory
 * @param objective what AUTO's plan optimises for ({@link Objective#DEFAULT} when none is asked for)
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
        boolean allowSuspend,
        Objective objective) {

    /** @throws IllegalArgumentException naming the first number out of range, in the words of {@link Inputs} */
    public MigrationOptionsValue {
        mode = mode == null ? CopyMode.AUTO : mode;
        objective = objective == null ? Objective.DEFAULT : objective;
        // compression null: the policy chooses (auto compresses when the link is the bottleneck)
        Inputs.migrationNumbers(maxDowntimeMs, bandwidthMiBps, timeoutS, Integer.toUnsignedLong(parallelConnections))
                .ifPresent(problem -> {
                    throw new IllegalArgumentException(problem);
                });
    }

    /** With the default objective. */
    public MigrationOptionsValue(CopyMode mode, long maxDowntimeMs, long bandwidthMiBps, long timeoutS,
            boolean autoConverge, Compression compression, int parallelConnections, boolean allowPostcopy,
            boolean allowSuspend) {
        this(mode, maxDowntimeMs, bandwidthMiBps, timeoutS, autoConverge, compression, parallelConnections,
                allowPostcopy, allowSuspend, null);
    }

    /**
     * The options, or INVALID_ARGUMENT naming the first number out of range, or an objective
     * given for a mode other than AUTO ({@code objective} null: none given).
     */
    public static MigrationOptionsValue checked(CopyMode mode, long maxDowntimeMs, long bandwidthMiBps, long timeoutS,
            boolean autoConverge, Compression compression, int parallelConnections, boolean allowPostcopy,
            boolean allowSuspend, Objective objective) throws AgentException {
        if (objective != null && mode != null && mode != CopyMode.AUTO) {
            throw new AgentException(AgentException.Code.INVALID_ARGUMENT, "an objective applies to mode auto only, not "
                    + mode.name().toLowerCase(java.util.Locale.ROOT));
        }
        try {
            return new MigrationOptionsValue(mode, maxDowntimeMs, bandwidthMiBps, timeoutS, autoConverge, compression,
                    parallelConnections, allowPostcopy, allowSuspend, objective);
        } catch (IllegalArgumentException e) {
            throw new AgentException(AgentException.Code.INVALID_ARGUMENT, e.getMessage());
        }
    }
}
