package io.livemig.agent.service;

import static io.livemig.agent.service.AgentCalls.invalidIf;
import static io.livemig.agent.service.AgentCalls.requireVmName;

import io.livemig.agent.core.DomainState;
import io.livemig.agent.core.Hypervisor;
import io.livemig.agent.core.HypervisorException;
import io.livemig.agent.core.PostcopyFailure;
import io.livemig.agent.core.VmInfo;
import io.livemig.agent.core.migration.LaunchPlan;
import io.livemig.agent.core.migration.MigrationJob;
import io.livemig.agent.core.migration.MigrationSpec;
import io.livemig.agent.core.monitor.MigrationMonitor;
import io.livemig.agent.core.monitor.MonitorReport;
import io.livemig.agent.core.monitor.LearnedMemory;
import io.livemig.agent.core.monitor.ProgressGauge;
import io.livemig.agent.core.monitor.Technique;
import io.livemig.agent.core.policy.AutoPlan;
import io.livemig.agent.core.policy.CopyMode;
import io.livemig.agent.core.policy.MigrationPolicy;
import io.livemig.agent.core.policy.PolicySettings;
import io.livemig.agent.service.AgentException.Code;
import io.livemig.agent.service.HostAgent.Started;
import io.livemig.common.config.HostConfig;
import io.livemig.common.input.Inputs;
import io.livemig.common.log.MigrationLog;
import io.livemig.common.timeline.Phases;
import io.livemig.common.timeline.Timeline;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source's side of migrations: starts one per VM (within the host's limits), runs each under a
 * {@link MigrationMonitor} on a thread of its own, recovers after a failure (the VM keeps running
 * here, or a split post-copy is reported as it is), and carries the operator's steering to it.
 */
final class OutgoingMigrations implements AutoCloseable {

    /** One line per event, each about a migration with its id and VM in the MDC (see {@link MigrationLog}). */
    private static final Logger LOG = LoggerFactory.getLogger(OutgoingMigrations.class);
    private static final Duration TARGET_CLEANUP_WAIT = Duration.ofSeconds(30);
    /** How long each host is asked about a VM whose post-copy failed. */
    private static final Duration FACTS_WAIT = Duration.ofSeconds(20);

    private final Hypervisor hypervisor;
    private final AgentEvents events;
    private final String localUri;
    private final HostConfig self;
    private final PeerAgents peers;
    private final LongSupplier clockMs;
    private final Admission admission;
    private final HostSampling sampling;
    private final HostBindings bindings;
    private final Map<String, OutgoingMigration> migrations = new ConcurrentHashMap<>();
    private final LearnedMemory learnedMemory = new LearnedMemory();
    private final ExecutorService runners = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "livemig-migration");
        t.setDaemon(true);
        return t;
    });

    OutgoingMigrations(Hypervisor hypervisor, String localUri, HostConfig self, PeerAgents peers, LongSupplier clockMs,
            AgentEvents events, Admission admission, HostSampling sampling, HostBindings bindings) {
        this.hypervisor = hypervisor;
        this.events = events;
        this.localUri = localUri;
        this.self = self;
        this.peers = peers;
        this.clockMs = clockMs;
        this.admission = admission;
        this.sampling = sampling;
        this.bindings = bindings;
    }

    /** Starts migrating a running VM of this host to the host whose agent is at {@code targetAgent}. */
    Started startMigration(String vmName, String targetAgent, MigrationOptionsValue options) throws AgentException {
        Timeline timeline = Timeline.begin("agent", Phases.VM_CHECK);
        requireVmName(vmName);
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
            timeline.next(Phases.DIRTY_RATE_WAIT);
            sampling.awaitDirtyRateCalc(vm);
            // AUTO plans from the dirty rate: measured now if no poll has measured the VM lately.
            OptionalLong dirtyRate = options.mode() == CopyMode.AUTO ? sampling.measureDirtyRateNow(vm)
                    : sampling.dirtyRate(vm);
            LearnedMemory.Figures learned = learnedMemory.of(vmName, vm.memoryBytes());
            OptionalLong ramHeld = learned.nonZeroBytes().isPresent() ? OptionalLong.empty()
                    : hypervisor.guestRamHeld(localUri, vm, Duration.ZERO); // read now: it grows as the guest writes
            timeline.next(Phases.SOURCE_XML);
            String xml = hv(() -> hypervisor.domainXml(localUri, vmName, true));
            timeline.next(Phases.TARGET_PREPARE);
            incoming = peers.prepareIncoming(targetAgent, new IncomingRequest(vmName, vm.uuid(), xml, vm.memoryBytes(),
                    self.name(), self.networks(), self.storage(), bindings.diskSizes(xml), sampling.reading(vm)));
            PolicySettings settings = PolicyInputs.settings(options, self.linkMiBps());
            LaunchPlan launch = launchPlan(options, settings, incoming);
            MigrationSpec spec = new MigrationSpec(vmName, localUri, incoming.libvirtUri(), incoming.migrateUri(),
                    incoming.destinationXml(), incoming.destinationXml(), launch, incoming.copyDisks());
            timeline.next(Phases.JOB);
            MigrationJob job = hv(() -> hypervisor.startMigration(spec));
            String id = UUID.randomUUID().toString();
            AutoPlan plan = options.mode() == CopyMode.AUTO
                    ? PolicyInputs.autoPlan(vm.memoryBytes(), learned, ramHeld, dirtyRate.orElse(0), options,
                            self.name(), self.linkMiBps(), incoming.targetHost())
                    : AutoPlan.PRECOPY_FIRST;
            ProgressGauge gauge = new ProgressGauge(options.mode(), plan, ProgressGauge.inputs(launch, settings,
                    vm.memoryBytes(), learned, ramHeld, dirtyRate));
            OutgoingMigration outgoing = new OutgoingMigration(id, vmName, self.name(), incoming.targetHost(),
                    options.mode(), events, timeline, gauge);
            MigrationMonitor monitor = new MigrationMonitor(job, new MigrationPolicy(options.mode(), settings, plan),
                    clockMs, outgoing::onProgress);
            outgoing.monitor = monitor;
            outgoing.plan = plan;
            migrations.put(id, outgoing);
            try (MigrationLog ctx = MigrationLog.of(id, vmName)) {
                LOG.info("migration started: to {} ({}), mode {}, flags {}", incoming.targetHost(), targetAgent,
                        OutgoingMigration.mode(options.mode()), launch.flags());
                if (!plan.reason().isEmpty()) {
                    LOG.info("auto plan (objective {}): {}", plan.objective(), plan.reason());
                }
            }
            Incoming agreed = incoming;
            runners.execute(() -> {
                run(outgoing, monitor, job, targetAgent, agreed);
                learnedMemory.learn(vmName, vm.memoryBytes(), gauge.firstPassBytes(), gauge.workingSetBytes());
            });
            return new Started(id, incoming);
        } catch (AgentException | RuntimeException e) {
            admission.endOutgoing(vmName);
            if (incoming != null) {
                releaseQuietly(targetAgent, incoming.reservationId());
            }
            throw e;
        }
    }

    private void run(OutgoingMigration outgoing, MigrationMonitor monitor, MigrationJob job, String targetAgent,
            Incoming incoming) {
        try (MigrationLog ctx = MigrationLog.of(outgoing.id, outgoing.vmName)) {
            runLogged(outgoing, monitor, job, targetAgent, incoming);
        }
    }

    private void runLogged(OutgoingMigration outgoing, MigrationMonitor monitor, MigrationJob job, String targetAgent,
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
            outgoing.timeline.next(Phases.FINISH);
            outgoing.sourceCleanupMs = job.sourceCleanupMs();
            boolean released = false;
            boolean verdictFirst = false;
            if (report == null || !report.succeeded()) {
                PostcopyFailure.Report split = report != null && report.modeUsed() == Technique.POSTCOPY
                        ? postcopyFailure(outgoing.vmName, incoming)
                        : new PostcopyFailure.Report(PostcopyFailure.Verdict.NOT_SPLIT, "");
                if (split.verdict() != PostcopyFailure.Verdict.NOT_SPLIT) {
                    String verdict = split.message();
                    if (split.verdict() == PostcopyFailure.Verdict.LOST) {
                        // The target answered: releasing the reservation there now lets its agent
                        // remove the definition libvirt kept of the dead VM, and the report say so.
                        released = true;
                        verdict = verdict + " " + releaseAfterLoss(targetAgent, incoming, outgoing.vmName);
                    }
                    LOG.error("post-copy failed ({}): {}", split.verdict().name().toLowerCase(Locale.ROOT), verdict);
                    error = join(error, verdict);
                    verdictFirst = true;
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
            if (released) {
                outgoing.finish(report, error, verdictFirst);
            } else if (job.destinationLost().isPresent()) {
                outgoing.finish(report, error, verdictFirst);
                releaseQuietly(targetAgent, incoming.reservationId()); // may stall until the peer call's deadline
            } else {
                releaseQuietly(targetAgent, incoming.reservationId());
                outgoing.finish(report, error, verdictFirst);
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
     * memory is in the target's QEMU, the rest on the source. What the operator can do depends on
     * whether that QEMU survived, which {@link PostcopyFailure} decides from the domain's state on
     * both hosts and their libvirt versions: a dead target lost the VM, a cut link left it split
     * and recoverable by post-copy resume (where libvirt's resume is safe). Nothing is resumed here,
     * and recovery (VIR_MIGRATE_POSTCOPY_RESUME) is never attempted: with libvirt 11.3 it crashed
     * the target's daemon in every trial in the lab, which would lose the VM for certain.
     *
     * <p>Each host is asked once, within {@link #FACTS_WAIT}: a target cut off by the failure must
     * not hold the result back; it then counts as not reachable, and the report gives both cases.
     *
     * @return the verdict, {@link PostcopyFailure.Verdict#NOT_SPLIT} when neither host shows a
     *         post-copy state (the failure came before the switch took effect, and the usual
     *         clean-up applies)
     */
    private PostcopyFailure.Report postcopyFailure(String vmName, Incoming incoming) {
        CompletableFuture<PostcopyFailure.Sighting> source = ask(() -> sighting(localUri, vmName));
        CompletableFuture<PostcopyFailure.Sighting> target = ask(() -> sighting(incoming.libvirtUri(), vmName));
        CompletableFuture<Long> sourceVersion = ask(() -> version(localUri));
        CompletableFuture<Long> targetVersion = ask(() -> version(incoming.libvirtUri()));
        PostcopyFailure.Facts facts = new PostcopyFailure.Facts(vmName, self.name(), incoming.targetHost(),
                incoming.libvirtUri(), answer(source, PostcopyFailure.Sighting.unreachable("its libvirt did not answer "
                        + "within " + FACTS_WAIT.toSeconds() + " s")),
                answer(target, PostcopyFailure.Sighting.unreachable("its libvirt did not answer within "
                        + FACTS_WAIT.toSeconds() + " s")), answer(sourceVersion, -1L), answer(targetVersion, -1L));
        return PostcopyFailure.judge(facts);
    }

    private <T> CompletableFuture<T> ask(java.util.function.Supplier<T> question) {
        return CompletableFuture.supplyAsync(question, runners);
    }

    /** The answer, or {@code otherwise} when none came within {@link #FACTS_WAIT} (from when it was asked). */
    private static <T> T answer(CompletableFuture<T> future, T otherwise) {
        try {
            return future.get(FACTS_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return otherwise;
        } catch (ExecutionException | TimeoutException e) {
            return otherwise;
        }
    }

    private PostcopyFailure.Sighting sighting(String hostUri, String vmName) {
        try {
            return hypervisor.domainStatus(hostUri, vmName).map(PostcopyFailure.Sighting::present)
                    .orElseGet(PostcopyFailure.Sighting::absent);
        } catch (HypervisorException e) {
            return PostcopyFailure.Sighting.unreachable(e.getMessage());
        }
    }

    private long version(String hostUri) {
        try {
            return hypervisor.libvirtVersion(hostUri);
        } catch (HypervisorException e) {
            return -1;
        }
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
        if (note == null || note.isEmpty()) {
            return error;
        }
        return error == null ? note : error + "; " + note;
    }

    /**
     * Releases the target's reservation after the VM was lost there; the target's agent then
     * removes the definition libvirt kept of the dead VM. Returns what became of that definition.
     */
    private String releaseAfterLoss(String targetAgent, Incoming incoming, String vmName) {
        try {
            boolean removed = peers.releaseIncoming(targetAgent, incoming.reservationId());
            return removed ? "The definition " + incoming.targetHost() + " kept of the dead VM was removed there "
                    + "(undefined): " + incoming.targetHost() + " no longer lists '" + vmName + "'."
                    : incoming.targetHost() + " keeps no definition of it.";
        } catch (AgentException e) {
            return "The definition " + incoming.targetHost() + " may keep of the dead VM could not be removed ("
                    + e.getMessage() + "): if 'virsh list --all' there shows '" + vmName + "' shut off, remove it with "
                    + "'virsh undefine " + vmName + "' on " + incoming.targetHost() + ".";
        }
    }

    private void releaseQuietly(String targetAgent, String reservationId) {
        try {
            peers.releaseIncoming(targetAgent, reservationId);
        } catch (AgentException e) {
            // expired or the target is gone: the reservation times out there by itself
        }
    }

    MigrationView view(String id) throws AgentException {
        return outgoing(id).view();
    }

    /** Waits up to {@code timeout} for a view newer than {@code version}; returns the current one. */
    MigrationView awaitView(String id, long version, Duration timeout) throws AgentException, InterruptedException {
        return outgoing(id).awaitNewer(version, timeout);
    }

    void abort(String id) throws AgentException {
        OutgoingMigration o = running(id);
        try (MigrationLog ctx = MigrationLog.of(id, o.vmName)) {
            LOG.info("abort requested");
        }
        o.monitor.requestAbort();
    }

    void startPostCopy(String id) throws AgentException {
        OutgoingMigration o = running(id);
        if (!o.postcopyPossible) {
            throw new AgentException(Code.FAILED_PRECONDITION, "migration " + id + " was started without post-copy "
                    + "(mode " + o.modeRequested.name().toLowerCase(Locale.ROOT) + ")");
        }
        o.monitor.requestPostCopy();
    }

    void setMaxDowntime(String id, long downtimeMs) throws AgentException {
        invalidIf(Inputs.SET_MAX_DOWNTIME_MS.checkUnsigned(downtimeMs));
        running(id).monitor.requestMaxDowntime(downtimeMs);
    }

    void setBandwidth(String id, long bandwidthMiBps) throws AgentException {
        invalidIf(Inputs.SET_BANDWIDTH_MIBPS.checkUnsigned(bandwidthMiBps));
        running(id).monitor.requestBandwidth(bandwidthMiBps);
    }

    private OutgoingMigration outgoing(String id) throws AgentException {
        invalidIf(Inputs.id("migration_id", id));
        OutgoingMigration o = migrations.get(id);
        if (o == null) {
            throw new AgentException(Code.NOT_FOUND, "no migration '" + id + "' on " + self.name());
        }
        return o;
    }

    private OutgoingMigration running(String id) throws AgentException {
        OutgoingMigration o = outgoing(id);
        if (o.view().ended()) {
            throw new AgentException(Code.FAILED_PRECONDITION, "migration " + id + " has already ended");
        }
        return o;
    }

    /** Why the migrations still running are aborted when the agent stops. */
    static final String SHUTTING_DOWN = "requested by the agent, which is shutting down (SIGTERM or stop)";

    @Override
    public void close() {
        migrations.values().forEach(o -> {
            if (o.monitor != null && !o.view().ended()) {
                o.monitor.requestAbort(SHUTTING_DOWN);
            }
        });
        runners.shutdown();
    }

    private boolean onDeclaredSharedStorage(Incoming incoming) {
        return incoming.plan().stream().anyMatch(step -> step.kind().equals("disk")
                && self.storage().values().stream().anyMatch(prefix -> step.from().startsWith(prefix + "/")));
    }

    /** What the migration starts with: the settings, and what this host and the target add. */
    private LaunchPlan launchPlan(MigrationOptionsValue o, PolicySettings settings, Incoming incoming) {
        return LaunchPlan.of(o.mode(), o.autoConverge(), settings, new LaunchPlan.Target(!incoming.copyDisks().isEmpty(),
                onDeclaredSharedStorage(incoming), self.migrationTls()));
    }

    private <T> T hv(AgentCalls.HvCall<T> call) throws AgentException {
        return AgentCalls.hv(self.name(), call);
    }
}
