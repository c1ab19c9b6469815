package io.livemig.agent.core.monitor;

import io.livemig.agent.core.JobSample;
import io.livemig.agent.core.migration.LaunchPlan;
import io.livemig.agent.core.migration.MigrationSpec;
import io.livemig.agent.core.policy.AutoPlan;
import io.livemig.agent.core.policy.CopyMode;
import io.livemig.agent.core.policy.CopyPhase;
import io.livemig.agent.core.policy.PolicySettings;
import io.livemig.common.predict.AutoLadder;
import io.livemig.common.predict.Compression;
import io.livemig.common.predict.Figure;
import io.livemig.common.predict.MigrationMode;
import io.livemig.common.predict.PredictionInputs;
import io.livemig.common.predict.Progress;
import io.livemig.common.predict.ProgressEstimator;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * One migration's progress fraction and ETA, recomputed at every sample of its job: a
 * {@link ProgressEstimator} fed with the migration's plan (mode, allowed downtime, bandwidth,
 * compression) and each sample as the monitor reports it. Pure; not thread-safe (one caller
 * feeds it the samples in order).
 */
public final class ProgressGauge {

    /** The link rate taken when neither a bandwidth limit nor the host's link rate is known: 1 GiB/s. */
    static final long UNKNOWN_LINK_BYTES_PER_S = 1L << 30;
    private static final long MIB = 1L << 20;

    /** A first pass that left less than this share of what the guest dirtied meanwhile dirty met its working set. */
    static final int SATURATION_PERCENT = 80;

    private final ProgressEstimator estimator;
    private final PredictionInputs inputs;
    private final boolean learnsWorkingSet;
    private Progress last;
    private volatile long firstPassBytes = -1;
    private volatile long workingSetBytes = -1;

    /**
     * A gauge for a migration in {@code mode}; AUTO under a plan to switch to post-copy after the
     * first pass is gauged as post-copy from the start.
     */
    public ProgressGauge(CopyMode mode, AutoPlan plan, PredictionInputs inputs) {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(plan, "plan");
        this.estimator = new ProgressEstimator(mode == CopyMode.AUTO && plan.postcopyFirst()
                ? MigrationMode.POSTCOPY : mode(mode), inputs);
        this.inputs = inputs;
        this.learnsWorkingSet = mode != CopyMode.STOPCOPY && !inputs.dirtyRateBytesPerS().isEstimated();
        this.last = estimator.initial();
    }

    /**
     * The estimator's inputs for a migration launched with {@code plan} under {@code settings}: the
     * guest's memory, its non-zero part and working set as learned ({@link LearnedMemory}, else
     * each taken as all of it), its dirty rate as last measured
     * (else 0, estimated: the job's own rate replaces it from the second pass), the bandwidth limit
     * or else the host's link rate (else {@value #UNKNOWN_LINK_BYTES_PER_S} bytes/s, until the job's
     * own rate is measured), the plan's allowed downtime and compression (its ratio not known).
     */
    public static PredictionInputs inputs(LaunchPlan plan, PolicySettings settings, long memoryBytes,
            LearnedMemory.Figures learned, OptionalLong dirtyRateBytesPerS) {
        return inputs(plan, settings, memoryBytes, learned, OptionalLong.empty(), dirtyRateBytesPerS);
    }

    /**
     * {@link #inputs(LaunchPlan, PolicySettings, long, LearnedMemory.Figures, OptionalLong)}; a
     * non-zero memory not learned yet is estimated as the guest's RAM its host holds
     * ({@code ramHeld}, where read), which is never less.
     */
    public static PredictionInputs inputs(LaunchPlan plan, PolicySettings settings, long memoryBytes,
            LearnedMemory.Figures learned, OptionalLong ramHeld, OptionalLong dirtyRateBytesPerS) {
        long link = plan.bandwidthMiBps() > 0 && settings.linkMiBps() > 0
                ? Math.min(plan.bandwidthMiBps(), settings.linkMiBps()) * MIB
                : plan.bandwidthMiBps() > 0 ? plan.bandwidthMiBps() * MIB
                : settings.linkMiBps() > 0 ? settings.linkMiBps() * MIB
                : UNKNOWN_LINK_BYTES_PER_S;
        Figure dirty = dirtyRateBytesPerS.isPresent() && dirtyRateBytesPerS.getAsLong() >= 0
                ? Figure.measured(dirtyRateBytesPerS.getAsLong()) : Figure.estimated(0);
        AutoLadder ladder = new AutoLadder(settings.downtimeCapMs(), settings.downtimeSteps(),
                settings.escalationDwellIterations(),
                settings.throttleAllowed() ? settings.maxThrottlePercent() / settings.throttleStepPercent() : 0,
                settings.nonConvergenceRatio(), settings.suspendAllowed());
        long memory = Math.max(1, memoryBytes);
        Figure nonZero = learned.nonZeroBytes().isPresent()
                ? Figure.learned(Math.min(memory, learned.nonZeroBytes().getAsLong()))
                : Figure.estimated(ramHeld.isPresent() && ramHeld.getAsLong() > 0
                        ? Math.min(memory, ramHeld.getAsLong()) : memory);
        Figure workingSet = learned.workingSetBytes().isPresent()
                ? Figure.learned(Math.min(memory, learned.workingSetBytes().getAsLong())) : Figure.estimated(memory);
        return PredictionInputs.builder(memory, dirty, link,
                        plan.maxDowntimeMs() > 0 ? plan.maxDowntimeMs() : settings.maxDowntimeMs(), ladder)
                .nonZero(nonZero)
                .workingSet(workingSet)
                .compression(plan.compression() == MigrationSpec.Compression.NONE ? Compression.none()
                        : Compression.unknownRatio())
                .parallelConnections(Math.max(1, plan.parallelConnections()))
                .postcopyAllowed(settings.postcopyAllowed())
                .build();
    }

    /** The progress after {@code p}'s sample. */
    public Progress next(JobProgress p) {
        JobSample s = p.sample();
        if (firstPassBytes < 0 && !inputs.compression().enabled() && orZero(s.memoryIteration()) >= 2) {
            firstPassBytes = orZero(s.bytesTransferred());
            long dirtied = orZero(s.bytesRemaining());
            double expected = inputs.dirtyRateBytesPerS().value() * Math.max(0, p.elapsedMs()) / 1000.0;
            if (learnsWorkingSet && dirtied > 0 && dirtied * 100.0 < SATURATION_PERCENT * expected) {
                workingSetBytes = dirtied;
            }
        }
        last = estimator.next(last, new io.livemig.common.predict.JobProgress(Math.max(0, p.elapsedMs()),
                orZero(s.bytesTransferred()), orZero(s.bytesRemaining()),
                s.memoryDirtyRateBytesPerSec().orElse(io.livemig.common.predict.JobProgress.UNKNOWN),
                orZero(s.memoryIteration()), p.phase() == CopyPhase.POSTCOPY));
        return last;
    }

    /**
     * What the first pass sent, as of the first sample of a later pass (a sample's worth of the
     * second pass with it): the guest's non-zero memory, zero pages going as headers only. Empty
     * before that sample, and for a compressed migration (its bytes are not the memory's).
     */
    public OptionalLong firstPassBytes() {
        return firstPassBytes > 0 ? OptionalLong.of(firstPassBytes) : OptionalLong.empty();
    }

    /**
     * The guest's working set, as of the first sample of the second pass: what the first pass left
     * dirty, when that is well below what the guest dirtied meanwhile at the measured rate (below
     * {@value #SATURATION_PERCENT} %), so that it rewrote some pages more than once, all of them
     * within that set. Empty otherwise, before that sample, for stop-and-copy (the guest is paused)
     * and without a measured dirty rate.
     */
    public OptionalLong workingSetBytes() {
        return workingSetBytes > 0 ? OptionalLong.of(workingSetBytes) : OptionalLong.empty();
    }

    /** The progress after the last sample ({@link ProgressEstimator#initial()} before the first). */
    public Progress last() {
        return last;
    }

    static MigrationMode mode(CopyMode mode) {
        return switch (mode) {
            case PRECOPY -> MigrationMode.PRECOPY;
            case STOPCOPY -> MigrationMode.STOP_AND_COPY;
            case POSTCOPY -> MigrationMode.POSTCOPY;
            case AUTO -> MigrationMode.AUTO;
        };
    }

    private static long orZero(Long value) {
        return value == null ? 0 : Math.max(0, value);
    }
}
