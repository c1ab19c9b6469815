package io.livemig.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.StatusRuntimeException;
import io.livemig.agent.config.ClusterConfig;
import io.livemig.agent.config.ConfigException;
import io.livemig.agent.config.HostConfig;
import io.livemig.proto.agent.v1.AgentServiceGrpc;
import io.livemig.proto.agent.v1.Compression;
import io.livemig.proto.agent.v1.Escalation;
import io.livemig.proto.agent.v1.JobSnapshot;
import io.livemig.proto.agent.v1.ListVmsRequest;
import io.livemig.proto.agent.v1.MigrationMode;
import io.livemig.proto.agent.v1.MigrationOptions;
import io.livemig.proto.agent.v1.MigrationProgress;
import io.livemig.proto.agent.v1.MigrationRef;
import io.livemig.proto.agent.v1.MigrationResult;
import io.livemig.proto.agent.v1.MigrationStatus;
import io.livemig.proto.agent.v1.RebindRule;
import io.livemig.proto.agent.v1.StartMigrationRequest;
import io.livemig.proto.agent.v1.StartMigrationResponse;
import io.livemig.proto.agent.v1.Vm;
import io.livemig.proto.agent.v1.VmState;
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
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "migrate", description = "Migrate a running VM to another host of the cluster, through the agents.",
        mixinStandardHelpOptions = true, versionProvider = ManifestVersionProvider.class,
        footer = {"%nModes:",
            "  precopy   copy memory while the VM runs, resend dirtied pages, stop for the last few",
            "  stopcopy  pause the VM, copy everything, resume it on the target",
            "  postcopy  move the CPU state after the first pass, pull the rest on demand",
            "  auto      pre-copy that escalates (downtime, throttle, post-copy, suspend) when it",
            "            will not converge (default)",
            "%nExamples:",
            "  livemig migrate web1 --to lab-b",
            "  livemig migrate web1 --to lab-b --mode postcopy --json",
            "  livemig --cluster lab.yaml migrate db1 --to lab-c --mode precopy --max-downtime 500 --bandwidth 100 --timeout 120"},
        exitCodeListHeading = ExitCodes.HELP_HEADING,
        exitCodeList = {ExitCodes.HELP_OK, ExitCodes.HELP_MIGRATION_FAILED, ExitCodes.HELP_USAGE,
            ExitCodes.HELP_UNAVAILABLE})
final class MigrateCommand implements Callable<Integer> {

    enum Mode { auto, precopy, stopcopy, postcopy }

    enum CompressionOption { none, xbzrle, zstd }

    private final AgentChannels channels;
    private final boolean terminal;

    @Spec
    CommandSpec spec;

    @ParentCommand
    LivemigCommand root;

    @Parameters(index = "0", paramLabel = "VM", description = "Name of the VM (libvirt domain).")
    String vmName;

    @Option(names = "--to", required = true, paramLabel = "HOST", description = "Target host, by its name in the cluster file.")
    String targetHost;

    @Option(names = "--mode", defaultValue = "auto", paramLabel = "MODE",
            description = "auto (default), precopy, stopcopy or postcopy.")
    Mode mode;

    @Option(names = "--max-downtime", paramLabel = "MS", description = "Allowed downtime in ms (1..60000).")
    Long maxDowntimeMs;

    @Option(names = "--bandwidth", paramLabel = "MiBps", description = "Bandwidth limit in MiB/s (1..100000).")
    Long bandwidthMiBps;

    @Option(names = "--timeout", paramLabel = "S",
            description = "Give up (abort, or finish by the mode's rule) after S seconds (1..86400). Default: scaled per GiB of memory.")
    Long timeoutS;

    @Option(names = "--compression", paramLabel = "KIND", description = "none, xbzrle or zstd (multifd).")
    CompressionOption compression;

    @Option(names = "--parallel", paramLabel = "N", description = "Parallel connections (multifd), 2..32.")
    Integer parallel;

    @Option(names = "--auto-converge", description = "Let QEMU throttle the guest when pre-copy does not converge.")
    boolean autoConverge;

    @Option(names = "--no-postcopy", description = "auto: never escalate to post-copy.")
    boolean noPostcopy;

    @Option(names = "--no-suspend", description = "auto: never escalate to suspending the guest.")
    boolean noSuspend;

    @Option(names = "--json", description = "Print one JSON object with the result at the end.")
    boolean json;

    MigrateCommand(AgentChannels channels, boolean terminal) {
        this.channels = channels;
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws Exception {
        MigrationOptions options = options();
        ClusterConfig config = root.cluster.load();
        HostConfig target = config.requireHost(targetHost);
        HostConfig source = whereRuns(config);
        if (source.name().equals(target.name())) {
            throw new IllegalArgumentException("VM '" + vmName + "' already runs on " + target.name());
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        var stub = AgentServiceGrpc.newBlockingStub(channels.to(source.agent()));
        StartMigrationResponse started = stub.withDeadlineAfter(60, TimeUnit.SECONDS).startMigration(
                StartMigrationRequest.newBuilder().setVmName(vmName).setTargetAgent(target.agent()).setOptions(options).build());
        String id = started.getMigrationId();
        if (!json) {
            err.println("migration " + id + ": " + vmName + " " + source.name() + " -> " + target.name() + ", mode " + mode);
            for (RebindRule rule : started.getPlanList()) {
                err.println("  rebind " + rule.getKind() + " " + rule.getDevice() + ": " + rule.getAction() + " "
                        + rule.getFrom() + (rule.getTo().isEmpty() || rule.getTo().equals(rule.getFrom()) ? "" : " -> " + rule.getTo())
                        + (rule.getReason().isEmpty() ? "" : " (" + rule.getReason() + ")"));
            }
            err.flush();
        }
        MigrationProgress last;
        try (AbortOnSignal abort = new AbortOnSignal(stub, id)) {
            last = watch(stub, id, err);
        }
        MigrationResult result = last.getResult();
        if (json) {
            out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(jsonResult(id, source, target, result)));
        } else {
            out.println(summary(source, target, result));
        }
        out.flush();
        return result.getStatus() == MigrationStatus.MIGRATION_STATUS_SUCCEEDED ? ExitCodes.OK : ExitCodes.MIGRATION_FAILED;
    }

    MigrationOptions options() {
        MigrationOptions.Builder b = MigrationOptions.newBuilder()
                .setMode(MigrationMode.valueOf("MIGRATION_MODE_" + mode.name().toUpperCase(Locale.ROOT)))
                .setAutoConverge(autoConverge).setDisallowPostcopy(noPostcopy).setDisallowSuspend(noSuspend);
        if (maxDowntimeMs != null) {
            b.setMaxDowntimeMs(range("--max-downtime", maxDowntimeMs, 1, 60_000));
        }
        if (bandwidthMiBps != null) {
            b.setBandwidthMibps(range("--bandwidth", bandwidthMiBps, 1, 100_000));
        }
        if (timeoutS != null) {
            b.setTimeoutS(range("--timeout", timeoutS, 1, 86_400));
        }
        if (compression != null) {
            b.setCompression(Compression.valueOf("COMPRESSION_" + compression.name().toUpperCase(Locale.ROOT)));
        }
        if (parallel != null) {
            b.setParallelConnections((int) range("--parallel", parallel, 2, 32));
        }
        return b.build();
    }

    private static long range(String option, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(option + " must be " + min + ".." + max + ", got " + value);
        }
        return value;
    }

    /** The one host the VM runs on, asking every agent. */
    private HostConfig whereRuns(ClusterConfig config) throws ConfigException {
        List<HostConfig> running = new ArrayList<>();
        List<String> unreachable = new ArrayList<>();
        for (HostConfig host : config.hosts()) {
            try {
                List<Vm> vms = AgentServiceGrpc.newBlockingStub(channels.to(host.agent()))
                        .withDeadlineAfter(10, TimeUnit.SECONDS)
                        .listVms(ListVmsRequest.newBuilder().setActiveOnly(true).build()).getVmsList();
                if (vms.stream().anyMatch(vm -> vm.getName().equals(vmName) && vm.getState() != VmState.VM_STATE_SHUT_OFF)) {
                    running.add(host);
                }
            } catch (StatusRuntimeException e) {
                unreachable.add(host.name());
            }
        }
        if (running.size() == 1) {
            return running.get(0);
        }
        if (running.isEmpty()) {
            String note = unreachable.isEmpty() ? "" : " (unreachable: " + String.join(", ", unreachable) + ")";
            throw new IllegalArgumentException("VM '" + vmName + "' runs on no host of the cluster" + note);
        }
        throw new IllegalArgumentException("VM '" + vmName + "' runs on several hosts: "
                + String.join(", ", running.stream().map(HostConfig::name).toList()));
    }

    private MigrationProgress watch(AgentServiceGrpc.AgentServiceBlockingStub stub, String id, PrintWriter err) {
        long deadlineS = timeoutS != null ? timeoutS * 2 + 600 : 6 * 3600;
        Iterator<MigrationProgress> stream = stub.withDeadlineAfter(deadlineS, TimeUnit.SECONDS)
                .watchMigration(MigrationRef.newBuilder().setMigrationId(id).build());
        MigrationProgress last = null;
        while (stream.hasNext()) {
            last = stream.next();
            if (terminal && !json && last.hasSnapshot() && !last.hasResult()) {
                err.print("\r" + progressLine(last.getSnapshot()) + "   ");
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

    static String progressLine(JobSnapshot s) {
        return String.format(Locale.ROOT, "%6.1f s  %-9s iteration %d  sent %s  remaining %s  dirty %s/s  link %s/s%s",
                s.getElapsedMs() / 1000.0, s.getPhase().name().replace("MIGRATION_PHASE_", "").toLowerCase(Locale.ROOT),
                s.getIteration(), Units.mib(s.getBytesProcessed()), Units.mib(s.getBytesRemaining()),
                Units.mib(s.getDirtyRateBytesPerS()), Units.mib(s.getBandwidthBytesPerS()),
                s.getThrottlePercent() > 0 ? "  throttle " + s.getThrottlePercent() + "%" : "");
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

    static String modeName(MigrationMode mode) {
        return mode.name().replace("MIGRATION_MODE_", "").toLowerCase(Locale.ROOT);
    }

    static String statusName(MigrationStatus status) {
        return status.name().replace("MIGRATION_STATUS_", "").toLowerCase(Locale.ROOT);
    }

    /** Ctrl-C while a migration runs aborts it (the VM stays on the source) instead of abandoning it. */
    private static final class AbortOnSignal implements AutoCloseable {
        private final Thread hook;

        AbortOnSignal(AgentServiceGrpc.AgentServiceBlockingStub stub, String id) {
            hook = new Thread(() -> {
                try {
                    stub.withDeadlineAfter(10, TimeUnit.SECONDS).abortMigration(MigrationRef.newBuilder().setMigrationId(id).build());
                } catch (StatusRuntimeException e) {
                    // it may have ended meanwhile
                }
            }, "livemig-abort-" + id);
            Runtime.getRuntime().addShutdownHook(hook);
        }

        @Override
        public void close() {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down already: the hook runs
            }
        }
    }
}
