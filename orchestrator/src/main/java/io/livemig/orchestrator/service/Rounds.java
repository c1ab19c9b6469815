package io.livemig.orchestrator.service;

import io.livemig.orchestrator.history.History;
import io.livemig.orchestrator.history.HistoryStore;
import io.livemig.orchestrator.history.RoundRecord;
import io.livemig.orchestrator.model.TransferOptions;
import io.livemig.orchestrator.placement.HostAvailability;
import io.livemig.orchestrator.placement.HostLoad;
import io.livemig.orchestrator.placement.Plan;
import io.livemig.orchestrator.placement.PlannedMove;
import io.livemig.orchestrator.placement.Rebalancer;
import io.livemig.orchestrator.service.Orchestrator.Round;
import io.livemig.orchestrator.service.Orchestrator.Settings;
import io.livemig.orchestrator.service.OrchestratorException.Code;
import io.livemig.orchestrator.workflow.MigrationRecord;
import io.livemig.orchestrator.workflow.RecordState;
import io.livemig.orchestrator.workflow.TransferMode;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebalance and drain rounds, one way for both: plan the moves (the {@link Rebalancer}'s), record
 * the round, and unless it is a dry run queue its moves through the {@link Dispatcher}. A drain is
 * a round with a flavour: one host is marked draining and every VM on it is planned away, with
 * no minimum gain and no cooldown.
 */
final class Rounds {

    private static final Logger LOG = LoggerFactory.getLogger(Orchestrator.class);

    /**
     * What a round is for.
     *
     * @param drainedHost the host a drain empties; empty for a rebalance
     * @param trigger who or what asked for it, as the round's record says
     */
    record Flavour(Optional<String> drainedHost, String trigger) {

        static Flavour rebalance(String trigger) {
            return new Flavour(Optional.empty(), trigger);
        }

        static Flavour drain(String host) {
            return new Flavour(Optional.of(host), "drain:" + host);
        }

        /** "rebalance" or "drain:HOST", as the reasons of its migrations say. */
        String label() {
            return drainedHost.map(h -> "drain:" + h).orElse("rebalance");
        }

        /** The origin recorded with its migrations: a rebalance names its round, a drain its host. */
        String origin(String roundId) {
            return drainedHost.isPresent() ? label() : "rebalance:" + roundId;
        }
    }

    private final Settings settings;
    private final History history;
    private final Records records;
    private final Clock clock;
    private final OrchestratorEvents events;
    private final HostMonitor hosts;
    private final Dispatcher dispatcher;
    private final ChangeSignal signal;
    private final Object lock;
    private final Rebalancer rebalancer = new Rebalancer();

    Rounds(Settings settings, History history, Records records, Clock clock, OrchestratorEvents events,
            HostMonitor hosts, Dispatcher dispatcher, ChangeSignal signal, Object lock) {
        this.settings = settings;
        this.history = history;
        this.records = records;
        this.clock = clock;
        this.events = events;
        this.hosts = hosts;
        this.dispatcher = dispatcher;
        this.signal = signal;
        this.lock = lock;
    }

    /**
     * Marks a host draining (unless a dry run) and runs a round that moves all its VMs; refused
     * while the host's VMs are unknown.
     */
    Round drain(String host, boolean dryRun) throws OrchestratorException {
        synchronized (lock) {
            HostTracker t = hosts.known(host);
            if (t.latest() == null) {
                throw new OrchestratorException(Code.FAILED_PRECONDITION, "cannot drain " + host + ": its agent has "
                        + "not answered yet (" + t.stateReason() + "), so its VMs are unknown");
            }
            if (!dryRun) {
                t.setAdminState(HostAvailability.DRAINING);
            }
            return run(Flavour.drain(host), dryRun);
        }
    }

    /** Plans a round, records it and (unless a dry run) queues its moves. */
    Round run(Flavour flavour, boolean dryRun) {
        synchronized (lock) {
            return carryOut(plan(flavour), dryRun, flavour);
        }
    }

    /** The round's plan for the current loads; nothing is recorded or moved. */
    Plan plan(Flavour flavour) {
        List<HostLoad> loads = hosts.hostLoads();
        if (flavour.drainedHost().isEmpty()) {
            return rebalancer.plan(loads, hosts.vmLoads(), settings.rebalance(), lastMoves(), clock.millis());
        }
        String drained = flavour.drainedHost().get();
        // A dry run leaves the host as it is; its plan is the one a real drain would make.
        List<HostLoad> draining = new ArrayList<>();
        for (HostLoad l : loads) {
            draining.add(l.name().equals(drained) ? withState(l, HostAvailability.DRAINING) : l);
        }
        return rebalancer.drain(drained, draining, hosts.vmLoads(), settings.policy(), settings.rebalance());
    }

    private static HostLoad withState(HostLoad l, HostAvailability state) {
        return new HostLoad(l.name(), state, l.cpus(), l.cpuUtilisation(), l.memoryTotalBytes(), l.memoryFreeBytes(),
                l.memoryCommittedBytes(), l.vmCount(), l.capabilities(), l.cpuFamily());
    }

    private Round carryOut(Plan plan, boolean dryRun, Flavour flavour) {
        String roundId = history.nextRoundId();
        String trigger = flavour.trigger();
        List<String> moves = plan.moves().stream().map(m -> m.vm() + ": " + m.from() + " -> " + m.to()).toList();
        RoundRecord round = new RoundRecord(roundId, clock.instant(), dryRun, trigger, plan.spreadBefore(),
                plan.spreadAfter(), moves, List.of(), dryRun ? "planned " + moves.size() + " moves (dry run): "
                        + plan.summary() : "planning: " + plan.summary());
        history.insertRound(round);
        events.roundRecorded(flavour.drainedHost().isPresent(), dryRun);
        List<String> ids = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        if (!dryRun) {
            String origin = flavour.origin(roundId);
            for (PlannedMove m : plan.moves()) {
                try {
                    ids.add(dispatcher.migrate(m.vm(), m.to(), TransferOptions.of(TransferMode.AUTO), origin,
                            m.to() + " planned by " + flavour.label() + ": " + m.reason()).record().id());
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
        signal.changed();
        return new Round(roundId, plan, ids);
    }

    /** When each VM last arrived somewhere, for the cooldown. */
    private Map<String, Long> lastMoves() {
        Map<String, Long> last = new HashMap<>();
        for (MigrationRecord r : records.list(HistoryStore.Query.latest(1000).withState(RecordState.SUCCEEDED))) {
            Instant ended = r.endedAt();
            if (ended != null) {
                last.merge(r.vm(), ended.toEpochMilli(), Math::max);
            }
        }
        return last;
    }
}
