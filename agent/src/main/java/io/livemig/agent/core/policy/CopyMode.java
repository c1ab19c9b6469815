package io.livemig.agent.core.policy;

/** How the caller wants a VM's memory moved. */
public enum CopyMode {
    /** Live pre-copy only: copy memory while the guest runs, re-send what it dirties. */
    PRECOPY,
    /** Not live: pause the guest, copy everything, resume it on the destination. */
    STOPCOPY,
    /** Live: one full pre-copy pass, then run the guest on the destination and pull the rest. */
    POSTCOPY,
    /** Live pre-copy that escalates by itself when it will not converge (see {@link MigrationPolicy}). */
    AUTO;

    /** Whether the guest keeps running while its memory is copied (libvirt's LIVE flag). */
    public boolean isLive() {
        return this != STOPCOPY;
    }

    /**
     * Whether the migration must be started with libvirt's POSTCOPY flag: it cannot be switched to
     * post-copy later otherwise.
     */
    public boolean needsPostcopyFlag(PolicySettings settings) {
        return this == POSTCOPY || this == AUTO && settings.postcopyAllowed();
    }
}
