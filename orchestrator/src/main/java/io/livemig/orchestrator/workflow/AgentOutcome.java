package io.livemig.orchestrator.workflow;

import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * What a source agent still knows about one of its migrations, as the {@link Reconciler} needs
 * it after an orchestrator restart.
 *
 * @param status "running", "succeeded", "failed" or "aborted" (any case; kept lower case)
 * @param figures the final figures, {@link Figures#none()} while running
 * @param error the agent's error; "" if none
 */
public record AgentOutcome(String status, Figures figures, String error) {
    /** The statuses an agent reports. */
    public static final Set<String> STATUSES = Set.of("running", "succeeded", "failed", "aborted");

    public AgentOutcome {
        status = Objects.requireNonNull(status, "status").strip().toLowerCase(Locale.ROOT);
        if (!STATUSES.contains(status)) {
            throw new IllegalArgumentException(
                    "unknown agent migration status '" + status
                            + "'; valid statuses: running, succeeded, failed, aborted");
        }
        Objects.requireNonNull(figures, "figures");
        Objects.requireNonNull(error, "error");
    }

    /** The agent is still migrating. */
    public static AgentOutcome running() {
        return new AgentOutcome("running", Figures.none(), "");
    }
}
