package io.livemig.orchestrator.workflow;

import java.util.Objects;

/** What the {@link Reconciler} decided for one unfinished migration after a restart. */
public sealed interface Resolution permits Resolution.Keep, Resolution.Finish, Resolution.Requeue {

    /** The agent is still running it: keep the record RUNNING and watch it again. */
    record Keep() implements Resolution {}

    /**
     * Record the terminal {@code state} (e.g. through {@link MigrationRecord#finished}).
     *
     * @param error "" for SUCCEEDED; otherwise why it failed or was aborted
     */
    record Finish(RecordState state, Figures figures, String error) implements Resolution {
        public Finish {
            if (!Objects.requireNonNull(state, "state").terminal()) {
                throw new IllegalArgumentException("Finish needs a terminal state, not " + state);
            }
            Objects.requireNonNull(figures, "figures");
            Objects.requireNonNull(error, "error");
        }
    }

    /** Never started and the VM is still where it was: put the record back in the queue as is. */
    record Requeue() implements Resolution {}
}
