package io.livemig.cli.experiment;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;

/** Grouping and summarising of runs, shared by {@link Report} and {@link Plots}. */
final class Stats {

    static final double MIB = 1024.0 * 1024.0;

    private Stats() {}

    /** Median and range of one figure over some runs; NaN throughout when there is no value. */
    record Summary(int n, double median, double min, double max) {}

    /**
     * A cell as the report shows it: the run plan's cell without the repetition.
     * {@code memMib} is part of it so that runs of two guests never pool.
     */
    record Cell(boolean baseline, String mode, int memMib, int dirtyMib, int dirtyRateMibps, int linkMibps) {

        static Cell of(RunPlan p) {
            return new Cell(p.baseline(), p.mode(), p.memMib(), p.dirtyMib(), p.dirtyRateMibps(), p.linkMibps());
        }

        String modeLabel() {
            return Stats.modeLabel(baseline, mode);
        }

        String workloadLabel() {
            return dirtyMib + " MiB @ " + dirtyRateMibps + " MiB/s";
        }

        String linkLabel() {
            return linkMibps == 0 ? "unlimited" : linkMibps + " MiB/s";
        }

        /** Whether {@code other} has the same guest, workload and link (whatever its mode and side). */
        boolean sameWorkloadAndLink(Cell other) {
            return memMib == other.memMib && dirtyMib == other.dirtyMib && dirtyRateMibps == other.dirtyRateMibps
                    && linkMibps == other.linkMibps;
        }

        /** The same workload and link, the other side of the livemig / virsh comparison. */
        Cell withBaseline(boolean b) {
            return new Cell(b, mode, memMib, dirtyMib, dirtyRateMibps, linkMibps);
        }
    }

    /** Rows in a stable order: by workload, link, then livemig modes before their baselines. */
    static final Comparator<Cell> CELL_ORDER = Comparator.comparingInt(Cell::memMib)
            .thenComparingInt(Cell::dirtyRateMibps)
            .thenComparingInt(Cell::dirtyMib)
            .thenComparingInt(Cell::linkMibps)
            .thenComparing(Cell::baseline)
            .thenComparingInt(c -> modeRank(c.mode()));

    /** "precopy" for livemig, "virsh precopy" for the baseline. */
    static String modeLabel(boolean baseline, String mode) {
        return baseline ? "virsh " + mode : mode;
    }

    /** Order of mode labels in legends: livemig modes as {@link ExperimentSpec#MODES} lists them, then virsh. */
    static final Comparator<String> LABEL_ORDER = Comparator.comparing((String l) -> l.startsWith("virsh "))
            .thenComparingInt(l -> modeRank(l.startsWith("virsh ") ? l.substring(6) : l))
            .thenComparing(Comparator.naturalOrder());

    private static int modeRank(String mode) {
        int i = ExperimentSpec.MODES.indexOf(mode);
        return i < 0 ? ExperimentSpec.MODES.size() : i;
    }

    static boolean succeeded(RunResult r) {
        return "succeeded".equals(r.status());
    }

    /** The figure over the succeeded runs among {@code runs}; NaN values (not measured) are left out. */
    static Summary ofSucceeded(Collection<RunResult> runs, ToDoubleFunction<RunResult> figure) {
        DescriptiveStatistics s = new DescriptiveStatistics();
        for (RunResult r : runs) {
            if (succeeded(r)) {
                double x = figure.applyAsDouble(r);
                if (!Double.isNaN(x)) {
                    s.addValue(x);
                }
            }
        }
        if (s.getN() == 0) {
            return new Summary(0, Double.NaN, Double.NaN, Double.NaN);
        }
        return new Summary((int) s.getN(), s.getPercentile(50), s.getMin(), s.getMax());
    }

    /** The median of {@code values} as {@link #ofSucceeded} takes it; NaN values are left out, NaN for none. */
    static double median(Collection<Double> values) {
        DescriptiveStatistics s = new DescriptiveStatistics();
        values.stream().filter(x -> !Double.isNaN(x)).forEach(s::addValue);
        return s.getN() == 0 ? Double.NaN : s.getPercentile(50);
    }

    static double externalDowntimeMs(RunResult r) {
        return r.externalDowntimeMs() >= 0 ? r.externalDowntimeMs() : Double.NaN;
    }

    static double bytesOverMemory(RunResult r) {
        return r.memoryBytes() > 0 ? (double) r.bytesTransferred() / r.memoryBytes() : Double.NaN;
    }

    /** {@code a / b}, NaN when either is missing or b is 0. */
    static double ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b == 0 ? Double.NaN : a / b;
    }

    static String format(String pattern, double x) {
        return Double.isNaN(x) ? "n/a" : String.format(Locale.ROOT, pattern, x);
    }

    /** {@code runs} by cell, cells in {@link #CELL_ORDER}, each cell's runs in the order given. */
    static Map<Cell, List<RunResult>> byCell(List<RunResult> runs) {
        Map<Cell, List<RunResult>> cells = new TreeMap<>(CELL_ORDER);
        for (RunResult r : runs) {
            cells.computeIfAbsent(Cell.of(r.plan()), k -> new ArrayList<>()).add(r);
        }
        return cells;
    }

    /** The runs the statistics are made of: all but the warm-up. */
    static List<RunResult> measured(List<RunResult> runs) {
        return runs.stream().filter(r -> !r.plan().warmup()).toList();
    }
}
