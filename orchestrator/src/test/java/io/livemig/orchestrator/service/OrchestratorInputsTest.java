package io.livemig.orchestrator.service;

import static io.livemig.orchestrator.service.FakeAgents.GIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.livemig.common.config.ClusterConfig;
import io.livemig.common.grpc.GrpcServing;
import io.livemig.common.log.MigrationLog;
import io.livemig.orchestrator.grpc.OrchestratorServer;
import io.livemig.orchestrator.history.HistoryStore;
import io.livemig.orchestrator.placement.PlacementPolicy;
import io.livemig.orchestrator.placement.RebalanceSettings;
import io.livemig.orchestrator.workflow.AdmissionQueue;
import io.livemig.proto.agent.v1.MigrationOptions;
import io.livemig.proto.orchestrator.v1.DrainRequest;
import io.livemig.proto.orchestrator.v1.HistoryRequest;
import io.livemig.proto.orchestrator.v1.HostState;
import io.livemig.proto.orchestrator.v1.MigrateRequest;
import io.livemig.proto.orchestrator.v1.MigrationId;
import io.livemig.proto.orchestrator.v1.OrchestratorServiceGrpc;
import io.livemig.proto.orchestrator.v1.PlanObjective;
import io.livemig.proto.orchestrator.v1.PlanRequest;
import io.livemig.proto.orchestrator.v1.PlanResponse;
import io.livemig.proto.orchestrator.v1.RoundsRequest;
import io.livemig.proto.orchestrator.v1.SetHostStateRequest;
import io.livemig.testkit.LogCapture;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad requests to the orchestrator over in-process gRPC: each gets its status and one line, and
 * leaves nothing behind (no history record, no call to an agent, no host state changed).
 */
class OrchestratorInputsTest {

    @TempDir
    Path tmp;
    FakeAgents agents;
    HistoryStore history;
    Orchestrator orchestrator;
    GrpcServing server;
    ManagedChannel channel;
    OrchestratorServiceGrpc.OrchestratorServiceBlockingStub stub;

    @BeforeEach
    void serve() throws Exception {
        agents = new FakeAgents().host("a", 4, 16 * GIB, 0.1).host("b", 4, 16 * GIB, 0.1).host("c", 4, 16 * GIB, 0.0)
                .vm("a", "web1", 2 * GIB, 0.9, "br-a");
        history = HistoryStore.open(tmp.resolve("history.db"));
        orchestrator = new Orchestrator(ClusterConfig.parse(OrchestratorTest.CLUSTER, "test"), new Orchestrator.Settings(
                PlacementPolicy.BALANCE, new AdmissionQueue.Limits(2, 1, 1), Duration.ofHours(1), 3,
                RebalanceSettings.DEFAULT, Duration.ZERO, false), agents, history, Clock.systemUTC());
        orchestrator.start();
        String name = "orchestrator-inputs-" + tmp.getFileName();
        server = OrchestratorServer.start(InProcessServerBuilder.forName(name).directExecutor(), orchestrator);
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        stub = OrchestratorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow();
        server.close();
        orchestrator.close();
        history.close();
    }

    static MigrateRequest migrate(String vm, String target, MigrationOptions.Builder options) {
        return MigrateRequest.newBuilder().setVm(vm).setTarget(target).setOptions(options).build();
    }

    static Stream<Arguments> badRequests() {
        MigrationOptions.Builder auto = MigrationOptions.newBuilder();
        return Stream.of(
                Arguments.of("no VM name", migrate("", "b", auto), Status.Code.INVALID_ARGUMENT, "VM name is required"),
                Arguments.of("VM name with '/'", migrate("../web1", "b", auto), Status.Code.INVALID_ARGUMENT,
                        "VM name '../web1' contains '/'"),
                Arguments.of("VM name with a control character", migrate("web\n1", "b", auto),
                        Status.Code.INVALID_ARGUMENT, "VM name 'web\\u000a1' contains a control character"),
                Arguments.of("VM name too long", migrate("v".repeat(65), "b", auto), Status.Code.INVALID_ARGUMENT,
                        "VM name 'vvvvvvvvvvvvvvvvvvvv...' is 65 characters long, at most 64 are allowed"),
                Arguments.of("unknown VM", migrate("nope", "b", auto), Status.Code.NOT_FOUND,
                        "no running VM 'nope' on any reachable host"),
                Arguments.of("malformed target", migrate("web1", "b c", auto), Status.Code.INVALID_ARGUMENT,
                        "target: invalid host name 'b c' (1-63 letters, digits, '_', '.', '-', starting with a letter or digit)"),
                Arguments.of("unknown target", migrate("web1", "z", auto), Status.Code.NOT_FOUND,
                        "no host 'z' in the cluster (hosts: a, b, c)"),
                Arguments.of("unknown mode", migrate("web1", "b", MigrationOptions.newBuilder().setModeValue(9)),
                        Status.Code.INVALID_ARGUMENT, "unknown migration mode 9 (known: auto, precopy, stopcopy, postcopy)"),
                Arguments.of("unknown compression", migrate("web1", "b", MigrationOptions.newBuilder().setCompressionValue(7)),
                        Status.Code.INVALID_ARGUMENT, "unknown compression 7 (known: none, xbzrle, zstd)"),
                Arguments.of("downtime too long", migrate("web1", "b", MigrationOptions.newBuilder().setMaxDowntimeMs(60_001)),
                        Status.Code.INVALID_ARGUMENT, "max_downtime_ms must be 0 (default) or 1..60000, got 60001"),
                Arguments.of("bandwidth as a negative uint64", migrate("web1", "b", MigrationOptions.newBuilder().setBandwidthMibps(-1)),
                        Status.Code.INVALID_ARGUMENT, "bandwidth_mibps must be 0 (default) or 1..100000, got 18446744073709551615"),
                Arguments.of("timeout too long", migrate("web1", "b", MigrationOptions.newBuilder().setTimeoutS(86_401)),
                        Status.Code.INVALID_ARGUMENT, "timeout_s must be 0 (default) or 1..86400, got 86401"),
                Arguments.of("one parallel connection", migrate("web1", "b", MigrationOptions.newBuilder().setParallelConnections(1)),
                        Status.Code.INVALID_ARGUMENT, "parallel_connections must be 0 (default) or 2..32, got 1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void aBadMigrateRequestIsRefusedAndLeavesNoRecord(String name, MigrateRequest request, Status.Code code,
            String description) {
        assertStatus(code, description, () -> stub.migrate(request));
        assertEquals(0, orchestrator.history(HistoryStore.Query.latest(10)).size(), "a record was written");
        assertEquals(0, agents.started.size(), "an agent was asked to migrate");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void aBadPlanRequestIsRefusedAsTheSameMigrateRequest(String name, MigrateRequest request, Status.Code code,
            String description) {
        assertStatus(code, description, () -> stub.plan(PlanRequest.newBuilder().setVm(request.getVm())
                .setTarget(request.getTarget()).setOptions(request.getOptions()).build()));
        assertEquals(0, orchestrator.history(HistoryStore.Query.latest(10)).size(), "a record was written");
        assertEquals(0, agents.started.size(), "an agent was asked to migrate");
    }

    @Test
    void aPlanWithAnUnknownObjectiveIsRefused() {
        assertStatus(Status.Code.INVALID_ARGUMENT, "unknown objective 7; valid: safe, fastest",
                () -> stub.plan(PlanRequest.newBuilder().setVm("web1").setObjectiveValue(7).build()));
    }

    @Test
    void aPlanAnswersEveryModeAndRecordsNothing() {
        PlanResponse p = stub.plan(PlanRequest.newBuilder().setVm("web1").build());
        assertEquals("a", p.getSource());
        assertEquals("c", p.getTarget());
        assertEquals("c", p.getDecision().getChosen());
        assertEquals(PlanObjective.PLAN_OBJECTIVE_SAFE, p.getObjective());
        assertEquals(List.of("MIGRATION_MODE_PRECOPY", "MIGRATION_MODE_STOPCOPY", "MIGRATION_MODE_POSTCOPY",
                "MIGRATION_MODE_AUTO"), p.getModesList().stream().map(m -> m.getMode().name()).toList());
        assertEquals(List.of("memory", "non_zero_memory", "dirty_rate", "working_set", "link_rate", "allowed_downtime"),
                p.getInputsList().stream().map(i -> i.getName()).toList());
        assertEquals(0, orchestrator.history(HistoryStore.Query.latest(10)).size(), "a record was written");
        assertEquals(0, agents.started.size(), "an agent was asked to migrate");
    }

    @Test
    void refusedOptionsAreLoggedAsEveryRefusedMigration() {
        try (LogCapture log = new LogCapture(Level.INFO)) {
            assertStatus(Status.Code.INVALID_ARGUMENT, "timeout_s must be 0 (default) or 1..86400, got 86401",
                    () -> stub.migrate(migrate("web1", "b", MigrationOptions.newBuilder().setTimeoutS(86_401))));
            assertEquals(List.of("migration refused (user): timeout_s must be 0 (default) or 1..86400, got 86401"),
                    log.matching(e -> "web1".equals(e.getMDCPropertyMap().get(MigrationLog.VM))).stream()
                            .map(ILoggingEvent::getFormattedMessage).toList());
        }
    }

    @Test
    void refusedNamesAreLoggedAsEveryRefusedMigration() {
        try (LogCapture log = new LogCapture(Level.INFO)) {
            assertStatus(Status.Code.INVALID_ARGUMENT, "target: host name 'b/c' contains '/'",
                    () -> stub.migrate(migrate("web1", "b/c", MigrationOptions.newBuilder())));
            assertEquals(List.of("migration refused (user): target: host name 'b/c' contains '/'"),
                    log.matching(e -> "web1".equals(e.getMDCPropertyMap().get(MigrationLog.VM))).stream()
                            .map(ILoggingEvent::getFormattedMessage).toList());
        }
    }

    @Test
    void badOptionsAreReportedBeforeABadName() {
        assertStatus(Status.Code.INVALID_ARGUMENT, "timeout_s must be 0 (default) or 1..86400, got 86401",
                () -> stub.migrate(migrate("", "b c", MigrationOptions.newBuilder().setTimeoutS(86_401))));
    }

    static Stream<Arguments> otherBadRequests() {
        return Stream.of(
                Arguments.of("abort: unknown id", (Call) s -> s.abort(MigrationId.newBuilder().setId("m-999999").build()),
                        Status.Code.NOT_FOUND, "no migration m-999999"),
                Arguments.of("abort: empty id", (Call) s -> s.abort(MigrationId.getDefaultInstance()),
                        Status.Code.INVALID_ARGUMENT, "migration id is required"),
                Arguments.of("watch: unknown id", (Call) s -> s.watch(MigrationId.newBuilder().setId("m-1").build()).next(),
                        Status.Code.NOT_FOUND, "no migration m-1"),
                Arguments.of("watch: malformed id", (Call) s -> s.watch(MigrationId.newBuilder().setId("m 1").build()).next(),
                        Status.Code.INVALID_ARGUMENT, "invalid migration id 'm 1' (1-64 letters, digits, '_', '.', '-', starting with a letter or digit)"),
                Arguments.of("history: limit too large", (Call) s -> s.history(HistoryRequest.newBuilder().setLimit(10_001).build()),
                        Status.Code.INVALID_ARGUMENT, "limit must be 0 (default) or 1..10000, got 10001"),
                Arguments.of("history: limit above int", (Call) s -> s.history(HistoryRequest.newBuilder().setLimit(-1).build()),
                        Status.Code.INVALID_ARGUMENT, "limit must be 0 (default) or 1..10000, got 4294967295"),
                Arguments.of("rounds: limit too large", (Call) s -> s.rounds(RoundsRequest.newBuilder().setLimit(20_000).build()),
                        Status.Code.INVALID_ARGUMENT, "limit must be 0 (default) or 1..10000, got 20000"),
                Arguments.of("drain: unknown host", (Call) s -> s.drain(DrainRequest.newBuilder().setHost("z").build()),
                        Status.Code.NOT_FOUND, "no host 'z' in the cluster (hosts: a, b, c)"),
                Arguments.of("drain: empty host", (Call) s -> s.drain(DrainRequest.getDefaultInstance()),
                        Status.Code.INVALID_ARGUMENT, "host name is required"),
                Arguments.of("abort: malformed id", (Call) s -> s.abort(MigrationId.newBuilder().setId("m/1").build()),
                        Status.Code.INVALID_ARGUMENT, "migration id 'm/1' contains '/'"),
                Arguments.of("drain: malformed host", (Call) s -> s.drain(DrainRequest.newBuilder().setHost("b c").build()),
                        Status.Code.INVALID_ARGUMENT,
                        "invalid host name 'b c' (1-63 letters, digits, '_', '.', '-', starting with a letter or digit)"),
                Arguments.of("host state: empty host", (Call) s -> s.setHostState(SetHostStateRequest.newBuilder()
                        .setState(HostState.HOST_STATE_MAINTENANCE).build()),
                        Status.Code.INVALID_ARGUMENT, "host name is required"),
                Arguments.of("host state: host name with a control character", (Call) s -> s.setHostState(
                        SetHostStateRequest.newBuilder().setHost("b\u0007").setState(HostState.HOST_STATE_UP).build()),
                        Status.Code.INVALID_ARGUMENT, "host name 'b\\u0007' contains a control character"),
                Arguments.of("host state: unknown host", (Call) s -> s.setHostState(SetHostStateRequest.newBuilder()
                        .setHost("z").setState(HostState.HOST_STATE_MAINTENANCE).build()),
                        Status.Code.NOT_FOUND, "no host 'z' in the cluster (hosts: a, b, c)"),
                Arguments.of("host state: down", (Call) s -> s.setHostState(SetHostStateRequest.newBuilder()
                        .setHost("b").setState(HostState.HOST_STATE_DOWN).build()),
                        Status.Code.INVALID_ARGUMENT, "state must be up, draining or maintenance"),
                Arguments.of("host state: unknown state", (Call) s -> s.setHostState(SetHostStateRequest.newBuilder()
                        .setHost("b").setStateValue(42).build()),
                        Status.Code.INVALID_ARGUMENT, "state must be up, draining or maintenance"));
    }

    @FunctionalInterface
    interface Call {
        Object on(OrchestratorServiceGrpc.OrchestratorServiceBlockingStub stub);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("otherBadRequests")
    void otherBadRequestsGetTheirStatusAndChangeNothing(String name, Call call, Status.Code code, String description) {
        assertStatus(code, description, () -> call.on(stub));
        orchestrator.hosts().forEach(h -> assertEquals(io.livemig.orchestrator.placement.HostAvailability.UP, h.state(),
                h.config().name()));
        assertEquals(0, orchestrator.rounds(10).size(), "a round was recorded");
    }

    private static void assertStatus(Status.Code code, String description, Supplier<Object> call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::get);
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
        assertEquals(description, e.getStatus().getDescription());
    }
}
