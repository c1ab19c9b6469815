package io.livemig.cli.experiment;

import io.livemig.cli.experiment.Stats.Cell;
import io.livemig.cli.experiment.Stats.Summary;
import io.livemig.common.config.ConfigException;
import io.livemig.common.predict.Figure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * The report of an experiment directory (see {@link Results}): {@code report.md}, a Markdown
 * summary, and PNG charts in {@code plots/}.
 *
 * <p>Statistics leave out the warm-up run and use medians with min–max ranges rather than means:
 * with a handful of repetitions one slow run (a page-cache miss, a retransmit storm) would drag a
 * mean far from what a typical run did. Time, downtime and bytes are taken over the succeeded
 * runs only; a failed run's figures describe how far it got, not the technique. Numbers are
 * written with {@link Locale#ROOT}, so the report reads the same on every machine.
 */
public final class Report {

    static {
        // Before any AWT class: JFreeChart draws into images; there is no display on the lab hosts.
        System.setProperty("java.awt.headless", "true");
    }

    public static final String REPORT_FILE = "report.md";
    public static final String PLOTS_DIR = "plots";
    /** The PNG files in plots/, in the order the report shows them. */
    public static final List<String> PLOTS = List.copyOf(Plots.ALL.keySet());

    private Report() {}

    /**
     * Reads the runs of {@code dir} (and its spec.yaml, for the setup, if there is one) and writes
     * {@code dir/report.md} and {@code dir/plots/*.png}.
     *
     * @return the path of report.md
     * @throws IllegalArgumentException when {@code dir} is not an experiment directory
     */
    public static Path write(Path dir) {
        System.setProperty("java.awt.headless", "true");
        List<RunResult> runs = Results.readRuns(dir);
        Path specFile = dir.resolve(Results.SPEC_FILE);
        ExperimentSpec spec = null;
        String specProblem = null;
        if (Files.isRegularFile(specFile)) {
            try {
                spec = ExperimentSpec.load(specFile);
            } catch (ConfigException e) {
                specProblem = e.getMessage();
            }
        } else {
            specProblem = specFile + " is missing";
        }
        Provenance provenance = Results.readProvenance(dir).orElse(null);
        List<RunResult> measured = Stats.measured(runs);
        Plots.writeAll(dir.resolve(PLOTS_DIR), measured);
        Path report = dir.resolve(REPORT_FILE);
        try {
            Files.writeString(report, markdown(dir, runs, spec, specProblem, provenance), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + report + ": " + e.getMessage(), e);
        }
        return report;
    }

    static String markdown(Path dir, List<RunResult> runs, ExperimentSpec spec, String specProblem, Provenance provenance) {
        List<RunResult> measured = Stats.measured(runs);
        Map<Cell, List<RunResult>> cells = Stats.byCell(measured);
        StringBuilder md = new StringBuilder();
        String title = spec != null ? spec.name() : Objects.toString(dir.getFileName(), dir.toString());
        md.append("# Experiment ").append(title).append("\n\n");
        setup(md, runs, spec, specProblem, provenance);
        cellTable(md, cells);
        ReportSettings.append(md, cells);
        baselineTable(md, cells);
        autoTable(md, cells);
        modelTable(md, cells);
        PredictionCheck.append(md, cells);
        AutoCheck.append(md, cells);
        EtaCheck.append(md, cells);
        integrity(md, runs);
        failures(md, runs);
        md.append("## Plots\n\n");
        Map<String, RunResult> representatives = Plots.representatives(measured);
        if (!representatives.isEmpty()) {
            md.append("Representative runs (first run of each mode at its highest dirty rate): ")
                    .append(representatives.entrySet().stream().map(e -> e.getKey() + " `" + e.getValue().plan().id() + "`")
                            .collect(Collectors.joining(", ")))
                    .append(".\n\n");
        }
        Plots.ALL.forEach((file, caption) -> md.append("### ").append(caption).append("\n\n![").append(caption)
                .append("](").append(PLOTS_DIR).append('/').append(file).append(")\n\n"));
        return md.toString();
    }

    private static void setup(StringBuilder md, List<RunResult> runs, ExperimentSpec spec, String specProblem,
            Provenance provenance) {
        long warmups = runs.stream().filter(r -> r.plan().warmup()).count();
        md.append("## Setup\n\n");
        if (provenance != null) {
            md.append("- Spec file: `").append(provenance.specFile()).append("` (as run, seed filled in: `")
                    .append(Results.SPEC_FILE).append("`)\n");
            md.append("- Git commit: ").append(provenance.gitCommit() == null ? "not recorded (not run from a git checkout)"
                    : "`" + provenance.gitCommit() + "`" + (provenance.gitDirty() == null ? ""
                    : provenance.gitDirty() ? ", with uncommitted changes" : ", no uncommitted changes")).append('\n');
            md.append("- livemig: ").append(Objects.toString(provenance.livemig(), "not recorded")).append('\n');
            md.append("- virsh: ").append(Objects.toString(provenance.virsh(), "not recorded")).append('\n');
            md.append("- Started: ").append(Objects.toString(provenance.startedAt(), "not recorded")).append('\n');
        } else {
            md.append("- Provenance: ").append(Results.PROVENANCE_FILE)
                    .append(" is missing (spec file, git commit and versions not recorded)\n");
        }
        if (spec != null) {
            md.append("- Hosts: ").append(spec.source()).append(" → ").append(spec.target()).append('\n');
            md.append(String.format(Locale.ROOT, "- Guest: %d MiB, %d vCPU%s, %s memory%n", spec.guest().memMib(),
                    spec.guest().vcpus(), spec.guest().vcpus() == 1 ? "" : "s", spec.guest().content()));
            md.append("- Seed: ").append(spec.seed().isPresent() ? String.valueOf(spec.seed().getAsLong()) : "not recorded")
                    .append('\n');
            md.append("- Repetitions: ").append(spec.repetitions()).append('\n');
            md.append("- Links: ").append(spec.linksMibps().stream().map(l -> l == 0 ? "unlimited" : l + " MiB/s")
                    .collect(Collectors.joining(", "))).append('\n');
            md.append("- Baseline (plain virsh migrate): ").append(spec.baseline() ? "yes" : "no").append('\n');
            md.append("- Ping interval: ").append(spec.pingIntervalMs()).append(" ms\n");
            md.append(String.format(Locale.ROOT, "- Workload before each migration: %.1f s, then %d s of quiet%n",
                    spec.steadyMs() / 1000.0, ExperimentSpec.QUIET.toSeconds()));
        } else {
            md.append("- Spec: ").append(specProblem).append("; what follows comes from the runs alone\n");
            runs.stream().mapToInt(r -> r.plan().memMib()).distinct().sorted()
                    .forEach(m -> md.append("- Guest: ").append(m).append(" MiB\n"));
            md.append("- Repetitions: ").append(runs.stream().mapToInt(r -> r.plan().repetition()).max().orElse(0))
                    .append('\n');
        }
        md.append("- Runs: ").append(runs.size());
        if (warmups > 0) {
            md.append(" (").append(warmups).append(" warm-up, excluded from the statistics)");
        }
        md.append("\n\n");
    }

    private static void cellTable(StringBuilder md, Map<Cell, List<RunResult>> cells) {
        md.append("## Runs per cell\n\n");
        md.append("Medians over the succeeded runs, min–max in brackets. External downtime is the longest gap "
                + "between ping replies around the migration.\n\n");
        md.append("| mode | workload | link | n | status | total ms | downtime ms | external downtime ms | bytes / memory |\n");
        md.append("|---|---|---|---:|---|---:|---:|---:|---:|\n");
        cells.forEach((cell, runs) -> {
            Map<String, Long> statuses = new TreeMap<>(runs.stream()
                    .collect(Collectors.groupingBy(r -> Objects.toString(r.status(), "unknown"), Collectors.counting())));
            String status = statuses.entrySet().stream().map(e -> e.getValue() + " " + e.getKey())
                    .collect(Collectors.joining(", "));
            md.append("| ").append(cell.modeLabel()).append(" | ").append(cell.workloadLabel()).append(" | ")
                    .append(cell.linkLabel()).append(" | ").append(runs.size()).append(" | ").append(status).append(" | ")
                    .append(range(Stats.ofSucceeded(runs, r -> r.totalMs()), "%.0f")).append(" | ")
                    .append(range(Stats.ofSucceeded(runs, r -> r.downtimeMs()), "%.0f")).append(" | ")
                    .append(range(Stats.ofSucceeded(runs, Stats::externalDowntimeMs), "%.0f")).append(" | ")
                    .append(range(Stats.ofSucceeded(runs, Stats::bytesOverMemory), "%.2f")).append(" |\n");
        });
        md.append('\n');
    }

    /** "1100 (1000–1200)"; just the median when all runs agree; "n/a" without succeeded runs. */
    private static String range(Summary s, String pattern) {
        return range(s, pattern, 1);
    }

    /** {@link #range(Summary, String)} of the figure divided by {@code unit}. */
    static String range(Summary s, String pattern, double unit) {
        if (s.n() == 0) {
            return "n/a";
        }
        String median = Stats.format(pattern, s.median() / unit);
        String min = Stats.format(pattern, s.min() / unit);
        String max = Stats.format(pattern, s.max() / unit);
        return min.equals(max) ? median : median + " (" + min + "–" + max + ")";
    }

    /** A ratio: two decimals, or two significant digits below 0.1 (0.0011, not 0.00); "n/a" for NaN. */
    static String ratio(double r) {
        if (Double.isNaN(r)) {
            return "n/a";
        }
        return Stats.format(r != 0 && Math.abs(r) < 0.1 ? "%.2g" : "%.2f", r);
    }

    private static void baselineTable(StringBuilder md, Map<Cell, List<RunResult>> cells) {
        md.append("## livemig vs virsh migrate\n\n");
        List<Cell> baselines = cells.keySet().stream().filter(Cell::baseline).toList();
        if (baselines.isEmpty()) {
            md.append("No baseline runs.\n\n");
            return;
        }
        md.append("livemig's median / plain `virsh migrate`'s median, same technique, workload and link, min–max "
                + "over the succeeded runs in brackets; the ratio is of the medians, below 1 means livemig did better. "
                + "Bytes are the same libvirt statistic on both sides (see Settings).\n\n");
        md.append("| mode | workload | link | total ms livemig / virsh | ratio | downtime ms livemig / virsh | ratio "
                + "| MiB sent livemig / virsh | ratio |\n");
        md.append("|---|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (Cell base : baselines) {
            List<RunResult> virsh = cells.get(base);
            List<RunResult> livemig = cells.getOrDefault(base.withBaseline(false), List.of());
            md.append("| ").append(base.mode()).append(" | ").append(base.workloadLabel()).append(" | ")
                    .append(base.linkLabel()).append(" | ");
            compare(md, livemig, virsh, r -> r.totalMs(), "%.0f", 1);
            compare(md, livemig, virsh, r -> r.downtimeMs(), "%.0f", 1);
            compare(md, livemig, virsh, r -> r.bytesTransferred(), "%.1f", Stats.MIB);
            md.setLength(md.length() - 1);
            md.append('\n');
        }
        md.append('\n');
    }

    /** Appends "a (min–max) / b (min–max) | ratio of the medians | " for one figure on both sides. */
    private static void compare(StringBuilder md, List<RunResult> a, List<RunResult> b, ToDoubleFunction<RunResult> figure,
            String pattern, double unit) {
        Summary sa = Stats.ofSucceeded(a, figure);
        Summary sb = Stats.ofSucceeded(b, figure);
        md.append(range(sa, pattern, unit)).append(" / ").append(range(sb, pattern, unit)).append(" | ")
                .append(ratio(Stats.ratio(sa.median(), sb.median()))).append(" | ");
    }

    /**
     * auto against each plain {@code virsh migrate} baseline of the same workload and link: where
     * pre-copy does not converge, this is the comparison that matters, so it is computed here
     * rather than by hand.
     */
    private static void autoTable(StringBuilder md, Map<Cell, List<RunResult>> cells) {
        List<Cell> autos = cells.keySet().stream().filter(c -> !c.baseline() && c.mode().equals("auto")).toList();
        List<Cell> baselines = cells.keySet().stream().filter(Cell::baseline).toList();
        if (autos.isEmpty() || baselines.isEmpty()) {
            return;
        }
        md.append("## auto vs virsh migrate\n\n");
        md.append("livemig's auto mode against each plain `virsh migrate` baseline of the same workload and link: "
                + "medians, min–max in brackets, ratio of the medians (auto / virsh; below 1 means auto did better). "
                + "\"auto ended in\" counts the technique that finished each succeeded auto run.\n\n");
        md.append("| workload | link | baseline | total ms auto / virsh | ratio | downtime ms auto / virsh | ratio "
                + "| MiB sent auto / virsh | ratio | auto ended in |\n");
        md.append("|---|---|---|---:|---:|---:|---:|---:|---:|---|\n");
        for (Cell auto : autos) {
            List<RunResult> a = cells.get(auto);
            for (Cell base : baselines) {
                if (!auto.withBaseline(true).sameWorkloadAndLink(base)) {
                    continue;
                }
                List<RunResult> v = cells.get(base);
                md.append("| ").append(auto.workloadLabel()).append(" | ").append(auto.linkLabel()).append(" | ")
                        .append(base.modeLabel()).append(" | ");
                compare(md, a, v, r -> r.totalMs(), "%.0f", 1);
                compare(md, a, v, r -> r.downtimeMs(), "%.0f", 1);
                compare(md, a, v, r -> r.bytesTransferred(), "%.1f", Stats.MIB);
                md.append(counts(a.stream().filter(Stats::succeeded).map(r -> Objects.toString(r.modeUsed(), "unknown"))
                        .toList())).append(" |\n");
            }
        }
        md.append('\n');
    }

    /** "postcopy 2, precopy 1": distinct values by count, then name; "none" for none. */
    static String counts(List<String> values) {
        if (values.isEmpty()) {
            return "none";
        }
        Map<String, Long> n = values.stream().collect(Collectors.groupingBy(v -> v, TreeMap::new, Collectors.counting()));
        return n.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }

    private static void modelTable(StringBuilder md, Map<Cell, List<RunResult>> cells) {
        List<RunResult> all = cells.values().stream().flatMap(List::stream).toList();
        md.append("## Measured vs model\n\n");
        md.append("Median of the succeeded runs / the model's prediction (ratio measured / model in brackets). "
                + "Passes are measured as libvirt's memory iterations, which run higher than the model's passes near "
                + "the end (QEMU re-reads the dirty bitmap whenever what is left looks small). The model is livemig's "
                + "predictor (`MigrationPredictor`, computed when this report is written), auto as the agent plans it "
                + "under its objective (post-copy right after the first pass when that is its plan); it ignores setup, "
                + "compression and CPU limits, and takes post-copy's downtime as 0. ");
        cells.keySet().stream().map(Cell::memMib).distinct().sorted().forEach(memMib -> {
            Optional<Figure> learned = MigrationModel.nonZeroMemory(all, memMib);
            md.append(learned.map(f -> String.format(Locale.ROOT, "Non-zero memory of the %d MiB guest: %.1f MiB, "
                    + "learned from its stop-and-copy runs (the median of their bytes). ", memMib,
                    f.value() / Stats.MIB))
                    .orElse("Non-zero memory of the " + memMib + " MiB guest: not known (no stop-and-copy run), every "
                            + "page taken as non-zero. "));
        });
        md.append("\n\n");
        md.append("| mode | workload | link | passes | MiB sent | total ms | downtime ms | model converges |\n");
        md.append("|---|---|---|---:|---:|---:|---:|---|\n");
        cells.forEach((cell, runs) -> {
            RunPlan p = runs.get(0).plan();
            long memBytes = (long) p.memMib() << 20;
            ModelPrediction model = MigrationModel.predict(p,
                    MigrationModel.nonZeroMemory(all, p.memMib()).orElse(Figure.estimated(memBytes)));
            md.append("| ").append(cell.modeLabel()).append(" | ").append(cell.workloadLabel()).append(" | ")
                    .append(cell.linkLabel()).append(" | ")
                    .append(versus(Stats.ofSucceeded(runs, r -> r.iterations()).median(), model.passes(), "%.0f", 1)).append(" | ")
                    .append(versus(Stats.ofSucceeded(runs, r -> r.bytesTransferred()).median(), model.bytes(), "%.1f", Stats.MIB))
                    .append(" | ")
                    .append(versus(Stats.ofSucceeded(runs, r -> r.totalMs()).median(), model.totalMs(), "%.0f", 1)).append(" | ")
                    .append(versus(Stats.ofSucceeded(runs, r -> r.downtimeMs()).median(), model.downtimeMs(), "%.0f", 1))
                    .append(" | ").append(model.converges() ? "yes" : "no").append(" |\n");
        });
        md.append('\n');
    }

    /** "340.0 / 340.0 (1.00)". */
    private static String versus(double measured, double model, String pattern, double unit) {
        return Stats.format(pattern, measured / unit) + " / " + Stats.format(pattern, model / unit) + " ("
                + ratio(Stats.ratio(measured, model)) + ")";
    }

    private static void integrity(StringBuilder md, List<RunResult> runs) {
        md.append("## Integrity\n\n");
        List<RunResult> bad = runs.stream().filter(r -> !"ok".equals(r.integrity())).toList();
        if (bad.isEmpty()) {
            md.append("All ").append(runs.size()).append(" runs intact (the guest's check of its memory found no error).\n\n");
        } else {
            md.append(bad.size()).append(" of ").append(runs.size()).append(" runs not intact: ")
                    .append(bad.stream().map(r -> "`" + r.plan().id() + "` (" + Objects.toString(r.integrity(), "unknown") + ")")
                            .collect(Collectors.joining(", ")))
                    .append(".\n\n");
        }
    }

    private static void failures(StringBuilder md, List<RunResult> runs) {
        List<RunResult> failed = runs.stream().filter(r -> !Stats.succeeded(r)).toList();
        if (failed.isEmpty()) {
            return;
        }
        md.append("## Runs that did not succeed\n\n");
        for (RunResult r : failed) {
            md.append("- `").append(r.plan().id()).append("`: ").append(r.status());
            if (r.error() != null && !r.error().isBlank()) {
                md.append(": ").append(r.error().lines().findFirst().orElse(""));
            }
            md.append('\n');
        }
        md.append('\n');
    }
}
