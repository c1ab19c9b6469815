package io.livemig.agent.service;

import io.livemig.agent.core.CpuUsage;
import io.livemig.agent.core.DomainState;
import io.livemig.agent.core.HostFacts;
import io.livemig.agent.core.Hypervisor;
import io.livemig.agent.core.HypervisorException;
import io.livemig.agent.core.VmInfo;
import io.livemig.agent.core.monitor.DirtyRateReadings;
import io.livemig.agent.core.rebind.BindingRule;
import io.livemig.agent.core.rebind.InvalidDomainXmlException;
import io.livemig.agent.service.AgentException.Code;
import io.livemig.common.config.HostConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    /**
     * How old a reading may be, counted from the start of its measurement, for a migration to start
     * from it: a few polls' intervals. An older one, or one of an earlier instance of a VM of the
     * same name (a guest destroyed and started again, or one that left and came back), says nothing
     * of the guest as it runs now.
     */
    static final Duration READING_MAX_AGE = Duration.ofSeconds(30);
    /** How old a guest's RAM held, as listed, may be (read from QEMU's memory map: about a millisecond a VM). */
    static final Duration RAM_HELD_MAX_AGE = Duration.ofSeconds(10);
    private final ReentrantLock dirtyRateLock = new ReentrantLock();
    private final Map<String, Calc> dirtyRateCalcs = new ConcurrentHashMap<>(); // VM -> its last measurement started
    private final Map<String, DirtyRateReadings> dirtyRateReadings = new ConcurrentHashMap<>(); // VM -> its last readings
    /** Shortest interval over which CPU utilisation is computed. */
    private static final long CPU_SAMPLE_MIN_NS = 2_000_000_000L;

    private final Hypervisor hypervisor;
    private final String localUri;
    private final HostConfig self;
    private final Admission admission;
    private final HostBindings bindings;
    private final LongSupplier clockNanos;
    private CpuUsage.Reading cpuBaseline;                          // under this
    private CpuUsage.Utilisation cpuLatest = CpuUsage.Utilisation.NONE; // under this

    HostSampling(Hypervisor hypervisor, String localUri, HostConfig self, Admission admission, HostBindings bindings) {
        this(hypervisor, localUri, self, admission, bindings, System::nanoTime);
    }

    HostSampling(Hypervisor hypervisor, String localUri, HostConfig self, Admission admission, HostBindings bindings,
            LongSupplier clockNanos) {
        this.clockNanos = clockNanos;
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

    /** A measurement started on a VM: the instance (its UUID) and when (nanoTime). */
    private record Calc(String uuid, long startedNanos) {}

    /**
     * Dirty rates of the running VMs that are not migrating (a measurement would compete with it).
     * One measurement at a time: QEMU measures a VM's dirty rate once at a time, and calls that
     * overlap (the orchestrator's poll and a CLI) upset its measurement state. A caller that finds
     * one under way gets no rates this time rather than waiting: libvirt can hold a measurement
     * for 30 s on a VM with a job open (e.g. one arriving in post-copy), and waiting callers would
     * pile up behind it. A call reads what the measurement started by the call before found, and
     * starts the next: a reading counts for the instance that measurement was started on, from the
     * time it started.
     */
    private Map<String, Long> dirtyRates(List<VmInfo> listed) {
        List<VmInfo> measurable = listed.stream()
                .filter(v -> v.state() == DomainState.RUNNING || v.state() == DomainState.BLOCKED)
                .filter(v -> !busy(v)) // e.g. arriving in post-copy: it would wait for the job
                .filter(v -> !admission.migrating(v.name()))
                .toList();
        if (measurable.isEmpty() || !dirtyRateLock.tryLock()) {
            return latestRates(measurable);
        }
        try {
            // Never two measurements of a VM close together: QEMU 10 reports a measurement as
            // started only once its thread runs, so a second request right after the first
            // passes QEMU's check, the two threads race, and the loser leaves the VM's RCU
            // registration behind (logged "change dirtyrate state failed"): a later migration of
            // that VM then hangs for good, even its cancel. Seen twice in the soak.
            long now = clockNanos.getAsLong();
            List<VmInfo> due = measurable.stream()
                    .filter(vm -> {
                        Calc last = dirtyRateCalcs.get(vm.name());
                        return last == null || now - last.startedNanos() >= DIRTY_RATE_INTERVAL.toNanos();
                    })
                    .toList();
            if (!due.isEmpty()) {
                Map<String, Calc> before = new HashMap<>();
                due.forEach(vm -> {
                    Calc last = dirtyRateCalcs.put(vm.name(), new Calc(vm.uuid(), now));
                    if (last != null) {
                        before.put(vm.name(), last);
                    }
                });
                Map<String, Long> found = hypervisor.dirtyRates(localUri, due.stream().map(VmInfo::name).toList());
                found.forEach((name, rate) -> record(name, before.get(name), rate));
            }
        } catch (HypervisorException e) {
            LOG.debug("dirty-rate measurement of {} failed: {}", measurable.stream().map(VmInfo::name).toList(),
                    e.getMessage());
        } finally {
            dirtyRateLock.unlock();
        }
        return latestRates(measurable);
    }

    /** Keeps what the measurement {@code calc} found; one this agent did not start is of unknown age, and dropped. */
    private void record(String vmName, Calc calc, Long rate) {
        if (calc != null && rate != null) {
            DirtyRateReadings.Reading reading = new DirtyRateReadings.Reading(rate, calc.startedNanos());
            dirtyRateReadings.compute(vmName, (name, kept) -> (kept == null ? DirtyRateReadings.of(calc.uuid()) : kept)
                    .with(calc.uuid(), reading));
        }
    }

    /**
     * The VM's dirty rate in bytes per second, for a migration about to start: the median of the
     * last {@value DirtyRateReadings#KEPT} readings of this instance of the VM measured within
     * {@link #READING_MAX_AGE} ({@link DirtyRateReadings}); empty without one.
     */
    OptionalLong dirtyRate(VmInfo vm) {
        return recentRate(vm).map(r -> OptionalLong.of(r.bytesPerS())).orElse(OptionalLong.empty());
    }

    private Optional<DirtyRateReadings.Rate> recentRate(VmInfo vm) {
        DirtyRateReadings kept = dirtyRateReadings.get(vm.name());
        return kept == null ? Optional.empty()
                : kept.rate(vm.uuid(), clockNanos.getAsLong(), READING_MAX_AGE.toNanos());
    }

    /**
     * The rate {@link #dirtyRate} answers with, and how long ago the newest measurement behind it
     * started, for the target of a migration of the VM; empty without one.
     */
    Optional<IncomingRequest.DirtyRateReading> reading(VmInfo vm) {
        return recentRate(vm).map(r -> new IncomingRequest.DirtyRateReading(r.bytesPerS(),
                TimeUnit.NANOSECONDS.toMillis(Math.max(0, clockNanos.getAsLong() - r.newestStartedNanos()))));
    }

    /**
     * A VM about to arrive here brings its source's reading: this host answers with it once the VM
     * runs here, as if it had measured it itself, and measures the VM no sooner than
     * {@link #DIRTY_RATE_INTERVAL} after that measurement started. Without this, the first poll
     * after the arrival measures the VM at once, and a migration of it in the next second (the VM
     * moved back, or on) waits for that measurement to end, or measures it on the spot for AUTO.
     */
    void arriving(String vmName, String uuid, IncomingRequest.DirtyRateReading reading) {
        long started = clockNanos.getAsLong() - TimeUnit.MILLISECONDS.toNanos(reading.ageMs());
        dirtyRateLock.lock(); // as every change of the measurement plan
        try {
            // its readings here, if it ran here before, are of the guest as it ran then
            dirtyRateReadings.put(vmName, DirtyRateReadings.of(uuid)
                    .with(uuid, new DirtyRateReadings.Reading(reading.bytesPerS(), started)));
            dirtyRateCalcs.put(vmName, new Calc(uuid, started));
        } finally {
            dirtyRateLock.unlock();
        }
    }

    /** The median of the last readings of each VM that has some of its running instance, however old. */
    private Map<String, Long> latestRates(List<VmInfo> vms) {
        Map<String, Long> rates = new HashMap<>();
        vms.forEach(vm -> {
            DirtyRateReadings kept = dirtyRateReadings.get(vm.name());
            if (kept != null) {
                kept.latest(vm.uuid()).ifPresent(r -> rates.put(vm.name(), r.bytesPerS()));
            }
        });
        return rates;
    }

    /**
     * The VM's dirty rate for a migration about to start, measured now when it has no recent
     * reading (a guest started moments ago, before any poll measured it, or one no poll measured
     * lately): one measurement started, let run out and read, starting no other. For AUTO's plan,
     * right after {@link #awaitDirtyRateCalc}; the VM is already marked migrating, so no background
     * measurement starts meanwhile. Empty when the hypervisor gives none.
     */
    OptionalLong measureDirtyRateNow(VmInfo vm) throws AgentException {
        OptionalLong known = dirtyRate(vm);
        if (known.isPresent()) {
            return known;
        }
        dirtyRateLock.lock();
        try {
            Calc calc = new Calc(vm.uuid(), clockNanos.getAsLong());
            hypervisor.dirtyRates(localUri, List.of(vm.name()));
            Thread.sleep(DIRTY_RATE_CALC.toMillis()); // QEMU sends no event when its measurement ends
            record(vm.name(), calc, hypervisor.lastDirtyRates(localUri, List.of(vm.name())).get(vm.name()));
            return dirtyRate(vm);
        } catch (HypervisorException e) {
            LOG.debug("dirty-rate measurement of {} failed: {}", vm.name(), e.getMessage());
            return OptionalLong.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentException(Code.UNAVAILABLE, "agent shutting down");
        } finally {
            dirtyRateLock.unlock();
        }
    }

    /**
     * Before a VM migrates: reads the result of a dirty-rate measurement started for it that has
     * run out, for the migration's plan. One still under way (QEMU measures for about a second and
     * has no event for the end) is let run out and read when the VM has no reading a migration may
     * start from ({@link #dirtyRate}); waits at most a few seconds for a measurement call under
     * way, then allows for one started just now. The VM is already marked migrating, so no new
     * measurement starts.
     *
     * <p>When the VM has such a reading, the migration starts at once from it, and a measurement
     * still under way runs out beside it, its result unread: QEMU's page sampling only reads the
     * sampled pages, and libvirt 11.3 with QEMU 10 migrated guests intact while one ran. Waiting
     * for it cost one migration in five on the lab 0.4 to 1.4 s.
     */
    void awaitDirtyRateCalc(VmInfo vm) throws AgentException {
        try {
            boolean recent = dirtyRate(vm).isPresent();
            boolean locked = dirtyRateLock.tryLock(recent ? 0 : DIRTY_RATE_CALC.toMillis() * 2, TimeUnit.MILLISECONDS);
            long leftMs;
            Calc started;
            try {
                started = dirtyRateCalcs.remove(vm.name());
                leftMs = !locked ? DIRTY_RATE_CALC.toMillis()
                        : started == null ? 0
                        : TimeUnit.NANOSECONDS.toMillis(started.startedNanos() + DIRTY_RATE_CALC.toNanos()
                                - clockNanos.getAsLong());
            } finally {
                if (locked) {
                    dirtyRateLock.unlock();
                }
            }
            if (leftMs > 0 && recent) {
                return; // its result, when it comes, is not read: the VM is about to leave
            }
            if (leftMs > 0) {
                Thread.sleep(leftMs); // QEMU sends no event when its measurement ends
            }
            if (started != null) {
                record(vm.name(), started, hypervisor.lastDirtyRates(localUri, List.of(vm.name())).get(vm.name()));
            }
        } catch (HypervisorException e) {
            LOG.debug("dirty-rate reading of {} failed: {}", vm.name(), e.getMessage());
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
            long held = vm.state() == DomainState.RUNNING || vm.state() == DomainState.BLOCKED
                    ? hypervisor.guestRamHeld(localUri, vm, RAM_HELD_MAX_AGE).orElse(0) : 0;
            result.add(new VmDetails(vm, views, cpu.vm(vm.name()), dirty.getOrDefault(vm.name(), 0L), held));
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
