package io.livemig.orchestrator.model;

import io.livemig.orchestrator.workflow.RecordState;
import io.livemig.orchestrator.workflow.TransferMode;
import java.util.List;

/**
 * How a migration ended, as its source agent reports it.
 *
 * @param state SUCCEEDED, FAILED or ABORTED
 * @param modeRequested the mode asked for; null when the agent did not say
 * @param modeUsed the mode that finished it; null when the agent did not say
 * @param escalations what the agent did to make it converge
 * @param totalMs wall time from start to the VM running on the target
 * @param downtimeMs time the guest was paused
 * @param setupMs time before the first byte of memory was sent
 * @param bytesTransferred bytes sent, all passes included
 * @param memoryBytes guest memory
 * @param iterations pre-copy passes
 * @param postcopyRequests pages the target asked for after switching to post-copy
 * @param error the agent's error; "" if none
 */
public record AgentResult(
        RecordState state,
        TransferMode modeRequested,
        TransferMode modeUsed,
        List<EscalationStep> escalations,
        long totalMs,
        long downtimeMs,
        long setupMs,
        long bytesTransferred,
        long memoryBytes,
        long iterations,
        long postcopyRequests,
        String error) {

    public AgentResult {
        escalations = List.copyOf(escalations);
    }
}
