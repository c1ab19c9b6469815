package io.livemig.cli.experiment;

import io.livemig.cli.experiment.Stats.Cell;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The report's "Settings" section: what each side was given, read from what the runs recorded
 * ({@link RunResult#command()}, {@link RunResult#downtimeCommand()},
 * {@link RunResult#maxDowntimeApplied()}, {@link RunResult#bytesField()}), not from the spec's
 * intent, so that a difference between livemig and its baseline shows.
 */
final class ReportSettings {

    /** Stands for the per-run temporary destination XML file in a virsh command. */
    static final String DEST_XML = "DEST_XML";
    /** Stands for the per-run migration URI the target agent hands out. */
    static final String MIGRATE_URI = "MIGRATE_URI";

    private static final Pattern APPLIED = Pattern.compile("^applied (\\d+) ms after start");

    private ReportSettings() {}

    static void append(StringBuilder md, Map<Cell, List<RunResult>> cells) {
        md.append("## Settings\n\n");
        md.append("What each side was given, as the runs recorded it (`command`, `downtime_command`, "
                + "`max_downtime_applied` and `bytes_field` in runs/*.json and results.csv): timeout and bandwidth "
                + "from livemig's request and from the virsh argv; the allowed downtime from the plan, and what "
                + "became of it. livemig's agent sets the allowed downtime before it starts the job "
                + "(virDomainMigrateSetMaxDowntime) and passes its bandwidth as libvirt's bandwidth and, with "
                + "post-copy, bandwidth.postcopy; `virsh migrate` has no downtime option, so the baseline runs "
                + "`virsh migrate-setmaxdowntime` once `virsh domjobinfo` shows the job. Values differing between "
                + "runs of a cell are all listed.\n\n");
        md.append("| mode | workload | link | n | timeout s | bandwidth MiB/s | post-copy bandwidth MiB/s "
                + "| max downtime ms | max downtime applied | bytes statistic |\n");
        md.append("|---|---|---|---:|---:|---:|---:|---:|---|---|\n");
        cells.forEach((cell, runs) -> {
            md.append("| ").append(cell.modeLabel()).append(" | ").append(cell.workloadLabel()).append(" | ")
                    .append(cell.linkLabel()).append(" | ").append(runs.size()).append(" | ")
                    .append(distinct(runs.stream().map(r -> option(r.command(), "--timeout", "options.timeout_s")).toList()))
                    .append(" | ")
                    .append(distinct(runs.stream().map(r -> option(r.command(), "--bandwidth", "options.bandwidth_mibps"))
                            .toList()))
                    .append(" | ")
                    .append(distinct(runs.stream().map(r -> postcopyBandwidth(r.command())).toList())).append(" | ")
                    .append(distinct(runs.stream().map(r -> r.plan().maxDowntimeMs() > 0
                            ? String.valueOf(r.plan().maxDowntimeMs()) : "default").toList()))
                    .append(" | ").append(applied(runs.stream().map(RunResult::maxDowntimeApplied).toList()))
                    .append(" | ").append(Report.counts(runs.stream().map(r -> r.bytesField().isEmpty()
                            ? "not recorded" : r.bytesField()).toList()))
                    .append(" |\n");
        });
        md.append('\n');
        md.append(bytesStatement(cells.values().stream().flatMap(List::stream).toList())).append("\n\n");
        commands(md, cells);
    }

    /**
     * The value of a setting in a recorded command: after {@code virshFlag} in a virsh argv, or of
     * the {@code livemigField=} entry of a livemig request; "–" when the command does not set it,
     * "not recorded" when there is no command.
     */
    static String option(List<String> command, String virshFlag, String livemigField) {
        if (command.isEmpty()) {
            return "not recorded";
        }
        if (isVirsh(command)) {
            int i = command.indexOf(virshFlag);
            return i >= 0 && i + 1 < command.size() ? command.get(i + 1) : "–";
        }
        String prefix = livemigField + "=";
        return command.stream().filter(c -> c.startsWith(prefix)).map(c -> c.substring(prefix.length())).findFirst()
                .orElse("–");
    }

    /** virsh: {@code --postcopy-bandwidth}; livemig: its one bandwidth, which the agent applies to post-copy too. */
    private static String postcopyBandwidth(List<String> command) {
        if (command.isEmpty() || isVirsh(command)) {
            return option(command, "--postcopy-bandwidth", "");
        }
        String mode = option(command, "", "options.mode");
        boolean postcopy = mode.endsWith("POSTCOPY") || mode.endsWith("AUTO");
        return postcopy ? option(command, "", "options.bandwidth_mibps") : "–";
    }

    private static boolean isVirsh(List<String> command) {
        return command.get(0).equals("virsh");
    }

    /** "32" when all agree, else "32, 64"; in first-seen order. */
    static String distinct(List<String> values) {
        List<String> d = values.stream().distinct().toList();
        return d.isEmpty() ? "n/a" : String.join(", ", d);
    }

    /**
     * What became of the allowed downtime over a cell's runs: "applied 3/3 (110–160 ms after
     * start)", "requested 3/3", "not applied: ... 1/3"; outcomes by count.
     */
    static String applied(List<String> outcomes) {
        int n = outcomes.size();
        List<Long> appliedAt = new ArrayList<>();
        Map<String, Integer> kinds = new LinkedHashMap<>();
        for (String o : outcomes) {
            String outcome = o == null || o.isEmpty() ? "not recorded" : o;
            Matcher m = APPLIED.matcher(outcome);
            if (m.find()) {
                appliedAt.add(Long.parseLong(m.group(1)));
                outcome = "applied";
            }
            kinds.merge(outcome, 1, Integer::sum);
        }
        if (kinds.isEmpty()) {
            return "n/a";
        }
        return kinds.entrySet().stream().map(e -> {
            String s = e.getKey() + " " + e.getValue() + "/" + n;
            if (e.getKey().equals("applied")) {
                long min = appliedAt.stream().mapToLong(Long::longValue).min().orElse(0);
                long max = appliedAt.stream().mapToLong(Long::longValue).max().orElse(0);
                s += " (" + (min == max ? String.valueOf(min) : min + "–" + max) + " ms after start)";
            }
            return s;
        }).collect(Collectors.joining("; "));
    }

    /**
     * One sentence on which libvirt statistic the bytes are, per side, and a warning when the two
     * sides did not use the same one.
     */
    static String bytesStatement(List<RunResult> runs) {
        String livemig = Report.counts(runs.stream().filter(r -> !r.plan().baseline())
                .map(r -> r.bytesField().isEmpty() ? "not recorded" : r.bytesField()).toList());
        String virsh = Report.counts(runs.stream().filter(r -> r.plan().baseline())
                .map(r -> r.bytesField().isEmpty() ? "not recorded" : r.bytesField()).toList());
        List<String> fields = runs.stream().map(RunResult::bytesField).filter(f -> !f.isEmpty()).distinct().toList();
        String s = "Bytes sent are libvirt's completed-job statistic named per run; livemig runs: " + livemig
                + "; virsh runs: " + virsh + ".";
        if (fields.size() > 1) {
            s += " **The sides did not all use the same statistic: compare bytes with care.**";
        } else if (fields.size() == 1) {
            s += " Both sides: `" + fields.get(0) + "`, compared field for field.";
        }
        return s;
    }

    /** Every distinct command per mode, with the per-run file and URI replaced by placeholders. */
    private static void commands(StringBuilder md, Map<Cell, List<RunResult>> cells) {
        md.append("### Commands\n\n");
        md.append("Every distinct command as recorded, per mode, with the number of runs that used it. The virsh "
                + "destination XML (a temporary file per run) is shown as `" + DEST_XML + "` and the migration URI "
                + "(handed out by the target agent per run) as `" + MIGRATE_URI + "`.\n\n");
        Map<String, Map<String, Integer>> byMode = new TreeMap<>(Stats.LABEL_ORDER);
        cells.forEach((cell, runs) -> {
            Map<String, Integer> commands = byMode.computeIfAbsent(cell.modeLabel(), k -> new LinkedHashMap<>());
            for (RunResult r : runs) {
                String c = r.command().isEmpty() ? "not recorded" : "`" + String.join(" ", normalised(r.command())) + "`";
                if (!r.downtimeCommand().isEmpty()) {
                    c += ", then, once the job runs, `" + String.join(" ", r.downtimeCommand()) + "`";
                }
                commands.merge(c, 1, Integer::sum);
            }
        });
        byMode.forEach((mode, commands) -> commands.forEach((c, n) ->
                md.append("- ").append(mode).append(" (").append(n).append(n == 1 ? " run" : " runs").append("): ")
                        .append(c).append('\n')));
        md.append('\n');
    }

    /** A virsh argv with the per-run XML file and migration URI replaced; a livemig request as is. */
    static List<String> normalised(List<String> command) {
        if (!isVirsh(command)) {
            return command;
        }
        List<String> out = new ArrayList<>(command);
        for (int i = 0; i + 1 < out.size(); i++) {
            switch (Objects.toString(out.get(i))) {
                case "--xml", "--persistent-xml" -> out.set(i + 1, DEST_XML);
                case "--migrateuri" -> out.set(i + 1, MIGRATE_URI);
                default -> {
                    // kept as recorded
                }
            }
        }
        return out;
    }
}
