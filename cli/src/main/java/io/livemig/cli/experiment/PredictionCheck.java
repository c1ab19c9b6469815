package io.livemig.cli.experiment;

import io.livemig.cli.experiment.Stats.Cell;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The report's "Predicted before each run vs measured" section: the prediction each run stored
 * before it started ({@link RunResult#model()}, as the runner made it, not computed again) set
 * against what the run measured, cell by cell, and the predictor's goals checked from that table:
 * bytes and total time within {@link #CELL_GOAL} in every converging cell, the median error under
 * {@link #MEDIAN_GOAL}, and non-convergence named correctly in every cell. Pure.
 *
 * <p>A run converged when it succeeded, and did not when livemig's timeout rule aborted it: that is
 * what the model's "converges" names. A run that failed otherwise (a guest that did not start, an
 * agent's error) says nothing either way and is left out of the verdict. Only livemig's cells are
 * checked: a virsh baseline ends pre-copy by suspending the guest at its timeout, which is no
 * verdict on convergence.
 */
final class PredictionCheck {

    static final String HEADING = "## Predicted before each run vs measured";
    /** Goal: bytes and total time within 15 % of the prediction in every converging cell. */
    static final double CELL_GOAL = 0.15;
    /** Goal: the median absolute error over the converging cells under 10 %. */
    static final double MEDIAN_GOAL = 0.10;

    /** The escalation livemig's timeout rule records ("45.5 s abort 0: ... past the completion timeout ..."). */
    private static final Pattern TIMEOUT_ABORT = Pattern.compile("^\\S+ s abort \\S+: .*\\bcompletion timeout\\b");

    /** How a prediction's formula marks a non-zero memory learned from stop-and-copy runs ("N=197.3 MiB (learned)"). */
    private static final String LEARNED = "(learned)";

    private PredictionCheck() {}

    /** How a run ended as far as convergence goes. */
    enum Outcome { CONVERGED, NOT_CONVERGED, NEITHER }

    static Outcome outcome(RunResult r) {
        if (Stats.succeeded(r)) {
            return Outcome.CONVERGED;
        }
        boolean timeout = "aborted".equals(r.status())
                && r.escalations().stream().anyMatch(e -> TIMEOUT_ABORT.matcher(e).find());
        return timeout ? Outcome.NOT_CONVERGED : Outcome.NEITHER;
    }

    /**
     * One cell of the table.
     *
     * @param label             mode, with auto's objective ("auto (fastest)")
     * @param runs              runs of the cell
     * @param predicted         of them, those that stored a prediction
     * @param measuredTotalMs   median over the succeeded runs; NaN without one
     * @param predictedTotalMs  median of the stored predictions; NaN without one
     * @param converged         runs that converged
     * @param notConverged      runs the timeout rule aborted
     * @param predictedConverge predictions that said the run converges
     */
    record Row(Cell cell, String label, int runs, int predicted, double measuredTotalMs, double predictedTotalMs,
            double measuredBytes, double predictedBytes, int converged, int notConverged, int predictedConverge) {

        /** "yes", "no", "mixed", or "n/a" when no run converged or was aborted by the timeout. */
        String measuredVerdict() {
            return verdict(converged, notConverged);
        }

        /** The same over the predictions: "yes", "no", "mixed" or "n/a". */
        String predictedVerdict() {
            return verdict(predictedConverge, predicted - predictedConverge);
        }

        /** Whether the prediction named the cell's convergence; empty when the cell has no verdict to check. */
        Optional<Boolean> namedRight() {
            String measured = measuredVerdict();
            if (measured.equals("n/a")) {
                return Optional.empty();
            }
            return Optional.of(!measured.equals("mixed") && measured.equals(predictedVerdict()));
        }

        boolean converging() {
            return measuredVerdict().equals("yes");
        }

        /** measured / predicted - 1 of the medians; NaN when either is missing. */
        double totalError() {
            return error(measuredTotalMs, predictedTotalMs);
        }

        double bytesError() {
            return error(measuredBytes, predictedBytes);
        }

        /** "postcopy, 128 MiB @ 48 MiB/s, link 32 MiB/s": the cell in a sentence. */
        String name() {
            return PredictionCheck.name(label, cell);
        }

        private static String verdict(int yes, int no) {
            return yes + no == 0 ? "n/a" : no == 0 ? "yes" : yes == 0 ? "no" : "mixed";
        }
    }

    /** One row per livemig cell, in the report's cell order. */
    static List<Row> rows(Map<Cell, List<RunResult>> cells) {
        List<Row> rows = new ArrayList<>();
        cells.forEach((cell, runs) -> {
            if (cell.baseline()) {
                return;
            }
            List<ModelPrediction> models = runs.stream().map(RunResult::model).filter(Objects::nonNull).toList();
            rows.add(new Row(cell, label(cell, runs), runs.size(), models.size(),
                    Stats.ofSucceeded(runs, r -> r.totalMs()).median(), median(models, ModelPrediction::totalMs),
                    Stats.ofSucceeded(runs, r -> r.bytesTransferred()).median(), median(models, ModelPrediction::bytes),
                    (int) runs.stream().filter(r -> outcome(r) == Outcome.CONVERGED).count(),
                    (int) runs.stream().filter(r -> outcome(r) == Outcome.NOT_CONVERGED).count(),
                    (int) models.stream().filter(ModelPrediction::converges).count()));
        });
        return rows;
    }

    /** The cell's mode, with auto's objective when its runs recorded one. */
    static String label(Cell cell, List<RunResult> runs) {
        String objectives = runs.stream().map(r -> r.plan().objective()).filter(o -> !o.isEmpty()).distinct()
                .collect(Collectors.joining(", "));
        return cell.modeLabel() + (objectives.isEmpty() ? "" : " (" + objectives + ")");
    }

    static void append(StringBuilder md, Map<Cell, List<RunResult>> cells) {
        md.append(HEADING).append("\n\n");
        List<Row> rows = rows(cells);
        if (rows.stream().allMatch(r -> r.predicted() == 0)) {
            md.append("Skipped: no livemig run recorded the prediction made before it (`model` in runs/*.json).\n\n");
            return;
        }
        List<ModelPrediction> models = cells.entrySet().stream().filter(e -> !e.getKey().baseline())
                .flatMap(e -> e.getValue().stream()).map(RunResult::model).filter(Objects::nonNull).toList();
        long learned = models.stream().filter(m -> m.formula() != null && m.formula().contains(LEARNED)).count();
        md.append("Each run's prediction as the runner stored it before the run (`model` in runs/*.json), against what "
                + "the run measured. ").append(learned).append(" of ").append(models.size())
                .append(" predictions rest on the guest's non-zero memory learned from the stop-and-copy runs made before "
                        + "them (`" + LEARNED + "` in `model.formula`); the others took every page as non-zero. Medians: "
                        + "measured over the succeeded runs, predicted over the runs' predictions; error = measured / "
                        + "predicted - 1. A run converged when it succeeded and did not when livemig's timeout rule "
                        + "aborted it; a run that failed otherwise counts neither way. livemig's cells only.\n\n");
        md.append("| mode | workload | link | runs | total ms measured / predicted | error | MiB sent measured / predicted "
                + "| error | converged (measured) | converges (predicted) | named right |\n");
        md.append("|---|---|---|---:|---:|---:|---:|---:|---|---|---|\n");
        for (Row r : rows) {
            md.append("| ").append(r.label()).append(" | ").append(r.cell().workloadLabel()).append(" | ")
                    .append(r.cell().linkLabel()).append(" | ").append(r.runs())
                    .append(r.predicted() == r.runs() ? "" : " (" + r.predicted() + " predicted)").append(" | ")
                    .append(Stats.format("%.0f", r.measuredTotalMs())).append(" / ")
                    .append(Stats.format("%.0f", r.predictedTotalMs())).append(" | ").append(percent(r.totalError()))
                    .append(" | ").append(Stats.format("%.1f", r.measuredBytes() / Stats.MIB)).append(" / ")
                    .append(Stats.format("%.1f", r.predictedBytes() / Stats.MIB)).append(" | ")
                    .append(percent(r.bytesError())).append(" | ").append(measuredVerdict(r)).append(" | ")
                    .append(r.predictedVerdict()).append(" | ")
                    .append(r.namedRight().map(b -> b ? "yes" : "no").orElse("n/a")).append(" |\n");
        }
        md.append('\n');
        summary(md, rows);
    }

    /** "yes", "no", "mixed: 2 converged, 1 not"; ", 1 failed otherwise" when some runs count neither way. */
    private static String measuredVerdict(Row r) {
        String v = r.measuredVerdict();
        if (v.equals("mixed")) {
            v += ": " + r.converged() + " converged, " + r.notConverged() + " not";
        }
        int neither = r.runs() - r.converged() - r.notConverged();
        return neither == 0 ? v : v + ", " + neither + " failed otherwise";
    }

    private static void summary(StringBuilder md, List<Row> rows) {
        List<Row> converging = rows.stream().filter(Row::converging).toList();
        md.append("- Converging cells (as measured): ").append(converging.size()).append(" of ").append(rows.size())
                .append(".\n");
        double bytesMedian = Stats.median(converging.stream().map(r -> Math.abs(r.bytesError())).toList());
        double totalMedian = Stats.median(converging.stream().map(r -> Math.abs(r.totalError())).toList());
        md.append("- Median absolute error over the converging cells: bytes ").append(absPercent(bytesMedian))
                .append(", total time ").append(absPercent(totalMedian)).append(".\n");
        md.append("- Worst converging cell: bytes ").append(worst(converging, Row::bytesError)).append("; total time ")
                .append(worst(converging, Row::totalError)).append(".\n");

        List<Row> outside = converging.stream().filter(r -> outside(r.bytesError()) || outside(r.totalError())).toList();
        List<Row> unknown = converging.stream()
                .filter(r -> !outside.contains(r) && (Double.isNaN(r.bytesError()) || Double.isNaN(r.totalError())))
                .toList();
        md.append("- Goal, bytes and total time within ").append(goal(CELL_GOAL))
                .append(" in every converging cell: ");
        if (converging.isEmpty()) {
            md.append("not shown (no converging cell).\n");
        } else if (!outside.isEmpty()) {
            md.append("does not hold: ").append(outside.size()).append(" of ").append(converging.size())
                    .append(" outside (").append(outside.stream().map(r -> r.name() + ": bytes "
                            + percent(r.bytesError()) + ", total time " + percent(r.totalError()))
                            .collect(Collectors.joining("; "))).append(").\n");
        } else if (!unknown.isEmpty()) {
            md.append("not shown: no prediction for ").append(names(unknown)).append(".\n");
        } else {
            md.append("holds (").append(converging.size()).append(" of ").append(converging.size()).append(").\n");
        }

        md.append("- Goal, median absolute error under ").append(goal(MEDIAN_GOAL)).append(": ");
        if (Double.isNaN(bytesMedian) || Double.isNaN(totalMedian)) {
            md.append("not shown (no converging cell with a prediction).\n");
        } else {
            boolean holds = bytesMedian < MEDIAN_GOAL && totalMedian < MEDIAN_GOAL;
            md.append(holds ? "holds" : "does not hold").append(" (bytes ").append(absPercent(bytesMedian))
                    .append(", total time ").append(absPercent(totalMedian)).append(").\n");
        }

        List<Row> wrong = rows.stream().filter(r -> r.namedRight().equals(Optional.of(false))).toList();
        List<Row> noVerdict = rows.stream().filter(r -> r.namedRight().isEmpty()).toList();
        md.append("- Goal, non-convergence named correctly in every cell: ");
        if (!wrong.isEmpty()) {
            md.append("does not hold: named wrong in ").append(wrong.size()).append(" of ").append(rows.size())
                    .append(" (").append(wrong.stream().map(r -> r.name() + ": measured " + r.measuredVerdict()
                            + ", predicted " + r.predictedVerdict()).collect(Collectors.joining("; "))).append(").\n");
        } else if (!noVerdict.isEmpty()) {
            md.append("not shown: no run converged or was aborted by the timeout in ").append(names(noVerdict))
                    .append(".\n");
        } else {
            md.append("holds (").append(rows.size()).append(" of ").append(rows.size()).append(").\n");
        }
        md.append('\n');
    }

    /** Outside the cell goal; false for a missing error, which is no evidence either way. */
    static boolean outside(double error) {
        return !Double.isNaN(error) && Math.abs(error) > CELL_GOAL;
    }

    /** "postcopy, 128 MiB @ 48 MiB/s, link 32 MiB/s (+5.0 %)"; "n/a" without a cell with that error. */
    private static String worst(List<Row> rows, ToDoubleFunction<Row> error) {
        return rows.stream().filter(r -> !Double.isNaN(error.applyAsDouble(r)))
                .max(Comparator.comparingDouble(r -> Math.abs(error.applyAsDouble(r))))
                .map(r -> r.name() + " (" + percent(error.applyAsDouble(r)) + ")").orElse("n/a");
    }

    /** "auto (fastest), 128 MiB @ 48 MiB/s, link 32 MiB/s". */
    static String name(String label, Cell cell) {
        return label + ", " + cell.workloadLabel() + ", link " + cell.linkLabel();
    }

    private static String names(List<Row> rows) {
        return rows.stream().map(Row::name).collect(Collectors.joining("; "));
    }

    static double error(double measured, double predicted) {
        double ratio = Stats.ratio(measured, predicted);
        return Double.isNaN(ratio) ? Double.NaN : ratio - 1;
    }

    /** "+3.2 %", "-12.0 %"; "n/a" for NaN. */
    static String percent(double error) {
        return Double.isNaN(error) ? "n/a" : String.format(Locale.ROOT, "%+.1f %%", error * 100);
    }

    /** "3.2 %"; "n/a" for NaN. */
    static String absPercent(double x) {
        return Double.isNaN(x) ? "n/a" : String.format(Locale.ROOT, "%.1f %%", x * 100);
    }

    /** A goal's bound: "15 %". */
    private static String goal(double x) {
        return String.format(Locale.ROOT, "%.0f %%", x * 100);
    }

    private static double median(List<ModelPrediction> models, ToDoubleFunction<ModelPrediction> figure) {
        return Stats.median(models.stream().map(m -> figure.applyAsDouble(m)).toList());
    }
}
