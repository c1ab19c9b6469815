package io.livemig.orchestrator.service;

import io.livemig.common.config.ClusterConfig;
import io.livemig.common.config.HostConfig;
import io.livemig.common.log.MigrationLog;
import io.livemig.common.timeline.Phases;
import io.livemig.common.timeline.Timeline;
import io.livemig.orchestrator.history.HistoryException;
import io.livemig.orchestrator.model.AgentProgress;
import io.livemig.orchestrator.model.AgentResult;
import io.livemig.orchestrator.model.TransferOptions;
import io.livemig.orchestrator.placement.TargetChoice;
import io.livemig.orchestrator.service.Orchestrator.Queued;
import io.livemig.orchestrator.service.Orchestrator.Settings;
import io.livemig.orchestrator.service.Orchestrator.View;
import io.livemig.orchestrator.service.Orchestrator.VmView;
import io.livemig.orchestrator.service.OrchestratorException.Code;
import io.livemig.orchestrator.workflow.AdmissionQueue;
import io.livemig.orchestrator.workflow.Figures;
import io.livemig.orchestrator.workflow.MigrationRecord;
import io.livemig.orchestrator.workflow.RecordState;
import io.livemig.orchestrator.workflow.Resolution;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Migrations from request to end: has the request resolved ({@link TargetResolver}: the VM, the
 * refusals, the target and why), writes the record, queues it under the {@link AdmissionQueue}'s
 * limits, starts it on the source agent, follows it on a thread of its own and records how it ended.
 */
final class Dispatcher implements AutoCloseable {

    /** One line per event, carrying the migration's record id and VM in the MDC. */
    private static final Logger LOG = LoggerFactory.getLogger(Orchestrator.class);
    /** How long a migration's record waits for its source agent to come back before it is called lost. */
    static final Duration AGENT_RETURN_WAIT = Duration.ofMinutes(2);
    private static final Duration AGENT_RETRY = Duration.ofSeconds(1);

    private final ClusterConfig cluster;
    private final Settings settings;
    private final Agents agents;
    private final Records records;
    private final Clock clock;
    private final OrchestratorEvents events;
    private final HostMonitor hosts;
    private final Reconciliation reconciliation;
    private final ChangeSignal signal;
    private final Object lock;
    private final AdmissionQueue admission = new AdmissionQueue();
    /** Where a request's VM runs and where it goes; under the lock. */
    private final TargetResolver targets;
    /** The options of queued migrations; a record keeps only the mode, so a restart starts with the mode alone. */
    private final Map<String, TransferOptions> queuedOptions = new ConcurrentHashMap<>();
    private final Map<String, AgentProgress> progress = new ConcurrentHashMap<>();
    private final Map<String, String> watched = new ConcurrentHashMap<>();
    /** Each unfinished migration's timeline, by record id; none for one this process did not queue. */
    private final Map<String, Timeline> timelines = new ConcurrentHashMap<>();
    /** Migrations whose VM was looked for again when the source agent did not find it: once each. */
    private final Set<String> lookedAgain = ConcurrentHashMap.newKeySet();
    private final ExecutorService watchers = Executors.newCachedThreadPool(Orchestrator.daemon("livemig-watch"));
    private volatile boolean closing;

    Dispatcher(ClusterConfig cluster, Settings settings, Agents agents, Records records, Clock clock,
            OrchestratorEvents events, HostMonitor hosts, Reconciliation reconciliation, ChangeSignal signal,
            Object lock) {
        this.cluster = cluster;
        this.settings = settings;
        this.agents = agents;
        this.records = records;
        this.clock = clock;
        this.events = events;
        this.hosts = hosts;
        this.reconciliation = reconciliation;
        this.signal = signal;
        this.lock = lock;
        this.targets = new TargetResolver(settings, records, hosts);
    }

    /**
     * Plans and queues a migration; {@code why} replaces "X was requested" as the reason of a
     * migration to a given target (null: a person asked).
     */
    Queued migrate(String vmName, String target, TransferOptions options, String origin, String why)
            throws OrchestratorException {
        return migrate(vmName, target, options, origin, why, Timeline.begin("orchestrator", Phases.PLACEMENT));
    }

    /** The same, with the timeline begun where the request came in. */
    Queued migrate(String vmName, String target, TransferOptions options, String origin, String why, Timeline timeline)
            throws OrchestratorException {
        try {
            return queue(vmName, target, options, origin, why, timeline);
        } catch (OrchestratorException e) {
            throw refused(vmName, origin, e);
        }
    }

    /** Logs a refused migration request; returns {@code e} for the caller to throw. */
    OrchestratorException refused(String vmName, String origin, OrchestratorException e) {
        try (MigrationLog ctx = MigrationLog.of(null, vmName)) {
            LOG.info("migration refused ({}): {}", origin, e.getMessage());
        }
        return e;
    }

    private Queued queue(String vmName, String target, TransferOptions options, String origin, String why,
            Timeline timeline) throws OrchestratorException {
        timeline.next(Phases.PLACEMENT);
        // The VM and target names were checked where the request came in (the gRPC edge); a
        // refusal here still comes before any record is written.
        VmView vm = targets.located(vmName, target);
        synchronized (lock) {
            TargetResolver.Resolved resolved = targets.resolve(vm, target, why);
            TargetChoice decision = resolved.decision();
            String explanation = resolved.explanation();
            String chosen = resolved.target();
            targets.chose(chosen);
            MigrationRecord requested = MigrationRecord.requested(records.nextId(), vmName, vm.host(), "",
                    options.mode(), origin, clock.instant());
            records.insert(requested);
            MigrationRecord planned = requested.planned(chosen, explanation);
            Optional<HistoryException> unwritten = records.update(planned);
            if (unwritten.isPresent()) {
                // It does not start unrecorded; and its record ends here, so that it holds no VM.
                finish(planned, RecordState.FAILED, Figures.none(), "not started: the history could not be written: "
                        + unwritten.get().getMessage());
                throw unwritten.get();
            }
            queuedOptions.put(planned.id(), options);
            timeline.next(Phases.ADMISSION_WAIT);
            timelines.put(planned.id(), timeline);
            try (MigrationLog ctx = MigrationLog.of(planned.id(), vmName)) {
                LOG.info("migration queued ({}): {} -> {}, mode {}: {}", origin, vm.host(), chosen,
                        options.mode().label(), explanation);
            }
            signal.changed();
            dispatch();
            return new Queued(records.latest(planned), decision, explanation);
        }
    }

    /**
     * The VM, its target and the decision behind it, as a migration request would get them: the
     * refusals a request gets (an unknown VM or host, a VM already migrating, a target that cannot
     * take it, no feasible target), and nothing recorded, queued or remembered (round-robin's last
     * choice stays).
     */
    TargetResolver.Resolved resolve(String vmName, String target) throws OrchestratorException {
        VmView vm = targets.located(vmName, target);
        synchronized (lock) {
            return targets.resolve(vm, target, null);
        }
    }

    /** Starts the queued migrations the limits allow. */
    void dispatch() {
        synchronized (lock) {
            List<MigrationRecord> unfinished = records.unfinished();
            List<MigrationRecord> queued = unfinished.stream().filter(r -> r.state() == RecordState.PLANNED).toList();
            List<MigrationRecord> running = unfinished.stream().filter(r -> r.state() == RecordState.RUNNING).toList();
            for (MigrationRecord r : admission.startable(queued, running, settings.limits())) {
                start(r);
            }
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
        TransferOptions options = queuedOptions.getOrDefault(r.id(), TransferOptions.of(r.modeRequested()));
        Optional.ofNullable(timelines.get(r.id())).ifPresent(t -> t.next(Phases.AGENT));
        String agentId;
        try {
            agentId = agents.startMigration(source, r.vm(), target, options);
        } catch (AgentCallException e) {
            Optional<String> now = e.notFound() ? lookAgain(r) : Optional.empty();
            if (now.isPresent() && now.get().equals(r.target())) {
                finish(r, RecordState.FAILED, Figures.none(), "VM '" + r.vm() + "' already runs on " + r.target()
                        + " (moved there since the orchestrator last looked, not by this migration)");
            } else if (now.isPresent()) {
                MigrationRecord moved = r.fromSource(now.get());
                LOG.info("{} is not on {} but on {}: starting from there", r.vm(), r.source(), now.get());
                records.update(moved);
                signal.changed();
                startFromNewSource(moved);
            } else {
                finish(r, RecordState.FAILED, Figures.none(), "the source agent refused to start it: " + e.getMessage());
            }
            return;
        }
        queuedOptions.remove(r.id());
        MigrationRecord running = r.running(agentId, clock.instant());
        LOG.info("migration started on {}'s agent as {}", r.source(), agentId);
        records.update(running); // when the history does not take it, the record is kept in memory and followed alike
        signal.changed();
        follow(running, source);
    }

    /**
     * Where the VM of a migration its source agent did not find runs now, after asking every host
     * again: another tool (virsh) may have moved it since the last poll. Empty when it is still
     * taken to be on the source, is nowhere, or this migration was looked for again once already.
     */
    private Optional<String> lookAgain(MigrationRecord r) {
        if (!lookedAgain.add(r.id())) {
            return Optional.empty();
        }
        // All at once: this runs under the lock, and a host that does not answer costs one deadline.
        hosts.pollTogether(cluster.hosts().stream().map(HostConfig::name).toList(), watchers);
        return hosts.vms().stream().filter(v -> v.vm().name().equals(r.vm())).map(VmView::host)
                .filter(h -> !h.equals(r.source())).findFirst();
    }

    /** Starts a migration whose source changed now if the limits let it, else leaves it queued. */
    private void startFromNewSource(MigrationRecord moved) {
        List<MigrationRecord> running = records.unfinished().stream()
                .filter(x -> x.state() == RecordState.RUNNING).toList();
        if (!admission.startable(List.of(moved), running, settings.limits()).isEmpty()) {
            startLogged(moved);
        }
    }

    /** Follows a running migration on a thread of its own until the agent reports its end. */
    void follow(MigrationRecord r, HostConfig source) {
        if (watched.putIfAbsent(r.id(), r.agentMigrationId()) != null) {
            return;
        }
        watchers.submit(() -> {
            try (MigrationLog ctx = MigrationLog.of(r.id(), r.vm())) {
                watch(r, source);
            } finally {
                watched.remove(r.id());
                progress.remove(r.id());
                if (!closing) {
                    signal.changed();
                    dispatchAfterEnd();
                }
            }
        });
    }

    private void watch(MigrationRecord r, HostConfig source) {
        AgentProgress last = null;
        String error = null;
        boolean agentForgot = false;
        long giveUpNanos = System.nanoTime() + AGENT_RETURN_WAIT.toNanos();
        while (last == null && !closing) {
            try {
                last = agents.watch(source, r.agentMigrationId(), p -> {
                    progress.put(r.id(), p);
                    signal.changed();
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
        Optional.ofNullable(timelines.get(r.id())).ifPresent(t -> t.next(Phases.RESULT));
        // Loads first, so that whoever sees the final state also sees where the VM is now; both
        // hosts at once.
        hosts.pollTogether(List.of(r.source(), r.target()), watchers);
        if (agentForgot) {
            Resolution.Finish f = reconciliation.agentForgot(r);
            finish(r, f.state(), f.figures(), f.error());
        } else if (last == null || last.result() == null) {
            finish(r, RecordState.FAILED, Figures.none(), "lost track of the migration on " + r.source()
                    + ": " + error + " (the VM may still have moved; the next restart reconciles)");
        } else {
            AgentResult result = last.result();
            finish(r, AgentReports.endState(result.state()), AgentReports.figures(result), result.error());
        }
    }

    /** Starts what the end of a migration let through; a history it cannot read waits for the next change. */
    private void dispatchAfterEnd() {
        try {
            dispatch();
        } catch (HistoryException e) {
            LOG.warn("queued migrations not started: {}", e.getMessage());
        }
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

    /**
     * Records how a migration ended and tells whoever follows it. A history that does not take the
     * record changes neither: the record is kept in memory, with a warning, until it can be written.
     */
    private void finish(MigrationRecord r, RecordState state, Figures figures, String error) {
        lookedAgain.remove(r.id());
        synchronized (lock) {
            MigrationRecord current = records.latest(r);
            if (current.state().terminal()) {
                return;
            }
            MigrationRecord finished = current.finished(state, withTimeline(r.id(), figures), error == null ? "" : error,
                    clock.instant());
            records.update(finished);
            events.migrationFinished(finished);
            try (MigrationLog ctx = MigrationLog.of(r.id(), r.vm())) {
                logEnd(state, figures, error);
            }
            signal.changed();
        }
    }

    /**
     * The figures with the migration's whole timeline: the orchestrator's phases, the source
     * agent's (which the figures bring) in place of its span. Without the orchestrator's (it
     * restarted meanwhile), the agent's alone.
     */
    private Figures withTimeline(String id, Figures figures) {
        Timeline timeline = timelines.remove(id);
        if (timeline == null) {
            return figures;
        }
        timeline.end();
        return figures.withPhases(Phases.splice(timeline.phases(), Phases.AGENT, figures.phases(), Phases.AGENT_CALLS));
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
    MigrationRecord abort(String id) throws OrchestratorException {
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
            return stored(id);
        }
        try {
            agents.abort(cluster.host(r.source()).orElseThrow(), r.agentMigrationId());
        } catch (AgentCallException e) {
            throw new OrchestratorException(e.refused() ? Code.FAILED_PRECONDITION : Code.UNAVAILABLE,
                    "the source agent did not abort migration " + id + ": " + e.getMessage());
        }
        return stored(id);
    }

    /** The record with an id (checked where the request came in), or NOT_FOUND. */
    MigrationRecord record(String id) throws OrchestratorException {
        return stored(id);
    }

    private MigrationRecord stored(String id) throws OrchestratorException {
        return records.get(id).orElseThrow(() -> new OrchestratorException(Code.NOT_FOUND, "no migration " + id));
    }

    View view(String id) throws OrchestratorException {
        long v = signal.version();
        MigrationRecord r = record(id);
        String waiting = "";
        if (r.state() == RecordState.PLANNED) {
            List<MigrationRecord> unfinished = records.unfinished();
            waiting = admission.reasons(unfinished.stream().filter(x -> x.state() == RecordState.PLANNED).toList(),
                    unfinished.stream().filter(x -> x.state() == RecordState.RUNNING).toList(), settings.limits())
                    .getOrDefault(id, "");
        }
        return new View(r, waiting, progress.get(id), v, records.warning(id).orElse(""));
    }

    /** Stops following migrations; those still running stay RUNNING in the history for the next start. */
    void stopping() {
        closing = true;
    }

    @Override
    public void close() {
        closing = true;
        watchers.shutdownNow();
    }
}
