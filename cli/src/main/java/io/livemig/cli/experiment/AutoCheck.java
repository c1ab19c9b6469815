package io.livemig.cli.experiment;

import io.livemig.cli.experiment.Stats.Cell;
import io.livemig.cli.experiment.Stats.Summary;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The report's "Auto against the fastest mode within the allowed downtime" section: per workload
 * and link, auto's total time against that of the fastest technique (pre-copy, stop-and-copy,
 * post-copy) that kept the downtime within the allowed maximum in the same cell, and the goal
 * checked from it: auto at most {@link #GOAL_RATIO} times that mode's total time, with its own
 * downtime within the maximum. Pure.
 *
 * <p>Figures are medians over the succeeded runs, downtime the hypervisor's. A technique is a
 * candidate when every run of its cell succeeded and its median downtime is within the allowed
 * maximum (auto's, {@value MigrationModel#DEFAULT_MAX_DOWNTIME_MS} ms when left at the default):
 * a mode that failed a run is not one to pick. The goal holds in a cell when every auto run
 * succeeded, auto's median downtime is within the maximum and its median total time is at most
 * {@link #GOAL_RATIO} times the fastest candidate's.
 */
final class AutoCheck {

    static final String HEADING = "## Auto against the fastest mode within the allowed downtime";
    /** Goal: auto's total time at most 1.2 times the fastest mode's within the allowed downtime. */
    static final double GOAL_RATIO = 1.2;
    /** The techniques auto is compared with, in the report's order. */
    static final List<String> TECHNIQUES = List.of("precopy", "stopcopy", "postcopy");

    private AutoCheck() {}

    /**
     * One technique of auto's workload and link.
     *
     * @param total    median total ms over the succeeded runs, NaN without one
     * @param downtime median downtime ms over the succeeded runs, NaN without one
     */
    record Technique(String mode, int runs, int succeeded, double total, double downtime) {

        boolean candidate(long allowedMs) {
            return runs > 0 && succeeded == runs && downtime <= allowedMs;
        }

        /**
         * Its total, or why it is no candidate: "precopy 12065 ms", "stopcopy paused 5938 ms",
         * "precopy 0 of 3 succeeded".
         */
        String describe(long allowedMs) {
            if (succeeded < runs) {
                return mode + " " + succeeded + " of " + runs + " succeeded";
            }
            return downtime <= allowedMs ? mode + " " + Stats.format("%.0f", total) + " ms"
                    : mode + " paused " + Stats.format("%.0f", downtime) + " ms";
        }
    }

    /**
     * One auto cell.
     *
     * @param label       "auto (fastest)"
     * @param allowedMs   the allowed downtime, the default filled in
     * @param total       auto's total ms over its succeeded runs
     * @param downtime    auto's downtime ms over its succeeded runs
     * @param endedIn     the technique that finished each succeeded auto run, by count
     * @param techniques  the techniques run on the same workload and link
     */
    record Row(Cell cell, String label, long allowedMs, int runs, int succeeded, Summary total, Summary downtime,
            String endedIn, List<Technique> techniques) {

        /** The fastest candidate; empty when no technique kept the downtime within the maximum in every run. */
        Optional<Technique> fastest() {
            return techniques.stream().filter(t -> t.candidate(allowedMs))
                    .min(Comparator.comparingDouble(Technique::total));
        }

        /** auto's median total / the fastest candidate's; NaN without either. */
        double ratio() {
            return fastest().map(f -> Stats.ratio(total.median(), f.total())).orElse(Double.NaN);
        }

        boolean autoWithin() {
            return total.n() > 0 && downtime.median() <= allowedMs;
        }

        /** Whether the goal holds here; empty when there is nothing to compare auto with. */
        Optional<Boolean> goalMet() {
            if (fastest().isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(succeeded == runs && autoWithin() && ratio() <= GOAL_RATIO);
        }

        String name() {
            return PredictionCheck.name(label, cell);
        }
    }

    /** One row per auto cell, in the report's cell order. */
    static List<Row> rows(Map<Cell, List<RunResult>> cells) {
        List<Row> rows = new ArrayList<>();
        cells.forEach((cell, runs) -> {
            if (cell.baseline() || !cell.mode().equals("auto")) {
                return;
            }
            long allowed = runs.stream().mapToLong(r -> r.plan().maxDowntimeMs()).max().orElse(0);
            List<Technique> techniques = new ArrayList<>();
            for (String mode : TECHNIQUES) {
                List<RunResult> t = cells.get(new Cell(false, mode, cell.memMib(), cell.dirtyMib(), cell.dirtyRateMibps(),
                        cell.linkMibps()));
                if (t != null) {
                    techniques.add(new Technique(mode, t.size(), (int) t.stream().filter(Stats::succeeded).count(),
                            Stats.ofSucceeded(t, r -> r.totalMs()).median(),
                            Stats.ofSucceeded(t, r -> r.downtimeMs()).median()));
                }
            }
            rows.add(new Row(cell, PredictionCheck.label(cell, runs),
                    allowed > 0 ? allowed : MigrationModel.DEFAULT_MAX_DOWNTIME_MS, runs.size(),
                    (int) runs.stream().filter(Stats::succeeded).count(), Stats.ofSucceeded(runs, r -> r.totalMs()),
                    Stats.ofSucceeded(runs, r -> r.downtimeMs()),
                    Report.counts(runs.stream().filter(Stats::succeeded)
                            .map(r -> Objects.toString(r.modeUsed(), "unknown")).toList()),
                    techniques));
        });
        return rows;
    }

    static void append(StringBuilder md, Map<Cell, List<RunResult>> cells) {
        md.append(HEADING).append("\n\n");
        List<Row> rows = rows(cells);
        if (rows.isEmpty()) {
            md.append("Skipped: no auto runs.\n\n");
            return;
        }
        if (rows.stream().allMatch(r -> r.techniques().isEmpty())) {
            md.append("Skipped: no precopy, stopcopy or postcopy runs on auto's workloads and links to compare it "
                    + "with.\n\n");
            return;
        }
        md.append("Per workload and link: auto's median total time and downtime over its succeeded runs (hypervisor's "
                + "downtime, min–max in brackets), against the fastest of ").append(String.join(", ", TECHNIQUES))
                .append(" whose runs all succeeded with a median downtime within the allowed maximum; ratio of the "
                + "medians, auto / that mode. Goal: auto at most ").append(Stats.format("%.1f", GOAL_RATIO))
                .append("x that mode's total time, every auto run succeeded, and auto's median downtime within the "
                        + "maximum.\n\n");
        md.append("| workload | link | mode | allowed ms | auto succeeded | auto total ms | auto downtime ms "
                + "| auto ended in | fastest within the allowed | its total ms | ratio | auto within the allowed "
                + "| goal met | other modes |\n");
        md.append("|---|---|---|---:|---:|---:|---:|---|---|---:|---:|---|---|---|\n");
        for (Row r : rows) {
            Optional<Technique> fastest = r.fastest();
            md.append("| ").append(r.cell().workloadLabel()).append(" | ").append(r.cell().linkLabel()).append(" | ")
                    .append(r.label()).append(" | ").append(r.allowedMs()).append(" | ").append(r.succeeded())
                    .append(" of ").append(r.runs()).append(" | ").append(Report.range(r.total(), "%.0f", 1))
                    .append(" | ").append(Report.range(r.downtime(), "%.0f", 1)).append(" | ").append(r.endedIn())
                    .append(" | ").append(fastest.map(Technique::mode).orElse("none")).append(" | ")
                    .append(fastest.map(t -> Stats.format("%.0f", t.total())).orElse("n/a")).append(" | ")
                    .append(Report.ratio(r.ratio())).append(" | ").append(r.total().n() == 0 ? "n/a"
                            : r.autoWithin() ? "yes" : "no").append(" | ")
                    .append(r.goalMet().map(b -> b ? "yes" : "no").orElse("n/a")).append(" | ")
                    .append(others(r, fastest)).append(" |\n");
        }
        md.append('\n');
        List<Row> missed = rows.stream().filter(r -> r.goalMet().equals(Optional.of(false))).toList();
        List<Row> none = rows.stream().filter(r -> r.goalMet().isEmpty()).toList();
        md.append("- Goal, auto at most ").append(Stats.format("%.1f", GOAL_RATIO))
                .append("x the fastest mode within the allowed downtime, its own downtime within it, in every cell: ");
        if (!missed.isEmpty()) {
            md.append("does not hold: missed in ").append(missed.size()).append(" of ").append(rows.size()).append(" (")
                    .append(missed.stream().map(r -> r.name() + ": ratio " + Report.ratio(r.ratio())
                            + (r.autoWithin() ? "" : ", downtime over the maximum")
                            + (r.succeeded() == r.runs() ? "" : ", " + (r.runs() - r.succeeded()) + " run(s) not succeeded"))
                            .collect(Collectors.joining("; "))).append(").\n");
        } else if (!none.isEmpty()) {
            md.append("not shown: no mode kept the downtime within the maximum in every run in ")
                    .append(none.stream().map(Row::name).collect(Collectors.joining("; "))).append(".\n");
        } else {
            md.append("holds (").append(rows.size()).append(" of ").append(rows.size()).append(", largest ratio ")
                    .append(Report.ratio(rows.stream().mapToDouble(Row::ratio).max().orElse(Double.NaN))).append(").\n");
        }
        md.append('\n');
    }

    /** The techniques other than the fastest, each with its total or why it is no candidate; "–" for none. */
    private static String others(Row r, Optional<Technique> fastest) {
        String s = r.techniques().stream().filter(t -> fastest.isEmpty() || t != fastest.get())
                .map(t -> t.describe(r.allowedMs())).collect(Collectors.joining(", "));
        return s.isEmpty() ? "–" : s;
    }
}
