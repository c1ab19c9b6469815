package io.livemig.common.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.common.predict.ClassicRuns.Run;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class ProgressEstimatorTest {

    private static final long MIB = 1024L * 1024;

    /** M=256 MiB over a 32 MiB/s link, 300 ms allowed downtime. */
    private static PredictionInputs inputs(long dirtyMib, Figure nonZero, long workingSetMib) {
        return PredictionInputs.builder(256 * MIB, Figure.measured(dirtyMib * MIB), 32 * MIB, 300,
                MigrationPredictorTest.LADDER).nonZero(nonZero).workingSet(Figure.measured(workingSetMib * MIB)).build();
    }

    /**
     * Pre-copy of M=N=256, W=64, planned D=8, B=32, T=300 (B*T = 9.6 MiB); the job sends at 32 MiB/s.
     * <ol>
     *   <li>0 ms, pass 1, nothing sent: the prediction, 256 + 64 + 16 + 4 = 340 MiB in 10.625 s.</li>
     *   <li>4000 ms, 128 sent, 128 left: the pass ends at 8 s, then 64, 16, 4: 212 MiB, 6.625 s;
     *       128 / 340 done.</li>
     *   <li>8000 ms, pass 2, 64 left, the job's dirty rate 31 MiB/s: 62, then * 0.96875 a pass, still
     *       25.5 MiB after 30 passes: pre-copy will not converge; held at 128 / 340, no ETA.</li>
     *   <li>10000 ms, pass 3, 320 sent, 62 left, 16 MiB/s (the plan's 8 is lower, so 16): 62, 31,
     *       15.5, 7.75 = 116.25 MiB, 3.633 s; 320 / 436.25 done.</li>
     *   <li>10500 ms, pass 4, 336 sent, 60 left (it grew), 24 MiB/s: 60, 45, 33.75, 25.3125,
     *       18.984375, 14.23828125, 10.6787109375, 8.009033203125 = 215.9729 MiB, 6.749 s; the
     *       fraction 336 / 551.97 would go back, it is held.</li>
     *   <li>17000 ms, 552 sent, nothing left: done.</li>
     * </ol>
     */
    @Test
    void progressNeverGoesBackAndTheEtaFollowsEachSample() {
        PredictionInputs in = inputs(8, Figure.measured(256 * MIB), 64);
        ProgressEstimator estimator = new ProgressEstimator(MigrationMode.PRECOPY, in);
        Progress p = estimator.initial();
        assertEquals(0, p.fraction());
        assertEquals(10_625, p.etaMs());

        p = estimator.next(p, new JobProgress(0, 0, 256 * MIB, JobProgress.UNKNOWN, 1, false));
        assertEquals(0, p.fraction());
        assertEquals(10_625, p.etaMs());
        assertEquals(340 * MIB, p.remainingBytes());

        p = estimator.next(p, new JobProgress(4000, 128 * MIB, 128 * MIB, 0, 1, false));
        assertEquals(128.0 / 340, p.fraction(), 1e-9);
        assertEquals(6625, p.etaMs());

        p = estimator.next(p, new JobProgress(8000, 256 * MIB, 64 * MIB, 31 * MIB, 2, false));
        assertEquals(128.0 / 340, p.fraction(), 1e-9);
        assertFalse(p.hasEta());
        assertTrue(p.basis().contains("pre-copy will not converge"), p.basis());

        p = estimator.next(p, new JobProgress(10_000, 320 * MIB, 62 * MIB, 16 * MIB, 3, false));
        assertEquals(320 / 436.25, p.fraction(), 1e-9);
        assertEquals(3633, p.etaMs());

        p = estimator.next(p, new JobProgress(10_500, 336 * MIB, 60 * MIB, 24 * MIB, 4, false));
        assertEquals(320 / 436.25, p.fraction(), 1e-9);
        assertEquals(6749, p.etaMs());
        assertEquals(Math.round(215.972900390625 * MIB), p.remainingBytes());

        p = estimator.next(p, new JobProgress(17_000, 552 * MIB, 0, 24 * MIB, 12, false));
        assertEquals(1, p.fraction());
        assertEquals(0, p.etaMs());
    }

    /**
     * A plan whose dirty rate (40 MiB/s) is above the 32 MiB/s link: pre-copy will not converge by
     * it. M=N=256, W=128, T=300.
     * <ol>
     *   <li>8000 ms, pass 2 starts at 128 MiB (the whole working set), the job says 20 MiB/s: a pass
     *       that long may have rewritten pages twice, so the plan's 40 stands: no ETA.</li>
     *   <li>12000 ms, pass 3 starts at 60 to 61 MiB (60 left, 1 sent since 11900 ms: under half of
     *       128), the job says 24 MiB/s: taken as it is. 60, 45, 33.75, 25.3125, 18.984375, 14.23828125, 10.6787109375, 8.009033203125 =
     *       215.9729 MiB at 32 MiB/s: 6.749 s.</li>
     * </ol>
     */
    @Test
    void aPassUnderHalfTheWorkingSetOverridesAPlannedRateThatIsTooHigh() {
        PredictionInputs in = inputs(40, Figure.measured(256 * MIB), 128);
        ProgressEstimator estimator = new ProgressEstimator(MigrationMode.PRECOPY, in);
        Progress p = estimator.next(estimator.initial(), new JobProgress(0, 0, 256 * MIB, JobProgress.UNKNOWN, 1, false));
        assertFalse(p.hasEta());
        p = estimator.next(p, new JobProgress(4000, 128 * MIB, 128 * MIB, JobProgress.UNKNOWN, 1, false));
        p = estimator.next(p, new JobProgress(8000, 256 * MIB, 128 * MIB, 20 * MIB, 2, false));
        assertFalse(p.hasEta(), p.basis());
        assertTrue(p.basis().endsWith("dirty rate 40.0 MiB/s"), p.basis());

        p = estimator.next(p, new JobProgress(11_900, 383 * MIB, 1 * MIB, 20 * MIB, 2, false));
        p = estimator.next(p, new JobProgress(12_000, 384 * MIB, 60 * MIB, 24 * MIB, 3, false));
        assertEquals(6749, p.etaMs());
        assertTrue(p.basis().endsWith("dirty rate 24.0 MiB/s"), p.basis());
    }

    /**
     * The first sample of a pass may come late in it: what was sent since the sample before counts
     * to the pass's start, so a pass of the whole working set first seen with 50 MiB left is not
     * taken for a short one. M=N=256, W=128, planned 40 MiB/s over a 32 MiB/s link.
     */
    @Test
    void aPassFirstSeenLateIsNotTakenForAShortOne() {
        PredictionInputs in = inputs(40, Figure.measured(256 * MIB), 128);
        ProgressEstimator estimator = new ProgressEstimator(MigrationMode.PRECOPY, in);
        Progress p = estimator.next(estimator.initial(), new JobProgress(4000, 128 * MIB, 128 * MIB, JobProgress.UNKNOWN, 1, false));
        // The first pass ended at 8000 ms; pass 2 (128 MiB) is first seen 2.4 s into it.
        p = estimator.next(p, new JobProgress(10_400, 334 * MIB, 50 * MIB, 20 * MIB, 2, false));
        assertFalse(p.hasEta(), p.basis());
        assertTrue(p.basis().endsWith("dirty rate 40.0 MiB/s"), p.basis());
    }

    /**
     * The classic runs at 28 MiB/s again, with a reading far too high: 33 MiB/s, above the
     * 32 MiB/s link (the median of five readings said as much before two runs of the advice
     * experiment). By the reading pre-copy never ends, so there is no ETA while the passes are
     * long; from the first pass that starts under half the working set on, the job's own rate
     * gives one at every sample, within 20 % of the real end (the estimate before this had none
     * until the last few passes).
     */
    @Test
    void aReadingAboveTheLinkGivesWayOnceThePassesAreShort() {
        List<Run> runs = ClassicRuns.all();
        PredictionInputs in = PredictionInputs.builder(256 * MIB, Figure.measured(33 * MIB), 32 * MIB, 300,
                MigrationPredictorTest.LADDER).nonZero(ClassicRuns.nonZeroLearned(runs))
                .workingSet(Figure.measured(128 * MIB)).build();
        int replayed = 0;
        for (Run run : runs) {
            if (!run.mode().equals("precopy") || run.dirtyRateMibps() != 28 || !run.succeeded() || run.baseline()) {
                continue;
            }
            ProgressEstimator estimator = new ProgressEstimator(MigrationMode.PRECOPY, in);
            Progress p = estimator.initial();
            boolean etaSeen = false;
            int withEta = 0;
            for (ClassicRuns.Sample s : run.samples()) {
                p = estimator.next(p, s.job());
                if (!etaSeen && p.hasEta()) {
                    etaSeen = true;
                    Progress.Track t = p.track();
                    assertTrue(s.iteration() >= 3 && t.passBytes() <= 0.5 * Math.max(128 * MIB, t.largestBefore()),
                            run.id() + ": first ETA at " + s.elapsedMs() + " ms, " + t);
                }
                if (etaSeen) {
                    assertTrue(p.hasEta(), run.id() + " at " + s.elapsedMs() + " ms: " + p.basis());
                    double off = Math.abs(s.elapsedMs() + p.etaMs() - run.totalMs()) / (double) run.totalMs();
                    assertTrue(off <= 0.2, run.id() + " at " + s.elapsedMs() + " ms: end off by " + off);
                    withEta++;
                }
            }
            assertTrue(withEta >= 20, run.id() + ": " + withEta + " samples with an ETA");
            replayed++;
        }
        assertEquals(3, replayed);
    }

    /**
     * Stop-and-copy, M=256, B=32, before the VM's first migration (non-zero memory estimated: all
     * 256 MiB). At 500 ms, 16 of 256 scanned (less than an eighth): the estimate stands, 240 MiB
     * more, 7.5 s. At 4000 ms, 192 scanned and 128 sent (32 MiB/s since): the 64 MiB left are taken
     * as two thirds non-zero, 42.667 MiB plus 21.333 MiB as 5461.3 headers of 9 bytes
     * (0.0469 MiB): 1.335 s. With the non-zero memory known (200 MiB), the same sample leaves all
     * 64 MiB to send: 2 s.
     */
    @Test
    void aFirstPassWithNoKnownNonZeroMemoryGoesByWhatItScanned() {
        PredictionInputs estimated = PredictionInputs.builder(256 * MIB, Figure.measured(16 * MIB), 32 * MIB, 300,
                MigrationPredictorTest.LADDER).build();
        assertTrue(estimated.nonZeroBytes().isEstimated());
        ProgressEstimator estimator = new ProgressEstimator(MigrationMode.STOP_AND_COPY, estimated);
        Progress p = estimator.next(estimator.initial(), new JobProgress(500, 16 * MIB, 240 * MIB, JobProgress.UNKNOWN, 1, false));
        assertEquals(7500, p.etaMs());
        p = estimator.next(p, new JobProgress(4000, 128 * MIB, 64 * MIB, JobProgress.UNKNOWN, 1, false));
        assertEquals(1335, p.etaMs());

        PredictionInputs known = PredictionInputs.builder(256 * MIB, Figure.measured(16 * MIB), 32 * MIB, 300,
                MigrationPredictorTest.LADDER).nonZero(Figure.learned(200 * MIB)).build();
        ProgressEstimator withKnown = new ProgressEstimator(MigrationMode.STOP_AND_COPY, known);
        Progress k = withKnown.next(withKnown.initial(), new JobProgress(500, 16 * MIB, 240 * MIB, JobProgress.UNKNOWN, 1, false));
        assertEquals(2000, withKnown.next(k, new JobProgress(4000, 128 * MIB, 64 * MIB, JobProgress.UNKNOWN, 1, false)).etaMs());
    }

    /**
     * The same stop-and-copy with the non-zero memory estimated too low (100 MiB, as the RAM its
     * host held when read, before the guest wrote more): at 4000 ms the pass has sent 128 MiB,
     * more than the estimate, so the 64 MiB left go by what was scanned, as above: 1.335 s, not
     * the 0.0015 s of zero pages alone.
     */
    @Test
    void anEstimateThePassHasSentMoreThanGivesWayToWhatItScanned() {
        PredictionInputs low = PredictionInputs.builder(256 * MIB, Figure.measured(16 * MIB), 32 * MIB, 300,
                MigrationPredictorTest.LADDER).nonZero(Figure.estimated(100 * MIB)).build();
        ProgressEstimator estimator = new ProgressEstimator(MigrationMode.STOP_AND_COPY, low);
        Progress p = estimator.next(estimator.initial(), new JobProgress(500, 16 * MIB, 240 * MIB, JobProgress.UNKNOWN, 1, false));
        p = estimator.next(p, new JobProgress(4000, 128 * MIB, 64 * MIB, JobProgress.UNKNOWN, 1, false));
        assertEquals(1335, p.etaMs());
    }

    /**
     * Post-copy, M=256 with N=192, W=128, D=16, B=32: before the switch, the rest of the pass and
     * what it leaves dirty; after, what is left to pull. At 3 s with 96 MiB sent: 96 MiB and the
     * 16384 zero-page headers still to go (3.0044 s), then min(128, 16 * 6.0044) = 96.0703 MiB
     * to pull (3.0022 s): 6.0066 s. At 6 s, switched, 192 sent (32 MiB/s), 90 left: 2.8125 s.
     */
    @Test
    void postCopyCountsWhatItWillPull() {
        PredictionInputs in = inputs(16, Figure.learned(192 * MIB), 128);
        ProgressEstimator estimator = new ProgressEstimator(MigrationMode.POSTCOPY, in);
        Progress p = estimator.next(estimator.initial(), new JobProgress(0, 0, 256 * MIB, JobProgress.UNKNOWN, 1, false));
        p = estimator.next(p, new JobProgress(3000, 96 * MIB, 160 * MIB, JobProgress.UNKNOWN, 1, false));
        assertEquals(6007, p.etaMs());

        p = estimator.next(p, new JobProgress(6000, 192 * MIB, 90 * MIB, 16 * MIB, 2, true));
        assertEquals(Math.round(90.0 / 32 * 1000), p.etaMs());
        assertTrue(p.basis().startsWith("post-copy: 90.0 MiB left to pull"), p.basis());
    }

    /**
     * A measured pre-copy (28 MiB/s dirtied, 42 iterations): the set to send grows at the start of
     * every pass, so done / (done + still to send) falls back many times; the progress shown does
     * not, and reaches 1 at the end.
     */
    @Test
    void aMeasuredPreCopyNeverGoesBack() {
        List<Run> runs = ClassicRuns.all();
        Run run = ClassicRuns.byId("r005-precopy-d128r28-l32-rep1");
        ProgressEstimator estimator = new ProgressEstimator(MigrationMode.PRECOPY,
                ClassicRuns.inputs(run, ClassicRuns.nonZeroLearned(runs)));
        Progress p = estimator.initial();
        int held = 0;
        for (ClassicRuns.Sample s : run.samples()) {
            Progress next = estimator.next(p, s.job());
            assertTrue(next.fraction() >= p.fraction(), s + ": " + next.fraction() + " after " + p.fraction());
            double raw = s.processed() / (double) (s.processed() + next.remainingBytes());
            if (next.hasEta() && raw < next.fraction() - 1e-6) {
                held++;
            }
            p = next;
        }
        assertEquals(1, p.fraction());
        assertTrue(held >= 10, "the measured series should pull the raw fraction back often, held " + held);
    }

    /**
     * Issue 18's goal for the ETA: once a quarter of the predicted time has passed, the predicted
     * end (elapsed + ETA) within 20 % of the real end, in every livemig run of the classic matrix
     * that converged by itself (pre-copy at 4, 16, 28 MiB/s, post-copy, stop-and-copy). The 20 %
     * is of the real duration: near the end a few hundred milliseconds of noise would be any
     * share of what is left.
     */
    @Test
    void theEtaIsWithin20PercentOfTheRealEndAfterAQuarterOfThePredictedTime() {
        List<Run> runs = ClassicRuns.all();
        Figure nonZero = ClassicRuns.nonZeroLearned(runs);
        List<String> misses = new ArrayList<>();
        int replayed = 0;
        for (Run run : runs) {
            if (run.baseline() || !run.succeeded() || run.mode().equals("auto") || run.samples().isEmpty()) {
                continue;
            }
            PredictionInputs in = ClassicRuns.inputs(run, nonZero);
            MigrationMode mode = ClassicRuns.mode(run);
            ProgressEstimator estimator = new ProgressEstimator(mode, in);
            long quarter = MigrationPredictor.predict(in).of(mode).totalMs() / 4;
            Progress p = estimator.initial();
            double worst = 0;
            for (ClassicRuns.Sample s : run.samples()) {
                p = estimator.next(p, s.job());
                if (s.elapsedMs() < quarter) {
                    continue;
                }
                if (!p.hasEta()) {
                    misses.add(run.id() + " at " + s.elapsedMs() + " ms: no ETA (" + p.basis() + ")");
                    continue;
                }
                worst = Math.max(worst, Math.abs(s.elapsedMs() + p.etaMs() - run.totalMs()) / (double) run.totalMs());
            }
            if (worst > 0.2) {
                misses.add(String.format(Locale.ROOT, "%s: predicted end off by up to %.0f%%", run.id(), worst * 100));
            }
            replayed++;
        }
        // 3 pre-copy cells, 4 post-copy and 4 stop-and-copy, 3 repetitions each; the warm-up too.
        assertEquals(34, replayed);
        assertTrue(misses.isEmpty(), String.join("\n", misses));
    }
}
