package io.livemig.agent.core.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.agent.core.JobSample;
import io.livemig.agent.core.JobStats;
import io.livemig.agent.core.MigrationFlags;
import io.livemig.agent.core.migration.LaunchPlan;
import io.livemig.agent.core.migration.MigrationSpec;
import io.livemig.agent.core.policy.AutoPlan;
import io.livemig.agent.core.policy.CopyMode;
import io.livemig.agent.core.policy.CopyPhase;
import io.livemig.agent.core.policy.PolicySettings;
import io.livemig.common.predict.PredictionInputs;
import io.livemig.common.predict.Progress;
import io.livemig.common.predict.Source;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ProgressGaugeTest {

    private static final long MIB = 1L << 20;

    private static LaunchPlan plan(long downtimeMs, long bandwidthMiBps, MigrationSpec.Compression compression) {
        return LaunchPlan.of(MigrationFlags.liveMove(), downtimeMs, bandwidthMiBps, compression, 1);
    }

    @Test
    void theInputsAreThePlansWithTheGuestsMemoryAndDirtyRate() {
        PolicySettings settings = PolicySettings.builder().linkMiBps(100).build();
        PredictionInputs in = ProgressGauge.inputs(plan(700, 40, MigrationSpec.Compression.NONE), settings, 256 * MIB,
                LearnedMemory.Figures.NONE, OptionalLong.of(8 * MIB));
        assertEquals(256 * MIB, in.memoryBytes());
        assertEquals(40 * MIB, in.linkBytesPerS(), "the bandwidth limit, below the link");
        assertEquals(700, in.allowedDowntimeMs());
        assertEquals(8 * MIB, in.dirtyRateBytesPerS().value());
        assertEquals(Source.MEASURED, in.dirtyRateBytesPerS().source());
        assertFalse(in.compression().enabled());
        assertEquals(256 * MIB, in.nonZeroBytes().value(), "not learned: all of the memory");
        assertTrue(in.nonZeroBytes().isEstimated());

        PredictionInputs unknown = ProgressGauge.inputs(plan(0, 0, MigrationSpec.Compression.ZSTD),
                PolicySettings.defaults(), 256 * MIB, LearnedMemory.Figures.NONE, OptionalLong.empty());
        assertEquals(ProgressGauge.UNKNOWN_LINK_BYTES_PER_S, unknown.linkBytesPerS());
        assertEquals(PolicySettings.defaults().maxDowntimeMs(), unknown.allowedDowntimeMs());
        assertTrue(unknown.dirtyRateBytesPerS().isEstimated());
        assertTrue(unknown.compression().isEstimated(), "compressed, its ratio not known");

        PredictionInputs link = ProgressGauge.inputs(plan(300, 0, MigrationSpec.Compression.NONE), settings,
                256 * MIB, LearnedMemory.Figures.NONE, OptionalLong.empty());
        assertEquals(100 * MIB, link.linkBytesPerS(), "no limit: the host's link");
    }

    /**
     * Stop-and-copy of 256 MiB at 32 MiB/s: 8 s to go at the start, half-way with 4 s to go once
     * 128 MiB are sent, and never back after that. After the switch to post-copy the rest is what
     * the destination still pulls.
     */
    @Test
    void eachSampleMovesTheProgressForwardOnly() {
        PredictionInputs in = ProgressGauge.inputs(plan(300, 32, MigrationSpec.Compression.NONE),
                PolicySettings.defaults(), 256 * MIB, LearnedMemory.Figures.NONE, OptionalLong.of(0));
        ProgressGauge gauge = new ProgressGauge(CopyMode.STOPCOPY, AutoPlan.PRECOPY_FIRST, in);
        assertEquals(0, gauge.last().fraction());
        assertEquals(8000, gauge.last().etaMs());

        gauge.next(progress(0, CopyPhase.STOPCOPY, sample(1, 0, 256 * MIB)));
        Progress half = gauge.next(progress(4000, CopyPhase.STOPCOPY, sample(1, 128 * MIB, 128 * MIB)));
        assertEquals(0.5, half.fraction(), 1e-9);
        assertEquals(4000, half.etaMs());
        Progress later = gauge.next(progress(4500, CopyPhase.STOPCOPY, sample(1, 130 * MIB, 200 * MIB)));
        assertTrue(later.fraction() >= 0.5, later.toString());

        ProgressGauge postcopy = new ProgressGauge(CopyMode.AUTO, AutoPlan.PRECOPY_FIRST, in);
        Progress pulled = postcopy.next(progress(6000, CopyPhase.POSTCOPY, sample(2, 192 * MIB, 64 * MIB)));
        assertTrue(pulled.basis().startsWith("post-copy"), pulled.basis());
        assertEquals(0.75, pulled.fraction(), 1e-9);
    }

    /**
     * Before anything is learned, the RAM the host holds of a guest (208 of its 256 MiB) stands
     * for its non-zero memory, still an estimate: a stop-and-copy at 32 MiB/s is 6.5 s, not 8 s.
     * A learned figure comes first.
     */
    @Test
    void theRamTheHostHoldsStandsForTheNonZeroMemoryUntilLearned() {
        PredictionInputs held = ProgressGauge.inputs(plan(300, 32, MigrationSpec.Compression.NONE),
                PolicySettings.defaults(), 256 * MIB, LearnedMemory.Figures.NONE, OptionalLong.of(208 * MIB),
                OptionalLong.of(4 * MIB));
        assertEquals(208 * MIB, held.nonZeroBytes().value());
        assertEquals(Source.ESTIMATED, held.nonZeroBytes().source());
        assertEquals(6500, new ProgressGauge(CopyMode.STOPCOPY, AutoPlan.PRECOPY_FIRST, held).last().etaMs(), 5,
                "208 MiB at 32 MiB/s, and the zero pages' headers");

        LearnedMemory memory = new LearnedMemory();
        memory.learn("vm1", 256 * MIB, OptionalLong.of(192 * MIB), OptionalLong.empty());
        PredictionInputs learned = ProgressGauge.inputs(plan(300, 32, MigrationSpec.Compression.NONE),
                PolicySettings.defaults(), 256 * MIB, memory.of("vm1", 256 * MIB), OptionalLong.of(208 * MIB),
                OptionalLong.of(4 * MIB));
        assertEquals(192 * MIB, learned.nonZeroBytes().value());
        assertEquals(Source.LEARNED, learned.nonZeroBytes().source());
    }

    /**
     * A guest whose first pass sent 192 of its 256 MiB (the rest zero pages): learned, its next
     * stop-and-copy at 32 MiB/s is 6 s, not 8 s; the figure is what the first pass had sent when
     * the second was first seen, and none is taken from a compressed migration.
     */
    @Test
    void theFirstPassTeachesTheNonZeroMemory() {
        PredictionInputs unknown = ProgressGauge.inputs(plan(300, 32, MigrationSpec.Compression.NONE),
                PolicySettings.defaults(), 256 * MIB, LearnedMemory.Figures.NONE, OptionalLong.of(4 * MIB));
        ProgressGauge first = new ProgressGauge(CopyMode.PRECOPY, AutoPlan.PRECOPY_FIRST, unknown);
        first.next(progress(3000, CopyPhase.PRECOPY, sample(1, 96 * MIB, 160 * MIB)));
        assertTrue(first.firstPassBytes().isEmpty(), "still in the first pass");
        first.next(progress(6100, CopyPhase.PRECOPY, sample(2, 192 * MIB, 24 * MIB)));
        first.next(progress(6600, CopyPhase.PRECOPY, sample(3, 210 * MIB, 4 * MIB)));
        assertEquals(OptionalLong.of(192 * MIB), first.firstPassBytes());

        LearnedMemory memory = new LearnedMemory();
        memory.learn("vm1", 256 * MIB, first.firstPassBytes(), first.workingSetBytes());
        PredictionInputs learned = ProgressGauge.inputs(plan(300, 32, MigrationSpec.Compression.NONE),
                PolicySettings.defaults(), 256 * MIB, memory.of("vm1", 256 * MIB), OptionalLong.of(4 * MIB));
        assertEquals(192 * MIB, learned.nonZeroBytes().value());
        assertEquals(Source.LEARNED, learned.nonZeroBytes().source());
        ProgressGauge next = new ProgressGauge(CopyMode.STOPCOPY, AutoPlan.PRECOPY_FIRST, learned);
        assertEquals(6000, next.last().etaMs(), 5, "192 MiB at 32 MiB/s, and the zero pages' headers");
        assertEquals(LearnedMemory.Figures.NONE, memory.of("vm1", 512 * MIB), "another memory size is another guest");

        ProgressGauge compressed = new ProgressGauge(CopyMode.PRECOPY, AutoPlan.PRECOPY_FIRST,
                ProgressGauge.inputs(plan(300, 32, MigrationSpec.Compression.ZSTD), PolicySettings.defaults(),
                        256 * MIB, LearnedMemory.Figures.NONE, OptionalLong.of(4 * MIB)));
        compressed.next(progress(4000, CopyPhase.PRECOPY, sample(2, 64 * MIB, 24 * MIB)));
        assertTrue(compressed.firstPassBytes().isEmpty(), "compressed bytes are not the memory's");
    }

    /**
     * A guest dirtying 28 MiB/s for the 6 s of the first pass (168 MiB) left 128 MiB dirty: it
     * rewrote a working set of 128 MiB. One dirtying 4 MiB/s (24 MiB) that left 24 MiB dirty shows
     * no working set, nor does a stop-and-copy (the guest was paused).
     */
    @Test
    void theFirstPassTeachesTheWorkingSetWhereTheGuestRewroteIt() {
        assertEquals(OptionalLong.of(128 * MIB), afterFirstPass(CopyMode.POSTCOPY, 28, 128).workingSetBytes());
        assertTrue(afterFirstPass(CopyMode.PRECOPY, 4, 24).workingSetBytes().isEmpty());
        assertTrue(afterFirstPass(CopyMode.STOPCOPY, 28, 8).workingSetBytes().isEmpty());

        LearnedMemory memory = new LearnedMemory();
        memory.learn("vm1", 256 * MIB, OptionalLong.of(192 * MIB), OptionalLong.of(128 * MIB));
        memory.learn("vm1", 256 * MIB, OptionalLong.of(190 * MIB), OptionalLong.empty());
        assertEquals(new LearnedMemory.Figures(OptionalLong.of(190 * MIB), OptionalLong.of(128 * MIB)),
                memory.of("vm1", 256 * MIB), "a migration that shows no working set keeps the one known");
        PredictionInputs in = ProgressGauge.inputs(plan(300, 32, MigrationSpec.Compression.NONE),
                PolicySettings.defaults(), 256 * MIB, memory.of("vm1", 256 * MIB), OptionalLong.of(28 * MIB));
        assertEquals(128 * MIB, in.workingSetBytes().value());
        assertEquals(Source.LEARNED, in.workingSetBytes().source());
    }

    private static ProgressGauge afterFirstPass(CopyMode mode, long dirtyMiBps, long leftDirtyMiB) {
        ProgressGauge gauge = new ProgressGauge(mode, AutoPlan.PRECOPY_FIRST, ProgressGauge.inputs(
                plan(300, 32, MigrationSpec.Compression.NONE), PolicySettings.defaults(), 256 * MIB,
                LearnedMemory.Figures.NONE, OptionalLong.of(dirtyMiBps * MIB)));
        gauge.next(progress(3000, CopyPhase.PRECOPY, sample(1, 96 * MIB, 160 * MIB)));
        gauge.next(progress(6000, CopyPhase.PRECOPY, sample(2, 192 * MIB, leftDirtyMiB * MIB)));
        return gauge;
    }

    /**
     * AUTO planned to switch to post-copy after the first pass is gauged as post-copy from the
     * start: at 28 MiB/s dirtied over a 32 MiB/s link, pre-copy would take about a minute, post-copy
     * its first pass and the pages dirtied meanwhile.
     */
    @Test
    void autoPlannedForPostcopyIsGaugedAsPostcopy() {
        PredictionInputs in = ProgressGauge.inputs(plan(300, 32, MigrationSpec.Compression.NONE),
                PolicySettings.defaults(), 256 * MIB, new LearnedMemory.Figures(OptionalLong.of(192 * MIB),
                        OptionalLong.of(128 * MIB)), OptionalLong.of(28 * MIB));
        ProgressGauge planned = new ProgressGauge(CopyMode.AUTO, new AutoPlan(true, "fastest", "post-copy is fastest"),
                in);
        ProgressGauge postcopy = new ProgressGauge(CopyMode.POSTCOPY, AutoPlan.PRECOPY_FIRST, in);
        ProgressGauge unplanned = new ProgressGauge(CopyMode.AUTO, AutoPlan.PRECOPY_FIRST, in);
        assertEquals(postcopy.last().etaMs(), planned.last().etaMs());
        assertNotEquals(planned.last().etaMs(), unplanned.last().etaMs(), "without the plan, AUTO is gauged as "
                + "pre-copy and its ladder: " + unplanned.last());
    }

    private static JobProgress progress(long elapsedMs, CopyPhase phase, JobSample sample) {
        return new JobProgress(elapsedMs, phase, sample, null, 300, 0, 0);
    }

    private static JobSample sample(long iteration, long processed, long remaining) {
        Map<String, Object> p = new HashMap<>();
        p.put("memory_iteration", iteration);
        p.put("memory_total", 256 * MIB);
        p.put("memory_processed", processed);
        p.put("memory_remaining", remaining);
        p.put("memory_page_size", 4096L);
        return JobStats.sample(2, p);
    }
}
