package io.livemig.orchestrator.model;

/**
 * One reading of a migration job on its source host, passed on to whoever watches it.
 *
 * @param elapsedMs time since the migration started
 * @param phase where the job is
 * @param iteration pre-copy pass
 * @param bytesProcessed bytes sent so far
 * @param bytesRemaining bytes still to send in this pass
 * @param bytesTotal bytes to send in all
 * @param dirtyRateBytesPerSec rate at which the guest dirties memory
 * @param bandwidthBytesPerSec rate at which memory is sent
 * @param throttlePercent CPU throttle applied to the guest
 * @param expectedDowntimeMs pause expected if it switched over now
 * @param progress how far the migration is by the agent's estimate, 0..1, never lower than at the
 *     reading before; 1 once it succeeded
 * @param etaMs time to the end by the agent's estimate; -1 when the agent cannot tell
 */
public record JobReading(
        long elapsedMs,
        CopyPhase phase,
        long iteration,
        long bytesProcessed,
        long bytesRemaining,
        long bytesTotal,
        long dirtyRateBytesPerSec,
        long bandwidthBytesPerSec,
        int throttlePercent,
        long expectedDowntimeMs,
        double progress,
        long etaMs) {}
