package io.livemig.cli.command;

import io.livemig.cli.client.AgentChannels;
import io.livemig.cli.experiment.EtaReplay;
import io.livemig.cli.experiment.ExperimentInvariants;
import io.livemig.cli.experiment.ExperimentSpec;
import io.livemig.cli.experiment.Provenance;
import io.livemig.cli.experiment.Report;
import io.livemig.cli.experiment.Results;
import io.livemig.cli.experiment.RunResult;
import io.livemig.cli.experiment.runner.ExperimentRunner;
import io.livemig.common.config.ClusterConfig;
import io.livemig.common.config.ConfigException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code livemig experiment run|report|replay-eta}: scripted migration experiments on the lab. */
@Command(name = "experiment", description = "Scripted migration experiments: a matrix of runs on the lab, recorded and reported.",
        mixinStandardHelpOptions = true, versionProvider = ManifestVersionProvider.class,
        subcommands = {ExperimentCommand.Run.class, ExperimentCommand.ReportCommand.class,
            ExperimentCommand.ReplayEta.class},
        footer = {"%nExamples:",
            "  livemig experiment run scripts/experiments/quick.yaml --out /tmp/quick",
            "  livemig experiment report /tmp/quick",
            "  livemig experiment replay-eta docs/benchmarks/advice --dirty-rate workload,26,30"})
final class ExperimentCommand {

    @ParentCommand
    LivemigCommand root;

    @Command(name = "run", description = {"Run every migration of SPEC (YAML) and record it under DIR:",
        "results.csv, runs/<id>.json (flight recorder, heartbeats, pings, the command of each run),",
        "spec.yaml with the seed, experiment.json (spec file, seed, git commit, versions).",
        "Needs root and the lab (scripts/lab.sh up): guests are created and destroyed per run."},
            mixinStandardHelpOptions = true,
            footer = {"%nExamples:", "  livemig experiment run scripts/experiments/quick.yaml --out /tmp/quick",
                "  livemig experiment run scripts/experiments/classic.yaml --out /tmp/classic --seed 42"},
            exitCodeListHeading = ExitCodes.HELP_HEADING,
            exitCodeList = {"0:Every run recorded and the invariants hold.",
                "1:Some run failed, or an invariant does not hold (listed).",
                ExitCodes.HELP_USAGE, ExitCodes.HELP_UNAVAILABLE, ExitCodes.HELP_REFUSED})
    static final class Run implements Callable<Integer> {

        private final AgentChannels channels;

        @ParentCommand
        ExperimentCommand parent;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "SPEC", description = "The experiment file (YAML).")
        Path specFile;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where results go (created).")
        Path out;

        @Option(names = "--seed", paramLabel = "N", description = "Order of the runs; default: the spec's, else random (recorded).")
        Long seed;

        @Option(names = "--lab-script", paramLabel = "PATH",
                description = "scripts/lab.sh of the lab. Default: $LIVEMIG_LAB_SCRIPT, else scripts/lab.sh above the working directory.")
        Path labScript;

        @Option(names = "--lab-dir", paramLabel = "DIR", defaultValue = "/var/lib/livemig-lab",
                description = "The lab's state directory (guest serial logs). Default: ${DEFAULT-VALUE}.")
        Path labDir;

        Run(AgentChannels channels) {
            this.channels = channels;
        }

        @Override
        public Integer call() throws Exception {
            ExperimentSpec experiment = ExperimentSpec.load(specFile);
            long s = seed != null ? seed : experiment.seed().orElseGet(() -> new SecureRandom().nextLong() & Long.MAX_VALUE);
            ClusterConfig cluster = parent.root.cluster.load();
            Path lab = labScript();
            Files.createDirectories(out);
            PrintWriter err = spec.commandLine().getErr();
            err.println("experiment " + experiment.name() + ": seed " + s + ", results in " + out);
            Provenance provenance = Provenance.collect(specFile, s, ManifestVersionProvider.line());
            List<RunResult> results = new ExperimentRunner(experiment, s, out, cluster, lab, labDir, channels::to, err,
                    provenance).run();
            Path report = Report.write(out);
            List<String> violations = ExperimentInvariants.violations(results, experiment);
            PrintWriter o = spec.commandLine().getOut();
            o.println("report: " + report);
            violations.forEach(v -> o.println("invariant: " + v));
            o.flush();
            boolean allSucceeded = results.stream().allMatch(r -> r.status().equals("succeeded"));
            return violations.isEmpty() && allSucceeded ? ExitCodes.OK : ExitCodes.MIGRATION_FAILED;
        }

        private Path labScript() throws ConfigException {
            if (labScript != null) {
                return labScript;
            }
            String env = System.getenv("LIVEMIG_LAB_SCRIPT");
            if (env != null && !env.isBlank()) {
                return Path.of(env);
            }
            for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
                Path candidate = dir.resolve("scripts").resolve("lab.sh");
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
            throw new ConfigException("scripts/lab.sh not found: pass --lab-script PATH or set $LIVEMIG_LAB_SCRIPT");
        }
    }

    @Command(name = "report", description = "Write DIR/report.md and DIR/plots/*.png from a recorded experiment.",
            mixinStandardHelpOptions = true,
            footer = {"%nExamples:", "  livemig experiment report /tmp/quick",
                "  livemig experiment report docs/benchmarks/classic"},
            exitCodeListHeading = ExitCodes.HELP_HEADING,
            exitCodeList = {ExitCodes.HELP_OK, ExitCodes.HELP_USAGE})
    static final class ReportCommand implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "DIR", description = "An experiment's output directory.")
        Path dir;

        @Override
        public Integer call() {
            Results.readRuns(dir); // a one-line error for a directory that is not an experiment
            Path report = Report.write(dir);
            spec.commandLine().getOut().println("report: " + report);
            spec.commandLine().getOut().println("plots: " + dir.resolve("plots"));
            return ExitCodes.OK;
        }
    }

    @Command(name = "replay-eta", description = {"Replay the ETA of a recorded experiment's runs with other dirty rates:",
        "each run's samples through this build's estimator, the agent's reading replaced by each rate given,",
        "the non-zero memory learned from the run's first pass, the workload's working set, the run's link and",
        "allowed downtime (what a VM's migration after an identical one knows).",
        "Prints each run's worst ETA error from a quarter of the predicted time on, recorded and replayed,",
        "then per cell the worst of its runs. Auto runs are left out (their plan is not recorded)."},
            mixinStandardHelpOptions = true,
            footer = {"%nExamples:", "  livemig experiment replay-eta docs/benchmarks/advice",
                "  livemig experiment replay-eta docs/benchmarks/advice --dirty-rate workload,26,28,30"},
            exitCodeListHeading = ExitCodes.HELP_HEADING,
            exitCodeList = {ExitCodes.HELP_OK, ExitCodes.HELP_USAGE})
    static final class ReplayEta implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "DIR", description = "An experiment's output directory.")
        Path dir;

        @Option(names = "--dirty-rate", paramLabel = "LIST", defaultValue = "workload", split = ",",
                description = "Dirty rates to replay with, MiB/s, comma-separated; \"workload\" is each run's own "
                        + "workload rate. Default: ${DEFAULT-VALUE}.")
        List<String> rates;

        @Override
        public Integer call() {
            List<Double> mibps = new ArrayList<>(rates.size());
            for (String r : rates) {
                mibps.add(parseRate(r.trim()));
            }
            spec.commandLine().getOut().print(EtaReplay.report(Results.readRuns(dir), mibps));
            return ExitCodes.OK;
        }

        private double parseRate(String r) {
            if (r.equals("workload")) {
                return -1;
            }
            try {
                double v = Double.parseDouble(r);
                if (v >= 0 && v <= 100_000) {
                    return v;
                }
            } catch (NumberFormatException e) {
                // the message below
            }
            throw new ParameterException(spec.commandLine(),
                    "--dirty-rate: '" + r + "' is not a rate in MiB/s (0..100000) or \"workload\"");
        }
    }
}
