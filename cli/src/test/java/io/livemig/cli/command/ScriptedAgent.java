package io.livemig.cli.command;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.livemig.proto.agent.v1.AgentServiceGrpc;
import io.livemig.proto.agent.v1.GetHostInfoRequest;
import io.livemig.proto.agent.v1.HostInfo;
import io.livemig.proto.agent.v1.JobSnapshot;
import io.livemig.proto.agent.v1.ListVmsRequest;
import io.livemig.proto.agent.v1.ListVmsResponse;
import io.livemig.proto.agent.v1.MigrationMode;
import io.livemig.proto.agent.v1.MigrationProgress;
import io.livemig.proto.agent.v1.MigrationRef;
import io.livemig.proto.agent.v1.MigrationResult;
import io.livemig.proto.agent.v1.MigrationStatus;
import io.livemig.proto.agent.v1.StartMigrationRequest;
import io.livemig.proto.agent.v1.StartMigrationResponse;
import io.livemig.proto.agent.v1.Vm;
import io.livemig.proto.agent.v1.VmState;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An agent for the CLI's direct mode that knows its VMs ("stuck" is paused by a failed
 * post-copy, the others run) and answers every migration with a fixed result, or refuses to
 * start one with a fixed status.
 */
final class ScriptedAgent extends AgentServiceGrpc.AgentServiceImplBase {
    final String host;
    final List<String> vms;
    final List<StartMigrationRequest> started = new CopyOnWriteArrayList<>();
    volatile MigrationStatus outcome = MigrationStatus.MIGRATION_STATUS_SUCCEEDED;
    /** When set, StartMigration answers this status (e.g. RESOURCE_EXHAUSTED: the host's migration limit). */
    volatile Status refusal;
    /** Sent as running progress before the result. */
    volatile List<JobSnapshot> running = List.of();

    ScriptedAgent(String host, String... vms) {
        this.host = host;
        this.vms = List.of(vms);
    }

    @Override
    public void getHostInfo(GetHostInfoRequest r, StreamObserver<HostInfo> o) {
        o.onNext(HostInfo.newBuilder().setClusterHostName(host).setCpus(2).setMemoryTotalBytes(8L << 30)
                .setMemoryFreeBytes(4L << 30).setRunningVms(vms.size()).build());
        o.onCompleted();
    }

    @Override
    public void listVms(ListVmsRequest r, StreamObserver<ListVmsResponse> o) {
        ListVmsResponse.Builder b = ListVmsResponse.newBuilder();
        vms.forEach(v -> b.addVms(v.equals("stuck")
                ? Vm.newBuilder().setName(v).setState(VmState.VM_STATE_PAUSED).setStateReason("post-copy failed")
                        .setMemoryBytes(256L << 20)
                : Vm.newBuilder().setName(v).setState(VmState.VM_STATE_RUNNING).setMemoryBytes(256L << 20)));
        o.onNext(b.build());
        o.onCompleted();
    }

    @Override
    public void startMigration(StartMigrationRequest r, StreamObserver<StartMigrationResponse> o) {
        if (r.getOptions().getMaxDowntimeMs() > 60_000) {
            o.onError(Status.INVALID_ARGUMENT.withDescription("max_downtime_ms must be 0..60000").asRuntimeException());
            return;
        }
        Status refused = refusal;
        if (refused != null) {
            o.onError(refused.asRuntimeException());
            return;
        }
        started.add(r);
        o.onNext(StartMigrationResponse.newBuilder().setMigrationId("m1").setTargetHost("lab-b").build());
        o.onCompleted();
    }

    @Override
    public void watchMigration(MigrationRef r, StreamObserver<MigrationProgress> o) {
        running.forEach(snapshot -> o.onNext(MigrationProgress.newBuilder().setMigrationId("m1")
                .setStatus(MigrationStatus.MIGRATION_STATUS_RUNNING).setSnapshot(snapshot).build()));
        MigrationStatus status = outcome;
        o.onNext(MigrationProgress.newBuilder().setMigrationId("m1").setStatus(status)
                .setResult(MigrationResult.newBuilder().setStatus(status)
                        .setModeRequested(MigrationMode.MIGRATION_MODE_AUTO).setModeUsed(MigrationMode.MIGRATION_MODE_PRECOPY)
                        .setTotalMs(812).setDowntimeMs(41).setSetupMs(5).setIterations(3).setMemoryBytes(256L << 20)
                        .setBytesTransferred(140L << 20).setError(status == MigrationStatus.MIGRATION_STATUS_SUCCEEDED
                                ? "" : "operation aborted"))
                .build());
        o.onCompleted();
    }
}
