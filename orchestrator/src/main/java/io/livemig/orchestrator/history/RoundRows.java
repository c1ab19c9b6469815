package io.livemig.orchestrator.history;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The {@code rounds} table: a {@link RoundRecord} per row, with its statements. Not thread-safe:
 * {@link HistoryStore} serialises the calls.
 */
final class RoundRows {

    private static final String COLUMNS = "id, at_ms, dry_run, round_trigger, spread_before,"
            + " spread_after_planned, moves_json, migration_ids_json, result";

    private final Connection connection;
    private final Path file;

    RoundRows(Connection connection, Path file) {
        this.connection = connection;
        this.file = file;
    }

    void insert(RoundRecord r) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "INSERT INTO rounds (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            bind(ps, r);
            ps.executeUpdate();
        } catch (SQLiteException e) {
            if (e.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY) {
                throw new IllegalArgumentException("round " + r.id() + " already exists in history " + file);
            }
            throw e;
        }
    }

    void update(RoundRecord r) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("UPDATE rounds SET ("
                + COLUMNS + ") = (?, ?, ?, ?, ?, ?, ?, ?, ?) WHERE id = ?")) {
            int n = bind(ps, r);
            ps.setString(n, r.id());
            if (ps.executeUpdate() == 0) {
                throw new NoSuchElementException("no round " + r.id() + " in history " + file);
            }
        }
    }

    List<RoundRecord> byId(String id) throws SQLException {
        return query("SELECT " + COLUMNS + " FROM rounds WHERE id = ?", List.of(id));
    }

    List<RoundRecord> newest(int limit) throws SQLException {
        return query("SELECT " + COLUMNS + " FROM rounds ORDER BY at_ms DESC, id DESC LIMIT ?", List.of(limit));
    }

    private List<RoundRecord> query(String sql, List<?> args) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            Sql.bindAll(ps, args);
            List<RoundRecord> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
            return out;
        }
    }

    private static int bind(PreparedStatement ps, RoundRecord r) throws SQLException {
        int n = 1;
        ps.setString(n++, r.id());
        ps.setLong(n++, r.at().toEpochMilli());
        ps.setInt(n++, r.dryRun() ? 1 : 0);
        ps.setString(n++, r.trigger());
        Sql.setDouble(ps, n++, r.spreadBefore());
        Sql.setDouble(ps, n++, r.spreadAfterPlanned());
        ps.setString(n++, JsonStrings.write(r.moves()));
        ps.setString(n++, JsonStrings.write(r.migrationIds()));
        ps.setString(n++, r.result());
        return n;
    }

    private RoundRecord read(ResultSet rs) throws SQLException {
        String id = rs.getString("id");
        try {
            return new RoundRecord(id, Instant.ofEpochMilli(rs.getLong("at_ms")),
                    rs.getInt("dry_run") != 0, rs.getString("round_trigger"),
                    Sql.getDouble(rs, "spread_before"), Sql.getDouble(rs, "spread_after_planned"),
                    JsonStrings.read(rs.getString("moves_json")),
                    JsonStrings.read(rs.getString("migration_ids_json")), rs.getString("result"));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new HistoryException("history " + file + ": round " + id + " is corrupt: " + e.getMessage(), e);
        }
    }
}
