package io.livemig.common.log;

import org.slf4j.MDC;

/**
 * The log context of one migration: its id and VM in the MDC, so that every line logged about it
 * carries them (the launcher's layout prints "[migration=ID vm=NAME]"). Shared by the agent and
 * the orchestrator; the pure core never logs.
 */
public final class MigrationLog implements AutoCloseable {

    /** MDC key: the migration's id (the agent's, or the orchestrator's record id). */
    public static final String MIGRATION = "migration";
    /** MDC key: the VM's name. */
    public static final String VM = "vm";

    private final String previousMigration;
    private final String previousVm;

    private MigrationLog(String migrationId, String vmName) {
        previousMigration = MDC.get(MIGRATION);
        previousVm = MDC.get(VM);
        put(MIGRATION, migrationId);
        put(VM, vmName);
    }

    /** Sets the context on this thread until {@link #close()}, which restores what was there. */
    public static MigrationLog of(String migrationId, String vmName) {
        return new MigrationLog(migrationId, vmName);
    }

    @Override
    public void close() {
        put(MIGRATION, previousMigration);
        put(VM, previousVm);
    }

    private static void put(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
