package io.livemig.common.predict;

import java.util.List;
import java.util.Objects;

/**
 * How far a migration is and when it will end, as {@link ProgressEstimator} saw it at one sample.
 *
 * @param fraction       done / (done + still to send), in [0, 1], never lower than at the sample
 *                       before
 * @param etaMs          time to the end by the model from this sample's figures; -1 when the
 *                       model says pre-copy will not end by itself
 * @param remainingBytes bytes the model says are still to put on the wire (those of the first
 *                       {@value MigrationPredictor#MAX_PASSES} passes from now when it will not end)
 * @param basis          one line: what the estimate rests on
 * @param track          what the estimator carries to the next sample; pass it back untouched
 */
public record Progress(double fraction, long etaMs, long remainingBytes, String basis, Track track) {

    public Progress {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("fraction must be in [0, 1], got " + fraction);
        }
        Objects.requireNonNull(basis, "basis");
        Objects.requireNonNull(track, "track");
    }

    /** Whether the model can say when it ends. */
    public boolean hasEta() {
        return etaMs >= 0;
    }

    /**
     * What {@link ProgressEstimator} keeps between samples.
     *
     * @param iteration     the memory iteration of the last sample
     * @param passStartedMs when that iteration was first seen
     * @param passBytes     at most what that iteration started with: what was left at its first
     *                      sample plus all sent since the sample before (from the second pass on,
     *                      about what the pass before it left dirty)
     * @param passLeast     at least what that iteration started with: what was left at its first sample
     * @param largestBefore the largest {@code passLeast} of the passes before that one, from the
     *                      second on (0 if none): at least that much is rewritten
     * @param recent        recent samples, oldest first, to measure the transfer rate over
     */
    public record Track(long iteration, long passStartedMs, long passBytes, long passLeast, long largestBefore,
            List<Point> recent) {

        static final Track NONE = new Track(-1, 0, 0, 0, 0, List.of());

        public Track {
            recent = List.copyOf(recent);
        }
    }

    /** Bytes put on the wire by a moment of the job. */
    public record Point(long elapsedMs, long processedBytes) {}
}
