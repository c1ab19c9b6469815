package io.livemig.agent.core;

/** How a migration ended. */
public enum OutcomeStatus {
    /** The VM runs on the destination. */
    COMPLETED,
    /** The migration failed; the VM should still run on the source. */
    FAILED,
    /** The migration was aborted; the VM should still run on the source. */
    CANCELLED
}
