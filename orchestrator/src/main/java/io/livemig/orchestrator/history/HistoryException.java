package io.livemig.orchestrator.history;

/**
 * The history file could not be read or written (not a SQLite database, disk full, locked past
 * the busy timeout, written by a newer orchestrator...). Unchecked: the orchestrator cannot carry
 * on without its history, and callers should not have to thread {@code SQLException} through
 * pure code. The message is one line and names the file.
 */
public final class HistoryException extends RuntimeException {

    public HistoryException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    public HistoryException(String message) {
        super(oneLine(message));
    }

    /**
     * Whether the history could not be written because its file system is full (SQLite's
     * SQLITE_FULL): space must be freed, unlike a locked, read-only or damaged file.
     */
    public boolean storageFull() {
        for (Throwable t = getCause(); t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException e
                    && ((e.getErrorCode() & 0xff) == SQLITE_FULL || String.valueOf(e.getMessage()).contains("SQLITE_FULL"))) {
                return true;
            }
        }
        return false;
    }

    /** SQLite's primary result code for "database or disk is full". */
    private static final int SQLITE_FULL = 13;

    private static String oneLine(String message) {
        return message == null ? null : message.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}
