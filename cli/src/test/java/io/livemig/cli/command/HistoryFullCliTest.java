package io.livemig.cli.command;

import static io.livemig.orchestrator.service.FakeAgents.GIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.inprocess.InProcessServerBuilder;
import io.livemig.cli.client.ClientEnvironment;
import io.livemig.cli.command.OrchestratorCommandsTest.Run;
import io.livemig.common.config.ClusterConfig;
import io.livemig.common.grpc.GrpcServing;
import io.livemig.orchestrator.grpc.OrchestratorServer;
import io.livemig.orchestrator.history.HistoryStore;
import io.livemig.orchestrator.placement.PlacementPolicy;
import io.livemig.orchestrator.placement.RebalanceSettings;
import io.livemig.orchestrator.service.FakeAgents;
import io.livemig.orchestrator.service.FakeHistory;
import io.livemig.orchestrator.service.Orchestrator;
import io.livemig.orchestrator.workflow.AdmissionQueue;
import io.livemig.orchestrator.workflow.RecordState;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The orchestrator's history disk fills while a migration runs: the command that follows it
 * still ends, with the agent's result, its own exit code and one warning line; hosts says the
 * history is not writable until it is again, even when nothing waits to be written.
 */
class HistoryFullCliTest {

    @TempDir
    Path dir;

    FakeAgents agents;
    FakeHistory history;
    Orchestrator orchestrator;
    GrpcServing server;
    String address;

    @BeforeEach
    void serve() throws Exception {
        agents = new FakeAgents().host("a", 4, 16 * GIB, 0.1).host("b", 4, 16 * GIB, 0.1).host("c", 4, 16 * GIB, 0.0)
                .vm("a", "web1", 2 * GIB, 0.9, "br-a").vm("a", "web2", 2 * GIB, 0.8, "br-a");
        history = new FakeHistory(HistoryStore.open(dir.resolve("history.db")));
        orchestrator = new Orchestrator(ClusterConfig.parse(OrchestratorCommandsTest.CLUSTER, "test"),
                new Orchestrator.Settings(PlacementPolicy.BALANCE, new AdmissionQueue.Limits(2, 1, 1),
                        Duration.ofHours(1), 3, RebalanceSettings.DEFAULT, Duration.ZERO, false),
                agents, history, Clock.systemUTC());
        orchestrator.start();
        address = "orchestrator-" + dir.getFileName() + ":7080";
        server = OrchestratorServer.start(InProcessServerBuilder.forName(address), orchestrator);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        orchestrator.close();
        history.store().close();
    }

    Run run(String... args) {
        return OrchestratorCommandsTest.run(new ClientEnvironment(Map.of("LIVEMIG_ORCHESTRATOR", address), List.of(),
                Duration.ofSeconds(10)), false, new StringWriter(), args);
    }

    @Test
    void migrateEndsWithTheAgentsResultAndAWarningAndHostsShowsTheHistoryUntilItIsWritten() throws Exception {
        CompletableFuture<Run> cli = CompletableFuture.supplyAsync(() -> run("migrate", "web1", "--to", "b"));
        agents.awaitStart();
        history.fill();
        agents.complete("web1");
        Run r = OrchestratorCommandsTest.get(cli);

        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().startsWith("web1 succeeded: a -> b, mode auto (used precopy): total 1500 ms, downtime 40 ms"),
                r.out());
        List<String> warnings = r.err().lines().filter(l -> l.startsWith("livemig: warning: ")).toList();
        assertEquals(1, warnings.size(), r.err());
        String id = orchestrator.history(HistoryStore.Query.latest(1)).get(0).id();
        assertEquals("livemig: warning: migration " + id + ": the orchestrator could not write this record to its "
                + "history (history " + history.store().file() + ": cannot update migration " + id + ": [SQLITE_FULL] "
                + "Insertion failed because database is full (database or disk is full)); it keeps it in memory and "
                + "writes it once it can", warnings.get(0));

        Run hosts = run("hosts");
        assertEquals(3, hosts.exitCode(), hosts.toString());
        List<String> lines = hosts.outLines();
        assertEquals("orchestrator: history not writable: history " + history.store().file() + ": cannot update "
                + "migration " + id + ": [SQLITE_FULL] Insertion failed because database is full (database or disk is "
                + "full); 1 record waiting in memory", lines.get(lines.size() - 1));
        JsonNode health = run("hosts", "--json").json().get("orchestrator");
        assertFalse(health.get("history_writable").asBoolean(), health.toString());
        assertEquals(1, health.get("unwritten_records").asInt());
        assertTrue(health.get("history_problem").asText().contains("[SQLITE_FULL]"), health.toString());

        Run listed = run("history", "--json");
        assertEquals(0, listed.exitCode(), listed.toString());
        JsonNode record = listed.json().get("migrations").get(0);
        assertEquals("succeeded", record.get("state").asText());
        assertTrue(record.get("warning").asText().contains("[SQLITE_FULL]"), record.toString());

        history.free();
        awaitOnDisk(id, RecordState.SUCCEEDED);
        Run healthy = run("hosts");
        assertEquals(0, healthy.exitCode(), healthy.toString());
        assertTrue(healthy.outLines().stream().noneMatch(l -> l.startsWith("orchestrator:")), healthy.out());
        JsonNode writable = run("hosts", "--json").json().get("orchestrator");
        assertTrue(writable.get("history_writable").asBoolean(), writable.toString());
        assertEquals(0, writable.get("unwritten_records").asInt());
        Run watched = run("watch", id);
        assertEquals(0, watched.exitCode(), watched.toString());
        assertEquals("", watched.err(), "written now: no warning");
    }

    @Test
    void aRefusedMigrateShowsInHostsUntilThereIsRoomAgainThoughNothingIsWrittenMeanwhile() throws Exception {
        history.fill();
        Run refused = run("migrate", "web1", "--to", "b");
        assertEquals(1, refused.exitCode(), refused.toString());
        assertEquals("", refused.out());
        assertEquals("livemig: history " + history.store().file() + ": cannot allocate a migration id: [SQLITE_FULL] "
                + "Insertion failed because database is full (database or disk is full) (RESOURCE_EXHAUSTED)",
                refused.err().strip());
        Run hosts = run("hosts");
        assertEquals(3, hosts.exitCode(), hosts.toString());
        List<String> lines = hosts.outLines();
        assertTrue(lines.get(lines.size() - 1).startsWith("orchestrator: history not writable: history "
                + history.store().file() + ": cannot "), hosts.out());
        assertTrue(lines.get(lines.size() - 1).endsWith("; 0 records waiting in memory"), hosts.out());

        history.free(); // no command writes anything: the orchestrator finds out by itself
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        long version = 0;
        while (!orchestrator.historyHealth().writable() && System.nanoTime() < end) {
            version = orchestrator.awaitChange(version, Duration.ofSeconds(1));
        }
        Run healthy = run("hosts");
        assertEquals(0, healthy.exitCode(), healthy.toString());
        assertTrue(healthy.outLines().stream().noneMatch(l -> l.startsWith("orchestrator:")), healthy.out());
        assertTrue(run("hosts", "--json").json().get("orchestrator").get("history_writable").asBoolean());
    }

    @Test
    void watchOfAFailedMigrationKeepsItsExitCodeWithTheWarningOnStderrBesideItsJson() throws Exception {
        Run queued = run("migrate", "web1", "--to", "b", "--no-wait", "--json");
        assertEquals(0, queued.exitCode(), queued.toString());
        String id = queued.json().get("id").asText();
        agents.awaitStart();
        history.fill();
        agents.fail("web1", "operation failed: Connection reset by peer");

        Run watched = run("watch", id, "--json");
        assertEquals(1, watched.exitCode(), watched.toString());
        JsonNode result = watched.json();
        assertEquals("failed", result.get("status").asText());
        assertEquals("operation failed: Connection reset by peer", result.get("error").asText());
        assertTrue(result.get("warning").asText().contains("[SQLITE_FULL]"), result.toString());
        assertEquals(1, watched.err().lines().count(), watched.err());
        assertTrue(watched.err().startsWith("livemig: warning: migration " + id + ": the orchestrator could not write"),
                watched.err());
    }

    /** Waits, on the orchestrator's changes, until the history file holds the record in {@code state}. */
    void awaitOnDisk(String id, RecordState state) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        long version = 0;
        while (history.store().get(id).orElseThrow().state() != state && System.nanoTime() < end) {
            version = orchestrator.awaitChange(version, Duration.ofSeconds(1));
        }
        assertEquals(state, history.store().get(id).orElseThrow().state());
    }
}
