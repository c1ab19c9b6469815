package io.livemig.agent.core.policy;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Where a migration is, as the monitor sees it, with the explicit table of legal moves
 * ({@link #LEGAL}), checked by {@link MigrationLifecycle}.
 */
public enum CopyPhase {
    /** Started, no statistics seen yet. */
    SETUP,
    /** Copying memory while the guest runs on the source. */
    PRECOPY,
    /** Copying memory while the guest is paused (non-live migration). */
    STOPCOPY,
    /** The guest runs on the destination and pulls the pages it misses; no way back. */
    POSTCOPY,
    /** The guest was paused on the source to let the copy finish. */
    SUSPENDED,
    /** The guest runs on the destination. */
    COMPLETED,
    /** The migration failed; the guest should run on the source (unless it failed in post-copy). */
    FAILED,
    /** The migration was aborted; the guest runs on the source. */
    CANCELLED;

    /**
     * Legal moves. Notable absences: nothing leaves a terminal phase; POSTCOPY cannot be
     * CANCELLED (the destination already owns the guest); SUSPENDED cannot go back to copying
     * live. SETUP may end directly because a small guest can finish before the first sample.
     */
    public static final Map<CopyPhase, Set<CopyPhase>> LEGAL = legalMoves();

    private static Map<CopyPhase, Set<CopyPhase>> legalMoves() {
        EnumMap<CopyPhase, Set<CopyPhase>> m = new EnumMap<>(CopyPhase.class);
        m.put(SETUP, EnumSet.of(PRECOPY, STOPCOPY, COMPLETED, FAILED, CANCELLED));
        m.put(PRECOPY, EnumSet.of(POSTCOPY, SUSPENDED, COMPLETED, FAILED, CANCELLED));
        m.put(STOPCOPY, EnumSet.of(COMPLETED, FAILED, CANCELLED));
        m.put(POSTCOPY, EnumSet.of(COMPLETED, FAILED));
        m.put(SUSPENDED, EnumSet.of(COMPLETED, FAILED, CANCELLED));
        m.put(COMPLETED, EnumSet.noneOf(CopyPhase.class));
        m.put(FAILED, EnumSet.noneOf(CopyPhase.class));
        m.put(CANCELLED, EnumSet.noneOf(CopyPhase.class));
        m.replaceAll((k, v) -> Collections.unmodifiableSet(v));
        return Collections.unmodifiableMap(m);
    }

    public boolean canMoveTo(CopyPhase next) {
        return LEGAL.get(this).contains(next);
    }

    public boolean isTerminal() {
        return LEGAL.get(this).isEmpty();
    }
}
