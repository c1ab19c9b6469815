package io.livemig.orchestrator.workflow;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * One migration as the orchestrator tracks and persists it. Immutable: each step of the workflow
 * returns a new record through a transition method, which checks the move against {@link
 * RecordState#canMoveTo} so that a bug or a race in the caller cannot, for example, revive a
 * finished migration.
 *
 * <p>The constructor also enforces what every state implies, so that a record read back from the
 * history is as trustworthy as one built through the transitions: a terminal record has {@code
 * endedAt} and a non-terminal one has not; a RUNNING or SUCCEEDED record has {@code startedAt}
 * and an {@code agentMigrationId}, a REQUESTED or PLANNED one has no {@code startedAt}; from
 * PLANNED on (except after a failure or abort, which may come before planning) there is a
 * target. Instants are truncated to milliseconds, the precision of the history, so that a record
 * compares equal to itself after a round trip.
 *
 * @param target the chosen host; "" until planned (unless the requester named it)
 * @param modeRequested the mode asked for
 * @param origin who asked: "user", "rebalance:&lt;roundId&gt;" or "drain:&lt;host&gt;"
 * @param reason why this target was chosen, one or more lines; "" until planned
 * @param agentMigrationId the source agent's id for it; "" until started
 * @param startedAt null until RUNNING
 * @param endedAt null until terminal
 * @param figures the agent's final figures; {@link Figures#none()} until terminal
 * @param error what went wrong; "" if nothing
 */
public record MigrationRecord(
        String id,
        String vm,
        String source,
        String target,
        TransferMode modeRequested,
        RecordState state,
        String origin,
        String reason,
        String agentMigrationId,
        Instant requestedAt,
        Instant startedAt,
        Instant endedAt,
        Figures figures,
        String error) {

    public MigrationRecord {
        requireText(id, "id");
        requireText(vm, "vm");
        requireText(source, "source");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(modeRequested, "modeRequested");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(agentMigrationId, "agentMigrationId");
        requestedAt = Objects.requireNonNull(requestedAt, "requestedAt").truncatedTo(ChronoUnit.MILLIS);
        startedAt = startedAt == null ? null : startedAt.truncatedTo(ChronoUnit.MILLIS);
        endedAt = endedAt == null ? null : endedAt.truncatedTo(ChronoUnit.MILLIS);
        Objects.requireNonNull(figures, "figures");
        Objects.requireNonNull(error, "error");

        if (state.terminal() != (endedAt != null)) {
            throw invalid(id, state, state.terminal() ? "needs endedAt" : "cannot have endedAt");
        }
        boolean started = state == RecordState.RUNNING || state == RecordState.SUCCEEDED;
        if (started && (startedAt == null || agentMigrationId.isBlank())) {
            throw invalid(id, state, "needs startedAt and agentMigrationId");
        }
        boolean queued = state == RecordState.REQUESTED || state == RecordState.PLANNED;
        if (queued && startedAt != null) {
            throw invalid(id, state, "cannot have startedAt");
        }
        if ((started || state == RecordState.PLANNED) && target.isBlank()) {
            throw invalid(id, state, "needs a target");
        }
    }

    /** A new migration, not planned yet. {@code target} is "" unless the requester named one. */
    public static MigrationRecord requested(String id, String vm, String source, String target,
            TransferMode modeRequested, String origin, Instant at) {
        return new MigrationRecord(id, vm, source, target, modeRequested, RecordState.REQUESTED,
                origin, "", "", at, null, null, Figures.none(), "");
    }

    /** True once the migration can no longer change state. */
    public boolean terminal() {
        return state.terminal();
    }

    /** REQUESTED -&gt; PLANNED: the target was chosen, for {@code reason}. */
    public MigrationRecord planned(String target, String reason) {
        check(RecordState.PLANNED);
        requireText(target, "target");
        return new MigrationRecord(id, vm, source, target, modeRequested, RecordState.PLANNED,
                origin, Objects.requireNonNull(reason, "reason"), agentMigrationId, requestedAt,
                null, null, figures, error);
    }

    /**
     * PLANNED, from another source: the VM was found on {@code source} when the migration was to
     * start (another tool moved it since the orchestrator last looked). The reason says so.
     */
    public MigrationRecord fromSource(String source) {
        if (state != RecordState.PLANNED) {
            throw invalid(id, state, "only a planned migration can change its source");
        }
        requireText(source, "source");
        String moved = "found on " + source + " instead of " + this.source + " when it was to start";
        return new MigrationRecord(id, vm, source, target, modeRequested, state, origin,
                reason.isBlank() ? moved : reason + "; " + moved, agentMigrationId, requestedAt, null, null, figures,
                error);
    }

    /** PLANNED -&gt; RUNNING: the source agent accepted it as {@code agentMigrationId}. */
    public MigrationRecord running(String agentMigrationId, Instant at) {
        check(RecordState.RUNNING);
        requireText(agentMigrationId, "agentMigrationId");
        return new MigrationRecord(id, vm, source, target, modeRequested, RecordState.RUNNING,
                origin, reason, agentMigrationId, requestedAt, Objects.requireNonNull(at, "at"), null,
                figures, error);
    }

    /** RUNNING -&gt; SUCCEEDED with the agent's final figures. */
    public MigrationRecord succeeded(Figures f, Instant at) {
        return end(RecordState.SUCCEEDED, f, "", at);
    }

    /** Any non-terminal state -&gt; FAILED, with what went wrong and whatever figures are known. */
    public MigrationRecord failed(String error, Figures f, Instant at) {
        return end(RecordState.FAILED, f, error, at);
    }

    /** Any non-terminal state -&gt; ABORTED (cancelled, or aborted by the agent). */
    public MigrationRecord aborted(String error, Figures f, Instant at) {
        return end(RecordState.ABORTED, f, error, at);
    }

    /**
     * Moves to the terminal {@code state} given by, e.g., a {@link Resolution.Finish}: the same as
     * {@link #succeeded} (which records no error, so {@code error} is ignored), {@link #failed}
     * or {@link #aborted}.
     *
     * @throws IllegalArgumentException if {@code state} is not terminal
     */
    public MigrationRecord finished(RecordState state, Figures f, String error, Instant at) {
        if (!Objects.requireNonNull(state, "state").terminal()) {
            throw new IllegalArgumentException("migration " + id + ": " + state + " is not terminal");
        }
        return end(state, f, state == RecordState.SUCCEEDED ? "" : error, at);
    }

    private MigrationRecord end(RecordState next, Figures f, String error, Instant at) {
        check(next);
        return new MigrationRecord(id, vm, source, target, modeRequested, next, origin, reason,
                agentMigrationId, requestedAt, startedAt, Objects.requireNonNull(at, "at"),
                Objects.requireNonNull(f, "figures"), Objects.requireNonNull(error, "error"));
    }

    private void check(RecordState next) {
        if (!state.canMoveTo(next)) {
            throw new IllegalStateException(
                    "migration " + id + ": cannot go from " + state + " to " + next);
        }
    }

    private static void requireText(String value, String name) {
        if (Objects.requireNonNull(value, name).isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }

    private static IllegalArgumentException invalid(String id, RecordState state, String what) {
        return new IllegalArgumentException("migration " + id + ": a " + state + " record " + what);
    }
}
