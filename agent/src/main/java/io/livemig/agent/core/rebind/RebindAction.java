package io.livemig.agent.core.rebind;

/** What happens to one binding of the VM to its host when it moves to the target. */
public enum RebindAction {
    /** Valid on the target as it is; the XML is not changed. */
    KEEP,
    /** Rewritten in the destination XML to the target's equivalent. */
    MAP,
    /**
     * The XML keeps (or maps) it, and the agent must make something exist on the target before the
     * migration starts (a file QEMU opens when it starts there).
     */
    PREPARE,
    /**
     * A disk on the source's local storage copied with the VM (VIR_MIGRATE_NON_SHARED_DISK,
     * listed in migrate_disks); the agent pre-creates the image on the target at the same path.
     */
    COPY,
    /** The VM cannot be migrated to this target as it is; the reason says why. */
    REFUSE
}
