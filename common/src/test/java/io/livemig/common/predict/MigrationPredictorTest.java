package io.livemig.common.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.common.predict.PredictionInputs.Input;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Hand-computed cases, in MiB and MiB/s unless said: M memory, N non-zero memory, W working set,
 * D dirty rate, B link rate, T allowed downtime. A zero page costs 9 bytes on the wire.
 */
class MigrationPredictorTest {

    private static final long MIB = 1024L * 1024;
    /** Cap 2000 ms in 5 steps, one pass between steps, two throttle steps, hopeless at 0.9, suspend allowed. */
    static final AutoLadder LADDER = new AutoLadder(2000, 5, 1, 2, 0.9, true);

    /** M=256, N=M measured, W, D, B, T=300 ms. */
    private static PredictionInputs.Builder vm(long w, long d, long b) {
        return PredictionInputs.builder(256 * MIB, Figure.measured(d * MIB), b * MIB, 300, LADDER)
                .nonZero(Figure.measured(256 * MIB)).workingSet(Figure.measured(w * MIB));
    }

    private static Prediction predict(PredictionInputs.Builder b) {
        return MigrationPredictor.predict(b.build());
    }

    /**
     * N=64 of M=256: 192 MiB of zero pages are 49152 pages, 442368 header bytes.
     * Stop-and-copy: 67108864 + 442368 = 67551232 bytes, 67551232 / 32 MiB/s = 2.0132 s.
     */
    @Test
    void zeroPagesAreSentAsHeadersOnly() {
        Prediction p = predict(vm(64, 8, 32).nonZero(Figure.measured(64 * MIB)));
        ModePrediction stop = p.of(MigrationMode.STOP_AND_COPY);
        assertEquals(67_551_232, stop.bytes());
        assertEquals(2013, stop.totalMs());
        assertEquals(2013, stop.downtimeMs());
        assertEquals(Set.of(), p.estimated());

        // Not knowing N, the model takes every page as non-zero: 256 MiB, 8 s, and says so.
        Prediction unknown = predict(vm(64, 8, 32).nonZero(Figure.estimated(256 * MIB)));
        assertEquals(256 * MIB, unknown.of(MigrationMode.STOP_AND_COPY).bytes());
        assertEquals(8000, unknown.of(MigrationMode.STOP_AND_COPY).totalMs());
        assertEquals(Set.of(Input.NON_ZERO_MEMORY), unknown.estimated());
        assertTrue(unknown.of(MigrationMode.PRECOPY).formula().contains("N=256.0 MiB (estimated)"));
    }

    /**
     * Pre-copy, N=64, M=256, W=64, D=8, B=32, T=300 (B*T = 9.6 MiB = 10066329.6 bytes):
     * pass 1 is 67551232 bytes in t1 = 2.01318359375 s; V2 = 8 MiB * t1 = 16887808 bytes, too much,
     * sent in 0.503295898 s; V3 = 8 MiB * 0.503295898 s = 4221952 bytes fits: 3 passes,
     * 67551232 + 16887808 + 4221952 = 88660992 bytes in 2.6423 s, 4221952 paused = 125.8 ms.
     * The whole memory as non-zero would be 256 + 64 + 16 + 4 = 340 MiB in 10.625 s.
     */
    @Test
    void preCopyStartsFromTheNonZeroMemory() {
        ModePrediction pre = predict(vm(64, 8, 32).nonZero(Figure.measured(64 * MIB))).of(MigrationMode.PRECOPY);
        assertEquals(3, pre.passes());
        assertEquals(88_660_992, pre.bytes());
        assertEquals(2642, pre.totalMs());
        assertEquals(126, pre.downtimeMs());
        assertTrue(pre.converges());

        ModePrediction full = predict(vm(64, 8, 32)).of(MigrationMode.PRECOPY);
        assertEquals(4, full.passes());
        assertEquals(340 * MIB, full.bytes());
        assertEquals(10625, full.totalMs());
        assertEquals(125, full.downtimeMs());
    }

    /**
     * Half the link (its share with another migration): M=N=256, W=64, D=8, B=16, T=300 (B*T = 4.8):
     * V = 256 (16 s), min(64, 128) = 64 (4 s), 32 (2 s), 16 (1 s), 8 (0.5 s), 4 fits:
     * 6 passes, 380 MiB, 23.75 s, 250 ms paused. At B=32: 4 passes, 340 MiB, 10.625 s.
     * Four connections on the same share change nothing.
     */
    @Test
    void aSmallerLinkShareMeansMorePasses() {
        ModePrediction half = predict(vm(64, 8, 16)).of(MigrationMode.PRECOPY);
        assertEquals(6, half.passes());
        assertEquals(380 * MIB, half.bytes());
        assertEquals(23_750, half.totalMs());
        assertEquals(250, half.downtimeMs());

        ModePrediction four = predict(vm(64, 8, 16).parallelConnections(4)).of(MigrationMode.PRECOPY);
        assertEquals(half, four);
    }

    /**
     * D=48 > B=32, W=128: V stays at min(128, 48 * 4) = 128 > 9.6, cut at 30 passes:
     * 256 + 29 * 128 = 3968 MiB, 124 s, the last 128 MiB paused: 4 s.
     */
    @Test
    void aDirtyRateAboveTheLinkDoesNotConverge() {
        Prediction p = predict(vm(128, 48, 32));
        ModePrediction pre = p.of(MigrationMode.PRECOPY);
        assertFalse(pre.converges());
        assertEquals(MigrationPredictor.MAX_PASSES, pre.passes());
        assertEquals(3968 * MIB, pre.bytes());
        assertEquals(124_000, pre.totalMs());
        assertEquals(4000, pre.downtimeMs());
        assertTrue(pre.formula().contains("does not shrink"), pre.formula());
    }

    /**
     * D/B = 0.9 from W = 224 needs about 60 passes to reach B*T = 0.4 MiB (T = 10 ms, B = 40):
     * cut at 30 with V30 = 224 * 0.9^28 MiB.
     */
    @Test
    void aSlowlyShrinkingSeriesIsCutAtTheCap() {
        ModePrediction pre = MigrationPredictor.predict(PredictionInputs.builder(256 * MIB, Figure.measured(36 * MIB),
                40 * MIB, 10, LADDER).workingSet(Figure.measured(224 * MIB)).build()).of(MigrationMode.PRECOPY);
        assertFalse(pre.converges());
        assertEquals(Math.round(224 * MIB * Math.pow(0.9, 28) * 1000 / (40 * MIB)), pre.downtimeMs());
        assertTrue(pre.formula().contains("shrinks too slowly"), pre.formula());
    }

    /**
     * Post-copy after one pass, M=256, N=192 learned, W=128, D=16, B=32: pass 1 is
     * 201326592 + 16384 zero pages * 9 = 201474048 bytes in 6.00439453125 s; then
     * min(128 MiB, 16 MiB/s * 6.0044 s) = 100737024 bytes pulled: 302211072 bytes in 9.0066 s,
     * not paused.
     */
    @Test
    void postCopyPullsWhatTheFirstPassLeftDirty() {
        Prediction p = predict(vm(128, 16, 32).nonZero(Figure.learned(192 * MIB)));
        ModePrediction post = p.of(MigrationMode.POSTCOPY);
        assertEquals(1, post.passes());
        assertEquals(302_211_072, post.bytes());
        assertEquals(9007, post.totalMs());
        assertEquals(0, post.downtimeMs());
        assertTrue(post.converges());
        assertTrue(post.formula().contains("N=192.0 MiB (learned)"), post.formula());
        // Learned is not estimated.
        assertEquals(Set.of(), p.estimated());

        // A working set smaller than what the pass would dirty bounds the pull: 16 MiB pulled.
        ModePrediction small = predict(vm(16, 16, 32).nonZero(Figure.learned(192 * MIB))).of(MigrationMode.POSTCOPY);
        assertEquals(201_474_048 + 16 * MIB, small.bytes());
    }

    /** Stop-and-copy: M=N=256 at B=32 is 8 s, all of it paused, whatever the guest dirties. */
    @Test
    void stopAndCopyPausesForTheWholeCopy() {
        ModePrediction stop = predict(vm(128, 48, 32)).of(MigrationMode.STOP_AND_COPY);
        assertEquals(1, stop.passes());
        assertEquals(256 * MIB, stop.bytes());
        assertEquals(8000, stop.totalMs());
        assertEquals(8000, stop.downtimeMs());
    }

    /** A known ratio of 2 halves what data pages put on the wire; an unknown one is not counted, and flagged. */
    @Test
    void compressionCountsOnlyWhenItsRatioIsKnown() {
        ModePrediction halved = predict(vm(64, 8, 32).compression(Compression.known(2, Source.LEARNED)))
                .of(MigrationMode.STOP_AND_COPY);
        assertEquals(128 * MIB, halved.bytes());
        assertEquals(4000, halved.totalMs());

        Prediction unknown = predict(vm(64, 8, 32).compression(Compression.unknownRatio()));
        assertEquals(256 * MIB, unknown.of(MigrationMode.STOP_AND_COPY).bytes());
        assertEquals(Set.of(Input.COMPRESSION_RATIO), unknown.estimated());
    }

    /** Where pre-copy converges, AUTO takes no step and is pre-copy. */
    @Test
    void autoIsPreCopyWhenPreCopyConverges() {
        Prediction p = predict(vm(64, 8, 32));
        ModePrediction auto = p.of(MigrationMode.AUTO);
        ModePrediction pre = p.of(MigrationMode.PRECOPY);
        assertEquals(List.of(), auto.steps());
        assertEquals(MigrationMode.PRECOPY, auto.endsAs());
        assertEquals(pre.bytes(), auto.bytes());
        assertEquals(pre.totalMs(), auto.totalMs());
        assertEquals(pre.downtimeMs(), auto.downtimeMs());
        assertEquals(pre.passes(), auto.passes());
    }

    /**
     * D=48 > B=32, W=128, M=N=256: pass 1 (8 s), then 128 MiB a pass (4 s each). Pass 2: the
     * downtime needed (4000 ms) is above every step, so the cap, 2000 ms: 128 > 64, still too much.
     * Pass 3 and 4: the two throttle steps. Pass 5: post-copy pulls 128. Sent: 256 + 3 * 128 + 128
     * = 768 MiB in 24 s, not paused; 4 passes of pre-copy.
     */
    @Test
    void autoClimbsTheLadderToPostCopy() {
        ModePrediction auto = predict(vm(128, 48, 32)).of(MigrationMode.AUTO);
        assertEquals(List.of("pass 2: allowed downtime raised to 2000 ms",
                "pass 3: vCPUs throttled (step 1 of 2), not counted on to lower the dirty rate",
                "pass 4: vCPUs throttled (step 2 of 2), not counted on to lower the dirty rate",
                "pass 5: switched to post-copy, 128.0 MiB pulled"), auto.steps());
        assertEquals(MigrationMode.POSTCOPY, auto.endsAs());
        assertEquals(768 * MIB, auto.bytes());
        assertEquals(24_000, auto.totalMs());
        assertEquals(0, auto.downtimeMs());
        assertEquals(4, auto.passes());
        assertTrue(auto.converges());

        // Without post-copy, the same passes and the guest paused for the last 128 MiB: 4 s.
        ModePrediction suspended = predict(vm(128, 48, 32).postcopyAllowed(false)).of(MigrationMode.AUTO);
        assertEquals(MigrationMode.STOP_AND_COPY, suspended.endsAs());
        assertEquals(768 * MIB, suspended.bytes());
        assertEquals(4000, suspended.downtimeMs());
    }

    /**
     * D=16, W=128, M=N=256, B=32, T=300: pass 1 (8 s) leaves min(128, 16 * 8) = 128, then 64, 32,
     * 16, 8 (fits): the rate is 0.5 of B and the series shrinks, so no step; 504 MiB as pre-copy.
     * D=30 (0.94 of B), W=8, T=100 (B*T = 3.2 MiB; ladder 100, 480, 860, 1240, 1620, 2000 ms):
     * pass 2 would send 8 MiB, 250 ms of downtime; the lowest rung covering it, 480 ms, lets it
     * go at once: 2 passes, 256 + 8 MiB, 250 ms paused.
     */
    @Test
    void autoStopsAtTheFirstDowntimeThatFits() {
        ModePrediction calm = predict(vm(128, 16, 32)).of(MigrationMode.AUTO);
        assertEquals(List.of(), calm.steps());
        assertEquals(504 * MIB, calm.bytes());

        ModePrediction raised = MigrationPredictor.predict(PredictionInputs.builder(256 * MIB,
                Figure.measured(30 * MIB), 32 * MIB, 100, LADDER).nonZero(Figure.measured(256 * MIB))
                .workingSet(Figure.measured(8 * MIB)).build()).of(MigrationMode.AUTO);
        assertEquals(List.of("pass 2: allowed downtime raised to 480 ms"), raised.steps());
        assertEquals(264 * MIB, raised.bytes());
        assertEquals(250, raised.downtimeMs());
        assertEquals(2, raised.passes());
    }

    /**
     * M=N=256, W=64, D=8, B=32, T=300: pre-copy 10625 ms (125 ms paused), post-copy
     * 256 + min(64, 8 * 8) = 320 MiB in 10000 ms, stop-and-copy 8000 ms but all paused.
     */
    @Test
    void safePrefersPreCopyAndFastestTakesTheFastestWithinTheDowntime() {
        Prediction p = predict(vm(64, 8, 32));
        Recommendation safe = p.recommend(Objective.SAFE);
        assertEquals(MigrationMode.PRECOPY, safe.mode());
        assertEquals("pre-copy converges: 10.6 s total, 125 ms paused, 340.0 MiB, within the allowed 300 ms; "
                + "post-copy would take 10.0 s, but a failure during it loses the guest", safe.reason());
        assertEquals(Objective.SAFE, Objective.DEFAULT);

        // Post-copy is predicted 6 % faster: a near tie, which FASTEST leaves to pre-copy.
        Recommendation nearTie = p.recommend(Objective.FASTEST);
        assertEquals(MigrationMode.PRECOPY, nearTie.mode());
        assertEquals("pre-copy is within 10 % of the fastest within the allowed 300 ms (post-copy 10.0 s), closer than "
                + "the prediction can tell apart, and a failure during it loses nothing: 10.6 s total, 125 ms paused, "
                + "340.0 MiB", nearTie.reason());
    }

    /** M=N=256, W=128, D=24, B=32, T=300: post-copy predicted well ahead of a converging pre-copy. */
    @Test
    void fastestTakesPostCopyWhenItIsClearlyAhead() {
        Prediction p = predict(vm(128, 24, 32));
        Recommendation fastest = p.recommend(Objective.FASTEST);
        assertEquals(MigrationMode.POSTCOPY, fastest.mode(), fastest.reason());
        assertTrue(fastest.reason().startsWith("post-copy is the fastest within the allowed 300 ms: "), fastest.reason());
        assertTrue(p.of(MigrationMode.PRECOPY).totalMs() > p.of(MigrationMode.POSTCOPY).totalMs() * 1.1,
                p.modes().toString());
        assertEquals(MigrationMode.PRECOPY, p.recommend(Objective.SAFE).mode(), "pre-copy converges there");
    }

    /** D=48 > B=32: pre-copy does not converge, so post-copy; without post-copy, the least downtime. */
    @Test
    void withoutConvergenceSafeTakesPostCopyOrTheLeastDowntime() {
        Recommendation safe = predict(vm(128, 48, 32)).recommend(Objective.SAFE);
        assertEquals(MigrationMode.POSTCOPY, safe.mode());
        assertEquals("pre-copy does not converge: the guest dirties 48.0 MiB/s and memory is sent at 32.0 MiB/s; "
                + "post-copy: 12.0 s total, 0 ms paused, 384.0 MiB, paused only for the switch-over", safe.reason());

        Prediction noPostcopy = predict(vm(128, 48, 32).postcopyAllowed(false));
        for (Objective o : Objective.values()) {
            Recommendation r = noPostcopy.recommend(o);
            assertEquals(MigrationMode.STOP_AND_COPY, r.mode(), o.name());
            assertTrue(r.reason().contains("no mode keeps the guest paused for at most 300 ms; stop-and-copy pauses "
                    + "it the least: 8.0 s total, 8000 ms paused"), r.reason());
        }
    }

    @Test
    void refusesInputsThatCannotBe() {
        assertThrows(IllegalArgumentException.class, () -> vm(64, 8, 32).nonZero(Figure.measured(257 * MIB)).build());
        assertThrows(IllegalArgumentException.class, () -> vm(300, 8, 32).build());
        assertThrows(IllegalArgumentException.class, () -> vm(64, 8, 0).build());
        assertThrows(IllegalArgumentException.class, () -> vm(64, 8, 32).parallelConnections(0).build());
        assertThrows(IllegalArgumentException.class, () -> Figure.measured(-1));
        assertThrows(IllegalArgumentException.class, () -> Compression.known(0.5, Source.MEASURED));
    }
}
