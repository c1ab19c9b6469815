package io.livemig.agent.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.livemig.agent.service.HostAgent;
import io.livemig.common.config.ClusterConfig;
import io.livemig.common.grpc.GrpcServing;
import io.livemig.common.tls.GrpcTls;
import io.livemig.common.tls.TlsSettings;
import io.livemig.common.value.HostPort;
import io.livemig.proto.agent.v1.AgentServiceGrpc;
import io.livemig.proto.agent.v1.CancelIncomingRequest;
import io.livemig.proto.agent.v1.GetHostInfoRequest;
import io.livemig.proto.agent.v1.MigrationRef;
import io.livemig.proto.agent.v1.PrepareIncomingRequest;
import io.livemig.proto.agent.v1.StartMigrationRequest;
import io.livemig.testkit.TestPki;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The agent over real TCP with mutual TLS: who gets a connection, and who may call what. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AgentTlsTest {

    private static final long MIB = 1 << 20;

    @TempDir
    Path tmp;

    private TestPki pki;
    private FakeHypervisor hv;
    private GrpcServing server;
    private HostAgent agent;
    private String address;
    private final List<ManagedChannel> channels = new ArrayList<>();

    @BeforeEach
    void serve() throws Exception {
        pki = TestPki.make(tmp.resolve("pki"));
        ClusterConfig cluster = ClusterConfig.parse("""
                hosts:
                  - {name: lab-a, agent: "127.0.0.1:1", libvirt_uri: "qemu+tcp://127.0.0.1/system"}
                  - {name: lab-b, agent: "127.0.0.1:2", libvirt_uri: "qemu+tcp://127.0.0.2/system"}
                """, "cluster.yaml");
        hv = new FakeHypervisor("lab-a", 4096 * MIB);
        GrpcPeerAgents peers = new GrpcPeerAgents(pki.tls("lab-a"));
        agent = new HostAgent(hv, "qemu:///system", cluster.requireHost("lab-a"), peers, hv::nowMs);
        server = AgentServer.listen(new HostPort("127.0.0.1", 0), agent, pki.tls("lab-a"),
                AgentServer.policy("lab-a", List.of("orchestrator", "operator"), List.of("lab-a", "lab-b")));
        address = "127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() throws Exception {
        channels.forEach(ManagedChannel::shutdownNow);
        server.close();
        agent.close();
    }

    private AgentServiceGrpc.AgentServiceBlockingStub as(ChannelCredentials credentials) {
        ManagedChannel channel = Grpc.newChannelBuilder(address, credentials).build();
        channels.add(channel);
        return AgentServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private AgentServiceGrpc.AgentServiceBlockingStub as(TlsSettings tls) throws Exception {
        return as(GrpcTls.channelCredentials(tls));
    }

    private static Status.Code code(Runnable call) {
        return assertThrows(StatusRuntimeException.class, call::run).getStatus().getCode();
    }

    @Test
    void aClientWithoutCertificateIsRefusedAtTheHandshake() throws Exception {
        ChannelCredentials noCertificate = TlsChannelCredentials.newBuilder()
                .trustManager(pki.dir.resolve("ca.pem").toFile()).build();
        assertEquals(Status.Code.UNAVAILABLE,
                code(() -> as(noCertificate).getHostInfo(GetHostInfoRequest.getDefaultInstance())));
        assertEquals(0, hv.hostInfoCalls.get(), "the agent never saw the call");
    }

    @Test
    void aClientWithACertificateFromAnotherCaIsRefusedAtTheHandshake() throws Exception {
        var stranger = as(pki.stranger());
        assertEquals(Status.Code.UNAVAILABLE, code(() -> stranger.getHostInfo(GetHostInfoRequest.getDefaultInstance())));
        assertEquals(0, hv.hostInfoCalls.get(), "the agent never saw the call");
    }

    @Test
    void theAllowListMayControlMigrations() throws Exception {
        for (String identity : List.of("orchestrator", "operator")) {
            var stub = as(pki.tls(identity));
            // Through the access check to the agent itself, which knows no such VM or migration.
            assertEquals(Status.Code.NOT_FOUND, code(() -> stub.startMigration(StartMigrationRequest.newBuilder()
                    .setVmName("nope").setTargetAgent("127.0.0.1:2").build())), identity);
            assertEquals(Status.Code.NOT_FOUND, code(() -> stub.abortMigration(
                    MigrationRef.newBuilder().setMigrationId("m-none").build())), identity);
        }
    }

    @Test
    void anUnlistedIdentityMayReadButNotControl() throws Exception {
        var intruder = as(pki.tls("intruder"));
        assertEquals("lab-a", intruder.getHostInfo(GetHostInfoRequest.getDefaultInstance()).getClusterHostName());
        StatusRuntimeException denied = assertThrows(StatusRuntimeException.class, () -> intruder.startMigration(
                StartMigrationRequest.newBuilder().setVmName("nope").setTargetAgent("127.0.0.1:2").build()));
        assertEquals(Status.Code.PERMISSION_DENIED, denied.getStatus().getCode());
        assertEquals("identity 'intruder' may not call StartMigration on agent lab-a",
                denied.getStatus().getDescription());
        assertEquals(Status.Code.PERMISSION_DENIED, code(() -> intruder.prepareIncoming(
                PrepareIncomingRequest.getDefaultInstance())));
        assertTrue(hv.started.isEmpty());

        HealthCheckResponse health = HealthGrpc.newBlockingStub(channels.get(0)).withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance());
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, health.getStatus());
    }

    @Test
    void aPeerAgentMayPrepareAndCancelIncomingButNotStartMigrations() throws Exception {
        var peer = as(pki.tls("lab-b"));
        Status.Code prepare = code(() -> peer.prepareIncoming(PrepareIncomingRequest.getDefaultInstance()));
        assertTrue(prepare != Status.Code.PERMISSION_DENIED && prepare != Status.Code.UNAVAILABLE,
                "reached the agent, which refuses the empty request: " + prepare);
        try {
            peer.cancelIncoming(CancelIncomingRequest.newBuilder().setReservationId("r-none").build());
        } catch (StatusRuntimeException e) {
            assertTrue(e.getStatus().getCode() != Status.Code.PERMISSION_DENIED, e.getStatus().toString());
        }
        assertEquals(Status.Code.PERMISSION_DENIED, code(() -> peer.startMigration(
                StartMigrationRequest.newBuilder().setVmName("nope").setTargetAgent("127.0.0.1:2").build())));
    }

    @Test
    void everyAgentMethodIsClassified() {
        Set<String> methods = AgentServiceGrpc.getServiceDescriptor().getMethods().stream()
                .map(m -> m.getBareMethodName()).collect(Collectors.toSet());
        assertEquals(methods, AgentServer.METHODS.keySet());
    }
}
