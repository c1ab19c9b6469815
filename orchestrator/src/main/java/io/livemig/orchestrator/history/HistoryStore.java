package io.livemig.orchestrator.history;

import io.livemig.orchestrator.workflow.Figures;
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
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

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
 * orchestrator never misreads a newer file.
 *
 * <p>Thread-safe: one connection, every public method synchronized on the store; the calls are
 * short, so serialising them costs little. Instants are stored as epoch milliseconds, lists of
 * strings as JSON arrays ({@link JsonStrings}), states by name.
 *
 * <p>Errors from SQLite become a {@link HistoryException} naming the file; misuse (duplicate id,
 * unknown id, overwriting a finished migration) the usual unchecked exceptions.
 */
public final class HistoryStore implements AutoCloseable {

    /** The schema version this code writes; see {@link #SCHEMA}. */
    public static final int SCHEMA_VERSION = 1;

    /**
     * SCHEMA.get(v) upgrades a file from version v to v + 1; version 0 is a new, empty file. Never
     * edit a released step: add one, and bump {@link #SCHEMA_VERSION}.
     */
    private static final List<List<String>> SCHEMA = List.of(List.of(
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
            "CREATE TABLE counters (name TEXT NOT NULL PRIMARY KEY, value INTEGER NOT NULL)"));

    private static final String MIGRATION_COLUMNS = "id, vm, source, target, mode_requested, state,"
            + " origin, reason, agent_migration_id, requested_at_ms, started_at_ms, ended_at_ms,"
            + " total_ms, downtime_ms, setup_ms, memory_bytes, bytes_transferred, iterations,"
            + " postcopy_requests, mode_used, escalations_json, error";
    private static final String ROUND_COLUMNS = "id, at_ms, dry_run, round_trigger, spread_before,"
            + " spread_after_planned, moves_json, migration_ids_json, result";
    private static final String TERMINAL_STATES = Arrays.stream(RecordState.values())
            .filter(RecordState::terminal)
            .map(s -> "'" + s.name() + "'")
            .collect(Collectors.joining(", "));

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
    }

    private final Path file;
    private final Connection connection;
    private boolean closed;

    private HistoryStore(Path file, Connection connection) {
        this.file = file;
        this.connection = connection;
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
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA busy_timeout = 5000");
                String mode = stringPragma(s, "PRAGMA journal_mode = WAL");
                if (!"wal".equalsIgnoreCase(mode)) {
                    throw new HistoryException("history " + path + ": cannot use the write-ahead log"
                            + " (journal_mode stays " + mode + ")");
                }
                s.execute("PRAGMA synchronous = FULL");
            }
            upgrade(c, path);
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
    public synchronized String nextId() {
        return String.format("m-%06d", next("migration"));
    }

    /** A new rebalance round id, "r-000001", ...; never the same twice for this file. */
    public synchronized String nextRoundId() {
        return String.format("r-%06d", next("round"));
    }

    /**
     * Adds a migration.
     *
     * @throws IllegalArgumentException if a migration with this id exists
     */
    public synchronized void insert(MigrationRecord r) {
        Objects.requireNonNull(r, "r");
        run("insert migration " + r.id(), () -> {
            try (PreparedStatement ps = connection.prepareStatement(
                    "INSERT INTO migrations (" + MIGRATION_COLUMNS + ") VALUES ("
                            + "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                bindMigration(ps, r);
                ps.executeUpdate();
            } catch (SQLiteException e) {
                if (e.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY) {
                    throw new IllegalArgumentException(
                            "migration " + r.id() + " already exists in history " + file);
                }
                throw e;
            }
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
    public synchronized void update(MigrationRecord r) {
        Objects.requireNonNull(r, "r");
        run("update migration " + r.id(), () -> {
            // One statement checks and writes, so no other writer can slip in between.
            int changed;
            try (PreparedStatement ps = connection.prepareStatement(
                    "UPDATE migrations SET (" + MIGRATION_COLUMNS + ") = ("
                            + "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                            + " WHERE id = ? AND (state NOT IN (" + TERMINAL_STATES + ") OR state = ?)")) {
                int n = bindMigration(ps, r);
                ps.setString(n++, r.id());
                ps.setString(n, r.state().name());
                changed = ps.executeUpdate();
            }
            if (changed == 0) {
                try (PreparedStatement ps =
                        connection.prepareStatement("SELECT state FROM migrations WHERE id = ?")) {
                    ps.setString(1, r.id());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw new NoSuchElementException(
                                    "no migration " + r.id() + " in history " + file);
                        }
                        throw new IllegalStateException("migration " + r.id() + " is already "
                                + rs.getString(1) + " in the history; it cannot become " + r.state());
                    }
                }
            }
            return null;
        });
    }

    /** The migration with this id, if any. */
    public synchronized Optional<MigrationRecord> get(String id) {
        Objects.requireNonNull(id, "id");
        List<MigrationRecord> found = run("read migration " + id, () -> queryMigrations(
                "SELECT " + MIGRATION_COLUMNS + " FROM migrations WHERE id = ?", List.of(id)));
        return found.stream().findFirst();
    }

    /** Migrations matching {@code q}, newest first (by requestedAt, then id, descending). */
    public synchronized List<MigrationRecord> list(Query q) {
        Objects.requireNonNull(q, "q");
        StringBuilder sql = new StringBuilder("SELECT " + MIGRATION_COLUMNS + " FROM migrations");
        List<Object> args = new ArrayList<>();
        List<String> where = new ArrayList<>();
        q.vm().ifPresent(vm -> {
            where.add("vm = ?");
            args.add(vm);
        });
        q.host().ifPresent(host -> {
            where.add("(source = ? OR target = ?)");
            args.add(host);
            args.add(host);
        });
        q.state().ifPresent(state -> {
            where.add("state = ?");
            args.add(state.name());
        });
        if (!where.isEmpty()) {
            sql.append(" WHERE ").append(String.join(" AND ", where));
        }
        sql.append(" ORDER BY requested_at_ms DESC, id DESC LIMIT ?");
        args.add(q.limit());
        return run("list migrations", () -> queryMigrations(sql.toString(), args));
    }

    /**
     * Migrations not in a terminal state, oldest first: what an orchestrator must reconcile after
     * a restart and then go on with, in the order they were asked for.
     */
    public synchronized List<MigrationRecord> unfinished() {
        return run("list unfinished migrations", () -> queryMigrations(
                "SELECT " + MIGRATION_COLUMNS + " FROM migrations WHERE state NOT IN ("
                        + TERMINAL_STATES + ") ORDER BY requested_at_ms, id", List.of()));
    }

    /**
     * Adds a rebalance round.
     *
     * @throws IllegalArgumentException if a round with this id exists
     */
    public synchronized void insertRound(RoundRecord r) {
        Objects.requireNonNull(r, "r");
        run("insert round " + r.id(), () -> {
            try (PreparedStatement ps = connection.prepareStatement(
                    "INSERT INTO rounds (" + ROUND_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                bindRound(ps, r);
                ps.executeUpdate();
            } catch (SQLiteException e) {
                if (e.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY) {
                    throw new IllegalArgumentException(
                            "round " + r.id() + " already exists in history " + file);
                }
                throw e;
            }
            return null;
        });
    }

    /**
     * Replaces a rebalance round by its new version (e.g. with the ids of the migrations it
     * started, or its final result).
     *
     * @throws NoSuchElementException if there is no round with this id
     */
    public synchronized void updateRound(RoundRecord r) {
        Objects.requireNonNull(r, "r");
        run("update round " + r.id(), () -> {
            try (PreparedStatement ps = connection.prepareStatement("UPDATE rounds SET ("
                    + ROUND_COLUMNS + ") = (?, ?, ?, ?, ?, ?, ?, ?, ?) WHERE id = ?")) {
                int n = bindRound(ps, r);
                ps.setString(n, r.id());
                if (ps.executeUpdate() == 0) {
                    throw new NoSuchElementException("no round " + r.id() + " in history " + file);
                }
            }
            return null;
        });
    }

    /** The round with this id, if any. */
    public synchronized Optional<RoundRecord> round(String id) {
        Objects.requireNonNull(id, "id");
        List<RoundRecord> found = run("read round " + id, () -> queryRounds(
                "SELECT " + ROUND_COLUMNS + " FROM rounds WHERE id = ?", List.of(id)));
        return found.stream().findFirst();
    }

    /** The newest {@code limit} rounds, newest first (by time, then id, descending). */
    public synchronized List<RoundRecord> rounds(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, got " + limit);
        }
        return run("list rounds", () -> queryRounds("SELECT " + ROUND_COLUMNS
                + " FROM rounds ORDER BY at_ms DESC, id DESC LIMIT ?", List.of(limit)));
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
                return stringPragma(s, "PRAGMA " + name);
            }
        });
    }

    // ---------------------------------------------------------------------------------------------

    @FunctionalInterface
    private interface SqlWork<T> {
        T run() throws SQLException;
    }

    /** Runs {@code work}, turning an SQLException into a HistoryException naming the file. */
    private <T> T run(String what, SqlWork<T> work) {
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
        return run("allocate a " + counter + " id", () -> inTransaction(connection, () -> {
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

    /**
     * Runs {@code work} in a {@code BEGIN IMMEDIATE} transaction: the write lock is taken at the
     * start, so a concurrent writer waits (busy_timeout) instead of failing half-way.
     */
    private static <T> T inTransaction(Connection c, SqlWork<T> work) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
            boolean done = false;
            try {
                T result = work.run();
                s.execute("COMMIT");
                done = true;
                return result;
            } finally {
                if (!done) {
                    try {
                        s.execute("ROLLBACK");
                    } catch (SQLException e) {
                        // The transaction is gone already; the original error is the one to report.
                    }
                }
            }
        }
    }

    private static void upgrade(Connection c, Path path) throws SQLException {
        int found;
        try (Statement s = c.createStatement()) {
            found = Integer.parseInt(stringPragma(s, "PRAGMA user_version"));
        }
        if (found == SCHEMA_VERSION) {
            return;
        }
        if (found > SCHEMA_VERSION) {
            throw new HistoryException("history " + path + " has schema version " + found
                    + ", newer than this orchestrator knows (" + SCHEMA_VERSION + ")");
        }
        inTransaction(c, () -> {
            try (Statement s = c.createStatement()) {
                // Read again under the write lock: another process may have upgraded the file meanwhile.
                int version = Integer.parseInt(stringPragma(s, "PRAGMA user_version"));
                for (; version < SCHEMA_VERSION; version++) {
                    for (String sql : SCHEMA.get(version)) {
                        s.execute(sql);
                    }
                }
                s.execute("PRAGMA user_version = " + SCHEMA_VERSION);
            }
            return null;
        });
    }

    private static String stringPragma(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : "";
        }
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

    /** Binds the 22 migration columns from index 1; returns the next free index. */
    private static int bindMigration(PreparedStatement ps, MigrationRecord r) throws SQLException {
        int n = 1;
        ps.setString(n++, r.id());
        ps.setString(n++, r.vm());
        ps.setString(n++, r.source());
        ps.setString(n++, r.target());
        ps.setString(n++, r.modeRequested());
        ps.setString(n++, r.state().name());
        ps.setString(n++, r.origin());
        ps.setString(n++, r.reason());
        ps.setString(n++, r.agentMigrationId());
        ps.setLong(n++, r.requestedAt().toEpochMilli());
        setInstant(ps, n++, r.startedAt());
        setInstant(ps, n++, r.endedAt());
        Figures f = r.figures();
        ps.setLong(n++, f.totalMs());
        ps.setLong(n++, f.downtimeMs());
        ps.setLong(n++, f.setupMs());
        ps.setLong(n++, f.memoryBytes());
        ps.setLong(n++, f.bytesTransferred());
        ps.setInt(n++, f.iterations());
        ps.setInt(n++, f.postcopyRequests());
        ps.setString(n++, f.modeUsed());
        ps.setString(n++, JsonStrings.write(f.escalations()));
        ps.setString(n++, r.error());
        return n;
    }

    private static int bindRound(PreparedStatement ps, RoundRecord r) throws SQLException {
        int n = 1;
        ps.setString(n++, r.id());
        ps.setLong(n++, r.at().toEpochMilli());
        ps.setInt(n++, r.dryRun() ? 1 : 0);
        ps.setString(n++, r.trigger());
        setDouble(ps, n++, r.spreadBefore());
        setDouble(ps, n++, r.spreadAfterPlanned());
        ps.setString(n++, JsonStrings.write(r.moves()));
        ps.setString(n++, JsonStrings.write(r.migrationIds()));
        ps.setString(n++, r.result());
        return n;
    }

    private static void setInstant(PreparedStatement ps, int n, Instant at) throws SQLException {
        if (at == null) {
            ps.setNull(n, Types.BIGINT);
        } else {
            ps.setLong(n, at.toEpochMilli());
        }
    }

    /** SQLite has no NaN (it would store NULL anyway): NaN is stored as NULL, explicitly. */
    private static void setDouble(PreparedStatement ps, int n, double v) throws SQLException {
        if (Double.isNaN(v)) {
            ps.setNull(n, Types.DOUBLE);
        } else {
            ps.setDouble(n, v);
        }
    }

    private static void bindAll(PreparedStatement ps, List<?> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            ps.setObject(i + 1, args.get(i));
        }
    }

    private List<MigrationRecord> queryMigrations(String sql, List<?> args) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            bindAll(ps, args);
            List<MigrationRecord> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(readMigration(rs));
                }
            }
            return out;
        }
    }

    private List<RoundRecord> queryRounds(String sql, List<?> args) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            bindAll(ps, args);
            List<RoundRecord> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(readRound(rs));
                }
            }
            return out;
        }
    }

    private MigrationRecord readMigration(ResultSet rs) throws SQLException {
        String id = rs.getString("id");
        try {
            Figures f = new Figures(rs.getLong("total_ms"), rs.getLong("downtime_ms"),
                    rs.getLong("setup_ms"), rs.getLong("memory_bytes"), rs.getLong("bytes_transferred"),
                    rs.getInt("iterations"), rs.getInt("postcopy_requests"), rs.getString("mode_used"),
                    JsonStrings.read(rs.getString("escalations_json")));
            return new MigrationRecord(id, rs.getString("vm"), rs.getString("source"),
                    rs.getString("target"), rs.getString("mode_requested"),
                    RecordState.parse(rs.getString("state")), rs.getString("origin"),
                    rs.getString("reason"), rs.getString("agent_migration_id"),
                    Instant.ofEpochMilli(rs.getLong("requested_at_ms")), getInstant(rs, "started_at_ms"),
                    getInstant(rs, "ended_at_ms"), f, rs.getString("error"));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new HistoryException(
                    "history " + file + ": migration " + id + " is corrupt: " + e.getMessage(), e);
        }
    }

    private RoundRecord readRound(ResultSet rs) throws SQLException {
        String id = rs.getString("id");
        try {
            return new RoundRecord(id, Instant.ofEpochMilli(rs.getLong("at_ms")),
                    rs.getInt("dry_run") != 0, rs.getString("round_trigger"),
                    getDouble(rs, "spread_before"), getDouble(rs, "spread_after_planned"),
                    JsonStrings.read(rs.getString("moves_json")),
                    JsonStrings.read(rs.getString("migration_ids_json")), rs.getString("result"));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new HistoryException(
                    "history " + file + ": round " + id + " is corrupt: " + e.getMessage(), e);
        }
    }

    private static Instant getInstant(ResultSet rs, String column) throws SQLException {
        long ms = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(ms);
    }

    private static double getDouble(ResultSet rs, String column) throws SQLException {
        double v = rs.getDouble(column);
        return rs.wasNull() ? Double.NaN : v;
    }
}
