package io.livemig.agent.libvirt;

import io.livemig.agent.core.HostCapabilities;
import io.livemig.agent.core.HostInfo;
import io.livemig.agent.core.Hypervisor;
import io.livemig.agent.core.HypervisorException;
import io.livemig.agent.core.HypervisorException.Reason;
import io.livemig.agent.core.JobSample;
import io.livemig.agent.core.JobStats;
import io.livemig.agent.core.LibvirtVersions;
import io.livemig.agent.core.MigrationFlag;
import io.livemig.agent.core.MigrationRequest;
import io.livemig.agent.core.MigrationResult;
import io.livemig.agent.core.MigrationStatus;
import io.livemig.agent.core.StatsOrigin;
import io.livemig.agent.core.VmInfo;
import io.livemig.agent.core.VmState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainInfo;
import org.libvirt.DomainJobStats;
import org.libvirt.LibvirtException;
import org.libvirt.NodeInfo;

/**
 * {@link Hypervisor} on libvirt, through libvirt-java. Each call opens its own connections and
 * closes them before returning, so one instance can be shared by threads.
 *
 * <p>The first call loads libvirt, starts its event loop on a daemon thread and stops libvirt from
 * printing errors to stderr: errors are reported through exceptions and results only.
 */
public final class LibvirtHypervisor implements Hypervisor {

    /** VIR_DOMAIN_JOB_STATS_COMPLETED: statistics of the job that ended last. */
    static final int JOB_STATS_COMPLETED = 1;
    /** VIR_CONNECT_LIST_DOMAINS_ACTIVE. */
    static final int LIST_DOMAINS_ACTIVE = 1;

    @Override
    public HostInfo hostInfo(String hostUri) throws HypervisorException {
        try (LibvirtConnection connection = LibvirtConnection.open(hostUri)) {
            Connect c = connection.connect();
            NodeInfo node = c.nodeInfo();
            return new HostInfo(
                    c.getHostName(),
                    c.getURI(),
                    c.getType(),
                    LibvirtVersions.dotted(c.getVersion()),
                    LibvirtVersions.dotted(c.getLibVersion()),
                    node.cpus,
                    node.memory * 1024, // virNodeInfo reports KiB
                    c.getFreeMemory(),
                    HostCapabilities.bestVirtType(c.getCapabilities()));
        } catch (LibvirtException e) {
            throw LibvirtErrors.failed("cannot read host facts from " + hostUri, e);
        }
    }

    @Override
    public List<VmInfo> listVms(String hostUri, boolean activeOnly) throws HypervisorException {
        try (LibvirtConnection connection = LibvirtConnection.open(hostUri)) {
            Domain[] domains = connection.connect().listAllDomains(activeOnly ? LIST_DOMAINS_ACTIVE : 0);
            List<VmInfo> vms = new ArrayList<>(domains.length);
            try {
                for (Domain domain : domains) {
                    try {
                        vms.add(vmInfo(domain));
                    } catch (LibvirtException e) {
                        if (!LibvirtErrors.isNoDomain(e)) { // else it went away while we listed
                            throw e;
                        }
                    }
                }
            } finally {
                for (Domain domain : domains) {
                    LibvirtConnection.free(domain);
                }
            }
            return vms;
        } catch (LibvirtException e) {
            throw LibvirtErrors.failed("cannot list VMs on " + hostUri, e);
        }
    }

    @Override
    public Optional<VmInfo> findVm(String hostUri, String vmName) throws HypervisorException {
        try (LibvirtConnection connection = LibvirtConnection.open(hostUri)) {
            Domain domain;
            try {
                domain = connection.lookup(vmName);
            } catch (HypervisorException e) {
                if (e.reason() == Reason.VM_NOT_FOUND) {
                    return Optional.empty();
                }
                throw e;
            }
            try {
                return Optional.of(vmInfo(domain));
            } catch (LibvirtException e) {
                if (LibvirtErrors.isNoDomain(e)) {
                    return Optional.empty();
                }
                throw LibvirtErrors.failed("cannot read VM '" + vmName + "' on " + hostUri, e);
            } finally {
                LibvirtConnection.free(domain);
            }
        }
    }

    /**
     * Migrates with virDomainMigrate2 (direct, the client drives both daemons) on a thread of its
     * own, because the call blocks until the migration has ended, while the calling thread polls
     * the source's job statistics every {@link MigrationRequest#pollInterval()}.
     *
     * <p>The figures come from the completed-job statistics of the destination domain: libvirt
     * hands the source's statistics to the destination in the migration cookie, and after a
     * successful move the source domain may no longer exist (UNDEFINE_SOURCE, or a transient
     * domain). When those are missing (libvirt drops them after post-copy), the source's completed
     * job, then the last progress sample, are used.
     */
    @Override
    public MigrationResult migrate(MigrationRequest request, Consumer<JobSample> progress) throws HypervisorException {
        try (LibvirtConnection source = LibvirtConnection.open(request.sourceUri());
             LibvirtConnection destination = LibvirtConnection.open(request.destinationUri())) {
            Domain domain = source.lookup(request.vmName());
            try {
                requireRunning(domain, request);
                return run(domain, destination, request, progress);
            } finally {
                LibvirtConnection.free(domain);
            }
        }
    }

    private static void requireRunning(Domain domain, MigrationRequest request) throws HypervisorException {
        if (request.flags().has(MigrationFlag.OFFLINE)) {
            return;
        }
        try {
            if (domain.isActive() != 1) {
                throw new HypervisorException(Reason.INVALID_REQUEST,
                        "VM '" + request.vmName() + "' is not running on " + request.sourceUri());
            }
        } catch (LibvirtException e) {
            throw LibvirtErrors.failed("cannot read the state of VM '" + request.vmName() + "'", e);
        }
    }

    private static MigrationResult run(
            Domain domain, LibvirtConnection destination, MigrationRequest request, Consumer<JobSample> progress) {
        long startedNanos = System.nanoTime();
        CompletableFuture<Domain> outcome = new CompletableFuture<>();
        Thread worker = new Thread(() -> {
            try {
                outcome.complete(domain.migrate(destination.connect(), request.flags().toLibvirt(),
                        null, null, request.migrateUri(), request.bandwidthMiBps()));
            } catch (LibvirtException | RuntimeException | Error e) {
                outcome.completeExceptionally(e);
            }
        }, "livemig-migrate-" + request.vmName());
        worker.setDaemon(true);
        worker.start();

        Consumer<JobSample> listener = progress;
        JobSample last = null;
        boolean interrupted = false;
        long pollMillis = Math.max(1, request.pollInterval().toMillis());
        while (!outcome.isDone()) {
            JobSample sample = poll(domain, 0);
            if (sample != null && sample.jobType().isActive()) {
                last = sample;
                if (listener != null) {
                    try {
                        listener.accept(sample);
                    } catch (RuntimeException e) {
                        listener = null; // a broken progress display must not abandon a running migration
                    }
                }
            }
            try {
                outcome.get(pollMillis, TimeUnit.MILLISECONDS); // wakes up as soon as migrate returns
            } catch (TimeoutException | ExecutionException e) {
                // next poll, or the loop ends and the outcome is read below
            } catch (InterruptedException e) {
                if (!interrupted) {
                    interrupted = true;
                    abortQuietly(domain);
                }
            }
        }
        long wallClockMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
        try {
            Domain migrated;
            try {
                migrated = outcome.join();
            } catch (CompletionException e) {
                return failed(e.getCause() != null ? e.getCause() : e, domain, last, wallClockMs, interrupted);
            }
            return succeeded(migrated, domain, last, wallClockMs);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static MigrationResult succeeded(Domain migrated, Domain source, JobSample last, long wallClockMs) {
        try {
            MigrationResult result = completed(migrated, wallClockMs, StatsOrigin.DESTINATION_COMPLETED_JOB);
            if (result == null) {
                result = completed(source, wallClockMs, StatsOrigin.SOURCE_COMPLETED_JOB);
            }
            if (result == null || result.status() != MigrationStatus.COMPLETED) {
                // migrate returned a domain: the VM runs on the destination whatever stale stats say.
                result = JobStats.fromLastSample(MigrationStatus.COMPLETED, last, wallClockMs, null);
            }
            return result;
        } finally {
            LibvirtConnection.free(migrated);
        }
    }

    private static MigrationResult failed(
            Throwable cause, Domain source, JobSample last, long wallClockMs, boolean interrupted) {
        String error = cause instanceof LibvirtException e ? LibvirtErrors.message(e) : String.valueOf(cause);
        MigrationResult fromSource = completed(source, wallClockMs, StatsOrigin.SOURCE_COMPLETED_JOB);
        MigrationStatus status = interrupted ? MigrationStatus.CANCELLED : MigrationStatus.FAILED;
        if (fromSource != null && fromSource.status() != MigrationStatus.COMPLETED) {
            return new MigrationResult(interrupted ? status : fromSource.status(), fromSource.totalTimeMs(),
                    fromSource.downtimeMs(), fromSource.setupTimeMs(), fromSource.bytesTransferred(),
                    fromSource.memoryBytes(), fromSource.iterations(), fromSource.postcopyRequests(),
                    error, fromSource.origin());
        }
        return JobStats.fromLastSample(status, last, wallClockMs, error);
    }

    private static MigrationResult completed(Domain domain, long wallClockMs, StatsOrigin origin) {
        return domain == null ? null : JobStats.completed(poll(domain, JOB_STATS_COMPLETED), wallClockMs, origin);
    }

    /** One virDomainGetJobStats call; null when it fails, e.g. the job or domain ended in between. */
    private static JobSample poll(Domain domain, int flags) {
        try {
            DomainJobStats stats = domain.getJobStats(flags);
            return JobStats.sample(stats.type, TypedParams.toMap(stats.stats));
        } catch (LibvirtException e) {
            return null;
        }
    }

    private static void abortQuietly(Domain domain) {
        try {
            domain.abortJob();
        } catch (LibvirtException e) {
            // The job may have finished meanwhile; the migrate call reports how it ended.
        }
    }

    private static VmInfo vmInfo(Domain domain) throws LibvirtException {
        DomainInfo info = domain.getInfo();
        return new VmInfo(
                domain.getName(),
                domain.getUUIDString(),
                VmState.fromLibvirt(info.state == null ? 0 : info.state.ordinal()),
                info.memory * 1024, // virDomainInfo reports KiB
                info.nrVirtCpu);
    }
}
