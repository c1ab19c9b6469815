package io.livemig.orchestrator.history;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The history file's settings and schema. The schema carries its version in
 * {@code PRAGMA user_version}; {@link #upgrade} brings an older file up step by step (each step
 * in one transaction) and refuses a newer one, so an older orchestrator never misreads a newer
 * file.
 */
final class HistorySchema {

    /** The schema version this code writes; see {@link #STEPS}. */
    static final int VERSION = 2;

    /**
     * STEPS.get(v) upgrades a file from version v to v + 1; version 0 is a new, empty file. Never
     * edit a released step: add one, and bump {@link #VERSION}.
     */
    private static final List<List<String>> STEPS = List.of(List.of(
            """
            CREATE TABLE migrations (
              id TEXT NOT NULL PRIMARY KEY,
              vm TEXT NOT NULL,
              source TEXT NOT NULL,
              target TEXT NOT NULL,
              mode_requested TEXT NOT NULL,
              state TEXT NOT NULL,
              origin TEXT NOT NULL,
              reason TEXT NOT NULL,
              agent_migration_id TEXT NOT NULL,
              requested_at_ms INTEGER NOT NULL,
              started_at_ms INTEGER,
              ended_at_ms INTEGER,
              total_ms INTEGER NOT NULL,
              downtime_ms INTEGER NOT NULL,
              setup_ms INTEGER NOT NULL,
              memory_bytes INTEGER NOT NULL,
              bytes_transferred INTEGER NOT NULL,
              iterations INTEGER NOT NULL,
              postcopy_requests INTEGER NOT NULL,
              mode_used TEXT NOT NULL,
              escalations_json TEXT NOT NULL,
              error TEXT NOT NULL
            )""",
            "CREATE INDEX migrations_by_time ON migrations (requested_at_ms, id)",
            "CREATE INDEX migrations_by_vm ON migrations (vm)",
            "CREATE INDEX migrations_by_source ON migrations (source)",
            "CREATE INDEX migrations_by_target ON migrations (target)",
            "CREATE INDEX migrations_by_state ON migrations (state)",
            """
            CREATE TABLE rounds (
              id TEXT NOT NULL PRIMARY KEY,
              at_ms INTEGER NOT NULL,
              dry_run INTEGER NOT NULL,
              round_trigger TEXT NOT NULL,
              spread_before REAL,
              spread_after_planned REAL,
              moves_json TEXT NOT NULL,
              migration_ids_json TEXT NOT NULL,
              result TEXT NOT NULL
            )""",
            "CREATE INDEX rounds_by_time ON rounds (at_ms, id)",
            // Id counters, so that ids are never reused, even after the rows are deleted.
            "CREATE TABLE counters (name TEXT NOT NULL PRIMARY KEY, value INTEGER NOT NULL)"),
            // 1 -> 2: each migration's timeline (JSON array of phases), empty for older rows.
            List.of("ALTER TABLE migrations ADD COLUMN phases_json TEXT NOT NULL DEFAULT '[]'"));

    private HistorySchema() {
    }

    /**
     * The durability settings (see {@link HistoryStore}): write-ahead log, fsync at every
     * commit, and a wait instead of an immediate error when another process holds the lock.
     */
    static void configure(Connection c, Path path) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 5000");
            String mode = Sql.stringPragma(s, "PRAGMA journal_mode = WAL");
            if (!"wal".equalsIgnoreCase(mode)) {
                throw new HistoryException("history " + path + ": cannot use the write-ahead log"
                        + " (journal_mode stays " + mode + ")");
            }
            s.execute("PRAGMA synchronous = FULL");
        }
    }

    static void upgrade(Connection c, Path path) throws SQLException {
        int found;
        try (Statement s = c.createStatement()) {
            found = Integer.parseInt(Sql.stringPragma(s, "PRAGMA user_version"));
        }
        if (found == VERSION) {
            return;
        }
        if (found > VERSION) {
            throw new HistoryException("history " + path + " has schema version " + found
                    + ", newer than this orchestrator knows (" + VERSION + ")");
        }
        Sql.inTransaction(c, () -> {
            try (Statement s = c.createStatement()) {
                // Read again under the write lock: another process may have upgraded the file meanwhile.
                int version = Integer.parseInt(Sql.stringPragma(s, "PRAGMA user_version"));
                for (; version < VERSION; version++) {
                    for (String sql : STEPS.get(version)) {
                        s.execute(sql);
                    }
                }
                s.execute("PRAGMA user_version = " + VERSION);
            }
            return null;
        });
    }
}
