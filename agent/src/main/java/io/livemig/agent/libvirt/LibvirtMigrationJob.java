package io.livemig.agent.libvirt;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import io.livemig.agent.core.DomainState;
import io.livemig.agent.core.DomainStatus;
import io.livemig.agent.core.HypervisorException;
import io.livemig.agent.core.HypervisorException.Reason;
import io.livemig.agent.core.JobSample;
import io.livemig.agent.core.JobStats;
import io.livemig.agent.core.MigrationFlag;
import io.livemig.agent.core.MigrationOutcome;
import io.livemig.agent.core.OutcomeStatus;
import io.livemig.agent.core.migration.LaunchPlan;
import io.livemig.agent.core.migration.MigrationJob;
import io.livemig.agent.core.migration.MigrationSpec;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.libvirt.Domain;
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


    final MigrationSpec spec;
    private final Migrate3Call call;
    private final LibvirtConnection source;
    final LibvirtConnection destination;
    final Domain domain;
    final DomainPointer nativeDomain;
    private final long startedNanos = System.nanoTime();
    private volatile long runningOnTargetNanos;   // 0 until the target said the VM resumed, migrated
    private volatile long callReturnedNanos;      // 0 until the migrate call returned
    final LibvirtJobSteering steering = new LibvirtJobSteering(this);
    private final LibvirtJobOutcome outcomes = new LibvirtJobOutcome(this);

    // Calls into libvirt hold the read lock; release() takes the write lock, so no call ever uses
    // a closed connection or a freed domain.
    final ReentrantReadWriteLock resources = new ReentrantReadWriteLock();
    boolean released;
    private int iterationCallbackId = -1;
    int jobCompletedCallbackId = -1;
    private int targetLifecycleCallbackId = -1;

    // Held in fields: JNA's native stubs must stay reachable while libvirt may call them.
    private final LibvirtNative.MigrationIterationCallback onIteration = this::iterationEvent;
    private final LibvirtNative.JobCompletedCallback onJobCompleted = this::jobCompletedEvent;
    private final LibvirtNative.LifecycleCallback onTargetLifecycle = this::targetLifecycleEvent;

    final Object signal = new Object();
    private long changes;                         // under signal: iteration events and the end
    private long changesSeen;                     // under signal: what awaitChange has reported
    Map<String, Object> completedEventStats; // under signal
    private final AtomicInteger iterationEvents = new AtomicInteger();

    volatile boolean done;
    private long postcopyFailedSeenNanos;         // monitor thread only: 0 until the source says so
    private volatile MigrationOutcome outcome;
    volatile JobSample lastSample;
    volatile boolean resumedOnDestination;
    private volatile String lostDestination;      // once seen, the loss is remembered

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
     * Connects to both hosts, checks the VM, applies the spec's {@link LaunchPlan} (the max
     * downtime here, the rest with the migrate call) and starts the migration thread.
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
            LaunchPlan launch = spec.launch();
            if (launch.maxDowntimeMs() > 0) {
                // virDomainMigrate3 has no downtime parameter; QEMU keeps this value for the
                // migration that follows (libvirt restores the old one afterwards). The bandwidth
                // goes with the call (Migrate3Call); neither is set again unless the policy steers.
                domain.migrateSetMaxDowntime(launch.maxDowntimeMs());
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
        // The VM does not exist on the target yet: every domain's lifecycle there, sorted by name.
        targetLifecycleCallbackId = libvirt.virConnectDomainEventRegisterAny(
                destination.pointer(), null, LibvirtNative.EVENT_ID_LIFECYCLE, onTargetLifecycle, null, null);
        if (iterationCallbackId < 0 || jobCompletedCallbackId < 0 || targetLifecycleCallbackId < 0) {
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
            callReturnedNanos = System.nanoTime();
            try {
                result = failure == null ? outcomes.succeeded(migrated) : outcomes.failed(failure);
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
     * How long libvirt's migrate call may take to return once the source reports post-copy
     * failed. It returns within a second when both daemons can clean up; with libvirt 11.3 the
     * target's daemon can instead wait for good on its QEMU's monitor (its main thread stuck on a
     * page the paused source will never send), and the call with it.
     */
    static final long POSTCOPY_FAILED_GRACE_MS = 20_000;

    /**
     * Ends the job as failed when the source has said "post-copy failed" for {@link
     * #POSTCOPY_FAILED_GRACE_MS} and libvirt's migrate call has still not returned. The call's
     * thread is left to return whenever it does (it frees the connections then): the VM's state
     * is read from both hosts without it, and nothing is resumed.
     */
    private void abandonCallIfPostcopyFailedLongAgo() {
        if (!steering.postcopyStarted || done) {
            return;
        }
        IntByReference state = new IntByReference();
        IntByReference reason = new IntByReference();
        if (LibvirtNative.INSTANCE.virDomainGetState(nativeDomain, state, reason, 0) < 0) {
            LibvirtNative.INSTANCE.virResetLastError();
            return;
        }
        if (!new DomainStatus(DomainState.fromLibvirt(state.getValue()), reason.getValue()).postcopyFailed()) {
            return;
        }
        long now = System.nanoTime();
        if (postcopyFailedSeenNanos == 0) {
            postcopyFailedSeenNanos = now;
            return;
        }
        if (TimeUnit.NANOSECONDS.toMillis(now - postcopyFailedSeenNanos) < POSTCOPY_FAILED_GRACE_MS) {
            return;
        }
        finish(JobStats.fromLastSample(OutcomeStatus.FAILED, lastSample, wallClockMs(),
                "operation failed: post-copy failed on the source, and libvirt's migration call had not returned "
                        + POSTCOPY_FAILED_GRACE_MS / 1000 + " s later: the target's libvirt waits for its QEMU, "
                        + "which does not answer"));
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
            if (targetLifecycleCallbackId >= 0) {
                libvirt.virConnectDomainEventDeregisterAny(destination.pointer(), targetLifecycleCallbackId);
            }
            cleanUp(source, destination, domain, nativeDomain);
        } finally {
            resources.writeLock().unlock();
        }
    }

    private void finish(MigrationOutcome result) {
        synchronized (signal) {
            if (done) {
                return; // abandoned earlier: the first end stands
            }
            outcome = result;
            done = true;
            changes++;
            signal.notifyAll();
        }
    }

    long wallClockMs() {
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

    private int targetLifecycleEvent(ConnectionPointer conn, DomainPointer dom, int event, int detail,
            Pointer opaque) {
        if (event == LibvirtNative.EVENT_RESUMED && detail == LibvirtNative.EVENT_RESUMED_MIGRATED
                && runningOnTargetNanos == 0 && spec.vmName().equals(LibvirtNative.INSTANCE.virDomainGetName(dom))) {
            runningOnTargetNanos = System.nanoTime();
        }
        return 0;
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
            abandonCallIfPostcopyFailedLongAgo();
            if (done) {
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

    /**
     * From the target's event that the VM resumed after its migration (libvirt's finish step there)
     * to the migrate call's return: libvirt's confirm step on the source, which stops the source's
     * QEMU, waits until the process is gone, and undefines the source (with UNDEFINE_SOURCE). A
     * migration that ends in post-copy resumes the VM earlier, when post-copy starts, and has no
     * such event at the end.
     */
    @Override
    public OptionalLong sourceCleanupMs() {
        long completed = runningOnTargetNanos;
        long returned = callReturnedNanos;
        if (!done || completed == 0 || returned == 0 || outcome.status() != OutcomeStatus.COMPLETED) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Math.max(0, TimeUnit.NANOSECONDS.toMillis(returned - completed)));
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
        steering.setMaxDowntime(downtimeMs);
    }

    /** virDomainMigrateSetMaxSpeed (JNA); 0 lifts the limit (QEMU treats a zero rate as unlimited). */
    @Override
    public void setBandwidth(long bandwidthMiBps) throws HypervisorException {
        steering.setBandwidth(bandwidthMiBps);
    }

    /** QEMU's auto-converge throttle; see {@link LibvirtJobSteering#throttle}. */
    @Override
    public void throttle(int percent) throws HypervisorException {
        steering.throttle(percent);
    }

    /** virDomainMigrateStartPostCopy (JNA); libvirt refuses it unless the migration has POSTCOPY. */
    @Override
    public void startPostCopy() throws HypervisorException {
        steering.startPostCopy();
    }

    /** virDomainSuspend, through libvirt-java; libvirt resumes the guest on the destination. */
    @Override
    public void suspendSource() throws HypervisorException {
        steering.suspendSource();
    }

    /** virDomainAbortJob; a stuck abort is forced, see {@link LibvirtJobSteering#abort}. */
    @Override
    public void abort() throws HypervisorException {
        steering.abort();
    }

    // --- lab diagnostics (package-private) ------------------------------------------------------

    /** The source's current migration bandwidth limit (virDomainMigrateGetMaxSpeed), MiB/s. */
    long bandwidthMiBps() throws HypervisorException {
        return steering.bandwidthMiBps();
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

}
