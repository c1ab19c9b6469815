package io.livemig.common.predict;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What the predictor knows about a VM and the migration it would get.
 *
 * @param memoryBytes         the guest's memory, M
 * @param nonZeroBytes        the part of it that is not zero pages, N (&lt;= M); when not known,
 *                            {@link Figure#estimated} M, the worst case
 * @param dirtyRateBytesPerS  how fast the guest dirties memory, D
 * @param workingSetBytes     the memory it keeps rewriting, W (&lt;= M): what a pass can at most
 *                            find dirty; when not known, estimated as M (no bound)
 * @param linkBytesPerS       the rate the migration would get on the link now, B (its share of
 *                            the link when other transfers use it), &gt; 0
 * @param allowedDowntimeMs   how long the guest may be paused at the end of pre-copy, T
 * @param compression         compression of the stream
 * @param parallelConnections streams the migration uses, &gt;= 1; recorded but not counted: they do
 *                            not raise B (see the package description)
 * @param postcopyAllowed     whether post-copy may be used (the VM and the caller permit it)
 * @param auto                the steps AUTO would take
 */
public record PredictionInputs(
        long memoryBytes,
        Figure nonZeroBytes,
        Figure dirtyRateBytesPerS,
        Figure workingSetBytes,
        long linkBytesPerS,
        long allowedDowntimeMs,
        Compression compression,
        int parallelConnections,
        boolean postcopyAllowed,
        AutoLadder auto) {

    /** The inputs that can be only estimated, for {@link Prediction#estimated()}. */
    public enum Input {
        NON_ZERO_MEMORY,
        DIRTY_RATE,
        WORKING_SET,
        COMPRESSION_RATIO
    }

    public PredictionInputs {
        Objects.requireNonNull(nonZeroBytes, "nonZeroBytes");
        Objects.requireNonNull(dirtyRateBytesPerS, "dirtyRateBytesPerS");
        Objects.requireNonNull(workingSetBytes, "workingSetBytes");
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(auto, "auto");
        if (memoryBytes <= 0) {
            throw new IllegalArgumentException("memory must be > 0, got " + memoryBytes);
        }
        if (nonZeroBytes.value() > memoryBytes || workingSetBytes.value() > memoryBytes) {
            throw new IllegalArgumentException("non-zero memory (" + nonZeroBytes.value() + ") and working set ("
                    + workingSetBytes.value() + ") cannot exceed memory (" + memoryBytes + ")");
        }
        if (linkBytesPerS <= 0) {
            throw new IllegalArgumentException("the link rate must be > 0, got " + linkBytesPerS);
        }
        if (allowedDowntimeMs < 0) {
            throw new IllegalArgumentException("the allowed downtime must be >= 0, got " + allowedDowntimeMs);
        }
        if (parallelConnections < 1) {
            throw new IllegalArgumentException("parallel connections must be >= 1, got " + parallelConnections);
        }
    }

    /**
     * Starts inputs with what every prediction needs; non-zero memory and working set start as
     * estimated (= memory), no compression, one connection, post-copy allowed.
     */
    public static Builder builder(long memoryBytes, Figure dirtyRateBytesPerS, long linkBytesPerS,
            long allowedDowntimeMs, AutoLadder auto) {
        return new Builder(memoryBytes, dirtyRateBytesPerS, linkBytesPerS, allowedDowntimeMs, auto);
    }

    /** The inputs that were only estimated. */
    public Set<Input> estimated() {
        Set<Input> set = EnumSet.noneOf(Input.class);
        if (nonZeroBytes.isEstimated()) {
            set.add(Input.NON_ZERO_MEMORY);
        }
        if (dirtyRateBytesPerS.isEstimated()) {
            set.add(Input.DIRTY_RATE);
        }
        if (workingSetBytes.isEstimated()) {
            set.add(Input.WORKING_SET);
        }
        if (compression.isEstimated()) {
            set.add(Input.COMPRESSION_RATIO);
        }
        return set;
    }

    /** Builds {@link PredictionInputs}. */
    public static final class Builder {
        private final long memoryBytes;
        private final Figure dirtyRate;
        private final long linkBytesPerS;
        private final long allowedDowntimeMs;
        private final AutoLadder auto;
        private Figure nonZero;
        private Figure workingSet;
        private Compression compression = Compression.none();
        private int parallelConnections = 1;
        private boolean postcopyAllowed = true;

        private Builder(long memoryBytes, Figure dirtyRate, long linkBytesPerS, long allowedDowntimeMs, AutoLadder auto) {
            this.memoryBytes = memoryBytes;
            this.dirtyRate = dirtyRate;
            this.linkBytesPerS = linkBytesPerS;
            this.allowedDowntimeMs = allowedDowntimeMs;
            this.auto = auto;
            this.nonZero = Figure.estimated(Math.max(0, memoryBytes));
            this.workingSet = Figure.estimated(Math.max(0, memoryBytes));
        }

        public Builder nonZero(Figure value) {
            this.nonZero = value;
            return this;
        }

        public Builder workingSet(Figure value) {
            this.workingSet = value;
            return this;
        }

        public Builder compression(Compression value) {
            this.compression = value;
            return this;
        }

        public Builder parallelConnections(int value) {
            this.parallelConnections = value;
            return this;
        }

        public Builder postcopyAllowed(boolean value) {
            this.postcopyAllowed = value;
            return this;
        }

        public PredictionInputs build() {
            return new PredictionInputs(memoryBytes, nonZero, dirtyRate, workingSet, linkBytesPerS, allowedDowntimeMs,
                    compression, parallelConnections, postcopyAllowed, auto);
        }
    }
}
