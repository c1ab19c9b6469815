package io.livemig.agent.grpc;

import io.livemig.agent.core.CpuComparison;
import io.livemig.agent.core.DomainState;
import io.livemig.agent.core.DomainStatus;
import io.livemig.agent.core.DomainType;
import io.livemig.agent.core.HostFacts;
import io.livemig.agent.core.Hypervisor;
import io.livemig.agent.core.HypervisorException;
import io.livemig.agent.core.JobSample;
import io.livemig.agent.core.MigrationOutcome;
import io.livemig.agent.core.MigrationRequest;
import io.livemig.agent.core.VmInfo;
import io.livemig.agent.core.migration.MigrationJob;
import io.livemig.agent.core.migration.MigrationSpec;
import io.livemig.agent.core.monitor.FakeMigrationJob;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * One host's hypervisor in memory: VMs with their domain XML, and migrations that replay a
 * recorded job-statistics sequence in virtual time. For the one-call migration the CLI's
 * direct mode uses, {@link #replaying} and {@link #throwing} script the samples and the end.
 */
public final class FakeHypervisor implements Hypervisor {

    record FakeVm(VmInfo info, String xml) {}

    final String name;
    final long memoryFreeBytes;
    final Map<String, FakeVm> vms = new ConcurrentHashMap<>();
    final List<MigrationSpec> started = new ArrayList<>();
    volatile String script = "converging-precopy.csv";
    /** When set, what the jobs say their source's clean-up took once they completed. */
    volatile Long sourceCleanupMs;
    volatile FakeMigrationJob lastJob;
    /** How many times hostInfo was asked: whether a call reached the agent at all. */
    final java.util.concurrent.atomic.AtomicInteger hostInfoCalls = new java.util.concurrent.atomic.AtomicInteger();

    /** What the one-call {@link #migrate} was asked, in order. */
    public final List<MigrationRequest> requests = new ArrayList<>();
    private List<JobSample> replaySamples = List.of();
    private MigrationOutcome replayResult;
    private HypervisorException replayFailure;

    FakeHypervisor(String name, long memoryFreeBytes) {
        this.name = name;
        this.memoryFreeBytes = memoryFreeBytes;
    }

    /** A one-call migration that reports {@code samples}, then returns {@code result}. */
    public static FakeHypervisor replaying(List<JobSample> samples, MigrationOutcome result) {
        FakeHypervisor fake = new FakeHypervisor("fake", 8L << 30);
        fake.replaySamples = List.copyOf(samples);
        fake.replayResult = result;
        return fake;
    }

    /** A one-call migration that fails with {@code failure} before it reports anything. */
    public static FakeHypervisor throwing(HypervisorException failure) {
        FakeHypervisor fake = new FakeHypervisor("fake", 8L << 30);
        fake.replayFailure = failure;
        return fake;
    }

    FakeHypervisor withVm(String vmName, long memoryBytes, String xml) {
        vms.put(vmName, new FakeVm(new VmInfo(vmName, "uuid-" + vmName, DomainState.RUNNING, memoryBytes, 1), xml));
        return this;
    }

    /** Virtual time of the latest migration (the monitors' clock in these tests). */
    long nowMs() {
        FakeMigrationJob job = lastJob;
        return job == null ? 0 : job.nowMs();
    }

    @Override
    public HostFacts hostInfo(String hostUri) {
        hostInfoCalls.incrementAndGet();
        return new HostFacts(name, hostUri, "QEMU", "10.0.2", "11.3.0", 2, 8L << 30, memoryFreeBytes, DomainType.QEMU,
                "Skylake-Client-IBRS");
    }

    @Override
    public List<VmInfo> listVms(String hostUri, boolean activeOnly) {
        return vms.values().stream().map(FakeVm::info).toList();
    }

    /** The VMs whose XML was read, in order (libvirt makes a VM in a migration wait for it). */
    final List<String> xmlReads = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** VMs that other hosts' libvirt reports (by name), for what the agent asks of a target. */
    final Map<String, VmInfo> onOtherHosts = new ConcurrentHashMap<>();

    @Override
    public Optional<VmInfo> findVm(String hostUri, String vmName) {
        if (!hostUri.equals("qemu:///system")) {
            return Optional.ofNullable(onOtherHosts.get(vmName)); // another host's libvirt
        }
        return Optional.ofNullable(vms.get(vmName)).map(FakeVm::info);
    }

    @Override
    public String domainXml(String hostUri, String vmName, boolean migratable) throws HypervisorException {
        xmlReads.add(vmName);
        FakeVm vm = vms.get(vmName);
        if (vm == null) {
            throw new HypervisorException(HypervisorException.Reason.VM_NOT_FOUND, "no VM " + vmName);
        }
        return vm.xml();
    }

    @Override
    public boolean resumeIfPaused(String hostUri, String vmName) {
        resumed.add(vmName);
        return false;
    }

    /** When set, started jobs make no progress until it is counted down: a migration that is surely still running. */
    volatile java.util.concurrent.CountDownLatch hold;

    @Override
    public synchronized MigrationJob startMigration(MigrationSpec spec) {
        started.add(spec);
        Runnable hook = onStart;
        if (hook != null) {
            hook.run();
        }
        lastJob = FakeMigrationJob.replaying(script);
        Long cleanup = sourceCleanupMs;
        if (cleanup != null) {
            lastJob.sourceCleanupTook(cleanup);
        }
        java.util.concurrent.CountDownLatch latch = hold;
        if (latch == null) {
            return lastJob;
        }
        FakeMigrationJob job = lastJob;
        return (MigrationJob) java.lang.reflect.Proxy.newProxyInstance(MigrationJob.class.getClassLoader(),
                new Class<?>[] {MigrationJob.class}, (proxy, method, args) -> {
                    if (method.getName().equals("awaitChange")) {
                        latch.await(); // released by the test, or by the agent's close (abort)
                    }
                    try {
                        return method.invoke(job, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Override
    public MigrationOutcome migrate(MigrationRequest request, Consumer<JobSample> progress)
            throws HypervisorException {
        requests.add(request);
        if (replayFailure != null) {
            throw replayFailure;
        }
        replaySamples.forEach(progress);
        return replayResult;
    }

    /** CPU features this host's hypervisor lacks: a guest CPU that requires one is incompatible. */
    final Set<String> missingCpuFeatures = new HashSet<>();

    @Override
    public CpuComparison compareCpu(String hostUri, String virtType, String arch, String cpuXml) {
        for (String feature : missingCpuFeatures) {
            if (cpuXml.contains("'" + feature + "'") || cpuXml.contains("\"" + feature + "\"")) {
                return new CpuComparison(CpuComparison.Verdict.INCOMPATIBLE,
                        "Host CPU does not provide required features: " + feature);
            }
        }
        return new CpuComparison(CpuComparison.Verdict.SUPERSET,
                "the " + virtType + " CPU of this host provides it");
    }

    /** libvirt's state and reason of this host's VMs, where a test sets them (else from the VM's state, reason 0). */
    final Map<String, DomainStatus> statuses = new ConcurrentHashMap<>();
    /** libvirt's state and reason of VMs on other hosts (else from {@link #onOtherHosts}, reason 0). */
    final Map<String, DomainStatus> otherStatuses = new ConcurrentHashMap<>();
    /** When set, other hosts' libvirt cannot be reached (a cut link), with this message. */
    volatile String othersUnreachable;
    volatile long libvirtVersion = 11_003_000;
    volatile long otherLibvirtVersion = 11_003_000;
    /** Run when a migration starts: what the target's libvirt does meanwhile. */
    volatile Runnable onStart;
    final List<String> resumed = new ArrayList<>();
    final List<String> undefined = new ArrayList<>();

    @Override
    public Optional<DomainStatus> domainStatus(String hostUri, String vmName) throws HypervisorException {
        if (!hostUri.equals("qemu:///system")) {
            other(hostUri);
            DomainStatus set = otherStatuses.get(vmName);
            return set != null ? Optional.of(set)
                    : Optional.ofNullable(onOtherHosts.get(vmName)).map(v -> new DomainStatus(v.state(), 0));
        }
        DomainStatus set = statuses.get(vmName);
        return set != null ? Optional.of(set)
                : Optional.ofNullable(vms.get(vmName)).map(v -> new DomainStatus(v.info().state(), 0));
    }

    @Override
    public long libvirtVersion(String hostUri) throws HypervisorException {
        if (!hostUri.equals("qemu:///system")) {
            other(hostUri);
            return otherLibvirtVersion;
        }
        return libvirtVersion;
    }

    @Override
    public synchronized boolean undefineIfShutOff(String hostUri, String vmName, String uuid) {
        FakeVm vm = vms.get(vmName);
        if (!hostUri.equals("qemu:///system") || vm == null || !vm.info().uuid().equals(uuid)
                || vm.info().state() != DomainState.SHUT_OFF) {
            return false;
        }
        vms.remove(vmName);
        statuses.remove(vmName);
        undefined.add(vmName);
        return true;
    }

    private void other(String hostUri) throws HypervisorException {
        String cut = othersUnreachable;
        if (cut != null) {
            throw new HypervisorException(HypervisorException.Reason.HOST_UNAVAILABLE, "cannot connect to " + hostUri
                    + ": " + cut);
        }
    }

    /** What QEMU's last dirty-rate measurement of each VM found, bytes/s; none by default. */
    final Map<String, Long> measuredDirtyRates = new java.util.concurrent.ConcurrentHashMap<>();

    /** The VMs a new dirty-rate measurement was started for, in order. */
    final List<String> dirtyRateStarts = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public Map<String, Long> dirtyRates(String hostUri, List<String> vmNames) {
        dirtyRateStarts.addAll(vmNames);
        return lastDirtyRates(hostUri, vmNames);
    }

    @Override
    public Map<String, Long> lastDirtyRates(String hostUri, List<String> vmNames) {
        Map<String, Long> rates = new java.util.HashMap<>();
        vmNames.forEach(n -> {
            Long r = measuredDirtyRates.get(n);
            if (r != null) {
                rates.put(n, r);
            }
        });
        return rates;
    }
}
