package io.livemig.agent.libvirt;

import com.sun.jna.NativeLong;
import com.sun.jna.ptr.NativeLongByReference;
import io.livemig.agent.core.HypervisorException;
import io.livemig.agent.core.HypervisorException.Reason;
import io.livemig.agent.core.MigrationFlag;
import java.util.concurrent.TimeUnit;
import org.libvirt.Domain;
import org.libvirt.DomainInfo.DomainState;
import org.libvirt.LibvirtException;

/**
 * The steering of one {@link LibvirtMigrationJob}: downtime, bandwidth, throttle, post-copy,
 * suspend and abort, each a libvirt call under the job's read lock, refused once the job has
 * ended. Remembers what steering did, which the job's outcome reports (an abort, a pause, a
 * forced abort).
 */
final class LibvirtJobSteering {

    /** How long an abort may take before the half-arrived VM on the target is destroyed. */
    private static final long ABORT_GRACE_MS = 20_000;

    private final LibvirtMigrationJob job;

    volatile boolean abortRequested;
    volatile boolean suspendedBySteering;
    volatile boolean postcopyStarted;
    volatile String forcedAbort;          // what an abort that did not take effect led to

    LibvirtJobSteering(LibvirtMigrationJob job) {
        this.job = job;
    }

    /** virDomainMigrateSetMaxDowntime, through libvirt-java. */
    void setMaxDowntime(long downtimeMs) throws HypervisorException {
        steer("set the max downtime to " + downtimeMs + " ms", () -> job.domain.migrateSetMaxDowntime(downtimeMs));
    }

    /** virDomainMigrateSetMaxSpeed (JNA); 0 lifts the limit (QEMU treats a zero rate as unlimited). */
    void setBandwidth(long bandwidthMiBps) throws HypervisorException {
        String what = "set the bandwidth to " + bandwidthMiBps + " MiB/s";
        steer(what, () -> {
            if (LibvirtNative.INSTANCE.virDomainMigrateSetMaxSpeed(job.nativeDomain, new NativeLong(bandwidthMiBps), 0) < 0) {
                throw LibvirtErrors.lastNative("cannot " + what + " for VM '" + job.spec.vmName() + "'");
            }
            if (job.spec.flags().has(MigrationFlag.POSTCOPY) && LibvirtNative.INSTANCE.virDomainMigrateSetMaxSpeed(
                    job.nativeDomain, new NativeLong(bandwidthMiBps), LibvirtNative.MAX_SPEED_POSTCOPY) < 0) {
                throw LibvirtErrors.lastNative("cannot " + what + " for the post-copy phase of VM '" + job.spec.vmName() + "'");
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
    void throttle(int percent) throws HypervisorException {
        if (percent < 0 || percent > 99) {
            throw new HypervisorException(Reason.INVALID_REQUEST, "throttle must be 0..99 %, got " + percent);
        }
        if (!job.spec.flags().has(MigrationFlag.AUTO_CONVERGE)) {
            throw new HypervisorException(Reason.UNSUPPORTED, "cannot throttle VM '" + job.spec.vmName()
                    + "': libvirt throttles a migrating guest's CPUs only through QEMU's auto-convergence,"
                    + " which must be requested when the migration starts (flag AUTO_CONVERGE)");
        }
        int p = Math.max(1, percent);
        String command = "{\"execute\":\"migrate-set-parameters\",\"arguments\":{"
                + "\"cpu-throttle-initial\":" + p + ",\"cpu-throttle-increment\":" + p
                + ",\"max-cpu-throttle\":" + p + ",\"cpu-throttle-tailslow\":false}}";
        String what = "throttle the guest to " + p + " %";
        steer(what, () -> {
            String reply = job.domain.qemuMonitorCommand(command, 0);
            if (reply == null || reply.contains("\"error\"")) {
                throw new HypervisorException(Reason.OPERATION_FAILED,
                        "cannot " + what + " for VM '" + job.spec.vmName() + "': QEMU answered " + reply);
            }
        });
    }

    /** virDomainMigrateStartPostCopy (JNA); libvirt refuses it unless the migration has POSTCOPY. */
    void startPostCopy() throws HypervisorException {
        String what = "switch to post-copy";
        steer(what, () -> {
            postcopyStarted = true; // from the request on, the target may hold the newest memory
            if (LibvirtNative.INSTANCE.virDomainMigrateStartPostCopy(job.nativeDomain, 0) < 0) {
                throw LibvirtErrors.lastNative("cannot " + what + " for VM '" + job.spec.vmName() + "'");
            }
        });
    }

    /** virDomainSuspend, through libvirt-java; libvirt resumes the guest on the destination. */
    void suspendSource() throws HypervisorException {
        steer("pause the guest on the source", () -> {
            job.domain.suspend();
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
    void abort() throws HypervisorException {
        abortRequested = true;
        try {
            steer("abort the migration", job.domain::abortJob);
        } catch (HypervisorException e) {
            abortRequested = false;
            throw e;
        }
        if (!postcopyStarted) {
            Thread watch = new Thread(this::forceAbortIfStuck, "livemig-abort-" + job.spec.vmName());
            watch.setDaemon(true);
            watch.start();
        }
    }

    private void forceAbortIfStuck() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ABORT_GRACE_MS);
        synchronized (job.signal) {
            while (!job.done) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(job.signal, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        job.resources.readLock().lock();
        try {
            if (job.done || job.released || postcopyStarted) {
                return;
            }
            Domain arriving = job.destination.lookup(job.spec.vmName());
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
            job.resources.readLock().unlock();
        }
    }

    /** The source's current migration bandwidth limit (virDomainMigrateGetMaxSpeed), MiB/s. */
    long bandwidthMiBps() throws HypervisorException {
        NativeLongByReference value = new NativeLongByReference();
        String what = "read the bandwidth";
        steer(what, () -> {
            if (LibvirtNative.INSTANCE.virDomainMigrateGetMaxSpeed(job.nativeDomain, value, 0) < 0) {
                throw LibvirtErrors.lastNative("cannot " + what + " of VM '" + job.spec.vmName() + "'");
            }
        });
        return value.getValue().longValue();
    }

    private interface LibvirtCall {
        void run() throws LibvirtException, HypervisorException;
    }

    private void steer(String what, LibvirtCall libvirtCall) throws HypervisorException {
        job.resources.readLock().lock();
        try {
            if (job.released || job.done) {
                throw new HypervisorException(Reason.INVALID_REQUEST,
                        "cannot " + what + ": the migration of VM '" + job.spec.vmName() + "' has ended");
            }
            libvirtCall.run();
        } catch (LibvirtException e) {
            throw LibvirtErrors.mapped("cannot " + what + " for VM '" + job.spec.vmName() + "'", e);
        } finally {
            job.resources.readLock().unlock();
        }
    }
}
