package io.livemig.agent.libvirt;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.NativeLongByReference;
import com.sun.jna.ptr.PointerByReference;
import org.libvirt.jna.ConnectionPointer;
import org.libvirt.jna.DomainPointer;

/**
 * JNA bindings of the libvirt.so functions that libvirt-java 0.5.4 does not expose. Signatures
 * follow libvirt-domain.h and libvirt-event.h; {@code unsigned long} is a {@link NativeLong},
 * {@code unsigned int flags} an {@code int}.
 *
 * <p>The pointer types are libvirt-java's own public {@link ConnectionPointer} and
 * {@link DomainPointer}, so pointers obtained here and there are interchangeable. Every call
 * returns -1 (or null) on failure and leaves the reason in libvirt's thread-local last error,
 * read with {@link #virGetLastErrorCode()} and {@link #virGetLastErrorMessage()} on the same thread.
 */
interface LibvirtNative extends Library {

    /** Same library name as libvirt-java, so JNA shares one loaded libvirt.so.0. */
    LibvirtNative INSTANCE = Native.load("virt", LibvirtNative.class);

    /** VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION (libvirt 1.3.2). */
    int EVENT_ID_MIGRATION_ITERATION = 20;
    /** VIR_DOMAIN_EVENT_ID_JOB_COMPLETED (libvirt 3.0.0). */
    int EVENT_ID_JOB_COMPLETED = 21;
    /** VIR_DOMAIN_EVENT_ID_LIFECYCLE. */
    int EVENT_ID_LIFECYCLE = 0;
    /** virDomainEventType VIR_DOMAIN_EVENT_RESUMED, and its detail VIR_DOMAIN_EVENT_RESUMED_MIGRATED. */
    int EVENT_RESUMED = 4;
    int EVENT_RESUMED_MIGRATED = 1;

    /** The domain's name; no call to the daemon. */
    String virDomainGetName(DomainPointer domain);

    DomainPointer virDomainLookupByUUIDString(ConnectionPointer conn, String uuid);

    int virDomainFree(DomainPointer domain);

    /** VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY: the limit of the post-copy phase. */
    int MAX_SPEED_POSTCOPY = 1;

    /** Bandwidth in MiB/s; applies to the running migration and to later ones. */
    int virDomainMigrateSetMaxSpeed(DomainPointer domain, NativeLong bandwidthMiBps, int flags);

    int virDomainMigrateGetMaxSpeed(DomainPointer domain, NativeLongByReference bandwidthMiBps, int flags);

    /** Switches a migration started with VIR_MIGRATE_POSTCOPY to post-copy; flags must be 0. */
    int virDomainMigrateStartPostCopy(DomainPointer domain, int flags);

    /** @return the callback id, or -1 */
    int virConnectDomainEventRegisterAny(
            ConnectionPointer conn, DomainPointer domain, int eventId, Callback callback, Pointer opaque, Pointer freeCallback);

    int virConnectDomainEventDeregisterAny(ConnectionPointer conn, int callbackId);

    /** VIR_CONNECT_COMPARE_CPU_FAIL_INCOMPATIBLE: fail with the reason instead of answering "incompatible". */
    int COMPARE_CPU_FAIL_INCOMPATIBLE = 1;
    /** virCPUCompareResult. */
    int CPU_COMPARE_ERROR = -1;
    int CPU_COMPARE_INCOMPATIBLE = 0;
    int CPU_COMPARE_IDENTICAL = 1;
    int CPU_COMPARE_SUPERSET = 2;

    /** libvirt 4.4.0; null arguments mean the host's defaults. */
    int virConnectCompareHypervisorCPU(ConnectionPointer conn, String emulator, String arch, String machine,
            String virttype, String xmlCPU, int flags);

    /** virDomainState values and the post-copy reasons of virDomainRunningReason / virDomainPausedReason. */
    int DOMAIN_RUNNING = 1;
    int DOMAIN_PAUSED = 3;
    int DOMAIN_SHUTOFF = 5;
    int RUNNING_POSTCOPY_FAILED = 11;
    int PAUSED_POSTCOPY = 12;
    int PAUSED_POSTCOPY_FAILED = 13;

    /** The domain's state and the reason for it; flags must be 0. */
    int virDomainGetState(DomainPointer domain, IntByReference state, IntByReference reason, int flags);

    /** VIR_DOMAIN_STATS_DIRTYRATE (libvirt 7.2). */
    int STATS_DIRTYRATE = 1 << 9;
    /** virDomainDirtyRateStatus. */
    int DIRTYRATE_MEASURING = 1;
    int DIRTYRATE_MEASURED = 2;

    /** Starts measuring the guest's dirty rate for {@code seconds} (page sampling); the result comes in the stats. */
    int virDomainStartDirtyRateCalc(DomainPointer domain, int seconds, int flags);

    /**
     * Statistics of the given domains ({@code doms}: a NULL-terminated array of virDomainPtr);
     * {@code retStats} receives a NULL-terminated array of virDomainStatsRecordPtr, freed with
     * {@link #virDomainStatsRecordListFree}.
     */
    int virDomainListGetStats(Pointer doms, int stats, PointerByReference retStats, int flags);

    void virDomainStatsRecordListFree(Pointer stats);

    int virGetLastErrorCode();

    String virGetLastErrorMessage();

    void virResetLastError();

    /** virConnectDomainEventMigrationIterationCallback. */
    interface MigrationIterationCallback extends Callback {
        void invoke(ConnectionPointer conn, DomainPointer domain, int iteration, Pointer opaque);
    }

    /** virConnectDomainEventCallback (lifecycle events); the return value is ignored by libvirt. */
    interface LifecycleCallback extends Callback {
        int invoke(ConnectionPointer conn, DomainPointer domain, int event, int detail, Pointer opaque);
    }

    /**
     * virConnectDomainEventJobCompletedCallback. {@code params} belong to libvirt and are only
     * valid during the call: copy, never free.
     */
    interface JobCompletedCallback extends Callback {
        void invoke(ConnectionPointer conn, DomainPointer domain, Pointer params, int nparams, Pointer opaque);
    }
}
