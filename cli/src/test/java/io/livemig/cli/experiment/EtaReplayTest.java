package io.livemig.cli.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.cli.experiment.RunResult.Sample;
import java.util.List;
import org.junit.jupiter.api.Test;

class EtaReplayTest {

    private static final long MIB = 1 << 20;

    /**
     * A 64 MiB guest over a 32 MiB/s link, measured at 2 s and predicted at 2 s (samples from
     * 0.5 s on count): the first pass sends 32 MiB a second, every page non-zero. The pre-copy run
     * never shows a second pass, so its non-zero memory stays unknown (all of it).
     */
    private static RunResult run(String mode, Long recordedEtaAt1s) {
        return run(mode, recordedEtaAt1s, false, "succeeded");
    }

    private static RunResult run(String mode, Long recordedEtaAt1s, boolean baseline, String status) {
        Fixtures.Builder b = Fixtures.builder(new RunPlan(1, "r001-" + mode + "-d32r16-l32-rep1", false, 1, mode,
                baseline, 64, 32, 16, 32, 300, 45, null));
        b.status = status;
        b.totalMs = 2_000;
        b.bytes = 64 * MIB; // every page non-zero: stop-and-copy's bytes are what the agent learns
        b.model = new ModelPrediction(1, 64 * MIB, 2_000, 2_000, true, "");
        b.samples = new java.util.ArrayList<>(List.of(
                sample(0, 0, 64, null),
                sample(1_000, 32, 32, recordedEtaAt1s),
                sample(1_500, 48, 16, 500L),
                sample(2_000, 64, 0, 0L)));
        return b.build();
    }

    private static Sample sample(long elapsedMs, long processedMib, long remainingMib, Long etaMs) {
        return new Sample(elapsedMs, "precopy", 1, processedMib * MIB, remainingMib * MIB, 64 * MIB, 0, 32 * MIB, 0, 0,
                0.5, etaMs);
    }

    /**
     * Stop-and-copy does not depend on the dirty rate: from 1 s on, 32 MiB left at 32 MiB/s is 1 s,
     * 16 MiB is 0.5 s, so the replayed ETA hits the 2 s end at every rate, where the recorded one
     * (5 s at 1 s: the end at 6 s) was 200 % off.
     */
    @Test
    void aStopAndCopyRunReplaysToItsEndAtAnyRate() {
        List<EtaReplay.Row> rows = EtaReplay.rows(List.of(run("stopcopy", 5_000L)), List.of(0.0, 48.0, -1.0));
        assertEquals(1, rows.size());
        assertEquals(2.0, rows.get(0).recorded(), 1e-9);
        assertEquals(List.of(0.0, 0.0, 0.0), rows.get(0).replayed());
    }

    /**
     * Pre-copy in its first pass: at 0 MiB/s nothing is left dirty after it, so it ends with the pass
     * (exactly at 2 s); at 48 MiB/s, more than the link, it would never end, and every sample
     * past the quarter has no ETA.
     */
    @Test
    void aPreCopyRunReplaysWithTheRateGiven() {
        List<EtaReplay.Row> rows = EtaReplay.rows(List.of(run("precopy", 1_000L)), List.of(0.0, 48.0));
        assertEquals(0.0, rows.get(0).recorded(), 1e-9);
        assertEquals(0.0, rows.get(0).replayed().get(0), 1e-9);
        assertEquals(Double.POSITIVE_INFINITY, rows.get(0).replayed().get(1));
    }

    @Test
    void autoBaselineAndFailedRunsAreLeftOut() {
        List<RunResult> runs = List.of(run("auto", 1_000L), run("precopy", 1_000L, true, "succeeded"),
                run("precopy", 1_000L, false, "failed"));
        assertTrue(EtaReplay.rows(runs, List.of(-1.0)).isEmpty());
        assertEquals(1, EtaReplay.rows(List.of(run("precopy", 1_000L, false, "succeeded")), List.of(-1.0)).size());
    }

    @Test
    void theReportCountsTheCellsWithinTheGoal() {
        String report = EtaReplay.report(List.of(run("stopcopy", 5_000L), run("precopy", 1_000L)), List.of(0.0, 48.0));
        assertTrue(report.contains("r001-stopcopy-d32r16-l32-rep1"), report);
        assertTrue(report.lines().anyMatch(l -> l.startsWith("r001-stopcopy") && l.contains("200.0 %")
                && l.endsWith("0.0 %")), report);
        assertTrue(report.lines().anyMatch(l -> l.startsWith("r001-precopy") && l.endsWith("no ETA")), report);
        // recorded: pre-copy within; 0 MiB/s: both; 48 MiB/s: stop-and-copy only.
        assertTrue(report.lines().anyMatch(l -> l.matches("cells within ±20 % +1/2 +2/2 +1/2")), report);
    }
}
