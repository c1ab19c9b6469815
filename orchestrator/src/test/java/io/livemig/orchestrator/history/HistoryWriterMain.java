package io.livemig.orchestrator.history;

import io.livemig.orchestrator.workflow.MigrationRecord;
import io.livemig.orchestrator.workflow.TransferMode;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Run in a child JVM by {@link HistoryStoreTest}: writes a migration, says so on stdout and then
 * waits to be killed (SIGKILL), without ever closing the store.
 */
public final class HistoryWriterMain {
    private HistoryWriterMain() {}

    public static void main(String[] args) throws Exception {
        HistoryStore store = HistoryStore.open(Path.of(args[0]));
        String id = store.nextId();
        MigrationRecord r = MigrationRecord.requested(id, "demo", "lab-a", "", TransferMode.AUTO, "user",
                Instant.ofEpochMilli(1_700_000_000_000L)).planned("lab-b", "written before the kill");
        store.insert(r);
        store.update(r.running("agent-1", Instant.ofEpochMilli(1_700_000_001_000L)));
        System.out.println("written " + id);
        System.out.flush();
        Thread.sleep(60_000);
    }
}
