package io.livemig.agent.core.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The phase of one migration, moved only along {@link CopyPhase#LEGAL} (Apache Ratis'
 * LifeCycle, in small). Thread-safe: the monitor moves it, other threads read it.
 */
public final class MigrationLifecycle {

    /** One move, for the flight record. */
    public record Transition(CopyPhase from, CopyPhase to, long atElapsedMs) {
    }

    private CopyPhase current = CopyPhase.SETUP;
    private final List<Transition> transitions = new ArrayList<>();

    public synchronized CopyPhase current() {
        return current;
    }

    /**
     * Moves to {@code next}.
     *
     * @throws IllegalStateException when the table does not allow it; the phase is unchanged
     */
    public synchronized Transition moveTo(CopyPhase next, long atElapsedMs) {
        Objects.requireNonNull(next, "next");
        if (!current.canMoveTo(next)) {
            throw new IllegalStateException("illegal migration phase change " + current + " -> " + next);
        }
        Transition t = new Transition(current, next, atElapsedMs);
        transitions.add(t);
        current = next;
        return t;
    }

    public synchronized List<Transition> transitions() {
        return List.copyOf(transitions);
    }
}
