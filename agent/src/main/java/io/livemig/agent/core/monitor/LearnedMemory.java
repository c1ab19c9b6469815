package io.livemig.agent.core.monitor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What this host's migrations taught about their guests' memory, for the next migration's
 * prediction and ETA: the non-zero memory (what a first pass sent, {@link ProgressGauge#firstPassBytes()})
 * and the working set ({@link ProgressGauge#workingSetBytes()}), by the name and memory size of the
 * VM, from its last migration that showed each. Kept in memory for the {@value #CAPACITY} VMs last
 * migrated: an agent that restarts learns again. Thread-safe.
 */
public final class LearnedMemory {

    static final int CAPACITY = 1024;

    /** What is known of a guest's memory; each figure empty when no migration showed it. */
    public record Figures(OptionalLong nonZeroBytes, OptionalLong workingSetBytes) {

        public static final Figures NONE = new Figures(OptionalLong.empty(), OptionalLong.empty());
    }

    private record Key(String vmName, long memoryBytes) {}

    private final Map<Key, Figures> learned = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Figures> eldest) {
            return size() > CAPACITY;
        }
    };

    /** What the migrations of {@code vmName} with {@code memoryBytes} of memory showed. */
    public synchronized Figures of(String vmName, long memoryBytes) {
        return learned.getOrDefault(new Key(vmName, memoryBytes), Figures.NONE);
    }

    /**
     * Keeps what a migration showed, each figure capped at the memory size: a figure it showed
     * replaces the one before, one it did not show keeps it.
     */
    public synchronized void learn(String vmName, long memoryBytes, OptionalLong nonZeroBytes,
            OptionalLong workingSetBytes) {
        if (memoryBytes <= 0) {
            return;
        }
        Key key = new Key(vmName, memoryBytes);
        Figures before = learned.getOrDefault(key, Figures.NONE);
        Figures after = new Figures(either(capped(nonZeroBytes, memoryBytes), before.nonZeroBytes()),
                either(capped(workingSetBytes, memoryBytes), before.workingSetBytes()));
        if (!after.equals(Figures.NONE)) {
            learned.put(key, after);
        }
    }

    private static OptionalLong either(OptionalLong first, OptionalLong otherwise) {
        return first.isPresent() ? first : otherwise;
    }

    private static OptionalLong capped(OptionalLong value, long memoryBytes) {
        return value.isPresent() && value.getAsLong() > 0 ? OptionalLong.of(Math.min(memoryBytes, value.getAsLong()))
                : OptionalLong.empty();
    }
}
