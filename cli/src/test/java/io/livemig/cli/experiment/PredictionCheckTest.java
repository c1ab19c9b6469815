package io.livemig.cli.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.cli.experiment.PredictionCheck.Outcome;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PredictionCheckTest {

    private static final long MIB = Fixtures.MIB;
    private static final String TIMEOUT = "45.5 s abort 0: not complete after 45.5 s, past the completion timeout of "
            + "45.0 s (1 s per GiB of 0.25 GiB, at least 45 s): aborting, the guest keeps running on the source";

    private final List<RunResult> runs = new ArrayList<>();

    /** A run of the 256 MiB guest dirtying 64 MiB at {@code rate} over 32 MiB/s, as measured, with its prediction. */
    private Fixtures.Builder run(String mode, int rate, String objective, long totalMs, long bytesMib, long predictedMs,
            long predictedMib, boolean predictedConverges) {
        int index = runs.size() + 1;
        RunPlan p = new RunPlan(index, "r%03d-%s".formatted(index, mode), false, 1, mode, false, 256, 64, rate, 32, 300,
                120, objective);
        Fixtures.Builder b = Fixtures.builder(p);
        b.totalMs = totalMs;
        b.bytes = bytesMib * MIB;
        b.model = new ModelPrediction(1, predictedMib * MIB, predictedMs, 0, predictedConverges, "by hand");
        return b;
    }

    private void add(Fixtures.Builder b) {
        runs.add(b.build());
    }

    private String section() {
        StringBuilder md = new StringBuilder();
        PredictionCheck.append(md, Stats.byCell(runs));
        return md.toString();
    }

    /**
     * precopy at 8 MiB/s: measured 1000 and 1200 ms (median 1100), 100 and 120 MiB (110) against
     * 1000 ms and 100 MiB predicted: +10 % each, within; a third run failed before it migrated and
     * counts neither way. postcopy at 8: 1300 ms against 1000, +30 %, outside. precopy at 32: both
     * runs aborted by the timeout rule, predicted not to converge: named right. postcopy at 32:
     * converged, predicted not to: named wrong.
     */
    @Test
    void aCellWithinAndOneOutsideAndNonConvergenceNamedRightAndWrong() {
        add(run("precopy", 8, "", 1000, 100, 1000, 100, true));
        add(run("precopy", 8, "", 1200, 120, 1000, 100, true));
        Fixtures.Builder notStarted = run("precopy", 8, "", 0, 0, 1000, 100, true);
        notStarted.status = "failed";
        notStarted.error = "guest not started: lab.sh create exited 1";
        add(notStarted);
        add(run("postcopy", 8, "", 1300, 100, 1000, 100, true));
        add(run("postcopy", 8, "", 1300, 100, 1000, 100, true));
        for (int i = 0; i < 2; i++) {
            Fixtures.Builder aborted = run("precopy", 32, "", 47000, 1400, 124000, 3968, false);
            aborted.status = "aborted";
            aborted.escalations = List.of(TIMEOUT);
            add(aborted);
        }
        add(run("postcopy", 32, "", 2000, 300, 2000, 300, false));

        String md = section();
        assertTrue(md.startsWith("## Predicted before each run vs measured\n\n"), md);
        assertTrue(md.contains("| mode | workload | link | runs | total ms measured / predicted | error "
                + "| MiB sent measured / predicted | error | converged (measured) | converges (predicted) | named right |\n"), md);
        assertTrue(md.contains("| precopy | 64 MiB @ 8 MiB/s | 32 MiB/s | 3 | 1100 / 1000 | +10.0 % | 110.0 / 100.0 "
                + "| +10.0 % | yes, 1 failed otherwise | yes | yes |\n"), md);
        assertTrue(md.contains("| postcopy | 64 MiB @ 8 MiB/s | 32 MiB/s | 2 | 1300 / 1000 | +30.0 % | 100.0 / 100.0 "
                + "| +0.0 % | yes | yes | yes |\n"), md);
        assertTrue(md.contains("| precopy | 64 MiB @ 32 MiB/s | 32 MiB/s | 2 | n/a / 124000 | n/a | n/a / 3968.0 | n/a "
                + "| no | no | yes |\n"), md);
        assertTrue(md.contains("| postcopy | 64 MiB @ 32 MiB/s | 32 MiB/s | 1 | 2000 / 2000 | +0.0 % | 300.0 / 300.0 "
                + "| +0.0 % | yes | no | no |\n"), md);

        // Converging: precopy@8 (+10, +10), postcopy@8 (+30 time, 0 bytes), postcopy@32 (0, 0).
        assertTrue(md.contains("- Converging cells (as measured): 3 of 4.\n"), md);
        assertTrue(md.contains("- Median absolute error over the converging cells: bytes 0.0 %, total time 10.0 %.\n"), md);
        assertTrue(md.contains("- Worst converging cell: bytes precopy, 64 MiB @ 8 MiB/s, link 32 MiB/s (+10.0 %); "
                + "total time postcopy, 64 MiB @ 8 MiB/s, link 32 MiB/s (+30.0 %).\n"), md);
        assertTrue(md.contains("- Goal, bytes and total time within 15 % in every converging cell: does not hold: 1 of 3 "
                + "outside (postcopy, 64 MiB @ 8 MiB/s, link 32 MiB/s: bytes +0.0 %, total time +30.0 %).\n"), md);
        // 10.0 % is not under 10 %.
        assertTrue(md.contains("- Goal, median absolute error under 10 %: does not hold (bytes 0.0 %, total time 10.0 %).\n"),
                md);
        assertTrue(md.contains("- Goal, non-convergence named correctly in every cell: does not hold: named wrong in 1 of 4 "
                + "(postcopy, 64 MiB @ 32 MiB/s, link 32 MiB/s: measured yes, predicted no).\n"), md);
    }

    @Test
    void everyGoalHoldsWhenTheTableSaysSo() {
        add(run("auto", 8, "fastest", 1050, 95, 1000, 100, true));
        Fixtures.Builder learned = run("auto", 8, "fastest", 1010, 99, 1000, 100, true);
        learned.model = new ModelPrediction(1, 100 * MIB, 1000, 0, true, "post-copy after one pre-copy pass: ...; "
                + "M=256.0 MiB, N=196.0 MiB (learned), W=64.0 MiB, D=8.0 MiB/s, B=32.0 MiB/s, T=300 ms");
        add(learned);
        Fixtures.Builder aborted = run("precopy", 32, "", 47000, 1400, 124000, 3968, false);
        aborted.status = "aborted";
        aborted.escalations = List.of("6.3 s throttle 30: pre-copy will not converge", TIMEOUT);
        add(aborted);

        String md = section();
        assertTrue(md.contains(" 1 of 3 predictions rest on the guest's non-zero memory learned from the stop-and-copy "
                + "runs made before them"), md);
        // Medians: 1030 ms (+3.0 %), 97 MiB (-3.0 %); auto's objective in its label.
        assertTrue(md.contains("| auto (fastest) | 64 MiB @ 8 MiB/s | 32 MiB/s | 2 | 1030 / 1000 | +3.0 % | 97.0 / 100.0 "
                + "| -3.0 % | yes | yes | yes |\n"), md);
        assertTrue(md.contains("- Goal, bytes and total time within 15 % in every converging cell: holds (1 of 1).\n"), md);
        assertTrue(md.contains("- Goal, median absolute error under 10 %: holds (bytes 3.0 %, total time 3.0 %).\n"), md);
        assertTrue(md.contains("- Goal, non-convergence named correctly in every cell: holds (2 of 2).\n"), md);
        assertFalse(md.contains("does not hold"), md);
    }

    @Test
    void aCellThatConvergedInSomeRunsOnlyIsNamedWrongWhateverWasPredicted() {
        add(run("precopy", 28, "", 35000, 1100, 36000, 1150, true));
        Fixtures.Builder aborted = run("precopy", 28, "", 47000, 1400, 36000, 1150, true);
        aborted.status = "aborted";
        aborted.escalations = List.of(TIMEOUT);
        add(aborted);
        String md = section();
        assertTrue(md.contains("| mixed: 1 converged, 1 not | yes | no |\n"), md);
        assertTrue(md.contains("- Converging cells (as measured): 0 of 1.\n"), md);
        assertTrue(md.contains("- Goal, bytes and total time within 15 % in every converging cell: not shown "
                + "(no converging cell).\n"), md);
        assertTrue(md.contains("named wrong in 1 of 1 (precopy, 64 MiB @ 28 MiB/s, link 32 MiB/s: measured mixed, "
                + "predicted yes)"), md);
    }

    @Test
    void onlyTheTimeoutRuleMakesARunNotConverge() {
        Fixtures.Builder b = run("precopy", 32, "", 47000, 1400, 124000, 3968, false);
        b.status = "aborted";
        b.escalations = List.of(TIMEOUT);
        assertEquals(Outcome.NOT_CONVERGED, PredictionCheck.outcome(b.build()));
        // Aborted by an operator, or failed: no verdict on convergence.
        b.escalations = List.of("12.0 s abort 0: requested by the agent, which is shutting down (SIGTERM or stop)");
        assertEquals(Outcome.NEITHER, PredictionCheck.outcome(b.build()));
        b.status = "failed";
        b.escalations = List.of(TIMEOUT);
        assertEquals(Outcome.NEITHER, PredictionCheck.outcome(b.build()));
        b.status = "succeeded";
        assertEquals(Outcome.CONVERGED, PredictionCheck.outcome(b.build()));
    }

    @Test
    void skippedWhenNoRunStoredItsPrediction() {
        Fixtures.Builder b = run("precopy", 8, "", 1000, 100, 1000, 100, true);
        b.model = null;
        add(b);
        assertEquals("## Predicted before each run vs measured\n\nSkipped: no livemig run recorded the prediction made "
                + "before it (`model` in runs/*.json).\n\n", section());
    }
}
