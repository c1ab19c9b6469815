package io.livemig.cli.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.common.predict.Figure;
import io.livemig.common.predict.MigrationPredictor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MigrationModelTest {

    private static final long MIB = 1024L * 1024;

    /**
     * Hand-computed, all in MiB and MiB/s (B = link, T = allowed downtime):
     * <ul>
     * <li>precopy M=256 W=64 D=8 B=32 T=300: V = 256, min(64, 8*8)=64, min(64, 8*2)=16, 8*0.5=4;
     *     B*T = 9.6 so pass 4 goes paused: bytes 340, total 340/32 s = 10625 ms, downtime 4/32 s = 125 ms.</li>
     * <li>same, T=100 (B*T = 3.2): V5 = 8*4/32 = 1: bytes 341, total 10656.25 ms, downtime 31.25 ms.</li>
     * <li>T=0 means 300 ms; auto is pre-copy.</li>
     * <li>D=0: V2 = 0, done after 2 passes: bytes 256, total 8000, downtime 0.</li>
     * <li>D=64 &gt; B: V stays at W=64 &gt; 9.6; cut at 30 passes: bytes 256 + 29*64 = 2112, total 66000, downtime 2000.</li>
     * <li>B=0 (unlimited, 1024 by default): V2 = min(64, 8*0.25) = 2 &lt;= 307.2: bytes 258,
     *     total 251.95 ms, downtime 1.95 ms.</li>
     * <li>stopcopy M=256 B=32: 1 pass, 256, total = downtime = 8000.</li>
     * <li>postcopy M=256 W=64 D=8 B=32: 256 + min(64, 8*8) = 320, total 10000, downtime 0;
     *     W=16: 272, 8500.</li>
     * </ul>
     */
    @ParameterizedTest(name = "{0} M={1} W={2} D={3} B={4} T={5}")
    @CsvSource({
        // mode,   M,   W,  D,  B,   T, passes, bytes MiB, total ms, downtime ms, converges
        "precopy,  256, 64, 8,  32, 300, 4,  340,  10625, 125,  true",
        "precopy,  256, 64, 8,  32, 100, 5,  341,  10656, 31,   true",
        "precopy,  256, 64, 8,  32, 0,   4,  340,  10625, 125,  true",
        "auto,     256, 64, 8,  32, 300, 4,  340,  10625, 125,  true",
        "precopy,  256, 64, 0,  32, 300, 2,  256,  8000,  0,    true",
        "precopy,  256, 64, 64, 32, 300, 30, 2112, 66000, 2000, false",
        "precopy,  256, 64, 8,  0,  300, 2,  258,  252,   2,    true",
        "stopcopy, 256, 64, 8,  32, 300, 1,  256,  8000,  8000, true",
        "postcopy, 256, 64, 8,  32, 300, 1,  320,  10000, 0,    true",
        "postcopy, 256, 16, 8,  32, 300, 1,  272,  8500,  0,    true",
    })
    void predicts(String mode, long m, long w, long d, long b, long t, long passes, long bytesMib, long totalMs,
            long downtimeMs, boolean converges) {
        ModelPrediction p = MigrationModel.predict(mode, m * MIB, w * MIB, d * MIB, b * MIB, t);
        assertEquals(passes, p.passes(), p.formula());
        assertEquals(bytesMib * MIB, p.bytes(), p.formula());
        assertEquals(totalMs, p.totalMs(), p.formula());
        assertEquals(downtimeMs, p.downtimeMs(), p.formula());
        assertEquals(converges, p.converges(), p.formula());
        assertEquals(1, p.formula().lines().count());
    }

    @Test
    void anUnlimitedLinkUsesTheGivenDefaultRate() {
        // At 32 MiB/s as the default, B=0 is the same as B=32.
        ModelPrediction p = MigrationModel.predict("precopy", 256 * MIB, 64 * MIB, 8 * MIB, 0, 300, 32 * MIB);
        assertEquals(340 * MIB, p.bytes());
        assertEquals(10625, p.totalMs());
        assertTrue(p.formula().contains("unlimited"), p.formula());
    }

    @Test
    void aSlowlyShrinkingSeriesIsCutAtTheCap() {
        // D/B = 0.9: V shrinks by 10% a pass from W=224 and would need ~60 passes to reach B*T = 0.4 MiB.
        ModelPrediction p = MigrationModel.predict("precopy", 256 * MIB, 224 * MIB, 36 * MIB, 40 * MIB, 10);
        assertFalse(p.converges());
        assertEquals(MigrationPredictor.MAX_PASSES, p.passes());
        // V30 = 224 * 0.9^28 MiB, sent in V30/B.
        double v30 = 224 * MIB * Math.pow(0.9, 28);
        assertEquals(Math.round(v30 * 1000 / (40 * MIB)), p.downtimeMs());
        assertTrue(p.formula().contains("shrinks too slowly"), p.formula());

        ModelPrediction stuck = MigrationModel.predict("precopy", 256 * MIB, 64 * MIB, 64 * MIB, 32 * MIB, 300);
        assertTrue(stuck.formula().contains("does not shrink"), stuck.formula());
    }

    /**
     * The guest's non-zero memory learned as 192 of its 256 MiB (W=64 D=8 B=32 T=300): its 64 MiB of
     * zero pages are 16384 headers of 9 bytes. Pass 1: 201326592 + 147456 = 201474048 bytes in
     * 6.00439453125 s; V2 = 8 MiB/s * 6.0044 s = 50368512 bytes (1.5011 s), V3 = 12592128 bytes
     * (0.37527 s), V4 = 3148032 bytes fits in B*T = 9.6 MiB: 4 passes, 267582720 bytes in 7.9746 s,
     * 93.8 ms paused. Every page taken as non-zero (the first row of predicts()), 340 MiB in 10625 ms:
     * the old model's 0.77 of the measured bytes came from there. Stop-and-copy: 201474048 bytes, 6004 ms.
     */
    @Test
    void learnedNonZeroMemoryLeavesTheZeroPagesOut() {
        Figure nonZero = Figure.learned(192 * MIB);
        ModelPrediction pre = MigrationModel.predict("precopy", 256 * MIB, nonZero, 64 * MIB, 8 * MIB, 32 * MIB, 300);
        assertEquals(4, pre.passes());
        assertEquals(267_582_720, pre.bytes());
        assertEquals(7975, pre.totalMs());
        assertEquals(94, pre.downtimeMs());
        assertTrue(pre.formula().contains("N=192.0 MiB (learned)"), pre.formula());

        ModelPrediction stop = MigrationModel.predict("stopcopy", 256 * MIB, nonZero, 64 * MIB, 8 * MIB, 32 * MIB, 0);
        assertEquals(201_474_048, stop.bytes());
        assertEquals(6004, stop.totalMs());
        assertEquals(6004, stop.downtimeMs());
    }

    /**
     * Auto takes the agent's steps; the model used to take it for pre-copy. M=256 W=64 D=64 B=32
     * T=300: pass 2 has 64 MiB to send, 2000 ms of downtime, the ladder's cap: raised to it, it
     * fits at once: 2 passes, 320 MiB, 10000 ms, 2000 ms paused (pre-copy: cut at 30 passes, the
     * row above). W=128: 4000 ms needed, the cap is not enough; passes 3 and 4 throttle, pass 5
     * switches to post-copy: 256 + 3 * 128 + 128 = 768 MiB in 24000 ms, not paused.
     */
    @Test
    void autoTakesTheAgentsSteps() {
        ModelPrediction raised = MigrationModel.predict("auto", 256 * MIB, 64 * MIB, 64 * MIB, 32 * MIB, 300);
        assertEquals(2, raised.passes());
        assertEquals(320 * MIB, raised.bytes());
        assertEquals(10_000, raised.totalMs());
        assertEquals(2000, raised.downtimeMs());
        assertTrue(raised.converges());
        assertTrue(raised.formula().contains("pass 2: allowed downtime raised to 2000 ms"), raised.formula());

        ModelPrediction post = MigrationModel.predict("auto", 256 * MIB, 128 * MIB, 64 * MIB, 32 * MIB, 300);
        assertEquals(768 * MIB, post.bytes());
        assertEquals(24_000, post.totalMs());
        assertEquals(0, post.downtimeMs());
        assertTrue(post.formula().contains("pass 5: switched to post-copy"), post.formula());
        assertEquals(1, post.formula().lines().count());
    }

    private static RunPlan plan(String mode, int dirtyRateMibps, int linkMibps, String objective) {
        return new RunPlan(1, "r001-" + mode, false, 1, mode, false, 256, 64, dirtyRateMibps, linkMibps, 300, 120, objective);
    }

    /**
     * Auto is predicted as the agent plans it before the start ({@code Preflight}, non-zero memory
     * and working set taken as the whole memory). M=256 W=64 B=32 T=300, D=8: pre-copy converges
     * (V = 64, 16, 4) in 10625 ms, post-copy takes 8000 + 64/32 s = 10000 ms: a near tie (within
     * 10 %), pre-copy for fastest too. D=16: fastest takes post-copy after the first pass,
     * predicted as post-copy (320 MiB, 10000 ms, not paused). Safe at D=8: pre-copy,
     * predicted as auto's pre-copy with the ladder (340 MiB, 10625 ms). D=64 &gt; B: pre-copy does
     * not converge, so safe plans post-copy too. Without a bandwidth asked for, the agent does not
     * know the link's rate and goes pre-copy first whatever the objective.
     */
    @Test
    void autoIsPredictedAsItsPlanUnderTheObjective() {
        Figure every = Figure.estimated(256 * MIB);
        // At D=8 post-copy is only 6 % ahead: a near tie, which fastest leaves to pre-copy.
        assertTrue(MigrationModel.predict(plan("auto", 8, 32, "fastest"), every).formula().startsWith("auto: pre-copy"));
        // At D=16 pre-copy takes 8 + 2 + 1 + 0.5 s and stops for 250 ms: post-copy, 10 s, is 15 % ahead.
        ModelPrediction fastest = MigrationModel.predict(plan("auto", 16, 32, "fastest"), every);
        assertEquals(MigrationModel.predict("postcopy", 256 * MIB, every, 64 * MIB, 16 * MIB, 32 * MIB, 300).bytes(),
                fastest.bytes());
        assertEquals(320 * MIB, fastest.bytes());
        assertEquals(10_000, fastest.totalMs());
        assertEquals(0, fastest.downtimeMs());
        assertTrue(fastest.converges());
        assertTrue(fastest.formula().startsWith("auto plans post-copy right after the first pass (objective fastest); "
                + "post-copy after one pre-copy pass"), fastest.formula());
        assertEquals(1, fastest.formula().lines().count());

        ModelPrediction safe = MigrationModel.predict(plan("auto", 8, 32, "safe"), every);
        assertEquals(340 * MIB, safe.bytes());
        assertEquals(10_625, safe.totalMs());
        assertTrue(safe.formula().startsWith("auto: pre-copy"), safe.formula());

        ModelPrediction safeHopeless = MigrationModel.predict(plan("auto", 64, 32, "safe"), every);
        assertEquals(320 * MIB, safeHopeless.bytes());
        assertEquals(0, safeHopeless.downtimeMs());
        assertTrue(safeHopeless.formula().startsWith("auto plans post-copy right after the first pass (objective safe)"),
                safeHopeless.formula());

        ModelPrediction unlimited = MigrationModel.predict(plan("auto", 8, 0, "fastest"), every);
        assertEquals(MigrationModel.predict("auto", 256 * MIB, 64 * MIB, 8 * MIB, 0, 300), unlimited);

        // The other modes are what they are, whatever the plan records.
        assertEquals(MigrationModel.predict("precopy", 256 * MIB, 64 * MIB, 8 * MIB, 32 * MIB, 300),
                MigrationModel.predict(plan("precopy", 8, 32, ""), every));
    }

    /** The median bytes of the succeeded stop-and-copy runs of a guest that size; none, nothing learned. */
    @Test
    void nonZeroMemoryIsLearnedFromStopAndCopyRuns() {
        RunResult failed = Fixtures.stopAndCopy(4, 1 * MIB);
        Fixtures.Builder b = Fixtures.builder(failed.plan());
        b.status = "failed";
        b.bytes = MIB;
        List<RunResult> runs = new ArrayList<>(Fixtures.results());
        assertEquals(Optional.empty(), MigrationModel.nonZeroMemory(runs, 256));
        runs.add(Fixtures.stopAndCopy(1, 190 * MIB));
        runs.add(Fixtures.stopAndCopy(2, 210 * MIB));
        runs.add(Fixtures.stopAndCopy(3, 200 * MIB));
        runs.add(b.build());
        assertEquals(Optional.of(Figure.learned(200 * MIB)), MigrationModel.nonZeroMemory(runs, 256));
        assertEquals(Optional.empty(), MigrationModel.nonZeroMemory(runs, 512));
    }

    @Test
    void refusesNonsense() {
        assertThrows(IllegalArgumentException.class, () -> MigrationModel.predict("hybrid", MIB, 0, 0, MIB, 300));
        assertThrows(IllegalArgumentException.class, () -> MigrationModel.predict("precopy", 0, 0, 0, MIB, 300));
        assertThrows(IllegalArgumentException.class, () -> MigrationModel.predict("precopy", MIB, -1, 0, MIB, 300));
        assertThrows(IllegalArgumentException.class, () -> MigrationModel.predict("precopy", MIB, 0, 0, 0, 300, 0));
    }
}
