package io.livemig.orchestrator.service;

import io.livemig.common.config.ClusterConfig;
import io.livemig.common.input.Inputs;
import io.livemig.common.config.HostConfig;
import io.livemig.common.log.MigrationLog;
import io.livemig.orchestrator.history.HistoryStore;
import io.livemig.orchestrator.history.RoundRecord;
import io.livemig.orchestrator.placement.TargetChoice;
import io.livemig.orchestrator.placement.HostLoad;
import io.livemig.orchestrator.placement.HostAvailability;
import io.livemig.orchestrator.placement.PlannedMove;
import io.livemig.orchestrator.placement.Placement;
import io.livemig.orchestrator.placement.PlacementPolicy;
import io.livemig.orchestrator.placement.PlacementSettings;
import io.livemig.orchestrator.placement.Plan;
import io.livemig.orchestrator.placement.RebalanceSettings;
import io.livemig.orchestrator.placement.Rebalancer;
import io.livemig.orchestrator.placement.HostRejection;
import io.livemig.orchestrator.placement.Spread;
import io.livemig.orchestrator.placement.VmLoad;
import io.livemig.orchestrator.service.OrchestratorException.Code;
import io.livemig.orchestrator.workflow.AdmissionQueue;
import io.livemig.orchestrator.workflow.AgentOutcome;
import io.livemig.orchestrator.workflow.Figures;
import io.livemig.orchestrator.workflow.MigrationRecord;
import io.livemig.orchestrator.workflow.RecordState;
import io.livemig.orchestrator.workflow.Reconciler;
import io.livemig.orchestrator.workflow.Resolution;
import io.livemig.orchestrator.model.AgentProgress;
import io.livemig.orchestrator.model.AgentResult;
import io.livemig.orchestrator.model.GuestVm;
import io.livemig.orchestrator.model.HostReport;
import io.livemig.orchestrator.model.TransferMode;
import io.livemig.orchestrator.model.TransferOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's orchestrator, without transport: follows the hosts through their agents (health
 * and a window of load samples), places VMs, queues migrations under cluster-wide and per-host
 * limits, runs them through the source agents, records every one durably, reconciles unfinished
 * records after a restart, and plans rebalancing and drains.
 *
 * <p>Decisions are made by the pure core ({@link Placement}, {@link Rebalancer},
 * {@link AdmissionQueue}, {@link Reconciler}); this class gathers their inputs and carries out
 * their answers.
 */
public final class Orchestrator implements AutoCloseable {

    /** The orchestrator's settings. */
    public record Settings(
            PlacementPolicy policy,
            AdmissionQueue.Limits limits,
            Duration loadInterval,
            int loadWindow,
            RebalanceSettings rebalance,
            Duration rebalanceInterval,
            boolean scheduledDryRun) {}

    /** A migration as shown to clients: the record, why it waits, the agent's latest progress. */
    public record View(MigrationRecord record, String waitingFor, AgentProgress progress, long version) {}

    /** What {@link #migrate} answers: the queued record and the placement decision behind it. */
    public record Queued(MigrationRecord record, TargetChoice decision, String explanation) {}

    /** A rebalance or drain round. */
    public record Round(String roundId, Plan plan, List<String> migrationIds) {}

    /** One line per event; those about a migration carry its record id and VM in the MDC. */
    private static final Logger LOG = LoggerFactory.getLogger(Orchestrator.class);

    private final ClusterConfig cluster;
    private final Settings settings;
    private final Agents agents;
    private final HistoryStore history;
    private final Clock clock;
    private final OrchestratorEvents events;
    private final Map<String, HostTracker> hosts = new LinkedHashMap<>();
    private final Placement placement = new Placement();
    private final Rebalancer rebalancer = new Rebalancer();
    private final AdmissionQueue admission = new AdmissionQueue();
    private final Reconciler reconciler = new Reconciler();
    /** How long a migration's record waits for its source agent to come back before it is called lost. */
    static final Duration AGENT_RETURN_WAIT = Duration.ofMinutes(2);
    private static final Duration AGENT_RETRY = Duration.ofSeconds(1);
    private final Map<String, AgentProgress> progress = new ConcurrentHashMap<>();
    private final Map<String, String> watched = new ConcurrentHashMap<>();
    private final Object changes = new Object();
    private long version; // under changes
    private String lastRoundRobin = "";
    private volatile boolean closing;
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, daemon("livemig-orchestrator"));
    private final ExecutorService watchers = Executors.newCachedThreadPool(daemon("livemig-watch"));

    public Orchestrator(ClusterConfig cluster, Settings settings, Agents agents, HistoryStore history, Clock clock) {
        this(cluster, settings, agents, history, clock, OrchestratorEvents.NONE);
    }

    /** As the other constructor; {@code events} hears of finished migrations and recorded rounds (metrics). */
    public Orchestrator(ClusterConfig cluster, Settings settings, Agents agents, HistoryStore history, Clock clock,
            OrchestratorEvents events) {
        this.events = events;
        this.cluster = cluster;
        this.settings = settings;
        this.agents = agents;
        this.history = history;
        this.clock = clock;
        for (HostConfig host : cluster.hosts()) {
            hosts.put(host.name(), new HostTracker(host, settings.loadWindow()));
        }
    }

    /**
     * Checks every host once, reconciles what a previous run left unfinished, then polls loads
     * and (if configured) rebalances on schedule.
     */
    public void start() {
        pollLoads();
        reconcile();
        long loadMs = settings.loadInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::pollLoadsQuietly, loadMs, loadMs, TimeUnit.MILLISECONDS);
        long rebalanceMs = settings.rebalanceInterval().toMillis();
        if (rebalanceMs > 0) {
            scheduler.scheduleWithFixedDelay(this::scheduledRound, rebalanceMs, rebalanceMs, TimeUnit.MILLISECONDS);
        }
        dispatch();
    }

    // --- hosts and loads ------------------------------------------------------------------------

    /** Asks every agent for its host and running VMs once; a failure counts against its health. */
    public void pollLoads() {
        for (HostTracker host : hosts.values()) {
            poll(host);
        }
        changed();
    }

    private void poll(HostTracker host) {
        HostAvailability before = host.state();
        try {
            HostReport info = agents.hostReport(host.config());
            List<GuestVm> vms = agents.runningVms(host.config());
            host.recordSample(info, vms);
        } catch (AgentCallException e) {
            host.recordFailure(e.getMessage());
        }
        HostAvailability after = host.state();
        if ((before == HostAvailability.DOWN) != (after == HostAvailability.DOWN)) {
            if (after == HostAvailability.DOWN) {
                LOG.warn("host {} is down: {}", host.config().name(), host.stateReason());
            } else {
                LOG.info("host {} is {}", host.config().name(), after.name().toLowerCase(Locale.ROOT));
            }
        }
    }

    private void pollLoadsQuietly() {
        try {
            pollLoads();
        } catch (RuntimeException e) {
            // the next round tries again; a scheduled task that throws would never run again
        }
    }

    /** Each host with its state and load (null load: never reached). */
    public record HostView(HostConfig config, HostAvailability state, String stateReason, HostLoad load, HostReport latest,
            int samples, double weightedLoad) {}

    public List<HostView> hosts() {
        List<HostView> views = new ArrayList<>();
        PlacementSettings ps = settings.rebalance().placement();
        for (HostTracker t : hosts.values()) {
            HostLoad load = t.load(Capabilities.offered(t.config()));
            HostTracker.Sample latest = t.latest();
            views.add(new HostView(t.config(), t.state(), t.stateReason(), load,
                    latest == null ? null : latest.info(), t.sampleCount(), load == null ? 0 : ps.load(load)));
        }
        return views;
    }

    /** The load spread of the hosts that count (up, draining). */
    public double spread() {
        return Spread.of(hostLoads(), settings.rebalance().placement());
    }

    /** A running VM and where it is. */
    public record VmView(GuestVm vm, String host, double cpuUtilisation, VmLoad load) {}

    public List<VmView> vms() {
        List<VmView> views = new ArrayList<>();
        for (HostTracker t : hosts.values()) {
            Map<String, Double> cpu = t.vmCpu();
            Map<String, Long> dirty = t.vmDirtyRate();
            for (GuestVm vm : t.vms()) {
                double c = cpu.getOrDefault(vm.name(), 0.0);
                long d = dirty.getOrDefault(vm.name(), 0L);
                views.add(new VmView(vm, t.config().name(), c, vmLoad(vm, t.config(), c, d)));
            }
        }
        return views;
    }

    private static VmLoad vmLoad(GuestVm vm, HostConfig host, double cpu, long dirtyRateBytesPerSec) {
        return new VmLoad(vm.name(), host.name(), Math.max(1, vm.memoryBytes()), Math.max(1, vm.vcpus()),
                Math.max(0, Math.min(1, cpu)), dirtyRateBytesPerSec, Capabilities.required(vm.bindings(), host));
    }

    private List<HostLoad> hostLoads() {
        List<HostLoad> loads = new ArrayList<>();
        for (HostTracker t : hosts.values()) {
            HostLoad load = t.load(Capabilities.offered(t.config()));
            if (load != null) {
                loads.add(load);
            }
        }
        return loads;
    }

    private List<VmLoad> vmLoads() {
        return vms().stream().map(VmView::load).toList();
    }

    public HostView setHostState(String host, HostAvailability state) throws OrchestratorException {
        HostTracker t = tracker(host);
        if (state == HostAvailability.DOWN) {
            throw new OrchestratorException(Code.INVALID_ARGUMENT, "down is decided by health checks; set up, draining "
                    + "or maintenance");
        }
        t.setAdminState(state);
        changed();
        return hosts().stream().filter(h -> h.config().name().equals(host)).findFirst().orElseThrow();
    }

    private HostTracker tracker(String host) throws OrchestratorException {
        invalidIf(Inputs.hostName(host));
        return known(host);
    }

    /** The tracker of a host whose name has been checked. */
    private HostTracker known(String host) throws OrchestratorException {
        HostTracker t = hosts.get(host);
        if (t == null) {
            throw new OrchestratorException(Code.NOT_FOUND, "no host '" + host + "' in the cluster (hosts: "
                    + String.join(", ", hosts.keySet()) + ")");
        }
        return t;
    }

    // --- migrations -----------------------------------------------------------------------------

    /**
     * Plans and queues a migration of a running VM; without a target the placement policy chooses
     * one. Returns at once; the migration starts when the limits allow.
     */
    public Queued migrate(String vmName, String target, TransferOptions options, String origin)
            throws OrchestratorException {
        return migrate(vmName, target, options, origin, null);
    }

    /** As {@link #migrate(String, String, TransferOptions, String)}; {@code why} replaces "X was requested". */
    private Queued migrate(String vmName, String target, TransferOptions options, String origin, String why)
            throws OrchestratorException {
        try {
            return queue(vmName, target, options, origin, why);
        } catch (OrchestratorException e) {
            try (MigrationLog ctx = MigrationLog.of(null, vmName)) {
                LOG.info("migration refused ({}): {}", origin, e.getMessage());
            }
            throw e;
        }
    }

    private Queued queue(String vmName, String target, TransferOptions options, String origin, String why)
            throws OrchestratorException {
        // Refused before any record is written, so a bad request leaves no trace in the history.
        invalidIf(Inputs.vmName(vmName));
        if (target != null && !target.isEmpty()) {
            invalidIf(Inputs.hostName(target).map(m -> "target: " + m));
        }
        VmView vm = findVm(vmName);
        synchronized (this) {
            for (MigrationRecord r : history.unfinished()) {
                if (r.vm().equals(vmName)) {
                    throw new OrchestratorException(Code.ALREADY_EXISTS, "VM '" + vmName + "' already has migration "
                            + r.id() + " (" + r.state().name().toLowerCase(Locale.ROOT) + ")");
                }
            }
            List<HostLoad> loads = hostLoads();
            TargetChoice decision;
            String explanation;
            if (target == null || target.isBlank()) {
                decision = placement.place(vm.load(), loads, settings.policy(), settings.rebalance().placement(),
                        lastRoundRobin);
                if (decision.chosenHost().isEmpty()) {
                    throw new OrchestratorException(Code.FAILED_PRECONDITION, "cannot place '" + vmName + "': "
                            + decision.whyUnplaceable());
                }
                explanation = explain(decision);
            } else {
                known(target);
                if (target.equals(vm.host())) {
                    throw new OrchestratorException(Code.INVALID_ARGUMENT, "VM '" + vmName + "' already runs on "
                            + target);
                }
                decision = placement.place(vm.load(), loads, settings.policy(), settings.rebalance().placement(),
                        lastRoundRobin);
                Optional<HostRejection> rejected = decision.rejections().stream()
                        .filter(r -> r.host().equals(target)).findFirst();
                if (rejected.isPresent()) {
                    throw new OrchestratorException(Code.FAILED_PRECONDITION, "cannot move '" + vmName + "' to "
                            + target + ": " + rejected.get().explanation());
                }
                explanation = why != null ? why : target + " was requested";
                decision = new TargetChoice(decision.vm(), decision.policy(), Optional.of(target), decision.candidates(),
                        decision.rejections());
            }
            String chosen = target == null || target.isBlank() ? decision.chosenHost().orElseThrow() : target;
            if (settings.policy() == PlacementPolicy.ROUND_ROBIN) {
                lastRoundRobin = chosen;
            }
            String mode = options.mode().label();
            MigrationRecord requested = MigrationRecord.requested(history.nextId(), vmName, vm.host(), "", mode,
                    origin, clock.instant());
            history.insert(requested);
            MigrationRecord planned = requested.planned(chosen, explanation);
            history.update(planned);
            queuedOptions.put(planned.id(), options);
            try (MigrationLog ctx = MigrationLog.of(planned.id(), vmName)) {
                LOG.info("migration queued ({}): {} -> {}, mode {}: {}", origin, vm.host(), chosen, mode, explanation);
            }
            changed();
            dispatch();
            return new Queued(history.get(planned.id()).orElse(planned), decision, explanation);
        }
    }

    private final Map<String, TransferOptions> queuedOptions = new ConcurrentHashMap<>();

    private VmView findVm(String vmName) throws OrchestratorException {
        Optional<VmView> vm = vms().stream().filter(v -> v.vm().name().equals(vmName)).findFirst();
        if (vm.isEmpty()) {
            pollLoads(); // it may have started since the last poll
            vm = vms().stream().filter(v -> v.vm().name().equals(vmName)).findFirst();
        }
        return vm.orElseThrow(() -> new OrchestratorException(Code.NOT_FOUND, "no running VM '" + vmName
                + "' on any reachable host"));
    }

    /** The choice and the runners-up, with each rejected host's reason, for people. */
    static String explain(TargetChoice d) {
        StringBuilder b = new StringBuilder();
        String chosen = d.chosenHost().orElse("none");
        b.append(chosen).append(" chosen by policy ").append(d.policy().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        d.candidates().stream().filter(c -> c.host().equals(chosen)).findFirst().ifPresent(c -> b.append(String.format(
                Locale.ROOT, ": projected load %.3f, score %.4f", c.projectedHostLoad(), c.score())));
        d.candidates().stream().filter(c -> !c.host().equals(chosen)).forEach(c -> b.append(String.format(Locale.ROOT,
                "; %s: projected load %.3f, score %.4f", c.host(), c.projectedHostLoad(), c.score())));
        d.rejections().forEach(r -> b.append("; ").append(r.host()).append(" rejected: ").append(r.explanation()));
        return b.toString();
    }

    private static void invalidIf(Optional<String> problem) throws OrchestratorException {
        if (problem.isPresent()) {
            throw new OrchestratorException(Code.INVALID_ARGUMENT, problem.get());
        }
    }

    /** Starts the queued migrations the limits allow. */
    public synchronized void dispatch() {
        List<MigrationRecord> unfinished = history.unfinished();
        List<MigrationRecord> queued = unfinished.stream().filter(r -> r.state() == RecordState.PLANNED).toList();
        List<MigrationRecord> running = unfinished.stream().filter(r -> r.state() == RecordState.RUNNING).toList();
        for (MigrationRecord r : admission.startable(queued, running, settings.limits())) {
            start(r);
        }
    }

    private void start(MigrationRecord r) {
        try (MigrationLog ctx = MigrationLog.of(r.id(), r.vm())) {
            startLogged(r);
        }
    }

    private void startLogged(MigrationRecord r) {
        HostConfig source = cluster.host(r.source()).orElse(null);
        HostConfig target = cluster.host(r.target()).orElse(null);
        if (source == null || target == null) {
            finish(r, RecordState.FAILED, Figures.none(), "host " + (source == null ? r.source() : r.target())
                    + " is no longer in the cluster file");
            return;
        }
        TransferOptions options = queuedOptions.getOrDefault(r.id(),
                TransferOptions.of(TransferMode.ofLabel(r.modeRequested())));
        String agentId;
        try {
            agentId = agents.startMigration(source, r.vm(), target, options);
        } catch (AgentCallException e) {
            finish(r, RecordState.FAILED, Figures.none(), "the source agent refused to start it: " + e.getMessage());
            return;
        }
        queuedOptions.remove(r.id());
        MigrationRecord running = r.running(agentId, clock.instant());
        LOG.info("migration started on {}'s agent as {}", r.source(), agentId);
        history.update(running);
        changed();
        follow(running, source);
    }

    /** Follows a running migration on a thread of its own until the agent reports its end. */
    private void follow(MigrationRecord r, HostConfig source) {
        if (watched.putIfAbsent(r.id(), r.agentMigrationId()) != null) {
            return;
        }
        watchers.submit(() -> {
            try (MigrationLog ctx = MigrationLog.of(r.id(), r.vm())) {
                AgentProgress last = null;
                String error = null;
                boolean agentForgot = false;
                long giveUpNanos = System.nanoTime() + AGENT_RETURN_WAIT.toNanos();
                while (last == null && !closing) {
                    try {
                        last = agents.watch(source, r.agentMigrationId(), p -> {
                            progress.put(r.id(), p);
                            changed();
                        });
                    } catch (AgentCallException e) {
                        error = e.getMessage();
                        if (e.refused()) {
                            agentForgot = true; // the agent answers but does not know the migration
                            break;
                        }
                        // The source agent is gone (stopped, restarted, cut off): wait for it,
                        // bounded, then ask it again whether it still knows the migration.
                        if (!awaitAgent(source, giveUpNanos)) {
                            break;
                        }
                        try {
                            agentForgot = agents.migration(source, r.agentMigrationId()).isEmpty();
                        } catch (AgentCallException again) {
                            error = again.getMessage();
                        }
                        if (agentForgot) {
                            break;
                        }
                    }
                }
                if (closing) {
                    return; // still RUNNING in the history: the next start reconciles it with the agent
                }
                // Loads first, so that whoever sees the final state also sees where the VM is now.
                poll(hosts.get(r.source()));
                if (hosts.containsKey(r.target())) {
                    poll(hosts.get(r.target()));
                }
                if (agentForgot) {
                    // The agent restarted and lost the migration: where the VM runs now tells.
                    Resolution.Finish f = (Resolution.Finish) reconciler.resolve(r, whereRuns(r.vm()), Optional.empty(),
                            "the agent of " + r.source() + " stopped during the migration");
                    finish(r, f.state(), f.figures(), f.error());
                } else if (last == null || last.result() == null) {
                    finish(r, RecordState.FAILED, Figures.none(), "lost track of the migration on " + r.source()
                            + ": " + error + " (the VM may still have moved; the next restart reconciles)");
                } else {
                    AgentResult result = last.result();
                    finish(r, endState(result.state()), figures(result), result.error());
                }
            } finally {
                watched.remove(r.id());
                progress.remove(r.id());
                if (closing) {
                    return;
                }
                changed();
                dispatch();
            }
        });
    }

    /** Polls the agent until it answers or {@code giveUpNanos} passes; false when it did not come back. */
    private boolean awaitAgent(HostConfig agent, long giveUpNanos) {
        while (!closing && System.nanoTime() < giveUpNanos) {
            try {
                agents.hostReport(agent);
                return true;
            } catch (AgentCallException e) {
                // not back yet
            }
            try {
                Thread.sleep(AGENT_RETRY.toMillis()); // a remote process coming back sends no event: poll, bounded
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    private Optional<String> whereRuns(String vm) {
        return vms().stream().filter(v -> v.vm().name().equals(vm)).map(VmView::host).findFirst();
    }

    /** An end the agent reports; one it cannot name (still "running" in a result) counts as failed. */
    private static RecordState endState(RecordState reported) {
        return reported == RecordState.SUCCEEDED || reported == RecordState.ABORTED ? reported : RecordState.FAILED;
    }

    static Figures figures(AgentResult r) {
        List<String> escalations = r.escalations().stream()
                .map(e -> String.format(Locale.ROOT, "%.1f s %s %s: %s", e.atMs() / 1000.0, e.kind(),
                        e.value(), e.reason()))
                .toList();
        return new Figures(r.totalMs(), r.downtimeMs(), r.setupMs(), r.memoryBytes(),
                r.bytesTransferred(), (int) r.iterations(), (int) r.postcopyRequests(),
                (r.modeUsed() == null ? TransferMode.AUTO : r.modeUsed()).label(), escalations);
    }

    private synchronized void finish(MigrationRecord r, RecordState state, Figures figures, String error) {
        MigrationRecord current = history.get(r.id()).orElse(r);
        if (current.state().terminal()) {
            return;
        }
        MigrationRecord finished = current.finished(state, figures, error == null ? "" : error, clock.instant());
        history.update(finished);
        events.migrationFinished(finished);
        try (MigrationLog ctx = MigrationLog.of(r.id(), r.vm())) {
            logEnd(state, figures, error);
        }
        changed();
    }

    private static void logEnd(RecordState state, Figures f, String error) {
        String line = "migration " + state.name().toLowerCase(Locale.ROOT) + ": total " + f.totalMs()
                + " ms, downtime " + f.downtimeMs() + " ms, " + f.bytesTransferred() + " bytes"
                + (error == null || error.isEmpty() ? "" : "; " + error);
        if (state == RecordState.SUCCEEDED) {
            LOG.info(line);
        } else {
            LOG.warn(line);
        }
    }

    /** Aborts a queued migration at once, a running one through its source agent. */
    public MigrationRecord abort(String id) throws OrchestratorException {
        MigrationRecord r = record(id);
        try (MigrationLog ctx = MigrationLog.of(r.id(), r.vm())) {
            LOG.info("abort requested ({})", r.state().name().toLowerCase(Locale.ROOT));
        }
        if (r.state().terminal()) {
            throw new OrchestratorException(Code.FAILED_PRECONDITION, "migration " + id + " has ended ("
                    + r.state().name().toLowerCase(Locale.ROOT) + ")");
        }
        if (r.state() != RecordState.RUNNING) {
            finish(r, RecordState.ABORTED, Figures.none(), "aborted by the operator before it started");
            queuedOptions.remove(id);
            return record(id);
        }
        try {
            agents.abort(cluster.host(r.source()).orElseThrow(), r.agentMigrationId());
        } catch (AgentCallException e) {
            throw new OrchestratorException(e.refused() ? Code.FAILED_PRECONDITION : Code.UNAVAILABLE,
                    "the source agent did not abort migration " + id + ": " + e.getMessage());
        }
        return record(id);
    }

    public MigrationRecord record(String id) throws OrchestratorException {
        invalidIf(Inputs.id("migration id", id));
        return history.get(id).orElseThrow(() -> new OrchestratorException(Code.NOT_FOUND, "no migration " + id));
    }

    public View view(String id) throws OrchestratorException {
        long v;
        synchronized (changes) {
            v = version;
        }
        MigrationRecord r = record(id);
        String waiting = "";
        if (r.state() == RecordState.PLANNED) {
            List<MigrationRecord> unfinished = history.unfinished();
            waiting = admission.reasons(unfinished.stream().filter(x -> x.state() == RecordState.PLANNED).toList(),
                    unfinished.stream().filter(x -> x.state() == RecordState.RUNNING).toList(), settings.limits())
                    .getOrDefault(id, "");
        }
        return new View(r, waiting, progress.get(id), v);
    }

    /** Waits up to {@code timeout} for any change after {@code version}; then the current view. */
    public View awaitView(String id, long afterVersion, Duration timeout) throws OrchestratorException,
            InterruptedException {
        awaitChange(afterVersion, timeout);
        return view(id);
    }

    /** Waits up to {@code timeout} for any change (loads, records, rounds) after {@code afterVersion}. */
    public long awaitChange(long afterVersion, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (changes) {
            while (version <= afterVersion) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                TimeUnit.NANOSECONDS.timedWait(changes, left);
            }
            return version;
        }
    }

    private void changed() {
        synchronized (changes) {
            version++;
            changes.notifyAll();
        }
    }

    public List<MigrationRecord> history(HistoryStore.Query query) {
        return history.list(query);
    }

    public List<RoundRecord> rounds(int limit) {
        return history.rounds(limit);
    }

    // --- restart reconciliation ----------------------------------------------------------------

    /**
     * Settles every record a previous run left unfinished, with where the agents say the VM runs
     * and what the source agent still knows of the migration.
     */
    public synchronized void reconcile() {
        Map<String, String> where = new HashMap<>();
        for (VmView vm : vms()) {
            where.put(vm.vm().name(), vm.host());
        }
        for (MigrationRecord r : history.unfinished()) {
            Optional<AgentOutcome> outcome = Optional.empty();
            HostConfig source = cluster.host(r.source()).orElse(null);
            if (r.state() == RecordState.RUNNING && source != null) {
                try {
                    outcome = agents.migration(source, r.agentMigrationId()).map(Orchestrator::outcome);
                } catch (AgentCallException e) {
                    outcome = Optional.empty(); // unreachable: decided by where the VM is
                }
            }
            Resolution resolution = reconciler.resolve(r, Optional.ofNullable(where.get(r.vm())), outcome);
            try (MigrationLog ctx = MigrationLog.of(r.id(), r.vm())) {
                LOG.info("reconciled after restart: was {}; {}", r.state().name().toLowerCase(Locale.ROOT),
                        resolution instanceof Resolution.Finish f ? "ended " + f.state().name().toLowerCase(Locale.ROOT)
                                + (f.error() == null || f.error().isEmpty() ? "" : ": " + f.error())
                        : resolution instanceof Resolution.Keep ? "still running on the agent, followed again"
                        : "stays queued");
            }
            if (resolution instanceof Resolution.Finish f) {
                MigrationRecord finished = r.finished(f.state(), f.figures(), f.error(), clock.instant());
                history.update(finished);
                events.migrationFinished(finished);
            } else if (resolution instanceof Resolution.Keep && source != null) {
                follow(r, source);
            } else if (resolution instanceof Resolution.Requeue && r.state() == RecordState.REQUESTED) {
                MigrationRecord failed = r.failed("the orchestrator stopped before planning it", Figures.none(),
                        clock.instant());
                history.update(failed);
                events.migrationFinished(failed);
            } // a PLANNED record stays queued
        }
        changed();
    }

    private static AgentOutcome outcome(AgentProgress p) {
        if (p.running()) {
            return AgentOutcome.running();
        }
        AgentResult r = p.result();
        String status = switch (endState(r.state())) {
            case SUCCEEDED -> "succeeded";
            case ABORTED -> "aborted";
            default -> "failed";
        };
        return new AgentOutcome(status, figures(r), r.error());
    }

    // --- rebalancing and drains ------------------------------------------------------------------

    /** The plan for the current loads; nothing is recorded or moved. */
    public Plan planRebalance() {
        return rebalancer.plan(hostLoads(), vmLoads(), settings.rebalance(), lastMoves(), clock.millis());
    }

    /** Plans a round, records it and (unless a dry run) queues its moves. */
    public synchronized Round rebalance(boolean dryRun, String trigger) {
        Plan plan = planRebalance();
        return carryOut(plan, dryRun, trigger, "rebalance");
    }

    /** Marks a host draining and queues the moves of all its VMs. */
    public synchronized Round drain(String host, boolean dryRun) throws OrchestratorException {
        HostTracker t = tracker(host);
        if (t.latest() == null) {
            throw new OrchestratorException(Code.FAILED_PRECONDITION, "cannot drain " + host + ": its agent has not "
                    + "answered yet (" + t.stateReason() + "), so its VMs are unknown");
        }
        if (!dryRun) {
            t.setAdminState(HostAvailability.DRAINING);
        }
        List<HostLoad> loads = new ArrayList<>();
        for (HostLoad l : hostLoads()) {
            loads.add(l.name().equals(host) ? withState(l, HostAvailability.DRAINING) : l);
        }
        Plan plan = rebalancer.drain(host, loads, vmLoads(), settings.policy(), settings.rebalance());
        return carryOut(plan, dryRun, "drain:" + host, "drain:" + host);
    }

    private static HostLoad withState(HostLoad l, HostAvailability state) {
        return new HostLoad(l.name(), state, l.cpus(), l.cpuUtilisation(), l.memoryTotalBytes(), l.memoryFreeBytes(),
                l.memoryCommittedBytes(), l.vmCount(), l.capabilities(), l.cpuFamily());
    }

    private Round carryOut(Plan plan, boolean dryRun, String trigger, String originPrefix) {
        String roundId = history.nextRoundId();
        List<String> moves = plan.moves().stream().map(m -> m.vm() + ": " + m.from() + " -> " + m.to()).toList();
        RoundRecord round = new RoundRecord(roundId, clock.instant(), dryRun, trigger, plan.spreadBefore(),
                plan.spreadAfter(), moves, List.of(), dryRun ? "planned " + moves.size() + " moves (dry run): "
                        + plan.summary() : "planning: " + plan.summary());
        history.insertRound(round);
        events.roundRecorded(!originPrefix.equals("rebalance"), dryRun);
        List<String> ids = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        if (!dryRun) {
            String origin = originPrefix.equals("rebalance") ? "rebalance:" + roundId : originPrefix;
            for (PlannedMove m : plan.moves()) {
                try {
                    ids.add(migrate(m.vm(), m.to(), TransferOptions.of(TransferMode.AUTO), origin,
                            m.to() + " planned by " + originPrefix + ": " + m.reason()).record().id());
                } catch (OrchestratorException e) {
                    refused.add(m.vm() + ": " + e.getMessage());
                }
            }
            String result = plan.moves().isEmpty() ? "no move: " + plan.summary()
                    : ids.size() + " of " + plan.moves().size() + " moves queued"
                            + (refused.isEmpty() ? "" : "; refused: " + String.join("; ", refused));
            history.updateRound(new RoundRecord(roundId, round.at(), false, trigger, plan.spreadBefore(),
                    plan.spreadAfter(), moves, ids, result));
            LOG.info("round {} ({}): {}", roundId, trigger, result);
        } else {
            LOG.info("round {} ({}): {}", roundId, trigger, round.result());
        }
        changed();
        return new Round(roundId, plan, ids);
    }

    /** When each VM last arrived somewhere, for the cooldown. */
    private Map<String, Long> lastMoves() {
        Map<String, Long> last = new HashMap<>();
        for (MigrationRecord r : history.list(HistoryStore.Query.latest(1000).withState(RecordState.SUCCEEDED))) {
            Instant ended = r.endedAt();
            if (ended != null) {
                last.merge(r.vm(), ended.toEpochMilli(), Math::max);
            }
        }
        return last;
    }

    private void scheduledRound() {
        try {
            pollLoads();
            rebalance(settings.scheduledDryRun(), "schedule");
        } catch (RuntimeException e) {
            // recorded rounds tell the operator; a throwing scheduled task would never run again
        }
    }

    @Override
    public void close() {
        closing = true;
        scheduler.shutdownNow();
        watchers.shutdownNow();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
