package io.livemig.orchestrator.model;

import io.livemig.orchestrator.workflow.RecordState;
import java.util.List;

/**
 * What a source agent says of one of its migrations: while it runs, the latest reading; at its
 * end, the result.
 *
 * @param agentMigrationId the agent's id of the migration
 * @param vm the VM migrated
 * @param sourceHost the source host's name, as the agent knows it
 * @param targetHost the target host's name, as the agent knows it
 * @param state RUNNING, or how it ended
 * @param reading the latest reading; null when none
 * @param result how it ended; null while it runs
 * @param readings the readings kept over the migration (the agent sends them with the end)
 */
public record AgentProgress(
        String agentMigrationId,
        String vm,
        String sourceHost,
        String targetHost,
        RecordState state,
        JobReading reading,
        AgentResult result,
        List<JobReading> readings) {

    public AgentProgress {
        readings = List.copyOf(readings);
    }

    /** Still migrating: no result yet, or the agent says it runs. */
    public boolean running() {
        return result == null || state == RecordState.RUNNING;
    }
}
