package io.livemig.agent.core;

/** libvirt's {@code virDomainJobOperation}: what started the job (stats field "operation"). */
public enum JobOperation {
    UNKNOWN,
    START,
    SAVE,
    RESTORE,
    MIGRATION_IN,
    MIGRATION_OUT,
    SNAPSHOT,
    SNAPSHOT_REVERT,
    DUMP,
    BACKUP,
    SNAPSHOT_DELETE;

    /** Maps libvirt's raw value; values this code does not know map to {@link #UNKNOWN}. */
    public static JobOperation fromLibvirt(long raw) {
        JobOperation[] all = values();
        return raw >= 0 && raw < all.length ? all[(int) raw] : UNKNOWN;
    }
}
