package io.livemig.cli.experiment.runner;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
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
 * The baseline: the same VM migrated with plain {@code virsh migrate} and the nearest equivalent
 * flags (live, persistent on the target, undefined on the source, the bandwidth limit, and for
 * post-copy {@code --postcopy --postcopy-after-precopy}). The lab's hosts name their bridges and
 * paths differently, so the destination XML comes from the target agent's rebinding plan, as an
 * operator would write it by hand; everything else is libvirt's own doing. Figures come from
 * the source's completed-job statistics ({@code virsh domjobinfo --completed --rawstats}): the
 * destination's lack the memory figures after post-copy (libvirt 11.3 reports 0 bytes there), so
 * the source keeps its inactive definition until they are read, and is undefined afterwards
 * (what {@code --undefinesource} would have done).
 */
final class VirshMigrator {

    private static final Pattern RAW = Pattern.compile("^\\s*([a-z_.]+)\\s*[:=]\\s*(-?\\d+)\\s*$");

    private final Function<String, ManagedChannel> channels;

    VirshMigrator(Function<String, ManagedChannel> channels) {
        this.channels = channels;
    }

    /**
     * @param timeoutS virsh's own way to force an end: past it, pre-copy suspends the guest
     *                 ({@code --timeout-suspend}); post-copy switches after the first pass anyway
     */
    MigrationRun migrate(String vm, HostConfig source, HostConfig target, String mode, int linkMibps, long memoryBytes,
            long timeoutS) throws IOException {
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
            List<String> cmd = new ArrayList<>(List.of("virsh", "-c", source.libvirtUri(), "migrate", "--live",
                    "--persistent", "--unsafe", "--xml", destXml.toString(),
                    "--persistent-xml", destXml.toString()));
            if (mode.equals("postcopy")) {
                cmd.addAll(List.of("--postcopy", "--postcopy-after-precopy"));
            } else {
                cmd.addAll(List.of("--timeout", String.valueOf(timeoutS), "--timeout-suspend"));
            }
            if (linkMibps > 0) {
                cmd.addAll(List.of("--bandwidth", String.valueOf(linkMibps)));
                if (mode.equals("postcopy")) {
                    cmd.addAll(List.of("--postcopy-bandwidth", String.valueOf(linkMibps)));
                }
            }
            cmd.addAll(List.of(vm, target.libvirtUri(), "--migrateuri", prepared.getMigrateUri()));
            long started = System.nanoTime();
            Processes.Exec migrated = run(cmd, timeoutS + 300);
            long wallMs = (System.nanoTime() - started) / 1_000_000;
            if (migrated.exitCode() != 0) {
                return MigrationRun.failed(mode, "virsh migrate: " + migrated.output().strip());
            }
            Map<String, Long> stats = rawStats(run(List.of("virsh", "-c", source.libvirtUri(), "domjobinfo", vm,
                    "--completed", "--rawstats"), 30).output());
            run(List.of("virsh", "-c", source.libvirtUri(), "undefine", vm), 30);
            if (!stats.containsKey("memory_processed")) { // not kept on the source: the destination's
                stats = rawStats(run(List.of("virsh", "-c", target.libvirtUri(), "domjobinfo", vm, "--completed",
                        "--rawstats"), 30).output());
            }
            return new MigrationRun("succeeded", mode, stats.getOrDefault("time_elapsed", wallMs),
                    stats.getOrDefault("downtime", 0L), stats.getOrDefault("setup_time", 0L),
                    stats.getOrDefault("memory_processed", stats.getOrDefault("data_processed", 0L)),
                    stats.getOrDefault("memory_total", memoryBytes), stats.getOrDefault("memory_iteration", 0L),
                    stats.getOrDefault("memory_postcopy_requests", 0L), List.of(), List.of(), "");
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
