package io.livemig.cli.experiment.runner;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.livemig.cli.experiment.RunResult;
import io.livemig.common.config.HostConfig;
import io.livemig.proto.agent.v1.AgentServiceGrpc;
import io.livemig.proto.agent.v1.CancelIncomingRequest;
import io.livemig.proto.agent.v1.PrepareIncomingRequest;
import io.livemig.proto.agent.v1.PrepareIncomingResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The baseline: the same VM migrated with plain {@code virsh migrate} under the same settings as
 * the livemig run of its cell (see {@link #migrateArgv}): live, persistent on the target, undefined
 * on the source, the same bandwidth limit (for post-copy also {@code --postcopy-bandwidth}), the
 * same timeout, and the same allowed downtime. {@code virsh migrate} has no downtime option, so
 * the downtime is set with {@code virsh migrate-setmaxdowntime} once the job runs (polled with
 * {@code virsh domjobinfo}, bounded in time); whether that happened before the job ended is
 * recorded with the run. The lab's hosts name their bridges and paths differently, so the
 * destination XML comes from the target agent's rebinding plan, as an operator would write it by
 * hand; everything else is libvirt's own doing. Figures come from the source's completed-job
 * statistics ({@code virsh domjobinfo --completed --rawstats}): the destination's lack the memory
 * figures after post-copy (libvirt 11.3 reports 0 bytes there), so the source keeps its inactive
 * definition until they are read, and is undefined afterwards (what {@code --undefinesource} would
 * have done). Bytes are libvirt's {@code data_processed}, the statistic livemig's agent reports,
 * so both sides compare field for field.
 */
final class VirshMigrator {

    private static final Pattern RAW = Pattern.compile("^\\s*([a-z_.]+)\\s*[:=]\\s*(-?\\d+)\\s*$");
    private static final Pattern JOB_TYPE = Pattern.compile("^\\s*Job type:\\s*(\\S+)", Pattern.MULTILINE);
    /** How long to wait for the migration job to show before giving up on setting its downtime. */
    static final long DOWNTIME_WAIT_MS = 30_000;
    private static final long POLL_MS = 50;

    private final Function<String, ManagedChannel> channels;

    VirshMigrator(Function<String, ManagedChannel> channels) {
        this.channels = channels;
    }

    /** What to do next while waiting to set the allowed downtime; see {@link #nextDowntimeStep}. */
    enum DowntimeStep { WAIT, SET, ENDED, GAVE_UP }

    /** A libvirt job statistic: which field, and its value. */
    record Figure(String field, long value) {}

    /**
     * @param maxDowntimeMs allowed downtime, 0 to leave the hypervisor's default (as livemig does)
     * @param timeoutS      the cell's timeout, the same livemig is given (see {@link #migrateArgv})
     */
    MigrationRun migrate(String vm, HostConfig source, HostConfig target, String mode, int linkMibps, long maxDowntimeMs,
            long memoryBytes, long timeoutS) throws IOException {
        String xml = run(List.of("virsh", "-c", source.libvirtUri(), "dumpxml", "--migratable", vm), 60).output();
        String uuid = run(List.of("virsh", "-c", source.libvirtUri(), "domuuid", vm), 30).output().strip();
        var targetAgent = AgentServiceGrpc.newBlockingStub(channels.apply(target.agent()));
        PrepareIncomingResponse prepared;
        try {
            prepared = targetAgent.withDeadlineAfter(60, TimeUnit.SECONDS).prepareIncoming(PrepareIncomingRequest
                    .newBuilder().setVmName(vm).setVmUuid(uuid).setDomainXml(xml).setMemoryBytes(memoryBytes)
                    .setSourceHost(source.name()).putAllSourceNetworks(source.networks())
                    .putAllSourceStorage(source.storage()).build());
        } catch (StatusRuntimeException e) {
            return MigrationRun.failed(mode, "target agent refused the baseline's destination XML: "
                    + e.getStatus().getDescription());
        }
        Path destXml = Files.createTempFile("livemig-baseline-", ".xml");
        try {
            Files.writeString(destXml, prepared.getDestinationXml());
            List<String> cmd = migrateArgv(source.libvirtUri(), vm, target.libvirtUri(), prepared.getMigrateUri(), mode,
                    linkMibps, timeoutS, destXml.toString());
            List<String> setDowntime = maxDowntimeMs > 0 ? setMaxDowntimeArgv(source.libvirtUri(), vm, maxDowntimeMs)
                    : List.of();
            long started = System.nanoTime();
            Processes.Exec migrated;
            String downtime;
            try (Processes.Running running = Processes.start(cmd)) {
                downtime = setDowntime.isEmpty() ? "not requested"
                        : applyMaxDowntime(source.libvirtUri(), vm, setDowntime, running, started);
                migrated = running.await(Duration.ofSeconds(timeoutS + 300));
            }
            long wallMs = (System.nanoTime() - started) / 1_000_000;
            if (migrated.exitCode() != 0) {
                return MigrationRun.failed(mode, "virsh migrate: " + migrated.output().strip(), cmd, setDowntime, downtime);
            }
            Map<String, Long> stats = rawStats(run(List.of("virsh", "-c", source.libvirtUri(), "domjobinfo", vm,
                    "--completed", "--rawstats"), 30).output());
            run(List.of("virsh", "-c", source.libvirtUri(), "undefine", vm), 30);
            Figure bytes = bytes(stats);
            if (bytes == null) { // not kept on the source: the destination's
                stats = rawStats(run(List.of("virsh", "-c", target.libvirtUri(), "domjobinfo", vm, "--completed",
                        "--rawstats"), 30).output());
                bytes = bytes(stats);
            }
            return new MigrationRun("succeeded", mode, stats.getOrDefault("time_elapsed", wallMs),
                    stats.getOrDefault("downtime", 0L), stats.getOrDefault("setup_time", 0L),
                    bytes == null ? 0 : bytes.value(), stats.getOrDefault("memory_total", memoryBytes),
                    stats.getOrDefault("memory_iteration", 0L), stats.getOrDefault("memory_postcopy_requests", 0L),
                    List.of(), List.of(), "", cmd, setDowntime, downtime, bytes == null ? "" : bytes.field());
        } finally {
            Files.deleteIfExists(destXml);
            try {
                targetAgent.withDeadlineAfter(30, TimeUnit.SECONDS).cancelIncoming(CancelIncomingRequest.newBuilder()
                        .setReservationId(prepared.getReservationId()).build());
            } catch (StatusRuntimeException e) {
                // expired: nothing held
            }
        }
    }

    /**
     * The {@code virsh migrate} command of a baseline run. Both modes: {@code --live --persistent
     * --unsafe}, the destination XML, {@code --timeout timeoutS} (the cell's timeout, which livemig
     * gets as its timeout rule) and {@code --bandwidth linkMibps} when the link is limited.
     * Pre-copy: past the timeout the guest is suspended ({@code --timeout-suspend}: virsh cannot
     * abort at a timeout as livemig does). Post-copy: {@code --postcopy --postcopy-after-precopy},
     * past the timeout the switch to post-copy is forced ({@code --timeout-postcopy}), and the
     * post-copy phase is held to the same bandwidth ({@code --postcopy-bandwidth}).
     *
     * @throws IllegalArgumentException for a mode without a baseline (stopcopy, auto)
     */
    static List<String> migrateArgv(String sourceUri, String vm, String targetUri, String migrateUri, String mode,
            int linkMibps, long timeoutS, String destXml) {
        boolean postcopy = switch (mode) {
            case "precopy" -> false;
            case "postcopy" -> true;
            default -> throw new IllegalArgumentException("no virsh baseline for mode " + mode);
        };
        List<String> cmd = new ArrayList<>(List.of("virsh", "-c", sourceUri, "migrate", "--live", "--persistent",
                "--unsafe", "--xml", destXml, "--persistent-xml", destXml));
        if (postcopy) {
            cmd.addAll(List.of("--postcopy", "--postcopy-after-precopy"));
        }
        if (timeoutS > 0) {
            cmd.addAll(List.of("--timeout", String.valueOf(timeoutS), postcopy ? "--timeout-postcopy" : "--timeout-suspend"));
        }
        if (linkMibps > 0) {
            cmd.addAll(List.of("--bandwidth", String.valueOf(linkMibps)));
            if (postcopy) {
                cmd.addAll(List.of("--postcopy-bandwidth", String.valueOf(linkMibps)));
            }
        }
        cmd.addAll(List.of(vm, targetUri, "--migrateuri", migrateUri));
        return List.copyOf(cmd);
    }

    /** {@code virsh -c SOURCE migrate-setmaxdowntime VM MS}: livemig's agent makes the same libvirt call. */
    static List<String> setMaxDowntimeArgv(String sourceUri, String vm, long maxDowntimeMs) {
        return List.of("virsh", "-c", sourceUri, "migrate-setmaxdowntime", vm, String.valueOf(maxDowntimeMs));
    }

    /**
     * Waits for the migration job to show on the source, then sets its allowed downtime; returns
     * what happened, for the run's record. Never fails the run: a downtime not applied is a fact
     * to report, not a reason to lose the measurement.
     */
    private static String applyMaxDowntime(String sourceUri, String vm, List<String> setDowntime, Processes.Running migrate,
            long startedNanos) {
        try {
            while (true) {
                long elapsedMs = (System.nanoTime() - startedNanos) / 1_000_000;
                boolean running = migrate.isAlive();
                boolean active = running && jobActive(domjobinfo(sourceUri, vm));
                switch (nextDowntimeStep(running, active, elapsedMs, DOWNTIME_WAIT_MS)) {
                    case SET -> {
                        long atMs = (System.nanoTime() - startedNanos) / 1_000_000;
                        Processes.Exec set = run(setDowntime, 30);
                        boolean stillActive = migrate.isAlive() && jobActive(domjobinfo(sourceUri, vm));
                        return downtimeOutcome(set.exitCode(), set.output(), stillActive, atMs);
                    }
                    case ENDED -> {
                        return "not applied: virsh migrate ended before its job was seen";
                    }
                    case GAVE_UP -> {
                        return "not applied: no migration job within " + DOWNTIME_WAIT_MS / 1000 + " s";
                    }
                    default -> Thread.sleep(POLL_MS); // virsh has no job event to wait on; polled
                }
            }
        } catch (IOException e) {
            return "not applied: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "not applied: interrupted";
        }
    }

    private static String domjobinfo(String uri, String vm) {
        try {
            return run(List.of("virsh", "-c", uri, "domjobinfo", vm), 10).output();
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * The step after one look at the source: set the downtime once the job is active (and
     * {@code virsh migrate} still runs), stop when virsh has ended or {@code limitMs} has passed,
     * wait otherwise. Pure.
     */
    static DowntimeStep nextDowntimeStep(boolean migrateRunning, boolean jobActive, long elapsedMs, long limitMs) {
        if (!migrateRunning) {
            return DowntimeStep.ENDED;
        }
        if (jobActive) {
            return DowntimeStep.SET;
        }
        return elapsedMs >= limitMs ? DowntimeStep.GAVE_UP : DowntimeStep.WAIT;
    }

    /**
     * Whether {@code virsh domjobinfo} shows a job under way: "Job type: Unbounded" (or Bounded;
     * 2 and 1 with {@code --rawstats}); "None", "Completed", "Failed", "Cancelled" are not.
     */
    static boolean jobActive(String domjobinfo) {
        Matcher m = JOB_TYPE.matcher(domjobinfo);
        if (!m.find()) {
            return false;
        }
        return switch (m.group(1)) {
            case "Unbounded", "Bounded", "1", "2" -> true;
            default -> false;
        };
    }

    /**
     * The record of a {@code migrate-setmaxdowntime}: "applied N ms after start" when it succeeded
     * and the job was still running after it; when the job was gone by then, libvirt may have taken
     * the value without a job to apply it to, so it says so; "not applied: virsh's error" on failure.
     */
    static String downtimeOutcome(int exitCode, String output, boolean jobStillActive, long atMs) {
        if (exitCode != 0) {
            String why = output.strip().lines().reduce((a, b) -> b).orElse("exit " + exitCode);
            return "not applied: " + why;
        }
        return jobStillActive ? "applied " + atMs + " ms after start"
                : "set " + atMs + " ms after start, but the job had ended by the next look";
    }

    /**
     * The bytes sent, field for field with livemig's agent: {@code data_processed}, else
     * {@code memory_processed}; null when the statistics have neither.
     */
    static Figure bytes(Map<String, Long> stats) {
        if (stats.containsKey(RunResult.DATA_PROCESSED)) {
            return new Figure(RunResult.DATA_PROCESSED, stats.get(RunResult.DATA_PROCESSED));
        }
        if (stats.containsKey(RunResult.MEMORY_PROCESSED)) {
            return new Figure(RunResult.MEMORY_PROCESSED, stats.get(RunResult.MEMORY_PROCESSED));
        }
        return null;
    }

    /** "time_elapsed=1234" or "time_elapsed: 1234" lines (virsh --rawstats prints typed parameters). */
    static Map<String, Long> rawStats(String output) {
        Map<String, Long> stats = new HashMap<>();
        for (String line : output.split("\\R")) {
            Matcher m = RAW.matcher(line);
            if (m.find()) {
                stats.put(m.group(1), Long.parseLong(m.group(2)));
            }
        }
        return stats;
    }

    private static Processes.Exec run(List<String> command, long timeoutS) throws IOException {
        return Processes.run(command, Duration.ofSeconds(timeoutS));
    }
}
