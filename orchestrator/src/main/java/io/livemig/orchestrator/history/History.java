package io.livemig.orchestrator.history;

import io.livemig.orchestrator.workflow.MigrationRecord;
import java.util.List;
import java.util.Optional;

/**
 * The orchestrator's history as the orchestrator uses it: migrations and rebalance rounds, each
 * write durable when it returns. {@link HistoryStore} keeps it in SQLite; the orchestrator takes
 * this interface so that its handling of a history it cannot write (a full disk, a read-only file)
 * can be exercised with one whose writes fail on demand.
 *
 * <p>Every method may throw {@link HistoryException} when the history cannot be read or written.
 */
public interface History {

    /** A new migration id, never the same twice for this history (a write). */
    String nextId();

    /** A new rebalance round id, never the same twice for this history (a write). */
    String nextRoundId();

    /** Adds a migration; IllegalArgumentException if one with this id exists. */
    void insert(MigrationRecord r);

    /** Replaces a migration by its new version; a terminal one never changes state. */
    void update(MigrationRecord r);

    Optional<MigrationRecord> get(String id);

    /** Migrations matching {@code q}, newest first. */
    List<MigrationRecord> list(HistoryStore.Query q);

    /** Migrations not in a terminal state, oldest first. */
    List<MigrationRecord> unfinished();

    void insertRound(RoundRecord r);

    void updateRound(RoundRecord r);

    Optional<RoundRecord> round(String id);

    /** The newest {@code limit} rounds, newest first. */
    List<RoundRecord> rounds(int limit);

    /**
     * A write that changes nothing, durable as every other write (so it fails as they do on a full
     * disk or a read-only file): whether the history takes writes again after one failed.
     */
    void probeWrite();
}
