package io.livemig.cli.experiment;

import io.livemig.cli.experiment.Stats.Cell;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How close the agent's ETA came to the real end of each migration, once a quarter of the time
 * predicted before the run had passed: every sample from then on, its elapsed time plus its ETA
 * set against the run's measured total. Pure: from the stored runs.
 *
 * <p>The goal it checks: within {@value #GOAL_PERCENT} % of the real end, in every cell whose
 * runs converged (succeeded, and predicted to converge).
 */
final class EtaCheck {

    static final int GOAL_PERCENT = 20;

    private EtaCheck() {}

    /**
     * The largest |elapsed + ETA - total| / total over the run's samples past a quarter of its
     * prediction; infinite when one of them has no ETA (the agent said the migration would not end
     * by itself, or could not tell), since a missing ETA is not within any bound; NaN without any
     * such sample, or for a run recorded before the agent streamed its ETA (no sample has one).
     */
    static double worstError(RunResult r) {
        if (r.samples().stream().allMatch(s -> s.etaMs() == null)) {
            return Double.NaN;
        }
        return worstPastQuarter(r);
    }

    /** {@link #worstError}, for a run whose samples carry the ETA streamed then (none where there was none). */
    static double worstPastQuarter(RunResult r) {
        if (r.model() == null || r.totalMs() <= 0) {
            return Double.NaN;
        }
        double from = r.model().totalMs() / 4.0;
        double worst = Double.NaN;
        for (RunResult.Sample s : r.samples()) {
            if (s.elapsedMs() < from) {
                continue;
            }
            double error = s.etaMs() == null ? Double.POSITIVE_INFINITY
                    : Math.abs(s.elapsedMs() + s.etaMs() - r.totalMs()) / (double) r.totalMs();
            worst = Double.isNaN(worst) ? error : Math.max(worst, error);
        }
        return worst;
    }

    static void append(StringBuilder md, Map<Cell, List<RunResult>> cells) {
        md.append("## ETA after a quarter of the predicted time\n\n");
        boolean any = cells.values().stream().flatMap(List::stream)
                .anyMatch(r -> r.samples().stream().anyMatch(s -> s.etaMs() != null));
        if (!any) {
            md.append("No run recorded the agent's ETA (runs recorded before the agent streamed it).\n\n");
            return;
        }
        md.append("Each sample's elapsed time plus the ETA the agent streamed with it, against the run's measured "
                + "total, from a quarter of the time predicted before the run on; the worst sample of the cell's "
                + "succeeded runs; \"no ETA\" where a sample past that point had none. Goal: within ±" + GOAL_PERCENT
                + " % in every converging cell.\n\n");
        md.append("| mode | workload | link | runs | converges | worst ETA error | within ±" + GOAL_PERCENT + " % |\n");
        md.append("|---|---|---|---:|---|---:|---|\n");
        int converging = 0;
        int within = 0;
        for (Map.Entry<Cell, List<RunResult>> e : cells.entrySet()) {
            if (e.getKey().baseline()) {
                continue;
            }
            List<RunResult> succeeded = e.getValue().stream().filter(Stats::succeeded).toList();
            double worst = succeeded.stream().mapToDouble(EtaCheck::worstError).filter(d -> !Double.isNaN(d))
                    .max().orElse(Double.NaN);
            boolean converges = !succeeded.isEmpty() && succeeded.get(0).model() != null
                    && succeeded.get(0).model().converges();
            boolean ok = !Double.isNaN(worst) && worst * 100 <= GOAL_PERCENT;
            if (converges && !Double.isNaN(worst)) {
                converging++;
                within += ok ? 1 : 0;
            }
            md.append("| ").append(e.getKey().modeLabel()).append(" | ").append(e.getKey().workloadLabel())
                    .append(" | ").append(e.getKey().linkLabel()).append(" | ").append(succeeded.size())
                    .append(" | ").append(converges ? "yes" : "no").append(" | ")
                    .append(Double.isNaN(worst) ? "-" : Double.isInfinite(worst) ? "no ETA"
                            : String.format(Locale.ROOT, "%.1f %%", worst * 100))
                    .append(" | ").append(Double.isNaN(worst) ? "-" : ok ? "yes" : "no").append(" |\n");
        }
        md.append('\n').append(String.format(Locale.ROOT, "Within ±%d %% in %d of %d converging cells: the goal %s.%n%n",
                GOAL_PERCENT, within, converging, converging > 0 && within == converging ? "holds" : "does not hold"));
    }
}
