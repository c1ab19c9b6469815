package io.livemig.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.livemig.agent.grpc.FakeHypervisor;
import io.livemig.cli.Main;
import io.livemig.cli.client.AgentChannels;
import io.livemig.cli.client.ClientEnvironment;
import io.livemig.proto.agent.v1.JobSnapshot;
import io.livemig.proto.agent.v1.MigrationMode;
import io.livemig.proto.agent.v1.MigrationPhase;
import io.livemig.proto.agent.v1.MigrationStatus;
import io.livemig.proto.agent.v1.StartMigrationRequest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** hosts, vms and migrate against scripted agents over in-process gRPC: output and exit codes. */
class ClusterCommandsTest {

    @TempDir
    Path dir;

    private final List<Server> servers = new ArrayList<>();
    private ScriptedAgent a;
    private Path cluster;

    @BeforeEach
    void agents() throws Exception {
        a = new ScriptedAgent("lab-a", "web1", "stuck");
        servers.add(InProcessServerBuilder.forName("a:1").directExecutor().addService(a).build().start());
        servers.add(InProcessServerBuilder.forName("b:1").directExecutor().addService(new ScriptedAgent("lab-b")).build().start());
        cluster = dir.resolve("cluster.yaml");
        Files.writeString(cluster, """
                hosts:
                  - {name: lab-a, agent: "a:1", libvirt_uri: "qemu+tcp://a/system"}
                  - {name: lab-b, agent: "b:1", libvirt_uri: "qemu+tcp://b/system"}
                  - {name: lab-c, agent: "c:1", libvirt_uri: "qemu+tcp://c/system"}
                """);
    }

    @AfterEach
    void stop() {
        servers.forEach(Server::shutdownNow);
    }

    record Run(int exitCode, String out, String err) {}

    private Run run(String... args) {
        return run(false, args);
    }

    private Run run(boolean terminal, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        try (AgentChannels channels = new AgentChannels(address -> InProcessChannelBuilder.forName(address).build())) {
            int code = Main.execute(() -> FakeHypervisor.replaying(List.of(), null), channels, terminal,
                    ClientEnvironment.system(), new PrintWriter(out, true), new PrintWriter(err, true), args);
            return new Run(code, out.toString(), err.toString());
        }
    }

    @Test
    void hostsListsEveryHostAndExitsThreeWhenOneIsDown() {
        Run r = run("--cluster", cluster.toString(), "hosts");
        assertEquals(3, r.exitCode(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("lab-a") && l.contains(" up ")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("lab-c") && l.contains(" down ")), r.out());
    }

    @Test
    void vmsShowsEachVmsStateWithLibvirtsReason() {
        Run r = run("--cluster", cluster.toString(), "vms", "--host", "lab-a");
        assertEquals(0, r.exitCode(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(List.of("VM", "HOST", "STATE", "MEMORY", "VCPUS", "BINDINGS"), List.of(lines.get(0).trim().split("\\s+")));
        assertTrue(lines.get(1).matches("web1\\s+lab-a\\s+running\\s+256\\.0 MiB\\s+0\\s*"), lines.get(1));
        assertTrue(lines.get(2).matches("stuck\\s+lab-a\\s+paused \\(post-copy failed\\)\\s+256\\.0 MiB\\s+0\\s*"),
                lines.get(2));
        Run json = run("--cluster", cluster.toString(), "vms", "--host", "lab-a", "--json");
        assertTrue(json.out().contains("\"state_reason\" : \"post-copy failed\""), json.out());
    }

    @Test
    void migrateJsonHasTheDocumentedFields() {
        Run r = run("--cluster", cluster.toString(), "migrate", "web1", "--to", "lab-b", "--json", "--mode", "postcopy",
                "--max-downtime", "500", "--bandwidth", "100", "--timeout", "60");
        assertEquals(0, r.exitCode(), r.err());
        for (String field : List.of("id", "vm", "source", "target", "mode_requested", "mode_used", "status", "total_ms",
                "downtime_ms", "setup_ms", "memory_bytes", "bytes_transferred", "iterations", "postcopy_requests",
                "escalations", "error")) {
            assertTrue(r.out().contains("\"" + field + "\""), field + " missing: " + r.out());
        }
        assertTrue(r.out().contains("\"status\" : \"succeeded\""), r.out());
        // Without an orchestrator the command's own phases surround the agent's.
        assertTrue(r.out().matches("(?s).*\"phases\" : \\[ \\{\\s+\"name\" : \"client_start\",\\s+\"where\" : \"cli\",\\s+"
                + "\"start_ms\" : 0,.*\"name\" : \"locate\",.*\"name\" : \"rpc\",\\s+\"where\" : \"cli\",.*"), r.out());
        StartMigrationRequest sent = a.started.get(0);
        assertEquals("b:1", sent.getTargetAgent());
        assertEquals(MigrationMode.MIGRATION_MODE_POSTCOPY, sent.getOptions().getMode());
        assertEquals(500, sent.getOptions().getMaxDowntimeMs());
        assertEquals(100, sent.getOptions().getBandwidthMibps());
        assertEquals(60, sent.getOptions().getTimeoutS());
    }

    /** On a terminal the progress line shows how far it is and the time left, or "ETA ?" when the agent cannot tell. */
    @Test
    void migrateOnATerminalDrawsTheProgressAndEta() {
        JobSnapshot first = JobSnapshot.newBuilder().setElapsedMs(1200).setPhase(MigrationPhase.MIGRATION_PHASE_PRECOPY)
                .setIteration(1).setBytesProcessed(100L << 20).setBytesRemaining(156L << 20).setProgress(0.429)
                .setEtaMs(6100).build();
        JobSnapshot held = first.toBuilder().setElapsedMs(2400).setIteration(2).setProgress(0.5).clearEtaMs().build();
        a.running = List.of(first, held);
        Run r = run(true, "--cluster", cluster.toString(), "migrate", "web1", "--to", "lab-b");
        assertEquals(0, r.exitCode(), r.err());
        List<String> drawn = List.of(r.err().split("\r"));
        assertTrue(drawn.get(1).startsWith("   1.2 s   42%  ETA 7 s       precopy   iteration 1  sent 100.0 MiB"),
                drawn.get(1));
        assertTrue(drawn.get(2).startsWith("   2.4 s   50%  ETA ?         precopy   iteration 2"), drawn.get(2));
    }

    @Test
    void anAbortedMigrationExitsOne() {
        a.outcome = MigrationStatus.MIGRATION_STATUS_ABORTED;
        Run r = run("--cluster", cluster.toString(), "migrate", "web1", "--to", "lab-b");
        assertEquals(1, r.exitCode(), r.err());
        assertTrue(r.out().contains("web1 aborted"), r.out());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "migrate web1 --to lab-z | unknown host 'lab-z'",
        "migrate nope --to lab-b | VM 'nope' runs on no host of the cluster",
        "migrate web1 --to lab-a | already runs on lab-a",
        "migrate web1 --to lab-b --mode fast | Invalid value for option '--mode'",
        "migrate web1 --to lab-b --max-downtime 0 | --max-downtime must be 1..60000",
        "migrate web1 --to lab-b --bandwidth 0 | --bandwidth must be 1..100000",
        "migrate web1 --to lab-b --parallel 1 | --parallel must be 2..32",
        "migrate web1 | Missing required option: '--to=HOST'",
        "migrate nope --to lab-b --plan | VM 'nope' runs on no host of the cluster",
        "migrate web1 --to lab-a --plan | already runs on lab-a",
        "migrate web1 --to lab-z --plan | unknown host 'lab-z'",
        "migrate web1 --plan | Missing required option: '--to=HOST'",
        "migrate web1 --to lab-b --plan --timeout 5 | --plan cannot be combined with --no-wait or --timeout",
        "migrate web1 --to lab-b --plan --objective cheap | unknown objective 'cheap'; valid: safe, fastest",
    })
    void badInputIsOneLineAndExitTwo(String args, String message) {
        List<String> argv = new ArrayList<>(List.of("--cluster", cluster.toString()));
        argv.addAll(List.of(args.split(" ")));
        Run r = run(argv.toArray(String[]::new));
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains(message), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(a.started.isEmpty());
    }

    @Test
    void planPredictsEveryModeFromTheSourceAgentAndTheClusterFileAndMovesNothing() throws Exception {
        Run r = run("--cluster", cluster.toString(), "migrate", "web1", "--to", "lab-b", "--plan");
        assertEquals(0, r.exitCode(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals("plan for web1: lab-a -> lab-b (nothing moved)", lines.get(0));
        assertTrue(lines.get(1).startsWith("MODE"), r.out());
        assertTrue(lines.get(2).startsWith("pre-copy"), r.out());
        assertTrue(lines.get(3).startsWith("stop-and-copy"), r.out());
        assertTrue(lines.get(4).startsWith("post-copy"), r.out());
        assertTrue(lines.get(5).startsWith("auto"), r.out());
        assertTrue(r.out().contains("recommended: pre-copy (objective safe): "), r.out());
        // 256 MiB, dirty rate not measured yet, no link_mibps: all said.
        assertTrue(r.out().contains("inputs: memory 256.0 MiB, non zero memory 256.0 MiB*, dirty rate 0.0 MiB/s*"),
                r.out());
        assertTrue(r.out().contains("link rate: neither lab-a nor lab-b has link_mibps in the cluster file: taken as "
                + "1024 MiB/s"), r.out());
        assertTrue(a.started.isEmpty());

        Run json = run("--cluster", cluster.toString(), "migrate", "web1", "--to", "lab-b", "--plan", "--json",
                "--objective", "fastest", "--bandwidth", "100");
        assertEquals(0, json.exitCode(), json.err());
        com.fasterxml.jackson.databind.JsonNode doc = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(json.out());
        assertEquals("lab-a", doc.get("source").asText());
        assertEquals("fastest", doc.get("objective").asText());
        assertTrue(doc.get("decision").isNull());
        assertEquals(4, doc.get("modes").size());
        assertEquals("precopy", doc.get("modes").get(0).get("mode").asText());
        assertEquals(100.0 * (1 << 20), doc.get("inputs").get(4).get("value").asDouble());
        assertTrue(a.started.isEmpty());
    }

    @Test
    void aBadClusterFileNamesTheLine() throws Exception {
        Files.writeString(cluster, "hosts:\n  - name: lab-a\n    agent: a:1\n    libvirt: x\n");
        Run r = run("--cluster", cluster.toString(), "hosts");
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("cluster.yaml:4: unknown key 'libvirt'"), r.err());
    }
}
