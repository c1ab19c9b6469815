package io.livemig.orchestrator.history;

import io.livemig.orchestrator.workflow.MigrationRecord;
import io.livemig.orchestrator.workflow.RecordState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;

/**
 * The orchestrator's history of migrations and rebalance rounds in one SQLite file.
 *
 * <p>Durability is the point: after an orchestrator crash, the history is how it learns which
 * migrations it had started, so a record must be on disk when {@link #insert} or {@link #update}
 * returns. Each call is therefore its own transaction, committed before returning, with the
 * write-ahead log ({@code journal_mode=WAL}: readers do not block the writer, a crash mid-write
 * leaves the last committed state) and {@code synchronous=FULL} (the log is fsynced at every
 * commit, so a commit survives a power cut, not only a killed process). {@code busy_timeout}
 * 5000 ms lets a second process (e.g. an operator's read-only tool) share the file without
 * immediate "database is locked" errors.
 *
 * <p>The schema carries its version in {@code PRAGMA user_version}; {@link #open} upgrades an
 * older file step by step (each step in one transaction) and refuses a newer one, so an older
 * orchestrator never misreads a newer file ({@link HistorySchema}).
 *
 * <p>Thread-safe: one connection, every public method synchronized on the store; the calls are
 * short, so serialising them costs little. Instants are stored as epoch milliseconds, lists of
 * strings as JSON arrays ({@link JsonStrings}), states by name; the tables' rows are mapped by
 * {@link MigrationRows} and {@link RoundRows}.
 *
 * <p>Errors from SQLite become a {@link HistoryException} naming the file; misuse (duplicate id,
 * unknown id, overwriting a finished migration) the usual unchecked exceptions.
 */
public final class HistoryStore implements History, AutoCloseable {

    /** The schema version this code writes. */
    public static final int SCHEMA_VERSION = HistorySchema.VERSION;

    /**
     * Which migrations {@link #list} returns, newest first.
     *
     * @param vm only this VM's
     * @param host only those from or to this host
     * @param state only those in this state
     * @param limit at most this many (&gt;= 1)
     */
    public record Query(
            Optional<String> vm, Optional<String> host, Optional<RecordState> state, int limit) {
        public Query {
            Objects.requireNonNull(vm, "vm");
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(state, "state");
            if (limit < 1) {
                throw new IllegalArgumentException("limit must be >= 1, got " + limit);
            }
        }

        /** The newest {@code limit} migrations, unfiltered. */
        public static Query latest(int limit) {
            return new Query(Optional.empty(), Optional.empty(), Optional.empty(), limit);
        }

        public Query withVm(String vm) {
            return new Query(Optional.of(vm), host, state, limit);
        }

        public Query withHost(String host) {
            return new Query(vm, Optional.of(host), state, limit);
        }

        public Query withState(RecordState state) {
            return new Query(vm, host, Optional.of(state), limit);
        }

        /** Whether {@code r} passes the filters (the limit aside), as {@link #list} applies them. */
        public boolean matches(MigrationRecord r) {
            return vm.map(r.vm()::equals).orElse(true)
                    && host.map(h -> h.equals(r.source()) || h.equals(r.target())).orElse(true)
                    && state.map(r.state()::equals).orElse(true);
        }
    }

    private final Path file;
    private final Connection connection;
    private final MigrationRows migrations;
    private final RoundRows rounds;
    private boolean closed;

    private HistoryStore(Path file, Connection connection) {
        this.file = file;
        this.connection = connection;
        this.migrations = new MigrationRows(connection, file);
        this.rounds = new RoundRows(connection, file);
    }

    /**
     * Opens the history in {@code file}, creating its directory, the file and the schema when they
     * do not exist and upgrading an older schema.
     *
     * @throws HistoryException if the file cannot be created or opened, is not a SQLite database,
     *     or was written by a newer schema version
     */
    public static HistoryStore open(Path file) {
        Path path = file.toAbsolutePath().normalize();
        try {
            if (path.getParent() != null) {
                Files.createDirectories(path.getParent());
            }
        } catch (IOException e) {
            throw new HistoryException(
                    "cannot create the directory of history " + path + ": " + e, e);
        }
        Connection c = null;
        try {
            c = DriverManager.getConnection("jdbc:sqlite:" + path);
            HistorySchema.configure(c, path);
            HistorySchema.upgrade(c, path);
            return new HistoryStore(path, c);
        } catch (SQLException e) {
            closeQuietly(c);
            throw new HistoryException("cannot open history " + path + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
    }

    /** The absolute path of the history file. */
    public Path file() {
        return file;
    }

    /** A new migration id, "m-000001", "m-000002", ...; never the same twice for this file. */
    @Override
    public synchronized String nextId() {
        return String.format("m-%06d", next("migration"));
    }

    /** A new rebalance round id, "r-000001", ...; never the same twice for this file. */
    @Override
    public synchronized String nextRoundId() {
        return String.format("r-%06d", next("round"));
    }

    /**
     * Adds a migration.
     *
     * @throws IllegalArgumentException if a migration with this id exists
     */
    @Override
    public synchronized void insert(MigrationRecord r) {
        Objects.requireNonNull(r, "r");
        run("insert migration " + r.id(), () -> {
            migrations.insert(r);
            return null;
        });
    }

    /**
     * Replaces a migration by its new version (same id).
     *
     * @throws NoSuchElementException if there is no migration with this id
     * @throws IllegalStateException if the stored migration is terminal and {@code r} has another
     *     state: an outcome, once recorded, is final
     */
    @Override
    public synchronized void update(MigrationRecord r) {
        Objects.requireNonNull(r, "r");
        run("update migration " + r.id(), () -> {
            migrations.update(r);
            return null;
        });
    }

    /** The migration with this id, if any. */
    @Override
    public synchronized Optional<MigrationRecord> get(String id) {
        Objects.requireNonNull(id, "id");
        return run("read migration " + id, () -> migrations.byId(id)).stream().findFirst();
    }

    /** Migrations matching {@code q}, newest first (by requestedAt, then id, descending). */
    @Override
    public synchronized List<MigrationRecord> list(Query q) {
        Objects.requireNonNull(q, "q");
        return run("list migrations", () -> migrations.list(q));
    }

    /**
     * Migrations not in a terminal state, oldest first: what an orchestrator must reconcile after
     * a restart and then go on with, in the order they were asked for.
     */
    @Override
    public synchronized List<MigrationRecord> unfinished() {
        return run("list unfinished migrations", migrations::unfinished);
    }

    /**
     * Adds a rebalance round.
     *
     * @throws IllegalArgumentException if a round with this id exists
     */
    @Override
    public synchronized void insertRound(RoundRecord r) {
        Objects.requireNonNull(r, "r");
        run("insert round " + r.id(), () -> {
            rounds.insert(r);
            return null;
        });
    }

    /**
     * Replaces a rebalance round by its new version (e.g. with the ids of the migrations it
     * started, or its final result).
     *
     * @throws NoSuchElementException if there is no round with this id
     */
    @Override
    public synchronized void updateRound(RoundRecord r) {
        Objects.requireNonNull(r, "r");
        run("update round " + r.id(), () -> {
            rounds.update(r);
            return null;
        });
    }

    /** The round with this id, if any. */
    @Override
    public synchronized Optional<RoundRecord> round(String id) {
        Objects.requireNonNull(id, "id");
        return run("read round " + id, () -> rounds.byId(id)).stream().findFirst();
    }

    /** The newest {@code limit} rounds, newest first (by time, then id, descending). */
    @Override
    public synchronized List<RoundRecord> rounds(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, got " + limit);
        }
        return run("list rounds", () -> rounds.newest(limit));
    }

    /**
     * Sets {@code PRAGMA user_version} to its own value in one immediate transaction: nothing
     * changes, yet SQLite writes the database header page (page 1) again, so the commit appends a
     * frame to the write-ahead log and fsyncs it like any other write, and fails as they do
     * (SQLITE_FULL when the disk is full). An UPDATE that sets a column to its own value would not
     * do: SQLite leaves a page whose content does not change unwritten, and such a commit writes
     * nothing.
     */
    @Override
    public synchronized void probeWrite() {
        run("write (probe)", () -> Sql.inTransaction(connection, () -> {
            try (Statement s = connection.createStatement()) {
                // Read under the write lock and set as read: the schema version never changes here.
                int version = Integer.parseInt(Sql.stringPragma(s, "PRAGMA user_version"));
                s.execute("PRAGMA user_version = " + version);
            }
            return null;
        }));
    }

    /** Closes the file. Idempotent; any other call afterwards throws IllegalStateException. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            connection.close();
        } catch (SQLException e) {
            throw new HistoryException("cannot close history " + file + ": " + e.getMessage(), e);
        }
    }

    /** The value of a PRAGMA, e.g. "journal_mode"; for diagnostics and tests. */
    synchronized String pragma(String name) {
        if (!name.matches("[a-z_]+")) {
            throw new IllegalArgumentException("not a pragma name: " + name);
        }
        return run("read pragma " + name, () -> {
            try (Statement s = connection.createStatement()) {
                return Sql.stringPragma(s, "PRAGMA " + name);
            }
        });
    }

    // ---------------------------------------------------------------------------------------------

    /** Runs {@code work}, turning an SQLException into a HistoryException naming the file. */
    private <T> T run(String what, Sql.Work<T> work) {
        if (closed) {
            throw new IllegalStateException("history " + file + " is closed");
        }
        try {
            return work.run();
        } catch (SQLException e) {
            throw new HistoryException(
                    "history " + file + ": cannot " + what + ": " + e.getMessage(), e);
        }
    }

    /** Increments and returns a persistent counter, in one immediate transaction. */
    private long next(String counter) {
        return run("allocate a " + counter + " id", () -> Sql.inTransaction(connection, () -> {
            try (PreparedStatement up = connection.prepareStatement(
                    "INSERT INTO counters (name, value) VALUES (?, 1)"
                            + " ON CONFLICT (name) DO UPDATE SET value = value + 1")) {
                up.setString(1, counter);
                up.executeUpdate();
            }
            try (PreparedStatement q =
                    connection.prepareStatement("SELECT value FROM counters WHERE name = ?")) {
                q.setString(1, counter);
                try (ResultSet rs = q.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        }));
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // Already failing; the first error is the one to report.
            }
        }
    }
}
