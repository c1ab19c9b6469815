package io.livemig.agent.service;

import io.livemig.common.log.MigrationLog;
import io.livemig.common.value.HostPort;

import io.livemig.common.config.HostConfig;
import io.livemig.agent.core.CpuComparison;
import io.livemig.agent.core.CpuUsage;
import io.livemig.agent.core.HostFacts;
import io.livemig.agent.core.Hypervisor;
import io.livemig.agent.core.HypervisorException;
import io.livemig.common.input.Inputs;
import io.livemig.agent.core.JobSample;
import io.livemig.agent.core.MigrationFlag;
import io.livemig.agent.core.MigrationFlags;
import io.livemig.agent.core.PostcopyFailedState;
import io.livemig.agent.core.VmInfo;
import io.livemig.agent.core.DomainState;
import io.livemig.agent.core.migration.MigrationJob;
import io.livemig.agent.core.migration.MigrationSpec;
import io.livemig.agent.core.monitor.MigrationMonitor;
import io.livemig.agent.core.monitor.JobProgress;
import io.livemig.agent.core.monitor.MonitorReport;
import io.livemig.agent.core.monitor.Technique;
import io.livemig.agent.core.policy.CompressionChoice;
import io.livemig.agent.core.policy.EscalationStep;
import io.livemig.agent.core.policy.CopyMode;
import io.livemig.agent.core.policy.PolicySettings;
import io.livemig.agent.core.rebind.ResourceBinding;
import io.livemig.common.value.CpuSet;
import io.livemig.agent.core.rebind.GuestCpu;
import io.livemig.agent.core.rebind.InvalidDomainXmlException;
import io.livemig.agent.core.rebind.RebindAction;
import io.livemig.agent.core.rebind.RebindPlan;
import io.livemig.agent.core.rebind.RebindPlanner;
import io.livemig.agent.core.rebind.BindingRule;
import io.livemig.agent.core.rebind.SharedStorage;
import io.livemig.agent.core.rebind.SourceHost;
import io.livemig.agent.core.rebind.TargetHost;
import io.livemig.agent.service.AgentException.Code;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one host's agent does, without any transport: reports the host and its VMs, accepts
 * incoming migrations (validate, plan the rebinding, prepare, reserve) and runs outgoing ones
 * (one per VM, within the host's limits), each steered by a {@link MigrationMonitor}.
 */
public final class HostAgent implements AutoCloseable {

    /** A started outgoing migration: its id and what the target agreed to. */
    public record Started(String id, Incoming incoming) {}

    /** One line per event, each about a migration with its id and VM in the MDC (see {@link MigrationLog}). */
    private static final Logger LOG = LoggerFactory.getLogger(HostAgent.class);
    private static final long HEADROOM_BYTES = 128L << 20;
    private static final Duration RESERVATION_TTL = Duration.ofMinutes(10);
    private static final Duration TARGET_CLEANUP_WAIT = Duration.ofSeconds(30);
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
    private final AgentEvents events;
    private final String localUri;
    private final HostConfig self;
    private final PeerAgents peers;
    private final LongSupplier clockMs;
    private final Admission admission;
    private final RebindPlanner planner = new RebindPlanner();
    private final LongSupplier clockNanos = System::nanoTime;
    private CpuUsage.Reading cpuBaseline;                          // under this
    private CpuUsage.Utilisation cpuLatest = CpuUsage.Utilisation.NONE; // under this
    private final Map<String, Outgoing> migrations = new ConcurrentHashMap<>();
    private final ExecutorService runners = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "livemig-migration");
        t.setDaemon(true);
        return t;
    });

    public HostAgent(Hypervisor hypervisor, String localUri, HostConfig self, PeerAgents peers, LongSupplier clockMs) {
        this(hypervisor, localUri, self, peers, clockMs, AgentEvents.NONE);
    }

    /** As the other constructor; {@code events} hears of every outgoing migration's end (metrics). */
    public HostAgent(Hypervisor hypervisor, String localUri, HostConfig self, PeerAgents peers, LongSupplier clockMs,
            AgentEvents events) {
        this.events = events;
        this.hypervisor = hypervisor;
        this.localUri = localUri;
        this.self = self;
        this.peers = peers;
        this.clockMs = clockMs;
        this.admission = new Admission(self.maxOutgoing(), self.maxIncoming(), RESERVATION_TTL, clockMs);
    }

    // --- host and VMs -------------------------------------------------------------------------

    public HostStatus status() throws AgentException {
        HostFacts info = hv(() -> hypervisor.hostInfo(localUri));
        List<VmInfo> running = hv(() -> hypervisor.listVms(localUri, true));
        CpuUsage.Utilisation cpu = cpuUsage(running, info.cpus());
        long committed = running.stream().mapToLong(VmInfo::memoryBytes).sum();
        return new HostStatus(self.name(), info, admission.reservedBytes(), running.size(), admission.outgoing(),
                admission.incoming(), cpu.host(), committed);
    }

    /** Outgoing migrations under way; cheap (no hypervisor call), for metrics. */
    public int migrationsOutgoing() {
        return admission.outgoing();
    }

    /** Incoming migrations reserved or arriving; cheap (no hypervisor call), for metrics. */
    public int migrationsIncoming() {
        return admission.incoming();
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
     * Before a VM migrates: lets a dirty-rate measurement started for it run out (QEMU measures
     * for about a second and has no event for the end), so that the two never overlap. The VM is
     * already marked migrating, so no new measurement starts. Waits at most a few seconds for a
     * measurement call under way, then allows for one started just now.
     */
    private void awaitDirtyRateCalc(String vmName) throws AgentException {
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

    public List<VmDetails> vms(boolean activeOnly) throws AgentException {
        List<VmDetails> result = new ArrayList<>();
        List<VmInfo> listed = hv(() -> hypervisor.listVms(localUri, activeOnly));
        HostFacts host = hv(() -> hypervisor.hostInfo(localUri));
        CpuUsage.Utilisation cpu = cpuUsage(listed.stream().filter(v -> v.state() == DomainState.RUNNING
                || v.state() == DomainState.BLOCKED).toList(), host.cpus());
        Map<String, Long> dirty = dirtyRates(listed);
        for (VmInfo vm : listed) {
            List<VmDetails.BindingView> bindings = new ArrayList<>();
            try {
                String xml = hypervisor.domainXml(localUri, vm.name(), false);
                // The plan of a move to this very host lists every binding with its resource.
                for (BindingRule rule : planner.plan(xml, sourceHost(), targetHost()).rules()) {
                    bindings.add(new VmDetails.BindingView(kind(rule), rule.binding().subject(),
                            rule.from() == null ? "" : rule.from()));
                }
            } catch (HypervisorException | InvalidDomainXmlException e) {
                // it went away while we listed, or libvirt wrote something we cannot read: list it bare
            }
            result.add(new VmDetails(vm, bindings, cpu.vm(vm.name()), dirty.getOrDefault(vm.name(), 0L)));
        }
        return result;
    }

    // --- incoming -----------------------------------------------------------------------------

    /**
     * Validates an incoming VM, plans its rebinding onto this host, prepares what must exist before
     * QEMU starts here (log files, copied disks), and reserves its memory.
     */
    public Incoming prepareIncoming(IncomingRequest r) throws AgentException {
        // Everything about the request is checked before anything is looked up, planned or reserved.
        requireVmName(r.vmName());
        invalidIf(Inputs.MEMORY_BYTES.checkUnsigned(r.memoryBytes()));
        invalidIf(Inputs.hostName(r.sourceHost()).map(m -> "source_host: " + m));
        if (r.domainXml() == null || r.domainXml().isBlank()) {
            throw new AgentException(Code.INVALID_ARGUMENT, "domain_xml is required");
        }
        for (var size : r.diskSizes().entrySet()) {
            if (size.getValue() < 0) {
                throw new AgentException(Code.INVALID_ARGUMENT, "disk_sizes: size of " + size.getKey()
                        + " is out of range (" + Long.toUnsignedString(size.getValue()) + ")");
            }
        }
        if (hv(() -> hypervisor.findVm(localUri, r.vmName())).isPresent()) {
            throw new AgentException(Code.ALREADY_EXISTS, "a VM named '" + r.vmName() + "' already exists on " + self.name());
        }
        RebindPlan plan;
        try {
            plan = planner.plan(r.domainXml(), sourceHostOf(r), targetHostFor(r));
        } catch (IllegalArgumentException e) { // InvalidDomainXmlException, or a bad mapping
            throw new AgentException(Code.INVALID_ARGUMENT, "domain XML of '" + r.vmName() + "': " + e.getMessage());
        }
        if (!plan.feasible()) {
            throw new AgentException(Code.FAILED_PRECONDITION, "cannot move '" + r.vmName() + "' to " + self.name() + ": "
                    + String.join("; ", plan.refusals()));
        }
        Optional<Incoming.PlanStep> cpuStep = checkCpu(r);
        long free = hv(() -> hypervisor.hostInfo(localUri)).memoryFreeBytes();
        Admission.Reservation reservation = admission.reserveIncoming(r.vmName(), r.sourceHost(), r.memoryBytes(), free, HEADROOM_BYTES);
        try {
            prepare(plan, r.diskSizes());
        } catch (AgentException e) {
            admission.cancel(reservation.id());
            throw e;
        }
        List<Incoming.PlanStep> steps = new ArrayList<>(plan.rules().stream().map(HostAgent::step).toList());
        cpuStep.ifPresent(steps::add);
        try (MigrationLog ctx = MigrationLog.of(null, r.vmName())) {
            LOG.info("incoming prepared: from {}, {} MiB reserved (reservation {})", r.sourceHost(),
                    r.memoryBytes() >> 20, reservation.id());
        }
        return new Incoming(reservation.id(), self.name(), self.libvirtUri(), "tcp:" + migrationAddress(),
                plan.destinationXml().orElseThrow(), steps, plan.migrateDisks());
    }

    /**
     * Refuses a VM whose CPU this host's hypervisor cannot give; the step says what was checked.
     * Empty when the definition names no CPU (the hypervisor's default) or one libvirt cannot
     * compare in advance (host-passthrough, maximum).
     */
    private Optional<Incoming.PlanStep> checkCpu(IncomingRequest r) throws AgentException {
        Optional<GuestCpu> guestCpu;
        try {
            guestCpu = GuestCpu.of(r.domainXml());
        } catch (IllegalArgumentException e) {
            throw new AgentException(Code.INVALID_ARGUMENT, "domain XML of '" + r.vmName() + "': " + e.getMessage());
        }
        if (guestCpu.isEmpty()) {
            return Optional.empty();
        }
        GuestCpu cpu = guestCpu.get();
        if (!cpu.comparable()) {
            return Optional.of(new Incoming.PlanStep("cpu", cpu.model(), "keep", cpu.mode(), cpu.mode(),
                    "not compared: " + cpu.mode() + " takes this host's CPU as it is"));
        }
        CpuComparison comparison = hv(() -> hypervisor.compareCpu(localUri, cpu.virtType(), cpu.arch(), cpu.cpuXml()));
        if (!comparison.compatible()) {
            throw new AgentException(Code.FAILED_PRECONDITION, "cannot move '" + r.vmName() + "' to " + self.name()
                    + ": its CPU (" + cpu.model() + ", " + cpu.virtType() + ") is not available here: "
                    + comparison.detail());
        }
        return Optional.of(new Incoming.PlanStep("cpu", cpu.model(), "keep", cpu.model(), cpu.model(),
                comparison.detail()));
    }

    public void releaseIncoming(String reservationId) throws AgentException {
        invalidIf(Inputs.id("reservation_id", reservationId));
        if (!admission.cancel(reservationId)) {
            throw new AgentException(Code.NOT_FOUND, "no reservation " + reservationId + " (released or expired)");
        }
        LOG.info("incoming cancelled: reservation {} released", reservationId);
    }

    /**
     * Checks and creates what QEMU opens on this host when the VM arrives: files that must be
     * here already (boot files outside shared storage), the log directory, disks to copy into.
     */
    private void prepare(RebindPlan plan, Map<String, Long> diskSizes) throws AgentException {
        for (BindingRule rule : plan.rules()) {
            if (rule.action() == RebindAction.PREPARE && rule.to() != null && rule.to().startsWith("/")
                    && !Files.exists(Path.of(rule.to()))) {
                throw new AgentException(Code.FAILED_PRECONDITION, rule.binding().subject() + ": " + rule.to()
                        + " does not exist on " + self.name() + " (" + rule.reason() + ")");
            }
        }
        if (self.logDir() != null) {
            try {
                Files.createDirectories(Path.of(self.logDir()));
            } catch (IOException e) {
                throw new AgentException(Code.FAILED_PRECONDITION, "cannot create log directory " + self.logDir()
                        + ": " + e.getMessage());
            }
        }
        for (var disk : plan.disksToCopy()) {
            Long size = diskSizes.get(disk.path());
            if (size == null) {
                throw new AgentException(Code.INVALID_ARGUMENT, "size of disk " + disk.targetDev() + " (" + disk.path()
                        + ") is needed to copy it");
            }
            Path path = Path.of(disk.path());
            try {
                if (Files.exists(path)) {
                    throw new AgentException(Code.ALREADY_EXISTS, "disk " + path + " already exists on " + self.name()
                            + "; it would be overwritten by the copy");
                }
                Files.createDirectories(path.getParent());
                try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
                    file.setLength(size); // sparse, raw: QEMU's drive-mirror fills it
                }
            } catch (IOException e) {
                throw new AgentException(Code.FAILED_PRECONDITION, "cannot create disk " + path + ": " + e.getMessage());
            }
        }
    }

    // --- outgoing -----------------------------------------------------------------------------

    /** Starts migrating a running VM of this host to the host whose agent is at {@code targetAgent}. */
    public Started startMigration(String vmName, String targetAgent, MigrationOptionsValue options) throws AgentException {
        requireVmName(vmName);
        options.validate();
        invalidIf(Inputs.hostPort("target_agent", targetAgent));
        if (targetAgent.equals(self.agent())) {
            throw new AgentException(Code.INVALID_ARGUMENT, "the target is this host (" + self.name() + ")");
        }
        VmInfo vm = hv(() -> hypervisor.findVm(localUri, vmName)).orElseThrow(() -> new AgentException(Code.NOT_FOUND,
                "no VM '" + vmName + "' on " + self.name()));
        if (vm.state() != DomainState.RUNNING && vm.state() != DomainState.BLOCKED) {
            throw new AgentException(Code.FAILED_PRECONDITION, "VM '" + vmName + "' is not running on " + self.name()
                    + " (" + vm.state().name().toLowerCase(Locale.ROOT) + ")");
        }
        admission.beginOutgoing(vmName);
        Incoming incoming = null;
        try {
            awaitDirtyRateCalc(vmName);
            String xml = hv(() -> hypervisor.domainXml(localUri, vmName, true));
            incoming = peers.prepareIncoming(targetAgent, new IncomingRequest(vmName, vm.uuid(), xml, vm.memoryBytes(),
                    self.name(), self.networks(), self.storage(), diskSizes(xml)));
            PolicySettings settings = settings(options, self.linkMiBps());
            // Compression is fixed when the migration starts: decided now, from the knobs and the link.
            CompressionChoice compression = CompressionChoice.chooseCompression(options.mode(), settings, -1);
            MigrationFlags flags = flags(options, settings, incoming);
            MigrationSpec spec = new MigrationSpec(vmName, localUri, incoming.libvirtUri(), incoming.migrateUri(), flags,
                    incoming.destinationXml(), incoming.destinationXml(), settings.bandwidthMiBps(),
                    settings.maxDowntimeMs(), compression.compression(), settings.parallelConnections(),
                    incoming.copyDisks());
            MigrationJob job = hv(() -> hypervisor.startMigration(spec));
            String id = UUID.randomUUID().toString();
            Outgoing outgoing = new Outgoing(id, vmName, incoming.targetHost(), options.mode());
            MigrationMonitor monitor = new MigrationMonitor(job, options.mode(), settings, clockMs, outgoing::onProgress);
            outgoing.monitor = monitor;
            migrations.put(id, outgoing);
            try (MigrationLog ctx = MigrationLog.of(id, vmName)) {
                LOG.info("migration started: to {} ({}), mode {}, flags {}", incoming.targetHost(), targetAgent,
                        mode(options.mode()), flags);
            }
            Incoming agreed = incoming;
            runners.execute(() -> run(outgoing, monitor, job, targetAgent, agreed));
            return new Started(id, incoming);
        } catch (AgentException | RuntimeException e) {
            admission.endOutgoing(vmName);
            if (incoming != null) {
                releaseQuietly(targetAgent, incoming.reservationId());
            }
            throw e;
        }
    }

    private void run(Outgoing outgoing, MigrationMonitor monitor, MigrationJob job, String targetAgent,
            Incoming incoming) {
        try (MigrationLog ctx = MigrationLog.of(outgoing.id, outgoing.vmName)) {
            runLogged(outgoing, monitor, job, targetAgent, incoming);
        }
    }

    private void runLogged(Outgoing outgoing, MigrationMonitor monitor, MigrationJob job, String targetAgent,
            Incoming incoming) {
        MonitorReport report = null;
        String error = null;
        try {
            report = monitor.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error = "agent shut down while the migration ran";
        } catch (RuntimeException e) {
            error = "internal error: " + e;
        } finally {
            if (report == null || !report.succeeded()) {
                Optional<String> split = report != null && report.modeUsed() == Technique.POSTCOPY
                        ? postcopyFailure(outgoing.vmName, incoming) : Optional.empty();
                if (split.isPresent()) {
                    LOG.error("post-copy failed: {}", split.get());
                    error = error == null ? split.get() : error + "; " + split.get();
                } else {
                    error = keepRunningOnSource(outgoing.vmName, error);
                    Optional<String> lost = job.destinationLost();
                    lost.ifPresent(l -> LOG.warn("destination lost: {}", l));
                    error = lost.isPresent()
                            // Asking an unreachable target would only stall the result; libvirt
                            // there removes the half-arrived VM itself once it runs again.
                            ? join(error, lost.get() + "; the VM keeps running on " + self.name())
                            : awaitGoneFromTarget(outgoing.vmName, incoming.libvirtUri(), error);
                }
            }
            admission.endOutgoing(outgoing.vmName);
            if (job.destinationLost().isPresent()) {
                outgoing.finish(report, error);
                releaseQuietly(targetAgent, incoming.reservationId()); // may stall until the peer call's deadline
            } else {
                releaseQuietly(targetAgent, incoming.reservationId());
                outgoing.finish(report, error);
            }
            logEnd(outgoing.view().result());
        }
    }

    /** The end of a migration: outcome and key figures, at warn unless it succeeded. */
    private static void logEnd(MigrationView.Result r) {
        String line = "migration " + r.status().name().toLowerCase(Locale.ROOT) + ": mode " + r.modeUsed()
                + ", total " + r.totalMs() + " ms, downtime " + r.downtimeMs() + " ms, " + r.bytesTransferred()
                + " bytes in " + r.iterations() + " iterations, " + r.escalations().size() + " escalations"
                + (r.error() == null || r.error().isEmpty() ? "" : "; " + r.error());
        if (r.status() == MigrationView.Status.SUCCEEDED) {
            LOG.info(line);
        } else {
            LOG.warn(line);
        }
    }

    /**
     * A migration that failed after switching to post-copy cannot go back: the guest's newest
     * memory is on the target, the rest on the source. libvirt marks the VM "post-copy failed" on
     * both hosts, paused on the source and running on the target, where its vCPUs stop at the first
     * page it lacks; libvirt refuses to pause it there while it keeps the incoming job open for a
     * recovery. Nothing is resumed, and the report says where the VM is and in what state.
     * Recovery (VIR_MIGRATE_POSTCOPY_RESUME) is not attempted: with libvirt 11.3 it crashed the
     * target's daemon in every trial in the lab, which would lose the VM for certain.
     *
     * @return the explanation, or empty when neither host has the VM in that state (the failure
     *         came before the switch took effect, and the usual clean-up applies)
     */
    private Optional<String> postcopyFailure(String vmName, Incoming incoming) {
        List<String> found = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        List<String> other = new ArrayList<>();
        for (String[] host : List.of(new String[] {self.name(), localUri},
                new String[] {incoming.targetHost(), incoming.libvirtUri()})) {
            try {
                Optional<PostcopyFailedState> failed = hypervisor.postcopyFailedState(host[1], vmName);
                if (failed.isPresent()) {
                    found.add(host[0] + (failed.get() == PostcopyFailedState.PAUSED ? " (paused)"
                            : " (running, but stopped at the first page it lacks)"));
                } else {
                    // e.g. a target cut off from the source has not noticed the break yet
                    hypervisor.findVm(host[1], vmName).ifPresent(vm -> other.add(host[0] + " ("
                            + vm.state().name().toLowerCase(Locale.ROOT) + ", without the pages still on the source)"));
                }
            } catch (HypervisorException e) {
                unknown.add("not checked on " + host[0] + ": " + e.getMessage());
            }
        }
        if (found.isEmpty()) {
            return Optional.empty();
        }
        if (!other.isEmpty()) {
            unknown.add(0, "libvirt does not call it failed yet on " + String.join(" and ", other));
        }
        return Optional.of("post-copy had started, so the VM cannot run on either host alone: its memory is split "
                + "between " + self.name() + " and " + incoming.targetHost() + ". libvirt holds it in its 'post-copy "
                + "failed' state on " + String.join(" and ", found)
                + (unknown.isEmpty() ? "" : "; " + String.join("; ", unknown))
                + ". Nothing was resumed; recover it with 'virsh migrate --postcopy --postcopy-resume' once the "
                + "hosts can reach each other, or destroy it on both hosts");
    }

    /**
     * After a failed or aborted migration the VM must run on the source: a guest paused to finish
     * the copy (suspend escalation) is resumed. Returns the error text, with what was done added.
     */
    private String keepRunningOnSource(String vmName, String error) {
        try {
            if (hypervisor.resumeIfPaused(localUri, vmName)) {
                String note = "the VM was paused on " + self.name() + " and has been resumed there";
                return error == null ? note : error + "; " + note;
            }
        } catch (HypervisorException e) {
            String note = "could not check or resume the VM on " + self.name() + ": " + e.getMessage();
            return error == null ? note : error + "; " + note;
        }
        return error;
    }

    /**
     * After a failed or aborted migration libvirt removes the half-arrived VM from the target in
     * the background: the result is reported once it is gone (or says that it is not).
     */
    private String awaitGoneFromTarget(String vmName, String targetUri, String error) {
        long deadline = System.nanoTime() + TARGET_CLEANUP_WAIT.toNanos();
        try {
            while (true) {
                Optional<VmInfo> left = hypervisor.findVm(targetUri, vmName);
                if (left.isEmpty()) {
                    return error;
                }
                if (System.nanoTime() > deadline) {
                    String note = "VM '" + vmName + "' is still present on the target ("
                            + left.get().state().name().toLowerCase(Locale.ROOT) + ") " + TARGET_CLEANUP_WAIT.toSeconds()
                            + " s after the migration ended";
                    return error == null ? note : error + "; " + note;
                }
                Thread.sleep(200); // a remote state with no event to wait on: poll it, bounded
            }
        } catch (HypervisorException e) {
            return error; // the target cannot be asked; the reservation there expires by itself
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return error;
        }
    }

    private static String join(String error, String note) {
        return error == null ? note : error + "; " + note;
    }

    private void releaseQuietly(String targetAgent, String reservationId) {
        try {
            peers.releaseIncoming(targetAgent, reservationId);
        } catch (AgentException e) {
            // expired or the target is gone: the reservation times out there by itself
        }
    }

    public MigrationView view(String id) throws AgentException {
        return outgoing(id).view();
    }

    /** Waits up to {@code timeout} for a view newer than {@code version}; returns the current one. */
    public MigrationView awaitView(String id, long version, Duration timeout) throws AgentException, InterruptedException {
        return outgoing(id).awaitNewer(version, timeout);
    }

    public void abort(String id) throws AgentException {
        Outgoing o = running(id);
        try (MigrationLog ctx = MigrationLog.of(id, o.vmName)) {
            LOG.info("abort requested");
        }
        o.monitor.requestAbort();
    }

    public void startPostCopy(String id) throws AgentException {
        Outgoing o = running(id);
        if (!o.postcopyPossible) {
            throw new AgentException(Code.FAILED_PRECONDITION, "migration " + id + " was started without post-copy "
                    + "(mode " + o.modeRequested.name().toLowerCase(Locale.ROOT) + ")");
        }
        o.monitor.requestPostCopy();
    }

    public void setMaxDowntime(String id, long downtimeMs) throws AgentException {
        invalidIf(Inputs.SET_MAX_DOWNTIME_MS.checkUnsigned(downtimeMs));
        running(id).monitor.requestMaxDowntime(downtimeMs);
    }

    public void setBandwidth(String id, long bandwidthMiBps) throws AgentException {
        invalidIf(Inputs.SET_BANDWIDTH_MIBPS.checkUnsigned(bandwidthMiBps));
        running(id).monitor.requestBandwidth(bandwidthMiBps);
    }

    private Outgoing outgoing(String id) throws AgentException {
        invalidIf(Inputs.id("migration_id", id));
        Outgoing o = migrations.get(id);
        if (o == null) {
            throw new AgentException(Code.NOT_FOUND, "no migration '" + id + "' on " + self.name());
        }
        return o;
    }

    private Outgoing running(String id) throws AgentException {
        Outgoing o = outgoing(id);
        if (o.view().ended()) {
            throw new AgentException(Code.FAILED_PRECONDITION, "migration " + id + " has already ended");
        }
        return o;
    }

    @Override
    public void close() {
        migrations.values().forEach(o -> {
            if (o.monitor != null && !o.view().ended()) {
                o.monitor.requestAbort();
            }
        });
        runners.shutdown();
    }

    // --- policy inputs ------------------------------------------------------------------------

    /**
     * The agent's policy: the pure defaults, tuned for real links where one pass over memory can
     * take many seconds: one pass between escalation steps, two throttle steps (30%, 60%), so
     * that auto reaches post-copy or suspend well within the completion timeout (240 s per GiB
     * to transfer, at least 120 s).
     */
    static PolicySettings settings(MigrationOptionsValue o, long linkMiBps) {
        PolicySettings.Builder b = PolicySettings.builder()
                .escalationDwellIterations(1)
                .throttleStepPercent(30)
                .maxThrottlePercent(60)
                .completionTimeoutSecPerGiB(240)
                .completionTimeoutMinSec(120)
                .postcopyAllowed(o.allowPostcopy())
                .suspendAllowed(o.allowSuspend())
                .compression(o.compression())
                .parallelConnections(Math.max(1, o.parallelConnections()))
                .bandwidthMiBps(o.bandwidthMiBps())
                .linkMiBps(linkMiBps);
        PolicySettings defaults = PolicySettings.defaults();
        if (o.maxDowntimeMs() > 0) {
            b.maxDowntimeMs(o.maxDowntimeMs()).downtimeCapMs(Math.max(o.maxDowntimeMs(), defaults.downtimeCapMs()));
        }
        if (o.timeoutS() > 0) {
            // The caller's timeout replaces the per-GiB scaling.
            b.completionTimeoutMinSec(o.timeoutS()).completionTimeoutSecPerGiB(1);
        }
        return b.build();
    }

    private boolean onDeclaredSharedStorage(Incoming incoming) {
        return incoming.plan().stream().anyMatch(step -> step.kind().equals("disk")
                && self.storage().values().stream().anyMatch(prefix -> step.from().startsWith(prefix + "/")));
    }

    private MigrationFlags flags(MigrationOptionsValue o, PolicySettings settings, Incoming incoming) {
        MigrationFlags flags = MigrationFlags.of(MigrationFlag.PERSIST_DEST, MigrationFlag.UNDEFINE_SOURCE);
        if (o.mode().isLive()) {
            flags = flags.with(MigrationFlag.LIVE);
        }
        if (o.mode().needsPostcopyFlag(settings)) {
            flags = flags.with(MigrationFlag.POSTCOPY);
        }
        // auto throttles through QEMU's auto-converge, which can only be enabled at the start.
        if (o.autoConverge() || o.mode() == CopyMode.AUTO && settings.throttleAllowed()) {
            flags = flags.with(MigrationFlag.AUTO_CONVERGE);
        }
        if (!incoming.copyDisks().isEmpty()) {
            flags = flags.with(MigrationFlag.NON_SHARED_DISK);
        }
        // libvirt trusts only file systems it knows to be shared (NFS, GlusterFS, ...). Storage the
        // cluster file declares shared (the same storage mounted on every host) is shared too.
        if (onDeclaredSharedStorage(incoming)) {
            flags = flags.with(MigrationFlag.UNSAFE);
        }
        if (self.migrationTls()) {
            flags = flags.with(MigrationFlag.TLS);
        }
        return flags;
    }

    // --- rebinding inputs ---------------------------------------------------------------------

    private String migrationAddress() {
        return self.migrationAddress() != null ? self.migrationAddress()
                : HostPort.parse(self.agent()).host();
    }

    private SourceHost sourceHost() {
        return new SourceHost(self.name(), storage(self.storage()));
    }

    private static SourceHost sourceHostOf(IncomingRequest r) {
        return new SourceHost(r.sourceHost(), storage(r.sourceStorage()));
    }

    private static List<SharedStorage> storage(Map<String, String> byId) {
        return byId.entrySet().stream().map(e -> new SharedStorage(e.getKey(), e.getValue())).toList();
    }

    /** This host as a target, for a VM from a host whose logical networks are named as given. */
    private TargetHost targetHostFor(IncomingRequest r) {
        TargetHost.Builder b = baseTarget();
        for (var e : r.sourceNetworks().entrySet()) {
            String local = self.networks().get(e.getKey());
            if (local != null) {
                // A logical network is a bridge or a libvirt network: map both ways of naming it.
                b.mapBridge(e.getValue(), local).mapNetwork(e.getValue(), local);
            }
        }
        return b.build();
    }

    /** This host as the target of its own VMs (to list their bindings). */
    private TargetHost targetHost() {
        return baseTarget().build();
    }

    private TargetHost.Builder baseTarget() {
        String[] local = self.networks().values().toArray(String[]::new);
        TargetHost.Builder b = TargetHost.builder(self.name()).bridges(local).networks(local)
                .copyLocalDisks(self.allowDiskCopy())
                .usableCpus(CpuSet.parse(self.cpus() != null ? self.cpus() : "0-" + (Runtime.getRuntime().availableProcessors() - 1)))
                .graphicsListenAddress(self.graphicsListen() != null ? self.graphicsListen() : "127.0.0.1");
        if (self.logDir() != null) {
            b.logDirectory(self.logDir());
        }
        self.storage().forEach(b::sharedStorage);
        return b;
    }

    /** Sizes of the VM's file disks, read here (the agent runs on the source host). */
    private Map<String, Long> diskSizes(String domainXml) {
        Map<String, Long> sizes = new HashMap<>();
        for (ResourceBinding binding : planner.bindings(domainXml, sourceHost())) {
            if (binding instanceof ResourceBinding.Disk disk && "file".equals(disk.type()) && disk.source() != null) {
                try {
                    sizes.put(disk.source(), Files.size(Path.of(disk.source())));
                } catch (IOException e) {
                    // not readable from here: the target refuses to copy it, with the reason
                }
            }
        }
        return sizes;
    }

    private static String kind(BindingRule rule) {
        return rule.binding().getClass().getSimpleName().toLowerCase(Locale.ROOT);
    }

    private static Incoming.PlanStep step(BindingRule rule) {
        return new Incoming.PlanStep(kind(rule), rule.binding().subject(), rule.action().name().toLowerCase(Locale.ROOT),
                rule.from() == null ? "" : rule.from(), rule.to() == null ? "" : rule.to(),
                rule.reason() == null ? "" : rule.reason());
    }

    private static void requireVmName(String name) throws AgentException {
        invalidIf(Inputs.vmName(name));
    }

    private static void invalidIf(Optional<String> problem) throws AgentException {
        if (problem.isPresent()) {
            throw new AgentException(Code.INVALID_ARGUMENT, problem.get());
        }
    }

    @FunctionalInterface
    private interface HvCall<T> {
        T call() throws HypervisorException;
    }

    private <T> T hv(HvCall<T> call) throws AgentException {
        try {
            return call.call();
        } catch (HypervisorException e) {
            Code code = switch (e.reason()) {
                case HOST_UNAVAILABLE -> Code.UNAVAILABLE;
                case VM_NOT_FOUND -> Code.NOT_FOUND;
                case INVALID_REQUEST -> Code.FAILED_PRECONDITION;
                case UNSUPPORTED -> Code.FAILED_PRECONDITION;
                case OPERATION_FAILED -> Code.FAILED_PRECONDITION;
            };
            throw new AgentException(code, self.name() + ": " + e.getMessage(), e);
        }
    }

    // --- one outgoing migration -------------------------------------------------------------

    /** The watchers' view of one migration, replaced as samples arrive, versioned for waiting. */
    private final class Outgoing {
        final String id;
        final String vmName;
        final String targetHost;
        final CopyMode modeRequested;
        final boolean postcopyPossible;
        volatile MigrationMonitor monitor;
        private final List<MigrationView.Sample> samples = new ArrayList<>();
        private MigrationView current;
        private int escalationsLogged; // under this

        Outgoing(String id, String vmName, String targetHost, CopyMode modeRequested) {
            this.id = id;
            this.vmName = vmName;
            this.targetHost = targetHost;
            this.modeRequested = modeRequested;
            this.postcopyPossible = modeRequested == CopyMode.POSTCOPY || modeRequested == CopyMode.AUTO;
            this.current = new MigrationView(0, id, vmName, self.name(), targetHost, MigrationView.Status.RUNNING, null,
                    List.of(), null);
        }

        synchronized MigrationView view() {
            return current;
        }

        synchronized MigrationView awaitNewer(long version, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (current.version() == version) {
                long leftMs = (deadline - System.nanoTime()) / 1_000_000;
                if (leftMs <= 0) {
                    break;
                }
                wait(leftMs);
            }
            return current;
        }

        synchronized void onProgress(JobProgress p) {
            if (p.escalations() > escalationsLogged && monitor != null) {
                List<EscalationStep> all = monitor.flightRecord().escalations();
                for (EscalationStep e : all.subList(Math.min(escalationsLogged, all.size()), all.size())) {
                    LOG.info("escalation: {} {} at iteration {} ({})", e.kind().name().toLowerCase(Locale.ROOT),
                            e.value(), e.iteration(), e.reason());
                }
                escalationsLogged = all.size();
            }
            MigrationView.Sample s = sample(p);
            samples.add(s);
            publish(new MigrationView(current.version() + 1, id, vmName, self.name(), targetHost,
                    MigrationView.Status.RUNNING, s, List.copyOf(samples), null));
        }

        synchronized void finish(MonitorReport report, String error) {
            MigrationView.Result result;
            if (report == null) {
                result = new MigrationView.Result(MigrationView.Status.FAILED, mode(modeRequested), mode(modeRequested),
                        List.of(), 0, 0, 0, 0, 0, 0, 0, error);
            } else {
                MigrationView.Status status = switch (report.status()) {
                    case COMPLETED -> MigrationView.Status.SUCCEEDED;
                    case CANCELLED -> MigrationView.Status.ABORTED;
                    case FAILED -> MigrationView.Status.FAILED;
                };
                List<MigrationView.Step> steps = report.escalations().stream().map(HostAgent::step).toList();
                result = new MigrationView.Result(status, mode(report.modeRequested()),
                        report.modeUsed().name().toLowerCase(Locale.ROOT), steps, report.totalTimeMs(),
                        orZero(report.downtimeMs()), orZero(report.setupTimeMs()), orZero(report.bytesTransferred()),
                        orZero(report.memoryBytes()), orZero(report.iterations()), orZero(report.postcopyRequests()),
                        report.error() == null ? error : error == null ? report.error() : report.error() + "; " + error);
            }
            events.migrationEnded(result); // first: whoever sees the end also sees it counted
            publish(new MigrationView(current.version() + 1, id, vmName, self.name(), targetHost, result.status(),
                    current.latest(), List.copyOf(samples), result));
        }

        private void publish(MigrationView next) {
            current = next;
            notifyAll();
        }
    }

    private static MigrationView.Step step(EscalationStep e) {
        return new MigrationView.Step(e.atElapsedMs(), e.iteration(), e.kind().name().toLowerCase(Locale.ROOT),
                String.valueOf(e.value()), e.reason());
    }

    private static MigrationView.Sample sample(JobProgress p) {
        JobSample s = p.sample();
        long expected = p.prediction() == null ? 0 : Math.max(0, p.prediction().expectedDowntimeMs());
        return new MigrationView.Sample(p.elapsedMs(), p.phase().name().toLowerCase(Locale.ROOT),
                orZero(s.memoryIteration()), orZero(s.bytesTransferred()), orZero(s.bytesRemaining()),
                orZero(s.dataTotalBytes() != null ? s.dataTotalBytes() : s.memoryTotalBytes()),
                s.memoryDirtyRateBytesPerSec().orElse(0), orZero(s.memoryBytesPerSec()), p.throttlePercent(), expected);
    }

    private static String mode(CopyMode mode) {
        return mode.name().toLowerCase(Locale.ROOT);
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }
}
