package io.livemig.agent.libvirt;

import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.NativeLongByReference;
import io.livemig.agent.core.HypervisorException;
import io.livemig.agent.core.HypervisorException.Reason;
import io.livemig.agent.core.JobSample;
import io.livemig.agent.core.JobStats;
import io.livemig.agent.core.MigrationFlag;
import io.livemig.agent.core.MigrationOutcome;
import io.livemig.agent.core.OutcomeStatus;
import io.livemig.agent.core.StatsOrigin;
import io.livemig.agent.core.migration.MigrationJob;
import io.livemig.agent.core.migration.MigrationSpec;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.libvirt.Domain;
import org.libvirt.DomainInfo.DomainState;
import org.libvirt.DomainJobStats;
import org.libvirt.LibvirtException;
import org.libvirt.jna.ConnectionPointer;
import org.libvirt.jna.DomainPointer;

/**
 * A migration started with virDomainMigrate3 (typed parameters, see {@link Migrate3Call}) in
 * libvirt's direct mode: this process drives both daemons. The call blocks until the migration
 * has ended, so it runs on a daemon thread of its own while the caller samples and steers.
 *
 * <p>Bindings: statistics, max downtime, suspend, abort and the QEMU monitor go through
 * libvirt-java; bandwidth, post-copy and events through {@link LibvirtNative} (JNA), on a domain
 * reference of our own obtained by {@link LibvirtConnection#nativeDomain}.
 *
 * <p>{@link #awaitChange} wakes up when the migrate call returns and on libvirt's
 * migration-iteration event (VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION); where the event cannot be
 * registered it only waits for the timeout, so callers sample at least that often. The
 * job-completed event (VIR_DOMAIN_EVENT_ID_JOB_COMPLETED) keeps the source's final statistics,
 * which libvirt offers nowhere else after a post-copy migration.
 *
 * <p>The job owns its two connections and releases them as soon as the migrate call has returned
 * and the outcome is known: there is nothing to close, and calls after the end fail with
 * INVALID_REQUEST. All methods are safe to call from any thread.
 */
public final class LibvirtMigrationJob implements MigrationJob {

    /** VIR_DOMAIN_JOB_STATS_COMPLETED: statistics of the job that ended last. */
    private static final int JOB_STATS_COMPLETED = 1;
    /** How long an abort may take before the half-arrived VM on the target is destroyed. */
    private static final long ABORT_GRACE_MS = 20_000;
    /** How long the outcome waits for the job-completed event when no completed statistics are left. */
    private static final long COMPLETED_EVENT_GRACE_MS = 2000;

    private final MigrationSpec spec;
    private final Migrate3Call call;
    private final LibvirtConnection source;
    private final LibvirtConnection destination;
    private final Domain domain;
    private final DomainPointer nativeDomain;
    private final long startedNanos = System.nanoTime();

    // Calls into libvirt hold the read lock; release() takes the write lock, so no call ever uses
    // a closed connection or a freed domain.
    private final ReentrantReadWriteLock resources = new ReentrantReadWriteLock();
    private boolean released;
    private int iterationCallbackId = -1;
    private int jobCompletedCallbackId = -1;

    // Held in fields: JNA's native stubs must stay reachable while libvirt may call them.
    private final LibvirtNative.MigrationIterationCallback onIteration = this::iterationEvent;
    private final LibvirtNative.JobCompletedCallback onJobCompleted = this::jobCompletedEvent;

    private final Object signal = new Object();
    private long changes;                         // under signal: iteration events and the end
    private long changesSeen;                     // under signal: what awaitChange has reported
    private Map<String, Object> completedEventStats; // under signal
    private final AtomicInteger iterationEvents = new AtomicInteger();

    private volatile boolean done;
    private volatile MigrationOutcome outcome;
    private volatile JobSample lastSample;
    private volatile boolean abortRequested;
    private volatile boolean suspendedBySteering;
    private volatile boolean resumedOnDestination;
    private volatile String lostDestination;      // once seen, the loss is remembered
    private volatile boolean postcopyStarted;
    private volatile String forcedAbort;          // what an abort that did not take effect led to

    private LibvirtMigrationJob(MigrationSpec spec, Migrate3Call call, LibvirtConnection source,
            LibvirtConnection destination, Domain domain, DomainPointer nativeDomain) {
        this.spec = spec;
        this.call = call;
        this.source = source;
        this.destination = destination;
        this.domain = domain;
        this.nativeDomain = nativeDomain;
    }

    /**
     * Connects to both hosts, checks the VM, sets the initial max downtime and starts the
     * migration thread.
     *
     * @throws HypervisorException when the migration cannot start: a host is unreachable, the VM
     *                             is unknown or not running, the spec is contradictory
     */
    static LibvirtMigrationJob start(MigrationSpec spec) throws HypervisorException {
        Migrate3Call call;
        try {
            call = Migrate3Call.of(spec);
        } catch (IllegalArgumentException e) {
            throw new HypervisorException(Reason.INVALID_REQUEST, e.getMessage(), e);
        }
        LibvirtConnection source = LibvirtConnection.open(spec.sourceUri());
        LibvirtConnection destination = null;
        Domain domain = null;
        DomainPointer nativeDomain = null;
        try {
            destination = LibvirtConnection.open(spec.destinationUri());
            domain = source.lookup(spec.vmName());
            requireRunning(domain, spec);
            nativeDomain = source.nativeDomain(domain.getUUIDString());
            if (spec.maxDowntimeMs() > 0) {
                // virDomainMigrate3 has no downtime parameter; QEMU keeps this value for the
                // migration that follows (libvirt restores the old one afterwards).
                domain.migrateSetMaxDowntime(spec.maxDowntimeMs());
            }
            LibvirtMigrationJob job = new LibvirtMigrationJob(spec, call, source, destination, domain, nativeDomain);
            job.registerEvents();
            job.launch();
            return job;
        } catch (LibvirtException e) {
            cleanUp(source, destination, domain, nativeDomain);
            throw LibvirtErrors.mapped("cannot start migrating VM '" + spec.vmName() + "'", e);
        } catch (HypervisorException | RuntimeException e) {
            cleanUp(source, destination, domain, nativeDomain);
            throw e;
        }
    }

    private static void cleanUp(LibvirtConnection source, LibvirtConnection destination, Domain domain,
            DomainPointer nativeDomain) {
        LibvirtConnection.freeNative(nativeDomain);
        LibvirtConnection.free(domain);
        if (destination != null) {
            destination.close();
        }
        source.close();
    }

    private static void requireRunning(Domain domain, MigrationSpec spec) throws HypervisorException {
        if (spec.flags().has(MigrationFlag.OFFLINE)) {
            return;
        }
        try {
            if (domain.isActive() != 1) {
                throw new HypervisorException(Reason.INVALID_REQUEST,
                        "VM '" + spec.vmName() + "' is not running on " + spec.sourceUri());
            }
        } catch (LibvirtException e) {
            throw LibvirtErrors.mapped("cannot read the state of VM '" + spec.vmName() + "'", e);
        }
    }

    private void registerEvents() {
        LibvirtNative libvirt = LibvirtNative.INSTANCE;
        ConnectionPointer conn = source.pointer();
        iterationCallbackId = libvirt.virConnectDomainEventRegisterAny(
                conn, nativeDomain, LibvirtNative.EVENT_ID_MIGRATION_ITERATION, onIteration, null, null);
        jobCompletedCallbackId = libvirt.virConnectDomainEventRegisterAny(
                conn, nativeDomain, LibvirtNative.EVENT_ID_JOB_COMPLETED, onJobCompleted, null, null);
        if (iterationCallbackId < 0 || jobCompletedCallbackId < 0) {
            libvirt.virResetLastError(); // without events: timeouts and completed statistics still work
        }
    }

    private void launch() {
        Thread worker = new Thread(this::run, "livemig-migrate-" + spec.vmName());
        worker.setDaemon(true);
        worker.start();
    }

    // --- the migration thread ---------------------------------------------------------------

    private void run() {
        MigrationOutcome result = null;
        try {
            Domain migrated = null;
            Exception failure = null;
            try {
                migrated = call.params().isEmpty()
                        // JNA cannot pass an empty structure array; only local test URIs get here.
                        ? domain.migrate(destination.connect(), call.flags(), null, null, null, 0)
                        : domain.migrate(destination.connect(), call.paramArray(), call.flags());
            } catch (LibvirtException | RuntimeException e) {
                failure = e;
            }
            try {
                result = failure == null ? succeeded(migrated) : failed(failure);
            } finally {
                LibvirtConnection.free(migrated);
            }
        } finally {
            if (result == null) { // only after a bug in the code above; never leave callers waiting
                result = JobStats.fromLastSample(OutcomeStatus.FAILED, lastSample, wallClockMs(),
                        "the migration thread failed unexpectedly");
            }
            release();
            finish(result);
        }
    }

    /**
     * Figures, best first: the destination's completed-job statistics (libvirt hands the source's
     * over in the migration cookie), the source's, the source's job-completed event (the only copy
     * left after post-copy), the last sample taken while the job ran.
     */
    private MigrationOutcome succeeded(Domain migrated) {
        long wallClockMs = wallClockMs();
        MigrationOutcome result = completed(migrated, wallClockMs, StatsOrigin.DESTINATION_COMPLETED_JOB);
        if (result == null) {
            result = completed(domain, wallClockMs, StatsOrigin.SOURCE_COMPLETED_JOB);
        }
        if (result == null) {
            result = fromCompletedEvent(wallClockMs, COMPLETED_EVENT_GRACE_MS);
        }
        if (result == null || result.status() != OutcomeStatus.COMPLETED) {
            // migrate returned a domain: the VM runs on the destination whatever stale stats say.
            result = JobStats.fromLastSample(OutcomeStatus.COMPLETED, lastSample, wallClockMs, null);
        }
        resumeIfLeftPaused(migrated);
        return result;
    }

    /**
     * libvirt resumes a guest that was paused during migration on the destination (QEMU 10 /
     * libvirt 11 did in the lab). Should a version leave it paused, the guest would stay stopped
     * although the caller only asked to speed up the migration: resume it.
     */
    private void resumeIfLeftPaused(Domain migrated) {
        if (!suspendedBySteering || migrated == null || spec.flags().has(MigrationFlag.PAUSED)) {
            return;
        }
        try {
            if (migrated.getInfo().state == DomainState.VIR_DOMAIN_PAUSED) {
                migrated.resume();
                resumedOnDestination = true;
            }
        } catch (LibvirtException e) {
            // The outcome stands; the VM check of the caller reports a paused guest.
        }
    }

    private MigrationOutcome failed(Exception cause) {
        long wallClockMs = wallClockMs();
        String error = cause instanceof LibvirtException e ? LibvirtErrors.message(e) : String.valueOf(cause);
        if (forcedAbort != null) {
            error = error + "; " + forcedAbort;
        }
        MigrationOutcome fromSource = completed(domain, wallClockMs, StatsOrigin.SOURCE_COMPLETED_JOB);
        if (fromSource == null) {
            fromSource = fromCompletedEvent(wallClockMs, 0);
        }
        if (fromSource != null && fromSource.status() != OutcomeStatus.COMPLETED) {
            return new MigrationOutcome(abortRequested ? OutcomeStatus.CANCELLED : fromSource.status(),
                    fromSource.totalTimeMs(), fromSource.downtimeMs(), fromSource.setupTimeMs(),
                    fromSource.bytesTransferred(), fromSource.memoryBytes(), fromSource.iterations(),
                    fromSource.postcopyRequests(), error, fromSource.origin());
        }
        return JobStats.fromLastSample(abortRequested ? OutcomeStatus.CANCELLED : OutcomeStatus.FAILED,
                lastSample, wallClockMs, error);
    }

    private static MigrationOutcome completed(Domain domain, long wallClockMs, StatsOrigin origin) {
        if (domain == null) {
            return null;
        }
        try {
            DomainJobStats stats = domain.getJobStats(JOB_STATS_COMPLETED);
            return JobStats.completed(JobStats.sample(stats.type, TypedParams.toMap(stats.stats)), wallClockMs, origin);
        } catch (LibvirtException e) {
            return null; // e.g. the source domain is gone (UNDEFINE_SOURCE, transient domain)
        }
    }

    /** The job-completed event's statistics as a result, waiting up to {@code graceMs} for it. */
    private MigrationOutcome fromCompletedEvent(long wallClockMs, long graceMs) {
        Map<String, Object> stats;
        synchronized (signal) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMs);
            while (completedEventStats == null && jobCompletedCallbackId >= 0) {
                long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (leftMs <= 0) {
                    break;
                }
                try {
                    signal.wait(leftMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            stats = completedEventStats;
        }
        if (stats == null) {
            return null;
        }
        // The event is emitted for the job that completed; libvirt sends no job type with it.
        return JobStats.completed(JobStats.sample(3 /* VIR_DOMAIN_JOB_COMPLETED */, stats), wallClockMs,
                StatsOrigin.SOURCE_COMPLETED_JOB);
    }

    private void release() {
        resources.writeLock().lock();
        try {
            if (released) {
                return;
            }
            released = true;
            LibvirtNative libvirt = LibvirtNative.INSTANCE;
            if (iterationCallbackId >= 0) {
                libvirt.virConnectDomainEventDeregisterAny(source.pointer(), iterationCallbackId);
            }
            if (jobCompletedCallbackId >= 0) {
                libvirt.virConnectDomainEventDeregisterAny(source.pointer(), jobCompletedCallbackId);
            }
            cleanUp(source, destination, domain, nativeDomain);
        } finally {
            resources.writeLock().unlock();
        }
    }

    private void finish(MigrationOutcome result) {
        outcome = result;
        synchronized (signal) {
            done = true;
            changes++;
            signal.notifyAll();
        }
    }

    private long wallClockMs() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }

    // --- events (called on libvirt's event loop thread: record and signal only) ---------------

    private void iterationEvent(ConnectionPointer conn, DomainPointer dom, int iteration, Pointer opaque) {
        iterationEvents.incrementAndGet();
        synchronized (signal) {
            changes++;
            signal.notifyAll();
        }
    }

    private void jobCompletedEvent(ConnectionPointer conn, DomainPointer dom, Pointer params, int count, Pointer opaque) {
        Map<String, Object> stats;
        try {
            stats = TypedParams.copyOf(params, count);
        } catch (RuntimeException e) {
            return; // an unreadable event only costs the fallback figures
        }
        synchronized (signal) {
            completedEventStats = stats;
            signal.notifyAll();
        }
    }

    // --- MigrationJob ---------------------------------------------------------------------------

    @Override
    public Optional<JobSample> sample() throws HypervisorException {
        if (done) {
            return Optional.empty();
        }
        resources.readLock().lock();
        try {
            if (released) {
                return Optional.empty();
            }
            DomainJobStats stats = domain.getJobStats(0);
            JobSample sample = JobStats.sample(stats.type, TypedParams.toMap(stats.stats));
            if (!sample.jobType().isActive()) {
                return Optional.empty();
            }
            lastSample = sample;
            return Optional.of(sample);
        } catch (LibvirtException e) {
            if (done || LibvirtErrors.isNoDomain(e)) {
                return Optional.empty(); // the poll raced the end of the migration
            }
            throw LibvirtErrors.mapped("cannot read the migration statistics of VM '" + spec.vmName() + "'", e);
        } finally {
            resources.readLock().unlock();
        }
    }

    @Override
    public boolean awaitChange(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        synchronized (signal) {
            while (!done && changes == changesSeen) {
                long leftNanos = deadline - System.nanoTime();
                if (leftNanos <= 0) {
                    break;
                }
                TimeUnit.NANOSECONDS.timedWait(signal, leftNanos);
            }
            changesSeen = changes;
            return done;
        }
    }

    @Override
    public Optional<String> destinationLost() {
        if (lostDestination == null) {
            resources.readLock().lock();
            try {
                if (!released && !destination.connect().isAlive()) {
                    lostDestination = lostDestinationReason();
                }
            } catch (LibvirtException e) {
                lostDestination = lostDestinationReason(); // isAlive failing is itself a sign of a dead connection
            } finally {
                resources.readLock().unlock();
            }
        }
        return Optional.ofNullable(lostDestination);
    }

    private String lostDestinationReason() {
        return "lost the connection to the target host's libvirt (" + destination.uri()
                + "): its daemon stopped or the link to it is cut";
    }

    @Override
    public boolean isDone() {
        return done;
    }

    @Override
    public MigrationOutcome outcome() {
        MigrationOutcome result = outcome;
        if (!done || result == null) {
            throw new IllegalStateException("the migration of VM '" + spec.vmName() + "' has not ended yet");
        }
        return result;
    }

    /** virDomainMigrateSetMaxDowntime, through libvirt-java. */
    @Override
    public void setMaxDowntime(long downtimeMs) throws HypervisorException {
        if (downtimeMs <= 0) {
            throw new HypervisorException(Reason.INVALID_REQUEST, "max downtime must be > 0 ms, got " + downtimeMs);
        }
        steer("set the max downtime to " + downtimeMs + " ms", () -> domain.migrateSetMaxDowntime(downtimeMs));
    }

    /** virDomainMigrateSetMaxSpeed (JNA); 0 lifts the limit (QEMU treats a zero rate as unlimited). */
    @Override
    public void setBandwidth(long bandwidthMiBps) throws HypervisorException {
        if (bandwidthMiBps < 0) {
            throw new HypervisorException(Reason.INVALID_REQUEST, "bandwidth must be >= 0 MiB/s, got " + bandwidthMiBps);
        }
        String what = "set the bandwidth to " + bandwidthMiBps + " MiB/s";
        steer(what, () -> {
            if (LibvirtNative.INSTANCE.virDomainMigrateSetMaxSpeed(nativeDomain, new NativeLong(bandwidthMiBps), 0) < 0) {
                throw LibvirtErrors.lastNative("cannot " + what + " for VM '" + spec.vmName() + "'");
            }
            if (spec.flags().has(MigrationFlag.POSTCOPY) && LibvirtNative.INSTANCE.virDomainMigrateSetMaxSpeed(
                    nativeDomain, new NativeLong(bandwidthMiBps), LibvirtNative.MAX_SPEED_POSTCOPY) < 0) {
                throw LibvirtErrors.lastNative("cannot " + what + " for the post-copy phase of VM '" + spec.vmName() + "'");
            }
        });
    }

    /**
     * Sets QEMU's auto-converge throttle to {@code percent} (0 counts as 1, QEMU's minimum) with
     * migrate-set-parameters through virDomainQemuMonitorCommand: cpu-throttle-initial,
     * cpu-throttle-increment and max-cpu-throttle all at that value, so the next throttling step
     * QEMU takes, whether the first or a later one, lands exactly there. QEMU takes such a step
     * when the guest dirties memory faster than half the rate it is sent; a guest that does not
     * is not slowed. libvirt marks the domain tainted (custom-monitor) for this.
     *
     * <p>Only for migrations started with AUTO_CONVERGE: QEMU cannot switch that capability on
     * while migrating, and libvirt offers no other run-time CPU throttle. The scheduler's
     * vcpu_quota would be one, but it needs the cgroup CPU controller, which the lab's
     * namespaced daemons do not have, and the quota would travel to the destination with the
     * domain's definition and slow the guest there too.
     *
     * @throws HypervisorException UNSUPPORTED without AUTO_CONVERGE; INVALID_REQUEST for a
     *                             percentage outside 0..99
     */
    @Override
    public void throttle(int percent) throws HypervisorException {
        if (percent < 0 || percent > 99) {
            throw new HypervisorException(Reason.INVALID_REQUEST, "throttle must be 0..99 %, got " + percent);
        }
        if (!spec.flags().has(MigrationFlag.AUTO_CONVERGE)) {
            throw new HypervisorException(Reason.UNSUPPORTED, "cannot throttle VM '" + spec.vmName()
                    + "': libvirt throttles a migrating guest's CPUs only through QEMU's auto-convergence,"
                    + " which must be requested when the migration starts (flag AUTO_CONVERGE)");
        }
        int p = Math.max(1, percent);
        String command = "{\"execute\":\"migrate-set-parameters\",\"arguments\":{"
                + "\"cpu-throttle-initial\":" + p + ",\"cpu-throttle-increment\":" + p
                + ",\"max-cpu-throttle\":" + p + ",\"cpu-throttle-tailslow\":false}}";
        String what = "throttle the guest to " + p + " %";
        steer(what, () -> {
            String reply = domain.qemuMonitorCommand(command, 0);
            if (reply == null || reply.contains("\"error\"")) {
                throw new HypervisorException(Reason.OPERATION_FAILED,
                        "cannot " + what + " for VM '" + spec.vmName() + "': QEMU answered " + reply);
            }
        });
    }

    /** virDomainMigrateStartPostCopy (JNA); libvirt refuses it unless the migration has POSTCOPY. */
    @Override
    public void startPostCopy() throws HypervisorException {
        String what = "switch to post-copy";
        steer(what, () -> {
            postcopyStarted = true; // from the request on, the target may hold the newest memory
            if (LibvirtNative.INSTANCE.virDomainMigrateStartPostCopy(nativeDomain, 0) < 0) {
                throw LibvirtErrors.lastNative("cannot " + what + " for VM '" + spec.vmName() + "'");
            }
        });
    }

    /** virDomainSuspend, through libvirt-java; libvirt resumes the guest on the destination. */
    @Override
    public void suspendSource() throws HypervisorException {
        steer("pause the guest on the source", () -> {
            domain.suspend();
            suspendedBySteering = true;
        });
    }

    /**
     * virDomainAbortJob, through libvirt-java; the outcome is then CANCELLED unless it had completed.
     * Should the abort not take effect within {@link #ABORT_GRACE_MS} (seen in the lab: a target
     * QEMU that stopped reading its incoming stream left the source "cancelling" for good, its
     * guest paused), the half-arrived VM on the target is destroyed: it never ran, the source's
     * memory is the VM, and closing the stream lets the source finish cancelling and resume it.
     * Never after the switch to post-copy, when the target holds the newest memory.
     */
    @Override
    public void abort() throws HypervisorException {
        abortRequested = true;
        try {
            steer("abort the migration", domain::abortJob);
        } catch (HypervisorException e) {
            abortRequested = false;
            throw e;
        }
        if (!postcopyStarted) {
            Thread watch = new Thread(this::forceAbortIfStuck, "livemig-abort-" + spec.vmName());
            watch.setDaemon(true);
            watch.start();
        }
    }

    private void forceAbortIfStuck() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ABORT_GRACE_MS);
        synchronized (signal) {
            while (!done) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(signal, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        resources.readLock().lock();
        try {
            if (done || released || postcopyStarted) {
                return;
            }
            Domain arriving = destination.lookup(spec.vmName());
            try {
                if (arriving.getInfo().state == DomainState.VIR_DOMAIN_PAUSED) {
                    forcedAbort = "the abort did not take effect within " + ABORT_GRACE_MS / 1000 + " s (the target "
                            + "stopped taking the stream); the half-arrived VM on the target, which never ran, was "
                            + "destroyed so that the source could take its VM back";
                    arriving.destroy();
                }
            } finally {
                LibvirtConnection.free(arriving);
            }
        } catch (HypervisorException | LibvirtException e) {
            // nothing arrived there, or the target cannot be asked: the abort goes on as it can
        } finally {
            resources.readLock().unlock();
        }
    }

    // --- lab diagnostics (package-private) ------------------------------------------------------

    /** The source's current migration bandwidth limit (virDomainMigrateGetMaxSpeed), MiB/s. */
    long bandwidthMiBps() throws HypervisorException {
        NativeLongByReference value = new NativeLongByReference();
        String what = "read the bandwidth";
        steer(what, () -> {
            if (LibvirtNative.INSTANCE.virDomainMigrateGetMaxSpeed(nativeDomain, value, 0) < 0) {
                throw LibvirtErrors.lastNative("cannot " + what + " of VM '" + spec.vmName() + "'");
            }
        });
        return value.getValue().longValue();
    }

    /** Migration-iteration events received so far. */
    int iterationEvents() {
        return iterationEvents.get();
    }

    /** True when libvirt had left the guest paused on the destination after suspendSource. */
    boolean resumedOnDestination() {
        return resumedOnDestination;
    }

    /** True when libvirt accepted both event registrations. */
    boolean hasEvents() {
        return iterationCallbackId >= 0 && jobCompletedCallbackId >= 0;
    }

    @Override
    public String toString() {
        return "LibvirtMigrationJob[" + spec.vmName() + " " + spec.sourceUri() + " -> " + spec.destinationUri()
                + (done ? ", ended " + outcome.status() : ", running") + "]";
    }

    // --- steering -------------------------------------------------------------------------------

    private interface LibvirtCall {
        void run() throws LibvirtException, HypervisorException;
    }

    private void steer(String what, LibvirtCall libvirtCall) throws HypervisorException {
        resources.readLock().lock();
        try {
            if (released || done) {
                throw new HypervisorException(Reason.INVALID_REQUEST,
                        "cannot " + what + ": the migration of VM '" + spec.vmName() + "' has ended");
            }
            libvirtCall.run();
        } catch (LibvirtException e) {
            throw LibvirtErrors.mapped("cannot " + what + " for VM '" + spec.vmName() + "'", e);
        } finally {
            resources.readLock().unlock();
        }
    }
}
