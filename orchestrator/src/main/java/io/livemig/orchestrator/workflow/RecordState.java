package io.livemig.orchestrator.workflow;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Where a migration is in its life. The legal moves are an explicit table rather than an order
 * on the constants, so that adding a state later cannot silently make a new move legal:
 *
 * <pre>
 * REQUESTED -&gt; PLANNED | FAILED | ABORTED   (a target was chosen, none could be, or cancelled)
 * PLANNED   -&gt; RUNNING | FAILED | ABORTED   (the source agent started it, refused, or cancelled)
 * RUNNING   -&gt; SUCCEEDED | FAILED | ABORTED (the agent's final outcome)
 * SUCCEEDED, FAILED, ABORTED: terminal, they go nowhere
 * </pre>
 */
public enum RecordState {
    /** Asked for (by a user, a rebalance round or a drain); no target chosen yet. */
    REQUESTED,
    /** Target chosen; waiting in the admission queue for a free slot. */
    PLANNED,
    /** Started on the source agent, which knows it by its own migration id. */
    RUNNING,
    /** The VM runs on the target. */
    SUCCEEDED,
    /** Could not be planned, started or completed. */
    FAILED,
    /** Cancelled by a user, or aborted by the agent (e.g. past its completion timeout). */
    ABORTED;

    private static final Map<RecordState, Set<RecordState>> NEXT;

    static {
        Map<RecordState, Set<RecordState>> next = new EnumMap<>(RecordState.class);
        next.put(REQUESTED, EnumSet.of(PLANNED, FAILED, ABORTED));
        next.put(PLANNED, EnumSet.of(RUNNING, FAILED, ABORTED));
        next.put(RUNNING, EnumSet.of(SUCCEEDED, FAILED, ABORTED));
        next.put(SUCCEEDED, EnumSet.noneOf(RecordState.class));
        next.put(FAILED, EnumSet.noneOf(RecordState.class));
        next.put(ABORTED, EnumSet.noneOf(RecordState.class));
        for (RecordState s : values()) {
            next.put(s, Collections.unmodifiableSet(next.get(s)));
        }
        NEXT = Collections.unmodifiableMap(next);
    }

    /** True for the states a migration never leaves. */
    public boolean terminal() {
        return NEXT.get(this).isEmpty();
    }

    /** Whether the transition table allows going from this state to {@code next} (never to itself). */
    public boolean canMoveTo(RecordState next) {
        return NEXT.get(this).contains(Objects.requireNonNull(next, "next"));
    }

    /** The states this one may move to, unmodifiable; empty for terminal states. */
    public Set<RecordState> successors() {
        return NEXT.get(this);
    }

    /**
     * Parses a state name as typed by a user or stored in a file, ignoring case and surrounding
     * blanks.
     *
     * @throws IllegalArgumentException naming the valid values when {@code text} is none of them
     */
    public static RecordState parse(String text) {
        if (text != null) {
            String wanted = text.strip().toUpperCase(Locale.ROOT);
            for (RecordState s : values()) {
                if (s.name().equals(wanted)) {
                    return s;
                }
            }
        }
        String valid = Arrays.stream(values())
                .map(s -> s.name().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(", "));
        throw new IllegalArgumentException(
                "unknown migration state " + (text == null ? "null" : "'" + text + "'")
                        + "; valid states: " + valid);
    }
}
