package io.livemig.agent.core.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.agent.core.JobSample;
import io.livemig.agent.core.JobStats;
import io.livemig.agent.core.MigrationFlags;
import io.livemig.agent.core.migration.LaunchPlan;
import io.livemig.agent.core.migration.MigrationSpec;
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
                OptionalLong.of(8 * MIB));
        assertEquals(256 * MIB, in.memoryBytes());
        assertEquals(40 * MIB, in.linkBytesPerS(), "the bandwidth limit, below the link");
        assertEquals(700, in.allowedDowntimeMs());
        assertEquals(8 * MIB, in.dirtyRateBytesPerS().value());
        assertEquals(Source.MEASURED, in.dirtyRateBytesPerS().source());
        assertFalse(in.compression().enabled());

        PredictionInputs unknown = ProgressGauge.inputs(plan(0, 0, MigrationSpec.Compression.ZSTD),
                PolicySettings.defaults(), 256 * MIB, OptionalLong.empty());
        assertEquals(ProgressGauge.UNKNOWN_LINK_BYTES_PER_S, unknown.linkBytesPerS());
        assertEquals(PolicySettings.defaults().maxDowntimeMs(), unknown.allowedDowntimeMs());
        assertTrue(unknown.dirtyRateBytesPerS().isEstimated());
        assertTrue(unknown.compression().isEstimated(), "compressed, its ratio not known");

        PredictionInputs link = ProgressGauge.inputs(plan(300, 0, MigrationSpec.Compression.NONE), settings,
                256 * MIB, OptionalLong.empty());
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
                PolicySettings.defaults(), 256 * MIB, OptionalLong.of(0));
        ProgressGauge gauge = new ProgressGauge(CopyMode.STOPCOPY, in);
        assertEquals(0, gauge.last().fraction());
        assertEquals(8000, gauge.last().etaMs());

        gauge.next(progress(0, CopyPhase.STOPCOPY, sample(1, 0, 256 * MIB)));
        Progress half = gauge.next(progress(4000, CopyPhase.STOPCOPY, sample(1, 128 * MIB, 128 * MIB)));
        assertEquals(0.5, half.fraction(), 1e-9);
        assertEquals(4000, half.etaMs());
        Progress later = gauge.next(progress(4500, CopyPhase.STOPCOPY, sample(1, 130 * MIB, 200 * MIB)));
        assertTrue(later.fraction() >= 0.5, later.toString());

        ProgressGauge postcopy = new ProgressGauge(CopyMode.AUTO, in);
        Progress pulled = postcopy.next(progress(6000, CopyPhase.POSTCOPY, sample(2, 192 * MIB, 64 * MIB)));
        assertTrue(pulled.basis().startsWith("post-copy"), pulled.basis());
        assertEquals(0.75, pulled.fraction(), 1e-9);
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
