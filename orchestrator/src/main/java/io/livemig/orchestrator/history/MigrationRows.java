package io.livemig.orchestrator.history;

import io.livemig.orchestrator.workflow.Figures;
import io.livemig.orchestrator.workflow.MigrationRecord;
import io.livemig.orchestrator.workflow.RecordState;
import io.livemig.orchestrator.workflow.TransferMode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.stream.Collectors;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The {@code migrations} table: a {@link MigrationRecord} per row, with its statements. Not
 * thread-safe: {@link HistoryStore} serialises the calls.
 */
final class MigrationRows {

    private static final String COLUMNS = "id, vm, source, target, mode_requested, state,"
            + " origin, reason, agent_migration_id, requested_at_ms, started_at_ms, ended_at_ms,"
            + " total_ms, downtime_ms, setup_ms, memory_bytes, bytes_transferred, iterations,"
            + " postcopy_requests, mode_used, escalations_json, error, phases_json";
    private static final String PLACEHOLDERS = "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?";
    private static final String TERMINAL_STATES = Arrays.stream(RecordState.values())
            .filter(RecordState::terminal)
            .map(s -> "'" + s.name() + "'")
            .collect(Collectors.joining(", "));

    private final Connection connection;
    private final Path file;

    MigrationRows(Connection connection, Path file) {
        this.connection = connection;
        this.file = file;
    }

    void insert(MigrationRecord r) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "INSERT INTO migrations (" + COLUMNS + ") VALUES (" + PLACEHOLDERS + ")")) {
            bind(ps, r);
            ps.executeUpdate();
        } catch (SQLiteException e) {
            if (e.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY) {
                throw new IllegalArgumentException("migration " + r.id() + " already exists in history " + file);
            }
            throw e;
        }
    }

    void update(MigrationRecord r) throws SQLException {
        // One statement checks and writes, so no other writer can slip in between.
        int changed;
        try (PreparedStatement ps = connection.prepareStatement(
                "UPDATE migrations SET (" + COLUMNS + ") = (" + PLACEHOLDERS + ")"
                        + " WHERE id = ? AND (state NOT IN (" + TERMINAL_STATES + ") OR state = ?)")) {
            int n = bind(ps, r);
            ps.setString(n++, r.id());
            ps.setString(n, r.state().name());
            changed = ps.executeUpdate();
        }
        if (changed == 0) {
            try (PreparedStatement ps = connection.prepareStatement("SELECT state FROM migrations WHERE id = ?")) {
                ps.setString(1, r.id());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new NoSuchElementException("no migration " + r.id() + " in history " + file);
                    }
                    throw new IllegalStateException("migration " + r.id() + " is already "
                            + rs.getString(1) + " in the history; it cannot become " + r.state());
                }
            }
        }
    }

    List<MigrationRecord> byId(String id) throws SQLException {
        return query("SELECT " + COLUMNS + " FROM migrations WHERE id = ?", List.of(id));
    }

    List<MigrationRecord> list(HistoryStore.Query q) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM migrations");
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
        return query(sql.toString(), args);
    }

    List<MigrationRecord> unfinished() throws SQLException {
        return query("SELECT " + COLUMNS + " FROM migrations WHERE state NOT IN (" + TERMINAL_STATES
                + ") ORDER BY requested_at_ms, id", List.of());
    }

    private List<MigrationRecord> query(String sql, List<?> args) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            Sql.bindAll(ps, args);
            List<MigrationRecord> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
            return out;
        }
    }

    /** Binds the 22 columns from index 1; returns the next free index. */
    private static int bind(PreparedStatement ps, MigrationRecord r) throws SQLException {
        int n = 1;
        ps.setString(n++, r.id());
        ps.setString(n++, r.vm());
        ps.setString(n++, r.source());
        ps.setString(n++, r.target());
        ps.setString(n++, r.modeRequested().label());
        ps.setString(n++, r.state().name());
        ps.setString(n++, r.origin());
        ps.setString(n++, r.reason());
        ps.setString(n++, r.agentMigrationId());
        ps.setLong(n++, r.requestedAt().toEpochMilli());
        Sql.setInstant(ps, n++, r.startedAt());
        Sql.setInstant(ps, n++, r.endedAt());
        Figures f = r.figures();
        ps.setLong(n++, f.totalMs());
        ps.setLong(n++, f.downtimeMs());
        ps.setLong(n++, f.setupMs());
        ps.setLong(n++, f.memoryBytes());
        ps.setLong(n++, f.bytesTransferred());
        ps.setInt(n++, f.iterations());
        ps.setInt(n++, f.postcopyRequests());
        ps.setString(n++, f.modeUsed().map(TransferMode::label).orElse(""));
        ps.setString(n++, JsonStrings.write(f.escalations()));
        ps.setString(n++, r.error());
        ps.setString(n++, JsonPhases.write(f.phases()));
        return n;
    }

    /** "" is stored for a migration whose agent never reported a mode. */
    private static Optional<TransferMode> modeUsed(String label) {
        return label == null || label.isEmpty() ? Optional.empty() : Optional.of(TransferMode.parse(label));
    }

    private MigrationRecord read(ResultSet rs) throws SQLException {
        String id = rs.getString("id");
        try {
            Figures f = new Figures(rs.getLong("total_ms"), rs.getLong("downtime_ms"),
                    rs.getLong("setup_ms"), rs.getLong("memory_bytes"), rs.getLong("bytes_transferred"),
                    rs.getInt("iterations"), rs.getInt("postcopy_requests"), modeUsed(rs.getString("mode_used")),
                    JsonStrings.read(rs.getString("escalations_json")), JsonPhases.read(rs.getString("phases_json")));
            return new MigrationRecord(id, rs.getString("vm"), rs.getString("source"),
                    rs.getString("target"), TransferMode.parse(rs.getString("mode_requested")),
                    RecordState.parse(rs.getString("state")), rs.getString("origin"),
                    rs.getString("reason"), rs.getString("agent_migration_id"),
                    Instant.ofEpochMilli(rs.getLong("requested_at_ms")), Sql.getInstant(rs, "started_at_ms"),
                    Sql.getInstant(rs, "ended_at_ms"), f, rs.getString("error"));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new HistoryException("history " + file + ": migration " + id + " is corrupt: " + e.getMessage(), e);
        }
    }
}
