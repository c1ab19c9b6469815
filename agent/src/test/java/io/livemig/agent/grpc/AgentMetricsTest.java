package io.livemig.agent.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.livemig.agent.metrics.AgentMetrics;
import io.livemig.agent.service.HostAgent;
import io.livemig.common.config.ClusterConfig;
import io.livemig.common.metrics.MetricsEndpoint;
import io.livemig.proto.agent.v1.AgentServiceGrpc;
import io.livemig.proto.agent.v1.MigrationMode;
import io.livemig.proto.agent.v1.MigrationOptions;
import io.livemig.proto.agent.v1.MigrationProgress;
import io.livemig.proto.agent.v1.MigrationRef;
import io.livemig.proto.agent.v1.MigrationStatus;
import io.livemig.proto.agent.v1.StartMigrationRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The source agent's metrics endpoint, scraped over real HTTP after a migration between two in-process agents. */
class AgentMetricsTest {

    private static final long MIB = 1 << 20;
    private static final String CLUSTER = """
            hosts:
              - name: lab-a
                agent: lab-a-metrics:7070
                libvirt_uri: qemu+tcp://10.0.0.11/system
                migration_address: 10.0.0.11
                networks: {lan: lmbr-a}
                storage: {shared: TMP/a/shared}
                log_dir: TMP/a/logs
                cpus: "0-1"
              - name: lab-b
                agent: lab-b-metrics:7070
                libvirt_uri: qemu+tcp://10.0.0.12/system
                migration_address: 10.0.0.12
                networks: {lan: lmbr-b}
                storage: {shared: TMP/b/shared}
                log_dir: TMP/b/logs
                cpus: "0-1"
            """;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private FakeHypervisor hvA;
    private AgentServiceGrpc.AgentServiceBlockingStub a;
    private MetricsEndpoint endpoint;

    @TempDir
    Path tmp;

    @BeforeEach
    void startAgents() throws Exception {
        ClusterConfig cluster = ClusterConfig.parse(CLUSTER.replace("TMP", tmp.toString()), "cluster.yaml");
        Files.createDirectories(tmp.resolve("guest"));
        Files.writeString(tmp.resolve("guest/vmlinuz"), "kernel");
        Files.writeString(tmp.resolve("guest/initrd.img"), "initrd");
        String xml = Files.readString(Path.of(getClass().getResource("/domains/lab-lm-migratable.xml").toURI()))
                .replace("br0", "lmbr-a")
                .replace("/var/lib/livemig-lab/vms/lm/serial.log", tmp + "/a/logs/lm.log")
                .replace("/var/lib/livemig-lab/guest", tmp + "/guest");
        hvA = new FakeHypervisor("lab-a", 4096 * MIB).withVm("lm", 256 * MIB, xml);
        FakeHypervisor hvB = new FakeHypervisor("lab-b", 4096 * MIB);
        GrpcPeerAgents peers = new GrpcPeerAgents(address -> InProcessChannelBuilder.forName(address).build());
        closeables.add(peers);
        AgentMetrics metrics = new AgentMetrics();
        HostAgent agentA = new HostAgent(hvA, "qemu:///system", cluster.requireHost("lab-a"), peers, hvA::nowMs,
                metrics);
        serve("lab-a-metrics:7070", agentA);
        serve("lab-b-metrics:7070", new HostAgent(hvB, "qemu:///system", cluster.requireHost("lab-b"), peers,
                hvB::nowMs));
        endpoint = MetricsEndpoint.start("127.0.0.1", 0, metrics.watch(agentA).registry(), false);
        closeables.add(endpoint);
        ManagedChannel channel = InProcessChannelBuilder.forName("lab-a-metrics:7070").build();
        closeables.add(channel::shutdownNow);
        a = AgentServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private void serve(String name, HostAgent agent) throws Exception {
        closeables.add(AgentServer.start(InProcessServerBuilder.forName(name).directExecutor(), agent));
        closeables.add(agent);
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    @Test
    void beforeAnyMigrationTheHostIsReportedAndNothingIsInFlight() throws Exception {
        String text = scrape();
        assertTrue(text.contains("livemig_migrations_in_flight{direction=\"outgoing\"} 0.0"), text);
        assertTrue(text.contains("livemig_migrations_in_flight{direction=\"incoming\"} 0.0"), text);
        assertTrue(text.contains("livemig_host_vms 1.0"), text);
        assertTrue(text.contains("livemig_host_memory_free_bytes "), text);
        assertTrue(text.contains("livemig_host_guest_cpu_utilisation "), text);
    }

    @Test
    void aMigrationIsCountedTimedAndNoLongerInFlight() throws Exception {
        var started = a.startMigration(StartMigrationRequest.newBuilder().setVmName("lm").setTargetAgent(
                "lab-b-metrics:7070").setOptions(MigrationOptions.newBuilder()
                        .setMode(MigrationMode.MIGRATION_MODE_PRECOPY)).build());
        MigrationProgress last = watch(started.getMigrationId());
        assertEquals(MigrationStatus.MIGRATION_STATUS_SUCCEEDED, last.getResult().getStatus(), last.toString());

        String text = scrape();
        assertTrue(text.contains(
                "livemig_migrations_total{mode_requested=\"precopy\",mode_used=\"precopy\",outcome=\"succeeded\"} 1.0"),
                text);
        assertTrue(text.contains("livemig_migration_duration_seconds_count{mode_used=\"precopy\"} 1"), text);
        for (String phase : List.of("vm_check", "dirty_rate_wait", "source_xml", "target_prepare", "job_setup", "job",
                "finish")) {
            assertTrue(text.contains("livemig_migration_phase_seconds_count{phase=\"" + phase + "\"} 1"), phase + ": " + text);
        }
        assertTrue(text.contains("livemig_migration_downtime_seconds_count{mode_used=\"precopy\"} 1"), text);
        assertTrue(text.contains("livemig_migration_downtime_seconds_bucket{mode_used=\"precopy\",le=\"600.0\"} 1"),
                text);
        assertTrue(text.contains("livemig_migration_bytes_total " + (double) last.getResult().getBytesTransferred()),
                text);
        assertTrue(text.contains("livemig_migrations_in_flight{direction=\"outgoing\"} 0.0"), text);
    }

    @Test
    void escalationsAreCountedByKind() throws Exception {
        hvA.script = "nonconverging-precopy.csv";
        var started = a.startMigration(StartMigrationRequest.newBuilder().setVmName("lm").setTargetAgent(
                "lab-b-metrics:7070").setOptions(MigrationOptions.newBuilder()
                        .setMode(MigrationMode.MIGRATION_MODE_AUTO)).build());
        MigrationProgress last = watch(started.getMigrationId());
        String text = scrape();
        assertTrue(text.contains(
                "livemig_migrations_total{mode_requested=\"auto\",mode_used=\"postcopy\",outcome=\"succeeded\"} 1.0"),
                text);
        for (var step : last.getResult().getEscalationsList()) {
            assertTrue(text.contains("livemig_escalations_total{kind=\"" + step.getKind() + "\"} "), text);
        }
        assertTrue(text.contains("livemig_escalations_total{kind=\"postcopy\"} 1.0"), text);
    }

    private MigrationProgress watch(String id) {
        Iterator<MigrationProgress> it = a.watchMigration(MigrationRef.newBuilder().setMigrationId(id).build());
        MigrationProgress last = null;
        while (it.hasNext()) {
            last = it.next();
        }
        return last;
    }

    private String scrape() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(endpoint.url())).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }
}
