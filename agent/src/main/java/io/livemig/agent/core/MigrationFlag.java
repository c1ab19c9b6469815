package io.livemig.agent.core;

/**
 * libvirt's {@code virDomainMigrateFlags}, with the bit values of libvirt-domain.h
 * (libvirt 11). The comments give the libvirt version that introduced each flag.
 */
public enum MigrationFlag {
    /** Keep the guest running while its memory is copied (0.3.2). */
    LIVE(1L << 0),
    /** The source daemon drives the migration instead of the client (0.7.2). */
    PEER2PEER(1L << 1),
    /** Send migration data through the libvirt connection; needs PEER2PEER (0.7.2). */
    TUNNELLED(1L << 2),
    /** Define the domain on the destination (0.7.3). */
    PERSIST_DEST(1L << 3),
    /** Undefine the domain on the source once migration succeeded (0.7.3). */
    UNDEFINE_SOURCE(1L << 4),
    /** Leave the domain paused on the destination (0.7.5). */
    PAUSED(1L << 5),
    /** Copy full disk images too (0.8.2). */
    NON_SHARED_DISK(1L << 6),
    /** Copy the top image of each disk's backing chain too (0.8.2). */
    NON_SHARED_INC(1L << 7),
    /** Refuse configuration changes during migration (0.9.4). */
    CHANGE_PROTECTION(1L << 8),
    /** Migrate even if libvirt considers it unsafe (0.9.11). */
    UNSAFE(1L << 9),
    /** Migrate the definition only; needs PERSIST_DEST (1.0.1). */
    OFFLINE(1L << 10),
    /** Compress migration data (1.0.3). */
    COMPRESSED(1L << 11),
    /** Abort on soft errors such as I/O errors (1.1.0). */
    ABORT_ON_ERROR(1L << 12),
    /** Throttle the guest's CPUs so that pre-copy converges (1.2.3). */
    AUTO_CONVERGE(1L << 13),
    /** Pin all guest memory at once for RDMA migration (1.2.9). */
    RDMA_PIN_ALL(1L << 14),
    /** Allow switching to post-copy with virDomainMigrateStartPostCopy (1.3.3). */
    POSTCOPY(1L << 15),
    /** Encrypt migration data with the hypervisor's TLS setup (3.2.0). */
    TLS(1L << 16),
    /** Send memory over several connections (5.2.0). */
    PARALLEL(1L << 17),
    /** Make storage copy writes synchronous; needs NON_SHARED_DISK or NON_SHARED_INC (8.0.0). */
    NON_SHARED_SYNCHRONOUS_WRITES(1L << 18),
    /** Resume a post-copy migration that failed (8.5.0). */
    POSTCOPY_RESUME(1L << 19),
    /** Send memory pages with zero-copy (8.5.0). */
    ZEROCOPY(1L << 20);

    private final long bit;

    MigrationFlag(long bit) {
        this.bit = bit;
    }

    /** The VIR_MIGRATE_* value. */
    public long bit() {
        return bit;
    }
}
