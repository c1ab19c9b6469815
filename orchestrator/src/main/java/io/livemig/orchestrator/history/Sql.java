package io.livemig.orchestrator.history;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.List;

/** JDBC helpers the history's parts share: transactions, pragmas, nullable columns. */
final class Sql {

    private Sql() {
    }

    @FunctionalInterface
    interface Work<T> {
        T run() throws SQLException;
    }

    /**
     * Runs {@code work} in a {@code BEGIN IMMEDIATE} transaction: the write lock is taken at the
     * start, so a concurrent writer waits (busy_timeout) instead of failing half-way.
     */
    static <T> T inTransaction(Connection c, Work<T> work) throws SQLException {
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

    static String stringPragma(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : "";
        }
    }

    static void bindAll(PreparedStatement ps, List<?> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            ps.setObject(i + 1, args.get(i));
        }
    }

    static void setInstant(PreparedStatement ps, int n, Instant at) throws SQLException {
        if (at == null) {
            ps.setNull(n, Types.BIGINT);
        } else {
            ps.setLong(n, at.toEpochMilli());
        }
    }

    /** SQLite has no NaN (it would store NULL anyway): NaN is stored as NULL, explicitly. */
    static void setDouble(PreparedStatement ps, int n, double v) throws SQLException {
        if (Double.isNaN(v)) {
            ps.setNull(n, Types.DOUBLE);
        } else {
            ps.setDouble(n, v);
        }
    }

    static Instant getInstant(ResultSet rs, String column) throws SQLException {
        long ms = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(ms);
    }

    static double getDouble(ResultSet rs, String column) throws SQLException {
        double v = rs.getDouble(column);
        return rs.wasNull() ? Double.NaN : v;
    }
}
