package io.livemig.orchestrator.service;

import io.livemig.orchestrator.history.History;
import io.livemig.orchestrator.history.HistoryException;
import io.livemig.orchestrator.history.HistoryStore;
import io.livemig.orchestrator.history.RoundRecord;
import io.livemig.orchestrator.workflow.MigrationRecord;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A real SQLite history whose disk fills when the test says so: from {@link #fill} (or after a
 * number of writes, {@link #fillAfter}) until {@link #free}, every write fails as SQLite fails on a
 * full disk (SQLITE_FULL, the message naming the file); reads go on working, as they do then.
 */
public final class FakeHistory implements History {

    private final HistoryStore store;
    /** Writes left before the disk is full; negative: never full. */
    private final AtomicInteger writesLeft = new AtomicInteger(-1);
    private final AtomicInteger failedWrites = new AtomicInteger();

    public FakeHistory(HistoryStore store) {
        this.store = store;
    }

    /** The history as it is on disk. */
    public HistoryStore store() {
        return store;
    }

    /** The disk is full: every write fails from now on. */
    public void fill() {
        writesLeft.set(0);
    }

    /** The disk fills after {@code writes} more writes. */
    public void fillAfter(int writes) {
        writesLeft.set(writes);
    }

    /** Space is back: writes work again. */
    public void free() {
        writesLeft.set(-1);
    }

    /** The writes that failed so far. */
    public int failedWrites() {
        return failedWrites.get();
    }

    private <T> T write(String what, Supplier<T> work) {
        if (writesLeft.getAndUpdate(n -> n > 0 ? n - 1 : n) == 0) {
            failedWrites.incrementAndGet();
            String sqlite = "[SQLITE_FULL] Insertion failed because database is full (database or disk is full)";
            throw new HistoryException("history " + store.file() + ": cannot " + what + ": " + sqlite,
                    new SQLException(sqlite, null, 13));
        }
        return work.get();
    }

    private void write(String what, Runnable work) {
        write(what, () -> {
            work.run();
            return null;
        });
    }

    @Override
    public String nextId() {
        return write("allocate a migration id", store::nextId);
    }

    @Override
    public String nextRoundId() {
        return write("allocate a round id", store::nextRoundId);
    }

    @Override
    public void insert(MigrationRecord r) {
        write("insert migration " + r.id(), () -> store.insert(r));
    }

    @Override
    public void update(MigrationRecord r) {
        write("update migration " + r.id(), () -> store.update(r));
    }

    @Override
    public Optional<MigrationRecord> get(String id) {
        return store.get(id);
    }

    @Override
    public List<MigrationRecord> list(HistoryStore.Query q) {
        return store.list(q);
    }

    @Override
    public List<MigrationRecord> unfinished() {
        return store.unfinished();
    }

    @Override
    public void insertRound(RoundRecord r) {
        write("insert round " + r.id(), () -> store.insertRound(r));
    }

    @Override
    public void updateRound(RoundRecord r) {
        write("update round " + r.id(), () -> store.updateRound(r));
    }

    @Override
    public Optional<RoundRecord> round(String id) {
        return store.round(id);
    }

    @Override
    public List<RoundRecord> rounds(int limit) {
        return store.rounds(limit);
    }

    @Override
    public void probeWrite() {
        write("write (probe)", store::probeWrite);
    }
}
