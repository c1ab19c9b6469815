package io.livemig.common.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.common.predict.Preflight.Advice;
import io.livemig.common.predict.Preflight.Facts;
import io.livemig.common.predict.Preflight.Input;
import io.livemig.common.predict.Preflight.Options;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class PreflightTest {

    private static final long MIB = 1024L * 1024;

    private static Facts facts(long dirtyMiBps, long sourceLink, long targetLink) {
        return new Facts(1024 * MIB, dirtyMiBps * MIB, OptionalLong.empty(), "lab-a", sourceLink, "lab-b", targetLink);
    }

    private static Input input(Advice a, String name) {
        return a.inputs().stream().filter(i -> i.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void theSlowerHostsLinkIsTheRateAndTheUnknownsAreFlagged() {
        Advice a = Preflight.advise(facts(8, 100, 120), Options.defaults(), Objective.SAFE);
        assertEquals(100 * MIB, a.prediction().inputs().linkBytesPerS());
        assertEquals(Preflight.DEFAULT_MAX_DOWNTIME_MS, a.prediction().inputs().allowedDowntimeMs());
        assertEquals(List.of("non_zero_memory", "working_set"), a.estimated().stream().map(Input::name).toList());
        assertFalse(input(a, "link_rate").estimated());
        assertTrue(input(a, "link_rate").how().contains("lab-a (100) and lab-b (120)"), input(a, "link_rate").how());
        // 1 GiB at 100 MiB/s, 8 MiB/s dirtied: pre-copy converges, safe picks it.
        assertTrue(a.prediction().of(MigrationMode.PRECOPY).converges());
        assertEquals(MigrationMode.PRECOPY, a.recommendation().mode());
        assertEquals(Objective.SAFE, a.recommendation().objective());
    }

    @Test
    void noLinkKnownTakesTheBandwidthAskedForElseTheDefaultFlagged() {
        Advice capped = Preflight.advise(facts(8, 0, 0), new Options(0, 50, false, 0, false, false), Objective.SAFE);
        assertEquals(50 * MIB, capped.prediction().inputs().linkBytesPerS());
        assertFalse(input(capped, "link_rate").estimated());

        Advice unknown = Preflight.advise(facts(8, 0, 0), Options.defaults(), Objective.SAFE);
        assertEquals(Preflight.DEFAULT_LINK_MIBPS * MIB, unknown.prediction().inputs().linkBytesPerS());
        assertTrue(input(unknown, "link_rate").estimated());

        Advice oneSide = Preflight.advise(facts(8, 0, 200), new Options(0, 80, false, 0, false, false), Objective.SAFE);
        assertEquals(80 * MIB, oneSide.prediction().inputs().linkBytesPerS());
        assertTrue(input(oneSide, "link_rate").estimated());
        assertTrue(input(oneSide, "link_rate").how().startsWith("lab-a has no link_mibps"));
    }

    @Test
    void aDirtyRateNotMeasuredYetIsZeroAndFlagged() {
        Advice a = Preflight.advise(facts(0, 100, 100), Options.defaults(), Objective.SAFE);
        assertTrue(input(a, "dirty_rate").estimated());
        assertEquals(0, a.prediction().inputs().dirtyRateBytesPerS().value());
    }

    @Test
    void aLearnedNonZeroMemoryIsUsedUpToTheMemory() {
        Facts learned = new Facts(1024 * MIB, 8 * MIB, OptionalLong.of(300 * MIB), "lab-a", 100, "lab-b", 100);
        Advice a = Preflight.advise(learned, Options.defaults(), Objective.SAFE);
        assertEquals(300 * MIB, a.prediction().inputs().nonZeroBytes().value());
        assertEquals(Source.LEARNED, a.prediction().inputs().nonZeroBytes().source());
        assertFalse(input(a, "non_zero_memory").estimated());

        Facts more = new Facts(1024 * MIB, 8 * MIB, OptionalLong.of(2048 * MIB), "lab-a", 100, "lab-b", 100);
        assertEquals(1024 * MIB, Preflight.advise(more, Options.defaults(), Objective.SAFE).prediction().inputs()
                .nonZeroBytes().value());
    }

    /**
     * Not learned yet: the RAM its host holds stands for the non-zero memory, still flagged as
     * estimated. A stop-and-copy of 1 GiB with 200 MiB held sends those 200 MiB and the rest as
     * page headers, at 100 MiB/s about 2 s, not the 10.2 s of every page non-zero. What was
     * learned comes first.
     */
    @Test
    void theRamItsHostHoldsStandsForTheNonZeroMemoryUntilLearned() {
        Facts held = new Facts(1024 * MIB, 8 * MIB, OptionalLong.empty(), "lab-a", 100, "lab-b", 100,
                OptionalLong.empty(), OptionalLong.of(200 * MIB));
        Advice a = Preflight.advise(held, Options.defaults(), Objective.SAFE);
        assertEquals(200 * MIB, a.prediction().inputs().nonZeroBytes().value());
        assertEquals(Source.ESTIMATED, a.prediction().inputs().nonZeroBytes().source());
        assertTrue(input(a, "non_zero_memory").estimated());
        assertTrue(input(a, "non_zero_memory").how().contains("RAM its host holds"), input(a, "non_zero_memory").how());
        long stopAndCopyMs = a.prediction().of(MigrationMode.STOP_AND_COPY).totalMs();
        assertTrue(stopAndCopyMs > 2000 && stopAndCopyMs < 2200, "stop-and-copy " + stopAndCopyMs + " ms");

        Facts both = new Facts(1024 * MIB, 8 * MIB, OptionalLong.of(300 * MIB), "lab-a", 100, "lab-b", 100,
                OptionalLong.empty(), OptionalLong.of(200 * MIB));
        assertEquals(300 * MIB, Preflight.advise(both, Options.defaults(), Objective.SAFE).prediction().inputs()
                .nonZeroBytes().value());
    }

    /**
     * A working set of 128 MiB learned: post-copy after a 1 GiB first pass at 100 MiB/s pulls at
     * most those 128 MiB, not the 80 MiB/s x 10.2 s the guest dirtied meanwhile.
     */
    @Test
    void aLearnedWorkingSetBoundsWhatAPassFindsDirty() {
        Facts unknown = new Facts(1024 * MIB, 80 * MIB, OptionalLong.empty(), "lab-a", 100, "lab-b", 100);
        Facts learned = new Facts(1024 * MIB, 80 * MIB, OptionalLong.empty(), "lab-a", 100, "lab-b", 100,
                OptionalLong.of(128 * MIB));
        Advice a = Preflight.advise(learned, Options.defaults(), Objective.SAFE);
        assertEquals(128 * MIB, a.prediction().inputs().workingSetBytes().value());
        assertEquals(Source.LEARNED, a.prediction().inputs().workingSetBytes().source());
        assertFalse(input(a, "working_set").estimated());
        assertTrue(input(Preflight.advise(unknown, Options.defaults(), Objective.SAFE), "working_set").estimated());
        long pulledLearned = a.prediction().of(MigrationMode.POSTCOPY).bytes() - a.prediction().of(
                MigrationMode.STOP_AND_COPY).bytes();
        assertEquals(128 * MIB, pulledLearned, MIB);
        long pulledUnknown = Preflight.advise(unknown, Options.defaults(), Objective.SAFE).prediction()
                .of(MigrationMode.POSTCOPY).bytes() - a.prediction().of(MigrationMode.STOP_AND_COPY).bytes();
        assertTrue(pulledUnknown > 800 * MIB, "80 MiB/s for about 10 s: " + pulledUnknown / MIB + " MiB");
    }

    /**
     * Where the objective recommends post-copy on a known link, AUTO plans post-copy right after
     * the first pass, so its row is post-copy's, not the ladder's; on a guessed link it starts with
     * pre-copy as the agent does, and its row stays the ladder's.
     */
    @Test
    void autoIsPredictedAsItsPlan() {
        Advice known = Preflight.advise(facts(200, 100, 100), Options.defaults(), Objective.SAFE);
        assertEquals(MigrationMode.POSTCOPY, known.recommendation().mode());
        assertTrue(known.autoPostcopyFirst());
        ModePrediction auto = known.prediction().of(MigrationMode.AUTO);
        ModePrediction post = known.prediction().of(MigrationMode.POSTCOPY);
        assertEquals(post.totalMs(), auto.totalMs());
        assertEquals(post.bytes(), auto.bytes());
        assertEquals(MigrationMode.POSTCOPY, auto.endsAs());
        assertEquals(List.of("planned before the start (objective safe): post-copy after the first pass"),
                auto.steps());

        Advice guessed = Preflight.advise(facts(2000, 0, 0), Options.defaults(), Objective.SAFE);
        assertEquals(MigrationMode.POSTCOPY, guessed.recommendation().mode());
        assertFalse(guessed.autoPostcopyFirst());
        assertEquals(MigrationPredictor.predict(guessed.prediction().inputs()).of(MigrationMode.AUTO),
                guessed.prediction().of(MigrationMode.AUTO), "the ladder's prediction");
    }

    @Test
    void optionsReachTheInputs() {
        Advice a = Preflight.advise(facts(200, 100, 100), new Options(500, 0, true, 4, true, true), Objective.FASTEST);
        PredictionInputs in = a.prediction().inputs();
        assertEquals(500, in.allowedDowntimeMs());
        assertTrue(in.compression().isEstimated());
        assertTrue(input(a, "compression_ratio").estimated());
        assertEquals(4, in.parallelConnections());
        assertFalse(in.postcopyAllowed());
        assertFalse(in.auto().suspendAllowed());
        // 200 MiB/s dirtied over a 100 MiB/s link, post-copy forbidden: pre-copy cannot converge.
        assertFalse(a.prediction().of(MigrationMode.PRECOPY).converges());
        assertTrue(a.recommendation().mode() != MigrationMode.POSTCOPY);
    }

    @Test
    void noMemoryIsRefused() {
        Facts none = new Facts(0, 0, OptionalLong.empty(), "lab-a", 0, "lab-b", 0);
        assertThrows(IllegalArgumentException.class, () -> Preflight.advise(none, Options.defaults(), Objective.SAFE));
    }
}
