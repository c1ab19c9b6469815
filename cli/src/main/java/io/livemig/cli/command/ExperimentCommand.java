package io.livemig.cli.command;

import io.livemig.cli.client.AgentChannels;
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
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code livemig experiment run|report}: scripted migration experiments on the lab. */
@Command(name = "experiment", description = "Scripted migration experiments: a matrix of runs on the lab, recorded and reported.",
        mixinStandardHelpOptions = true, versionProvider = ManifestVersionProvider.class,
        subcommands = {ExperimentCommand.Run.class, ExperimentCommand.ReportCommand.class},
        footer = {"%nExamples:",
            "  livemig experiment run scripts/experiments/quick.yaml --out /tmp/quick",
            "  livemig experiment report /tmp/quick"})
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
}
