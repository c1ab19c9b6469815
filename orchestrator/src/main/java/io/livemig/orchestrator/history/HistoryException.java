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

    private static String oneLine(String message) {
        return message == null ? null : message.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}
