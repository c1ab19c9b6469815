package io.livemig.common.timeline;

import java.util.Objects;

/**
 * One phase of a migration's timeline.
 *
 * @param name       what happened, in snake case (e.g. {@code target_prepare}); see {@link Phases}
 * @param where      who measured it: {@code cli}, {@code orchestrator} or {@code agent}
 * @param startMs    when it began, in milliseconds after the timeline began
 * @param durationMs how long it took
 */
public record Phase(String name, String where, long startMs, long durationMs) {

    public Phase {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(where, "where");
        if (name.isBlank() || where.isBlank()) {
            throw new IllegalArgumentException("a phase needs a name and a place");
        }
        if (startMs < 0 || durationMs < 0) {
            throw new IllegalArgumentException("phase " + name + ": negative start or duration (" + startMs + ", "
                    + durationMs + ")");
        }
    }

    /** Where the phase ends. */
    public long endMs() {
        return startMs + durationMs;
    }
}
