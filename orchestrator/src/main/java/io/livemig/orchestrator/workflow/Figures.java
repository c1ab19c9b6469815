package io.livemig.orchestrator.workflow;

import io.livemig.common.timeline.Phase;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The figures the source agent reports when a migration ends, as the orchestrator keeps them in
 * its history. A migration that never ran, or whose agent forgot it, has {@link #none()}.
 *
 * @param totalMs wall time from start to the VM running on the target
 * @param downtimeMs time the guest was paused
 * @param setupMs time before the first byte of memory was sent
 * @param memoryBytes guest memory size
 * @param bytesTransferred bytes sent over the wire, all passes included
 * @param iterations pre-copy passes
 * @param postcopyRequests pages the target requested after switching to post-copy
 * @param modeUsed the mode that finally completed it (e.g. precopy for auto); empty if unknown
 * @param escalations what the agent did to make it converge, one entry each, with its reason
 * @param phases the migration's timeline, from the request received to the end recorded, the
 *     source agent's phases in their place; empty when not known (e.g. reconciled after a restart)
 */
public record Figures(
        long totalMs,
        long downtimeMs,
        long setupMs,
        long memoryBytes,
        long bytesTransferred,
        int iterations,
        int postcopyRequests,
        Optional<TransferMode> modeUsed,
        List<String> escalations,
        List<Phase> phases) {

    private static final Figures NONE = new Figures(0, 0, 0, 0, 0, 0, 0, Optional.empty(), List.of());

    public Figures {
        Objects.requireNonNull(modeUsed, "modeUsed");
        escalations = List.copyOf(escalations);
        phases = List.copyOf(phases);
    }

    /** Figures without a timeline. */
    public Figures(long totalMs, long downtimeMs, long setupMs, long memoryBytes, long bytesTransferred, int iterations,
            int postcopyRequests, Optional<TransferMode> modeUsed, List<String> escalations) {
        this(totalMs, downtimeMs, setupMs, memoryBytes, bytesTransferred, iterations, postcopyRequests, modeUsed,
                escalations, List.of());
    }

    /** The same figures with {@code timeline} as their phases. */
    public Figures withPhases(List<Phase> timeline) {
        return new Figures(totalMs, downtimeMs, setupMs, memoryBytes, bytesTransferred, iterations, postcopyRequests,
                modeUsed, escalations, timeline);
    }

    /** All zero, no mode, no escalation: nothing is known. */
    public static Figures none() {
        return NONE;
    }
}
