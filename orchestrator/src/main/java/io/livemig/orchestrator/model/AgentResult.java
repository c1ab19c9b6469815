package io.livemig.orchestrator.model;

import io.livemig.common.timeline.Phase;
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
 * @param phases the agent's timeline, from its start request received to the result made
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
        String error,
        List<Phase> phases) {

    public AgentResult {
        escalations = List.copyOf(escalations);
        phases = List.copyOf(phases);
    }

    /** A result without a timeline. */
    public AgentResult(RecordState state, TransferMode modeRequested, TransferMode modeUsed,
            List<EscalationStep> escalations, long totalMs, long downtimeMs, long setupMs, long bytesTransferred,
            long memoryBytes, long iterations, long postcopyRequests, String error) {
        this(state, modeRequested, modeUsed, escalations, totalMs, downtimeMs, setupMs, bytesTransferred, memoryBytes,
                iterations, postcopyRequests, error, List.of());
    }
}
