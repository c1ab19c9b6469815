package io.livemig.agent.service;

import io.livemig.common.timeline.Phase;
import java.util.List;

/** What a watcher sees of one migration: its latest sample, all samples, and the result once ended. */
public record MigrationView(
        long version,
        String id,
        String vmName,
        String sourceHost,
        String targetHost,
        Status status,
        Sample latest,
        List<Sample> samples,
        Result result) {

    public enum Status { RUNNING, SUCCEEDED, FAILED, ABORTED }

    /**
     * One flight-recorder sample, with the migration's progress as estimated from it.
     *
     * @param progress 0..1, never lower than at the sample before; 1 once the migration succeeded
     * @param etaMs    time to the end by the estimate, -1 when it cannot tell; 0 once succeeded
     */
    public record Sample(
            long elapsedMs,
            String phase,
            long iteration,
            long bytesProcessed,
            long bytesRemaining,
            long bytesTotal,
            long dirtyRateBytesPerS,
            long bandwidthBytesPerS,
            int throttlePercent,
            long expectedDowntimeMs,
            double progress,
            long etaMs) {

        /** This sample as the last one of a migration that ended: done when it succeeded, no ETA. */
        Sample ended(Status status) {
            boolean done = status == Status.SUCCEEDED;
            return new Sample(elapsedMs, phase, iteration, bytesProcessed, bytesRemaining, bytesTotal,
                    dirtyRateBytesPerS, bandwidthBytesPerS, throttlePercent, expectedDowntimeMs,
                    done ? 1 : progress, done ? 0 : -1);
        }
    }

    /** An escalation or timeout rule applied, and why. */
    public record Step(long atMs, long iteration, String kind, String value, String reason) {}

    public record Result(
            Status status,
            String modeRequested,
            String modeUsed,
            List<Step> escalations,
            long totalMs,
            long downtimeMs,
            long setupMs,
            long bytesTransferred,
            long memoryBytes,
            long iterations,
            long postcopyRequests,
            String error,
            List<Phase> phases) {

        public Result {
            phases = List.copyOf(phases);
        }
    }

    public boolean ended() {
        return result != null;
    }
}
