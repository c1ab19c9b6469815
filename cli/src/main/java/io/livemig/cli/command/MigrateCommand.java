package io.livemig.cli.command;

import io.livemig.agent.core.migration.MigrationSpec;
import io.livemig.agent.core.policy.CopyMode;
import io.livemig.cli.client.AgentChannels;
import io.livemig.cli.client.ClientTarget;
import io.livemig.cli.client.ClientWarmup;
import io.livemig.cli.client.OrchestratorClient;
import io.livemig.cli.client.ProtoChoices;
import io.livemig.cli.client.ProtoModes;
import io.livemig.cli.format.MigrationFormat;
import io.livemig.cli.format.MigrationSummary;
import io.livemig.cli.format.Timelines;
import io.livemig.cli.format.Units;
import io.livemig.common.config.HostConfig;
import io.livemig.common.input.Inputs;
import io.livemig.common.predict.Objective;
import io.livemig.common.timeline.Phase;
import io.livemig.common.timeline.Phases;
import io.livemig.proto.agent.v1.AgentServiceGrpc;
import io.livemig.proto.agent.v1.Escalation;
import io.livemig.proto.agent.v1.MigrationMode;
import io.livemig.proto.agent.v1.MigrationOptions;
import io.livemig.proto.agent.v1.MigrationProgress;
import io.livemig.proto.agent.v1.MigrationRef;
import io.livemig.proto.agent.v1.MigrationResult;
import io.livemig.proto.agent.v1.MigrationStatus;
import io.livemig.proto.agent.v1.RebindRule;
import io.livemig.proto.agent.v1.StartMigrationRequest;
import io.livemig.proto.agent.v1.StartMigrationResponse;
import io.livemig.proto.orchestrator.v1.MigrateRequest;
import io.livemig.proto.orchestrator.v1.MigrateResponse;
import io.livemig.proto.orchestrator.v1.Migration;
import io.livemig.proto.orchestrator.v1.PlacementDecision;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "migrate",
        description = {"Migrate a running VM to another host of the cluster.",
            "With an orchestrator (see 'livemig --help') the orchestrator queues it under its limits and, without "
                    + "--to, picks the target by its placement policy; the command follows it to its end unless "
                    + "--no-wait. Without one it goes straight through the agents of the cluster file, and --to is "
                    + "required.",
            "Ctrl-C while it waits aborts the migration; the VM stays on the source."},
        mixinStandardHelpOptions = true, versionProvider = ManifestVersionProvider.class,
        footer = {"%nModes:",
            "  precopy   copy memory while the VM runs, resend dirtied pages, stop for the",
            "            last few",
            "  stopcopy  pause the VM, copy everything, resume it on the target",
            "  postcopy  move the CPU state after the first pass, pull the rest on demand",
            "  auto      pre-copy that escalates (downtime, throttle, post-copy, suspend)",
            "            when it will not converge (default)",
            "%nOutput: progress and the orchestrator's choice on stderr; one summary line on",
            "stdout, or with --json one object: id, vm, source, target, mode_requested,",
            "mode_used, status, total_ms, downtime_ms, setup_ms, memory_bytes,",
            "bytes_transferred, iterations, postcopy_requests, escalations, error; through",
            "an orchestrator also warning (set when it could not write the result to its",
            "history yet; also a line on stderr), reason, origin, waiting_for,",
            "agent_migration_id, requested_at_ms, started_at_ms, ended_at_ms and decision",
            "{policy, chosen, candidates, rejections, explanation}. Both end with phases:",
            "the timeline {name, where, start_ms, duration_ms} from this command's start to",
            "the result received, back to back (see the README's \"Timeline of a",
            "migration\").",
            "With --plan: the table of every mode's predicted cost and the recommended",
            "mode on stdout, or with --json one object: vm, source, target, decision,",
            "modes, recommended, reason, objective, inputs (see the README's \"Pre-flight",
            "advice\").",
            "%nExamples:",
            "  livemig migrate web1                   # orchestrator: target by placement",
            "  livemig migrate web1 --no-wait --json  # orchestrator: queue it, print it",
            "  livemig migrate web1 --to lab-b",
            "  livemig migrate web1 --to lab-b --mode postcopy --json",
            "  livemig migrate web1 --plan            # predicted cost of every mode, no move",
            "  livemig --cluster lab.yaml migrate db1 --to lab-c --mode precopy \\",
            "      --max-downtime 500 --bandwidth 100 --timeout 120"},
        exitCodeListHeading = ExitCodes.HELP_HEADING,
        exitCodeList = {"0:The migration succeeded (with --no-wait: it was queued).",
            ExitCodes.HELP_MIGRATION_FAILED,
            "2:Bad usage or input (missing or invalid option, unknown VM or host, VM not running, no feasible target, "
                    + "VM already migrating).",
            "3:A host, its agent or the orchestrator is unavailable.", ExitCodes.HELP_REFUSED})
final class MigrateCommand implements Callable<Integer> {

    /** Where the command's own phases are measured. */
    private static final String CLI = "cli";

    private final AgentChannels channels;
    private final boolean terminal;

    @Spec
    CommandSpec spec;

    @ParentCommand
    LivemigCommand root;

    @Parameters(index = "0", paramLabel = "VM", description = "Name of the VM (libvirt domain).")
    String vmName;

    @Option(names = "--to", paramLabel = "HOST",
            description = "Target host, by its name in the cluster file. Required without an orchestrator; "
                    + "with one, the default is the host its placement policy chooses.")
    String targetHost;

    @Option(names = "--mode", defaultValue = "auto", paramLabel = "MODE", converter = ModeOption.class,
            completionCandidates = ModeOption.class,
            description = "auto (default), precopy, stopcopy or postcopy.")
    CopyMode mode;

    @Option(names = "--max-downtime", paramLabel = "MS", description = "Allowed downtime in ms (${bundle:range.max-downtime}).")
    Long maxDowntimeMs;

    @Option(names = "--bandwidth", paramLabel = "MiBps", description = "Bandwidth limit in MiB/s (${bundle:range.bandwidth}).")
    Long bandwidthMiBps;

    @Option(names = "--timeout", paramLabel = "S",
            description = "Give up (abort, or finish by the mode's rule) after S seconds (${bundle:range.timeout}). Default: scaled per GiB of memory.")
    Long timeoutS;

    @Option(names = "--compression", paramLabel = "KIND", converter = CompressionOption.class,
            completionCandidates = CompressionOption.class, description = "none, xbzrle or zstd (multifd).")
    MigrationSpec.Compression compression;

    @Option(names = "--parallel", paramLabel = "N", description = "Parallel connections (multifd), ${bundle:range.parallel}.")
    Integer parallel;

    @Option(names = "--auto-converge", description = "Let QEMU throttle the guest when pre-copy does not converge.")
    boolean autoConverge;

    @Option(names = "--no-postcopy", description = "auto: never escalate to post-copy.")
    boolean noPostcopy;

    @Option(names = "--no-suspend", description = "auto: never escalate to suspending the guest.")
    boolean noSuspend;

    @Option(names = "--json", description = "Print one JSON object with the result at the end.")
    boolean json;

    @Option(names = "--no-wait", description = "Orchestrator only: return once the migration is queued.")
    boolean noWait;

    @Option(names = "--plan", description = "Move nothing: print the predicted cost of every mode (total time, "
            + "downtime, bytes, passes, converges) for the target given or placed, the mode recommended and why, "
            + "and which inputs were estimated. Not with --no-wait or --timeout.")
    boolean plan;

    @Option(names = "--objective", paramLabel = "OBJECTIVE",
            description = "With --plan, what the recommendation optimises for; with --mode auto, what auto's plan "
                    + "before the start does: safe (default: pre-copy whenever it converges within the allowed "
                    + "downtime, post-copy only when it does not) or fastest (the shortest total time within it; pre-copy "
                    + "when it is predicted within 10 %% of that).")
    String objective;

    MigrateCommand(AgentChannels channels, boolean terminal) {
        this.channels = channels;
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws Exception {
        long enteredNanos = System.nanoTime();
        long startedMs = Timelines.sinceProcessStartMs();
        if (plan) {
            return plan();
        }
        if (objective != null && mode != CopyMode.AUTO) {
            throw new ParameterException(spec.commandLine(), "--objective applies to --mode auto and --plan, not --mode "
                    + EnumOption.name(mode));
        }
        MigrationOptions options = options();
        ClientTarget route = root.target();
        if (route.orchestrated()) {
            return throughOrchestrator(root.client(channels, route), options, enteredNanos, startedMs);
        }
        if (targetHost == null) {
            throw new ParameterException(spec.commandLine(),
                    "Missing required option: '--to=HOST' (--to HOST is required without an orchestrator)");
        }
        if (noWait) {
            throw new ParameterException(spec.commandLine(), "--no-wait needs an orchestrator: "
                    + ClientTarget.HOW_TO_NAME_ONE);
        }
        long locateNanos = System.nanoTime();
        AgentRoute hosts = AgentRoute.locate(channels, root.cluster.load(), vmName, targetHost);
        HostConfig source = hosts.source();
        HostConfig target = hosts.target();
        List<Phase> before = List.of(new Phase(Phases.CLIENT_START, CLI, 0, startedMs + msSince(enteredNanos, locateNanos)),
                new Phase(Phases.LOCATE, CLI, 0, msSince(locateNanos, System.nanoTime())));
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        var stub = AgentServiceGrpc.newBlockingStub(channels.to(source.agent()));
        long sentNanos = System.nanoTime();
        try (AbortOnSignal abort = new AbortOnSignal()) {
            StartMigrationResponse started = stub.withDeadlineAfter(60, TimeUnit.SECONDS).startMigration(
                    StartMigrationRequest.newBuilder().setVmName(vmName).setTargetAgent(target.agent())
                            .setOptions(options).build());
            String id = started.getMigrationId();
            abort.arm(() -> stub.withDeadlineAfter(10, TimeUnit.SECONDS)
                    .abortMigration(MigrationRef.newBuilder().setMigrationId(id).build()));
            if (!json) {
                err.println("migration " + id + ": " + vmName + " " + source.name() + " -> " + target.name() + ", mode "
                        + EnumOption.name(mode));
                for (RebindRule rule : started.getPlanList()) {
                    err.println("  rebind " + rule.getKind() + " " + rule.getDevice() + ": " + rule.getAction() + " "
                            + rule.getFrom() + (rule.getTo().isEmpty() || rule.getTo().equals(rule.getFrom()) ? ""
                            : " -> " + rule.getTo()) + (rule.getReason().isEmpty() ? "" : " (" + rule.getReason() + ")"));
                }
                err.flush();
            }
            MigrationResult result = watch(stub, id, err).getResult();
            List<Phase> phases = Phases.seenFrom(before, Timelines.fromProto(result.getPhasesList()),
                    msSince(sentNanos, System.nanoTime()), Phases.RPC, CLI);
            if (json) {
                Map<String, Object> document = jsonResult(id, source, target, result);
                document.put("phases", Timelines.json(phases));
                out.println(MigrationFormat.json(document));
            } else {
                out.println(summary(source, target, result) + String.format("%n  %s", Timelines.line(phases)));
            }
            out.flush();
            return abort.finished(result.getStatus() == MigrationStatus.MIGRATION_STATUS_SUCCEEDED
                    ? ExitCodes.OK : ExitCodes.MIGRATION_FAILED);
        }
    }

    /** {@code --plan}: the advice for the migration asked for, through the orchestrator or the agents; nothing moves. */
    private int plan() throws Exception {
        if (noWait || timeoutS != null) {
            throw new ParameterException(spec.commandLine(), "--plan cannot be combined with --no-wait or --timeout "
                    + "(they act on a running migration)");
        }
        Objective goal;
        try {
            goal = MigratePlan.objective(objective);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        MigrationOptions options = options();
        ClientTarget route = root.target();
        PrintWriter out = spec.commandLine().getOut();
        if (route.orchestrated()) {
            return MigratePlan.print(MigratePlan.throughOrchestrator(root.client(channels, route), vmName, targetHost,
                    options, goal), json, out);
        }
        if (targetHost == null) {
            throw new ParameterException(spec.commandLine(),
                    "Missing required option: '--to=HOST' (--to HOST is required without an orchestrator)");
        }
        AgentRoute hosts = AgentRoute.locate(channels, root.cluster.load(), vmName, targetHost);
        return MigratePlan.print(MigratePlan.direct(hosts, vmName, options, goal), json, out);
    }

    /** Queue it with the orchestrator, then (unless --no-wait) follow it to its end. */
    private int throughOrchestrator(OrchestratorClient client, MigrationOptions options, long enteredNanos,
            long startedMs) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long sentNanos = System.nanoTime();
        List<Phase> before = List.of(new Phase(Phases.CLIENT_START, CLI, 0, startedMs + msSince(enteredNanos, sentNanos)));
        // Followed to its end, the migration is aborted by Ctrl-C, from the moment the request leaves.
        AbortOnSignal abort = noWait ? null : new AbortOnSignal();
        try {
            MigrateResponse response = client.migrate(MigrateRequest.newBuilder().setVm(vmName)
                    .setTarget(targetHost == null ? "" : targetHost).setOptions(options).build());
            Migration queued = response.getMigration();
            PlacementDecision decision = response.hasDecision() ? response.getDecision() : null;
            if (abort == null) {
                if (!json) {
                    printQueued(queued, decision, err);
                    if (!MigrationFormat.isFinal(queued.getState())) {
                        err.println("follow it with: livemig watch " + queued.getId());
                        err.flush();
                    }
                }
                return print(queued, decision, out, List.of());
            }
            String id = queued.getId();
            abort.arm(() -> client.abortQuietly(id));
            // The output's first formatting (JSON, tables) on another thread while the migration
            // runs, rather than after its end, which is what the caller waits for.
            ClientWarmup.inBackground(() -> render(queued, decision, List.of()));
            if (!json) {
                printQueued(queued, decision, err);
            }
            Migration last = new MigrationFollower(client, err, !json, terminal && !json).follow(id);
            List<Phase> orchestrator = Timelines.fromProto(last.getPhasesList());
            List<Phase> phases = orchestrator.isEmpty() ? List.of()
                    : Phases.seenFrom(before, orchestrator, msSince(sentNanos, System.nanoTime()), Phases.RPC, CLI);
            return abort.finished(print(last.toBuilder().clearPhases().build(), decision, out, phases));
        } finally {
            if (abort != null) {
                abort.close();
            }
        }
    }

    private static void printQueued(Migration queued, PlacementDecision decision, PrintWriter err) {
        err.println(MigrationFormat.header(queued));
        if (decision != null && !decision.getExplanation().isEmpty()) {
            err.println("chosen: " + MigrationSummary.oneLine(decision.getExplanation()));
        }
        err.flush();
    }

    /**
     * Prints the migration as this command's result, with the timeline as this command saw it
     * (empty: the record's own); its exit code.
     */
    private int print(Migration last, PlacementDecision decision, PrintWriter out, List<Phase> phases) {
        out.println(render(last, decision, phases));
        out.flush();
        return ExitCodes.of(last);
    }

    /** What {@link #print} prints for {@code last}. */
    private String render(Migration last, PlacementDecision decision, List<Phase> phases) {
        if (json) {
            Map<String, Object> document = MigrationFormat.result(last, decision);
            if (!phases.isEmpty()) {
                document.put("phases", Timelines.json(phases));
            }
            return MigrationFormat.json(document);
        }
        if (noWait && !MigrationFormat.isFinal(last.getState())) {
            return last.getId() + " " + MigrationFormat.state(last.getState());
        }
        String timeline = Timelines.line(phases);
        return MigrationFormat.summary(last) + (timeline.isEmpty() ? "" : String.format("%n  %s", timeline));
    }

    MigrationOptions options() {
        // Checked here too: without an orchestrator every agent would be asked for it first.
        Refuse.ifPresent(Inputs.vmName(vmName));
        MigrationOptions.Builder b = MigrationOptions.newBuilder()
                .setMode(ProtoModes.of(mode))
                .setAutoConverge(autoConverge).setDisallowPostcopy(noPostcopy).setDisallowSuspend(noSuspend);
        if (maxDowntimeMs != null) {
            b.setMaxDowntimeMs(OptionRanges.check(OptionRanges.MAX_DOWNTIME, maxDowntimeMs));
        }
        if (bandwidthMiBps != null) {
            b.setBandwidthMibps(OptionRanges.check(OptionRanges.BANDWIDTH, bandwidthMiBps));
        }
        if (timeoutS != null) {
            b.setTimeoutS(OptionRanges.check(OptionRanges.TIMEOUT, timeoutS));
        }
        if (compression != null) {
            b.setCompression(ProtoChoices.of(compression));
        }
        if (parallel != null) {
            b.setParallelConnections((int) OptionRanges.check(OptionRanges.PARALLEL, parallel));
        }
        if (objective != null && mode == CopyMode.AUTO) {
            try {
                b.setObjective(ProtoChoices.of(MigratePlan.objective(objective)));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        return b.build();
    }

    private MigrationProgress watch(AgentServiceGrpc.AgentServiceBlockingStub stub, String id, PrintWriter err) {
        long deadlineS = timeoutS != null ? timeoutS * 2 + 600 : 6 * 3600;
        Iterator<MigrationProgress> stream = stub.withDeadlineAfter(deadlineS, TimeUnit.SECONDS)
                .watchMigration(MigrationRef.newBuilder().setMigrationId(id).build());
        MigrationProgress last = null;
        while (stream.hasNext()) {
            last = stream.next();
            if (terminal && !json && last.hasSnapshot() && !last.hasResult()) {
                err.print("\r" + MigrationFormat.progressLine(last.getSnapshot()) + "   ");
                err.flush();
            }
        }
        if (terminal && !json) {
            err.println();
        }
        if (last == null || !last.hasResult()) {
            throw new IllegalStateException("the agent ended the progress stream of migration " + id + " without a result");
        }
        return last;
    }

    private String summary(HostConfig source, HostConfig target, MigrationResult r) {
        String status = statusName(r.getStatus());
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                "%s %s: %s -> %s, mode %s (used %s): total %d ms, downtime %d ms, setup %d ms, %d iterations, %s sent for %s of memory",
                vmName, status, source.name(), target.name(), modeName(r.getModeRequested()), modeName(r.getModeUsed()),
                r.getTotalMs(), r.getDowntimeMs(), r.getSetupMs(), r.getIterations(), Units.mib(r.getBytesTransferred()),
                Units.mib(r.getMemoryBytes())));
        if (r.getPostcopyRequests() > 0) {
            b.append(", ").append(r.getPostcopyRequests()).append(" post-copy page requests");
        }
        for (Escalation e : r.getEscalationsList()) {
            if (e.getKind().equals("plan")) {
                b.append(String.format(Locale.ROOT, "%n  plan (objective %s): %s", e.getValue(), e.getReason()));
                continue;
            }
            b.append(String.format(Locale.ROOT, "%n  escalation at %.1f s (iteration %d): %s %s: %s",
                    e.getAtMs() / 1000.0, e.getIteration(), e.getKind(), e.getValue(), e.getReason()));
        }
        if (!r.getError().isEmpty()) {
            b.append(String.format("%n  error: %s", r.getError()));
        }
        return b.toString();
    }

    private Map<String, Object> jsonResult(String id, HostConfig source, HostConfig target, MigrationResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("vm", vmName);
        m.put("source", source.name());
        m.put("target", target.name());
        m.put("mode_requested", modeName(r.getModeRequested()));
        m.put("mode_used", modeName(r.getModeUsed()));
        m.put("status", statusName(r.getStatus()));
        m.put("total_ms", r.getTotalMs());
        m.put("downtime_ms", r.getDowntimeMs());
        m.put("setup_ms", r.getSetupMs());
        m.put("memory_bytes", r.getMemoryBytes());
        m.put("bytes_transferred", r.getBytesTransferred());
        m.put("iterations", r.getIterations());
        m.put("postcopy_requests", r.getPostcopyRequests());
        List<Map<String, Object>> escalations = new ArrayList<>();
        for (Escalation e : r.getEscalationsList()) {
            Map<String, Object> em = new LinkedHashMap<>();
            em.put("at_ms", e.getAtMs());
            em.put("iteration", e.getIteration());
            em.put("kind", e.getKind());
            em.put("value", e.getValue());
            em.put("reason", e.getReason());
            escalations.add(em);
        }
        m.put("escalations", escalations);
        m.put("error", r.getError().isEmpty() ? null : r.getError());
        return m;
    }

    private static long msSince(long fromNanos, long toNanos) {
        return Math.max(0, (toNanos - fromNanos) / 1_000_000);
    }

    static String modeName(MigrationMode mode) {
        return mode.name().replace("MIGRATION_MODE_", "").toLowerCase(Locale.ROOT);
    }

    static String statusName(MigrationStatus status) {
        return status.name().replace("MIGRATION_STATUS_", "").toLowerCase(Locale.ROOT);
    }
}
