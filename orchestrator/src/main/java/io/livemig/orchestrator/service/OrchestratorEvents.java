package io.livemig.orchestrator.service;

import io.livemig.orchestrator.workflow.MigrationRecord;

/**
 * What the orchestrator tells an observer (the metrics adapter) as it works. Called on the
 * orchestrator's threads, some holding its lock: an implementation must be quick and must not throw.
 */
public interface OrchestratorEvents {

    /** Tells nobody. */
    OrchestratorEvents NONE = new OrchestratorEvents() {};

    /** A migration's record reached its terminal state (succeeded, failed or aborted). */
    default void migrationFinished(MigrationRecord record) {}

    /** A rebalance or drain round was recorded. */
    default void roundRecorded(boolean drain, boolean dryRun) {}

    /**
     * A write to the history failed; {@code storageFull}: its file system is full (else the file is
     * read-only, locked or damaged).
     */
    default void historyWriteFailed(boolean storageFull) {}
}
