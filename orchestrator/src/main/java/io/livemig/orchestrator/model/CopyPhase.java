package io.livemig.orchestrator.model;

/** Where a running migration job is; UNKNOWN when the agent did not say. */
public enum CopyPhase {
    UNKNOWN,
    SETUP,
    PRECOPY,
    STOPCOPY,
    POSTCOPY,
    SUSPENDED,
    COMPLETED,
    FAILED,
    CANCELLED
}
