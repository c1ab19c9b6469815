package io.livemig.agent.core.policy;

/**
 * What {@link ConvergencePredictor} expects of pre-copy, with the measurements behind it.
 *
 * @param verdict                 whether pre-copy gets there
 * @param dirtyToBandwidthRatio   r = dirty rate / bandwidth, NaN when unknown
 * @param remainingBytes          bytes left at the start of the latest pass
 * @param bandwidthBytesPerSec    the transfer rate used, 0 when unknown
 * @param expectedDowntimeMs      remaining / bandwidth: the pause needed to send the rest now; -1 when unknown
 * @param targetBytes             bandwidth * allowed downtime: what QEMU can send while paused
 * @param predictedPasses         passes until remaining <= target by the geometric model
 *                                remaining(n+1) = remaining(n) * r; 0 when already there, -1 when never or unknown
 * @param reason                  the verdict in words, with the numbers
 */
public record Prediction(
        Verdict verdict,
        double dirtyToBandwidthRatio,
        long remainingBytes,
        long bandwidthBytesPerSec,
        long expectedDowntimeMs,
        long targetBytes,
        int predictedPasses,
        String reason) {

    /** Whether pre-copy will get the remaining bytes below what fits in the allowed downtime. */
    public enum Verdict {
        /** It will, by the measurements so far. */
        CONVERGING,
        /** It will not: the guest dirties memory about as fast as it is sent, or remaining stopped shrinking. */
        NOT_CONVERGING,
        /** Not enough measurements yet (e.g. still in the first pass). */
        UNKNOWN
    }

    static Prediction unknown(String reason) {
        return new Prediction(Verdict.UNKNOWN, Double.NaN, 0, 0, -1, 0, -1, reason);
    }
}
