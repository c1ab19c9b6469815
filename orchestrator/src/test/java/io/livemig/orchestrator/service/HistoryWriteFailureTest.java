package io.livemig.orchestrator.service;

import static io.livemig.orchestrator.service.FakeAgents.GIB;
import static io.livemig.orchestrator.service.OrchestratorTest.AUTO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.common.config.ClusterConfig;
import io.livemig.common.metrics.MetricsEndpoint;
import io.livemig.orchestrator.history.HistoryException;
import io.livemig.orchestrator.history.HistoryStore;
import io.livemig.orchestrator.metrics.OrchestratorMetrics;
import io.livemig.orchestrator.placement.PlacementPolicy;
import io.livemig.orchestrator.placement.RebalanceSettings;
import io.livemig.orchestrator.workflow.AdmissionQueue;
import io.livemig.orchestrator.workflow.MigrationRecord;
import io.livemig.orchestrator.workflow.RecordState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The history's disk fills while migrations run: whoever follows a migration still hears its end,
 * a finished migration holds no VM, the record reaches the history once there is room again (or at
 * the next start), and health and metrics say so meanwhile.
 */
class HistoryWriteFailureTest {

    @TempDir
    Path tmp;
    FakeAgents agents;
    FakeHistory history;
    Orchestrator orchestrator;
    MetricsEndpoint endpoint;

    @BeforeEach
    void start() throws Exception {
        agents = new FakeAgents().host("a", 4, 16 * GIB, 0.1).host("b", 4, 16 * GIB, 0.1).host("c", 4, 16 * GIB, 0.0)
                .vm("a", "web1", 2 * GIB, 0.9, "br-a").vm("a", "web2", 2 * GIB, 0.8, "br-a");
        history = new FakeHistory(HistoryStore.open(tmp.resolve("history.db")));
        open();
    }

    void open() throws Exception {
        OrchestratorMetrics metrics = new OrchestratorMetrics();
        orchestrator = new Orchestrator(ClusterConfig.parse(OrchestratorTest.CLUSTER, "test"), new Orchestrator.Settings(
                PlacementPolicy.BALANCE, new AdmissionQueue.Limits(2, 1, 1), Duration.ofHours(1), 3,
                RebalanceSettings.DEFAULT, Duration.ZERO, false), agents, history, Clock.systemUTC(), metrics);
        orchestrator.start();
        endpoint = MetricsEndpoint.start("127.0.0.1", 0, metrics.watch(orchestrator).registry(), false);
    }

    @AfterEach
    void stop() {
        endpoint.close();
        orchestrator.close();
        history.store().close();
    }

    /** A migration to b that runs on its agent, and ends while the disk is full. */
    String endWhileFull() throws Exception {
        String id = orchestrator.migrate("web1", "b", AUTO, "user").record().id();
        awaitState(id, RecordState.RUNNING);
        history.fill();
        agents.complete("web1");
        return id;
    }

    @Test
    void theCallerHearsTheEndWithTheAgentsFiguresAndAWarning() throws Exception {
        String id = endWhileFull();

        Orchestrator.View end = awaitState(id, RecordState.SUCCEEDED);
        assertEquals(40, end.record().figures().downtimeMs());
        assertTrue(end.warning().startsWith("the orchestrator could not write this record to its history (history "
                + history.store().file() + ": cannot update migration " + id + ": [SQLITE_FULL] "), end.warning());
        assertTrue(end.warning().endsWith("); it keeps it in memory and writes it once it can"), end.warning());
        assertFalse(end.warning().contains("\n"), end.warning());
        assertEquals(RecordState.RUNNING, history.store().get(id).orElseThrow().state(), "not on disk yet");
        // Every reader sees how it ended, and nothing runs any more.
        assertEquals(RecordState.SUCCEEDED, orchestrator.record(id).state());
        assertEquals(List.of(id), ids(HistoryStore.Query.latest(10).withState(RecordState.SUCCEEDED)));
        assertEquals(List.of(), ids(HistoryStore.Query.latest(10).withState(RecordState.RUNNING)));
        assertEquals(List.of(), orchestrator.unfinished());
    }

    @Test
    void aFinishedMigrationWaitingInMemoryHoldsNoVm() throws Exception {
        String first = endWhileFull();
        awaitState(first, RecordState.SUCCEEDED);

        // Still full: a new migration of the VM is refused because it cannot be recorded, not because of the first.
        HistoryException full = assertThrows(HistoryException.class,
                () -> orchestrator.migrate("web1", "c", AUTO, "user"));
        assertTrue(full.storageFull(), full.getMessage());
        history.free();
        String next = orchestrator.migrate("web1", "c", AUTO, "user").record().id();
        awaitState(next, RecordState.RUNNING);
        assertEquals("b", agents.migration("web1").source());
    }

    @Test
    void theOutcomeIsWrittenOnceThereIsRoomAgainAndHealthClears() throws Exception {
        String id = endWhileFull();
        awaitState(id, RecordState.SUCCEEDED);
        Orchestrator.HistoryHealth sick = orchestrator.historyHealth();
        assertFalse(sick.writable());
        assertEquals(1, sick.unwrittenRecords());
        assertTrue(sick.problem().contains("[SQLITE_FULL]"), sick.problem());

        history.free(); // nobody writes anything: the orchestrator retries on its own
        MigrationRecord onDisk = awaitOnDisk(id, RecordState.SUCCEEDED);
        assertEquals(40, onDisk.figures().downtimeMs());
        assertEquals("", orchestrator.view(id).warning());
        assertEquals(new Orchestrator.HistoryHealth("", 0), orchestrator.historyHealth());
    }

    @Test
    void healthClearsByItselfOnceThereIsRoomEvenWhenNothingWaits() throws Exception {
        history.fill();
        HistoryException full = assertThrows(HistoryException.class,
                () -> orchestrator.migrate("web1", "b", AUTO, "user"));
        assertTrue(full.storageFull(), full.getMessage());
        Orchestrator.HistoryHealth sick = orchestrator.historyHealth();
        assertFalse(sick.writable());
        assertEquals(0, sick.unwrittenRecords(), "nothing was recorded, so nothing waits");
        assertTrue(sick.problem().contains("[SQLITE_FULL]"), sick.problem());

        // Still full: the orchestrator tries a write on its own (1 s after the failure); it fails too.
        awaitFailedWrites(2);
        assertFalse(orchestrator.historyHealth().writable());
        assertTrue(orchestrator.historyHealth().problem().contains("cannot write (probe): [SQLITE_FULL]"),
                orchestrator.historyHealth().problem());

        history.free(); // nobody writes anything: the next probe (2 s after the last) finds room
        Orchestrator.HistoryHealth healed = awaitHealth(true);
        assertEquals(new Orchestrator.HistoryHealth("", 0), healed);
        assertEquals(List.of(), ids(HistoryStore.Query.latest(10)), "a probe records nothing");
        assertEquals(List.of(), agents.started);
        String next = orchestrator.migrate("web1", "b", AUTO, "user").record().id();
        awaitState(next, RecordState.RUNNING);
    }

    @Test
    void aProbeFailureIsCountedAsAFailedWrite() throws Exception {
        history.fill();
        assertThrows(HistoryException.class, () -> orchestrator.migrate("web1", "b", AUTO, "user"));
        awaitFailedWrites(2);
        assertEquals(history.failedWrites(), failures(scrape()));
        assertTrue(scrape().contains("livemig_history_unwritten_records 0.0"));

        history.free();
        awaitHealth(true);
        assertEquals(history.failedWrites(), failures(scrape()));
    }

    @Test
    void failedWritesAreCountedAndTheRecordsWaitingShown() throws Exception {
        String id = endWhileFull();
        awaitState(id, RecordState.SUCCEEDED);
        String during = scrape();
        assertTrue(failures(during) >= 1, during);
        assertTrue(during.contains("livemig_history_unwritten_records 1.0"), during);
        assertTrue(during.contains("livemig_migrations_running 0.0"), during);
        assertTrue(during.contains("livemig_migrations_total{origin=\"user\",outcome=\"succeeded\"} 1.0"), during);

        history.free();
        awaitOnDisk(id, RecordState.SUCCEEDED);
        String after = scrape();
        assertEquals(history.failedWrites(), failures(after), after);
        assertTrue(after.contains("livemig_history_unwritten_records 0.0"), after);
        assertTrue(after.contains("livemig_migrations_total{origin=\"user\",outcome=\"succeeded\"} 1.0"), after);
    }

    @Test
    void aMigrationWhoseStartCannotBeRecordedDoesNotStartAndHoldsNoVm() throws Exception {
        history.fillAfter(2); // its id and its first record are written, not its target

        HistoryException full = assertThrows(HistoryException.class,
                () -> orchestrator.migrate("web1", "b", AUTO, "user"));
        assertTrue(full.storageFull(), full.getMessage());
        assertEquals(List.of(), agents.started);
        MigrationRecord refused = orchestrator.history(HistoryStore.Query.latest(1)).get(0);
        assertEquals(RecordState.FAILED, refused.state());
        assertTrue(refused.error().startsWith("not started: the history could not be written: history "),
                refused.error());

        history.free();
        String next = orchestrator.migrate("web1", "b", AUTO, "user").record().id();
        awaitState(next, RecordState.RUNNING);
        assertEquals(RecordState.FAILED, awaitOnDisk(refused.id(), RecordState.FAILED).state());
    }

    @Test
    void aMigrationWhoseStartIsNotWrittenRunsOnceAndEnds() throws Exception {
        history.fillAfter(3); // id, request and target written; not that it started

        String id = orchestrator.migrate("web1", "b", AUTO, "user").record().id();
        Orchestrator.View running = awaitState(id, RecordState.RUNNING);
        assertFalse(running.warning().isEmpty());
        assertEquals(RecordState.PLANNED, history.store().get(id).orElseThrow().state());
        orchestrator.dispatch();
        assertEquals(1, agents.started.size(), "started again: " + agents.started);

        agents.complete("web1");
        awaitState(id, RecordState.SUCCEEDED);
        history.free();
        assertEquals(40, awaitOnDisk(id, RecordState.SUCCEEDED).figures().downtimeMs());
    }

    @Test
    void anOutcomeStillUnwrittenAtAStopIsSettledByTheNextStartFromTheAgent() throws Exception {
        String id = endWhileFull();
        awaitState(id, RecordState.SUCCEEDED);

        endpoint.close();
        orchestrator.close(); // its last attempt fails too: the disk is still full
        assertEquals(RecordState.RUNNING, history.store().get(id).orElseThrow().state());
        history.free();
        open();

        MigrationRecord settled = history.store().get(id).orElseThrow();
        assertEquals(RecordState.SUCCEEDED, settled.state(), settled.toString());
        assertEquals(40, settled.figures().downtimeMs());
        assertTrue(orchestrator.historyHealth().writable());
    }

    List<String> ids(HistoryStore.Query q) {
        return orchestrator.history(q).stream().map(MigrationRecord::id).toList();
    }

    Orchestrator.View awaitState(String id, RecordState state) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        Orchestrator.View v = orchestrator.view(id);
        while (v.record().state() != state && System.nanoTime() < end) {
            v = orchestrator.awaitView(id, v.version(), Duration.ofSeconds(1));
        }
        assertEquals(state, v.record().state(), v.record().toString());
        return v;
    }

    /** The history's health once its writability is {@code writable} (fails after 20 s). */
    Orchestrator.HistoryHealth awaitHealth(boolean writable) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        long version = 0;
        Orchestrator.HistoryHealth h = orchestrator.historyHealth();
        while (h.writable() != writable && System.nanoTime() < end) {
            version = orchestrator.awaitChange(version, Duration.ofSeconds(1));
            h = orchestrator.historyHealth();
        }
        assertEquals(writable, h.writable(), h.toString());
        return h;
    }

    /** Once at least {@code n} writes failed (fails after 20 s). */
    void awaitFailedWrites(int n) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        long version = 0;
        while (history.failedWrites() < n && System.nanoTime() < end) {
            version = orchestrator.awaitChange(version, Duration.ofSeconds(1));
        }
        assertTrue(history.failedWrites() >= n, "failed writes: " + history.failedWrites());
    }

    /** The record as the history file has it, once it has it in {@code state}. */
    MigrationRecord awaitOnDisk(String id, RecordState state) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        long version = 0;
        MigrationRecord r = history.store().get(id).orElseThrow();
        while (r.state() != state && System.nanoTime() < end) {
            version = orchestrator.awaitChange(version, Duration.ofSeconds(1));
            r = history.store().get(id).orElseThrow();
        }
        assertEquals(state, r.state(), r.toString());
        return r;
    }

    private static final Pattern FAILURES =
            Pattern.compile("(?m)^livemig_history_write_failures_total\\{cause=\"disk_full\"} ([0-9.]+)$");

    static int failures(String scrape) {
        Matcher m = FAILURES.matcher(scrape);
        return m.find() ? (int) Double.parseDouble(m.group(1)) : 0;
    }

    String scrape() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(endpoint.url()))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return r.body();
    }
}
