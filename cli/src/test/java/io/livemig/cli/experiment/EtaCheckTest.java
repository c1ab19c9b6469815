package io.livemig.cli.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.cli.experiment.RunResult.Sample;
import io.livemig.cli.experiment.Stats.Cell;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class EtaCheckTest {

    private static final long MIB = 1 << 20;

    /** A pre-copy run measured at 10 s, predicted at 8 s: samples before 2 s (a quarter of 8 s) do not count. */
    private static RunResult run(long... elapsedAndEta) {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < elapsedAndEta.length; i += 2) {
            samples.add(sample(elapsedAndEta[i], elapsedAndEta[i + 1]));
        }
        return run(samples);
    }

    private static RunResult run(List<Sample> samples) {
        Fixtures.Builder b = Fixtures.builder(new RunPlan(1, "r001-precopy-d64r8-l32-rep1", false, 1, "precopy", false,
                256, 64, 8, 32, 300, 45, null));
        b.totalMs = 10_000;
        b.model = new ModelPrediction(3, 300 * MIB, 8_000, 100, true, "");
        b.samples = new ArrayList<>(samples);
        return b.build();
    }

    private static Sample sample(long elapsedMs, Long etaMs) {
        return new Sample(elapsedMs, "active", 1, 0, 0, 0, 0, 0, 0, 0, 0.5, etaMs);
    }

    @Test
    void theWorstSamplePastAQuarterOfThePredictionCounts() {
        // 1 s + 20 s would be 110 % off, but it comes before 2 s; 2 s + 9 s ends at 11 s (10 % late),
        // 5 s + 3.5 s at 8.5 s (15 % early).
        assertEquals(0.15, EtaCheck.worstError(run(1_000, 20_000, 2_000, 9_000, 5_000, 3_500)), 1e-9);
    }

    @Test
    void aRunWithoutAnEtaHasNoError() {
        assertTrue(Double.isNaN(EtaCheck.worstError(run())));
    }

    /**
     * "ETA ?" past a quarter of the prediction (the agent thought pre-copy would not converge) is
     * no ETA within any bound: the run misses the goal, and the table says so; before the quarter it
     * does not count.
     */
    @Test
    void aSampleWithoutAnEtaPastTheQuarterIsAMiss() {
        RunResult missing = run(List.of(sample(2_000, 9_000L), sample(3_000, null)));
        assertEquals(Double.POSITIVE_INFINITY, EtaCheck.worstError(missing));
        RunResult early = run(List.of(sample(1_000, null), sample(2_000, 9_000L)));
        assertEquals(0.10, EtaCheck.worstError(early), 1e-9);

        Map<Cell, List<RunResult>> cells = new TreeMap<>(Stats.CELL_ORDER);
        cells.put(Cell.of(missing.plan()), List.of(missing));
        StringBuilder md = new StringBuilder();
        EtaCheck.append(md, cells);
        assertTrue(md.toString().contains("| 1 | yes | no ETA | no |"), md.toString());
        assertTrue(md.toString().contains("Within ±20 % in 0 of 1 converging cells: the goal does not hold."),
                md.toString());
    }

    @Test
    void theTableSaysWhetherTheGoalHolds() {
        RunResult good = run(2_000, 9_000);
        RunResult bad = run(2_000, 5_000);
        Map<Cell, List<RunResult>> cells = new TreeMap<>(Stats.CELL_ORDER);
        cells.put(Cell.of(good.plan()), List.of(good));
        StringBuilder md = new StringBuilder();
        EtaCheck.append(md, cells);
        assertTrue(md.toString().contains("| 1 | yes | 10.0 % | yes |"), md.toString());
        assertTrue(md.toString().contains("Within ±20 % in 1 of 1 converging cells: the goal holds."), md.toString());

        cells.put(Cell.of(bad.plan()), List.of(good, bad));
        md = new StringBuilder();
        EtaCheck.append(md, cells);
        assertTrue(md.toString().contains("| 2 | yes | 30.0 % | no |"), md.toString());
        assertTrue(md.toString().contains("Within ±20 % in 0 of 1 converging cells: the goal does not hold."),
                md.toString());
    }
}
