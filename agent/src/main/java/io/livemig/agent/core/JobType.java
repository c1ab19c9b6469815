package io.livemig.agent.core;

/**
 * libvirt's {@code virDomainJobType}. Decoded from the raw number because libvirt-java's own
 * {@code Domain.JobType} constants are bit flags and do not match what libvirt returns.
 */
public enum JobType {
    /** No job is active. */
    NONE,
    /** Job with a finite completion time. */
    BOUNDED,
    /** Job without a finite completion time; migrations are of this kind. */
    UNBOUNDED,
    /** Job has finished, but is not cleaned up yet. */
    COMPLETED,
    /** Job hit an error. */
    FAILED,
    /** Job was aborted. */
    CANCELLED,
    /** A value this code does not know (a newer libvirt). */
    UNKNOWN;

    /** Maps libvirt's raw value (VIR_DOMAIN_JOB_NONE = 0 ... VIR_DOMAIN_JOB_CANCELLED = 5). */
    public static JobType fromLibvirt(int raw) {
        return switch (raw) {
            case 0 -> NONE;
            case 1 -> BOUNDED;
            case 2 -> UNBOUNDED;
            case 3 -> COMPLETED;
            case 4 -> FAILED;
            case 5 -> CANCELLED;
            default -> UNKNOWN;
        };
    }

    /** True while the job is still running. */
    public boolean isActive() {
        return this == BOUNDED || this == UNBOUNDED;
    }
}
