package io.livemig.agent.core.policy;

/**
 * What the job looked like at the start of one pass over memory: the first sample that showed
 * this iteration. Right after QEMU's dirty-bitmap sync, "remaining" is what the guest dirtied
 * during the previous pass, which is the quantity pre-copy has to beat.
 *
 * @param iteration              libvirt's memory iteration
 * @param atElapsedMs            when it was seen, since the migration started
 * @param remainingBytes         bytes still to send
 * @param dirtyRateBytesPerSec   how fast the guest dirties memory, {@link #UNKNOWN} if not reported
 * @param bandwidthBytesPerSec   transfer rate, {@link #UNKNOWN} if not reported
 */
public record IterationStats(
        long iteration,
        long atElapsedMs,
        long remainingBytes,
        long dirtyRateBytesPerSec,
        long bandwidthBytesPerSec) {

    /** A rate libvirt did not report. */
    public static final long UNKNOWN = -1;

    public IterationStats {
        if (remainingBytes < 0) {
            throw new IllegalArgumentException("remainingBytes must be >= 0: " + remainingBytes);
        }
        dirtyRateBytesPerSec = Math.max(UNKNOWN, dirtyRateBytesPerSec);
        bandwidthBytesPerSec = Math.max(UNKNOWN, bandwidthBytesPerSec);
    }

    public boolean hasDirtyRate() {
        return dirtyRateBytesPerSec >= 0;
    }

    /** A transfer rate of 0 is as useless as none: nothing can be predicted from it. */
    public boolean hasBandwidth() {
        return bandwidthBytesPerSec > 0;
    }
}
