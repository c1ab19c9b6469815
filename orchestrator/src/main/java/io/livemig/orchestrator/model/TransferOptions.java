package io.livemig.orchestrator.model;

import io.livemig.common.predict.Objective;
import io.livemig.orchestrator.workflow.TransferMode;
import java.util.Objects;

/**
 * What a migration is asked to respect, as the source agent receives it. A 0 number means "the
 * agent's default". The values are checked where they enter (the gRPC edge), not here.
 *
 * @param mode how memory is moved
 * @param maxDowntimeMs longest pause of the guest allowed at switch-over
 * @param bandwidthMibps cap on the migration stream
 * @param timeoutS time after which the agent gives up or escalates
 * @param autoConverge let the agent throttle the guest's CPUs to converge
 * @param compression page compression
 * @param parallelConnections number of migration streams
 * @param disallowPostcopy the agent must not switch to post-copy
 * @param disallowSuspend the agent must not suspend the guest to finish
 * @param objective what auto's plan optimises for; null: not asked, the agent's default (safe)
 */
public record TransferOptions(
        TransferMode mode,
        long maxDowntimeMs,
        long bandwidthMibps,
        long timeoutS,
        boolean autoConverge,
        PageCompression compression,
        int parallelConnections,
        boolean disallowPostcopy,
        boolean disallowSuspend,
        Objective objective) {

    public TransferOptions {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(compression, "compression");
    }

    /** No objective asked for. */
    public TransferOptions(TransferMode mode, long maxDowntimeMs, long bandwidthMibps, long timeoutS,
            boolean autoConverge, PageCompression compression, int parallelConnections, boolean disallowPostcopy,
            boolean disallowSuspend) {
        this(mode, maxDowntimeMs, bandwidthMibps, timeoutS, autoConverge, compression, parallelConnections,
                disallowPostcopy, disallowSuspend, null);
    }

    /** Only the mode; everything else the agent's default. */
    public static TransferOptions of(TransferMode mode) {
        return new TransferOptions(mode, 0, 0, 0, false, PageCompression.DEFAULT, 0, false, false);
    }
}
