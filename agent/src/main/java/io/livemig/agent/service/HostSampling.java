package io.livemig.agent.service;

import io.livemig.agent.core.CpuUsage;
import io.livemig.agent.core.DomainState;
import io.livemig.agent.core.HostFacts;
import io.livemig.agent.core.Hypervisor;
import io.livemig.agent.core.HypervisorException;
import io.livemig.agent.core.VmInfo;
import io.livemig.agent.core.rebind.BindingRule;
import io.livemig.agent.core.rebind.InvalidDomainXmlException;
import io.livemig.agent.service.AgentException.Code;
import io.livemig.common.config.HostConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the agent reports about its host and VMs: host facts, the VM list with each VM's bindings,
 * CPU utilisation and dirty rate. Dirty-rate measurements are serialised and rate-limited here,
 * and an outgoing migration waits for one under way on its VM ({@link #awaitDirtyRateCalc}).
 */
final class HostSampling {

    private static final Logger LOG = LoggerFactory.getLogger(HostSampling.class);
    /** QEMU's dirty-rate measurement time (virDomainStartDirtyRateCalc with 1 s) and a margin. */
    private static final Duration DIRTY_RATE_CALC = Duration.ofMillis(1500);
    /** At most one dirty-rate measurement of a VM per this interval (see {@link #dirtyRates}). */
    private static final Duration DIRTY_RATE_INTERVAL = Duration.ofSeconds(5);
    private final ReentrantLock dirtyRateLock = new ReentrantLock();
    // VM -> when its last measurement started (nanoTime)
    private final Map<String, Long> dirtyRateCalcs = new ConcurrentHashMap<>();
    private final Map<String, Long> dirtyRateReadings = new ConcurrentHashMap<>(); // VM -> bytes/s, latest
    /** Shortest interval over which CPU utilisation is computed. */
    private static final long CPU_SAMPLE_MIN_NS = 2_000_000_000L;

    private final Hypervisor hypervisor;
    private final String localUri;
    private final HostConfig self;
    private final Admission admission;
    private final HostBindings bindings;
    private final LongSupplier clockNanos = System::nanoTime;
    private CpuUsage.Reading cpuBaseline;                          // under this
    private CpuUsage.Utilisation cpuLatest = CpuUsage.Utilisation.NONE; // under this

    HostSampling(Hypervisor hypervisor, String localUri, HostConfig self, Admission admission, HostBindings bindings) {
        this.hypervisor = hypervisor;
        this.localUri = localUri;
        this.self = self;
        this.admission = admission;
        this.bindings = bindings;
    }

    HostStatus status() throws AgentException {
        HostFacts info = hv(() -> hypervisor.hostInfo(localUri));
        List<VmInfo> running = hv(() -> hypervisor.listVms(localUri, true));
        CpuUsage.Utilisation cpu = cpuUsage(running, info.cpus());
        long committed = running.stream().mapToLong(VmInfo::memoryBytes).sum();
        return new HostStatus(self.name(), info, admission.reservedBytes(), running.size(), admission.outgoing(),
                admission.incoming(), cpu.host(), committed);
    }

    /**
     * Dirty rates of the running VMs that are not migrating (a measurement would compete with it).
     * One measurement at a time: QEMU measures a VM's dirty rate once at a time, and calls that
     * overlap (the orchestrator's poll and a CLI) upset its measurement state. A caller that finds
     * one under way gets no rates this time rather than waiting: libvirt can hold a measurement
     * for 30 s on a VM with a job open (e.g. one arriving in post-copy), and waiting callers would
     * pile up behind it.
     */
    private Map<String, Long> dirtyRates(List<VmInfo> listed) {
        List<String> names = listed.stream()
                .filter(v -> v.state() == DomainState.RUNNING || v.state() == DomainState.BLOCKED)
                .filter(v -> !busy(v)) // e.g. arriving in post-copy: it would wait for the job
                .map(VmInfo::name)
                .filter(name -> !admission.migrating(name))
                .toList();
        if (names.isEmpty() || !dirtyRateLock.tryLock()) {
            return latestRates(names);
        }
        try {
            // Never two measurements of a VM close together: QEMU 10 reports a measurement as
            // started only once its thread runs, so a second request right after the first
            // passes QEMU's check, the two threads race, and the loser leaves the VM's RCU
            // registration behind (logged "change dirtyrate state failed"): a later migration of
            // that VM then hangs for good, even its cancel. Seen twice in the soak.
            long now = System.nanoTime();
            List<String> due = names.stream()
                    .filter(name -> {
                        Long last = dirtyRateCalcs.get(name);
                        return last == null || now - last >= DIRTY_RATE_INTERVAL.toNanos();
                    })
                    .toList();
            if (!due.isEmpty()) {
                due.forEach(name -> dirtyRateCalcs.put(name, now));
                dirtyRateReadings.putAll(hypervisor.dirtyRates(localUri, due));
            }
        } catch (HypervisorException e) {
            LOG.debug("dirty-rate measurement of {} failed: {}", names, e.getMessage());
        } finally {
            dirtyRateLock.unlock();
        }
        return latestRates(names);
    }

    /** The VM's dirty rate as last measured, in bytes per second; empty before a first measurement. */
    OptionalLong dirtyRate(String vmName) {
        Long rate = dirtyRateReadings.get(vmName);
        return rate == null ? OptionalLong.empty() : OptionalLong.of(rate);
    }

    /** The latest reading of each VM that has one. */
    private Map<String, Long> latestRates(List<String> names) {
        Map<String, Long> rates = new HashMap<>();
        names.forEach(name -> {
            Long rate = dirtyRateReadings.get(name);
            if (rate != null) {
                rates.put(name, rate);
            }
        });
        return rates;
    }

    /**
     * The VM's dirty rate, measured now when it has no reading yet (a guest started moments ago,
     * before any poll measured it): QEMU's last measurement if it has one, else one started now,
     * let run out and read, starting no other. For AUTO's plan, right before its migration; the VM is already marked
     * migrating, so no background measurement starts meanwhile. Empty when the hypervisor gives
     * none.
     */
    OptionalLong measureDirtyRateNow(String vmName) throws AgentException {
        OptionalLong known = dirtyRate(vmName);
        if (known.isPresent()) {
            return known;
        }
        dirtyRateLock.lock();
        try {
            Long rate = hypervisor.lastDirtyRates(localUri, List.of(vmName)).get(vmName);
            if (rate == null) {
                hypervisor.dirtyRates(localUri, List.of(vmName));
                Thread.sleep(DIRTY_RATE_CALC.toMillis()); // QEMU sends no event when its measurement ends
                rate = hypervisor.lastDirtyRates(localUri, List.of(vmName)).get(vmName);
            }
            if (rate == null) {
                return OptionalLong.empty();
            }
            dirtyRateReadings.put(vmName, rate);
            return OptionalLong.of(rate);
        } catch (HypervisorException e) {
            LOG.debug("dirty-rate measurement of {} failed: {}", vmName, e.getMessage());
            return OptionalLong.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentException(Code.UNAVAILABLE, "agent shutting down");
        } finally {
            dirtyRateLock.unlock();
        }
    }

    /**
     * Before a VM migrates: lets a dirty-rate measurement started for it run out (QEMU measures
     * for about a second and has no event for the end), so that the two never overlap. The VM is
     * already marked migrating, so no new measurement starts. Waits at most a few seconds for a
     * measurement call under way, then allows for one started just now.
     */
    void awaitDirtyRateCalc(String vmName) throws AgentException {
        try {
            boolean locked = dirtyRateLock.tryLock(DIRTY_RATE_CALC.toMillis() * 2, TimeUnit.MILLISECONDS);
            long leftMs;
            try {
                Long started = dirtyRateCalcs.remove(vmName);
                leftMs = !locked ? DIRTY_RATE_CALC.toMillis()
                        : started == null ? 0
                        : TimeUnit.NANOSECONDS.toMillis(started + DIRTY_RATE_CALC.toNanos() - System.nanoTime());
            } finally {
                if (locked) {
                    dirtyRateLock.unlock();
                }
            }
            if (leftMs > 0) {
                Thread.sleep(leftMs); // QEMU sends no event when its measurement ends
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentException(Code.UNAVAILABLE, "agent shutting down");
        }
    }

    /**
     * The guests' CPU utilisation against the oldest reading that is at least
     * {@link #CPU_SAMPLE_MIN_NS} old, so that callers polling often (the orchestrator, a CLI)
     * still get a figure over a few seconds, not over the last few milliseconds. Zero until two
     * readings are that far apart.
     */
    private synchronized CpuUsage.Utilisation cpuUsage(List<VmInfo> running, int hostCpus) {
        long now = clockNanos.getAsLong();
        CpuUsage.Reading reading = CpuUsage.Reading.of(now, running);
        if (cpuBaseline == null) {
            cpuBaseline = reading;
            return CpuUsage.Utilisation.NONE;
        }
        if (now - cpuBaseline.atNanos() >= CPU_SAMPLE_MIN_NS) {
            cpuLatest = CpuUsage.between(cpuBaseline, reading, hostCpus);
            cpuBaseline = reading;
        }
        return cpuLatest;
    }

    List<VmDetails> vms(boolean activeOnly) throws AgentException {
        List<VmDetails> result = new ArrayList<>();
        List<VmInfo> listed = hv(() -> hypervisor.listVms(localUri, activeOnly));
        HostFacts host = hv(() -> hypervisor.hostInfo(localUri));
        CpuUsage.Utilisation cpu = cpuUsage(listed.stream().filter(v -> v.state() == DomainState.RUNNING
                || v.state() == DomainState.BLOCKED).toList(), host.cpus());
        Map<String, Long> dirty = dirtyRates(listed);
        for (VmInfo vm : listed) {
            // A VM in a migration is listed bare: its live XML waits for libvirt's migration job
            // (an arriving VM's, for the whole migration), and callers such as the orchestrator's
            // health poll must not.
            List<VmDetails.BindingView> views = busy(vm) ? List.of() : bindingViews(vm.name());
            result.add(new VmDetails(vm, views, cpu.vm(vm.name()), dirty.getOrDefault(vm.name(), 0L)));
        }
        return result;
    }

    /**
     * A VM on which libvirt holds, or is about to take, a job that its live XML or a dirty-rate
     * measurement would wait for (up to 30 s each, piling up on the connection): one in a migration
     * as libvirt's state says, or one this agent has promised room to arrive, whatever state libvirt
     * shows at that instant (an arriving VM is "paused (starting up)" first). A VM leaving is not:
     * libvirt answers queries about it during its outgoing job.
     */
    private boolean busy(VmInfo vm) {
        return vm.status().jobHeld() || admission.arriving(vm.name());
    }

    /** The VM's bindings as a move to this very host plans them; none when its XML cannot be read. */
    private List<VmDetails.BindingView> bindingViews(String vmName) {
        List<VmDetails.BindingView> views = new ArrayList<>();
        try {
            String xml = hypervisor.domainXml(localUri, vmName, false);
            for (BindingRule rule : bindings.planner().plan(xml, bindings.sourceHost(), bindings.targetHost()).rules()) {
                views.add(new VmDetails.BindingView(HostBindings.kind(rule), rule.binding().subject(),
                        rule.from() == null ? "" : rule.from()));
            }
        } catch (HypervisorException | InvalidDomainXmlException e) {
            // it went away while we listed, or libvirt wrote something we cannot read: list it bare
            return List.of();
        }
        return views;
    }

    private <T> T hv(AgentCalls.HvCall<T> call) throws AgentException {
        return AgentCalls.hv(self.name(), call);
    }
}
