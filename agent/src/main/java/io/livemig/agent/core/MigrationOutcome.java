package io.livemig.agent.core;

/**
 * The outcome of one migration. Figures libvirt did not report are null.
 *
 * @param status           how the migration ended
 * @param totalTimeMs      from the start of the job to its end
 * @param downtimeMs       time the guest was paused, measured by the hypervisor
 * @param setupTimeMs      time before the first pass over memory
 * @param bytesTransferred bytes sent, including memory sent more than once
 * @param memoryBytes      guest memory size
 * @param iterations       passes over guest memory as libvirt counts them
 * @param postcopyRequests pages the destination requested during post-copy
 * @param error            why it failed, null on success
 * @param origin           where the figures come from
 */
public record MigrationOutcome(
        OutcomeStatus status,
        long totalTimeMs,
        Long downtimeMs,
        Long setupTimeMs,
        Long bytesTransferred,
        Long memoryBytes,
        Long iterations,
        Long postcopyRequests,
        String error,
        StatsOrigin origin) {

    public MigrationOutcome {
        if (status == null || origin == null) {
            throw new IllegalArgumentException("status and origin are required");
        }
        if (totalTimeMs < 0) {
            throw new IllegalArgumentException("totalTimeMs must be >= 0: " + totalTimeMs);
        }
    }

    public boolean succeeded() {
        return status == OutcomeStatus.COMPLETED;
    }
}
