package io.livemig.agent.libvirt;

import io.livemig.agent.core.JobStats;
import io.livemig.agent.core.MigrationFlag;
import io.livemig.agent.core.MigrationOutcome;
import io.livemig.agent.core.OutcomeStatus;
import io.livemig.agent.core.StatsOrigin;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.libvirt.Domain;
import org.libvirt.DomainInfo.DomainState;
import org.libvirt.DomainJobStats;
import org.libvirt.LibvirtException;

/**
 * How one {@link LibvirtMigrationJob} ended, read once its migrate call has returned: the final
 * statistics from the best source left (destination, source, the job-completed event, the last
 * sample), and what the steering did to the outcome (an abort, a forced abort, a pause).
 */
final class LibvirtJobOutcome {

    /** VIR_DOMAIN_JOB_STATS_COMPLETED: statistics of the job that ended last. */
    private static final int JOB_STATS_COMPLETED = 1;
    /** How long the outcome waits for the job-completed event when no completed statistics are left. */
    private static final long COMPLETED_EVENT_GRACE_MS = 2000;

    private final LibvirtMigrationJob job;

    LibvirtJobOutcome(LibvirtMigrationJob job) {
        this.job = job;
    }

    /**
     * Figures, best first: the destination's completed-job statistics (libvirt hands the source's
     * over in the migration cookie), the source's, the source's job-completed event (the only copy
     * left after post-copy), the last sample taken while the job ran.
     */
    MigrationOutcome succeeded(Domain migrated) {
        long wallClockMs = job.wallClockMs();
        MigrationOutcome result = completed(migrated, wallClockMs, StatsOrigin.DESTINATION_COMPLETED_JOB);
        if (result == null) {
            result = completed(job.domain, wallClockMs, StatsOrigin.SOURCE_COMPLETED_JOB);
        }
        if (result == null) {
            result = fromCompletedEvent(wallClockMs, COMPLETED_EVENT_GRACE_MS);
        }
        if (result == null || result.status() != OutcomeStatus.COMPLETED) {
            // migrate returned a domain: the VM runs on the destination whatever stale stats say.
            result = JobStats.fromLastSample(OutcomeStatus.COMPLETED, job.lastSample, wallClockMs, null);
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
        if (!job.steering.suspendedBySteering || migrated == null || job.spec.flags().has(MigrationFlag.PAUSED)) {
            return;
        }
        try {
            if (migrated.getInfo().state == DomainState.VIR_DOMAIN_PAUSED) {
                migrated.resume();
                job.resumedOnDestination = true;
            }
        } catch (LibvirtException e) {
            // The outcome stands; the VM check of the caller reports a paused guest.
        }
    }

    MigrationOutcome failed(Exception cause) {
        long wallClockMs = job.wallClockMs();
        String error = cause instanceof LibvirtException e ? LibvirtErrors.message(e) : String.valueOf(cause);
        if (job.steering.forcedAbort != null) {
            error = error + "; " + job.steering.forcedAbort;
        }
        MigrationOutcome fromSource = completed(job.domain, wallClockMs, StatsOrigin.SOURCE_COMPLETED_JOB);
        if (fromSource == null) {
            fromSource = fromCompletedEvent(wallClockMs, 0);
        }
        if (fromSource != null && fromSource.status() != OutcomeStatus.COMPLETED) {
            return new MigrationOutcome(job.steering.abortRequested ? OutcomeStatus.CANCELLED : fromSource.status(),
                    fromSource.totalTimeMs(), fromSource.downtimeMs(), fromSource.setupTimeMs(),
                    fromSource.bytesTransferred(), fromSource.memoryBytes(), fromSource.iterations(),
                    fromSource.postcopyRequests(), error, fromSource.origin());
        }
        return JobStats.fromLastSample(job.steering.abortRequested ? OutcomeStatus.CANCELLED : OutcomeStatus.FAILED,
                job.lastSample, wallClockMs, error);
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
        synchronized (job.signal) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMs);
            while (job.completedEventStats == null && job.jobCompletedCallbackId >= 0) {
                long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (leftMs <= 0) {
                    break;
                }
                try {
                    job.signal.wait(leftMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            stats = job.completedEventStats;
        }
        if (stats == null) {
            return null;
        }
        // The event is emitted for the job that completed; libvirt sends no job type with it.
        return JobStats.completed(JobStats.sample(3 /* VIR_DOMAIN_JOB_COMPLETED */, stats), wallClockMs,
                StatsOrigin.SOURCE_COMPLETED_JOB);
    }
}
