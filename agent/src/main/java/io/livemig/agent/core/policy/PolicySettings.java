package io.livemig.agent.core.policy;

import io.livemig.agent.core.migration.MigrationSpec.Compression;

/**
 * Every knob of the migration policy, validated when built. Build with {@link #builder()}; the
 * defaults are {@link #defaults()}.
 *
 * <p>Escalation pacing: where Nova waits a number of seconds per GiB between downtime steps, this
 * policy waits a number of <em>passes over memory</em> ({@code escalationDwellIterations}) and at
 * least {@code escalationDwellMs}. A pass already scales with memory size and bandwidth, and every
 * measurement the predictor uses is taken once per pass, so the effect of one step can only be
 * seen in the passes after it. The time floor keeps tiny guests, whose passes take milliseconds,
 * from running through the whole ladder at once.
 *
 * @param maxDowntimeMs              allowed downtime set at the start of a live migration
 * @param downtimeCapMs              the highest allowed downtime AUTO may raise it to
 * @param downtimeSteps              number of equal steps from maxDowntimeMs to downtimeCapMs
 * @param escalationDwellIterations  passes over memory to wait after one AUTO escalation before the next
 * @param escalationDwellMs          and at least this long
 * @param throttleAllowed            whether AUTO may slow the guest's vCPUs
 * @param throttleStepPercent        CPU throttle added per step
 * @param maxThrottlePercent         the highest throttle AUTO sets
 * @param postcopyAllowed            whether AUTO may switch to post-copy (it then starts with the POSTCOPY flag)
 * @param suspendAllowed             whether AUTO may pause the guest on the source as its last resort
 * @param completionTimeoutSecPerGiB abort a migration not done after this many seconds per GiB to
 *                                   transfer; 0 turns the timeout off
 * @param completionTimeoutMinSec    but never sooner than this
 * @param postcopyAfterIterations    POSTCOPY mode switches once libvirt's memory iteration reaches
 *                                   this; QEMU counts 1 during the first pass, so 2 means "after
 *                                   the first full pass"
 * @param nonConvergenceRatio        the predictor calls pre-copy hopeless once the guest dirties
 *                                   memory at this fraction of the transfer bandwidth
 * @param stallIterations            iterations over which remaining bytes must shrink
 * @param minShrinkPercent           by at least this much, or pre-copy is called stalled
 * @param bandwidthMiBps             bandwidth limit for the migration stream, 0 for unlimited
 * @param compression                compression of the stream; null lets
 *                                   {@link CompressionChoice#chooseCompression} decide
 * @param parallelConnections        multifd connections, 0 or 1 for a single stream
 * @param linkMiBps                  rate of the link to the destination (configured, or measured by
 *                                   an earlier migration), 0 when unknown
 * @param compressBelowLinkMiBps     AUTO compresses on links slower than this
 */
public record PolicySettings(
        long maxDowntimeMs,
        long downtimeCapMs,
        int downtimeSteps,
        int escalationDwellIterations,
        long escalationDwellMs,
        boolean throttleAllowed,
        int throttleStepPercent,
        int maxThrottlePercent,
        boolean postcopyAllowed,
        boolean suspendAllowed,
        long completionTimeoutSecPerGiB,
        long completionTimeoutMinSec,
        int postcopyAfterIterations,
        double nonConvergenceRatio,
        int stallIterations,
        int minShrinkPercent,
        long bandwidthMiBps,
        Compression compression,
        int parallelConnections,
        long linkMiBps,
        long compressBelowLinkMiBps) {

    private static final long GIB = 1L << 30;

    public PolicySettings {
        require(maxDowntimeMs >= 1, "maxDowntimeMs must be >= 1: " + maxDowntimeMs);
        require(downtimeCapMs >= maxDowntimeMs,
                "downtimeCapMs (" + downtimeCapMs + ") must be >= maxDowntimeMs (" + maxDowntimeMs + ")");
        require(downtimeSteps >= 1, "downtimeSteps must be >= 1: " + downtimeSteps);
        require(escalationDwellIterations >= 1, "escalationDwellIterations must be >= 1: " + escalationDwellIterations);
        require(escalationDwellMs >= 0, "escalationDwellMs must be >= 0: " + escalationDwellMs);
        require(throttleStepPercent >= 1 && throttleStepPercent <= 99,
                "throttleStepPercent must be 1..99: " + throttleStepPercent);
        require(maxThrottlePercent >= 0 && maxThrottlePercent <= 99,
                "maxThrottlePercent must be 0..99: " + maxThrottlePercent);
        require(completionTimeoutSecPerGiB >= 0,
                "completionTimeoutSecPerGiB must be >= 0: " + completionTimeoutSecPerGiB);
        require(completionTimeoutMinSec >= 0, "completionTimeoutMinSec must be >= 0: " + completionTimeoutMinSec);
        require(postcopyAfterIterations >= 1, "postcopyAfterIterations must be >= 1: " + postcopyAfterIterations);
        require(nonConvergenceRatio > 0 && nonConvergenceRatio <= 10,
                "nonConvergenceRatio must be in (0, 10]: " + nonConvergenceRatio);
        require(stallIterations >= 2, "stallIterations must be >= 2: " + stallIterations);
        require(minShrinkPercent >= 0 && minShrinkPercent <= 100,
                "minShrinkPercent must be 0..100: " + minShrinkPercent);
        require(bandwidthMiBps >= 0, "bandwidthMiBps must be >= 0: " + bandwidthMiBps);
        require(parallelConnections >= 0, "parallelConnections must be >= 0: " + parallelConnections);
        require(linkMiBps >= 0, "linkMiBps must be >= 0: " + linkMiBps);
        require(compressBelowLinkMiBps >= 0, "compressBelowLinkMiBps must be >= 0: " + compressBelowLinkMiBps);
    }

    /** The defaults: 300 ms raised to at most 2 s in 5 steps, throttle 20..80 %, 120 s per GiB (at least 60 s). */
    public static PolicySettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * How long a migration of {@code bytesToTransfer} may take before it is aborted (Nova's
     * completion timeout, scaled the same way); 0 when the timeout is off. An unknown size (0)
     * gets the minimum.
     */
    public long completionTimeoutMs(long bytesToTransfer) {
        if (completionTimeoutSecPerGiB == 0) {
            return 0;
        }
        long scaledMs = Math.max(0, bytesToTransfer) / 1024 * completionTimeoutSecPerGiB * 1000 / (GIB / 1024);
        return Math.max(completionTimeoutMinSec * 1000, scaledMs);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Builds {@link PolicySettings}, starting from the defaults. */
    public static final class Builder {
        private long maxDowntimeMs = 300;
        private long downtimeCapMs = 2000;
        private int downtimeSteps = 5;
        private int escalationDwellIterations = 2;
        private long escalationDwellMs = 2000;
        private boolean throttleAllowed = true;
        private int throttleStepPercent = 20;
        private int maxThrottlePercent = 80;
        private boolean postcopyAllowed = true;
        private boolean suspendAllowed = true;
        private long completionTimeoutSecPerGiB = 120;
        private long completionTimeoutMinSec = 60;
        private int postcopyAfterIterations = 2;
        private double nonConvergenceRatio = 0.9;
        private int stallIterations = 3;
        private int minShrinkPercent = 10;
        private long bandwidthMiBps = 0;
        private Compression compression = null;
        private int parallelConnections = 1;
        private long linkMiBps = 0;
        private long compressBelowLinkMiBps = 128;

        private Builder() {
        }

        private Builder(PolicySettings s) {
            maxDowntimeMs = s.maxDowntimeMs;
            downtimeCapMs = s.downtimeCapMs;
            downtimeSteps = s.downtimeSteps;
            escalationDwellIterations = s.escalationDwellIterations;
            escalationDwellMs = s.escalationDwellMs;
            throttleAllowed = s.throttleAllowed;
            throttleStepPercent = s.throttleStepPercent;
            maxThrottlePercent = s.maxThrottlePercent;
            postcopyAllowed = s.postcopyAllowed;
            suspendAllowed = s.suspendAllowed;
            completionTimeoutSecPerGiB = s.completionTimeoutSecPerGiB;
            completionTimeoutMinSec = s.completionTimeoutMinSec;
            postcopyAfterIterations = s.postcopyAfterIterations;
            nonConvergenceRatio = s.nonConvergenceRatio;
            stallIterations = s.stallIterations;
            minShrinkPercent = s.minShrinkPercent;
            bandwidthMiBps = s.bandwidthMiBps;
            compression = s.compression;
            parallelConnections = s.parallelConnections;
            linkMiBps = s.linkMiBps;
            compressBelowLinkMiBps = s.compressBelowLinkMiBps;
        }

        public Builder maxDowntimeMs(long v) {
            maxDowntimeMs = v;
            return this;
        }

        public Builder downtimeCapMs(long v) {
            downtimeCapMs = v;
            return this;
        }

        public Builder downtimeSteps(int v) {
            downtimeSteps = v;
            return this;
        }

        public Builder escalationDwellIterations(int v) {
            escalationDwellIterations = v;
            return this;
        }

        public Builder escalationDwellMs(long v) {
            escalationDwellMs = v;
            return this;
        }

        public Builder throttleAllowed(boolean v) {
            throttleAllowed = v;
            return this;
        }

        public Builder throttleStepPercent(int v) {
            throttleStepPercent = v;
            return this;
        }

        public Builder maxThrottlePercent(int v) {
            maxThrottlePercent = v;
            return this;
        }

        public Builder postcopyAllowed(boolean v) {
            postcopyAllowed = v;
            return this;
        }

        public Builder suspendAllowed(boolean v) {
            suspendAllowed = v;
            return this;
        }

        public Builder completionTimeoutSecPerGiB(long v) {
            completionTimeoutSecPerGiB = v;
            return this;
        }

        public Builder completionTimeoutMinSec(long v) {
            completionTimeoutMinSec = v;
            return this;
        }

        public Builder postcopyAfterIterations(int v) {
            postcopyAfterIterations = v;
            return this;
        }

        public Builder nonConvergenceRatio(double v) {
            nonConvergenceRatio = v;
            return this;
        }

        public Builder stallIterations(int v) {
            stallIterations = v;
            return this;
        }

        public Builder minShrinkPercent(int v) {
            minShrinkPercent = v;
            return this;
        }

        public Builder bandwidthMiBps(long v) {
            bandwidthMiBps = v;
            return this;
        }

        public Builder compression(Compression v) {
            compression = v;
            return this;
        }

        public Builder parallelConnections(int v) {
            parallelConnections = v;
            return this;
        }

        public Builder linkMiBps(long v) {
            linkMiBps = v;
            return this;
        }

        public Builder compressBelowLinkMiBps(long v) {
            compressBelowLinkMiBps = v;
            return this;
        }

        public PolicySettings build() {
            return new PolicySettings(maxDowntimeMs, downtimeCapMs, downtimeSteps, escalationDwellIterations,
                    escalationDwellMs, throttleAllowed, throttleStepPercent, maxThrottlePercent, postcopyAllowed,
                    suspendAllowed, completionTimeoutSecPerGiB, completionTimeoutMinSec, postcopyAfterIterations,
                    nonConvergenceRatio, stallIterations, minShrinkPercent, bandwidthMiBps, compression,
                    parallelConnections, linkMiBps, compressBelowLinkMiBps);
        }
    }
}
