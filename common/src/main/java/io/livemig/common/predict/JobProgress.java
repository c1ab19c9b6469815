package io.livemig.common.predict;

/**
 * One sample of a running migration job, as the hypervisor reports it.
 *
 * @param elapsedMs          since the job started
 * @param dataProcessedBytes bytes put on the wire so far
 * @param dataRemainingBytes memory still to send in the pass under way (after post-copy started:
 *                           still to pull), counted in whole pages, zero pages included
 * @param dirtyRateBytesPerS the job's dirty rate, {@link #UNKNOWN} if not reported; QEMU measures
 *                           it at each pass's start, so in the first pass it says nothing
 * @param iteration          libvirt's memory iteration: 1 during the first pass, 0 before it
 * @param postcopyActive     whether the guest already runs on the destination
 */
public record JobProgress(long elapsedMs, long dataProcessedBytes, long dataRemainingBytes, long dirtyRateBytesPerS,
        long iteration, boolean postcopyActive) {

    /** A rate the job did not report. */
    public static final long UNKNOWN = -1;

    public JobProgress {
        if (elapsedMs < 0 || dataProcessedBytes < 0 || dataRemainingBytes < 0 || iteration < 0) {
            throw new IllegalArgumentException("time, bytes and iteration must be >= 0");
        }
        dirtyRateBytesPerS = Math.max(UNKNOWN, dirtyRateBytesPerS);
    }
}
