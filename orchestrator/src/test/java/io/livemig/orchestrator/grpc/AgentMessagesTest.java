package io.livemig.orchestrator.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.orchestrator.model.AgentProgress;
import io.livemig.orchestrator.model.GuestState;
import io.livemig.orchestrator.model.GuestVm;
import io.livemig.orchestrator.model.PageCompression;
import io.livemig.orchestrator.model.TransferOptions;
import io.livemig.orchestrator.model.VmBinding;
import io.livemig.orchestrator.workflow.RecordState;
import io.livemig.orchestrator.workflow.TransferMode;
import io.livemig.proto.agent.v1.Binding;
import io.livemig.proto.agent.v1.Compression;
import io.livemig.proto.agent.v1.Escalation;
import io.livemig.proto.agent.v1.JobSnapshot;
import io.livemig.proto.agent.v1.MigrationMode;
import io.livemig.proto.agent.v1.MigrationOptions;
import io.livemig.proto.agent.v1.MigrationPhase;
import io.livemig.proto.agent.v1.MigrationProgress;
import io.livemig.proto.agent.v1.MigrationResult;
import io.livemig.proto.agent.v1.MigrationStatus;
import io.livemig.proto.agent.v1.Vm;
import io.livemig.proto.agent.v1.VmState;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The agent messages become the orchestrator's records and back without losing what clients read. */
class AgentMessagesTest {

    static final JobSnapshot SNAPSHOT = JobSnapshot.newBuilder().setElapsedMs(1200)
            .setPhase(MigrationPhase.MIGRATION_PHASE_PRECOPY).setIteration(2).setBytesProcessed(300L << 20)
            .setBytesRemaining(20L << 20).setBytesTotal(2L << 30).setDirtyRateBytesPerS(10L << 20)
            .setBandwidthBytesPerS(110L << 20).setThrottlePercent(20).setExpectedDowntimeMs(35).setProgress(0.42)
            .setEtaMs(7000).build();

    @Test
    void progressWithItsResultAndReadingsSurvivesTheRoundTrip() {
        MigrationProgress sent = MigrationProgress.newBuilder().setMigrationId("agent-1").setVmName("web1")
                .setSourceHost("a").setTargetHost("b").setStatus(MigrationStatus.MIGRATION_STATUS_SUCCEEDED)
                .setSnapshot(SNAPSHOT).addSamples(SNAPSHOT)
                .setResult(MigrationResult.newBuilder().setStatus(MigrationStatus.MIGRATION_STATUS_SUCCEEDED)
                        .setModeRequested(MigrationMode.MIGRATION_MODE_AUTO)
                        .setModeUsed(MigrationMode.MIGRATION_MODE_POSTCOPY)
                        .addEscalations(Escalation.newBuilder().setAtMs(4000).setIteration(5).setKind("postcopy")
                                .setValue("on").setReason("not converging"))
                        .setTotalMs(1500).setDowntimeMs(40).setSetupMs(5).setBytesTransferred(3L << 30)
                        .setMemoryBytes(2L << 30).setIterations(5).setPostcopyRequests(12).setError(""))
                .build();
        AgentProgress p = AgentMessages.progress(sent);
        assertEquals(RecordState.SUCCEEDED, p.state());
        assertEquals(TransferMode.POSTCOPY, p.result().modeUsed());
        assertEquals(false, p.running());
        assertEquals(sent, AgentMessages.progress(p));
    }

    @Test
    void aRunningProgressHasNoResult() {
        MigrationProgress sent = MigrationProgress.newBuilder().setMigrationId("agent-1").setVmName("web1")
                .setStatus(MigrationStatus.MIGRATION_STATUS_RUNNING).setSnapshot(SNAPSHOT).build();
        AgentProgress p = AgentMessages.progress(sent);
        assertTrue(p.running());
        assertNull(p.result());
        assertEquals(sent, AgentMessages.progress(p));
    }

    @Test
    void theAgentsProgressAndEtaAreRelayedAndAnUnknownEtaStaysAbsent() {
        AgentProgress p = AgentMessages.progress(MigrationProgress.newBuilder().setMigrationId("agent-1")
                .setStatus(MigrationStatus.MIGRATION_STATUS_RUNNING).setSnapshot(SNAPSHOT).build());
        assertEquals(0.42, p.reading().progress());
        assertEquals(7000, p.reading().etaMs());
        JobSnapshot relayed = AgentMessages.progress(p).getSnapshot();
        assertEquals(0.42, relayed.getProgress());
        assertEquals(7000, relayed.getEtaMs());

        JobSnapshot noEta = SNAPSHOT.toBuilder().clearEtaMs().setProgress(0.5).build();
        MigrationProgress sent = MigrationProgress.newBuilder().setMigrationId("agent-1")
                .setStatus(MigrationStatus.MIGRATION_STATUS_RUNNING).setSnapshot(noEta).build();
        AgentProgress held = AgentMessages.progress(sent);
        assertEquals(-1, held.reading().etaMs());
        assertFalse(AgentMessages.progress(held).getSnapshot().hasEtaMs());
        assertEquals(sent, AgentMessages.progress(held));

        AgentProgress wrong = AgentMessages.progress(sent.toBuilder()
                .setSnapshot(noEta.toBuilder().setProgress(1.5)).build());
        assertEquals(1.0, wrong.reading().progress(), "an agent's progress is kept within 0..1");
    }

    @Test
    void anUnsetModeInAResultStaysUnset() {
        MigrationProgress sent = MigrationProgress.newBuilder().setMigrationId("agent-1")
                .setStatus(MigrationStatus.MIGRATION_STATUS_FAILED)
                .setResult(MigrationResult.newBuilder().setStatus(MigrationStatus.MIGRATION_STATUS_FAILED)
                        .setError("boom"))
                .build();
        AgentProgress p = AgentMessages.progress(sent);
        assertNull(p.result().modeUsed());
        assertEquals(sent, AgentMessages.progress(p));
    }

    @Test
    void optionsBecomeTypedAndGoToTheAgentAsSent() {
        MigrationOptions sent = MigrationOptions.newBuilder().setMode(MigrationMode.MIGRATION_MODE_PRECOPY)
                .setMaxDowntimeMs(300).setBandwidthMibps(50).setTimeoutS(600).setAutoConverge(true)
                .setCompression(Compression.COMPRESSION_ZSTD).setParallelConnections(4).setDisallowPostcopy(true)
                .setDisallowSuspend(true).build();
        assertEquals(java.util.Optional.empty(), AgentMessages.checkOptions(sent));
        TransferOptions o = AgentMessages.transferOptions(sent);
        assertEquals(new TransferOptions(TransferMode.PRECOPY, 300, 50, 600, true, PageCompression.ZSTD, 4, true, true),
                o);
        assertEquals(sent, AgentMessages.options(o));
    }

    /** Auto's objective reaches the agent as sent; with another mode it is refused in the agent's words. */
    @Test
    void theObjectiveGoesToTheAgentForAutoOnly() {
        MigrationOptions fastest = MigrationOptions.newBuilder().setMode(MigrationMode.MIGRATION_MODE_AUTO)
                .setObjective(io.livemig.proto.agent.v1.AutoObjective.AUTO_OBJECTIVE_FASTEST).build();
        assertEquals(java.util.Optional.empty(), AgentMessages.checkOptions(fastest));
        assertEquals(io.livemig.common.predict.Objective.FASTEST, AgentMessages.transferOptions(fastest).objective());
        assertEquals(fastest, AgentMessages.options(AgentMessages.transferOptions(fastest)));
        MigrationOptions precopy = fastest.toBuilder().setMode(MigrationMode.MIGRATION_MODE_PRECOPY).build();
        assertEquals(java.util.Optional.of("an objective applies to mode auto only, not precopy"),
                AgentMessages.checkOptions(precopy));
    }

    @Test
    void unsetOptionsAreAutoWithTheAgentsDefaults() {
        TransferOptions o = AgentMessages.transferOptions(MigrationOptions.getDefaultInstance());
        assertEquals(TransferOptions.of(TransferMode.AUTO), o);
        assertEquals(Compression.COMPRESSION_UNSPECIFIED, AgentMessages.options(o).getCompression());
    }

    @Test
    void aVmKeepsItsBindingsAndState() {
        Vm vm = Vm.newBuilder().setName("web1").setUuid("u-1").setState(VmState.VM_STATE_PAUSED)
                .setStateReason("post-copy failed")
                .setMemoryBytes(2L << 30).setVcpus(2).setCpuUtilisation(0.5).setDirtyRateBytesPerS(1000)
                .addBindings(Binding.newBuilder().setKind("nic").setDevice("52:54:00:00:00:01").setResource("br-a"))
                .build();
        GuestVm g = AgentMessages.guestVm(vm);
        assertEquals(new GuestVm("web1", "u-1", GuestState.PAUSED, 2L << 30, 2,
                List.of(new VmBinding("nic", "52:54:00:00:00:01", "br-a")), 0.5, 1000, "post-copy failed"), g);
        assertEquals(VmState.VM_STATE_PAUSED, AgentMessages.vmState(g.state()));
    }
}
