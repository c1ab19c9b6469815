package io.livemig.cli.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ExperimentInvariantsTest {

    /** The fixture's runs with run {@code index} rebuilt after {@code change}. */
    private static List<RunResult> with(int index, Consumer<Fixtures.Builder> change) {
        List<RunResult> runs = new ArrayList<>(Fixtures.results());
        Fixtures.Builder b = Fixtures.builder(runs.get(index).plan());
        change.accept(b);
        runs.set(index, b.build());
        return runs;
    }

    private static RunPlan plan(int index) {
        return Fixtures.results().get(index).plan();
    }

    @Test
    void aCompleteHealthyExperimentHasNone() {
        assertEquals(List.of(), ExperimentInvariants.violations(Fixtures.results(), Fixtures.spec()));
        // Runs matched by cell and repetition, not by id: another seed's order is as complete.
        List<RunResult> other = Matrix.plan(Fixtures.spec(), 12345).stream().map(p -> Fixtures.builder(p).build()).toList();
        assertEquals(List.of(), ExperimentInvariants.violations(other, Fixtures.spec()));
    }

    @Test
    void aMissingRunIsNamed() {
        List<RunResult> runs = new ArrayList<>(Fixtures.results());
        RunResult gone = runs.remove(4);
        assertEquals(List.of("missing run: " + gone.plan().cell() + " repetition " + gone.plan().repetition()),
                ExperimentInvariants.violations(runs, Fixtures.spec()));
        List<RunResult> noWarmup = new ArrayList<>(Fixtures.results());
        noWarmup.remove(0);
        assertEquals(List.of("missing run: precopy/m256/d64@8/l32 warm-up"),
                ExperimentInvariants.violations(noWarmup, Fixtures.spec()));
    }

    @Test
    void unplannedAndDuplicateRunsAreNamed() {
        List<RunResult> runs = new ArrayList<>(Fixtures.results());
        runs.add(runs.get(3));
        Fixtures.Builder auto = Fixtures.builder(plan(indexOf(p -> !p.baseline() && !p.warmup())));
        auto.plan = new RunPlan(99, "r099-auto-d64r8-l32-rep1", false, 1, "auto", false, 256, 64, 8, 32, 0, 120, "");
        runs.add(auto.build());
        List<String> v = ExperimentInvariants.violations(runs, Fixtures.spec());
        assertEquals(2, v.size(), v.toString());
        assertTrue(v.contains("run recorded 2 times: " + runs.get(3).plan().cell() + " repetition "
                + runs.get(3).plan().repetition()), v.toString());
        assertTrue(v.contains("r099-auto-d64r8-l32-rep1: not in the plan of synth (auto/m256/d64@8/l32 repetition 1)"), v.toString());
        // A run whose plan matches no cell at all.
        List<RunResult> alien = new ArrayList<>(Fixtures.results());
        alien.add(Fixtures.builder(new RunPlan(99, "r099-x", false, 1, "precopy", false, 256, 64, 16, 32, 300, 120, "")).build());
        assertEquals(List.of("r099-x: not in the plan of synth (precopy/m256/d64@16/l32 repetition 1)"),
                ExperimentInvariants.violations(alien, Fixtures.spec()));
    }

    @Test
    void aSucceededLivemigRunNeedsASeries() {
        int livemig = indexOf(p -> !p.baseline() && !p.warmup());
        List<String> v = ExperimentInvariants.violations(with(livemig, b -> b.samples = List.of()), Fixtures.spec());
        assertEquals(List.of(plan(livemig).id() + ": succeeded without a flight-recorder series"), v);
        // A failed one, or a baseline, need not.
        assertEquals(List.of(), ExperimentInvariants.violations(with(livemig, b -> {
            b.samples = List.of();
            b.status = "failed";
        }), Fixtures.spec()));
        int baseline = indexOf(RunPlan::baseline);
        assertTrue(Fixtures.results().get(baseline).samples().isEmpty());
    }

    @Test
    void everyRunNeedsExternalDowntimeAndAnIntegrityVerdict() {
        assertEquals(List.of(plan(2).id() + ": no external downtime measured (-1)"),
                ExperimentInvariants.violations(with(2, b -> b.externalDowntimeMs = -1), Fixtures.spec()));
        assertEquals(List.of(plan(2).id() + ": no integrity verdict (unknown)"),
                ExperimentInvariants.violations(with(2, b -> b.integrity = "unknown"), Fixtures.spec()));
        assertEquals(List.of(plan(2).id() + ": no integrity verdict (none)"),
                ExperimentInvariants.violations(with(2, b -> b.integrity = null), Fixtures.spec()));
        assertEquals(List.of(plan(2).id() + ": guest memory corrupted"),
                ExperimentInvariants.violations(with(2, b -> b.integrity = "corrupted"), Fixtures.spec()));
    }

    @Test
    void aBaselineIsNeededPerWorkloadAndLink() {
        List<RunResult> runs = Fixtures.results().stream()
                .filter(r -> !(r.plan().baseline() && r.plan().dirtyRateMibps() == 8)).toList();
        List<String> v = ExperimentInvariants.violations(runs, Fixtures.spec());
        assertTrue(v.contains("no baseline run for workload d64r8 link 32 MiB/s"), v.toString());
        assertTrue(v.stream().noneMatch(s -> s.contains("workload d64r32")), v.toString());
        // 2 baseline modes x 2 repetitions missing, plus the missing baseline.
        assertEquals(5, v.size(), v.toString());
    }

    private static int indexOf(java.util.function.Predicate<RunPlan> p) {
        return Fixtures.results().stream().map(RunResult::plan).filter(p).findFirst().orElseThrow().index();
    }
}
