package io.livemig.orchestrator.workflow;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Records in every state, for tests. */
final class Records {
    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    static final Figures FIGURES = new Figures(802, 185, 8, 256L << 20, 141L << 20, 3, 0,
            Optional.of(TransferMode.PRECOPY), List.of("raised downtime to 300 ms: pass 3 did not converge"));

    private Records() {}

    static MigrationRecord requested(String id) {
        return MigrationRecord.requested(id, "demo", "lab-a", "", TransferMode.AUTO, "user", T0);
    }

    /** A record of {@code id} in {@code state}, reached through the legal transitions. */
    static MigrationRecord in(RecordState state, String id) {
        MigrationRecord r = requested(id);
        switch (state) {
            case REQUESTED:
                return r;
            case PLANNED:
                return r.planned("lab-b", "least loaded");
            case RUNNING:
                return in(RecordState.PLANNED, id).running("agent-7", T0.plusSeconds(1));
            case SUCCEEDED:
                return in(RecordState.RUNNING, id).succeeded(FIGURES, T0.plusSeconds(2));
            case FAILED:
                return in(RecordState.RUNNING, id).failed("link down", FIGURES, T0.plusSeconds(2));
            case ABORTED:
                return in(RecordState.RUNNING, id).aborted("cancelled", FIGURES, T0.plusSeconds(2));
            default:
                throw new AssertionError(state);
        }
    }

    /** A PLANNED record of {@code vm} from {@code source} to {@code target}. */
    static MigrationRecord planned(
            String id, String vm, String source, String target, long requestedAtSec) {
        return MigrationRecord.requested(id, vm, source, "", TransferMode.AUTO, "user",
                T0.plusSeconds(requestedAtSec)).planned(target, "test");
    }

    /** A RUNNING record of {@code vm} from {@code source} to {@code target}. */
    static MigrationRecord running(String id, String vm, String source, String target) {
        return planned(id, vm, source, target, 0).running("agent-" + id, T0.plusSeconds(1));
    }
}
