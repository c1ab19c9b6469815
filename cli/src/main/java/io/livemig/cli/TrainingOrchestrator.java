package io.livemig.cli;

import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import io.livemig.common.config.ConfigException;
import io.livemig.common.tls.GrpcTls;
import io.livemig.common.tls.TlsSettings;
import io.livemig.proto.agent.v1.Phase;
import io.livemig.proto.agent.v1.VmState;
import io.livemig.proto.orchestrator.v1.HistoryRequest;
import io.livemig.proto.orchestrator.v1.HistoryResponse;
import io.livemig.proto.orchestrator.v1.Host;
import io.livemig.proto.orchestrator.v1.HostState;
import io.livemig.proto.orchestrator.v1.ListHostsRequest;
import io.livemig.proto.orchestrator.v1.ListHostsResponse;
import io.livemig.proto.orchestrator.v1.ListVmsRequest;
import io.livemig.proto.orchestrator.v1.ListVmsResponse;
import io.livemig.proto.orchestrator.v1.MigrateRequest;
import io.livemig.proto.orchestrator.v1.MigrateResponse;
import io.livemig.proto.orchestrator.v1.Migration;
import io.livemig.proto.orchestrator.v1.MigrationId;
import io.livemig.proto.orchestrator.v1.MigrationState;
import io.livemig.proto.orchestrator.v1.MigrationUpdate;
import io.livemig.proto.orchestrator.v1.OrchestratorServiceGrpc;
import io.livemig.proto.orchestrator.v1.Vm;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in orchestrator on the loopback network for {@link CdsTraining}, behind mutual TLS: it
 * answers listings, history, a migration and its watch with one made-up entry each, so that a
 * training run goes through what a real call goes through (the TLS handshake, HTTP/2, the answer
 * and its table). Nothing else calls it.
 */
final class TrainingOrchestrator implements AutoCloseable {

    private final Server server;

    private TrainingOrchestrator(Server server) {
        this.server = server;
    }

    /** Listens on 127.0.0.1 (a free port) with these files; the client must present a certificate of that CA. */
    static TrainingOrchestrator start(TlsSettings tls) throws ConfigException, IOException {
        OrchestratorServiceGrpc.OrchestratorServiceImplBase service = new OrchestratorServiceGrpc.OrchestratorServiceImplBase() {
            @Override
            public void listHosts(ListHostsRequest request, StreamObserver<ListHostsResponse> answer) {
                reply(answer, ListHostsResponse.newBuilder().addHosts(HOST).setSpread(0.1).build());
            }

            @Override
            public void listVms(ListVmsRequest request, StreamObserver<ListVmsResponse> answer) {
                reply(answer, ListVmsResponse.newBuilder().addVms(VM).build());
            }

            @Override
            public void history(HistoryRequest request, StreamObserver<HistoryResponse> answer) {
                reply(answer, HistoryResponse.newBuilder().addMigrations(MIGRATION).build());
            }

            @Override
            public void migrate(MigrateRequest request, StreamObserver<MigrateResponse> answer) {
                reply(answer, MigrateResponse.newBuilder().setMigration(MIGRATION.toBuilder()
                        .setState(MigrationState.MIGRATION_STATE_PLANNED)).build());
            }

            @Override
            public void watch(MigrationId request, StreamObserver<MigrationUpdate> answer) {
                answer.onNext(MigrationUpdate.newBuilder().setMigration(MIGRATION.toBuilder()
                        .setState(MigrationState.MIGRATION_STATE_RUNNING)).build());
                reply(answer, MigrationUpdate.newBuilder().setMigration(MIGRATION).build());
            }
        };
        Server server = GrpcTls.serverBuilder("127.0.0.1", 0, tls).addService(service).build().start();
        return new TrainingOrchestrator(server);
    }

    String address() {
        return "127.0.0.1:" + server.getPort();
    }

    private static <T> void reply(StreamObserver<T> answer, T value) {
        answer.onNext(value);
        answer.onCompleted();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static final Host HOST = Host.newBuilder().setName("a").setAgent("127.0.0.1:9")
            .setState(HostState.HOST_STATE_UP).setCpus(2).setCpuUtilisation(0.25).setMemoryTotalBytes(8L << 30)
            .setMemoryFreeBytes(6L << 30).setMemoryCommittedBytes(1L << 30).setVmCount(1).setLoad(0.3)
            .setCpuModel("qemu64").setSamples(6).build();

    private static final Vm VM = Vm.newBuilder().setName("vm").setHost("a").setMemoryBytes(256L << 20).setVcpus(1)
            .setCpuUtilisation(0.5).setState(VmState.VM_STATE_RUNNING).addRequires("network lmnet")
            .setDirtyRateBytesPerS(32L << 20).build();

    private static final Migration MIGRATION = Migration.newBuilder().setId("m-000001").setVm("vm").setSource("a")
            .setTarget("b").setModeRequested("precopy").setState(MigrationState.MIGRATION_STATE_SUCCEEDED)
            .setOrigin("user").setReason("b was requested").setAgentMigrationId("agent-1")
            .setRequestedAtMs(1_700_000_000_000L).setStartedAtMs(1_700_000_000_100L).setEndedAtMs(1_700_000_002_100L)
            .setModeUsed("precopy").setTotalMs(2000).setDowntimeMs(40).setSetupMs(20).setMemoryBytes(256L << 20)
            .setBytesTransferred(300L << 20).setIterations(3)
            .addPhases(Phase.newBuilder().setName("request").setWhere("orchestrator").setDurationMs(1))
            .addPhases(Phase.newBuilder().setName("job").setWhere("agent").setStartMs(1).setDurationMs(1999))
            .build();
}
