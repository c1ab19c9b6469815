package io.livemig.orchestrator.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.common.timeline.Phase;
import io.livemig.orchestrator.history.HistoryStore.Query;
import io.livemig.orchestrator.workflow.Figures;
import io.livemig.orchestrator.workflow.MigrationRecord;
import io.livemig.orchestrator.workflow.RecordState;
import io.livemig.orchestrator.workflow.TransferMode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryStoreTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final String NASTY = "comma, \"quotes\", 'single', back\\slash,\nnew line,"
            + " tab\t, ünïcødé ✓ 🚀, [brackets] {braces} ; DROP TABLE migrations; --";
    private static final Figures FULL = new Figures(Long.MAX_VALUE, 185, -1, 256L << 30,
            Long.MIN_VALUE, Integer.MAX_VALUE, 7, Optional.of(TransferMode.POSTCOPY),
            List.of("raised downtime to 300 ms, pass 3: \"no convergence\"", "", "multi\nline",
                    NASTY, "\u0000\u0001 control"),
            List.of(new Phase("request", "orchestrator", 0, 2), new Phase("target_prepare", "agent", 2, 412),
                    new Phase("job " + NASTY, "agent", 414, Long.MAX_VALUE - 414)));

    @TempDir
    Path dir;
    private Path file;
    private HistoryStore store;

    @BeforeEach
    void open() {
        file = dir.resolve("history.db");
        store = HistoryStore.open(file);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static MigrationRecord requested(String id, String vm, String source, long atSec) {
        return MigrationRecord.requested(id, vm, source, "", TransferMode.AUTO, "user", T0.plusSeconds(atSec));
    }

    private static MigrationRecord migration(String id, String vm, String source, String target,
            RecordState state, long atSec) {
        MigrationRecord r = requested(id, vm, source, atSec);
        if (state == RecordState.REQUESTED) {
            return r;
        }
        r = r.planned(target, "why " + id);
        if (state == RecordState.PLANNED) {
            return r;
        }
        r = r.running("agent-" + id, T0.plusSeconds(atSec + 1));
        switch (state) {
            case RUNNING: return r;
            case SUCCEEDED: return r.succeeded(FULL, T0.plusSeconds(atSec + 2));
            case FAILED: return r.failed("failed " + id, Figures.none(), T0.plusSeconds(atSec + 2));
            case ABORTED: return r.aborted("aborted " + id, FULL, T0.plusSeconds(atSec + 2));
            default: throw new AssertionError(state);
        }
    }

    // ---- round trip -----------------------------------------------------------------------------

    @Test
    void roundTripsEveryFieldWithNullsEmptiesAndSpecialCharacters() {
        List<MigrationRecord> records = List.of(
                // Empty target, reason, agent id, error; null instants; Figures.none().
                MigrationRecord.requested("m-a", "demo", "lab-a", "", TransferMode.AUTO, "user", T0),
                // Every text field full of nasty characters, extreme figures, sub-ms instants.
                new MigrationRecord("m-b", "vm " + NASTY, "src " + NASTY, "dst " + NASTY,
                        TransferMode.STOPCOPY, RecordState.SUCCEEDED, "rebalance:r-000001 " + NASTY,
                        "line one\nline two\n" + NASTY, "agent " + NASTY, T0.plusNanos(123_456_789),
                        T0.plusSeconds(1), T0.plusSeconds(2), FULL, ""),
                // Terminal without startedAt: failed before it started.
                requested("m-c", "demo", "lab-a", 5)
                        .failed("no host: " + NASTY, Figures.none(), T0.plusSeconds(6)),
                // Times before the epoch and with one-element / empty-string escalations.
                new MigrationRecord("m-d", "v", "s", "t", TransferMode.AUTO, RecordState.ABORTED, "drain:s",
                        "", "ag", Instant.parse("1960-01-01T00:00:00.001Z"),
                        Instant.parse("1960-01-01T00:00:01Z"), Instant.parse("1960-01-01T00:00:02Z"),
                        new Figures(0, 0, 0, 0, 0, 0, 0, Optional.empty(), List.of("")), "cancelled"));

        for (MigrationRecord r : records) {
            store.insert(r);
        }
        for (MigrationRecord r : records) {
            assertEquals(Optional.of(r), store.get(r.id()));
        }
        MigrationRecord a = store.get("m-a").orElseThrow();
        assertNull(a.startedAt());
        assertNull(a.endedAt());
        assertEquals(List.of(), a.figures().escalations());
        assertEquals(FULL.escalations(), store.get("m-b").orElseThrow().figures().escalations());
        assertEquals(FULL.phases(), store.get("m-b").orElseThrow().figures().phases());
        assertEquals(Optional.empty(), store.get("m-unknown"));
    }

    @Test
    void dataSurvivesCloseAndReopen() {
        MigrationRecord r = migration("m-1", "demo", "lab-a", "lab-b", RecordState.SUCCEEDED, 0);
        store.insert(r);
        RoundRecord round = new RoundRecord("r-1", T0, false, "user", 0.2, 0.1,
                List.of("demo: lab-a -> lab-b"), List.of("m-1"), "1 move started");
        store.insertRound(round);
        store.close();

        try (HistoryStore again = HistoryStore.open(file)) {
            assertEquals(Optional.of(r), again.get("m-1"));
            assertEquals(List.of(round), again.rounds(10));
        }
    }

    // ---- insert and update ----------------------------------------------------------------------

    @Test
    void insertRefusesADuplicateId() {
        MigrationRecord r = requested("m-1", "demo", "lab-a", 0);
        store.insert(r);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> store.insert(requested("m-1", "other", "lab-c", 9)));
        assertTrue(e.getMessage().contains("m-1"), e.getMessage());
        assertEquals(Optional.of(r), store.get("m-1"));
    }

    @Test
    void updateFollowsTheMigrationThroughItsStates() {
        MigrationRecord r = requested("m-1", "demo", "lab-a", 0);
        store.insert(r);
        r = r.planned("lab-b", "least loaded");
        store.update(r);
        assertEquals(Optional.of(r), store.get("m-1"));
        r = r.running("agent-9", T0.plusSeconds(3));
        store.update(r);
        assertEquals(Optional.of(r), store.get("m-1"));
        r = r.succeeded(FULL, T0.plusSeconds(4));
        store.update(r);
        assertEquals(Optional.of(r), store.get("m-1"));
    }

    @Test
    void updateOfAnUnknownIdFails() {
        MigrationRecord r = requested("m-404", "demo", "lab-a", 0);
        NoSuchElementException e =
                assertThrows(NoSuchElementException.class, () -> store.update(r));
        assertTrue(e.getMessage().contains("m-404"), e.getMessage());
        assertEquals(Optional.empty(), store.get("m-404"));
    }

    @Test
    void updateNeverChangesTheStateOfATerminalRecord() {
        MigrationRecord running = migration("m-1", "demo", "lab-a", "lab-b",
                RecordState.RUNNING, 0);
        MigrationRecord failed = running.failed("link down", Figures.none(), T0.plusSeconds(5));
        store.insert(failed);

        for (MigrationRecord other : List.of(running,
                running.succeeded(FULL, T0.plusSeconds(6)),
                running.aborted("cancelled", Figures.none(), T0.plusSeconds(6)),
                requested("m-1", "demo", "lab-a", 0))) {
            IllegalStateException e =
                    assertThrows(IllegalStateException.class, () -> store.update(other));
            assertTrue(e.getMessage().contains("m-1") && e.getMessage().contains("FAILED"),
                    e.getMessage());
            assertEquals(Optional.of(failed), store.get("m-1"));
        }

        // The same terminal state may be rewritten, e.g. to add the figures that came later.
        MigrationRecord better = running.failed("link down at pass 3", FULL, T0.plusSeconds(5));
        store.update(better);
        assertEquals(Optional.of(better), store.get("m-1"));
    }

    @Test
    void nonTerminalRecordsMayBeRewrittenFreely() {
        MigrationRecord planned = migration("m-1", "demo", "lab-a", "lab-b",
                RecordState.PLANNED, 0);
        store.insert(planned);
        MigrationRecord replanned = requested("m-1", "demo", "lab-a", 0).planned("lab-c", "moved");
        store.update(replanned);
        assertEquals(Optional.of(replanned), store.get("m-1"));
    }

    // ---- queries --------------------------------------------------------------------------------

    private List<String> ids(List<MigrationRecord> records) {
        return records.stream().map(MigrationRecord::id).toList();
    }

    private void insertSample() {
        store.insert(migration("m-1", "demo", "lab-a", "lab-b", RecordState.SUCCEEDED, 10));
        store.insert(migration("m-2", "web", "lab-b", "lab-c", RecordState.FAILED, 20));
        store.insert(migration("m-3", "demo", "lab-b", "lab-c", RecordState.RUNNING, 30));
        store.insert(migration("m-4", "db", "lab-c", "lab-a", RecordState.PLANNED, 30));
        store.insert(migration("m-5", "web", "lab-a", "", RecordState.REQUESTED, 40));
        store.insert(migration("m-6", "db", "lab-d", "lab-e", RecordState.ABORTED, 5));
    }

    @Test
    void listIsNewestFirstWithIdsBreakingTies() {
        insertSample();
        assertEquals(List.of("m-5", "m-4", "m-3", "m-2", "m-1", "m-6"),
                ids(store.list(Query.latest(100))));
    }

    @Test
    void listHonoursTheLimit() {
        insertSample();
        assertEquals(List.of("m-5", "m-4"), ids(store.list(Query.latest(2))));
        assertEquals(List.of("m-5"), ids(store.list(Query.latest(1))));
        assertThrows(IllegalArgumentException.class, () -> Query.latest(0));
    }

    /** The filter the orchestrator applies to records kept in memory is the one the file applies. */
    @Test
    void aQueryMatchesTheRecordsListReturns() {
        insertSample();
        List<MigrationRecord> all = store.list(Query.latest(100));
        for (Query q : List.of(Query.latest(100).withVm("demo"), Query.latest(100).withHost("lab-a"),
                Query.latest(100).withHost("lab-e"), Query.latest(100).withState(RecordState.RUNNING),
                Query.latest(100).withVm("web").withHost("lab-c").withState(RecordState.FAILED),
                Query.latest(100).withVm("demo").withState(RecordState.ABORTED), Query.latest(100).withHost("lab"))) {
            assertEquals(ids(store.list(q)), ids(all.stream().filter(q::matches).toList()), q.toString());
        }
    }

    @Test
    void listFiltersByVmHostAndState() {
        insertSample();
        assertEquals(List.of("m-3", "m-1"), ids(store.list(Query.latest(10).withVm("demo"))));
        // host matches the source or the target
        assertEquals(List.of("m-5", "m-4", "m-1"),
                ids(store.list(Query.latest(10).withHost("lab-a"))));
        assertEquals(List.of("m-6"), ids(store.list(Query.latest(10).withHost("lab-e"))));
        assertEquals(List.of("m-3"),
                ids(store.list(Query.latest(10).withState(RecordState.RUNNING))));
        // combined
        assertEquals(List.of("m-2"), ids(store.list(
                Query.latest(10).withVm("web").withHost("lab-c").withState(RecordState.FAILED))));
        assertEquals(List.of("m-3"),
                ids(store.list(Query.latest(10).withVm("demo").withHost("lab-c"))));
        assertEquals(List.of(), ids(store.list(Query.latest(10).withVm("demo")
                .withState(RecordState.ABORTED))));
        assertEquals(List.of(), ids(store.list(Query.latest(10).withVm("nope"))));
        // A host name is matched exactly, not as a pattern.
        assertEquals(List.of(), ids(store.list(Query.latest(10).withHost("lab-%"))));
    }

    @Test
    void unfinishedIsTheNonTerminalOnesOldestFirst() {
        assertEquals(List.of(), store.unfinished());
        insertSample();
        List<MigrationRecord> unfinished = store.unfinished();
        assertEquals(List.of("m-3", "m-4", "m-5"), ids(unfinished));
        assertEquals(store.get("m-3").orElseThrow(), unfinished.get(0));
        assertTrue(unfinished.stream().noneMatch(MigrationRecord::terminal));
    }

    // ---- ids ------------------------------------------------------------------------------------

    @Test
    void idsIncreaseAndSurviveReopening() {
        assertEquals("m-000001", store.nextId());
        assertEquals("m-000002", store.nextId());
        assertEquals("r-000001", store.nextRoundId());
        store.close();
        try (HistoryStore again = HistoryStore.open(file)) {
            assertEquals("m-000003", again.nextId());
            assertEquals("r-000002", again.nextRoundId());
        }
        store = HistoryStore.open(file);
        assertEquals("m-000004", store.nextId());
    }

    @Test
    void idsAreUniqueAcrossThreadsAndStoresOnTheSameFile() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (HistoryStore second = HistoryStore.open(file)) {
            List<Future<List<String>>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                HistoryStore s = t % 2 == 0 ? store : second;
                futures.add(pool.submit(() -> {
                    List<String> mine = new ArrayList<>();
                    for (int i = 0; i < 20; i++) {
                        String id = s.nextId();
                        s.insert(requested(id, "vm-" + id, "lab-a", i));
                        mine.add(id);
                    }
                    return mine;
                }));
            }
            Set<String> all = new HashSet<>();
            for (Future<List<String>> f : futures) {
                for (String id : f.get(30, TimeUnit.SECONDS)) {
                    assertTrue(all.add(id), "id handed out twice: " + id);
                }
            }
            assertEquals(160, all.size());
            assertEquals(160, store.list(Query.latest(1000)).size());
            assertEquals(160, second.list(Query.latest(1000)).size());
            assertEquals("m-000161", store.nextId());
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- rounds ---------------------------------------------------------------------------------

    @Test
    void roundsRoundTripAndListNewestFirst() {
        RoundRecord dry = new RoundRecord(store.nextRoundId(), T0, true, "schedule", 0.25, 0.125,
                List.of("demo: lab-a -> lab-b", "web: lab-a -> lab-c"), List.of(),
                "planned 2 moves (dry run)");
        RoundRecord none = new RoundRecord(store.nextRoundId(), T0.plusSeconds(60), false,
                "schedule", 0.031, 0.031, List.of(), List.of(),
                "no move: spread 0.031 below threshold 0.1");
        RoundRecord odd = new RoundRecord(store.nextRoundId(), T0.plusNanos(999_999), false,
                "user " + NASTY, Double.NaN, Double.POSITIVE_INFINITY, List.of(NASTY, ""),
                List.of("m-000001", "m-000002"), NASTY);
        store.insertRound(dry);
        store.insertRound(none);
        store.insertRound(odd);

        assertEquals(List.of(none, odd, dry), store.rounds(10));
        assertEquals(List.of(none), store.rounds(1));
        RoundRecord read = store.round(odd.id()).orElseThrow();
        assertTrue(Double.isNaN(read.spreadBefore()));
        assertEquals(Double.POSITIVE_INFINITY, read.spreadAfterPlanned());
        assertEquals(Optional.of(dry), store.round("r-000001"));
        assertEquals(Optional.empty(), store.round("r-404"));
        assertThrows(IllegalArgumentException.class, () -> store.rounds(0));
    }

    @Test
    void roundsCanBeUpdatedButNotDuplicated() {
        RoundRecord r = new RoundRecord("r-000001", T0, false, "user", 0.3, 0.1,
                List.of("demo: lab-a -> lab-b"), List.of(), "planning");
        store.insertRound(r);
        assertThrows(IllegalArgumentException.class, () -> store.insertRound(r));

        RoundRecord started = new RoundRecord("r-000001", T0, false, "user", 0.3, 0.1,
                List.of("demo: lab-a -> lab-b"), List.of("m-000007"), "1 move started");
        store.updateRound(started);
        assertEquals(List.of(started), store.rounds(5));

        RoundRecord unknown = new RoundRecord("r-000404", T0, false, "user", 0, 0, List.of(),
                List.of(), "");
        NoSuchElementException e =
                assertThrows(NoSuchElementException.class, () -> store.updateRound(unknown));
        assertTrue(e.getMessage().contains("r-000404"), e.getMessage());
    }

    // ---- the file -------------------------------------------------------------------------------

    @Test
    void fileIsConfiguredForDurability() {
        assertEquals("wal", store.pragma("journal_mode"));
        assertEquals("2", store.pragma("synchronous"), "synchronous=FULL");
        assertEquals("5000", store.pragma("busy_timeout"));
        assertEquals(String.valueOf(HistoryStore.SCHEMA_VERSION), store.pragma("user_version"));
        assertEquals(2, HistoryStore.SCHEMA_VERSION);
        assertEquals(file.toAbsolutePath(), store.file());
    }

    /**
     * The probe changes nothing, yet commits a frame to the write-ahead log as every write does:
     * on a full disk, appending it fails with SQLITE_FULL as a record's write would.
     */
    @Test
    void aProbeWriteChangesNothingButAppendsToTheLog() throws Exception {
        store.insert(requested("m-1", "demo", "lab-a", 0));
        Path log = Path.of(file + "-wal");
        long before = Files.size(log);

        store.probeWrite();
        store.probeWrite();

        assertTrue(Files.size(log) >= before + 2 * 4096, before + " -> " + Files.size(log));
        assertEquals(String.valueOf(HistoryStore.SCHEMA_VERSION), store.pragma("user_version"));
        assertEquals(List.of("m-1"), store.list(Query.latest(10)).stream().map(MigrationRecord::id).toList());
        store.close();
        try (HistoryStore again = HistoryStore.open(file)) {
            assertEquals(String.valueOf(HistoryStore.SCHEMA_VERSION), again.pragma("user_version"));
        }
    }

    @Test
    void openCreatesMissingDirectories() {
        Path deep = dir.resolve("a/b/c/history.db");
        try (HistoryStore s = HistoryStore.open(deep)) {
            s.insert(requested("m-1", "demo", "lab-a", 0));
        }
        assertTrue(Files.isRegularFile(deep));
    }

    @Test
    void aFileThatIsNotSqliteIsReportedWithItsPath() throws Exception {
        Path garbage = dir.resolve("garbage.db");
        byte[] bytes = new byte[8192];
        new java.util.Random(7).nextBytes(bytes);
        Files.write(garbage, bytes);

        HistoryException e = assertThrows(HistoryException.class, () -> HistoryStore.open(garbage));
        assertTrue(e.getMessage().contains(garbage.toAbsolutePath().toString()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void aDirectoryInPlaceOfTheFileIsReportedWithItsPath() throws Exception {
        Path notAFile = Files.createDirectories(dir.resolve("history-dir.db"));
        HistoryException e = assertThrows(HistoryException.class, () -> HistoryStore.open(notAFile));
        assertTrue(e.getMessage().contains(notAFile.toString()), e.getMessage());
    }

    /** A file written before timelines (schema 1) opens, and its migrations read back without one. */
    @Test
    void aVersionOneFileIsUpgradedAndItsRowsHaveNoTimeline() throws Exception {
        store.insert(requested("m-1", "demo", "lab-a", 0));
        store.close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement()) {
            s.execute("ALTER TABLE migrations DROP COLUMN phases_json");
            s.execute("PRAGMA user_version = 1");
        }
        store = HistoryStore.open(file);

        assertEquals("2", store.pragma("user_version"));
        assertEquals(List.of(), store.get("m-1").orElseThrow().figures().phases());
        MigrationRecord ended = store.get("m-1").orElseThrow()
                .failed("x", Figures.none().withPhases(List.of(new Phase("request", "orchestrator", 0, 1))),
                        T0.plusSeconds(1));
        store.update(ended);
        assertEquals(Optional.of(ended), store.get("m-1"));
    }

    @Test
    void aRowWithAMalformedTimelineIsReportedCorrupt() throws Exception {
        store.insert(requested("m-1", "demo", "lab-a", 0));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement()) {
            s.execute("UPDATE migrations SET phases_json = '[{\"name\":\"job\",\"where\":\"agent\",\"startMs\":0,"
                    + "\"durationMs\":-5}]' WHERE id = 'm-1'");
        }
        HistoryException e = assertThrows(HistoryException.class, () -> store.get("m-1"));
        assertTrue(e.getMessage().contains("migration m-1 is corrupt"), e.getMessage());
    }

    @Test
    void aNewerSchemaIsRefused() throws Exception {
        store.close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement()) {
            s.execute("PRAGMA user_version = 99");
        }
        HistoryException e = assertThrows(HistoryException.class, () -> HistoryStore.open(file));
        assertTrue(e.getMessage().contains("99") && e.getMessage().contains(file.toString()),
                e.getMessage());
        store = HistoryStore.open(dir.resolve("other.db")); // for close()
    }

    @Test
    void aRowWithAModeThisOrchestratorDoesNotKnowIsReportedCorrupt() throws Exception {
        store.insert(requested("m-1", "demo", "lab-a", 0));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement()) {
            s.execute("UPDATE migrations SET mode_requested = 'warp' WHERE id = 'm-1'");
        }
        HistoryException e = assertThrows(HistoryException.class, () -> store.get("m-1"));
        assertTrue(e.getMessage().contains("migration m-1 is corrupt: unknown migration mode 'warp'"),
                e.getMessage());
    }

    @Test
    void aSecondStoreOnTheSameFileSeesTheWritesOfTheFirst() {
        store.insert(requested("m-1", "demo", "lab-a", 0));
        try (HistoryStore second = HistoryStore.open(file)) {
            assertEquals(store.get("m-1"), second.get("m-1"));
            second.insert(requested("m-2", "web", "lab-b", 1));
            assertTrue(store.get("m-2").isPresent());
            assertNotEquals(store.nextId(), second.nextId());
        }
    }

    @Test
    void aClosedStoreRefusesCalls() {
        store.close();
        store.close(); // idempotent
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> store.get("m-1"));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertThrows(IllegalStateException.class, () -> store.nextId());
    }

    /**
     * A record written by a process that is then killed with SIGKILL, without closing anything, is
     * in the file: every call commits before it returns.
     */
    @Test
    void aWriteSurvivesKillingTheProcessRightAfter() throws Exception {
        Path shared = dir.resolve("killed/history.db");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                HistoryWriterMain.class.getName(), shared.toString())
                .redirectErrorStream(true)
                .start();
        String line;
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            line = out.readLine();
            child.destroyForcibly(); // SIGKILL on Linux
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        }
        assertEquals("written m-000001", line);
        assertNotEquals(0, child.exitValue(), "the child was killed, it did not exit");

        try (HistoryStore after = HistoryStore.open(shared)) {
            MigrationRecord r = after.get("m-000001").orElseThrow();
            assertEquals(RecordState.RUNNING, r.state());
            assertEquals("written before the kill", r.reason());
            assertEquals(List.of(r), after.unfinished());
            assertEquals("m-000002", after.nextId());
        }
    }
}
