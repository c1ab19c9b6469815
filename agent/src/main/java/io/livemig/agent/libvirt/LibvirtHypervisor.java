package io.livemig.agent.libvirt;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import io.livemig.agent.core.CpuComparison;
import io.livemig.agent.core.DomainState;
import io.livemig.agent.core.DomainStatus;
import io.livemig.agent.core.HostCapabilities;
import io.livemig.agent.core.HostFacts;
import io.livemig.agent.core.Hypervisor;
import io.livemig.agent.core.HypervisorException;
import io.livemig.agent.core.HypervisorException.Reason;
import io.livemig.agent.core.JobSample;
import io.livemig.agent.core.LibvirtVersions;
import io.livemig.agent.core.MigrationOutcome;
import io.livemig.agent.core.MigrationRequest;
import io.livemig.agent.core.VmInfo;
import io.livemig.agent.core.migration.MigrationJob;
import io.livemig.agent.core.migration.MigrationSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainInfo;
import org.libvirt.Error;
import org.libvirt.LibvirtException;
import org.libvirt.NodeInfo;
import org.libvirt.jna.DomainPointer;

/**
 * {@link Hypervisor} on libvirt, through libvirt-java. One instance can be shared by threads. The
 * short calls (host facts, listings, a VM's state or definition) share one connection per URI
 * ({@link SharedConnections}); a migration opens connections of its own, which carry its events
 * and end with it.
 *
 * <p>The first call loads libvirt, starts its event loop on a daemon thread and stops libvirt from
 * printing errors to stderr: errors are reported through exceptions and results only.
 */
public final class LibvirtHypervisor implements Hypervisor {

    /** VIR_CONNECT_LIST_DOMAINS_ACTIVE. */
    static final int LIST_DOMAINS_ACTIVE = 1;

    private final SharedConnections connections = new SharedConnections();
    private final QemuProcesses qemuProcesses = new QemuProcesses(java.nio.file.Path.of("/proc"), System::nanoTime,
            java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "guest-ram-held");
                t.setDaemon(true);
                return t;
            }));
    /** What {@link #hostInfo} read once per connection, by URI; compared by identity (Connect's equals asks the daemon). */
    private final Map<String, KnownFacts> knownFacts = new ConcurrentHashMap<>();

    private record KnownFacts(Connect connection, HostFacts facts) {
    }

    /**
     * Only the free memory is read every time. The rest (names, versions, CPUs, total memory and
     * what the capabilities say) is read once per connection: it changes only with the daemon,
     * and a restarted daemon means a new connection.
     */
    @Override
    public HostFacts hostInfo(String hostUri) throws HypervisorException {
        try (LibvirtConnection connection = connections.lease(hostUri)) {
            Connect c = connection.connect();
            KnownFacts cached = knownFacts.get(hostUri);
            HostFacts known;
            if (cached != null && cached.connection() == c) {
                known = cached.facts();
            } else {
                known = hostFacts(c);
                knownFacts.put(hostUri, new KnownFacts(c, known));
            }
            return new HostFacts(known.hostname(), known.libvirtUri(), known.hypervisorType(),
                    known.hypervisorVersion(), known.libvirtVersion(), known.cpus(), known.memoryTotalBytes(),
                    c.getFreeMemory(), known.virtType(), known.cpuModel());
        } catch (LibvirtException e) {
            throw LibvirtErrors.failed("cannot read host facts from " + hostUri, e);
        }
    }

    private static HostFacts hostFacts(Connect c) throws LibvirtException {
        NodeInfo node = c.nodeInfo();
        String capabilities = c.getCapabilities();
        return new HostFacts(
                c.getHostName(),
                c.getURI(),
                c.getType(),
                LibvirtVersions.dotted(c.getVersion()),
                LibvirtVersions.dotted(c.getLibVersion()),
                node.cpus,
                node.memory * 1024, // virNodeInfo reports KiB
                0,
                HostCapabilities.bestVirtType(capabilities),
                HostCapabilities.cpuModel(capabilities));
    }

    @Override
    public List<VmInfo> listVms(String hostUri, boolean activeOnly) throws HypervisorException {
        try (LibvirtConnection connection = connections.lease(hostUri)) {
            Domain[] domains = connection.connect().listAllDomains(activeOnly ? LIST_DOMAINS_ACTIVE : 0);
            List<VmInfo> vms = new ArrayList<>(domains.length);
            try {
                for (Domain domain : domains) {
                    try {
                        vms.add(vmInfo(connection, domain));
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
        try (LibvirtConnection connection = connections.lease(hostUri)) {
            Optional<Domain> found = connection.find(vmName);
            if (found.isEmpty()) {
                return Optional.empty();
            }
            Domain domain = found.get();
            try {
                return Optional.of(vmInfo(connection, domain));
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
     * Starts a migration with virDomainMigrate3 and returns at once; see {@link LibvirtMigrationJob}.
     */
    @Override
    public MigrationJob startMigration(MigrationSpec spec) throws HypervisorException {
        return LibvirtMigrationJob.start(spec);
    }

    /**
     * Runs {@link #startMigration} to its end: samples the job after every change it reports, at
     * least every {@link MigrationRequest#pollInterval()}, and hands active samples to
     * {@code progress}. Interrupting the calling thread aborts the job once; the loop still waits
     * for libvirt to end the migration, so that the result says where the VM is.
     */
    @Override
    public MigrationOutcome migrate(MigrationRequest request, Consumer<JobSample> progress) throws HypervisorException {
        MigrationJob job = startMigration(specOf(request));
        Consumer<JobSample> listener = progress;
        boolean interrupted = false;
        while (!job.isDone()) {
            Optional<JobSample> sample;
            try {
                sample = job.sample();
            } catch (HypervisorException e) {
                sample = Optional.empty(); // a failed poll must not abandon a running migration
            }
            if (sample.isPresent() && listener != null) {
                try {
                    listener.accept(sample.get());
                } catch (RuntimeException e) {
                    listener = null; // nor must a broken progress display
                }
            }
            try {
                job.awaitChange(request.pollInterval());
            } catch (InterruptedException e) {
                if (!interrupted) {
                    interrupted = true;
                    try {
                        job.abort();
                    } catch (HypervisorException ignored) {
                        // The job may have ended meanwhile; its outcome says how.
                    }
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return job.outcome();
    }

    static MigrationSpec specOf(MigrationRequest request) {
        return new MigrationSpec(request.vmName(), request.sourceUri(), request.destinationUri(),
                request.migrateUri(), request.flags(), null, null, request.bandwidthMiBps(), 0,
                MigrationSpec.Compression.NONE, 0);
    }

    private static VmInfo vmInfo(LibvirtConnection connection, Domain domain) throws LibvirtException {
        DomainInfo info = domain.getInfo();
        DomainState state = DomainState.fromLibvirt(info.state == null ? 0 : info.state.ordinal());
        int reason = 0;
        try {
            int[] read = state(connection, domain); // the state again, with its reason (getInfo has none)
            state = DomainState.fromLibvirt(read[0]);
            reason = read[1];
        } catch (HypervisorException e) {
            // the reason is for display: getInfo's state stands
        }
        return new VmInfo(
                domain.getName(),
                domain.getUUIDString(),
                state,
                info.memory * 1024, // virDomainInfo reports KiB
                info.nrVirtCpu,
                info.cpuTime,
                reason);
    }

    /** VIR_DOMAIN_XML_SECURE | VIR_DOMAIN_XML_MIGRATABLE. */
    static final int XML_MIGRATABLE = 1 | 8;

    @Override
    public String domainXml(String hostUri, String vmName, boolean migratable) throws HypervisorException {
        try (LibvirtConnection connection = connections.lease(hostUri)) {
            Domain domain = connection.lookup(vmName);
            try {
                return domain.getXMLDesc(migratable ? XML_MIGRATABLE : 0);
            } catch (LibvirtException e) {
                throw LibvirtErrors.failed("cannot read the definition of VM '" + vmName + "' on " + hostUri, e);
            } finally {
                LibvirtConnection.free(domain);
            }
        }
    }

    /**
     * virConnectCompareHypervisorCPU, not virConnectCompareCPU: the latter compares with the host's
     * physical CPU, which says nothing of what a TCG guest can have, and refuses even qemu64 on
     * hosts whose CPU lacks one of its flags.
     */
    @Override
    public CpuComparison compareCpu(String hostUri, String virtType, String arch, String cpuXml)
            throws HypervisorException {
        try (LibvirtConnection connection = connections.lease(hostUri)) {
            LibvirtNative libvirt = LibvirtNative.INSTANCE;
            int result = libvirt.virConnectCompareHypervisorCPU(connection.pointer(), null, arch, null, virtType, cpuXml,
                    LibvirtNative.COMPARE_CPU_FAIL_INCOMPATIBLE);
            return switch (result) {
                case LibvirtNative.CPU_COMPARE_IDENTICAL ->
                        new CpuComparison(CpuComparison.Verdict.IDENTICAL, "the " + virtType + " CPU of this host is the same");
                case LibvirtNative.CPU_COMPARE_SUPERSET ->
                        new CpuComparison(CpuComparison.Verdict.SUPERSET, "the " + virtType + " CPU of this host provides it");
                case LibvirtNative.CPU_COMPARE_INCOMPATIBLE ->
                        new CpuComparison(CpuComparison.Verdict.INCOMPATIBLE, "incompatible with the " + virtType
                                + " CPU of this host");
                default -> {
                    int code = libvirt.virGetLastErrorCode();
                    if (code == Error.ErrorNumber.VIR_ERR_CPU_INCOMPATIBLE.ordinal()) {
                        String message = libvirt.virGetLastErrorMessage();
                        libvirt.virResetLastError();
                        // "the CPU is incompatible with host CPU: Host CPU does not provide required features: ..."
                        String why = message == null ? "" : message.strip();
                        int colon = why.indexOf(": ");
                        yield new CpuComparison(CpuComparison.Verdict.INCOMPATIBLE,
                                colon >= 0 ? why.substring(colon + 2) : why);
                    }
                    throw LibvirtErrors.lastNative("cannot compare the guest CPU with the " + virtType + " CPU of "
                            + hostUri);
                }
            };
        }
    }

    /**
     * Refuses a guest that a post-copy migration left paused: its memory is partly on the other
     * host, and running it here would run it on stale memory.
     */
    @Override
    public boolean resumeIfPaused(String hostUri, String vmName) throws HypervisorException {
        try (LibvirtConnection connection = connections.lease(hostUri)) {
            Domain domain = connection.lookup(vmName);
            try {
                int[] state = state(connection, domain);
                if (state[0] != LibvirtNative.DOMAIN_PAUSED) {
                    return false;
                }
                if (state[1] == LibvirtNative.PAUSED_POSTCOPY || state[1] == LibvirtNative.PAUSED_POSTCOPY_FAILED) {
                    throw new HypervisorException(Reason.INVALID_REQUEST, "VM '" + vmName + "' on " + hostUri
                            + " is paused by a post-copy migration; resuming it here would run it on stale memory");
                }
                domain.resume();
                return true;
            } catch (LibvirtException e) {
                throw LibvirtErrors.failed("cannot resume VM '" + vmName + "' on " + hostUri, e);
            } finally {
                LibvirtConnection.free(domain);
            }
        }
    }

    /**
     * libvirt 11 leaves the source paused and the destination running (its vCPUs stop at the
     * first missing page) when post-copy fails. Pausing the destination is not possible: libvirt
     * keeps its incoming job open, waiting for a recovery, and a suspend times out on the job's
     * lock after 30 s (seen in the lab). So after a failure this only reads the state.
     */
    @Override
    public Optional<DomainStatus> domainStatus(String hostUri, String vmName) throws HypervisorException {
        try (LibvirtConnection connection = connections.lease(hostUri)) {
            Optional<Domain> found = connection.find(vmName);
            if (found.isEmpty()) {
                return Optional.empty();
            }
            Domain domain = found.get();
            try {
                int[] state = state(connection, domain);
                return Optional.of(new DomainStatus(DomainState.fromLibvirt(state[0]), state[1]));
            } catch (HypervisorException e) {
                if (e.reason() == Reason.VM_NOT_FOUND) {
                    return Optional.empty(); // went away meanwhile
                }
                throw e;
            } catch (LibvirtException e) {
                if (LibvirtErrors.isNoDomain(e)) {
                    return Optional.empty();
                }
                throw LibvirtErrors.failed("cannot read the state of VM '" + vmName + "' on " + hostUri, e);
            } finally {
                LibvirtConnection.free(domain);
            }
        }
    }

    /**
     * The state is read again right before the undefine; libvirt would make a running domain
     * transient rather than stop it, but a running one is never undefined here.
     */
    @Override
    public boolean undefineIfShutOff(String hostUri, String vmName, String uuid) throws HypervisorException {
        try (LibvirtConnection connection = connections.lease(hostUri)) {
            Optional<Domain> found = connection.find(vmName);
            if (found.isEmpty()) {
                return false;
            }
            Domain domain = found.get();
            try {
                if (uuid == null || uuid.isEmpty() || !uuid.equalsIgnoreCase(domain.getUUIDString())
                        || domain.isPersistent() != 1) {
                    return false;
                }
                int[] state = state(connection, domain);
                if (state[0] != LibvirtNative.DOMAIN_SHUTOFF || domain.isActive() != 0) {
                    return false;
                }
                domain.undefine();
                return true;
            } catch (LibvirtException e) {
                if (LibvirtErrors.isNoDomain(e)) {
                    return false;
                }
                throw LibvirtErrors.failed("cannot undefine VM '" + vmName + "' on " + hostUri, e);
            } finally {
                LibvirtConnection.free(domain);
            }
        }
    }

    /** virConnectGetLibVersion: the daemon's version, not that of the library the agent links. */
    @Override
    public long libvirtVersion(String hostUri) throws HypervisorException {
        try (LibvirtConnection connection = connections.lease(hostUri)) {
            return connection.connect().getLibVersion();
        } catch (LibvirtException e) {
            throw LibvirtErrors.failed("cannot read the libvirt version of " + hostUri, e);
        }
    }

    /**
     * From the memory map of the domain's QEMU process on this machine ({@link QemuProcesses}):
     * the agent runs on the host of the libvirt daemon it drives, whatever the URI's transport.
     * With a {@code maxAge} of zero, read now; otherwise the last figure at once, read again in the
     * background once it is that old.
     */
    @Override
    public java.util.OptionalLong guestRamHeld(String hostUri, VmInfo vm, java.time.Duration maxAge) {
        return maxAge.isZero() ? qemuProcesses.ramHeld(vm.uuid(), vm.memoryBytes(), 0)
                : qemuProcesses.lastRamHeld(vm.uuid(), vm.memoryBytes(), maxAge.toNanos());
    }

    /**
     * virDomainListGetStats with VIR_DOMAIN_STATS_DIRTYRATE, one domain at a time, then
     * virDomainStartDirtyRateCalc for the next reading unless one is still measuring. Both JNA:
     * libvirt-java 0.5.4 has neither.
     */
    @Override
    public Map<String, Long> dirtyRates(String hostUri, List<String> vmNames) throws HypervisorException {
        return dirtyRates(hostUri, vmNames, true);
    }

    @Override
    public Map<String, Long> lastDirtyRates(String hostUri, List<String> vmNames) throws HypervisorException {
        return dirtyRates(hostUri, vmNames, false);
    }

    /** The last measurement of each VM, and, with {@code start}, a new one started where none runs. */
    private Map<String, Long> dirtyRates(String hostUri, List<String> vmNames, boolean start) throws HypervisorException {
        Map<String, Long> rates = new HashMap<>();
        LibvirtNative libvirt = LibvirtNative.INSTANCE;
        try (LibvirtConnection connection = connections.lease(hostUri)) {
            for (String name : vmNames) {
                Domain domain;
                try {
                    domain = connection.lookup(name);
                } catch (HypervisorException e) {
                    continue; // gone meanwhile
                }
                DomainPointer pointer = null;
                try {
                    pointer = connection.nativeDomain(domain.getUUIDString());
                    Map<String, Object> stats = dirtyRateStats(pointer);
                    Object status = stats.get("dirtyrate.calc_status");
                    Object mbps = stats.get("dirtyrate.megabytes_per_second");
                    if (status instanceof Number s && s.intValue() == LibvirtNative.DIRTYRATE_MEASURED
                            && mbps instanceof Number m) {
                        rates.put(name, m.longValue() << 20);
                    }
                    if (start && (!(status instanceof Number s2) || s2.intValue() != LibvirtNative.DIRTYRATE_MEASURING)) {
                        if (libvirt.virDomainStartDirtyRateCalc(pointer, 1, 0) < 0) {
                            libvirt.virResetLastError(); // e.g. during a migration: no reading this time
                        }
                    }
                } catch (HypervisorException | LibvirtException e) {
                    libvirt.virResetLastError();
                } finally {
                    LibvirtConnection.freeNative(pointer);
                    LibvirtConnection.free(domain);
                }
            }
        }
        return rates;
    }

    private static Map<String, Object> dirtyRateStats(DomainPointer domain) {
        LibvirtNative libvirt = LibvirtNative.INSTANCE;
        Memory doms = new Memory(2L * Native.POINTER_SIZE);
        doms.setPointer(0, domain.getPointer());
        doms.setPointer(Native.POINTER_SIZE, null);
        PointerByReference records = new PointerByReference();
        if (libvirt.virDomainListGetStats(doms, LibvirtNative.STATS_DIRTYRATE, records, 0) < 0) {
            libvirt.virResetLastError();
            return Map.of();
        }
        Pointer list = records.getValue();
        try {
            Pointer record = list == null ? null : list.getPointer(0);
            if (record == null) {
                return Map.of();
            }
            // struct _virDomainStatsRecord { virDomainPtr dom; virTypedParameterPtr params; int nparams; }
            Pointer params = record.getPointer(Native.POINTER_SIZE);
            int count = record.getInt(2L * Native.POINTER_SIZE);
            return TypedParams.copyOf(params, count);
        } finally {
            if (list != null) {
                libvirt.virDomainStatsRecordListFree(list);
            }
        }
    }

    /** virDomainGetState: {state, reason}. libvirt-java's getInfo has no reason. */
    private static int[] state(LibvirtConnection connection, Domain domain) throws HypervisorException, LibvirtException {
        DomainPointer pointer = connection.nativeDomain(domain.getUUIDString());
        try {
            IntByReference state = new IntByReference();
            IntByReference reason = new IntByReference();
            if (LibvirtNative.INSTANCE.virDomainGetState(pointer, state, reason, 0) < 0) {
                throw LibvirtErrors.lastNative("cannot read the state of domain " + domain.getName());
            }
            return new int[] {state.getValue(), reason.getValue()};
        } finally {
            LibvirtConnection.freeNative(pointer);
        }
    }
}
