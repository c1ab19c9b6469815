package io.livemig.cli.experiment;

import io.livemig.cli.experiment.Stats.Cell;
import io.livemig.common.predict.Compression;
import io.livemig.common.predict.Figure;
import io.livemig.common.predict.JobProgress;
import io.livemig.common.predict.PredictionInputs;
import io.livemig.common.predict.Progress;
import io.livemig.common.predict.ProgressEstimator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The ETA a recorded run would have streamed had the agent planned with another dirty rate: each
 * sample of the run fed, in order, through this build's {@link ProgressEstimator}, with the
 * inputs the VM's next migration would have after an identical one (its non-zero memory learned
 * from the run's own first pass, its working set the workload's), the run's link and allowed
 * downtime, and the dirty rate given in place of the agent's reading. What the job itself
 * reported (bytes, passes, its own dirty rate) is replayed as it was. Pure: from the stored runs.
 *
 * <p>It answers how much of an ETA's error came from the reading the agent started with: the
 * errors are taken as {@link EtaCheck} takes them, from a quarter of the time predicted before the
 * run on. Auto runs are left out: how they started (pre-copy, or post-copy after the first pass)
 * rests on the agent's plan, which the runs do not record.
 */
public final class EtaReplay {

    private static final long MIB = 1024L * 1024;

    private EtaReplay() {}

    /** One run's worst ETA error as recorded and at each replayed rate (NaN: none; infinite: a sample without ETA). */
    record Row(String id, Cell cell, double recorded, List<Double> replayed) {}

    /** Whether {@code r} can be replayed: a livemig run in a fixed mode that succeeded with samples and a prediction. */
    static boolean replayable(RunResult r) {
        return !r.plan().baseline() && !r.plan().warmup() && Stats.succeeded(r) && r.model() != null
                && !r.samples().isEmpty() && !"auto".equals(r.plan().mode());
    }

    /**
     * The rows of the replayable runs of {@code runs}, at each dirty rate of {@code ratesMibps}
     * (MiB/s); a rate of -1 stands for each run's own workload rate.
     */
    static List<Row> rows(List<RunResult> runs, List<Double> ratesMibps) {
        List<Row> rows = new ArrayList<>();
        for (RunResult r : runs) {
            if (!replayable(r)) {
                continue;
            }
            List<Double> replayed = new ArrayList<>(ratesMibps.size());
            for (double rate : ratesMibps) {
                double mibps = rate < 0 ? r.plan().dirtyRateMibps() : rate;
                replayed.add(EtaCheck.worstPastQuarter(replay(r, Math.round(mibps * MIB))));
            }
            rows.add(new Row(r.plan().id(), Cell.of(r.plan()), EtaCheck.worstError(r), replayed));
        }
        return rows;
    }

    /** {@code r} with each sample's ETA and progress as the estimator gives them at {@code dirtyRateBytesPerS}. */
    static RunResult replay(RunResult r, long dirtyRateBytesPerS) {
        RunPlan plan = r.plan();
        long memory = plan.memMib() * MIB;
        long link = plan.linkMibps() > 0 ? plan.linkMibps() * MIB : MigrationModel.DEFAULT_LINK_BYTES_PER_S;
        long allowed = plan.maxDowntimeMs() > 0 ? plan.maxDowntimeMs() : MigrationModel.DEFAULT_MAX_DOWNTIME_MS;
        long firstPass = firstPassBytes(r);
        PredictionInputs inputs = PredictionInputs.builder(memory, Figure.measured(dirtyRateBytesPerS), link, allowed,
                        MigrationModel.AUTO_LADDER)
                .nonZero(firstPass > 0 ? Figure.learned(Math.min(memory, firstPass)) : Figure.estimated(memory))
                .workingSet(Figure.learned(Math.min(memory, plan.dirtyMib() * MIB)))
                .compression(Compression.none())
                .build();
        ProgressEstimator estimator = new ProgressEstimator(MigrationModel.mode(plan.mode()), inputs);
        Progress p = estimator.initial();
        List<RunResult.Sample> samples = new ArrayList<>(r.samples().size());
        for (RunResult.Sample s : r.samples()) {
            p = estimator.next(p, new JobProgress(Math.max(0, s.elapsedMs()), Math.max(0, s.bytesProcessed()),
                    Math.max(0, s.bytesRemaining()), s.dirtyRateBytesPerS() > 0 ? s.dirtyRateBytesPerS()
                            : JobProgress.UNKNOWN, Math.max(0, s.iteration()), "postcopy".equals(s.phase())));
            samples.add(new RunResult.Sample(s.elapsedMs(), s.phase(), s.iteration(), s.bytesProcessed(),
                    s.bytesRemaining(), s.bytesTotal(), s.dirtyRateBytesPerS(), s.bandwidthBytesPerS(),
                    s.throttlePercent(), s.expectedDowntimeMs(), p.fraction(), p.hasEta() ? p.etaMs() : null));
        }
        return r.withSamples(samples);
    }

    /**
     * The replay of {@code runs} at each dirty rate of {@code ratesMibps} (MiB/s; -1: each run's
     * workload rate), as text: a line per run, then per cell the worst of its runs, and how many
     * cells are within the goal.
     */
    public static String report(List<RunResult> runs, List<Double> ratesMibps) {
        return table(rows(runs, ratesMibps), ratesMibps);
    }

    static String table(List<Row> rows, List<Double> ratesMibps) {
        StringBuilder out = new StringBuilder();
        StringBuilder rates = new StringBuilder();
        for (double rate : ratesMibps) {
            rates.append(String.format(Locale.ROOT, " %9s", rate < 0 ? "workload" : fmtRate(rate)));
        }
        out.append("worst ETA error from a quarter of the predicted time on (recorded: the agent's own; then replayed "
                + "at each dirty rate)\n").append(String.format(Locale.ROOT, "%-44s %9s", "run", "recorded"))
                .append(rates).append('\n');
        Map<Cell, List<Row>> byCell = new LinkedHashMap<>();
        for (Row row : rows) {
            out.append(String.format(Locale.ROOT, "%-44s %9s", row.id(), fmt(row.recorded())));
            row.replayed().forEach(e -> out.append(String.format(Locale.ROOT, " %9s", fmt(e))));
            out.append('\n');
            byCell.computeIfAbsent(row.cell(), c -> new ArrayList<>()).add(row);
        }
        out.append('\n').append(String.format(Locale.ROOT, "%-44s %9s", "cell (worst of its runs)", "recorded"));
        out.append(rates).append('\n');
        int[] within = new int[ratesMibps.size() + 1];
        for (Map.Entry<Cell, List<Row>> e : byCell.entrySet()) {
            Cell c = e.getKey();
            String label = c.modeLabel() + " " + c.workloadLabel() + ", link " + c.linkLabel();
            double recorded = worst(e.getValue().stream().map(Row::recorded).toList());
            out.append(String.format(Locale.ROOT, "%-44s %9s", label, fmt(recorded)));
            within[0] += ok(recorded) ? 1 : 0;
            for (int i = 0; i < ratesMibps.size(); i++) {
                int k = i;
                double w = worst(e.getValue().stream().map(row -> row.replayed().get(k)).toList());
                within[i + 1] += ok(w) ? 1 : 0;
                out.append(String.format(Locale.ROOT, " %9s", fmt(w)));
            }
            out.append('\n');
        }
        out.append(String.format(Locale.ROOT, "%-44s %9s", "cells within ±" + EtaCheck.GOAL_PERCENT + " %",
                within[0] + "/" + byCell.size()));
        for (int i = 1; i < within.length; i++) {
            out.append(String.format(Locale.ROOT, " %9s", within[i] + "/" + byCell.size()));
        }
        return out.append('\n').toString();
    }

    /**
     * What the run's first pass sent, as the agent learns it for the VM's next migration: the
     * bytes sent by the first sample of a later pass (or of post-copy), for stop-and-copy all the
     * run sent; 0 if the samples do not show it.
     */
    static long firstPassBytes(RunResult r) {
        if ("stopcopy".equals(r.plan().mode())) {
            return r.bytesTransferred();
        }
        return r.samples().stream().filter(s -> s.iteration() >= 2 || "postcopy".equals(s.phase()))
                .mapToLong(RunResult.Sample::bytesProcessed).findFirst().orElse(0);
    }

    private static double worst(List<Double> errors) {
        return errors.stream().mapToDouble(Double::doubleValue).filter(d -> !Double.isNaN(d)).max().orElse(Double.NaN);
    }

    private static boolean ok(double error) {
        return !Double.isNaN(error) && error * 100 <= EtaCheck.GOAL_PERCENT;
    }

    private static String fmt(double error) {
        return Double.isNaN(error) ? "-" : Double.isInfinite(error) ? "no ETA"
                : String.format(Locale.ROOT, "%.1f %%", error * 100);
    }

    private static String fmtRate(double mibps) {
        return (mibps == Math.rint(mibps) ? String.valueOf((long) mibps) : String.valueOf(mibps)) + " MiB/s";
    }
}
