package io.livemig.cli.experiment;

import io.livemig.cli.experiment.ExperimentSpec.ModeSpec;
import io.livemig.cli.experiment.ExperimentSpec.Workload;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The run order of an experiment.
 *
 * <p>Cells are workloads × links × modes, plus, when the spec asks for a baseline, one
 * {@code virsh migrate} cell per workload × link and <em>baseline mode</em>: "precopy" (plain
 * {@code virsh migrate --live}) always, and "postcopy" too when a livemig mode is postcopy, so
 * that each livemig technique has a plain-libvirt run of the same technique beside it. A baseline
 * run takes the allowed downtime of the livemig mode of the same name (0, the default, if there is
 * none), so both sides run under the same limit; likewise its timeout (the mode's
 * {@code timeout_s}, else {@link #DEFAULT_TIMEOUT_S}): the one value both sides are given.
 *
 * <p>Order: the warm-up first, if any (the spec's first cell, repetition 0), then each repetition
 * runs every cell once, in an order shuffled anew per repetition by one
 * {@code new Random(seed)}. Shuffling per repetition interleaves the cells (A B B A, B A A B
 * rather than A A B B): drift of the lab over the experiment (a warming host, a neighbour's
 * traffic) then spreads over all cells instead of biasing the ones that ran last.
 */
public final class Matrix {

    /** The modes a plain {@code virsh migrate} baseline is run in. */
    public static final String BASELINE_PRECOPY = "precopy";
    public static final String BASELINE_POSTCOPY = "postcopy";
    /** Completion timeout of a cell whose mode gives none (livemig: its timeout rule; baseline: virsh --timeout). */
    public static final long DEFAULT_TIMEOUT_S = 120;

    private Matrix() {}

    /** One cell: what every repetition of it shares. */
    private record Cell(Workload workload, int linkMibps, String mode, boolean baseline, long maxDowntimeMs, long timeoutS,
            String objective) {

        /** "postcopy-d64r8-l32", "baseline-precopy-d64r8-l32". */
        String label() {
            return (baseline ? "baseline-" : "") + mode + "-" + workload.label() + "-l" + linkMibps;
        }
    }

    /**
     * Every run of the experiment in the order to run them, indexed from 0. Ids are
     * {@code r<index>-<cell label>-rep<n>} (the warm-up's end in {@code -warmup}), e.g.
     * {@code r003-postcopy-d64r8-l32-rep2}, {@code r004-baseline-precopy-d64r8-l32-rep1}: unique
     * through the index, file-name safe, and the same for the same spec and seed.
     */
    public static List<RunPlan> plan(ExperimentSpec spec, long seed) {
        List<Cell> cells = cells(spec);
        int total = (spec.warmup() ? 1 : 0) + cells.size() * spec.repetitions();
        // Zero-padded to the widest index so that ids sort in run order.
        String indexFormat = "r%0" + Math.max(3, String.valueOf(total - 1).length()) + "d";
        List<RunPlan> plans = new ArrayList<>(total);
        if (spec.warmup()) {
            plans.add(runPlan(spec, cells.get(0), 0, 0, String.format(Locale.ROOT, indexFormat, 0)
                    + "-" + cells.get(0).label() + "-warmup"));
        }
        Random random = new Random(seed);
        for (int rep = 1; rep <= spec.repetitions(); rep++) {
            List<Cell> order = new ArrayList<>(cells);
            Collections.shuffle(order, random);
            for (Cell cell : order) {
                int index = plans.size();
                plans.add(runPlan(spec, cell, index, rep, String.format(Locale.ROOT, indexFormat, index)
                        + "-" + cell.label() + "-rep" + rep));
            }
        }
        return List.copyOf(plans);
    }

    /** The modes baseline runs are made in for this spec, "precopy" first; empty without baseline. */
    public static List<String> baselineModes(ExperimentSpec spec) {
        if (!spec.baseline()) {
            return List.of();
        }
        boolean postcopy = spec.modes().stream().anyMatch(m -> m.mode().equals("postcopy"));
        return postcopy ? List.of(BASELINE_PRECOPY, BASELINE_POSTCOPY) : List.of(BASELINE_PRECOPY);
    }

    /** The cells in spec order: per workload, per link, the livemig modes then the baselines. */
    private static List<Cell> cells(ExperimentSpec spec) {
        List<String> baselineModes = baselineModes(spec);
        List<Cell> cells = new ArrayList<>();
        for (Workload w : spec.workloads()) {
            for (int link : spec.linksMibps()) {
                for (ModeSpec m : spec.modes()) {
                    cells.add(new Cell(w, link, m.mode(), false, m.maxDowntimeMs(), timeoutS(m), m.objective()));
                }
                for (String b : baselineModes) {
                    ModeSpec same = spec.mode(b).orElse(new ModeSpec(b, 0, 0, ""));
                    // virsh has no objective: only auto takes one, and there is no baseline auto.
                    cells.add(new Cell(w, link, b, true, same.maxDowntimeMs(), timeoutS(same), ""));
                }
            }
        }
        return cells;
    }

    /** The mode's timeout, or the default when it gives none. */
    private static long timeoutS(ModeSpec m) {
        return m.timeoutS() > 0 ? m.timeoutS() : DEFAULT_TIMEOUT_S;
    }

    private static RunPlan runPlan(ExperimentSpec spec, Cell cell, int index, int repetition, String id) {
        return new RunPlan(index, id, repetition == 0, repetition, cell.mode(), cell.baseline(), spec.guest().memMib(),
                cell.workload().dirtyMib(), cell.workload().dirtyRateMibps(), cell.linkMibps(), cell.maxDowntimeMs(),
                cell.timeoutS(), cell.objective());
    }
}
