package io.livemig.cli.experiment;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What must hold of a finished experiment, whatever the numbers: for the integration test on the
 * lab and as a sanity check before believing a report. Pure.
 */
public final class ExperimentInvariants {

    private ExperimentInvariants() {}

    /**
     * Human-readable violations, empty when all is well:
     * <ul>
     *   <li>every planned run is present (matched by cell, repetition and warm-up, not by id: ids
     *       carry the run's position, which depends on the seed) and no unplanned one;</li>
     *   <li>every succeeded livemig (non-baseline) run has a flight-recorder series;</li>
     *   <li>every run has an external downtime (&gt;= 0) and an integrity verdict, ok or
     *       corrupted;</li>
     *   <li>with a baseline, at least one baseline run per workload × link;</li>
     *   <li>no run is corrupted.</li>
     * </ul>
     */
    public static List<String> violations(List<RunResult> runs, ExperimentSpec spec) {
        List<String> out = new ArrayList<>();
        // Planned runs by what identifies them independently of the order; any seed gives the same set.
        Map<String, Integer> expected = new LinkedHashMap<>();
        for (RunPlan p : Matrix.plan(spec, 0)) {
            expected.merge(key(p), 1, Integer::sum);
        }
        Map<String, Integer> actual = new HashMap<>();
        for (RunResult r : runs) {
            actual.merge(key(r.plan()), 1, Integer::sum);
        }
        expected.forEach((k, n) -> {
            int have = actual.getOrDefault(k, 0);
            if (have < n) {
                out.add("missing run: " + k + (n - have > 1 ? " (" + (n - have) + " times)" : ""));
            }
        });
        for (RunResult r : runs) {
            String k = key(r.plan());
            if (!expected.containsKey(k)) {
                out.add(r.plan().id() + ": not in the plan of " + spec.name() + " (" + k + ")");
            }
        }
        actual.forEach((k, n) -> {
            if (expected.containsKey(k) && n > expected.get(k)) {
                out.add("run recorded " + n + " times: " + k);
            }
        });
        for (RunResult r : runs) {
            String id = r.plan().id();
            if (!r.plan().baseline() && "succeeded".equals(r.status()) && r.samples().isEmpty()) {
                out.add(id + ": succeeded without a flight-recorder series");
            }
            if (r.externalDowntimeMs() < 0) {
                out.add(id + ": no external downtime measured (" + r.externalDowntimeMs() + ")");
            }
            if (!"ok".equals(r.integrity()) && !"corrupted".equals(r.integrity())) {
                out.add(id + ": no integrity verdict (" + Objects.toString(r.integrity(), "none") + ")");
            }
            if ("corrupted".equals(r.integrity())) {
                out.add(id + ": guest memory corrupted");
            }
        }
        if (spec.baseline()) {
            for (ExperimentSpec.Workload w : spec.workloads()) {
                for (int link : spec.linksMibps()) {
                    boolean any = runs.stream().anyMatch(r -> r.plan().baseline() && r.plan().dirtyMib() == w.dirtyMib()
                            && r.plan().dirtyRateMibps() == w.dirtyRateMibps() && r.plan().linkMibps() == link);
                    if (!any) {
                        out.add("no baseline run for workload " + w.label() + " link " + link + " MiB/s");
                    }
                }
            }
        }
        return out;
    }

    private static String key(RunPlan p) {
        return p.cell() + (p.warmup() ? " warm-up" : " repetition " + p.repetition());
    }
}
