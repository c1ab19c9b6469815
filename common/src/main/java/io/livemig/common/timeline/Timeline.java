package io.livemig.common.timeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Phases measured as they happen, back to back: {@link #next} ends the running phase and begins
 * another, so the phases never overlap and leave no gap. Thread-safe: a migration's phases are
 * marked from the thread that starts it and from the one that follows it.
 */
public final class Timeline {

    private final String where;
    private final LongSupplier nanoClock;
    private final long originNanos;
    private final List<Phase> ended = new ArrayList<>();
    private String running;
    private long runningSinceNanos;

    private Timeline(String where, LongSupplier nanoClock, String first) {
        this.where = Objects.requireNonNull(where, "where");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.originNanos = nanoClock.getAsLong();
        this.running = Objects.requireNonNull(first, "first");
        this.runningSinceNanos = originNanos;
    }

    /** A timeline measured by {@code where}, its first phase {@code first} beginning now. */
    public static Timeline begin(String where, String first) {
        return begin(where, first, System::nanoTime);
    }

    /** The same, on a clock the caller gives (tests). */
    public static Timeline begin(String where, String first, LongSupplier nanoClock) {
        return new Timeline(where, nanoClock, first);
    }

    /**
     * Ends the running phase and begins {@code phase}; a phase of the same name as the running one
     * goes on. After {@link #end()}, begins again from the end.
     */
    public synchronized void next(String phase) {
        Objects.requireNonNull(phase, "phase");
        if (phase.equals(running)) {
            return;
        }
        long now = nanoClock.getAsLong();
        close(now);
        running = phase;
        runningSinceNanos = now;
    }

    /** Ends the running phase, if any. */
    public synchronized void end() {
        close(nanoClock.getAsLong());
        running = null;
    }

    /** The name of the running phase, or null after {@link #end()}. */
    public synchronized String running() {
        return running;
    }

    /** Milliseconds since the timeline began. */
    public long elapsedMs() {
        return toMs(nanoClock.getAsLong() - originNanos);
    }

    /** The ended phases, and the running one up to now. */
    public synchronized List<Phase> phases() {
        List<Phase> all = new ArrayList<>(ended);
        if (running != null) {
            all.add(phase(running, runningSinceNanos, nanoClock.getAsLong()));
        }
        return List.copyOf(all);
    }

    private void close(long nowNanos) {
        if (running != null) {
            ended.add(phase(running, runningSinceNanos, nowNanos));
        }
    }

    /** Start and end rounded down each, so that one phase ends exactly where the next begins. */
    private Phase phase(String name, long sinceNanos, long untilNanos) {
        long startMs = toMs(sinceNanos - originNanos);
        return new Phase(name, where, startMs, toMs(untilNanos - originNanos) - startMs);
    }

    private static long toMs(long nanos) {
        return Math.max(0, nanos / 1_000_000);
    }
}
