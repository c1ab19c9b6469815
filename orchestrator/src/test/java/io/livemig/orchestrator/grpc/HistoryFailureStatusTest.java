package io.livemig.orchestrator.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.livemig.orchestrator.history.HistoryException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/**
 * A history the orchestrator cannot write is the operator's storage problem: a status that says
 * so and one line naming the file, never INTERNAL with a Java class name (as it was:
 * "io.livemig.orchestrator.history.HistoryException: history ...: [SQLITE_FULL] ... (INTERNAL)").
 */
class HistoryFailureStatusTest {

    private static HistoryException failure(String sqlite, int code) {
        return new HistoryException("history /var/lib/livemig/history.db: cannot allocate a migration id: " + sqlite,
                new SQLException(sqlite, null, code));
    }

    @Test
    void aFullDiskIsResourceExhausted() {
        HistoryException full = failure("[SQLITE_FULL] Insertion failed because database is full "
                + "(database or disk is full)", 13);
        StatusRuntimeException s = OrchestratorGrpcService.status(full);
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, s.getStatus().getCode());
        assertEquals(full.getMessage(), s.getStatus().getDescription());
        assertFalse(s.getStatus().getDescription().contains("Exception"), s.getStatus().getDescription());
    }

    @Test
    void aReadOnlyOrLockedHistoryIsUnavailable() {
        assertEquals(Status.Code.UNAVAILABLE, OrchestratorGrpcService.status(
                failure("[SQLITE_READONLY] Attempt to write a readonly database (attempt to write a readonly database)", 8))
                .getStatus().getCode());
        assertEquals(Status.Code.UNAVAILABLE, OrchestratorGrpcService.status(
                failure("[SQLITE_BUSY] The database file is locked (database is locked)", 5)).getStatus().getCode());
    }
}
