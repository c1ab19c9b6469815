package io.livemig.agent.service;

import static io.livemig.agent.service.AgentCalls.invalidIf;
import static io.livemig.agent.service.AgentCalls.requireVmName;

import io.livemig.agent.core.CpuComparison;
import io.livemig.agent.core.Hypervisor;
import io.livemig.agent.core.HypervisorException;
import io.livemig.agent.core.rebind.BindingRule;
import io.livemig.agent.core.rebind.GuestCpu;
import io.livemig.agent.core.rebind.RebindAction;
import io.livemig.agent.core.rebind.RebindPlan;
import io.livemig.agent.service.AgentException.Code;
import io.livemig.common.config.HostConfig;
import io.livemig.common.input.Inputs;
import io.livemig.common.log.MigrationLog;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The target's side of a migration: validates an incoming VM, plans its rebinding onto this host,
 * prepares its files and reserves its memory (the reservation expires unless the migration comes,
 * or is released when it is cancelled).
 */
final class IncomingMigrations {

    private static final Logger LOG = LoggerFactory.getLogger(IncomingMigrations.class);
    private static final String WARMUP_DOMAIN = "warmup-domain.xml";
    private static final long HEADROOM_BYTES = 128L << 20;
    /** How long the VM of a reservation is remembered for the clean-up at its release. */
    private static final Duration ARRIVAL_MEMORY = Duration.ofDays(1);

    /** The VM a reservation was made for, by reservation id, until the source releases it. */
    private record ArrivingVm(String name, String uuid, long preparedAtNanos) {}

    private final Map<String, ArrivingVm> arrivals = new ConcurrentHashMap<>();

    private final Hypervisor hypervisor;
    private final String localUri;
    private final HostConfig self;
    private final Admission admission;
    private final HostBindings bindings;

    IncomingMigrations(Hypervisor hypervisor, String localUri, HostConfig self, Admission admission,
            HostBindings bindings) {
        this.hypervisor = hypervisor;
        this.localUri = localUri;
        this.self = self;
        this.admission = admission;
        this.bindings = bindings;
    }

    /** See {@link HostAgent#warmUp}. */
    boolean warmUp() {
        try (InputStream in = IncomingMigrations.class.getResourceAsStream(WARMUP_DOMAIN)) {
            if (in == null) {
                throw new IOException("no resource " + WARMUP_DOMAIN);
            }
            String sample = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            bindings.planner().plan(sample, bindings.sourceHost(), bindings.targetHost());
            GuestCpu.of(sample);
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.warn("warm-up: planning the sample definition failed: {}", e.toString());
            return false;
        }
    }

    /**
     * Validates an incoming VM, plans its rebinding onto this host, prepares what must exist before
     * QEMU starts here (log files, copied disks), and reserves its memory.
     */
    Incoming prepareIncoming(IncomingRequest r) throws AgentException {
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
            plan = bindings.planner().plan(r.domainXml(), HostBindings.sourceHostOf(r), bindings.targetHostFor(r));
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
        arrivals.values().removeIf(a -> System.nanoTime() - a.preparedAtNanos() > ARRIVAL_MEMORY.toNanos());
        arrivals.put(reservation.id(), new ArrivingVm(r.vmName(), r.vmUuid(), System.nanoTime()));
        List<Incoming.PlanStep> steps = new ArrayList<>(plan.rules().stream().map(HostBindings::step).toList());
        cpuStep.ifPresent(steps::add);
        try (MigrationLog ctx = MigrationLog.of(null, r.vmName())) {
            LOG.info("incoming prepared: from {}, {} MiB reserved (reservation {})", r.sourceHost(),
                    r.memoryBytes() >> 20, reservation.id());
        }
        return new Incoming(reservation.id(), self.name(), self.libvirtUri(), "tcp:" + bindings.migrationAddress(),
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

    /**
     * Releases a reservation, once the migration has ended or when it never started. If the VM of
     * that migration died here (its QEMU gone after the post-copy switch: libvirt keeps the
     * definition it had made persistent, "shut off (crashed)"), the definition is removed, so that
     * the host does not list a dead copy that confuses placement and the operator. Only a shut-off
     * domain with the incoming VM's UUID is removed: the VM did not exist here when the migration
     * was prepared (that is checked), so its definition can only come from that migration.
     *
     * @return whether such a definition was removed
     */
    boolean releaseIncoming(String reservationId) throws AgentException {
        invalidIf(Inputs.id("reservation_id", reservationId));
        ArrivingVm arriving = arrivals.remove(reservationId);
        // A migration that ran longer than the reservation's lifetime finds it expired: the VM it
        // brought is still this migration's, and is cleaned up all the same.
        if (!admission.cancel(reservationId) && arriving == null) {
            throw new AgentException(Code.NOT_FOUND, "no reservation " + reservationId + " (released or expired)");
        }
        LOG.info("incoming cancelled: reservation {} released", reservationId);
        return arriving != null && removeDeadArrival(arriving);
    }

    private boolean removeDeadArrival(ArrivingVm vm) {
        try (MigrationLog ctx = MigrationLog.of(null, vm.name())) {
            try {
                if (hypervisor.undefineIfShutOff(localUri, vm.name(), vm.uuid())) {
                    LOG.warn("the incoming VM died here during its migration: its shut-off definition was undefined");
                    return true;
                }
            } catch (HypervisorException e) {
                LOG.warn("the incoming VM may have left a shut-off definition here; it could not be removed: {}",
                        e.getMessage());
            }
            return false;
        }
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

    private <T> T hv(AgentCalls.HvCall<T> call) throws AgentException {
        return AgentCalls.hv(self.name(), call);
    }
}
