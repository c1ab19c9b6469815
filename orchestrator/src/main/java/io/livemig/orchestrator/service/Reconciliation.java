package io.livemig.orchestrator.service;

import io.livemig.common.config.ClusterConfig;
import io.livemig.common.config.HostConfig;
import io.livemig.common.log.MigrationLog;
import io.livemig.orchestrator.service.Orchestrator.VmView;
import io.livemig.orchestrator.workflow.AgentOutcome;
import io.livemig.orchestrator.workflow.Figures;
import io.livemig.orchestrator.workflow.MigrationRecord;
import io.livemig.orchestrator.workflow.Reconciler;
import io.livemig.orchestrator.workflow.RecordState;
import io.livemig.orchestrator.workflow.Resolution;
import java.time.Clock;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles records whose migration the orchestrator lost sight of: after its own restart, with
 * where the agents say each VM runs and what the source agent still knows; and when a source
 * agent restarted and forgot a migration, with where the VM runs now. The decisions are the
 * {@link Reconciler}'s.
 */
final class Reconciliation {

    private static final Logger LOG = LoggerFactory.getLogger(Orchestrator.class);

    private final ClusterConfig cluster;
    private final Agents agents;
    private final Records records;
    private final Clock clock;
    private final OrchestratorEvents events;
    private final HostMonitor hosts;
    private final ChangeSignal signal;
    private final Object lock;
    private final Reconciler reconciler = new Reconciler();

    Reconciliation(ClusterConfig cluster, Agents agents, Records records, Clock clock, OrchestratorEvents events,
            HostMonitor hosts, ChangeSignal signal, Object lock) {
        this.cluster = cluster;
        this.agents = agents;
        this.records = records;
        this.clock = clock;
        this.events = events;
        this.hosts = hosts;
        this.signal = signal;
        this.lock = lock;
    }

    /**
     * Settles every record a previous run left unfinished; a migration still running on its agent
     * is handed to {@code follow}.
     */
    void afterRestart(BiConsumer<MigrationRecord, HostConfig> follow) {
        synchronized (lock) {
            Map<String, String> where = new HashMap<>();
            for (VmView vm : hosts.vms()) {
                where.put(vm.vm().name(), vm.host());
            }
            for (MigrationRecord r : records.unfinished()) {
                settle(r, where, follow);
            }
            signal.changed();
        }
    }

    private void settle(MigrationRecord r, Map<String, String> where, BiConsumer<MigrationRecord, HostConfig> follow) {
        Optional<AgentOutcome> outcome = Optional.empty();
        HostConfig source = cluster.host(r.source()).orElse(null);
        if (r.state() == RecordState.RUNNING && source != null) {
            try {
                outcome = agents.migration(source, r.agentMigrationId()).map(AgentReports::outcome);
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
            records.update(finished); // when the history does not take it, kept in memory and written later
            events.migrationFinished(finished);
        } else if (resolution instanceof Resolution.Keep && source != null) {
            follow.accept(r, source);
        } else if (resolution instanceof Resolution.Requeue && r.state() == RecordState.REQUESTED) {
            MigrationRecord failed = r.failed("the orchestrator stopped before planning it", Figures.none(),
                    clock.instant());
            records.update(failed);
            events.migrationFinished(failed);
        } // a PLANNED record stays queued
    }

    /** How a migration ended whose source agent restarted and forgot it: where the VM runs now tells. */
    Resolution.Finish agentForgot(MigrationRecord r) {
        return (Resolution.Finish) reconciler.resolve(r, hosts.whereRuns(r.vm()), Optional.empty(),
                "the agent of " + r.source() + " stopped during the migration");
    }
}
