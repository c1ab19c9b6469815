package io.livemig.agent.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.livemig.agent.core.MigrationFlag;
import io.livemig.agent.core.MigrationFlags;
import io.livemig.agent.core.VmInfo;
import io.livemig.agent.core.DomainState;
import io.livemig.agent.core.DomainStatus;
import io.livemig.agent.core.migration.LaunchPlan;
import io.livemig.agent.service.HostAgent;
import io.livemig.common.config.ClusterConfig;
import io.livemig.common.grpc.GrpcServing;
import io.livemig.common.log.MigrationLog;
import io.livemig.proto.agent.v1.AgentServiceGrpc;
import io.livemig.proto.agent.v1.AutoObjective;
import io.livemig.proto.agent.v1.CancelIncomingRequest;
import io.livemig.proto.agent.v1.Escalation;
import io.livemig.proto.agent.v1.GetHostInfoRequest;
import io.livemig.proto.agent.v1.HostInfo;
import io.livemig.proto.agent.v1.JobSnapshot;
import io.livemig.proto.agent.v1.ListVmsRequest;
import io.livemig.proto.agent.v1.MigrationMode;
import io.livemig.proto.agent.v1.MigrationOptions;
import io.livemig.proto.agent.v1.MigrationProgress;
import io.livemig.proto.agent.v1.MigrationRef;
import io.livemig.proto.agent.v1.MigrationStatus;
import io.livemig.proto.agent.v1.PrepareIncomingRequest;
import io.livemig.proto.agent.v1.SetBandwidthRequest;
import io.livemig.proto.agent.v1.SetMaxDowntimeRequest;
import io.livemig.proto.agent.v1.StartMigrationRequest;
import io.livemig.proto.agent.v1.StartMigrationResponse;
import io.livemig.proto.agent.v1.Vm;
import io.livemig.testkit.LogCapture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Two agents in one process over in-process gRPC: a source with a VM, and a target. */
class AgentGrpcServiceTest {

    private static final long MIB = 1 << 20;
    private static final String CLUSTER_TEMPLATE = """
            hosts:
              - name: lab-a
                agent: lab-a:7070
                libvirt_uri: qemu+tcp://10.0.0.11/system
                migration_address: 10.0.0.11
                networks: {lan: lmbr-a}
                storage: {shared: TMP/a/shared}
                log_dir: TMP/a/logs
                cpus: "0-1"
              - name: lab-b
                agent: lab-b:7070
                libvirt_uri: qemu+tcp://10.0.0.12/system
                migration_address: 10.0.0.12
                networks: {lan: lmbr-b}
                storage: {shared: TMP/b/shared}
                log_dir: TMP/b/logs
                cpus: "0-1"
            """;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private FakeHypervisor hvA;
    private FakeHypervisor hvB;
    private AgentServiceGrpc.AgentServiceBlockingStub a;
    private AgentServiceGrpc.AgentServiceBlockingStub b;

    @TempDir
    Path tmp;

    @BeforeEach
    void startAgents() throws Exception {
        startAgents(CLUSTER_TEMPLATE);
    }

    private void startAgents(String clusterTemplate) throws Exception {
        ClusterConfig cluster = ClusterConfig.parse(clusterTemplate.replace("TMP", tmp.toString()), "cluster.yaml");
        // The guest's kernel and initrd are outside shared storage: they must exist on the target.
        Files.createDirectories(tmp.resolve("guest"));
        Files.writeString(tmp.resolve("guest/vmlinuz"), "kernel");
        Files.writeString(tmp.resolve("guest/initrd.img"), "initrd");
        String xml = Files.readString(Path.of(getClass().getResource("/domains/lab-lm-migratable.xml").toURI()))
                .replace("br0", "lmbr-a")
                .replace("/var/lib/livemig-lab/vms/lm/serial.log", tmp + "/a/logs/lm.log")
                .replace("/var/lib/livemig-lab/guest", tmp + "/guest");
        hvA = new FakeHypervisor("lab-a", 4096 * MIB).withVm("lm", 256 * MIB, xml);
        hvB = new FakeHypervisor("lab-b", 4096 * MIB);
        GrpcPeerAgents peers = new GrpcPeerAgents(address -> InProcessChannelBuilder.forName(address).build());
        closeables.add(peers);
        a = stub(serve("lab-a:7070", new HostAgent(hvA, "qemu:///system", cluster.requireHost("lab-a"), peers, hvA::nowMs)));
        b = stub(serve("lab-b:7070", new HostAgent(hvB, "qemu:///system", cluster.requireHost("lab-b"), peers, hvB::nowMs)));
    }

    private String serve(String name, HostAgent agent) throws IOException {
        GrpcServing server = AgentServer.start(InProcessServerBuilder.forName(name).directExecutor(), agent);
        closeables.add(server);
        closeables.add(agent);
        return name;
    }

    private AgentServiceGrpc.AgentServiceBlockingStub stub(String name) {
        ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
        closeables.add(channel::shutdownNow);
        return AgentServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    @Test
    void reportsHostAndVmsWithTheirBindings() {
        HostInfo info = a.getHostInfo(GetHostInfoRequest.getDefaultInstance());
        assertEquals("lab-a", info.getClusterHostName());
        assertEquals(1, info.getRunningVms());
        Vm vm = a.listVms(ListVmsRequest.getDefaultInstance()).getVms(0);
        assertEquals("lm", vm.getName());
        assertTrue(vm.getBindingsList().stream().anyMatch(x -> x.getResource().equals("lmbr-a")), vm.toString());
        assertEquals("", vm.getStateReason(), "a VM running as usual has no reason worth showing");
    }

    @Test
    void listsAVmPausedByAFailedPostcopyWithLibvirtsReason() {
        hvA.vms.put("lm", new FakeHypervisor.FakeVm(new VmInfo("lm", "uuid-lm", DomainState.PAUSED, 256 * MIB, 1, 0,
                DomainStatus.PAUSED_POSTCOPY_FAILED), hvA.vms.get("lm").xml()));
        Vm vm = a.listVms(ListVmsRequest.getDefaultInstance()).getVms(0);
        assertEquals(io.livemig.proto.agent.v1.VmState.VM_STATE_PAUSED, vm.getState());
        assertEquals("post-copy failed", vm.getStateReason());
    }

    @Test
    void aVmArrivingIsListedWithoutAskingLibvirtForItsXml() {
        // libvirt answers an arriving VM's live XML only once the migration's job ends: the
        // orchestrator's health poll would wait for the whole migration and call the host down.
        hvA.vms.put("arriving", new FakeHypervisor.FakeVm(new VmInfo("arriving", "uuid-arriving", DomainState.PAUSED,
                256 * MIB, 1, 0, DomainStatus.PAUSED_MIGRATION), hvA.vms.get("lm").xml()));
        List<Vm> vms = a.listVms(ListVmsRequest.getDefaultInstance()).getVmsList();
        Vm arriving = vms.stream().filter(v -> v.getName().equals("arriving")).findFirst().orElseThrow();
        assertEquals("migrating", arriving.getStateReason());
        assertEquals(0, arriving.getBindingsCount());
        assertFalse(hvA.xmlReads.contains("arriving"), hvA.xmlReads.toString());
        assertTrue(hvA.xmlReads.contains("lm"), "a VM running as usual is listed with its bindings");
    }

    @Test
    void aVmThisHostPromisedRoomToIsListedWithoutItsXmlWhateverStateLibvirtShows() {
        String xml = hvA.vms.get("lm").xml().replace("lmbr-a", "lmbr-b"); // as the source sends it, rebound
        b.prepareIncoming(prepare("lm", xml, 256 * MIB, "lab-a"));
        // Until libvirt's prepare step has QEMU listening, the arriving VM is "paused (starting
        // up)", and libvirt's job already holds it: its live XML would wait up to 30 s.
        hvB.vms.put("lm", new FakeHypervisor.FakeVm(new VmInfo("lm", "uuid-lm", DomainState.PAUSED, 256 * MIB, 1, 0,
                DomainStatus.PAUSED_STARTING_UP), xml));
        Vm starting = b.listVms(ListVmsRequest.getDefaultInstance()).getVms(0);
        assertEquals(0, starting.getBindingsCount(), starting.toString());
        // Whatever libvirt shows in between, the promise alone keeps the listing off its XML.
        hvB.vms.put("lm", new FakeHypervisor.FakeVm(new VmInfo("lm", "uuid-lm", DomainState.RUNNING, 256 * MIB, 1), xml));
        Vm running = b.listVms(ListVmsRequest.getDefaultInstance()).getVms(0);
        assertEquals(0, running.getBindingsCount(), running.toString());
        assertFalse(hvB.xmlReads.contains("lm"), hvB.xmlReads.toString());
    }

    /** AUTO's plan is the result's first step: the objective that applied and the prediction behind it. */
    @Test
    void anAutoMigrationRecordsItsPlanWithTheObjectiveFirst() {
        StartMigrationResponse started = a.startMigration(start("lm", "lab-b:7070", MigrationOptions.newBuilder()
                .setMode(MigrationMode.MIGRATION_MODE_AUTO).setBandwidthMibps(40)
                .setObjective(AutoObjective.AUTO_OBJECTIVE_FASTEST)));
        MigrationProgress last = watch(started.getMigrationId());
        assertEquals(MigrationStatus.MIGRATION_STATUS_SUCCEEDED, last.getResult().getStatus(), last.toString());
        Escalation plan = last.getResult().getEscalations(0);
        assertEquals("plan", plan.getKind(), last.toString());
        assertEquals("fastest", plan.getValue());
        assertEquals(0, plan.getAtMs());
        assertTrue(plan.getReason().contains(" is the fastest within the allowed 300 ms: "), plan.getReason());
    }

    /**
     * A guest no poll has measured yet: AUTO measures its dirty rate before planning. At 48 MiB/s
     * over 32 MiB/s pre-copy cannot converge, so even the safe objective plans post-copy.
     */
    @Test
    void autoMeasuresAnUnmeasuredGuestAndPlansFromItsDirtyRate() {
        hvA.measuredDirtyRates.put("lm", 48 * MIB);
        StartMigrationResponse started = a.startMigration(start("lm", "lab-b:7070", MigrationOptions.newBuilder()
                .setMode(MigrationMode.MIGRATION_MODE_AUTO).setBandwidthMibps(32)));
        MigrationProgress last = watch(started.getMigrationId());
        Escalation plan = last.getResult().getEscalations(0);
        assertEquals("plan", plan.getKind(), last.toString());
        assertEquals("safe", plan.getValue());
        assertTrue(plan.getReason().startsWith("pre-copy does not converge: the guest dirties 48.0 MiB/s and memory is "
                + "sent at 32.0 MiB/s"), plan.getReason());
        assertTrue(plan.getReason().endsWith("; post-copy after the first pass"), plan.getReason());
    }

    /**
     * A guest destroyed and started again under the same name is another instance: AUTO plans from
     * a measurement of the one running now, not from the reading of the one before (48 MiB/s,
     * which would make it plan post-copy), and the ETA likewise.
     */
    @Test
    void autoNeverPlansFromTheReadingOfAnEarlierGuestOfTheSameName() {
        String xml = hvA.vms.get("lm").xml();
        hvA.measuredDirtyRates.put("lm", 48 * MIB);
        MigrationProgress first = watch(a.startMigration(start("lm", "lab-b:7070", MigrationOptions.newBuilder()
                .setMode(MigrationMode.MIGRATION_MODE_AUTO).setBandwidthMibps(32))).getMigrationId());
        assertTrue(first.getResult().getEscalations(0).getReason().startsWith("pre-copy does not converge: the guest "
                + "dirties 48.0 MiB/s"), first.toString());

        hvA.vms.put("lm", new FakeHypervisor.FakeVm(new VmInfo("lm", "uuid-lm-again", DomainState.RUNNING, 256 * MIB, 1),
                xml));
        hvA.statuses.remove("lm");
        hvB.vms.remove("lm");
        hvA.measuredDirtyRates.put("lm", 4 * MIB);
        MigrationProgress again = watch(a.startMigration(start("lm", "lab-b:7070", MigrationOptions.newBuilder()
                .setMode(MigrationMode.MIGRATION_MODE_AUTO).setBandwidthMibps(32))).getMigrationId());
        String reason = again.getResult().getEscalations(0).getReason();
        assertFalse(reason.contains("48.0 MiB/s"), reason);
        assertTrue(reason.contains("pre-copy"), reason);
    }

    @Test
    void anObjectiveForAModeOtherThanAutoIsRefused() {
        assertStatus(Status.Code.INVALID_ARGUMENT, "an objective applies to mode auto only, not precopy",
                () -> a.startMigration(start("lm", "lab-b:7070", MigrationOptions.newBuilder()
                        .setMode(MigrationMode.MIGRATION_MODE_PRECOPY).setObjective(AutoObjective.AUTO_OBJECTIVE_SAFE))));
    }

    @Test
    void theDowntimeAndBandwidthReachTheJobOnceWhenItStarts() {
        StartMigrationResponse started = a.startMigration(start("lm", "lab-b:7070", MigrationOptions.newBuilder()
                .setMode(MigrationMode.MIGRATION_MODE_PRECOPY).setMaxDowntimeMs(700).setBandwidthMibps(40)));
        MigrationProgress last = watch(started.getMigrationId());
        assertEquals(MigrationStatus.MIGRATION_STATUS_SUCCEEDED, last.getResult().getStatus(), last.toString());

        assertEquals(1, hvA.started.size());
        LaunchPlan launch = hvA.started.get(0).launch();
        assertEquals(700, launch.maxDowntimeMs());
        assertEquals(40, launch.bandwidthMiBps());
        // Nothing steered this migration, so neither is set again while it runs.
        List<String> calls = hvA.lastJob.calls();
        assertTrue(calls.stream().noneMatch(c -> c.startsWith("setMaxDowntime") || c.startsWith("setBandwidth")),
                calls.toString());
    }

    @Test
    void migratesWithTheBridgeAndLogRebound() {
        StartMigrationResponse started = a.startMigration(request("lm", MigrationMode.MIGRATION_MODE_PRECOPY));
        assertEquals("lab-b", started.getTargetHost());
        assertTrue(started.getPlanList().stream().anyMatch(r -> r.getFrom().equals("lmbr-a") && r.getTo().equals("lmbr-b")),
                started.toString());
        MigrationProgress last = watch(started.getMigrationId());
        assertEquals(MigrationStatus.MIGRATION_STATUS_SUCCEEDED, last.getResult().getStatus(), last.toString());
        assertEquals(MigrationMode.MIGRATION_MODE_PRECOPY, last.getResult().getModeUsed());
        assertTrue(last.getResult().getDowntimeMs() > 0, last.toString());
        assertFalse(last.getSamplesList().isEmpty(), "no flight-recorder samples");

        var spec = hvA.started.get(0);
        assertTrue(spec.destinationXml().contains("lmbr-b") && !spec.destinationXml().contains("lmbr-a"), spec.destinationXml());
        assertTrue(spec.destinationXml().contains(tmp + "/b/logs/"), spec.destinationXml());
        assertEquals("tcp:10.0.0.12", spec.migrateUri());
        assertEquals("qemu+tcp://10.0.0.12/system", spec.destinationUri());
        assertTrue(spec.flags().has(MigrationFlag.LIVE) && spec.flags().has(MigrationFlag.PERSIST_DEST)
                && spec.flags().has(MigrationFlag.UNDEFINE_SOURCE), spec.flags().toString());
        // the target's reservation was released at the end
        assertEquals(0, b.getHostInfo(GetHostInfoRequest.getDefaultInstance()).getMemoryReservedBytes());
    }

    /**
     * The replayed pre-copy ends its first pass with 26 MiB left and starts its second with 36 MiB:
     * the set to send grows, and the progress shown holds instead of going back. Every message of the
     * stream and every sample of the last one carry a progress that never decreases, with an ETA
     * while the model can tell; the last message says done: 1, no time left.
     */
    @Test
    void theProgressNeverGoesBackAndEndsDone() {
        StartMigrationResponse started = a.startMigration(request("lm", MigrationMode.MIGRATION_MODE_PRECOPY));
        List<MigrationProgress> stream = new ArrayList<>();
        a.watchMigration(MigrationRef.newBuilder().setMigrationId(started.getMigrationId()).build())
                .forEachRemaining(stream::add);
        MigrationProgress last = stream.get(stream.size() - 1);
        assertEquals(MigrationStatus.MIGRATION_STATUS_SUCCEEDED, last.getResult().getStatus(), last.toString());

        List<JobSnapshot> samples = last.getSamplesList();
        assertTrue(samples.size() >= 6, samples.toString());
        boolean grew = false;
        for (int i = 1; i < samples.size(); i++) {
            JobSnapshot before = samples.get(i - 1);
            JobSnapshot now = samples.get(i);
            assertTrue(now.getProgress() >= before.getProgress(), "went back at sample " + i + ": " + samples);
            grew |= now.getBytesRemaining() > before.getBytesRemaining();
        }
        assertTrue(grew, "the replay's set to send grows between passes: " + samples);
        assertTrue(samples.stream().allMatch(JobSnapshot::hasEtaMs), "pre-copy that converges has an ETA: " + samples);
        JobSnapshot firstSent = samples.stream().filter(x -> x.getBytesProcessed() > 0).findFirst().orElseThrow();
        assertTrue(firstSent.getProgress() > 0 && firstSent.getProgress() < 1, firstSent.toString());
        assertTrue(firstSent.getEtaMs() > 0, firstSent.toString());

        double shown = 0;
        for (MigrationProgress p : stream) {
            if (p.hasSnapshot()) {
                assertTrue(p.getSnapshot().getProgress() >= shown, "the stream went back: " + stream);
                shown = p.getSnapshot().getProgress();
            }
        }
        assertEquals(1.0, last.getSnapshot().getProgress());
        assertTrue(last.getSnapshot().hasEtaMs());
        assertEquals(0, last.getSnapshot().getEtaMs());
    }

    /** Pre-copy that will not end by itself: no ETA; ended without success, it stays where it was, not done. */
    @Test
    void preCopyThatWillNotEndHasNoEtaAndEndsNotDone() {
        hvA.script = "nonconverging-precopy.csv";
        StartMigrationResponse started = a.startMigration(request("lm", MigrationMode.MIGRATION_MODE_PRECOPY));
        MigrationProgress last = watch(started.getMigrationId());
        assertTrue(last.hasResult() && last.getResult().getStatus() != MigrationStatus.MIGRATION_STATUS_SUCCEEDED,
                last.getResult().toString());
        List<JobSnapshot> samples = last.getSamplesList();
        assertTrue(samples.stream().anyMatch(x -> x.getIteration() >= 2 && !x.hasEtaMs()), samples.toString());
        JobSnapshot lastSample = samples.get(samples.size() - 1);
        assertTrue(last.getSnapshot().getProgress() < 1, last.getSnapshot().toString());
        assertEquals(lastSample.getProgress(), last.getSnapshot().getProgress());
        assertFalse(last.getSnapshot().hasEtaMs(), last.getSnapshot().toString());
    }

    /** The result carries the agent's timeline: every phase once, in order, back to back, within the call's wall time. */
    @Test
    void theResultCarriesTheAgentsPhasesInOrderBackToBack() {
        long before = System.nanoTime();
        StartMigrationResponse started = a.startMigration(request("lm", MigrationMode.MIGRATION_MODE_PRECOPY));
        MigrationProgress last = watch(started.getMigrationId());
        long wallMs = (System.nanoTime() - before) / 1_000_000;
        assertEquals(MigrationStatus.MIGRATION_STATUS_SUCCEEDED, last.getResult().getStatus(), last.toString());

        List<io.livemig.proto.agent.v1.Phase> phases = last.getResult().getPhasesList();
        assertEquals(List.of("vm_check", "dirty_rate_wait", "source_xml", "target_prepare", "job_setup", "job", "finish"),
                phases.stream().map(io.livemig.proto.agent.v1.Phase::getName).toList(), last.getResult().toString());
        assertEquals(0, phases.get(0).getStartMs());
        for (int i = 1; i < phases.size(); i++) {
            var previous = phases.get(i - 1);
            assertEquals(previous.getStartMs() + previous.getDurationMs(), phases.get(i).getStartMs(),
                    "phase " + phases.get(i).getName() + " begins where " + previous.getName() + " ends: " + phases);
        }
        assertTrue(phases.stream().allMatch(p -> p.getWhere().equals("agent")), phases.toString());
        var end = phases.get(phases.size() - 1);
        assertTrue(end.getStartMs() + end.getDurationMs() <= wallMs, "the phases fit in the call's " + wallMs + " ms: "
                + phases);
        assertEquals(Math.min(last.getResult().getSetupMs(), phases.get(4).getDurationMs() + phases.get(5).getDurationMs()),
                phases.get(4).getDurationMs(), "job_setup is libvirt's setup time: " + last.getResult());
    }

    /**
     * A VM arrives with its source's dirty-rate reading: the target lists it with that reading and
     * does not start measuring the VM at once, so that a migration of it right after its arrival
     * neither waits for a measurement nor makes one. Without a reading, the target measures it.
     */
    @Test
    void aVmArrivesWithTheSourcesDirtyRateReading() {
        hvA.measuredDirtyRates.put("lm", 8 * MIB);
        // AUTO measures on the spot when no poll has: lab-a then holds a reading of this instance.
        migrateToLabB(MigrationMode.MIGRATION_MODE_AUTO);

        Vm arrived = b.listVms(ListVmsRequest.getDefaultInstance()).getVms(0);
        assertEquals(8 * MIB, arrived.getDirtyRateBytesPerS(), arrived.toString());
        assertEquals(List.of(), hvB.dirtyRateStarts, "lab-b measured the VM right after it arrived");
    }

    @Test
    void aVmArrivingWithoutAReadingIsMeasuredAtTheTargetsFirstListing() {
        migrateToLabB(MigrationMode.MIGRATION_MODE_PRECOPY);

        Vm arrived = b.listVms(ListVmsRequest.getDefaultInstance()).getVms(0);
        assertEquals(0, arrived.getDirtyRateBytesPerS(), arrived.toString());
        assertEquals(List.of("lm"), hvB.dirtyRateStarts);
    }

    /**
     * A measurement of the VM under way, and no reading a migration may start from: the migration
     * waits for the measurement to run out (about 1.5 s) and starts from what it found.
     */
    @Test
    void aMigrationWithoutAReadingWaitsForTheMeasurementUnderWay() {
        hvA.measuredDirtyRates.put("lm", 8 * MIB);
        a.listVms(ListVmsRequest.getDefaultInstance()); // the first listing starts measuring the guest
        assertEquals(List.of("lm"), hvA.dirtyRateStarts);
        MigrationProgress last = watch(a.startMigration(request("lm", MigrationMode.MIGRATION_MODE_PRECOPY))
                .getMigrationId());
        assertEquals(MigrationStatus.MIGRATION_STATUS_SUCCEEDED, last.getResult().getStatus(), last.toString());
        assertTrue(phase(last, "dirty_rate_wait") >= 1000, last.getResult().getPhasesList().toString());
    }

    /**
     * A VM that has a reading a migration may start from (here the one its source handed over a
     * moment ago, whose measurement this host counts as under way): the migration starts at once,
     * without waiting for that measurement to run out.
     */
    @Test
    void aMigrationFromARecentReadingDoesNotWaitForAMeasurementUnderWay() {
        String xml = hvA.vms.get("lm").xml().replace("lmbr-a", "lmbr-b");
        b.prepareIncoming(prepare("lm", xml, 256 * MIB, "lab-a").toBuilder().setVmUuid("uuid-lm")
                .setDirtyRateBytesPerS(8 * MIB).setDirtyRateAgeMs(0).build());
        runsOnLabB(xml);
        hvA.vms.remove("lm");
        StartMigrationResponse started = b.startMigration(StartMigrationRequest.newBuilder().setVmName("lm")
                .setTargetAgent("lab-a:7070").setOptions(MigrationOptions.newBuilder()
                        .setMode(MigrationMode.MIGRATION_MODE_PRECOPY)).build());
        MigrationProgress last = watch(b, started.getMigrationId());
        assertEquals(MigrationStatus.MIGRATION_STATUS_SUCCEEDED, last.getResult().getStatus(), last.toString());
        assertTrue(phase(last, "dirty_rate_wait") < 1000, last.getResult().getPhasesList().toString());
        assertEquals(List.of(), hvB.dirtyRateStarts, "lab-b measured the VM");
    }

    /** Migrates lm from lab-a to lab-b, which then runs it (the fake hypervisors move nothing). */
    private void migrateToLabB(MigrationMode mode) {
        StartMigrationResponse started = a.startMigration(request("lm", mode));
        assertEquals(MigrationStatus.MIGRATION_STATUS_SUCCEEDED,
                watch(started.getMigrationId()).getResult().getStatus());
        runsOnLabB(hvA.vms.get("lm").xml().replace("lmbr-a", "lmbr-b"));
    }

    private void runsOnLabB(String xml) {
        hvB.vms.put("lm", new FakeHypervisor.FakeVm(new VmInfo("lm", "uuid-lm", DomainState.RUNNING, 256 * MIB, 1), xml));
    }

    private static long phase(MigrationProgress progress, String name) {
        return progress.getResult().getPhasesList().stream().filter(p -> p.getName().equals(name))
                .mapToLong(io.livemig.proto.agent.v1.Phase::getDurationMs).findFirst()
                .orElseThrow(() -> new AssertionError("no phase " + name + ": " + progress));
    }

    /** The warm-up a daemon runs at start plans its sample, and reserves, defines and starts nothing. */
    @Test
    void theWarmUpPlansTheSampleAndTouchesNothing() throws Exception {
        ClusterConfig cluster = ClusterConfig.parse(CLUSTER_TEMPLATE.replace("TMP", tmp.toString()), "cluster.yaml");
        FakeHypervisor hv = new FakeHypervisor("lab-b", 4096 * MIB);
        try (HostAgent agent = new HostAgent(hv, "qemu:///system", cluster.requireHost("lab-b"),
                new GrpcPeerAgents(address -> InProcessChannelBuilder.forName(address).build()), hv::nowMs)) {
            assertTrue(agent.warmUp(), "the sample definition was planned");
            assertEquals(0, agent.migrationsIncoming());
        }
        assertEquals(List.of(), hv.started);
        assertEquals(List.of(), hv.undefined);
        assertEquals(List.of(), hv.xmlReads);
    }

    /**
     * Where the target said when the VM resumed there, the rest of libvirt's call is the source's
     * clean-up, after the job.
     */
    @Test
    void theSourcesCleanUpEndsTheJobPhase() {
        hvA.sourceCleanupMs = 1L;
        StartMigrationResponse started = a.startMigration(request("lm", MigrationMode.MIGRATION_MODE_PRECOPY));
        MigrationProgress last = watch(started.getMigrationId());
        assertEquals(MigrationStatus.MIGRATION_STATUS_SUCCEEDED, last.getResult().getStatus(), last.toString());

        List<io.livemig.proto.agent.v1.Phase> phases = last.getResult().getPhasesList();
        assertEquals(List.of("vm_check", "dirty_rate_wait", "source_xml", "target_prepare", "job_setup", "job",
                "source_cleanup", "finish"), phases.stream().map(io.livemig.proto.agent.v1.Phase::getName).toList(),
                last.getResult().toString());
        var job = phases.get(5);
        var cleanup = phases.get(6);
        assertEquals(job.getStartMs() + job.getDurationMs(), cleanup.getStartMs(), phases.toString());
        assertEquals(cleanup.getStartMs() + cleanup.getDurationMs(), phases.get(7).getStartMs(), phases.toString());
        assertEquals(Math.min(1, job.getDurationMs() + cleanup.getDurationMs()), cleanup.getDurationMs(),
                "the job's last millisecond, as the job said: " + phases);
    }

    @Test
    void autoEscalatesOnANonConvergingMigration() {
        hvA.script = "nonconverging-precopy.csv";
        StartMigrationResponse started = a.startMigration(request("lm", MigrationMode.MIGRATION_MODE_AUTO));
        MigrationProgress last = watch(started.getMigrationId());
        assertEquals(MigrationStatus.MIGRATION_STATUS_SUCCEEDED, last.getResult().getStatus(), last.toString());
        assertFalse(last.getResult().getEscalationsList().isEmpty(), last.toString());
        assertEquals(MigrationMode.MIGRATION_MODE_POSTCOPY, last.getResult().getModeUsed(), last.toString());
        MigrationFlags flags = hvA.started.get(0).flags();
        assertTrue(flags.has(MigrationFlag.POSTCOPY) && flags.has(MigrationFlag.AUTO_CONVERGE), flags.toString());
    }

    @Test
    void aMigrationLogsOneStartAndOneEndLineWithItsIdInTheMdc() throws Exception {
        hvA.script = "nonconverging-precopy.csv";
        try (LogCapture log = new LogCapture(Level.INFO)) {
            String id = a.startMigration(request("lm", MigrationMode.MIGRATION_MODE_AUTO)).getMigrationId();
            watch(id);
            Predicate<ILoggingEvent> ours = e -> id.equals(e.getMDCPropertyMap().get(MigrationLog.MIGRATION))
                    && "lm".equals(e.getMDCPropertyMap().get(MigrationLog.VM));
            log.await(ours.and(e -> e.getFormattedMessage().startsWith("migration succeeded: ")), Duration.ofSeconds(5));
            List<String> lines = log.matching(ours).stream().map(ILoggingEvent::getFormattedMessage).toList();
            assertEquals(1, lines.stream().filter(l -> l.startsWith("migration started: to lab-b ")).count(), lines.toString());
            assertEquals(1, lines.stream().filter(l -> l.startsWith("migration succeeded: mode postcopy, total ")).count(),
                    lines.toString());
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("escalation: ")), lines.toString());
            // Every line about the migration carries its id; info is the quiet default: no debug.
            assertTrue(log.matching(e -> e.getFormattedMessage().startsWith("migration ")
                    || e.getFormattedMessage().startsWith("escalation: ")).stream().allMatch(ours), lines.toString());
            assertTrue(log.events().stream().noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.DEBUG)
                    && !e.getLevel().isGreaterOrEqual(Level.INFO)));
        }
    }

    @Test
    void aPostcopyFailureWithTheTargetsQemuDeadReportsTheVmLostAndRemovesItsDefinitionThere() {
        hvA.script = "postcopy-failing.csv";
        // What libvirt leaves after the target's QEMU died in post-copy: the source paused, the
        // target's persistent definition shut off (crashed).
        hvA.statuses.put("lm", new DomainStatus(DomainState.PAUSED, DomainStatus.PAUSED_POSTCOPY_FAILED));
        hvA.otherStatuses.put("lm", new DomainStatus(DomainState.SHUT_OFF, DomainStatus.SHUTOFF_CRASHED));
        hvA.onStart = () -> hvB.vms.put("lm", new FakeHypervisor.FakeVm(new VmInfo("lm", "uuid-lm",
                DomainState.SHUT_OFF, 256 * MIB, 1), "<domain/>"));
        StartMigrationResponse started = a.startMigration(request("lm", MigrationMode.MIGRATION_MODE_POSTCOPY));
        MigrationProgress last = watch(started.getMigrationId());
        assertEquals(MigrationStatus.MIGRATION_STATUS_FAILED, last.getResult().getStatus(), last.toString());
        String error = last.getResult().getError();
        assertTrue(error.startsWith("the VM is lost: post-copy had started, so its newest memory was only in its QEMU on lab-b, and that QEMU is gone "
                + "(lab-b has it shut off (crashed))"), error);
        assertTrue(error.contains("What remains is a stale, incomplete copy on lab-a, paused (post-copy failed)"), error);
        assertTrue(error.endsWith("or restore it from your own backup. The definition lab-b kept of the dead VM was "
                + "removed there (undefined): lab-b no longer lists 'lm'. (libvirt: operation failed: job 'migration "
                + "out' failed in post-copy phase)"), error);
        assertFalse(error.contains("--postcopy-resume"), error);
        assertTrue(hvA.resumed.isEmpty(), "a VM whose memory is split must not be resumed on the source");
        assertEquals(List.of("lm"), hvB.undefined);
        assertFalse(hvB.vms.containsKey("lm"));
    }

    @Test
    void aPostcopyFailureWithTheTargetGoneAltogetherReportsTheVmLost() {
        hvA.script = "postcopy-failing.csv";
        hvA.statuses.put("lm", new DomainStatus(DomainState.PAUSED, DomainStatus.PAUSED_POSTCOPY_FAILED));
        StartMigrationResponse started = a.startMigration(request("lm", MigrationMode.MIGRATION_MODE_POSTCOPY));
        String error = watch(started.getMigrationId()).getResult().getError();
        assertTrue(error.startsWith("the VM is lost: ") && error.contains("(lab-b no longer has the domain)"), error);
        assertTrue(error.endsWith(" lab-b keeps no definition of it. (libvirt: operation failed: job 'migration out' "
                + "failed in post-copy phase)"), error);
        assertTrue(hvA.resumed.isEmpty());
        assertTrue(hvB.undefined.isEmpty());
    }

    @Test
    void aPostcopyFailureOverACutLinkOnLibvirt113SaysRecoveryIsUnavailable() {
        hvA.script = "postcopy-failing.csv";
        hvA.statuses.put("lm", new DomainStatus(DomainState.PAUSED, DomainStatus.PAUSED_POSTCOPY_FAILED));
        hvA.otherStatuses.put("lm", new DomainStatus(DomainState.RUNNING, DomainStatus.RUNNING_POSTCOPY_FAILED));
        StartMigrationResponse started = a.startMigration(request("lm", MigrationMode.MIGRATION_MODE_POSTCOPY));
        String error = watch(started.getMigrationId()).getResult().getError();
        assertTrue(error.startsWith("post-copy recovery is unavailable on libvirt 11.3.0 (lab-a 11.3.0, lab-b 11.3.0): "
                + "libvirt 11.2 and 11.3 crash the destination on a post-copy resume"), error);
        assertTrue(error.contains("which still runs (running (post-copy failed)), the rest on lab-a (paused (post-copy "
                + "failed))"), error);
        assertTrue(hvA.resumed.isEmpty(), "a VM whose memory is split must not be resumed on the source");
    }

    @Test
    void aPostcopyFailureOverACutLinkOnLibvirt114IsRecoverable() {
        hvA.script = "postcopy-failing.csv";
        hvA.libvirtVersion = 11_004_000;
        hvA.otherLibvirtVersion = 11_005_000;
        hvA.statuses.put("lm", new DomainStatus(DomainState.PAUSED, DomainStatus.PAUSED_POSTCOPY_FAILED));
        // A target cut off from the source may not call it failed yet.
        hvA.onOtherHosts.put("lm", hvA.findVm("qemu:///system", "lm").orElseThrow());
        StartMigrationResponse started = a.startMigration(request("lm", MigrationMode.MIGRATION_MODE_POSTCOPY));
        String error = watch(started.getMigrationId()).getResult().getError();
        assertTrue(error.startsWith("the VM is recoverable: ") && error.contains("which still runs (running)"), error);
        assertTrue(error.contains("'virsh migrate --live --postcopy --postcopy-resume lm qemu+tcp://10.0.0.12/system'"),
                error);
    }

    @Test
    void aPostcopyFailureWithTheTargetUnreachableGivesBothPossibilities() {
        hvA.script = "postcopy-failing.csv";
        hvA.statuses.put("lm", new DomainStatus(DomainState.PAUSED, DomainStatus.PAUSED_POSTCOPY_FAILED));
        hvA.othersUnreachable = "no route to host";
        StartMigrationResponse started = a.startMigration(request("lm", MigrationMode.MIGRATION_MODE_POSTCOPY));
        String error = watch(started.getMigrationId()).getResult().getError();
        assertTrue(error.startsWith("the VM may be lost or only split: post-copy had started, and lab-b could not be "
                + "asked how it holds the VM (cannot connect to qemu+tcp://10.0.0.12/system: no route to host)"), error);
        assertTrue(error.contains("the VM is lost with its newest memory") && error.contains("post-copy recovery is "
                + "unavailable on libvirt 11.3.0 (lab-a 11.3.0, lab-b unknown)"), error);
    }

    @Test
    void aSucceededMigrationsRunningVmIsNeverUndefinedOnTheTarget() {
        hvA.onStart = () -> hvB.vms.put("lm", new FakeHypervisor.FakeVm(new VmInfo("lm", "uuid-lm",
                DomainState.RUNNING, 256 * MIB, 1), "<domain/>"));
        StartMigrationResponse started = a.startMigration(request("lm", MigrationMode.MIGRATION_MODE_PRECOPY));
        assertEquals(MigrationStatus.MIGRATION_STATUS_SUCCEEDED, watch(started.getMigrationId()).getResult().getStatus());
        assertTrue(hvB.undefined.isEmpty());
        assertTrue(hvB.vms.containsKey("lm"));
    }

    @Test
    void aShutOffVmOfAnotherUuidIsNotTheMigrationsAndStays() {
        hvA.script = "postcopy-failing.csv";
        hvA.statuses.put("lm", new DomainStatus(DomainState.PAUSED, DomainStatus.PAUSED_POSTCOPY_FAILED));
        hvA.otherStatuses.put("lm", new DomainStatus(DomainState.SHUT_OFF, DomainStatus.SHUTOFF_CRASHED));
        hvA.onStart = () -> hvB.vms.put("lm", new FakeHypervisor.FakeVm(new VmInfo("lm", "someone-else",
                DomainState.SHUT_OFF, 256 * MIB, 1), "<domain/>"));
        StartMigrationResponse started = a.startMigration(request("lm", MigrationMode.MIGRATION_MODE_POSTCOPY));
        String error = watch(started.getMigrationId()).getResult().getError();
        assertTrue(error.contains("the VM is lost"), error);
        assertTrue(hvB.undefined.isEmpty());
    }

    @Test
    void aFailureBeforePostcopyTookEffectLeavesTheVmRunningOnTheSource() {
        hvA.script = "failing.csv";
        StartMigrationResponse started = a.startMigration(request("lm", MigrationMode.MIGRATION_MODE_POSTCOPY));
        MigrationProgress last = watch(started.getMigrationId());
        assertEquals(MigrationStatus.MIGRATION_STATUS_FAILED, last.getResult().getStatus(), last.toString());
        assertFalse(last.getResult().getError().contains("post-copy had started"), last.getResult().getError());
        assertEquals(List.of("lm"), hvA.resumed, "the usual clean-up: the source checks its VM runs");
    }

    @Test
    void aHostSetUpForLibvirtTlsMigratesOverIt() throws Exception {
        a.startMigration(request("lm", MigrationMode.MIGRATION_MODE_PRECOPY));
        assertFalse(hvA.started.get(0).flags().has(MigrationFlag.TLS), "plain unless the cluster file says so");
        stop();
        closeables.clear();
        startAgents(CLUSTER_TEMPLATE.replace("    cpus: \"0-1\"\n  - name: lab-b", "    cpus: \"0-1\"\n    migration_tls: true\n  - name: lab-b"));
        a.startMigration(request("lm", MigrationMode.MIGRATION_MODE_PRECOPY));
        assertTrue(hvA.started.get(0).flags().has(MigrationFlag.TLS), hvA.started.get(0).flags().toString());
    }

    @Test
    void stopcopyIsNotLive() {
        a.startMigration(request("lm", MigrationMode.MIGRATION_MODE_STOPCOPY));
        assertFalse(hvA.started.get(0).flags().has(MigrationFlag.LIVE));
    }

    @Test
    void statusCodes() {
        assertCode(Status.Code.NOT_FOUND, () -> a.startMigration(request("nope", MigrationMode.MIGRATION_MODE_AUTO)));
        assertCode(Status.Code.INVALID_ARGUMENT, () -> a.startMigration(request("bad name!", MigrationMode.MIGRATION_MODE_AUTO)));
        assertCode(Status.Code.INVALID_ARGUMENT, () -> a.startMigration(StartMigrationRequest.newBuilder()
                .setVmName("lm").setTargetAgent("lab-b:7070")
                .setOptions(MigrationOptions.newBuilder().setMaxDowntimeMs(999_999)).build()));
        assertCode(Status.Code.INVALID_ARGUMENT, () -> a.startMigration(StartMigrationRequest.newBuilder()
                .setVmName("lm").setTargetAgent("lab-a:7070").build()));
        assertCode(Status.Code.NOT_FOUND, () -> a.getMigration(MigrationRef.newBuilder().setMigrationId("x").build()));
    }

    @Test
    void oneMigrationPerVm() {
        hvA.hold = new java.util.concurrent.CountDownLatch(1); // the first migration is still running
        try {
            a.startMigration(request("lm", MigrationMode.MIGRATION_MODE_PRECOPY));
            assertStatus(Status.Code.ALREADY_EXISTS, "VM 'lm' is already migrating",
                    () -> a.startMigration(request("lm", MigrationMode.MIGRATION_MODE_PRECOPY)));
        } finally {
            hvA.hold.countDown();
        }
    }

    @Test
    void targetRefusesAVmWithAHostDeviceBeforeAnythingMoves() throws Exception {
        String gpu = Files.readString(Path.of(getClass().getResource("/domains/gpu1.xml").toURI()));
        hvA.withVm("gpu1", 256 * MIB, gpu);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> a.startMigration(request("gpu1", MigrationMode.MIGRATION_MODE_AUTO)));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("host device"), e.getStatus().getDescription());
        assertTrue(hvA.started.isEmpty());
    }

    @Test
    void targetRefusesAVmWhoseCpuItsHypervisorCannotGive() {
        hvB.missingCpuFeatures.add("avx512f");
        String xml = hvA.vms.get("lm").xml().replace("<name>lm</name>", "<name>avx</name>")
                .replace("<model fallback='forbid'>qemu64</model>",
                        "<model fallback='forbid'>qemu64</model><feature policy='require' name='avx512f'/>");
        hvA.withVm("avx", 256 * MIB, xml);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> a.startMigration(request("avx", MigrationMode.MIGRATION_MODE_AUTO)));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("its CPU (qemu64, qemu) is not available here: "
                + "Host CPU does not provide required features: avx512f"), e.getStatus().getDescription());
        assertTrue(hvA.started.isEmpty());
    }

    @Test
    void theAgreedPlanSaysTheCpuWasChecked() {
        var started = a.startMigration(request("lm", MigrationMode.MIGRATION_MODE_AUTO));
        assertTrue(started.getPlanList().stream().anyMatch(rule -> rule.getKind().equals("cpu")
                && rule.getDevice().equals("qemu64") && rule.getReason().contains("provides it")), started.toString());
    }

    @Test
    void targetWithoutEnoughMemoryRefuses() {
        // lab-b has 4 GiB free
        hvA.withVm("big", 8192 * MIB, hvA.vms.get("lm").xml().replace("<name>lm</name>", "<name>big</name>"));
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> a.startMigration(request("big", MigrationMode.MIGRATION_MODE_AUTO)));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode(), e.toString());
        assertTrue(e.getStatus().getDescription().contains("not enough memory"), e.getStatus().getDescription());
    }

    static Stream<Arguments> badStarts() {
        MigrationOptions.Builder auto = MigrationOptions.newBuilder();
        return Stream.of(
                Arguments.of("empty VM name", start("", "lab-b:7070", auto), Status.Code.INVALID_ARGUMENT,
                        "VM name is required"),
                Arguments.of("VM name with '/'", start("a/lm", "lab-b:7070", auto), Status.Code.INVALID_ARGUMENT,
                        "VM name 'a/lm' contains '/'"),
                Arguments.of("VM name with a control character", start("lm\u0007", "lab-b:7070", auto),
                        Status.Code.INVALID_ARGUMENT, "VM name 'lm\\u0007' contains a control character"),
                Arguments.of("VM name too long", start("l".repeat(65), "lab-b:7070", auto), Status.Code.INVALID_ARGUMENT,
                        "VM name 'llllllllllllllllllll...' is 65 characters long, at most 64 are allowed"),
                Arguments.of("unknown VM", start("nope", "lab-b:7070", auto), Status.Code.NOT_FOUND,
                        "no VM 'nope' on lab-a"),
                Arguments.of("no target", start("lm", "", auto), Status.Code.INVALID_ARGUMENT,
                        "target_agent is required (host:port)"),
                Arguments.of("target without port", start("lm", "lab-b", auto), Status.Code.INVALID_ARGUMENT,
                        "target_agent must be host:port, got 'lab-b'"),
                Arguments.of("target is the source", start("lm", "lab-a:7070", auto), Status.Code.INVALID_ARGUMENT,
                        "the target is this host (lab-a)"),
                Arguments.of("unknown mode", start("lm", "lab-b:7070", MigrationOptions.newBuilder().setModeValue(9)),
                        Status.Code.INVALID_ARGUMENT, "unknown migration mode 9 (known: auto, precopy, stopcopy, postcopy)"),
                Arguments.of("unknown compression", start("lm", "lab-b:7070", MigrationOptions.newBuilder().setCompressionValue(5)),
                        Status.Code.INVALID_ARGUMENT, "unknown compression 5 (known: none, xbzrle, zstd)"),
                Arguments.of("downtime out of range", start("lm", "lab-b:7070", MigrationOptions.newBuilder().setMaxDowntimeMs(999_999)),
                        Status.Code.INVALID_ARGUMENT, "max_downtime_ms must be 0 (default) or 1..60000, got 999999"),
                Arguments.of("bandwidth as a negative uint64", start("lm", "lab-b:7070", MigrationOptions.newBuilder().setBandwidthMibps(-1)),
                        Status.Code.INVALID_ARGUMENT, "bandwidth_mibps must be 0 (default) or 1..100000, got 18446744073709551615"),
                Arguments.of("timeout out of range", start("lm", "lab-b:7070", MigrationOptions.newBuilder().setTimeoutS(100_000)),
                        Status.Code.INVALID_ARGUMENT, "timeout_s must be 0 (default) or 1..86400, got 100000"),
                Arguments.of("parallel connections out of range", start("lm", "lab-b:7070", MigrationOptions.newBuilder().setParallelConnections(64)),
                        Status.Code.INVALID_ARGUMENT, "parallel_connections must be 0 (default) or 2..32, got 64"));
    }

    /** A refused start leaves nothing: libvirt was not asked, the target holds no reservation, no slot is taken. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("badStarts")
    void aBadStartIsRefusedBeforeAnythingHappens(String name, StartMigrationRequest request, Status.Code code,
            String description) {
        assertStatus(code, description, () -> a.startMigration(request));
        assertTrue(hvA.started.isEmpty(), "libvirt was asked to migrate");
        assertEquals(0, b.getHostInfo(GetHostInfoRequest.getDefaultInstance()).getMemoryReservedBytes());
        assertEquals(0, b.getHostInfo(GetHostInfoRequest.getDefaultInstance()).getMigrationsIncoming());
        assertEquals(0, a.getHostInfo(GetHostInfoRequest.getDefaultInstance()).getMigrationsOutgoing());
        // and the VM can still be migrated
        a.startMigration(request("lm", MigrationMode.MIGRATION_MODE_PRECOPY));
        assertEquals(1, hvA.started.size());
    }

    static Stream<Arguments> badPrepares() {
        String ok = "<domain type='kvm'><name>in1</name><uuid>8f1c9a52-8f0e-4c55-a7a4-0b8f3e4b8a10</uuid></domain>";
        return Stream.of(
                Arguments.of("bad VM name", prepare("in 1", ok, 256 * MIB, "lab-a"), Status.Code.INVALID_ARGUMENT,
                        "invalid VM name 'in 1' (1-64 letters, digits, '_', '.', '+', '-', starting with a letter or digit)"),
                Arguments.of("no memory", prepare("in1", ok, 0, "lab-a"), Status.Code.INVALID_ARGUMENT,
                        "memory_bytes must be 1048576..17592186044416, got 0"),
                Arguments.of("absurd memory", prepare("in1", ok, -1, "lab-a"), Status.Code.INVALID_ARGUMENT,
                        "memory_bytes must be 1048576..17592186044416, got 18446744073709551615"),
                Arguments.of("bad source host", prepare("in1", ok, 256 * MIB, ""), Status.Code.INVALID_ARGUMENT,
                        "source_host: host name is required"),
                Arguments.of("no domain XML", prepare("in1", "", 256 * MIB, "lab-a"), Status.Code.INVALID_ARGUMENT,
                        "domain_xml is required"),
                Arguments.of("domain XML with an external entity", prepare("in1",
                        "<!DOCTYPE domain [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><domain type='kvm'><name>&x;</name></domain>",
                        256 * MIB, "lab-a"), Status.Code.INVALID_ARGUMENT, "domain XML of 'in1': domain XML must not "
                        + "contain a DOCTYPE declaration (refused so that no DTD or external entity is read)"),
                Arguments.of("domain XML not well-formed", prepare("in1", "<domain type='kvm'><name>in1</name>",
                        256 * MIB, "lab-a"), Status.Code.INVALID_ARGUMENT, null));
    }

    /** A refused incoming VM leaves no reservation and no file on the target. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("badPrepares")
    void aBadIncomingRequestLeavesNoReservation(String name, PrepareIncomingRequest request, Status.Code code,
            String description) throws IOException {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> b.prepareIncoming(request));
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
        if (description != null) {
            assertEquals(description, e.getStatus().getDescription());
        } else {
            assertTrue(e.getStatus().getDescription().startsWith("domain XML of 'in1': domain XML is not well-formed at line 1"),
                    e.getStatus().getDescription());
        }
        HostInfo info = b.getHostInfo(GetHostInfoRequest.getDefaultInstance());
        assertEquals(0, info.getMemoryReservedBytes());
        assertEquals(0, info.getMigrationsIncoming());
        if (Files.exists(tmp.resolve("b"))) {
            try (Stream<Path> files = Files.walk(tmp.resolve("b")).filter(Files::isRegularFile)) {
                assertEquals(List.of(), files.toList());
            }
        }
    }

    static Stream<Arguments> badSteering() {
        return Stream.of(
                Arguments.of("abort: unknown id", (Steer) (s, id) -> s.abortMigration(ref("0b8f3e4b")),
                        Status.Code.NOT_FOUND, "no migration '0b8f3e4b' on lab-a"),
                Arguments.of("abort: empty id", (Steer) (s, id) -> s.abortMigration(ref("")),
                        Status.Code.INVALID_ARGUMENT, "migration_id is required"),
                Arguments.of("watch: malformed id", (Steer) (s, id) -> s.watchMigration(ref("x\ny")).next(),
                        Status.Code.INVALID_ARGUMENT, "migration_id 'x\\u000ay' contains a control character"),
                Arguments.of("downtime 0", (Steer) (s, id) -> s.setMaxDowntime(SetMaxDowntimeRequest.newBuilder()
                        .setMigrationId(id).setMaxDowntimeMs(0).build()),
                        Status.Code.INVALID_ARGUMENT, "max_downtime_ms must be 1..60000, got 0"),
                Arguments.of("downtime too long", (Steer) (s, id) -> s.setMaxDowntime(SetMaxDowntimeRequest.newBuilder()
                        .setMigrationId(id).setMaxDowntimeMs(60_001).build()),
                        Status.Code.INVALID_ARGUMENT, "max_downtime_ms must be 1..60000, got 60001"),
                Arguments.of("bandwidth as a negative uint64", (Steer) (s, id) -> s.setBandwidth(SetBandwidthRequest
                        .newBuilder().setMigrationId(id).setBandwidthMibps(-2).build()),
                        Status.Code.INVALID_ARGUMENT, "bandwidth_mibps must be 0..100000, got 18446744073709551614"),
                Arguments.of("bandwidth of an unknown migration", (Steer) (s, id) -> s.setBandwidth(SetBandwidthRequest
                        .newBuilder().setMigrationId("nope").setBandwidthMibps(10).build()),
                        Status.Code.NOT_FOUND, "no migration 'nope' on lab-a"),
                Arguments.of("cancel: unknown reservation", (Steer) (s, id) -> s.cancelIncoming(CancelIncomingRequest
                        .newBuilder().setReservationId("r1").build()),
                        Status.Code.NOT_FOUND, "no reservation r1 (released or expired)"),
                Arguments.of("cancel: empty reservation", (Steer) (s, id) -> s.cancelIncoming(CancelIncomingRequest
                        .getDefaultInstance()), Status.Code.INVALID_ARGUMENT, "reservation_id is required"));
    }

    @FunctionalInterface
    interface Steer {
        Object on(AgentServiceGrpc.AgentServiceBlockingStub stub, String runningId);
    }

    /**
     * Steering a migration with a bad value is refused for the value, whether or not the migration
     * still runs (the values are checked before the migration is looked up).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("badSteering")
    void badSteeringIsRefused(String name, Steer steer, Status.Code code, String description) {
        hvA.script = "nonconverging-precopy.csv";
        String id = a.startMigration(request("lm", MigrationMode.MIGRATION_MODE_PRECOPY)).getMigrationId();
        assertStatus(code, description, () -> steer.on(a, id));
    }

    private static MigrationRef ref(String id) {
        return MigrationRef.newBuilder().setMigrationId(id).build();
    }

    private static StartMigrationRequest start(String vm, String target, MigrationOptions.Builder options) {
        return StartMigrationRequest.newBuilder().setVmName(vm).setTargetAgent(target).setOptions(options).build();
    }

    private static PrepareIncomingRequest prepare(String vm, String xml, long memoryBytes, String source) {
        return PrepareIncomingRequest.newBuilder().setVmName(vm).setDomainXml(xml).setMemoryBytes(memoryBytes)
                .setSourceHost(source).build();
    }

    private static void assertStatus(Status.Code code, String description, Supplier<Object> call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::get);
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
        assertEquals(description, e.getStatus().getDescription());
    }

    private static StartMigrationRequest request(String vm, MigrationMode mode) {
        return StartMigrationRequest.newBuilder().setVmName(vm).setTargetAgent("lab-b:7070")
                .setOptions(MigrationOptions.newBuilder().setMode(mode)).build();
    }

    private MigrationProgress watch(String id) {
        return watch(a, id);
    }

    /** The last progress message of migration {@code id} on the agent behind {@code stub}. */
    private static MigrationProgress watch(AgentServiceGrpc.AgentServiceBlockingStub stub, String id) {
        Iterator<MigrationProgress> it = stub.watchMigration(MigrationRef.newBuilder().setMigrationId(id).build());
        MigrationProgress last = null;
        while (it.hasNext()) {
            last = it.next();
        }
        return last;
    }

    private static void assertCode(Status.Code code, Runnable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
    }

}
