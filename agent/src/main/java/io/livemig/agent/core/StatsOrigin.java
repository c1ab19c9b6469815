package io.livemig.agent.core;

/**
 * Where the figures of a {@link MigrationOutcome} come from. Completed-job statistics are exact;
 * the last progress sample is what is left when libvirt no longer has them (e.g. after a
 * post-copy migration, or when the source domain is gone).
 */
public enum StatsOrigin {
    /** virDomainGetJobStats(COMPLETED) on the destination domain. */
    DESTINATION_COMPLETED_JOB,
    /** virDomainGetJobStats(COMPLETED) on the source domain. */
    SOURCE_COMPLETED_JOB,
    /** The last sample polled while the job ran, with the total time measured by the caller. */
    LAST_PROGRESS_SAMPLE,
    /** No statistics at all (the job failed before libvirt reported any). */
    NONE
}
