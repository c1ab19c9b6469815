package io.livemig.orchestrator.service;

import io.livemig.common.config.ClusterConfig;
import io.livemig.common.config.HostConfig;
import io.livemig.common.predict.Objective;
import io.livemig.common.predict.Preflight;
import io.livemig.common.timeline.Phases;
import io.livemig.common.timeline.Timeline;
import io.livemig.orchestrator.history.History;
import io.livemig.orchestrator.history.HistoryException;
import io.livemig.orchestrator.history.HistoryStore;
import io.livemig.orchestrator.history.RoundRecord;
import io.livemig.orchestrator.model.AgentProgress;
import io.livemig.orchestrator.model.GuestVm;
import io.livemig.orchestrator.model.HostReport;
import io.livemig.orchestrator.model.PageCompression;
import io.livemig.orchestrator.model.TransferOptions;
import io.livemig.orchestrator.placement.HostAvailability;
import io.livemig.orchestrator.placement.HostLoad;
import io.livemig.orchestrator.placement.Placement;
import io.livemig.orchestrator.placement.PlacementPolicy;
import io.livemig.orchestrator.placement.Plan;
import io.livemig.orchestrator.placement.RebalanceSettings;
import io.livemig.orchestrator.placement.Rebalancer;
import io.livemig.orchestrator.placement.TargetChoice;
import io.livemig.orchestrator.placement.VmLoad;
import io.livemig.orchestrator.workflow.AdmissionQueue;
import io.livemig.orchestrator.workflow.MigrationRecord;
import io.livemig.orchestrator.workflow.Reconciler;
import io.livemig.orchestrator.workflow.RecordState;
import io.livemig.orchestrator.workflow.RetryBackoff;
import io.livemig.orchestrator.workflow.TransferMode;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The cluster's orchestrator, without transport: follows the hosts through their agents (health
 * and a window of load samples), places VMs, queues migrations under cluster-wide and per-host
 * limits, runs them through the source agents, records every one durably, reconciles unfinished
 * records after a restart, and plans rebalancing and drains.
 *
 * <p>Decisions are made by the pure core ({@link Placement}, {@link Rebalancer},
 * {@link AdmissionQueue}, {@link Reconciler}); this facade hands each request to the part that
 * carries it out: {@link HostMonitor} (hosts and loads), {@link Dispatcher} (migrations),
 * {@link Rounds} (rebalance and drain rounds), {@link Reconciliation} (records whose migration
 * was lost sight of). They share one lock, so a decision is made on a state no other part is
 * changing; they read and write migration records through {@link Records}, which keeps in memory
 * what the history could not take and writes it later.
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

    /**
     * A migration as shown to clients: the record, why it waits, the agent's latest progress, and
     * a warning when this version of the record is not in the history yet ("" when it is).
     */
    public record View(MigrationRecord record, String waitingFor, AgentProgress progress, long version,
            String warning) {}

    /** What {@link #migrate} answers: the queued record and the placement decision behind it. */
    public record Queued(MigrationRecord record, TargetChoice decision, String explanation) {}

    /**
     * Pre-flight advice for a migration: where it would go and why, and what each mode would cost.
     *
     * @param vm          the VM
     * @param source      where it runs
     * @param target      where it would go
     * @param decision    the placement decision (the target checked, when one was given)
     * @param explanation why this target
     * @param advice      every mode's predicted cost, the recommended mode, the inputs
     */
    public record Advised(String vm, String source, String target, TargetChoice decision, String explanation,
            Preflight.Advice advice) {}

    /** A rebalance or drain round. */
    public record Round(String roundId, Plan plan, List<String> migrationIds) {}

    /** Each host with its state and load (null load: never reached). */
    public record HostView(HostConfig config, HostAvailability state, String stateReason, HostLoad load,
            HostReport latest, int samples, double weightedLoad) {}

    /**
     * Whether the history takes writes: {@code problem} is the last write's failure, "" when the
     * last write worked; {@code unwrittenRecords} versions of records wait in memory to be written.
     */
    public record HistoryHealth(String problem, int unwrittenRecords) {
        public boolean writable() {
            return problem.isEmpty() && unwrittenRecords == 0;
        }
    }

    /** A running VM and where it is. */
    public record VmView(GuestVm vm, String host, double cpuUtilisation, VmLoad load) {}

    /** How many of a VM's succeeded migrations the advice looks through for a stop-and-copy one. */
    static final int ADVICE_HISTORY = 20;

    private final ClusterConfig cluster;
    private final Settings settings;
    private final History history;
    private final ChangeSignal signal = new ChangeSignal();
    private final Records records;
    private final HostMonitor hostMonitor;
    private final Reconciliation reconciliation;
    private final Dispatcher dispatcher;
    private final Rounds rounds;
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, daemon("livemig-orchestrator"));

    public Orchestrator(ClusterConfig cluster, Settings settings, Agents agents, History history, Clock clock) {
        this(cluster, settings, agents, history, clock, OrchestratorEvents.NONE);
    }

    /** As the other constructor; {@code events} hears of finished migrations and recorded rounds (metrics). */
    public Orchestrator(ClusterConfig cluster, Settings settings, Agents agents, History history, Clock clock,
            OrchestratorEvents events) {
        Object lock = new Object();
        this.cluster = cluster;
        this.settings = settings;
        this.history = history;
        this.records = new Records(history, events, signal, scheduler, RetryBackoff.HISTORY_WRITES);
        this.hostMonitor = new HostMonitor(cluster, settings.loadWindow(), agents, settings.rebalance().placement(),
                signal);
        this.reconciliation = new Reconciliation(cluster, agents, records, clock, events, hostMonitor, signal, lock);
        this.dispatcher = new Dispatcher(cluster, settings, agents, records, clock, events, hostMonitor,
                reconciliation, signal, lock);
        this.rounds = new Rounds(settings, history, records, clock, events, hostMonitor, dispatcher, signal, lock);
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
        hostMonitor.pollAll();
    }

    private void pollLoadsQuietly() {
        try {
            pollLoads();
        } catch (RuntimeException e) {
            // the next round tries again; a scheduled task that throws would never run again
        }
    }

    public List<HostView> hosts() {
        return hostMonitor.hosts();
    }

    /** The load spread of the hosts that count (up, draining). */
    public double spread() {
        return hostMonitor.spread();
    }

    public List<VmView> vms() {
        return hostMonitor.vms();
    }

    public HostView setHostState(String host, HostAvailability state) throws OrchestratorException {
        return hostMonitor.setState(host, state);
    }

    // --- migrations -----------------------------------------------------------------------------

    /**
     * Plans and queues a migration of a running VM; without a target the placement policy chooses
     * one. Returns at once; the migration starts when the limits allow. Names and ids given to
     * this class are taken as valid: callers check them ({@code Inputs}) where a request enters,
     * as the gRPC service does.
     */
    public Queued migrate(String vmName, String target, TransferOptions options, String origin)
            throws OrchestratorException {
        return migrate(vmName, target, options, origin, Timeline.begin("orchestrator", Phases.REQUEST));
    }

    /** The same, its timeline begun where the request came in. */
    public Queued migrate(String vmName, String target, TransferOptions options, String origin, Timeline timeline)
            throws OrchestratorException {
        return dispatcher.migrate(vmName, target, options, origin, null, timeline);
    }

    /**
     * Pre-flight advice: resolves the VM and its target exactly as {@link #migrate} would (the
     * same refusals), then predicts every mode there. Records, queues and starts nothing.
     *
     * <p>Inputs (see {@link Preflight}): the VM's memory and its dirty rate averaged over the load
     * window; its non-zero memory learned from its latest succeeded stop-and-copy migration with
     * the same memory, if the history has one; the link from the two hosts' link_mibps.
     */
    public Advised plan(String vmName, String target, TransferOptions options, Objective objective)
            throws OrchestratorException {
        TargetResolver.Resolved r = dispatcher.resolve(vmName, target);
        long memory = r.vm().vm().memoryBytes();
        HostConfig source = cluster.host(r.vm().host()).orElseThrow();
        HostConfig to = cluster.host(r.target()).orElseThrow();
        long held = r.vm().vm().ramHeldBytes();
        Preflight.Facts facts = new Preflight.Facts(memory, r.vm().load().dirtyRateBytesPerSec(),
                learnedNonZero(vmName, memory), source.name(), source.linkMiBps(), to.name(), to.linkMiBps(),
                OptionalLong.empty(), held > 0 ? OptionalLong.of(held) : OptionalLong.empty());
        Preflight.Options asked = new Preflight.Options(options.maxDowntimeMs(), options.bandwidthMibps(),
                options.compression() == PageCompression.XBZRLE || options.compression() == PageCompression.ZSTD,
                options.parallelConnections(), options.disallowPostcopy(), options.disallowSuspend());
        return new Advised(vmName, source.name(), to.name(), r.decision(), r.explanation(),
                Preflight.advise(facts, asked, objective));
    }

    /**
     * The bytes of the VM's latest succeeded stop-and-copy migration with this memory: its one pass.
     * "This memory" within 1/16: libvirt's figure for the job counts the devices' RAM too (a 256 MiB
     * guest's job says 256.8 MiB).
     */
    private OptionalLong learnedNonZero(String vmName, long memory) {
        try {
            return records.list(HistoryStore.Query.latest(ADVICE_HISTORY).withVm(vmName)
                            .withState(RecordState.SUCCEEDED))
                    .stream().map(MigrationRecord::figures)
                    .filter(f -> f.modeUsed().equals(Optional.of(TransferMode.STOPCOPY))
                            && Math.abs(f.memoryBytes() - memory) <= memory / 16
                            && f.bytesTransferred() > 0)
                    .mapToLong(f -> f.bytesTransferred()).findFirst();
        } catch (HistoryException e) {
            return OptionalLong.empty(); // a history that cannot be read leaves it estimated
        }
    }

    /**
     * Logs a migration request refused before it reached {@link #migrate} (options refused where
     * they are converted), as every refused request is; returns {@code e} for the caller to throw.
     */
    public OrchestratorException refused(String vmName, String origin, OrchestratorException e) {
        return dispatcher.refused(vmName, origin, e);
    }

    /** Starts the queued migrations the limits allow. */
    public void dispatch() {
        dispatcher.dispatch();
    }

    /** Aborts a queued migration at once, a running one through its source agent. */
    public MigrationRecord abort(String id) throws OrchestratorException {
        return dispatcher.abort(id);
    }

    public MigrationRecord record(String id) throws OrchestratorException {
        return dispatcher.record(id);
    }

    public View view(String id) throws OrchestratorException {
        return dispatcher.view(id);
    }

    /** Waits up to {@code timeout} for any change after {@code version}; then the current view. */
    public View awaitView(String id, long afterVersion, Duration timeout) throws OrchestratorException,
            InterruptedException {
        awaitChange(afterVersion, timeout);
        return view(id);
    }

    /** Waits up to {@code timeout} for any change (loads, records, rounds) after {@code afterVersion}. */
    public long awaitChange(long afterVersion, Duration timeout) throws InterruptedException {
        return signal.awaitChange(afterVersion, timeout);
    }

    /** Migrations matching {@code query}, newest first, as the orchestrator knows them (see {@link #historyHealth}). */
    public List<MigrationRecord> history(HistoryStore.Query query) {
        return records.list(query);
    }

    /** Migrations queued or running, oldest first. */
    public List<MigrationRecord> unfinished() {
        return records.unfinished();
    }

    /**
     * Whether the history takes writes. A version of a record it did not take (a migration started
     * or ended while its disk was full) is kept in memory, shown by every read, and written as
     * soon as the history takes it; the next start settles what a stop left unwritten.
     */
    public HistoryHealth historyHealth() {
        return records.health();
    }

    /** For a migration whose latest version is not in the history yet: the warning its readers get. */
    public Optional<String> historyWarning(String id) {
        return records.warning(id);
    }

    public List<RoundRecord> rounds(int limit) {
        return history.rounds(limit);
    }

    // --- restart reconciliation ----------------------------------------------------------------

    /**
     * Settles every record a previous run left unfinished, with where the agents say the VM runs
     * and what the source agent still knows of the migration.
     */
    public void reconcile() {
        reconciliation.afterRestart(dispatcher::follow);
    }

    // --- rebalancing and drains ------------------------------------------------------------------

    /** The plan for the current loads; nothing is recorded or moved. */
    public Plan planRebalance() {
        return rounds.plan(Rounds.Flavour.rebalance(""));
    }

    /** Plans a round, records it and (unless a dry run) queues its moves. */
    public Round rebalance(boolean dryRun, String trigger) {
        return rounds.run(Rounds.Flavour.rebalance(trigger), dryRun);
    }

    /** Marks a host draining and queues the moves of all its VMs. */
    public Round drain(String host, boolean dryRun) throws OrchestratorException {
        return rounds.drain(host, dryRun);
    }

    private void scheduledRound() {
        try {
            pollLoads();
            rebalance(settings.scheduledDryRun(), "schedule");
        } catch (RuntimeException e) {
            // recorded rounds tell the operator; a throwing scheduled task would never run again
        }
    }

    /** Stops; a last attempt writes what the history did not take (else the next start settles it). */
    @Override
    public void close() {
        dispatcher.stopping();
        scheduler.shutdownNow();
        dispatcher.close();
        records.writeUnwritten();
    }

    static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
