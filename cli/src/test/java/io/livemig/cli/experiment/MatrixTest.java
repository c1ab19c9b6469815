package io.livemig.cli.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.cli.experiment.ExperimentSpec.Guest;
import io.livemig.cli.experiment.ExperimentSpec.ModeSpec;
import io.livemig.cli.experiment.ExperimentSpec.Workload;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class MatrixTest {

    static ExperimentSpec spec(boolean warmup, boolean baseline, int repetitions, List<ModeSpec> modes) {
        return new ExperimentSpec("t", "lab-a", "lab-b", OptionalLong.empty(), repetitions, warmup, new Guest(256, 1, "random"),
                List.of(new Workload(64, 8), new Workload(64, 32)), List.of(32, 0), modes, baseline, 10);
    }

    static final List<ModeSpec> PRE_POST = List.of(new ModeSpec("precopy", 300, 0, ""), new ModeSpec("postcopy", 500, 0, ""));

    @Test
    void cellsAreWorkloadsTimesLinksTimesModesPlusBaselines() {
        List<RunPlan> plan = Matrix.plan(spec(true, true, 3, PRE_POST), 42);
        // 2 workloads x 2 links x (2 modes + 2 baseline modes) = 16 cells, 3 repetitions, 1 warm-up.
        assertEquals(1 + 16 * 3, plan.size());
        for (int i = 0; i < plan.size(); i++) {
            assertEquals(i, plan.get(i).index());
        }
        Set<String> cells = plan.stream().map(RunPlan::cell).collect(Collectors.toSet());
        assertEquals(16, cells.size());
        assertTrue(cells.contains("baseline-postcopy/m256/d64@32/l0"), cells.toString());
        assertTrue(cells.contains("precopy/m256/d64@8/l32"), cells.toString());
        // A baseline run takes the downtime limit of the livemig mode of the same name.
        RunPlan basePost = plan.stream().filter(p -> p.baseline() && p.mode().equals("postcopy")).findFirst().orElseThrow();
        assertEquals(500, basePost.maxDowntimeMs());
        assertTrue(plan.stream().allMatch(p -> p.memMib() == 256));
    }

    @Test
    void warmupIsTheFirstCellOfTheSpecAndComesFirst() {
        List<RunPlan> plan = Matrix.plan(spec(true, true, 2, PRE_POST), 1);
        RunPlan w = plan.get(0);
        assertTrue(w.warmup());
        assertEquals(0, w.repetition());
        assertEquals(new RunPlan(0, "r000-precopy-d64r8-l32-warmup", true, 0, "precopy", false, 256, 64, 8, 32, 300, 120, ""), w);
        assertTrue(plan.stream().skip(1).noneMatch(RunPlan::warmup));

        List<RunPlan> none = Matrix.plan(spec(false, true, 2, PRE_POST), 1);
        assertEquals(plan.size() - 1, none.size());
        assertFalse(none.get(0).warmup());
        assertEquals(1, none.get(0).repetition());
    }

    @Test
    void everyRepetitionRunsEveryCellOnceInItsOwnBlock() {
        List<RunPlan> plan = Matrix.plan(spec(true, true, 4, PRE_POST), 99);
        int cells = 16;
        List<List<String>> blocks = new java.util.ArrayList<>();
        for (int rep = 1; rep <= 4; rep++) {
            List<RunPlan> block = plan.subList(1 + (rep - 1) * cells, 1 + rep * cells);
            final int r = rep;
            assertTrue(block.stream().allMatch(p -> p.repetition() == r), "block " + rep);
            assertEquals(cells, block.stream().map(RunPlan::cell).distinct().count(), "block " + rep);
            blocks.add(block.stream().map(RunPlan::cell).toList());
        }
        // A new shuffle per repetition: with 16 cells, four equal orders would be a broken shuffle.
        assertTrue(new HashSet<>(blocks).size() > 1, blocks.toString());
    }

    @Test
    void sameSeedSameOrderOtherSeedsOtherOrders() {
        ExperimentSpec s = spec(true, true, 2, PRE_POST);
        assertEquals(Matrix.plan(s, 42), Matrix.plan(s, 42));
        List<String> a = Matrix.plan(s, 1).stream().map(RunPlan::cell).toList();
        List<String> b = Matrix.plan(s, 2).stream().map(RunPlan::cell).toList();
        List<String> c = Matrix.plan(s, 3).stream().map(RunPlan::cell).toList();
        assertNotEquals(a, b);
        assertNotEquals(b, c);
        assertNotEquals(a, c);
        // Same runs, just another order.
        assertEquals(a.stream().sorted().toList(), b.stream().sorted().toList());
    }

    @Test
    void idsAreUniqueFileNameSafeAndNameTheRun() {
        List<RunPlan> plan = Matrix.plan(spec(true, true, 2, PRE_POST), 7);
        Pattern shape = Pattern.compile("r\\d{3}-(baseline-)?(precopy|postcopy)-d64r(8|32)-l(32|0)-(rep[12]|warmup)");
        Set<String> ids = new HashSet<>();
        for (RunPlan p : plan) {
            assertTrue(shape.matcher(p.id()).matches(), p.id());
            assertTrue(p.id().startsWith(String.format("r%03d-", p.index())), p.id());
            assertTrue(p.id().contains((p.baseline() ? "baseline-" : "") + p.mode() + "-d" + p.dirtyMib() + "r"
                    + p.dirtyRateMibps() + "-l" + p.linkMibps()), p.id());
            assertTrue(p.warmup() ? p.id().endsWith("-warmup") : p.id().endsWith("-rep" + p.repetition()), p.id());
            assertTrue(ids.add(p.id()), "duplicate " + p.id());
        }
    }

    @Test
    void postcopyBaselineOnlyWithAPostcopyMode() {
        List<ModeSpec> noPost = List.of(new ModeSpec("precopy", 0, 0, ""), new ModeSpec("auto", 0, 0, ""));
        ExperimentSpec s = spec(false, true, 1, noPost);
        assertEquals(List.of("precopy"), Matrix.baselineModes(s));
        List<RunPlan> plan = Matrix.plan(s, 5);
        // 2 x 2 x (2 modes + 1 baseline)
        assertEquals(12, plan.size());
        assertTrue(plan.stream().filter(RunPlan::baseline).allMatch(p -> p.mode().equals("precopy")));

        assertEquals(List.of("precopy", "postcopy"), Matrix.baselineModes(spec(false, true, 1, PRE_POST)));
        ExperimentSpec noBaseline = spec(false, false, 1, PRE_POST);
        assertEquals(List.of(), Matrix.baselineModes(noBaseline));
        assertEquals(8, Matrix.plan(noBaseline, 5).size());
        assertTrue(Matrix.plan(noBaseline, 5).stream().noneMatch(RunPlan::baseline));
    }

    @Test
    void autoRunsCarryTheirObjectiveAndNoOtherRunHasOne() {
        List<ModeSpec> modes = List.of(new ModeSpec("precopy", 300, 0, ""), new ModeSpec("auto", 300, 0, "fastest"));
        List<RunPlan> plan = Matrix.plan(spec(true, true, 2, modes), 5);
        List<RunPlan> autos = plan.stream().filter(p -> p.mode().equals("auto")).toList();
        // 2 workloads x 2 links x 2 repetitions.
        assertEquals(8, autos.size());
        assertTrue(autos.stream().allMatch(p -> p.objective().equals("fastest")), autos.toString());
        assertTrue(plan.stream().filter(p -> !p.mode().equals("auto")).allMatch(p -> p.objective().isEmpty()));
    }

    @Test
    void precopyBaselineWithoutAPrecopyModeUsesTheDefaultDowntime() {
        List<ModeSpec> postOnly = List.of(new ModeSpec("postcopy", 800, 0, ""));
        List<RunPlan> plan = Matrix.plan(spec(false, true, 1, postOnly), 5);
        RunPlan basePre = plan.stream().filter(p -> p.baseline() && p.mode().equals("precopy")).findFirst().orElseThrow();
        assertEquals(0, basePre.maxDowntimeMs());
    }

    @Test
    void indexWidthGrowsPastAThousandRuns() {
        List<RunPlan> plan = Matrix.plan(spec(true, true, 70, PRE_POST), 3);
        assertEquals(1 + 16 * 70, plan.size());
        assertTrue(plan.get(0).id().startsWith("r0000-"), plan.get(0).id());
        assertTrue(plan.get(1120).id().startsWith("r1120-"), plan.get(1120).id());
        // Lexical order of ids is run order.
        List<String> ids = plan.stream().map(RunPlan::id).toList();
        assertEquals(ids.stream().sorted().toList(), ids);
    }

    @Test
    void aBaselineTakesTheTimeoutAndDowntimeOfItsLivemigModeOrTheDefault() {
        ExperimentSpec spec = Fixtures.specWithAuto(); // precopy 300 ms, 45 s; auto 300 ms, no timeout
        for (RunPlan p : Matrix.plan(spec, 3)) {
            long expected = p.mode().equals("precopy") ? 45 : Matrix.DEFAULT_TIMEOUT_S;
            assertEquals(expected, p.timeoutS(), p.id());
            assertEquals(300, p.maxDowntimeMs(), p.id());
        }
        assertTrue(Matrix.plan(spec, 3).stream().anyMatch(p -> p.baseline() && p.timeoutS() == 45));
        // Fixtures.spec(): postcopy without timeout or downtime; its baseline likewise.
        for (RunPlan p : Matrix.plan(Fixtures.spec(), 3)) {
            if (p.mode().equals("postcopy")) {
                assertEquals(Matrix.DEFAULT_TIMEOUT_S, p.timeoutS(), p.id());
                assertEquals(0, p.maxDowntimeMs(), p.id());
            }
        }
    }
}
