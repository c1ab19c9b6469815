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

    /** One flight-recorder sample. */
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
            long expectedDowntimeMs) {}

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
